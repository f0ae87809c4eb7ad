// SPDX-License-Identifier: GPL-2.0

//! SMB2 NEGOTIATE request and response bodies with SMB 3.1.1 negotiate contexts
//! (MS-SMB2 2.2.3, 2.2.4), and the FSCTL_VALIDATE_NEGOTIATE_INFO ioctl structures
//! (MS-SMB2 2.2.31.4, 2.2.32.6).
//!
//! Conventions shared by the message codecs of this crate: an encoder appends a body
//! to a [`Writer`] whose position 0 is the start of the SMB2 header and which already
//! holds that header (so the body starts at `w.pos()`, 64 bytes after the header);
//! offsets written into the body are relative to the header. A decoder takes `msg`,
//! the message starting at its SMB2 header (for a compound, the slice starting at this
//! message's header), and validates every offset and length before borrowing from it.

use super::crypto::AeadCipher;
use super::cursor::{utf16_len, Reader, Writer};
use super::error::{DecodeError, EncodeError, What};
use super::header::{Body, Command, HEADER_SIZE};
use super::signing::SigningAlgorithm;

const HEADER_LEN: usize = HEADER_SIZE;
const REQUEST_STRUCTURE_SIZE: u16 = 36;
const RESPONSE_STRUCTURE_SIZE: u16 = 65;
const RESPONSE_FIXED_LEN: usize = 64;

/// The SMB2 dialects this client knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// SMB 2.0.2 (0x0202).
    Smb202,
    /// SMB 2.1 (0x0210).
    Smb210,
    /// SMB 3.0 (0x0300).
    Smb300,
    /// SMB 3.0.2 (0x0302).
    Smb302,
    /// SMB 3.1.1 (0x0311).
    Smb311,
}

impl Dialect {
    /// Returns the dialect with wire revision `v`, if known.
    pub fn from_wire(v: u16) -> Option<Self> {
        match v {
            0x0202 => Some(Self::Smb202),
            0x0210 => Some(Self::Smb210),
            0x0300 => Some(Self::Smb300),
            0x0302 => Some(Self::Smb302),
            0x0311 => Some(Self::Smb311),
            _ => None,
        }
    }

    /// Returns the wire revision of the dialect.
    pub fn wire(self) -> u16 {
        match self {
            Self::Smb202 => 0x0202,
            Self::Smb210 => 0x0210,
            Self::Smb300 => 0x0300,
            Self::Smb302 => 0x0302,
            Self::Smb311 => 0x0311,
        }
    }

    /// Returns whether the dialect belongs to the SMB 3.x family.
    pub fn is_smb3(self) -> bool {
        self >= Self::Smb300
    }
}

/// SecurityMode bits of NEGOTIATE (16-bit) and SESSION_SETUP (8-bit) requests.
pub mod security_mode {
    /// Signing is enabled.
    pub const SIGNING_ENABLED: u16 = 0x0001;
    /// Signing is required.
    pub const SIGNING_REQUIRED: u16 = 0x0002;
}

/// Global capability bits (MS-SMB2 2.2.3).
pub mod capabilities {
    /// DFS is supported.
    pub const DFS: u32 = 0x0000_0001;
    /// Leasing is supported.
    pub const LEASING: u32 = 0x0000_0002;
    /// Multi-credit operations are supported.
    pub const LARGE_MTU: u32 = 0x0000_0004;
    /// Multichannel is supported.
    pub const MULTI_CHANNEL: u32 = 0x0000_0008;
    /// Persistent handles are supported.
    pub const PERSISTENT_HANDLES: u32 = 0x0000_0010;
    /// Directory leasing is supported.
    pub const DIRECTORY_LEASING: u32 = 0x0000_0020;
    /// Encryption is supported (3.0 and 3.0.2; 3.1.1 uses the ENCRYPTION context).
    pub const ENCRYPTION: u32 = 0x0000_0040;
    /// Server-to-client notifications are supported (3.1.1).
    pub const NOTIFICATIONS: u32 = 0x0000_0080;
}

/// Negotiate context types (MS-SMB2 2.2.3.1).
pub mod context_type {
    /// SMB2_PREAUTH_INTEGRITY_CAPABILITIES.
    pub const PREAUTH_INTEGRITY: u16 = 0x0001;
    /// SMB2_ENCRYPTION_CAPABILITIES.
    pub const ENCRYPTION: u16 = 0x0002;
    /// SMB2_COMPRESSION_CAPABILITIES.
    pub const COMPRESSION: u16 = 0x0003;
    /// SMB2_NETNAME_NEGOTIATE_CONTEXT_ID.
    pub const NETNAME: u16 = 0x0005;
    /// SMB2_TRANSPORT_CAPABILITIES.
    pub const TRANSPORT: u16 = 0x0006;
    /// SMB2_RDMA_TRANSFORM_CAPABILITIES.
    pub const RDMA_TRANSFORM: u16 = 0x0007;
    /// SMB2_SIGNING_CAPABILITIES.
    pub const SIGNING: u16 = 0x0008;
    /// SMB2_POSIX_EXTENSIONS_AVAILABLE (Linux/Samba extension).
    pub const POSIX: u16 = 0x0100;
}

/// Data of the POSIX extensions negotiate context: the GUID
/// 93AD25509CB411E7B42383DE968BCD7C in wire order.
pub const POSIX_CONTEXT_GUID: [u8; 16] = [
    0x93, 0xAD, 0x25, 0x50, 0x9C, 0xB4, 0x11, 0xE7, 0xB4, 0x23, 0x83, 0xDE, 0x96, 0x8B, 0xCD, 0x7C,
];

/// Recommended length of the preauth integrity salt.
pub const SALT_LEN: usize = 32;

/// TRANSPORT_CAPABILITIES flag: accept transport-level security instead of SMB
/// encryption (e.g. QUIC).
pub const TRANSPORT_ACCEPT_TRANSPORT_LEVEL_SECURITY: u32 = 0x0000_0001;

/// RDMA transform identifiers.
pub mod rdma_transform {
    /// No transform.
    pub const NONE: u16 = 0x0000;
    /// RDMA payloads are encrypted.
    pub const ENCRYPTION: u16 = 0x0001;
    /// RDMA payloads are signed.
    pub const SIGNING: u16 = 0x0002;
}

/// FSCTL code of FSCTL_VALIDATE_NEGOTIATE_INFO.
pub const FSCTL_VALIDATE_NEGOTIATE_INFO: u32 = 0x0014_0204;

/// A list of little-endian 16-bit values: either a caller's slice (to encode) or the
/// wire bytes of a decoded message.
#[derive(Clone, Copy, Debug)]
pub struct U16List<'a>(U16Repr<'a>);

#[derive(Clone, Copy, Debug)]
enum U16Repr<'a> {
    Slice(&'a [u16]),
    Wire(&'a [u8]),
}

impl<'a> U16List<'a> {
    /// Wraps a slice of values.
    pub const fn new(values: &'a [u16]) -> Self {
        Self(U16Repr::Slice(values))
    }

    /// Wraps wire bytes (little-endian pairs); `None` if the length is odd.
    pub fn from_wire(bytes: &'a [u8]) -> Option<Self> {
        if bytes.len() % 2 == 0 {
            Some(Self(U16Repr::Wire(bytes)))
        } else {
            None
        }
    }

    /// Returns the number of values.
    pub fn len(&self) -> usize {
        match self.0 {
            U16Repr::Slice(s) => s.len(),
            U16Repr::Wire(b) => b.len() / 2,
        }
    }

    /// Returns whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns value `i`.
    pub fn get(&self, i: usize) -> Option<u16> {
        match self.0 {
            U16Repr::Slice(s) => s.get(i).copied(),
            U16Repr::Wire(b) => {
                let start = i.checked_mul(2)?;
                let pair = b.get(start..start.checked_add(2)?)?;
                Some(u16::from_le_bytes([*pair.first()?, *pair.get(1)?]))
            }
        }
    }

    /// Iterates over the values.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        let this = *self;
        (0..this.len()).map_while(move |i| this.get(i))
    }

    /// Returns whether `v` is in the list.
    pub fn contains(&self, v: u16) -> bool {
        self.iter().any(|x| x == v)
    }

    fn wire_len(&self) -> Result<usize, EncodeError> {
        self.len().checked_mul(2).ok_or(EncodeError::TooLarge)
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        for v in self.iter() {
            w.u16(v)?;
        }
        Ok(())
    }
}

impl PartialEq for U16List<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for U16List<'_> {}

/// A UTF-16 string: either a caller's `&str` (to encode) or decoded UTF-16LE bytes.
#[derive(Clone, Copy, Debug)]
pub enum Utf16Text<'a> {
    /// A Rust string, encoded as UTF-16LE on the wire.
    Str(&'a str),
    /// UTF-16LE bytes from the wire (even length, not validated as UTF-16).
    Wire(&'a [u8]),
}

impl<'a> Utf16Text<'a> {
    /// Iterates over the UTF-16 code units.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        let (s, b): (&'a str, &'a [u8]) = match *self {
            Self::Str(s) => (s, &[]),
            Self::Wire(b) => ("", b),
        };
        s.encode_utf16().chain(b.chunks_exact(2).map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        }))
    }

    /// Returns the UTF-16LE length in bytes.
    pub fn byte_len(&self) -> usize {
        match self {
            Self::Str(s) => utf16_len(s),
            Self::Wire(b) => b.len(),
        }
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::Str(s) => w.utf16(s),
            Self::Wire(b) => w.bytes(b),
        }
    }
}

impl PartialEq for Utf16Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.units().eq(other.units())
    }
}

impl Eq for Utf16Text<'_> {}

/// One negotiate context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NegotiateContext<'a> {
    /// SMB2_PREAUTH_INTEGRITY_CAPABILITIES: hash algorithms (SHA-512 = 1) and a salt.
    PreauthIntegrity {
        /// Hash algorithm identifiers.
        hash_algorithms: U16List<'a>,
        /// The salt.
        salt: &'a [u8],
    },
    /// SMB2_ENCRYPTION_CAPABILITIES: cipher identifiers, most preferred first.
    Encryption {
        /// Cipher identifiers (see [`AeadCipher::wire`]).
        ciphers: U16List<'a>,
    },
    /// SMB2_COMPRESSION_CAPABILITIES (decoded but never negotiated by this client).
    Compression {
        /// Compression flags.
        flags: u32,
        /// Compression algorithm identifiers.
        algorithms: U16List<'a>,
    },
    /// SMB2_NETNAME_NEGOTIATE_CONTEXT_ID: the server name the client connects to.
    NetName(Utf16Text<'a>),
    /// SMB2_TRANSPORT_CAPABILITIES.
    Transport {
        /// Transport flags.
        flags: u32,
    },
    /// SMB2_RDMA_TRANSFORM_CAPABILITIES.
    RdmaTransform {
        /// RDMA transform identifiers.
        transforms: U16List<'a>,
    },
    /// SMB2_SIGNING_CAPABILITIES: signing algorithm identifiers, most preferred first.
    Signing {
        /// Signing algorithm identifiers (see [`SigningAlgorithm::wire`]).
        algorithms: U16List<'a>,
    },
    /// SMB2_POSIX_EXTENSIONS_AVAILABLE with the POSIX GUID.
    Posix,
    /// A context this code does not interpret.
    Other {
        /// The context type.
        context_type: u16,
        /// The context data.
        data: &'a [u8],
    },
}

fn two_plus(list: &U16List<'_>, fixed: usize) -> Result<usize, EncodeError> {
    list.wire_len()?
        .checked_add(fixed)
        .ok_or(EncodeError::TooLarge)
}

fn count16(list: &U16List<'_>) -> Result<u16, EncodeError> {
    u16::try_from(list.len()).map_err(|_| EncodeError::TooLarge)
}

impl<'a> NegotiateContext<'a> {
    /// Returns the context type.
    pub fn context_type(&self) -> u16 {
        match self {
            Self::PreauthIntegrity { .. } => context_type::PREAUTH_INTEGRITY,
            Self::Encryption { .. } => context_type::ENCRYPTION,
            Self::Compression { .. } => context_type::COMPRESSION,
            Self::NetName(_) => context_type::NETNAME,
            Self::Transport { .. } => context_type::TRANSPORT,
            Self::RdmaTransform { .. } => context_type::RDMA_TRANSFORM,
            Self::Signing { .. } => context_type::SIGNING,
            Self::Posix => context_type::POSIX,
            Self::Other { context_type, .. } => *context_type,
        }
    }

    fn data_len(&self) -> Result<usize, EncodeError> {
        match self {
            Self::PreauthIntegrity {
                hash_algorithms,
                salt,
            } => two_plus(hash_algorithms, 4)?
                .checked_add(salt.len())
                .ok_or(EncodeError::TooLarge),
            Self::Encryption { ciphers } => two_plus(ciphers, 2),
            Self::Compression { algorithms, .. } => two_plus(algorithms, 8),
            Self::NetName(n) => Ok(n.byte_len()),
            Self::Transport { .. } => Ok(4),
            Self::RdmaTransform { transforms } => two_plus(transforms, 8),
            Self::Signing { algorithms } => two_plus(algorithms, 2),
            Self::Posix => Ok(POSIX_CONTEXT_GUID.len()),
            Self::Other { data, .. } => Ok(data.len()),
        }
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let len = u16::try_from(self.data_len()?).map_err(|_| EncodeError::TooLarge)?;
        w.u16(self.context_type())?;
        w.u16(len)?;
        w.u32(0)?;
        match self {
            Self::PreauthIntegrity {
                hash_algorithms,
                salt,
            } => {
                w.u16(count16(hash_algorithms)?)?;
                w.u16(u16::try_from(salt.len()).map_err(|_| EncodeError::TooLarge)?)?;
                hash_algorithms.encode(w)?;
                w.bytes(salt)
            }
            Self::Encryption { ciphers } => {
                w.u16(count16(ciphers)?)?;
                ciphers.encode(w)
            }
            Self::Compression { flags, algorithms } => {
                w.u16(count16(algorithms)?)?;
                w.u16(0)?;
                w.u32(*flags)?;
                algorithms.encode(w)
            }
            Self::NetName(n) => n.encode(w),
            Self::Transport { flags } => w.u32(*flags),
            Self::RdmaTransform { transforms } => {
                w.u16(count16(transforms)?)?;
                w.u16(0)?;
                w.u32(0)?;
                transforms.encode(w)
            }
            Self::Signing { algorithms } => {
                w.u16(count16(algorithms)?)?;
                algorithms.encode(w)
            }
            Self::Posix => w.bytes(&POSIX_CONTEXT_GUID),
            Self::Other { data, .. } => w.bytes(data),
        }
    }

    fn decode(ctype: u16, data: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let list =
            |r: &mut Reader<'a>, count: u16, what: What| -> Result<U16List<'a>, DecodeError> {
                let bytes = r.bytes(usize::from(count).saturating_mul(2), what)?;
                U16List::from_wire(bytes).ok_or(DecodeError::BadValue {
                    what,
                    value: bytes.len() as u64,
                })
            };
        Ok(match ctype {
            context_type::PREAUTH_INTEGRITY => {
                let count = r.u16("PreauthIntegrity.HashAlgorithmCount")?;
                let salt_len = r.u16("PreauthIntegrity.SaltLength")?;
                let hash_algorithms = list(&mut r, count, "PreauthIntegrity.HashAlgorithms")?;
                let salt = r.bytes(usize::from(salt_len), "PreauthIntegrity.Salt")?;
                Self::PreauthIntegrity {
                    hash_algorithms,
                    salt,
                }
            }
            context_type::ENCRYPTION => {
                let count = r.u16("Encryption.CipherCount")?;
                Self::Encryption {
                    ciphers: list(&mut r, count, "Encryption.Ciphers")?,
                }
            }
            context_type::COMPRESSION => {
                let count = r.u16("Compression.CompressionAlgorithmCount")?;
                r.skip(2, "Compression.Padding")?;
                let flags = r.u32("Compression.Flags")?;
                Self::Compression {
                    flags,
                    algorithms: list(&mut r, count, "Compression.CompressionAlgorithms")?,
                }
            }
            context_type::NETNAME => Self::NetName(Utf16Text::Wire(
                U16List::from_wire(data)
                    .map(|_| data)
                    .ok_or(DecodeError::BadValue {
                        what: "NetName.DataLength",
                        value: data.len() as u64,
                    })?,
            )),
            context_type::TRANSPORT => Self::Transport {
                flags: r.u32("Transport.Flags")?,
            },
            context_type::RDMA_TRANSFORM => {
                let count = r.u16("RdmaTransform.TransformCount")?;
                r.skip(6, "RdmaTransform.Reserved")?;
                Self::RdmaTransform {
                    transforms: list(&mut r, count, "RdmaTransform.RDMATransformIds")?,
                }
            }
            context_type::SIGNING => {
                let count = r.u16("Signing.SigningAlgorithmCount")?;
                Self::Signing {
                    algorithms: list(&mut r, count, "Signing.SigningAlgorithms")?,
                }
            }
            context_type::POSIX if data == POSIX_CONTEXT_GUID => Self::Posix,
            _ => Self::Other {
                context_type: ctype,
                data,
            },
        })
    }
}

/// The negotiate contexts of a message: a caller's slice (to encode) or the validated
/// wire contexts of a decoded message.
#[derive(Clone, Copy, Debug)]
pub struct NegotiateContexts<'a>(CtxRepr<'a>);

#[derive(Clone, Copy, Debug)]
enum CtxRepr<'a> {
    Slice(&'a [NegotiateContext<'a>]),
    Wire {
        msg: &'a [u8],
        first: usize,
        count: u16,
    },
}

impl<'a> NegotiateContexts<'a> {
    /// Wraps a slice of contexts.
    pub const fn new(contexts: &'a [NegotiateContext<'a>]) -> Self {
        Self(CtxRepr::Slice(contexts))
    }

    /// Returns no contexts.
    pub const fn none() -> Self {
        Self(CtxRepr::Slice(&[]))
    }

    /// Returns the number of contexts.
    pub fn len(&self) -> usize {
        match self.0 {
            CtxRepr::Slice(s) => s.len(),
            CtxRepr::Wire { count, .. } => usize::from(count),
        }
    }

    /// Returns whether there are no contexts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over the contexts.
    pub fn iter(&self) -> NegotiateContextIter<'a> {
        NegotiateContextIter {
            repr: self.0,
            index: 0,
            pos: match self.0 {
                CtxRepr::Wire { first, .. } => first,
                CtxRepr::Slice(_) => 0,
            },
        }
    }
}

impl PartialEq for NegotiateContexts<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Iterator over [`NegotiateContexts`].
#[derive(Clone, Debug)]
pub struct NegotiateContextIter<'a> {
    repr: CtxRepr<'a>,
    index: usize,
    pos: usize,
}

impl<'a> Iterator for NegotiateContextIter<'a> {
    type Item = NegotiateContext<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.repr {
            CtxRepr::Slice(s) => {
                let c = s.get(self.index).copied()?;
                self.index = self.index.saturating_add(1);
                Some(c)
            }
            CtxRepr::Wire { msg, count, .. } => {
                if self.index >= usize::from(count) {
                    return None;
                }
                // Validated by the decoder; an error here just ends the iteration.
                let (ctx, next) = parse_context(msg, self.pos).ok()?;
                self.index = self.index.saturating_add(1);
                self.pos = next;
                Some(ctx)
            }
        }
    }
}

fn align8(pos: usize) -> Option<usize> {
    pos.checked_add(7).map(|p| p & !7)
}

/// Parses the context at `pos` (relative to the header) and returns it with the
/// 8-byte aligned position where the next context would start.
fn parse_context(msg: &[u8], pos: usize) -> Result<(NegotiateContext<'_>, usize), DecodeError> {
    let mut r = Reader::new(msg).at(pos, "NegotiateContext")?;
    let ctype = r.u16("NegotiateContext.ContextType")?;
    let len = r.u16("NegotiateContext.DataLength")?;
    r.skip(4, "NegotiateContext.Reserved")?;
    let data = r.bytes(usize::from(len), "NegotiateContext.Data")?;
    let ctx = NegotiateContext::decode(ctype, data)?;
    let next = align8(r.pos()).ok_or(DecodeError::OutOfBounds {
        what: "NegotiateContext",
        offset: r.pos(),
        len: 0,
    })?;
    Ok((ctx, next))
}

fn decode_contexts(
    msg: &[u8],
    offset: u32,
    count: u16,
) -> Result<NegotiateContexts<'_>, DecodeError> {
    if count == 0 {
        return Ok(NegotiateContexts::none());
    }
    let first = usize::try_from(offset).map_err(|_| DecodeError::BadValue {
        what: "NegotiateContextOffset",
        value: u64::from(offset),
    })?;
    if first < HEADER_LEN {
        return Err(DecodeError::BadValue {
            what: "NegotiateContextOffset",
            value: u64::from(offset),
        });
    }
    let mut pos = first;
    for _ in 0..count {
        pos = parse_context(msg, pos)?.1;
    }
    Ok(NegotiateContexts(CtxRepr::Wire { msg, first, count }))
}

fn encode_contexts(
    w: &mut Writer<'_>,
    base: usize,
    contexts: &NegotiateContexts<'_>,
) -> Result<(), EncodeError> {
    for (i, c) in contexts.iter().enumerate() {
        if i != 0 {
            pad8(w, base)?;
        }
        c.encode(w)?;
    }
    Ok(())
}

/// Pads with zeros to an 8-byte boundary relative to the header at `base`.
fn pad8(w: &mut Writer<'_>, base: usize) -> Result<(), EncodeError> {
    let rel = w.pos().wrapping_sub(base);
    w.zeros(rel.wrapping_neg() & 7)
}

/// Returns the absolute position of the header of the message whose body `w` is at.
fn header_base(w: &Writer<'_>) -> Result<usize, EncodeError> {
    w.pos()
        .checked_sub(HEADER_LEN)
        .ok_or(EncodeError::InvalidArgument {
            what: "writer must already hold the 64-byte SMB2 header",
        })
}

fn rel_u32(pos: usize, base: usize) -> Result<u32, EncodeError> {
    u32::try_from(pos.wrapping_sub(base)).map_err(|_| EncodeError::TooLarge)
}

fn rel_u16(pos: usize, base: usize) -> Result<u16, EncodeError> {
    u16::try_from(pos.wrapping_sub(base)).map_err(|_| EncodeError::TooLarge)
}

fn body(msg: &[u8], what: What) -> Result<Reader<'_>, DecodeError> {
    Reader::new(msg).at(HEADER_LEN, what)
}

fn expect_structure_size(r: &mut Reader<'_>, expected: u16, what: What) -> Result<(), DecodeError> {
    let v = r.u16(what)?;
    if v != expected {
        return Err(DecodeError::BadValue {
            what,
            value: u64::from(v),
        });
    }
    Ok(())
}

/// An SMB2 NEGOTIATE request body.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NegotiateRequest<'a> {
    /// Offered dialect revisions.
    pub dialects: U16List<'a>,
    /// SecurityMode bits ([`security_mode`]).
    pub security_mode: u16,
    /// Capability bits ([`capabilities`]).
    pub capabilities: u32,
    /// The client GUID.
    pub client_guid: [u8; 16],
    /// Negotiate contexts; only allowed when 3.1.1 is offered.
    pub contexts: NegotiateContexts<'a>,
}

impl<'a> NegotiateRequest<'a> {
    /// Appends the request body (see the module conventions).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let base = header_base(w)?;
        self.encode_at(w, base)
    }

    fn encode_at(&self, w: &mut Writer<'_>, base: usize) -> Result<(), EncodeError> {
        if self.dialects.is_empty() {
            return Err(EncodeError::InvalidArgument {
                what: "NEGOTIATE needs at least one dialect",
            });
        }
        let has_311 = self.dialects.contains(Dialect::Smb311.wire());
        if !has_311 && !self.contexts.is_empty() {
            return Err(EncodeError::InvalidArgument {
                what: "negotiate contexts need dialect 3.1.1",
            });
        }
        w.u16(REQUEST_STRUCTURE_SIZE)?;
        w.u16(count16(&self.dialects)?)?;
        w.u16(self.security_mode)?;
        w.u16(0)?;
        w.u32(self.capabilities)?;
        w.bytes(&self.client_guid)?;
        let offset_field = w.pos();
        // NegotiateContextOffset/Count/Reserved2, or ClientStartTime (zero).
        w.zeros(8)?;
        self.dialects.encode(w)?;
        if !self.contexts.is_empty() {
            pad8(w, base)?;
            let count = u16::try_from(self.contexts.len()).map_err(|_| EncodeError::TooLarge)?;
            w.patch_u32(offset_field, rel_u32(w.pos(), base)?)?;
            w.patch_u16(offset_field.saturating_add(4), count)?;
            encode_contexts(w, base, &self.contexts)?;
        }
        Ok(())
    }

    /// Decodes a request from `msg` (see the module conventions).
    pub fn decode(msg: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = body(msg, "NegotiateRequest")?;
        expect_structure_size(
            &mut r,
            REQUEST_STRUCTURE_SIZE,
            "NegotiateRequest.StructureSize",
        )?;
        let count = r.u16("NegotiateRequest.DialectCount")?;
        let security_mode = r.u16("NegotiateRequest.SecurityMode")?;
        r.skip(2, "NegotiateRequest.Reserved")?;
        let capabilities = r.u32("NegotiateRequest.Capabilities")?;
        let client_guid = r.guid("NegotiateRequest.ClientGuid")?;
        let ctx_offset = r.u32("NegotiateRequest.NegotiateContextOffset")?;
        let ctx_count = r.u16("NegotiateRequest.NegotiateContextCount")?;
        r.skip(2, "NegotiateRequest.Reserved2")?;
        let bytes = r.bytes(
            usize::from(count).saturating_mul(2),
            "NegotiateRequest.Dialects",
        )?;
        let dialects = U16List::from_wire(bytes).unwrap_or(U16List::new(&[]));
        let contexts = if dialects.contains(Dialect::Smb311.wire()) {
            decode_contexts(msg, ctx_offset, ctx_count)?
        } else {
            NegotiateContexts::none()
        };
        Ok(Self {
            dialects,
            security_mode,
            capabilities,
            client_guid,
            contexts,
        })
    }
}

/// An SMB2 NEGOTIATE response body.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NegotiateResponse<'a> {
    /// SecurityMode bits ([`security_mode`]).
    pub security_mode: u16,
    /// The selected dialect revision as sent (see [`NegotiateResponse::dialect`]).
    pub dialect_revision: u16,
    /// The server GUID.
    pub server_guid: [u8; 16],
    /// Capability bits ([`capabilities`]).
    pub capabilities: u32,
    /// Maximum transaction size.
    pub max_transact_size: u32,
    /// Maximum READ length.
    pub max_read_size: u32,
    /// Maximum WRITE length.
    pub max_write_size: u32,
    /// Server time (FILETIME).
    pub system_time: u64,
    /// Server start time (FILETIME, usually zero).
    pub server_start_time: u64,
    /// The GSS security buffer (usually an SPNEGO NegTokenInit; may be empty).
    pub security_buffer: &'a [u8],
    /// Negotiate contexts (3.1.1 only; empty otherwise).
    pub contexts: NegotiateContexts<'a>,
}

impl<'a> NegotiateResponse<'a> {
    /// Returns the selected dialect, or an error if it is not one this client knows.
    pub fn dialect(&self) -> Result<Dialect, DecodeError> {
        Dialect::from_wire(self.dialect_revision).ok_or(DecodeError::BadValue {
            what: "NegotiateResponse.DialectRevision",
            value: u64::from(self.dialect_revision),
        })
    }

    /// Appends the response body (see the module conventions); used by tests and mock
    /// servers.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let base = header_base(w)?;
        self.encode_at(w, base)
    }

    fn encode_at(&self, w: &mut Writer<'_>, base: usize) -> Result<(), EncodeError> {
        let is_311 = self.dialect_revision == Dialect::Smb311.wire();
        if !is_311 && !self.contexts.is_empty() {
            return Err(EncodeError::InvalidArgument {
                what: "negotiate contexts need dialect 3.1.1",
            });
        }
        let count = u16::try_from(self.contexts.len()).map_err(|_| EncodeError::TooLarge)?;
        let sec_len =
            u16::try_from(self.security_buffer.len()).map_err(|_| EncodeError::TooLarge)?;
        w.u16(RESPONSE_STRUCTURE_SIZE)?;
        w.u16(self.security_mode)?;
        w.u16(self.dialect_revision)?;
        w.u16(count)?;
        w.bytes(&self.server_guid)?;
        w.u32(self.capabilities)?;
        w.u32(self.max_transact_size)?;
        w.u32(self.max_read_size)?;
        w.u32(self.max_write_size)?;
        w.u64(self.system_time)?;
        w.u64(self.server_start_time)?;
        let sec_off = w.pos().checked_add(8).ok_or(EncodeError::TooLarge)?;
        w.u16(rel_u16(sec_off, base)?)?;
        w.u16(sec_len)?;
        let ctx_field = w.pos();
        w.u32(0)?;
        w.bytes(self.security_buffer)?;
        if !self.contexts.is_empty() {
            pad8(w, base)?;
            w.patch_u32(ctx_field, rel_u32(w.pos(), base)?)?;
            encode_contexts(w, base, &self.contexts)?;
        }
        Ok(())
    }

    /// Decodes a response from `msg` (see the module conventions), validating the
    /// security buffer and every negotiate context.
    pub fn decode(msg: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = body(msg, "NegotiateResponse")?;
        if r.remaining() < RESPONSE_FIXED_LEN {
            return Err(DecodeError::OutOfBounds {
                what: "NegotiateResponse",
                offset: HEADER_LEN,
                len: RESPONSE_FIXED_LEN,
            });
        }
        expect_structure_size(
            &mut r,
            RESPONSE_STRUCTURE_SIZE,
            "NegotiateResponse.StructureSize",
        )?;
        let security_mode = r.u16("NegotiateResponse.SecurityMode")?;
        let dialect_revision = r.u16("NegotiateResponse.DialectRevision")?;
        let ctx_count = r.u16("NegotiateResponse.NegotiateContextCount")?;
        let server_guid = r.guid("NegotiateResponse.ServerGuid")?;
        let capabilities = r.u32("NegotiateResponse.Capabilities")?;
        let max_transact_size = r.u32("NegotiateResponse.MaxTransactSize")?;
        let max_read_size = r.u32("NegotiateResponse.MaxReadSize")?;
        let max_write_size = r.u32("NegotiateResponse.MaxWriteSize")?;
        let system_time = r.u64("NegotiateResponse.SystemTime")?;
        let server_start_time = r.u64("NegotiateResponse.ServerStartTime")?;
        let sec_off = r.u16("NegotiateResponse.SecurityBufferOffset")?;
        let sec_len = r.u16("NegotiateResponse.SecurityBufferLength")?;
        let ctx_off = r.u32("NegotiateResponse.NegotiateContextOffset")?;
        let security_buffer =
            security_buffer(msg, sec_off, sec_len, "NegotiateResponse.SecurityBuffer")?;
        let contexts = if dialect_revision == Dialect::Smb311.wire() {
            decode_contexts(msg, ctx_off, ctx_count)?
        } else {
            NegotiateContexts::none()
        };
        Ok(Self {
            security_mode,
            dialect_revision,
            server_guid,
            capabilities,
            max_transact_size,
            max_read_size,
            max_write_size,
            system_time,
            server_start_time,
            security_buffer,
            contexts,
        })
    }

    /// Checks the server's 3.1.1 context selections as MS-SMB2 3.2.5.2 requires and
    /// returns them: exactly one PREAUTH_INTEGRITY context with one hash algorithm, at
    /// most one ENCRYPTION and SIGNING context each selecting one algorithm (cipher 0
    /// meaning "no common cipher"), and no duplicate context of a known type.
    pub fn selected(&self) -> Result<SelectedContexts<'a>, DecodeError> {
        let mut s = SelectedContexts {
            preauth_hash_algorithm: 0,
            preauth_salt: &[],
            cipher: None,
            signing: None,
            posix: false,
            transport_flags: None,
            rdma_transforms: U16List::new(&[]),
            compression: None,
        };
        let mut seen: u16 = 0;
        let dup = |seen: &mut u16, bit: u16, what: What| -> Result<(), DecodeError> {
            if *seen & bit != 0 {
                return Err(DecodeError::BadValue {
                    what,
                    value: u64::from(bit),
                });
            }
            *seen |= bit;
            Ok(())
        };
        let single = |l: &U16List<'_>, what: What| -> Result<u16, DecodeError> {
            match (l.len(), l.get(0)) {
                (1, Some(v)) => Ok(v),
                (n, _) => Err(DecodeError::BadValue {
                    what,
                    value: n as u64,
                }),
            }
        };
        for c in self.contexts.iter() {
            match c {
                NegotiateContext::PreauthIntegrity {
                    hash_algorithms,
                    salt,
                } => {
                    dup(&mut seen, 1, "duplicate PREAUTH_INTEGRITY context")?;
                    s.preauth_hash_algorithm =
                        single(&hash_algorithms, "PreauthIntegrity.HashAlgorithmCount")?;
                    s.preauth_salt = salt;
                }
                NegotiateContext::Encryption { ciphers } => {
                    dup(&mut seen, 2, "duplicate ENCRYPTION context")?;
                    let id = single(&ciphers, "Encryption.CipherCount")?;
                    if id != 0 {
                        s.cipher =
                            Some(AeadCipher::from_wire(id).ok_or(DecodeError::BadValue {
                                what: "Encryption.Ciphers",
                                value: u64::from(id),
                            })?);
                    }
                }
                NegotiateContext::Signing { algorithms } => {
                    dup(&mut seen, 4, "duplicate SIGNING context")?;
                    let id = single(&algorithms, "Signing.SigningAlgorithmCount")?;
                    s.signing = Some(SigningAlgorithm::from_wire(id).ok_or(
                        DecodeError::BadValue {
                            what: "Signing.SigningAlgorithms",
                            value: u64::from(id),
                        },
                    )?);
                }
                NegotiateContext::Posix => {
                    dup(&mut seen, 8, "duplicate POSIX context")?;
                    s.posix = true;
                }
                NegotiateContext::Transport { flags } => {
                    dup(&mut seen, 16, "duplicate TRANSPORT context")?;
                    s.transport_flags = Some(flags);
                }
                NegotiateContext::RdmaTransform { transforms } => {
                    dup(&mut seen, 32, "duplicate RDMA_TRANSFORM context")?;
                    s.rdma_transforms = transforms;
                }
                NegotiateContext::Compression { flags, algorithms } => {
                    dup(&mut seen, 64, "duplicate COMPRESSION context")?;
                    s.compression = Some((flags, algorithms));
                }
                NegotiateContext::NetName(_) | NegotiateContext::Other { .. } => {}
            }
        }
        if self.dialect_revision == Dialect::Smb311.wire() && seen & 1 == 0 {
            return Err(DecodeError::BadValue {
                what: "missing PREAUTH_INTEGRITY context",
                value: 0,
            });
        }
        Ok(s)
    }
}

impl Body for NegotiateRequest<'_> {
    const COMMAND: Command = Command::Negotiate;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        self.encode_at(w, pdu_start)
    }
}

impl Body for NegotiateResponse<'_> {
    const COMMAND: Command = Command::Negotiate;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        self.encode_at(w, pdu_start)
    }
}

/// The server's selections from a 3.1.1 NEGOTIATE response's contexts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SelectedContexts<'a> {
    /// The preauth integrity hash algorithm (SHA-512 = 1; 0 before 3.1.1).
    pub preauth_hash_algorithm: u16,
    /// The server's preauth salt.
    pub preauth_salt: &'a [u8],
    /// The selected cipher, if the server sent a nonzero one.
    pub cipher: Option<AeadCipher>,
    /// The selected signing algorithm, if the server sent a SIGNING context.
    pub signing: Option<SigningAlgorithm>,
    /// Whether the server announced the POSIX extensions.
    pub posix: bool,
    /// The TRANSPORT_CAPABILITIES flags, if sent.
    pub transport_flags: Option<u32>,
    /// The RDMA transforms the server selected (empty if none).
    pub rdma_transforms: U16List<'a>,
    /// The COMPRESSION context (flags, algorithms), if sent; this client never asks.
    pub compression: Option<(u32, U16List<'a>)>,
}

/// Borrows the (offset, length) described security buffer of `msg`; a zero length
/// yields an empty slice whatever the offset.
pub(crate) fn security_buffer(
    msg: &[u8],
    offset: u16,
    len: u16,
    what: What,
) -> Result<&[u8], DecodeError> {
    if len == 0 {
        return Ok(&[]);
    }
    if usize::from(offset) < HEADER_LEN {
        return Err(DecodeError::BadValue {
            what,
            value: u64::from(offset),
        });
    }
    Reader::new(msg).slice_at(usize::from(offset), usize::from(len), what)
}

/// The input buffer of FSCTL_VALIDATE_NEGOTIATE_INFO (MS-SMB2 2.2.31.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValidateNegotiateInfoRequest<'a> {
    /// The capabilities sent in NEGOTIATE.
    pub capabilities: u32,
    /// The client GUID sent in NEGOTIATE.
    pub guid: [u8; 16],
    /// The security mode sent in NEGOTIATE.
    pub security_mode: u16,
    /// The dialects sent in NEGOTIATE.
    pub dialects: U16List<'a>,
}

impl<'a> ValidateNegotiateInfoRequest<'a> {
    /// Appends the ioctl input buffer.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.capabilities)?;
        w.bytes(&self.guid)?;
        w.u16(self.security_mode)?;
        w.u16(count16(&self.dialects)?)?;
        self.dialects.encode(w)
    }

    /// Decodes the ioctl input buffer `buf`.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let capabilities = r.u32("ValidateNegotiateInfo.Capabilities")?;
        let guid = r.guid("ValidateNegotiateInfo.Guid")?;
        let security_mode = r.u16("ValidateNegotiateInfo.SecurityMode")?;
        let count = r.u16("ValidateNegotiateInfo.DialectCount")?;
        let bytes = r.bytes(
            usize::from(count).saturating_mul(2),
            "ValidateNegotiateInfo.Dialects",
        )?;
        Ok(Self {
            capabilities,
            guid,
            security_mode,
            dialects: U16List::from_wire(bytes).unwrap_or(U16List::new(&[])),
        })
    }
}

/// The output buffer of FSCTL_VALIDATE_NEGOTIATE_INFO (MS-SMB2 2.2.32.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidateNegotiateInfoResponse {
    /// The server's capabilities.
    pub capabilities: u32,
    /// The server GUID.
    pub guid: [u8; 16],
    /// The server's security mode.
    pub security_mode: u16,
    /// The dialect the server selected.
    pub dialect: u16,
}

impl ValidateNegotiateInfoResponse {
    /// Length in bytes of the structure.
    pub const LEN: usize = 24;

    /// Appends the ioctl output buffer.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.capabilities)?;
        w.bytes(&self.guid)?;
        w.u16(self.security_mode)?;
        w.u16(self.dialect)
    }

    /// Decodes the ioctl output buffer `buf` (at least 24 bytes).
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        Ok(Self {
            capabilities: r.u32("ValidateNegotiateInfoResponse.Capabilities")?,
            guid: r.guid("ValidateNegotiateInfoResponse.Guid")?,
            security_mode: r.u16("ValidateNegotiateInfoResponse.SecurityMode")?,
            dialect: r.u16("ValidateNegotiateInfoResponse.Dialect")?,
        })
    }
}
