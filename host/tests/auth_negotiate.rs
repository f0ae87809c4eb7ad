// SPDX-License-Identifier: GPL-2.0

//! NEGOTIATE request/response and FSCTL_VALIDATE_NEGOTIATE_INFO tests: Windows
//! messages (Microsoft's pre-authentication integrity post), round trips of every
//! context kind, and hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use auth_common::{h, smb2_header, PREAUTH_EXCHANGE};
use smb3rs_proto::proto::crypto::AeadCipher;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::error::{DecodeError, EncodeError};
use smb3rs_proto::proto::negotiate::{
    capabilities, context_type, security_mode, Dialect, NegotiateContext, NegotiateContexts,
    NegotiateRequest, NegotiateResponse, U16List, Utf16Text, ValidateNegotiateInfoRequest,
    ValidateNegotiateInfoResponse, POSIX_CONTEXT_GUID,
};
use smb3rs_proto::proto::signing::SigningAlgorithm;

fn encode_with_header<F: FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>>(
    hdr: &[u8],
    f: F,
) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    w.bytes(hdr).unwrap();
    f(&mut w).unwrap();
    let n = w.pos();
    buf.truncate(n);
    buf
}

#[test]
fn windows_negotiate_request_decodes_and_reencodes() {
    let msg = h(PREAUTH_EXCHANGE[0].0);
    let req = NegotiateRequest::decode(&msg).unwrap();
    assert_eq!(
        req.dialects.iter().collect::<Vec<_>>(),
        vec![0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
    );
    assert_eq!(req.capabilities, 0x3F);
    assert_eq!(
        req.client_guid.to_vec(),
        h("ECD86F326276024F9F7752B89BB33F3A")
    );
    let ctx: Vec<_> = req.contexts.iter().collect();
    assert_eq!(ctx.len(), 2);
    let salt = h("FA49E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF");
    assert_eq!(
        ctx[0],
        NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[1]),
            salt: &salt,
        }
    );
    assert_eq!(
        ctx[1],
        NegotiateContext::Encryption {
            ciphers: U16List::new(&[2, 1]),
        }
    );
    // Our encoder produces the identical body.
    let out = encode_with_header(&msg[..64], |w| req.encode(w));
    assert_eq!(out, msg);
    // And from plain slices.
    let ctxs = [
        NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[1]),
            salt: &salt,
        },
        NegotiateContext::Encryption {
            ciphers: U16List::new(&[2, 1]),
        },
    ];
    let req2 = NegotiateRequest {
        dialects: U16List::new(&[0x0202, 0x0210, 0x0300, 0x0302, 0x0311]),
        security_mode: req.security_mode,
        capabilities: 0x3F,
        client_guid: req.client_guid,
        contexts: NegotiateContexts::new(&ctxs),
    };
    assert_eq!(encode_with_header(&msg[..64], |w| req2.encode(w)), msg);
}

#[test]
fn windows_negotiate_response_decodes() {
    let msg = h(PREAUTH_EXCHANGE[1].0);
    let rsp = NegotiateResponse::decode(&msg).unwrap();
    assert_eq!(rsp.dialect().unwrap(), Dialect::Smb311);
    assert_eq!(rsp.security_mode, security_mode::SIGNING_ENABLED);
    assert_eq!(rsp.capabilities, 0x2F);
    assert_eq!(rsp.max_transact_size, 0x80_0000);
    assert_eq!(rsp.max_read_size, 0x80_0000);
    assert_eq!(rsp.max_write_size, 0x80_0000);
    assert_eq!(rsp.security_buffer.len(), 0x140);
    assert_eq!(rsp.security_buffer[0], 0x60);
    let sel = rsp.selected().unwrap();
    assert_eq!(sel.preauth_hash_algorithm, 1);
    assert_eq!(sel.preauth_salt.len(), 32);
    assert_eq!(sel.cipher, Some(AeadCipher::Aes128Gcm));
    assert_eq!(sel.signing, None);
    assert!(!sel.posix);
    // Re-encoding gives the same bytes (the contexts are at the same aligned offset).
    let out = encode_with_header(&msg[..64], |w| rsp.encode(w));
    assert_eq!(out, msg);
}

fn all_contexts<'a>(salt: &'a [u8], other: &'a [u8]) -> [NegotiateContext<'a>; 9] {
    [
        NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[1]),
            salt,
        },
        NegotiateContext::Encryption {
            ciphers: U16List::new(&[4, 2, 3, 1]),
        },
        NegotiateContext::Signing {
            algorithms: U16List::new(&[2, 1, 0]),
        },
        NegotiateContext::NetName(Utf16Text::Str("server.example")),
        NegotiateContext::Posix,
        NegotiateContext::Transport { flags: 1 },
        NegotiateContext::RdmaTransform {
            transforms: U16List::new(&[1, 2]),
        },
        NegotiateContext::Compression {
            flags: 1,
            algorithms: U16List::new(&[1, 2, 3]),
        },
        NegotiateContext::Other {
            context_type: 0x4242,
            data: other,
        },
    ]
}

#[test]
fn request_round_trip_with_every_context() {
    let salt = [0x5au8; 32];
    let other = [1u8, 2, 3];
    let ctxs = all_contexts(&salt, &other);
    let req = NegotiateRequest {
        dialects: U16List::new(&[0x0210, 0x0300, 0x0302, 0x0311]),
        security_mode: security_mode::SIGNING_ENABLED,
        capabilities: capabilities::DFS | capabilities::LEASING | capabilities::ENCRYPTION,
        client_guid: [9; 16],
        contexts: NegotiateContexts::new(&ctxs),
    };
    let hdr = smb2_header(0, 0, 0, 0);
    let msg = encode_with_header(&hdr, |w| req.encode(w));
    let dec = NegotiateRequest::decode(&msg).unwrap();
    assert_eq!(dec, req);
    // Every context starts 8-byte aligned relative to the header.
    let off = u32::from_le_bytes(msg[64 + 28..64 + 32].try_into().unwrap()) as usize;
    assert_eq!(off % 8, 0);
    assert_eq!(
        u16::from_le_bytes(msg[64 + 32..64 + 34].try_into().unwrap()),
        9
    );
    let mut pos = off;
    for _ in 0..9 {
        assert_eq!(pos % 8, 0);
        let len = u16::from_le_bytes(msg[pos + 2..pos + 4].try_into().unwrap()) as usize;
        pos = (pos + 8 + len + 7) & !7;
    }
    // The POSIX context carries the GUID.
    let posix = msg
        .windows(16)
        .position(|w| w == POSIX_CONTEXT_GUID)
        .expect("POSIX GUID present");
    assert_eq!(
        u16::from_le_bytes(msg[posix - 8..posix - 6].try_into().unwrap()),
        context_type::POSIX
    );

    // Works at any writer position (e.g. behind other data), offsets stay header-relative.
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    w.zeros(40).unwrap();
    w.bytes(&hdr).unwrap();
    req.encode(&mut w).unwrap();
    let n = w.pos();
    assert_eq!(&buf[40..n], &msg[..]);
}

#[test]
fn request_without_311_has_no_contexts() {
    let req = NegotiateRequest {
        dialects: U16List::new(&[0x0202, 0x0210]),
        security_mode: 1,
        capabilities: 0,
        client_guid: [1; 16],
        contexts: NegotiateContexts::none(),
    };
    let msg = encode_with_header(&smb2_header(0, 0, 0, 0), |w| req.encode(w));
    assert_eq!(msg.len(), 64 + 36 + 4);
    assert_eq!(&msg[64 + 28..64 + 36], &[0u8; 8]);
    assert_eq!(NegotiateRequest::decode(&msg).unwrap(), req);

    let salt = [0u8; 32];
    let ctxs = all_contexts(&salt, &[]);
    let bad = NegotiateRequest {
        contexts: NegotiateContexts::new(&ctxs),
        ..req
    };
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    w.bytes(&smb2_header(0, 0, 0, 0)).unwrap();
    assert!(matches!(
        bad.encode(&mut w),
        Err(EncodeError::InvalidArgument { .. })
    ));
    let empty = NegotiateRequest {
        dialects: U16List::new(&[]),
        ..req
    };
    assert!(matches!(
        empty.encode(&mut w),
        Err(EncodeError::InvalidArgument { .. })
    ));
    // A writer without the header in front is refused.
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    assert!(matches!(
        req.encode(&mut w),
        Err(EncodeError::InvalidArgument { .. })
    ));
    // Too small a buffer reports BufferTooSmall.
    let mut small = vec![0u8; 80];
    let mut w = Writer::new(&mut small);
    w.bytes(&smb2_header(0, 0, 0, 0)).unwrap();
    assert!(matches!(
        req.encode(&mut w),
        Err(EncodeError::BufferTooSmall { .. })
    ));
}

fn sample_response<'a>(ctxs: &'a [NegotiateContext<'a>], sec: &'a [u8]) -> NegotiateResponse<'a> {
    NegotiateResponse {
        security_mode: 3,
        dialect_revision: 0x0311,
        server_guid: [4; 16],
        capabilities: 0x7F,
        max_transact_size: 1 << 20,
        max_read_size: 1 << 21,
        max_write_size: 1 << 22,
        system_time: 0x01D9_0000_0000_0000,
        server_start_time: 0,
        security_buffer: sec,
        contexts: NegotiateContexts::new(ctxs),
    }
}

#[test]
fn response_round_trips() {
    let salt = [0x77u8; 32];
    let other = [9u8; 5];
    let ctxs = all_contexts(&salt, &other);
    let sec = h("604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265");
    for sec in [&sec[..], &sec[..3], &[][..]] {
        let rsp = sample_response(&ctxs, sec);
        let msg = encode_with_header(&smb2_header(0, 1, 0, 0), |w| rsp.encode(w));
        let dec = NegotiateResponse::decode(&msg).unwrap();
        assert_eq!(dec, rsp);
    }
    // 3.0.2: no contexts, fields ignored.
    let rsp = NegotiateResponse {
        dialect_revision: 0x0302,
        contexts: NegotiateContexts::none(),
        ..sample_response(&[], &sec)
    };
    let msg = encode_with_header(&smb2_header(0, 1, 0, 0), |w| rsp.encode(w));
    let dec = NegotiateResponse::decode(&msg).unwrap();
    assert_eq!(dec, rsp);
    assert_eq!(dec.dialect().unwrap(), Dialect::Smb302);
    assert!(dec.selected().unwrap().cipher.is_none());
    // Unknown dialect revisions are reported by dialect(), not by decode().
    let mut m = msg.clone();
    m[64 + 4..64 + 6].copy_from_slice(&0x02FFu16.to_le_bytes());
    let d = NegotiateResponse::decode(&m).unwrap();
    assert!(d.dialect().is_err());
}

fn response_with(ctxs: &[NegotiateContext<'_>]) -> Vec<u8> {
    let rsp = sample_response(ctxs, b"x");
    encode_with_header(&smb2_header(0, 1, 0, 0), |w| rsp.encode(w))
}

#[test]
fn selected_enforces_single_choices() {
    let salt = [1u8; 32];
    let pre = NegotiateContext::PreauthIntegrity {
        hash_algorithms: U16List::new(&[1]),
        salt: &salt,
    };
    let enc = |c: &'static [u16]| NegotiateContext::Encryption {
        ciphers: U16List::new(c),
    };
    let sig = |c: &'static [u16]| NegotiateContext::Signing {
        algorithms: U16List::new(c),
    };
    let ok = response_with(&[pre, enc(&[4]), sig(&[2]), NegotiateContext::Posix]);
    let s = NegotiateResponse::decode(&ok).unwrap().selected().unwrap();
    assert_eq!(s.cipher, Some(AeadCipher::Aes256Gcm));
    assert_eq!(s.signing, Some(SigningAlgorithm::AesGmac));
    assert!(s.posix);
    // Cipher 0: no common cipher.
    let m = response_with(&[pre, enc(&[0])]);
    assert_eq!(
        NegotiateResponse::decode(&m)
            .unwrap()
            .selected()
            .unwrap()
            .cipher,
        None
    );

    let bad_cases: Vec<Vec<NegotiateContext<'_>>> = vec![
        vec![],
        vec![enc(&[2])],
        vec![pre, pre],
        vec![NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[1, 1]),
            salt: &salt,
        }],
        vec![NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[]),
            salt: &salt,
        }],
        vec![pre, enc(&[2, 1])],
        vec![pre, enc(&[])],
        vec![pre, enc(&[9])],
        vec![pre, enc(&[2]), enc(&[2])],
        vec![pre, sig(&[1, 2])],
        vec![pre, sig(&[7])],
        vec![pre, NegotiateContext::Posix, NegotiateContext::Posix],
    ];
    for (i, ctxs) in bad_cases.iter().enumerate() {
        let m = response_with(ctxs);
        let d = NegotiateResponse::decode(&m).unwrap();
        assert!(d.selected().is_err(), "case {i} accepted");
    }
}

#[test]
fn response_decoder_rejects_hostile_input() {
    let msg = h(PREAUTH_EXCHANGE[1].0);
    for len in 0..msg.len() {
        assert!(
            NegotiateResponse::decode(&msg[..len]).is_err(),
            "truncated to {len}"
        );
    }
    let body = 64;
    let set = |m: &mut Vec<u8>, off: usize, v: &[u8]| m[off..off + v.len()].copy_from_slice(v);
    // Bad StructureSize.
    let mut m = msg.clone();
    set(&mut m, body, &64u16.to_le_bytes());
    assert!(matches!(
        NegotiateResponse::decode(&m),
        Err(DecodeError::BadValue { .. })
    ));
    // Security buffer beyond the message / inside the header.
    let mut m = msg.clone();
    set(&mut m, body + 58, &0xfff0u16.to_le_bytes());
    assert!(matches!(
        NegotiateResponse::decode(&m),
        Err(DecodeError::OutOfBounds { .. })
    ));
    let mut m = msg.clone();
    set(&mut m, body + 56, &8u16.to_le_bytes());
    assert!(matches!(
        NegotiateResponse::decode(&m),
        Err(DecodeError::BadValue { .. })
    ));
    // Context offset beyond the message, inside the header, or huge.
    for off in [0u32, 8, 0x1000, u32::MAX] {
        let mut m = msg.clone();
        set(&mut m, body + 60, &off.to_le_bytes());
        assert!(
            NegotiateResponse::decode(&m).is_err(),
            "context offset {off}"
        );
    }
    // More contexts announced than present.
    let mut m = msg.clone();
    set(&mut m, body + 6, &3u16.to_le_bytes());
    assert!(NegotiateResponse::decode(&m).is_err());
    // A context whose DataLength overruns the message.
    let ctx_off = u32::from_le_bytes(msg[body + 60..body + 64].try_into().unwrap()) as usize;
    let mut m = msg.clone();
    set(&mut m, ctx_off + 2, &0x4000u16.to_le_bytes());
    assert!(matches!(
        NegotiateResponse::decode(&m),
        Err(DecodeError::OutOfBounds { .. })
    ));
    // A preauth context claiming more algorithms or salt than its data holds.
    let mut m = msg.clone();
    set(&mut m, ctx_off + 8, &20u16.to_le_bytes());
    assert!(NegotiateResponse::decode(&m).is_err());
    let mut m = msg.clone();
    set(&mut m, ctx_off + 10, &33u16.to_le_bytes());
    assert!(NegotiateResponse::decode(&m).is_err());
    // An odd-length NETNAME.
    let odd = [NegotiateContext::Other {
        context_type: context_type::NETNAME,
        data: &[0x41, 0, 0x42],
    }];
    let m = response_with(&odd);
    assert!(NegotiateResponse::decode(&m).is_err());
    // A POSIX context with another GUID is kept as Other.
    let other_guid = [NegotiateContext::Other {
        context_type: context_type::POSIX,
        data: &[0; 16],
    }];
    let m = response_with(&other_guid);
    let d = NegotiateResponse::decode(&m).unwrap();
    assert!(matches!(
        d.contexts.iter().next(),
        Some(NegotiateContext::Other { .. })
    ));
}

#[test]
fn request_decoder_rejects_hostile_input() {
    let msg = h(PREAUTH_EXCHANGE[0].0);
    for len in 0..msg.len() {
        assert!(
            NegotiateRequest::decode(&msg[..len]).is_err(),
            "truncated to {len}"
        );
    }
    let mut m = msg.clone();
    m[64 + 2..64 + 4].copy_from_slice(&0xffffu16.to_le_bytes());
    assert!(NegotiateRequest::decode(&m).is_err());
}

#[test]
fn validate_negotiate_info_round_trips() {
    let req = ValidateNegotiateInfoRequest {
        capabilities: 0x7F,
        guid: [3; 16],
        security_mode: 1,
        dialects: U16List::new(&[0x0300, 0x0302]),
    };
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    req.encode(&mut w).unwrap();
    assert_eq!(w.pos(), 24 + 4);
    let enc = w.written().to_vec();
    assert_eq!(ValidateNegotiateInfoRequest::decode(&enc).unwrap(), req);
    assert!(ValidateNegotiateInfoRequest::decode(&enc[..enc.len() - 1]).is_err());

    let rsp = ValidateNegotiateInfoResponse {
        capabilities: 0x2F,
        guid: [5; 16],
        security_mode: 3,
        dialect: 0x0302,
    };
    let mut buf = [0u8; 24];
    let mut w = Writer::new(&mut buf);
    rsp.encode(&mut w).unwrap();
    assert_eq!(w.pos(), ValidateNegotiateInfoResponse::LEN);
    let enc = w.written().to_vec();
    assert_eq!(ValidateNegotiateInfoResponse::decode(&enc).unwrap(), rsp);
    for len in 0..24 {
        assert!(ValidateNegotiateInfoResponse::decode(&enc[..len]).is_err());
    }
}

#[test]
fn dialect_and_cipher_helpers() {
    for d in [
        Dialect::Smb202,
        Dialect::Smb210,
        Dialect::Smb300,
        Dialect::Smb302,
        Dialect::Smb311,
    ] {
        assert_eq!(Dialect::from_wire(d.wire()), Some(d));
    }
    assert!(!Dialect::Smb210.is_smb3());
    assert!(Dialect::Smb300.is_smb3());
    assert_eq!(Dialect::from_wire(0x02FF), None);
    for c in [
        AeadCipher::Aes128Ccm,
        AeadCipher::Aes128Gcm,
        AeadCipher::Aes256Ccm,
        AeadCipher::Aes256Gcm,
    ] {
        assert_eq!(AeadCipher::from_wire(c.wire()), Some(c));
    }
    assert_eq!(AeadCipher::Aes256Ccm.key_len(), 32);
    assert_eq!(AeadCipher::Aes256Ccm.nonce_len(), 11);
    assert_eq!(AeadCipher::Aes128Gcm.nonce_len(), 12);
}

#[test]
fn encode_pdu_with_the_header_module() {
    use smb3rs_proto::proto::header::{encode_pdu, Command, Header};
    // Rebuild the Windows NEGOTIATE request from a header::Header and our body.
    let msg = h(PREAUTH_EXCHANGE[0].0);
    let req = NegotiateRequest::decode(&msg).unwrap();
    let hdr = Header::decode(&msg).unwrap();
    assert_eq!(hdr.command, Command::Negotiate);
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    w.zeros(4).unwrap(); // e.g. a transport frame header in front
    let n = encode_pdu(&hdr, &req, &mut w).unwrap();
    assert_eq!(n, msg.len());
    assert_eq!(&buf[4..4 + n], &msg[..]);
}
