// SPDX-License-Identifier: GPL-2.0

//! The entry points `vfs_helpers.c` calls for everything that goes to the server,
//! and the structs they share with it (`vfs_helpers.h`, which must match).
//!
//! Each function turns the C arguments into safe values (the mount, a path, a
//! buffer, page segments) and calls [`crate::fs::ops`].

use core::{
    ffi::{c_char, c_int, c_ulong, c_void},
    sync::atomic::AtomicU32,
};

use kernel::prelude::*;

use super::mem::PageSeg;
use crate::client::ops::{Granted, LeaseKey};
use crate::fs::{ops, DirState, Mount};
use crate::proto::{create::OPLOCK_LEVEL_II, types::FileId};

/// `struct smb3rs_attr`.
#[repr(C)]
#[derive(Default)]
pub(crate) struct RawAttr {
    pub(crate) uniqueid: u64,
    pub(crate) createtime: u64,
    pub(crate) size: u64,
    pub(crate) blocks: u64,
    pub(crate) atime_sec: i64,
    pub(crate) mtime_sec: i64,
    pub(crate) ctime_sec: i64,
    pub(crate) atime_nsec: u32,
    pub(crate) mtime_nsec: u32,
    pub(crate) ctime_nsec: u32,
    pub(crate) is_dir: u32,
    pub(crate) nlink: u32,
    /// DOS attributes (`FILE_ATTRIBUTE_*`).
    pub(crate) attributes: u32,
    pub(crate) is_link: u32,
    /// `mode` holds the server's permission bits (a `posix` mount).
    pub(crate) posix: u32,
    pub(crate) mode: u32,
    /// Owner and group on the server; `u32::MAX` if not known.
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// `struct smb3rs_fid`.
#[repr(C)]
pub(crate) struct RawFid {
    persistent: u64,
    volatile: u64,
    /// The lease the open was granted (written by opens, not read), or what
    /// its oplock amounts to.
    lease_state: u32,
    lease_epoch: u16,
    /// For an oplock: the session whose channels its breaks come on; else 0.
    oplock_owner: u64,
}

impl RawFid {
    fn opened(f: FileId, g: Granted) -> Self {
        RawFid {
            persistent: f.persistent,
            volatile: f.volatile,
            lease_state: g.state,
            lease_epoch: g.epoch,
            oplock_owner: g.oplock_owner,
        }
    }
}

impl From<&RawFid> for FileId {
    fn from(f: &RawFid) -> Self {
        FileId {
            persistent: f.persistent,
            volatile: f.volatile,
        }
    }
}

/// `struct smb3rs_seg`.
#[repr(C)]
pub(crate) struct RawSeg {
    addr: *mut c_void,
    page: *mut kernel::bindings::page,
    len: u32,
}

/// `struct smb3rs_params`: the mount's VFS parameters, read by the C glue through
/// `s_fs_info` (it is the first field of [`Mount`]).
#[repr(C)]
pub(crate) struct VfsParams {
    /// Owner and group of every file: `uid=`/`gid=`, or the mounting user's.
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) file_mode: u32,
    pub(crate) dir_mode: u32,
    pub(crate) actimeo_ms: u32,
    /// How long a closed handle may stay open for a reopen (0: never).
    pub(crate) closetimeo_ms: u32,
    pub(crate) io_size: u32,
    /// `cache=none`: every read and write goes to the server (C: bool).
    pub(crate) cache_none: u32,
    /// `nobrl`: flock and fcntl locks stay on this machine (C: bool).
    pub(crate) nobrl: u32,
    /// `lease`: file opens ask for a lease, or an oplock where the server grants
    /// no leases (C: bool).
    pub(crate) lease: u32,
    /// `posix`: modes, owners and link counts are the server's (C: bool).
    pub(crate) posix: u32,
    /// Lease breaks queued for the mount's inodes (C: `atomic_t`, C's alone).
    pub(crate) lease_works: AtomicU32,
}

/// Turns a result into 0 or a negative errno.
fn status(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `info` must be a live mount's `s_fs_info`.
unsafe fn mount<'a>(info: *const c_void) -> &'a Mount {
    // SAFETY: by the caller's guarantee `info` is a `Mount` alive for the call.
    unsafe { &*info.cast::<Mount>() }
}

/// # Safety
///
/// `path` must be valid for reads of `len` bytes for `'a`.
unsafe fn bytes<'a>(path: *const c_char, len: u32) -> &'a [u8] {
    if path.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: by the caller's guarantee.
    unsafe { core::slice::from_raw_parts(path.cast::<u8>(), len as usize) }
}

/// Writes `attr` into `out` if it is not null.
///
/// # Safety
///
/// `out` must be null or valid for writes.
unsafe fn put_attr(out: *mut RawAttr, attr: RawAttr) {
    if !out.is_null() {
        // SAFETY: by the caller's guarantee.
        unsafe { out.write(attr) };
    }
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `attr` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_getattr(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    attr: *mut RawAttr,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::getattr(m, p).map(|a| {
        // SAFETY: `attr` is writable by the caller's guarantee.
        unsafe { put_attr(attr, a) }
    }))
}

/// Reads the lease key at `key` (16 bytes), if not null.
///
/// # Safety
///
/// `key` must be null or valid for reading 16 bytes.
unsafe fn lease_key(key: *const u8) -> Option<LeaseKey> {
    if key.is_null() {
        return None;
    }
    // SAFETY: by the caller's guarantee; `LeaseKey` is a byte array (align 1).
    Some(unsafe { key.cast::<LeaseKey>().read() })
}

/// Opens a file or directory, asking for a lease under `lease` (16 bytes, or
/// null for none).
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `lease` null or readable;
/// `fid` and `attr` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_open(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    access: u32,
    is_dir: u32,
    lease: *const u8,
    fid: *mut RawFid,
    attr: *mut RawAttr,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p, key) = unsafe { (mount(info), bytes(path, len), lease_key(lease)) };
    status(
        ops::open(m, p, access, is_dir != 0, key.as_ref()).map(|(f, a, g)| {
            // SAFETY: `fid` and `attr` are writable by the caller's guarantee.
            unsafe {
                fid.write(RawFid::opened(f, g));
                put_attr(attr, a);
            }
        }),
    )
}

/// Opens or creates a regular file (a new one with the permission bits `mode`
/// where the server keeps them), keeping the handle; `*created` says which.
/// Asks for a lease under `lease` (16 bytes, or null for none). An existing
/// symlink file comes back with its handle closed (`attr.is_link`).
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `lease` null or readable;
/// `fid`, `attr` and `created` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_open_create(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    access: u32,
    exclusive: u32,
    mode: u32,
    lease: *const u8,
    fid: *mut RawFid,
    attr: *mut RawAttr,
    created: *mut u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p, key) = unsafe { (mount(info), bytes(path, len), lease_key(lease)) };
    status(
        ops::open_create(m, p, access, exclusive != 0, key.as_ref(), mode).map(|(f, a, new, g)| {
            // SAFETY: `fid`, `attr` and `created` are writable by the caller's
            // guarantee.
            unsafe {
                fid.write(RawFid::opened(f, g));
                put_attr(attr, a);
                created.write(u32::from(new));
            }
        }),
    )
}

/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_close(info: *const c_void, fid: *const RawFid) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::close(m, f.into()))
}

/// Closes a handle of the file `key` (server inode number) without waiting for
/// the reply.
///
/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_close_nowait(
    info: *const c_void,
    fid: *const RawFid,
    key: u64,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::close_nowait(m, f.into(), key))
}

/// Waits for the CLOSEs of the file `key` (0: of any) sent so far; 0 or
/// `-EINTR`.
///
/// # Safety
///
/// `info` is a live mount.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_close_barrier(info: *const c_void, key: u64) -> c_int {
    // SAFETY: by the caller's guarantee.
    let m = unsafe { mount(info) };
    status(ops::close_barrier(m, key))
}

/// Acknowledges a lease break of the lease `key` (16 bytes), keeping `state`.
///
/// # Safety
///
/// `info` is a live mount; `key` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_lease_ack(info: *const c_void, key: *const u8, state: u32) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, key) = unsafe { (mount(info), lease_key(key)) };
    match key {
        Some(key) => status(ops::lease_ack(m, &key, state)),
        None => status(Err(EINVAL)),
    }
}

/// Acknowledges the break of handle `fid`'s oplock, keeping the oplock level
/// `level` (none or II, as the break left it).
///
/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_oplock_ack(
    info: *const c_void,
    fid: *const RawFid,
    level: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    match u8::try_from(level) {
        Ok(level) => status(ops::oplock_ack(m, f.into(), level)),
        Err(_) => status(Err(EINVAL)),
    }
}

extern "C" {
    /// Takes an oplock break (vfs_helpers.c): finds the open handle `persistent`,
    /// `volatile` of the session `owner`, and queues the work that writes our
    /// dirty pages back, drops the cached ones if `to_none` (the new level is
    /// none: another client truncates or changes the file), closes the handles
    /// kept for reopens, and acknowledges a break from write caching. Does not
    /// sleep.
    fn smb3rs_oplock_break(owner: u64, persistent: u64, volatile: u64, to_none: u32);

    /// Takes a lease break (vfs_helpers.c): finds the inode whose opens hold the
    /// lease `key` and queues the work that drops what it let us cache and
    /// sends the acknowledgment when `ack`. Does not sleep.
    ///
    /// # Safety
    ///
    /// `key` must be valid for reading 16 bytes.
    fn smb3rs_lease_break(key: *const u8, new_state: u32, epoch: u16, ack: u32);

    /// The count of all changes of files' data, size or times (vfs_helpers.c).
    fn smb3rs_all_changes_now() -> c_int;

    /// Now, in jiffies (vfs_helpers.c).
    fn smb3rs_jiffies_now() -> c_ulong;

    /// Handles kept open after their files closed, now (vfs_helpers.c).
    fn smb3rs_handles_kept() -> c_int;

    /// Opens that took a kept handle, since load (vfs_helpers.c).
    fn smb3rs_handles_reused() -> c_ulong;
}

/// Handles kept open for reopens after their files closed (deferred closes), now.
pub(crate) fn handles_kept() -> i32 {
    // SAFETY: reads an atomic counter; no arguments.
    unsafe { smb3rs_handles_kept() }
}

/// Opens that took a kept handle rather than asking the server, since load.
pub(crate) fn handles_reused() -> c_ulong {
    // SAFETY: reads an atomic counter; no arguments.
    unsafe { smb3rs_handles_reused() }
}

/// The VFS side's count of all changes, read before asking the server about
/// files, so that its answer is known to be older than our changes since.
pub(crate) fn all_changes_now() -> i32 {
    // SAFETY: reads an atomic counter; no arguments.
    unsafe { smb3rs_all_changes_now() }
}

/// Now, in jiffies, for the VFS side to tell how old what the server said is.
pub(crate) fn jiffies_now() -> c_ulong {
    // SAFETY: reads the jiffies counter; no arguments.
    unsafe { smb3rs_jiffies_now() }
}

/// Hands a lease break to the VFS side: the lease `key` now holds `new_state`
/// as of `epoch` (lease v2; 0 with v1); `ack`: the server waits for an
/// acknowledgment. Called by a channel's receiver, which this must not hold
/// up: the work is queued.
pub(crate) fn lease_break(key: &LeaseKey, new_state: u32, epoch: u16, ack: bool) {
    // SAFETY: `key` is 16 readable bytes for the call, which does not keep it.
    unsafe { smb3rs_lease_break(key.as_ptr(), new_state, epoch, u32::from(ack)) }
}

/// Hands an oplock break to the VFS side: handle `fid`'s oplock, in the
/// session whose cookie is `owner`, is now of level `level`. A break leaves
/// level II or none, neither of which caches anything for us; any other level
/// (a server out of spec) is taken as none, never as more caching. Called by
/// a channel's receiver, which this must not hold up: the work is queued.
pub(crate) fn oplock_break(owner: u64, fid: FileId, level: u8) {
    let to_none = level != OPLOCK_LEVEL_II;
    // SAFETY: plain values; the callee does not sleep.
    unsafe { smb3rs_oplock_break(owner, fid.persistent, fid.volatile, u32::from(to_none)) }
}

/// Closes a handle; fills `attr` with the file's times and size after the close
/// and returns 1, or returns 0 if the server does not give them.
///
/// # Safety
///
/// `info` is a live mount; `fid` readable; `attr` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_close_query(
    info: *const c_void,
    fid: *const RawFid,
    attr: *mut RawAttr,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    match ops::close_query(m, f.into()) {
        Ok(Some(a)) => {
            // SAFETY: `attr` is writable by the caller's guarantee.
            unsafe { attr.write(a) };
            1
        }
        Ok(None) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `attr` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_create(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    is_dir: u32,
    mode: u32,
    attr: *mut RawAttr,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::create(m, p, is_dir != 0, mode).map(|a| {
        // SAFETY: `attr` is writable by the caller's guarantee.
        unsafe { put_attr(attr, a) }
    }))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_remove(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    is_dir: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::remove(m, p, is_dir != 0))
}

/// # Safety
///
/// `info` is a live mount; both paths readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_rename(
    info: *const c_void,
    from: *const c_char,
    from_len: u32,
    to: *const c_char,
    to_len: u32,
    replace: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f, t) = unsafe { (mount(info), bytes(from, from_len), bytes(to, to_len)) };
    status(ops::rename(m, f, t, replace != 0))
}

/// # Safety
///
/// `info` is a live mount; both paths readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_link(
    info: *const c_void,
    from: *const c_char,
    from_len: u32,
    to: *const c_char,
    to_len: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f, t) = unsafe { (mount(info), bytes(from, from_len), bytes(to, to_len)) };
    status(ops::link(m, f, t))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` and `target`/`target_len` readable; `attr`
/// writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_symlink(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    target: *const c_char,
    target_len: u32,
    attr: *mut RawAttr,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p, t) = unsafe { (mount(info), bytes(path, len), bytes(target, target_len)) };
    status(ops::symlink(m, p, t).map(|a| {
        // SAFETY: by the caller's guarantee.
        unsafe { put_attr(attr, a) }
    }))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `buf` writable for `size` bytes.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_readlink(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    buf: *mut c_char,
    size: usize,
) -> isize {
    // SAFETY: by the caller's guarantee.
    let (m, p, b) = unsafe { (mount(info), bytes(path, len), bytes_mut(buf.cast(), size)) };
    length(ops::readlink(m, p, b))
}

/// # Safety
///
/// `buf` must be valid for writes of `size` bytes for `'a` (or `size` 0).
unsafe fn bytes_mut<'a>(buf: *mut c_void, size: usize) -> &'a mut [u8] {
    if buf.is_null() || size == 0 {
        return &mut [];
    }
    // SAFETY: by the caller's guarantee.
    unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), size) }
}

fn length(r: Result<usize>) -> isize {
    match r {
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` and `name`/`name_len` readable; `value`
/// writable for `size` bytes (or `size` 0).
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_getxattr(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    name: *const c_char,
    name_len: u32,
    value: *mut c_void,
    size: usize,
) -> isize {
    // SAFETY: by the caller's guarantee.
    let (m, p, n, v) = unsafe {
        (
            mount(info),
            bytes(path, len),
            bytes(name, name_len),
            bytes_mut(value, size),
        )
    };
    length(ops::getxattr(m, p, n, v))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `list` writable for `size` bytes
/// (or `size` 0).
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_listxattr(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    list: *mut c_char,
    size: usize,
) -> isize {
    // SAFETY: by the caller's guarantee.
    let (m, p, l) = unsafe { (mount(info), bytes(path, len), bytes_mut(list.cast(), size)) };
    length(ops::listxattr(m, p, l))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len`, `name`/`name_len` and `value`/`size`
/// readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_setxattr(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    name: *const c_char,
    name_len: u32,
    value: *const c_void,
    size: usize,
    flags: c_int,
    remove: u32,
) -> c_int {
    // <uapi/linux/xattr.h>, not in the generated bindings.
    const XATTR_CREATE: c_int = 0x1;
    const XATTR_REPLACE: c_int = 0x2;
    let mode = if flags & XATTR_CREATE != 0 {
        ops::SetMode::Create
    } else if flags & XATTR_REPLACE != 0 {
        ops::SetMode::Replace
    } else {
        ops::SetMode::Any
    };
    // SAFETY: by the caller's guarantee.
    let (m, p, n) = unsafe { (mount(info), bytes(path, len), bytes(name, name_len)) };
    let v = if remove != 0 {
        None
    } else if value.is_null() || size == 0 {
        Some(&[][..])
    } else {
        // SAFETY: by the caller's guarantee.
        Some(unsafe { core::slice::from_raw_parts(value.cast::<u8>(), size) })
    };
    status(ops::setxattr(m, p, n, v, mode))
}

/// # Safety
///
/// `info` is a live mount; `path`/`len` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_set_size(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    size: u64,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::set_size(m, p, size))
}

/// Sets the times of `path`, through the handle `fid` if not null.
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `fid` null or readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_set_times(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    fid: *const RawFid,
    atime_sec: i64,
    atime_nsec: u32,
    mtime_sec: i64,
    mtime_nsec: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee; `fid`, if not null, is readable.
    let (m, p, f) = unsafe { (mount(info), bytes(path, len), fid.as_ref()) };
    status(ops::set_times(
        m,
        p,
        f.map(FileId::from),
        (atime_sec, atime_nsec),
        (mtime_sec, mtime_nsec),
    ))
}

/// Sets the permission bits of `path` (a `posix` mount).
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_set_mode(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    mode: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::set_mode(m, p, mode))
}

/// Sets the DOS attributes of `path` to `attributes` (not 0).
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_set_attributes(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    attributes: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    status(ops::set_attributes(m, p, attributes))
}

/// Takes over the page references of `nr` segments at `segs`: all of them, even on
/// error, so that none leaks.
///
/// # Safety
///
/// `segs` readable for `nr` entries, each a direct-mapped range of its page's folio
/// with one reference owned by the caller, which hands it over.
unsafe fn adopt_segs(segs: *const RawSeg, nr: u32) -> Result<KVec<PageSeg>> {
    // SAFETY: `segs` is readable for `nr` entries.
    let raw = unsafe { core::slice::from_raw_parts(segs, nr as usize) };
    let mut out = KVec::new();
    let reserved = out.reserve(raw.len(), GFP_KERNEL);
    let mut bad = false;
    for s in raw {
        // SAFETY: each segment is a direct-mapped range of its page, whose reference
        // the caller handed over.
        match unsafe { PageSeg::adopt(s.addr.cast(), s.page, s.len) } {
            // With the capacity reserved this push cannot fail; if the reservation
            // failed the segment is dropped here, releasing its reference.
            Ok(seg) => {
                let _ = out.push(seg, GFP_NOWAIT);
            }
            Err(_) => bad = true,
        }
    }
    if bad {
        return Err(EINVAL);
    }
    reserved?;
    if out.len() != raw.len() {
        return Err(ENOMEM);
    }
    Ok(out)
}

/// Reads into `nr` segments (taken as one run); each carries a page reference this
/// call takes over.
///
/// # Safety
///
/// `info` is a live mount; `fid` readable; `segs` as for [`adopt_segs`], each also
/// writable (its folio locked by the caller for the call).
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_read(
    info: *const c_void,
    fid: *const RawFid,
    offset: u64,
    segs: *const RawSeg,
    nr: u32,
) -> i64 {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    // SAFETY: by the caller's guarantee.
    let dest = match unsafe { adopt_segs(segs, nr) } {
        Ok(dest) => dest,
        Err(e) => return i64::from(e.to_errno()),
    };
    match ops::read(m, f.into(), offset, dest) {
        Ok(n) => n as i64,
        Err(e) => i64::from(e.to_errno()),
    }
}

/// The C side's completion of an asynchronous READ or WRITE, called exactly once:
/// by [`complete`](Self::complete), or with `-EIO` when dropped uncompleted.
///
/// # Invariants
///
/// `done` may be called once with `ctx`, from any thread in process context, and
/// not yet has been.
pub(crate) struct IoCompletion {
    done: unsafe extern "C" fn(*mut c_void, i64),
    ctx: *mut c_void,
}

// SAFETY: by the type invariant the callback may run on any thread.
unsafe impl Send for IoCompletion {}

impl IoCompletion {
    /// Reports `result` (bytes read or written, or the error).
    pub(crate) fn complete(self, result: Result<usize>) {
        let this = core::mem::ManuallyDrop::new(self);
        let value = match result {
            Ok(n) => i64::try_from(n).unwrap_or(i64::MAX),
            Err(e) => i64::from(e.to_errno()),
        };
        // SAFETY: not called yet (type invariant); `ManuallyDrop` keeps `drop` from
        // calling it again.
        unsafe { (this.done)(this.ctx, value) };
    }
}

impl Drop for IoCompletion {
    fn drop(&mut self) {
        // SAFETY: not called yet (type invariant), and never again after drop.
        unsafe { (self.done)(self.ctx, i64::from(EIO.to_errno())) };
    }
}

/// Starts `start` (a READ into, or a WRITE from, page segments) on `nr`
/// segments, each carrying a page reference this call takes over;
/// `done(ctx, result)` is called exactly once, possibly before this returns.
///
/// # Safety
///
/// `info` is a live mount; `fid` an open handle; `segs` as for [`adopt_segs`],
/// each fit for what `start` does with it until `done` is called; `done` may be
/// called with `ctx` from any thread in process context.
unsafe fn start_async(
    start: impl FnOnce(&Mount, FileId, KVec<PageSeg>, IoCompletion) -> Result,
    info: *const c_void,
    fid: *const RawFid,
    segs: *const RawSeg,
    nr: u32,
    done: Option<unsafe extern "C" fn(*mut c_void, i64)>,
    ctx: *mut c_void,
) {
    // SAFETY: by the caller's guarantee.
    let segs = unsafe { adopt_segs(segs, nr) };
    let Some(done) = done else {
        return;
    };
    // INVARIANT: by the caller's guarantee; this is the only use of `done`.
    let completion = IoCompletion { done, ctx };
    let segs = match segs {
        Ok(segs) => segs,
        Err(e) => return completion.complete(Err(e)),
    };
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    // `start` reports to `completion` whatever happens, failure to send included.
    let _ = start(m, f.into(), segs, completion);
}

/// Starts reading into `nr` segments (taken as one run), each carrying a page
/// reference this call takes over; `done(ctx, result)` is called exactly once with
/// the bytes read or a negative errno, possibly before this returns.
///
/// # Safety
///
/// `info` is a live mount; `fid` readable; `segs` as for [`adopt_segs`], each also
/// writable until `done` is called (its folio locked by the caller till then);
/// `done` may be called with `ctx` from any thread in process context.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_read_async(
    info: *const c_void,
    fid: *const RawFid,
    offset: u64,
    segs: *const RawSeg,
    nr: u32,
    done: Option<unsafe extern "C" fn(*mut c_void, i64)>,
    ctx: *mut c_void,
) {
    let start = |m: &Mount, f, segs, c| ops::read_async(m, f, offset, segs, c);
    // SAFETY: by the caller's guarantee; the segments stay writable for the READ.
    unsafe { start_async(start, info, fid, segs, nr, done, ctx) }
}

/// Starts writing `nr` segments, each carrying a page reference this call takes
/// over (and keeps until the reply is in); `done(ctx, result)` is called exactly
/// once with the bytes written or a negative errno, possibly before this returns.
/// A fatal signal may stop the send (the caller's own O_DIRECT write).
///
/// # Safety
///
/// `info` is a live mount; `fid` writable; `segs` as for [`adopt_segs`], each
/// readable until `done` is called; `done` may be called with `ctx` from any
/// thread in process context.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_write_async(
    info: *const c_void,
    fid: *const RawFid,
    offset: u64,
    segs: *const RawSeg,
    nr: u32,
    done: Option<unsafe extern "C" fn(*mut c_void, i64)>,
    ctx: *mut c_void,
) {
    let start = |m: &Mount, f, segs, c| ops::write_async(m, f, offset, segs, c, true);
    // SAFETY: by the caller's guarantee; the segments stay readable for the WRITE.
    unsafe { start_async(start, info, fid, segs, nr, done, ctx) }
}

/// Like [`smb3rs_rs_write_async`], for writeback: no signal stops the send, as the
/// data is the file's, not the task's that started writeback.
///
/// # Safety
///
/// As for [`smb3rs_rs_write_async`] (the superblock asks for stable writes, so
/// page-cache folios under writeback stay unchanged until `done`).
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_writeback_async(
    info: *const c_void,
    fid: *const RawFid,
    offset: u64,
    segs: *const RawSeg,
    nr: u32,
    done: Option<unsafe extern "C" fn(*mut c_void, i64)>,
    ctx: *mut c_void,
) {
    let start = |m: &Mount, f, segs, c| ops::write_async(m, f, offset, segs, c, false);
    // SAFETY: by the caller's guarantee; the segments stay readable for the WRITE.
    unsafe { start_async(start, info, fid, segs, nr, done, ctx) }
}

/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_flush(info: *const c_void, fid: *const RawFid) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::flush(m, f.into()))
}

/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_zero_range(
    info: *const c_void,
    fid: *const RawFid,
    start: u64,
    end: u64,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::zero_range(m, f.into(), start, end))
}

/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_set_size_of(
    info: *const c_void,
    fid: *const RawFid,
    size: u64,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::set_size_of(m, f.into(), size))
}

/// Opens a directory for listing; null with `*err` set on failure.
///
/// # Safety
///
/// `info` is a live mount; `path`/`len` readable; `err` writable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_dir_open(
    info: *const c_void,
    path: *const c_char,
    len: u32,
    err: *mut c_int,
) -> *mut c_void {
    // SAFETY: by the caller's guarantee.
    let (m, p) = unsafe { (mount(info), bytes(path, len)) };
    match ops::dir_open(m, p) {
        Ok(d) => KBox::into_raw(d).cast(),
        Err(e) => {
            // SAFETY: `err` is writable by the caller's guarantee.
            unsafe { err.write(e.to_errno()) };
            core::ptr::null_mut()
        }
    }
}

/// The C emitter of directory entries.
pub(crate) type EmitFn = unsafe extern "C" fn(
    ctx: *mut c_void,
    name: *const c_char,
    len: u32,
    ino: u64,
    kind: u32,
    attr: *const RawAttr,
    changes: c_int,
    stamp: c_ulong,
) -> bool;

/// # Safety
///
/// `info` is a live mount; `fid` readable.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_lock(
    info: *const c_void,
    fid: *const RawFid,
    offset: u64,
    length: u64,
    flags: u32,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, f) = unsafe { (mount(info), &*fid) };
    status(ops::lock(m, f.into(), offset, length, flags))
}

/// # Safety
///
/// `info` is a live mount; `dir` comes from `smb3rs_rs_dir_open` and is not used
/// concurrently; `emit` is safe to call with `ctx` for the call.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_dir_iterate(
    info: *const c_void,
    dir: *mut c_void,
    pos: i64,
    emit: EmitFn,
    ctx: *mut c_void,
) -> c_int {
    // SAFETY: by the caller's guarantee.
    let (m, d) = unsafe { (mount(info), &mut *dir.cast::<DirState>()) };
    let emit_one =
        |name: &[u8], ino: u64, kind: ops::EntryKind, attr: Option<&RawAttr>, asked: ops::Asked| {
            let attr = attr.map_or(core::ptr::null(), |a| a as *const RawAttr);
            // SAFETY: `emit` may be called with `ctx` (the caller's guarantee); `name`
            // and `attr` (null or one struct) are readable during the call.
            unsafe {
                emit(
                    ctx,
                    name.as_ptr().cast(),
                    name.len() as u32,
                    ino,
                    kind as u32,
                    attr,
                    asked.changes,
                    asked.jiffies,
                )
            }
        };
    status(ops::dir_iterate(m, d, pos, emit_one))
}

/// Closes a directory handle (of server inode number `key`), waiting for the
/// CLOSE only if `wait`.
///
/// # Safety
///
/// `info` is a live mount; `dir` comes from `smb3rs_rs_dir_open` and is not used
/// afterwards.
#[no_mangle]
unsafe extern "C" fn smb3rs_rs_dir_close(
    info: *const c_void,
    dir: *mut c_void,
    key: u64,
    wait: bool,
) {
    // SAFETY: by the caller's guarantee.
    let (m, d) = unsafe { (mount(info), KBox::from_raw(dir.cast::<DirState>())) };
    ops::dir_close(m, d, key, wait);
}
