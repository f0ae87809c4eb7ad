// SPDX-License-Identifier: GPL-2.0

//! FLUSH, READ and WRITE, including RDMA channel descriptors and the zero-copy split
//! between fixed part and payload.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

#[macro_use]
mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::header::{credit_charge, Body};
use smb3rs_proto::proto::io::*;
use smb3rs_proto::proto::types::{FileId, FixedList};
use wire_common::{le16, le32, le64, req, rsp};

const FID: FileId = FileId {
    persistent: 0x0102_0304_0506_0708,
    volatile: 0x1112_1314_1516_1718,
};

#[test]
fn flush_round_trip() {
    let p = req(&FlushRequest { file_id: FID });
    assert_eq!(p.len(), 64 + 24);
    assert_eq!(le16(&p, 64), 24);
    assert_eq!(le64(&p, 72), FID.persistent);
    assert_eq!(FlushRequest::decode(&p).unwrap().file_id, FID);
    wire_common::assert_bad_structure_size(&p, ok!(FlushRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(FlushRequest::decode));
    let r = rsp(&FlushResponse);
    assert_eq!(r.len(), 68);
    assert!(FlushResponse::decode(&r).is_ok());
    wire_common::assert_bad_structure_size(&r, ok!(FlushResponse::decode));
}

#[test]
fn read_request_plain() {
    let mut r = ReadRequest::new(FID, 1 << 30, 1 << 20);
    r.minimum_count = 1;
    let p = req(&r);
    // 64 + 48 fixed + 1 buffer byte, like Linux.
    assert_eq!(p.len(), 113);
    assert_eq!(le16(&p, 64), 49);
    assert_eq!(p[66], 0x50);
    assert_eq!(le32(&p, 68), 1 << 20);
    assert_eq!(le64(&p, 72), 1 << 30);
    assert_eq!(le64(&p, 80), FID.persistent);
    assert_eq!(le32(&p, 96), 1);
    assert_eq!(le32(&p, 100), CHANNEL_NONE);
    assert_eq!(le16(&p, 108), 0);
    assert_eq!(le16(&p, 110), 0);
    assert_eq!(ReadRequest::decode(&p).unwrap(), r);
    assert_eq!(r.credit_payload(), 1 << 20);
    assert_eq!(credit_charge(r.credit_payload()), 16);
    wire_common::assert_bad_structure_size(&p, ok!(ReadRequest::decode));
    wire_common::assert_truncations_fail(&p, 112, ok!(ReadRequest::decode));
}

#[test]
fn read_request_rdma() {
    let descs = [
        BufferDescriptorV1 {
            offset: 0xFFFF_8880_0000_1000,
            token: 0x1234,
            length: 65536,
        },
        BufferDescriptorV1 {
            offset: 0xFFFF_8880_0002_0000,
            token: 0x1235,
            length: 4096,
        },
    ];
    let r = ReadRequest {
        channel: CHANNEL_RDMA_V1_INVALIDATE,
        remaining_bytes: 69632,
        channel_info: FixedList::Items(&descs),
        ..ReadRequest::new(FID, 0, 69632)
    };
    let p = req(&r);
    assert_eq!(p.len(), 112 + 32);
    assert_eq!(le16(&p, 108), 112);
    assert_eq!(le16(&p, 110), 32);
    assert_eq!(le64(&p, 112), descs[0].offset);
    assert_eq!(le32(&p, 120), 0x1234);
    assert_eq!(le32(&p, 124), 65536);
    let d = ReadRequest::decode(&p).unwrap();
    assert_eq!(d, r);
    assert_eq!(d.channel_info.iter().collect::<Vec<_>>(), descs.to_vec());
    let mut bad = p.clone();
    bad[110..112].copy_from_slice(&20u16.to_le_bytes());
    assert!(
        ReadRequest::decode(&bad).is_err(),
        "descriptor list not a multiple of 16"
    );
    let mut bad = p.clone();
    bad[108..110].copy_from_slice(&100u16.to_le_bytes());
    assert!(
        ReadRequest::decode(&bad).is_err(),
        "descriptors inside the fixed part"
    );
}

#[test]
fn read_response_decodes_from_fixed_part() {
    let body = ReadResponse {
        data_offset: READ_RESPONSE_DATA_OFFSET,
        data_length: 5,
        data_remaining: 0,
        flags: 0,
    };
    let mut p = rsp(&body);
    assert_eq!(p.len(), READ_RESPONSE_FIXED_END);
    p.extend_from_slice(b"hello");
    // The receive path has only the first 80 bytes when it decides where data goes.
    let d = ReadResponse::decode(&p[..READ_RESPONSE_FIXED_END]).unwrap();
    assert_eq!(d, body);
    assert_eq!(d.inline_range(p.len()).unwrap(), 80..85);
    assert_eq!(d.data(&p).unwrap(), b"hello");
    assert!(d.inline_range(84).is_err(), "frame shorter than the data");
    let low = ReadResponse {
        data_offset: 0x40,
        ..body
    };
    assert!(
        low.inline_range(200).is_err(),
        "data overlapping the fixed part"
    );
    let padded = ReadResponse {
        data_offset: 0x58,
        ..body
    };
    let q = rsp(&padded);
    assert_eq!(q.len(), 0x58);
    let empty = ReadResponse {
        data_length: 0,
        ..body
    };
    let e = rsp(&empty);
    assert_eq!(e.len(), 81);
    assert_eq!(ReadResponse::decode(&e).unwrap().data(&e).unwrap(), b"");
    wire_common::assert_bad_structure_size(&p, ok!(ReadResponse::decode));
    wire_common::assert_truncations_fail(&p, 80, ok!(ReadResponse::decode));
}

#[test]
fn write_request_leaves_payload_out() {
    let w = WriteRequest {
        flags: WRITEFLAG_WRITE_THROUGH,
        ..WriteRequest::new(FID, 4096, 8192)
    };
    let p = req(&w);
    // Only header and fixed part: the page-cache pages follow as separate segments.
    assert_eq!(p.len(), WRITE_DATA_OFFSET);
    assert_eq!(p.len(), 112);
    assert_eq!(le16(&p, 64), 49);
    assert_eq!(le16(&p, 66), 112);
    assert_eq!(le32(&p, 68), 8192);
    assert_eq!(le64(&p, 72), 4096);
    assert_eq!(le32(&p, 108), WRITEFLAG_WRITE_THROUGH);
    assert_eq!(w.data_offset(), 112);
    assert_eq!(w.credit_payload(), 8192);
    let mut full = p.clone();
    full.extend(std::iter::repeat_n(0xAB, 8192));
    let (d, data) = WriteRequest::decode(&full).unwrap();
    assert_eq!(d, w);
    assert_eq!(data.len(), 8192);
    assert!(WriteRequest::decode(&p).is_err(), "payload missing");
    wire_common::assert_bad_structure_size(&full, ok!(WriteRequest::decode));
}

#[test]
fn write_request_rdma() {
    let desc = [BufferDescriptorV1 {
        offset: 0x1000,
        token: 7,
        length: 1 << 20,
    }];
    let w = WriteRequest {
        length: 0,
        channel: CHANNEL_RDMA_V1,
        remaining_bytes: 1 << 20,
        channel_info: FixedList::Items(&desc),
        ..WriteRequest::new(FID, 0, 0)
    };
    let p = req(&w);
    assert_eq!(p.len(), 128);
    assert_eq!(le16(&p, 104), 112);
    assert_eq!(le16(&p, 106), 16);
    assert_eq!(le32(&p, 100), 1 << 20);
    assert_eq!(w.credit_payload(), 1 << 20);
    let (d, data) = WriteRequest::decode(&p).unwrap();
    assert_eq!(d, w);
    assert!(data.is_empty());
    // Zero-length plain write still has a buffer byte.
    let z = req(&WriteRequest::new(FID, 0, 0));
    assert_eq!(z.len(), 113);
}

#[test]
fn write_response() {
    let r = WriteResponse {
        count: 8192,
        remaining: 0,
    };
    let p = rsp(&r);
    assert_eq!(p.len(), 81);
    assert_eq!(le16(&p, 64), 17);
    assert_eq!(le32(&p, 68), 8192);
    assert_eq!(WriteResponse::decode(&p).unwrap(), r);
    assert!(WriteResponse::decode(&p[..80]).is_ok());
    wire_common::assert_bad_structure_size(&p, ok!(WriteResponse::decode));
    wire_common::assert_truncations_fail(&p, 80, ok!(WriteResponse::decode));
}

proptest! {
    #[test]
    fn read_response_range_is_always_inside(off: u8, len: u32, plen in 0usize..100_000) {
        let r = ReadResponse { data_offset: off, data_length: len, data_remaining: 0, flags: 0 };
        if let Ok(range) = r.inline_range(plen) {
            prop_assert!(range.end <= plen.max(READ_RESPONSE_FIXED_END));
            prop_assert!(range.start >= READ_RESPONSE_FIXED_END);
        }
    }

    #[test]
    fn io_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut p = vec![0u8; 64];
        p.extend(&data);
        let _ = ReadRequest::decode(&p);
        let _ = WriteRequest::decode(&p);
        let _ = ReadResponse::decode(&p).map(|r| r.data(&p));
        let _ = WriteResponse::decode(&p);
        let _ = FlushRequest::decode(&p);
    }
}
