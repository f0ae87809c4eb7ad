// SPDX-License-Identifier: GPL-2.0

//! OPLOCK_BREAK messages (MS-SMB2 2.2.23 - 2.2.25): oplock break notification,
//! acknowledgment and response (StructureSize 24), lease break notification
//! (StructureSize 44), lease break acknowledgment and response (StructureSize 36);
//! and the SMB 3.1.1 SERVER_TO_CLIENT_NOTIFICATION (2.2.44).
//!
//! Break notifications arrive unsolicited with MessageId 0xFFFFFFFFFFFFFFFF; use
//! [`BreakMessage::decode`] to tell the forms apart by StructureSize.

use super::cursor::Writer;
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command};
use super::types::FileId;

/// Lease break notification flag: the client must acknowledge the break.
pub const LEASE_BREAK_FLAG_ACK_REQUIRED: u32 = 0x0000_0001;
/// Server-to-client notification type: the session was closed.
pub const NOTIFY_SESSION_CLOSED: u32 = 0x0000_0000;

const OPLOCK_SIZE: u16 = 24;
const LEASE_BREAK_SIZE: u16 = 44;
const LEASE_ACK_SIZE: u16 = 36;
const S2C_SIZE: u16 = 12;

/// Oplock break notification, acknowledgment or response (all the same layout).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OplockBreak {
    /// OplockLevel: the new level (notification, response) or the level acknowledged.
    pub oplock_level: u8,
    /// The handle whose oplock breaks.
    pub file_id: FileId,
}

impl OplockBreak {
    /// Decodes an oplock break PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, OPLOCK_SIZE, "OplockBreak.StructureSize")?;
        let oplock_level = r.u8("OplockBreak.OplockLevel")?;
        r.skip(5, "OplockBreak.Reserved")?;
        Ok(Self {
            oplock_level,
            file_id: FileId::decode(&mut r)?,
        })
    }
}

impl Body for OplockBreak {
    const COMMAND: Command = Command::OplockBreak;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(OPLOCK_SIZE)?;
        w.u8(self.oplock_level)?;
        w.u8(0)?;
        w.u32(0)?;
        self.file_id.encode(w)
    }
}

/// Lease break notification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaseBreakNotification {
    /// NewEpoch (lease v2).
    pub new_epoch: u16,
    /// Flags (`LEASE_BREAK_FLAG_ACK_REQUIRED`).
    pub flags: u32,
    /// LeaseKey.
    pub lease_key: [u8; 16],
    /// CurrentLeaseState.
    pub current_lease_state: u32,
    /// NewLeaseState.
    pub new_lease_state: u32,
    /// BreakReason (reserved).
    pub break_reason: u32,
    /// AccessMaskHint (reserved).
    pub access_mask_hint: u32,
    /// ShareMaskHint (reserved).
    pub share_mask_hint: u32,
}

impl LeaseBreakNotification {
    /// Returns true if the server waits for an acknowledgment.
    pub fn ack_required(&self) -> bool {
        self.flags & LEASE_BREAK_FLAG_ACK_REQUIRED != 0
    }

    /// Decodes a lease break notification PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(
            pdu,
            LEASE_BREAK_SIZE,
            "LeaseBreakNotification.StructureSize",
        )?;
        Ok(Self {
            new_epoch: r.u16("LeaseBreakNotification.NewEpoch")?,
            flags: r.u32("LeaseBreakNotification.Flags")?,
            lease_key: r.guid("LeaseBreakNotification.LeaseKey")?,
            current_lease_state: r.u32("LeaseBreakNotification.CurrentLeaseState")?,
            new_lease_state: r.u32("LeaseBreakNotification.NewLeaseState")?,
            break_reason: r.u32("LeaseBreakNotification.BreakReason")?,
            access_mask_hint: r.u32("LeaseBreakNotification.AccessMaskHint")?,
            share_mask_hint: r.u32("LeaseBreakNotification.ShareMaskHint")?,
        })
    }
}

impl Body for LeaseBreakNotification {
    const COMMAND: Command = Command::OplockBreak;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(LEASE_BREAK_SIZE)?;
        w.u16(self.new_epoch)?;
        w.u32(self.flags)?;
        w.bytes(&self.lease_key)?;
        w.u32(self.current_lease_state)?;
        w.u32(self.new_lease_state)?;
        w.u32(self.break_reason)?;
        w.u32(self.access_mask_hint)?;
        w.u32(self.share_mask_hint)
    }
}

/// Lease break acknowledgment (client) or response (server).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaseBreakAck {
    /// Flags (reserved).
    pub flags: u32,
    /// LeaseKey.
    pub lease_key: [u8; 16],
    /// LeaseState: the state the client keeps (ack) or now holds (response).
    pub lease_state: u32,
    /// LeaseDuration (reserved).
    pub lease_duration: u64,
}

impl LeaseBreakAck {
    /// Decodes a lease break acknowledgment or response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, LEASE_ACK_SIZE, "LeaseBreakAck.StructureSize")?;
        r.skip(2, "LeaseBreakAck.Reserved")?;
        Ok(Self {
            flags: r.u32("LeaseBreakAck.Flags")?,
            lease_key: r.guid("LeaseBreakAck.LeaseKey")?,
            lease_state: r.u32("LeaseBreakAck.LeaseState")?,
            lease_duration: r.u64("LeaseBreakAck.LeaseDuration")?,
        })
    }
}

impl Body for LeaseBreakAck {
    const COMMAND: Command = Command::OplockBreak;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(LEASE_ACK_SIZE)?;
        w.u16(0)?;
        w.u32(self.flags)?;
        w.bytes(&self.lease_key)?;
        w.u32(self.lease_state)?;
        w.u64(self.lease_duration)
    }
}

/// Any OPLOCK_BREAK body, told apart by StructureSize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakMessage {
    /// StructureSize 24: oplock break notification / acknowledgment / response.
    Oplock(OplockBreak),
    /// StructureSize 44: lease break notification.
    LeaseBreak(LeaseBreakNotification),
    /// StructureSize 36: lease break acknowledgment / response.
    LeaseAck(LeaseBreakAck),
}

impl BreakMessage {
    /// Decodes an OPLOCK_BREAK PDU of any of the three forms.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        match header::peek_structure_size(pdu)? {
            OPLOCK_SIZE => OplockBreak::decode(pdu).map(BreakMessage::Oplock),
            LEASE_BREAK_SIZE => LeaseBreakNotification::decode(pdu).map(BreakMessage::LeaseBreak),
            LEASE_ACK_SIZE => LeaseBreakAck::decode(pdu).map(BreakMessage::LeaseAck),
            s => Err(DecodeError::BadValue {
                what: "OplockBreak.StructureSize",
                value: u64::from(s),
            }),
        }
    }
}

/// SMB2 SERVER_TO_CLIENT_NOTIFICATION (3.1.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerToClientNotification {
    /// NotificationType (`NOTIFY_SESSION_CLOSED`).
    pub notification_type: u32,
}

impl ServerToClientNotification {
    /// Decodes the notification PDU (StructureSize 12, 4 reserved notification bytes).
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, S2C_SIZE, "ServerToClientNotification.StructureSize")?;
        r.skip(2, "ServerToClientNotification.Reserved")?;
        let notification_type = r.u32("ServerToClientNotification.NotificationType")?;
        r.skip(4, "ServerToClientNotification.Notification")?;
        Ok(Self { notification_type })
    }
}

impl Body for ServerToClientNotification {
    const COMMAND: Command = Command::ServerToClientNotification;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(S2C_SIZE)?;
        w.u16(0)?;
        w.u32(self.notification_type)?;
        w.u32(0)
    }
}
