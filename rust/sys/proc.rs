// SPDX-License-Identifier: GPL-2.0

//! `/proc/fs/smb3rs/{DebugData,Stats}`: the C side creates the files (seq_file
//! single-show), and each read calls [`crate::fs::proc::show`] with a writer over the
//! seq_file.

use core::ffi::c_int;

use kernel::{bindings, error::to_result, prelude::*};

use super::io_ffi;

/// Which file is being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcFile {
    /// `DebugData`: sessions, channels, trees and their state.
    DebugData,
    /// `Stats`: counters since the module was loaded.
    Stats,
}

/// Formatted output into a seq_file being shown.
///
/// # Invariants
///
/// `m` is a seq_file whose `show` callback is running for the lifetime of this value.
pub(crate) struct SeqFile {
    m: *mut bindings::seq_file,
}

impl SeqFile {
    /// Wraps `m` for formatted output.
    ///
    /// # Safety
    ///
    /// `m` must be a seq_file whose show callback runs for the lifetime of the value.
    pub(crate) unsafe fn new(m: *mut bindings::seq_file) -> Self {
        // INVARIANT: by the caller's guarantee.
        Self { m }
    }
}

impl core::fmt::Write for SeqFile {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // SAFETY: `m` is being shown (type invariant); `s` is readable. An overflowing
        // seq_file is retried by the caller with a bigger buffer, so the result of
        // `seq_write` needs no handling here.
        unsafe { bindings::seq_write(self.m, s.as_ptr().cast(), s.len()) };
        Ok(())
    }
}

/// Called by `io_helpers.c`'s show callbacks.
///
/// # Safety
///
/// `m` must be a seq_file whose show callback is running.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_proc_show(m: *mut bindings::seq_file, which: c_int) {
    // SAFETY: `m` is being shown for the duration of this call.
    let mut out = unsafe { SeqFile::new(m) };
    let file = if which == 0 {
        ProcFile::DebugData
    } else {
        ProcFile::Stats
    };
    // Writing into a seq_file cannot fail in a way to report here (see `write_str`).
    let _ = crate::fs::proc::show(file, &mut out);
}

/// The registered `/proc/fs/smb3rs` directory, removed when dropped.
pub(crate) struct ProcRegistration(());

impl ProcRegistration {
    /// Creates the directory and its files.
    pub(crate) fn register() -> Result<Self> {
        // SAFETY: no preconditions; paired with `smb3rs_proc_exit` in `drop`.
        to_result(unsafe { io_ffi::smb3rs_proc_init() })?;
        Ok(Self(()))
    }
}

impl Drop for ProcRegistration {
    fn drop(&mut self) {
        // SAFETY: the files were created by `register`; this waits for readers.
        unsafe { io_ffi::smb3rs_proc_exit() };
    }
}
