// SPDX-License-Identifier: GPL-2.0

//! SMB2 signing tests: real signed Windows messages (Microsoft's "anatomy of signing
//! and cryptographic keys" post), cross-checks of every algorithm against a direct
//! RustCrypto computation, segments versus linear messages and tampering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use auth_common::FINAL_SESSION_SETUP_RESPONSE;
use auth_common::{h, smb2_header, RustCrypto, BINDING_EXCHANGE, BINDING_FINAL_RESPONSE};
use hmac::Mac as _;
use smb3rs_proto::proto::crypto::CryptoProvider;
use smb3rs_proto::proto::crypto::Mac;
use smb3rs_proto::proto::negotiate::Dialect;
use smb3rs_proto::proto::signing::{
    compute_signature, gmac_nonce, is_signed, sign, verify, SigningAlgorithm, SigningError,
};

const P: RustCrypto = RustCrypto;

fn zero_sig(msg: &[u8]) -> Vec<u8> {
    let mut m = msg.to_vec();
    m[48..64].fill(0);
    m
}

#[test]
fn windows_signed_session_setup_messages_verify() {
    let session_signing = h("73FE7A9A77BEF0BDE49C650D8CCB5F76");
    let channel_signing = h("C962BCA1A9DD1697B030644199705431");
    let alg = SigningAlgorithm::AesCmac;

    let m = h(FINAL_SESSION_SETUP_RESPONSE);
    assert!(is_signed(&m));
    verify(&P, alg, &session_signing, &[&m]).unwrap();
    assert_eq!(
        compute_signature(&P, alg, &session_signing, &[&m])
            .unwrap()
            .to_vec(),
        h("EBE146DA120BA25FC3376A49DFE31BC1")
    );
    // The binding requests and the interim binding response use Session.SigningKey.
    for i in [2usize, 3, 4] {
        let m = h(BINDING_EXCHANGE[i].0);
        assert!(is_signed(&m), "binding message {i}");
        verify(&P, alg, &session_signing, &[&m]).unwrap();
    }
    // The final binding response uses the new Channel.SigningKey.
    let m = h(BINDING_FINAL_RESPONSE);
    verify(&P, alg, &channel_signing, &[&m]).unwrap();
    assert_eq!(
        verify(&P, alg, &session_signing, &[&m]).unwrap_err(),
        SigningError::BadSignature
    );

    // Re-signing the zeroed message in place reproduces the server's signature.
    let mut z = zero_sig(&h(FINAL_SESSION_SETUP_RESPONSE));
    sign(&P, alg, &session_signing, &mut z, &[]).unwrap();
    assert_eq!(z, h(FINAL_SESSION_SETUP_RESPONSE));
}

fn sample(flags: u32, command: u16) -> Vec<u8> {
    let mut m = smb2_header(command, flags, 0x0102_0304_0506_0708, 0x1122_3344);
    m.extend((0..333u32).map(|i| (i * 13) as u8));
    m
}

fn direct(alg: SigningAlgorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    let z = zero_sig(msg);
    match alg {
        SigningAlgorithm::HmacSha256 => {
            let mut m = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key).unwrap();
            m.update(&z);
            m.finalize().into_bytes()[..16].to_vec()
        }
        SigningAlgorithm::AesCmac => {
            let mut m = <cmac::Cmac<aes::Aes128> as KeyInit>::new_from_slice(key).unwrap();
            cmac::Mac::update(&mut m, &z);
            cmac::Mac::finalize(m).into_bytes().to_vec()
        }
        SigningAlgorithm::AesGmac => {
            // MS-SMB2 3.1.4.1: MessageId, then bit 0 = server, bit 1 = CANCEL.
            let mut nonce = [0u8; 12];
            nonce[..8].copy_from_slice(&msg[24..32]);
            let flags = u32::from_le_bytes(msg[16..20].try_into().unwrap());
            let cmd = u16::from_le_bytes(msg[12..14].try_into().unwrap());
            nonce[8] = (flags & 1) as u8 | if cmd == 0x0C { 2 } else { 0 };
            let c = aes_gcm::Aes128Gcm::new_from_slice(key).unwrap();
            let mut empty: [u8; 0] = [];
            c.encrypt_in_place_detached(&nonce.into(), &z, &mut empty)
                .unwrap()
                .to_vec()
        }
    }
}

const ALGS: [SigningAlgorithm; 3] = [
    SigningAlgorithm::HmacSha256,
    SigningAlgorithm::AesCmac,
    SigningAlgorithm::AesGmac,
];

#[test]
fn every_algorithm_matches_a_direct_computation() {
    let key = h("000102030405060708090a0b0c0d0e0f");
    for alg in ALGS {
        for (flags, cmd) in [(0x8u32, 9u16), (0x9, 9), (0x8, 0x0C), (0x9, 0x0C), (0, 5)] {
            let mut m = sample(flags, cmd);
            // A stale signature must not matter.
            m[48..64].fill(0xEE);
            let got = compute_signature(&P, alg, &key, &[&m]).unwrap();
            assert_eq!(
                got.to_vec(),
                direct(alg, &key, &m),
                "{alg:?} flags {flags} cmd {cmd}"
            );
        }
    }
}

#[test]
fn gmac_nonce_layout() {
    let m = sample(0x8, 9);
    assert_eq!(
        gmac_nonce(&m).unwrap().to_vec(),
        h("080706050403020100000000")
    );
    let m = sample(0x9, 9);
    assert_eq!(
        gmac_nonce(&m).unwrap().to_vec(),
        h("080706050403020101000000")
    );
    let m = sample(0x8, 0x0C);
    assert_eq!(
        gmac_nonce(&m).unwrap().to_vec(),
        h("080706050403020102000000")
    );
    // Different roles give different GMAC signatures for otherwise equal messages.
    let key = [7u8; 16];
    let a = compute_signature(&P, SigningAlgorithm::AesGmac, &key, &[&sample(0x8, 9)]).unwrap();
    let mut srv = sample(0x8, 9);
    srv[16] = 0x9;
    let b = compute_signature(&P, SigningAlgorithm::AesGmac, &key, &[&srv]).unwrap();
    assert_ne!(a, b);
}

#[test]
fn segments_equal_linear_and_sign_verify_round_trip() {
    let key = h("f0e0d0c0b0a090807060504030201000");
    for alg in ALGS {
        let mut linear = sample(0, 8);
        sign(&P, alg, &key, &mut linear, &[]).unwrap();
        assert!(is_signed(&linear));
        verify(&P, alg, &key, &[&linear]).unwrap();
        let want = compute_signature(&P, alg, &key, &[&linear]).unwrap();
        for cut in [64usize, 65, 100, linear.len() - 1, linear.len()] {
            let (a, b) = linear.split_at(cut);
            let segs: Vec<&[u8]> = b.chunks(17).collect();
            let mut all: Vec<&[u8]> = vec![a, &[]];
            all.extend(segs);
            assert_eq!(
                compute_signature(&P, alg, &key, &all).unwrap(),
                want,
                "{alg:?} cut {cut}"
            );
            verify(&P, alg, &key, &all).unwrap();
        }
        // Signing the header segment with the body elsewhere gives the same bytes.
        let mut hdr = sample(0, 8);
        let body = hdr.split_off(64);
        sign(&P, alg, &key, &mut hdr, &[&body[..10], &body[10..]]).unwrap();
        hdr.extend(&body);
        assert_eq!(hdr, linear, "{alg:?} split sign");

        // Any flipped bit outside the signature fails, and so does a flipped
        // signature bit.
        for pos in [0usize, 12, 16, 24, 47, 48, 63, 64, 200, linear.len() - 1] {
            let mut t = linear.clone();
            t[pos] ^= 0x10;
            let e = verify(&P, alg, &key, &[&t]).unwrap_err();
            assert!(
                matches!(e, SigningError::BadSignature | SigningError::NotSmb2),
                "{alg:?} pos {pos}: {e:?}"
            );
        }
        // The wrong key fails.
        assert_eq!(
            verify(&P, alg, &[0u8; 16], &[&linear]).unwrap_err(),
            SigningError::BadSignature
        );
    }
}

#[test]
fn malformed_messages_are_rejected() {
    let key = [1u8; 16];
    let alg = SigningAlgorithm::AesCmac;
    assert_eq!(
        compute_signature(&P, alg, &key, &[]).unwrap_err(),
        SigningError::MessageTooShort
    );
    let m = sample(0, 8);
    // The header must lie in the first segment.
    assert_eq!(
        compute_signature(&P, alg, &key, &[&m[..63], &m[63..]]).unwrap_err(),
        SigningError::MessageTooShort
    );
    let mut bad = m.clone();
    bad[0] = 0xFD;
    assert_eq!(
        verify(&P, alg, &key, &[&bad]).unwrap_err(),
        SigningError::NotSmb2
    );
    let mut short = m[..40].to_vec();
    assert_eq!(
        sign(&P, alg, &key, &mut short, &[]).unwrap_err(),
        SigningError::MessageTooShort
    );
    assert!(!is_signed(&m[..10]));
    // Keys of the wrong size surface as crypto errors.
    assert!(matches!(
        compute_signature(&P, alg, &[0u8; 5], &[&m]),
        Err(SigningError::Crypto(_))
    ));
}

#[test]
fn algorithm_selection() {
    use SigningAlgorithm::*;
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb202, None),
        HmacSha256
    );
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb210, Some(AesGmac)),
        HmacSha256
    );
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb300, None),
        AesCmac
    );
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb302, Some(AesGmac)),
        AesCmac
    );
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb311, None),
        AesCmac
    );
    assert_eq!(
        SigningAlgorithm::for_connection(Dialect::Smb311, Some(AesGmac)),
        AesGmac
    );
    for a in ALGS {
        assert_eq!(SigningAlgorithm::from_wire(a.wire()), Some(a));
    }
    assert_eq!(SigningAlgorithm::from_wire(3), None);
}

#[test]
fn host_provider_sanity_rfc4493_and_rfc4231() {
    // RFC 4493 example 2 (16-byte message).
    let mut m = P.aes_cmac(&h("2b7e151628aed2a6abf7158809cf4f3c")).unwrap();
    m.update(&h("6bc1bee22e409f96e93d7e117393172a"));
    let mut out = [0u8; 16];
    m.finish(&mut out).unwrap();
    assert_eq!(out.to_vec(), h("070a16b46b4d4144f79bdd9dd04a287c"));
    // RFC 4231 test case 2.
    let mut m = P.hmac_sha256(b"Jefe").unwrap();
    m.update(b"what do ya want ");
    m.update(b"for nothing?");
    let mut out = [0u8; 32];
    m.finish(&mut out).unwrap();
    assert_eq!(
        out.to_vec(),
        h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    );
}
