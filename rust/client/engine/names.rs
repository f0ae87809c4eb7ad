// SPDX-License-Identifier: GPL-2.0

//! Names and times between the VFS and the wire: VFS paths (`/a/b`) to share paths
//! (`a\b`), and FILETIME (100 ns ticks since 1601) to Unix time and back.

/// Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01.
const EPOCH_DIFF: i64 = 11_644_473_600;
/// FILETIME ticks per second.
const TICKS: u64 = 10_000_000;

/// Why a VFS path has no share path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// A name holds a backslash, which SMB takes as a separator.
    Backslash,
    /// The path is not UTF-8.
    NotUtf8,
    /// The output buffer is too small.
    TooLong,
}

/// Writes the share path of VFS path `vfs` (`/a/b`, `/` for the root) into `out`:
/// no leading separator, `\` between names. Returns its length.
pub fn share_path(vfs: &[u8], out: &mut [u8]) -> Result<usize, PathError> {
    let rel = vfs.strip_prefix(b"/").unwrap_or(vfs);
    let dst = out.get_mut(..rel.len()).ok_or(PathError::TooLong)?;
    for (d, &b) in dst.iter_mut().zip(rel) {
        *d = match b {
            b'\\' => return Err(PathError::Backslash),
            b'/' => b'\\',
            b => b,
        };
    }
    core::str::from_utf8(dst).map_err(|_| PathError::NotUtf8)?;
    Ok(rel.len())
}

/// Converts a FILETIME to Unix seconds and nanoseconds.
pub fn from_filetime(ft: u64) -> (i64, u32) {
    let secs = i64::try_from(ft / TICKS)
        .unwrap_or(i64::MAX)
        .saturating_sub(EPOCH_DIFF);
    let nsec = u32::try_from((ft % TICKS).saturating_mul(100)).unwrap_or(0);
    (secs, nsec)
}

/// Converts Unix seconds and nanoseconds to a FILETIME (0, "no time", for instants
/// before 1601; saturating far in the future).
pub fn to_filetime(secs: i64, nsec: u32) -> u64 {
    let Ok(s) = u64::try_from(secs.saturating_add(EPOCH_DIFF)) else {
        return 0;
    };
    s.saturating_mul(TICKS)
        .saturating_add(u64::from(nsec.min(999_999_999)) / 100)
}
