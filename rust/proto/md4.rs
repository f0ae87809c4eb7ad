// SPDX-License-Identifier: GPL-2.0

//! MD4 (RFC 1320), needed only for the NTLM "NT hash" of a password.
//!
//! The kernel crypto API dropped MD4, so it lives here in pure Rust. MD4 is broken as a
//! general hash; NTLM uses it only as a password one-way function.

use super::crypto::{CryptoError, Mac};

/// Length in bytes of an MD4 digest.
pub const MD4_LEN: usize = 16;

const BLOCK: usize = 64;

/// A streaming MD4 computation.
#[derive(Clone, Debug)]
pub struct Md4 {
    state: [u32; 4],
    buf: [u8; BLOCK],
    buf_len: usize,
    total: u64,
}

impl Default for Md4 {
    fn default() -> Self {
        Self::new()
    }
}

fn f(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | (!x & z)
}

fn g(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | (x & z) | (y & z)
}

fn h(x: u32, y: u32, z: u32) -> u32 {
    x ^ y ^ z
}

fn word(x: &[u32; 16], k: usize) -> u32 {
    x.get(k).copied().unwrap_or(0)
}

fn compress(state: &mut [u32; 4], block: &[u8; BLOCK]) {
    let mut x = [0u32; 16];
    for (w, c) in x.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
            c.get(2).copied().unwrap_or(0),
            c.get(3).copied().unwrap_or(0),
        ]);
    }
    let [mut a, mut b, mut c, mut d] = *state;

    // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s.
    const R1_S: [u32; 4] = [3, 7, 11, 19];
    for i in 0..4usize {
        let k = i.wrapping_mul(4);
        a = a
            .wrapping_add(f(b, c, d))
            .wrapping_add(word(&x, k))
            .rotate_left(R1_S[0]);
        d = d
            .wrapping_add(f(a, b, c))
            .wrapping_add(word(&x, k.wrapping_add(1)))
            .rotate_left(R1_S[1]);
        c = c
            .wrapping_add(f(d, a, b))
            .wrapping_add(word(&x, k.wrapping_add(2)))
            .rotate_left(R1_S[2]);
        b = b
            .wrapping_add(f(c, d, a))
            .wrapping_add(word(&x, k.wrapping_add(3)))
            .rotate_left(R1_S[3]);
    }

    // Round 2: a = (a + G(b,c,d) + X[k] + 5A827999) <<< s, k = i, i+4, i+8, i+12.
    const K2: u32 = 0x5A82_7999;
    const R2_S: [u32; 4] = [3, 5, 9, 13];
    for i in 0..4usize {
        a = a
            .wrapping_add(g(b, c, d))
            .wrapping_add(word(&x, i))
            .wrapping_add(K2)
            .rotate_left(R2_S[0]);
        d = d
            .wrapping_add(g(a, b, c))
            .wrapping_add(word(&x, i.wrapping_add(4)))
            .wrapping_add(K2)
            .rotate_left(R2_S[1]);
        c = c
            .wrapping_add(g(d, a, b))
            .wrapping_add(word(&x, i.wrapping_add(8)))
            .wrapping_add(K2)
            .rotate_left(R2_S[2]);
        b = b
            .wrapping_add(g(c, d, a))
            .wrapping_add(word(&x, i.wrapping_add(12)))
            .wrapping_add(K2)
            .rotate_left(R2_S[3]);
    }

    // Round 3: a = (a + H(b,c,d) + X[k] + 6ED9EBA1) <<< s, k in bit-reversed order.
    const K3: u32 = 0x6ED9_EBA1;
    const R3_S: [u32; 4] = [3, 9, 11, 15];
    for i in [0usize, 2, 1, 3] {
        a = a
            .wrapping_add(h(b, c, d))
            .wrapping_add(word(&x, i))
            .wrapping_add(K3)
            .rotate_left(R3_S[0]);
        d = d
            .wrapping_add(h(a, b, c))
            .wrapping_add(word(&x, i.wrapping_add(8)))
            .wrapping_add(K3)
            .rotate_left(R3_S[1]);
        c = c
            .wrapping_add(h(d, a, b))
            .wrapping_add(word(&x, i.wrapping_add(4)))
            .wrapping_add(K3)
            .rotate_left(R3_S[2]);
        b = b
            .wrapping_add(h(c, d, a))
            .wrapping_add(word(&x, i.wrapping_add(12)))
            .wrapping_add(K3)
            .rotate_left(R3_S[3]);
    }

    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

impl Md4 {
    /// Starts a new MD4 computation.
    pub fn new() -> Self {
        Self {
            state: [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476],
            buf: [0; BLOCK],
            buf_len: 0,
            total: 0,
        }
    }

    /// Feeds `data` into the computation.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total = self.total.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let room = BLOCK.saturating_sub(self.buf_len);
            let take = room.min(data.len());
            let (head, tail) = data.split_at(take);
            if let Some(dst) = self
                .buf
                .get_mut(self.buf_len..self.buf_len.saturating_add(take))
            {
                dst.copy_from_slice(head);
            }
            self.buf_len = self.buf_len.saturating_add(take);
            data = tail;
            if self.buf_len == BLOCK {
                let block = self.buf;
                compress(&mut self.state, &block);
                self.buf_len = 0;
            }
        }
    }

    /// Completes the computation and returns the digest.
    pub fn digest(mut self) -> [u8; MD4_LEN] {
        let bits = self.total.wrapping_mul(8);
        // Pad with 0x80, zeros to 56 mod 64, then the bit length (little-endian).
        let pad_len = if self.buf_len < 56 {
            56usize.saturating_sub(self.buf_len)
        } else {
            120usize.saturating_sub(self.buf_len)
        };
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let total = self.total;
        self.update(pad.get(..pad_len).unwrap_or(&[]));
        self.update(&bits.to_le_bytes());
        self.total = total;
        let mut out = [0u8; MD4_LEN];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_le_bytes());
        }
        out
    }
}

impl Mac for Md4 {
    fn update(&mut self, data: &[u8]) {
        Md4::update(self, data);
    }

    fn finish(self, out: &mut [u8]) -> Result<(), CryptoError> {
        let d = self.digest();
        let src = d.get(..out.len()).ok_or(CryptoError::InvalidOutputLength)?;
        out.copy_from_slice(src);
        Ok(())
    }
}

/// Returns the MD4 digest of `data`.
pub fn md4(data: &[u8]) -> [u8; MD4_LEN] {
    let mut m = Md4::new();
    m.update(data);
    m.digest()
}
