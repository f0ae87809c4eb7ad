// SPDX-License-Identifier: GPL-2.0

//! Declarations of the module's C helpers (`helpers.c`): kernel macros and inline
//! functions that bindgen cannot reach, each behind a narrow, documented API.

use kernel::bindings;

extern "C" {
    /// Logs `msg` as an error on the filesystem context (`errorf()`), which shows it to
    /// the `fsconfig` caller and in the kernel log.
    ///
    /// # Safety
    ///
    /// `fc` must point to a live `fs_context` and `msg` to a NUL-terminated string.
    pub(crate) fn smb3rs_fc_error(fc: *mut bindings::fs_context, msg: *const kernel::ffi::c_char);
}
