// SPDX-License-Identifier: GPL-2.0

//! NTLMSSP (MS-NLMP) for the client side of NTLMv2 authentication.
//!
//! NEGOTIATE_MESSAGE encoding, CHALLENGE_MESSAGE decoding (with its AV pairs) and
//! AUTHENTICATE_MESSAGE encoding with the NTLMv2 response, the MIC over the three
//! messages and key exchange (RC4-wrapped random session key). Also the one-way
//! functions (NT hash, NTOWFv2), the session base key, and the NTLM GSS checksum used
//! for an SPNEGO mechListMIC. Strings are always sent as UTF-16LE, so callers set
//! [`flags::NEGOTIATE_UNICODE`]. The caller supplies every random value (client
//! challenge, random session key): this code has no RNG.

use super::crypto::{ct_eq, hmac_md5, md5, CryptoError, CryptoProvider, Mac};
use super::cursor::{utf16_len, Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::md4::Md4;
use super::rc4::Rc4;

/// The NTLMSSP signature that starts every message.
pub const SIGNATURE: [u8; 8] = *b"NTLMSSP\0";

const TYPE_NEGOTIATE: u32 = 1;
const TYPE_CHALLENGE: u32 = 2;
const TYPE_AUTHENTICATE: u32 = 3;
const CHALLENGE_MIN_LEN: usize = 32;
const AUTHENTICATE_FIXED_LEN: usize = 64;
const VERSION_LEN: usize = 8;
const MIC_LEN: usize = 16;
const MIC_OFFSET: usize = AUTHENTICATE_FIXED_LEN + VERSION_LEN;

/// NTLMSSP negotiate flags (MS-NLMP 2.2.2.5).
pub mod flags {
    /// Strings are UTF-16LE.
    pub const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
    /// Strings are in the OEM code page.
    pub const NEGOTIATE_OEM: u32 = 0x0000_0002;
    /// The server should return its target name.
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    /// Session key for message signing.
    pub const NEGOTIATE_SIGN: u32 = 0x0000_0010;
    /// Session key for message sealing.
    pub const NEGOTIATE_SEAL: u32 = 0x0000_0020;
    /// Datagram-oriented NTLM.
    pub const NEGOTIATE_DATAGRAM: u32 = 0x0000_0040;
    /// LAN Manager session key.
    pub const NEGOTIATE_LM_KEY: u32 = 0x0000_0080;
    /// NTLM v1 session security (set by every modern client).
    pub const NEGOTIATE_NTLM: u32 = 0x0000_0200;
    /// Anonymous connection.
    pub const ANONYMOUS: u32 = 0x0000_0800;
    /// The domain name is supplied in the NEGOTIATE_MESSAGE.
    pub const NEGOTIATE_OEM_DOMAIN_SUPPLIED: u32 = 0x0000_1000;
    /// The workstation name is supplied in the NEGOTIATE_MESSAGE.
    pub const NEGOTIATE_OEM_WORKSTATION_SUPPLIED: u32 = 0x0000_2000;
    /// Always sign (dummy signature when no key).
    pub const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
    /// The target is a domain.
    pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
    /// The target is a server.
    pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
    /// Extended session security.
    pub const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    /// Identify-level token.
    pub const NEGOTIATE_IDENTIFY: u32 = 0x0010_0000;
    /// Non-NT session key.
    pub const REQUEST_NON_NT_SESSION_KEY: u32 = 0x0040_0000;
    /// TargetInfo is present.
    pub const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
    /// The Version field is present.
    pub const NEGOTIATE_VERSION: u32 = 0x0200_0000;
    /// 128-bit session keys.
    pub const NEGOTIATE_128: u32 = 0x2000_0000;
    /// Explicit key exchange (RC4-wrapped random session key).
    pub const NEGOTIATE_KEY_EXCH: u32 = 0x4000_0000;
    /// 56-bit encryption.
    pub const NEGOTIATE_56: u32 = 0x8000_0000;
}

/// AV pair identifiers (MS-NLMP 2.2.2.1).
pub mod av_id {
    /// End of list.
    pub const EOL: u16 = 0;
    /// NetBIOS computer name.
    pub const NB_COMPUTER_NAME: u16 = 1;
    /// NetBIOS domain name.
    pub const NB_DOMAIN_NAME: u16 = 2;
    /// DNS computer name.
    pub const DNS_COMPUTER_NAME: u16 = 3;
    /// DNS domain name.
    pub const DNS_DOMAIN_NAME: u16 = 4;
    /// DNS tree name.
    pub const DNS_TREE_NAME: u16 = 5;
    /// 32-bit flags.
    pub const FLAGS: u16 = 6;
    /// FILETIME of the server.
    pub const TIMESTAMP: u16 = 7;
    /// Single host data.
    pub const SINGLE_HOST: u16 = 8;
    /// SPN of the target.
    pub const TARGET_NAME: u16 = 9;
    /// MD5 of the channel bindings.
    pub const CHANNEL_BINDINGS: u16 = 10;
}

/// MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC.
pub const AV_FLAG_MIC_PRESENT: u32 = 0x0000_0002;

/// The NTLM revision every current implementation sends.
pub const NTLMSSP_REVISION_W2K3: u8 = 0x0F;

/// Why an NTLMSSP operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NtlmError {
    /// A message from the peer is malformed.
    Decode(DecodeError),
    /// A message could not be encoded.
    Encode(EncodeError),
    /// The crypto provider failed.
    Crypto(CryptoError),
}

impl From<DecodeError> for NtlmError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<EncodeError> for NtlmError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<CryptoError> for NtlmError {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

/// The VERSION structure (MS-NLMP 2.2.2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    /// Product major version.
    pub major: u8,
    /// Product minor version.
    pub minor: u8,
    /// Product build number.
    pub build: u16,
    /// NTLM revision ([`NTLMSSP_REVISION_W2K3`]).
    pub revision: u8,
}

impl Version {
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u8(self.major)?;
        w.u8(self.minor)?;
        w.u16(self.build)?;
        w.zeros(3)?;
        w.u8(self.revision)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let major = r.u8("NTLM Version.ProductMajorVersion")?;
        let minor = r.u8("NTLM Version.ProductMinorVersion")?;
        let build = r.u16("NTLM Version.ProductBuild")?;
        r.skip(3, "NTLM Version.Reserved")?;
        let revision = r.u8("NTLM Version.NTLMRevisionCurrent")?;
        Ok(Self {
            major,
            minor,
            build,
            revision,
        })
    }
}

fn header(r: &mut Reader<'_>, expected_type: u32) -> Result<(), DecodeError> {
    let sig = r.array::<8>("NTLMSSP Signature")?;
    if sig != SIGNATURE {
        return Err(DecodeError::BadMagic {
            what: "NTLMSSP Signature",
        });
    }
    let t = r.u32("NTLMSSP MessageType")?;
    if t != expected_type {
        return Err(DecodeError::BadValue {
            what: "NTLMSSP MessageType",
            value: u64::from(t),
        });
    }
    Ok(())
}

/// Reads (Len, MaxLen, Offset) fields and borrows the payload they describe, returning
/// it with its offset.
fn payload_field_at<'a>(
    r: &mut Reader<'a>,
    what: &'static str,
) -> Result<(&'a [u8], usize), DecodeError> {
    let len = r.u16(what)?;
    r.skip(2, what)?;
    let off = r.u32(what)?;
    let off = usize::try_from(off).map_err(|_| DecodeError::BadValue {
        what,
        value: u64::from(off),
    })?;
    Ok((r.slice_at(off, usize::from(len), what)?, off))
}

/// Reads (Len, MaxLen, Offset) fields and borrows the payload they describe.
fn payload_field<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8], DecodeError> {
    payload_field_at(r, what).map(|(s, _)| s)
}

fn put_field(w: &mut Writer<'_>, len: usize, offset: usize) -> Result<(), EncodeError> {
    let len = u16::try_from(len).map_err(|_| EncodeError::TooLarge)?;
    w.u16(len)?;
    w.u16(len)?;
    w.u32(u32::try_from(offset).map_err(|_| EncodeError::TooLarge)?)
}

// ---- NEGOTIATE_MESSAGE --------------------------------------------------------------

/// A NEGOTIATE_MESSAGE (without OEM domain/workstation names, which SMB clients do not
/// send).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegotiateMessage {
    /// The client's negotiate flags.
    pub flags: u32,
    /// The client's version; [`flags::NEGOTIATE_VERSION`] is set when present.
    pub version: Option<Version>,
}

impl NegotiateMessage {
    /// Appends the message (32 bytes, or 40 with a version).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let mut f = self.flags
            & !(flags::NEGOTIATE_OEM_DOMAIN_SUPPLIED | flags::NEGOTIATE_OEM_WORKSTATION_SUPPLIED);
        if self.version.is_some() {
            f |= flags::NEGOTIATE_VERSION;
        } else {
            f &= !flags::NEGOTIATE_VERSION;
        }
        w.bytes(&SIGNATURE)?;
        w.u32(TYPE_NEGOTIATE)?;
        w.u32(f)?;
        // Empty DomainNameFields and WorkstationFields.
        w.zeros(16)?;
        if let Some(v) = &self.version {
            v.encode(w)?;
        }
        Ok(())
    }

    /// Decodes a NEGOTIATE_MESSAGE (domain and workstation fields are ignored).
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        header(&mut r, TYPE_NEGOTIATE)?;
        let flags = r.u32("NEGOTIATE_MESSAGE NegotiateFlags")?;
        payload_field(&mut r, "NEGOTIATE_MESSAGE DomainNameFields")?;
        payload_field(&mut r, "NEGOTIATE_MESSAGE WorkstationFields")?;
        let version = if flags & flags::NEGOTIATE_VERSION != 0 && r.remaining() >= VERSION_LEN {
            Some(Version::decode(&mut r)?)
        } else {
            None
        };
        Ok(Self { flags, version })
    }
}

// ---- AV pairs -----------------------------------------------------------------------

/// One AV pair of a TargetInfo list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvPair<'a> {
    /// The AvId ([`av_id`]).
    pub id: u16,
    /// The value.
    pub value: &'a [u8],
}

/// Checks that `target_info` is a list of AV pairs that fit the buffer and end with
/// MsvAvEOL (a list that ends exactly at the buffer end without EOL is tolerated).
pub fn validate_av_pairs(target_info: &[u8]) -> Result<(), DecodeError> {
    let mut r = Reader::new(target_info);
    while r.remaining() > 0 {
        let id = r.u16("AV_PAIR AvId")?;
        let len = r.u16("AV_PAIR AvLen")?;
        r.skip(usize::from(len), "AV_PAIR Value")?;
        if id == av_id::EOL {
            break;
        }
    }
    Ok(())
}

/// Iterates over the AV pairs of a validated `target_info`, stopping before MsvAvEOL.
pub fn av_pairs(target_info: &[u8]) -> impl Iterator<Item = AvPair<'_>> + '_ {
    let mut r = Reader::new(target_info);
    core::iter::from_fn(move || {
        let id = r.u16("AV_PAIR AvId").ok()?;
        let len = r.u16("AV_PAIR AvLen").ok()?;
        let value = r.bytes(usize::from(len), "AV_PAIR Value").ok()?;
        if id == av_id::EOL {
            None
        } else {
            Some(AvPair { id, value })
        }
    })
}

fn find_av(target_info: &[u8], id: u16) -> Option<&[u8]> {
    av_pairs(target_info).find(|p| p.id == id).map(|p| p.value)
}

fn av_u32(target_info: &[u8], id: u16) -> Option<u32> {
    let v = find_av(target_info, id)?;
    Some(u32::from_le_bytes(v.get(..4)?.try_into().ok()?))
}

// ---- CHALLENGE_MESSAGE --------------------------------------------------------------

/// A decoded CHALLENGE_MESSAGE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChallengeMessage<'a> {
    /// The server's negotiate flags.
    pub flags: u32,
    /// The 8-byte server challenge.
    pub server_challenge: [u8; 8],
    /// The target name (UTF-16LE when Unicode was negotiated).
    pub target_name: &'a [u8],
    /// The TargetInfo AV pair list (validated).
    pub target_info: &'a [u8],
    /// The server's version, if sent.
    pub version: Option<Version>,
    /// The whole message as received, for the MIC.
    pub raw: &'a [u8],
}

impl<'a> ChallengeMessage<'a> {
    /// Decodes a CHALLENGE_MESSAGE, checking every payload field and the AV pairs.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        header(&mut r, TYPE_CHALLENGE)?;
        let target_name = payload_field(&mut r, "CHALLENGE_MESSAGE TargetNameFields")?;
        let flags = r.u32("CHALLENGE_MESSAGE NegotiateFlags")?;
        let server_challenge = r.array::<8>("CHALLENGE_MESSAGE ServerChallenge")?;
        // Reserved; TargetInfoFields and Version may be absent in old messages whose
        // payload starts at 32 bytes.
        let mut target_info: &[u8] = &[];
        let mut version = None;
        if r.remaining() >= 16 {
            r.skip(8, "CHALLENGE_MESSAGE Reserved")?;
            target_info = payload_field(&mut r, "CHALLENGE_MESSAGE TargetInfoFields")?;
            validate_av_pairs(target_info)?;
            if flags & flags::NEGOTIATE_VERSION != 0 && r.remaining() >= VERSION_LEN {
                version = Some(Version::decode(&mut r)?);
            }
        } else if buf.len() < CHALLENGE_MIN_LEN {
            return Err(DecodeError::OutOfBounds {
                what: "CHALLENGE_MESSAGE",
                offset: 0,
                len: CHALLENGE_MIN_LEN,
            });
        }
        Ok(Self {
            flags,
            server_challenge,
            target_name,
            target_info,
            version,
            raw: buf,
        })
    }

    /// Returns the server's MsvAvTimestamp (FILETIME), if present.
    pub fn timestamp(&self) -> Option<u64> {
        let v = find_av(self.target_info, av_id::TIMESTAMP)?;
        Some(u64::from_le_bytes(v.get(..8)?.try_into().ok()?))
    }

    /// Iterates over the target info AV pairs.
    pub fn av_pairs(&self) -> impl Iterator<Item = AvPair<'a>> + 'a {
        av_pairs(self.target_info)
    }

    /// Encodes a CHALLENGE_MESSAGE with these fields (for tests and mock servers; `raw`
    /// is ignored). Payload order: target name, target info.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let fixed = 48usize.saturating_add(if self.version.is_some() {
            VERSION_LEN
        } else {
            0
        });
        let name_off = fixed;
        let info_off = fixed
            .checked_add(self.target_name.len())
            .ok_or(EncodeError::TooLarge)?;
        w.bytes(&SIGNATURE)?;
        w.u32(TYPE_CHALLENGE)?;
        put_field(w, self.target_name.len(), name_off)?;
        w.u32(self.flags)?;
        w.bytes(&self.server_challenge)?;
        w.zeros(8)?;
        put_field(w, self.target_info.len(), info_off)?;
        if let Some(v) = &self.version {
            v.encode(w)?;
        }
        w.bytes(self.target_name)?;
        w.bytes(self.target_info)
    }
}

// ---- one-way functions --------------------------------------------------------------

fn upper_char(c: char) -> char {
    // Windows upcases code unit by code unit; take the simple mapping only when it is
    // one character.
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn feed_utf16<F: FnMut(&[u8])>(s: &str, upper: bool, mut f: F) {
    let mut units = [0u16; 2];
    for c in s.chars() {
        let c = if upper { upper_char(c) } else { c };
        for u in c.encode_utf16(&mut units) {
            f(&u.to_le_bytes());
        }
    }
}

/// Returns the NT hash (NTOWFv1): MD4 of the UTF-16LE password.
pub fn nt_hash(password: &str) -> [u8; 16] {
    let mut m = Md4::new();
    feed_utf16(password, false, |b| m.update(b));
    m.digest()
}

/// Returns NTOWFv2 (the NTLMv2 response key): HMAC-MD5 keyed with the NT hash over
/// UTF-16LE(UPPERCASE(user) || domain).
pub fn ntowfv2<P: CryptoProvider>(
    p: &P,
    nt_hash: &[u8; 16],
    user: &str,
    domain: &str,
) -> Result<[u8; 16], CryptoError> {
    let mut m = p.hmac_md5(nt_hash)?;
    feed_utf16(user, true, |b| m.update(b));
    feed_utf16(domain, false, |b| m.update(b));
    let mut out = [0u8; 16];
    m.finish(&mut out)?;
    Ok(out)
}

/// Returns the LMv2 response: HMAC-MD5(key, server || client challenge) || client
/// challenge.
pub fn lmv2_response<P: CryptoProvider>(
    p: &P,
    response_key: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> Result<[u8; 24], CryptoError> {
    let h = hmac_md5(p, response_key, &[server_challenge, client_challenge])?;
    let mut out = [0u8; 24];
    let (a, b) = out.split_at_mut(16);
    a.copy_from_slice(&h);
    b.copy_from_slice(client_challenge);
    Ok(out)
}

/// Returns NTProofStr: HMAC-MD5(key, server challenge || temp), where `temp` is the
/// NTLMv2_CLIENT_CHALLENGE blob.
pub fn nt_proof_str<P: CryptoProvider>(
    p: &P,
    response_key: &[u8; 16],
    server_challenge: &[u8; 8],
    temp: &[u8],
) -> Result<[u8; 16], CryptoError> {
    hmac_md5(p, response_key, &[server_challenge, temp])
}

/// Returns the NTLMv2 session base key: HMAC-MD5(key, NTProofStr).
pub fn session_base_key<P: CryptoProvider>(
    p: &P,
    response_key: &[u8; 16],
    nt_proof_str: &[u8; 16],
) -> Result<[u8; 16], CryptoError> {
    hmac_md5(p, response_key, &[nt_proof_str])
}

// ---- AUTHENTICATE_MESSAGE -----------------------------------------------------------

/// Who authenticates.
#[derive(Clone, Copy)]
pub enum Credentials<'a> {
    /// An anonymous (null session) logon: empty NT response, LM response Z(1).
    Anonymous,
    /// A user with an NTLMv2 response key.
    User {
        /// The user name.
        user: &'a str,
        /// The user's domain.
        domain: &'a str,
        /// NTOWFv2 of the user's password ([`ntowfv2`]).
        response_key: [u8; 16],
    },
}

impl core::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Anonymous => f.write_str("Anonymous"),
            Self::User { user, domain, .. } => write!(f, "User({domain}\\{user})"),
        }
    }
}

/// Inputs of [`encode_authenticate`] besides the server's challenge.
#[derive(Clone, Copy)]
pub struct AuthenticateParams<'a> {
    /// Who authenticates.
    pub credentials: Credentials<'a>,
    /// The client's workstation name.
    pub workstation: &'a str,
    /// The negotiate flags to send (normally the client's flags ANDed with the
    /// server's; must include [`flags::NEGOTIATE_UNICODE`]).
    pub flags: u32,
    /// The client's version, sent in the Version field when present.
    pub version: Option<Version>,
    /// Eight random bytes.
    pub client_challenge: [u8; 8],
    /// Current time as FILETIME, used when the challenge carries no MsvAvTimestamp.
    pub timestamp: u64,
    /// Sixteen random bytes, the exported session key under key exchange.
    pub random_session_key: [u8; 16],
    /// The NEGOTIATE_MESSAGE sent earlier: when given, a MIC is computed and MsvAvFlags
    /// announces it.
    pub negotiate_message: Option<&'a [u8]>,
    /// The SPN to send as MsvAvTargetName (e.g. "cifs/server"), if any.
    pub target_spn: Option<&'a str>,
    /// The MsvAvChannelBindings value (MD5 of the channel bindings; zeros for none),
    /// if it is to be sent.
    pub channel_bindings: Option<[u8; 16]>,
}

impl core::fmt::Debug for AuthenticateParams<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key material or random values.
        f.debug_struct("AuthenticateParams")
            .field("credentials", &self.credentials)
            .field("workstation", &self.workstation)
            .field("flags", &self.flags)
            .field("mic", &self.negotiate_message.is_some())
            .field("target_spn", &self.target_spn)
            .finish_non_exhaustive()
    }
}

/// What [`encode_authenticate`] produced besides the message.
#[derive(Clone, Copy)]
pub struct AuthenticateOutcome {
    /// The exported session key: the SMB2 session key.
    pub exported_session_key: [u8; 16],
    /// The session base key (the key exchange key for NTLMv2).
    pub session_base_key: [u8; 16],
    /// Length of the encoded AUTHENTICATE_MESSAGE.
    pub len: usize,
}

impl core::fmt::Debug for AuthenticateOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AuthenticateOutcome {{ len: {}, .. }}", self.len)
    }
}

/// The AV pairs the client sends inside its NTLMv2 response.
struct ClientAvPairs<'a> {
    server: &'a [u8],
    rewrite: bool,
    flags: Option<u32>,
    spn: Option<&'a str>,
    bindings: Option<[u8; 16]>,
}

impl<'a> ClientAvPairs<'a> {
    fn new(server: &'a [u8], params: &AuthenticateParams<'a>) -> Self {
        let mic = params.negotiate_message.is_some();
        let server_flags = av_u32(server, av_id::FLAGS);
        let rewrite = mic || params.target_spn.is_some() || params.channel_bindings.is_some();
        let flags = match (server_flags, mic) {
            (Some(f), true) => Some(f | AV_FLAG_MIC_PRESENT),
            (None, true) => Some(AV_FLAG_MIC_PRESENT),
            (f, false) => f,
        };
        Self {
            server,
            rewrite,
            flags,
            spn: params.target_spn,
            bindings: params.channel_bindings,
        }
    }

    fn kept(&self) -> impl Iterator<Item = AvPair<'a>> + 'a {
        let spn = self.spn.is_some();
        let cb = self.bindings.is_some();
        av_pairs(self.server).filter(move |p| {
            p.id != av_id::FLAGS
                && !(spn && p.id == av_id::TARGET_NAME)
                && !(cb && p.id == av_id::CHANNEL_BINDINGS)
        })
    }

    fn len(&self) -> Result<usize, EncodeError> {
        if !self.rewrite {
            return Ok(self.server.len());
        }
        let add = |a: usize, b: usize| a.checked_add(b).ok_or(EncodeError::TooLarge);
        let mut n = 4; // EOL
        for p in self.kept() {
            n = add(n, add(4, p.value.len())?)?;
        }
        if self.flags.is_some() {
            n = add(n, 8)?;
        }
        if self.bindings.is_some() {
            n = add(n, 20)?;
        }
        if let Some(s) = self.spn {
            n = add(n, add(4, utf16_len(s))?)?;
        }
        Ok(n)
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        if !self.rewrite {
            return w.bytes(self.server);
        }
        let pair_len = |n: usize| u16::try_from(n).map_err(|_| EncodeError::TooLarge);
        for p in self.kept() {
            w.u16(p.id)?;
            w.u16(pair_len(p.value.len())?)?;
            w.bytes(p.value)?;
        }
        if let Some(f) = self.flags {
            w.u16(av_id::FLAGS)?;
            w.u16(4)?;
            w.u32(f)?;
        }
        if let Some(cb) = &self.bindings {
            w.u16(av_id::CHANNEL_BINDINGS)?;
            w.u16(16)?;
            w.bytes(cb)?;
        }
        if let Some(s) = self.spn {
            w.u16(av_id::TARGET_NAME)?;
            w.u16(pair_len(utf16_len(s))?)?;
            w.utf16(s)?;
        }
        w.u16(av_id::EOL)?;
        w.u16(0)
    }
}

/// Length of the fixed NTLMv2_CLIENT_CHALLENGE fields before the AV pairs.
const TEMP_FIXED_LEN: usize = 28;

/// Appends an AUTHENTICATE_MESSAGE answering `challenge` and returns the session keys.
///
/// With [`Credentials::User`] this sends the NTLMv2 response (using the server's
/// MsvAvTimestamp when present, in which case the LM response is Z(24) as MS-NLMP
/// 3.1.5.1.2 recommends, else the LMv2 response). Under
/// [`flags::NEGOTIATE_KEY_EXCH`] the random session key is sent RC4-encrypted with
/// the session base key and becomes the exported session key; otherwise the session
/// base key is. Payload order: domain, user, workstation, LM, NT, session key.
pub fn encode_authenticate<P: CryptoProvider>(
    p: &P,
    w: &mut Writer<'_>,
    challenge: &ChallengeMessage<'_>,
    params: &AuthenticateParams<'_>,
) -> Result<AuthenticateOutcome, NtlmError> {
    let base = w.pos();
    let (user, domain, key) = match params.credentials {
        Credentials::Anonymous => ("", "", None),
        Credentials::User {
            user,
            domain,
            response_key,
        } => (user, domain, Some(response_key)),
    };
    let mic = key.is_some() && params.negotiate_message.is_some();
    let key_exch = params.flags & flags::NEGOTIATE_KEY_EXCH != 0;
    let mut send_flags = params.flags;
    if key.is_none() {
        send_flags |= flags::ANONYMOUS;
    }
    if params.version.is_some() {
        send_flags |= flags::NEGOTIATE_VERSION;
    }
    let server_ts = challenge.timestamp();
    let avs = ClientAvPairs::new(challenge.target_info, params);

    let add = |a: usize, b: usize| a.checked_add(b).ok_or(EncodeError::TooLarge);
    let (lm_len, nt_len) = match key {
        None => (1usize, 0usize),
        Some(_) => (24, add(add(16, TEMP_FIXED_LEN)?, add(avs.len()?, 4)?)?),
    };
    let sk_len = if key_exch { 16 } else { 0 };
    let fixed = add(
        AUTHENTICATE_FIXED_LEN,
        if mic {
            VERSION_LEN + MIC_LEN
        } else if params.version.is_some() {
            VERSION_LEN
        } else {
            0
        },
    )?;
    let domain_off = fixed;
    let user_off = add(domain_off, utf16_len(domain))?;
    let ws_off = add(user_off, utf16_len(user))?;
    let lm_off = add(ws_off, utf16_len(params.workstation))?;
    let nt_off = add(lm_off, lm_len)?;
    let sk_off = add(nt_off, nt_len)?;

    w.bytes(&SIGNATURE)?;
    w.u32(TYPE_AUTHENTICATE)?;
    put_field(w, lm_len, lm_off)?;
    put_field(w, nt_len, nt_off)?;
    put_field(w, utf16_len(domain), domain_off)?;
    put_field(w, utf16_len(user), user_off)?;
    put_field(w, utf16_len(params.workstation), ws_off)?;
    put_field(w, sk_len, sk_off)?;
    w.u32(send_flags)?;
    if mic || params.version.is_some() {
        match &params.version {
            Some(v) => v.encode(w)?,
            None => w.zeros(VERSION_LEN)?,
        }
    }
    if mic {
        w.zeros(MIC_LEN)?;
    }
    w.utf16(domain)?;
    w.utf16(user)?;
    w.utf16(params.workstation)?;

    let mut session_base = [0u8; 16];
    match key {
        None => w.u8(0)?,
        Some(key) => {
            match server_ts {
                Some(_) => w.zeros(24)?,
                None => w.bytes(&lmv2_response(
                    p,
                    &key,
                    &challenge.server_challenge,
                    &params.client_challenge,
                )?)?,
            }
            let proof_pos = w.pos();
            w.zeros(16)?;
            let temp_start = w.pos();
            w.u8(1)?;
            w.u8(1)?;
            w.zeros(6)?;
            w.u64(server_ts.unwrap_or(params.timestamp))?;
            w.bytes(&params.client_challenge)?;
            w.zeros(4)?;
            avs.encode(w)?;
            w.zeros(4)?;
            let temp = w
                .written()
                .get(temp_start..)
                .ok_or(EncodeError::PatchOutOfRange { offset: temp_start })?;
            let proof = nt_proof_str(p, &key, &challenge.server_challenge, temp)?;
            w.patch(proof_pos, &proof)?;
            session_base = session_base_key(p, &key, &proof)?;
        }
    }

    let mut exported = session_base;
    if key_exch {
        let mut wrapped = params.random_session_key;
        Rc4::new(&session_base)?.apply(&mut wrapped);
        w.bytes(&wrapped)?;
        exported = params.random_session_key;
    }

    if let (true, Some(neg)) = (mic, params.negotiate_message) {
        let auth = w
            .written()
            .get(base..)
            .ok_or(EncodeError::PatchOutOfRange { offset: base })?;
        let m = hmac_md5(p, &exported, &[neg, challenge.raw, auth])?;
        w.patch(base.saturating_add(MIC_OFFSET), &m)?;
    }
    Ok(AuthenticateOutcome {
        exported_session_key: exported,
        session_base_key: session_base,
        len: w.pos().saturating_sub(base),
    })
}

/// A decoded AUTHENTICATE_MESSAGE (for tests and mock servers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthenticateMessage<'a> {
    /// The LM challenge response.
    pub lm_response: &'a [u8],
    /// The NT challenge response.
    pub nt_response: &'a [u8],
    /// The domain name (UTF-16LE).
    pub domain: &'a [u8],
    /// The user name (UTF-16LE).
    pub user: &'a [u8],
    /// The workstation name (UTF-16LE).
    pub workstation: &'a [u8],
    /// The encrypted random session key (empty without key exchange).
    pub encrypted_session_key: &'a [u8],
    /// The negotiate flags.
    pub flags: u32,
    /// The MIC, if the payload leaves room for one after the version.
    pub mic: Option<[u8; 16]>,
}

impl<'a> AuthenticateMessage<'a> {
    /// Decodes an AUTHENTICATE_MESSAGE. The MIC is reported when every payload field
    /// starts at or after offset 88.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        header(&mut r, TYPE_AUTHENTICATE)?;
        let mut min_off = usize::MAX;
        let mut field = |r: &mut Reader<'a>, what: &'static str| -> Result<&'a [u8], DecodeError> {
            let (s, off) = payload_field_at(r, what)?;
            if !s.is_empty() {
                min_off = min_off.min(off);
            }
            Ok(s)
        };
        let lm_response = field(&mut r, "AUTHENTICATE_MESSAGE LmChallengeResponseFields")?;
        let nt_response = field(&mut r, "AUTHENTICATE_MESSAGE NtChallengeResponseFields")?;
        let domain = field(&mut r, "AUTHENTICATE_MESSAGE DomainNameFields")?;
        let user = field(&mut r, "AUTHENTICATE_MESSAGE UserNameFields")?;
        let workstation = field(&mut r, "AUTHENTICATE_MESSAGE WorkstationFields")?;
        let encrypted_session_key = field(
            &mut r,
            "AUTHENTICATE_MESSAGE EncryptedRandomSessionKeyFields",
        )?;
        let flags = r.u32("AUTHENTICATE_MESSAGE NegotiateFlags")?;
        let mic = if min_off >= MIC_OFFSET.saturating_add(MIC_LEN) {
            let mut rr = r.at(MIC_OFFSET, "AUTHENTICATE_MESSAGE MIC")?;
            Some(rr.array::<16>("AUTHENTICATE_MESSAGE MIC")?)
        } else {
            None
        };
        Ok(Self {
            lm_response,
            nt_response,
            domain,
            user,
            workstation,
            encrypted_session_key,
            flags,
            mic,
        })
    }
}

/// Checks the MIC of an AUTHENTICATE_MESSAGE `auth` against the NEGOTIATE and
/// CHALLENGE messages and the exported session key, in constant time.
pub fn verify_mic<P: CryptoProvider>(
    p: &P,
    exported_session_key: &[u8; 16],
    negotiate: &[u8],
    challenge: &[u8],
    auth: &[u8],
) -> Result<bool, NtlmError> {
    let msg = AuthenticateMessage::decode(auth)?;
    let Some(got) = msg.mic else {
        return Ok(false);
    };
    let (before, rest) = auth.split_at(MIC_OFFSET.min(auth.len()));
    let after = rest.get(MIC_LEN..).unwrap_or(&[]);
    let mut m = p.hmac_md5(exported_session_key)?;
    m.update(negotiate);
    m.update(challenge);
    m.update(before);
    m.update(&[0u8; MIC_LEN]);
    m.update(after);
    let mut want = [0u8; 16];
    m.finish(&mut want)?;
    Ok(ct_eq(&want, &got))
}

// ---- NTLM GSS checksum (mechListMIC) ------------------------------------------------

const CLIENT_SIGN_MAGIC: &[u8] = b"session key to client-to-server signing key magic constant\0";
const SERVER_SIGN_MAGIC: &[u8] = b"session key to server-to-client signing key magic constant\0";
const CLIENT_SEAL_MAGIC: &[u8] = b"session key to client-to-server sealing key magic constant\0";
const SERVER_SEAL_MAGIC: &[u8] = b"session key to server-to-client sealing key magic constant\0";

/// Returns SIGNKEY (extended session security) for the client (`client`) or server
/// direction.
pub fn sign_key<P: CryptoProvider>(
    p: &P,
    exported_session_key: &[u8; 16],
    client: bool,
) -> Result<[u8; 16], CryptoError> {
    let magic = if client {
        CLIENT_SIGN_MAGIC
    } else {
        SERVER_SIGN_MAGIC
    };
    md5(p, &[exported_session_key, magic])
}

/// Returns SEALKEY (extended session security) for the client or server direction; the
/// key is cut to 56 or 40 bits first unless [`flags::NEGOTIATE_128`] is set.
pub fn seal_key<P: CryptoProvider>(
    p: &P,
    exported_session_key: &[u8; 16],
    negotiate_flags: u32,
    client: bool,
) -> Result<[u8; 16], CryptoError> {
    let n = if negotiate_flags & flags::NEGOTIATE_128 != 0 {
        16
    } else if negotiate_flags & flags::NEGOTIATE_56 != 0 {
        7
    } else {
        5
    };
    let magic = if client {
        CLIENT_SEAL_MAGIC
    } else {
        SERVER_SEAL_MAGIC
    };
    md5(p, &[exported_session_key.get(..n).unwrap_or(&[]), magic])
}

/// Returns the NTLM message signature (extended session security) of `message` with
/// sequence number `seq`: version 1, the first 8 bytes of HMAC-MD5(sign key, seq ||
/// message), RC4-encrypted with `seal` when key exchange was negotiated, and `seq`.
pub fn mac<P: CryptoProvider>(
    p: &P,
    sign_key: &[u8; 16],
    seal: Option<&mut Rc4>,
    seq: u32,
    message: &[&[u8]],
) -> Result<[u8; 16], CryptoError> {
    let mut m = p.hmac_md5(sign_key)?;
    m.update(&seq.to_le_bytes());
    for s in message {
        m.update(s);
    }
    let mut checksum = [0u8; 8];
    m.finish(&mut checksum)?;
    if let Some(rc4) = seal {
        rc4.apply(&mut checksum);
    }
    let mut out = [0u8; 16];
    let (v, rest) = out.split_at_mut(4);
    v.copy_from_slice(&1u32.to_le_bytes());
    let (c, s) = rest.split_at_mut(8);
    c.copy_from_slice(&checksum);
    s.copy_from_slice(&seq.to_le_bytes());
    Ok(out)
}

/// Returns the SPNEGO mechListMIC an NTLM initiator (`client`) or acceptor sends: the
/// first NTLM signature (sequence number 0) over the DER MechTypeList `mech_list_der`
/// the client offered.
pub fn mech_list_mic<P: CryptoProvider>(
    p: &P,
    exported_session_key: &[u8; 16],
    negotiate_flags: u32,
    mech_list_der: &[u8],
    client: bool,
) -> Result<[u8; 16], CryptoError> {
    let sk = sign_key(p, exported_session_key, client)?;
    if negotiate_flags & flags::NEGOTIATE_KEY_EXCH != 0 {
        let mut rc4 = Rc4::new(&seal_key(p, exported_session_key, negotiate_flags, client)?)?;
        mac(p, &sk, Some(&mut rc4), 0, &[mech_list_der])
    } else {
        mac(p, &sk, None, 0, &[mech_list_der])
    }
}
