// SPDX-License-Identifier: GPL-2.0

//! SMB2 TRANSFORM_HEADER encryption tests: Microsoft's SMB 3.0 (AES-128-CCM) and SMB
//! 3.1.1 (AES-128-GCM) examples (from the Open Specifications blog posts "Encryption in
//! SMB 3.0: A protocol perspective" and "SMB 3.1.1 Encryption in Windows 10", as
//! transcribed in public test suites), round trips for all four ciphers, tampering and
//! hostile headers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, RustCrypto};
use smb3rs_proto::proto::crypto::{AeadCipher, CryptoError};
use smb3rs_proto::proto::error::DecodeError;
use smb3rs_proto::proto::transform::{
    decrypt, decrypt_split, encrypt, packet_kind, CompressionTransformHeader, PacketKind,
    TransformError, TransformHeader, TRANSFORM_HEADER_LEN,
};

const P: RustCrypto = RustCrypto;

fn encrypt_to_frame(
    cipher: AeadCipher,
    key: &[u8],
    nonce: &[u8],
    session_id: u64,
    plain: &[u8],
) -> Vec<u8> {
    let mut msg = plain.to_vec();
    let mut hdr = [0u8; TRANSFORM_HEADER_LEN];
    encrypt(&P, cipher, key, nonce, session_id, &mut msg, &mut hdr).unwrap();
    let mut frame = hdr.to_vec();
    frame.extend(msg);
    frame
}

#[test]
fn smb30_ccm_encrypt_matches_microsoft_example() {
    let key = h("261B72350558F2E9DCF613070383EDBF");
    let plain = h(
        "FE534D4240000100000000000900400008000000000000000400000000000000
                   FFFE0000010000001100001400E4080000000000000000000000000000000000
                   3100700017000000000000000000000015010000390000020100000039020000
                   00000000000000007000000000000000536D623320656E6372797074696F6E20
                   74657374696E67",
    );
    // Windows filled all 16 Nonce bytes; CCM uses the first 11.
    let nonce = h("66E69A111892584FB5ED524A744DA3EE");
    let want = h(
        "FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A
                  744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5
                  2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4
                  4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5
                  AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6
                  C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB",
    );
    let frame = encrypt_to_frame(AeadCipher::Aes128Ccm, &key, &nonce, 0x8E40014000011, &plain);
    assert_eq!(frame, want);
}

#[test]
fn smb30_ccm_decrypt_matches_microsoft_example() {
    let key = h("8FE2B57EC34D2DB5B1A9727F526BBDB5");
    let mut frame = h(
        "FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014
                       00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079
                       E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787
                       1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1
                       77309E5B",
    );
    let want = h(
        "FE534D4240000100000000000900210009000000000000000400000000000000
                  FFFE0000010000001100001400E4080000000000000000000000000000000000
                  11000000170000000000000000000000",
    );
    let (hdr, plain) = decrypt(&P, AeadCipher::Aes128Ccm, &key, &mut frame).unwrap();
    assert_eq!(plain.to_vec(), want);
    assert_eq!(hdr.session_id, 0x8E40014000011);
    assert_eq!(hdr.original_message_size, 0x50);
}

#[test]
fn smb311_gcm_encrypt_matches_microsoft_example() {
    let key = h("A2F5E80E5D59103034F32E52F698E5EC");
    let plain = h(
        "FE534D4240000100000000000900010008000000000000000500000000000000FFFE000001000000
                   25000000001000000000000000000000000000000000000031007000170000000000000000000000
                   0600000004000000010000000400000000000000000000007000000000000000536D623320656E63
                   72797074696F6E2074657374696E67",
    );
    let nonce = h("C7D6822D269CAF48904C664C");
    let want = h(
        "FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C0000000087000000
                  0000010025000000001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B70C9E09D36C084E02
                  D14EF247F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB4
                  4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E53D6B61D1C13A19E9
                  1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8",
    );
    let frame = encrypt_to_frame(AeadCipher::Aes128Gcm, &key, &nonce, 0x100000000025, &plain);
    assert_eq!(frame, want);
}

#[test]
fn smb311_gcm_decrypt_matches_microsoft_example() {
    let key = h("748C50868C90F302962A5C35F5F9A8BF");
    let mut frame = h("FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B4000000000000000050000000
                       00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7B6AC8DED32A2A0B8
                       F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B
                       82E03C9E18A050FF0EA1C967");
    let want = h(
        "FE534D4240000100000000000900010001000000000000000500000000000000FFFE000001000000
                  25000000001000000000000000000000000000000000000011000000170000000000000000000000",
    );
    let (hdr, plain) = decrypt(&P, AeadCipher::Aes128Gcm, &key, &mut frame).unwrap();
    assert_eq!(plain.to_vec(), want);
    assert_eq!(hdr.session_id, 0x100000000025);
}

fn all_ciphers() -> [(AeadCipher, Vec<u8>); 4] {
    [
        (AeadCipher::Aes128Ccm, vec![0x11; 16]),
        (AeadCipher::Aes128Gcm, vec![0x22; 16]),
        (AeadCipher::Aes256Ccm, vec![0x33; 32]),
        (AeadCipher::Aes256Gcm, vec![0x44; 32]),
    ]
}

fn sample_message(len: usize) -> Vec<u8> {
    let mut m = auth_common::smb2_header(9, 0, 7, 0x1234);
    m.extend((0..len).map(|i| i as u8));
    m
}

#[test]
fn round_trip_all_ciphers_and_tamper_detection() {
    for (cipher, key) in all_ciphers() {
        let plain = sample_message(1000);
        let nonce = vec![0xA5u8; cipher.nonce_len()];
        let frame = encrypt_to_frame(cipher, &key, &nonce, 0x1234, &plain);
        assert_eq!(frame.len(), TRANSFORM_HEADER_LEN + plain.len());
        assert_ne!(
            &frame[TRANSFORM_HEADER_LEN..],
            &plain[..],
            "{cipher:?} encrypted"
        );
        let hdr = TransformHeader::decode(&frame).unwrap();
        assert_eq!(hdr.flags, 1);
        assert_eq!(hdr.original_message_size as usize, plain.len());
        assert_eq!(&hdr.nonce[..cipher.nonce_len()], &nonce[..]);
        assert!(hdr.nonce[cipher.nonce_len()..].iter().all(|&b| b == 0));

        let mut f = frame.clone();
        let (_, out) = decrypt(&P, cipher, &key, &mut f).unwrap();
        assert_eq!(out.to_vec(), plain, "{cipher:?} round trip");

        // Split header/payload buffers give the same result.
        let mut payload = frame[TRANSFORM_HEADER_LEN..].to_vec();
        decrypt_split(
            &P,
            cipher,
            &key,
            &frame[..TRANSFORM_HEADER_LEN],
            &mut payload,
        )
        .unwrap();
        assert_eq!(payload, plain);

        // A flipped bit anywhere in the signature, the AAD or the ciphertext fails.
        for pos in [4usize, 19, 20, 36, 44, 51, 52, 500, frame.len() - 1] {
            let mut f = frame.clone();
            f[pos] ^= 0x01;
            let r = decrypt(&P, cipher, &key, &mut f);
            assert!(r.is_err(), "{cipher:?} flipped byte {pos} accepted");
        }
        let mut f = frame.clone();
        f[100] ^= 0x80;
        assert_eq!(
            decrypt(&P, cipher, &key, &mut f).unwrap_err(),
            TransformError::Crypto(CryptoError::AuthenticationFailed)
        );
        // The wrong key fails too.
        let mut f = frame.clone();
        let wrong = vec![0u8; key.len()];
        assert!(decrypt(&P, cipher, &wrong, &mut f).is_err());
    }
}

#[test]
fn encrypt_rejects_bad_arguments() {
    let mut msg = sample_message(10);
    let mut hdr = [0u8; TRANSFORM_HEADER_LEN];
    let gcm = AeadCipher::Aes128Gcm;
    assert_eq!(
        encrypt(&P, gcm, &[0; 32], &[0; 12], 1, &mut msg, &mut hdr).unwrap_err(),
        TransformError::Crypto(CryptoError::InvalidKeyLength)
    );
    assert_eq!(
        encrypt(&P, gcm, &[0; 16], &[0; 11], 1, &mut msg, &mut hdr).unwrap_err(),
        TransformError::Crypto(CryptoError::InvalidNonceLength)
    );
    assert_eq!(
        encrypt(&P, gcm, &[0; 16], &[0; 17], 1, &mut msg, &mut hdr).unwrap_err(),
        TransformError::Crypto(CryptoError::InvalidNonceLength)
    );
    assert!(encrypt(&P, gcm, &[0; 16], &[0; 12], 1, &mut [], &mut hdr).is_err());
}

#[test]
fn decrypt_rejects_hostile_frames() {
    let key = vec![0x22u8; 16];
    let cipher = AeadCipher::Aes128Gcm;
    let frame = encrypt_to_frame(cipher, &key, &[1; 12], 5, &sample_message(40));

    // Truncated header.
    for len in [0usize, 3, 4, 51] {
        let mut f = frame[..len].to_vec();
        assert!(
            matches!(
                decrypt(&P, cipher, &key, &mut f),
                Err(TransformError::Decode(_))
            ),
            "truncated to {len}"
        );
    }
    // Payload shorter or longer than OriginalMessageSize.
    let mut f = frame[..frame.len() - 1].to_vec();
    assert!(matches!(
        decrypt(&P, cipher, &key, &mut f),
        Err(TransformError::Decode(DecodeError::BadValue { .. }))
    ));
    let mut f = frame.clone();
    f.push(0);
    assert!(matches!(
        decrypt(&P, cipher, &key, &mut f),
        Err(TransformError::Decode(DecodeError::BadValue { .. }))
    ));
    // Header only.
    let mut f = frame[..TRANSFORM_HEADER_LEN].to_vec();
    f[36..40].copy_from_slice(&0u32.to_le_bytes());
    assert!(decrypt(&P, cipher, &key, &mut f).is_err());
    // Wrong magic.
    let mut f = frame.clone();
    f[0] = 0xFE;
    assert!(matches!(
        decrypt(&P, cipher, &key, &mut f),
        Err(TransformError::Decode(DecodeError::BadMagic { .. }))
    ));
    let mut f = frame.clone();
    f[1] = b'X';
    assert!(matches!(
        decrypt(&P, cipher, &key, &mut f),
        Err(TransformError::Decode(DecodeError::BadMagic { .. }))
    ));
    // Flags other than "encrypted".
    let mut f = frame.clone();
    f[42] = 2;
    assert!(matches!(
        decrypt(&P, cipher, &key, &mut f),
        Err(TransformError::Decode(DecodeError::BadValue { .. }))
    ));
    // Huge OriginalMessageSize.
    let mut f = frame.clone();
    f[36..40].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(decrypt(&P, cipher, &key, &mut f).is_err());
}

#[test]
fn transform_header_round_trip() {
    let hdr = TransformHeader {
        signature: [1; 16],
        nonce: [2; 16],
        original_message_size: 0x01020304,
        flags: 1,
        session_id: 0x1122334455667788,
    };
    let mut buf = [0u8; TRANSFORM_HEADER_LEN];
    hdr.encode(&mut buf);
    assert_eq!(&buf[..4], &[0xFD, b'S', b'M', b'B']);
    assert_eq!(TransformHeader::decode(&buf).unwrap(), hdr);
}

#[test]
fn compressed_frames_are_rejected_with_a_typed_error() {
    // Unchained COMPRESSION_TRANSFORM_HEADER: LZ77 (2), no flags, offset 0.
    let mut frame = h("FC534D42 00100000 0200 0000 00000000");
    frame.extend([0u8; 64]);
    assert_eq!(packet_kind(&frame).unwrap(), PacketKind::Compressed);
    let c = CompressionTransformHeader::decode(&frame).unwrap();
    assert_eq!(c.original_compressed_segment_size, 0x1000);
    assert_eq!(c.compression_algorithm, 2);
    let err = decrypt(&P, AeadCipher::Aes128Gcm, &[0; 16], &mut frame).unwrap_err();
    assert_eq!(err, TransformError::Compressed(c));
    assert!(TransformHeader::decode(&frame).is_err());
    // Truncated compression header.
    assert!(matches!(
        CompressionTransformHeader::decode(&frame[..10]),
        Err(DecodeError::OutOfBounds { .. })
    ));
    assert!(matches!(
        CompressionTransformHeader::decode(&h("FD534D42 00100000 0200 0000 00000000")),
        Err(DecodeError::BadMagic { .. })
    ));
    assert_eq!(packet_kind(&sample_message(0)).unwrap(), PacketKind::Plain);
    assert!(packet_kind(b"\xffSMB").is_err());
    assert!(packet_kind(b"\xfeSM").is_err());
}
