// SPDX-License-Identifier: GPL-2.0

//! CREATE requests and responses with their create contexts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::create::*;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::types::{FileAttrs, FileId, Sid, WireName};
use wire_common::{le16, le32, req, rsp, utf16};

const GUID: [u8; 16] = [0x11; 16];
const LKEY: [u8; 16] = [0x22; 16];
const PKEY: [u8; 16] = [0x33; 16];

fn lease_v2() -> Lease {
    Lease {
        key: LKEY,
        state: LEASE_READ_CACHING | LEASE_HANDLE_CACHING | LEASE_WRITE_CACHING,
        flags: LEASE_FLAG_PARENT_LEASE_KEY_SET,
        duration: 0,
        v2: Some(LeaseV2 {
            parent_key: PKEY,
            epoch: 3,
        }),
    }
}

#[test]
fn request_without_contexts_is_byte_exact() {
    let r = CreateRequest {
        requested_oplock_level: OPLOCK_LEVEL_NONE,
        desired_access: FILE_READ_ATTRIBUTES | SYNCHRONIZE,
        file_attributes: 0,
        share_access: FILE_SHARE_ALL,
        create_disposition: FILE_OPEN,
        create_options: FILE_NON_DIRECTORY_FILE,
        name: WireName::Path("a/b"),
        ..CreateRequest::default()
    };
    let p = req(&r);
    // 64 header + 56 fixed + 6 name + 2 NUL, 8-aligned.
    assert_eq!(p.len(), 128);
    assert_eq!(le16(&p, 64), 57);
    assert_eq!(p[66], 0);
    assert_eq!(p[67], OPLOCK_LEVEL_NONE);
    assert_eq!(le32(&p, 68), IMPERSONATION_IMPERSONATION);
    assert_eq!(le32(&p, 88), FILE_READ_ATTRIBUTES | SYNCHRONIZE);
    assert_eq!(le32(&p, 96), FILE_SHARE_ALL);
    assert_eq!(le32(&p, 100), FILE_OPEN);
    assert_eq!(le32(&p, 104), FILE_NON_DIRECTORY_FILE);
    assert_eq!(le16(&p, 108), 120);
    assert_eq!(le16(&p, 110), 6);
    assert_eq!(le32(&p, 112), 0);
    assert_eq!(le32(&p, 116), 0);
    assert_eq!(&p[120..126], &utf16("a\\b")[..]);
    assert_eq!(&p[126..128], &[0, 0]);
    let d = CreateRequest::decode(&p).unwrap();
    assert_eq!(d.name, WireName::Str("a\\b"));
    assert_eq!(d.create_options, FILE_NON_DIRECTORY_FILE);
    assert!(d.contexts.is_empty());
}

#[test]
fn root_open_has_empty_name_and_nonempty_buffer() {
    let p = req(&CreateRequest::default());
    assert_eq!(p.len(), 128);
    assert_eq!(le16(&p, 108), 120);
    assert_eq!(le16(&p, 110), 0);
    let d = CreateRequest::decode(&p).unwrap();
    assert!(d.name.is_empty());
}

fn all_request_contexts() -> [CreateContext<'static>; 5] {
    [
        CreateContext::DurableV2Request {
            timeout: 0,
            flags: DHANDLE_FLAG_PERSISTENT,
            create_guid: GUID,
        },
        CreateContext::Lease(lease_v2()),
        CreateContext::QueryMaximalAccess { timestamp: None },
        CreateContext::QueryOnDiskId,
        CreateContext::Posix { mode: 0o644 },
    ]
}

#[test]
fn request_contexts_layout_and_round_trip() {
    let ctxs = all_request_contexts();
    let r = CreateRequest {
        requested_oplock_level: OPLOCK_LEVEL_LEASE,
        desired_access: GENERIC_READ | GENERIC_WRITE,
        create_disposition: FILE_OPEN_IF,
        name: WireName::Str("file"),
        contexts: CreateContexts::Items(&ctxs),
        ..CreateRequest::default()
    };
    let p = req(&r);
    // name 8 bytes + NUL -> 10 -> padded to 16: contexts at 136.
    assert_eq!(le32(&p, 112), 136);
    let clen = le32(&p, 116) as usize;
    assert_eq!(clen, 56 + 80 + 24 + 24 + 36);
    assert_eq!(p.len(), 136 + clen);
    let c = &p[136..];
    // DH2Q: Next 56, NameOffset 16, NameLength 4, DataOffset 24, DataLength 32.
    assert_eq!(le32(c, 0), 56);
    assert_eq!(le16(c, 4), 16);
    assert_eq!(le16(c, 6), 4);
    assert_eq!(le16(c, 10), 24);
    assert_eq!(le32(c, 12), 32);
    assert_eq!(&c[16..20], b"DH2Q");
    assert_eq!(le32(c, 28), DHANDLE_FLAG_PERSISTENT);
    assert_eq!(&c[40..56], &GUID);
    // RqLs v2: 52-byte data, Next padded to 80.
    let l = &c[56..];
    assert_eq!(le32(l, 0), 80);
    assert_eq!(&l[16..20], b"RqLs");
    assert_eq!(le16(l, 10), 24);
    assert_eq!(le32(l, 12), 52);
    assert_eq!(&l[24..40], &LKEY);
    assert_eq!(le32(l, 40), 7);
    assert_eq!(&l[56..72], &PKEY);
    assert_eq!(le16(l, 72), 3);
    // MxAc and QFid carry no data.
    let m = &c[136..];
    assert_eq!(le32(m, 0), 24);
    assert_eq!(&m[16..20], b"MxAc");
    assert_eq!(le16(m, 10), 0);
    assert_eq!(le32(m, 12), 0);
    // POSIX: 16-byte GUID name, 4-byte mode, last (Next 0).
    let x = &c[184..];
    assert_eq!(le32(x, 0), 0);
    assert_eq!(le16(x, 6), 16);
    assert_eq!(&x[16..32], CONTEXT_POSIX);
    assert_eq!(le16(x, 10), 32);
    assert_eq!(le32(x, 32), 0o644);

    let d = CreateRequest::decode(&p).unwrap();
    let parsed: Vec<_> = d
        .contexts
        .iter()
        .map(|c| c.unwrap().parse_request().unwrap())
        .collect();
    assert_eq!(parsed, ctxs.to_vec());
    // Re-encoding the decoded form reproduces the bytes.
    assert_eq!(req(&d), p);
}

#[test]
fn reconnect_and_v1_contexts_round_trip() {
    let fid = FileId {
        persistent: 1,
        volatile: 2,
    };
    let ctxs = [
        CreateContext::DurableV2Reconnect {
            file_id: fid,
            create_guid: GUID,
            flags: 0,
        },
        CreateContext::DurableRequest,
        CreateContext::DurableReconnect { file_id: fid },
        CreateContext::Lease(Lease {
            v2: None,
            ..lease_v2()
        }),
        CreateContext::QueryMaximalAccess {
            timestamp: Some(0x01D0_0000_0000_0000),
        },
        CreateContext::AllocationSize(1 << 20),
        CreateContext::Raw {
            name: b"AAPL",
            data: &[1, 2, 3],
        },
    ];
    let r = CreateRequest {
        contexts: CreateContexts::Items(&ctxs),
        ..CreateRequest::default()
    };
    let p = req(&r);
    let d = CreateRequest::decode(&p).unwrap();
    let parsed: Vec<_> = d
        .contexts
        .iter()
        .map(|c| c.unwrap().parse_request().unwrap())
        .collect();
    assert_eq!(parsed, ctxs.to_vec());
    let dh2c = d
        .contexts
        .find(CONTEXT_DURABLE_HANDLE_RECONNECT_V2)
        .unwrap()
        .unwrap();
    assert_eq!(dh2c.data.len(), 36);
    let lease = d.contexts.find(CONTEXT_REQUEST_LEASE).unwrap().unwrap();
    assert_eq!(lease.data.len(), 32);
}

fn sids() -> Vec<u8> {
    // S-1-5-88-1-1000 and S-1-22-2-1000 style SIDs.
    let mut v = vec![1, 3, 0, 0, 0, 0, 0, 5];
    for a in [88u32, 1, 1000] {
        v.extend(a.to_le_bytes());
    }
    v.extend([1, 2, 0, 0, 0, 0, 0, 22]);
    for a in [2u32, 1000] {
        v.extend(a.to_le_bytes());
    }
    v
}

#[test]
fn response_with_contexts() {
    let s = sids();
    let mut r = smb3rs_proto::proto::cursor::Reader::new(&s);
    let owner = Sid::decode(&mut r).unwrap();
    let group = Sid::decode(&mut r).unwrap();
    assert_eq!(owner.rid(), Some(1000));
    assert_eq!(owner.authority(), 5);
    assert_eq!(group.sub_authorities().collect::<Vec<_>>(), vec![2, 1000]);
    let ctxs = [
        CreateContext::Lease(lease_v2()),
        CreateContext::DurableV2Response {
            timeout: 60000,
            flags: 0,
        },
        CreateContext::MaximalAccess {
            query_status: 0,
            maximal_access: 0x001F_01FF,
        },
        CreateContext::OnDiskId {
            disk_file_id: 0x1234,
            volume_id: 0x99,
        },
        CreateContext::PosixResponse(PosixCreateResponse {
            nlink: 2,
            reparse_tag: 0,
            mode: 0o100644,
            owner,
            group,
        }),
    ];
    let rsp_body = CreateResponse {
        oplock_level: OPLOCK_LEVEL_LEASE,
        flags: 0,
        create_action: FILE_CREATED,
        attrs: FileAttrs {
            creation_time: 1,
            last_access_time: 2,
            last_write_time: 3,
            change_time: 4,
            allocation_size: 4096,
            end_of_file: 10,
            file_attributes: FILE_ATTRIBUTE_ARCHIVE,
        },
        file_id: FileId {
            persistent: 0xAA,
            volatile: 0xBB,
        },
        contexts: CreateContexts::Items(&ctxs),
    };
    let p = rsp(&rsp_body);
    assert_eq!(le16(&p, 64), 89);
    assert_eq!(le32(&p, 64 + 80), 152);
    let d = CreateResponse::decode(&p).unwrap();
    assert_eq!(d.attrs, rsp_body.attrs);
    assert_eq!(d.file_id, rsp_body.file_id);
    assert_eq!(d.create_action, FILE_CREATED);
    assert_eq!(d.lease().unwrap(), Some(lease_v2()));
    let parsed: Vec<_> = d
        .contexts
        .iter()
        .map(|c| c.unwrap().parse_response().unwrap())
        .collect();
    assert_eq!(parsed, ctxs.to_vec());
    wire_common::assert_bad_structure_size(&p, ok!(CreateResponse::decode));
    wire_common::assert_truncations_fail(&p, 152, ok!(CreateResponse::decode));
    // Contexts region outside the PDU.
    assert!(CreateResponse::decode(&p[..p.len() - 1]).is_err());
    let mut bad = p.clone();
    bad[64 + 80..64 + 84].copy_from_slice(&100u32.to_le_bytes());
    assert!(
        CreateResponse::decode(&bad).is_err(),
        "contexts overlapping the fixed part"
    );
}

#[test]
fn response_without_contexts() {
    let p = rsp(&CreateResponse::default());
    assert_eq!(p.len(), 153);
    let d = CreateResponse::decode(&p).unwrap();
    assert!(d.contexts.is_empty());
    assert_eq!(d.lease().unwrap(), None);
    // Fixed part alone (no pad byte) is accepted too.
    assert!(CreateResponse::decode(&p[..152]).is_ok());
}

fn chain(ctxs: &[CreateContext<'_>]) -> Vec<u8> {
    let mut b = vec![0u8; 4096];
    let mut w = Writer::new(&mut b);
    let n = encode_contexts(ctxs, &mut w).unwrap();
    b.truncate(n);
    b
}

#[test]
fn hostile_context_chains_are_rejected() {
    let good = chain(&all_request_contexts());
    assert_eq!(contexts(&good).count(), 5);
    // Next pointing at itself (0 is the end marker, so use a misaligned and a short one).
    for next in [4u32, 8, 12, 17] {
        let mut b = good.clone();
        b[0..4].copy_from_slice(&next.to_le_bytes());
        let r: Vec<_> = contexts(&b).collect();
        assert!(r.iter().any(|x| x.is_err()), "next {next}");
        assert!(r.len() <= 2);
    }
    // Next past the end.
    let mut b = good.clone();
    b[0..4].copy_from_slice(&(good.len() as u32).to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    // Name outside the entry / inside the header.
    let mut b = good.clone();
    b[4..6].copy_from_slice(&60u16.to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    let mut b = good.clone();
    b[4..6].copy_from_slice(&8u16.to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    // Empty name.
    let mut b = good.clone();
    b[6..8].copy_from_slice(&0u16.to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    // Data beyond the entry, and data overlapping the name.
    let mut b = good.clone();
    b[12..16].copy_from_slice(&33u32.to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    let mut b = good.clone();
    b[10..12].copy_from_slice(&18u16.to_le_bytes());
    assert!(contexts(&b).next().unwrap().is_err());
    // Truncated header.
    assert!(contexts(&good[..10]).next().unwrap().is_err());
    // Known names with short data.
    let short = chain(&[CreateContext::Raw {
        name: b"DH2Q",
        data: &[0; 8],
    }]);
    let raw = contexts(&short).next().unwrap().unwrap();
    assert!(raw.parse_request().is_err());
    assert!(raw.parse_response().is_ok());
    let short = chain(&[CreateContext::Raw {
        name: b"RqLs",
        data: &[0; 16],
    }]);
    let raw = contexts(&short).next().unwrap().unwrap();
    assert!(raw.parse_response().is_err());
    let bad_sid = chain(&[CreateContext::Raw {
        name: CONTEXT_POSIX,
        data: &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5],
    }]);
    let raw = contexts(&bad_sid).next().unwrap().unwrap();
    assert!(
        raw.parse_response().is_err(),
        "SID with zero sub-authorities"
    );
}

#[test]
fn request_decode_rejections() {
    let ctxs = all_request_contexts();
    let p = req(&CreateRequest {
        name: WireName::Str("x"),
        contexts: CreateContexts::Items(&ctxs),
        ..CreateRequest::default()
    });
    wire_common::assert_bad_structure_size(&p, ok!(CreateRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(CreateRequest::decode));
    let mut b = p.clone();
    b[110..112].copy_from_slice(&3u16.to_le_bytes());
    assert!(CreateRequest::decode(&b).is_err(), "odd name length");
    let mut b = p.clone();
    b[108..110].copy_from_slice(&64u16.to_le_bytes());
    assert!(CreateRequest::decode(&b).is_err(), "name inside the header");
}

proptest! {
    #[test]
    fn context_walk_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        for c in contexts(&data).take(1000).flatten() {
            let _ = c.parse_request();
            let _ = c.parse_response();
        }
        prop_assert!(contexts(&data).count() <= data.len() / 16 + 1);
    }

    #[test]
    fn create_response_decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut p = wire_common::rsp(&CreateResponse::default());
        p.truncate(64);
        p.extend(&data);
        if let Ok(d) = CreateResponse::decode(&p) {
            for c in d.contexts.iter() {
                let _ = c.map(|c| c.parse_response());
            }
        }
    }
}
