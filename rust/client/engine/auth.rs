// SPDX-License-Identifier: GPL-2.0

//! Session setup with NTLMSSP inside SPNEGO: the client side of the two legs
//! (NEGOTIATE → CHALLENGE, AUTHENTICATE → success), the preauth integrity hash of
//! 3.1.1, the session's keys, and the check of the server's signature on the final
//! response, which proves the server knew the password too.
//!
//! The engine allocates nothing: the caller keeps the last response alive and hands it
//! back when asking for the next request.

use crate::proto::{
    crypto::{CryptoError, CryptoProvider},
    cursor::Writer,
    error::{DecodeError, EncodeError},
    header::{encode_pdu, Header},
    kdf::{derive_session_keys, SessionKeys},
    negotiate::{security_mode, Dialect},
    ntlmssp::{
        self, encode_authenticate, flags as nf, AuthenticateParams, ChallengeMessage,
        NegotiateMessage, NtlmError,
    },
    preauth::PreauthHash,
    session::{SessionSetupRequest, SessionSetupResponse},
    signing::{self, SigningError},
    spnego::{self, NegState, NegTokenResp, OID_NTLMSSP},
    status,
};

use super::negotiate::Negotiated;

/// SESSION_SETUP flag: bind this channel to an existing session.
const FLAG_BINDING: u8 = 0x01;

/// The NTLMSSP flags this client asks for.
const CLIENT_FLAGS: u32 = nf::NEGOTIATE_UNICODE
    | nf::REQUEST_TARGET
    | nf::NEGOTIATE_SIGN
    | nf::NEGOTIATE_SEAL
    | nf::NEGOTIATE_NTLM
    | nf::NEGOTIATE_ALWAYS_SIGN
    | nf::NEGOTIATE_EXTENDED_SESSIONSECURITY
    | nf::NEGOTIATE_TARGET_INFO
    | nf::NEGOTIATE_128
    | nf::NEGOTIATE_KEY_EXCH;

/// Largest security blob we build (SPNEGO around an AUTHENTICATE_MESSAGE).
pub const MAX_BLOB: usize = 2048;

/// Who logs on.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// User name.
    pub user: &'a str,
    /// Domain (may be empty).
    pub domain: &'a str,
    /// Password.
    pub password: &'a str,
    /// This machine's name, sent as the workstation.
    pub workstation: &'a str,
}

impl core::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the password.
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// The random and time inputs of an AUTHENTICATE_MESSAGE.
#[derive(Clone, Copy)]
pub struct Randomness {
    /// Eight random bytes.
    pub client_challenge: [u8; 8],
    /// Sixteen random bytes: the session key under key exchange.
    pub random_session_key: [u8; 16],
    /// The current time as FILETIME.
    pub timestamp: u64,
}

/// Why session setup failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The server refused with this status (e.g. STATUS_LOGON_FAILURE).
    Status(u32),
    /// A response is malformed.
    Decode(DecodeError),
    /// A request could not be encoded.
    Encode(EncodeError),
    /// The crypto provider failed.
    Crypto(CryptoError),
    /// The server broke the protocol.
    Protocol(&'static str),
    /// The final response's signature is wrong: the server does not hold the session
    /// key (or the response was tampered with).
    BadSignature,
    /// The server logged us on as guest or anonymously, which this client refuses for
    /// a user logon (nothing could be signed).
    Guest,
}

impl AuthError {
    /// Returns the positive errno a mount should fail with.
    pub fn errno(&self) -> i32 {
        match self {
            Self::Status(s) => status::to_errno(*s),
            Self::BadSignature | Self::Guest => status::errno::EACCES,
            Self::Crypto(_) | Self::Encode(_) => status::errno::EIO,
            Self::Decode(_) | Self::Protocol(_) => status::errno::EPROTO,
        }
    }
}

impl From<DecodeError> for AuthError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<EncodeError> for AuthError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<CryptoError> for AuthError {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

impl From<NtlmError> for AuthError {
    fn from(e: NtlmError) -> Self {
        match e {
            NtlmError::Decode(d) => Self::Decode(d),
            NtlmError::Encode(e) => Self::Encode(e),
            NtlmError::Crypto(c) => Self::Crypto(c),
        }
    }
}

impl From<SigningError> for AuthError {
    fn from(e: SigningError) -> Self {
        match e {
            SigningError::Crypto(c) => Self::Crypto(c),
            _ => Self::BadSignature,
        }
    }
}

/// A successfully set up session (or bound channel).
pub struct Established {
    /// The session id.
    pub session_id: u64,
    /// The session's keys (for a bound channel only the signing key is new).
    pub keys: SessionKeys,
    /// Whether the server requires encryption of this session (SESSION_FLAG_ENCRYPT_DATA).
    pub encrypt_data: bool,
}

/// Where the exchange stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leg {
    Start,
    SentNegotiate,
    GotChallenge,
    SentAuthenticate,
    Done,
    Failed,
}

/// What to do after a response.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Send the next request: call [`SessionSetup::next_request`] with this response.
    Continue,
    /// The session is set up.
    Done,
}

/// The client side of one NTLMSSP session setup (or channel binding).
pub struct SessionSetup<'a> {
    creds: Credentials<'a>,
    negotiated: Negotiated,
    preauth: PreauthHash,
    /// For binding: the session to bind to, and its full session key.
    binding: Option<(u64, [u8; 16])>,
    session_id: u64,
    leg: Leg,
    ntlm_negotiate: [u8; 40],
    ntlm_negotiate_len: usize,
    exported_session_key: [u8; 16],
    established: Option<Established>,
}

impl Drop for SessionSetup<'_> {
    fn drop(&mut self) {
        self.exported_session_key = [0; 16];
    }
}

impl<'a> SessionSetup<'a> {
    /// Starts a session setup on a connection that negotiated `negotiated`, whose
    /// preauth hash (3.1.1) after NEGOTIATE is `connection_preauth`.
    pub fn new(
        creds: Credentials<'a>,
        negotiated: Negotiated,
        connection_preauth: &PreauthHash,
    ) -> Self {
        Self {
            creds,
            negotiated,
            preauth: *connection_preauth,
            binding: None,
            session_id: 0,
            leg: Leg::Start,
            ntlm_negotiate: [0; 40],
            ntlm_negotiate_len: 0,
            exported_session_key: [0; 16],
            established: None,
        }
    }

    /// Makes this a binding of a new channel to session `session_id` whose full
    /// session key is `session_key` (multichannel).
    pub fn bind_to(mut self, session_id: u64, session_key: [u8; 16]) -> Self {
        self.binding = Some((session_id, session_key));
        self.session_id = session_id;
        self
    }

    /// Returns the session id (zero until the server assigned one).
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// Takes the result once [`Step::Done`] was returned.
    pub fn take_established(&mut self) -> Option<Established> {
        self.established.take()
    }

    /// Encodes the next SESSION_SETUP request (whole PDU, header from `hdr`, whose
    /// message id and credits the caller already chose) into `w`; returns its length.
    /// `last_response` is the response [`Self::on_response`] answered `Continue` to
    /// (`None` for the first request).
    pub fn next_request<P: CryptoProvider>(
        &mut self,
        p: &P,
        hdr: &Header,
        last_response: Option<&[u8]>,
        rnd: &Randomness,
        w: &mut Writer<'_>,
    ) -> Result<usize, AuthError> {
        let mut blob = [0u8; MAX_BLOB];
        let blob_len = match (self.leg, last_response) {
            (Leg::Start, None) => self.negotiate_blob(&mut blob)?,
            (Leg::GotChallenge, Some(resp)) => self.authenticate_blob(p, resp, rnd, &mut blob)?,
            _ => return Err(AuthError::Protocol("session setup request out of sequence")),
        };
        let mut h = *hdr;
        h.session_id = self.session_id;
        let req = SessionSetupRequest {
            flags: if self.binding.is_some() {
                FLAG_BINDING
            } else {
                0
            },
            security_mode: if self.negotiated.signing_required {
                security_mode::SIGNING_REQUIRED as u8
            } else {
                security_mode::SIGNING_ENABLED as u8
            },
            capabilities: 0,
            channel: 0,
            previous_session_id: 0,
            security_buffer: blob.get(..blob_len).unwrap_or(&[]),
        };
        let start = w.pos();
        let len = encode_pdu(&h, &req, w)?;
        if self.negotiated.dialect == Dialect::Smb311 {
            let sent = w.written().get(start..).unwrap_or(&[]);
            self.preauth.update(p, &[sent])?;
        }
        self.leg = if self.leg == Leg::Start {
            Leg::SentNegotiate
        } else {
            Leg::SentAuthenticate
        };
        Ok(len)
    }

    fn negotiate_blob(&mut self, out: &mut [u8]) -> Result<usize, AuthError> {
        let mut nw = Writer::new(&mut self.ntlm_negotiate);
        NegotiateMessage {
            flags: CLIENT_FLAGS,
            version: None,
        }
        .encode(&mut nw)?;
        self.ntlm_negotiate_len = nw.pos();
        let token = self
            .ntlm_negotiate
            .get(..self.ntlm_negotiate_len)
            .unwrap_or(&[]);
        let mut w = Writer::new(out);
        spnego::encode_neg_token_init(&mut w, &[OID_NTLMSSP], Some(token))?;
        Ok(w.pos())
    }

    fn authenticate_blob<P: CryptoProvider>(
        &mut self,
        p: &P,
        resp: &[u8],
        rnd: &Randomness,
        out: &mut [u8],
    ) -> Result<usize, AuthError> {
        let token = challenge_token(resp)?;
        let challenge = ChallengeMessage::decode(token)?;
        if challenge.flags & nf::NEGOTIATE_UNICODE == 0 {
            return Err(AuthError::Protocol("server did not accept Unicode NTLMSSP"));
        }
        let nt = ntlmssp::nt_hash(self.creds.password);
        let response_key = ntlmssp::ntowfv2(p, &nt, self.creds.user, self.creds.domain)?;
        let params = AuthenticateParams {
            credentials: ntlmssp::Credentials::User {
                user: self.creds.user,
                domain: self.creds.domain,
                response_key,
            },
            workstation: self.creds.workstation,
            flags: CLIENT_FLAGS & challenge.flags | nf::NEGOTIATE_UNICODE,
            version: None,
            client_challenge: rnd.client_challenge,
            timestamp: rnd.timestamp,
            random_session_key: rnd.random_session_key,
            negotiate_message: None,
            target_spn: None,
            channel_bindings: None,
        };
        let mut auth = [0u8; MAX_BLOB];
        let mut aw = Writer::new(&mut auth);
        let outcome = encode_authenticate(p, &mut aw, &challenge, &params)?;
        self.exported_session_key = outcome.exported_session_key;
        let token = aw.written().get(..outcome.len).unwrap_or(&[]);
        let mut w = Writer::new(out);
        NegTokenResp {
            neg_state: None,
            supported_mech: None,
            response_token: Some(token),
            mech_list_mic: None,
        }
        .encode(&mut w)?;
        Ok(w.pos())
    }

    /// Processes a SESSION_SETUP response (whole PDU from its header).
    pub fn on_response<P: CryptoProvider>(&mut self, p: &P, pdu: &[u8]) -> Result<Step, AuthError> {
        let result = self.on_response_inner(p, pdu);
        if result.is_err() {
            self.leg = Leg::Failed;
        }
        result
    }

    fn on_response_inner<P: CryptoProvider>(
        &mut self,
        p: &P,
        pdu: &[u8],
    ) -> Result<Step, AuthError> {
        let hdr = Header::decode(pdu)?;
        match (self.leg, hdr.status) {
            (Leg::SentNegotiate, status::STATUS_MORE_PROCESSING_REQUIRED) => {
                // Validate now, so a bad challenge fails here rather than mid-request.
                ChallengeMessage::decode(challenge_token(pdu)?)?;
                if self.binding.is_none() {
                    self.session_id = hdr.session_id;
                } else if hdr.session_id != self.session_id {
                    return Err(AuthError::Protocol(
                        "binding response names another session",
                    ));
                }
                if self.negotiated.dialect == Dialect::Smb311 {
                    self.preauth.update(p, &[pdu])?;
                }
                self.leg = Leg::GotChallenge;
                Ok(Step::Continue)
            }
            (Leg::SentAuthenticate, status::STATUS_SUCCESS) => {
                if hdr.session_id != self.session_id {
                    return Err(AuthError::Protocol(
                        "session id changed during session setup",
                    ));
                }
                let resp = SessionSetupResponse::decode(pdu)?;
                if resp.is_guest() || resp.is_null() {
                    return Err(AuthError::Guest);
                }
                self.finish(p, pdu, resp.encrypt_data())?;
                self.leg = Leg::Done;
                Ok(Step::Done)
            }
            (Leg::SentNegotiate | Leg::SentAuthenticate, s) if s != status::STATUS_SUCCESS => {
                Err(AuthError::Status(s))
            }
            _ => Err(AuthError::Protocol("unexpected session setup response")),
        }
    }

    fn finish<P: CryptoProvider>(
        &mut self,
        p: &P,
        pdu: &[u8],
        encrypt_data: bool,
    ) -> Result<(), AuthError> {
        let n = &self.negotiated;
        let full_key = match self.binding {
            Some((_, k)) => k,
            None => self.exported_session_key,
        };
        // A bound channel derives from the session's key and its own exchange's preauth
        // hash, so it gets its own signing key (MS-SMB2 3.2.5.3.1).
        let keys = derive_session_keys(p, n.dialect, n.cipher, &full_key, self.preauth.value())?;
        // The final response must be signed on SMB 3.x (MS-SMB2 3.2.5.3.1); check it
        // whenever it is, and insist on 3.1.1, where it authenticates the preauth hash.
        if signing::is_signed(pdu) {
            signing::verify(p, n.signing, keys.signing_key(), &[pdu])?;
        } else if n.dialect == Dialect::Smb311 {
            return Err(AuthError::BadSignature);
        }
        self.established = Some(Established {
            session_id: self.session_id,
            keys,
            encrypt_data,
        });
        Ok(())
    }
}

/// Extracts the NTLMSSP token from a SESSION_SETUP response's security buffer: an
/// SPNEGO NegTokenResp (or, from some servers, raw NTLMSSP).
fn challenge_token(pdu: &[u8]) -> Result<&[u8], AuthError> {
    let resp = SessionSetupResponse::decode(pdu)?;
    let buf = resp.security_buffer;
    if buf.starts_with(b"NTLMSSP\0") {
        return Ok(buf);
    }
    let tok = spnego::decode_neg_token_resp(buf)?;
    if tok.neg_state == Some(NegState::Reject) {
        return Err(AuthError::Protocol("server rejected NTLMSSP"));
    }
    if let Some(m) = tok.supported_mech {
        if m != OID_NTLMSSP {
            return Err(AuthError::Protocol(
                "server selected a mechanism other than NTLMSSP",
            ));
        }
    }
    tok.response_token
        .ok_or(AuthError::Protocol("server sent no NTLMSSP challenge"))
}
