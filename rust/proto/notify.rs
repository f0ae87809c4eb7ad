// SPDX-License-Identifier: GPL-2.0

//! CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36) and the FILE_NOTIFY_INFORMATION entries of
//! its output (MS-FSCC 2.7.1).
//!
//! The server first answers a CHANGE_NOTIFY with an interim STATUS_PENDING response;
//! the final response arrives when something changes (STATUS_NOTIFY_ENUM_DIR with no
//! entries means "too many changes, re-read the directory").

use super::cursor::Writer;
use super::dir::chain_step;
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command};
use super::info;
use super::types::{FileId, Utf16Str};

/// Request flag: watch the whole subtree.
pub const WATCH_TREE: u16 = 0x0001;

/// Completion filter: file name changes.
pub const FILE_NOTIFY_CHANGE_FILE_NAME: u32 = 0x0000_0001;
/// Completion filter: directory name changes.
pub const FILE_NOTIFY_CHANGE_DIR_NAME: u32 = 0x0000_0002;
/// Completion filter: attribute changes.
pub const FILE_NOTIFY_CHANGE_ATTRIBUTES: u32 = 0x0000_0004;
/// Completion filter: size changes.
pub const FILE_NOTIFY_CHANGE_SIZE: u32 = 0x0000_0008;
/// Completion filter: last write time changes.
pub const FILE_NOTIFY_CHANGE_LAST_WRITE: u32 = 0x0000_0010;
/// Completion filter: last access time changes.
pub const FILE_NOTIFY_CHANGE_LAST_ACCESS: u32 = 0x0000_0020;
/// Completion filter: creation time changes.
pub const FILE_NOTIFY_CHANGE_CREATION: u32 = 0x0000_0040;
/// Completion filter: extended attribute changes.
pub const FILE_NOTIFY_CHANGE_EA: u32 = 0x0000_0080;
/// Completion filter: security descriptor changes.
pub const FILE_NOTIFY_CHANGE_SECURITY: u32 = 0x0000_0100;
/// Completion filter: stream name changes.
pub const FILE_NOTIFY_CHANGE_STREAM_NAME: u32 = 0x0000_0200;
/// Completion filter: stream size changes.
pub const FILE_NOTIFY_CHANGE_STREAM_SIZE: u32 = 0x0000_0400;
/// Completion filter: stream write changes.
pub const FILE_NOTIFY_CHANGE_STREAM_WRITE: u32 = 0x0000_0800;

/// Action: a file was added.
pub const FILE_ACTION_ADDED: u32 = 0x0000_0001;
/// Action: a file was removed.
pub const FILE_ACTION_REMOVED: u32 = 0x0000_0002;
/// Action: a file was modified.
pub const FILE_ACTION_MODIFIED: u32 = 0x0000_0003;
/// Action: a rename's old name.
pub const FILE_ACTION_RENAMED_OLD_NAME: u32 = 0x0000_0004;
/// Action: a rename's new name.
pub const FILE_ACTION_RENAMED_NEW_NAME: u32 = 0x0000_0005;
/// Action: a stream was added.
pub const FILE_ACTION_ADDED_STREAM: u32 = 0x0000_0006;
/// Action: a stream was removed.
pub const FILE_ACTION_REMOVED_STREAM: u32 = 0x0000_0007;
/// Action: a stream was modified.
pub const FILE_ACTION_MODIFIED_STREAM: u32 = 0x0000_0008;
/// Action: removed by delete (the name is now unavailable).
pub const FILE_ACTION_REMOVED_BY_DELETE: u32 = 0x0000_0009;

const REQ_SIZE: u16 = 32;

/// SMB2 CHANGE_NOTIFY request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeNotifyRequest {
    /// Flags (`WATCH_TREE`).
    pub flags: u16,
    /// OutputBufferLength: the largest output accepted.
    pub output_buffer_length: u32,
    /// The directory handle.
    pub file_id: FileId,
    /// CompletionFilter (`FILE_NOTIFY_CHANGE_*`).
    pub completion_filter: u32,
}

impl ChangeNotifyRequest {
    /// Decodes a CHANGE_NOTIFY request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "ChangeNotifyRequest.StructureSize")?;
        let flags = r.u16("ChangeNotifyRequest.Flags")?;
        let output_buffer_length = r.u32("ChangeNotifyRequest.OutputBufferLength")?;
        let file_id = FileId::decode(&mut r)?;
        let completion_filter = r.u32("ChangeNotifyRequest.CompletionFilter")?;
        r.skip(4, "ChangeNotifyRequest.Reserved")?;
        Ok(Self {
            flags,
            output_buffer_length,
            file_id,
            completion_filter,
        })
    }
}

impl Body for ChangeNotifyRequest {
    const COMMAND: Command = Command::ChangeNotify;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(REQ_SIZE)?;
        w.u16(self.flags)?;
        w.u32(self.output_buffer_length)?;
        self.file_id.encode(w)?;
        w.u32(self.completion_filter)?;
        w.u32(0)
    }

    fn credit_payload(&self) -> usize {
        self.output_buffer_length as usize
    }
}

/// SMB2 CHANGE_NOTIFY response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeNotifyResponse<'a> {
    /// The output buffer of FILE_NOTIFY_INFORMATION entries.
    pub output: &'a [u8],
}

impl<'a> ChangeNotifyResponse<'a> {
    /// Decodes a CHANGE_NOTIFY response PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(Self {
            output: info::decode_output_body(pdu, "ChangeNotifyResponse")?,
        })
    }

    /// Walks the change entries.
    pub fn changes(&self) -> Changes<'a> {
        changes(self.output)
    }
}

impl Body for ChangeNotifyResponse<'_> {
    const COMMAND: Command = Command::ChangeNotify;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        info::encode_output_body(self.output, w, pdu_start)
    }
}

/// One FILE_NOTIFY_INFORMATION entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change<'a> {
    /// Action (`FILE_ACTION_*`).
    pub action: u32,
    /// The name relative to the watched directory.
    pub name: Utf16Str<'a>,
}

impl Change<'_> {
    /// Writes the entry with the given NextEntryOffset.
    pub fn encode(&self, next: u32, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(next)?;
        w.u32(self.action)?;
        w.u32(header::to_u32(self.name.byte_len())?)?;
        w.bytes(self.name.as_bytes())
    }
}

/// Writes entries as a CHANGE_NOTIFY output buffer, each padded to 4 bytes and linked.
pub fn encode_changes(list: &[Change<'_>], w: &mut Writer<'_>) -> Result<(), EncodeError> {
    let mut prev: Option<usize> = None;
    for c in list {
        if let Some(p) = prev {
            let pad = w.pos().saturating_sub(p).wrapping_neg() & 3;
            w.zeros(pad)?;
            let next = header::to_u32(w.pos().saturating_sub(p))?;
            w.patch_u32(p, next)?;
        }
        prev = Some(w.pos());
        c.encode(0, w)?;
    }
    Ok(())
}

/// Walks FILE_NOTIFY_INFORMATION entries with the same NextEntryOffset rules as
/// directory entries (see [`super::dir::entries`]).
pub fn changes(buf: &[u8]) -> Changes<'_> {
    Changes {
        buf,
        pos: 0,
        done: buf.is_empty(),
    }
}

/// Iterator over change entries; see [`changes`].
#[derive(Clone, Debug)]
pub struct Changes<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for Changes<'a> {
    type Item = Result<Change<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = chain_step(
            self.buf,
            &mut self.pos,
            &mut self.done,
            "FileNotifyInformation.NextEntryOffset",
            |r| {
                let action = r.u32("FileNotifyInformation.Action")?;
                let len = r.u32("FileNotifyInformation.FileNameLength")? as usize;
                let name = Utf16Str::read(r, len, "FileNotifyInformation.FileName")?;
                Ok(Change { action, name })
            },
        );
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}
