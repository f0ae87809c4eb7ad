// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the `wire_*` tests.

#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::EncodeError;
use smb3rs_proto::proto::header::{self, Body, Command, Header, HeaderId, FLAG_SERVER_TO_REDIR};

/// Encodes a PDU into a fresh vector, retrying with the size the encoder asks for.
pub fn encode<B: Body>(hdr: &Header, body: &B) -> Vec<u8> {
    let mut cap = 16;
    loop {
        let mut buf = vec![0u8; cap];
        let mut w = Writer::new(&mut buf);
        match header::encode_pdu(hdr, body, &mut w) {
            Ok(n) => {
                assert_eq!(n, w.pos());
                buf.truncate(n);
                return buf;
            }
            Err(EncodeError::BufferTooSmall { needed, .. }) => {
                assert!(needed > cap, "needed {needed} <= capacity {cap}");
                cap = needed;
            }
            Err(e) => panic!("encode failed: {e:?}"),
        }
    }
}

/// Encodes a request PDU with a plain sync header.
pub fn req<B: Body>(body: &B) -> Vec<u8> {
    let mut h = Header::new(B::COMMAND);
    h.message_id = 7;
    h.session_id = 0x1122_3344_5566_7788;
    h.id = HeaderId::Sync {
        process_id: 0xFEFF,
        tree_id: 5,
    };
    h.credits = 1;
    h.credit_charge = 1;
    encode(&h, body)
}

/// Encodes a response PDU with a success header.
pub fn rsp<B: Body>(body: &B) -> Vec<u8> {
    let mut h = Header::new(B::COMMAND);
    h.flags = FLAG_SERVER_TO_REDIR;
    h.message_id = 7;
    h.credits = 1;
    encode(&h, body)
}

/// Returns a response header for `cmd` with `status`.
pub fn rsp_header(cmd: Command, status: u32) -> Header {
    let mut h = Header::new(cmd);
    h.flags = FLAG_SERVER_TO_REDIR;
    h.status = status;
    h
}

/// Little-endian `u16` at `off`.
pub fn le16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

/// Little-endian `u32` at `off`.
pub fn le32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

/// Little-endian `u64` at `off`.
pub fn le64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// UTF-16LE bytes of `s`.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// Every strict prefix of `pdu` that still contains the header must fail to decode.
/// `accepts` returns whether the decoder accepted the bytes.
pub fn assert_truncations_fail(pdu: &[u8], min_len: usize, accepts: impl Fn(&[u8]) -> bool) {
    for len in 0..min_len.min(pdu.len()) {
        assert!(!accepts(&pdu[..len]), "prefix of {len} bytes decoded");
    }
}

/// Overwrites the body's StructureSize and checks the decoder rejects it.
pub fn assert_bad_structure_size(pdu: &[u8], accepts: impl Fn(&[u8]) -> bool) {
    let mut bad = pdu.to_vec();
    let good = le16(&bad, 64);
    for v in [0u16, good.wrapping_add(1), good.wrapping_sub(1), 0xFFFF] {
        bad[64..66].copy_from_slice(&v.to_le_bytes());
        assert!(!accepts(&bad), "StructureSize {v} accepted");
    }
}

/// Turns a decoder into an "accepts" predicate for the helpers above.
#[macro_export]
macro_rules! ok {
    ($f:path) => {
        |b: &[u8]| $f(b).is_ok()
    };
}

/// One FileFullEaInformation entry: NextEntryOffset `next`, `name`, NUL, `value`
/// (no padding: the caller pads to `next`).
pub fn ea_entry(next: u32, name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&next.to_le_bytes());
    b.push(0);
    b.push(name.len() as u8);
    b.extend_from_slice(&(value.len() as u16).to_le_bytes());
    b.extend_from_slice(name);
    b.push(0);
    b.extend_from_slice(value);
    b
}
