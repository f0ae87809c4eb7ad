// SPDX-License-Identifier: GPL-2.0

//! Invariant checks shared by the smb3rs fuzz targets.
//!
//! Every `check_*` function takes arbitrary bytes, runs the decoders of one family on
//! them, walks every iterator to its end and asserts what must hold for whatever the
//! decoders accept: borrowed slices lie inside the input, iterators stop and stay
//! stopped after an error and cannot yield more items than the input has room for,
//! and decode -> encode -> decode gives back the same value wherever the type has an
//! encoder. Decoders must never panic; a panic or an assertion failure here is a
//! crash for libFuzzer.
//!
//! Each target in `fuzz_targets/` calls one of these; [`check_compound`] also
//! dispatches each PDU it splits off to the checks of its command, as the client's
//! receive path does.

use smb3rs_proto::proto::close::{CloseRequest, CloseResponse};
use smb3rs_proto::proto::compound;
use smb3rs_proto::proto::create::{
    self, CreateContexts, CreateRequest, CreateResponse, RawContext,
};
use smb3rs_proto::proto::crypto::{
    AeadCipher, CryptoError, CryptoProvider, Mac, GMAC_NONCE_LEN, TAG_LEN,
};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::dir::{
    self, DirClass, DirEntry, QueryDirectoryRequest, QueryDirectoryResponse,
};
use smb3rs_proto::proto::error::EncodeError;
use smb3rs_proto::proto::errresp::{self, ErrorResponse, SymlinkError};
use smb3rs_proto::proto::header::{self, Body, Command, Header, HeaderId, HEADER_SIZE};
use smb3rs_proto::proto::info::{self, *};
use smb3rs_proto::proto::io::{
    FlushRequest, FlushResponse, ReadRequest, ReadResponse, WriteRequest, WriteResponse,
    READ_RESPONSE_FIXED_END,
};
use smb3rs_proto::proto::ioctl::{
    self, IoctlRequest, IoctlResponse, NetworkInterface, ReparseData,
};
use smb3rs_proto::proto::lock::{LockRequest, LockResponse};
use smb3rs_proto::proto::misc::{CancelRequest, EchoRequest, EchoResponse};
use smb3rs_proto::proto::negotiate::{
    NegotiateContext, NegotiateRequest, NegotiateResponse, Utf16Text, ValidateNegotiateInfoRequest,
    ValidateNegotiateInfoResponse,
};
use smb3rs_proto::proto::notify::{self, Change, ChangeNotifyRequest, ChangeNotifyResponse};
use smb3rs_proto::proto::ntlmssp::{self, AuthenticateMessage, ChallengeMessage, NegotiateMessage};
use smb3rs_proto::proto::oplock::{
    BreakMessage, LeaseBreakAck, LeaseBreakNotification, OplockBreak, ServerToClientNotification,
};
use smb3rs_proto::proto::session::{self, SessionSetupRequest, SessionSetupResponse};
use smb3rs_proto::proto::spnego::{self, NegotiationToken};
use smb3rs_proto::proto::transform::{
    self, CompressionTransformHeader, TransformError, TransformHeader, TRANSFORM_HEADER_LEN,
};
use smb3rs_proto::proto::tree::{
    TreeConnectRequest, TreeConnectResponse, TreeDisconnectRequest, TreeDisconnectResponse,
};
use smb3rs_proto::proto::types::{Sid, Utf16Error, Utf16Str, WireName};

/// Every directory information class, in wire order.
pub const DIR_CLASSES: [DirClass; 7] = [
    DirClass::Directory,
    DirClass::FullDirectory,
    DirClass::BothDirectory,
    DirClass::Names,
    DirClass::IdBothDirectory,
    DirClass::IdFullDirectory,
    DirClass::Posix,
];

/// Every AEAD cipher.
pub const CIPHERS: [AeadCipher; 4] = [
    AeadCipher::Aes128Ccm,
    AeadCipher::Aes128Gcm,
    AeadCipher::Aes256Ccm,
    AeadCipher::Aes256Gcm,
];

// ---- helpers ------------------------------------------------------------------------

/// Runs an encoder into a growing buffer and returns what it wrote. Checks that
/// `BufferTooSmall` always asks for more than the buffer had.
pub fn encode_with(
    mut f: impl FnMut(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<Vec<u8>, EncodeError> {
    let mut cap = 256usize;
    loop {
        let mut buf = vec![0u8; cap];
        let mut w = Writer::new(&mut buf);
        match f(&mut w) {
            Ok(()) => {
                let n = w.pos();
                buf.truncate(n);
                return Ok(buf);
            }
            Err(EncodeError::BufferTooSmall { needed, capacity }) => {
                assert_eq!(capacity, cap, "BufferTooSmall reports the wrong capacity");
                assert!(
                    needed > cap,
                    "BufferTooSmall needed {needed} <= capacity {cap}"
                );
                assert!(needed <= 1 << 26, "encoder asked for {needed} bytes");
                cap = needed.max(cap.saturating_mul(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Unwraps a re-encoding that may legitimately fail only with `TooLarge`: decoders
/// accept overlapping variable fields (two names over the same bytes), whose copies
/// can exceed a 16-bit length field once laid out one after the other.
pub fn reencoded(r: Result<Vec<u8>, EncodeError>, what: &str) -> Option<Vec<u8>> {
    match r {
        Ok(v) => Some(v),
        Err(EncodeError::TooLarge) => None,
        Err(e) => panic!("{what} does not re-encode: {e:?}"),
    }
}

/// Encodes `body` after a plain header for its command (the PDU starts at offset 0).
pub fn encode_pdu<B: Body>(body: &B) -> Result<Vec<u8>, EncodeError> {
    let hdr = Header::new(B::COMMAND);
    encode_with(|w| {
        let n = header::encode_pdu(&hdr, body, w)?;
        assert_eq!(n, w.pos(), "encode_pdu returned the wrong length");
        Ok(())
    })
}

/// Whether `inner` is a (possibly empty) subslice of `outer`'s memory.
pub fn within(outer: &[u8], inner: &[u8]) -> bool {
    if inner.is_empty() {
        return true;
    }
    let o = outer.as_ptr_range();
    let i = inner.as_ptr_range();
    i.start >= o.start && i.end <= o.end
}

fn assert_within(outer: &[u8], inner: &[u8], what: &str) {
    assert!(
        within(outer, inner),
        "{what} is not inside the decoded buffer"
    );
}

/// Walks a fallible iterator to its end: at most `max` items, nothing after the first
/// error, and `None` stays `None`. Returns the items before the first error.
pub fn walk<T, E, I: Iterator<Item = Result<T, E>>>(mut it: I, max: usize, what: &str) -> Vec<T> {
    let mut out = Vec::new();
    let mut n = 0usize;
    for item in it.by_ref() {
        n += 1;
        assert!(n <= max, "{what}: more than {max} items");
        match item {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    for _ in 0..2 {
        assert!(
            it.next().is_none(),
            "{what}: iterator resumed after its end"
        );
    }
    out
}

// ---- a do-nothing crypto provider -------------------------------------------------------

/// A crypto provider whose AEAD is the identity: sealing leaves the data alone and
/// writes a zero tag; opening accepts any tag but all-0xFF (so both outcomes are
/// reachable). It checks the key, nonce and AAD lengths the protocol core hands it.
pub struct NullCrypto;

/// The MAC of [`NullCrypto`]: digests are zero.
pub struct NullMac;

impl Mac for NullMac {
    fn update(&mut self, _data: &[u8]) {}

    fn finish(self, out: &mut [u8]) -> Result<(), CryptoError> {
        out.fill(0);
        Ok(())
    }
}

fn check_aead_args(cipher: AeadCipher, key: &[u8], nonce: &[u8], aad: &[u8]) {
    assert_eq!(key.len(), cipher.key_len(), "AEAD key length");
    assert_eq!(nonce.len(), cipher.nonce_len(), "AEAD nonce length");
    assert_eq!(
        aad.len(),
        TRANSFORM_HEADER_LEN - 20,
        "AEAD associated data length"
    );
}

impl CryptoProvider for NullCrypto {
    type Mac = NullMac;

    fn md5(&self) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn sha512(&self) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn hmac_md5(&self, _key: &[u8]) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn hmac_sha256(&self, _key: &[u8]) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn aes_cmac(&self, _key: &[u8]) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn aes_gmac(&self, _key: &[u8], _nonce: &[u8; GMAC_NONCE_LEN]) -> Result<NullMac, CryptoError> {
        Ok(NullMac)
    }

    fn aead_seal_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        _data: &mut [u8],
        tag: &mut [u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        check_aead_args(cipher, key, nonce, aad);
        *tag = [0; TAG_LEN];
        Ok(())
    }

    fn aead_open_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        _data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        check_aead_args(cipher, key, nonce, aad);
        if *tag == [0xFF; TAG_LEN] {
            Err(CryptoError::AuthenticationFailed)
        } else {
            Ok(())
        }
    }
}

// ---- UTF-16 -------------------------------------------------------------------------------

fn units_of(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// Checks a decoded UTF-16LE name: conversion to UTF-8 agrees with std.
pub fn check_name(s: Utf16Str<'_>) {
    let bytes = s.as_bytes();
    assert_eq!(bytes.len() % 2, 0, "Utf16Str of odd length");
    assert_eq!(s.byte_len(), bytes.len());
    assert_eq!(s.is_empty(), bytes.is_empty());
    let units = units_of(bytes);
    assert!(s.units().eq(units.iter().copied()), "Utf16Str::units");
    assert_eq!(
        s.chars().count(),
        char::decode_utf16(units.iter().copied()).count()
    );
    let std = String::from_utf16(&units);
    match s.utf8_len() {
        Ok(n) => {
            let std = std.expect("utf8_len accepted invalid UTF-16");
            assert_eq!(n, std.len(), "utf8_len");
            let mut out = vec![0u8; n];
            assert_eq!(s.to_utf8(&mut out), Ok(n));
            assert_eq!(out, std.as_bytes(), "to_utf8");
            if n > 0 {
                let mut short = vec![0u8; n - 1];
                assert_eq!(
                    s.to_utf8(&mut short),
                    Err(Utf16Error::BufferTooSmall { needed: n })
                );
            }
            assert!(s.eq_str(&std), "eq_str");
            let name = WireName::Utf16(s);
            assert_eq!(name, WireName::Str(&std));
            assert_eq!(name.byte_len(), WireName::Str(&std).byte_len());
            let enc = encode_with(|w| WireName::Str(&std).encode(w)).expect("WireName encodes");
            assert_eq!(enc, bytes, "WireName::Str encoding");
            let path = encode_with(|w| WireName::Path(&std).encode(w)).expect("path encodes");
            let want: Vec<u16> = units
                .iter()
                .map(|&u| {
                    if u == u16::from(b'/') {
                        u16::from(b'\\')
                    } else {
                        u
                    }
                })
                .collect();
            assert_eq!(units_of(&path), want, "WireName::Path separators");
            assert!(WireName::Path(&std).units().eq(want.iter().copied()));
        }
        Err(Utf16Error::Invalid { at }) => {
            assert!(std.is_err(), "utf8_len rejected valid UTF-16");
            assert_eq!(at % 2, 0, "Utf16Error::Invalid offset is odd");
            assert!(at < bytes.len(), "Utf16Error::Invalid offset past the end");
            assert!(
                String::from_utf16(&units[..at / 2]).is_ok(),
                "Utf16Error::Invalid is not at the first bad unit"
            );
            let mut out = vec![0u8; bytes.len() * 2];
            assert_eq!(s.to_utf8(&mut out), Err(Utf16Error::Invalid { at }));
        }
        Err(e) => panic!("utf8_len returned {e:?}"),
    }
}

/// UTF-16 target: any even-length byte string is a name.
pub fn check_utf16(data: &[u8]) {
    match Utf16Str::new(data) {
        Ok(s) => {
            assert_eq!(s.as_bytes(), data);
            check_name(s);
        }
        Err(_) => assert_eq!(data.len() % 2, 1, "Utf16Str::new rejected an even length"),
    }
    let text = Utf16Text::Wire(data);
    assert_eq!(text.byte_len(), data.len());
    assert!(text.units().eq(units_of(data)), "Utf16Text::units");
}

// ---- header and compounds -----------------------------------------------------------------

/// SMB2 header: decode, re-encode to the same 64 bytes, and the peek/patch helpers.
pub fn check_header(data: &[u8]) {
    let _ = transform::packet_kind(data);
    let _ = header::peek_structure_size(data);
    let peeks = (
        header::peek_flags(data),
        header::peek_message_id(data),
        header::peek_status(data),
        header::peek_next_command(data),
    );
    let Ok(h) = Header::decode(data) else {
        return;
    };
    assert!(data.len() >= HEADER_SIZE);
    assert_eq!(
        peeks,
        (
            Ok(h.flags),
            Ok(h.message_id),
            Ok(h.status),
            Ok(h.next_command)
        ),
        "peek_* disagree with Header::decode"
    );
    assert_eq!(h.is_async(), h.flags & header::FLAG_ASYNC_COMMAND != 0);
    assert_eq!(h.tree_id().is_some(), !h.is_async());
    assert_eq!(h.async_id().is_some(), h.is_async());
    assert!(h.priority() <= 7);
    let enc = encode_with(|w| h.encode(w)).expect("a decoded header re-encodes");
    assert_eq!(enc, &data[..HEADER_SIZE], "header re-encoding differs");
    assert_eq!(Header::decode(&enc), Ok(h));

    let mut p = enc.clone();
    header::patch_message_id(&mut p, !h.message_id).expect("patch MessageId");
    header::patch_credits(&mut p, !h.credits).expect("patch credits");
    header::patch_next_command(&mut p, !h.next_command).expect("patch NextCommand");
    header::set_flags(&mut p, header::FLAG_SIGNED).expect("set flags");
    let q = Header::decode(&p).expect("patched header decodes");
    assert_eq!(q.message_id, !h.message_id);
    assert_eq!(q.credits, !h.credits);
    assert_eq!(q.next_command, !h.next_command);
    assert_eq!(q.flags, h.flags | header::FLAG_SIGNED);
    assert_eq!(q.id, h.id);
    if let HeaderId::Sync { .. } = h.id {
        header::patch_tree_id(&mut p, 7).expect("patch TreeId");
        assert_eq!(Header::decode(&p).map(|x| x.tree_id()), Ok(Some(7)));
    }
    let _ = errresp::is_error_response(&h, data);
}

/// Compound splitter: PDUs are contiguous, 8-aligned, inside the message, never
/// overlapping, each with the header it was decoded from; each is then dispatched to
/// the decoders of its command.
pub fn check_compound(data: &[u8]) {
    let mut it = compound::split(data);
    let mut expect_offset = 0usize;
    let mut n = 0usize;
    let mut ended = false;
    for item in it.by_ref() {
        n += 1;
        assert!(
            n <= data.len() / HEADER_SIZE + 1,
            "split yielded too many PDUs"
        );
        assert!(!ended, "split continued after the last PDU");
        let Ok(p) = item else { break };
        assert_eq!(p.offset, expect_offset, "PDUs are not contiguous");
        assert_eq!(p.offset % 8, 0, "PDU not 8-byte aligned");
        assert!(p.bytes.len() >= HEADER_SIZE, "PDU shorter than a header");
        let end = p
            .offset
            .checked_add(p.bytes.len())
            .expect("PDU end overflows");
        assert!(end <= data.len(), "PDU runs past the message");
        assert_eq!(
            p.bytes.as_ptr(),
            data[p.offset..].as_ptr(),
            "PDU is not at its offset"
        );
        assert_eq!(Header::decode(p.bytes), Ok(p.header));
        if p.header.next_command == 0 {
            assert_eq!(end, data.len(), "last PDU does not reach the end");
            ended = true;
        } else {
            assert_eq!(p.bytes.len(), p.header.next_command as usize);
            assert!(
                end + HEADER_SIZE <= data.len(),
                "no room for the next header"
            );
        }
        expect_offset = end;
        dispatch(&p.header, p.bytes);
    }
    for _ in 0..2 {
        assert!(it.next().is_none(), "split resumed after its end");
    }
}

/// Runs the decoders a PDU with this header reaches.
pub fn dispatch(hdr: &Header, pdu: &[u8]) {
    if errresp::is_error_response(hdr, pdu) {
        check_error(pdu);
        return;
    }
    match hdr.command {
        Command::Negotiate => check_negotiate(pdu),
        Command::SessionSetup | Command::Logoff => check_session(pdu),
        Command::TreeConnect | Command::TreeDisconnect | Command::Echo | Command::Cancel => {
            check_tree(pdu)
        }
        Command::Create => check_create(pdu),
        Command::Close | Command::Lock => check_close_lock(pdu),
        Command::Flush | Command::Read | Command::Write => check_io(pdu),
        Command::Ioctl => check_ioctl(pdu),
        Command::QueryDirectory => check_dir_pdu(pdu),
        Command::ChangeNotify => check_notify(pdu),
        Command::QueryInfo | Command::SetInfo => check_query_info(pdu),
        Command::OplockBreak | Command::ServerToClientNotification => check_oplock(pdu),
    }
}

// ---- negotiate, session setup, SPNEGO, NTLMSSP --------------------------------------------

fn check_contexts(contexts: &smb3rs_proto::proto::negotiate::NegotiateContexts<'_>, msg: &[u8]) {
    let mut n = 0usize;
    for c in contexts.iter() {
        n += 1;
        let _ = c.context_type();
        match c {
            NegotiateContext::PreauthIntegrity {
                hash_algorithms,
                salt,
            } => {
                assert_eq!(hash_algorithms.iter().count(), hash_algorithms.len());
                assert_within(msg, salt, "PreauthIntegrity.Salt");
            }
            NegotiateContext::Encryption { ciphers } => {
                assert_eq!(ciphers.iter().count(), ciphers.len())
            }
            NegotiateContext::Compression { algorithms, .. }
            | NegotiateContext::Signing { algorithms } => {
                assert_eq!(algorithms.iter().count(), algorithms.len())
            }
            NegotiateContext::RdmaTransform { transforms } => {
                assert_eq!(transforms.iter().count(), transforms.len())
            }
            NegotiateContext::NetName(name) => {
                assert_eq!(name.byte_len() % 2, 0);
                assert_eq!(name.units().count(), name.byte_len() / 2);
            }
            NegotiateContext::Other { data, .. } => assert_within(msg, data, "context data"),
            NegotiateContext::Transport { .. } | NegotiateContext::Posix => {}
        }
    }
    assert_eq!(n, contexts.len(), "negotiate context count");
}

/// NEGOTIATE request and response bodies, their contexts and security buffer.
pub fn check_negotiate(pdu: &[u8]) {
    if let Ok(r) = NegotiateResponse::decode(pdu) {
        assert_within(pdu, r.security_buffer, "NegotiateResponse.SecurityBuffer");
        check_contexts(&r.contexts, pdu);
        let _ = r.dialect();
        if let Ok(sel) = r.selected() {
            assert_eq!(
                sel.rdma_transforms.iter().count(),
                sel.rdma_transforms.len()
            );
            assert_within(pdu, sel.preauth_salt, "preauth salt");
        }
        check_spnego(r.security_buffer);
        let enc = encode_pdu(&r).expect("a decoded NEGOTIATE response re-encodes");
        assert_eq!(
            NegotiateResponse::decode(&enc),
            Ok(r),
            "NEGOTIATE response round trip"
        );
    }
    if let Ok(r) = NegotiateRequest::decode(pdu) {
        assert_eq!(r.dialects.iter().count(), r.dialects.len());
        check_contexts(&r.contexts, pdu);
        if !r.dialects.is_empty() {
            let enc = encode_pdu(&r).expect("a decoded NEGOTIATE request re-encodes");
            assert_eq!(
                NegotiateRequest::decode(&enc),
                Ok(r),
                "NEGOTIATE request round trip"
            );
        }
    }
}

/// SESSION_SETUP and LOGOFF bodies; the security buffers go on to SPNEGO and NTLMSSP.
pub fn check_session(pdu: &[u8]) {
    if let Ok(r) = SessionSetupResponse::decode(pdu) {
        assert_within(
            pdu,
            r.security_buffer,
            "SessionSetupResponse.SecurityBuffer",
        );
        let _ = (r.is_guest(), r.is_null(), r.encrypt_data());
        check_spnego(r.security_buffer);
        check_ntlmssp(r.security_buffer);
        let enc = encode_pdu(&r).expect("a decoded SESSION_SETUP response re-encodes");
        assert_eq!(
            SessionSetupResponse::decode(&enc),
            Ok(r),
            "SESSION_SETUP response round trip"
        );
    }
    if let Ok(r) = SessionSetupRequest::decode(pdu) {
        assert_within(pdu, r.security_buffer, "SessionSetupRequest.SecurityBuffer");
        let enc = encode_pdu(&r).expect("a decoded SESSION_SETUP request re-encodes");
        assert_eq!(
            SessionSetupRequest::decode(&enc),
            Ok(r),
            "SESSION_SETUP request round trip"
        );
    }
    if session::decode_logoff(pdu).is_ok() {
        let enc = encode_pdu(&session::Logoff).expect("LOGOFF encodes");
        assert_eq!(session::decode_logoff(&enc), Ok(()));
    }
}

/// SPNEGO tokens: the three decoders agree, and NegTokenInit / NegTokenResp re-encode
/// to the same token. Mechanism tokens go on to NTLMSSP.
pub fn check_spnego(buf: &[u8]) {
    let t = spnego::decode(buf);
    let init = spnego::decode_neg_token_init(buf);
    let resp = spnego::decode_neg_token_resp(buf);
    match t {
        Ok(NegotiationToken::Init(i)) => {
            assert_eq!(init, Ok(i));
            assert!(resp.is_err());
            for s in [i.mech_token, i.mech_list_mic].into_iter().flatten() {
                assert_within(buf, s, "NegTokenInit field");
            }
            if let Some(m) = i.mech_types {
                assert_within(buf, m.der(), "MechTypeList");
                let mechs: Vec<&[u8]> = m.iter().collect();
                assert_eq!(mechs.len(), m.len());
                assert_eq!(mechs.is_empty(), m.is_empty());
                for oid in &mechs {
                    assert_within(buf, oid, "mech OID");
                }
                assert_eq!(
                    i.offers(spnego::OID_NTLMSSP),
                    mechs.contains(&spnego::OID_NTLMSSP)
                );
                let enc = encode_with(|w| spnego::encode_neg_token_init(w, &mechs, i.mech_token))
                    .expect("NegTokenInit re-encodes");
                let again = spnego::decode_neg_token_init(&enc).expect("re-encoded NegTokenInit");
                let m2 = again
                    .mech_types
                    .expect("re-encoded NegTokenInit has mechTypes");
                assert!(
                    m2.iter().eq(mechs.iter().copied()),
                    "NegTokenInit mechTypes round trip"
                );
                assert_eq!(
                    again.mech_token, i.mech_token,
                    "NegTokenInit mechToken round trip"
                );
                assert_eq!(again.mech_list_mic, None);
                let list = encode_with(|w| spnego::encode_mech_type_list(w, &mechs))
                    .expect("MechTypeList encodes");
                if list.len() == m.der().len() {
                    // Minimal DER in, same bytes out.
                    assert_eq!(list, m.der(), "MechTypeList re-encoding");
                }
            } else {
                assert!(!i.offers(spnego::OID_NTLMSSP));
            }
            if let Some(tok) = i.mech_token {
                check_ntlmssp(tok);
            }
        }
        Ok(NegotiationToken::Resp(r)) => {
            assert_eq!(resp, Ok(r));
            assert!(init.is_err());
            for s in [r.supported_mech, r.response_token, r.mech_list_mic]
                .into_iter()
                .flatten()
            {
                assert_within(buf, s, "NegTokenResp field");
            }
            let enc = encode_with(|w| r.encode(w)).expect("NegTokenResp re-encodes");
            assert_eq!(
                spnego::decode_neg_token_resp(&enc),
                Ok(r),
                "NegTokenResp round trip"
            );
            if let Some(tok) = r.response_token {
                check_ntlmssp(tok);
            }
        }
        Err(_) => {
            assert!(init.is_err());
            assert!(resp.is_err());
        }
    }
}

/// NTLMSSP messages: CHALLENGE (what the client decodes), NEGOTIATE and AUTHENTICATE
/// (mock-server side), and AV pair lists.
pub fn check_ntlmssp(buf: &[u8]) {
    let pairs = |ti: &[u8]| {
        let mut n = 0usize;
        for p in ntlmssp::av_pairs(ti) {
            n += 1;
            assert!(n * 4 <= ti.len(), "more AV pairs than room for them");
            assert_ne!(p.id, ntlmssp::av_id::EOL);
            assert_within(ti, p.value, "AV pair value");
        }
    };
    if ntlmssp::validate_av_pairs(buf).is_ok() {
        pairs(buf);
    }
    if let Ok(c) = ChallengeMessage::decode(buf) {
        assert_eq!(c.raw, buf);
        assert_within(buf, c.target_name, "TargetName");
        assert_within(buf, c.target_info, "TargetInfo");
        assert!(ntlmssp::validate_av_pairs(c.target_info).is_ok());
        pairs(c.target_info);
        assert_eq!(
            c.av_pairs().count(),
            ntlmssp::av_pairs(c.target_info).count()
        );
        let _ = c.timestamp();
        let has_version_flag = c.flags & ntlmssp::flags::NEGOTIATE_VERSION != 0;
        if has_version_flag == c.version.is_some() {
            let enc = encode_with(|w| c.encode(w)).expect("CHALLENGE re-encodes");
            let d = ChallengeMessage::decode(&enc).expect("re-encoded CHALLENGE decodes");
            assert_eq!(
                (
                    d.flags,
                    d.server_challenge,
                    d.target_name,
                    d.target_info,
                    d.version
                ),
                (
                    c.flags,
                    c.server_challenge,
                    c.target_name,
                    c.target_info,
                    c.version
                ),
                "CHALLENGE round trip"
            );
        }
    }
    if let Ok(m) = NegotiateMessage::decode(buf) {
        let oem = ntlmssp::flags::NEGOTIATE_OEM_DOMAIN_SUPPLIED
            | ntlmssp::flags::NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
        let consistent = (m.flags & ntlmssp::flags::NEGOTIATE_VERSION != 0) == m.version.is_some();
        if m.flags & oem == 0 && consistent {
            let enc = encode_with(|w| m.encode(w)).expect("NEGOTIATE_MESSAGE re-encodes");
            assert_eq!(
                NegotiateMessage::decode(&enc),
                Ok(m),
                "NEGOTIATE_MESSAGE round trip"
            );
        }
    }
    if let Ok(a) = AuthenticateMessage::decode(buf) {
        for s in [
            a.lm_response,
            a.nt_response,
            a.domain,
            a.user,
            a.workstation,
            a.encrypted_session_key,
        ] {
            assert_within(buf, s, "AUTHENTICATE field");
        }
    }
}

// ---- transform ----------------------------------------------------------------------------

/// TRANSFORM_HEADER and COMPRESSION_TRANSFORM_HEADER decoding, and decryption (with an
/// identity cipher) of whole frames into compounds, for every cipher.
pub fn check_transform(frame: &[u8]) {
    let kind = transform::packet_kind(frame);
    let comp = CompressionTransformHeader::decode(frame);
    match TransformHeader::decode(frame) {
        Ok(h) => {
            assert_eq!(kind, Ok(transform::PacketKind::Encrypted));
            let mut out = [0u8; TRANSFORM_HEADER_LEN];
            h.encode(&mut out);
            assert_eq!(out[..40], frame[..40], "TRANSFORM_HEADER re-encoding");
            assert_eq!(out[40..42], [0, 0], "TRANSFORM_HEADER Reserved");
            assert_eq!(
                out[42..],
                frame[42..TRANSFORM_HEADER_LEN],
                "TRANSFORM_HEADER re-encoding"
            );
            assert_eq!(TransformHeader::decode(&out), Ok(h));
        }
        Err(TransformError::Compressed(c)) => {
            assert_eq!(kind, Ok(transform::PacketKind::Compressed));
            assert_eq!(comp, Ok(c));
        }
        Err(_) => {}
    }
    if comp.is_ok() {
        assert_eq!(kind, Ok(transform::PacketKind::Compressed));
    }

    for cipher in CIPHERS {
        let key = vec![0x11u8; cipher.key_len()];
        let mut buf = frame.to_vec();
        if let Ok((h, plain)) = transform::decrypt(&NullCrypto, cipher, &key, &mut buf) {
            assert_eq!(h.flags, transform::TRANSFORM_FLAG_ENCRYPTED);
            assert_eq!(plain.len(), h.original_message_size as usize);
            assert!(!plain.is_empty());
            assert_eq!(
                &*plain,
                &frame[TRANSFORM_HEADER_LEN..],
                "identity decryption"
            );
            assert_eq!(TransformHeader::decode(frame), Ok(h));
            // A wrong-length key must be refused, not reach the cipher.
            let mut again = frame.to_vec();
            let bad = vec![0u8; cipher.key_len() + 1];
            assert!(transform::decrypt(&NullCrypto, cipher, &bad, &mut again).is_err());
            let plain = plain.to_vec();
            check_compound(&plain);
        }
    }

    // encrypt -> decrypt round trip of the bytes after a transform header's worth.
    if let Some(msg) = frame.get(TRANSFORM_HEADER_LEN..).filter(|m| !m.is_empty()) {
        let cipher = CIPHERS[usize::from(frame[0] & 3)];
        let key = vec![0x22u8; cipher.key_len()];
        let nonce = &frame[4..4 + cipher.nonce_len()];
        let sid = u64::from_le_bytes(frame[44..52].try_into().expect("8 bytes"));
        let mut message = msg.to_vec();
        let mut hdr = [0u8; TRANSFORM_HEADER_LEN];
        transform::encrypt(
            &NullCrypto,
            cipher,
            &key,
            nonce,
            sid,
            &mut message,
            &mut hdr,
        )
        .expect("encrypt with valid arguments");
        let mut whole = hdr.to_vec();
        whole.extend_from_slice(&message);
        let (h, plain) = transform::decrypt(&NullCrypto, cipher, &key, &mut whole)
            .expect("decrypt what encrypt produced");
        assert_eq!(&*plain, msg);
        assert_eq!(h.session_id, sid);
        assert_eq!(h.original_message_size as usize, msg.len());
        assert_eq!(&h.nonce[..cipher.nonce_len()], nonce);
        assert!(h.nonce[cipher.nonce_len()..].iter().all(|&b| b == 0));
    }
}

// ---- CREATE -------------------------------------------------------------------------------

fn check_raw_context(chain: &[u8], raw: RawContext<'_>) {
    assert!(!raw.name.is_empty(), "create context with an empty name");
    assert_within(chain, raw.name, "create context name");
    assert_within(chain, raw.data, "create context data");
    for response in [false, true] {
        let parsed = if response {
            raw.parse_response()
        } else {
            raw.parse_request()
        };
        let Ok(c) = parsed else { continue };
        assert!(!c.name().is_empty());
        let enc = encode_with(|w| c.encode(w)).expect("a parsed create context re-encodes");
        let mut it = create::contexts(&enc);
        let back = it
            .next()
            .expect("re-encoded context chain is not empty")
            .expect("re-encoded context decodes");
        assert!(it.next().is_none(), "one context re-encoded as several");
        assert_eq!(back.name, c.name(), "create context name round trip");
        let again = if response {
            back.parse_response()
        } else {
            back.parse_request()
        };
        assert_eq!(again, Ok(c), "create context round trip");
    }
}

/// Walks a create context chain: every entry inside the chain, at most one per 16
/// bytes, each parsed as request and response context and re-encoded.
pub fn check_create_contexts(chain: &[u8]) {
    let items = walk(
        create::contexts(chain),
        chain.len() / 16 + 1,
        "create contexts",
    );
    for raw in &items {
        check_raw_context(chain, *raw);
    }
    let wire = CreateContexts::Wire(chain);
    assert_eq!(wire.is_empty(), chain.is_empty());
    if let Ok(Some(found)) = wire.find(create::CONTEXT_REQUEST_LEASE) {
        assert_eq!(found.name, create::CONTEXT_REQUEST_LEASE);
    }
    // Re-encoding the chain item by item walks to the same contexts.
    let parsed: Vec<_> = items
        .iter()
        .filter_map(|r| r.parse_response().ok())
        .collect();
    if parsed.len() == items.len() && !parsed.is_empty() {
        let enc = encode_with(|w| create::encode_contexts(&parsed, w).map(|_| ()))
            .expect("context chain re-encodes");
        let back = walk(
            create::contexts(&enc),
            enc.len() / 16 + 1,
            "re-encoded contexts",
        );
        assert_eq!(back.len(), parsed.len(), "re-encoded chain length");
        for (b, c) in back.iter().zip(&parsed) {
            assert_eq!(b.parse_response().as_ref(), Ok(c));
        }
    }
}

/// CREATE request and response PDUs and their context chains.
pub fn check_create(pdu: &[u8]) {
    if let Ok(r) = CreateResponse::decode(pdu) {
        if let CreateContexts::Wire(chain) = r.contexts {
            assert_within(pdu, chain, "CreateResponse contexts");
            check_create_contexts(chain);
        }
        let _ = r.lease();
        let enc = encode_pdu(&r).expect("a decoded CREATE response re-encodes");
        assert_eq!(
            CreateResponse::decode(&enc),
            Ok(r),
            "CREATE response round trip"
        );
    }
    if let Ok(r) = CreateRequest::decode(pdu) {
        if let Some(n) = r.name.as_utf16() {
            assert_within(pdu, n.as_bytes(), "CreateRequest.Name");
            check_name(n);
        }
        if let CreateContexts::Wire(chain) = r.contexts {
            assert_within(pdu, chain, "CreateRequest contexts");
            check_create_contexts(chain);
        }
        let enc = encode_pdu(&r).expect("a decoded CREATE request re-encodes");
        assert_eq!(
            CreateRequest::decode(&enc),
            Ok(r),
            "CREATE request round trip"
        );
    }
}

// ---- READ / WRITE / FLUSH / CLOSE / LOCK ---------------------------------------------------

/// READ, WRITE and FLUSH requests and responses.
pub fn check_io(pdu: &[u8]) {
    if let Ok(r) = ReadResponse::decode(pdu) {
        // The fixed part alone decodes to the same thing.
        let fixed = &pdu[..pdu.len().min(READ_RESPONSE_FIXED_END)];
        assert_eq!(
            ReadResponse::decode(fixed),
            Ok(r),
            "READ response from its fixed part"
        );
        if let Ok(range) = r.inline_range(pdu.len()) {
            assert!(range.start >= READ_RESPONSE_FIXED_END);
            assert!(range.start <= range.end && range.end <= pdu.len());
            assert_eq!(range.len(), r.data_length as usize);
            let data = r.data(pdu).expect("data() agrees with inline_range()");
            assert_eq!(data.len(), r.data_length as usize);
            assert_within(pdu, data, "READ data");
        } else {
            assert!(r.data(pdu).is_err());
        }
        let enc = encode_pdu(&r).expect("a decoded READ response re-encodes");
        assert_eq!(
            ReadResponse::decode(&enc),
            Ok(r),
            "READ response round trip"
        );
    }
    if let Ok(r) = ReadRequest::decode(pdu) {
        assert_eq!(r.channel_info.iter().count(), r.channel_info.len());
        let enc = encode_pdu(&r).expect("a decoded READ request re-encodes");
        assert_eq!(ReadRequest::decode(&enc), Ok(r), "READ request round trip");
    }
    if let Ok((r, data)) = WriteRequest::decode(pdu) {
        assert_eq!(data.len(), r.length as usize);
        assert_within(pdu, data, "WRITE data");
        assert_eq!(r.channel_info.iter().count(), r.channel_info.len());
        let mut enc = encode_pdu(&r).expect("a decoded WRITE request re-encodes");
        if !data.is_empty() {
            // Encoded without its payload, which goes at DataOffset.
            assert_eq!(enc.len(), r.data_offset(), "WRITE request DataOffset");
        }
        enc.extend_from_slice(data);
        assert_eq!(
            WriteRequest::decode(&enc),
            Ok((r, data)),
            "WRITE request round trip"
        );
    }
    if let Ok(r) = WriteResponse::decode(pdu) {
        let enc = encode_pdu(&r).expect("WRITE response encodes");
        assert_eq!(
            WriteResponse::decode(&enc),
            Ok(r),
            "WRITE response round trip"
        );
    }
    if let Ok(r) = FlushRequest::decode(pdu) {
        let enc = encode_pdu(&r).expect("FLUSH request encodes");
        assert_eq!(
            FlushRequest::decode(&enc),
            Ok(r),
            "FLUSH request round trip"
        );
    }
    if let Ok(r) = FlushResponse::decode(pdu) {
        let enc = encode_pdu(&r).expect("FLUSH response encodes");
        assert_eq!(FlushResponse::decode(&enc), Ok(r));
    }
}

/// CLOSE and LOCK requests and responses.
pub fn check_close_lock(pdu: &[u8]) {
    if let Ok(r) = CloseResponse::decode(pdu) {
        assert_eq!(r.post_query().is_some(), r.flags & 1 != 0);
        let enc = encode_pdu(&r).expect("CLOSE response encodes");
        assert_eq!(
            CloseResponse::decode(&enc),
            Ok(r),
            "CLOSE response round trip"
        );
    }
    if let Ok(r) = CloseRequest::decode(pdu) {
        let enc = encode_pdu(&r).expect("CLOSE request encodes");
        assert_eq!(
            CloseRequest::decode(&enc),
            Ok(r),
            "CLOSE request round trip"
        );
    }
    if let Ok(r) = LockResponse::decode(pdu) {
        let enc = encode_pdu(&r).expect("LOCK response encodes");
        assert_eq!(LockResponse::decode(&enc), Ok(r));
    }
    if let Ok(r) = LockRequest::decode(pdu) {
        assert!(!r.locks.is_empty());
        assert_eq!(r.locks.iter().count(), r.locks.len());
        let enc = encode_pdu(&r).expect("LOCK request encodes");
        assert_eq!(LockRequest::decode(&enc), Ok(r), "LOCK request round trip");
    }
}

// ---- IOCTL --------------------------------------------------------------------------------

/// Network interface list (FSCTL_QUERY_NETWORK_INTERFACE_INFO output).
pub fn check_network_interfaces(buf: &[u8]) {
    let max = buf.len() / ioctl::NETWORK_INTERFACE_INFO_SIZE + 1;
    let list = walk(ioctl::network_interfaces(buf), max, "network interfaces");
    for iface in &list {
        let _ = (iface.rdma_capable(), iface.rss_capable());
        let enc = encode_with(|w| iface.encode(0, w)).expect("interface encodes");
        assert_eq!(enc.len(), ioctl::NETWORK_INTERFACE_INFO_SIZE);
        let back: Vec<NetworkInterface> = walk(ioctl::network_interfaces(&enc), 1, "one interface");
        assert_eq!(back, [*iface], "network interface round trip");
    }
    if !list.is_empty() {
        let enc = encode_with(|w| ioctl::encode_network_interfaces(&list, w))
            .expect("interface list encodes");
        let back = walk(
            ioctl::network_interfaces(&enc),
            list.len(),
            "re-encoded interfaces",
        );
        assert_eq!(back, list, "network interface list round trip");
    }
}

fn check_fsctl_buffer(buf: &[u8]) {
    check_network_interfaces(buf);
    if let Ok(rd) = ReparseData::decode(buf) {
        let _ = rd.tag();
        match rd {
            ReparseData::Symlink(s) => {
                let _ = s.is_relative();
                for n in [s.substitute_name, s.print_name] {
                    let u = n.as_utf16().expect("decoded names are UTF-16");
                    assert_within(buf, u.as_bytes(), "symlink name");
                    check_name(u);
                }
            }
            ReparseData::Other { data, .. } => assert_within(buf, data, "reparse data"),
        }
        if let Some(enc) = reencoded(encode_with(|w| rd.encode(w)), "reparse data") {
            assert_eq!(ReparseData::decode(&enc), Ok(rd), "reparse data round trip");
        }
    }
    let _ = ioctl::resume_key(buf);
    let _ = ioctl::CopyChunkResponse::decode(buf);
    if let Ok(v) = ValidateNegotiateInfoResponse::decode(buf) {
        let enc = encode_with(|w| v.encode(w)).expect("VNI response encodes");
        assert_eq!(enc, &buf[..ValidateNegotiateInfoResponse::LEN]);
    }
    if let Ok(v) = ValidateNegotiateInfoRequest::decode(buf) {
        assert_eq!(v.dialects.iter().count(), v.dialects.len());
        let enc = encode_with(|w| v.encode(w)).expect("VNI request encodes");
        assert_eq!(ValidateNegotiateInfoRequest::decode(&enc), Ok(v));
        assert_eq!(enc, &buf[..enc.len()]);
    }
}

/// IOCTL request and response PDUs and the FSCTL payloads of their buffers.
pub fn check_ioctl(pdu: &[u8]) {
    if let Ok(r) = IoctlResponse::decode(pdu) {
        assert_within(pdu, r.input, "IoctlResponse.Input");
        assert_within(pdu, r.output, "IoctlResponse.Output");
        check_fsctl_buffer(r.output);
        check_fsctl_buffer(r.input);
        let enc = encode_pdu(&r).expect("a decoded IOCTL response re-encodes");
        assert_eq!(
            IoctlResponse::decode(&enc),
            Ok(r),
            "IOCTL response round trip"
        );
    }
    if let Ok(r) = IoctlRequest::decode(pdu) {
        assert_within(pdu, r.input, "IoctlRequest.Input");
        assert_within(pdu, r.output, "IoctlRequest.Output");
        let enc = encode_pdu(&r).expect("a decoded IOCTL request re-encodes");
        assert_eq!(
            IoctlRequest::decode(&enc),
            Ok(r),
            "IOCTL request round trip"
        );
    }
    check_fsctl_buffer(pdu);
}

// ---- QUERY_DIRECTORY ----------------------------------------------------------------------

fn check_dir_entry(buf: &[u8], class: DirClass, e: &DirEntry<'_>) {
    assert_within(buf, e.name.as_bytes(), "DirEntry.FileName");
    check_name(e.name);
    if let Some(s) = e.short_name {
        assert!(s.byte_len() <= 24);
        assert_within(buf, s.as_bytes(), "DirEntry.ShortName");
        check_name(s);
    }
    assert_eq!(
        e.short_name.is_some(),
        matches!(class, DirClass::BothDirectory | DirClass::IdBothDirectory)
    );
    assert_eq!(
        e.file_id.is_some(),
        matches!(
            class,
            DirClass::IdBothDirectory | DirClass::IdFullDirectory | DirClass::Posix
        )
    );
    assert_eq!(e.posix.is_some(), class == DirClass::Posix);
    let _ = e.is_dot_or_dotdot();
    let enc = encode_with(|w| e.encode(class, 0, w)).expect("a decoded entry re-encodes");
    let back = walk(dir::entries(&enc, class), 1, "one re-encoded entry");
    assert_eq!(back, [*e], "directory entry round trip ({class:?})");
}

/// Walks a QUERY_DIRECTORY output buffer as every information class.
pub fn check_dir_entries(buf: &[u8]) {
    for class in DIR_CLASSES {
        assert_eq!(DirClass::from_u8(class as u8), Some(class));
        let list = walk(
            dir::entries(buf, class),
            buf.len() / 4 + 1,
            "directory entries",
        );
        for e in &list {
            check_dir_entry(buf, class, e);
        }
        if !list.is_empty() {
            let enc = encode_with(|w| dir::encode_entries(&list, class, w))
                .expect("entry list re-encodes");
            let back = walk(dir::entries(&enc, class), list.len(), "re-encoded entries");
            assert_eq!(back, list, "directory listing round trip ({class:?})");
        }
    }
}

/// QUERY_DIRECTORY request and response PDUs.
pub fn check_dir_pdu(pdu: &[u8]) {
    if let Ok(r) = QueryDirectoryResponse::decode(pdu) {
        assert_within(pdu, r.output, "QueryDirectoryResponse.Output");
        check_dir_entries(r.output);
        for class in DIR_CLASSES {
            assert_eq!(
                r.entries(class).count(),
                dir::entries(r.output, class).count()
            );
        }
        let enc = encode_pdu(&r).expect("QUERY_DIRECTORY response re-encodes");
        assert_eq!(
            QueryDirectoryResponse::decode(&enc),
            Ok(r),
            "QUERY_DIRECTORY response round trip"
        );
    }
    if let Ok(r) = QueryDirectoryRequest::decode(pdu) {
        if let Some(p) = r.pattern.as_utf16() {
            check_name(p);
        }
        let enc = encode_pdu(&r).expect("QUERY_DIRECTORY request re-encodes");
        assert_eq!(
            QueryDirectoryRequest::decode(&enc),
            Ok(r),
            "QUERY_DIRECTORY request round trip"
        );
    }
}

/// Directory target: the input as an output buffer (every class) and as a PDU.
pub fn check_dir(data: &[u8]) {
    check_dir_entries(data);
    check_dir_pdu(data);
}

// ---- QUERY_INFO / SET_INFO ----------------------------------------------------------------

macro_rules! round_trip {
    ($buf:expr, $ty:ty) => {
        if let Ok(v) = <$ty>::decode($buf) {
            let enc = encode_with(|w| v.encode(w)).expect(concat!(stringify!($ty), " re-encodes"));
            assert_eq!(
                <$ty>::decode(&enc),
                Ok(v),
                concat!(stringify!($ty), " round trip")
            );
        }
    };
}

/// Every file and filesystem information class this client decodes.
pub fn check_info_classes(buf: &[u8]) {
    round_trip!(buf, FileBasicInfo);
    round_trip!(buf, FileStandardInfo);
    round_trip!(buf, FileAllInfo);
    round_trip!(buf, FileRenameInfo);
    round_trip!(buf, FilePosixInfo);
    round_trip!(buf, FsVolumeInfo);
    round_trip!(buf, FsSizeInfo);
    round_trip!(buf, FsFullSizeInfo);
    round_trip!(buf, FsAttributeInfo);
    round_trip!(buf, FsDeviceInfo);
    round_trip!(buf, FsSectorSizeInfo);
    if let Ok(a) = FileAllInfo::decode(buf) {
        assert_within(buf, a.name.as_bytes(), "FileAllInfo.FileName");
        check_name(a.name);
    }
    if let Ok(r) = FileRenameInfo::decode(buf) {
        if let Some(n) = r.name.as_utf16() {
            check_name(n);
        }
    }
    if let Ok(v) = FsVolumeInfo::decode(buf) {
        check_name(v.label);
    }
    if let Ok(v) = FsAttributeInfo::decode(buf) {
        check_name(v.name);
    }
    if let Ok(p) = FilePosixInfo::decode(buf) {
        for sid in [p.owner, p.group] {
            assert_within(buf, sid.as_bytes(), "POSIX SID");
        }
    }
    if let Ok(a) = info::decode_network_open_info(buf) {
        let enc = encode_with(|w| info::encode_network_open_info(&a, w)).expect("encodes");
        assert_eq!(
            info::decode_network_open_info(&enc),
            Ok(a),
            "FileNetworkOpenInfo round trip"
        );
    }
    let _ = info::decode_internal_info(buf);
    let _ = info::decode_ea_info(buf);
    let _ = info::decode_u64_info(buf);
    let _ = info::decode_mode_info(buf);
    if let Ok(sid) = Sid::from_bytes(buf) {
        assert_eq!(sid.as_bytes(), buf);
        assert_eq!(sid.sub_authorities().count(), sid.sub_authority_count());
        assert_eq!(sid.rid().is_some(), sid.sub_authority_count() > 0);
        let _ = (sid.revision(), sid.authority());
        let enc = encode_with(|w| sid.encode(w)).expect("SID encodes");
        assert_eq!(enc, buf);
    }
}

/// QUERY_INFO / SET_INFO PDUs; the input also goes through every information class as
/// a raw output buffer.
pub fn check_query_info(data: &[u8]) {
    check_info_classes(data);
    if let Ok(r) = QueryInfoResponse::decode(data) {
        assert_within(data, r.output, "QueryInfoResponse.Output");
        check_info_classes(r.output);
        let enc = encode_pdu(&r).expect("QUERY_INFO response re-encodes");
        assert_eq!(
            QueryInfoResponse::decode(&enc),
            Ok(r),
            "QUERY_INFO response round trip"
        );
    }
    if let Ok(r) = QueryInfoRequest::decode(data) {
        assert_within(data, r.input, "QueryInfoRequest.Input");
        let enc = encode_pdu(&r).expect("QUERY_INFO request re-encodes");
        assert_eq!(
            QueryInfoRequest::decode(&enc),
            Ok(r),
            "QUERY_INFO request round trip"
        );
    }
    if let Ok(r) = SetInfoRequest::decode(data) {
        let enc = encode_pdu(&r).expect("SET_INFO request re-encodes");
        assert_eq!(
            SetInfoRequest::decode(&enc),
            Ok(r),
            "SET_INFO request round trip"
        );
    }
    if let Ok(r) = SetInfoResponse::decode(data) {
        let enc = encode_pdu(&r).expect("SET_INFO response encodes");
        assert_eq!(SetInfoResponse::decode(&enc), Ok(r));
    }
}

// ---- CHANGE_NOTIFY, breaks, errors, tree connect --------------------------------------------

fn check_changes(buf: &[u8]) {
    let list = walk(notify::changes(buf), buf.len() / 4 + 1, "notify changes");
    for c in &list {
        assert_within(buf, c.name.as_bytes(), "FileNotifyInformation.FileName");
        check_name(c.name);
        let enc = encode_with(|w| c.encode(0, w)).expect("change re-encodes");
        let back: Vec<Change<'_>> = walk(notify::changes(&enc), 1, "one change");
        assert_eq!(back, [*c], "change round trip");
    }
    if !list.is_empty() {
        let enc = encode_with(|w| notify::encode_changes(&list, w)).expect("changes re-encode");
        let back = walk(notify::changes(&enc), list.len(), "re-encoded changes");
        assert_eq!(back, list, "change list round trip");
    }
}

/// CHANGE_NOTIFY request and response and FILE_NOTIFY_INFORMATION chains (the input
/// also as a raw chain).
pub fn check_notify(data: &[u8]) {
    check_changes(data);
    if let Ok(r) = ChangeNotifyResponse::decode(data) {
        assert_within(data, r.output, "ChangeNotifyResponse.Output");
        check_changes(r.output);
        assert_eq!(r.changes().count(), notify::changes(r.output).count());
        let enc = encode_pdu(&r).expect("CHANGE_NOTIFY response re-encodes");
        assert_eq!(
            ChangeNotifyResponse::decode(&enc),
            Ok(r),
            "CHANGE_NOTIFY response round trip"
        );
    }
    if let Ok(r) = ChangeNotifyRequest::decode(data) {
        let enc = encode_pdu(&r).expect("CHANGE_NOTIFY request encodes");
        assert_eq!(
            ChangeNotifyRequest::decode(&enc),
            Ok(r),
            "CHANGE_NOTIFY request round trip"
        );
    }
}

/// OPLOCK_BREAK notifications and acknowledgments, lease breaks, and
/// SERVER_TO_CLIENT_NOTIFICATION.
pub fn check_oplock(pdu: &[u8]) {
    let oplock = OplockBreak::decode(pdu);
    let lease = LeaseBreakNotification::decode(pdu);
    let ack = LeaseBreakAck::decode(pdu);
    match BreakMessage::decode(pdu) {
        Ok(BreakMessage::Oplock(b)) => assert_eq!(oplock, Ok(b)),
        Ok(BreakMessage::LeaseBreak(b)) => assert_eq!(lease, Ok(b)),
        Ok(BreakMessage::LeaseAck(b)) => assert_eq!(ack, Ok(b)),
        Err(_) => assert!(oplock.is_err() && lease.is_err() && ack.is_err()),
    }
    if let Ok(b) = oplock {
        let enc = encode_pdu(&b).expect("oplock break encodes");
        assert_eq!(OplockBreak::decode(&enc), Ok(b), "oplock break round trip");
    }
    if let Ok(b) = lease {
        let _ = b.ack_required();
        let enc = encode_pdu(&b).expect("lease break encodes");
        assert_eq!(
            LeaseBreakNotification::decode(&enc),
            Ok(b),
            "lease break round trip"
        );
    }
    if let Ok(b) = ack {
        let enc = encode_pdu(&b).expect("lease break ack encodes");
        assert_eq!(
            LeaseBreakAck::decode(&enc),
            Ok(b),
            "lease break ack round trip"
        );
    }
    if let Ok(n) = ServerToClientNotification::decode(pdu) {
        let enc = encode_pdu(&n).expect("notification encodes");
        assert_eq!(ServerToClientNotification::decode(&enc), Ok(n));
    }
}

fn check_symlink_error(buf: &[u8], s: SymlinkError<'_>) {
    for n in [s.substitute_name, s.print_name] {
        assert_within(buf, n.as_bytes(), "symlink error name");
        check_name(n);
    }
    if let Some(enc) = reencoded(encode_with(|w| s.encode(w)), "symlink error") {
        assert_eq!(
            SymlinkError::decode(&enc),
            Ok(s),
            "symlink error round trip"
        );
    }
}

/// ERROR responses, their contexts and the symlink error; the input also as a raw
/// symlink error response.
pub fn check_error(pdu: &[u8]) {
    if let Ok(h) = Header::decode(pdu) {
        let _ = errresp::is_error_response(&h, pdu);
    }
    if let Ok(s) = SymlinkError::decode(pdu) {
        check_symlink_error(pdu, s);
    }
    let Ok(e) = ErrorResponse::decode(pdu) else {
        return;
    };
    assert_within(pdu, e.data, "ErrorResponse.ErrorData");
    let ctxs = walk(e.contexts(), usize::from(e.context_count), "error contexts");
    for c in &ctxs {
        assert_within(e.data, c.data, "error context data");
        if let Ok(s) = SymlinkError::decode(c.data) {
            check_symlink_error(c.data, s);
        }
    }
    if !ctxs.is_empty() {
        let enc =
            encode_with(|w| errresp::encode_error_contexts(&ctxs, w)).expect("contexts encode");
        let again = ErrorResponse {
            context_count: ctxs.len() as u8,
            data: &enc,
        };
        let back = walk(again.contexts(), ctxs.len(), "re-encoded error contexts");
        assert_eq!(back, ctxs, "error context round trip");
    }
    if let Ok(s) = e.symlink() {
        check_symlink_error(pdu, s);
    }
    let _ = e.required_buffer_size();
    let mut hdr = Header::new(Command::Create);
    hdr.flags = header::FLAG_SERVER_TO_REDIR;
    hdr.status = 0xC000_0022;
    let enc = encode_with(|w| errresp::encode_error_pdu(&hdr, &e, w).map(|_| ()))
        .expect("a decoded ERROR response re-encodes");
    assert!(errresp::is_error_response(&hdr, &enc));
    assert_eq!(
        ErrorResponse::decode(&enc),
        Ok(e),
        "ERROR response round trip"
    );
}

/// TREE_CONNECT and TREE_DISCONNECT, plus the other tiny bodies (ECHO, CANCEL).
pub fn check_tree(pdu: &[u8]) {
    if let Ok(r) = TreeConnectResponse::decode(pdu) {
        let enc = encode_pdu(&r).expect("TREE_CONNECT response encodes");
        assert_eq!(
            TreeConnectResponse::decode(&enc),
            Ok(r),
            "TREE_CONNECT response round trip"
        );
    }
    if let Ok(r) = TreeConnectRequest::decode(pdu) {
        if let Some(p) = r.path.as_utf16() {
            assert_within(pdu, p.as_bytes(), "TreeConnectRequest.Path");
            check_name(p);
        }
        if let Some(ext) = r.extension {
            assert_within(pdu, ext.contexts, "tree connect contexts");
        }
        let enc = encode_pdu(&r).expect("a decoded TREE_CONNECT request re-encodes");
        assert_eq!(
            TreeConnectRequest::decode(&enc),
            Ok(r),
            "TREE_CONNECT request round trip"
        );
    }
    if let Ok(r) = TreeDisconnectRequest::decode(pdu) {
        assert_eq!(
            TreeDisconnectRequest::decode(&encode_pdu(&r).expect("encodes")),
            Ok(r)
        );
    }
    if let Ok(r) = TreeDisconnectResponse::decode(pdu) {
        assert_eq!(
            TreeDisconnectResponse::decode(&encode_pdu(&r).expect("encodes")),
            Ok(r)
        );
    }
    if let Ok(r) = EchoRequest::decode(pdu) {
        assert_eq!(
            EchoRequest::decode(&encode_pdu(&r).expect("encodes")),
            Ok(r)
        );
    }
    if let Ok(r) = EchoResponse::decode(pdu) {
        assert_eq!(
            EchoResponse::decode(&encode_pdu(&r).expect("encodes")),
            Ok(r)
        );
    }
    if let Ok(r) = CancelRequest::decode(pdu) {
        assert_eq!(
            CancelRequest::decode(&encode_pdu(&r).expect("encodes")),
            Ok(r)
        );
    }
}

// ---- file contents the server holds for us -----------------------------------------------

/// Symlink files and EA lists: what other clients (or a hostile server) may have put
/// in a file or an EA list. The target of a symlink file that decodes encodes into
/// a file that decodes to it again; neither decoder panics.
pub fn check_server_data(data: &[u8]) {
    use smb3rs_proto::proto::{ea::FullEaIter, mfsymlink};

    let mut file = [b' '; mfsymlink::FILE_SIZE];
    let n = data.len().min(mfsymlink::FILE_SIZE);
    file[..n].copy_from_slice(&data[..n]);
    if let Some(target) = mfsymlink::decode(&file) {
        assert!(!target.is_empty() && target.len() <= mfsymlink::TARGET_MAX);
        let mut again = [0u8; mfsymlink::FILE_SIZE];
        mfsymlink::encode(target, &mut again).expect("a decoded target encodes");
        assert_eq!(
            mfsymlink::decode(&again),
            Some(target),
            "symlink round trip"
        );
    }
    let _ = mfsymlink::decode(data);
    // Walking an EA list stops at its first malformed entry, never panics.
    for ea in FullEaIter::new(data) {
        if ea.is_err() {
            break;
        }
    }
}
