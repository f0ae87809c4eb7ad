// SPDX-License-Identifier: GPL-2.0

//! SMB 3.x key derivation (MS-SMB2 3.1.4.2, 3.2.5.3.1).
//!
//! The SP800-108 KDF in counter mode with HMAC-SHA256 as PRF (r = 32), with the SMB 3.0
//! and 3.0.2 labels/contexts and the SMB 3.1.1 labels with the preauth integrity hash as
//! context. L is the length of the key being derived, as SP800-108 defines it: 256 for
//! the cipher keys of an AES-256-CCM/GCM connection, 128 for every other key. The signing
//! and application keys are 128-bit keys derived with L = 128 whatever the cipher:
//! MS-SMB2 3.1.4.2 words L per connection cipher, but ksmbd (see the AES-256-GCM capture
//! replayed by host/tests/capture_replay.rs), Samba and Wireshark all take L from the
//! output length. (Linux cifs.ko feeds L = 256 to every key of an AES-256 connection,
//! which only shows when it signs on such a connection.)

use super::crypto::{AeadCipher, CryptoError, CryptoProvider, Mac};
use super::negotiate::Dialect;
use super::preauth::PREAUTH_HASH_LEN;

/// KDF labels and contexts, NUL terminator included as MS-SMB2 counts it.
pub mod label {
    /// SMB 3.0/3.0.2 signing key label.
    pub const SMB30_SIGNING: &[u8] = b"SMB2AESCMAC\0";
    /// SMB 3.0/3.0.2 signing key context.
    pub const SMB30_SIGNING_CONTEXT: &[u8] = b"SmbSign\0";
    /// SMB 3.0/3.0.2 encryption/decryption key label.
    pub const SMB30_CIPHER: &[u8] = b"SMB2AESCCM\0";
    /// SMB 3.0/3.0.2 context of the key the client encrypts with.
    pub const SMB30_CLIENT_TO_SERVER_CONTEXT: &[u8] = b"ServerIn \0";
    /// SMB 3.0/3.0.2 context of the key the client decrypts with.
    pub const SMB30_SERVER_TO_CLIENT_CONTEXT: &[u8] = b"ServerOut\0";
    /// SMB 3.0/3.0.2 application key label.
    pub const SMB30_APP: &[u8] = b"SMB2APP\0";
    /// SMB 3.0/3.0.2 application key context.
    pub const SMB30_APP_CONTEXT: &[u8] = b"SmbRpc\0";
    /// SMB 3.1.1 signing key label (context: preauth integrity hash).
    pub const SMB311_SIGNING: &[u8] = b"SMBSigningKey\0";
    /// SMB 3.1.1 label of the key the client encrypts with.
    pub const SMB311_CLIENT_TO_SERVER: &[u8] = b"SMBC2SCipherKey\0";
    /// SMB 3.1.1 label of the key the client decrypts with.
    pub const SMB311_SERVER_TO_CLIENT: &[u8] = b"SMBS2CCipherKey\0";
    /// SMB 3.1.1 application key label.
    pub const SMB311_APP: &[u8] = b"SMBAppKey\0";
}

/// Length in bytes of an SMB2 session key (`Session.SessionKey`).
pub const SESSION_KEY_LEN: usize = 16;

/// Length in bytes of an SMB 3.x signing key.
pub const SIGNING_KEY_LEN: usize = 16;

/// Maximum length in bytes of an SMB 3.x encryption key.
pub const MAX_CIPHER_KEY_LEN: usize = 32;

const HMAC_SHA256_LEN: usize = 32;

/// Derives `out.len()` bytes with the SP800-108 counter-mode KDF (HMAC-SHA256 PRF,
/// 32-bit big-endian counter and length, a zero byte between label and context).
///
/// `l_bits` is the L input; `out.len()` must not exceed `l_bits / 8`.
pub fn sp800_108_hmac_sha256<P: CryptoProvider>(
    p: &P,
    key: &[u8],
    label: &[u8],
    context: &[u8],
    l_bits: u32,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let max = usize::try_from(l_bits / 8).map_err(|_| CryptoError::InvalidOutputLength)?;
    if out.len() > max {
        return Err(CryptoError::InvalidOutputLength);
    }
    let mut counter: u32 = 1;
    for chunk in out.chunks_mut(HMAC_SHA256_LEN) {
        let mut m = p.hmac_sha256(key)?;
        m.update(&counter.to_be_bytes());
        m.update(label);
        m.update(&[0]);
        m.update(context);
        m.update(&l_bits.to_be_bytes());
        let mut block = [0u8; HMAC_SHA256_LEN];
        m.finish(&mut block)?;
        let n = chunk.len();
        chunk.copy_from_slice(block.get(..n).ok_or(CryptoError::InvalidOutputLength)?);
        block.fill(0);
        counter = counter
            .checked_add(1)
            .ok_or(CryptoError::InvalidOutputLength)?;
    }
    Ok(())
}

/// Returns `Session.SessionKey`: the first 16 bytes of the authentication key, right
/// padded with zeros if it is shorter (MS-SMB2 3.2.1.3).
pub fn session_key(full_session_key: &[u8]) -> [u8; SESSION_KEY_LEN] {
    let mut k = [0u8; SESSION_KEY_LEN];
    for (d, s) in k.iter_mut().zip(full_session_key) {
        *d = *s;
    }
    k
}

/// L (in bits) for the 128-bit keys: signing and application keys, and the cipher keys
/// of AES-128 connections.
const L_128: u32 = 128;

/// Returns the KDF's L (in bits) for the cipher keys of a connection using `cipher`.
pub fn kdf_l_bits(cipher: Option<AeadCipher>) -> u32 {
    match cipher {
        Some(c) if c.is_256() => 256,
        _ => 128,
    }
}

/// The keys of an SMB2/3 session (or, for a bound channel, only its signing key).
#[derive(Clone)]
pub struct SessionKeys {
    signing: [u8; SIGNING_KEY_LEN],
    encryption: [u8; MAX_CIPHER_KEY_LEN],
    decryption: [u8; MAX_CIPHER_KEY_LEN],
    application: [u8; SESSION_KEY_LEN],
    cipher_key_len: usize,
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKeys { .. }")
    }
}

impl Drop for SessionKeys {
    fn drop(&mut self) {
        self.signing.fill(0);
        self.encryption.fill(0);
        self.decryption.fill(0);
        self.application.fill(0);
    }
}

impl SessionKeys {
    /// Returns the signing key (for 2.x dialects, the session key itself).
    pub fn signing_key(&self) -> &[u8; SIGNING_KEY_LEN] {
        &self.signing
    }

    /// Returns the key the client encrypts with (empty before SMB 3.0 or without a
    /// cipher).
    pub fn encryption_key(&self) -> &[u8] {
        self.encryption.get(..self.cipher_key_len).unwrap_or(&[])
    }

    /// Returns the key the client decrypts with (empty before SMB 3.0 or without a
    /// cipher).
    pub fn decryption_key(&self) -> &[u8] {
        self.decryption.get(..self.cipher_key_len).unwrap_or(&[])
    }

    /// Returns the application key (for 2.x dialects, the session key itself).
    pub fn application_key(&self) -> &[u8; SESSION_KEY_LEN] {
        &self.application
    }
}

/// Derives a session's keys after a successful SESSION_SETUP.
///
/// `full_session_key` is the key the authentication produced (NTLM's exported session
/// key, Kerberos' subkey); `cipher` is the connection's cipher (`None` when no
/// encryption was negotiated; SMB 3.0/3.0.2 always use AES-128-CCM if they encrypt);
/// `preauth_hash` is the session's preauth integrity hash (3.1.1 only, ignored
/// otherwise). For 2.x dialects the signing and application keys are the session key
/// and there are no cipher keys.
pub fn derive_session_keys<P: CryptoProvider>(
    p: &P,
    dialect: Dialect,
    cipher: Option<AeadCipher>,
    full_session_key: &[u8],
    preauth_hash: &[u8; PREAUTH_HASH_LEN],
) -> Result<SessionKeys, CryptoError> {
    let sk = session_key(full_session_key);
    let mut keys = SessionKeys {
        signing: sk,
        encryption: [0; MAX_CIPHER_KEY_LEN],
        decryption: [0; MAX_CIPHER_KEY_LEN],
        application: sk,
        cipher_key_len: 0,
    };
    if !dialect.is_smb3() {
        return Ok(keys);
    }
    keys.signing = derive_signing_key(p, dialect, full_session_key, preauth_hash)?;
    let (app_label, app_ctx): (&[u8], &[u8]) = if dialect == Dialect::Smb311 {
        (label::SMB311_APP, preauth_hash)
    } else {
        (label::SMB30_APP, label::SMB30_APP_CONTEXT)
    };
    sp800_108_hmac_sha256(p, &sk, app_label, app_ctx, L_128, &mut keys.application)?;

    let Some(c) = cipher else {
        return Ok(keys);
    };
    let klen = c.key_len();
    // Only 3.1.1 with an AES-256 cipher keys the KDF with the full session key.
    let cipher_kdf_key: &[u8] = if dialect == Dialect::Smb311 && c.is_256() {
        full_session_key
    } else {
        &sk
    };
    let (enc_label, enc_ctx, dec_label, dec_ctx): (&[u8], &[u8], &[u8], &[u8]) =
        if dialect == Dialect::Smb311 {
            (
                label::SMB311_CLIENT_TO_SERVER,
                preauth_hash,
                label::SMB311_SERVER_TO_CLIENT,
                preauth_hash,
            )
        } else {
            (
                label::SMB30_CIPHER,
                label::SMB30_CLIENT_TO_SERVER_CONTEXT,
                label::SMB30_CIPHER,
                label::SMB30_SERVER_TO_CLIENT_CONTEXT,
            )
        };
    let l = kdf_l_bits(cipher);
    let enc = keys
        .encryption
        .get_mut(..klen)
        .ok_or(CryptoError::InvalidKeyLength)?;
    sp800_108_hmac_sha256(p, cipher_kdf_key, enc_label, enc_ctx, l, enc)?;
    let dec = keys
        .decryption
        .get_mut(..klen)
        .ok_or(CryptoError::InvalidKeyLength)?;
    sp800_108_hmac_sha256(p, cipher_kdf_key, dec_label, dec_ctx, l, dec)?;
    keys.cipher_key_len = klen;
    Ok(keys)
}

/// Derives only the signing key, as for a channel bound to an existing session (each
/// channel has its own signing key; 3.1.1 uses the binding exchange's preauth hash).
///
/// For 2.x dialects this is the session key. The connection's cipher does not enter
/// the derivation: the signing key is a 128-bit key, L = 128, with every cipher.
pub fn derive_signing_key<P: CryptoProvider>(
    p: &P,
    dialect: Dialect,
    full_session_key: &[u8],
    preauth_hash: &[u8; PREAUTH_HASH_LEN],
) -> Result<[u8; SIGNING_KEY_LEN], CryptoError> {
    let sk = session_key(full_session_key);
    if !dialect.is_smb3() {
        return Ok(sk);
    }
    let mut out = [0u8; SIGNING_KEY_LEN];
    if dialect == Dialect::Smb311 {
        sp800_108_hmac_sha256(p, &sk, label::SMB311_SIGNING, preauth_hash, L_128, &mut out)?;
    } else {
        sp800_108_hmac_sha256(
            p,
            &sk,
            label::SMB30_SIGNING,
            label::SMB30_SIGNING_CONTEXT,
            L_128,
            &mut out,
        )?;
    }
    Ok(out)
}
