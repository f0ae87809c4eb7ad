// SPDX-License-Identifier: GPL-2.0

//! Declarations of the module's general C helpers (`helpers.c`, prototypes in
//! `helpers.h`): kernel macros and inline functions that bindgen cannot reach, each
//! behind a narrow, documented API, plus exported kernel functions the generated
//! bindings lack.

use kernel::bindings;

// Only pointers to these structs cross the boundary; some contain zero-sized members
// (config-dependent) that the lint cannot see past.
#[allow(improper_ctypes)]
extern "C" {
    /// Stores the calling task's fsuid and fsgid (initial user namespace).
    ///
    /// # Safety
    ///
    /// `uid` and `gid` must be valid for writes.
    pub(crate) fn smb3rs_current_fsids(uid: *mut u32, gid: *mut u32);

    /// Logs `msg` as an error on the filesystem context (`errorf()`), which shows it to
    /// the `fsconfig` caller and in the kernel log.
    ///
    /// # Safety
    ///
    /// `fc` must point to a live `fs_context` and `msg` to a NUL-terminated string.
    pub(crate) fn smb3rs_fc_error(fc: *mut bindings::fs_context, msg: *const kernel::ffi::c_char);

    /// The `init_fs_context` callback of filesystem type smb3rs: installs the
    /// context operations, which call back into `vfs.rs`'s `smb3rs_rs_*` functions.
    ///
    /// # Safety
    ///
    /// Called by the VFS only, with a live `fs_context`.
    pub(crate) fn smb3rs_init_fs_context(fc: *mut bindings::fs_context) -> core::ffi::c_int;

    /// The `kill_sb` callback of filesystem type smb3rs: frees `s_fs_info` after
    /// `kill_anon_super`.
    ///
    /// # Safety
    ///
    /// Called by the VFS only, with a super block of filesystem type smb3rs.
    pub(crate) fn smb3rs_kill_sb(sb: *mut bindings::super_block);

    /// Creates the inode cache (`vfs_helpers.c`); 0 or -ENOMEM.
    pub(crate) fn smb3rs_vfs_init() -> core::ffi::c_int;

    /// Destroys the inode cache once every inode is freed.
    pub(crate) fn smb3rs_vfs_exit();

    /// Takes a reference on a network namespace and returns it.
    ///
    /// # Safety
    ///
    /// `net` must point to a live network namespace.
    pub(crate) fn smb3rs_get_net(net: *mut bindings::net) -> *mut bindings::net;

    /// Drops a reference taken by [`smb3rs_get_net`].
    ///
    /// # Safety
    ///
    /// The caller must own the reference it drops.
    pub(crate) fn smb3rs_put_net(net: *mut bindings::net);

    /// Creates a kernel TCP socket in `net` and connects it to `addr` (4 or 16 bytes in
    /// network order) and `port`, with send/receive/connect timeouts of `timeout`
    /// jiffies; on success stores it in `*res`.
    ///
    /// # Safety
    ///
    /// `res` must be valid for writes, `net` a live namespace the caller holds a
    /// reference on, `addr` valid for 16 (`ipv6`) or 4 bytes.
    pub(crate) fn smb3rs_tcp_connect(
        res: *mut *mut bindings::socket,
        net: *mut bindings::net,
        ipv6: bool,
        addr: *const u8,
        port: u16,
        timeout: core::ffi::c_long,
    ) -> core::ffi::c_int;
}
