// SPDX-License-Identifier: GPL-2.0

//! Filesystem type registration with the VFS.

use core::ffi::c_int;

use kernel::{bindings, error::to_result, prelude::*, str::CStr, types::Opaque, ThisModule};

/// What a filesystem implementation provides to [`FsType`].
pub(crate) trait FileSystem {
    /// Sets up a new mount context; returning an error fails the mount with it.
    fn init_fs_context(fc: &mut FsContext) -> Result;
}

/// A filesystem context being set up for a mount (`struct fs_context`).
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
    /// Describes filesystem type `name` implemented by `T`.
    pub(crate) const fn new<T: FileSystem>(name: &'static CStr, fs_flags: u32) -> Self {
        // SAFETY: `file_system_type` is plain C data for which all zeroes is valid (null
        // pointers, `None` callbacks, empty lists).
        let mut fst: bindings::file_system_type = unsafe { core::mem::zeroed() };
        fst.name = name.as_char_ptr();
        fst.fs_flags = fs_flags as c_int;
        fst.init_fs_context = Some(init_fs_context_callback::<T>);
        fst.kill_sb = Some(bindings::kill_anon_super);
        Self(Opaque::new(fst))
    }
}

/// Called by the VFS to set up a mount context of a type described by [`FsType::new`].
///
/// # Safety
///
/// `fc` must point to a live `fs_context` for the duration of the call.
unsafe extern "C" fn init_fs_context_callback<T: FileSystem>(
    fc: *mut bindings::fs_context,
) -> c_int {
    // INVARIANT: the VFS passes a live context for the duration of the call.
    let mut ctx = FsContext { ptr: fc };
    match T::init_fs_context(&mut ctx) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
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
        // SAFETY: `raw` is a valid, fully initialised `file_system_type` in static
        // storage that stays registered until `drop` unregisters it.
        to_result(unsafe { bindings::register_filesystem(raw) })?;
        Ok(Self { fs })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: `self.fs` was registered by `register` and not unregistered since.
        unsafe { bindings::unregister_filesystem(self.fs.0.get()) };
    }
}
