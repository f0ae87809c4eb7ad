// SPDX-License-Identifier: GPL-2.0

//! Compounds: building, linking segmented PDUs, and splitting (with property tests).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::close::CloseRequest;
use smb3rs_proto::proto::compound::{self, split, Builder};
use smb3rs_proto::proto::create::{CreateRequest, FILE_OPEN};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::DecodeError;
use smb3rs_proto::proto::header::{self, Command, Header, FLAG_RELATED_OPERATIONS, HEADER_SIZE};
use smb3rs_proto::proto::info::{QueryInfoRequest, FILE_ALL_INFORMATION, INFO_FILE};
use smb3rs_proto::proto::types::{FileId, WireName};

#[test]
fn padding_rules() {
    assert_eq!(compound::padding(64), 0);
    assert_eq!(compound::padding(65), 7);
    assert_eq!(compound::padding(71), 1);
    assert_eq!(compound::padded_len(113), Some(120));
    assert_eq!(compound::padded_len(usize::MAX), None);
}

#[test]
fn create_query_close_related_compound() {
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let mut b = Builder::new(&mut w, true);
    let mut h = Header::new(Command::Create);
    h.session_id = 11;
    h.set_tree_id(3);
    let create = CreateRequest {
        desired_access: 0x80,
        create_disposition: FILE_OPEN,
        name: WireName::Path("dir/file.txt"),
        ..CreateRequest::default()
    };
    let s0 = b.push(&h, &create).unwrap();
    let qi = QueryInfoRequest::new(INFO_FILE, FILE_ALL_INFORMATION, FileId::COMPOUND, 4096);
    let s1 = b.push(&h, &qi).unwrap();
    let s2 = b
        .push(
            &h,
            &CloseRequest {
                flags: 0,
                file_id: FileId::COMPOUND,
            },
        )
        .unwrap();
    assert_eq!(b.count(), 3);
    let total = b.finish();
    let msg = &buf[..total];
    assert_eq!(s0, 0);
    assert_eq!(s1 % 8, 0);
    assert_eq!(s2 % 8, 0);
    assert_eq!(wire_common::le32(msg, s0 + 20) as usize, s1);
    assert_eq!(wire_common::le32(msg, s1 + 20) as usize, s2 - s1);
    assert_eq!(wire_common::le32(msg, s2 + 20), 0);
    let pdus: Vec<_> = split(msg).collect::<Result<_, _>>().unwrap();
    assert_eq!(pdus.len(), 3);
    assert_eq!(pdus[0].header.command, Command::Create);
    assert!(!pdus[0].header.is_related());
    assert!(pdus[1].header.is_related() && pdus[2].header.is_related());
    assert_eq!(pdus[1].offset, s1);
    assert_eq!(pdus[0].bytes.len(), s1);
    let c = CreateRequest::decode(pdus[0].bytes).unwrap();
    assert_eq!(c.name, WireName::Str("dir\\file.txt"));
    let q = QueryInfoRequest::decode(pdus[1].bytes).unwrap();
    assert_eq!(q, qi);
    assert_eq!(
        CloseRequest::decode(pdus[2].bytes).unwrap().file_id,
        FileId::COMPOUND
    );
}

#[test]
fn unrelated_compound_has_no_related_flag() {
    let mut buf = vec![0u8; 512];
    let mut w = Writer::new(&mut buf);
    let mut b = Builder::new(&mut w, false);
    for _ in 0..3 {
        b.push(
            &Header::new(Command::Echo),
            &smb3rs_proto::proto::misc::EchoRequest,
        )
        .unwrap();
    }
    let n = b.finish();
    assert_eq!(n, 72 * 2 + 68);
    for p in split(&buf[..n]) {
        assert!(!p.unwrap().header.is_related());
    }
}

#[test]
fn segmented_link() {
    // A WRITE-like PDU whose payload travels in separate segments: 112 bytes of
    // header+fixed part plus 1001 payload bytes.
    let mut hdr = wire_common::req(&smb3rs_proto::proto::misc::EchoRequest);
    let pad = compound::link(&mut hdr, 112 + 1001).unwrap();
    assert_eq!(pad, 7);
    assert_eq!(header::peek_next_command(&hdr).unwrap(), 1120);
    compound::mark_related(&mut hdr).unwrap();
    assert_ne!(
        header::peek_flags(&hdr).unwrap() & FLAG_RELATED_OPERATIONS,
        0
    );
    assert!(compound::link(&mut hdr, 10).is_err());
    let mut short = [0u8; 10];
    assert!(compound::link(&mut short, 100).is_err());
}

#[test]
fn builder_reports_needed_size() {
    let mut buf = vec![0u8; 100];
    let mut w = Writer::new(&mut buf);
    let mut b = Builder::new(&mut w, true);
    b.push(
        &Header::new(Command::Echo),
        &smb3rs_proto::proto::misc::EchoRequest,
    )
    .unwrap();
    let e = b
        .push(
            &Header::new(Command::Echo),
            &smb3rs_proto::proto::misc::EchoRequest,
        )
        .unwrap_err();
    assert!(matches!(
        e,
        smb3rs_proto::proto::error::EncodeError::BufferTooSmall { .. }
    ));
}

fn raw_pdu(next: u32, extra: usize) -> Vec<u8> {
    let mut h = Header::new(Command::Echo);
    h.next_command = next;
    let mut b = vec![0u8; HEADER_SIZE + extra];
    h.encode(&mut Writer::new(&mut b)).unwrap();
    b
}

#[test]
fn split_rejects_hostile_next_command() {
    // Not a multiple of 8.
    let mut m = raw_pdu(68, 4);
    m.extend(raw_pdu(0, 4));
    let r: Vec<_> = split(&m).collect();
    assert_eq!(r.len(), 1);
    assert!(matches!(r[0], Err(DecodeError::BadValue { .. })));
    // Smaller than a header (and zero-progress values).
    for next in [8u32, 56] {
        let mut m = raw_pdu(next, 0);
        m.extend(raw_pdu(0, 0));
        let r: Vec<_> = split(&m).collect();
        assert_eq!(r.len(), 1);
        assert!(r[0].is_err());
    }
    // Past the end, or leaving less than a header.
    for next in [72u32, 80, 1 << 20, 0xFFFF_FFF8] {
        let m = raw_pdu(next, 8);
        let r: Vec<_> = split(&m).collect();
        assert_eq!(r.len(), 1, "next {next}");
        assert!(r[0].is_err());
    }
    // Second header corrupt.
    let mut m = raw_pdu(72, 8);
    let mut second = raw_pdu(0, 0);
    second[0] = 0;
    m.extend(second);
    let r: Vec<_> = split(&m).collect();
    assert_eq!(r.len(), 2);
    assert!(r[0].is_ok() && r[1].is_err());
    // Empty and short input.
    assert!(split(&[]).next().unwrap().is_err());
    assert_eq!(split(&[]).count(), 1);
}

proptest! {
    #[test]
    fn build_then_split(lens in proptest::collection::vec(0usize..300, 1..12), related: bool) {
        let mut buf = vec![0u8; 64 * 1024];
        let mut w = Writer::new(&mut buf);
        let mut b = Builder::new(&mut w, related);
        let mut starts = Vec::new();
        for (i, extra) in lens.iter().enumerate() {
            let start = b.begin_raw().unwrap();
            let mut h = Header::new(Command::Write);
            h.message_id = i as u64;
            h.encode(b.writer()).unwrap();
            b.writer().bytes(&vec![i as u8; *extra]).unwrap();
            b.end_raw(start).unwrap();
            starts.push(start);
        }
        let total = b.finish();
        let msg = &buf[..total];
        let pdus: Vec<_> = split(msg).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(pdus.len(), lens.len());
        for (i, p) in pdus.iter().enumerate() {
            prop_assert_eq!(p.offset, starts[i]);
            prop_assert_eq!(p.offset % 8, 0);
            prop_assert_eq!(p.header.message_id, i as u64);
            prop_assert_eq!(p.header.is_related(), related && i > 0);
            let last = i + 1 == lens.len();
            prop_assert_eq!(p.header.next_command == 0, last);
            if last {
                prop_assert_eq!(p.bytes.len(), HEADER_SIZE + lens[i]);
            } else {
                prop_assert_eq!(p.bytes.len(), compound::padded_len(HEADER_SIZE + lens[i]).unwrap());
            }
            prop_assert!(p.bytes[HEADER_SIZE..HEADER_SIZE + lens[i]].iter().all(|&x| x == i as u8));
        }
    }

    #[test]
    fn split_never_panics_and_always_terminates(data in proptest::collection::vec(any::<u8>(), 0..2048),
                                                 seeds in proptest::collection::vec((0usize..2048, any::<u32>()), 0..8)) {
        // Plant plausible headers with random NextCommand values to reach deep paths.
        let mut data = data;
        for (at, next) in seeds {
            let at = at & !7;
            if at + HEADER_SIZE <= data.len() {
                let mut h = Header::new(Command::Read);
                h.next_command = next & 0x0FFF;
                h.encode(&mut Writer::new(&mut data[at..at + HEADER_SIZE])).unwrap();
            }
        }
        let mut count = 0;
        let mut last_off = None;
        for p in split(&data) {
            count += 1;
            prop_assert!(count <= data.len() / HEADER_SIZE + 1);
            if let Ok(p) = p {
                if let Some(l) = last_off {
                    prop_assert!(p.offset > l);
                }
                last_off = Some(p.offset);
                prop_assert!(p.offset + p.bytes.len() <= data.len());
            }
        }
    }
}
