// SPDX-License-Identifier: GPL-2.0

//! SMB 3.1.1 preauthentication integrity hash (MS-SMB2 3.2.5.2, 3.2.5.3).
//!
//! `H(0)` is 64 zero bytes and each message updates it as `H = SHA-512(H || message)`.
//! The connection hash covers the NEGOTIATE request and response; a session's hash
//! starts from the connection hash and covers every SESSION_SETUP request and every
//! SESSION_SETUP response except the final successful one. A message is the SMB2
//! message without the 4-byte transport frame header, given as segments.

use super::crypto::{update_segments, CryptoError, CryptoProvider, Mac};

/// Length in bytes of the preauth integrity hash (SHA-512).
pub const PREAUTH_HASH_LEN: usize = 64;

/// Hash algorithm identifier for SHA-512 in the PREAUTH_INTEGRITY negotiate context.
pub const HASH_ALGORITHM_SHA512: u16 = 0x0001;

/// A running preauth integrity hash value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PreauthHash {
    value: [u8; PREAUTH_HASH_LEN],
}

impl core::fmt::Debug for PreauthHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PreauthHash(")?;
        for b in self.value.iter().take(8) {
            write!(f, "{b:02x}")?;
        }
        f.write_str("..)")
    }
}

impl Default for PreauthHash {
    fn default() -> Self {
        Self::new()
    }
}

impl PreauthHash {
    /// Returns the initial value, 64 zero bytes.
    pub fn new() -> Self {
        Self {
            value: [0; PREAUTH_HASH_LEN],
        }
    }

    /// Resumes from a stored value (e.g. a session's hash starting from its
    /// connection's).
    pub fn from_value(value: [u8; PREAUTH_HASH_LEN]) -> Self {
        Self { value }
    }

    /// Returns the current value, the KDF context for 3.1.1 keys.
    pub fn value(&self) -> &[u8; PREAUTH_HASH_LEN] {
        &self.value
    }

    /// Chains one message, given as `segments` whose concatenation is the SMB2
    /// message: `H = SHA-512(H || message)`.
    pub fn update<P: CryptoProvider>(
        &mut self,
        p: &P,
        segments: &[&[u8]],
    ) -> Result<(), CryptoError> {
        let mut m = p.sha512()?;
        m.update(&self.value);
        update_segments(&mut m, segments);
        let mut next = [0u8; PREAUTH_HASH_LEN];
        m.finish(&mut next)?;
        self.value = next;
        Ok(())
    }
}
