// SPDX-License-Identifier: GPL-2.0

//! Thin safe wrappers over kernel interfaces: the only module with `unsafe`.
//!
//! Each wrapper documents its invariants; every `unsafe` block says why it is sound.
//! Functions that C declares `static inline` or as macros are reached through the
//! module's own C helpers (`helpers.c`, `crypto_helpers.c`), declared in [`ffi`] and
//! [`crypto_ffi`].

pub(crate) mod crypto;
pub(crate) mod crypto_ffi;
pub(crate) mod ffi;
pub(crate) mod io_ffi;
pub(crate) mod mem;
pub(crate) mod net;
pub(crate) mod proc;
pub(crate) mod sync;
pub(crate) mod thread;
pub(crate) mod vfs;
pub(crate) mod vfs_ops;

/// Returns the error for errno `code` (a positive `bindings::E*` constant), for the
/// codes `kernel::error::code` does not name.
pub(crate) fn errno(code: u32) -> kernel::error::Error {
    kernel::error::Error::from_errno(-(code as i32))
}

/// Returns the calling task's filesystem uid and gid.
pub(crate) fn current_fsids() -> (u32, u32) {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: both are valid for writes.
    unsafe { ffi::smb3rs_current_fsids(&mut uid, &mut gid) };
    (uid, gid)
}

/// Fills `buf` with random bytes from the kernel's CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) {
    // SAFETY: `buf` is valid for writes of its length.
    unsafe { kernel::bindings::get_random_bytes(buf.as_mut_ptr().cast(), buf.len()) };
}

/// Returns the current wall-clock time as a Windows FILETIME (100 ns since 1601).
pub(crate) fn filetime_now() -> u64 {
    /// Seconds from 1601-01-01 to 1970-01-01.
    const EPOCH_DIFF: u64 = 11_644_473_600;
    let mut ts = kernel::bindings::timespec64 {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is valid for writes.
    unsafe { kernel::bindings::ktime_get_real_ts64(&mut ts) };
    let secs = u64::try_from(ts.tv_sec)
        .unwrap_or(0)
        .saturating_add(EPOCH_DIFF);
    let hundreds = u64::try_from(ts.tv_nsec).unwrap_or(0) / 100;
    secs.saturating_mul(10_000_000).saturating_add(hundreds)
}
