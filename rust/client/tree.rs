// SPDX-License-Identifier: GPL-2.0

//! A tree connect (cifs.ko's cifs_tcon): one mount's share on a session, and the
//! share-wide requests made on it.

use kernel::prelude::*;

use super::{
    message::Request,
    session::{SessionRef, Target, HANDSHAKE_TIMEOUT_MS},
};
use crate::proto::{
    close::CloseRequest,
    create::{CreateRequest, FILE_READ_ATTRIBUTES},
    header::{encode_pdu, Command, Header, HeaderId, HEADER_SIZE},
    info::{
        FsFullSizeInfo, QueryInfoRequest, QueryInfoResponse, FS_FULL_SIZE_INFORMATION,
        INFO_FILESYSTEM,
    },
    status,
    tree::{TreeConnectRequest, TreeConnectResponse, TreeDisconnectRequest},
    types::{FileId, WireName},
};
use crate::sys::errno;

/// Room for a small fixed-size request (header, body, alignment padding).
const SMALL_PDU_ROOM: usize = 256;

fn proto_error(what: &str) -> Error {
    pr_err!("malformed or unexpected reply from the server: {}\n", what);
    errno(kernel::bindings::EPROTO)
}

/// Maps an error status in `reply` to an errno, logging it as the failure of `what`.
fn check_status(reply: &[u8], what: &str) -> Result<Header> {
    let hdr = Header::decode(reply).map_err(|_| proto_error("SMB2 header"))?;
    if status::is_error(hdr.status) {
        pr_debug!(
            "{} failed: {}\n",
            what,
            status::name(hdr.status).unwrap_or("unknown status")
        );
        return Err(errno(status::to_errno(hdr.status) as u32));
    }
    Ok(hdr)
}

/// Space figures of a share (statfs).
pub(crate) struct FsSpace {
    /// Bytes per allocation unit.
    pub(crate) unit: u64,
    pub(crate) total_units: u64,
    /// Units free for this user (quotas applied).
    pub(crate) available_units: u64,
    /// Units free on the volume.
    pub(crate) free_units: u64,
}

/// A share connected on a session.
pub(crate) struct Tree {
    session: SessionRef,
    pub(crate) tree_id: u32,
    /// Modes, owners and link counts come from the SMB 3.1.1 POSIX extensions
    /// (the `posix` mount option, on a server that offers them).
    pub(crate) posix: bool,
}

impl Tree {
    /// Connects `target`'s share on `session`.
    pub(crate) fn connect(session: SessionRef, target: &Target<'_>) -> Result<Self> {
        let mut path = KVec::new();
        for part in ["\\\\", target.server, "\\", target.share] {
            path.extend_from_slice(part.as_bytes(), GFP_KERNEL)?;
        }
        let path = core::str::from_utf8(&path).map_err(|_| EINVAL)?;
        let hdr = session.header(Command::TreeConnect, 0);
        let mut req = Request::new(false);
        req.push(
            Command::TreeConnect,
            1,
            HEADER_SIZE + 16 + path.len() * 2,
            |w| {
                let body = TreeConnectRequest {
                    flags: 0,
                    path: WireName::Str(path),
                    extension: None,
                };
                encode_pdu(&hdr, &body, w)
            },
        )?;
        let reply = session.call_with_limit(req, HANDSHAKE_TIMEOUT_MS)?;
        let hdr = Header::decode(&reply).map_err(|_| proto_error("TREE_CONNECT header"))?;
        if hdr.status != status::STATUS_SUCCESS {
            pr_err!(
                "tree connect to {} failed: {}\n",
                path,
                status::name(hdr.status).unwrap_or("unknown status")
            );
            return Err(errno(status::to_errno(hdr.status) as u32));
        }
        TreeConnectResponse::decode(&reply).map_err(|_| proto_error("TREE_CONNECT response"))?;
        let tree_id = match hdr.id {
            HeaderId::Sync { tree_id, .. } => tree_id,
            HeaderId::Async { .. } => return Err(proto_error("async TREE_CONNECT response")),
        };
        session.trees_changed(1);
        Ok(Self {
            session,
            tree_id,
            posix: false,
        })
    }

    /// Returns the session.
    pub(crate) fn session(&self) -> &SessionRef {
        &self.session
    }

    /// Queries the share's size and free space: CREATE of the root, QUERY_INFO and
    /// CLOSE, in one related compound (one round trip).
    pub(crate) fn statfs(&self) -> Result<FsSpace> {
        let s = &self.session;
        let mut req = Request::new(true);
        let hdr = s.header(Command::Create, self.tree_id);
        req.push(Command::Create, 1, SMALL_PDU_ROOM, |w| {
            let create = CreateRequest {
                desired_access: FILE_READ_ATTRIBUTES,
                ..CreateRequest::default()
            };
            encode_pdu(&hdr, &create, w)
        })?;
        let hdr = s.header(Command::QueryInfo, self.tree_id);
        req.push(Command::QueryInfo, 1, SMALL_PDU_ROOM, |w| {
            let query = QueryInfoRequest::new(
                INFO_FILESYSTEM,
                FS_FULL_SIZE_INFORMATION,
                FileId::COMPOUND,
                64,
            );
            encode_pdu(&hdr, &query, w)
        })?;
        let hdr = s.header(Command::Close, self.tree_id);
        req.push(Command::Close, 1, SMALL_PDU_ROOM, |w| {
            let close = CloseRequest {
                flags: 0,
                file_id: FileId::COMPOUND,
            };
            encode_pdu(&hdr, &close, w)
        })?;
        let replies = s.call_compound(req)?;
        let mut it = replies.iter();
        let (Some(create), Some(query)) = (it.next(), it.next()) else {
            return Err(EINVAL);
        };
        let create = create.as_ref().map_err(|e| *e)?;
        check_status(create, "open of the share root")?;
        let query = query.as_ref().map_err(|e| *e)?;
        check_status(query, "file system query")?;
        let out = QueryInfoResponse::decode(query).map_err(|_| proto_error("QUERY_INFO"))?;
        let info = FsFullSizeInfo::decode(out.output).map_err(|_| proto_error("FsFullSizeInfo"))?;
        let unit = u64::from(info.sectors_per_allocation_unit)
            .saturating_mul(u64::from(info.bytes_per_sector))
            .max(1);
        Ok(FsSpace {
            unit,
            total_units: info.total_allocation_units,
            available_units: info.caller_available_allocation_units,
            free_units: info.actual_available_allocation_units,
        })
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        // Handles close before the tree goes, so that what the server does at
        // their close (a delete pending) is done when unmount returns.
        if !matches!(self.session.closes.barrier(0, false, 5000), Ok(true)) {
            pr_warn!(
                "tree {:#x}: CLOSEs still unanswered at disconnect\n",
                self.tree_id
            );
        }
        let hdr = self.session.header(Command::TreeDisconnect, self.tree_id);
        let mut req = Request::new(false);
        let sent = req
            .push(Command::TreeDisconnect, 1, HEADER_SIZE + 4, |w| {
                encode_pdu(&hdr, &TreeDisconnectRequest, w)
            })
            .and_then(|()| self.session.call_with_limit(req, 5000));
        if let Err(e) = sent {
            pr_warn!(
                "tree {:#x} disconnect failed (error {})\n",
                self.tree_id,
                e.to_errno()
            );
        }
        self.session.trees_changed(-1);
    }
}
