// SPDX-License-Identifier: GPL-2.0

//! TREE_CONNECT/DISCONNECT, CLOSE, LOCK, ECHO, CANCEL, CHANGE_NOTIFY, oplock and lease
//! breaks and the server-to-client notification.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::close::*;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::header::{Body, Command, Header, HeaderId, FLAG_ASYNC_COMMAND};
use smb3rs_proto::proto::lock::*;
use smb3rs_proto::proto::misc::*;
use smb3rs_proto::proto::notify::*;
use smb3rs_proto::proto::oplock::*;
use smb3rs_proto::proto::tree::*;
use smb3rs_proto::proto::types::{FileAttrs, FileId, FixedList, Utf16Str, WireName};
use wire_common::{le16, le32, le64, req, rsp, utf16};

const FID: FileId = FileId {
    persistent: 0x10,
    volatile: 0x20,
};

#[test]
fn tree_connect_request() {
    let t = TreeConnectRequest {
        flags: 0,
        path: WireName::Str("\\\\server\\share"),
        extension: None,
    };
    let p = req(&t);
    assert_eq!(le16(&p, 64), 9);
    assert_eq!(le16(&p, 66), 0);
    assert_eq!(le16(&p, 68), 72);
    assert_eq!(le16(&p, 70), 28);
    assert_eq!(&p[72..], &utf16("\\\\server\\share")[..]);
    assert_eq!(TreeConnectRequest::decode(&p).unwrap(), t);
    wire_common::assert_bad_structure_size(&p, ok!(TreeConnectRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(TreeConnectRequest::decode));

    let ctx = [1u8, 0, 4, 0, 0, 0, 0, 0, 9, 9, 9, 9];
    let e = TreeConnectRequest {
        flags: TREE_CONNECT_FLAG_CLUSTER_RECONNECT,
        path: WireName::Str("\\\\s\\x"),
        extension: Some(TreeConnectExtension {
            context_count: 1,
            contexts: &ctx,
        }),
    };
    let p = req(&e);
    assert_eq!(
        le16(&p, 66),
        TREE_CONNECT_FLAG_CLUSTER_RECONNECT | TREE_CONNECT_FLAG_EXTENSION_PRESENT
    );
    assert_eq!(le16(&p, 68), 88);
    assert_eq!(le16(&p, 74 + 2), 1);
    let ctx_off = le32(&p, 72) as usize;
    assert_eq!((64 + ctx_off) % 8, 0);
    assert_eq!(&p[64 + ctx_off..], &ctx);
    let d = TreeConnectRequest::decode(&p).unwrap();
    assert_eq!(d.path, e.path);
    assert_eq!(d.extension, e.extension);
}

#[test]
fn tree_connect_response_and_disconnect() {
    let r = TreeConnectResponse {
        share_type: SHARE_TYPE_DISK,
        share_flags: SHAREFLAG_NO_CACHING | SHAREFLAG_ENCRYPT_DATA,
        capabilities: SHARE_CAP_CONTINUOUS_AVAILABILITY,
        maximal_access: 0x001F_01FF,
    };
    let p = rsp(&r);
    assert_eq!(p.len(), 80);
    assert_eq!(le16(&p, 64), 16);
    assert_eq!(p[66], 1);
    assert_eq!(le32(&p, 68), 0x8030);
    assert_eq!(le32(&p, 76), 0x001F_01FF);
    assert_eq!(TreeConnectResponse::decode(&p).unwrap(), r);
    wire_common::assert_bad_structure_size(&p, ok!(TreeConnectResponse::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(TreeConnectResponse::decode));
    let d = req(&TreeDisconnectRequest);
    assert_eq!(d.len(), 68);
    assert!(TreeDisconnectRequest::decode(&d).is_ok());
    assert!(TreeDisconnectResponse::decode(&rsp(&TreeDisconnectResponse)).is_ok());
    wire_common::assert_bad_structure_size(&d, ok!(TreeDisconnectRequest::decode));
}

#[test]
fn close_round_trip() {
    let c = CloseRequest {
        flags: CLOSE_FLAG_POSTQUERY_ATTRIB,
        file_id: FID,
    };
    let p = req(&c);
    assert_eq!(p.len(), 88);
    assert_eq!(le16(&p, 64), 24);
    assert_eq!(le16(&p, 66), 1);
    assert_eq!(le64(&p, 72), 0x10);
    assert_eq!(CloseRequest::decode(&p).unwrap(), c);
    let r = CloseResponse {
        flags: CLOSE_FLAG_POSTQUERY_ATTRIB,
        attrs: FileAttrs {
            creation_time: 1,
            last_access_time: 2,
            last_write_time: 3,
            change_time: 4,
            allocation_size: 5,
            end_of_file: 6,
            file_attributes: 7,
        },
    };
    let p = rsp(&r);
    assert_eq!(p.len(), 124);
    assert_eq!(le16(&p, 64), 60);
    assert_eq!(le64(&p, 64 + 40), 5);
    assert_eq!(le64(&p, 64 + 48), 6);
    assert_eq!(le32(&p, 64 + 56), 7);
    let d = CloseResponse::decode(&p).unwrap();
    assert_eq!(d, r);
    assert_eq!(d.post_query(), Some(&r.attrs));
    assert_eq!(CloseResponse::default().post_query(), None);
    wire_common::assert_bad_structure_size(&p, ok!(CloseResponse::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(CloseResponse::decode));
}

#[test]
fn lock_round_trip() {
    let locks = [
        LockElement {
            offset: 0,
            length: 100,
            flags: LOCKFLAG_EXCLUSIVE | LOCKFLAG_FAIL_IMMEDIATELY,
        },
        LockElement {
            offset: 200,
            length: 10,
            flags: LOCKFLAG_UNLOCK,
        },
    ];
    let l = LockRequest {
        lock_sequence: lock_sequence(3, 5),
        file_id: FID,
        locks: FixedList::Items(&locks),
    };
    let p = req(&l);
    assert_eq!(p.len(), 64 + 24 + 48);
    assert_eq!(le16(&p, 64), 48);
    assert_eq!(le16(&p, 66), 2);
    assert_eq!(le32(&p, 68), (3 << 4) | 5);
    assert_eq!(le64(&p, 88 + 24), 200);
    assert_eq!(le32(&p, 88 + 16), 0x12);
    let d = LockRequest::decode(&p).unwrap();
    assert_eq!(d, l);
    assert_eq!(d.locks.iter().collect::<Vec<_>>(), locks.to_vec());
    let mut bad = p.clone();
    bad[66] = 3;
    assert!(
        LockRequest::decode(&bad).is_err(),
        "count beyond the buffer"
    );
    let mut bad = p.clone();
    bad[66] = 0;
    assert!(LockRequest::decode(&bad).is_err(), "zero locks");
    let empty = LockRequest {
        lock_sequence: 0,
        file_id: FID,
        locks: FixedList::Items(&[]),
    };
    let mut b = vec![0u8; 256];
    assert!(smb3rs_proto::proto::header::encode_pdu(
        &Header::new(Command::Lock),
        &empty,
        &mut Writer::new(&mut b)
    )
    .is_err());
    assert!(LockResponse::decode(&rsp(&LockResponse)).is_ok());
    wire_common::assert_bad_structure_size(&p, ok!(LockRequest::decode));
}

#[test]
fn echo_and_cancel() {
    let p = req(&EchoRequest);
    assert_eq!(&p[64..], &[4, 0, 0, 0]);
    assert!(EchoRequest::decode(&p).is_ok());
    assert!(EchoResponse::decode(&rsp(&EchoResponse)).is_ok());
    wire_common::assert_bad_structure_size(&p, ok!(EchoRequest::decode));
    // Cancel of an async request: async header form.
    let mut h = Header::new(Command::Cancel);
    h.id = HeaderId::Async { async_id: 0x77 };
    h.message_id = 0;
    let c = wire_common::encode(&h, &CancelRequest);
    assert_eq!(c.len(), 68);
    assert_ne!(le32(&c, 16) & FLAG_ASYNC_COMMAND, 0);
    assert_eq!(le64(&c, 32), 0x77);
    assert_eq!(le16(&c, 12), 0x0C);
    assert!(CancelRequest::decode(&c).is_ok());
}

#[test]
fn change_notify() {
    let n = ChangeNotifyRequest {
        flags: WATCH_TREE,
        output_buffer_length: 4096,
        file_id: FID,
        completion_filter: FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME,
    };
    let p = req(&n);
    assert_eq!(p.len(), 96);
    assert_eq!(le16(&p, 64), 32);
    assert_eq!(le32(&p, 88), 3);
    assert_eq!(ChangeNotifyRequest::decode(&p).unwrap(), n);
    assert_eq!(n.credit_payload(), 4096);
    let a = utf16("New folder");
    let b = utf16("jdsa");
    let list = [
        Change {
            action: FILE_ACTION_RENAMED_OLD_NAME,
            name: Utf16Str::new(&a).unwrap(),
        },
        Change {
            action: FILE_ACTION_RENAMED_NEW_NAME,
            name: Utf16Str::new(&b).unwrap(),
        },
    ];
    let mut buf = vec![0u8; 256];
    let mut w = Writer::new(&mut buf);
    encode_changes(&list, &mut w).unwrap();
    let len = w.pos();
    let out = &buf[..len];
    assert_eq!(le32(out, 0), 32);
    let r = rsp(&ChangeNotifyResponse { output: out });
    let d = ChangeNotifyResponse::decode(&r).unwrap();
    let got: Vec<_> = d.changes().collect::<Result<_, _>>().unwrap();
    assert_eq!(got, list.to_vec());
    let mut bad = out.to_vec();
    bad[0..4].copy_from_slice(&8u32.to_le_bytes());
    assert!(changes(&bad).next().unwrap().is_err());
    wire_common::assert_bad_structure_size(&r, ok!(ChangeNotifyResponse::decode));
}

/// A captured CHANGE_NOTIFY response from a real server (published in the smb-rs
/// project's tests): two rename entries.
#[test]
fn change_notify_captured() {
    let hex = "fe534d4240000100000000000f00000033000000000000005600000000000000010000010000000025000000003800000000000000000000000000000000000009004800340000002000000004000000140000004e0065007700200066006f006c006400650072000000000005000000080000006a00640073006100";
    let p: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let h = Header::decode(&p).unwrap();
    assert_eq!(h.command, Command::ChangeNotify);
    assert!(h.is_async());
    let d = ChangeNotifyResponse::decode(&p).unwrap();
    let got: Vec<_> = d.changes().collect::<Result<_, _>>().unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].action, FILE_ACTION_RENAMED_OLD_NAME);
    assert!(got[0].name.eq_str("New folder"));
    assert!(got[1].name.eq_str("jdsa"));
}

#[test]
fn oplock_and_lease_breaks() {
    let o = OplockBreak {
        oplock_level: 1,
        file_id: FID,
    };
    let p = rsp(&o);
    assert_eq!(p.len(), 88);
    assert_eq!(le16(&p, 64), 24);
    assert_eq!(BreakMessage::decode(&p).unwrap(), BreakMessage::Oplock(o));
    let lb = LeaseBreakNotification {
        new_epoch: 2,
        flags: LEASE_BREAK_FLAG_ACK_REQUIRED,
        lease_key: [7; 16],
        current_lease_state: 7,
        new_lease_state: 1,
        break_reason: 0,
        access_mask_hint: 0,
        share_mask_hint: 0,
    };
    let p = rsp(&lb);
    assert_eq!(p.len(), 64 + 44);
    assert_eq!(le16(&p, 64), 44);
    assert_eq!(le16(&p, 66), 2);
    assert_eq!(le32(&p, 68), 1);
    assert_eq!(le32(&p, 88), 7);
    assert_eq!(le32(&p, 92), 1);
    let d = BreakMessage::decode(&p).unwrap();
    assert_eq!(d, BreakMessage::LeaseBreak(lb));
    assert!(lb.ack_required());
    let ack = LeaseBreakAck {
        flags: 0,
        lease_key: [7; 16],
        lease_state: 1,
        lease_duration: 0,
    };
    let p = req(&ack);
    assert_eq!(p.len(), 64 + 36);
    assert_eq!(le16(&p, 64), 36);
    assert_eq!(le32(&p, 88), 1);
    assert_eq!(LeaseBreakAck::decode(&p).unwrap(), ack);
    assert_eq!(
        BreakMessage::decode(&p).unwrap(),
        BreakMessage::LeaseAck(ack)
    );
    let mut bad = p.clone();
    bad[64] = 30;
    assert!(BreakMessage::decode(&bad).is_err());
    wire_common::assert_truncations_fail(&p, p.len(), ok!(BreakMessage::decode));
    let s = ServerToClientNotification {
        notification_type: NOTIFY_SESSION_CLOSED,
    };
    let p = rsp(&s);
    assert_eq!(p.len(), 76);
    assert_eq!(le16(&p, 12), 0x13);
    assert_eq!(ServerToClientNotification::decode(&p).unwrap(), s);
}

proptest! {
    #[test]
    fn misc_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut p = vec![0u8; 64];
        p.extend(&data);
        let _ = TreeConnectRequest::decode(&p);
        let _ = TreeConnectResponse::decode(&p);
        let _ = CloseResponse::decode(&p);
        let _ = LockRequest::decode(&p).map(|l| l.locks.iter().count());
        let _ = BreakMessage::decode(&p);
        let _ = ChangeNotifyResponse::decode(&p).map(|c| c.changes().count());
        let _ = changes(&data).count();
    }
}
