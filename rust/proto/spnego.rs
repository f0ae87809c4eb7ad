// SPDX-License-Identifier: GPL-2.0

//! SPNEGO (RFC 4178, MS-SPNG) tokens in ASN.1 DER, as carried in SMB2 security
//! buffers.
//!
//! The client's first SESSION_SETUP leg sends an InitialContextToken holding a
//! NegTokenInit that lists the NTLMSSP mechanism and carries the NTLMSSP NEGOTIATE
//! message; later legs send NegTokenResp. The server's NEGOTIATE response usually holds
//! a NegTokenInit (MS-SPNG NegTokenInit2: possibly with a mechToken, negHints and
//! several mechanisms; possibly empty), its SESSION_SETUP responses NegTokenResp.
//!
//! The decoder accepts BER-style long-form lengths (up to four length bytes, not
//! necessarily minimal), skips fields it does not know, and checks every length
//! against its enclosing element. It rejects indefinite lengths and high tag numbers.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};

/// Content octets of the SPNEGO OID 1.3.6.1.5.5.2.
pub const OID_SPNEGO: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
/// Content octets of the NTLMSSP OID 1.3.6.1.4.1.311.2.2.10.
pub const OID_NTLMSSP: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
/// Content octets of the Kerberos 5 OID 1.2.840.113554.1.2.2.
pub const OID_KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// Content octets of Microsoft's legacy Kerberos 5 OID 1.2.840.48018.1.2.2.
pub const OID_MS_KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// Content octets of the NEGOEX OID 1.3.6.1.4.1.311.2.2.30.
pub const OID_NEGOEX: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e];

const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;
const TAG_ENUMERATED: u8 = 0x0a;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_APPLICATION_0: u8 = 0x60;
const fn ctx(n: u8) -> u8 {
    0xa0 | n
}

/// The negState of a NegTokenResp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NegState {
    /// accept-completed (0).
    AcceptCompleted,
    /// accept-incomplete (1).
    AcceptIncomplete,
    /// reject (2).
    Reject,
    /// request-mic (3).
    RequestMic,
}

impl NegState {
    /// Returns the state for ENUMERATED value `v`.
    pub fn from_wire(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::AcceptCompleted),
            1 => Some(Self::AcceptIncomplete),
            2 => Some(Self::Reject),
            3 => Some(Self::RequestMic),
            _ => None,
        }
    }

    /// Returns the ENUMERATED value of the state.
    pub fn wire(self) -> u8 {
        match self {
            Self::AcceptCompleted => 0,
            Self::AcceptIncomplete => 1,
            Self::Reject => 2,
            Self::RequestMic => 3,
        }
    }
}

// ---- DER primitives -----------------------------------------------------------------

fn len_size(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xff {
        2
    } else if len <= 0xffff {
        3
    } else if len <= 0xff_ffff {
        4
    } else {
        5
    }
}

/// Returns the size of a TLV with `len` content bytes.
fn tlv(len: usize) -> Result<usize, EncodeError> {
    len.checked_add(len_size(len))
        .and_then(|n| n.checked_add(1))
        .ok_or(EncodeError::TooLarge)
}

fn put_header(w: &mut Writer<'_>, tag: u8, len: usize) -> Result<(), EncodeError> {
    w.u8(tag)?;
    let n = len_size(len);
    if n == 1 {
        return w.u8(u8::try_from(len).map_err(|_| EncodeError::TooLarge)?);
    }
    let bytes = u32::try_from(len)
        .map_err(|_| EncodeError::TooLarge)?
        .to_be_bytes();
    let count = n.saturating_sub(1);
    w.u8(0x80 | u8::try_from(count).map_err(|_| EncodeError::TooLarge)?)?;
    w.bytes(bytes.get(4usize.saturating_sub(count)..).unwrap_or(&[]))
}

fn put_tlv(w: &mut Writer<'_>, tag: u8, content: &[u8]) -> Result<(), EncodeError> {
    put_header(w, tag, content.len())?;
    w.bytes(content)
}

/// Reads one TLV: returns its tag, its content and the whole encoding.
fn read_tlv<'a>(r: &mut Reader<'a>) -> Result<(u8, &'a [u8], &'a [u8]), DecodeError> {
    let start = r.pos();
    let tag = r.u8("DER tag")?;
    if tag & 0x1f == 0x1f {
        return Err(DecodeError::Unsupported {
            what: "DER high tag number",
        });
    }
    let first = r.u8("DER length")?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = first & 0x7f;
        if n == 0 {
            return Err(DecodeError::Unsupported {
                what: "DER indefinite length",
            });
        }
        if n > 4 {
            return Err(DecodeError::BadValue {
                what: "DER length of length",
                value: u64::from(n),
            });
        }
        let mut v: u32 = 0;
        for b in r.bytes(usize::from(n), "DER length")? {
            v = (v << 8) | u32::from(*b);
        }
        usize::try_from(v).map_err(|_| DecodeError::BadValue {
            what: "DER length",
            value: u64::from(v),
        })?
    };
    let content = r.bytes(len, "DER content")?;
    let whole = r.buffer().get(start..r.pos()).unwrap_or(&[]);
    Ok((tag, content, whole))
}

/// Reads one TLV that must have tag `tag` and occupy all of `buf`.
fn expect_only<'a>(
    buf: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), DecodeError> {
    let mut r = Reader::new(buf);
    let (t, content, whole) = read_tlv(&mut r)?;
    if t != tag {
        return Err(DecodeError::BadValue {
            what,
            value: u64::from(t),
        });
    }
    Ok((content, whole))
}

// ---- mechanism lists ----------------------------------------------------------------

/// A decoded MechTypeList: a validated SEQUENCE OF OBJECT IDENTIFIER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MechList<'a> {
    der: &'a [u8],
    content: &'a [u8],
}

impl<'a> MechList<'a> {
    fn decode(der: &'a [u8]) -> Result<Self, DecodeError> {
        let (content, der) = expect_only(der, TAG_SEQUENCE, "MechTypeList tag")?;
        let mut r = Reader::new(content);
        while r.remaining() > 0 {
            let (t, _, _) = read_tlv(&mut r)?;
            if t != TAG_OID {
                return Err(DecodeError::BadValue {
                    what: "MechType tag",
                    value: u64::from(t),
                });
            }
        }
        Ok(Self { der, content })
    }

    /// Iterates over the OIDs (content octets), most preferred first.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut r = Reader::new(self.content);
        core::iter::from_fn(move || {
            if r.remaining() == 0 {
                return None;
            }
            read_tlv(&mut r).ok().map(|(_, c, _)| c)
        })
    }

    /// Returns whether the list offers `oid`.
    pub fn contains(&self, oid: &[u8]) -> bool {
        self.iter().any(|o| o == oid)
    }

    /// Returns the number of mechanisms.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Returns whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    /// Returns the DER encoding of the list (what an NTLM mechListMIC covers).
    pub fn der(&self) -> &'a [u8] {
        self.der
    }
}

fn mech_list_content_len(mechs: &[&[u8]]) -> Result<usize, EncodeError> {
    mechs.iter().try_fold(0usize, |acc, m| {
        tlv(m.len())?.checked_add(acc).ok_or(EncodeError::TooLarge)
    })
}

/// Appends the DER MechTypeList of `mechs` (OID content octets), the input of an NTLM
/// mechListMIC.
pub fn encode_mech_type_list(w: &mut Writer<'_>, mechs: &[&[u8]]) -> Result<(), EncodeError> {
    put_header(w, TAG_SEQUENCE, mech_list_content_len(mechs)?)?;
    for m in mechs {
        put_tlv(w, TAG_OID, m)?;
    }
    Ok(())
}

// ---- NegTokenInit -------------------------------------------------------------------

/// A decoded NegTokenInit / NegTokenInit2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegTokenInit<'a> {
    /// The offered mechanisms (`None` if the field is absent).
    pub mech_types: Option<MechList<'a>>,
    /// The optimistic token for the first mechanism, if any.
    pub mech_token: Option<&'a [u8]>,
    /// The mechListMIC, if any.
    pub mech_list_mic: Option<&'a [u8]>,
}

impl<'a> NegTokenInit<'a> {
    /// Returns whether the token offers `oid` (false without a mechTypes field).
    pub fn offers(&self, oid: &[u8]) -> bool {
        self.mech_types.map(|m| m.contains(oid)).unwrap_or(false)
    }

    fn decode_seq(seq: &'a [u8]) -> Result<Self, DecodeError> {
        let (content, _) = expect_only(seq, TAG_SEQUENCE, "NegTokenInit tag")?;
        let mut out = Self {
            mech_types: None,
            mech_token: None,
            mech_list_mic: None,
        };
        let mut r = Reader::new(content);
        while r.remaining() > 0 {
            let (t, c, _) = read_tlv(&mut r)?;
            match t {
                t if t == ctx(0) => out.mech_types = Some(MechList::decode(c)?),
                t if t == ctx(2) => {
                    out.mech_token = Some(expect_only(c, TAG_OCTET_STRING, "mechToken tag")?.0)
                }
                // RFC 4178 puts mechListMIC at [3]; MS-SPNG's NegTokenInit2 puts
                // negHints (a SEQUENCE) there and mechListMIC at [4].
                t if t == ctx(3) || t == ctx(4) => {
                    let mut inner = Reader::new(c);
                    let (it, ic, _) = read_tlv(&mut inner)?;
                    if it == TAG_OCTET_STRING {
                        out.mech_list_mic = Some(ic);
                    }
                }
                // reqFlags and anything unknown.
                _ => {}
            }
        }
        Ok(out)
    }
}

fn init_seq_len(mechs: &[&[u8]], mech_token: Option<&[u8]>) -> Result<(usize, usize), EncodeError> {
    let list = tlv(mech_list_content_len(mechs)?)?;
    let mut content = tlv(list)?;
    if let Some(t) = mech_token {
        content = content
            .checked_add(tlv(tlv(t.len())?)?)
            .ok_or(EncodeError::TooLarge)?;
    }
    Ok((content, list))
}

/// Appends an InitialContextToken holding a NegTokenInit that offers `mechs` (OID
/// content octets, most preferred first) with an optional optimistic `mech_token`,
/// as a client's first SESSION_SETUP leg does.
pub fn encode_neg_token_init(
    w: &mut Writer<'_>,
    mechs: &[&[u8]],
    mech_token: Option<&[u8]>,
) -> Result<(), EncodeError> {
    let (seq_content, list) = init_seq_len(mechs, mech_token)?;
    let ctx0 = tlv(tlv(seq_content)?)?;
    let app = tlv(OID_SPNEGO.len())?
        .checked_add(ctx0)
        .ok_or(EncodeError::TooLarge)?;
    put_header(w, TAG_APPLICATION_0, app)?;
    put_tlv(w, TAG_OID, OID_SPNEGO)?;
    put_header(w, ctx(0), tlv(seq_content)?)?;
    put_header(w, TAG_SEQUENCE, seq_content)?;
    put_header(w, ctx(0), list)?;
    encode_mech_type_list(w, mechs)?;
    if let Some(t) = mech_token {
        put_header(w, ctx(2), tlv(t.len())?)?;
        put_tlv(w, TAG_OCTET_STRING, t)?;
    }
    Ok(())
}

// ---- NegTokenResp -------------------------------------------------------------------

/// A NegTokenResp (called NegTokenTarg in older documents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NegTokenResp<'a> {
    /// The negotiation state.
    pub neg_state: Option<NegState>,
    /// The mechanism the acceptor selected (OID content octets).
    pub supported_mech: Option<&'a [u8]>,
    /// The mechanism token.
    pub response_token: Option<&'a [u8]>,
    /// The mechListMIC.
    pub mech_list_mic: Option<&'a [u8]>,
}

impl<'a> NegTokenResp<'a> {
    fn seq_content_len(&self) -> Result<usize, EncodeError> {
        let mut n = 0usize;
        let add = |n: usize, v: usize| n.checked_add(v).ok_or(EncodeError::TooLarge);
        if self.neg_state.is_some() {
            n = add(n, tlv(tlv(1)?)?)?;
        }
        if let Some(m) = self.supported_mech {
            n = add(n, tlv(tlv(m.len())?)?)?;
        }
        if let Some(t) = self.response_token {
            n = add(n, tlv(tlv(t.len())?)?)?;
        }
        if let Some(m) = self.mech_list_mic {
            n = add(n, tlv(tlv(m.len())?)?)?;
        }
        Ok(n)
    }

    /// Appends the token ([1] NegTokenResp, not wrapped in an InitialContextToken).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let content = self.seq_content_len()?;
        put_header(w, ctx(1), tlv(content)?)?;
        put_header(w, TAG_SEQUENCE, content)?;
        if let Some(s) = self.neg_state {
            put_header(w, ctx(0), 3)?;
            put_tlv(w, TAG_ENUMERATED, &[s.wire()])?;
        }
        if let Some(m) = self.supported_mech {
            put_header(w, ctx(1), tlv(m.len())?)?;
            put_tlv(w, TAG_OID, m)?;
        }
        if let Some(t) = self.response_token {
            put_header(w, ctx(2), tlv(t.len())?)?;
            put_tlv(w, TAG_OCTET_STRING, t)?;
        }
        if let Some(m) = self.mech_list_mic {
            put_header(w, ctx(3), tlv(m.len())?)?;
            put_tlv(w, TAG_OCTET_STRING, m)?;
        }
        Ok(())
    }

    fn decode_seq(seq: &'a [u8]) -> Result<Self, DecodeError> {
        let (content, _) = expect_only(seq, TAG_SEQUENCE, "NegTokenResp tag")?;
        let mut out = Self::default();
        let mut r = Reader::new(content);
        while r.remaining() > 0 {
            let (t, c, _) = read_tlv(&mut r)?;
            match t {
                t if t == ctx(0) => {
                    let (e, _) = expect_only(c, TAG_ENUMERATED, "negState tag")?;
                    let v = match e {
                        [v] => *v,
                        _ => {
                            return Err(DecodeError::BadValue {
                                what: "negState length",
                                value: e.len() as u64,
                            })
                        }
                    };
                    out.neg_state = Some(NegState::from_wire(v).ok_or(DecodeError::BadValue {
                        what: "negState",
                        value: u64::from(v),
                    })?);
                }
                t if t == ctx(1) => {
                    out.supported_mech = Some(expect_only(c, TAG_OID, "supportedMech tag")?.0)
                }
                t if t == ctx(2) => {
                    out.response_token =
                        Some(expect_only(c, TAG_OCTET_STRING, "responseToken tag")?.0)
                }
                t if t == ctx(3) => {
                    out.mech_list_mic = Some(expect_only(c, TAG_OCTET_STRING, "mechListMIC tag")?.0)
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

// ---- top level ----------------------------------------------------------------------

/// A decoded SPNEGO token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NegotiationToken<'a> {
    /// A NegTokenInit (from an InitialContextToken or bare).
    Init(NegTokenInit<'a>),
    /// A NegTokenResp.
    Resp(NegTokenResp<'a>),
}

/// Decodes an SPNEGO token: an InitialContextToken (`0x60`, SPNEGO OID, NegTokenInit)
/// or a bare `[0]` NegTokenInit / `[1]` NegTokenResp. Trailing bytes after the token
/// are rejected.
pub fn decode(buf: &[u8]) -> Result<NegotiationToken<'_>, DecodeError> {
    let mut r = Reader::new(buf);
    let (tag, content, _) = read_tlv(&mut r)?;
    if r.remaining() != 0 {
        return Err(DecodeError::BadValue {
            what: "SPNEGO trailing bytes",
            value: r.remaining() as u64,
        });
    }
    let (tag, content) = if tag == TAG_APPLICATION_0 {
        let mut inner = Reader::new(content);
        let (t, oid, _) = read_tlv(&mut inner)?;
        if t != TAG_OID || oid != OID_SPNEGO {
            return Err(DecodeError::BadMagic {
                what: "InitialContextToken thisMech",
            });
        }
        let (t, c, _) = read_tlv(&mut inner)?;
        (t, c)
    } else {
        (tag, content)
    };
    match tag {
        t if t == ctx(0) => Ok(NegotiationToken::Init(NegTokenInit::decode_seq(content)?)),
        t if t == ctx(1) => Ok(NegotiationToken::Resp(NegTokenResp::decode_seq(content)?)),
        t => Err(DecodeError::BadValue {
            what: "NegotiationToken tag",
            value: u64::from(t),
        }),
    }
}

/// Decodes a token that must be a NegTokenInit (e.g. a NEGOTIATE response's buffer).
pub fn decode_neg_token_init(buf: &[u8]) -> Result<NegTokenInit<'_>, DecodeError> {
    match decode(buf)? {
        NegotiationToken::Init(i) => Ok(i),
        NegotiationToken::Resp(_) => Err(DecodeError::BadValue {
            what: "expected NegTokenInit",
            value: 1,
        }),
    }
}

/// Decodes a token that must be a NegTokenResp (e.g. a SESSION_SETUP response's
/// buffer).
pub fn decode_neg_token_resp(buf: &[u8]) -> Result<NegTokenResp<'_>, DecodeError> {
    match decode(buf)? {
        NegotiationToken::Resp(r) => Ok(r),
        NegotiationToken::Init(_) => Err(DecodeError::BadValue {
            what: "expected NegTokenResp",
            value: 0,
        }),
    }
}
