// SPDX-License-Identifier: GPL-2.0

//! SMB2 header: layout, round trips, rejection, credit charge and patch helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::DecodeError;
use smb3rs_proto::proto::header::*;

fn sample() -> Header {
    let mut h = Header::new(Command::Create);
    h.credit_charge = 3;
    h.status = 0;
    h.credits = 10;
    h.flags = FLAG_SIGNED | FLAG_DFS_OPERATIONS;
    h.set_priority(5);
    h.message_id = 0x0102_0304_0506_0708;
    h.id = HeaderId::Sync {
        process_id: 0xFEFF,
        tree_id: 0xAABB_CCDD,
    };
    h.session_id = 0x1122_3344_5566_7788;
    h.signature = [0x5A; 16];
    h
}

fn enc(h: &Header) -> Vec<u8> {
    let mut b = vec![0u8; HEADER_SIZE];
    let mut w = Writer::new(&mut b);
    h.encode(&mut w).unwrap();
    assert_eq!(w.pos(), HEADER_SIZE);
    b
}

#[test]
fn constants() {
    assert_eq!(HEADER_SIZE, 64);
    assert_eq!(SIGNATURE_OFFSET, 48);
    assert_eq!(FLAGS_OFFSET, 16);
    assert_eq!(FLAG_SERVER_TO_REDIR, 1);
    assert_eq!(FLAG_ASYNC_COMMAND, 2);
    assert_eq!(FLAG_RELATED_OPERATIONS, 4);
    assert_eq!(FLAG_SIGNED, 8);
    assert_eq!(FLAG_PRIORITY_MASK, 0x70);
    assert_eq!(FLAG_DFS_OPERATIONS, 0x1000_0000);
    assert_eq!(FLAG_REPLAY_OPERATION, 0x2000_0000);
    assert_eq!(Command::ServerToClientNotification.as_u16(), 0x13);
    for v in 0..=0x13u16 {
        assert_eq!(Command::from_u16(v).unwrap().as_u16(), v);
    }
    assert!(Command::from_u16(0x14).is_none());
}

#[test]
fn sync_layout_is_byte_exact() {
    let b = enc(&sample());
    let mut want = Vec::new();
    want.extend_from_slice(&[0xFE, b'S', b'M', b'B']);
    want.extend_from_slice(&64u16.to_le_bytes());
    want.extend_from_slice(&3u16.to_le_bytes());
    want.extend_from_slice(&0u32.to_le_bytes());
    want.extend_from_slice(&5u16.to_le_bytes());
    want.extend_from_slice(&10u16.to_le_bytes());
    want.extend_from_slice(&(0x1000_0008u32 | 0x50).to_le_bytes());
    want.extend_from_slice(&0u32.to_le_bytes());
    want.extend_from_slice(&0x0102_0304_0506_0708u64.to_le_bytes());
    want.extend_from_slice(&0xFEFFu32.to_le_bytes());
    want.extend_from_slice(&0xAABB_CCDDu32.to_le_bytes());
    want.extend_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    want.extend_from_slice(&[0x5A; 16]);
    assert_eq!(b, want);
    let d = Header::decode(&b).unwrap();
    assert_eq!(d, sample());
    assert_eq!(d.priority(), 5);
    assert_eq!(d.tree_id(), Some(0xAABB_CCDD));
    assert!(d.is_signed() && !d.is_async() && !d.is_response() && !d.is_related());
}

#[test]
fn async_form_round_trips_and_sets_flag() {
    let mut h = sample();
    h.id = HeaderId::Async {
        async_id: 0xDEAD_BEEF_0000_0001,
    };
    h.flags |= FLAG_SERVER_TO_REDIR;
    h.status = 0x0000_0103;
    let b = wire_common::le32(&enc(&h), 16);
    assert_ne!(b & FLAG_ASYNC_COMMAND, 0, "encode sets ASYNC_COMMAND");
    let bytes = enc(&h);
    assert_eq!(wire_common::le64(&bytes, 32), 0xDEAD_BEEF_0000_0001);
    let d = Header::decode(&bytes).unwrap();
    assert!(d.is_async() && d.is_response());
    assert_eq!(d.async_id(), Some(0xDEAD_BEEF_0000_0001));
    assert_eq!(d.tree_id(), None);
    let mut h2 = h;
    h2.flags |= FLAG_ASYNC_COMMAND;
    assert_eq!(d, h2);

    // A sync header never carries the async flag even if the caller set it.
    let mut s = sample();
    s.flags |= FLAG_ASYNC_COMMAND;
    let d = Header::decode(&enc(&s)).unwrap();
    assert!(!d.is_async());
}

#[test]
fn channel_sequence_shares_the_status_field() {
    let mut h = sample();
    h.set_channel_sequence(0x1234);
    let b = enc(&h);
    assert_eq!(wire_common::le16(&b, 8), 0x1234);
    assert_eq!(wire_common::le16(&b, 10), 0);
    assert_eq!(Header::decode(&b).unwrap().channel_sequence(), 0x1234);
}

#[test]
fn rejects_bad_magic_size_command_and_truncation() {
    let good = enc(&sample());
    let mut b = good.clone();
    b[0] = 0xFD;
    assert_eq!(
        Header::decode(&b),
        Err(DecodeError::BadMagic {
            what: "Header.ProtocolId"
        })
    );
    let mut b = good.clone();
    b[4] = 65;
    assert!(matches!(
        Header::decode(&b),
        Err(DecodeError::BadValue { .. })
    ));
    let mut b = good.clone();
    b[12] = 0x14;
    assert!(matches!(
        Header::decode(&b),
        Err(DecodeError::BadValue { .. })
    ));
    for len in 0..HEADER_SIZE {
        assert!(Header::decode(&good[..len]).is_err());
    }
    let mut w = vec![0u8; 63];
    assert!(sample().encode(&mut Writer::new(&mut w)).is_err());
}

#[test]
fn credit_charge_rule() {
    assert_eq!(credit_charge(0), 1);
    assert_eq!(credit_charge(1), 1);
    assert_eq!(credit_charge(65536), 1);
    assert_eq!(credit_charge(65537), 2);
    assert_eq!(credit_charge(1 << 20), 16);
    assert_eq!(credit_charge((1 << 20) + 1), 17);
    assert_eq!(credit_charge(8 << 20), 128);
    assert_eq!(credit_charge(usize::MAX), u16::MAX);
}

#[test]
fn patch_helpers() {
    let mut b = enc(&sample());
    patch_message_id(&mut b, 99).unwrap();
    patch_credit_charge(&mut b, 4).unwrap();
    patch_credits(&mut b, 256).unwrap();
    patch_channel_sequence(&mut b, 3).unwrap();
    patch_session_id(&mut b, 42).unwrap();
    patch_tree_id(&mut b, 9).unwrap();
    patch_next_command(&mut b, 128).unwrap();
    set_flags(&mut b, FLAG_REPLAY_OPERATION).unwrap();
    clear_flags(&mut b, FLAG_SIGNED).unwrap();
    patch_signature(&mut b, &[1; 16]).unwrap();
    let d = Header::decode(&b).unwrap();
    assert_eq!(d.message_id, 99);
    assert_eq!(d.credit_charge, 4);
    assert_eq!(d.credits, 256);
    assert_eq!(d.channel_sequence(), 3);
    assert_eq!(d.session_id, 42);
    assert_eq!(d.tree_id(), Some(9));
    assert_eq!(d.next_command, 128);
    assert_ne!(d.flags & FLAG_REPLAY_OPERATION, 0);
    assert_eq!(d.flags & FLAG_SIGNED, 0);
    assert_eq!(d.signature, [1; 16]);
    assert_eq!(peek_message_id(&b).unwrap(), 99);
    assert_eq!(peek_next_command(&b).unwrap(), 128);
    assert_eq!(peek_status(&b).unwrap(), 3);
    let mut short = vec![0u8; 30];
    assert!(patch_message_id(&mut short, 1).is_err());
    assert!(patch_signature(&mut short, &[0; 16]).is_err());
    assert!(peek_flags(&short[..10]).is_err());
}

#[test]
fn region_checks() {
    let pdu = [0u8; 100];
    assert_eq!(region(&pdu, 0, 0, 72, "x").unwrap(), &[] as &[u8]);
    assert_eq!(region(&pdu, 72, 28, 72, "x").unwrap().len(), 28);
    assert!(region(&pdu, 71, 1, 72, "x").is_err());
    assert!(region(&pdu, 72, 29, 72, "x").is_err());
    assert!(region(&pdu, usize::MAX, 2, 72, "x").is_err());
}
