// SPDX-License-Identifier: GPL-2.0

//! TREE_CONNECT and TREE_DISCONNECT (MS-SMB2 2.2.9 - 2.2.12).

use super::cursor::Writer;
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::types::{Utf16Str, WireName};

/// Tree connect flag: reconnect to a cluster share (3.1.1).
pub const TREE_CONNECT_FLAG_CLUSTER_RECONNECT: u16 = 0x0001;
/// Tree connect flag: the client handles share redirects (3.1.1).
pub const TREE_CONNECT_FLAG_REDIRECT_TO_OWNER: u16 = 0x0002;
/// Tree connect flag: a request extension with tree connect contexts is present.
pub const TREE_CONNECT_FLAG_EXTENSION_PRESENT: u16 = 0x0004;

/// Share type: disk.
pub const SHARE_TYPE_DISK: u8 = 0x01;
/// Share type: named pipe.
pub const SHARE_TYPE_PIPE: u8 = 0x02;
/// Share type: printer.
pub const SHARE_TYPE_PRINT: u8 = 0x03;

/// Share flags: mask of the client-side caching policy bits.
pub const SHAREFLAG_CACHING_MASK: u32 = 0x0000_0030;
/// Share flags: manual caching.
pub const SHAREFLAG_MANUAL_CACHING: u32 = 0x0000_0000;
/// Share flags: automatic caching of documents.
pub const SHAREFLAG_AUTO_CACHING: u32 = 0x0000_0010;
/// Share flags: automatic caching of programs and documents.
pub const SHAREFLAG_VDO_CACHING: u32 = 0x0000_0020;
/// Share flags: no offline caching.
pub const SHAREFLAG_NO_CACHING: u32 = 0x0000_0030;
/// Share flags: the share is in a DFS namespace.
pub const SHAREFLAG_DFS: u32 = 0x0000_0001;
/// Share flags: the share is a DFS root.
pub const SHAREFLAG_DFS_ROOT: u32 = 0x0000_0002;
/// Share flags: exclusive opens are restricted.
pub const SHAREFLAG_RESTRICT_EXCLUSIVE_OPENS: u32 = 0x0000_0100;
/// Share flags: shared delete is forced.
pub const SHAREFLAG_FORCE_SHARED_DELETE: u32 = 0x0000_0200;
/// Share flags: namespace caching is allowed.
pub const SHAREFLAG_ALLOW_NAMESPACE_CACHING: u32 = 0x0000_0400;
/// Share flags: access-based directory enumeration.
pub const SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM: u32 = 0x0000_0800;
/// Share flags: level II oplocks are forced.
pub const SHAREFLAG_FORCE_LEVELII_OPLOCK: u32 = 0x0000_1000;
/// Share flags: hash V1 (BranchCache).
pub const SHAREFLAG_ENABLE_HASH_V1: u32 = 0x0000_2000;
/// Share flags: hash V2 (BranchCache).
pub const SHAREFLAG_ENABLE_HASH_V2: u32 = 0x0000_4000;
/// Share flags: the share requires encryption.
pub const SHAREFLAG_ENCRYPT_DATA: u32 = 0x0000_8000;
/// Share flags: identity remoting (3.1.1).
pub const SHAREFLAG_IDENTITY_REMOTING: u32 = 0x0004_0000;
/// Share flags: compression is wanted (3.1.1).
pub const SHAREFLAG_COMPRESS_DATA: u32 = 0x0010_0000;
/// Share flags: the share prefers an isolated transport.
pub const SHAREFLAG_ISOLATED_TRANSPORT: u32 = 0x0020_0000;

/// Share capability: DFS.
pub const SHARE_CAP_DFS: u32 = 0x0000_0008;
/// Share capability: continuous availability (persistent handles).
pub const SHARE_CAP_CONTINUOUS_AVAILABILITY: u32 = 0x0000_0010;
/// Share capability: scale-out.
pub const SHARE_CAP_SCALEOUT: u32 = 0x0000_0020;
/// Share capability: cluster.
pub const SHARE_CAP_CLUSTER: u32 = 0x0000_0040;
/// Share capability: asymmetric (witness moves).
pub const SHARE_CAP_ASYMMETRIC: u32 = 0x0000_0080;
/// Share capability: redirect to owner.
pub const SHARE_CAP_REDIRECT_TO_OWNER: u32 = 0x0000_0100;

const REQ_FIXED: usize = 8;
const EXT_FIXED: usize = 16;
const RSP_SIZE: u16 = 16;

/// The TREE_CONNECT request extension (3.1.1): pre-encoded tree connect contexts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeConnectExtension<'a> {
    /// Number of contexts in `contexts`.
    pub context_count: u16,
    /// The SMB2_TREE_CONNECT_CONTEXT array, 8-byte aligned entries, as sent.
    pub contexts: &'a [u8],
}

/// SMB2 TREE_CONNECT request.
///
/// With an extension the share path is carried in the extension's PathName and
/// PathOffset points at it from the start of the header; TreeConnectContextOffset is
/// counted from the start of the request body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeConnectRequest<'a> {
    /// Flags (`TREE_CONNECT_FLAG_*`); EXTENSION_PRESENT follows `extension`.
    pub flags: u16,
    /// The share path `\\server\share`.
    pub path: WireName<'a>,
    /// Optional request extension.
    pub extension: Option<TreeConnectExtension<'a>>,
}

impl Body for TreeConnectRequest<'_> {
    const COMMAND: Command = Command::TreeConnect;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        let mut flags = self.flags & !TREE_CONNECT_FLAG_EXTENSION_PRESENT;
        if self.extension.is_some() {
            flags |= TREE_CONNECT_FLAG_EXTENSION_PRESENT;
        }
        let path_len = header::to_u16(self.path.byte_len())?;
        w.u16(9)?;
        w.u16(flags)?;
        w.u16(0)?;
        w.u16(path_len)?;
        match &self.extension {
            None => {
                let path_off = header::to_u16(header::pdu_offset(w, pdu_start))?;
                w.patch_u16(body.saturating_add(4), path_off)?;
                self.path.encode(w)?;
                if path_len == 0 {
                    w.u8(0)?;
                }
            }
            Some(ext) => {
                let ext_at = w.pos();
                w.u32(0)?;
                w.u16(ext.context_count)?;
                w.zeros(10)?;
                let path_off = header::to_u16(header::pdu_offset(w, pdu_start))?;
                w.patch_u16(body.saturating_add(4), path_off)?;
                self.path.encode(w)?;
                if !ext.contexts.is_empty() {
                    header::pad8(w, pdu_start)?;
                    let ctx_off = header::to_u32(w.pos().saturating_sub(body))?;
                    w.patch_u32(ext_at, ctx_off)?;
                    w.bytes(ext.contexts)?;
                } else if path_len == 0 {
                    w.u8(0)?;
                }
            }
        }
        Ok(())
    }
}

impl<'a> TreeConnectRequest<'a> {
    /// Decodes a TREE_CONNECT request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, 9, "TreeConnectRequest.StructureSize")?;
        let flags = r.u16("TreeConnectRequest.Flags")?;
        let path_off = usize::from(r.u16("TreeConnectRequest.PathOffset")?);
        let path_len = usize::from(r.u16("TreeConnectRequest.PathLength")?);
        let min = HEADER_SIZE.saturating_add(REQ_FIXED);
        let extension = if flags & TREE_CONNECT_FLAG_EXTENSION_PRESENT != 0 {
            let ctx_off = r.u32("TreeConnectExtension.TreeConnectContextOffset")? as usize;
            let count = r.u16("TreeConnectExtension.TreeConnectContextCount")?;
            r.skip(10, "TreeConnectExtension.Reserved")?;
            let contexts = if ctx_off == 0 {
                &[][..]
            } else {
                let at = HEADER_SIZE
                    .checked_add(ctx_off)
                    .filter(|a| *a >= min.saturating_add(EXT_FIXED))
                    .ok_or(DecodeError::BadValue {
                        what: "TreeConnectExtension.TreeConnectContextOffset",
                        value: ctx_off as u64,
                    })?;
                pdu.get(at..).ok_or(DecodeError::OutOfBounds {
                    what: "TreeConnectExtension.TreeConnectContexts",
                    offset: at,
                    len: 0,
                })?
            };
            Some(TreeConnectExtension {
                context_count: count,
                contexts,
            })
        } else {
            None
        };
        let path = header::region(pdu, path_off, path_len, min, "TreeConnectRequest.Path")?;
        Ok(Self {
            flags,
            path: WireName::Utf16(Utf16Str::new(path)?),
            extension,
        })
    }
}

/// SMB2 TREE_CONNECT response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeConnectResponse {
    /// ShareType (`SHARE_TYPE_*`).
    pub share_type: u8,
    /// ShareFlags (`SHAREFLAG_*`).
    pub share_flags: u32,
    /// Capabilities (`SHARE_CAP_*`).
    pub capabilities: u32,
    /// MaximalAccess: the access mask the user has on the share.
    pub maximal_access: u32,
}

impl Body for TreeConnectResponse {
    const COMMAND: Command = Command::TreeConnect;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(RSP_SIZE)?;
        w.u8(self.share_type)?;
        w.u8(0)?;
        w.u32(self.share_flags)?;
        w.u32(self.capabilities)?;
        w.u32(self.maximal_access)
    }
}

impl TreeConnectResponse {
    /// Decodes a TREE_CONNECT response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RSP_SIZE, "TreeConnectResponse.StructureSize")?;
        let share_type = r.u8("TreeConnectResponse.ShareType")?;
        r.skip(1, "TreeConnectResponse.Reserved")?;
        Ok(Self {
            share_type,
            share_flags: r.u32("TreeConnectResponse.ShareFlags")?,
            capabilities: r.u32("TreeConnectResponse.Capabilities")?,
            maximal_access: r.u32("TreeConnectResponse.MaximalAccess")?,
        })
    }
}

/// SMB2 TREE_DISCONNECT request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeDisconnectRequest;

impl Body for TreeDisconnectRequest {
    const COMMAND: Command = Command::TreeDisconnect;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl TreeDisconnectRequest {
    /// Decodes a TREE_DISCONNECT request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "TreeDisconnectRequest.StructureSize").map(|()| Self)
    }
}

/// SMB2 TREE_DISCONNECT response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeDisconnectResponse;

impl Body for TreeDisconnectResponse {
    const COMMAND: Command = Command::TreeDisconnect;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl TreeDisconnectResponse {
    /// Decodes a TREE_DISCONNECT response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "TreeDisconnectResponse.StructureSize").map(|()| Self)
    }
}
