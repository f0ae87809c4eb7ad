// SPDX-License-Identifier: GPL-2.0

//! CLOSE (MS-SMB2 2.2.15, 2.2.16).

use super::cursor::Writer;
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command};
use super::types::{FileAttrs, FileId};

/// Close flag: return the file's attributes in the response.
pub const CLOSE_FLAG_POSTQUERY_ATTRIB: u16 = 0x0001;

const REQ_SIZE: u16 = 24;
const RSP_SIZE: u16 = 60;

/// SMB2 CLOSE request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloseRequest {
    /// Flags (`CLOSE_FLAG_*`).
    pub flags: u16,
    /// The handle to close.
    pub file_id: FileId,
}

impl Body for CloseRequest {
    const COMMAND: Command = Command::Close;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(REQ_SIZE)?;
        w.u16(self.flags)?;
        w.u32(0)?;
        self.file_id.encode(w)
    }
}

impl CloseRequest {
    /// Decodes a CLOSE request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "CloseRequest.StructureSize")?;
        let flags = r.u16("CloseRequest.Flags")?;
        r.skip(4, "CloseRequest.Reserved")?;
        Ok(Self {
            flags,
            file_id: FileId::decode(&mut r)?,
        })
    }
}

/// SMB2 CLOSE response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloseResponse {
    /// Flags: CLOSE_FLAG_POSTQUERY_ATTRIB if `attrs` is valid.
    pub flags: u16,
    /// Times, sizes and attributes (all zero without POSTQUERY_ATTRIB).
    pub attrs: FileAttrs,
}

impl CloseResponse {
    /// Returns the attributes if the server filled them in.
    pub fn post_query(&self) -> Option<&FileAttrs> {
        (self.flags & CLOSE_FLAG_POSTQUERY_ATTRIB != 0).then_some(&self.attrs)
    }

    /// Decodes a CLOSE response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RSP_SIZE, "CloseResponse.StructureSize")?;
        let flags = r.u16("CloseResponse.Flags")?;
        r.skip(4, "CloseResponse.Reserved")?;
        Ok(Self {
            flags,
            attrs: FileAttrs::decode(&mut r)?,
        })
    }
}

impl Body for CloseResponse {
    const COMMAND: Command = Command::Close;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(RSP_SIZE)?;
        w.u16(self.flags)?;
        w.u32(0)?;
        self.attrs.encode(w)
    }
}
