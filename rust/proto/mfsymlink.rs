// SPDX-License-Identifier: GPL-2.0

//! Minshall-French symlinks: a symbolic link stored as a regular file of exactly
//! [`FILE_SIZE`] bytes, for servers that cannot hold symlinks themselves (the format
//! cifs.ko writes with `mfsymlinks`, and Apple's SMB client before it):
//!
//! ```text
//! XSym\n
//! 0005\n                               target length, 4 decimal digits
//! 5d41402abc4b2a76b9719d911017c592\n   MD5 of the target, lower-case hex
//! hello\n                              the target, then spaces to the end
//! ```

use super::md5::{md5, MD5_LEN};

/// Size of every symlink file; only files of this size are read to check.
pub const FILE_SIZE: usize = TARGET_OFFSET + TARGET_MAX;
/// Longest target a symlink file holds.
pub const TARGET_MAX: usize = 1024;

const MAGIC: &[u8] = b"XSym\n";
const LEN_OFFSET: usize = MAGIC.len();
const HASH_OFFSET: usize = LEN_OFFSET + 5;
const TARGET_OFFSET: usize = HASH_OFFSET + 2 * MD5_LEN + 1;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Why a target cannot be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// Longer than [`TARGET_MAX`].
    TooLong,
    /// Empty, or holding a NUL byte.
    Invalid,
}

/// Writes the symlink file for `target` into `out`.
pub fn encode(target: &[u8], out: &mut [u8; FILE_SIZE]) -> Result<(), EncodeError> {
    if target.len() > TARGET_MAX {
        return Err(EncodeError::TooLong);
    }
    if target.is_empty() || target.contains(&0) {
        return Err(EncodeError::Invalid);
    }
    out.fill(b' ');
    let (head, body) = out.split_at_mut(TARGET_OFFSET);
    let (magic, rest) = head.split_at_mut(LEN_OFFSET);
    magic.copy_from_slice(MAGIC);
    let (len, hash) = rest.split_at_mut(HASH_OFFSET - LEN_OFFSET);
    let mut n = target.len();
    for d in len.iter_mut().take(4).rev() {
        *d = b"0123456789".get(n % 10).copied().unwrap_or(b'0');
        n /= 10;
    }
    let digest = md5(target);
    for (pair, byte) in hash.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&[hex_digit(byte >> 4), hex_digit(byte)]);
    }
    if let Some(nl) = len.last_mut() {
        *nl = b'\n';
    }
    if let Some(nl) = hash.last_mut() {
        *nl = b'\n';
    }
    let (t, after) = body.split_at_mut(target.len());
    t.copy_from_slice(target);
    if let Some(nl) = after.first_mut() {
        *nl = b'\n';
    }
    Ok(())
}

/// The lower-case hex digit of the low four bits of `n`.
fn hex_digit(n: u8) -> u8 {
    HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0')
}

/// The value of the digit `c` in `radix` (either case for hex).
fn digit(c: u8, radix: u32) -> Option<u8> {
    char::from(c)
        .to_digit(radix)
        .and_then(|d| u8::try_from(d).ok())
}

/// Returns the target of the symlink file `file`, or `None` if it is not one
/// (wrong size or magic, bad length, checksum mismatch, or a NUL in the target).
pub fn decode(file: &[u8]) -> Option<&[u8]> {
    if file.len() != FILE_SIZE || !file.starts_with(MAGIC) {
        return None;
    }
    let len_field = file.get(LEN_OFFSET..HASH_OFFSET)?;
    let (digits, nl) = len_field.split_at(4);
    if nl != b"\n" {
        return None;
    }
    let mut len = 0usize;
    for &d in digits {
        len = len
            .checked_mul(10)?
            .checked_add(usize::from(digit(d, 10)?))?;
    }
    if len == 0 || len > TARGET_MAX {
        return None;
    }
    let target = file.get(TARGET_OFFSET..)?.get(..len)?;
    if target.contains(&0) {
        return None;
    }
    let hash = file.get(HASH_OFFSET..TARGET_OFFSET)?;
    let (hex, nl) = hash.split_at(2 * MD5_LEN);
    if nl != b"\n" {
        return None;
    }
    for (pair, want) in hex.chunks_exact(2).zip(md5(target)) {
        let (hi, lo) = (digit(*pair.first()?, 16)?, digit(*pair.get(1)?, 16)?);
        if hi << 4 | lo != want {
            return None;
        }
    }
    Some(target)
}
