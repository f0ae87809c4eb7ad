// SPDX-License-Identifier: GPL-2.0

//! MD5 (RFC 1321), needed only for the checksum in a Minshall-French symlink file
//! ([`super::mfsymlink`]).
//!
//! That checksum guards against a regular file being taken for a symlink, not
//! against an attacker, so MD5's brokenness does not matter; having it here keeps
//! the module free of a CRYPTO_MD5 dependency and host-testable.

/// Length in bytes of an MD5 digest.
pub const MD5_LEN: usize = 16;

const BLOCK: usize = 64;

/// Per-step shift amounts, four per round.
const SHIFTS: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// The constants floor(abs(sin(i + 1)) * 2^32).
const K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// The message word each step adds: i, 5i + 1, 3i + 5 and 7i (mod 16) by round.
const WORD: [u8; 64] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
    1, 6, 11, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, //
    5, 8, 11, 14, 1, 4, 7, 10, 13, 0, 3, 6, 9, 12, 15, 2, //
    0, 7, 14, 5, 12, 3, 10, 1, 8, 15, 6, 13, 4, 11, 2, 9,
];

fn compress(state: &mut [u32; 4], block: &[u8; BLOCK]) {
    let mut m = [0u32; 16];
    for (w, c) in m.iter_mut().zip(block.chunks_exact(4)) {
        let mut le = [0u8; 4];
        le.copy_from_slice(c);
        *w = u32::from_le_bytes(le);
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for (i, (&k, &g)) in K.iter().zip(WORD.iter()).enumerate() {
        let round = i / 16;
        let f = match round {
            0 => (b & c) | (!b & d),
            1 => (d & b) | (!d & c),
            2 => b ^ c ^ d,
            _ => c ^ (b | !d),
        };
        let shift = SHIFTS
            .get(round)
            .and_then(|r| r.get(i % 4))
            .copied()
            .unwrap_or(0);
        let sum = a
            .wrapping_add(f)
            .wrapping_add(k)
            .wrapping_add(m.get(usize::from(g)).copied().unwrap_or(0));
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(sum.rotate_left(shift));
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

/// Returns the MD5 digest of `data`.
pub fn md5(data: &[u8]) -> [u8; MD5_LEN] {
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut chunks = data.chunks_exact(BLOCK);
    let mut block = [0u8; BLOCK];
    for chunk in &mut chunks {
        block.copy_from_slice(chunk);
        compress(&mut state, &block);
    }
    // The tail, the 0x80 marker, zeros and the bit length: one or two blocks.
    let tail = chunks.remainder();
    let mut last = [0u8; 2 * BLOCK];
    let (head, _) = last.split_at_mut(tail.len());
    head.copy_from_slice(tail);
    if let Some(b) = last.get_mut(tail.len()) {
        *b = 0x80;
    }
    let (blocks, len_at) = if tail.len() < BLOCK - 8 {
        (1, BLOCK - 8)
    } else {
        (2, 2 * BLOCK - 8)
    };
    let bits = (data.len() as u64).wrapping_mul(8).to_le_bytes();
    if let Some(len) = last.get_mut(len_at..).and_then(|l| l.get_mut(..8)) {
        len.copy_from_slice(&bits);
    }
    for chunk in last.chunks_exact(BLOCK).take(blocks) {
        block.copy_from_slice(chunk);
        compress(&mut state, &block);
    }
    let mut out = [0u8; MD5_LEN];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}
