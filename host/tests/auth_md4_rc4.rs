// SPDX-License-Identifier: GPL-2.0

//! Known-answer tests of the pure-Rust MD4 (RFC 1320) and RC4 (RFC 6229) and
//! cross-checks against the RustCrypto implementations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::h;
use md4::Digest as _;
use smb3rs_proto::proto::crypto::Mac;
use smb3rs_proto::proto::md4::{md4, Md4};
use smb3rs_proto::proto::rc4::{rc4, Rc4};

#[test]
fn md4_rfc1320_test_suite() {
    let cases: &[(&str, &str)] = &[
        ("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
        ("a", "bde52cb31de33e46245e05fbdbd6fb24"),
        ("abc", "a448017aaf21d8525fc10ae87aa6729d"),
        ("message digest", "d9130a8164549fe818874806e1c7014b"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "d79e1c308aa5bbcdeea8ed63df412da9",
        ),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "043f8582f241db351ce627e153e7f0e4",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "e33b4ddc9c38f2199c3e7b164fcc0536",
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(md4(msg.as_bytes()).to_vec(), h(want), "MD4({msg:?})");
    }
}

#[test]
fn md4_streaming_matches_one_shot_and_rustcrypto() {
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
    for len in [0usize, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
        let d = &data[..len];
        let want = md4::Md4::digest(d).to_vec();
        assert_eq!(md4(d).to_vec(), want, "one-shot len {len}");
        for split in [1usize, 3, 17, 64] {
            let mut m = Md4::new();
            for c in d.chunks(split) {
                m.update(c);
            }
            let mut out = [0u8; 16];
            Mac::finish(m, &mut out).unwrap();
            assert_eq!(out.to_vec(), want, "streamed len {len} split {split}");
        }
    }
}

#[test]
fn md4_truncated_output_and_oversized_output() {
    let mut m = Md4::new();
    Mac::update(&mut m, b"abc");
    let mut short = [0u8; 4];
    Mac::finish(m.clone(), &mut short).unwrap();
    assert_eq!(short.to_vec(), h("a448017a"));
    let mut long = [0u8; 17];
    assert!(Mac::finish(m, &mut long).is_err());
}

#[test]
fn rc4_rfc6229_vectors() {
    // RFC 6229 section 2: keystream at offsets 0 and 16 for two keys.
    let cases: &[(&str, &str)] = &[
        (
            "0102030405",
            "b2396305f03dc027ccc3524a0a1118a8 69 82 94 4f 18 fc 82 d5 89 c4 03 a4 7a 0d 09 19",
        ),
        ("01020304050607", "293f02d47f37c9b633f2af5285feb46b"),
    ];
    for (key, want) in cases {
        let want = h(want);
        let mut buf = vec![0u8; want.len()];
        rc4(&h(key), &mut buf).unwrap();
        assert_eq!(buf, want, "RC4 key {key}");
    }
}

#[test]
fn rc4_classic_vectors_and_streaming() {
    let mut buf = b"Plaintext".to_vec();
    rc4(b"Key", &mut buf).unwrap();
    assert_eq!(buf, h("BBF316E8D940AF0AD3"));
    let mut buf = b"Attack at dawn".to_vec();
    rc4(b"Secret", &mut buf).unwrap();
    assert_eq!(buf, h("45A01F645FC35B383552544B9BF5"));

    // Applying in pieces continues the stream.
    let mut whole = vec![0u8; 100];
    rc4(b"Secret", &mut whole).unwrap();
    let mut pieces = vec![0u8; 100];
    let mut r = Rc4::new(b"Secret").unwrap();
    for c in pieces.chunks_mut(7) {
        r.apply(c);
    }
    assert_eq!(whole, pieces);
}

#[test]
fn rc4_matches_rustcrypto_and_rejects_bad_keys() {
    use rc4::{KeyInit, StreamCipher};
    let key = h("0123456789abcdef0123456789abcdef");
    let mut a = vec![0x5au8; 300];
    let mut b = a.clone();
    rc4(&key, &mut a).unwrap();
    let mut c = rc4::Rc4::<rc4::consts::U16>::new_from_slice(&key).unwrap();
    c.apply_keystream(&mut b);
    assert_eq!(a, b);
    assert!(Rc4::new(&[]).is_err());
    assert!(Rc4::new(&[0u8; 257]).is_err());
    assert!(Rc4::new(&[0u8; 256]).is_ok());
}
