// SPDX-License-Identifier: GPL-2.0

//! MD5 and Minshall-French symlink files (the format cifs.ko's `mfsymlinks` writes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use md5::Digest as _;
use proptest::prelude::*;
use smb3rs_proto::proto::md5::md5;
use smb3rs_proto::proto::mfsymlink::{decode, encode, EncodeError, FILE_SIZE, TARGET_MAX};

#[test]
fn md5_rfc1321_test_suite() {
    let cases = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(hex::encode(md5(msg.as_bytes())), want, "MD5({msg:?})");
    }
}

#[test]
fn md5_matches_rustcrypto_across_block_boundaries() {
    for len in (0..200).chain([1023, 1024, 1025, 4096]) {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        assert_eq!(
            md5(&data).to_vec(),
            md5::Md5::digest(&data).to_vec(),
            "len {len}"
        );
    }
}

/// The file cifs.ko writes for `ln -s abc`, spelled out.
fn cifs_file(target: &str, hash: &str) -> Vec<u8> {
    let mut f = format!("XSym\n{:04}\n{}\n{}\n", target.len(), hash, target).into_bytes();
    f.resize(FILE_SIZE, b' ');
    f
}

#[test]
fn encodes_exactly_what_cifs_writes() {
    assert_eq!(FILE_SIZE, 1067);
    let mut out = [0u8; FILE_SIZE];
    encode(b"abc", &mut out).unwrap();
    assert_eq!(
        out.to_vec(),
        cifs_file("abc", "900150983cd24fb0d6963f7d28e17f72")
    );
    assert_eq!(decode(&out), Some(&b"abc"[..]));
}

#[test]
fn longest_target_fills_the_file_without_newline() {
    let target = vec![b'x'; TARGET_MAX];
    let mut out = [0u8; FILE_SIZE];
    encode(&target, &mut out).unwrap();
    assert!(out.starts_with(b"XSym\n1024\n"));
    assert!(out.ends_with(b"xxx"));
    assert_eq!(decode(&out), Some(&target[..]));
}

#[test]
fn refuses_targets_it_cannot_store() {
    let mut out = [0u8; FILE_SIZE];
    assert_eq!(
        encode(&vec![b'x'; TARGET_MAX + 1], &mut out),
        Err(EncodeError::TooLong)
    );
    assert_eq!(encode(b"", &mut out), Err(EncodeError::Invalid));
    assert_eq!(encode(b"a\0b", &mut out), Err(EncodeError::Invalid));
}

#[test]
fn rejects_files_that_are_not_symlinks() {
    let good = cifs_file("abc", "900150983cd24fb0d6963f7d28e17f72");
    assert!(decode(&good).is_some());
    // Upper-case hex is still the same checksum.
    assert!(decode(&cifs_file("abc", "900150983CD24FB0D6963F7D28E17F72")).is_some());

    let mut bad = Vec::new();
    bad.push(good[..FILE_SIZE - 1].to_vec()); // one byte short
    let mut long = good.clone();
    long.push(b' ');
    bad.push(long); // one byte long
    bad.push(cifs_file("abc", "900150983cd24fb0d6963f7d28e17f73")); // checksum
    bad.push(cifs_file("abd", "900150983cd24fb0d6963f7d28e17f72")); // target changed
    let mut magic = good.clone();
    magic[0] = b'x';
    bad.push(magic);
    for len in ["00a3", "0000", "1025", "9999", "-003", " 003"] {
        let mut f = good.clone();
        f[5..9].copy_from_slice(len.as_bytes());
        bad.push(f);
    }
    let mut nl = good.clone();
    nl[9] = b' ';
    bad.push(nl);
    let mut hash_nl = good.clone();
    hash_nl[42] = b' ';
    bad.push(hash_nl);
    let mut hex = good.clone();
    hex[10] = b'g';
    bad.push(hex);
    // A NUL in the target, with a matching checksum.
    let nul_target = b"a\0c";
    let mut nul = format!("XSym\n0003\n{}\n", hex::encode(md5(nul_target))).into_bytes();
    nul.extend_from_slice(nul_target);
    nul.resize(FILE_SIZE, b' ');
    bad.push(nul);
    for (i, f) in bad.iter().enumerate() {
        assert_eq!(decode(f), None, "case {i}");
    }
}

proptest! {
    #[test]
    fn round_trips_any_target(target in proptest::collection::vec(1u8..=255, 1..=TARGET_MAX)) {
        let mut out = [0u8; FILE_SIZE];
        encode(&target, &mut out).unwrap();
        prop_assert_eq!(decode(&out), Some(&target[..]));
    }

    #[test]
    fn never_panics_on_arbitrary_files(mut f in proptest::collection::vec(any::<u8>(), FILE_SIZE)) {
        f[..5].copy_from_slice(b"XSym\n");
        let _ = decode(&f);
    }
}
