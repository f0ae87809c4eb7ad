// SPDX-License-Identifier: GPL-2.0

//! RC4, needed only for NTLM key exchange and the NTLM mechListMIC checksum.
//!
//! The kernel crypto API dropped "ecb(arc4)" for new users, so it lives here in pure
//! Rust. RC4 is broken as a cipher; NTLM uses it to wrap a random session key.

use super::crypto::CryptoError;

/// An RC4 keystream generator; [`Rc4::apply`] XORs the stream into data.
///
/// The state is 258 bytes, fine for a kernel stack.
#[derive(Clone)]
pub struct Rc4 {
    s: [u8; 256],
    i: u8,
    j: u8,
}

impl core::fmt::Debug for Rc4 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key-derived state.
        f.write_str("Rc4 { .. }")
    }
}

fn at(s: &[u8; 256], i: u8) -> u8 {
    s.get(usize::from(i)).copied().unwrap_or(0)
}

impl Rc4 {
    /// Schedules `key` (1 to 256 bytes).
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        if key.is_empty() || key.len() > 256 {
            return Err(CryptoError::InvalidKeyLength);
        }
        let mut s = [0u8; 256];
        for (v, n) in s.iter_mut().zip(0u8..=255) {
            *v = n;
        }
        let mut j = 0u8;
        for (i, k) in (0u8..=255).zip(key.iter().cycle()) {
            j = j.wrapping_add(at(&s, i)).wrapping_add(*k);
            s.swap(usize::from(i), usize::from(j));
        }
        Ok(Self { s, i: 0, j: 0 })
    }

    /// XORs the next `data.len()` keystream bytes into `data` (encrypts or decrypts).
    pub fn apply(&mut self, data: &mut [u8]) {
        for b in data {
            self.i = self.i.wrapping_add(1);
            self.j = self.j.wrapping_add(at(&self.s, self.i));
            self.s.swap(usize::from(self.i), usize::from(self.j));
            let t = at(&self.s, self.i).wrapping_add(at(&self.s, self.j));
            *b ^= at(&self.s, t);
        }
    }
}

impl Drop for Rc4 {
    fn drop(&mut self) {
        self.s.fill(0);
        self.i = 0;
        self.j = 0;
    }
}

/// Encrypts (or decrypts) `data` in place with a fresh RC4 stream keyed by `key`.
pub fn rc4(key: &[u8], data: &mut [u8]) -> Result<(), CryptoError> {
    Rc4::new(key)?.apply(data);
    Ok(())
}
