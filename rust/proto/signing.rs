// SPDX-License-Identifier: GPL-2.0

//! Signing and verifying SMB2 messages (MS-SMB2 3.1.4.1, 3.1.5.1).
//!
//! A message is a list of segments whose concatenation runs from its 64-byte SMB2
//! header (which must lie wholly in the first segment) to its end, including any
//! compound padding. The Signature field (header bytes 48..64) counts as zero in the
//! computation without the caller having to clear it, so the segments can be borrowed
//! immutably for verification. HMAC-SHA256 is used by 2.x dialects (first 16 bytes of
//! the digest), AES-128-CMAC by 3.x, and AES-128-GMAC by 3.1.1 when negotiated through
//! the SIGNING_CAPABILITIES context.

use super::crypto::{ct_eq, CryptoError, CryptoProvider, Mac, GMAC_NONCE_LEN};
use super::header::{
    Command, COMMAND_OFFSET, FLAGS_OFFSET, FLAG_SERVER_TO_REDIR, FLAG_SIGNED, HEADER_SIZE,
    MESSAGE_ID_OFFSET, PROTOCOL_ID, SIGNATURE_OFFSET, SIGNATURE_SIZE,
};
use super::negotiate::Dialect;

/// Length in bytes of an SMB2 signature.
pub const SIGNATURE_LEN: usize = SIGNATURE_SIZE;

const HEADER_LEN: usize = HEADER_SIZE;
const COMMAND_CANCEL: u16 = Command::Cancel as u16;

/// The signing algorithms, by their SIGNING_CAPABILITIES wire identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// HMAC-SHA256 truncated to 16 bytes (SMB 2.0.2 and 2.1).
    HmacSha256,
    /// AES-128-CMAC (SMB 3.x).
    AesCmac,
    /// AES-128-GMAC (SMB 3.1.1 with SIGNING_CAPABILITIES).
    AesGmac,
}

impl SigningAlgorithm {
    /// Returns the algorithm with wire identifier `id`, if defined.
    pub fn from_wire(id: u16) -> Option<Self> {
        match id {
            0 => Some(Self::HmacSha256),
            1 => Some(Self::AesCmac),
            2 => Some(Self::AesGmac),
            _ => None,
        }
    }

    /// Returns the wire identifier of the algorithm.
    pub fn wire(self) -> u16 {
        match self {
            Self::HmacSha256 => 0,
            Self::AesCmac => 1,
            Self::AesGmac => 2,
        }
    }

    /// Returns the algorithm a connection signs with: the one the server selected in
    /// its SIGNING_CAPABILITIES context (3.1.1), else AES-CMAC for 3.x and HMAC-SHA256
    /// for 2.x.
    pub fn for_connection(dialect: Dialect, negotiated: Option<SigningAlgorithm>) -> Self {
        match (dialect, negotiated) {
            (Dialect::Smb311, Some(a)) => a,
            (d, _) if d.is_smb3() => Self::AesCmac,
            _ => Self::HmacSha256,
        }
    }
}

/// Why signing or verification failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningError {
    /// The first segment does not hold a whole SMB2 header.
    MessageTooShort,
    /// The first segment does not start with the SMB2 protocol identifier.
    NotSmb2,
    /// The signature does not match.
    BadSignature,
    /// The crypto provider failed.
    Crypto(CryptoError),
}

impl From<CryptoError> for SigningError {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

fn header(first: &[u8]) -> Result<&[u8], SigningError> {
    let h = first
        .get(..HEADER_LEN)
        .ok_or(SigningError::MessageTooShort)?;
    if h.get(..4) != Some(&PROTOCOL_ID[..]) {
        return Err(SigningError::NotSmb2);
    }
    Ok(h)
}

fn field<const N: usize>(h: &[u8], off: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = off.checked_add(N).and_then(|end| h.get(off..end)) {
        out.copy_from_slice(src);
    }
    out
}

fn flags(h: &[u8]) -> u32 {
    u32::from_le_bytes(field(h, FLAGS_OFFSET))
}

/// Returns whether the SMB2_FLAGS_SIGNED bit is set in the header at the start of
/// `first` (false if `first` is shorter than a header).
pub fn is_signed(first: &[u8]) -> bool {
    header(first)
        .map(|h| flags(h) & FLAG_SIGNED != 0)
        .unwrap_or(false)
}

/// Returns the AES-GMAC nonce for the message whose header starts `first`: the
/// MessageId (8 bytes, little-endian) then a 32-bit little-endian word whose bit 0 is
/// set if the sender is the server (SMB2_FLAGS_SERVER_TO_REDIR) and bit 1 if the
/// message is an SMB2 CANCEL request (MS-SMB2 3.1.4.1).
pub fn gmac_nonce(first: &[u8]) -> Result<[u8; GMAC_NONCE_LEN], SigningError> {
    let h = header(first)?;
    let mut role: u32 = 0;
    if flags(h) & FLAG_SERVER_TO_REDIR != 0 {
        role |= 1;
    }
    if u16::from_le_bytes(field(h, COMMAND_OFFSET)) == COMMAND_CANCEL {
        role |= 2;
    }
    let mut nonce = [0u8; GMAC_NONCE_LEN];
    let (id, tail) = nonce.split_at_mut(8);
    id.copy_from_slice(&field::<8>(h, MESSAGE_ID_OFFSET));
    tail.copy_from_slice(&role.to_le_bytes());
    Ok(nonce)
}

fn feed<M: Mac>(
    mut m: M,
    first: &[u8],
    rest: &[&[u8]],
) -> Result<[u8; SIGNATURE_LEN], SigningError> {
    let (before, after) = first.split_at(SIGNATURE_OFFSET.min(first.len()));
    m.update(before);
    m.update(&[0u8; SIGNATURE_LEN]);
    m.update(after.get(SIGNATURE_LEN..).unwrap_or(&[]));
    for s in rest {
        m.update(s);
    }
    let mut sig = [0u8; SIGNATURE_LEN];
    m.finish(&mut sig)?;
    Ok(sig)
}

fn signature_of<P: CryptoProvider>(
    p: &P,
    alg: SigningAlgorithm,
    key: &[u8],
    first: &[u8],
    rest: &[&[u8]],
) -> Result<[u8; SIGNATURE_LEN], SigningError> {
    header(first)?;
    let m = match alg {
        SigningAlgorithm::HmacSha256 => p.hmac_sha256(key)?,
        SigningAlgorithm::AesCmac => p.aes_cmac(key)?,
        SigningAlgorithm::AesGmac => p.aes_gmac(key, &gmac_nonce(first)?)?,
    };
    feed(m, first, rest)
}

/// Computes the signature of the message `segments` (signature field taken as zero).
///
/// The flags are used as they are: to sign, SMB2_FLAGS_SIGNED must already be set.
pub fn compute_signature<P: CryptoProvider>(
    p: &P,
    alg: SigningAlgorithm,
    key: &[u8],
    segments: &[&[u8]],
) -> Result<[u8; SIGNATURE_LEN], SigningError> {
    let (first, rest) = segments
        .split_first()
        .ok_or(SigningError::MessageTooShort)?;
    signature_of(p, alg, key, first, rest)
}

/// Signs a message in place: sets SMB2_FLAGS_SIGNED in the header at the start of
/// `first` and writes the signature over `first` followed by `rest` into it.
pub fn sign<P: CryptoProvider>(
    p: &P,
    alg: SigningAlgorithm,
    key: &[u8],
    first: &mut [u8],
    rest: &[&[u8]],
) -> Result<(), SigningError> {
    let f = flags(header(first)?) | FLAG_SIGNED;
    if let Some(dst) = first.get_mut(FLAGS_OFFSET..FLAGS_OFFSET.saturating_add(4)) {
        dst.copy_from_slice(&f.to_le_bytes());
    }
    let sig = signature_of(p, alg, key, first, rest)?;
    let dst = first
        .get_mut(SIGNATURE_OFFSET..HEADER_LEN)
        .ok_or(SigningError::MessageTooShort)?;
    dst.copy_from_slice(&sig);
    Ok(())
}

/// Verifies the signature carried in the header of the message `segments`, in
/// constant time. The caller decides beforehand whether the message must be signed.
pub fn verify<P: CryptoProvider>(
    p: &P,
    alg: SigningAlgorithm,
    key: &[u8],
    segments: &[&[u8]],
) -> Result<(), SigningError> {
    let (first, rest) = segments
        .split_first()
        .ok_or(SigningError::MessageTooShort)?;
    let expected = signature_of(p, alg, key, first, rest)?;
    let got = first
        .get(SIGNATURE_OFFSET..HEADER_LEN)
        .ok_or(SigningError::MessageTooShort)?;
    if ct_eq(&expected, got) {
        Ok(())
    } else {
        Err(SigningError::BadSignature)
    }
}
