// SPDX-License-Identifier: GPL-2.0

//! QUERY_DIRECTORY and directory entry classes, names and UTF-16 conversion.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::cursor::{Reader, Writer};
use smb3rs_proto::proto::dir::*;
use smb3rs_proto::proto::info::FilePosixInfo;
use smb3rs_proto::proto::types::{FileId, Sid, Utf16Error, Utf16Str, WireName};
use wire_common::{le16, le32, req, rsp, utf16};

const FID: FileId = FileId {
    persistent: 9,
    volatile: 10,
};

#[test]
fn request_layout() {
    let mut r = QueryDirectoryRequest::new(DirClass::IdBothDirectory, FID, 65536);
    r.flags = RESTART_SCANS | REOPEN;
    let p = req(&r);
    assert_eq!(le16(&p, 64), 33);
    assert_eq!(p[66], 37);
    assert_eq!(p[67], RESTART_SCANS | REOPEN);
    assert_eq!(le16(&p, 88), 96);
    assert_eq!(le16(&p, 90), 2);
    assert_eq!(le32(&p, 92), 65536);
    assert_eq!(&p[96..98], &utf16("*")[..]);
    assert_eq!(p.len(), 98);
    assert_eq!(QueryDirectoryRequest::decode(&p).unwrap(), r);
    let mut idx = QueryDirectoryRequest::new(DirClass::Posix, FID, 1024);
    idx.flags = INDEX_SPECIFIED | RETURN_SINGLE_ENTRY;
    idx.file_index = 77;
    idx.pattern = WireName::Str("");
    let p = req(&idx);
    assert_eq!(p.len(), 97);
    assert_eq!(le16(&p, 88), 0);
    assert_eq!(QueryDirectoryRequest::decode(&p).unwrap(), idx);
    wire_common::assert_bad_structure_size(&p, ok!(QueryDirectoryRequest::decode));
    let mut bad = p.clone();
    bad[66] = 60;
    assert!(
        QueryDirectoryRequest::decode(&bad).is_err(),
        "unsupported class"
    );
}

fn entry<'a>(name: &'a [u8], i: u32) -> DirEntry<'a> {
    DirEntry {
        file_index: i,
        creation_time: 100 + u64::from(i),
        last_access_time: 200,
        last_write_time: 300,
        change_time: 400,
        end_of_file: 12345,
        allocation_size: 16384,
        file_attributes: 0x20,
        ea_size: 0,
        file_id: None,
        short_name: None,
        posix: None,
        name: Utf16Str::new(name).unwrap(),
    }
}

fn sids() -> Vec<u8> {
    let mut v = vec![1, 2, 0, 0, 0, 0, 0, 22, 1, 0, 0, 0, 0xE8, 3, 0, 0];
    v.extend([1, 2, 0, 0, 0, 0, 0, 22, 2, 0, 0, 0, 0xE9, 3, 0, 0]);
    v
}

fn expected(e: &DirEntry<'_>, class: DirClass) -> DirEntry<'static> {
    // What a round trip gives back for fields the class does not carry.
    let mut x: DirEntry<'static> = leak_clone(e);
    match class {
        DirClass::Names => {
            x = DirEntry {
                file_index: x.file_index,
                creation_time: 0,
                last_access_time: 0,
                last_write_time: 0,
                change_time: 0,
                end_of_file: 0,
                allocation_size: 0,
                file_attributes: 0,
                ea_size: 0,
                file_id: None,
                short_name: None,
                posix: None,
                name: x.name,
            };
        }
        DirClass::Directory => {
            x.ea_size = 0;
            x.short_name = None;
            x.file_id = None;
        }
        DirClass::FullDirectory => {
            x.short_name = None;
            x.file_id = None;
        }
        DirClass::BothDirectory => x.file_id = None,
        DirClass::IdFullDirectory => {
            x.short_name = None;
            x.file_id = Some(x.file_id.unwrap_or(0));
        }
        DirClass::IdBothDirectory => x.file_id = Some(x.file_id.unwrap_or(0)),
        DirClass::Posix => {}
    }
    x
}

fn leak_clone(e: &DirEntry<'_>) -> DirEntry<'static> {
    let name: &'static [u8] = Box::leak(e.name.as_bytes().to_vec().into_boxed_slice());
    let short = e
        .short_name
        .map(|s| Utf16Str::new(Box::leak(s.as_bytes().to_vec().into_boxed_slice())).unwrap());
    DirEntry {
        name: Utf16Str::new(name).unwrap(),
        short_name: short,
        posix: None,
        ..*e
    }
}

#[test]
fn every_class_round_trips() {
    let n1 = utf16("file one.txt");
    let n2 = utf16("Ünïcödé 😀");
    let n3 = utf16("x");
    let short = utf16("FILEON~1.TXT");
    for class in [
        DirClass::Directory,
        DirClass::FullDirectory,
        DirClass::BothDirectory,
        DirClass::Names,
        DirClass::IdBothDirectory,
        DirClass::IdFullDirectory,
    ] {
        let mut list = vec![entry(&n1, 1), entry(&n2, 2), entry(&n3, 3)];
        list[0].ea_size = 5;
        list[0].short_name = Some(Utf16Str::new(&short).unwrap());
        list[1].file_id = Some(0xFEED);
        list[1].ea_size = 1;
        list[1].short_name = Some(Utf16Str::new(&[]).unwrap());
        list[2].file_id = Some(1);
        list[2].short_name = Some(Utf16Str::new(&[]).unwrap());
        if !matches!(class, DirClass::BothDirectory | DirClass::IdBothDirectory) {
            for e in &mut list {
                e.short_name = None;
            }
        }
        let mut buf = vec![0u8; 4096];
        let mut w = Writer::new(&mut buf);
        encode_entries(&list, class, &mut w).unwrap();
        let n = w.pos();
        let out = &buf[..n];
        // First entry: NextEntryOffset 8-aligned and covering the entry.
        let next = le32(out, 0) as usize;
        assert_eq!(next % 8, 0);
        assert!(next >= class.fixed_size() + n1.len());
        let got: Vec<_> = entries(out, class).collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), 3, "{class:?}");
        for (g, e) in got.iter().zip(&list) {
            assert_eq!(*g, expected(e, class), "{class:?}");
        }
        // Byte offsets of the name in the first entry match the fixed size.
        assert_eq!(
            &out[class.fixed_size()..class.fixed_size() + n1.len()],
            &n1[..]
        );
        // Inside a QUERY_DIRECTORY response.
        let p = rsp(&QueryDirectoryResponse { output: out });
        assert_eq!(le16(&p, 66), 72);
        let d = QueryDirectoryResponse::decode(&p).unwrap();
        assert_eq!(d.entries(class).count(), 3);
    }
}

#[test]
fn posix_entries() {
    let s = sids();
    let mut r = Reader::new(&s);
    let owner = Sid::decode(&mut r).unwrap();
    let group = Sid::decode(&mut r).unwrap();
    let p = FilePosixInfo {
        creation_time: 1,
        last_access_time: 2,
        last_write_time: 3,
        change_time: 4,
        end_of_file: 5,
        allocation_size: 4096,
        dos_attributes: 0x10,
        inode: 0xABCDEF,
        device_id: 0x801,
        hard_links: 2,
        reparse_tag: 0,
        mode: 0o40755,
        owner,
        group,
    };
    let dot = utf16(".");
    let dotdot = utf16("..");
    let name = utf16("sub");
    let mut list = vec![entry(&dot, 0), entry(&dotdot, 0), entry(&name, 0)];
    for e in &mut list {
        e.posix = Some(p);
    }
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    encode_entries(&list, DirClass::Posix, &mut w).unwrap();
    let n = w.pos();
    let out = &buf[..n];
    // 88 fixed bytes (incl. NextEntryOffset/Ignored), SIDs, then name length and name.
    assert_eq!(le32(out, 88 + 32), 2);
    let got: Vec<_> = entries(out, DirClass::Posix)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got.len(), 3);
    assert!(got[0].is_dot_or_dotdot() && got[1].is_dot_or_dotdot() && !got[2].is_dot_or_dotdot());
    let g = &got[2];
    assert_eq!(g.file_id, Some(0xABCDEF));
    assert_eq!(g.end_of_file, 5);
    assert_eq!(g.allocation_size, 4096);
    assert_eq!(g.file_attributes, 0x10);
    let gp = g.posix.unwrap();
    assert_eq!(gp, p);
    assert_eq!(gp.owner.rid(), Some(1000));
    assert_eq!(gp.group.rid(), Some(1001));
    assert!(g.name.eq_str("sub"));
    // A SID claiming 16 sub-authorities is rejected.
    let mut bad = out.to_vec();
    bad[89] = 16;
    assert!(entries(&bad, DirClass::Posix).next().unwrap().is_err());
}

fn two_entries() -> Vec<u8> {
    let a = utf16("a");
    let b = utf16("bb");
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    encode_entries(
        &[entry(&a, 1), entry(&b, 2)],
        DirClass::FullDirectory,
        &mut w,
    )
    .unwrap();
    let n = w.pos();
    buf.truncate(n);
    buf
}

#[test]
fn hostile_next_entry_offsets() {
    let good = two_entries();
    assert_eq!(entries(&good, DirClass::FullDirectory).count(), 2);
    // Self loop is impossible (0 ends the chain); too-small offsets that would overlap
    // the entry are rejected.
    for next in [1u32, 4, 8, 68, 69] {
        let mut b = good.clone();
        b[0..4].copy_from_slice(&next.to_le_bytes());
        let r: Vec<_> = entries(&b, DirClass::FullDirectory).collect();
        assert_eq!(r.len(), 1, "next {next}");
        assert!(r[0].is_err(), "next {next}");
    }
    // Past the end of the buffer.
    for next in [good.len() as u32, u32::MAX] {
        let mut b = good.clone();
        b[0..4].copy_from_slice(&next.to_le_bytes());
        assert!(entries(&b, DirClass::FullDirectory)
            .next()
            .unwrap()
            .is_err());
    }
    // Name length running past the entry / the buffer.
    let mut b = good.clone();
    b[60..64].copy_from_slice(&200u32.to_le_bytes());
    assert!(entries(&b, DirClass::FullDirectory)
        .next()
        .unwrap()
        .is_err());
    let last = le32(&good, 0) as usize;
    let mut b = good.clone();
    b[last + 60..last + 64].copy_from_slice(&6u32.to_le_bytes());
    let r: Vec<_> = entries(&b, DirClass::FullDirectory).collect();
    assert!(r[0].is_ok() && r[1].is_err());
    // Odd name length.
    let mut b = good.clone();
    b[60..64].copy_from_slice(&1u32.to_le_bytes());
    assert!(entries(&b, DirClass::FullDirectory)
        .next()
        .unwrap()
        .is_err());
    // Truncated last entry.
    let r: Vec<_> = entries(&good[..good.len() - 1], DirClass::FullDirectory).collect();
    assert!(r[1].is_err());
    // Empty buffer: no entries.
    assert_eq!(entries(&[], DirClass::Directory).count(), 0);
}

#[test]
fn utf16_to_utf8() {
    let s = "Grüße/日本語/😀";
    let u = utf16(s);
    let n = Utf16Str::new(&u).unwrap();
    assert_eq!(n.utf8_len().unwrap(), s.len());
    let mut out = [0u8; 64];
    let len = n.to_utf8(&mut out).unwrap();
    assert_eq!(&out[..len], s.as_bytes());
    let mut small = [0u8; 4];
    assert_eq!(
        n.to_utf8(&mut small),
        Err(Utf16Error::BufferTooSmall { needed: s.len() })
    );
    // Unpaired surrogates are rejected with their byte offset.
    let bad = [0x41, 0x00, 0x00, 0xD8, 0x42, 0x00];
    assert_eq!(
        Utf16Str::new(&bad).unwrap().to_utf8(&mut out),
        Err(Utf16Error::Invalid { at: 2 })
    );
    assert!(Utf16Str::new(&[0x41]).is_err());
    assert!(n.eq_str(s));
    assert!(!n.eq_str("x"));
    assert_eq!(WireName::Path("a/b"), WireName::Str("a\\b"));
    assert_ne!(WireName::Str("a/b"), WireName::Str("a\\b"));
}

#[test]
fn response_rejections() {
    let out = two_entries();
    let p = rsp(&QueryDirectoryResponse { output: &out });
    wire_common::assert_bad_structure_size(&p, ok!(QueryDirectoryResponse::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(QueryDirectoryResponse::decode));
    let mut bad = p.clone();
    bad[66..68].copy_from_slice(&70u16.to_le_bytes());
    assert!(
        QueryDirectoryResponse::decode(&bad).is_err(),
        "output overlapping the fixed part"
    );
    let e = rsp(&QueryDirectoryResponse { output: &[] });
    assert_eq!(e.len(), 73);
    assert!(QueryDirectoryResponse::decode(&e)
        .unwrap()
        .output
        .is_empty());
}

proptest! {
    #[test]
    fn walking_random_bytes_terminates(data in proptest::collection::vec(any::<u8>(), 0..1024),
                                       c in prop_oneof![Just(DirClass::Directory), Just(DirClass::FullDirectory),
                                                        Just(DirClass::BothDirectory), Just(DirClass::Names),
                                                        Just(DirClass::IdBothDirectory), Just(DirClass::IdFullDirectory),
                                                        Just(DirClass::Posix)]) {
        let mut n = 0;
        for e in entries(&data, c) {
            n += 1;
            prop_assert!(n <= data.len() / 4 + 1);
            if let Ok(e) = e {
                let mut out = [0u8; 2048];
                let _ = e.name.to_utf8(&mut out);
            }
        }
    }

    #[test]
    fn utf16_round_trip(s in "\\PC{0,40}") {
        let u = utf16(&s);
        let mut out = vec![0u8; s.len()];
        let n = Utf16Str::new(&u).unwrap().to_utf8(&mut out).unwrap();
        prop_assert_eq!(&out[..n], s.as_bytes());
    }
}
