// SPDX-License-Identifier: GPL-2.0

//! NTLMSSP tests: MS-NLMP 4.2.4 (NTLMv2) known answers, a real Windows exchange, round
//! trips and hostile input.
//!
//! The MS-NLMP 4.2.4 values (User "User", domain "Domain", password "Password", server
//! challenge 0123456789abcdef, client challenge aa*8, time 0, random session key 55*16)
//! and the full CHALLENGE/AUTHENTICATE messages of 4.2.4.3 are as published in
//! MS-NLMP; the GSS_WrapEx values are from 4.2.4.4. The Windows exchange is the one of
//! Microsoft's "SMB 3.1.1 Pre-authentication integrity in Windows 10" post; its
//! password ("Password01!", from "the anatomy of signing and cryptographic keys" post)
//! is confirmed by the NTProofStr, the MIC and the session key matching.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, ha, RustCrypto, PREAUTH_EXCHANGE};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::DecodeError;
use smb3rs_proto::proto::ntlmssp::{
    av_id, encode_authenticate, flags, lmv2_response, mac, mech_list_mic, nt_hash, nt_proof_str,
    ntowfv2, seal_key, session_base_key, sign_key, validate_av_pairs, verify_mic,
    AuthenticateMessage, AuthenticateParams, ChallengeMessage, Credentials, NegotiateMessage,
    NtlmError, Version, AV_FLAG_MIC_PRESENT,
};
use smb3rs_proto::proto::rc4::{rc4, Rc4};
use smb3rs_proto::proto::spnego;

const P: RustCrypto = RustCrypto;

const NLMP_CHALLENGE: &str = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef
    00000000000000002400240044000000060070170000000f53006500720076006500720002000c0044006f
    006d00610069006e0001000c0053006500720076006500720000000000";

const NLMP_AUTHENTICATE: &str = "4e544c4d5353500003000000180018006c00000054005400840000000c000c
    00480000000800080054000000100010005c00000010001000d8000000358288e20501280a0000000f4400
    6f006d00610069006e00550073006500720043004f004d005000550054004500520086c35097ac9cec1025
    54764a57cccc19aaaaaaaaaaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000
    00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c0053006500720076
    00650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e";

fn nlmp_key() -> [u8; 16] {
    ntowfv2(&P, &nt_hash("Password"), "User", "Domain").unwrap()
}

#[test]
fn nlmp_one_way_functions() {
    // 4.2.2.1.2 NTOWFv1 and 4.2.4.1.1 NTOWFv2.
    assert_eq!(
        nt_hash("Password").to_vec(),
        h("a4f49c406510bdcab6824ee7c30fd852")
    );
    assert_eq!(nlmp_key().to_vec(), h("0c868a403bfd7a93a3001ef22ef02e3f"));
    // The user name is upper-cased, the domain is not.
    assert_eq!(
        ntowfv2(&P, &nt_hash("Password"), "uSeR", "Domain").unwrap(),
        nlmp_key()
    );
    assert_ne!(
        ntowfv2(&P, &nt_hash("Password"), "User", "domain").unwrap(),
        nlmp_key()
    );
    // Non-ASCII passwords are hashed as UTF-16LE (including surrogate pairs).
    let mut m = md4::Md4::default();
    use md4::Digest as _;
    m.update(
        "pä𝄞"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    );
    assert_eq!(nt_hash("pä𝄞").to_vec(), m.finalize().to_vec());
}

#[test]
fn nlmp_ntlmv2_responses_and_keys() {
    let key = nlmp_key();
    let server: [u8; 8] = ha("0123456789abcdef");
    let client = [0xaau8; 8];
    // 4.2.4.2.1 LMv2 response.
    assert_eq!(
        lmv2_response(&P, &key, &server, &client).unwrap().to_vec(),
        h("86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa")
    );
    // 4.2.4.2.2 NTProofStr over temp (time 0, the server's AV pairs, Z(4)).
    let temp = h("01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000
                  02000c0044006f006d00610069006e0001000c00530065007200760065007200
                  0000000000000000");
    let proof = nt_proof_str(&P, &key, &server, &temp).unwrap();
    assert_eq!(proof.to_vec(), h("68cd0ab851e51c96aabc927bebef6a1c"));
    // 4.2.4.1.2 session base key.
    let sbk = session_base_key(&P, &key, &proof).unwrap();
    assert_eq!(sbk.to_vec(), h("8de40ccadbc14a82f15cb0ad0de95ca3"));
    // 4.2.4.2.3 encrypted session key: RC4(KeyExchangeKey = SessionBaseKey, 55*16).
    let mut k = [0x55u8; 16];
    rc4(&sbk, &mut k).unwrap();
    assert_eq!(k.to_vec(), h("c5dad2544fc9799094ce1ce90bc9d03e"));
}

fn nlmp_params<'a>() -> AuthenticateParams<'a> {
    AuthenticateParams {
        credentials: Credentials::User {
            user: "User",
            domain: "Domain",
            response_key: nlmp_key(),
        },
        workstation: "COMPUTER",
        flags: 0xe288_8235,
        version: Some(Version {
            major: 5,
            minor: 1,
            build: 2600,
            revision: 15,
        }),
        client_challenge: [0xaa; 8],
        timestamp: 0,
        random_session_key: [0x55; 16],
        negotiate_message: None,
        target_spn: None,
        channel_bindings: None,
    }
}

#[test]
fn nlmp_challenge_decodes() {
    let raw = h(NLMP_CHALLENGE);
    let c = ChallengeMessage::decode(&raw).unwrap();
    assert_eq!(c.flags, 0xe28a_8233);
    assert_eq!(c.server_challenge, ha::<8>("0123456789abcdef"));
    assert_eq!(c.target_name, &h("530065007200760065007200")[..]);
    assert_eq!(c.timestamp(), None);
    let pairs: Vec<_> = c.av_pairs().map(|p| (p.id, p.value.to_vec())).collect();
    assert_eq!(
        pairs,
        vec![
            (av_id::NB_DOMAIN_NAME, h("44006f006d00610069006e00")),
            (av_id::NB_COMPUTER_NAME, h("530065007200760065007200")),
        ]
    );
    let v = c.version.unwrap();
    assert_eq!((v.major, v.minor, v.build, v.revision), (6, 0, 6000, 15));
    assert_eq!(c.raw, &raw[..]);
}

#[test]
fn nlmp_authenticate_message_is_reproduced_byte_for_byte() {
    let raw = h(NLMP_CHALLENGE);
    let c = ChallengeMessage::decode(&raw).unwrap();
    let mut buf = [0u8; 512];
    let mut w = Writer::new(&mut buf);
    let out = encode_authenticate(&P, &mut w, &c, &nlmp_params()).unwrap();
    assert_eq!(w.written().to_vec(), h(NLMP_AUTHENTICATE));
    assert_eq!(out.len, w.pos());
    assert_eq!(
        out.session_base_key.to_vec(),
        h("8de40ccadbc14a82f15cb0ad0de95ca3")
    );
    assert_eq!(out.exported_session_key, [0x55; 16]);

    // Without key exchange the exported key is the session base key.
    let mut params = nlmp_params();
    params.flags &= !flags::NEGOTIATE_KEY_EXCH;
    let mut buf = [0u8; 512];
    let mut w = Writer::new(&mut buf);
    let out = encode_authenticate(&P, &mut w, &c, &params).unwrap();
    assert_eq!(out.exported_session_key, out.session_base_key);
    let m = AuthenticateMessage::decode(w.written()).unwrap();
    assert!(m.encrypted_session_key.is_empty());
    assert_eq!(m.flags & flags::NEGOTIATE_KEY_EXCH, 0);
}

#[test]
fn nlmp_sign_and_seal_keys_and_gss_checksum() {
    let exported = [0x55u8; 16];
    let fl = 0xe288_8235u32;
    // 4.2.4.4: keys, sealed "Plaintext" and its signature with seq 0.
    let sk = sign_key(&P, &exported, true).unwrap();
    assert_eq!(sk.to_vec(), h("4788dc861b4782f35d43fd98fe1a2d39"));
    let seal = seal_key(&P, &exported, fl, true).unwrap();
    assert_eq!(seal.to_vec(), h("59f600973cc4960a25480a7c196e4c58"));
    let plain: Vec<u8> = "Plaintext"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut rc = Rc4::new(&seal).unwrap();
    let mut sealed = plain.clone();
    rc.apply(&mut sealed);
    assert_eq!(sealed, h("54e50165bf1936dc996020c1811b0f06fb5f"));
    let sig = mac(&P, &sk, Some(&mut rc), 0, &[&plain]).unwrap();
    assert_eq!(sig.to_vec(), h("010000007fb38ec5c55d497600000000"));
    // Without key exchange the checksum is not RC4-encrypted.
    let sig = mac(&P, &sk, None, 0, &[&plain]).unwrap();
    assert_eq!(sig.to_vec(), h("0100000070352851f256430900000000"));
    // mechListMIC = first signature (fresh RC4) over the DER mech list.
    let list = h("300c060a2b06010401823702020a");
    let mut rc = Rc4::new(&seal).unwrap();
    let want = mac(&P, &sk, Some(&mut rc), 0, &[&list]).unwrap();
    assert_eq!(mech_list_mic(&P, &exported, fl, &list, true).unwrap(), want);
}

// ---- the Windows exchange -----------------------------------------------------------

fn windows_exchange() -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    // SESSION_SETUP security buffers of the pre-authentication integrity post.
    let buf = |i: usize| {
        let m = h(PREAUTH_EXCHANGE[i].0);
        let msg = smb3rs_proto::proto::session::SessionSetupRequest::decode(&m)
            .map(|r| r.security_buffer.to_vec())
            .or_else(|_| {
                smb3rs_proto::proto::session::SessionSetupResponse::decode(&m)
                    .map(|r| r.security_buffer.to_vec())
            })
            .unwrap();
        msg
    };
    let mech_list = h("300c060a2b06010401823702020a");
    (buf(2), buf(3), buf(4), mech_list)
}

#[test]
fn windows_exchange_verifies_end_to_end() {
    let (neg_spnego, chal_spnego, auth_spnego, mech_list) = windows_exchange();
    let neg = match spnego::decode(&neg_spnego).unwrap() {
        spnego::NegotiationToken::Init(i) => {
            assert!(i.offers(spnego::OID_NTLMSSP));
            assert_eq!(i.mech_types.unwrap().der(), &mech_list[..]);
            i.mech_token.unwrap()
        }
        other => panic!("{other:?}"),
    };
    let nm = NegotiateMessage::decode(neg).unwrap();
    assert_eq!(nm.flags, 0xe208_8297);
    assert_eq!(nm.version.unwrap().build, 9600);

    let resp = spnego::decode_neg_token_resp(&chal_spnego).unwrap();
    assert_eq!(resp.neg_state, Some(spnego::NegState::AcceptIncomplete));
    assert_eq!(resp.supported_mech, Some(spnego::OID_NTLMSSP));
    let chal_raw = resp.response_token.unwrap();
    let chal = ChallengeMessage::decode(chal_raw).unwrap();
    assert_eq!(chal.server_challenge, ha::<8>("0D1D8BA31179D008"));
    assert_eq!(chal.timestamp(), Some(0x01D0AECBADF5A1A1));

    let resp = spnego::decode_neg_token_resp(&auth_spnego).unwrap();
    assert_eq!(resp.neg_state, Some(spnego::NegState::AcceptIncomplete));
    let auth_raw = resp.response_token.unwrap();
    let auth = AuthenticateMessage::decode(auth_raw).unwrap();
    // With a server timestamp Windows sends Z(24) as LM response.
    assert_eq!(auth.lm_response, &[0u8; 24][..]);
    assert!(auth.mic.is_some());

    // Recompute NTProofStr from the password and the sent blob.
    let key = ntowfv2(&P, &nt_hash("Password01!"), "administrator", "SUT311").unwrap();
    assert_eq!(key.to_vec(), h("AEE3959B44A815F1EB28C9511B4F533B"));
    let (proof, temp) = auth.nt_response.split_at(16);
    assert_eq!(
        nt_proof_str(&P, &key, &chal.server_challenge, temp)
            .unwrap()
            .to_vec(),
        proof.to_vec()
    );
    let sbk = session_base_key(&P, &key, proof.try_into().unwrap()).unwrap();
    let mut exported: [u8; 16] = auth.encrypted_session_key.try_into().unwrap();
    rc4(&sbk, &mut exported).unwrap();
    // The SMB session key of the post.
    assert_eq!(exported.to_vec(), h("270E1BA896585EEB7AF3472D3B4C75A7"));
    assert!(verify_mic(&P, &exported, neg, chal_raw, auth_raw).unwrap());
    let mut tampered = auth_raw.to_vec();
    tampered[100] ^= 1;
    assert!(!verify_mic(&P, &exported, neg, chal_raw, &tampered).unwrap());
    // The client's mechListMIC.
    assert_eq!(
        mech_list_mic(&P, &exported, auth.flags, &mech_list, true)
            .unwrap()
            .to_vec(),
        resp.mech_list_mic.unwrap().to_vec()
    );
}

#[test]
fn our_authenticate_with_mic_for_the_windows_challenge() {
    let (neg_spnego, chal_spnego, _, mech_list) = windows_exchange();
    let neg = spnego::decode_neg_token_init(&neg_spnego)
        .unwrap()
        .mech_token
        .unwrap();
    let chal_raw = spnego::decode_neg_token_resp(&chal_spnego)
        .unwrap()
        .response_token
        .unwrap();
    let chal = ChallengeMessage::decode(chal_raw).unwrap();
    let key = ntowfv2(&P, &nt_hash("Password01!"), "administrator", "SUT311").unwrap();
    let params = AuthenticateParams {
        credentials: Credentials::User {
            user: "administrator",
            domain: "SUT311",
            response_key: key,
        },
        workstation: "DRIVER311",
        flags: 0xe288_8215,
        version: Some(Version {
            major: 6,
            minor: 3,
            build: 9600,
            revision: 15,
        }),
        client_challenge: ha("BC4AD05F223CC90F"),
        timestamp: 0x1234,
        random_session_key: ha("270E1BA896585EEB7AF3472D3B4C75A7"),
        negotiate_message: Some(neg),
        target_spn: Some("cifs/SUT311"),
        channel_bindings: Some([0; 16]),
    };
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let out = encode_authenticate(&P, &mut w, &chal, &params).unwrap();
    let auth_raw = w.written();
    assert_eq!(
        out.exported_session_key.to_vec(),
        h("270E1BA896585EEB7AF3472D3B4C75A7")
    );
    let auth = AuthenticateMessage::decode(auth_raw).unwrap();
    assert_eq!(auth.lm_response, &[0u8; 24][..]);
    assert_eq!(auth.flags, 0xe288_8215 | flags::NEGOTIATE_VERSION);
    assert!(verify_mic(&P, &out.exported_session_key, neg, chal_raw, auth_raw).unwrap());

    // The blob uses the server's timestamp and announces the MIC.
    let (proof, temp) = auth.nt_response.split_at(16);
    assert_eq!(&temp[8..16], &0x01D0AECBADF5A1A1u64.to_le_bytes());
    assert_eq!(&temp[16..24], &h("BC4AD05F223CC90F")[..]);
    assert_eq!(
        nt_proof_str(&P, &key, &chal.server_challenge, temp)
            .unwrap()
            .to_vec(),
        proof.to_vec()
    );
    let avs = &temp[28..temp.len() - 4];
    validate_av_pairs(avs).unwrap();
    let pairs: Vec<_> = smb3rs_proto::proto::ntlmssp::av_pairs(avs).collect();
    let fl = pairs.iter().find(|p| p.id == av_id::FLAGS).unwrap();
    assert_eq!(fl.value, &AV_FLAG_MIC_PRESENT.to_le_bytes()[..]);
    let spn = pairs.iter().find(|p| p.id == av_id::TARGET_NAME).unwrap();
    assert_eq!(
        spn.value.to_vec(),
        "cifs/SUT311"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    );
    assert!(pairs
        .iter()
        .any(|p| p.id == av_id::CHANNEL_BINDINGS && p.value == [0u8; 16]));
    assert!(pairs.iter().any(|p| p.id == av_id::TIMESTAMP));
    assert_eq!(&avs[avs.len() - 4..], &[0, 0, 0, 0]);

    // The whole SPNEGO NegTokenResp a client would send.
    let mic = mech_list_mic(&P, &out.exported_session_key, auth.flags, &mech_list, true).unwrap();
    let resp = spnego::NegTokenResp {
        neg_state: Some(spnego::NegState::AcceptIncomplete),
        supported_mech: None,
        response_token: Some(auth_raw),
        mech_list_mic: Some(&mic),
    };
    let mut buf2 = [0u8; 1200];
    let mut w2 = Writer::new(&mut buf2);
    resp.encode(&mut w2).unwrap();
    assert_eq!(spnego::decode_neg_token_resp(w2.written()).unwrap(), resp);
}

#[test]
fn negotiate_message_round_trip() {
    let m = NegotiateMessage {
        flags: 0xe208_8297,
        version: Some(Version {
            major: 6,
            minor: 3,
            build: 9600,
            revision: 15,
        }),
    };
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    m.encode(&mut w).unwrap();
    // Byte-identical to the Windows NEGOTIATE_MESSAGE.
    assert_eq!(
        w.written().to_vec(),
        h("4E544C4D5353500001000000978208E2000000000000000000000000000000000603802500 00000F")
    );
    assert_eq!(NegotiateMessage::decode(w.written()).unwrap(), m);
    let m2 = NegotiateMessage {
        flags: flags::NEGOTIATE_UNICODE | flags::NEGOTIATE_VERSION,
        version: None,
    };
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    m2.encode(&mut w).unwrap();
    assert_eq!(w.pos(), 32);
    let d = NegotiateMessage::decode(w.written()).unwrap();
    assert_eq!(d.flags, flags::NEGOTIATE_UNICODE);
    assert_eq!(d.version, None);
    // Too small a buffer.
    let mut small = [0u8; 20];
    assert!(m.encode(&mut Writer::new(&mut small)).is_err());
}

#[test]
fn challenge_message_round_trip() {
    let ti = h("02000c0044006f006d00610069006e000700080001020304050607080000 0000");
    let c = ChallengeMessage {
        flags: 0xe28a_8235,
        server_challenge: [9; 8],
        target_name: &h("44006f006d00610069006e00"),
        target_info: &ti,
        version: Some(Version {
            major: 10,
            minor: 0,
            build: 20348,
            revision: 15,
        }),
        raw: &[],
    };
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    c.encode(&mut w).unwrap();
    let raw = w.written().to_vec();
    let d = ChallengeMessage::decode(&raw).unwrap();
    assert_eq!(d.flags, c.flags);
    assert_eq!(d.server_challenge, c.server_challenge);
    assert_eq!(d.target_name, c.target_name);
    assert_eq!(d.target_info, c.target_info);
    assert_eq!(d.version, c.version);
    assert_eq!(d.timestamp(), Some(0x0807060504030201));
    // Without a version field.
    let c2 = ChallengeMessage {
        version: None,
        flags: c.flags & !flags::NEGOTIATE_VERSION,
        ..c
    };
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    c2.encode(&mut w).unwrap();
    let d2 = ChallengeMessage::decode(w.written()).unwrap();
    assert_eq!(d2.target_info, c2.target_info);
    assert_eq!(d2.version, None);
}

#[test]
fn challenge_decoder_rejects_hostile_input() {
    let raw = h(NLMP_CHALLENGE);
    // Every truncation fails cleanly (some may still parse when only the payload is cut
    // and its fields shrink, which these do not).
    for len in 0..raw.len() {
        assert!(
            ChallengeMessage::decode(&raw[..len]).is_err(),
            "truncated to {len}"
        );
    }
    // Wrong signature and message type.
    let mut bad = raw.clone();
    bad[0] = b'X';
    assert_eq!(
        ChallengeMessage::decode(&bad).unwrap_err(),
        DecodeError::BadMagic {
            what: "NTLMSSP Signature"
        }
    );
    let mut bad = raw.clone();
    bad[8] = 3;
    assert!(matches!(
        ChallengeMessage::decode(&bad),
        Err(DecodeError::BadValue { .. })
    ));
    // Target info offset and length out of range.
    let mut bad = raw.clone();
    bad[44..48].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(matches!(
        ChallengeMessage::decode(&bad),
        Err(DecodeError::OutOfBounds { .. })
    ));
    let mut bad = raw.clone();
    bad[40..42].copy_from_slice(&0xffffu16.to_le_bytes());
    assert!(ChallengeMessage::decode(&bad).is_err());
    // Target name out of range.
    let mut bad = raw.clone();
    bad[12..14].copy_from_slice(&200u16.to_le_bytes());
    assert!(ChallengeMessage::decode(&bad).is_err());
    // An AV pair that overruns the target info.
    let mut bad = raw.clone();
    let ti = 0x44;
    bad[ti + 2..ti + 4].copy_from_slice(&100u16.to_le_bytes());
    assert!(matches!(
        ChallengeMessage::decode(&bad),
        Err(DecodeError::OutOfBounds { .. })
    ));
    assert!(validate_av_pairs(&h("0200")).is_err());
    assert!(validate_av_pairs(&h("02000400aabb")).is_err());
    assert!(validate_av_pairs(&h("")).is_ok());
}

#[test]
fn anonymous_authenticate() {
    let raw = h(NLMP_CHALLENGE);
    let c = ChallengeMessage::decode(&raw).unwrap();
    let params = AuthenticateParams {
        credentials: Credentials::Anonymous,
        negotiate_message: Some(b"ignored for anonymous"),
        ..nlmp_params()
    };
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let out = encode_authenticate(&P, &mut w, &c, &params).unwrap();
    let m = AuthenticateMessage::decode(w.written()).unwrap();
    assert_eq!(m.lm_response, &[0u8][..]);
    assert!(m.nt_response.is_empty());
    assert!(m.user.is_empty() && m.domain.is_empty());
    assert_ne!(m.flags & flags::ANONYMOUS, 0);
    assert_eq!(m.mic, None);
    assert_eq!(out.session_base_key, [0; 16]);
}

#[test]
fn authenticate_reports_small_buffers() {
    let raw = h(NLMP_CHALLENGE);
    let c = ChallengeMessage::decode(&raw).unwrap();
    for cap in [0usize, 10, 71, 100, 215] {
        let mut buf = vec![0u8; cap];
        let mut w = Writer::new(&mut buf);
        assert!(matches!(
            encode_authenticate(&P, &mut w, &c, &nlmp_params()),
            Err(NtlmError::Encode(_))
        ));
    }
}

#[test]
fn authenticate_decoder_rejects_hostile_input() {
    let raw = h(NLMP_AUTHENTICATE);
    let m = AuthenticateMessage::decode(&raw).unwrap();
    assert_eq!(m.mic, None);
    assert_eq!(
        m.encrypted_session_key,
        &h("c5dad2544fc9799094ce1ce90bc9d03e")[..]
    );
    for len in [0usize, 8, 12, 60, 100, raw.len() - 1] {
        assert!(
            AuthenticateMessage::decode(&raw[..len]).is_err(),
            "truncated to {len}"
        );
    }
    let mut bad = raw.clone();
    bad[24..28].copy_from_slice(&0x8000_0000u32.to_le_bytes());
    assert!(AuthenticateMessage::decode(&bad).is_err());
}

#[test]
fn windows_ntlm_keys_and_server_mech_list_mic() {
    // The "anatomy" post lists the NTLM keys of the exported key 270E1B...
    let exported: [u8; 16] = ha("270E1BA896585EEB7AF3472D3B4C75A7");
    let fl = 0xe288_8215u32;
    assert_eq!(
        sign_key(&P, &exported, true).unwrap().to_vec(),
        h("D43F36C44BCE0630250A09EA0C2E8C2C")
    );
    assert_eq!(
        sign_key(&P, &exported, false).unwrap().to_vec(),
        h("E1BD8B416B0B709D295E12F2CF18E6C5")
    );
    assert_eq!(
        seal_key(&P, &exported, fl, true).unwrap().to_vec(),
        h("31E5557D99BE13F1B2665C7C7C52CE70")
    );
    assert_eq!(
        seal_key(&P, &exported, fl, false).unwrap().to_vec(),
        h("B0F5A0B32C81FF34A878E1409B3B0EF2")
    );
    // The server's mechListMIC in the final SESSION_SETUP response.
    let msg = h(auth_common::FINAL_SESSION_SETUP_RESPONSE);
    let rsp = smb3rs_proto::proto::session::SessionSetupResponse::decode(&msg).unwrap();
    let tok = spnego::decode_neg_token_resp(rsp.security_buffer).unwrap();
    assert_eq!(tok.neg_state, Some(spnego::NegState::AcceptCompleted));
    let mech_list = h("300c060a2b06010401823702020a");
    assert_eq!(
        mech_list_mic(&P, &exported, fl, &mech_list, false)
            .unwrap()
            .to_vec(),
        tok.mech_list_mic.unwrap().to_vec()
    );
}

#[test]
fn windows_binding_authentication_yields_the_channel_session_key() {
    let sb = |m: &str| {
        let m = h(m);
        smb3rs_proto::proto::session::SessionSetupRequest::decode(&m)
            .map(|r| r.security_buffer.to_vec())
            .or_else(|_| {
                smb3rs_proto::proto::session::SessionSetupResponse::decode(&m)
                    .map(|r| r.security_buffer.to_vec())
            })
            .unwrap()
    };
    let ex = &auth_common::BINDING_EXCHANGE;
    let neg_tok = sb(ex[2].0);
    let chal_tok = sb(ex[3].0);
    let auth_tok = sb(ex[4].0);
    let neg = spnego::decode_neg_token_init(&neg_tok)
        .unwrap()
        .mech_token
        .unwrap();
    let chal_raw = spnego::decode_neg_token_resp(&chal_tok)
        .unwrap()
        .response_token
        .unwrap();
    let auth_raw = spnego::decode_neg_token_resp(&auth_tok)
        .unwrap()
        .response_token
        .unwrap();
    let chal = ChallengeMessage::decode(chal_raw).unwrap();
    let auth = AuthenticateMessage::decode(auth_raw).unwrap();
    let key = ntowfv2(&P, &nt_hash("Password01!"), "administrator", "SUT311").unwrap();
    let (proof, temp) = auth.nt_response.split_at(16);
    assert_eq!(
        nt_proof_str(&P, &key, &chal.server_challenge, temp)
            .unwrap()
            .to_vec(),
        proof.to_vec()
    );
    let sbk = session_base_key(&P, &key, proof.try_into().unwrap()).unwrap();
    let mut exported: [u8; 16] = auth.encrypted_session_key.try_into().unwrap();
    rc4(&sbk, &mut exported).unwrap();
    assert_eq!(exported.to_vec(), h("84B9DBB730116A8FA6E9889555C265F9"));
    assert!(verify_mic(&P, &exported, neg, chal_raw, auth_raw).unwrap());
}
