// SPDX-License-Identifier: GPL-2.0

//! SPNEGO tests: tokens from Windows (Microsoft's pre-authentication integrity post)
//! and ksmbd (fs/smb/server/auth.c and asn1.c), round trips and hostile DER.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, PREAUTH_EXCHANGE};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::DecodeError;
use smb3rs_proto::proto::negotiate::NegotiateResponse;
use smb3rs_proto::proto::spnego::{
    decode, decode_neg_token_init, decode_neg_token_resp, encode_mech_type_list,
    encode_neg_token_init, NegState, NegTokenResp, NegotiationToken, OID_KRB5, OID_MS_KRB5,
    OID_NEGOEX, OID_NTLMSSP,
};

/// ksmbd's NEGOTIATE security buffer with CONFIG_SMB_SERVER_KERBEROS5.
const KSMBD_NEG_KRB5: &str = "605e06062b0601050502a0543052a0243022
    06092a864886f712010202 06092a864882f712010202 060a2b06010401823702020a
    a32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

/// ksmbd's NEGOTIATE security buffer without Kerberos.
const KSMBD_NEG: &str = "604806062b0601050502a03e303ca00e300c060a2b06010401823702020a
    a32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

/// DER TLV with a minimal length (test helper, like ksmbd's encode_asn_tag()).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend([0x81, n as u8]);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

#[test]
fn ksmbd_negotiate_tokens() {
    let t_buf = h(KSMBD_NEG_KRB5);
    let t = decode_neg_token_init(&t_buf).unwrap();
    let mechs: Vec<&[u8]> = t.mech_types.unwrap().iter().collect();
    assert_eq!(mechs, vec![OID_KRB5, OID_MS_KRB5, OID_NTLMSSP]);
    assert!(t.offers(OID_NTLMSSP));
    assert_eq!(t.mech_token, None);
    // negHints is skipped, not taken for a mechListMIC.
    assert_eq!(t.mech_list_mic, None);

    let t_buf = h(KSMBD_NEG);
    let t = decode_neg_token_init(&t_buf).unwrap();
    assert_eq!(t.mech_types.unwrap().len(), 1);
    assert!(t.offers(OID_NTLMSSP));
    assert!(!t.offers(OID_KRB5));
}

#[test]
fn ksmbd_session_setup_tokens() {
    // build_spnego_ntlmssp_neg_blob(): negState 1, supportedMech NTLMSSP, token.
    let blob = [0x4eu8; 200];
    let v = tlv(
        0xa1,
        &tlv(
            0x30,
            &[
                h("a0030a0101"),
                h("a10c060a2b06010401823702020a"),
                tlv(0xa2, &tlv(0x04, &blob)),
            ]
            .concat(),
        ),
    );
    let r = decode_neg_token_resp(&v).unwrap();
    assert_eq!(r.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(r.supported_mech, Some(OID_NTLMSSP));
    assert_eq!(r.response_token, Some(&blob[..]));

    // build_spnego_ntlmssp_auth_blob(): accept-completed / reject.
    let r_buf = h("a1073005a0030a0100");
    let r = decode_neg_token_resp(&r_buf).unwrap();
    assert_eq!(r.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(r.response_token, None);
    let r_buf = h("a1073005a0030a0102");
    let r = decode_neg_token_resp(&r_buf).unwrap();
    assert_eq!(r.neg_state, Some(NegState::Reject));
}

#[test]
fn windows_negotiate_token_with_negoex_and_mech_token() {
    let msg = h(PREAUTH_EXCHANGE[1].0);
    let rsp = NegotiateResponse::decode(&msg).unwrap();
    let t = decode_neg_token_init(rsp.security_buffer).unwrap();
    let mechs: Vec<&[u8]> = t.mech_types.unwrap().iter().collect();
    assert_eq!(mechs, vec![OID_NEGOEX, OID_NTLMSSP]);
    let tok = t.mech_token.unwrap();
    assert_eq!(&tok[..8], b"NEGOEXTS");
    assert_eq!(tok.len(), 0x108);
}

#[test]
fn client_neg_token_init_matches_windows() {
    // The first SESSION_SETUP leg of the post: NegTokenInit(NTLMSSP, NEGOTIATE).
    let want = h(
        "604806062B0601050502A03E303CA00E300C060A2B06010401823702020AA22A0428
        4E544C4D5353500001000000978208E200000000000000000000000000000000060380250000000F",
    );
    let ntlm = &want[want.len() - 40..];
    let mut buf = [0u8; 128];
    let mut w = Writer::new(&mut buf);
    encode_neg_token_init(&mut w, &[OID_NTLMSSP], Some(ntlm)).unwrap();
    assert_eq!(w.written().to_vec(), want);

    let mut buf = [0u8; 32];
    let mut w = Writer::new(&mut buf);
    encode_mech_type_list(&mut w, &[OID_NTLMSSP]).unwrap();
    assert_eq!(w.written().to_vec(), h("300c060a2b06010401823702020a"));
}

#[test]
fn neg_token_init_round_trips() {
    for token_len in [0usize, 1, 100, 127, 128, 255, 256, 1000, 70_000] {
        let token = vec![0x5au8; token_len];
        let mechs: &[&[u8]] = &[OID_MS_KRB5, OID_KRB5, OID_NTLMSSP];
        let mut buf = vec![0u8; token_len + 128];
        let mut w = Writer::new(&mut buf);
        let tok = if token_len == 0 {
            None
        } else {
            Some(&token[..])
        };
        encode_neg_token_init(&mut w, mechs, tok).unwrap();
        let out = w.written().to_vec();
        let t = decode_neg_token_init(&out).unwrap();
        let got: Vec<&[u8]> = t.mech_types.unwrap().iter().collect();
        assert_eq!(got, mechs.to_vec(), "len {token_len}");
        assert_eq!(t.mech_token, tok, "len {token_len}");
    }
    // An empty mechanism list.
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    encode_neg_token_init(&mut w, &[], None).unwrap();
    let t = decode_neg_token_init(w.written()).unwrap();
    assert!(t.mech_types.unwrap().is_empty());
    assert!(!t.offers(OID_NTLMSSP));
}

#[test]
fn neg_token_resp_round_trips() {
    let token = vec![7u8; 300];
    let mic = [9u8; 16];
    let states = [
        None,
        Some(NegState::AcceptCompleted),
        Some(NegState::AcceptIncomplete),
        Some(NegState::Reject),
        Some(NegState::RequestMic),
    ];
    for st in states {
        for mech in [None, Some(OID_NTLMSSP)] {
            for tok in [None, Some(&token[..10]), Some(&token[..])] {
                for m in [None, Some(&mic[..])] {
                    let r = NegTokenResp {
                        neg_state: st,
                        supported_mech: mech,
                        response_token: tok,
                        mech_list_mic: m,
                    };
                    let mut buf = [0u8; 512];
                    let mut w = Writer::new(&mut buf);
                    r.encode(&mut w).unwrap();
                    assert_eq!(decode(w.written()).unwrap(), NegotiationToken::Resp(r));
                }
            }
        }
    }
}

#[test]
fn hostile_der_is_rejected() {
    let good = h(KSMBD_NEG_KRB5);
    for len in 0..good.len() {
        assert!(decode(&good[..len]).is_err(), "truncated to {len}");
    }
    let resp = h("a1073005a0030a0100");
    for len in 0..resp.len() {
        assert!(decode(&resp[..len]).is_err(), "truncated resp to {len}");
    }
    // Trailing garbage.
    let mut t = good.clone();
    t.push(0);
    assert!(decode(&t).is_err());
    // Indefinite length, over-long length of length, high tag number.
    assert!(matches!(
        decode(&h("a180")),
        Err(DecodeError::Unsupported { .. })
    ));
    assert!(matches!(
        decode(&h("a185ffffffffff")),
        Err(DecodeError::BadValue { .. })
    ));
    assert!(matches!(
        decode(&h("bf0100")),
        Err(DecodeError::Unsupported { .. })
    ));
    // A length beyond the buffer (huge, long form).
    assert!(matches!(
        decode(&h("a184ffffffff3000")),
        Err(DecodeError::OutOfBounds { .. })
    ));
    // Inner length exceeding the outer element.
    assert!(decode(&h("a1053005a0030a0100")).is_err());
    assert!(decode(&h("a1073009a0030a0100")).is_err());
    // Wrong thisMech OID.
    let mut t = good.clone();
    t[4] ^= 1;
    assert!(matches!(decode(&t), Err(DecodeError::BadMagic { .. })));
    // negState that is not ENUMERATED / out of range / too long.
    assert!(decode(&h("a1073005a00302010a")).is_err());
    assert!(decode(&h("a1073005a0030a0109")).is_err());
    assert!(decode(&h("a1083006a0040a020001")).is_err());
    // A mech list holding something other than OIDs.
    assert!(decode(&h("a0083006a0043002 0400")).is_err());
    // Not a NegotiationToken at all.
    assert!(decode(&h("3000")).is_err());
    // Wrong kind requested.
    assert!(decode_neg_token_init(&resp).is_err());
    assert!(decode_neg_token_resp(&good).is_err());
    assert!(decode(&[]).is_err());
}

#[test]
fn unknown_and_optional_fields_are_tolerated() {
    // NegTokenInit with reqFlags [1] (BIT STRING), mechToken [2], mechListMIC [3].
    let mechs = h("a00e300c060a2b06010401823702020a");
    let fields = [mechs.clone(), h("a104030200 00 a203 0401aa")].concat();
    let t = tlv(0xa0, &tlv(0x30, &[fields.clone(), h("a300")].concat()));
    // a3 with no content is malformed (needs an inner TLV).
    assert!(decode(&t).is_err());
    let t = tlv(0xa0, &tlv(0x30, &[fields, h("a3020400")].concat()));
    let NegotiationToken::Init(i) = decode(&t).unwrap() else {
        panic!("not init")
    };
    assert_eq!(i.mech_token, Some(&[0xaa][..]));
    assert_eq!(i.mech_list_mic, Some(&[][..]));
    // Non-minimal (BER) long-form lengths are accepted.
    let ber = h("a1 81 09 30 82 00 05 a0 03 0a 01 00");
    let r = decode_neg_token_resp(&ber).unwrap();
    assert_eq!(r.neg_state, Some(NegState::AcceptCompleted));
    // NegTokenResp with an unknown [5] field.
    let r_buf = h("a1 0b 30 09 a0 03 0a 01 01 a5 02 05 00");
    let r = decode_neg_token_resp(&r_buf).unwrap();
    assert_eq!(r.neg_state, Some(NegState::AcceptIncomplete));
}
