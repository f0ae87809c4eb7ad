// SPDX-License-Identifier: GPL-2.0

//! The cryptographic primitives the protocol core needs, as traits.
//!
//! The kernel module implements [`CryptoProvider`] over the kernel crypto API (shash for
//! the hashes and MACs, AEAD for the ciphers); host tests implement it over RustCrypto
//! crates. MD4 and RC4, which the kernel crypto API no longer offers, are implemented in
//! pure Rust in [`super::md4`] and [`super::rc4`].
//!
//! Hashes and MACs are streaming ([`Mac::update`] may be called once per segment), so a
//! message held as several buffers (header, body, page-cache pages) is signed without
//! being copied into one. The AEAD ciphers work in place over one buffer.

/// Why a cryptographic operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// The key has a length the algorithm does not accept.
    InvalidKeyLength,
    /// The nonce has a length the algorithm does not accept.
    InvalidNonceLength,
    /// An output or tag buffer has a length the algorithm cannot fill.
    InvalidOutputLength,
    /// An AEAD tag or a signature did not verify.
    AuthenticationFailed,
    /// The algorithm is not available from this provider.
    Unsupported,
    /// The backend failed with this (negative errno style) code.
    Backend(i32),
}

impl core::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidKeyLength => write!(f, "invalid key length"),
            Self::InvalidNonceLength => write!(f, "invalid nonce length"),
            Self::InvalidOutputLength => write!(f, "invalid output length"),
            Self::AuthenticationFailed => write!(f, "authentication failed"),
            Self::Unsupported => write!(f, "algorithm unsupported"),
            Self::Backend(e) => write!(f, "crypto backend error {e}"),
        }
    }
}

/// A streaming hash or MAC: feed data with [`Mac::update`], then take the result once.
///
/// An implementation whose backend can fail during `update` records the failure and
/// reports it from [`Mac::finish`].
pub trait Mac {
    /// Feeds `data` (one segment of the message) into the computation.
    fn update(&mut self, data: &[u8]);

    /// Completes the computation and writes the first `out.len()` bytes of the digest.
    ///
    /// `out` may be shorter than the digest (the result is then truncated, as SMB2
    /// signing does with HMAC-SHA256); a longer `out` is
    /// [`CryptoError::InvalidOutputLength`].
    fn finish(self, out: &mut [u8]) -> Result<(), CryptoError>;
}

/// Length in bytes of the tag every SMB3 AEAD cipher and MAC produces.
pub const TAG_LEN: usize = 16;

/// Length in bytes of an AES-GMAC nonce.
pub const GMAC_NONCE_LEN: usize = 12;

/// The SMB3 encryption ciphers, by their wire identifiers (MS-SMB2 2.2.3.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AeadCipher {
    /// AES-128 in CCM mode with an 11-byte nonce and a 16-byte tag.
    Aes128Ccm,
    /// AES-128 in GCM mode with a 12-byte nonce and a 16-byte tag.
    Aes128Gcm,
    /// AES-256 in CCM mode with an 11-byte nonce and a 16-byte tag.
    Aes256Ccm,
    /// AES-256 in GCM mode with a 12-byte nonce and a 16-byte tag.
    Aes256Gcm,
}

impl AeadCipher {
    /// Returns the cipher with wire identifier `id`, if it is one of the four defined.
    pub fn from_wire(id: u16) -> Option<Self> {
        match id {
            1 => Some(Self::Aes128Ccm),
            2 => Some(Self::Aes128Gcm),
            3 => Some(Self::Aes256Ccm),
            4 => Some(Self::Aes256Gcm),
            _ => None,
        }
    }

    /// Returns the wire identifier of the cipher.
    pub fn wire(self) -> u16 {
        match self {
            Self::Aes128Ccm => 1,
            Self::Aes128Gcm => 2,
            Self::Aes256Ccm => 3,
            Self::Aes256Gcm => 4,
        }
    }

    /// Returns the key length in bytes (16 or 32).
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128Ccm | Self::Aes128Gcm => 16,
            Self::Aes256Ccm | Self::Aes256Gcm => 32,
        }
    }

    /// Returns the nonce length in bytes (11 for CCM, 12 for GCM).
    pub fn nonce_len(self) -> usize {
        match self {
            Self::Aes128Ccm | Self::Aes256Ccm => 11,
            Self::Aes128Gcm | Self::Aes256Gcm => 12,
        }
    }

    /// Returns whether the cipher uses a 256-bit key.
    pub fn is_256(self) -> bool {
        self.key_len() == 32
    }
}

/// Creates the hash, MAC and AEAD primitives the protocol core uses.
///
/// Every method validates its key and nonce lengths and returns
/// [`CryptoError::InvalidKeyLength`] / [`CryptoError::InvalidNonceLength`] rather than
/// panicking.
pub trait CryptoProvider {
    /// The streaming hash/MAC object all constructors below return.
    type Mac: Mac;

    /// Starts an unkeyed MD5 hash (16-byte digest).
    fn md5(&self) -> Result<Self::Mac, CryptoError>;

    /// Starts an unkeyed SHA-512 hash (64-byte digest).
    fn sha512(&self) -> Result<Self::Mac, CryptoError>;

    /// Starts an HMAC-MD5 (RFC 2104) with `key` (16-byte digest).
    fn hmac_md5(&self, key: &[u8]) -> Result<Self::Mac, CryptoError>;

    /// Starts an HMAC-SHA256 with `key` (32-byte digest).
    fn hmac_sha256(&self, key: &[u8]) -> Result<Self::Mac, CryptoError>;

    /// Starts an AES-128-CMAC (RFC 4493) with a 16-byte `key` (16-byte digest).
    fn aes_cmac(&self, key: &[u8]) -> Result<Self::Mac, CryptoError>;

    /// Starts an AES-GMAC (RFC 4543: GCM with all data as AAD and no plaintext) with a
    /// 16- or 32-byte `key` and a 12-byte `nonce` (16-byte digest).
    ///
    /// A kernel implementation can stream through the "ghash" shash keyed with
    /// AES_K(0^128), zero-padding the data to a block and appending the length block,
    /// then XOR AES_K(nonce || 0x00000001); or collect the segments into a scatterlist
    /// and run "gcm(aes)" with them as associated data.
    fn aes_gmac(&self, key: &[u8], nonce: &[u8; GMAC_NONCE_LEN]) -> Result<Self::Mac, CryptoError>;

    /// Encrypts `data` in place with `cipher` and writes the authentication tag over
    /// `aad` and the ciphertext to `tag`.
    fn aead_seal_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &mut [u8; TAG_LEN],
    ) -> Result<(), CryptoError>;

    /// Verifies `tag` over `aad` and the ciphertext in `data` and decrypts `data` in
    /// place; fails with [`CryptoError::AuthenticationFailed`] on a bad tag, in which
    /// case the contents of `data` are unspecified.
    fn aead_open_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError>;
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the compiler from turning the fold into an early-exit comparison.
    core::hint::black_box(diff) == 0
}

/// Feeds every segment of `segments` into `mac`.
pub fn update_segments<M: Mac>(mac: &mut M, segments: &[&[u8]]) {
    for s in segments {
        mac.update(s);
    }
}

/// Computes a 16-byte HMAC-MD5 of the concatenation of `parts`.
pub fn hmac_md5<P: CryptoProvider>(
    p: &P,
    key: &[u8],
    parts: &[&[u8]],
) -> Result<[u8; 16], CryptoError> {
    let mut m = p.hmac_md5(key)?;
    update_segments(&mut m, parts);
    let mut out = [0u8; 16];
    m.finish(&mut out)?;
    Ok(out)
}

/// Computes a 16-byte MD5 of the concatenation of `parts`.
pub fn md5<P: CryptoProvider>(p: &P, parts: &[&[u8]]) -> Result<[u8; 16], CryptoError> {
    let mut m = p.md5()?;
    update_segments(&mut m, parts);
    let mut out = [0u8; 16];
    m.finish(&mut out)?;
    Ok(out)
}
