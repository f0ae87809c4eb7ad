// SPDX-License-Identifier: GPL-2.0

//! File and directory requests on a tree: what the VFS side asks of the server.
//!
//! Paths are relative to the share root with `\` separators (empty for the root).
//! Operations that need a handle only for themselves (stat, create, unlink, rename,
//! truncate by path) are one related compound CREATE + ... + CLOSE: one round trip.

use kernel::prelude::*;

use super::{closes::CloseTicket, message::Request, stats::STATS, tree::Tree};
use crate::proto::{
    close::{CloseRequest, CloseResponse, CLOSE_FLAG_POSTQUERY_ATTRIB},
    create::{
        CreateContext, CreateContexts, CreateRequest, CreateResponse, Lease, LeaseV2,
        CONTEXT_HEADER_SIZE, CONTEXT_QUERY_ON_DISK_ID, CONTEXT_REQUEST_LEASE, DELETE,
        FILE_ATTRIBUTE_DIRECTORY, FILE_CREATE, FILE_CREATED, FILE_DIRECTORY_FILE,
        FILE_NON_DIRECTORY_FILE, FILE_OPEN, FILE_OPEN_IF, FILE_READ_ATTRIBUTES, FILE_READ_DATA,
        FILE_READ_EA, FILE_WRITE_ATTRIBUTES, FILE_WRITE_DATA, FILE_WRITE_EA,
        LEASE_FLAG_BREAK_IN_PROGRESS, LEASE_HANDLE_CACHING, LEASE_READ_CACHING,
        LEASE_WRITE_CACHING, OPLOCK_LEVEL_BATCH, OPLOCK_LEVEL_EXCLUSIVE, OPLOCK_LEVEL_LEASE,
        OPLOCK_LEVEL_NONE, WRITE_DAC,
    },
    cursor::Writer,
    dir::{DirClass, DirEntries, QueryDirectoryRequest, QueryDirectoryResponse, RESTART_SCANS},
    ea::{encode_full_ea, full_ea_len},
    header::{credit_charge, encode_pdu, Command, Header, HEADER_SIZE},
    info::{
        FileAllInfo, FileBasicInfo, FilePosixInfo, FileRenameInfo, InfoData, QueryInfoRequest,
        QueryInfoResponse, SetInfoRequest, DACL_SECURITY_INFORMATION, FILE_ALL_INFORMATION,
        FILE_FULL_EA_INFORMATION, FILE_POSIX_INFORMATION, INFO_FILE,
    },
    io::{FlushRequest, ReadRequest, ReadResponse, WriteRequest, WriteResponse},
    ioctl::{IoctlRequest, FSCTL_SET_ZERO_DATA},
    lock::{LockElement, LockRequest},
    negotiate::capabilities,
    oplock::{LeaseBreakAck, OplockBreak},
    security::{encode_mode_sd, unix_gid, unix_uid, MODE_SD_SIZE},
    status,
    types::{FileAttrs, FileId, FixedList, WireName},
};
use crate::sys::{errno, mem::PageSeg, vfs_ops::IoCompletion};

/// Room for a request with a path (header, body, UTF-16 path, padding, a lease
/// context, an on-disk id query and a POSIX context).
fn room_for(path: &str) -> usize {
    HEADER_SIZE + 128 + path.len() * 2 + LEASE_CONTEXT_ROOM + QFID_CONTEXT_ROOM + POSIX_CONTEXT_ROOM
}

/// The lease asked for with each open of a file: read caching, so that the
/// server tells us (a break) when another client changes the data we cache,
/// and handle caching, so that a closed handle may stay open for a reopen
/// (deferred close) until another client's open or removal needs it gone.
/// Write caching would only pay with writes kept past close, which we do not
/// do.
const LEASE_REQUEST: u32 = LEASE_READ_CACHING | LEASE_HANDLE_CACHING;

/// The lease a CREATE was granted: its state (`LEASE_*_CACHING`, 0 for none)
/// and epoch (lease v2; 0 with v1), which orders it against breaks. From a
/// server without leases, the oplock asked for instead, as the lease state it
/// amounts to: it is the handle's own, and its breaks name the handle and
/// arrive on a channel of the session `oplock_owner` ([`Session::cookie`]; 0
/// for a lease or nothing).
///
/// [`Session::cookie`]: super::session::Session::cookie
#[derive(Clone, Copy, Default)]
pub(crate) struct Granted {
    pub(crate) state: u32,
    pub(crate) epoch: u16,
    pub(crate) oplock_owner: u64,
}

/// The lease state an oplock level amounts to, as far as we rely on it: a
/// batch oplock lets us cache reads and keep the handle open, an exclusive one
/// cache reads (the server breaks either before another open goes on; both
/// have write caching, whose break waits for our acknowledgment). A level II
/// oplock is relied on for nothing (its break still drops the cached pages):
/// ksmbd breaks every level II oplock of a file at each WRITE, the writer's
/// own too, so one would seldom outlast our own next write.
pub(crate) fn oplock_state(level: u8) -> u32 {
    match level {
        OPLOCK_LEVEL_BATCH => LEASE_READ_CACHING | LEASE_WRITE_CACHING | LEASE_HANDLE_CACHING,
        OPLOCK_LEVEL_EXCLUSIVE => LEASE_READ_CACHING | LEASE_WRITE_CACHING,
        _ => 0,
    }
}

/// What an open asks the server for, to cache safely: a lease, or where the
/// server grants none (ksmbd by default), a batch oplock.
enum Caching {
    Lease(CreateContext<'static>),
    Oplock,
    Nothing,
}

/// Room for a lease context: header, name padded to 8, v2 data.
const LEASE_CONTEXT_ROOM: usize = CONTEXT_HEADER_SIZE + 8 + Lease::V2_SIZE;

/// Room for an on-disk id query (QFid): header and name padded to 8, no data.
const QFID_CONTEXT_ROOM: usize = CONTEXT_HEADER_SIZE + 8;

/// Room for a POSIX context: header, 16-byte name, the mode.
const POSIX_CONTEXT_ROOM: usize = CONTEXT_HEADER_SIZE + 16 + 8;

/// The most contexts a CREATE carries: a lease, an on-disk id query and a
/// POSIX context, the ones [`room_for`] leaves room for.
const MAX_CREATE_CONTEXTS: usize = 3;

/// A lease key: the VFS side's, one per inode.
pub(crate) type LeaseKey = [u8; 16];

/// Largest list of extended attributes read (the most an NTFS file can carry).
pub(crate) const EA_LIST_MAX: u32 = 65536;

/// Largest extended attribute (name and value, as encoded) set: a request's
/// headers and inline buffers live in one page ([`Request::push`]), so about 3.8
/// KiB (ext4's own limit is one 4 KiB block for all of a file's xattrs).
pub(crate) const EA_SET_MAX: usize = 3840;

/// Largest READ or WRITE issued (the server's limit may be lower).
const MAX_IO: u32 = 1 << 20;

/// Attributes of a file as the server reports them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Attr {
    /// IndexNumber: the server's inode number (0 if unknown).
    pub(crate) uniqueid: u64,
    pub(crate) size: u64,
    pub(crate) allocation: u64,
    /// Times as FILETIME (100 ns since 1601).
    pub(crate) btime: u64,
    pub(crate) atime: u64,
    pub(crate) mtime: u64,
    pub(crate) ctime: u64,
    pub(crate) attributes: u32,
    pub(crate) nlink: u32,
    /// What the POSIX extensions tell (on a `posix` mount, from QUERY_INFO).
    pub(crate) posix: Option<PosixAttr>,
}

/// A file's mode and owners as the SMB 3.1.1 POSIX extensions report them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PosixAttr {
    /// Permission bits (`0o7777` at most).
    pub(crate) mode: u32,
    /// Owner and group, when the server names them as Unix ids.
    pub(crate) uid: Option<u32>,
    pub(crate) gid: Option<u32>,
}

impl Attr {
    /// Returns whether this is a directory.
    pub(crate) fn is_dir(&self) -> bool {
        self.attributes & FILE_ATTRIBUTE_DIRECTORY != 0
    }
}

fn proto_error(what: &str) -> Error {
    pr_err!("malformed reply from the server: {}\n", what);
    errno(kernel::bindings::EPROTO)
}

/// Returns the header of `reply`, or its error status as an errno.
fn checked(reply: &Result<KVec<u8>>) -> Result<Header> {
    let reply = reply.as_ref().map_err(|e| *e)?;
    let hdr = Header::decode(reply).map_err(|_| proto_error("SMB2 header"))?;
    if status::is_error(hdr.status) {
        return Err(errno(status::to_errno(hdr.status) as u32));
    }
    Ok(hdr)
}

/// Turns a READ reply into the bytes read into `dest`: those the receiver put there
/// (`landed`), or the reply's inline data copied in.
fn read_result(reply: Result<KVec<u8>>, dest: &mut [PageSeg], landed: usize) -> Result<usize> {
    match checked(&reply) {
        Ok(_) => {}
        // STATUS_END_OF_FILE maps to ENODATA; anything else is an error.
        Err(e) if e.to_errno() == -(kernel::bindings::ENODATA as i32) => return Ok(0),
        Err(e) => return Err(e),
    }
    let want: usize = dest.iter().map(PageSeg::len).sum();
    if landed > 0 {
        return Ok(landed.min(want));
    }
    let pdu = body(&reply)?;
    let r = ReadResponse::decode(pdu).map_err(|_| proto_error("READ"))?;
    let range = r
        .inline_range(pdu.len())
        .map_err(|_| proto_error("READ data"))?;
    let mut data = pdu.get(range).ok_or(EINVAL)?;
    let mut copied = 0usize;
    for seg in dest.iter_mut() {
        if data.is_empty() {
            break;
        }
        let n = seg.len().min(data.len());
        let (now, rest) = data.split_at(n);
        seg.as_mut_slice()
            .get_mut(..n)
            .ok_or(EINVAL)?
            .copy_from_slice(now);
        data = rest;
        copied = copied.saturating_add(n);
    }
    STATS.read_copied.add(copied as u64);
    Ok(copied)
}

/// Turns a WRITE reply into the bytes the server wrote of the `len` sent. A WRITE
/// that a byte-range lock refused is `EAGAIN`, unlike other refusals (`EACCES`):
/// writeback keeps such data to try again, and gives up on the rest.
fn write_result(reply: &Result<KVec<u8>>, len: usize) -> Result<usize> {
    if let Err(e) = checked(reply) {
        let by_lock = reply
            .as_ref()
            .ok()
            .and_then(|r| Header::decode(r).ok())
            .is_some_and(|h| {
                matches!(
                    h.status,
                    status::STATUS_FILE_LOCK_CONFLICT | status::STATUS_LOCK_NOT_GRANTED
                )
            });
        return Err(if by_lock { EAGAIN } else { e });
    }
    let w = WriteResponse::decode(body(reply)?).map_err(|_| proto_error("WRITE"))?;
    Ok((w.count as usize).min(len))
}

/// What runs with the reply of an asynchronous request, in place of a waiter; with
/// the reason, if the request cannot be sent.
pub(crate) enum ReplyHook {
    /// A READ: reports the bytes that landed in the sink.
    Read(IoCompletion),
    /// A WRITE of `len` bytes: reports how many the server wrote.
    Write { done: IoCompletion, len: usize },
    /// A CLOSE nobody waits for: its ticket goes with its reply.
    Close(CloseTicket),
}

impl ReplyHook {
    /// Reports the request's outcome, given the reply, the sink back (a READ's
    /// pages) and how many payload bytes landed in it.
    pub(crate) fn run(self, reply: Result<KVec<u8>>, mut sink: KVec<PageSeg>, landed: usize) {
        match self {
            Self::Read(done) => {
                let result = read_result(reply, &mut sink, landed);
                done.complete(result);
                // The sink's page references go only now, after `done` saw the pages.
                drop(sink);
            }
            // A WRITE's payload pages go with its message, after this.
            Self::Write { done, len } => done.complete(write_result(&reply, len)),
            Self::Close(ticket) => {
                if let Err(e) = checked(&reply) {
                    pr_debug!("CLOSE failed (error {})\n", e.to_errno());
                }
                drop(ticket);
            }
        }
    }
}

fn body(reply: &Result<KVec<u8>>) -> Result<&[u8]> {
    checked(reply)?;
    reply.as_ref().map(|r| r.as_slice()).map_err(|e| *e)
}

impl Tree {
    fn push_create(&self, req: &mut Request, path: &str, create: CreateRequest<'_>) -> Result {
        let hdr = self.session().header(Command::Create, self.tree_id);
        req.push(Command::Create, 1, room_for(path), |w| {
            let c = CreateRequest {
                name: WireName::Str(path),
                ..create
            };
            encode_pdu(&hdr, &c, w)
        })
    }

    /// Appends a CLOSE of `fid` (`flags`: `CLOSE_FLAG_*`).
    fn push_close(&self, req: &mut Request, fid: FileId, flags: u16) -> Result {
        let hdr = self.session().header(Command::Close, self.tree_id);
        req.push(Command::Close, 1, HEADER_SIZE + 32, |w| {
            encode_pdu(
                &hdr,
                &CloseRequest {
                    flags,
                    file_id: fid,
                },
                w,
            )
        })
    }

    fn push_set_info(
        &self,
        req: &mut Request,
        fid: FileId,
        data: InfoData<'_>,
        room: usize,
    ) -> Result {
        let hdr = self.session().header(Command::SetInfo, self.tree_id);
        // The only security descriptor set is a mode's, which is a DACL.
        let additional_information = match data {
            InfoData::SecurityDescriptor(_) => DACL_SECURITY_INFORMATION,
            _ => 0,
        };
        req.push(Command::SetInfo, 1, room, |w| {
            let set = SetInfoRequest {
                file_id: fid,
                additional_information,
                data,
            };
            encode_pdu(&hdr, &set, w)
        })
    }

    /// Returns the attributes of `path` (CREATE + QUERY_INFO + CLOSE).
    pub(crate) fn getattr(&self, path: &str) -> Result<Attr> {
        let mut req = Request::new(true);
        self.push_create(
            &mut req,
            path,
            CreateRequest {
                desired_access: FILE_READ_ATTRIBUTES,
                ..CreateRequest::default()
            },
        )?;
        self.query_all_and_close(req)
    }

    /// Completes a compound that starts with a CREATE: adds QUERY_INFO
    /// (FileAllInformation) and CLOSE, sends it and returns the attributes.
    fn query_all_and_close(&self, mut req: Request) -> Result<Attr> {
        self.push_query_all(&mut req, FileId::COMPOUND)?;
        self.push_close(&mut req, FileId::COMPOUND, 0)?;
        let replies = self.session().call_compound(req)?;
        let mut it = replies.iter();
        let (Some(create), Some(query)) = (it.next(), it.next()) else {
            return Err(EINVAL);
        };
        checked(create)?;
        self.info_attr(query)
    }

    /// Appends a QUERY_INFO of all of `fid`'s attributes (the compound's handle:
    /// [`FileId::COMPOUND`]): FilePosixInformation on a `posix` tree, else
    /// FileAllInformation. [`Tree::info_attr`] reads the reply.
    fn push_query_all(&self, req: &mut Request, fid: FileId) -> Result {
        let hdr = self.session().header(Command::QueryInfo, self.tree_id);
        let class = if self.posix {
            FILE_POSIX_INFORMATION
        } else {
            FILE_ALL_INFORMATION
        };
        req.push(Command::QueryInfo, 1, HEADER_SIZE + 48, |w| {
            let q = QueryInfoRequest::new(INFO_FILE, class, fid, 4096);
            encode_pdu(&hdr, &q, w)
        })
    }

    /// Turns the reply of [`Tree::push_query_all`]'s request into attributes.
    fn info_attr(&self, query: &Result<KVec<u8>>) -> Result<Attr> {
        if self.posix {
            posix_info_attr(query)
        } else {
            all_info_attr(query)
        }
    }

    /// The POSIX context of a CREATE on a `posix` tree: the mode a new file
    /// gets (what the VFS asks, the umask applied).
    fn posix_context(&self, mode: u32) -> Option<CreateContext<'static>> {
        self.posix.then_some(CreateContext::Posix {
            mode: mode & 0o7777,
        })
    }

    /// Sets the permission bits of `path` to `mode` on a `posix` tree: a DACL
    /// carrying the mode as the NFS mode SID (CREATE + SET_INFO + CLOSE).
    pub(crate) fn set_mode(&self, path: &str, mode: u32) -> Result {
        if !self.posix {
            return Err(errno(kernel::bindings::EOPNOTSUPP));
        }
        let mut sd = [0u8; MODE_SD_SIZE];
        encode_mode_sd(mode, &mut Writer::new(&mut sd)).map_err(|_| EINVAL)?;
        let create = CreateRequest {
            desired_access: WRITE_DAC,
            create_disposition: FILE_OPEN,
            ..CreateRequest::default()
        };
        let data = InfoData::SecurityDescriptor(&sd);
        self.set_info_by_path(path, create, data, HEADER_SIZE + 40 + MODE_SD_SIZE)
    }

    /// What an open under the lease key `key` (none: cache nothing) asks
    /// for: a lease context asking for [`LEASE_REQUEST`] if the server grants
    /// leases (v2, with an epoch, on SMB 3; v1 on 2.1), else a batch oplock.
    fn caching(&self, key: Option<&LeaseKey>) -> Caching {
        let Some(key) = key else {
            return Caching::Nothing;
        };
        let n = &self.session().negotiated;
        if n.capabilities & capabilities::LEASING == 0 {
            return Caching::Oplock;
        }
        Caching::Lease(CreateContext::Lease(Lease {
            key: *key,
            state: LEASE_REQUEST,
            flags: 0,
            duration: 0,
            v2: n.dialect.is_smb3().then(LeaseV2::default),
        }))
    }

    /// Sends the single CREATE `create` of `path` with the `extra` contexts and,
    /// under the lease key `key` (if any), a lease context or a batch oplock
    /// request ([`Self::caching`]); returns what `take` makes of the reply.
    /// Should the server refuse the lease ([`lease_refused`]: a key it holds
    /// for another file, as Samba does for the other name of a hard link),
    /// sends it again without. Also returns the lease or oplock granted.
    fn create_leased<T>(
        &self,
        path: &str,
        create: CreateRequest<'_>,
        key: Option<&LeaseKey>,
        extra: &[CreateContext<'_>],
        take: impl Fn(&CreateResponse<'_>) -> T,
    ) -> Result<(T, Granted)> {
        let send = |caching: &Caching| -> Result<Option<(T, Granted)>> {
            let mut all = [CreateContext::QueryOnDiskId; MAX_CREATE_CONTEXTS];
            let mut n = 0;
            let (lease, level) = match caching {
                Caching::Lease(lease) => (Some(lease), OPLOCK_LEVEL_LEASE),
                Caching::Oplock => (None, OPLOCK_LEVEL_BATCH),
                Caching::Nothing => (None, OPLOCK_LEVEL_NONE),
            };
            for c in Iterator::chain(lease.into_iter(), extra) {
                *all.get_mut(n).ok_or(EINVAL)? = *c;
                n += 1;
            }
            let mut req = Request::new(false);
            self.push_create(
                &mut req,
                path,
                CreateRequest {
                    requested_oplock_level: level,
                    contexts: CreateContexts::Items(all.get(..n).ok_or(EINVAL)?),
                    ..create
                },
            )?;
            let replies = self.session().call_compound(req)?;
            let reply = replies.first().ok_or(EINVAL)?;
            if lease.is_some() && lease_refused(reply) {
                return Ok(None);
            }
            let r = CreateResponse::decode(body(reply)?).map_err(|_| proto_error("CREATE"))?;
            let granted = match caching {
                Caching::Lease(_) => granted_lease(&r),
                Caching::Oplock => granted_oplock(&r, self.session().cookie),
                Caching::Nothing => Granted::default(),
            };
            Ok(Some((take(&r), granted)))
        };
        let caching = self.caching(key);
        if let Caching::Lease(_) = caching {
            if let Some(t) = send(&caching)? {
                return Ok(t);
            }
        }
        let caching = match caching {
            Caching::Lease(_) => Caching::Nothing,
            other => other,
        };
        send(&caching)?.ok_or(EINVAL)
    }

    /// Opens the regular file `path` for `access`, creating it unless it exists
    /// (failing if it does when `exclusive`), and keeps the handle: one CREATE,
    /// where lookup, create and open took three. Asks for a lease under `lease`.
    /// Returns the handle, the attributes (with the index number) and whether
    /// the file was created.
    ///
    /// The CREATE reply carries the times, sizes and attributes; the index
    /// number comes from an on-disk id query (QFid, whose DiskFileId is the
    /// index number on Samba, ksmbd and Windows, as cifs.ko takes it too). A
    /// new file has one link. An existing file, whose link count the reply does
    /// not tell, or a server that answers no id, costs a QUERY_INFO more; so
    /// does any file on a `posix` tree, for its mode and owners. A new file
    /// gets the permission bits `mode` where the server keeps them.
    pub(crate) fn open_create(
        &self,
        path: &str,
        access: u32,
        exclusive: bool,
        lease: Option<&LeaseKey>,
        mode: u32,
    ) -> Result<(FileId, Attr, bool, Granted)> {
        let create = CreateRequest {
            desired_access: access | FILE_READ_ATTRIBUTES,
            create_disposition: if exclusive { FILE_CREATE } else { FILE_OPEN_IF },
            create_options: FILE_NON_DIRECTORY_FILE,
            ..CreateRequest::default()
        };
        let mut extra = [CreateContext::QueryOnDiskId; 2];
        let extra = match self.posix_context(mode) {
            Some(posix) => {
                extra[1] = posix;
                &extra[..]
            }
            None => &extra[..1],
        };
        let ((fid, mut attr, created, disk_id), granted) =
            self.create_leased(path, create, lease, extra, |r| {
                let disk_id = r.contexts.find(CONTEXT_QUERY_ON_DISK_ID).ok().flatten();
                let disk_id = match disk_id.and_then(|c| c.parse_response().ok()) {
                    Some(CreateContext::OnDiskId { disk_file_id, .. }) => disk_file_id,
                    _ => 0,
                };
                let created = r.create_action == FILE_CREATED;
                (r.file_id, handle_attr(&r.attrs), created, disk_id)
            })?;
        if created && disk_id != 0 && !self.posix {
            attr.uniqueid = disk_id;
            return Ok((fid, attr, created, granted));
        }
        let mut req = Request::new(false);
        self.push_query_all(&mut req, fid)?;
        let queried = self
            .session()
            .call_compound(req)
            .and_then(|replies| self.info_attr(replies.first().ok_or(EINVAL)?));
        match queried {
            Ok(attr) => Ok((fid, attr, created, granted)),
            Err(e) => {
                // The handle is open: do not leak it on the server.
                let _ = self.close(fid);
                Err(e)
            }
        }
    }

    /// Opens `path` for `access` (a directory when `dir`), asking for a lease
    /// under `lease`; returns the handle, the attributes the CREATE reply
    /// carries (without an index number) and the lease granted.
    pub(crate) fn open(
        &self,
        path: &str,
        access: u32,
        dir: bool,
        lease: Option<&LeaseKey>,
    ) -> Result<(FileId, Attr, Granted)> {
        let create = CreateRequest {
            desired_access: access | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            create_options: if dir { FILE_DIRECTORY_FILE } else { 0 },
            ..CreateRequest::default()
        };
        self.create_leased(path, create, lease, &[], |r| {
            (r.file_id, handle_attr(&r.attrs))
        })
        .map(|((fid, attr), granted)| (fid, attr, granted))
    }

    /// Acknowledges a lease break: `state` is the lease state kept.
    pub(crate) fn lease_ack(&self, key: &LeaseKey, state: u32) -> Result {
        let mut req = Request::new(false);
        // The server may hold another client's open until it comes.
        req.killable = false;
        let hdr = self.session().header(Command::OplockBreak, self.tree_id);
        req.push(Command::OplockBreak, 1, HEADER_SIZE + 40, |w| {
            let ack = LeaseBreakAck {
                lease_key: *key,
                lease_state: state,
                ..LeaseBreakAck::default()
            };
            encode_pdu(&hdr, &ack, w)
        })?;
        self.call_for_status(req)
    }

    /// Acknowledges the break of the oplock of handle `fid`, keeping the level
    /// `level` (`OPLOCK_LEVEL_II` or `OPLOCK_LEVEL_NONE`: at most what the
    /// break left).
    pub(crate) fn oplock_ack(&self, fid: FileId, level: u8) -> Result {
        let mut req = Request::new(false);
        // The server may hold another client's open until it comes.
        req.killable = false;
        let hdr = self.session().header(Command::OplockBreak, self.tree_id);
        req.push(Command::OplockBreak, 1, HEADER_SIZE + 24, |w| {
            let ack = OplockBreak {
                oplock_level: level,
                file_id: fid,
            };
            encode_pdu(&hdr, &ack, w)
        })?;
        self.call_for_status(req)
    }

    /// Closes a handle.
    pub(crate) fn close(&self, fid: FileId) -> Result {
        let mut req = Request::new(false);
        // Even a dying task's close goes out: a handle left open would keep
        // the file (delete pending) and its locks until unmount.
        req.killable = false;
        self.push_close(&mut req, fid, 0)?;
        self.call_for_status(req)
    }

    /// Closes a handle of the file `key` (its server inode number) without
    /// waiting for the reply (errors are only logged, as nothing is left to do
    /// about them). Removing and renaming wait for it first
    /// ([`Closes::barrier`](super::closes::Closes::barrier)).
    pub(crate) fn close_nowait(&self, fid: FileId, key: u64) -> Result {
        let Ok(ticket) = self.session().closes.ticket(key) else {
            return self.close(fid);
        };
        let mut req = Request::new(false);
        req.killable = false;
        self.push_close(&mut req, fid, 0)?;
        req.set_hook(ReplyHook::Close(ticket))?;
        self.session().submit(req)
    }

    /// Closes a handle and returns the file's attributes as the server has them
    /// after the close (`None` if the server does not say), times of the
    /// handle's own writes included.
    pub(crate) fn close_query(&self, fid: FileId) -> Result<Option<Attr>> {
        let mut req = Request::new(false);
        self.push_close(&mut req, fid, CLOSE_FLAG_POSTQUERY_ATTRIB)?;
        let replies = self.session().call_compound(req)?;
        let reply = replies.first().ok_or(EINVAL)?;
        checked(reply)?;
        let r = CloseResponse::decode(body(reply)?).map_err(|_| proto_error("CLOSE"))?;
        Ok(r.post_query().map(handle_attr))
    }

    /// Creates `path` (a directory when `dir`, with the permission bits `mode`
    /// where the server keeps them), failing if it exists, and returns its
    /// attributes (CREATE + QUERY_INFO + CLOSE).
    pub(crate) fn create(&self, path: &str, dir: bool, mode: u32) -> Result<Attr> {
        let posix = self.posix_context(mode);
        let mut req = Request::new(true);
        self.push_create(
            &mut req,
            path,
            CreateRequest {
                desired_access: FILE_READ_ATTRIBUTES,
                create_disposition: FILE_CREATE,
                create_options: if dir {
                    FILE_DIRECTORY_FILE
                } else {
                    FILE_NON_DIRECTORY_FILE
                },
                file_attributes: if dir { FILE_ATTRIBUTE_DIRECTORY } else { 0 },
                contexts: CreateContexts::Items(posix.as_slice()),
                ..CreateRequest::default()
            },
        )?;
        self.query_all_and_close(req)
    }

    /// Creates the regular file `path` holding `data` (at most a few KiB), failing
    /// if it exists, and returns its attributes: CREATE + WRITE + QUERY_INFO +
    /// CLOSE, one round trip. Used for symlink files.
    pub(crate) fn create_with(&self, path: &str, data: &[u8]) -> Result<Attr> {
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        let mut req = Request::new(true);
        self.push_create(
            &mut req,
            path,
            CreateRequest {
                desired_access: FILE_WRITE_DATA | FILE_READ_ATTRIBUTES,
                create_disposition: FILE_CREATE,
                create_options: FILE_NON_DIRECTORY_FILE,
                ..CreateRequest::default()
            },
        )?;
        let hdr = self.session().header(Command::Write, self.tree_id);
        req.push(Command::Write, 1, HEADER_SIZE + 56 + data.len(), |w| {
            encode_pdu(&hdr, &WriteRequest::new(FileId::COMPOUND, 0, len), w)?;
            w.bytes(data)?;
            Ok(w.pos())
        })?;
        self.push_query_all(&mut req, FileId::COMPOUND)?;
        self.push_close(&mut req, FileId::COMPOUND, 0)?;
        let replies = self.session().call_compound(req)?;
        let mut it = replies.iter();
        let (Some(create), Some(write), Some(query)) = (it.next(), it.next(), it.next()) else {
            return Err(EINVAL);
        };
        checked(create)?;
        let w = WriteResponse::decode(body(write)?).map_err(|_| proto_error("WRITE"))?;
        if w.count != len {
            // A short write leaves a file that is not what was asked for.
            let _ = self.remove(path, false);
            return Err(EIO);
        }
        self.info_attr(query)
    }

    /// Reads the first `len` bytes (at most a page) of the regular file `path`:
    /// CREATE + READ + CLOSE, one round trip. Returns a buffer and how many of its
    /// bytes were read (fewer at the end of file).
    pub(crate) fn read_head(&self, path: &str, len: u32) -> Result<(PageSeg, usize)> {
        let mut req = Request::new(true);
        self.push_create(
            &mut req,
            path,
            CreateRequest {
                desired_access: FILE_READ_DATA | FILE_READ_ATTRIBUTES,
                create_disposition: FILE_OPEN,
                create_options: FILE_NON_DIRECTORY_FILE,
                ..CreateRequest::default()
            },
        )?;
        // A multiple of 8: ksmbd (6.12) pads a READ reply followed by another
        // reply in a compound to 8 bytes by reading past its data buffer, which
        // is only as long as asked for (a KASAN report on the server, and stray
        // server memory on the wire).
        let ask = len.checked_next_multiple_of(8).ok_or(EINVAL)?;
        let hdr = self.session().header(Command::Read, self.tree_id);
        req.push(Command::Read, 1, HEADER_SIZE + 56, |w| {
            encode_pdu(&hdr, &ReadRequest::new(FileId::COMPOUND, 0, ask), w)
        })?;
        self.push_close(&mut req, FileId::COMPOUND, 0)?;
        let mut buf = PageSeg::alloc(len as usize)?;
        let mut replies = self.session().call_compound(req)?;
        checked(replies.first().ok_or(EINVAL)?)?;
        let read = replies.get_mut(1).ok_or(EINVAL)?;
        let read = core::mem::replace(read, Ok(KVec::new()));
        let n = read_result(read, core::slice::from_mut(&mut buf), 0)?;
        Ok((buf, n))
    }

    /// Sends a single request whose reply's status is all the result there is.
    fn call_for_status(&self, req: Request) -> Result {
        let replies = self.session().call_compound(req)?;
        checked(replies.first().ok_or(EINVAL)?).map(drop)
    }

    /// Opens `path` as `create` says, sets `data` on it and closes it: one related
    /// compound, whose CREATE and SET_INFO statuses are the result.
    fn set_info_by_path(
        &self,
        path: &str,
        create: CreateRequest<'_>,
        data: InfoData<'_>,
        room: usize,
    ) -> Result {
        let mut req = Request::new(true);
        self.push_create(&mut req, path, create)?;
        self.push_set_info(&mut req, FileId::COMPOUND, data, room)?;
        self.push_close(&mut req, FileId::COMPOUND, 0)?;
        let replies = self.session().call_compound(req)?;
        let mut it = replies.iter();
        let (Some(create), Some(set)) = (it.next(), it.next()) else {
            return Err(EINVAL);
        };
        checked(create)?;
        checked(set).map(drop)
    }

    /// Removes `path` (a directory when `dir`) with the delete disposition, which,
    /// unlike delete-on-close, is refused at once for a non-empty directory
    /// (STATUS_DIRECTORY_NOT_EMPTY).
    pub(crate) fn remove(&self, path: &str, dir: bool) -> Result {
        let create = CreateRequest {
            desired_access: DELETE | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            create_options: if dir {
                FILE_DIRECTORY_FILE
            } else {
                FILE_NON_DIRECTORY_FILE
            },
            ..CreateRequest::default()
        };
        self.set_info_by_path(path, create, InfoData::Disposition(true), HEADER_SIZE + 48)
    }

    /// Renames `from` to `to`, replacing an existing `to` when `replace`.
    pub(crate) fn rename(&self, from: &str, to: &str, replace: bool) -> Result {
        let access = DELETE | FILE_READ_ATTRIBUTES;
        self.set_name(from, to, access, 0, replace, InfoData::Rename)
    }

    /// Gives the file at `from` a second name `to` (a hard link); an existing `to`
    /// is an error (STATUS_OBJECT_NAME_COLLISION), never replaced.
    pub(crate) fn link(&self, from: &str, to: &str) -> Result {
        let (access, options) = (FILE_READ_ATTRIBUTES, FILE_NON_DIRECTORY_FILE);
        self.set_name(from, to, access, options, false, InfoData::Link)
    }

    /// Opens `from` with `access` and `options` and gives it the name `to` through
    /// `class` (FileRenameInformation or FileLinkInformation: one layout).
    fn set_name<'a>(
        &self,
        from: &str,
        to: &'a str,
        access: u32,
        options: u32,
        replace: bool,
        class: fn(FileRenameInfo<'a>) -> InfoData<'a>,
    ) -> Result {
        let create = CreateRequest {
            desired_access: access,
            create_disposition: FILE_OPEN,
            create_options: options,
            ..CreateRequest::default()
        };
        let info = FileRenameInfo {
            replace_if_exists: replace,
            root_directory: 0,
            name: WireName::Str(to),
        };
        self.set_info_by_path(from, create, class(info), room_for(to))
    }

    /// Returns the extended attributes of `path` as a FileFullEaInformation list
    /// (CREATE + QUERY_INFO + CLOSE); a file without any gives an empty list, a set
    /// larger than [`EA_LIST_MAX`] E2BIG.
    pub(crate) fn query_eas(&self, path: &str) -> Result<KVec<u8>> {
        let mut req = Request::new(true);
        self.push_create(
            &mut req,
            path,
            CreateRequest {
                desired_access: FILE_READ_EA | FILE_READ_ATTRIBUTES,
                create_disposition: FILE_OPEN,
                ..CreateRequest::default()
            },
        )?;
        let hdr = self.session().header(Command::QueryInfo, self.tree_id);
        req.push(Command::QueryInfo, 1, HEADER_SIZE + 48, |w| {
            let q = QueryInfoRequest::new(
                INFO_FILE,
                FILE_FULL_EA_INFORMATION,
                FileId::COMPOUND,
                EA_LIST_MAX,
            );
            encode_pdu(&hdr, &q, w)
        })?;
        self.push_close(&mut req, FileId::COMPOUND, 0)?;
        let replies = self.session().call_compound(req)?;
        let mut it = replies.iter();
        let (Some(create), Some(query)) = (it.next(), it.next()) else {
            return Err(EINVAL);
        };
        checked(create)?;
        let hdr = match checked(query) {
            Ok(hdr) => hdr,
            Err(e) if e.to_errno() == -(kernel::bindings::ENODATA as i32) => return Ok(KVec::new()),
            Err(e) => return Err(e),
        };
        // A truncated list (STATUS_BUFFER_OVERFLOW) would hide attributes.
        if hdr.status == status::STATUS_BUFFER_OVERFLOW {
            return Err(E2BIG);
        }
        let out = QueryInfoResponse::decode(body(query)?).map_err(|_| proto_error("QUERY_INFO"))?;
        let mut list = KVec::with_capacity(out.output.len(), GFP_KERNEL)?;
        list.extend_from_slice(out.output, GFP_KERNEL)?;
        Ok(list)
    }

    /// Sets the extended attribute `name` of `path` to `value`; an empty value
    /// removes it (CREATE + SET_INFO + CLOSE).
    pub(crate) fn set_ea(&self, path: &str, name: &[u8], value: &[u8]) -> Result {
        let len = full_ea_len(name, value);
        if len > EA_SET_MAX {
            return Err(E2BIG);
        }
        let mut list = KVec::new();
        list.extend_with(len, 0u8, GFP_KERNEL)?;
        encode_full_ea(&mut Writer::new(&mut list), name, value).map_err(|_| E2BIG)?;
        let create = CreateRequest {
            desired_access: FILE_WRITE_EA | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            ..CreateRequest::default()
        };
        let data = InfoData::Raw {
            info_type: INFO_FILE,
            class: FILE_FULL_EA_INFORMATION,
            data: &list,
        };
        self.set_info_by_path(path, create, data, HEADER_SIZE + 64 + len)
    }

    /// Sets the size of `path` (truncate or extend).
    pub(crate) fn set_size(&self, path: &str, size: u64) -> Result {
        let create = CreateRequest {
            desired_access: FILE_WRITE_DATA | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            ..CreateRequest::default()
        };
        self.set_info_by_path(path, create, InfoData::EndOfFile(size), HEADER_SIZE + 64)
    }

    /// Sets the access and write times (FILETIME; 0 leaves one unchanged) of
    /// the file open as `fid` if given, else of `path`. A write time set through
    /// a handle that wrote stays; set through another, Samba replaces it with
    /// the time of the writer's close.
    pub(crate) fn set_times(
        &self,
        path: &str,
        fid: Option<FileId>,
        atime: u64,
        mtime: u64,
    ) -> Result {
        let basic = FileBasicInfo {
            last_access_time: atime,
            last_write_time: mtime,
            ..FileBasicInfo::default()
        };
        if let Some(fid) = fid {
            let mut req = Request::new(false);
            self.push_set_info(&mut req, fid, InfoData::Basic(basic), HEADER_SIZE + 96)?;
            return self.call_for_status(req);
        }
        let create = CreateRequest {
            desired_access: FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            ..CreateRequest::default()
        };
        self.set_info_by_path(path, create, InfoData::Basic(basic), HEADER_SIZE + 96)
    }

    /// Sets the DOS attributes of `path` to `attributes` (never 0, which
    /// would leave them unchanged): CREATE + SET_INFO + CLOSE.
    pub(crate) fn set_attributes(&self, path: &str, attributes: u32) -> Result {
        if attributes == 0 {
            return Err(EINVAL);
        }
        let basic = FileBasicInfo {
            file_attributes: attributes,
            ..FileBasicInfo::default()
        };
        let create = CreateRequest {
            desired_access: FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES,
            create_disposition: FILE_OPEN,
            ..CreateRequest::default()
        };
        self.set_info_by_path(path, create, InfoData::Basic(basic), HEADER_SIZE + 96)
    }

    /// Returns the largest READ or WRITE to issue.
    pub(crate) fn io_size(&self) -> u32 {
        let n = &self.session().negotiated;
        if n.large_mtu() {
            n.max_read.min(n.max_write).clamp(4096, MAX_IO)
        } else {
            65536
        }
    }

    fn charge(&self, len: usize) -> u16 {
        if self.session().negotiated.large_mtu() {
            credit_charge(len)
        } else {
            1
        }
    }

    /// Builds the READ of `dest`'s length at `offset`, with `dest` as its sink.
    fn read_request(&self, fid: FileId, offset: u64, dest: KVec<PageSeg>) -> Result<Request> {
        let want: usize = dest.iter().map(PageSeg::len).sum();
        let len = u32::try_from(want).map_err(|_| EINVAL)?;
        let hdr = self.session().header(Command::Read, self.tree_id);
        let mut req = Request::new(false);
        req.push(Command::Read, self.charge(want), HEADER_SIZE + 56, |w| {
            encode_pdu(&hdr, &ReadRequest::new(fid, offset, len), w)
        })?;
        req.set_sink(dest)?;
        Ok(req)
    }

    /// Reads up to the length of `dest` (page-cache folios, taken as one run) at
    /// `offset`; returns the bytes read (0 at EOF). The payload normally lands
    /// straight in the pages; a reply that cannot (a compound, a reply larger than
    /// asked for) is copied in, and counted as such.
    pub(crate) fn read(&self, fid: FileId, offset: u64, dest: KVec<PageSeg>) -> Result<usize> {
        let req = self.read_request(fid, offset, dest)?;
        let (reply, mut dest, landed) = self.session().call_with_sink(req)?;
        read_result(reply, &mut dest, landed)
    }

    /// Like [`read`](Self::read), without waiting: `done` gets the result once the
    /// reply is in (or the channel fails), from the receiver's thread or whichever
    /// fails the channel; if the READ cannot be sent, from this call, with why.
    pub(crate) fn read_async(
        &self,
        fid: FileId,
        offset: u64,
        dest: KVec<PageSeg>,
        done: IoCompletion,
    ) -> Result {
        let mut req = match self.read_request(fid, offset, dest) {
            Ok(req) => req,
            Err(e) => {
                done.complete(Err(e));
                return Err(e);
            }
        };
        req.set_hook(ReplyHook::Read(done))?;
        self.session().submit(req)
    }

    /// Builds the WRITE of `payload` (page segments, spliced as they are) at
    /// `offset`; returns it with the payload's length.
    fn write_request(
        &self,
        fid: FileId,
        offset: u64,
        payload: KVec<PageSeg>,
    ) -> Result<(Request, usize)> {
        let len: usize = payload.iter().map(PageSeg::len).sum();
        let len32 = u32::try_from(len).map_err(|_| EINVAL)?;
        let hdr = self.session().header(Command::Write, self.tree_id);
        let mut req = Request::new(false);
        req.push(Command::Write, self.charge(len), HEADER_SIZE + 56, |w| {
            encode_pdu(&hdr, &WriteRequest::new(fid, offset, len32), w)
        })?;
        req.append_payload(payload)?;
        Ok((req, len))
    }

    /// Writes `payload` (page segments, spliced as they are) at `offset`, without
    /// waiting, as [`read_async`](Self::read_async) reads: `done` gets the bytes the
    /// server wrote. The payload's page references are held until the reply is in.
    /// Unless `killable`, a fatal signal does not stop the send (writeback).
    pub(crate) fn write_async(
        &self,
        fid: FileId,
        offset: u64,
        payload: KVec<PageSeg>,
        done: IoCompletion,
        killable: bool,
    ) -> Result {
        let (mut req, len) = match self.write_request(fid, offset, payload) {
            Ok(built) => built,
            Err(e) => {
                done.complete(Err(e));
                return Err(e);
            }
        };
        req.killable = killable;
        req.set_hook(ReplyHook::Write { done, len })?;
        self.session().submit(req)
    }

    /// Asks the server to make a handle's writes durable.
    pub(crate) fn flush(&self, fid: FileId) -> Result {
        let hdr = self.session().header(Command::Flush, self.tree_id);
        let mut req = Request::new(false);
        req.push(Command::Flush, 1, HEADER_SIZE + 32, |w| {
            encode_pdu(&hdr, &FlushRequest { file_id: fid }, w)
        })?;
        self.call_for_status(req)
    }

    /// Zeroes `[start, end)` of the file open as `fid` (FSCTL_SET_ZERO_DATA; the
    /// server may deallocate the range, and never changes the size).
    pub(crate) fn zero_range(&self, fid: FileId, start: u64, end: u64) -> Result {
        let mut input = [0u8; 16];
        let (first, beyond) = input.split_at_mut(8);
        first.copy_from_slice(&start.to_le_bytes());
        beyond.copy_from_slice(&end.to_le_bytes());
        let hdr = self.session().header(Command::Ioctl, self.tree_id);
        let mut req = Request::new(false);
        req.push(Command::Ioctl, 1, HEADER_SIZE + 56 + 16, |w| {
            encode_pdu(
                &hdr,
                &IoctlRequest::fsctl(FSCTL_SET_ZERO_DATA, fid, &input, 0),
                w,
            )
        })?;
        self.call_for_status(req)
    }

    /// Takes or releases (`flags`: `LOCKFLAG_*`) one byte-range lock of the handle
    /// `fid`; a lock another handle holds is EACCES.
    pub(crate) fn lock(&self, fid: FileId, offset: u64, length: u64, flags: u32) -> Result {
        let element = [LockElement {
            offset,
            length,
            flags,
        }];
        let hdr = self.session().header(Command::Lock, self.tree_id);
        let mut req = Request::new(false);
        req.push(Command::Lock, 1, HEADER_SIZE + 48 + 24, |w| {
            let lock = LockRequest {
                lock_sequence: 0,
                file_id: fid,
                locks: FixedList::Items(&element),
            };
            encode_pdu(&hdr, &lock, w)
        })?;
        self.call_for_status(req)
    }

    /// Sets the size of the file open as `fid`.
    pub(crate) fn set_size_of(&self, fid: FileId, size: u64) -> Result {
        let mut req = Request::new(false);
        self.push_set_info(&mut req, fid, InfoData::EndOfFile(size), HEADER_SIZE + 64)?;
        self.call_for_status(req)
    }

    /// Fetches the next batch of entries of the directory open as `fid` (from the
    /// start when `restart`): the QUERY_DIRECTORY reply, to walk with
    /// [`dir_entries`]; `None` once the listing is complete.
    pub(crate) fn list_dir(&self, fid: FileId, restart: bool) -> Result<Option<KVec<u8>>> {
        const OUT: u32 = 65536;
        let hdr = self.session().header(Command::QueryDirectory, self.tree_id);
        let mut req = Request::new(false);
        req.push(
            Command::QueryDirectory,
            self.charge(OUT as usize),
            HEADER_SIZE + 48,
            |w| {
                let mut q = QueryDirectoryRequest::new(DIR_CLASS, fid, OUT);
                q.pattern = WireName::Str("*");
                if restart {
                    q.flags |= RESTART_SCANS;
                }
                encode_pdu(&hdr, &q, w)
            },
        )?;
        let mut replies = self.session().call_compound(req)?;
        let reply = replies.first_mut().ok_or(EINVAL)?;
        let hdr = Header::decode(reply.as_ref().map_err(|e| *e)?)
            .map_err(|_| proto_error("SMB2 header"))?;
        if hdr.status == status::STATUS_NO_MORE_FILES {
            return Ok(None);
        }
        checked(reply)?;
        let buf = core::mem::replace(reply, Ok(KVec::new()))?;
        // Validate now, so that walking it later cannot meet a malformed reply.
        for entry in dir_entries(&buf)? {
            entry.map_err(|_| proto_error("directory entry"))?;
        }
        Ok(Some(buf))
    }
}

/// The class directory listings use: names, times, sizes and the file id.
const DIR_CLASS: DirClass = DirClass::IdBothDirectory;

/// Walks the entries of a QUERY_DIRECTORY reply from [`Tree::list_dir`] (including
/// `.` and `..`).
pub(crate) fn dir_entries(reply: &[u8]) -> Result<DirEntries<'_>> {
    let r = QueryDirectoryResponse::decode(reply).map_err(|_| proto_error("QUERY_DIRECTORY"))?;
    Ok(r.entries(DIR_CLASS))
}

/// Whether the CREATE `reply`, which asked for a lease, was refused as an
/// invalid parameter: perhaps for its lease key, so worth a try without.
fn lease_refused(reply: &Result<KVec<u8>>) -> bool {
    let hdr = reply.as_ref().ok().and_then(|r| Header::decode(r).ok());
    hdr.is_some_and(|h| h.status == status::STATUS_INVALID_PARAMETER)
}

/// The lease a CREATE reply grants, counted (`/proc/fs/smb3rs/Stats`). One
/// granted while a break of it is under way is taken as none: its state is the
/// one being broken, and the break tells what is left.
fn granted_lease(r: &CreateResponse<'_>) -> Granted {
    let granted = r
        .contexts
        .find(CONTEXT_REQUEST_LEASE)
        .ok()
        .flatten()
        .and_then(|c| c.parse_response().ok());
    match granted {
        Some(CreateContext::Lease(l))
            if l.state & LEASE_READ_CACHING != 0 && l.flags & LEASE_FLAG_BREAK_IN_PROGRESS == 0 =>
        {
            STATS.leases.inc();
            Granted {
                state: l.state,
                epoch: l.v2.map_or(0, |v2| v2.epoch),
                oplock_owner: 0,
            }
        }
        _ => Granted::default(),
    }
}

/// The oplock a CREATE reply grants to a handle of the session `owner`,
/// counted (`/proc/fs/smb3rs/Stats`), as the lease state it amounts to. None
/// granted is still the handle's oplock (of no level): what it lets us cache
/// is its own, not a lease's.
fn granted_oplock(r: &CreateResponse<'_>, owner: u64) -> Granted {
    if r.oplock_level != OPLOCK_LEVEL_NONE {
        STATS.oplocks.inc();
    }
    Granted {
        state: oplock_state(r.oplock_level),
        epoch: 0,
        oplock_owner: owner,
    }
}

/// The attributes a CREATE or CLOSE reply carries (without an index number or
/// link count).
fn handle_attr(a: &FileAttrs) -> Attr {
    Attr {
        uniqueid: 0,
        btime: a.creation_time,
        size: a.end_of_file,
        allocation: a.allocation_size,
        atime: a.last_access_time,
        mtime: a.last_write_time,
        ctime: a.change_time,
        attributes: a.file_attributes,
        nlink: 1,
        posix: None,
    }
}

/// Turns a QUERY_INFO(FileAllInformation) reply into attributes.
fn all_info_attr(query: &Result<KVec<u8>>) -> Result<Attr> {
    let out = QueryInfoResponse::decode(body(query)?).map_err(|_| proto_error("QUERY_INFO"))?;
    let all = FileAllInfo::decode(out.output).map_err(|_| proto_error("FileAllInformation"))?;
    Ok(Attr {
        uniqueid: all.index_number,
        btime: all.basic.creation_time,
        size: all.standard.end_of_file,
        allocation: all.standard.allocation_size,
        atime: all.basic.last_access_time,
        mtime: all.basic.last_write_time,
        ctime: all.basic.change_time,
        attributes: all.basic.file_attributes,
        nlink: all.standard.number_of_links,
        posix: None,
    })
}

/// Turns a QUERY_INFO(FilePosixInformation) reply into attributes.
fn posix_info_attr(query: &Result<KVec<u8>>) -> Result<Attr> {
    let out = QueryInfoResponse::decode(body(query)?).map_err(|_| proto_error("QUERY_INFO"))?;
    let p = FilePosixInfo::decode(out.output).map_err(|_| proto_error("FilePosixInformation"))?;
    Ok(Attr {
        uniqueid: p.inode,
        btime: p.creation_time,
        size: p.end_of_file,
        allocation: p.allocation_size,
        atime: p.last_access_time,
        mtime: p.last_write_time,
        ctime: p.change_time,
        attributes: p.dos_attributes,
        nlink: p.hard_links,
        posix: Some(PosixAttr {
            mode: p.mode & 0o7777,
            uid: unix_uid(&p.owner),
            gid: unix_gid(&p.group),
        }),
    })
}
