// SPDX-License-Identifier: GPL-2.0

//! Key derivation and preauth integrity tests.
//!
//! The expected values come from Microsoft's Open Specifications blog posts "SMB 3.1.1
//! Pre-authentication integrity in Windows 10" (2015-08-11), "Encryption in SMB 3.0: A
//! protocol perspective" (2012-10-05) and "SMB 3.1.1 Encryption in Windows 10"
//! (2015-09-09), as transcribed in public test suites (pike, jsmb). The SP800-108
//! derivation is also cross-checked against a direct HMAC-SHA256 computation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, ha, RustCrypto, PREAUTH_EXCHANGE};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use smb3rs_proto::proto::crypto::AeadCipher;
use smb3rs_proto::proto::kdf::{
    derive_session_keys, derive_signing_key, label, session_key, sp800_108_hmac_sha256,
};
use smb3rs_proto::proto::negotiate::Dialect;
use smb3rs_proto::proto::preauth::PreauthHash;

const P: RustCrypto = RustCrypto;

#[test]
fn preauth_chain_matches_microsoft_example() {
    let mut hash = PreauthHash::new();
    assert_eq!(hash.value(), &[0u8; 64]);
    for (i, (msg, want)) in PREAUTH_EXCHANGE.iter().enumerate() {
        hash.update(&P, &[&h(msg)]).unwrap();
        assert_eq!(hash.value().to_vec(), h(want), "hash after message {i}");
    }
}

#[test]
fn preauth_over_segments_equals_linear() {
    let msg = h(PREAUTH_EXCHANGE[1].0);
    let mut a = PreauthHash::new();
    a.update(&P, &[&msg]).unwrap();
    for cut in [1usize, 63, 64, 65, msg.len() - 1] {
        let mut b = PreauthHash::new();
        let (x, y) = msg.split_at(cut);
        b.update(&P, &[x, &[], y]).unwrap();
        assert_eq!(a, b, "cut at {cut}");
    }
    // A session hash resumes from the connection hash.
    let resumed = PreauthHash::from_value(*a.value());
    assert_eq!(resumed, a);
}

#[test]
fn smb311_signing_key_from_preauth_example() {
    // The same exchange: session key and the signing key derived from the hash after
    // the last SESSION_SETUP request (AES-128-GCM was negotiated, so L = 128).
    let mut hash = PreauthHash::new();
    for (msg, _) in PREAUTH_EXCHANGE.iter() {
        hash.update(&P, &[&h(msg)]).unwrap();
    }
    let sk = h("270E1BA896585EEB7AF3472D3B4C75A7");
    let want = h("73FE7A9A77BEF0BDE49C650D8CCB5F76");
    let got = derive_signing_key(&P, Dialect::Smb311, &sk, hash.value()).unwrap();
    assert_eq!(got.to_vec(), want);
    let keys = derive_session_keys(
        &P,
        Dialect::Smb311,
        Some(AeadCipher::Aes128Gcm),
        &sk,
        hash.value(),
    )
    .unwrap();
    assert_eq!(keys.signing_key().to_vec(), want);
}

#[test]
fn smb30_cipher_keys_match_microsoft_example() {
    let sk = h("B4546771B515F766A86735532DD6C4F0");
    let keys = derive_session_keys(
        &P,
        Dialect::Smb300,
        Some(AeadCipher::Aes128Ccm),
        &sk,
        &[0u8; 64],
    )
    .unwrap();
    assert_eq!(
        keys.encryption_key(),
        &h("261B72350558F2E9DCF613070383EDBF")[..]
    );
    assert_eq!(
        keys.decryption_key(),
        &h("8FE2B57EC34D2DB5B1A9727F526BBDB5")[..]
    );
    // 3.0.2 uses the same labels.
    let keys302 = derive_session_keys(
        &P,
        Dialect::Smb302,
        Some(AeadCipher::Aes128Ccm),
        &sk,
        &[0x55u8; 64],
    )
    .unwrap();
    assert_eq!(keys302.encryption_key(), keys.encryption_key());
    assert_eq!(keys302.signing_key(), keys.signing_key());
}

#[test]
fn smb311_cipher_keys_match_microsoft_example() {
    let sk = h("419FDDF34C1E001909D362AE7FB6AF79");
    let preauth: [u8; 64] = ha(
        "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDBA7DB256BA2EA30E9
         77F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770",
    );
    let keys = derive_session_keys(
        &P,
        Dialect::Smb311,
        Some(AeadCipher::Aes128Gcm),
        &sk,
        &preauth,
    )
    .unwrap();
    assert_eq!(
        keys.encryption_key(),
        &h("A2F5E80E5D59103034F32E52F698E5EC")[..]
    );
    assert_eq!(
        keys.decryption_key(),
        &h("748C50868C90F302962A5C35F5F9A8BF")[..]
    );
}

fn direct_kdf(key: &[u8], label: &[u8], context: &[u8], l: u32, counter: u32) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as hmac::Mac>::new_from_slice(key).unwrap();
    m.update(&counter.to_be_bytes());
    m.update(label);
    m.update(&[0]);
    m.update(context);
    m.update(&l.to_be_bytes());
    m.finalize().into_bytes().to_vec()
}

#[test]
fn sp800_108_cross_check_against_direct_hmac() {
    let key = h("000102030405060708090a0b0c0d0e0f");
    let ctx = [0xabu8; 64];
    // L = 128: first 16 bytes of block 1.
    let mut out = [0u8; 16];
    sp800_108_hmac_sha256(&P, &key, label::SMB311_SIGNING, &ctx, 128, &mut out).unwrap();
    assert_eq!(
        out.to_vec(),
        direct_kdf(&key, label::SMB311_SIGNING, &ctx, 128, 1)[..16]
    );
    // L = 256: the whole first block.
    let mut out = [0u8; 32];
    sp800_108_hmac_sha256(
        &P,
        &key,
        label::SMB311_CLIENT_TO_SERVER,
        &ctx,
        256,
        &mut out,
    )
    .unwrap();
    assert_eq!(
        out.to_vec(),
        direct_kdf(&key, label::SMB311_CLIENT_TO_SERVER, &ctx, 256, 1)
    );
    // L = 512: two blocks with counters 1 and 2.
    let mut out = [0u8; 64];
    sp800_108_hmac_sha256(&P, &key, b"L", b"C", 512, &mut out).unwrap();
    let mut want = direct_kdf(&key, b"L", b"C", 512, 1);
    want.extend(direct_kdf(&key, b"L", b"C", 512, 2));
    assert_eq!(out.to_vec(), want);
    // Asking for more than L bits is refused.
    let mut out = [0u8; 17];
    assert!(sp800_108_hmac_sha256(&P, &key, b"L", b"C", 128, &mut out).is_err());
}

#[test]
fn labels_match_the_kernel_lengths() {
    // fs/smb/client/smb2transport.c counts the terminating NUL in each label.
    assert_eq!(label::SMB30_SIGNING.len(), 12);
    assert_eq!(label::SMB30_SIGNING_CONTEXT.len(), 8);
    assert_eq!(label::SMB30_CIPHER.len(), 11);
    assert_eq!(label::SMB30_CLIENT_TO_SERVER_CONTEXT.len(), 10);
    assert_eq!(label::SMB30_SERVER_TO_CLIENT_CONTEXT.len(), 10);
    assert_eq!(label::SMB311_SIGNING.len(), 14);
    assert_eq!(label::SMB311_CLIENT_TO_SERVER.len(), 16);
    assert_eq!(label::SMB311_SERVER_TO_CLIENT.len(), 16);
}

#[test]
fn aes256_cipher_keys_use_l256_and_the_full_session_key() {
    let full = h("00112233445566778899aabbccddeeff 0102030405060708090a0b0c0d0e0f10");
    let preauth = [0x11u8; 64];
    let keys = derive_session_keys(
        &P,
        Dialect::Smb311,
        Some(AeadCipher::Aes256Gcm),
        &full,
        &preauth,
    )
    .unwrap();
    assert_eq!(keys.encryption_key().len(), 32);
    assert_eq!(
        keys.encryption_key(),
        &direct_kdf(&full, label::SMB311_CLIENT_TO_SERVER, &preauth, 256, 1)[..]
    );
    assert_eq!(
        keys.decryption_key(),
        &direct_kdf(&full, label::SMB311_SERVER_TO_CLIENT, &preauth, 256, 1)[..]
    );
    // The signing and application keys stay 128-bit keys: keyed with
    // Session.SessionKey (first 16 bytes) and derived with L = 128, as ksmbd signs
    // (tests/capture_replay.rs, ksmbd-311-seal-gcm256) and Samba derives them.
    assert_eq!(
        keys.signing_key().to_vec(),
        direct_kdf(&full[..16], label::SMB311_SIGNING, &preauth, 128, 1)[..16]
    );
    assert_eq!(
        keys.application_key().to_vec(),
        direct_kdf(&full[..16], label::SMB311_APP, &preauth, 128, 1)[..16]
    );
    assert_eq!(
        derive_signing_key(&P, Dialect::Smb311, &full, &preauth).unwrap(),
        *keys.signing_key()
    );
}

#[test]
fn smb2_and_short_session_keys() {
    // 2.x: the signing key is the session key; no cipher keys.
    let sk = h("0102030405060708090a0b0c0d0e0f10");
    let keys = derive_session_keys(&P, Dialect::Smb210, None, &sk, &[0; 64]).unwrap();
    assert_eq!(keys.signing_key().to_vec(), sk);
    assert!(keys.encryption_key().is_empty());
    assert!(keys.decryption_key().is_empty());
    // Short keys are right-padded with zeros (MS-SMB2 3.2.1.3); long ones truncated.
    assert_eq!(
        session_key(&[1, 2, 3]),
        [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(session_key(&[7u8; 32]), [7u8; 16]);
    // 3.0 without encryption still derives signing and application keys.
    let keys = derive_session_keys(&P, Dialect::Smb300, None, &sk, &[0; 64]).unwrap();
    assert!(keys.encryption_key().is_empty());
    assert_eq!(
        keys.signing_key().to_vec(),
        direct_kdf(
            &sk,
            label::SMB30_SIGNING,
            label::SMB30_SIGNING_CONTEXT,
            128,
            1
        )[..16]
    );
    assert_eq!(
        keys.application_key().to_vec(),
        direct_kdf(&sk, label::SMB30_APP, label::SMB30_APP_CONTEXT, 128, 1)[..16]
    );
}

// Vectors of Microsoft's "SMB 2 and SMB 3 security in Windows 10: the anatomy of
// signing and cryptographic keys" post, appendix "Key derivation examples".

#[test]
fn anatomy_smb30_multichannel_keys() {
    let keys = derive_session_keys(
        &P,
        Dialect::Smb300,
        Some(AeadCipher::Aes128Ccm),
        &h("7CD451825D0450D235424E44BA6E78CC"),
        &[0; 64],
    )
    .unwrap();
    assert_eq!(
        keys.signing_key().to_vec(),
        h("0B7E9C5CAC36C0F6EA9AB275298CEDCE")
    );
    assert_eq!(
        keys.encryption_key(),
        &h("FAD27796665B313EBB578F388632B4F7")[..]
    );
    assert_eq!(
        keys.decryption_key(),
        &h("B0F0427F7CEB416D1D9DCC0CD4F99447")[..]
    );
    assert_eq!(
        keys.application_key().to_vec(),
        h("BB23A4575AA26C721AF525AF15A87B4F")
    );
    // Second channel: only its signing key is derived from its own session key.
    let ch2 = derive_signing_key(
        &P,
        Dialect::Smb300,
        &h("4E01A2B313BCF660CC250BEF021AEDE6"),
        &[0; 64],
    )
    .unwrap();
    assert_eq!(ch2.to_vec(), h("BA1A17DBBFEC349BCA105563D598952F"));
}

#[test]
fn anatomy_smb311_multichannel_keys() {
    let preauth: [u8; 64] = ha(PREAUTH_EXCHANGE[4].1);
    let keys = derive_session_keys(
        &P,
        Dialect::Smb311,
        Some(AeadCipher::Aes128Gcm),
        &h("270E1BA896585EEB7AF3472D3B4C75A7"),
        &preauth,
    )
    .unwrap();
    assert_eq!(
        keys.signing_key().to_vec(),
        h("73FE7A9A77BEF0BDE49C650D8CCB5F76")
    );
    assert_eq!(
        keys.encryption_key(),
        &h("629BCBC54422A0F572B97F45989B6073")[..]
    );
    assert_eq!(
        keys.decryption_key(),
        &h("E2AF0DCEFAC68DA71A0DFBD0D1350D74")[..]
    );
    assert_eq!(
        keys.application_key().to_vec(),
        h("6D7AD7954E9EC61E907B4D473DC178FF")
    );
}

#[test]
fn anatomy_smb311_binding_chain_and_channel_key() {
    // The second connection's preauth chain: NEGOTIATE, then the binding
    // SESSION_SETUP messages (signed ones included as sent).
    let mut hash = PreauthHash::new();
    for (i, (msg, want)) in auth_common::BINDING_EXCHANGE.iter().enumerate() {
        hash.update(&P, &[&h(msg)]).unwrap();
        assert_eq!(
            hash.value().to_vec(),
            h(want),
            "binding hash after message {i}"
        );
    }
    let ch = derive_signing_key(
        &P,
        Dialect::Smb311,
        &h("84B9DBB730116A8FA6E9889555C265F9"),
        hash.value(),
    )
    .unwrap();
    assert_eq!(ch.to_vec(), h("C962BCA1A9DD1697B030644199705431"));
}
