// SPDX-License-Identifier: GPL-2.0

//! CREATE (MS-SMB2 2.2.13, 2.2.14) with its create contexts: durable handles v1/v2,
//! leases v1/v2, maximal access, on-disk id, allocation size and the SMB 3.1.1 POSIX
//! extensions context.
//!
//! Create contexts are a chain of 8-byte aligned entries, each `Next`, `NameOffset`,
//! `NameLength`, `Reserved`, `DataOffset`, `DataLength` (offsets relative to the entry)
//! followed by the name and the data. [`CreateContext`] is the typed form; received
//! chains are walked with [`contexts`] yielding [`RawContext`]s that
//! [`RawContext::parse_request`] / [`RawContext::parse_response`] turn into typed ones.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::types::{FileAttrs, FileId, Sid, Utf16Str, WireName};

/// Oplock level: none.
pub const OPLOCK_LEVEL_NONE: u8 = 0x00;
/// Oplock level: level II (shared read caching).
pub const OPLOCK_LEVEL_II: u8 = 0x01;
/// Oplock level: exclusive.
pub const OPLOCK_LEVEL_EXCLUSIVE: u8 = 0x08;
/// Oplock level: batch.
pub const OPLOCK_LEVEL_BATCH: u8 = 0x09;
/// Oplock level: a lease context governs caching.
pub const OPLOCK_LEVEL_LEASE: u8 = 0xFF;

/// Impersonation level: anonymous.
pub const IMPERSONATION_ANONYMOUS: u32 = 0;
/// Impersonation level: identification.
pub const IMPERSONATION_IDENTIFICATION: u32 = 1;
/// Impersonation level: impersonation (what clients normally send).
pub const IMPERSONATION_IMPERSONATION: u32 = 2;
/// Impersonation level: delegate.
pub const IMPERSONATION_DELEGATE: u32 = 3;

/// Access right: read data / list directory.
pub const FILE_READ_DATA: u32 = 0x0000_0001;
/// Access right: list directory (same bit as read data).
pub const FILE_LIST_DIRECTORY: u32 = 0x0000_0001;
/// Access right: write data / add file.
pub const FILE_WRITE_DATA: u32 = 0x0000_0002;
/// Access right: add a file to a directory (same bit as write data).
pub const FILE_ADD_FILE: u32 = 0x0000_0002;
/// Access right: append data / add subdirectory.
pub const FILE_APPEND_DATA: u32 = 0x0000_0004;
/// Access right: add a subdirectory (same bit as append data).
pub const FILE_ADD_SUBDIRECTORY: u32 = 0x0000_0004;
/// Access right: read extended attributes.
pub const FILE_READ_EA: u32 = 0x0000_0008;
/// Access right: write extended attributes.
pub const FILE_WRITE_EA: u32 = 0x0000_0010;
/// Access right: execute / traverse.
pub const FILE_EXECUTE: u32 = 0x0000_0020;
/// Access right: traverse a directory (same bit as execute).
pub const FILE_TRAVERSE: u32 = 0x0000_0020;
/// Access right: delete children of a directory.
pub const FILE_DELETE_CHILD: u32 = 0x0000_0040;
/// Access right: read attributes.
pub const FILE_READ_ATTRIBUTES: u32 = 0x0000_0080;
/// Access right: write attributes.
pub const FILE_WRITE_ATTRIBUTES: u32 = 0x0000_0100;
/// Access right: delete.
pub const DELETE: u32 = 0x0001_0000;
/// Access right: read the security descriptor.
pub const READ_CONTROL: u32 = 0x0002_0000;
/// Access right: write the DACL.
pub const WRITE_DAC: u32 = 0x0004_0000;
/// Access right: change the owner.
pub const WRITE_OWNER: u32 = 0x0008_0000;
/// Access right: synchronize.
pub const SYNCHRONIZE: u32 = 0x0010_0000;
/// Access right: read/write the SACL.
pub const ACCESS_SYSTEM_SECURITY: u32 = 0x0100_0000;
/// Access right: the maximum allowed.
pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
/// Generic right: all.
pub const GENERIC_ALL: u32 = 0x1000_0000;
/// Generic right: execute.
pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
/// Generic right: write.
pub const GENERIC_WRITE: u32 = 0x4000_0000;
/// Generic right: read.
pub const GENERIC_READ: u32 = 0x8000_0000;

/// Share access: others may read.
pub const FILE_SHARE_READ: u32 = 0x0000_0001;
/// Share access: others may write.
pub const FILE_SHARE_WRITE: u32 = 0x0000_0002;
/// Share access: others may delete or rename.
pub const FILE_SHARE_DELETE: u32 = 0x0000_0004;
/// Share access: all of the above.
pub const FILE_SHARE_ALL: u32 = 0x0000_0007;

/// Create disposition: supersede an existing file, else create.
pub const FILE_SUPERSEDE: u32 = 0;
/// Create disposition: open an existing file, else fail.
pub const FILE_OPEN: u32 = 1;
/// Create disposition: create a new file, fail if it exists.
pub const FILE_CREATE: u32 = 2;
/// Create disposition: open, else create.
pub const FILE_OPEN_IF: u32 = 3;
/// Create disposition: open and truncate, else fail.
pub const FILE_OVERWRITE: u32 = 4;
/// Create disposition: open and truncate, else create.
pub const FILE_OVERWRITE_IF: u32 = 5;

/// Create option: the object must be a directory.
pub const FILE_DIRECTORY_FILE: u32 = 0x0000_0001;
/// Create option: write through.
pub const FILE_WRITE_THROUGH: u32 = 0x0000_0002;
/// Create option: sequential access only.
pub const FILE_SEQUENTIAL_ONLY: u32 = 0x0000_0004;
/// Create option: no intermediate buffering.
pub const FILE_NO_INTERMEDIATE_BUFFERING: u32 = 0x0000_0008;
/// Create option: the object must not be a directory.
pub const FILE_NON_DIRECTORY_FILE: u32 = 0x0000_0040;
/// Create option: complete even if an oplock break is pending.
pub const FILE_COMPLETE_IF_OPLOCKED: u32 = 0x0000_0100;
/// Create option: fail if the file has EAs the caller does not understand.
pub const FILE_NO_EA_KNOWLEDGE: u32 = 0x0000_0200;
/// Create option: random access.
pub const FILE_RANDOM_ACCESS: u32 = 0x0000_0800;
/// Create option: delete the file when the last handle closes.
pub const FILE_DELETE_ON_CLOSE: u32 = 0x0000_1000;
/// Create option: the name is an 8-byte file id.
pub const FILE_OPEN_BY_FILE_ID: u32 = 0x0000_2000;
/// Create option: open for backup intent.
pub const FILE_OPEN_FOR_BACKUP_INTENT: u32 = 0x0000_4000;
/// Create option: no compression.
pub const FILE_NO_COMPRESSION: u32 = 0x0000_8000;
/// Create option: open the reparse point itself instead of following it.
pub const FILE_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
/// Create option: do not recall offline data.
pub const FILE_OPEN_NO_RECALL: u32 = 0x0040_0000;

/// File attribute: read-only.
pub const FILE_ATTRIBUTE_READONLY: u32 = 0x0000_0001;
/// File attribute: hidden.
pub const FILE_ATTRIBUTE_HIDDEN: u32 = 0x0000_0002;
/// File attribute: system.
pub const FILE_ATTRIBUTE_SYSTEM: u32 = 0x0000_0004;
/// File attribute: directory.
pub const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x0000_0010;
/// File attribute: archive.
pub const FILE_ATTRIBUTE_ARCHIVE: u32 = 0x0000_0020;
/// File attribute: normal (no other attribute set).
pub const FILE_ATTRIBUTE_NORMAL: u32 = 0x0000_0080;
/// File attribute: temporary.
pub const FILE_ATTRIBUTE_TEMPORARY: u32 = 0x0000_0100;
/// File attribute: sparse.
pub const FILE_ATTRIBUTE_SPARSE_FILE: u32 = 0x0000_0200;
/// File attribute: reparse point.
pub const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x0000_0400;
/// File attribute: compressed.
pub const FILE_ATTRIBUTE_COMPRESSED: u32 = 0x0000_0800;
/// File attribute: offline.
pub const FILE_ATTRIBUTE_OFFLINE: u32 = 0x0000_1000;
/// File attribute: not content indexed.
pub const FILE_ATTRIBUTE_NOT_CONTENT_INDEXED: u32 = 0x0000_2000;
/// File attribute: encrypted.
pub const FILE_ATTRIBUTE_ENCRYPTED: u32 = 0x0000_4000;
/// File attribute: integrity stream.
pub const FILE_ATTRIBUTE_INTEGRITY_STREAM: u32 = 0x0000_8000;

/// Create action: an existing file was superseded.
pub const FILE_SUPERSEDED: u32 = 0;
/// Create action: an existing file was opened.
pub const FILE_OPENED: u32 = 1;
/// Create action: a new file was created.
pub const FILE_CREATED: u32 = 2;
/// Create action: an existing file was overwritten.
pub const FILE_OVERWRITTEN: u32 = 3;

/// Create response flag: the opened file is a reparse point (3.1.1).
pub const CREATE_FLAG_REPARSEPOINT: u8 = 0x01;

/// Lease state: read caching.
pub const LEASE_READ_CACHING: u32 = 0x01;
/// Lease state: handle caching.
pub const LEASE_HANDLE_CACHING: u32 = 0x02;
/// Lease state: write caching.
pub const LEASE_WRITE_CACHING: u32 = 0x04;
/// Lease flag: a break is in progress.
pub const LEASE_FLAG_BREAK_IN_PROGRESS: u32 = 0x02;
/// Lease flag: ParentLeaseKey is set (v2).
pub const LEASE_FLAG_PARENT_LEASE_KEY_SET: u32 = 0x04;

/// Durable handle v2 flag: persistent (continuously available) handle.
pub const DHANDLE_FLAG_PERSISTENT: u32 = 0x0000_0002;

/// Context name: extended attributes.
pub const CONTEXT_EA_BUFFER: &[u8; 4] = b"ExtA";
/// Context name: security descriptor.
pub const CONTEXT_SD_BUFFER: &[u8; 4] = b"SecD";
/// Context name: durable handle request (v1).
pub const CONTEXT_DURABLE_HANDLE_REQUEST: &[u8; 4] = b"DHnQ";
/// Context name: durable handle reconnect (v1).
pub const CONTEXT_DURABLE_HANDLE_RECONNECT: &[u8; 4] = b"DHnC";
/// Context name: allocation size.
pub const CONTEXT_ALLOCATION_SIZE: &[u8; 4] = b"AlSi";
/// Context name: query maximal access.
pub const CONTEXT_QUERY_MAXIMAL_ACCESS: &[u8; 4] = b"MxAc";
/// Context name: timewarp (previous versions) token.
pub const CONTEXT_TIMEWARP_TOKEN: &[u8; 4] = b"TWrp";
/// Context name: query on-disk id.
pub const CONTEXT_QUERY_ON_DISK_ID: &[u8; 4] = b"QFid";
/// Context name: request lease (v1 and v2).
pub const CONTEXT_REQUEST_LEASE: &[u8; 4] = b"RqLs";
/// Context name: durable handle request v2.
pub const CONTEXT_DURABLE_HANDLE_REQUEST_V2: &[u8; 4] = b"DH2Q";
/// Context name: durable handle reconnect v2.
pub const CONTEXT_DURABLE_HANDLE_RECONNECT_V2: &[u8; 4] = b"DH2C";
/// Context name: Apple extensions.
pub const CONTEXT_AAPL: &[u8; 4] = b"AAPL";
/// Context name: SMB 3.1.1 POSIX extensions (GUID 93AD25509CB411E7B42383DE968BCD7C).
pub const CONTEXT_POSIX: &[u8; 16] = &[
    0x93, 0xAD, 0x25, 0x50, 0x9C, 0xB4, 0x11, 0xE7, 0xB4, 0x23, 0x83, 0xDE, 0x96, 0x8B, 0xCD, 0x7C,
];
/// Context name: application instance id.
pub const CONTEXT_APP_INSTANCE_ID: &[u8; 16] = &[
    0x45, 0xBC, 0xA6, 0x6A, 0xEF, 0xA7, 0xF7, 0x4A, 0x90, 0x08, 0xFA, 0x46, 0x2E, 0x14, 0x4D, 0x74,
];

/// Size of a create context header (Next .. DataLength).
pub const CONTEXT_HEADER_SIZE: usize = 16;
/// Offset of a CREATE request's Buffer (name) from the start of the header.
pub const CREATE_REQUEST_BUFFER_OFFSET: usize = HEADER_SIZE + 56;
/// Offset of a CREATE response's Buffer (contexts) from the start of the header.
pub const CREATE_RESPONSE_BUFFER_OFFSET: usize = HEADER_SIZE + 88;

const REQ_SIZE: u16 = 57;
const RSP_SIZE: u16 = 89;

/// The version 2 part of a lease context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaseV2 {
    /// ParentLeaseKey (the directory's lease key) when LEASE_FLAG_PARENT_LEASE_KEY_SET.
    pub parent_key: [u8; 16],
    /// Epoch.
    pub epoch: u16,
}

/// A lease request or grant (SMB2_CREATE_REQUEST_LEASE / _V2, 32 or 52 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lease {
    /// LeaseKey.
    pub key: [u8; 16],
    /// LeaseState (`LEASE_*_CACHING`).
    pub state: u32,
    /// LeaseFlags (`LEASE_FLAG_*`).
    pub flags: u32,
    /// LeaseDuration (reserved, zero).
    pub duration: u64,
    /// The v2 fields; `None` encodes the 32-byte v1 form.
    pub v2: Option<LeaseV2>,
}

impl Lease {
    /// Size of the v1 form.
    pub const V1_SIZE: usize = 32;
    /// Size of the v2 form.
    pub const V2_SIZE: usize = 52;

    fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let key = r.array("Lease.LeaseKey")?;
        let state = r.u32("Lease.LeaseState")?;
        let flags = r.u32("Lease.LeaseFlags")?;
        let duration = r.u64("Lease.LeaseDuration")?;
        let v2 = if data.len() >= Self::V2_SIZE {
            let parent_key = r.array("Lease.ParentLeaseKey")?;
            let epoch = r.u16("Lease.Epoch")?;
            Some(LeaseV2 { parent_key, epoch })
        } else {
            None
        };
        Ok(Self {
            key,
            state,
            flags,
            duration,
            v2,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.bytes(&self.key)?;
        w.u32(self.state)?;
        w.u32(self.flags)?;
        w.u64(self.duration)?;
        if let Some(v2) = &self.v2 {
            w.bytes(&v2.parent_key)?;
            w.u16(v2.epoch)?;
            w.u16(0)?;
        }
        Ok(())
    }
}

/// The POSIX create context response: link count, reparse tag, mode and owner and
/// group SIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PosixCreateResponse<'a> {
    /// Number of hard links.
    pub nlink: u32,
    /// Reparse tag (0 if not a reparse point).
    pub reparse_tag: u32,
    /// POSIX mode bits (type and permissions as the server reports them).
    pub mode: u32,
    /// Owner SID.
    pub owner: Sid<'a>,
    /// Group SID.
    pub group: Sid<'a>,
}

impl<'a> PosixCreateResponse<'a> {
    fn decode(data: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        Ok(Self {
            nlink: r.u32("PosixCreateResponse.HardLinks")?,
            reparse_tag: r.u32("PosixCreateResponse.ReparseTag")?,
            mode: r.u32("PosixCreateResponse.Mode")?,
            owner: Sid::decode(&mut r)?,
            group: Sid::decode(&mut r)?,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.nlink)?;
        w.u32(self.reparse_tag)?;
        w.u32(self.mode)?;
        self.owner.encode(w)?;
        self.group.encode(w)
    }
}

/// A typed create context, request or response form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateContext<'a> {
    /// "DHnQ" request: ask for a durable handle (v1).
    DurableRequest,
    /// "DHnQ" response: the durable handle was granted (v1).
    DurableResponse,
    /// "DHnC" request: reconnect a v1 durable handle.
    DurableReconnect {
        /// The handle to reconnect.
        file_id: FileId,
    },
    /// "DH2Q" request: ask for a durable or persistent handle (v2).
    DurableV2Request {
        /// Timeout in milliseconds (0: server default).
        timeout: u32,
        /// Flags (`DHANDLE_FLAG_PERSISTENT`).
        flags: u32,
        /// CreateGuid identifying the open across replays and reconnects.
        create_guid: [u8; 16],
    },
    /// "DH2Q" response: the handle was made durable (v2).
    DurableV2Response {
        /// Timeout the server will keep the handle for, in milliseconds.
        timeout: u32,
        /// Flags (`DHANDLE_FLAG_PERSISTENT`).
        flags: u32,
    },
    /// "DH2C" request: reconnect a v2 durable handle.
    DurableV2Reconnect {
        /// The handle to reconnect.
        file_id: FileId,
        /// CreateGuid of the original open.
        create_guid: [u8; 16],
        /// Flags (`DHANDLE_FLAG_PERSISTENT`).
        flags: u32,
    },
    /// "RqLs": lease request (v1 or v2) or the granted lease in a response.
    Lease(Lease),
    /// "MxAc" request: ask for the maximal access, optionally as of a timestamp.
    QueryMaximalAccess {
        /// Optional timestamp (FILETIME).
        timestamp: Option<u64>,
    },
    /// "MxAc" response.
    MaximalAccess {
        /// Status of the maximal access query.
        query_status: u32,
        /// The maximal access mask.
        maximal_access: u32,
    },
    /// "QFid" request: ask for the on-disk file id.
    QueryOnDiskId,
    /// "QFid" response.
    OnDiskId {
        /// DiskFileId (the inode number).
        disk_file_id: u64,
        /// VolumeId.
        volume_id: u64,
    },
    /// "AlSi" request: initial allocation size.
    AllocationSize(u64),
    /// POSIX request with the mode for files being created.
    Posix {
        /// POSIX mode bits.
        mode: u32,
    },
    /// POSIX response.
    PosixResponse(PosixCreateResponse<'a>),
    /// Any other context, name and data as on the wire.
    Raw {
        /// Context name.
        name: &'a [u8],
        /// Context data.
        data: &'a [u8],
    },
}

impl<'a> CreateContext<'a> {
    /// Returns the context's name on the wire.
    pub fn name(&self) -> &'a [u8] {
        match self {
            CreateContext::DurableRequest | CreateContext::DurableResponse => {
                CONTEXT_DURABLE_HANDLE_REQUEST
            }
            CreateContext::DurableReconnect { .. } => CONTEXT_DURABLE_HANDLE_RECONNECT,
            CreateContext::DurableV2Request { .. } | CreateContext::DurableV2Response { .. } => {
                CONTEXT_DURABLE_HANDLE_REQUEST_V2
            }
            CreateContext::DurableV2Reconnect { .. } => CONTEXT_DURABLE_HANDLE_RECONNECT_V2,
            CreateContext::Lease(_) => CONTEXT_REQUEST_LEASE,
            CreateContext::QueryMaximalAccess { .. } | CreateContext::MaximalAccess { .. } => {
                CONTEXT_QUERY_MAXIMAL_ACCESS
            }
            CreateContext::QueryOnDiskId | CreateContext::OnDiskId { .. } => {
                CONTEXT_QUERY_ON_DISK_ID
            }
            CreateContext::AllocationSize(_) => CONTEXT_ALLOCATION_SIZE,
            CreateContext::Posix { .. } | CreateContext::PosixResponse(_) => CONTEXT_POSIX,
            CreateContext::Raw { name, .. } => name,
        }
    }

    fn encode_data(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            CreateContext::DurableRequest | CreateContext::DurableResponse => w.zeros(16),
            CreateContext::DurableReconnect { file_id } => file_id.encode(w),
            CreateContext::DurableV2Request {
                timeout,
                flags,
                create_guid,
            } => {
                w.u32(*timeout)?;
                w.u32(*flags)?;
                w.u64(0)?;
                w.bytes(create_guid)
            }
            CreateContext::DurableV2Response { timeout, flags } => {
                w.u32(*timeout)?;
                w.u32(*flags)
            }
            CreateContext::DurableV2Reconnect {
                file_id,
                create_guid,
                flags,
            } => {
                file_id.encode(w)?;
                w.bytes(create_guid)?;
                w.u32(*flags)
            }
            CreateContext::Lease(l) => l.encode(w),
            CreateContext::QueryMaximalAccess { timestamp } => match timestamp {
                Some(t) => w.u64(*t),
                None => Ok(()),
            },
            CreateContext::MaximalAccess {
                query_status,
                maximal_access,
            } => {
                w.u32(*query_status)?;
                w.u32(*maximal_access)
            }
            CreateContext::QueryOnDiskId => Ok(()),
            CreateContext::OnDiskId {
                disk_file_id,
                volume_id,
            } => {
                w.u64(*disk_file_id)?;
                w.u64(*volume_id)?;
                w.zeros(16)
            }
            CreateContext::AllocationSize(s) => w.u64(*s),
            CreateContext::Posix { mode } => w.u32(*mode),
            CreateContext::PosixResponse(p) => p.encode(w),
            CreateContext::Raw { data, .. } => w.bytes(data),
        }
    }

    /// Writes the context (header, name, data) at the writer's position, which must be
    /// 8-byte aligned; `Next` is left 0 for [`encode_contexts`] to fill in.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let start = w.pos();
        let name = self.name();
        w.u32(0)?;
        w.u16(CONTEXT_HEADER_SIZE as u16)?;
        w.u16(header::to_u16(name.len())?)?;
        w.u16(0)?;
        w.u16(0)?;
        w.u32(0)?;
        w.bytes(name)?;
        header::pad8(w, start)?;
        let data_start = w.pos();
        self.encode_data(w)?;
        let data_len = w.pos().saturating_sub(data_start);
        if data_len == 0 {
            return Ok(());
        }
        let data_off = header::to_u16(data_start.saturating_sub(start))?;
        w.patch_u16(start.saturating_add(10), data_off)?;
        w.patch_u32(start.saturating_add(12), header::to_u32(data_len)?)
    }
}

/// Writes a chain of contexts, padding each but the last to 8 bytes and linking them
/// with `Next`. Returns the chain's length.
pub fn encode_contexts(
    items: &[CreateContext<'_>],
    w: &mut Writer<'_>,
) -> Result<usize, EncodeError> {
    let chain_start = w.pos();
    let mut prev: Option<usize> = None;
    for c in items {
        if let Some(p) = prev {
            header::pad8(w, p)?;
            let next = header::to_u32(w.pos().saturating_sub(p))?;
            w.patch_u32(p, next)?;
        }
        let start = w.pos();
        c.encode(w)?;
        prev = Some(start);
    }
    Ok(w.pos().saturating_sub(chain_start))
}

/// A create context chain: typed items to encode, or the received bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateContexts<'a> {
    /// Contexts to encode.
    Items(&'a [CreateContext<'a>]),
    /// A chain as received (walk it with [`CreateContexts::iter`]).
    Wire(&'a [u8]),
}

impl Default for CreateContexts<'_> {
    fn default() -> Self {
        CreateContexts::Items(&[])
    }
}

impl<'a> CreateContexts<'a> {
    /// Returns true if there are no contexts.
    pub fn is_empty(&self) -> bool {
        match self {
            CreateContexts::Items(i) => i.is_empty(),
            CreateContexts::Wire(b) => b.is_empty(),
        }
    }

    /// Writes the chain and returns its length.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<usize, EncodeError> {
        match self {
            CreateContexts::Items(i) => encode_contexts(i, w),
            CreateContexts::Wire(b) => w.bytes(b).map(|()| b.len()),
        }
    }

    /// Walks a received chain; typed items yield nothing (they are not wire bytes).
    pub fn iter(&self) -> ContextIter<'a> {
        match self {
            CreateContexts::Items(_) => contexts(&[]),
            CreateContexts::Wire(b) => contexts(b),
        }
    }

    /// Finds the first received context with this name.
    pub fn find(&self, name: &[u8]) -> Result<Option<RawContext<'a>>, DecodeError> {
        for c in self.iter() {
            let c = c?;
            if c.name == name {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

/// A received create context: its name and data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawContext<'a> {
    /// Name (4 ASCII bytes or a 16-byte GUID).
    pub name: &'a [u8],
    /// Data.
    pub data: &'a [u8],
}

fn too_short(what: &'static str, len: usize) -> DecodeError {
    DecodeError::BadValue {
        what,
        value: len as u64,
    }
}

impl<'a> RawContext<'a> {
    /// Interprets a context received in a CREATE request.
    pub fn parse_request(&self) -> Result<CreateContext<'a>, DecodeError> {
        let mut r = Reader::new(self.data);
        let n = self.name;
        Ok(if n == CONTEXT_DURABLE_HANDLE_REQUEST {
            CreateContext::DurableRequest
        } else if n == CONTEXT_DURABLE_HANDLE_RECONNECT {
            CreateContext::DurableReconnect {
                file_id: FileId::decode(&mut r)?,
            }
        } else if n == CONTEXT_DURABLE_HANDLE_REQUEST_V2 {
            let timeout = r.u32("DH2Q.Timeout")?;
            let flags = r.u32("DH2Q.Flags")?;
            r.skip(8, "DH2Q.Reserved")?;
            CreateContext::DurableV2Request {
                timeout,
                flags,
                create_guid: r.guid("DH2Q.CreateGuid")?,
            }
        } else if n == CONTEXT_DURABLE_HANDLE_RECONNECT_V2 {
            CreateContext::DurableV2Reconnect {
                file_id: FileId::decode(&mut r)?,
                create_guid: r.guid("DH2C.CreateGuid")?,
                flags: r.u32("DH2C.Flags")?,
            }
        } else if n == CONTEXT_REQUEST_LEASE {
            CreateContext::Lease(Lease::decode(self.data)?)
        } else if n == CONTEXT_QUERY_MAXIMAL_ACCESS {
            CreateContext::QueryMaximalAccess {
                timestamp: if self.data.is_empty() {
                    None
                } else {
                    Some(r.u64("MxAc.Timestamp")?)
                },
            }
        } else if n == CONTEXT_QUERY_ON_DISK_ID {
            CreateContext::QueryOnDiskId
        } else if n == CONTEXT_ALLOCATION_SIZE {
            CreateContext::AllocationSize(r.u64("AlSi.AllocationSize")?)
        } else if n == CONTEXT_POSIX {
            CreateContext::Posix {
                mode: r.u32("Posix.Mode")?,
            }
        } else {
            CreateContext::Raw {
                name: self.name,
                data: self.data,
            }
        })
    }

    /// Interprets a context received in a CREATE response.
    pub fn parse_response(&self) -> Result<CreateContext<'a>, DecodeError> {
        let mut r = Reader::new(self.data);
        let n = self.name;
        Ok(if n == CONTEXT_DURABLE_HANDLE_REQUEST {
            CreateContext::DurableResponse
        } else if n == CONTEXT_DURABLE_HANDLE_REQUEST_V2 {
            CreateContext::DurableV2Response {
                timeout: r.u32("DH2Q.Timeout")?,
                flags: r.u32("DH2Q.Flags")?,
            }
        } else if n == CONTEXT_REQUEST_LEASE {
            if self.data.len() < Lease::V1_SIZE {
                return Err(too_short("RqLs.DataLength", self.data.len()));
            }
            CreateContext::Lease(Lease::decode(self.data)?)
        } else if n == CONTEXT_QUERY_MAXIMAL_ACCESS {
            CreateContext::MaximalAccess {
                query_status: r.u32("MxAc.QueryStatus")?,
                maximal_access: r.u32("MxAc.MaximalAccess")?,
            }
        } else if n == CONTEXT_QUERY_ON_DISK_ID {
            CreateContext::OnDiskId {
                disk_file_id: r.u64("QFid.DiskFileId")?,
                volume_id: r.u64("QFid.VolumeId")?,
            }
        } else if n == CONTEXT_POSIX {
            CreateContext::PosixResponse(PosixCreateResponse::decode(self.data)?)
        } else {
            CreateContext::Raw {
                name: self.name,
                data: self.data,
            }
        })
    }
}

/// Walks a received create context chain.
///
/// Each entry must be at least [`CONTEXT_HEADER_SIZE`] bytes; a non-zero `Next` must be
/// a multiple of 8, at least the header size and stay inside the chain (so the walk
/// always advances); the name must not be empty and, like the data, lie after the
/// entry header and inside the entry, with the data after the name. Iteration stops
/// after the first error.
pub fn contexts(chain: &[u8]) -> ContextIter<'_> {
    ContextIter {
        buf: chain,
        pos: 0,
        done: chain.is_empty(),
    }
}

/// Iterator over a create context chain; see [`contexts`].
#[derive(Clone, Debug)]
pub struct ContextIter<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> ContextIter<'a> {
    fn step(&mut self) -> Result<RawContext<'a>, DecodeError> {
        let start = self.pos;
        let entry_all = self.buf.get(start..).unwrap_or(&[]);
        let mut r = Reader::new(entry_all);
        let next = r.u32("CreateContext.Next")? as usize;
        let name_off = usize::from(r.u16("CreateContext.NameOffset")?);
        let name_len = usize::from(r.u16("CreateContext.NameLength")?);
        r.skip(2, "CreateContext.Reserved")?;
        let data_off = usize::from(r.u16("CreateContext.DataOffset")?);
        let data_len = r.u32("CreateContext.DataLength")? as usize;
        let entry_len = if next == 0 {
            entry_all.len()
        } else {
            if next % 8 != 0 || next < CONTEXT_HEADER_SIZE || next >= entry_all.len() {
                return Err(DecodeError::BadValue {
                    what: "CreateContext.Next",
                    value: next as u64,
                });
            }
            next
        };
        let entry = entry_all.get(..entry_len).unwrap_or(&[]);
        if name_len == 0 {
            return Err(DecodeError::BadValue {
                what: "CreateContext.NameLength",
                value: 0,
            });
        }
        let name = header::region(
            entry,
            name_off,
            name_len,
            CONTEXT_HEADER_SIZE,
            "CreateContext.Name",
        )?;
        let data = header::region(
            entry,
            data_off,
            data_len,
            CONTEXT_HEADER_SIZE,
            "CreateContext.Data",
        )?;
        if data_len != 0 && name_off.saturating_add(name_len) > data_off {
            return Err(DecodeError::BadValue {
                what: "CreateContext.DataOffset",
                value: data_off as u64,
            });
        }
        if next == 0 {
            self.done = true;
        } else {
            self.pos = start.saturating_add(next);
        }
        Ok(RawContext { name, data })
    }
}

impl<'a> Iterator for ContextIter<'a> {
    type Item = Result<RawContext<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

/// SMB2 CREATE request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateRequest<'a> {
    /// SecurityFlags (reserved, 0).
    pub security_flags: u8,
    /// RequestedOplockLevel (`OPLOCK_LEVEL_*`; LEASE with a lease context).
    pub requested_oplock_level: u8,
    /// ImpersonationLevel (`IMPERSONATION_*`).
    pub impersonation_level: u32,
    /// SmbCreateFlags (reserved, 0).
    pub create_flags: u64,
    /// DesiredAccess.
    pub desired_access: u32,
    /// FileAttributes for a created file.
    pub file_attributes: u32,
    /// ShareAccess (`FILE_SHARE_*`).
    pub share_access: u32,
    /// CreateDisposition (`FILE_OPEN` ...).
    pub create_disposition: u32,
    /// CreateOptions (`FILE_*` options).
    pub create_options: u32,
    /// Path relative to the share root, with `\` separators and no leading `\`; empty
    /// for the root.
    pub name: WireName<'a>,
    /// Create contexts.
    pub contexts: CreateContexts<'a>,
}

impl Default for CreateRequest<'_> {
    fn default() -> Self {
        Self {
            security_flags: 0,
            requested_oplock_level: OPLOCK_LEVEL_NONE,
            impersonation_level: IMPERSONATION_IMPERSONATION,
            create_flags: 0,
            desired_access: 0,
            file_attributes: 0,
            share_access: FILE_SHARE_ALL,
            create_disposition: FILE_OPEN,
            create_options: 0,
            name: WireName::default(),
            contexts: CreateContexts::default(),
        }
    }
}

impl Body for CreateRequest<'_> {
    const COMMAND: Command = Command::Create;

    /// Writes the 56-byte fixed part, the name followed by a UTF-16 NUL and padding to
    /// 8 bytes (so the buffer is never empty), then the context chain.
    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        w.u16(REQ_SIZE)?;
        w.u8(self.security_flags)?;
        w.u8(self.requested_oplock_level)?;
        w.u32(self.impersonation_level)?;
        w.u64(self.create_flags)?;
        w.u64(0)?;
        w.u32(self.desired_access)?;
        w.u32(self.file_attributes)?;
        w.u32(self.share_access)?;
        w.u32(self.create_disposition)?;
        w.u32(self.create_options)?;
        let name_off = header::to_u16(header::pdu_offset(w, pdu_start).saturating_add(12))?;
        w.u16(name_off)?;
        w.u16(header::to_u16(self.name.byte_len())?)?;
        w.u32(0)?;
        w.u32(0)?;
        self.name.encode(w)?;
        w.u16(0)?;
        header::pad8(w, pdu_start)?;
        if !self.contexts.is_empty() {
            let ctx_off = header::to_u32(header::pdu_offset(w, pdu_start))?;
            let len = self.contexts.encode(w)?;
            w.patch_u32(body.saturating_add(48), ctx_off)?;
            w.patch_u32(body.saturating_add(52), header::to_u32(len)?)?;
        }
        Ok(())
    }
}

impl<'a> CreateRequest<'a> {
    /// Decodes a CREATE request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "CreateRequest.StructureSize")?;
        let security_flags = r.u8("CreateRequest.SecurityFlags")?;
        let requested_oplock_level = r.u8("CreateRequest.RequestedOplockLevel")?;
        let impersonation_level = r.u32("CreateRequest.ImpersonationLevel")?;
        let create_flags = r.u64("CreateRequest.SmbCreateFlags")?;
        r.skip(8, "CreateRequest.Reserved")?;
        let desired_access = r.u32("CreateRequest.DesiredAccess")?;
        let file_attributes = r.u32("CreateRequest.FileAttributes")?;
        let share_access = r.u32("CreateRequest.ShareAccess")?;
        let create_disposition = r.u32("CreateRequest.CreateDisposition")?;
        let create_options = r.u32("CreateRequest.CreateOptions")?;
        let name_off = usize::from(r.u16("CreateRequest.NameOffset")?);
        let name_len = usize::from(r.u16("CreateRequest.NameLength")?);
        let ctx_off = r.u32("CreateRequest.CreateContextsOffset")? as usize;
        let ctx_len = r.u32("CreateRequest.CreateContextsLength")? as usize;
        let name = header::region(
            pdu,
            name_off,
            name_len,
            CREATE_REQUEST_BUFFER_OFFSET,
            "CreateRequest.Name",
        )?;
        let ctx = header::region(
            pdu,
            ctx_off,
            ctx_len,
            CREATE_REQUEST_BUFFER_OFFSET,
            "CreateRequest.CreateContexts",
        )?;
        Ok(Self {
            security_flags,
            requested_oplock_level,
            impersonation_level,
            create_flags,
            desired_access,
            file_attributes,
            share_access,
            create_disposition,
            create_options,
            name: WireName::Utf16(Utf16Str::new(name)?),
            contexts: CreateContexts::Wire(ctx),
        })
    }
}

/// SMB2 CREATE response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CreateResponse<'a> {
    /// OplockLevel granted (`OPLOCK_LEVEL_*`; LEASE if a lease context is returned).
    pub oplock_level: u8,
    /// Flags (`CREATE_FLAG_REPARSEPOINT`).
    pub flags: u8,
    /// CreateAction (`FILE_OPENED` ...).
    pub create_action: u32,
    /// Times, sizes and attributes.
    pub attrs: FileAttrs,
    /// The new handle.
    pub file_id: FileId,
    /// Create contexts returned by the server.
    pub contexts: CreateContexts<'a>,
}

impl<'a> CreateResponse<'a> {
    /// Decodes a CREATE response PDU, checking the context region's bounds (walk the
    /// chain with `contexts.iter()`).
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RSP_SIZE, "CreateResponse.StructureSize")?;
        let oplock_level = r.u8("CreateResponse.OplockLevel")?;
        let flags = r.u8("CreateResponse.Flags")?;
        let create_action = r.u32("CreateResponse.CreateAction")?;
        let attrs = FileAttrs::decode(&mut r)?;
        r.skip(4, "CreateResponse.Reserved2")?;
        let file_id = FileId::decode(&mut r)?;
        let ctx_off = r.u32("CreateResponse.CreateContextsOffset")? as usize;
        let ctx_len = r.u32("CreateResponse.CreateContextsLength")? as usize;
        let ctx = header::region(
            pdu,
            ctx_off,
            ctx_len,
            CREATE_RESPONSE_BUFFER_OFFSET,
            "CreateResponse.CreateContexts",
        )?;
        Ok(Self {
            oplock_level,
            flags,
            create_action,
            attrs,
            file_id,
            contexts: CreateContexts::Wire(ctx),
        })
    }

    /// Returns the granted lease, if the server returned a lease context.
    pub fn lease(&self) -> Result<Option<Lease>, DecodeError> {
        match self.contexts.find(CONTEXT_REQUEST_LEASE)? {
            Some(c) => match c.parse_response()? {
                CreateContext::Lease(l) => Ok(Some(l)),
                _ => Ok(None),
            },
            None => Ok(None),
        }
    }
}

impl Body for CreateResponse<'_> {
    const COMMAND: Command = Command::Create;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        w.u16(RSP_SIZE)?;
        w.u8(self.oplock_level)?;
        w.u8(self.flags)?;
        w.u32(self.create_action)?;
        self.attrs.encode(w)?;
        w.u32(0)?;
        self.file_id.encode(w)?;
        w.u32(0)?;
        w.u32(0)?;
        if self.contexts.is_empty() {
            return w.u8(0);
        }
        let ctx_off = header::to_u32(header::pdu_offset(w, pdu_start))?;
        let len = self.contexts.encode(w)?;
        w.patch_u32(body.saturating_add(80), ctx_off)?;
        w.patch_u32(body.saturating_add(84), header::to_u32(len)?)
    }
}
