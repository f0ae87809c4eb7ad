// SPDX-License-Identifier: GPL-2.0

//! Replays real traffic through the protocol core.
//!
//! `tests/fixtures/captures/<scenario>/{c2s,s2c}.bin` hold the reassembled TCP payloads
//! of Linux's cifs.ko talking to ksmbd and Samba (scripts/capture-fixtures.sh running
//! tests/capture/capture_guest.sh: mount, mkdir, write 70000 random bytes, drop caches,
//! read back, ls, stat, rename, rm, rmdir, umount). For every scenario this test:
//!
//! 1. splits both streams into their 4-byte length framed PDUs and decodes every one:
//!    compound split, header, and the request or response body decoder of its command
//!    (create contexts, directory entries, information classes, FSCTL buffers and
//!    error responses included);
//! 2. rebuilds the key schedule from the password alone: the NTLMv2 proof the client
//!    sent is recomputed (NT hash, NTOWFv2, NTProofStr), the session base key and the
//!    exported session key (RC4 key exchange) follow, then the 3.1.1 preauth integrity
//!    hash and the SMB 3.x / 2.x signing and cipher keys (cifs.ko authenticates with
//!    bare NTLMSSP messages, RawNTLMSSP, and the servers answer in kind);
//! 3. verifies the signature of every signed PDU in both directions (signing it again
//!    reproduces the sender's bytes; a copy with one flipped byte does not verify) and
//!    that nothing outside the handshake, interim responses and the sealed scenarios'
//!    clear LOGOFF goes unsigned;
//! 4. decrypts every TRANSFORM frame of the sealed scenarios with the key of its
//!    direction (sealing the plaintext again with the captured nonce reproduces the
//!    frame; tampered copies and the other direction's key do not decrypt);
//! 5. reassembles the file from the WRITE requests and from the READ responses and
//!    checks both are the same 70000 bytes.
//!
//! `cargo test --test capture_replay -- --nocapture` prints what each replay counted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use auth_common::RustCrypto;
use smb3rs_proto::proto::close::{CloseRequest, CloseResponse};
use smb3rs_proto::proto::compound;
use smb3rs_proto::proto::create::{CreateRequest, CreateResponse};
use smb3rs_proto::proto::crypto::{AeadCipher, CryptoError};
use smb3rs_proto::proto::dir::{DirClass, QueryDirectoryRequest, QueryDirectoryResponse};
use smb3rs_proto::proto::errresp::{self, ErrorResponse};
use smb3rs_proto::proto::header::{Command, Header, NOTIFICATION_MESSAGE_ID};
use smb3rs_proto::proto::info::{self, QueryInfoRequest, QueryInfoResponse};
use smb3rs_proto::proto::io::{
    FlushRequest, FlushResponse, ReadRequest, ReadResponse, WriteRequest, WriteResponse,
};
use smb3rs_proto::proto::ioctl::{self, IoctlRequest, IoctlResponse};
use smb3rs_proto::proto::kdf::{self, SessionKeys};
use smb3rs_proto::proto::lock::{LockRequest, LockResponse};
use smb3rs_proto::proto::misc::{CancelRequest, EchoRequest, EchoResponse};
use smb3rs_proto::proto::negotiate::{
    Dialect, NegotiateRequest, NegotiateResponse, ValidateNegotiateInfoRequest,
    ValidateNegotiateInfoResponse,
};
use smb3rs_proto::proto::notify::{ChangeNotifyRequest, ChangeNotifyResponse};
use smb3rs_proto::proto::ntlmssp::{self, AuthenticateMessage, ChallengeMessage, NegotiateMessage};
use smb3rs_proto::proto::oplock::BreakMessage;
use smb3rs_proto::proto::preauth::{PreauthHash, HASH_ALGORITHM_SHA512};
use smb3rs_proto::proto::rc4;
use smb3rs_proto::proto::session::{self, SessionSetupRequest, SessionSetupResponse};
use smb3rs_proto::proto::signing::{self, SigningAlgorithm, SigningError};
use smb3rs_proto::proto::spnego::{self, NegState, NegotiationToken};
use smb3rs_proto::proto::status;
use smb3rs_proto::proto::transform::{self, PacketKind, TransformError, TransformHeader};
use smb3rs_proto::proto::tree::{
    TreeConnectRequest, TreeConnectResponse, TreeDisconnectRequest, TreeDisconnectResponse,
};
use smb3rs_proto::proto::types::{FileId, WireName};

const P: RustCrypto = RustCrypto;

/// The account of tests/lib/servers.sh.
const USER: &str = "smb3rs";
const PASSWORD: &str = "Sm3rs-Test!";
/// Bytes the workload writes and reads back.
const FILE_LEN: usize = 70000;
/// Name of the file while the workload lists and stats it.
const FILE_NAME: &str = "file.bin";

/// What a capture is expected to show.
struct Scenario {
    name: &'static str,
    dialect: Dialect,
    /// The cipher the NEGOTIATE response selects (3.1.1 only; `None` for 3.0 and 2.1,
    /// which carry no negotiate contexts).
    cipher: Option<AeadCipher>,
    /// Whether the session is encrypted (every message after SESSION_SETUP sealed).
    sealed: bool,
    /// The signing algorithm of the connection.
    signing: SigningAlgorithm,
}

/// Direction of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Dir {
    C2s,
    S2c,
}

impl Dir {
    fn name(self) -> &'static str {
        match self {
            Dir::C2s => "c2s",
            Dir::S2c => "s2c",
        }
    }
}

/// Splits a stream into its frames: 4-byte big-endian lengths whose top byte is 0.
fn frames(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        assert!(pos + 4 <= stream.len(), "truncated frame header at {pos}");
        assert_eq!(stream[pos], 0, "frame at {pos}: transport header top byte");
        let len = u32::from_be_bytes([0, stream[pos + 1], stream[pos + 2], stream[pos + 3]]);
        let start = pos + 4;
        let end = start + len as usize;
        assert!(end <= stream.len(), "frame at {pos} overruns the stream");
        out.push(&stream[start..end]);
        pos = end;
    }
    out
}

fn load(scenario: &str, dir: Dir) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures")
        .join(scenario)
        .join(format!("{}.bin", dir.name()));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn utf16(bytes: &[u8]) -> String {
    assert!(bytes.len() % 2 == 0, "odd UTF-16 length");
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).expect("valid UTF-16")
}

/// Position of the byte a tampering check flips: spread over the PDU, never inside
/// the Signature field (flipping the signature itself would prove less).
fn tamper_index(len: usize, salt: usize) -> usize {
    // Past the ProtocolId (a wrong one is "not SMB2" rather than a bad signature).
    let i = 4 + (salt.wrapping_mul(7919) + 13) % (len - 4);
    if (48..64).contains(&i) {
        i - 40
    } else {
        i
    }
}

/// A SESSION_SETUP security buffer.
#[derive(Debug)]
enum Gss<'a> {
    /// No token (the servers' final leg).
    Empty,
    /// A bare NTLMSSP message (cifs.ko's RawNTLMSSP and the servers' answers to it).
    Raw(&'a [u8]),
    /// An SPNEGO token.
    Spnego(NegotiationToken<'a>),
}

fn gss(buf: &[u8]) -> Gss<'_> {
    if buf.is_empty() {
        Gss::Empty
    } else if buf.starts_with(&ntlmssp::SIGNATURE) {
        Gss::Raw(buf)
    } else {
        Gss::Spnego(spnego::decode(buf).expect("SPNEGO token"))
    }
}

/// Decodes a security buffer down to its NTLMSSP message, whichever leg it is.
fn decode_gss(buf: &[u8]) -> Result<(), smb3rs_proto::proto::error::DecodeError> {
    let ntlm = match gss(buf) {
        Gss::Empty => return Ok(()),
        Gss::Raw(m) => m,
        Gss::Spnego(NegotiationToken::Init(t)) => match t.mech_token {
            Some(m) => m,
            None => return Ok(()),
        },
        Gss::Spnego(NegotiationToken::Resp(t)) => match t.response_token {
            Some(m) => m,
            None => return Ok(()),
        },
    };
    match ntlm.get(8) {
        Some(1) => NegotiateMessage::decode(ntlm).map(|_| ()),
        Some(2) => ChallengeMessage::decode(ntlm).map(|_| ()),
        Some(3) => AuthenticateMessage::decode(ntlm).map(|_| ()),
        t => panic!("NTLMSSP message type {t:?}"),
    }
}

/// The key schedule and the connection's selections, rebuilt from the handshake.
struct Handshake {
    dialect: Dialect,
    cipher: Option<AeadCipher>,
    signing: SigningAlgorithm,
    session_id: u64,
    keys: SessionKeys,
    /// Message id of the final SESSION_SETUP response.
    final_setup_mid: u64,
    /// Number of frames at the start of each direction that make up the handshake.
    frames: usize,
    encrypt_data: bool,
}

/// Requests seen, by message id, with what their responses need to be decoded.
#[derive(Clone, Copy, Debug)]
struct ReqInfo {
    command: Command,
    /// QUERY_INFO: InfoType and class.
    info: Option<(u8, u8)>,
    /// QUERY_DIRECTORY: the class asked for.
    dir_class: Option<DirClass>,
    /// IOCTL: the CtlCode.
    ctl_code: Option<u32>,
    /// READ: offset and length; WRITE: offset and length.
    io: Option<(u64, u32)>,
}

impl ReqInfo {
    fn new(command: Command) -> Self {
        Self {
            command,
            info: None,
            dir_class: None,
            ctl_code: None,
            io: None,
        }
    }
}

/// What a replay verified.
#[derive(Debug, Default)]
struct Stats {
    frames: HashMap<Dir, usize>,
    plain_frames: HashMap<Dir, usize>,
    decrypted_frames: HashMap<Dir, usize>,
    pdus: HashMap<Dir, usize>,
    signed: HashMap<Dir, usize>,
    error_responses: usize,
    interim_responses: usize,
    create_contexts: usize,
    dir_entries: usize,
    info_classes: usize,
    validate_negotiate: usize,
}

fn bump(m: &mut HashMap<Dir, usize>, d: Dir) {
    *m.entry(d).or_default() += 1;
}

fn get(m: &HashMap<Dir, usize>, d: Dir) -> usize {
    m.get(&d).copied().unwrap_or(0)
}

/// The negotiated parameters FSCTL_VALIDATE_NEGOTIATE_INFO repeats.
#[derive(Clone, Debug, Default)]
struct NegotiateParams {
    client_dialects: Vec<u16>,
    client_guid: [u8; 16],
    client_security_mode: u16,
    client_capabilities: u32,
    server_guid: [u8; 16],
    server_security_mode: u16,
    server_capabilities: u32,
    dialect: u16,
}

struct Replay<'s> {
    sc: &'s Scenario,
    hs: Handshake,
    neg: NegotiateParams,
    requests: HashMap<u64, ReqInfo>,
    stats: Stats,
    /// WRITE payloads and READ data, by file offset.
    written: Vec<(u64, Vec<u8>)>,
    read: Vec<(u64, Vec<u8>)>,
    /// Transform nonces seen per direction (never reused under one key).
    nonces: HashMap<Dir, HashSet<[u8; 16]>>,
    /// Plain LOGOFF frames after the handshake of a sealed session.
    clear_logoff: usize,
    /// Names listed by QUERY_DIRECTORY.
    listed: HashSet<String>,
    /// EndOfFile values seen in FileAllInformation / FileStandardInformation.
    sizes: HashSet<u64>,
}

/// Runs steps 1-2: decodes the NEGOTIATE and SESSION_SETUP exchange, checks the
/// selections against the scenario and rebuilds the keys from the password.
fn handshake(sc: &Scenario, c2s: &[&[u8]], s2c: &[&[u8]]) -> (Handshake, NegotiateParams) {
    let is_setup = |f: &&[u8]| {
        transform::packet_kind(f).unwrap() == PacketKind::Plain && {
            let h = Header::decode(f).unwrap();
            matches!(h.command, Command::Negotiate | Command::SessionSetup)
        }
    };
    let reqs: Vec<&[u8]> = c2s.iter().copied().take_while(|f| is_setup(f)).collect();
    let rsps: Vec<&[u8]> = s2c.iter().copied().take_while(|f| is_setup(f)).collect();
    assert_eq!(reqs.len(), rsps.len(), "{}: handshake legs", sc.name);
    assert!(
        reqs.len() >= 3,
        "{}: NEGOTIATE plus two SESSION_SETUP legs",
        sc.name
    );
    for (q, r) in reqs.iter().zip(&rsps) {
        let (q, r) = (Header::decode(q).unwrap(), Header::decode(r).unwrap());
        assert_eq!(q.command, r.command);
        assert_eq!(q.message_id, r.message_id);
        assert_eq!(q.next_command, 0, "handshake messages are not compounded");
        assert_eq!(r.next_command, 0, "handshake messages are not compounded");
    }

    // NEGOTIATE: the scenario's dialect, cipher and signing algorithm.
    let neg_req = NegotiateRequest::decode(reqs[0]).unwrap();
    let neg_rsp = NegotiateResponse::decode(rsps[0]).unwrap();
    assert_eq!(Header::decode(reqs[0]).unwrap().command, Command::Negotiate);
    let dialect = neg_rsp.dialect().unwrap();
    assert_eq!(dialect, sc.dialect, "{}: dialect", sc.name);
    assert!(neg_req.dialects.contains(dialect.wire()));
    let sel = neg_rsp.selected().unwrap();
    if dialect == Dialect::Smb311 {
        assert_eq!(sel.preauth_hash_algorithm, HASH_ALGORITHM_SHA512);
        assert!(!sel.preauth_salt.is_empty());
    } else {
        assert!(neg_rsp.contexts.is_empty());
    }
    assert_eq!(sel.cipher, sc.cipher, "{}: cipher", sc.name);
    let signing = SigningAlgorithm::for_connection(dialect, sel.signing);
    assert_eq!(signing, sc.signing, "{}: signing algorithm", sc.name);
    // The server's GSS hint is a NegTokenInit offering NTLMSSP.
    if !neg_rsp.security_buffer.is_empty() {
        let init = spnego::decode_neg_token_init(neg_rsp.security_buffer).unwrap();
        assert!(
            init.offers(spnego::OID_NTLMSSP),
            "{}: server offers NTLMSSP",
            sc.name
        );
    }
    let neg = NegotiateParams {
        client_dialects: neg_req.dialects.iter().collect(),
        client_guid: neg_req.client_guid,
        client_security_mode: neg_req.security_mode,
        client_capabilities: neg_req.capabilities,
        server_guid: neg_rsp.server_guid,
        server_security_mode: neg_rsp.security_mode,
        server_capabilities: neg_rsp.capabilities,
        dialect: neg_rsp.dialect_revision,
    };

    // SESSION_SETUP: SPNEGO around NTLMSSP NEGOTIATE, CHALLENGE and AUTHENTICATE.
    let n = reqs.len();
    let setup_reqs: Vec<SessionSetupRequest<'_>> = reqs[1..]
        .iter()
        .map(|m| SessionSetupRequest::decode(m).unwrap())
        .collect();
    let setup_rsps: Vec<SessionSetupResponse<'_>> = rsps[1..]
        .iter()
        .map(|m| SessionSetupResponse::decode(m).unwrap())
        .collect();
    assert_eq!(n, 3, "{}: exactly two SESSION_SETUP round trips", sc.name);
    for (i, r) in rsps[1..].iter().enumerate() {
        let st = Header::decode(r).unwrap().status;
        let want = if i + 2 == n {
            status::STATUS_SUCCESS
        } else {
            status::STATUS_MORE_PROCESSING_REQUIRED
        };
        assert_eq!(st, want, "{}: SESSION_SETUP leg {i} status", sc.name);
    }
    let final_hdr = Header::decode(rsps[n - 1]).unwrap();
    let session_id = final_hdr.session_id;
    assert_ne!(session_id, 0);
    let final_rsp = &setup_rsps[n - 2];
    assert!(!final_rsp.is_guest() && !final_rsp.is_null());

    // cifs.ko's RawNTLMSSP sends bare NTLMSSP messages and the servers answer in
    // kind; SPNEGO-wrapped legs are handled too.
    let (negotiate_raw, mech_types) = match gss(setup_reqs[0].security_buffer) {
        Gss::Raw(m) => (m, None),
        Gss::Spnego(NegotiationToken::Init(init)) => {
            let mechs = init.mech_types.expect("client mechTypes");
            assert!(mechs.contains(spnego::OID_NTLMSSP));
            (init.mech_token.expect("NTLMSSP NEGOTIATE"), Some(mechs))
        }
        Gss::Spnego(t) => panic!("{}: first leg {t:?}", sc.name),
        Gss::Empty => panic!("{}: empty first leg", sc.name),
    };
    let negotiate = NegotiateMessage::decode(negotiate_raw).unwrap();
    let challenge_raw = match gss(setup_rsps[0].security_buffer) {
        Gss::Raw(m) => m,
        Gss::Spnego(NegotiationToken::Resp(t)) => {
            assert_eq!(t.neg_state, Some(NegState::AcceptIncomplete));
            assert_eq!(t.supported_mech, Some(spnego::OID_NTLMSSP));
            t.response_token.expect("NTLMSSP CHALLENGE")
        }
        t => panic!("{}: challenge leg {t:?}", sc.name),
    };
    let challenge = ChallengeMessage::decode(challenge_raw).unwrap();
    let (auth_raw, client_mic) = match gss(setup_reqs[1].security_buffer) {
        Gss::Raw(m) => (m, None),
        Gss::Spnego(NegotiationToken::Resp(t)) => (
            t.response_token.expect("NTLMSSP AUTHENTICATE"),
            t.mech_list_mic,
        ),
        t => panic!("{}: authenticate leg {t:?}", sc.name),
    };
    let auth = AuthenticateMessage::decode(auth_raw).unwrap();
    let server_mic = match gss(final_rsp.security_buffer) {
        Gss::Empty => None,
        Gss::Spnego(NegotiationToken::Resp(t)) => {
            assert_eq!(t.neg_state, Some(NegState::AcceptCompleted));
            t.mech_list_mic
        }
        t => panic!("{}: final leg {t:?}", sc.name),
    };
    let user = utf16(auth.user);
    let domain = utf16(auth.domain);
    assert_eq!(user, USER, "{}: user", sc.name);
    assert_eq!(
        negotiate.flags & ntlmssp::flags::NEGOTIATE_UNICODE,
        ntlmssp::flags::NEGOTIATE_UNICODE
    );

    // NTLMv2 from the password: the proof must equal what the client sent.
    let nt = ntlmssp::nt_hash(PASSWORD);
    let response_key = ntlmssp::ntowfv2(&P, &nt, &user, &domain).unwrap();
    assert!(auth.nt_response.len() > 16 + 28, "NTLMv2 response");
    let (proof, temp) = auth.nt_response.split_at(16);
    let mine = ntlmssp::nt_proof_str(&P, &response_key, &challenge.server_challenge, temp).unwrap();
    assert_eq!(
        &mine[..],
        proof,
        "{}: NTProofStr from the password",
        sc.name
    );
    // And a wrong password must not produce it.
    let wrong = ntlmssp::ntowfv2(&P, &ntlmssp::nt_hash("Sm3rs-Test?"), &user, &domain).unwrap();
    let bad = ntlmssp::nt_proof_str(&P, &wrong, &challenge.server_challenge, temp).unwrap();
    assert_ne!(&bad[..], proof);
    // The blob echoes the server challenge's target info after its fixed part.
    assert_eq!(temp[0], 1, "NTLMv2_CLIENT_CHALLENGE RespType");
    assert_eq!(temp[1], 1, "NTLMv2_CLIENT_CHALLENGE HiRespType");

    let base = ntlmssp::session_base_key(&P, &response_key, &mine).unwrap();
    let exported: [u8; 16] = if auth.flags & ntlmssp::flags::NEGOTIATE_KEY_EXCH != 0 {
        let mut k: [u8; 16] = auth.encrypted_session_key.try_into().expect("16-byte key");
        rc4::rc4(&base, &mut k).unwrap();
        k
    } else {
        assert!(auth.encrypted_session_key.is_empty());
        base
    };
    if auth.mic.is_some() {
        assert!(
            ntlmssp::verify_mic(&P, &exported, negotiate_raw, challenge.raw, auth_raw).unwrap(),
            "{}: AUTHENTICATE MIC",
            sc.name
        );
    }
    // mechListMICs, when sent, are NTLM signatures over the client's MechTypeList.
    if let Some(mic) = client_mic {
        let der = mech_types.expect("mechTypes").der();
        let want = ntlmssp::mech_list_mic(&P, &exported, auth.flags, der, true).unwrap();
        assert_eq!(mic, &want[..], "{}: client mechListMIC", sc.name);
    }
    if let Some(mic) = server_mic {
        let der = mech_types.expect("mechTypes").der();
        let want = ntlmssp::mech_list_mic(&P, &exported, auth.flags, der, false).unwrap();
        assert_eq!(mic, &want[..], "{}: server mechListMIC", sc.name);
    }

    // 3.1.1: the preauth hash over everything but the final SESSION_SETUP response.
    let mut preauth = PreauthHash::new();
    if dialect == Dialect::Smb311 {
        preauth.update(&P, &[reqs[0]]).unwrap();
        preauth.update(&P, &[rsps[0]]).unwrap();
        for i in 1..n {
            preauth.update(&P, &[reqs[i]]).unwrap();
            if i + 1 < n {
                preauth.update(&P, &[rsps[i]]).unwrap();
            }
        }
    }
    let keys =
        kdf::derive_session_keys(&P, dialect, sel.cipher, &exported, preauth.value()).unwrap();
    if sc.sealed {
        let klen = sc.cipher.unwrap().key_len();
        assert_eq!(keys.encryption_key().len(), klen);
        assert_eq!(keys.decryption_key().len(), klen);
    }
    if dialect < Dialect::Smb300 {
        assert_eq!(
            keys.signing_key(),
            &exported,
            "2.x signs with the session key"
        );
    }

    // The final SESSION_SETUP response is signed with the new keys (3.1.1 always;
    // older dialects when signing is on).
    assert!(
        final_hdr.is_signed(),
        "{}: final SESSION_SETUP signed",
        sc.name
    );
    signing::verify(&P, signing, keys.signing_key(), &[rsps[n - 1]])
        .unwrap_or_else(|e| panic!("{}: final SESSION_SETUP signature: {e:?}", sc.name));

    (
        Handshake {
            dialect,
            cipher: sel.cipher,
            signing,
            session_id,
            keys,
            final_setup_mid: final_hdr.message_id,
            frames: n,
            encrypt_data: final_rsp.encrypt_data(),
        },
        neg,
    )
}

impl<'s> Replay<'s> {
    fn frame(&mut self, dir: Dir, index: usize, frame: &[u8]) {
        bump(&mut self.stats.frames, dir);
        let after_handshake = index >= self.hs.frames;
        match transform::packet_kind(frame).unwrap() {
            PacketKind::Plain => {
                bump(&mut self.stats.plain_frames, dir);
                if self.sc.sealed && after_handshake {
                    // cifs.ko's "seal" encrypts per tree connect (the servers did not set
                    // SESSION_FLAG_ENCRYPT_DATA), so the tree-less LOGOFF and its response
                    // travel in the clear; nothing else may.
                    let h = Header::decode(frame).unwrap();
                    assert!(
                        h.command == Command::Logoff && h.next_command == 0,
                        "{}: plain {:?} frame {index} ({dir:?}) in a sealed session",
                        self.sc.name,
                        h.command
                    );
                    self.clear_logoff += 1;
                }
                self.message(dir, frame, false);
            }
            PacketKind::Encrypted => {
                assert!(
                    self.sc.sealed,
                    "{}: transform frame while signing only",
                    self.sc.name
                );
                assert!(
                    after_handshake,
                    "{}: transform frame during handshake",
                    self.sc.name
                );
                let plain = self.decrypt(dir, frame);
                bump(&mut self.stats.decrypted_frames, dir);
                self.message(dir, &plain, true);
            }
            PacketKind::Compressed => panic!("{}: compressed frame", self.sc.name),
        }
    }

    fn cipher_key(&self, dir: Dir) -> &[u8] {
        match dir {
            Dir::C2s => self.hs.keys.encryption_key(),
            Dir::S2c => self.hs.keys.decryption_key(),
        }
    }

    fn decrypt(&mut self, dir: Dir, frame: &[u8]) -> Vec<u8> {
        let cipher = self.hs.cipher.expect("a cipher for a sealed session");
        let th = TransformHeader::decode(frame).unwrap();
        assert_eq!(th.session_id, self.hs.session_id);
        assert_eq!(th.flags, transform::TRANSFORM_FLAG_ENCRYPTED);
        assert_eq!(
            th.original_message_size as usize,
            frame.len() - transform::TRANSFORM_HEADER_LEN
        );
        assert!(
            self.nonces.entry(dir).or_default().insert(th.nonce),
            "{}: nonce reused",
            self.sc.name
        );
        let key = self.cipher_key(dir).to_vec();

        // A tampered ciphertext, and a tampered associated data, must not decrypt.
        let n = get(&self.stats.decrypted_frames, dir);
        let mut bad = frame.to_vec();
        let i = transform::TRANSFORM_HEADER_LEN + n * 31 % (frame.len() - 52);
        bad[i] ^= 0x80;
        assert_eq!(
            transform::decrypt(&P, cipher, &key, &mut bad).unwrap_err(),
            TransformError::Crypto(CryptoError::AuthenticationFailed)
        );
        let mut bad = frame.to_vec();
        bad[20 + n % 32] ^= 0x01;
        assert!(transform::decrypt(&P, cipher, &key, &mut bad).is_err());
        // Nor does the other direction's key open it.
        let other = match dir {
            Dir::C2s => Dir::S2c,
            Dir::S2c => Dir::C2s,
        };
        let mut copy = frame.to_vec();
        assert!(transform::decrypt(&P, cipher, self.cipher_key(other), &mut copy).is_err());

        let mut buf = frame.to_vec();
        let (h, plain) = transform::decrypt(&P, cipher, &key, &mut buf)
            .unwrap_or_else(|e| panic!("{}: {dir:?} transform: {e:?}", self.sc.name));
        assert_eq!(h, th);
        let plain = plain.to_vec();

        // Sealing the plaintext again with the captured nonce reproduces the frame
        // byte for byte: the encrypt path matches the sender's too.
        let nlen = cipher.nonce_len();
        assert!(
            th.nonce[nlen..].iter().all(|&b| b == 0),
            "{}: nonce padding",
            self.sc.name
        );
        let mut again = plain.clone();
        let mut hdr = [0u8; transform::TRANSFORM_HEADER_LEN];
        transform::encrypt(
            &P,
            cipher,
            &key,
            &th.nonce[..nlen],
            th.session_id,
            &mut again,
            &mut hdr,
        )
        .unwrap();
        assert_eq!(&hdr[..], &frame[..transform::TRANSFORM_HEADER_LEN]);
        assert!(again == frame[transform::TRANSFORM_HEADER_LEN..]);
        plain
    }

    fn message(&mut self, dir: Dir, msg: &[u8], encrypted: bool) {
        let mut count = 0;
        for pdu in compound::split(msg) {
            let pdu = pdu.unwrap_or_else(|e| panic!("{}: compound split: {e:?}", self.sc.name));
            count += 1;
            let hdr = pdu.header;
            bump(&mut self.stats.pdus, dir);
            assert_eq!(
                hdr.is_response(),
                dir == Dir::S2c,
                "{}: direction",
                self.sc.name
            );
            if count > 1 {
                // Every compound cifs.ko sends or gets back is a related chain.
                assert!(hdr.is_related(), "{}: related compound", self.sc.name);
            }
            self.signature(dir, &hdr, pdu.bytes, encrypted);
            if dir == Dir::C2s {
                self.request(&hdr, pdu.bytes);
            } else {
                self.response(&hdr, pdu.bytes);
            }
        }
        assert!(count > 0);
    }

    fn signature(&mut self, dir: Dir, hdr: &Header, pdu: &[u8], encrypted: bool) {
        let key = *self.hs.keys.signing_key();
        if hdr.is_signed() {
            assert!(signing::is_signed(pdu));
            assert_eq!(
                hdr.session_id, self.hs.session_id,
                "{}: signed by our session",
                self.sc.name
            );
            signing::verify(&P, self.hs.signing, &key, &[pdu]).unwrap_or_else(|e| {
                panic!(
                    "{}: {dir:?} {:?} mid {} signature: {e:?}",
                    self.sc.name, hdr.command, hdr.message_id
                )
            });
            // Also over segments split at an arbitrary point.
            let cut = 64 + (pdu.len() - 64) / 3;
            signing::verify(&P, self.hs.signing, &key, &[&pdu[..cut], &pdu[cut..]]).unwrap();
            // Signing the PDU again (signature cleared) reproduces the sender's bytes.
            let mut again = pdu.to_vec();
            again[48..64].fill(0);
            let (first, rest) = again.split_at_mut(cut);
            signing::sign(&P, self.hs.signing, &key, first, &[rest]).unwrap();
            assert!(again == pdu, "{}: re-signed PDU differs", self.sc.name);
            let n = get(&self.stats.signed, dir);
            let mut bad = pdu.to_vec();
            let i = tamper_index(bad.len(), n);
            bad[i] ^= 0x04;
            assert_eq!(
                signing::verify(&P, self.hs.signing, &key, &[&bad]),
                Err(SigningError::BadSignature),
                "{}: tampered PDU verified",
                self.sc.name
            );
            let mut bad = pdu.to_vec();
            bad[48 + n % 16] ^= 0x40;
            assert_eq!(
                signing::verify(&P, self.hs.signing, &key, &[&bad]),
                Err(SigningError::BadSignature)
            );
            bump(&mut self.stats.signed, dir);
            return;
        }
        // Which messages may go unsigned.
        let handshake = match hdr.command {
            Command::Negotiate => true,
            Command::SessionSetup => hdr.message_id != self.hs.final_setup_mid || dir == Dir::C2s,
            _ => false,
        };
        let interim = hdr.is_async() && hdr.status == status::STATUS_PENDING;
        // See the clear LOGOFF in frame(): signing is not required in the sealed
        // scenarios, so cifs.ko does not sign it either, nor the servers its response.
        let clear_logoff = self.sc.sealed && hdr.command == Command::Logoff;
        let notification = hdr.message_id == NOTIFICATION_MESSAGE_ID;
        assert!(
            handshake || interim || notification || encrypted || clear_logoff,
            "{}: unsigned {dir:?} {:?} mid {} outside the handshake",
            self.sc.name,
            hdr.command,
            hdr.message_id
        );
        if encrypted {
            assert_eq!(hdr.signature, [0; 16], "sealed PDUs carry no signature");
        }
    }

    fn request(&mut self, hdr: &Header, pdu: &[u8]) {
        let name = self.sc.name;
        let at = format!("{name}: {:?} request mid {}", hdr.command, hdr.message_id);
        let mut ri = ReqInfo::new(hdr.command);
        match hdr.command {
            Command::Negotiate => {
                NegotiateRequest::decode(pdu).expect(&at);
            }
            Command::SessionSetup => {
                let r = SessionSetupRequest::decode(pdu).expect(&at);
                decode_gss(r.security_buffer).expect(&at);
            }
            Command::Logoff => session::decode_logoff(pdu).expect(&at),
            Command::TreeConnect => {
                let r = TreeConnectRequest::decode(pdu).expect(&at);
                let WireName::Utf16(p) = r.path else {
                    panic!("{at}: decoded names are UTF-16");
                };
                let path = utf16(p.as_bytes());
                assert!(path.starts_with("\\\\"), "{name}: tree path {path}");
            }
            Command::TreeDisconnect => {
                TreeDisconnectRequest::decode(pdu).expect(&at);
            }
            Command::Create => {
                let r = CreateRequest::decode(pdu).expect(&at);
                for c in r.contexts.iter() {
                    let c = c.expect(&at);
                    c.parse_request().expect(&at);
                    self.stats.create_contexts += 1;
                }
            }
            Command::Close => {
                CloseRequest::decode(pdu).expect(&at);
            }
            Command::Flush => {
                FlushRequest::decode(pdu).expect(&at);
            }
            Command::Read => {
                let r = ReadRequest::decode(pdu).expect(&at);
                ri.io = Some((r.offset, r.length));
            }
            Command::Write => {
                let (r, data) = WriteRequest::decode(pdu).expect(&at);
                assert_eq!(data.len(), r.length as usize);
                ri.io = Some((r.offset, r.length));
                self.written.push((r.offset, data.to_vec()));
            }
            Command::Lock => {
                LockRequest::decode(pdu).expect(&at);
            }
            Command::Ioctl => {
                let r = IoctlRequest::decode(pdu).expect(&at);
                ri.ctl_code = Some(r.ctl_code);
                if r.ctl_code == ioctl::FSCTL_VALIDATE_NEGOTIATE_INFO {
                    assert_eq!(r.file_id, FileId::COMPOUND);
                    let v = ValidateNegotiateInfoRequest::decode(r.input).expect(&at);
                    assert_eq!(v.guid, self.neg.client_guid);
                    assert_eq!(v.security_mode, self.neg.client_security_mode);
                    assert_eq!(v.capabilities, self.neg.client_capabilities);
                    assert_eq!(
                        v.dialects.iter().collect::<Vec<_>>(),
                        self.neg.client_dialects
                    );
                }
            }
            Command::Cancel => {
                CancelRequest::decode(pdu).expect(&at);
            }
            Command::Echo => {
                EchoRequest::decode(pdu).expect(&at);
            }
            Command::QueryDirectory => {
                let r = QueryDirectoryRequest::decode(pdu).expect(&at);
                ri.dir_class = Some(r.class);
            }
            Command::ChangeNotify => {
                ChangeNotifyRequest::decode(pdu).expect(&at);
            }
            Command::QueryInfo => {
                let r = QueryInfoRequest::decode(pdu).expect(&at);
                ri.info = Some((r.info_type, r.class));
            }
            Command::SetInfo => {
                let r = info::SetInfoRequest::decode(pdu).expect(&at);
                if let info::InfoData::Raw {
                    info_type: info::INFO_FILE,
                    class: info::FILE_RENAME_INFORMATION,
                    data,
                } = r.data
                {
                    let ren = info::FileRenameInfo::decode(data).expect(&at);
                    let WireName::Utf16(n) = ren.name else {
                        panic!("decoded names are UTF-16");
                    };
                    assert!(utf16(n.as_bytes()).ends_with("renamed.bin"));
                }
            }
            Command::OplockBreak => {
                BreakMessage::decode(pdu).expect(&at);
            }
            Command::ServerToClientNotification => panic!("{name}: client sent a notification"),
        }
        assert!(
            self.requests.insert(hdr.message_id, ri).is_none() || hdr.command == Command::Cancel,
            "{name}: message id {} reused",
            hdr.message_id
        );
    }

    fn response(&mut self, hdr: &Header, pdu: &[u8]) {
        let name = self.sc.name;
        let at = format!("{name}: {:?} response mid {}", hdr.command, hdr.message_id);
        if hdr.message_id == NOTIFICATION_MESSAGE_ID {
            assert_eq!(hdr.command, Command::OplockBreak);
            BreakMessage::decode(pdu).expect(&at);
            return;
        }
        let ri = *self
            .requests
            .get(&hdr.message_id)
            .unwrap_or_else(|| panic!("{name}: response mid {} without request", hdr.message_id));
        assert_eq!(ri.command, hdr.command, "{name}: mid {}", hdr.message_id);
        if errresp::is_error_response(hdr, pdu) {
            ErrorResponse::decode(pdu).expect(&at);
            self.stats.error_responses += 1;
            if hdr.status == status::STATUS_PENDING {
                assert!(hdr.is_async(), "{name}: interim responses are async");
                self.stats.interim_responses += 1;
            }
            return;
        }
        assert!(
            !status::is_error(hdr.status) || hdr.status == status::STATUS_MORE_PROCESSING_REQUIRED,
            "{name}: {:?} mid {} error {:#x} with a command body",
            hdr.command,
            hdr.message_id,
            hdr.status
        );
        match hdr.command {
            Command::Negotiate => {
                let r = NegotiateResponse::decode(pdu).expect(&at);
                r.selected().expect(&at);
            }
            Command::SessionSetup => {
                let r = SessionSetupResponse::decode(pdu).expect(&at);
                decode_gss(r.security_buffer).expect(&at);
            }
            Command::Logoff => session::decode_logoff(pdu).expect(&at),
            Command::TreeConnect => {
                TreeConnectResponse::decode(pdu).expect(&at);
            }
            Command::TreeDisconnect => {
                TreeDisconnectResponse::decode(pdu).expect(&at);
            }
            Command::Create => {
                let r = CreateResponse::decode(pdu).expect(&at);
                for c in r.contexts.iter() {
                    let c = c.expect(&at);
                    c.parse_response().expect(&at);
                    self.stats.create_contexts += 1;
                }
                r.lease().expect(&at);
            }
            Command::Close => {
                CloseResponse::decode(pdu).expect(&at);
            }
            Command::Flush => {
                FlushResponse::decode(pdu).expect(&at);
            }
            Command::Read => {
                let r = ReadResponse::decode(pdu).expect(&at);
                let data = r.data(pdu).expect(&at);
                let (off, len) = ri.io.unwrap();
                assert!(data.len() <= len as usize);
                self.read.push((off, data.to_vec()));
            }
            Command::Write => {
                let r = WriteResponse::decode(pdu).expect(&at);
                assert_eq!(r.count, ri.io.unwrap().1, "{name}: bytes written");
            }
            Command::Lock => {
                LockResponse::decode(pdu).expect(&at);
            }
            Command::Ioctl => {
                let r = IoctlResponse::decode(pdu).expect(&at);
                assert_eq!(Some(r.ctl_code), ri.ctl_code);
                match r.ctl_code {
                    ioctl::FSCTL_VALIDATE_NEGOTIATE_INFO => {
                        let v = ValidateNegotiateInfoResponse::decode(r.output).expect(&at);
                        assert_eq!(v.guid, self.neg.server_guid);
                        assert_eq!(v.security_mode, self.neg.server_security_mode);
                        assert_eq!(v.capabilities, self.neg.server_capabilities);
                        assert_eq!(v.dialect, self.neg.dialect);
                        self.stats.validate_negotiate += 1;
                    }
                    ioctl::FSCTL_QUERY_NETWORK_INTERFACE_INFO => {
                        for i in ioctl::network_interfaces(r.output) {
                            i.expect(&at);
                        }
                    }
                    _ => {}
                }
            }
            Command::Cancel => panic!("{name}: CANCEL has no response"),
            Command::Echo => {
                EchoResponse::decode(pdu).expect(&at);
            }
            Command::QueryDirectory => {
                let r = QueryDirectoryResponse::decode(pdu).expect(&at);
                for e in r.entries(ri.dir_class.unwrap()) {
                    let e = e.expect(&at);
                    let n = utf16(e.name.as_bytes());
                    if n == FILE_NAME {
                        assert_eq!(e.end_of_file, FILE_LEN as u64);
                    }
                    self.listed.insert(n);
                    self.stats.dir_entries += 1;
                }
            }
            Command::ChangeNotify => {
                let r = ChangeNotifyResponse::decode(pdu).expect(&at);
                for c in r.changes() {
                    c.expect(&at);
                }
            }
            Command::QueryInfo => {
                let r = QueryInfoResponse::decode(pdu).expect(&at);
                let (ty, class) = ri.info.unwrap();
                self.info(ty, class, r.output)
                    .unwrap_or_else(|e| panic!("{name}: info {ty}/{class}: {e:?}"));
                self.stats.info_classes += 1;
            }
            Command::SetInfo => {
                info::SetInfoResponse::decode(pdu).expect(&at);
            }
            Command::OplockBreak => {
                BreakMessage::decode(pdu).expect(&at);
            }
            Command::ServerToClientNotification => {}
        }
    }

    fn info(
        &mut self,
        ty: u8,
        class: u8,
        buf: &[u8],
    ) -> Result<(), smb3rs_proto::proto::error::DecodeError> {
        match (ty, class) {
            (info::INFO_FILE, info::FILE_ALL_INFORMATION) => {
                let a = info::FileAllInfo::decode(buf)?;
                self.sizes.insert(a.standard.end_of_file);
            }
            (info::INFO_FILE, info::FILE_BASIC_INFORMATION) => {
                info::FileBasicInfo::decode(buf)?;
            }
            (info::INFO_FILE, info::FILE_STANDARD_INFORMATION) => {
                let s = info::FileStandardInfo::decode(buf)?;
                self.sizes.insert(s.end_of_file);
            }
            (info::INFO_FILE, info::FILE_INTERNAL_INFORMATION) => {
                info::decode_internal_info(buf)?;
            }
            (info::INFO_FILE, info::FILE_EA_INFORMATION) => {
                info::decode_ea_info(buf)?;
            }
            (info::INFO_FILE, info::FILE_NETWORK_OPEN_INFORMATION) => {
                info::decode_network_open_info(buf)?;
            }
            (info::INFO_FILE, info::FILE_POSIX_INFORMATION) => {
                info::FilePosixInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_VOLUME_INFORMATION) => {
                info::FsVolumeInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_SIZE_INFORMATION) => {
                info::FsSizeInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_FULL_SIZE_INFORMATION) => {
                info::FsFullSizeInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_ATTRIBUTE_INFORMATION) => {
                info::FsAttributeInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_DEVICE_INFORMATION) => {
                info::FsDeviceInfo::decode(buf)?;
            }
            (info::INFO_FILESYSTEM, info::FS_SECTOR_SIZE_INFORMATION) => {
                info::FsSectorSizeInfo::decode(buf)?;
            }
            (ty, class) => panic!("{}: no decoder for info {ty}/{class}", self.sc.name),
        }
        Ok(())
    }
}

/// Lays chunks out by offset; overlapping chunks must agree and the result must have
/// no holes.
fn assemble(what: &str, chunks: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let end = chunks
        .iter()
        .map(|(o, d)| *o as usize + d.len())
        .max()
        .unwrap_or(0);
    let mut img = vec![0u8; end];
    let mut have = vec![false; end];
    for (off, d) in chunks {
        for (j, b) in d.iter().enumerate() {
            let i = *off as usize + j;
            if have[i] {
                assert_eq!(img[i], *b, "{what}: overlapping data differs at {i}");
            }
            img[i] = *b;
            have[i] = true;
        }
    }
    assert!(have.iter().all(|&h| h), "{what}: hole in the data");
    img
}

fn replay(sc: &Scenario) -> Stats {
    let c2s_raw = load(sc.name, Dir::C2s);
    let s2c_raw = load(sc.name, Dir::S2c);
    let c2s = frames(&c2s_raw);
    let s2c = frames(&s2c_raw);
    let (hs, neg) = handshake(sc, &c2s, &s2c);
    assert_eq!(hs.dialect, sc.dialect);
    let mut r = Replay {
        sc,
        hs,
        neg,
        requests: HashMap::new(),
        stats: Stats::default(),
        written: Vec::new(),
        read: Vec::new(),
        nonces: HashMap::new(),
        listed: HashSet::new(),
        clear_logoff: 0,
        sizes: HashSet::new(),
    };
    // Requests first, so every response finds the request it answers.
    for (i, f) in c2s.iter().enumerate() {
        r.frame(Dir::C2s, i, f);
    }
    for (i, f) in s2c.iter().enumerate() {
        r.frame(Dir::S2c, i, f);
    }

    // The file went out and came back byte for byte.
    let written = assemble("WRITE", &r.written);
    let read = assemble("READ", &r.read);
    assert_eq!(written.len(), FILE_LEN, "{}: bytes written", sc.name);
    assert_eq!(read.len(), FILE_LEN, "{}: bytes read", sc.name);
    assert!(
        written == read,
        "{}: READ data differs from WRITE data",
        sc.name
    );
    assert!(
        r.listed.contains(FILE_NAME),
        "{}: ls lists {FILE_NAME}",
        sc.name
    );
    assert!(
        r.sizes.contains(&(FILE_LEN as u64)),
        "{}: stat sees the size",
        sc.name
    );

    let st = &r.stats;
    for d in [Dir::C2s, Dir::S2c] {
        assert_eq!(
            get(&st.frames, d),
            if d == Dir::C2s { c2s.len() } else { s2c.len() }
        );
        if sc.sealed {
            assert_eq!(
                get(&st.decrypted_frames, d) + get(&st.plain_frames, d),
                get(&st.frames, d),
                "{}: every {d:?} frame plain or decrypted",
                sc.name
            );
            assert!(
                get(&st.decrypted_frames, d) > 20,
                "{}: sealed {d:?} frames",
                sc.name
            );
        } else {
            assert!(get(&st.signed, d) > 20, "{}: signed {d:?} PDUs", sc.name);
            assert_eq!(get(&st.decrypted_frames, d), 0);
        }
    }
    if sc.sealed {
        // One LOGOFF each way in the clear, after the handshake.
        assert_eq!(
            r.clear_logoff, 2,
            "{}: clear LOGOFF request and response",
            sc.name
        );
        for d in [Dir::C2s, Dir::S2c] {
            assert_eq!(get(&st.plain_frames, d), r.hs.frames + 1);
        }
        // Only the final SESSION_SETUP response is signed; the rest is sealed.
        assert_eq!(get(&st.signed, Dir::S2c), 1);
        assert_eq!(get(&st.signed, Dir::C2s), 0);
    }
    if matches!(sc.dialect, Dialect::Smb300 | Dialect::Smb302) {
        assert!(
            st.validate_negotiate > 0,
            "{}: VALIDATE_NEGOTIATE_INFO",
            sc.name
        );
    }
    println!(
        "{}: c2s {} frames / {} PDUs, s2c {} frames / {} PDUs; signatures verified c2s {} s2c {}; \
         frames decrypted c2s {} s2c {}; {} error responses ({} interim), {} create contexts, \
         {} directory entries, {} info buffers, {} validate-negotiate; {} bytes written = read; \
         signing {:?}, cipher {:?}, SESSION_FLAG_ENCRYPT_DATA {}",
        sc.name,
        get(&st.frames, Dir::C2s),
        get(&st.pdus, Dir::C2s),
        get(&st.frames, Dir::S2c),
        get(&st.pdus, Dir::S2c),
        get(&st.signed, Dir::C2s),
        get(&st.signed, Dir::S2c),
        get(&st.decrypted_frames, Dir::C2s),
        get(&st.decrypted_frames, Dir::S2c),
        st.error_responses,
        st.interim_responses,
        st.create_contexts,
        st.dir_entries,
        st.info_classes,
        st.validate_negotiate,
        written.len(),
        r.hs.signing,
        r.hs.cipher,
        r.hs.encrypt_data,
    );
    r.stats
}

#[test]
fn ksmbd_311_sign() {
    replay(&Scenario {
        name: "ksmbd-311-sign",
        dialect: Dialect::Smb311,
        // Not encrypting, but cifs.ko offers ciphers and ksmbd picks its first choice.
        cipher: Some(AeadCipher::Aes128Gcm),
        sealed: false,
        signing: SigningAlgorithm::AesCmac,
    });
}

#[test]
fn ksmbd_311_seal_gcm128() {
    replay(&Scenario {
        name: "ksmbd-311-seal-gcm128",
        dialect: Dialect::Smb311,
        cipher: Some(AeadCipher::Aes128Gcm),
        sealed: true,
        signing: SigningAlgorithm::AesCmac,
    });
}

#[test]
fn ksmbd_311_seal_gcm256() {
    replay(&Scenario {
        name: "ksmbd-311-seal-gcm256",
        dialect: Dialect::Smb311,
        cipher: Some(AeadCipher::Aes256Gcm),
        sealed: true,
        signing: SigningAlgorithm::AesCmac,
    });
}

#[test]
fn samba_311_seal_ccm128() {
    replay(&Scenario {
        name: "samba-311-seal-ccm128",
        dialect: Dialect::Smb311,
        cipher: Some(AeadCipher::Aes128Ccm),
        sealed: true,
        signing: SigningAlgorithm::AesCmac,
    });
}

#[test]
fn samba_300_sign() {
    replay(&Scenario {
        name: "samba-300-sign",
        dialect: Dialect::Smb300,
        cipher: None,
        sealed: false,
        signing: SigningAlgorithm::AesCmac,
    });
}

#[test]
fn samba_210_sign() {
    replay(&Scenario {
        name: "samba-210-sign",
        dialect: Dialect::Smb210,
        cipher: None,
        sealed: false,
        signing: SigningAlgorithm::HmacSha256,
    });
}
