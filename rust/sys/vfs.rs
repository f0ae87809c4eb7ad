// SPDX-License-Identifier: GPL-2.0

//! Filesystem type registration and the mount (fs_context) protocol.
//!
//! `fs_context` is opaque to 6.12's Rust bindings, so its operations live in
//! `helpers.c` and call the `smb3rs_rs_*` entry points below, which hand plain Rust
//! values to the [`FileSystem`] implementation: a per-mount context while options are
//! parsed, turned into per-super-block info by `get_tree`, freed when the super block
//! is killed (or with the context if no super block took it).

use core::ffi::{c_int, c_void};

use kernel::ffi::c_char;

use kernel::{bindings, error::to_result, prelude::*, str::CStr, types::Opaque, ThisModule};

use super::net::NetNs;

/// The filesystem whose callbacks the C side reaches (there is one per module).
type Fs = crate::fs::Smb3rsFs;

/// What a filesystem implementation provides.
pub(crate) trait FileSystem {
    /// State built up while a mount's options are parsed.
    type Context: Send;
    /// What a mounted super block holds (e.g. the session).
    type Info: Send;

    /// Creates the context of a new mount.
    fn new_context() -> Result<KBox<Self::Context>>;

    /// Applies option `key` (`value` is `None` for a flag). `Ok(false)` means the
    /// option is not this filesystem's (the VFS handles `source` itself).
    fn parse_param(
        ctx: &mut Self::Context,
        fc: &mut FsContext,
        key: &str,
        value: Option<&str>,
    ) -> Result<bool>;

    /// Connects whatever the mount of `source` needs, in the mounting process's
    /// network namespace `net`, and returns the super block's info.
    fn get_tree(
        ctx: &mut Self::Context,
        fc: &mut FsContext,
        source: Option<&str>,
        net: NetNs,
    ) -> Result<KBox<Self::Info>>;

    /// Returns the mount's space figures.
    fn statfs(info: &Self::Info) -> Result<StatFs>;

    /// Writes the mount's options for `/proc/mounts`, each preceded by a comma.
    fn show_options(info: &Self::Info, out: &mut impl core::fmt::Write) -> core::fmt::Result;
}

/// Space figures for statfs, in units of `block_size` bytes.
pub(crate) struct StatFs {
    pub(crate) block_size: u64,
    pub(crate) blocks: u64,
    pub(crate) free: u64,
    pub(crate) available: u64,
}

/// A filesystem context being set up for a mount, for error reporting.
///
/// # Invariants
///
/// `ptr` points to a live `fs_context` for the lifetime of this value.
pub(crate) struct FsContext {
    ptr: *mut bindings::fs_context,
}

impl FsContext {
    /// Logs `msg` as an error against this context (seen by `fsconfig` callers and in
    /// the kernel log).
    pub(crate) fn error(&mut self, msg: &CStr) {
        // SAFETY: `self.ptr` is live by the type invariant and `msg` is NUL-terminated.
        unsafe { super::ffi::smb3rs_fc_error(self.ptr, msg.as_char_ptr()) };
    }

    /// Logs a formatted error against this context.
    pub(crate) fn error_fmt(&mut self, args: core::fmt::Arguments<'_>) {
        if let Ok(msg) = kernel::str::CString::try_from_fmt(args) {
            self.error(&msg);
        }
    }
}

/// Reads a NUL-terminated C string as UTF-8.
///
/// # Safety
///
/// `s` must be null or point to a NUL-terminated string live for `'a`.
unsafe fn c_str<'a>(s: *const c_char) -> Option<Result<&'a str>> {
    if s.is_null() {
        return None;
    }
    // SAFETY: by the caller's guarantee.
    let c = unsafe { CStr::from_char_ptr(s) };
    Some(core::str::from_utf8(c.as_bytes()).map_err(|_| EINVAL))
}

/// Creates a mount context; null on allocation failure.
#[no_mangle]
extern "C" fn smb3rs_rs_context_new() -> *mut c_void {
    match Fs::new_context() {
        Ok(c) => KBox::into_raw(c).cast(),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a mount context.
///
/// # Safety
///
/// `ctx` must come from `smb3rs_rs_context_new` and not be used afterwards.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_context_free(ctx: *mut c_void) {
    // SAFETY: by the caller's guarantee `ctx` is an unaliased `KBox` raw pointer.
    drop(unsafe { KBox::from_raw(ctx.cast::<<Fs as FileSystem>::Context>()) });
}

/// Applies one mount option; 0, -ENOPARAM (not ours) or a negative errno.
///
/// # Safety
///
/// `ctx` must come from `smb3rs_rs_context_new`, `fc` be live, `key` and `value` (if
/// not null) be NUL-terminated strings live for the call.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_parse_param(
    ctx: *mut c_void,
    fc: *mut bindings::fs_context,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    // INVARIANT: `fc` is live for the call.
    let mut fcx = FsContext { ptr: fc };
    // SAFETY: by the caller's guarantee.
    let (key, value) = unsafe { (c_str(key), c_str(value)) };
    let (Some(Ok(key)), Ok(value)) = (key, value.transpose()) else {
        fcx.error(kernel::c_str!("mount options must be UTF-8"));
        return EINVAL.to_errno();
    };
    // SAFETY: `ctx` is a live context; the VFS serialises a context's callbacks.
    let ctx = unsafe { &mut *ctx.cast::<<Fs as FileSystem>::Context>() };
    match Fs::parse_param(ctx, &mut fcx, key, value) {
        Ok(true) => 0,
        Ok(false) => -(bindings::ENOPARAM as c_int),
        Err(e) => e.to_errno(),
    }
}

/// Connects a mount; on success stores the super block's info in `*info`.
///
/// # Safety
///
/// `ctx` must come from `smb3rs_rs_context_new`, `fc` and `net` be live, `source` be
/// null or a NUL-terminated string live for the call, `info` be writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_get_tree(
    ctx: *mut c_void,
    fc: *mut bindings::fs_context,
    source: *const c_char,
    net: *mut bindings::net,
    info: *mut *mut c_void,
) -> c_int {
    // INVARIANT: `fc` is live for the call.
    let mut fcx = FsContext { ptr: fc };
    // SAFETY: by the caller's guarantee.
    let source = match unsafe { c_str(source) }.transpose() {
        Ok(s) => s,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `net` is the context's live namespace.
    let net = match unsafe { NetNs::get(net) } {
        Ok(n) => n,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `ctx` is a live context; the VFS serialises a context's callbacks.
    let ctx = unsafe { &mut *ctx.cast::<<Fs as FileSystem>::Context>() };
    match Fs::get_tree(ctx, &mut fcx, source, net) {
        Ok(i) => {
            // SAFETY: `info` is writable; the C side hands the pointer to the super
            // block or back to `smb3rs_rs_info_free`.
            unsafe { *info = KBox::into_raw(i).cast() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Frees a super block's info (after the super block is gone).
///
/// # Safety
///
/// `info` must come from `smb3rs_rs_get_tree` and not be used afterwards.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_info_free(info: *mut c_void) {
    // SAFETY: by the caller's guarantee `info` is an unaliased `KBox` raw pointer.
    drop(unsafe { KBox::from_raw(info.cast::<<Fs as FileSystem>::Info>()) });
}

/// Returns the space figures of a mount (`statfs`) in `out`: block size, blocks,
/// free blocks, blocks available to the user.
///
/// # Safety
///
/// `info` must be a live super block's info from `smb3rs_rs_get_tree`, `out` valid
/// for writes of 4 values.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_statfs(info: *const c_void, out: *mut u64) -> c_int {
    // SAFETY: `info` is live while its super block is (the caller's guarantee).
    let info = unsafe { &*info.cast::<<Fs as FileSystem>::Info>() };
    match Fs::statfs(info) {
        Ok(st) => {
            // SAFETY: `out` is valid for writes of 4 values by the caller's guarantee.
            let out = unsafe { core::slice::from_raw_parts_mut(out, 4) };
            out.copy_from_slice(&[st.block_size, st.blocks, st.free, st.available]);
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `info` must be a live super block's info from `smb3rs_rs_get_tree`; `m` a
/// seq_file whose show callback is running.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_show_options(m: *mut bindings::seq_file, info: *const c_void) {
    // SAFETY: `info` is live while its super block is (the caller's guarantee).
    let info = unsafe { &*info.cast::<<Fs as FileSystem>::Info>() };
    // SAFETY: `m` is being shown for the duration of this call.
    let mut out = unsafe { super::proc::SeqFile::new(m) };
    // Writing into a seq_file cannot fail in a way to report here.
    let _ = Fs::show_options(info, &mut out);
}

/// A `file_system_type` in static storage.
///
/// It must be static: lockdep requires the lock class keys embedded in it to live in
/// static memory.
#[repr(transparent)]
pub(crate) struct FsType(Opaque<bindings::file_system_type>);

// SAFETY: after registration the VFS is the only writer of the struct and serialises
// its accesses; before it, only `Registration::register` writes it, once.
unsafe impl Sync for FsType {}

impl FsType {
    /// Describes filesystem type `name`, whose mounts go through `helpers.c`'s context
    /// operations to [`Fs`].
    pub(crate) const fn new(name: &'static CStr, fs_flags: u32) -> Self {
        // SAFETY: `file_system_type` is plain C data for which all zeroes is valid (null
        // pointers, `None` callbacks, empty lists).
        let mut fst: bindings::file_system_type = unsafe { core::mem::zeroed() };
        fst.name = name.as_char_ptr();
        fst.fs_flags = fs_flags as c_int;
        fst.init_fs_context = Some(super::ffi::smb3rs_init_fs_context);
        fst.kill_sb = Some(super::ffi::smb3rs_kill_sb);
        Self(Opaque::new(fst))
    }
}

/// A registered filesystem type; unregisters it when dropped.
pub(crate) struct Registration {
    fs: &'static FsType,
}

impl Registration {
    /// Registers `fs`, owned by `module`, with the VFS.
    pub(crate) fn register(fs: &'static FsType, module: &'static ThisModule) -> Result<Self> {
        let raw = fs.0.get();
        // SAFETY: `raw` points to static storage; it is not registered yet (a
        // `Registration` is the only way to register it and holds it until dropped), so
        // nothing else accesses it while `owner` is written.
        unsafe { (*raw).owner = module.as_ptr() };
        // SAFETY: no preconditions; undone by `smb3rs_vfs_exit` below or in `drop`.
        to_result(unsafe { super::ffi::smb3rs_vfs_init() })?;
        // SAFETY: `raw` is a valid, fully initialised `file_system_type` in static
        // storage that stays registered until `drop` unregisters it.
        if let Err(e) = to_result(unsafe { bindings::register_filesystem(raw) }) {
            // SAFETY: the cache was created above and holds no inodes.
            unsafe { super::ffi::smb3rs_vfs_exit() };
            return Err(e);
        }
        Ok(Self { fs })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: `self.fs` was registered by `register` and not unregistered since.
        unsafe { bindings::unregister_filesystem(self.fs.0.get()) };
        // SAFETY: no super block remains (each held a module reference), so no inode
        // does either once RCU frees them (the helper waits for that).
        unsafe { super::ffi::smb3rs_vfs_exit() };
    }
}
