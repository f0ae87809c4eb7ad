// SPDX-License-Identifier: GPL-2.0

//! SMB2 SESSION_SETUP and LOGOFF request and response bodies (MS-SMB2 2.2.5-2.2.8).
//!
//! Encoders and decoders follow the conventions described in [`super::negotiate`]:
//! writers already hold the 64-byte SMB2 header, decoders take the message from its
//! header, and offsets are relative to the header.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{Body, Command, HEADER_SIZE};
use super::negotiate::security_buffer;

const HEADER_LEN: usize = HEADER_SIZE;
const REQUEST_STRUCTURE_SIZE: u16 = 25;
const RESPONSE_STRUCTURE_SIZE: u16 = 9;
const LOGOFF_STRUCTURE_SIZE: u16 = 4;
/// Fixed part of the request body (StructureSize counts one byte of the buffer).
const REQUEST_FIXED_LEN: usize = 24;
const RESPONSE_FIXED_LEN: usize = 8;

/// SESSION_SETUP request Flags.
pub mod request_flags {
    /// Bind this connection as a new channel of an existing session (3.x).
    pub const BINDING: u8 = 0x01;
}

/// SESSION_SETUP response SessionFlags.
pub mod session_flags {
    /// The client was authenticated as guest.
    pub const IS_GUEST: u16 = 0x0001;
    /// The client was authenticated as an anonymous (null) user.
    pub const IS_NULL: u16 = 0x0002;
    /// The server requires encryption of this session's messages (3.x).
    pub const ENCRYPT_DATA: u16 = 0x0004;
}

/// SESSION_SETUP request SecurityMode bits (8-bit form of
/// [`super::negotiate::security_mode`]).
pub mod security_mode {
    /// Signing is enabled.
    pub const SIGNING_ENABLED: u8 = 0x01;
    /// Signing is required.
    pub const SIGNING_REQUIRED: u8 = 0x02;
}

fn base(w: &Writer<'_>) -> Result<usize, EncodeError> {
    w.pos()
        .checked_sub(HEADER_LEN)
        .ok_or(EncodeError::InvalidArgument {
            what: "writer must already hold the 64-byte SMB2 header",
        })
}

fn structure_size(
    r: &mut Reader<'_>,
    expected: u16,
    what: &'static str,
) -> Result<(), DecodeError> {
    let v = r.u16(what)?;
    if v == expected {
        Ok(())
    } else {
        Err(DecodeError::BadValue {
            what,
            value: u64::from(v),
        })
    }
}

fn body<'a>(msg: &'a [u8], fixed: usize, what: &'static str) -> Result<Reader<'a>, DecodeError> {
    let r = Reader::new(msg).at(HEADER_LEN, what)?;
    if r.remaining() < fixed {
        return Err(DecodeError::OutOfBounds {
            what,
            offset: HEADER_LEN,
            len: fixed,
        });
    }
    Ok(r)
}

fn buffer_fields(
    w: &Writer<'_>,
    base: usize,
    extra: usize,
    buf: &[u8],
) -> Result<(u16, u16), EncodeError> {
    let len = u16::try_from(buf.len()).map_err(|_| EncodeError::TooLarge)?;
    let off = w
        .pos()
        .checked_add(extra)
        .map(|p| p.wrapping_sub(base))
        .ok_or(EncodeError::TooLarge)?;
    Ok((u16::try_from(off).map_err(|_| EncodeError::TooLarge)?, len))
}

/// An SMB2 SESSION_SETUP request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSetupRequest<'a> {
    /// Flags ([`request_flags`]).
    pub flags: u8,
    /// SecurityMode ([`security_mode`]).
    pub security_mode: u8,
    /// Capabilities (only DFS is meaningful here).
    pub capabilities: u32,
    /// Channel (must be zero).
    pub channel: u32,
    /// The previous session id to reclaim after a reconnect, or zero.
    pub previous_session_id: u64,
    /// The GSS token (SPNEGO or raw NTLMSSP).
    pub security_buffer: &'a [u8],
}

impl<'a> SessionSetupRequest<'a> {
    /// Appends the request body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let base = base(w)?;
        self.encode_at(w, base)
    }

    fn encode_at(&self, w: &mut Writer<'_>, base: usize) -> Result<(), EncodeError> {
        // The buffer follows the 24-byte fixed part, whose last 16 bytes are written
        // after the offset field.
        let (off, len) = buffer_fields(w, base, REQUEST_FIXED_LEN, self.security_buffer)?;
        w.u16(REQUEST_STRUCTURE_SIZE)?;
        w.u8(self.flags)?;
        w.u8(self.security_mode)?;
        w.u32(self.capabilities)?;
        w.u32(self.channel)?;
        w.u16(off)?;
        w.u16(len)?;
        w.u64(self.previous_session_id)?;
        if self.security_buffer.is_empty() {
            // StructureSize counts one byte of the buffer; send it.
            w.u8(0)
        } else {
            w.bytes(self.security_buffer)
        }
    }

    /// Decodes a request from `msg`.
    pub fn decode(msg: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = body(msg, REQUEST_FIXED_LEN, "SessionSetupRequest")?;
        structure_size(
            &mut r,
            REQUEST_STRUCTURE_SIZE,
            "SessionSetupRequest.StructureSize",
        )?;
        let flags = r.u8("SessionSetupRequest.Flags")?;
        let security_mode = r.u8("SessionSetupRequest.SecurityMode")?;
        let capabilities = r.u32("SessionSetupRequest.Capabilities")?;
        let channel = r.u32("SessionSetupRequest.Channel")?;
        let off = r.u16("SessionSetupRequest.SecurityBufferOffset")?;
        let len = r.u16("SessionSetupRequest.SecurityBufferLength")?;
        let previous_session_id = r.u64("SessionSetupRequest.PreviousSessionId")?;
        Ok(Self {
            flags,
            security_mode,
            capabilities,
            channel,
            previous_session_id,
            security_buffer: security_buffer(msg, off, len, "SessionSetupRequest.SecurityBuffer")?,
        })
    }
}

/// An SMB2 SESSION_SETUP response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSetupResponse<'a> {
    /// SessionFlags ([`session_flags`]).
    pub session_flags: u16,
    /// The server's GSS token (may be empty on the final leg).
    pub security_buffer: &'a [u8],
}

impl<'a> SessionSetupResponse<'a> {
    /// Returns whether the session is a guest session.
    pub fn is_guest(&self) -> bool {
        self.session_flags & session_flags::IS_GUEST != 0
    }

    /// Returns whether the session is an anonymous (null) session.
    pub fn is_null(&self) -> bool {
        self.session_flags & session_flags::IS_NULL != 0
    }

    /// Returns whether the server requires the session's traffic to be encrypted.
    pub fn encrypt_data(&self) -> bool {
        self.session_flags & session_flags::ENCRYPT_DATA != 0
    }

    /// Appends the response body; used by tests and mock servers.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let base = base(w)?;
        self.encode_at(w, base)
    }

    fn encode_at(&self, w: &mut Writer<'_>, base: usize) -> Result<(), EncodeError> {
        let (off, len) = buffer_fields(w, base, RESPONSE_FIXED_LEN, self.security_buffer)?;
        w.u16(RESPONSE_STRUCTURE_SIZE)?;
        w.u16(self.session_flags)?;
        w.u16(off)?;
        w.u16(len)?;
        if self.security_buffer.is_empty() {
            w.u8(0)
        } else {
            w.bytes(self.security_buffer)
        }
    }

    /// Decodes a response from `msg`.
    pub fn decode(msg: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = body(msg, RESPONSE_FIXED_LEN, "SessionSetupResponse")?;
        structure_size(
            &mut r,
            RESPONSE_STRUCTURE_SIZE,
            "SessionSetupResponse.StructureSize",
        )?;
        let session_flags = r.u16("SessionSetupResponse.SessionFlags")?;
        let off = r.u16("SessionSetupResponse.SecurityBufferOffset")?;
        let len = r.u16("SessionSetupResponse.SecurityBufferLength")?;
        Ok(Self {
            session_flags,
            security_buffer: security_buffer(msg, off, len, "SessionSetupResponse.SecurityBuffer")?,
        })
    }
}

/// Appends an SMB2 LOGOFF request body (also the response body: both are
/// StructureSize 4 and a reserved field).
pub fn encode_logoff(w: &mut Writer<'_>) -> Result<(), EncodeError> {
    base(w)?;
    Logoff.encode_body(w, 0)
}

/// The SMB2 LOGOFF request or response body, for [`super::header::encode_pdu`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Logoff;

impl Body for Logoff {
    const COMMAND: Command = Command::Logoff;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(LOGOFF_STRUCTURE_SIZE)?;
        w.u16(0)
    }
}

impl Body for SessionSetupRequest<'_> {
    const COMMAND: Command = Command::SessionSetup;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        self.encode_at(w, pdu_start)
    }
}

impl Body for SessionSetupResponse<'_> {
    const COMMAND: Command = Command::SessionSetup;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        self.encode_at(w, pdu_start)
    }
}

/// Checks an SMB2 LOGOFF request or response body in `msg`.
pub fn decode_logoff(msg: &[u8]) -> Result<(), DecodeError> {
    let mut r = body(msg, 4, "Logoff")?;
    structure_size(&mut r, LOGOFF_STRUCTURE_SIZE, "Logoff.StructureSize")
}
