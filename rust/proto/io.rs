// SPDX-License-Identifier: GPL-2.0

//! FLUSH, READ and WRITE (MS-SMB2 2.2.17 - 2.2.22), including the SMB Direct buffer
//! descriptors of RDMA channels.
//!
//! Zero-copy design:
//! - A WRITE request is encoded without its payload: [`WriteRequest`] writes the header
//!   and the 48-byte fixed part (plus any channel descriptors), sets DataOffset to the
//!   end of that and Length to [`WriteRequest::length`]; the transport sends the
//!   page-cache pages as further segments right after it. [`WRITE_DATA_OFFSET`] is
//!   where inline data starts when there are no channel descriptors.
//! - A READ response is decoded from its fixed part alone ([`READ_RESPONSE_FIXED_END`]
//!   bytes): [`ReadResponse::decode`] returns DataOffset and DataLength, and
//!   [`ReadResponse::inline_range`] checks them against the frame length so the
//!   receive path can read up to DataOffset into a small buffer and the payload
//!   straight into pages. An error reply (e.g. STATUS_END_OF_FILE) is an ERROR body
//!   shorter than that fixed part, so the receive path reads `min(frame length,
//!   READ_RESPONSE_FIXED_END)` bytes first and checks
//!   [`is_error_response`](super::errresp::is_error_response) before decoding.

use core::ops::Range;

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::types::{FileId, FixedList, FixedWire};

/// Channel: none (data inline).
pub const CHANNEL_NONE: u32 = 0x0000_0000;
/// Channel: SMB Direct RDMA, buffer descriptors follow.
pub const CHANNEL_RDMA_V1: u32 = 0x0000_0001;
/// Channel: SMB Direct RDMA with remote invalidation of the memory registration.
pub const CHANNEL_RDMA_V1_INVALIDATE: u32 = 0x0000_0002;
/// Channel: SMB Direct RDMA with an RDMA transform (3.1.1).
pub const CHANNEL_RDMA_TRANSFORM: u32 = 0x0000_0003;

/// Read request flag: bypass the server's cache (3.0.2).
pub const READFLAG_READ_UNBUFFERED: u8 = 0x01;
/// Read request flag: the response may be compressed (3.1.1).
pub const READFLAG_REQUEST_COMPRESSED: u8 = 0x02;
/// Read response flag: the data was sent with an RDMA transform.
pub const READ_RESPONSE_FLAG_RDMA_TRANSFORM: u32 = 0x0000_0001;

/// Write request flag: write through to stable storage (2.1).
pub const WRITEFLAG_WRITE_THROUGH: u32 = 0x0000_0001;
/// Write request flag: bypass the server's cache (3.0.2).
pub const WRITEFLAG_WRITE_UNBUFFERED: u32 = 0x0000_0002;

/// End of a READ request's fixed part; channel descriptors start here.
pub const READ_CHANNEL_INFO_OFFSET: usize = HEADER_SIZE + 48;
/// Where inline WRITE data starts when there are no channel descriptors.
pub const WRITE_DATA_OFFSET: usize = HEADER_SIZE + 48;
/// End of a READ response's fixed part: the bytes to receive before DataOffset is known.
pub const READ_RESPONSE_FIXED_END: usize = HEADER_SIZE + 16;
/// The DataOffset a client asks for (READ request Padding): data right after the fixed
/// part.
pub const READ_RESPONSE_DATA_OFFSET: u8 = READ_RESPONSE_FIXED_END as u8;

const FLUSH_REQ_SIZE: u16 = 24;
const RW_REQ_SIZE: u16 = 49;
const RW_RSP_SIZE: u16 = 17;

/// An SMB Direct buffer descriptor (SMBDirect_Buffer_Descriptor_V1): a registered
/// memory region the server reads from or writes to with RDMA.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferDescriptorV1 {
    /// Offset (the registered region's address as the peer sees it).
    pub offset: u64,
    /// Token (the remote key).
    pub token: u32,
    /// Length of the region.
    pub length: u32,
}

impl FixedWire for BufferDescriptorV1 {
    const SIZE: usize = 16;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            offset: r.u64("BufferDescriptorV1.Offset")?,
            token: r.u32("BufferDescriptorV1.Token")?,
            length: r.u32("BufferDescriptorV1.Length")?,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.offset)?;
        w.u32(self.token)?;
        w.u32(self.length)
    }
}

/// ReadChannelInfo / WriteChannelInfo: a list of buffer descriptors.
pub type BufferDescriptors<'a> = FixedList<'a, BufferDescriptorV1>;

fn channel_info<'a>(
    pdu: &'a [u8],
    off: u16,
    len: u16,
    what: &'static str,
) -> Result<BufferDescriptors<'a>, DecodeError> {
    let b = header::region(
        pdu,
        usize::from(off),
        usize::from(len),
        READ_CHANNEL_INFO_OFFSET,
        what,
    )?;
    BufferDescriptors::from_wire(b, what)
}

/// SMB2 FLUSH request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlushRequest {
    /// The handle to flush.
    pub file_id: FileId,
}

impl Body for FlushRequest {
    const COMMAND: Command = Command::Flush;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(FLUSH_REQ_SIZE)?;
        w.u16(0)?;
        w.u32(0)?;
        self.file_id.encode(w)
    }
}

impl FlushRequest {
    /// Decodes a FLUSH request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, FLUSH_REQ_SIZE, "FlushRequest.StructureSize")?;
        r.skip(6, "FlushRequest.Reserved")?;
        Ok(Self {
            file_id: FileId::decode(&mut r)?,
        })
    }
}

/// SMB2 FLUSH response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlushResponse;

impl Body for FlushResponse {
    const COMMAND: Command = Command::Flush;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl FlushResponse {
    /// Decodes a FLUSH response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "FlushResponse.StructureSize").map(|()| Self)
    }
}

/// SMB2 READ request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadRequest<'a> {
    /// Padding: the DataOffset wanted in the response (normally
    /// [`READ_RESPONSE_DATA_OFFSET`]).
    pub padding: u8,
    /// Flags (`READFLAG_*`).
    pub flags: u8,
    /// Bytes to read.
    pub length: u32,
    /// File offset.
    pub offset: u64,
    /// The handle.
    pub file_id: FileId,
    /// Minimum bytes for the read to succeed.
    pub minimum_count: u32,
    /// Channel (`CHANNEL_*`).
    pub channel: u32,
    /// RemainingBytes: for RDMA, the bytes still to be read after this request.
    pub remaining_bytes: u32,
    /// ReadChannelInfo: where the server RDMA-writes the data.
    pub channel_info: BufferDescriptors<'a>,
}

impl<'a> ReadRequest<'a> {
    /// Returns a plain (non-RDMA) read of `length` bytes at `offset`.
    pub fn new(file_id: FileId, offset: u64, length: u32) -> Self {
        Self {
            padding: READ_RESPONSE_DATA_OFFSET,
            length,
            offset,
            file_id,
            ..Self::default()
        }
    }

    /// Decodes a READ request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RW_REQ_SIZE, "ReadRequest.StructureSize")?;
        let padding = r.u8("ReadRequest.Padding")?;
        let flags = r.u8("ReadRequest.Flags")?;
        let length = r.u32("ReadRequest.Length")?;
        let offset = r.u64("ReadRequest.Offset")?;
        let file_id = FileId::decode(&mut r)?;
        let minimum_count = r.u32("ReadRequest.MinimumCount")?;
        let channel = r.u32("ReadRequest.Channel")?;
        let remaining_bytes = r.u32("ReadRequest.RemainingBytes")?;
        let ci_off = r.u16("ReadRequest.ReadChannelInfoOffset")?;
        let ci_len = r.u16("ReadRequest.ReadChannelInfoLength")?;
        Ok(Self {
            padding,
            flags,
            length,
            offset,
            file_id,
            minimum_count,
            channel,
            remaining_bytes,
            channel_info: channel_info(pdu, ci_off, ci_len, "ReadRequest.ReadChannelInfo")?,
        })
    }
}

impl Body for ReadRequest<'_> {
    const COMMAND: Command = Command::Read;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let ci_len = header::to_u16(self.channel_info.byte_len())?;
        w.u16(RW_REQ_SIZE)?;
        w.u8(self.padding)?;
        w.u8(self.flags)?;
        w.u32(self.length)?;
        w.u64(self.offset)?;
        self.file_id.encode(w)?;
        w.u32(self.minimum_count)?;
        w.u32(self.channel)?;
        w.u32(self.remaining_bytes)?;
        let ci_off = if ci_len == 0 {
            0
        } else {
            header::to_u16(header::pdu_offset(w, pdu_start).saturating_add(4))?
        };
        w.u16(ci_off)?;
        w.u16(ci_len)?;
        if ci_len == 0 {
            w.u8(0)
        } else {
            self.channel_info.encode(w)
        }
    }

    fn credit_payload(&self) -> usize {
        self.length as usize
    }
}

/// SMB2 READ response, decoded from its fixed part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadResponse {
    /// DataOffset from the start of the header (0 or at least
    /// [`READ_RESPONSE_FIXED_END`]).
    pub data_offset: u8,
    /// DataLength: bytes read (for RDMA, bytes written into the client's buffers).
    pub data_length: u32,
    /// DataRemaining: for RDMA, bytes still to be transferred.
    pub data_remaining: u32,
    /// Flags (`READ_RESPONSE_FLAG_*`).
    pub flags: u32,
}

impl ReadResponse {
    /// Decodes the fixed part; `pdu` needs only [`READ_RESPONSE_FIXED_END`] bytes.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RW_RSP_SIZE, "ReadResponse.StructureSize")?;
        let data_offset = r.u8("ReadResponse.DataOffset")?;
        r.skip(1, "ReadResponse.Reserved")?;
        Ok(Self {
            data_offset,
            data_length: r.u32("ReadResponse.DataLength")?,
            data_remaining: r.u32("ReadResponse.DataRemaining")?,
            flags: r.u32("ReadResponse.Flags")?,
        })
    }

    /// Returns where the inline data lies in a PDU of `pdu_len` bytes, checking that it
    /// starts after the fixed part and ends inside the PDU. Empty data gives an empty
    /// range at the end of the fixed part.
    pub fn inline_range(&self, pdu_len: usize) -> Result<Range<usize>, DecodeError> {
        let len = self.data_length as usize;
        if len == 0 {
            return Ok(READ_RESPONSE_FIXED_END..READ_RESPONSE_FIXED_END);
        }
        let off = usize::from(self.data_offset);
        if off < READ_RESPONSE_FIXED_END {
            return Err(DecodeError::BadValue {
                what: "ReadResponse.DataOffset",
                value: u64::from(self.data_offset),
            });
        }
        match off.checked_add(len) {
            Some(end) if end <= pdu_len => Ok(off..end),
            _ => Err(DecodeError::OutOfBounds {
                what: "ReadResponse.Data",
                offset: off,
                len,
            }),
        }
    }

    /// Returns the inline data of a fully received PDU.
    pub fn data<'a>(&self, pdu: &'a [u8]) -> Result<&'a [u8], DecodeError> {
        let r = self.inline_range(pdu.len())?;
        Ok(pdu.get(r).unwrap_or(&[]))
    }
}

/// Encodes a READ response's fixed part and pads up to DataOffset; the data
/// (`data_length` bytes) is appended by the caller. With no data a single pad byte is
/// written.
impl Body for ReadResponse {
    const COMMAND: Command = Command::Read;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(RW_RSP_SIZE)?;
        w.u8(self.data_offset)?;
        w.u8(0)?;
        w.u32(self.data_length)?;
        w.u32(self.data_remaining)?;
        w.u32(self.flags)?;
        let at = header::pdu_offset(w, pdu_start);
        let pad = usize::from(self.data_offset).saturating_sub(at);
        if self.data_length == 0 {
            w.zeros(pad.max(1))
        } else {
            w.zeros(pad)
        }
    }
}

/// SMB2 WRITE request without its payload (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteRequest<'a> {
    /// Length: bytes of inline data the caller appends (0 for RDMA writes).
    pub length: u32,
    /// File offset.
    pub offset: u64,
    /// The handle.
    pub file_id: FileId,
    /// Channel (`CHANNEL_*`).
    pub channel: u32,
    /// RemainingBytes: for RDMA, the bytes the server pulls with RDMA reads.
    pub remaining_bytes: u32,
    /// WriteChannelInfo: where the server RDMA-reads the data from.
    pub channel_info: BufferDescriptors<'a>,
    /// Flags (`WRITEFLAG_*`).
    pub flags: u32,
}

impl<'a> WriteRequest<'a> {
    /// Returns a plain (non-RDMA) write of `length` bytes at `offset`.
    pub fn new(file_id: FileId, offset: u64, length: u32) -> Self {
        Self {
            length,
            offset,
            file_id,
            ..Self::default()
        }
    }

    /// Returns the DataOffset this request is encoded with: the end of the fixed part
    /// and channel descriptors, where the caller's payload goes.
    pub fn data_offset(&self) -> usize {
        WRITE_DATA_OFFSET.saturating_add(self.channel_info.byte_len())
    }

    /// Decodes a WRITE request PDU, returning the request and its inline data.
    pub fn decode(pdu: &'a [u8]) -> Result<(Self, &'a [u8]), DecodeError> {
        let mut r = header::open_body(pdu, RW_REQ_SIZE, "WriteRequest.StructureSize")?;
        let data_offset = r.u16("WriteRequest.DataOffset")?;
        let length = r.u32("WriteRequest.Length")?;
        let offset = r.u64("WriteRequest.Offset")?;
        let file_id = FileId::decode(&mut r)?;
        let channel = r.u32("WriteRequest.Channel")?;
        let remaining_bytes = r.u32("WriteRequest.RemainingBytes")?;
        let ci_off = r.u16("WriteRequest.WriteChannelInfoOffset")?;
        let ci_len = r.u16("WriteRequest.WriteChannelInfoLength")?;
        let flags = r.u32("WriteRequest.Flags")?;
        let data = header::region(
            pdu,
            usize::from(data_offset),
            length as usize,
            WRITE_DATA_OFFSET,
            "WriteRequest.Data",
        )?;
        Ok((
            Self {
                length,
                offset,
                file_id,
                channel,
                remaining_bytes,
                channel_info: channel_info(pdu, ci_off, ci_len, "WriteRequest.WriteChannelInfo")?,
                flags,
            },
            data,
        ))
    }
}

impl Body for WriteRequest<'_> {
    const COMMAND: Command = Command::Write;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        let ci_len = header::to_u16(self.channel_info.byte_len())?;
        w.u16(RW_REQ_SIZE)?;
        w.u16(header::to_u16(self.data_offset())?)?;
        w.u32(self.length)?;
        w.u64(self.offset)?;
        self.file_id.encode(w)?;
        w.u32(self.channel)?;
        w.u32(self.remaining_bytes)?;
        w.u16(if ci_len == 0 {
            0
        } else {
            WRITE_DATA_OFFSET as u16
        })?;
        w.u16(ci_len)?;
        w.u32(self.flags)?;
        self.channel_info.encode(w)?;
        if ci_len == 0 && self.length == 0 {
            w.u8(0)?;
        }
        Ok(())
    }

    fn credit_payload(&self) -> usize {
        (self.length as usize).max(self.remaining_bytes as usize)
    }
}

/// SMB2 WRITE response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteResponse {
    /// Count: bytes written.
    pub count: u32,
    /// Remaining (reserved).
    pub remaining: u32,
}

impl WriteResponse {
    /// Decodes a WRITE response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RW_RSP_SIZE, "WriteResponse.StructureSize")?;
        r.skip(2, "WriteResponse.Reserved")?;
        let count = r.u32("WriteResponse.Count")?;
        let remaining = r.u32("WriteResponse.Remaining")?;
        r.skip(4, "WriteResponse.WriteChannelInfo")?;
        Ok(Self { count, remaining })
    }
}

impl Body for WriteResponse {
    const COMMAND: Command = Command::Write;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(RW_RSP_SIZE)?;
        w.u16(0)?;
        w.u32(self.count)?;
        w.u32(self.remaining)?;
        w.u32(0)?;
        w.u8(0)
    }
}
