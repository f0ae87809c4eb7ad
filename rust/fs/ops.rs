// SPDX-License-Identifier: GPL-2.0

//! What the VFS glue asks of a mount, in safe terms: paths as the VFS spells them
//! (`/a/b`) become share paths (`a\b`), attributes become what an inode holds, and
//! directory listings are kept per open directory so that `getdents` can resume.

use core::ffi::c_ulong;

use kernel::prelude::*;

use super::Mount;
use crate::client::{
    engine::names::{self, from_filetime, to_filetime},
    ops::{dir_entries, Attr, Granted, LeaseKey},
};
use crate::proto::{
    create::{FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT, FILE_LIST_DIRECTORY},
    dir::DirEntry,
    ea::{FullEa, FullEaIter, EA_NAME_MAX},
    mfsymlink,
    types::FileId,
};
use crate::sys::{
    errno,
    mem::PageSeg,
    vfs_ops::{all_changes_now, jiffies_now, IoCompletion, RawAttr},
};

/// What an id unknown to the VFS side is (C: `SMB3RS_NO_ID`).
const NO_ID: u32 = u32::MAX;

fn raw_attr(m: &Mount, a: &Attr) -> RawAttr {
    let (atime_sec, atime_nsec) = from_filetime(a.atime);
    let (mtime_sec, mtime_nsec) = from_filetime(a.mtime);
    let (ctime_sec, ctime_nsec) = from_filetime(a.ctime);
    RawAttr {
        uniqueid: a.uniqueid,
        createtime: a.btime,
        size: a.size,
        blocks: a.allocation.div_ceil(512),
        atime_sec,
        mtime_sec,
        ctime_sec,
        atime_nsec,
        mtime_nsec,
        ctime_nsec,
        is_dir: u32::from(a.is_dir()),
        nlink: a.nlink,
        attributes: a.attributes,
        is_link: 0,
        posix: u32::from(a.posix.is_some()),
        mode: a.posix.map_or(0, |p| p.mode),
        // `uid=` and `gid=` force the owners.
        uid: a
            .posix
            .and_then(|p| p.uid)
            .filter(|_| !m.force_uid)
            .unwrap_or(NO_ID),
        gid: a
            .posix
            .and_then(|p| p.gid)
            .filter(|_| !m.force_gid)
            .unwrap_or(NO_ID),
    }
}

/// Whether a file with these attributes may be a symlink file (and is worth
/// reading to know).
fn maybe_link(m: &Mount, dir: bool, size: u64) -> bool {
    m.mfsymlinks && !dir && size == mfsymlink::FILE_SIZE as u64
}

/// The target of the symlink file at share path `p`, read from the server;
/// `None` if the file is not one.
fn read_link(m: &Mount, p: &str) -> Result<Option<KVec<u8>>> {
    let (buf, n) = m.tree.read_head(p, mfsymlink::FILE_SIZE as u32)?;
    let Some(target) = mfsymlink::decode(buf.as_slice().get(..n).unwrap_or(&[])) else {
        return Ok(None);
    };
    let mut out = KVec::with_capacity(target.len(), GFP_KERNEL)?;
    out.extend_from_slice(target, GFP_KERNEL)?;
    Ok(Some(out))
}

/// The attributes of share path `p` as the VFS sees them: a symlink file is a
/// symlink whose size is its target's length. A file that this user may not read,
/// or that another open keeps from being read, is taken for a regular file; other
/// failures (the connection, memory) are errors rather than a wrong file type.
fn vfs_attr(m: &Mount, p: &str, a: &Attr) -> Result<RawAttr> {
    let mut raw = raw_attr(m, a);
    if !maybe_link(m, a.is_dir(), a.size) {
        return Ok(raw);
    }
    match read_link(m, p) {
        Ok(Some(target)) => {
            raw.is_link = 1;
            raw.size = target.len() as u64;
        }
        Ok(None) => {}
        Err(e) if [EACCES, EBUSY, EPERM].contains(&e) => {}
        Err(e) => return Err(e),
    }
    Ok(raw)
}

/// Turns a VFS path (`/a/b`, `/` for the root) into a share path (`a\b`).
fn share_path(vfs: &[u8]) -> Result<KVec<u8>> {
    let mut out = KVec::new();
    out.extend_with(vfs.len(), 0u8, GFP_KERNEL)?;
    let n = names::share_path(vfs, &mut out).map_err(|_| EINVAL)?;
    let mut exact = KVec::with_capacity(n, GFP_KERNEL)?;
    exact.extend_from_slice(out.get(..n).ok_or(EINVAL)?, GFP_KERNEL)?;
    Ok(exact)
}

/// Runs `f` on the share path of `vfs`.
fn with_path<T>(vfs: &[u8], f: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    let p = share_path(vfs)?;
    let s = core::str::from_utf8(&p).map_err(|_| EINVAL)?;
    f(s)
}

/// Attributes of `path`.
pub(crate) fn getattr(m: &Mount, path: &[u8]) -> Result<RawAttr> {
    with_path(path, |p| vfs_attr(m, p, &m.tree.getattr(p)?))
}

/// Opens `path` with `access`, asking for a lease under `lease`; the attributes
/// lack the file id.
pub(crate) fn open(
    m: &Mount,
    path: &[u8],
    access: u32,
    dir: bool,
    lease: Option<&LeaseKey>,
) -> Result<(FileId, RawAttr, Granted)> {
    with_path(path, |p| m.tree.open(p, access, dir, lease)).map(|(f, a, g)| (f, raw_attr(m, &a), g))
}

/// Opens the regular file `path`, creating it if missing (only then when
/// `exclusive`, with the permission bits `mode` where the server keeps them),
/// asking for a lease under `lease`; returns the handle, its attributes,
/// whether it was created and the lease granted. A symlink file comes back
/// with its handle closed (`is_link`).
pub(crate) fn open_create(
    m: &Mount,
    path: &[u8],
    access: u32,
    exclusive: bool,
    lease: Option<&LeaseKey>,
    mode: u32,
) -> Result<(FileId, RawAttr, bool, Granted)> {
    with_path(path, |p| {
        let (f, a, created, g) = m.tree.open_create(p, access, exclusive, lease, mode)?;
        if created || !maybe_link(m, a.is_dir(), a.size) {
            return Ok((f, raw_attr(m, &a), created, g));
        }
        // An existing file of a symlink file's size: its head is read through
        // an open of its own, which would make the server break the oplock our
        // handle holds and wait for an acknowledgment that only comes once the
        // handle is installed. So the handle closes first (a symlink's would
        // anyway: the VFS follows the link), and a file that is no link after
        // all is opened again.
        let _ = m.tree.close(f);
        let raw = vfs_attr(m, p, &a)?;
        if raw.is_link != 0 {
            return Ok((f, raw, false, Granted::default()));
        }
        let (f, a, created, g) = m.tree.open_create(p, access, exclusive, lease, mode)?;
        Ok((f, raw_attr(m, &a), created, g))
    })
}

/// Creates the symlink `path` pointing to `target` (a symlink file) and returns
/// its attributes.
pub(crate) fn symlink(m: &Mount, path: &[u8], target: &[u8]) -> Result<RawAttr> {
    if !m.mfsymlinks {
        return Err(errno(kernel::bindings::EOPNOTSUPP));
    }
    let mut file = KVec::new();
    file.extend_with(mfsymlink::FILE_SIZE, 0u8, GFP_KERNEL)?;
    let buf =
        <&mut [u8; mfsymlink::FILE_SIZE]>::try_from(file.as_mut_slice()).map_err(|_| EINVAL)?;
    mfsymlink::encode(target, buf).map_err(|e| match e {
        mfsymlink::EncodeError::TooLong => errno(kernel::bindings::ENAMETOOLONG),
        mfsymlink::EncodeError::Invalid => EINVAL,
    })?;
    let a = with_path(path, |p| m.tree.create_with(p, &file))?;
    let mut raw = raw_attr(m, &a);
    raw.is_link = 1;
    raw.size = target.len() as u64;
    Ok(raw)
}

/// readlink: copies the target of the symlink `path` into `buf` and returns its
/// length; ESTALE if the file is no longer a symlink (the VFS looks it up again).
pub(crate) fn readlink(m: &Mount, path: &[u8], buf: &mut [u8]) -> Result<usize> {
    let target =
        with_path(path, |p| read_link(m, p))?.ok_or_else(|| errno(kernel::bindings::ESTALE))?;
    buf.get_mut(..target.len())
        .ok_or_else(|| errno(kernel::bindings::ENAMETOOLONG))?
        .copy_from_slice(&target);
    Ok(target.len())
}

/// Closes a handle.
pub(crate) fn close(m: &Mount, fid: FileId) -> Result {
    m.tree.close(fid)
}

/// Closes a handle of the file `key` without waiting for the server's reply.
pub(crate) fn close_nowait(m: &Mount, fid: FileId, key: u64) -> Result {
    m.tree.close_nowait(fid, key)
}

/// Waits (killably, for at most 10 s) for the CLOSEs of `key` (0: of any file)
/// sent so far, before a remove or rename that a handle still open would spoil.
pub(crate) fn close_barrier(m: &Mount, key: u64) -> Result {
    if !m.tree.session().closes.barrier(key, true, 10_000)? {
        pr_debug!("CLOSEs unanswered after 10 s; going on\n");
    }
    Ok(())
}

/// Acknowledges a break of the lease `key`, keeping `state`.
pub(crate) fn lease_ack(m: &Mount, key: &LeaseKey, state: u32) -> Result {
    m.tree.lease_ack(key, state)
}

/// Acknowledges the break of handle `fid`'s oplock, keeping the level `level`.
pub(crate) fn oplock_ack(m: &Mount, fid: FileId, level: u8) -> Result {
    m.tree.oplock_ack(fid, level)
}

/// Closes a handle; returns the file's times and size after the close, if the
/// server gives them.
pub(crate) fn close_query(m: &Mount, fid: FileId) -> Result<Option<RawAttr>> {
    Ok(m.tree.close_query(fid)?.map(|a| raw_attr(m, &a)))
}

/// Creates a file or directory (with the permission bits `mode` where the
/// server keeps them) and returns its attributes.
pub(crate) fn create(m: &Mount, path: &[u8], dir: bool, mode: u32) -> Result<RawAttr> {
    with_path(path, |p| m.tree.create(p, dir, mode)).map(|a| raw_attr(m, &a))
}

/// Removes a file or (empty) directory.
pub(crate) fn remove(m: &Mount, path: &[u8], dir: bool) -> Result {
    with_path(path, |p| m.tree.remove(p, dir))
}

/// Hands `f` the share paths of two VFS paths.
fn with_paths<T>(from: &[u8], to: &[u8], f: impl FnOnce(&str, &str) -> Result<T>) -> Result<T> {
    with_path(to, |t| with_path(from, |fr| f(fr, t)))
}

/// Renames `from` to `to`.
pub(crate) fn rename(m: &Mount, from: &[u8], to: &[u8], replace: bool) -> Result {
    with_paths(from, to, |f, t| m.tree.rename(f, t, replace))
}

/// Makes `to` a hard link to `from`.
pub(crate) fn link(m: &Mount, from: &[u8], to: &[u8]) -> Result {
    with_paths(from, to, |f, t| m.tree.link(f, t))
}

/// The `user.` namespace: Linux xattrs `user.NAME` are the file's EAs `NAME`.
const USER_PREFIX: &[u8] = b"user.";

fn enodata() -> Error {
    errno(kernel::bindings::ENODATA)
}

/// The EAs of a list as the server sent it; a malformed list is EPROTO.
fn eas(list: &[u8]) -> impl Iterator<Item = Result<FullEa<'_>>> {
    FullEaIter::new(list).map(|ea| ea.map_err(|_| errno(kernel::bindings::EPROTO)))
}

/// The EA `name` of `path`, if it has one, handed to `f`.
fn with_ea<T>(
    m: &Mount,
    path: &[u8],
    name: &[u8],
    f: impl FnOnce(Option<FullEa<'_>>) -> T,
) -> Result<T> {
    let list = with_path(path, |p| m.tree.query_eas(p))?;
    for ea in eas(&list) {
        let ea = ea?;
        if ea.name == name {
            return Ok(f(Some(ea)));
        }
    }
    Ok(f(None))
}

/// getxattr of `user.NAME` (`name` without the prefix): copies the value into `buf`
/// and returns its length; an empty `buf` asks for the length only.
pub(crate) fn getxattr(m: &Mount, path: &[u8], name: &[u8], buf: &mut [u8]) -> Result<usize> {
    with_ea(m, path, name, |ea| {
        let value = ea.ok_or_else(enodata)?.value;
        if buf.is_empty() {
            return Ok(value.len());
        }
        buf.get_mut(..value.len())
            .ok_or(ERANGE)?
            .copy_from_slice(value);
        Ok(value.len())
    })?
}

/// listxattr: the names `user.NAME\0` of every EA of `path` into `buf`, returning
/// the length; an empty `buf` asks for the length only.
pub(crate) fn listxattr(m: &Mount, path: &[u8], buf: &mut [u8]) -> Result<usize> {
    let list = with_path(path, |p| m.tree.query_eas(p))?;
    let mut len = 0usize;
    for ea in eas(&list) {
        let ea = ea?;
        let start = len;
        len = len
            .saturating_add(USER_PREFIX.len())
            .saturating_add(ea.name.len())
            .saturating_add(1);
        if buf.is_empty() {
            continue;
        }
        let out = buf.get_mut(start..len).ok_or(ERANGE)?;
        let (prefix, rest) = out.split_at_mut(USER_PREFIX.len());
        prefix.copy_from_slice(USER_PREFIX);
        let (name, nul) = rest.split_at_mut(ea.name.len());
        name.copy_from_slice(ea.name);
        nul.fill(0);
    }
    Ok(len)
}

/// How setxattr treats an existing attribute (XATTR_CREATE / XATTR_REPLACE).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetMode {
    /// Create or replace.
    Any,
    /// Fail with EEXIST if it exists.
    Create,
    /// Fail with ENODATA unless it exists.
    Replace,
}

/// setxattr of `user.NAME` to `value`, or removexattr when `value` is `None`.
///
/// SMB has no empty EA value: setting one removes the EA, as with cifs.ko.
pub(crate) fn setxattr(
    m: &Mount,
    path: &[u8],
    name: &[u8],
    value: Option<&[u8]>,
    mode: SetMode,
) -> Result {
    if name.is_empty() || name.len() > EA_NAME_MAX || name.contains(&0) {
        return Err(EINVAL);
    }
    // Removal and the flags need to know whether it exists: one more round trip.
    if value.is_none() || mode != SetMode::Any {
        let exists = with_ea(m, path, name, |ea| ea.is_some())?;
        match (exists, mode) {
            (true, SetMode::Create) => return Err(EEXIST),
            (false, SetMode::Replace) => return Err(enodata()),
            (false, _) if value.is_none() => return Err(enodata()),
            _ => {}
        }
    }
    with_path(path, |p| m.tree.set_ea(p, name, value.unwrap_or(&[])))
}

/// Truncates or extends `path`.
pub(crate) fn set_size(m: &Mount, path: &[u8], size: u64) -> Result {
    with_path(path, |p| m.tree.set_size(p, size))
}

/// Sets the permission bits (on a `posix` mount).
pub(crate) fn set_mode(m: &Mount, path: &[u8], mode: u32) -> Result {
    with_path(path, |p| m.tree.set_mode(p, mode))
}

/// Sets the DOS attributes (not 0) of `path`.
pub(crate) fn set_attributes(m: &Mount, path: &[u8], attributes: u32) -> Result {
    with_path(path, |p| m.tree.set_attributes(p, attributes))
}

/// Sets access and modification times (a zero time is left unchanged), through
/// the handle `fid` if given, else by path.
pub(crate) fn set_times(
    m: &Mount,
    path: &[u8],
    fid: Option<FileId>,
    atime: (i64, u32),
    mtime: (i64, u32),
) -> Result {
    let ft = |(s, n): (i64, u32)| {
        if s == 0 && n == 0 {
            0
        } else {
            to_filetime(s, n)
        }
    };
    with_path(path, |p| m.tree.set_times(p, fid, ft(atime), ft(mtime)))
}

/// Reads into the page segments `dest` at `offset`.
pub(crate) fn read(m: &Mount, fid: FileId, offset: u64, dest: KVec<PageSeg>) -> Result<usize> {
    m.tree.read(fid, offset, dest)
}

/// Starts reading into the page segments `dest` at `offset`; `done` gets the
/// result (see [`Tree::read_async`]).
pub(crate) fn read_async(
    m: &Mount,
    fid: FileId,
    offset: u64,
    dest: KVec<PageSeg>,
    done: IoCompletion,
) -> Result {
    m.tree.read_async(fid, offset, dest, done)
}

/// Starts writing page segments at `offset`; `done` gets the result (see
/// [`Tree::write_async`]).
pub(crate) fn write_async(
    m: &Mount,
    fid: FileId,
    offset: u64,
    payload: KVec<PageSeg>,
    done: IoCompletion,
    killable: bool,
) -> Result {
    m.tree.write_async(fid, offset, payload, done, killable)
}

/// Flushes a handle's writes on the server.
pub(crate) fn flush(m: &Mount, fid: FileId) -> Result {
    m.tree.flush(fid)
}

/// Zeroes `[start, end)` of an open file, keeping its size.
pub(crate) fn zero_range(m: &Mount, fid: FileId, start: u64, end: u64) -> Result {
    m.tree.zero_range(fid, start, end)
}

/// Takes or releases a byte-range lock of an open file (`flags`: `LOCKFLAG_*`).
pub(crate) fn lock(m: &Mount, fid: FileId, offset: u64, length: u64, flags: u32) -> Result {
    m.tree.lock(fid, offset, length, flags)
}

/// Sets the size of an open file.
pub(crate) fn set_size_of(m: &Mount, fid: FileId, size: u64) -> Result {
    m.tree.set_size_of(fid, size)
}

/// An open directory being listed.
pub(crate) struct DirState {
    fid: FileId,
    /// The current batch (a QUERY_DIRECTORY reply) and the index of its next entry.
    batch: Option<KVec<u8>>,
    next_entry: usize,
    /// The `getdents` position of the next entry to emit (2: after `.` and `..`).
    next_pos: i64,
    /// The server has no more entries.
    done: bool,
    /// The next fetch must restart the scan.
    restart: bool,
    /// When the batch was asked for.
    asked: Asked,
}

/// When a listing was asked for: the VFS side's count of all changes then, and
/// the time (jiffies), so that it can tell how much to trust the attributes.
#[derive(Clone, Copy, Default)]
pub(crate) struct Asked {
    pub(crate) changes: i32,
    pub(crate) jiffies: c_ulong,
}

/// Opens `path` for listing.
pub(crate) fn dir_open(m: &Mount, path: &[u8]) -> Result<KBox<DirState>> {
    let (fid, _, _) = with_path(path, |p| m.tree.open(p, FILE_LIST_DIRECTORY, true, None))?;
    let state = DirState {
        fid,
        batch: None,
        next_entry: 0,
        next_pos: 2,
        done: false,
        restart: true,
        asked: Asked::default(),
    };
    match KBox::new(state, GFP_KERNEL) {
        Ok(b) => Ok(b),
        Err(e) => {
            let _ = m.tree.close(fid);
            Err(e.into())
        }
    }
}

/// What a directory entry is, as far as the listing tells.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum EntryKind {
    File = 0,
    Dir = 1,
    /// A regular file that may be a symlink file: unknown until looked up.
    Unknown = 2,
}

/// The attributes a listing tells of an entry whose index number is
/// `uniqueid`, if they are enough for an inode: it is no possible symlink file
/// nor reparse point. The link count is not told (one, for a file).
fn entry_attr(m: &Mount, entry: &DirEntry<'_>, kind: EntryKind, uniqueid: u64) -> Option<RawAttr> {
    // A reparse point (a server-side symlink or junction) is not what its
    // listing says: a lookup tells.
    if kind == EntryKind::Unknown || entry.file_attributes & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return None;
    }
    let attr = Attr {
        uniqueid,
        size: entry.end_of_file,
        allocation: entry.allocation_size,
        btime: entry.creation_time,
        atime: entry.last_access_time,
        mtime: entry.last_write_time,
        ctime: entry.change_time,
        attributes: entry.file_attributes,
        nlink: 1,
        posix: None,
    };
    Some(raw_attr(m, &attr))
}

/// Emits entries from position `pos` with `emit(name, ino, kind, attr, asked)`
/// until it returns false or the directory ends: `attr` is what the listing
/// tells of the file ([`entry_attr`]), `asked` when the listing was asked for.
/// A `pos` other than where the last call stopped (rewinddir, seekdir) restarts
/// the scan and skips to it.
pub(crate) fn dir_iterate(
    m: &Mount,
    d: &mut DirState,
    pos: i64,
    mut emit: impl FnMut(&[u8], u64, EntryKind, Option<&RawAttr>, Asked) -> bool,
) -> Result {
    let mut skip = 0i64;
    if pos != d.next_pos {
        d.batch = None;
        d.next_entry = 0;
        d.next_pos = 2;
        d.done = false;
        d.restart = true;
        skip = pos.saturating_sub(2).max(0);
    }
    let mut name = [0u8; 1024];
    loop {
        if d.batch.is_none() {
            if d.done {
                return Ok(());
            }
            d.asked = Asked {
                changes: all_changes_now(),
                jiffies: jiffies_now(),
            };
            match m.tree.list_dir(d.fid, d.restart)? {
                Some(b) => d.batch = Some(b),
                None => {
                    d.done = true;
                    return Ok(());
                }
            }
            d.restart = false;
            d.next_entry = 0;
        }
        let Some(batch) = d.batch.as_ref() else {
            continue;
        };
        let mut exhausted = true;
        for (i, entry) in dir_entries(batch)?.enumerate() {
            if i < d.next_entry {
                continue;
            }
            // Validated when the batch arrived.
            let entry = entry.map_err(|_| errno(kernel::bindings::EIO))?;
            if entry.is_dot_or_dotdot() {
                d.next_entry = i + 1;
                continue;
            }
            if skip > 0 {
                skip -= 1;
                d.next_entry = i + 1;
                d.next_pos += 1;
                continue;
            }
            let Ok(len) = entry.name.to_utf8(&mut name) else {
                // Not representable (unpaired surrogate): not listed.
                d.next_entry = i + 1;
                continue;
            };
            let is_dir = entry.file_attributes & FILE_ATTRIBUTE_DIRECTORY != 0;
            let kind = if is_dir {
                EntryKind::Dir
            } else if maybe_link(m, false, entry.end_of_file) {
                EntryKind::Unknown
            } else {
                EntryKind::File
            };
            let id = entry.file_id.filter(|&id| id != 0);
            // A zero inode number makes some tools skip the entry.
            let ino = id.unwrap_or(d.next_pos as u64);
            let attr = id.and_then(|id| entry_attr(m, &entry, kind, id));
            if !emit(
                name.get(..len).unwrap_or(&[]),
                ino,
                kind,
                attr.as_ref(),
                d.asked,
            ) {
                exhausted = false;
                break;
            }
            d.next_entry = i + 1;
            d.next_pos += 1;
        }
        if !exhausted {
            return Ok(());
        }
        d.batch = None;
    }
}

/// Closes a directory (server inode number `key`) opened by [`dir_open`];
/// waits for the CLOSE if `wait`.
pub(crate) fn dir_close(m: &Mount, d: KBox<DirState>, key: u64, wait: bool) {
    let _ = if wait {
        m.tree.close(d.fid)
    } else {
        m.tree.close_nowait(d.fid, key)
    };
}
