// SPDX-License-Identifier: GPL-2.0

//! FileFullEaInformation lists (extended attributes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use proptest::prelude::*;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::ea::*;

mod wire_common;
use wire_common::ea_entry as entry;

/// Each EA as (name, value).
type Eas = Vec<(Vec<u8>, Vec<u8>)>;

fn all(buf: &[u8]) -> Result<Eas, ()> {
    FullEaIter::new(buf)
        .map(|e| e.map(|e| (e.name.to_vec(), e.value.to_vec())).map_err(drop))
        .collect()
}

#[test]
fn one_entry_round_trips() {
    let mut b = vec![0u8; 64];
    let mut w = Writer::new(&mut b);
    encode_full_ea(&mut w, b"colour", b"blue").unwrap();
    let n = w.pos();
    assert_eq!(n, full_ea_len(b"colour", b"blue"));
    assert_eq!(&b[..n], entry(0, b"colour", b"blue").as_slice());
    assert_eq!(
        all(&b[..n]).unwrap(),
        vec![(b"colour".to_vec(), b"blue".to_vec())]
    );
}

#[test]
fn a_list_with_padding_between_entries() {
    // "a" = "1": 8 + 1 + 1 + 1 = 11 bytes, padded to 12.
    let mut buf = entry(12, b"a", b"1");
    buf.push(0);
    buf.extend(entry(0, b"second", b""));
    assert_eq!(
        all(&buf).unwrap(),
        vec![(b"a".to_vec(), b"1".to_vec()), (b"second".to_vec(), vec![])]
    );
}

#[test]
fn empty_buffer_has_no_eas() {
    assert!(all(&[]).unwrap().is_empty());
}

#[test]
fn malformed_lists_are_errors() {
    // Value runs past the buffer.
    let mut buf = entry(0, b"name", b"value");
    buf.truncate(buf.len() - 1);
    assert!(all(&buf).is_err());
    // No NUL after the name.
    let mut buf = entry(0, b"name", b"v");
    buf[8 + 4] = b'x';
    assert!(all(&buf).is_err());
    // NextEntryOffset inside the entry (would go backwards or loop).
    let buf = entry(4, b"name", b"v");
    assert!(all(&buf).is_err());
    // NextEntryOffset not 4-aligned.
    let mut buf = entry(15, b"name", b"v");
    buf.extend([0u8; 8]);
    assert!(all(&buf).is_err());
    // NextEntryOffset beyond the buffer.
    let buf = entry(64, b"a", b"1");
    let r: Vec<_> = FullEaIter::new(&buf).collect();
    assert!(r[0].is_ok() && r[1].is_err() && r.len() == 2);
}

#[test]
fn too_long_names_and_values_do_not_encode() {
    let mut b = vec![0u8; 70000];
    let long = vec![b'n'; EA_NAME_MAX + 1];
    assert!(encode_full_ea(&mut Writer::new(&mut b), &long, b"v").is_err());
    let big = vec![0u8; EA_VALUE_MAX + 1];
    assert!(encode_full_ea(&mut Writer::new(&mut b), b"n", &big).is_err());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..300)) {
        // At most one entry per 8 bytes: the iteration always ends.
        prop_assert!(FullEaIter::new(&buf).count() <= buf.len() / 8 + 1);
    }

    #[test]
    fn encoded_entries_decode(name in proptest::collection::vec(1u8..=255, 1..40),
                              value in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut b = vec![0u8; 512];
        let mut w = Writer::new(&mut b);
        encode_full_ea(&mut w, &name, &value).unwrap();
        let n = w.pos();
        prop_assert_eq!(all(&b[..n]).unwrap(), vec![(name, value)]);
    }
}
