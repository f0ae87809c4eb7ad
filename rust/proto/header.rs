// SPDX-License-Identifier: GPL-2.0

//! The 64-byte SMB2 packet header (MS-SMB2 2.2.1) in its sync and async forms, the
//! command codes, header flags, the credit charge rule, in-place patch helpers for
//! fields that are only known at send time, and the helpers every command module uses
//! to encode a PDU and to open and bound-check a response body.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError, What};

/// Size of the SMB2 header.
pub const HEADER_SIZE: usize = 64;
/// ProtocolId of a plain SMB2 header: 0xFE 'S' 'M' 'B'.
pub const PROTOCOL_ID: [u8; 4] = [0xFE, b'S', b'M', b'B'];

/// Offset of StructureSize.
pub const STRUCTURE_SIZE_OFFSET: usize = 4;
/// Offset of CreditCharge.
pub const CREDIT_CHARGE_OFFSET: usize = 6;
/// Offset of Status (responses) or ChannelSequence (SMB 3.x requests).
pub const STATUS_OFFSET: usize = 8;
/// Offset of Command.
pub const COMMAND_OFFSET: usize = 12;
/// Offset of CreditRequest / CreditResponse.
pub const CREDIT_OFFSET: usize = 14;
/// Offset of Flags.
pub const FLAGS_OFFSET: usize = 16;
/// Offset of NextCommand.
pub const NEXT_COMMAND_OFFSET: usize = 20;
/// Offset of MessageId.
pub const MESSAGE_ID_OFFSET: usize = 24;
/// Offset of AsyncId (async form) or ProcessId (sync form).
pub const ASYNC_ID_OFFSET: usize = 32;
/// Offset of TreeId (sync form).
pub const TREE_ID_OFFSET: usize = 36;
/// Offset of SessionId.
pub const SESSION_ID_OFFSET: usize = 40;
/// Offset of Signature.
pub const SIGNATURE_OFFSET: usize = 48;
/// Size of Signature.
pub const SIGNATURE_SIZE: usize = 16;

/// Flag: the message is a response.
pub const FLAG_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// Flag: the header is in async form (AsyncId instead of ProcessId/TreeId).
pub const FLAG_ASYNC_COMMAND: u32 = 0x0000_0002;
/// Flag: the request is a related operation in a compound.
pub const FLAG_RELATED_OPERATIONS: u32 = 0x0000_0004;
/// Flag: the message is signed.
pub const FLAG_SIGNED: u32 = 0x0000_0008;
/// Mask of the 3-bit I/O priority (SMB 3.1.1).
pub const FLAG_PRIORITY_MASK: u32 = 0x0000_0070;
/// Shift of the I/O priority inside Flags.
pub const FLAG_PRIORITY_SHIFT: u32 = 4;
/// Flag: the request is a DFS operation.
pub const FLAG_DFS_OPERATIONS: u32 = 0x1000_0000;
/// Flag: the request is a replay of an earlier one (SMB 3.x).
pub const FLAG_REPLAY_OPERATION: u32 = 0x2000_0000;

/// SessionId that related compound requests use to inherit the previous one's.
pub const RELATED_SESSION_ID: u64 = u64::MAX;
/// TreeId that related compound requests use to inherit the previous one's.
pub const RELATED_TREE_ID: u32 = u32::MAX;
/// MessageId of an unsolicited oplock/lease break notification.
pub const NOTIFICATION_MESSAGE_ID: u64 = u64::MAX;

/// Bytes a single credit covers for multi-credit requests.
pub const CREDIT_UNIT: usize = 65536;

/// SMB2 command codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Command {
    /// SMB2 NEGOTIATE.
    Negotiate = 0x00,
    /// SMB2 SESSION_SETUP.
    SessionSetup = 0x01,
    /// SMB2 LOGOFF.
    Logoff = 0x02,
    /// SMB2 TREE_CONNECT.
    TreeConnect = 0x03,
    /// SMB2 TREE_DISCONNECT.
    TreeDisconnect = 0x04,
    /// SMB2 CREATE.
    Create = 0x05,
    /// SMB2 CLOSE.
    Close = 0x06,
    /// SMB2 FLUSH.
    Flush = 0x07,
    /// SMB2 READ.
    Read = 0x08,
    /// SMB2 WRITE.
    Write = 0x09,
    /// SMB2 LOCK.
    Lock = 0x0A,
    /// SMB2 IOCTL.
    Ioctl = 0x0B,
    /// SMB2 CANCEL.
    Cancel = 0x0C,
    /// SMB2 ECHO.
    Echo = 0x0D,
    /// SMB2 QUERY_DIRECTORY.
    QueryDirectory = 0x0E,
    /// SMB2 CHANGE_NOTIFY.
    ChangeNotify = 0x0F,
    /// SMB2 QUERY_INFO.
    QueryInfo = 0x10,
    /// SMB2 SET_INFO.
    SetInfo = 0x11,
    /// SMB2 OPLOCK_BREAK (oplock and lease breaks and their acknowledgments).
    OplockBreak = 0x12,
    /// SMB2 SERVER_TO_CLIENT_NOTIFICATION (SMB 3.1.1).
    ServerToClientNotification = 0x13,
}

impl Command {
    /// Converts a wire value, returning `None` for unknown commands.
    pub fn from_u16(v: u16) -> Option<Self> {
        use Command::*;
        Some(match v {
            0x00 => Negotiate,
            0x01 => SessionSetup,
            0x02 => Logoff,
            0x03 => TreeConnect,
            0x04 => TreeDisconnect,
            0x05 => Create,
            0x06 => Close,
            0x07 => Flush,
            0x08 => Read,
            0x09 => Write,
            0x0A => Lock,
            0x0B => Ioctl,
            0x0C => Cancel,
            0x0D => Echo,
            0x0E => QueryDirectory,
            0x0F => ChangeNotify,
            0x10 => QueryInfo,
            0x11 => SetInfo,
            0x12 => OplockBreak,
            0x13 => ServerToClientNotification,
            _ => return None,
        })
    }

    /// Returns the wire value.
    pub fn as_u16(self) -> u16 {
        self as u16
    }
}

/// The 8 bytes that differ between the sync and async header forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderId {
    /// Sync form: ProcessId (reserved in SMB2) and TreeId.
    Sync {
        /// ProcessId (Reserved; clients usually send 0xFEFF or a pid).
        process_id: u32,
        /// TreeId of the share the request targets.
        tree_id: u32,
    },
    /// Async form: the AsyncId handed out in an interim STATUS_PENDING response.
    Async {
        /// AsyncId.
        async_id: u64,
    },
}

/// A decoded or to-be-encoded SMB2 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// CreditCharge: credits this request consumes (see [`credit_charge`]).
    pub credit_charge: u16,
    /// Status in responses; in SMB 3.x requests the low 16 bits are ChannelSequence and
    /// the high 16 bits are reserved.
    pub status: u32,
    /// The command.
    pub command: Command,
    /// CreditRequest in requests, CreditResponse (credits granted) in responses.
    pub credits: u16,
    /// Flags (`FLAG_*`); [`Header::encode`] keeps FLAG_ASYNC_COMMAND consistent with
    /// [`Header::id`].
    pub flags: u32,
    /// NextCommand: offset from this header to the next one in a compound, or 0.
    pub next_command: u32,
    /// MessageId.
    pub message_id: u64,
    /// Sync (TreeId) or async (AsyncId) identification.
    pub id: HeaderId,
    /// SessionId.
    pub session_id: u64,
    /// Signature (zero when unsigned or before signing).
    pub signature: [u8; SIGNATURE_SIZE],
}

impl Header {
    /// Returns a sync request header for `command` with every other field zero.
    pub fn new(command: Command) -> Self {
        Self {
            credit_charge: 0,
            status: 0,
            command,
            credits: 0,
            flags: 0,
            next_command: 0,
            message_id: 0,
            id: HeaderId::Sync {
                process_id: 0,
                tree_id: 0,
            },
            session_id: 0,
            signature: [0; SIGNATURE_SIZE],
        }
    }

    /// Decodes the header at the start of `pdu`, checking ProtocolId, StructureSize and
    /// the command code. Only the first [`HEADER_SIZE`] bytes are read.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(pdu);
        let magic: [u8; 4] = r.array("Header.ProtocolId")?;
        if magic != PROTOCOL_ID {
            return Err(DecodeError::BadMagic {
                what: "Header.ProtocolId",
            });
        }
        let size = r.u16("Header.StructureSize")?;
        if usize::from(size) != HEADER_SIZE {
            return Err(DecodeError::BadValue {
                what: "Header.StructureSize",
                value: u64::from(size),
            });
        }
        let credit_charge = r.u16("Header.CreditCharge")?;
        let status = r.u32("Header.Status")?;
        let cmd = r.u16("Header.Command")?;
        let command = Command::from_u16(cmd).ok_or(DecodeError::BadValue {
            what: "Header.Command",
            value: u64::from(cmd),
        })?;
        let credits = r.u16("Header.Credit")?;
        let flags = r.u32("Header.Flags")?;
        let next_command = r.u32("Header.NextCommand")?;
        let message_id = r.u64("Header.MessageId")?;
        let id = if flags & FLAG_ASYNC_COMMAND != 0 {
            HeaderId::Async {
                async_id: r.u64("Header.AsyncId")?,
            }
        } else {
            HeaderId::Sync {
                process_id: r.u32("Header.ProcessId")?,
                tree_id: r.u32("Header.TreeId")?,
            }
        };
        let session_id = r.u64("Header.SessionId")?;
        let signature = r.array("Header.Signature")?;
        Ok(Self {
            credit_charge,
            status,
            command,
            credits,
            flags,
            next_command,
            message_id,
            id,
            session_id,
            signature,
        })
    }

    /// Writes the 64-byte header.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let mut flags = self.flags & !FLAG_ASYNC_COMMAND;
        if matches!(self.id, HeaderId::Async { .. }) {
            flags |= FLAG_ASYNC_COMMAND;
        }
        let mut b = [0u8; HEADER_SIZE];
        {
            let mut hw = Writer::new(&mut b);
            hw.bytes(&PROTOCOL_ID)?;
            hw.u16(HEADER_SIZE as u16)?;
            hw.u16(self.credit_charge)?;
            hw.u32(self.status)?;
            hw.u16(self.command.as_u16())?;
            hw.u16(self.credits)?;
            hw.u32(flags)?;
            hw.u32(self.next_command)?;
            hw.u64(self.message_id)?;
            match self.id {
                HeaderId::Sync {
                    process_id,
                    tree_id,
                } => {
                    hw.u32(process_id)?;
                    hw.u32(tree_id)?;
                }
                HeaderId::Async { async_id } => hw.u64(async_id)?,
            }
            hw.u64(self.session_id)?;
            hw.bytes(&self.signature)?;
        }
        w.bytes(&b)
    }

    /// Returns true if this is a response (SERVER_TO_REDIR set).
    pub fn is_response(&self) -> bool {
        self.flags & FLAG_SERVER_TO_REDIR != 0
    }

    /// Returns true if the header is in async form.
    pub fn is_async(&self) -> bool {
        matches!(self.id, HeaderId::Async { .. })
    }

    /// Returns true if RELATED_OPERATIONS is set.
    pub fn is_related(&self) -> bool {
        self.flags & FLAG_RELATED_OPERATIONS != 0
    }

    /// Returns true if SIGNED is set.
    pub fn is_signed(&self) -> bool {
        self.flags & FLAG_SIGNED != 0
    }

    /// Returns the TreeId of a sync header.
    pub fn tree_id(&self) -> Option<u32> {
        match self.id {
            HeaderId::Sync { tree_id, .. } => Some(tree_id),
            HeaderId::Async { .. } => None,
        }
    }

    /// Returns the AsyncId of an async header.
    pub fn async_id(&self) -> Option<u64> {
        match self.id {
            HeaderId::Async { async_id } => Some(async_id),
            HeaderId::Sync { .. } => None,
        }
    }

    /// Sets the sync form with the given TreeId (ProcessId 0).
    pub fn set_tree_id(&mut self, tree_id: u32) {
        self.id = HeaderId::Sync {
            process_id: 0,
            tree_id,
        };
    }

    /// Returns ChannelSequence (the low 16 bits of the Status field in 3.x requests).
    pub fn channel_sequence(&self) -> u16 {
        (self.status & 0xFFFF) as u16
    }

    /// Sets ChannelSequence, zeroing the reserved half.
    pub fn set_channel_sequence(&mut self, seq: u16) {
        self.status = u32::from(seq);
    }

    /// Returns the 3-bit I/O priority.
    pub fn priority(&self) -> u8 {
        ((self.flags & FLAG_PRIORITY_MASK) >> FLAG_PRIORITY_SHIFT) as u8
    }

    /// Sets the 3-bit I/O priority (values above 7 are truncated to 3 bits).
    pub fn set_priority(&mut self, prio: u8) {
        self.flags = (self.flags & !FLAG_PRIORITY_MASK)
            | ((u32::from(prio) << FLAG_PRIORITY_SHIFT) & FLAG_PRIORITY_MASK);
    }
}

/// Returns the CreditCharge for a request whose larger of send payload and expected
/// response payload is `payload` bytes: `1 + (payload - 1) / 65536`, and 1 for 0.
/// Saturates at `u16::MAX`.
pub fn credit_charge(payload: usize) -> u16 {
    let extra = payload.saturating_sub(1) / CREDIT_UNIT;
    u16::try_from(extra.saturating_add(1)).unwrap_or(u16::MAX)
}

/// An SMB2 command body (request or response) that can be encoded after a header.
pub trait Body {
    /// The command written into the header.
    const COMMAND: Command;

    /// Writes the body; `pdu_start` is the writer position of the PDU's header, from
    /// which every offset field is counted.
    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError>;

    /// Payload size for the credit charge: the larger of the bytes sent and the
    /// response bytes requested (0 for small fixed-size commands).
    fn credit_payload(&self) -> usize {
        0
    }
}

/// Encodes `hdr` (with its command forced to `B::COMMAND`) followed by `body` at the
/// writer's position and returns the PDU length.
pub fn encode_pdu<B: Body>(
    hdr: &Header,
    body: &B,
    w: &mut Writer<'_>,
) -> Result<usize, EncodeError> {
    let start = w.pos();
    let mut h = *hdr;
    h.command = B::COMMAND;
    h.encode(w)?;
    body.encode_body(w, start)?;
    Ok(w.pos().saturating_sub(start))
}

/// Returns the current writer position relative to `pdu_start`.
pub fn pdu_offset(w: &Writer<'_>, pdu_start: usize) -> usize {
    w.pos().saturating_sub(pdu_start)
}

/// Appends zeros until the position relative to `pdu_start` is a multiple of 8.
pub fn pad8(w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
    let pad = pdu_offset(w, pdu_start).wrapping_neg() & 7;
    w.zeros(pad)
}

/// Converts a length or offset to a `u16` wire field.
pub fn to_u16(v: usize) -> Result<u16, EncodeError> {
    u16::try_from(v).map_err(|_| EncodeError::TooLarge)
}

/// Converts a length or offset to a `u32` wire field.
pub fn to_u32(v: usize) -> Result<u32, EncodeError> {
    u32::try_from(v).map_err(|_| EncodeError::TooLarge)
}

/// Returns a reader over the whole PDU positioned just after the body's StructureSize,
/// having checked that the body starts with `structure_size`.
pub fn open_body<'a>(
    pdu: &'a [u8],
    structure_size: u16,
    what: What,
) -> Result<Reader<'a>, DecodeError> {
    let mut r = Reader::new(pdu).at(HEADER_SIZE, what)?;
    let size = r.u16(what)?;
    if size != structure_size {
        return Err(DecodeError::BadValue {
            what,
            value: u64::from(size),
        });
    }
    Ok(r)
}

/// Returns the body's StructureSize without checking it.
pub fn peek_structure_size(pdu: &[u8]) -> Result<u16, DecodeError> {
    Reader::new(pdu)
        .at(HEADER_SIZE, "StructureSize")?
        .u16("StructureSize")
}

/// Returns the `len` bytes at `offset` (from the start of the header) in `pdu`, checking
/// that a non-empty region starts no earlier than `min_offset` (the end of the fixed
/// part) and ends inside the PDU. A zero length yields an empty slice.
pub fn region(
    pdu: &[u8],
    offset: usize,
    len: usize,
    min_offset: usize,
    what: What,
) -> Result<&[u8], DecodeError> {
    if len == 0 {
        return Ok(&[]);
    }
    if offset < min_offset {
        return Err(DecodeError::BadValue {
            what,
            value: offset as u64,
        });
    }
    Reader::new(pdu).slice_at(offset, len, what)
}

fn patch(pdu: &mut [u8], offset: usize, data: &[u8]) -> Result<(), EncodeError> {
    let end = offset
        .checked_add(data.len())
        .ok_or(EncodeError::TooLarge)?;
    match pdu.get_mut(offset..end) {
        Some(s) => {
            s.copy_from_slice(data);
            Ok(())
        }
        None => Err(EncodeError::PatchOutOfRange { offset }),
    }
}

fn peek<const N: usize>(pdu: &[u8], offset: usize, what: What) -> Result<[u8; N], DecodeError> {
    Reader::new(pdu).at(offset, what)?.array(what)
}

/// Overwrites MessageId in an encoded header (assigned when credits are taken).
pub fn patch_message_id(pdu: &mut [u8], mid: u64) -> Result<(), EncodeError> {
    patch(pdu, MESSAGE_ID_OFFSET, &mid.to_le_bytes())
}

/// Overwrites CreditCharge in an encoded header.
pub fn patch_credit_charge(pdu: &mut [u8], charge: u16) -> Result<(), EncodeError> {
    patch(pdu, CREDIT_CHARGE_OFFSET, &charge.to_le_bytes())
}

/// Overwrites CreditRequest in an encoded header.
pub fn patch_credits(pdu: &mut [u8], credits: u16) -> Result<(), EncodeError> {
    patch(pdu, CREDIT_OFFSET, &credits.to_le_bytes())
}

/// Overwrites ChannelSequence (and zeroes the reserved half) in an encoded request.
pub fn patch_channel_sequence(pdu: &mut [u8], seq: u16) -> Result<(), EncodeError> {
    patch(pdu, STATUS_OFFSET, &u32::from(seq).to_le_bytes())
}

/// Overwrites Flags in an encoded header.
pub fn patch_flags(pdu: &mut [u8], flags: u32) -> Result<(), EncodeError> {
    patch(pdu, FLAGS_OFFSET, &flags.to_le_bytes())
}

/// Sets the bits of `mask` in the Flags of an encoded header.
pub fn set_flags(pdu: &mut [u8], mask: u32) -> Result<(), EncodeError> {
    let cur = peek_flags(pdu).map_err(|_| EncodeError::PatchOutOfRange {
        offset: FLAGS_OFFSET,
    })?;
    patch_flags(pdu, cur | mask)
}

/// Clears the bits of `mask` in the Flags of an encoded header.
pub fn clear_flags(pdu: &mut [u8], mask: u32) -> Result<(), EncodeError> {
    let cur = peek_flags(pdu).map_err(|_| EncodeError::PatchOutOfRange {
        offset: FLAGS_OFFSET,
    })?;
    patch_flags(pdu, cur & !mask)
}

/// Overwrites NextCommand in an encoded header.
pub fn patch_next_command(pdu: &mut [u8], next: u32) -> Result<(), EncodeError> {
    patch(pdu, NEXT_COMMAND_OFFSET, &next.to_le_bytes())
}

/// Overwrites SessionId in an encoded header.
pub fn patch_session_id(pdu: &mut [u8], sid: u64) -> Result<(), EncodeError> {
    patch(pdu, SESSION_ID_OFFSET, &sid.to_le_bytes())
}

/// Overwrites TreeId in an encoded sync header.
pub fn patch_tree_id(pdu: &mut [u8], tid: u32) -> Result<(), EncodeError> {
    patch(pdu, TREE_ID_OFFSET, &tid.to_le_bytes())
}

/// Overwrites the Signature field (e.g. zeroing it before computing a signature).
pub fn patch_signature(pdu: &mut [u8], sig: &[u8; SIGNATURE_SIZE]) -> Result<(), EncodeError> {
    patch(pdu, SIGNATURE_OFFSET, sig)
}

/// Reads Flags from an encoded header without decoding the rest.
pub fn peek_flags(pdu: &[u8]) -> Result<u32, DecodeError> {
    Ok(u32::from_le_bytes(peek(pdu, FLAGS_OFFSET, "Header.Flags")?))
}

/// Reads MessageId from an encoded header without decoding the rest.
pub fn peek_message_id(pdu: &[u8]) -> Result<u64, DecodeError> {
    Ok(u64::from_le_bytes(peek(
        pdu,
        MESSAGE_ID_OFFSET,
        "Header.MessageId",
    )?))
}

/// Reads Status from an encoded header without decoding the rest.
pub fn peek_status(pdu: &[u8]) -> Result<u32, DecodeError> {
    Ok(u32::from_le_bytes(peek(
        pdu,
        STATUS_OFFSET,
        "Header.Status",
    )?))
}

/// Reads NextCommand from an encoded header without decoding the rest.
pub fn peek_next_command(pdu: &[u8]) -> Result<u32, DecodeError> {
    Ok(u32::from_le_bytes(peek(
        pdu,
        NEXT_COMMAND_OFFSET,
        "Header.NextCommand",
    )?))
}

/// Writes a 4-byte body (StructureSize 4 and a reserved `u16`), the shape of ECHO,
/// CANCEL, FLUSH and LOCK responses, TREE_DISCONNECT and friends.
pub fn encode_body4(w: &mut Writer<'_>) -> Result<(), EncodeError> {
    w.u16(4)?;
    w.u16(0)
}

/// Checks a 4-byte body (StructureSize 4 and a reserved `u16`).
pub fn decode_body4(pdu: &[u8], what: What) -> Result<(), DecodeError> {
    open_body(pdu, 4, what)?.skip(2, what)
}
