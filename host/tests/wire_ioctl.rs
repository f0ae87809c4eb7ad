// SPDX-License-Identifier: GPL-2.0

//! IOCTL requests and responses, network interface lists, reparse points, copychunk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::header::Body;
use smb3rs_proto::proto::ioctl::*;
use smb3rs_proto::proto::types::{FileId, WireName};
use wire_common::{le16, le32, le64, req, rsp, utf16};

const ALL: FileId = FileId::COMPOUND;

fn bytes(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut b = vec![0u8; 8192];
    let mut w = Writer::new(&mut b);
    f(&mut w);
    let n = w.pos();
    b.truncate(n);
    b
}

#[test]
fn codes() {
    assert_eq!(FSCTL_VALIDATE_NEGOTIATE_INFO, 0x0014_0204);
    assert_eq!(FSCTL_QUERY_NETWORK_INTERFACE_INFO, 0x0014_01FC);
    assert_eq!(FSCTL_GET_REPARSE_POINT, 0x0009_00A8);
    assert_eq!(FSCTL_SET_REPARSE_POINT, 0x0009_00A4);
    assert_eq!(IO_REPARSE_TAG_SYMLINK, 0xA000_000C);
}

#[test]
fn request_layout() {
    let q = IoctlRequest::fsctl(FSCTL_QUERY_NETWORK_INTERFACE_INFO, ALL, &[], 65536);
    let p = req(&q);
    assert_eq!(p.len(), 64 + 57);
    assert_eq!(le16(&p, 64), 57);
    assert_eq!(le32(&p, 68), FSCTL_QUERY_NETWORK_INTERFACE_INFO);
    assert_eq!(le64(&p, 72), u64::MAX);
    assert_eq!(le32(&p, 88), 0);
    assert_eq!(le32(&p, 92), 0);
    assert_eq!(le32(&p, 108), 65536);
    assert_eq!(le32(&p, 112), IOCTL_IS_FSCTL);
    assert_eq!(IoctlRequest::decode(&p).unwrap(), q);
    assert_eq!(q.credit_payload(), 65536);

    let input = [1u8, 2, 3];
    let out = [9u8; 5];
    let r = IoctlRequest {
        output: &out,
        ..IoctlRequest::fsctl(
            FSCTL_PIPE_TRANSCEIVE,
            FileId {
                persistent: 1,
                volatile: 2,
            },
            &input,
            1024,
        )
    };
    let p = req(&r);
    assert_eq!(le32(&p, 88), 120);
    assert_eq!(le32(&p, 92), 3);
    assert_eq!(le32(&p, 100), 128);
    assert_eq!(le32(&p, 104), 5);
    assert_eq!(&p[120..123], &input);
    assert_eq!(&p[128..133], &out);
    assert_eq!(IoctlRequest::decode(&p).unwrap(), r);
    wire_common::assert_bad_structure_size(&p, ok!(IoctlRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(IoctlRequest::decode));
}

fn ifaces() -> [NetworkInterface; 3] {
    [
        NetworkInterface {
            if_index: 2,
            capability: RSS_CAPABLE,
            link_speed: 10_000_000_000,
            address: SockAddr::V4 {
                addr: [192, 168, 1, 10],
                port: 445,
            },
        },
        NetworkInterface {
            if_index: 3,
            capability: RDMA_CAPABLE | RSS_CAPABLE,
            link_speed: 100_000_000_000,
            address: SockAddr::V6 {
                addr: [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                port: 0,
                flow_info: 0,
                scope_id: 5,
            },
        },
        NetworkInterface {
            if_index: 4,
            capability: 0,
            link_speed: 0,
            address: SockAddr::Other { family: 0x1234 },
        },
    ]
}

#[test]
fn network_interfaces_round_trip() {
    let list = ifaces();
    let out = bytes(|w| encode_network_interfaces(&list, w).unwrap());
    assert_eq!(out.len(), 3 * 152);
    assert_eq!(le32(&out, 0), 152);
    assert_eq!(le32(&out, 4), 2);
    assert_eq!(le64(&out, 16), 10_000_000_000);
    assert_eq!(le16(&out, 24), 2);
    assert_eq!(&out[26..28], &[0x01, 0xBD]);
    assert_eq!(&out[28..32], &[192, 168, 1, 10]);
    assert_eq!(le16(&out, 152 + 24), 0x17);
    assert_eq!(le32(&out, 304), 0);
    let p = rsp(&IoctlResponse {
        ctl_code: FSCTL_QUERY_NETWORK_INTERFACE_INFO,
        file_id: ALL,
        input: &[],
        output: &out,
        flags: 0,
    });
    assert_eq!(le32(&p, 64 + 32), 112);
    let d = IoctlResponse::decode(&p).unwrap();
    let got: Vec<_> = network_interfaces(d.output)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, list.to_vec());
    assert!(got[1].rdma_capable() && got[1].rss_capable() && !got[0].rdma_capable());
    assert_eq!(network_interfaces(&[]).count(), 0);
    wire_common::assert_bad_structure_size(&p, ok!(IoctlResponse::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(IoctlResponse::decode));
}

#[test]
fn network_interfaces_hostile() {
    let list = ifaces();
    let out = bytes(|w| encode_network_interfaces(&list, w).unwrap());
    for next in [1u32, 100, 151] {
        let mut b = out.clone();
        b[0..4].copy_from_slice(&next.to_le_bytes());
        let r: Vec<_> = network_interfaces(&b).collect();
        assert_eq!(r.len(), 1);
        assert!(r[0].is_err(), "next {next}");
    }
    let mut b = out.clone();
    b[304..308].copy_from_slice(&152u32.to_le_bytes());
    let r: Vec<_> = network_interfaces(&b).collect();
    assert_eq!(r.len(), 3);
    assert!(r[2].is_err(), "next past the end");
    let r: Vec<_> = network_interfaces(&out[..400]).collect();
    assert!(r.last().unwrap().is_err(), "truncated entry");
}

#[test]
fn reparse_symlink_round_trip() {
    let s = SymlinkReparse {
        substitute_name: WireName::Str("..\\target"),
        print_name: WireName::Path("../target"),
        flags: SYMLINK_FLAG_RELATIVE,
    };
    let b = bytes(|w| s.encode(w).unwrap());
    let names = 2 * utf16("..\\target").len();
    assert_eq!(b.len(), 8 + 12 + names);
    assert_eq!(le32(&b, 0), IO_REPARSE_TAG_SYMLINK);
    assert_eq!(le16(&b, 4) as usize, 12 + names);
    assert_eq!(le16(&b, 8), 0);
    assert_eq!(le16(&b, 10) as usize, names / 2);
    assert_eq!(le16(&b, 12) as usize, names / 2);
    assert_eq!(le32(&b, 16), SYMLINK_FLAG_RELATIVE);
    let d = ReparseData::decode(&b).unwrap();
    let ReparseData::Symlink(ds) = d else {
        panic!()
    };
    assert_eq!(ds, s);
    assert!(ds.is_relative());
    assert_eq!(d.tag(), IO_REPARSE_TAG_SYMLINK);
    // As FSCTL_SET_REPARSE_POINT input and FSCTL_GET_REPARSE_POINT output.
    let set = req(&IoctlRequest::fsctl(FSCTL_SET_REPARSE_POINT, ALL, &b, 0));
    assert_eq!(&IoctlRequest::decode(&set).unwrap().input, &&b[..]);
    let mut bad = b.clone();
    bad[4..6].copy_from_slice(&200u16.to_le_bytes());
    assert!(
        ReparseData::decode(&bad).is_err(),
        "ReparseDataLength beyond the buffer"
    );
    let mut bad = b.clone();
    bad[14..16].copy_from_slice(&100u16.to_le_bytes());
    assert!(
        ReparseData::decode(&bad).is_err(),
        "print name beyond the path buffer"
    );
    let other = ReparseData::Other {
        tag: IO_REPARSE_TAG_NFS,
        data: &[1, 2, 3, 4, 5, 6, 7, 8],
    };
    let b = bytes(|w| other.encode(w).unwrap());
    assert_eq!(ReparseData::decode(&b).unwrap(), other);
}

#[test]
fn copychunk() {
    let key = [5u8; RESUME_KEY_SIZE];
    let mut out = key.to_vec();
    out.extend([0, 0, 0, 0]);
    assert_eq!(resume_key(&out).unwrap(), key);
    assert!(resume_key(&out[..23]).is_err());
    let chunks = [CopyChunk {
        source_offset: 0,
        target_offset: 4096,
        length: 1 << 20,
    }];
    let b = bytes(|w| encode_copychunk(&key, &chunks, w).unwrap());
    assert_eq!(b.len(), 24 + 8 + 24);
    assert_eq!(le32(&b, 24), 1);
    assert_eq!(le64(&b, 40), 4096);
    let r = [16u8, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 1];
    let d = CopyChunkResponse::decode(&r).unwrap();
    assert_eq!(d.chunks_written, 16);
    assert_eq!(d.chunk_bytes_written, 1 << 20);
    assert_eq!(d.total_bytes_written, 1 << 24);
}

proptest! {
    #[test]
    fn ioctl_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..700)) {
        let _ = network_interfaces(&data).count();
        let _ = ReparseData::decode(&data);
        let mut p = vec![0u8; 64];
        p.extend(&data);
        let _ = IoctlRequest::decode(&p);
        let _ = IoctlResponse::decode(&p);
    }
}
