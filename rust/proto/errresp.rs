// SPDX-License-Identifier: GPL-2.0

//! The SMB2 ERROR response (MS-SMB2 2.2.2): error contexts (3.1.1), the symbolic link
//! error response of STATUS_STOPPED_ON_SYMLINK (2.2.2.2.1) and the required buffer
//! size of STATUS_BUFFER_TOO_SMALL.
//!
//! Any command may be answered with an ERROR body (StructureSize 9), including interim
//! STATUS_PENDING responses; [`is_error_response`] tells it apart from a command
//! response that also has StructureSize 9 (QUERY_INFO, QUERY_DIRECTORY ...).

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Header, HEADER_SIZE};
use super::status;
use super::types::Utf16Str;

/// ErrorId: default (the context holds command-specific data, e.g. a symlink).
pub const ERROR_ID_DEFAULT: u32 = 0x0000_0000;
/// ErrorId: share redirect ("rdRS").
pub const ERROR_ID_SHARE_REDIRECT: u32 = 0x7264_5253;
/// SymLinkErrorTag: "SYMl".
pub const SYMLINK_ERROR_TAG: u32 = 0x4C4D_5953;

const SIZE: u16 = 9;
const SYMLINK_FIXED: usize = 28;

/// Returns true if `pdu` (whose header is `hdr`) carries an ERROR body rather than
/// the command's own response: an error or interim status, StructureSize 9, and not
/// one of the statuses that come with a normal body (MORE_PROCESSING_REQUIRED,
/// BUFFER_OVERFLOW).
pub fn is_error_response(hdr: &Header, pdu: &[u8]) -> bool {
    let s = hdr.status;
    if s == status::STATUS_SUCCESS
        || s == status::STATUS_MORE_PROCESSING_REQUIRED
        || s == status::STATUS_BUFFER_OVERFLOW
    {
        return false;
    }
    match header::peek_structure_size(pdu) {
        Ok(size) => size == SIZE,
        // A bare header: some servers send error responses without a body.
        Err(_) => pdu.len() <= HEADER_SIZE.saturating_add(1),
    }
}

/// SMB2 ERROR response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErrorResponse<'a> {
    /// ErrorContextCount (3.1.1): 0 means `data` is a single unformatted error data.
    pub context_count: u8,
    /// ErrorData (ByteCount bytes).
    pub data: &'a [u8],
}

impl<'a> ErrorResponse<'a> {
    /// Decodes an ERROR response PDU. A missing ErrorData byte with ByteCount 0 is
    /// tolerated, and so is a bare 64-byte header (some servers send error statuses
    /// without a body), which yields an empty response.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        if pdu.len() == HEADER_SIZE {
            Header::decode(pdu)?;
            return Ok(Self::default());
        }
        let mut r = header::open_body(pdu, SIZE, "ErrorResponse.StructureSize")?;
        let context_count = r.u8("ErrorResponse.ErrorContextCount")?;
        r.skip(1, "ErrorResponse.Reserved")?;
        let len = r.u32("ErrorResponse.ByteCount")? as usize;
        let data = r.bytes(len, "ErrorResponse.ErrorData")?;
        Ok(Self {
            context_count,
            data,
        })
    }

    /// Walks the error contexts (empty if ErrorContextCount is 0).
    pub fn contexts(&self) -> ErrorContexts<'a> {
        ErrorContexts {
            r: Reader::new(self.data),
            left: self.context_count,
        }
    }

    /// Returns the symbolic link error response, either as the unformatted ErrorData
    /// (ErrorContextCount 0) or inside the first default error context.
    pub fn symlink(&self) -> Result<SymlinkError<'a>, DecodeError> {
        if self.context_count == 0 {
            return SymlinkError::decode(self.data);
        }
        for c in self.contexts() {
            let c = c?;
            if c.id == ERROR_ID_DEFAULT {
                return SymlinkError::decode(c.data);
            }
        }
        Err(DecodeError::Unsupported {
            what: "ErrorResponse without a symlink error context",
        })
    }

    /// Returns the buffer size a STATUS_BUFFER_TOO_SMALL response asks for.
    pub fn required_buffer_size(&self) -> Result<u32, DecodeError> {
        let data = if self.context_count == 0 {
            self.data
        } else {
            match self.contexts().next() {
                Some(c) => c?.data,
                None => &[],
            }
        };
        Reader::new(data).u32("ErrorResponse.RequiredBufferSize")
    }
}

impl ErrorResponse<'_> {
    /// Writes the body. With no data a single zero byte follows, as required.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u16(SIZE)?;
        w.u8(self.context_count)?;
        w.u8(0)?;
        w.u32(header::to_u32(self.data.len())?)?;
        if self.data.is_empty() {
            w.u8(0)
        } else {
            w.bytes(self.data)
        }
    }
}

/// Encodes `hdr` (command kept) followed by an ERROR body and returns the PDU length.
pub fn encode_error_pdu(
    hdr: &Header,
    body: &ErrorResponse<'_>,
    w: &mut Writer<'_>,
) -> Result<usize, EncodeError> {
    let start = w.pos();
    hdr.encode(w)?;
    body.encode(w)?;
    Ok(w.pos().saturating_sub(start))
}

/// One SMB2 ERROR Context Response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorContext<'a> {
    /// ErrorId (`ERROR_ID_*`).
    pub id: u32,
    /// ErrorContextData.
    pub data: &'a [u8],
}

/// Writes error contexts (each 8-byte aligned) for an ERROR response's ErrorData.
pub fn encode_error_contexts(
    list: &[ErrorContext<'_>],
    w: &mut Writer<'_>,
) -> Result<(), EncodeError> {
    let start = w.pos();
    for c in list {
        header::pad8(w, start)?;
        w.u32(header::to_u32(c.data.len())?)?;
        w.u32(c.id)?;
        w.bytes(c.data)?;
    }
    Ok(())
}

/// Iterator over error contexts; contexts start 8-byte aligned within ErrorData.
#[derive(Clone, Debug)]
pub struct ErrorContexts<'a> {
    r: Reader<'a>,
    left: u8,
}

impl<'a> Iterator for ErrorContexts<'a> {
    type Item = Result<ErrorContext<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left = self.left.saturating_sub(1);
        let r = (|| {
            let pad = self.r.pos().wrapping_neg() & 7;
            let pad = pad.min(self.r.remaining());
            self.r.skip(pad, "ErrorContext.Padding")?;
            let len = self.r.u32("ErrorContext.ErrorDataLength")? as usize;
            let id = self.r.u32("ErrorContext.ErrorId")?;
            let data = self.r.bytes(len, "ErrorContext.ErrorContextData")?;
            Ok(ErrorContext { id, data })
        })();
        if r.is_err() {
            self.left = 0;
        }
        Some(r)
    }
}

/// The symbolic link error response of STATUS_STOPPED_ON_SYMLINK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymlinkError<'a> {
    /// ReparseTag (IO_REPARSE_TAG_SYMLINK).
    pub reparse_tag: u32,
    /// UnparsedPathLength: bytes at the end of the original path not yet resolved.
    pub unparsed_path_length: u16,
    /// SubstituteName: the link target.
    pub substitute_name: Utf16Str<'a>,
    /// PrintName: the target for display.
    pub print_name: Utf16Str<'a>,
    /// Flags (`SYMLINK_FLAG_RELATIVE`).
    pub flags: u32,
}

impl<'a> SymlinkError<'a> {
    /// Decodes a Symbolic Link Error Response, checking the tag and that both names
    /// (offsets relative to PathBuffer) lie inside `buf`. SymLinkLength is not trusted,
    /// as servers disagree on it.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let _total = r.u32("SymlinkError.SymLinkLength")?;
        if r.u32("SymlinkError.SymLinkErrorTag")? != SYMLINK_ERROR_TAG {
            return Err(DecodeError::BadMagic {
                what: "SymlinkError.SymLinkErrorTag",
            });
        }
        let reparse_tag = r.u32("SymlinkError.ReparseTag")?;
        let _reparse_len = r.u16("SymlinkError.ReparseDataLength")?;
        let unparsed_path_length = r.u16("SymlinkError.UnparsedPathLength")?;
        let sub_off = usize::from(r.u16("SymlinkError.SubstituteNameOffset")?);
        let sub_len = usize::from(r.u16("SymlinkError.SubstituteNameLength")?);
        let print_off = usize::from(r.u16("SymlinkError.PrintNameOffset")?);
        let print_len = usize::from(r.u16("SymlinkError.PrintNameLength")?);
        let flags = r.u32("SymlinkError.Flags")?;
        let path = Reader::new(buf.get(SYMLINK_FIXED..).unwrap_or(&[]));
        let sub = path.slice_at(sub_off, sub_len, "SymlinkError.SubstituteName")?;
        let print = path.slice_at(print_off, print_len, "SymlinkError.PrintName")?;
        Ok(Self {
            reparse_tag,
            unparsed_path_length,
            substitute_name: Utf16Str::new(sub)?,
            print_name: Utf16Str::new(print)?,
            flags,
        })
    }

    /// Writes the response (substitute name, then print name).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let sub = self.substitute_name.as_bytes();
        let print = self.print_name.as_bytes();
        let names = sub
            .len()
            .checked_add(print.len())
            .ok_or(EncodeError::TooLarge)?;
        let total = names
            .checked_add(SYMLINK_FIXED.saturating_sub(4))
            .ok_or(EncodeError::TooLarge)?;
        let reparse_len = names.checked_add(12).ok_or(EncodeError::TooLarge)?;
        w.u32(header::to_u32(total)?)?;
        w.u32(SYMLINK_ERROR_TAG)?;
        w.u32(self.reparse_tag)?;
        w.u16(header::to_u16(reparse_len)?)?;
        w.u16(self.unparsed_path_length)?;
        w.u16(0)?;
        w.u16(header::to_u16(sub.len())?)?;
        w.u16(header::to_u16(sub.len())?)?;
        w.u16(header::to_u16(print.len())?)?;
        w.u32(self.flags)?;
        w.bytes(sub)?;
        w.bytes(print)
    }
}
