// SPDX-License-Identifier: GPL-2.0

//! SESSION_SETUP and LOGOFF tests: Windows messages (Microsoft's pre-authentication
//! integrity and "anatomy of signing" posts), round trips and hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, smb2_header, BINDING_EXCHANGE, PREAUTH_EXCHANGE};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::{DecodeError, EncodeError};
use smb3rs_proto::proto::session::{
    decode_logoff, encode_logoff, request_flags, security_mode, session_flags, SessionSetupRequest,
    SessionSetupResponse,
};

fn with_header<F: FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>>(hdr: &[u8], f: F) -> Vec<u8> {
    let mut buf = vec![0u8; 70_000];
    let mut w = Writer::new(&mut buf);
    w.bytes(hdr).unwrap();
    f(&mut w).unwrap();
    let n = w.pos();
    buf.truncate(n);
    buf
}

#[test]
fn windows_session_setup_request_reencodes() {
    let msg = h(PREAUTH_EXCHANGE[2].0);
    let req = SessionSetupRequest::decode(&msg).unwrap();
    assert_eq!(req.flags, 0);
    assert_eq!(req.security_mode, security_mode::SIGNING_ENABLED);
    assert_eq!(req.capabilities, 1);
    assert_eq!(req.channel, 0);
    assert_eq!(req.previous_session_id, 0);
    assert_eq!(req.security_buffer.len(), 0x4A);
    assert_eq!(with_header(&msg[..64], |w| req.encode(w)), msg);

    // The binding request of the second channel.
    let msg = h(BINDING_EXCHANGE[2].0);
    let req = SessionSetupRequest::decode(&msg).unwrap();
    assert_eq!(req.flags, request_flags::BINDING);
    assert_eq!(with_header(&msg[..64], |w| req.encode(w)), msg);
}

#[test]
fn windows_session_setup_responses_decode() {
    let msg = h(PREAUTH_EXCHANGE[3].0);
    let rsp = SessionSetupResponse::decode(&msg).unwrap();
    assert_eq!(rsp.session_flags, 0);
    assert_eq!(rsp.security_buffer.len(), 0xB3);
    assert_eq!(rsp.security_buffer[0], 0xA1);
    assert_eq!(with_header(&msg[..64], |w| rsp.encode(w)), msg);

    let msg = h(auth_common::FINAL_SESSION_SETUP_RESPONSE);
    let rsp = SessionSetupResponse::decode(&msg).unwrap();
    assert!(!rsp.is_guest() && !rsp.is_null() && !rsp.encrypt_data());
    assert_eq!(rsp.security_buffer.len(), 0x1D);
    assert_eq!(with_header(&msg[..64], |w| rsp.encode(w)), msg);
}

#[test]
fn round_trips() {
    let hdr = smb2_header(1, 0, 2, 0x99);
    for buf_len in [0usize, 1, 200, 65_000] {
        let buf = vec![0x42u8; buf_len];
        let req = SessionSetupRequest {
            flags: request_flags::BINDING,
            security_mode: security_mode::SIGNING_REQUIRED,
            capabilities: 1,
            channel: 0,
            previous_session_id: 0xdead_beef,
            security_buffer: &buf,
        };
        let msg = with_header(&hdr, |w| req.encode(w));
        assert_eq!(
            SessionSetupRequest::decode(&msg).unwrap(),
            req,
            "len {buf_len}"
        );
        // StructureSize 25 counts a buffer byte, always present.
        assert!(msg.len() >= 64 + 25);

        let rsp = SessionSetupResponse {
            session_flags: session_flags::IS_GUEST | session_flags::ENCRYPT_DATA,
            security_buffer: &buf,
        };
        let msg = with_header(&hdr, |w| rsp.encode(w));
        let d = SessionSetupResponse::decode(&msg).unwrap();
        assert_eq!(d, rsp);
        assert!(d.is_guest() && d.encrypt_data() && !d.is_null());
    }
    // Buffers that do not fit the 16-bit length are refused.
    let big = vec![0u8; 70_000];
    let req = SessionSetupRequest {
        flags: 0,
        security_mode: 1,
        capabilities: 0,
        channel: 0,
        previous_session_id: 0,
        security_buffer: &big,
    };
    let mut out = vec![0u8; 80_000];
    let mut w = Writer::new(&mut out);
    w.bytes(&hdr).unwrap();
    assert_eq!(req.encode(&mut w).unwrap_err(), EncodeError::TooLarge);
}

#[test]
fn hostile_session_setup_messages() {
    let msg = h(PREAUTH_EXCHANGE[3].0);
    for len in 0..msg.len() {
        assert!(
            SessionSetupResponse::decode(&msg[..len]).is_err(),
            "truncated to {len}"
        );
    }
    let mut m = msg.clone();
    m[64..66].copy_from_slice(&25u16.to_le_bytes());
    assert!(matches!(
        SessionSetupResponse::decode(&m),
        Err(DecodeError::BadValue { .. })
    ));
    // Offset inside the header.
    let mut m = msg.clone();
    m[68..70].copy_from_slice(&16u16.to_le_bytes());
    assert!(matches!(
        SessionSetupResponse::decode(&m),
        Err(DecodeError::BadValue { .. })
    ));
    // Offset + length beyond the end.
    let mut m = msg.clone();
    m[70..72].copy_from_slice(&0xffffu16.to_le_bytes());
    assert!(matches!(
        SessionSetupResponse::decode(&m),
        Err(DecodeError::OutOfBounds { .. })
    ));
    // A zero length with any offset is an empty buffer.
    let mut m = msg.clone();
    m[68..72].copy_from_slice(&[0xff, 0xff, 0, 0]);
    assert!(SessionSetupResponse::decode(&m)
        .unwrap()
        .security_buffer
        .is_empty());

    let req = h(PREAUTH_EXCHANGE[2].0);
    for len in 0..req.len() {
        assert!(
            SessionSetupRequest::decode(&req[..len]).is_err(),
            "req truncated to {len}"
        );
    }
    let mut m = req.clone();
    m[64 + 12..64 + 14].copy_from_slice(&0x2000u16.to_le_bytes());
    assert!(SessionSetupRequest::decode(&m).is_err());
}

#[test]
fn logoff() {
    let hdr = smb2_header(2, 0, 5, 0x99);
    let msg = with_header(&hdr, encode_logoff);
    assert_eq!(msg.len(), 68);
    assert_eq!(&msg[64..], &[4, 0, 0, 0]);
    decode_logoff(&msg).unwrap();
    assert!(decode_logoff(&msg[..66]).is_err());
    let mut bad = msg.clone();
    bad[64] = 5;
    assert!(decode_logoff(&bad).is_err());
    let mut buf = [0u8; 8];
    assert!(encode_logoff(&mut Writer::new(&mut buf)).is_err());
}

#[test]
fn encode_pdu_with_the_header_module() {
    use smb3rs_proto::proto::header::{encode_pdu, Command, Header};
    use smb3rs_proto::proto::session::Logoff;
    let msg = h(PREAUTH_EXCHANGE[2].0);
    let req = SessionSetupRequest::decode(&msg).unwrap();
    let hdr = Header::decode(&msg).unwrap();
    assert_eq!(hdr.command, Command::SessionSetup);
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    w.zeros(8).unwrap();
    let n = encode_pdu(&hdr, &req, &mut w).unwrap();
    assert_eq!(&buf[8..8 + n], &msg[..]);

    let mut buf = vec![0u8; 128];
    let mut w = Writer::new(&mut buf);
    let n = encode_pdu(&Header::new(Command::Logoff), &Logoff, &mut w).unwrap();
    assert_eq!(n, 68);
    decode_logoff(&buf[..n]).unwrap();
}
