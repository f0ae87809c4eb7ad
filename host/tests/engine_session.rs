// SPDX-License-Identifier: GPL-2.0
//! Negotiate and session setup engines against a scripted server that really checks
//! NTLMv2 (it knows the password), derives the same keys and signs its final answer;
//! plus cifs.ko's captured NEGOTIATE exchange with ksmbd.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod auth_common;

use auth_common::RustCrypto;
use smb3rs_proto::client::engine::{
    auth::{AuthError, Credentials, Randomness, SessionSetup, Step},
    negotiate::{NegotiateError, Negotiated, Offer},
};
use smb3rs_proto::proto::{
    crypto::AeadCipher,
    cursor::Writer,
    header::{encode_pdu, Command, Header, FLAG_SERVER_TO_REDIR},
    kdf::derive_session_keys,
    negotiate::{
        capabilities, security_mode, Dialect, NegotiateContext, NegotiateContexts,
        NegotiateRequest, NegotiateResponse, U16List,
    },
    ntlmssp::{self, AuthenticateMessage, ChallengeMessage},
    preauth::PreauthHash,
    rc4,
    session::{SessionSetupRequest, SessionSetupResponse},
    signing::{self, SigningAlgorithm},
    spnego::{self, NegState, NegTokenResp, OID_NTLMSSP},
    status,
};

const USER: &str = "smb3rs";
const PASSWORD: &str = "Sm3rs-Test!";
const SESSION_ID: u64 = 0x1122_3344_5566_7788;
const P: RustCrypto = RustCrypto;

fn offer() -> Offer<'static> {
    Offer {
        dialects: &[
            Dialect::Smb311,
            Dialect::Smb302,
            Dialect::Smb300,
            Dialect::Smb210,
        ],
        signing_required: true,
        client_guid: [7; 16],
        salt: [9; 32],
        ciphers: &[AeadCipher::Aes128Gcm, AeadCipher::Aes256Gcm],
        signing_algorithms: &[SigningAlgorithm::AesCmac, SigningAlgorithm::AesGmac],
        posix: true,
    }
}

fn response_header(cmd: Command, status: u32, session_id: u64) -> Header {
    let mut h = Header::new(cmd);
    h.status = status;
    h.flags = FLAG_SERVER_TO_REDIR;
    h.credits = 64;
    h.session_id = session_id;
    h
}

fn negotiate_response(dialect: Dialect, ctxs: &[NegotiateContext<'_>]) -> Vec<u8> {
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let resp = NegotiateResponse {
        security_mode: security_mode::SIGNING_ENABLED,
        dialect_revision: dialect.wire(),
        server_guid: [3; 16],
        capabilities: capabilities::LARGE_MTU,
        max_transact_size: 1 << 20,
        max_read_size: 1 << 20,
        max_write_size: 1 << 20,
        system_time: 0,
        server_start_time: 0,
        security_buffer: &[],
        contexts: NegotiateContexts::new(ctxs),
    };
    let n = encode_pdu(&response_header(Command::Negotiate, 0, 0), &resp, &mut w).unwrap();
    buf.truncate(n);
    buf
}

const SHA512: [u16; 1] = [1];

fn ctx_preauth() -> NegotiateContext<'static> {
    NegotiateContext::PreauthIntegrity {
        hash_algorithms: U16List::new(&SHA512),
        salt: &[1; 32],
    }
}

#[test]
fn offer_encodes_dialects_and_311_contexts() {
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let n = offer()
        .encode(&Header::new(Command::Negotiate), &mut w)
        .unwrap();
    let req = NegotiateRequest::decode(&buf[..n]).unwrap();
    assert_eq!(
        req.dialects.iter().collect::<Vec<_>>(),
        [0x311, 0x302, 0x300, 0x210]
    );
    assert_eq!(
        req.security_mode,
        security_mode::SIGNING_ENABLED | security_mode::SIGNING_REQUIRED
    );
    let kinds: Vec<u16> = req.contexts.iter().map(|c| c.context_type()).collect();
    assert_eq!(kinds, [1, 2, 8, 0x100]);
    // Without 3.1.1 there are no contexts.
    let mut o = offer();
    o.dialects = &[Dialect::Smb300];
    let mut w = Writer::new(&mut buf);
    let n = o.encode(&Header::new(Command::Negotiate), &mut w).unwrap();
    assert!(NegotiateRequest::decode(&buf[..n])
        .unwrap()
        .contexts
        .is_empty());
}

#[test]
fn negotiated_selections_are_validated() {
    let aes256 = [AeadCipher::Aes256Gcm.wire()];
    let gmac = [SigningAlgorithm::AesGmac.wire()];
    let pdu = negotiate_response(
        Dialect::Smb311,
        &[
            ctx_preauth(),
            NegotiateContext::Encryption {
                ciphers: U16List::new(&aes256),
            },
            NegotiateContext::Signing {
                algorithms: U16List::new(&gmac),
            },
            NegotiateContext::Posix,
        ],
    );
    let n = Negotiated::from_response(&offer(), &pdu).unwrap();
    assert_eq!(n.dialect, Dialect::Smb311);
    assert_eq!(n.cipher, Some(AeadCipher::Aes256Gcm));
    assert_eq!(n.signing, SigningAlgorithm::AesGmac);
    assert!(n.signing_required && n.posix && n.large_mtu());

    // A cipher we did not offer.
    let ccm = [AeadCipher::Aes128Ccm.wire()];
    let pdu = negotiate_response(
        Dialect::Smb311,
        &[
            ctx_preauth(),
            NegotiateContext::Encryption {
                ciphers: U16List::new(&ccm),
            },
        ],
    );
    assert!(matches!(
        Negotiated::from_response(&offer(), &pdu),
        Err(NegotiateError::Refused(_))
    ));
    // 3.1.1 without the preauth context.
    let pdu = negotiate_response(Dialect::Smb311, &[]);
    assert!(matches!(
        Negotiated::from_response(&offer(), &pdu),
        Err(NegotiateError::Decode(_))
    ));
    // A dialect we did not offer.
    let pdu = negotiate_response(Dialect::Smb202, &[]);
    let e = Negotiated::from_response(&offer(), &pdu).unwrap_err();
    assert!(matches!(e, NegotiateError::Refused(_)));
    assert_eq!(e.errno(), 71);
    // An error status.
    let mut pdu = negotiate_response(Dialect::Smb300, &[]);
    pdu[8..12].copy_from_slice(&status::STATUS_ACCESS_DENIED.to_le_bytes());
    assert_eq!(
        Negotiated::from_response(&offer(), &pdu),
        Err(NegotiateError::Status(status::STATUS_ACCESS_DENIED))
    );
    // 3.0 with encryption capability uses AES-128-CCM and AES-CMAC.
    let mut o = offer();
    o.dialects = &[Dialect::Smb300];
    let mut pdu = negotiate_response(Dialect::Smb300, &[]);
    pdu[64 + 24..64 + 28]
        .copy_from_slice(&(capabilities::ENCRYPTION | capabilities::LARGE_MTU).to_le_bytes());
    let n = Negotiated::from_response(&o, &pdu).unwrap();
    assert_eq!(
        (n.cipher, n.signing),
        (Some(AeadCipher::Aes128Ccm), SigningAlgorithm::AesCmac)
    );
}

/// Splits a captured stream into its PDUs (without the 4-byte frame headers).
fn frames(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 4 <= stream.len() {
        let len = u32::from_be_bytes(stream[pos..pos + 4].try_into().unwrap()) as usize;
        out.push(&stream[pos + 4..pos + 4 + len]);
        pos += 4 + len;
    }
    out
}

#[test]
fn real_ksmbd_negotiate_response_is_accepted() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/captures/ksmbd-311-sign"
    );
    let c2s = std::fs::read(format!("{dir}/c2s.bin")).unwrap();
    let s2c = std::fs::read(format!("{dir}/s2c.bin")).unwrap();
    let req = NegotiateRequest::decode(frames(&c2s)[0]).unwrap();
    // Offer what cifs.ko offered.
    let dialects: Vec<Dialect> = req.dialects.iter().filter_map(Dialect::from_wire).collect();
    let mut ciphers = Vec::new();
    for c in req.contexts.iter() {
        if let NegotiateContext::Encryption { ciphers: l } = c {
            ciphers.extend(l.iter().filter_map(AeadCipher::from_wire));
        }
    }
    let o = Offer {
        dialects: &dialects,
        ciphers: &ciphers,
        signing_algorithms: &[SigningAlgorithm::AesCmac],
        ..offer()
    };
    let n = Negotiated::from_response(&o, frames(&s2c)[0]).unwrap();
    assert_eq!(n.dialect, Dialect::Smb311);
    assert_eq!(n.signing, SigningAlgorithm::AesCmac);
    assert!(n.max_read >= 65536 && n.max_write >= 65536);
}

/// A server that knows one password and does NTLMv2 and SMB 3.1.1 key derivation.
struct MockServer {
    preauth: PreauthHash,
    challenge: [u8; 8],
    password: &'static str,
    tamper_final_signature: bool,
    guest: bool,
}

impl MockServer {
    fn new(negotiate_req: &[u8], negotiate_resp: &[u8]) -> Self {
        let mut preauth = PreauthHash::new();
        preauth.update(&P, &[negotiate_req]).unwrap();
        preauth.update(&P, &[negotiate_resp]).unwrap();
        Self {
            preauth,
            challenge: [0x42; 8],
            password: PASSWORD,
            tamper_final_signature: false,
            guest: false,
        }
    }

    fn session_response(&self, status: u32, flags: u16, blob: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; 2048];
        let mut w = Writer::new(&mut buf);
        let resp = SessionSetupResponse {
            session_flags: flags,
            security_buffer: blob,
        };
        let n = encode_pdu(
            &response_header(Command::SessionSetup, status, SESSION_ID),
            &resp,
            &mut w,
        )
        .unwrap();
        buf.truncate(n);
        buf
    }

    /// First leg: answers the NTLMSSP NEGOTIATE with a CHALLENGE.
    fn challenge(&mut self, req: &[u8]) -> Vec<u8> {
        self.preauth.update(&P, &[req]).unwrap();
        let r = SessionSetupRequest::decode(req).unwrap();
        let init = spnego::decode_neg_token_init(r.security_buffer).unwrap();
        assert!(init.offers(OID_NTLMSSP));
        let mut target_info = vec![0u8; 64];
        let mut w = Writer::new(&mut target_info);
        // MsvAvNbDomainName "D", MsvAvEOL.
        w.u16(2).unwrap();
        w.u16(2).unwrap();
        w.utf16("D").unwrap();
        w.u32(0).unwrap();
        let ti_len = w.pos();
        let chal = ChallengeMessage {
            flags: ntlmssp::flags::NEGOTIATE_UNICODE
                | ntlmssp::flags::NEGOTIATE_NTLM
                | ntlmssp::flags::NEGOTIATE_EXTENDED_SESSIONSECURITY
                | ntlmssp::flags::NEGOTIATE_TARGET_INFO
                | ntlmssp::flags::NEGOTIATE_128
                | ntlmssp::flags::NEGOTIATE_KEY_EXCH
                | ntlmssp::flags::NEGOTIATE_SIGN,
            server_challenge: self.challenge,
            target_name: &[],
            target_info: &target_info[..ti_len],
            version: None,
            raw: &[],
        };
        let mut tok = vec![0u8; 512];
        let mut w = Writer::new(&mut tok);
        chal.encode(&mut w).unwrap();
        let tok_len = w.pos();
        let mut blob = vec![0u8; 1024];
        let mut w = Writer::new(&mut blob);
        NegTokenResp {
            neg_state: Some(NegState::AcceptIncomplete),
            supported_mech: Some(OID_NTLMSSP),
            response_token: Some(&tok[..tok_len]),
            mech_list_mic: None,
        }
        .encode(&mut w)
        .unwrap();
        let n = w.pos();
        let resp = self.session_response(status::STATUS_MORE_PROCESSING_REQUIRED, 0, &blob[..n]);
        self.preauth.update(&P, &[&resp]).unwrap();
        resp
    }

    /// Second leg: checks the NTLMv2 proof, derives the keys, answers signed; returns
    /// the response and the signing key the server derived.
    fn authenticate(&mut self, req: &[u8]) -> (Vec<u8>, Option<[u8; 16]>) {
        self.preauth.update(&P, &[req]).unwrap();
        let r = SessionSetupRequest::decode(req).unwrap();
        let tok = spnego::decode_neg_token_resp(r.security_buffer).unwrap();
        let auth = AuthenticateMessage::decode(tok.response_token.unwrap()).unwrap();
        let key = ntlmssp::ntowfv2(&P, &ntlmssp::nt_hash(self.password), USER, "").unwrap();
        let (proof, temp) = auth.nt_response.split_at(16);
        let expected = ntlmssp::nt_proof_str(&P, &key, &self.challenge, temp).unwrap();
        if proof != expected {
            return (
                self.session_response(status::STATUS_LOGON_FAILURE, 0, &[]),
                None,
            );
        }
        let base = ntlmssp::session_base_key(&P, &key, &expected).unwrap();
        let mut exported: [u8; 16] = auth.encrypted_session_key.try_into().unwrap();
        rc4::rc4(&base, &mut exported).unwrap();
        let keys = derive_session_keys(&P, Dialect::Smb311, None, &exported, self.preauth.value())
            .unwrap();
        let flags = if self.guest { 1 } else { 0 };
        let mut resp = self.session_response(status::STATUS_SUCCESS, flags, &[]);
        signing::sign(
            &P,
            SigningAlgorithm::AesCmac,
            keys.signing_key(),
            &mut resp,
            &[],
        )
        .unwrap();
        if self.tamper_final_signature {
            resp[50] ^= 1;
        }
        (resp, Some(*keys.signing_key()))
    }
}

fn negotiated_311() -> (Negotiated, PreauthHash, MockServer) {
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let n = offer()
        .encode(&Header::new(Command::Negotiate), &mut w)
        .unwrap();
    let req = buf[..n].to_vec();
    let resp = negotiate_response(Dialect::Smb311, &[ctx_preauth()]);
    let neg = Negotiated::from_response(&offer(), &resp).unwrap();
    let mut preauth = PreauthHash::new();
    preauth.update(&P, &[&req]).unwrap();
    preauth.update(&P, &[&resp]).unwrap();
    (neg, preauth, MockServer::new(&req, &resp))
}

const RND: Randomness = Randomness {
    client_challenge: [5; 8],
    random_session_key: [6; 16],
    timestamp: 133_000_000_000_000_000,
};

fn creds(password: &'static str) -> Credentials<'static> {
    Credentials {
        user: USER,
        domain: "",
        password,
        workstation: "smb3rs-test",
    }
}

/// Runs both legs; returns the setup result and the server's signing key.
fn run(
    server: &mut MockServer,
    s: &mut SessionSetup<'_>,
) -> (Result<Step, AuthError>, Option<[u8; 16]>) {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    let mut h = Header::new(Command::SessionSetup);
    h.message_id = 1;
    let n = s.next_request(&P, &h, None, &RND, &mut w).unwrap();
    let resp1 = server.challenge(&buf[..n]);
    assert_eq!(s.on_response(&P, &resp1), Ok(Step::Continue));
    assert_eq!(s.session_id(), SESSION_ID);
    let mut w = Writer::new(&mut buf);
    h.message_id = 2;
    let n = s.next_request(&P, &h, Some(&resp1), &RND, &mut w).unwrap();
    // The request carries the session id the server assigned.
    assert_eq!(Header::decode(&buf[..n]).unwrap().session_id, SESSION_ID);
    let (resp2, key) = server.authenticate(&buf[..n]);
    (s.on_response(&P, &resp2), key)
}

#[test]
fn session_setup_succeeds_and_keys_match_the_servers() {
    let (neg, preauth, mut server) = negotiated_311();
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    let (r, server_key) = run(&mut server, &mut s);
    assert_eq!(r, Ok(Step::Done));
    let est = s.take_established().unwrap();
    assert_eq!(est.session_id, SESSION_ID);
    assert_eq!(Some(*est.keys.signing_key()), server_key);
    assert!(!est.encrypt_data);
}

#[test]
fn wrong_password_is_a_logon_failure_with_eacces() {
    let (neg, preauth, mut server) = negotiated_311();
    let mut s = SessionSetup::new(creds("not the password"), neg, &preauth);
    let (r, _) = run(&mut server, &mut s);
    let e = r.unwrap_err();
    assert_eq!(e, AuthError::Status(status::STATUS_LOGON_FAILURE));
    assert_eq!(e.errno(), 13);
    assert!(s.take_established().is_none());
}

#[test]
fn a_bad_final_signature_is_refused() {
    let (neg, preauth, mut server) = negotiated_311();
    server.tamper_final_signature = true;
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    assert_eq!(run(&mut server, &mut s).0, Err(AuthError::BadSignature));
}

#[test]
fn a_server_that_does_not_share_our_preauth_hash_fails_the_signature() {
    let (neg, _, mut server) = negotiated_311();
    // The client believes another NEGOTIATE exchange happened.
    let mut other = PreauthHash::new();
    other.update(&P, &[b"something else"]).unwrap();
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &other);
    assert_eq!(run(&mut server, &mut s).0, Err(AuthError::BadSignature));
}

#[test]
fn guest_logon_is_refused() {
    let (neg, preauth, mut server) = negotiated_311();
    server.guest = true;
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    let e = run(&mut server, &mut s).0.unwrap_err();
    assert_eq!(e, AuthError::Guest);
    assert_eq!(e.errno(), 13);
}

#[test]
fn out_of_sequence_calls_are_refused() {
    let (neg, preauth, server) = negotiated_311();
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    let mut buf = vec![0u8; 4096];
    let h = Header::new(Command::SessionSetup);
    // A response before any request.
    let fake = server.session_response(status::STATUS_SUCCESS, 0, &[]);
    assert!(matches!(
        s.on_response(&P, &fake),
        Err(AuthError::Protocol(_))
    ));
    // The second leg without a challenge.
    let (neg, preauth, _) = negotiated_311();
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    let mut w = Writer::new(&mut buf);
    assert!(matches!(
        s.next_request(&P, &h, Some(&fake), &RND, &mut w),
        Err(AuthError::Protocol(_))
    ));
}

#[test]
fn garbage_challenge_is_a_decode_error() {
    let (neg, preauth, server) = negotiated_311();
    let mut s = SessionSetup::new(creds(PASSWORD), neg, &preauth);
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    s.next_request(&P, &Header::new(Command::SessionSetup), None, &RND, &mut w)
        .unwrap();
    let resp = server.session_response(
        status::STATUS_MORE_PROCESSING_REQUIRED,
        0,
        b"\x30\x03\x02\x01\x05",
    );
    let e = s.on_response(&P, &resp).unwrap_err();
    assert_eq!(e.errno(), 71);
}
