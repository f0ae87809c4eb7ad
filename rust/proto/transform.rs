// SPDX-License-Identifier: GPL-2.0

//! SMB 3.x encryption: the SMB2 TRANSFORM_HEADER (MS-SMB2 2.2.41, 3.1.4.3, 3.2.5.1.1),
//! and recognition of the COMPRESSION_TRANSFORM_HEADER (2.2.42), which this client
//! never negotiates and therefore rejects.
//!
//! An encrypted message is a 52-byte transform header followed by the ciphertext of
//! one SMB2 message (or compound chain). The AEAD's associated data is header bytes
//! 20..52 (Nonce, OriginalMessageSize, Reserved, Flags, SessionId) and its tag is the
//! header's Signature. The nonce is the first 11 (CCM) or 12 (GCM) bytes of the Nonce
//! field; the caller supplies it since this code has no RNG.

use super::crypto::{AeadCipher, CryptoError, CryptoProvider, TAG_LEN};
use super::cursor::Reader;
use super::error::DecodeError;

/// Length in bytes of the SMB2 TRANSFORM_HEADER.
pub const TRANSFORM_HEADER_LEN: usize = 52;

/// ProtocolId of a plain SMB2 message.
pub const SMB2_PROTOCOL_ID: [u8; 4] = super::header::PROTOCOL_ID;

/// ProtocolId of the TRANSFORM_HEADER.
pub const TRANSFORM_PROTOCOL_ID: [u8; 4] = [0xFD, b'S', b'M', b'B'];

/// ProtocolId of the COMPRESSION_TRANSFORM_HEADER.
pub const COMPRESSION_PROTOCOL_ID: [u8; 4] = [0xFC, b'S', b'M', b'B'];

/// Flags value of an encrypted message (3.1.1), equal to the 3.0 EncryptionAlgorithm
/// value for AES-128-CCM.
pub const TRANSFORM_FLAG_ENCRYPTED: u16 = 0x0001;

/// Length in bytes of the Nonce field.
pub const NONCE_FIELD_LEN: usize = 16;

const AAD_OFFSET: usize = 20;

/// Length in bytes of the COMPRESSION_TRANSFORM_HEADER (unchained form).
pub const COMPRESSION_HEADER_LEN: usize = 16;

/// What a frame from the transport holds, by its ProtocolId.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketKind {
    /// A plain SMB2 message (0xFE 'SMB').
    Plain,
    /// An encrypted message (0xFD 'SMB').
    Encrypted,
    /// A compressed message (0xFC 'SMB').
    Compressed,
}

/// Classifies a frame by its first four bytes.
pub fn packet_kind(frame: &[u8]) -> Result<PacketKind, DecodeError> {
    let id = Reader::new(frame).array::<4>("ProtocolId")?;
    match id {
        SMB2_PROTOCOL_ID => Ok(PacketKind::Plain),
        TRANSFORM_PROTOCOL_ID => Ok(PacketKind::Encrypted),
        COMPRESSION_PROTOCOL_ID => Ok(PacketKind::Compressed),
        _ => Err(DecodeError::BadMagic { what: "ProtocolId" }),
    }
}

/// Why encrypting or decrypting failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransformError {
    /// The frame or a header field is malformed.
    Decode(DecodeError),
    /// The frame is compressed, which this client never negotiates.
    Compressed(CompressionTransformHeader),
    /// A key, nonce or length argument is invalid, or the provider failed; a message
    /// that does not authenticate is [`CryptoError::AuthenticationFailed`].
    Crypto(CryptoError),
}

impl From<DecodeError> for TransformError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<CryptoError> for TransformError {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

/// The fields of an SMB2 TRANSFORM_HEADER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransformHeader {
    /// The AEAD tag.
    pub signature: [u8; TAG_LEN],
    /// The Nonce field (the cipher uses its first 11 or 12 bytes).
    pub nonce: [u8; NONCE_FIELD_LEN],
    /// Length of the encrypted SMB2 message.
    pub original_message_size: u32,
    /// Flags (3.1.1) / EncryptionAlgorithm (3.0.x); 1 in both cases.
    pub flags: u16,
    /// The session whose keys encrypted the message.
    pub session_id: u64,
}

impl TransformHeader {
    /// Writes the header into `out`.
    pub fn encode(&self, out: &mut [u8; TRANSFORM_HEADER_LEN]) {
        let parts: [&[u8]; 7] = [
            &TRANSFORM_PROTOCOL_ID,
            &self.signature,
            &self.nonce,
            &self.original_message_size.to_le_bytes(),
            &[0, 0],
            &self.flags.to_le_bytes(),
            &self.session_id.to_le_bytes(),
        ];
        let mut rest: &mut [u8] = out;
        for part in parts {
            let (dst, tail) = rest.split_at_mut(part.len().min(rest.len()));
            dst.copy_from_slice(part.get(..dst.len()).unwrap_or(&[]));
            rest = tail;
        }
    }

    /// Decodes the header at the start of `frame`, checking the ProtocolId. A
    /// compressed frame is [`TransformError::Compressed`].
    pub fn decode(frame: &[u8]) -> Result<Self, TransformError> {
        if packet_kind(frame)? == PacketKind::Compressed {
            return Err(TransformError::Compressed(
                CompressionTransformHeader::decode(frame)?,
            ));
        }
        let mut r = Reader::new(frame);
        if r.array::<4>("TransformHeader.ProtocolId")? != TRANSFORM_PROTOCOL_ID {
            return Err(DecodeError::BadMagic {
                what: "TransformHeader.ProtocolId",
            }
            .into());
        }
        let signature = r.array("TransformHeader.Signature")?;
        let nonce = r.array("TransformHeader.Nonce")?;
        let original_message_size = r.u32("TransformHeader.OriginalMessageSize")?;
        r.skip(2, "TransformHeader.Reserved")?;
        let flags = r.u16("TransformHeader.Flags")?;
        let session_id = r.u64("TransformHeader.SessionId")?;
        Ok(Self {
            signature,
            nonce,
            original_message_size,
            flags,
            session_id,
        })
    }
}

fn check_key(cipher: AeadCipher, key: &[u8]) -> Result<(), CryptoError> {
    if key.len() == cipher.key_len() {
        Ok(())
    } else {
        Err(CryptoError::InvalidKeyLength)
    }
}

fn aad(hdr: &[u8; TRANSFORM_HEADER_LEN]) -> &[u8] {
    hdr.get(AAD_OFFSET..).unwrap_or(&[])
}

/// Encrypts `message` (one SMB2 message or compound chain) in place and writes the
/// transform header that must precede it into `header`.
///
/// `nonce` is 11 (CCM) or 12 (GCM) fresh bytes, never reused with the same key; up to
/// 16 bytes are accepted and stored in the Nonce field (the cipher uses the first 11
/// or 12), the rest of the field is zero.
pub fn encrypt<P: CryptoProvider>(
    p: &P,
    cipher: AeadCipher,
    key: &[u8],
    nonce: &[u8],
    session_id: u64,
    message: &mut [u8],
    header: &mut [u8; TRANSFORM_HEADER_LEN],
) -> Result<(), TransformError> {
    check_key(cipher, key)?;
    let nlen = cipher.nonce_len();
    if nonce.len() < nlen || nonce.len() > NONCE_FIELD_LEN {
        return Err(CryptoError::InvalidNonceLength.into());
    }
    if message.is_empty() {
        return Err(DecodeError::BadValue {
            what: "TransformHeader.OriginalMessageSize",
            value: 0,
        }
        .into());
    }
    let size = u32::try_from(message.len()).map_err(|_| DecodeError::BadValue {
        what: "TransformHeader.OriginalMessageSize",
        value: message.len() as u64,
    })?;
    let mut field = [0u8; NONCE_FIELD_LEN];
    if let Some(dst) = field.get_mut(..nonce.len()) {
        dst.copy_from_slice(nonce);
    }
    let mut h = TransformHeader {
        signature: [0; TAG_LEN],
        nonce: field,
        original_message_size: size,
        flags: TRANSFORM_FLAG_ENCRYPTED,
        session_id,
    };
    h.encode(header);
    let mut tag = [0u8; TAG_LEN];
    p.aead_seal_in_place(
        cipher,
        key,
        field.get(..nlen).unwrap_or(&[]),
        aad(header),
        message,
        &mut tag,
    )?;
    h.signature = tag;
    h.encode(header);
    Ok(())
}

/// Decrypts in place a message whose transform header and ciphertext are in separate
/// buffers, and returns the header.
///
/// Checks the ProtocolId, that Flags is 1 and that OriginalMessageSize equals the
/// ciphertext length; the caller picks `key` by [`TransformHeader::session_id`]
/// (decode the header first to find it).
pub fn decrypt_split<P: CryptoProvider>(
    p: &P,
    cipher: AeadCipher,
    key: &[u8],
    header: &[u8],
    ciphertext: &mut [u8],
) -> Result<TransformHeader, TransformError> {
    let h = TransformHeader::decode(header)?;
    if h.flags != TRANSFORM_FLAG_ENCRYPTED {
        return Err(DecodeError::BadValue {
            what: "TransformHeader.Flags",
            value: u64::from(h.flags),
        }
        .into());
    }
    if usize::try_from(h.original_message_size).ok() != Some(ciphertext.len())
        || ciphertext.is_empty()
    {
        return Err(DecodeError::BadValue {
            what: "TransformHeader.OriginalMessageSize",
            value: u64::from(h.original_message_size),
        }
        .into());
    }
    check_key(cipher, key)?;
    // Authenticate the header bytes as received (Reserved included).
    let aad = header
        .get(AAD_OFFSET..TRANSFORM_HEADER_LEN)
        .ok_or(DecodeError::OutOfBounds {
            what: "TransformHeader",
            offset: 0,
            len: TRANSFORM_HEADER_LEN,
        })?;
    p.aead_open_in_place(
        cipher,
        key,
        h.nonce.get(..cipher.nonce_len()).unwrap_or(&[]),
        aad,
        ciphertext,
        &h.signature,
    )?;
    Ok(h)
}

/// Decrypts in place an encrypted frame (transform header followed by ciphertext)
/// and returns the header and the plaintext SMB2 message.
pub fn decrypt<'a, P: CryptoProvider>(
    p: &P,
    cipher: AeadCipher,
    key: &[u8],
    frame: &'a mut [u8],
) -> Result<(TransformHeader, &'a mut [u8]), TransformError> {
    if frame.len() < TRANSFORM_HEADER_LEN {
        // Let the decoder name what is wrong (magic or length).
        TransformHeader::decode(frame)?;
        return Err(DecodeError::OutOfBounds {
            what: "TransformHeader",
            offset: 0,
            len: TRANSFORM_HEADER_LEN,
        }
        .into());
    }
    let (header, payload) = frame.split_at_mut(TRANSFORM_HEADER_LEN);
    let h = decrypt_split(p, cipher, key, header, payload)?;
    Ok((h, payload))
}

/// The COMPRESSION_TRANSFORM_HEADER (unchained view of its first 16 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionTransformHeader {
    /// Size of the uncompressed data.
    pub original_compressed_segment_size: u32,
    /// Compression algorithm identifier (unchained form).
    pub compression_algorithm: u16,
    /// Flags (1 = chained).
    pub flags: u16,
    /// Offset (unchained) or Length (chained).
    pub offset_or_length: u32,
}

impl CompressionTransformHeader {
    /// Decodes the header at the start of `frame`, checking its ProtocolId.
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(frame);
        if r.array::<4>("CompressionTransformHeader.ProtocolId")? != COMPRESSION_PROTOCOL_ID {
            return Err(DecodeError::BadMagic {
                what: "CompressionTransformHeader.ProtocolId",
            });
        }
        Ok(Self {
            original_compressed_segment_size: r
                .u32("CompressionTransformHeader.OriginalCompressedSegmentSize")?,
            compression_algorithm: r.u16("CompressionTransformHeader.CompressionAlgorithm")?,
            flags: r.u16("CompressionTransformHeader.Flags")?,
            offset_or_length: r.u32("CompressionTransformHeader.Offset")?,
        })
    }
}
