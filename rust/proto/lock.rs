// SPDX-License-Identifier: GPL-2.0

//! LOCK (MS-SMB2 2.2.26, 2.2.27): byte-range locks and unlocks.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command};
use super::types::{FileId, FixedList, FixedWire};

/// Lock flag: shared (read) lock.
pub const LOCKFLAG_SHARED: u32 = 0x0000_0001;
/// Lock flag: exclusive (write) lock.
pub const LOCKFLAG_EXCLUSIVE: u32 = 0x0000_0002;
/// Lock flag: unlock the range.
pub const LOCKFLAG_UNLOCK: u32 = 0x0000_0004;
/// Lock flag: fail instead of waiting for a conflicting lock.
pub const LOCKFLAG_FAIL_IMMEDIATELY: u32 = 0x0000_0010;

const REQ_SIZE: u16 = 48;

/// One SMB2_LOCK_ELEMENT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockElement {
    /// Start of the range.
    pub offset: u64,
    /// Length of the range.
    pub length: u64,
    /// Flags (`LOCKFLAG_*`).
    pub flags: u32,
}

impl FixedWire for LockElement {
    const SIZE: usize = 24;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let offset = r.u64("LockElement.Offset")?;
        let length = r.u64("LockElement.Length")?;
        let flags = r.u32("LockElement.Flags")?;
        r.skip(4, "LockElement.Reserved")?;
        Ok(Self {
            offset,
            length,
            flags,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.offset)?;
        w.u64(self.length)?;
        w.u32(self.flags)?;
        w.u32(0)
    }
}

/// Returns the LockSequence field from a 28-bit LockSequenceIndex (bucket, 1..=64) and
/// a 4-bit LockSequenceNumber, as resilient and persistent handles use them.
pub fn lock_sequence(index: u32, number: u8) -> u32 {
    (index << 4) | u32::from(number & 0x0F)
}

/// SMB2 LOCK request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockRequest<'a> {
    /// LockSequenceNumber/LockSequenceIndex (see [`lock_sequence`]); 0 if unused.
    pub lock_sequence: u32,
    /// The handle.
    pub file_id: FileId,
    /// The locks (at least one).
    pub locks: FixedList<'a, LockElement>,
}

impl Body for LockRequest<'_> {
    const COMMAND: Command = Command::Lock;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        if self.locks.is_empty() {
            return Err(EncodeError::InvalidArgument {
                what: "LockRequest.Locks is empty",
            });
        }
        w.u16(REQ_SIZE)?;
        w.u16(header::to_u16(self.locks.len())?)?;
        w.u32(self.lock_sequence)?;
        self.file_id.encode(w)?;
        self.locks.encode(w)
    }
}

impl<'a> LockRequest<'a> {
    /// Decodes a LOCK request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "LockRequest.StructureSize")?;
        let count = usize::from(r.u16("LockRequest.LockCount")?);
        if count == 0 {
            return Err(DecodeError::BadValue {
                what: "LockRequest.LockCount",
                value: 0,
            });
        }
        let lock_sequence = r.u32("LockRequest.LockSequence")?;
        let file_id = FileId::decode(&mut r)?;
        let bytes = r.bytes(count.saturating_mul(LockElement::SIZE), "LockRequest.Locks")?;
        Ok(Self {
            lock_sequence,
            file_id,
            locks: FixedList::from_wire(bytes, "LockRequest.Locks")?,
        })
    }
}

/// SMB2 LOCK response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockResponse;

impl Body for LockResponse {
    const COMMAND: Command = Command::Lock;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl LockResponse {
    /// Decodes a LOCK response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "LockResponse.StructureSize").map(|()| Self)
    }
}
