// SPDX-License-Identifier: GPL-2.0

//! ECHO and CANCEL (MS-SMB2 2.2.28 - 2.2.30).
//!
//! A CANCEL carries no body beyond its StructureSize: the header names the request to
//! cancel (its MessageId in sync form, or its AsyncId with FLAG_ASYNC_COMMAND after an
//! interim response). It consumes no credit and gets no response.

use super::cursor::Writer;
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command};

/// SMB2 ECHO request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EchoRequest;

impl Body for EchoRequest {
    const COMMAND: Command = Command::Echo;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl EchoRequest {
    /// Decodes an ECHO request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "EchoRequest.StructureSize").map(|()| Self)
    }
}

/// SMB2 ECHO response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EchoResponse;

impl Body for EchoResponse {
    const COMMAND: Command = Command::Echo;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl EchoResponse {
    /// Decodes an ECHO response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "EchoResponse.StructureSize").map(|()| Self)
    }
}

/// SMB2 CANCEL request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CancelRequest;

impl Body for CancelRequest {
    const COMMAND: Command = Command::Cancel;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        header::encode_body4(w)
    }
}

impl CancelRequest {
    /// Decodes a CANCEL request PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::decode_body4(pdu, "CancelRequest.StructureSize").map(|()| Self)
    }
}
