// SPDX-License-Identifier: GPL-2.0

//! Dialect negotiation: the request a mount's options produce, and the validation of
//! the server's answer into what the connection will use.
//!
//! Everything the server selects is checked against what we offered: a server that
//! picks a dialect, cipher or signing algorithm we did not offer, omits the preauth
//! context on 3.1.1, or announces unusable sizes is refused, never trusted.

use crate::proto::{
    crypto::AeadCipher,
    cursor::Writer,
    error::{DecodeError, EncodeError},
    header::{encode_pdu, Header},
    negotiate::{
        capabilities, security_mode, Dialect, NegotiateContext, NegotiateContexts,
        NegotiateRequest, NegotiateResponse, U16List, SALT_LEN,
    },
    signing::SigningAlgorithm,
    status,
};

/// SHA-512, the only preauth integrity hash algorithm.
const PREAUTH_SHA512: u16 = 1;

/// Smallest max read/write size a server may announce and still be usable.
pub const MIN_IO_SIZE: u32 = 4096;

/// What the client offers in NEGOTIATE (from the mount options).
#[derive(Clone, Copy, Debug)]
pub struct Offer<'a> {
    /// Dialects offered (any order).
    pub dialects: &'a [Dialect],
    /// Whether the mount requires signing (`sign`).
    pub signing_required: bool,
    /// The client GUID (random per client instance).
    pub client_guid: [u8; 16],
    /// The preauth salt (random per connection).
    pub salt: [u8; SALT_LEN],
    /// Ciphers offered in 3.1.1's ENCRYPTION context, most preferred first.
    pub ciphers: &'a [AeadCipher],
    /// Signing algorithms offered in 3.1.1's SIGNING context, most preferred first.
    pub signing_algorithms: &'a [SigningAlgorithm],
    /// Whether to ask for the SMB 3.1.1 POSIX extensions.
    pub posix: bool,
}

/// Most dialects, ciphers or signing algorithms an offer can carry.
const MAX_LIST: usize = 8;

fn wire_list<T: Copy>(
    items: &[T],
    wire: impl Fn(T) -> u16,
) -> Result<([u16; MAX_LIST], usize), EncodeError> {
    let mut out = [0u16; MAX_LIST];
    if items.len() > MAX_LIST {
        return Err(EncodeError::InvalidArgument {
            what: "too many items offered",
        });
    }
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = wire(*item);
    }
    Ok((out, items.len()))
}

impl Offer<'_> {
    fn offers_311(&self) -> bool {
        self.dialects.contains(&Dialect::Smb311)
    }

    /// The capabilities this client announces.
    pub fn capabilities(&self) -> u32 {
        let mut caps = capabilities::LARGE_MTU | capabilities::LEASING;
        if self.dialects.iter().any(|d| d.is_smb3()) {
            caps |= capabilities::ENCRYPTION | capabilities::MULTI_CHANNEL;
        }
        caps
    }

    /// The SecurityMode this client announces.
    pub fn security_mode(&self) -> u16 {
        if self.signing_required {
            security_mode::SIGNING_ENABLED | security_mode::SIGNING_REQUIRED
        } else {
            security_mode::SIGNING_ENABLED
        }
    }

    /// Encodes the whole NEGOTIATE PDU (header from `hdr`) into `w`; returns its length.
    pub fn encode(&self, hdr: &Header, w: &mut Writer<'_>) -> Result<usize, EncodeError> {
        let (dialects, nd) = wire_list(self.dialects, Dialect::wire)?;
        let (ciphers, nc) = wire_list(self.ciphers, AeadCipher::wire)?;
        let (signing, ns) = wire_list(self.signing_algorithms, SigningAlgorithm::wire)?;
        let hashes = [PREAUTH_SHA512];
        // Contexts only exist for 3.1.1; the preauth context is mandatory there.
        let candidates = [
            Some(NegotiateContext::PreauthIntegrity {
                hash_algorithms: U16List::new(&hashes),
                salt: &self.salt,
            }),
            (nc > 0).then(|| NegotiateContext::Encryption {
                ciphers: U16List::new(ciphers.get(..nc).unwrap_or(&[])),
            }),
            (ns > 0).then(|| NegotiateContext::Signing {
                algorithms: U16List::new(signing.get(..ns).unwrap_or(&[])),
            }),
            self.posix.then_some(NegotiateContext::Posix),
        ];
        let mut contexts = [NegotiateContext::Posix; 4];
        let mut n = 0usize;
        if self.offers_311() {
            for c in candidates.into_iter().flatten() {
                if let Some(slot) = contexts.get_mut(n) {
                    *slot = c;
                    n = n.saturating_add(1);
                }
            }
        }
        let req = NegotiateRequest {
            dialects: U16List::new(dialects.get(..nd).unwrap_or(&[])),
            security_mode: self.security_mode(),
            capabilities: self.capabilities(),
            client_guid: self.client_guid,
            contexts: NegotiateContexts::new(contexts.get(..n).unwrap_or(&[])),
        };
        encode_pdu(hdr, &req, w)
    }
}

/// Why a NEGOTIATE response was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NegotiateError {
    /// The server answered with an error status.
    Status(u32),
    /// The response is malformed.
    Decode(DecodeError),
    /// The server selected something we did not offer, or announced unusable values.
    Refused(&'static str),
}

impl From<DecodeError> for NegotiateError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl NegotiateError {
    /// Returns the positive errno a mount should fail with.
    pub fn errno(&self) -> i32 {
        match self {
            Self::Status(s) => status::to_errno(*s),
            // A server we cannot talk to safely: protocol not supported.
            Self::Decode(_) | Self::Refused(_) => status::errno::EPROTO,
        }
    }
}

/// What a connection negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The dialect.
    pub dialect: Dialect,
    /// The server's GUID.
    pub server_guid: [u8; 16],
    /// The server's SecurityMode.
    pub security_mode: u16,
    /// The server's capabilities.
    pub capabilities: u32,
    /// The cipher for encryption, if any (3.0/3.0.2: AES-128-CCM when the server can).
    pub cipher: Option<AeadCipher>,
    /// The signing algorithm of this connection.
    pub signing: SigningAlgorithm,
    /// Whether signing must be used (either side requires it).
    pub signing_required: bool,
    /// Whether the server offers the SMB 3.1.1 POSIX extensions.
    pub posix: bool,
    /// Largest READ the server accepts.
    pub max_read: u32,
    /// Largest WRITE the server accepts.
    pub max_write: u32,
    /// Largest transaction (IOCTL, QUERY_INFO...) the server accepts.
    pub max_transact: u32,
}

impl Negotiated {
    /// Validates the NEGOTIATE response `pdu` (whole PDU from its header) against
    /// `offer`.
    pub fn from_response(offer: &Offer<'_>, pdu: &[u8]) -> Result<Self, NegotiateError> {
        let hdr = Header::decode(pdu)?;
        if hdr.status != status::STATUS_SUCCESS {
            return Err(NegotiateError::Status(hdr.status));
        }
        let resp = NegotiateResponse::decode(pdu)?;
        let dialect = resp.dialect()?;
        if !offer.dialects.contains(&dialect) {
            return Err(NegotiateError::Refused(
                "server selected a dialect we did not offer",
            ));
        }
        if resp.max_read_size < MIN_IO_SIZE || resp.max_write_size < MIN_IO_SIZE {
            return Err(NegotiateError::Refused(
                "server announced unusable read/write sizes",
            ));
        }
        let mut cipher = None;
        let mut negotiated_signing = None;
        let mut posix = false;
        if dialect == Dialect::Smb311 {
            let sel = resp.selected()?;
            if sel.preauth_hash_algorithm != PREAUTH_SHA512 {
                return Err(NegotiateError::Refused(
                    "server selected an unknown preauth hash",
                ));
            }
            if let Some(c) = sel.cipher {
                if !offer.ciphers.contains(&c) {
                    return Err(NegotiateError::Refused(
                        "server selected a cipher we did not offer",
                    ));
                }
                cipher = Some(c);
            }
            if let Some(s) = sel.signing {
                if !offer.signing_algorithms.contains(&s) {
                    return Err(NegotiateError::Refused(
                        "server selected a signing algorithm we did not offer",
                    ));
                }
                negotiated_signing = Some(s);
            }
            posix = sel.posix && offer.posix;
        } else if dialect.is_smb3() && resp.capabilities & capabilities::ENCRYPTION != 0 {
            cipher = Some(AeadCipher::Aes128Ccm);
        }
        let signing_required =
            offer.signing_required || resp.security_mode & security_mode::SIGNING_REQUIRED != 0;
        Ok(Self {
            dialect,
            server_guid: resp.server_guid,
            security_mode: resp.security_mode,
            capabilities: resp.capabilities,
            cipher,
            signing: SigningAlgorithm::for_connection(dialect, negotiated_signing),
            signing_required,
            posix,
            max_read: resp.max_read_size,
            max_write: resp.max_write_size,
            max_transact: resp.max_transact_size,
        })
    }

    /// Returns whether the server supports multi-credit requests.
    pub fn large_mtu(&self) -> bool {
        self.dialect != Dialect::Smb202 && self.capabilities & capabilities::LARGE_MTU != 0
    }
}
