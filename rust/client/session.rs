// SPDX-License-Identifier: GPL-2.0

//! A session over one TCP channel, as a mount sets it up: connect, NEGOTIATE,
//! SESSION_SETUP (NTLMSSP), TREE_CONNECT; TREE_DISCONNECT and LOGOFF when dropped.
//!
//! The handshake runs in the mounting task with one request in flight, so it needs no
//! receive thread: each reply is read and matched by message id right after its
//! request. Interim (STATUS_PENDING) replies grant credits and are waited past. The
//! receive thread and per-message completions take over for file I/O. Every wait is a
//! socket wait bounded by the channel timeout and interrupted by signals.

use kernel::prelude::*;

use crate::client::engine::{
    auth::{Credentials, Randomness, SessionSetup, Step},
    credits::CreditWindow,
    negotiate::{Negotiated, Offer},
    options::{Address, MountOptions},
};
use crate::proto::{
    crypto::AeadCipher,
    cursor::Writer,
    header::{encode_pdu, Command, Header, HeaderId, FLAG_ASYNC_COMMAND, FLAG_SIGNED, HEADER_SIZE},
    kdf::SessionKeys,
    negotiate::Dialect,
    preauth::PreauthHash,
    session::Logoff,
    signing::{self, SigningAlgorithm},
    status,
    tree::{TreeConnectRequest, TreeConnectResponse, TreeDisconnectRequest},
    types::WireName,
};
use crate::sys::{
    self,
    crypto::KernelCrypto,
    errno,
    net::{NetNs, TcpSocket},
};

/// Largest reply accepted during the handshake; anything bigger is hostile.
const MAX_HANDSHAKE_PDU: usize = 65536;
/// Size of the request buffer (frame header + one handshake request).
const TX_SIZE: usize = 4096;
/// Replies with other message ids skipped before giving up on a reply.
const MAX_STRAY_REPLIES: u32 = 16;
/// Connect and per-reply timeout of the handshake.
const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;
/// Ciphers offered in 3.1.1 (we cannot encrypt yet: none).
const CIPHERS: &[AeadCipher] = &[];
/// Signing algorithms offered in 3.1.1, most preferred first.
const SIGNING: &[SigningAlgorithm] = &[SigningAlgorithm::AesGmac, SigningAlgorithm::AesCmac];

/// Where to connect.
pub(crate) struct Target<'a> {
    /// The server's address.
    pub(crate) address: Address,
    /// The server part of the source, for the UNC path.
    pub(crate) server: &'a str,
    /// The share.
    pub(crate) share: &'a str,
}

/// An established session with one tree connected.
pub(crate) struct Session {
    sock: TcpSocket,
    crypto: KernelCrypto,
    /// What NEGOTIATE selected (`None` until it completes).
    negotiated: Option<Negotiated>,
    credits: CreditWindow,
    session_id: u64,
    tree_id: u32,
    keys: Option<SessionKeys>,
    sign: bool,
    tx: KVec<u8>,
}

fn proto_error(what: &str) -> Error {
    pr_err!("malformed or unexpected reply from the server: {}\n", what);
    errno(kernel::bindings::EPROTO)
}

impl Session {
    /// Connects to `target` in namespace `net` and logs on with `login`.
    pub(crate) fn establish(
        net: NetNs,
        target: &Target<'_>,
        opts: &MountOptions,
        login: &Credentials<'_>,
    ) -> Result<KBox<Self>> {
        let addr: &[u8] = match &target.address {
            Address::V4(a) => a,
            Address::V6(a) => a,
        };
        let sock =
            TcpSocket::connect(net, addr, opts.port, HANDSHAKE_TIMEOUT_MS).inspect_err(|e| {
                pr_err!(
                    "cannot connect to {} port {}: error {}\n",
                    target.server,
                    opts.port,
                    e.to_errno()
                );
            })?;
        let mut tx = KVec::new();
        tx.extend_with(TX_SIZE, 0u8, GFP_KERNEL)?;
        let mut s = KBox::new(
            Self {
                sock,
                crypto: KernelCrypto::new()?,
                negotiated: None,
                credits: CreditWindow::new(),
                session_id: 0,
                tree_id: 0,
                keys: None,
                sign: false,
                tx,
            },
            GFP_KERNEL,
        )?;
        let (negotiated, preauth) = s.negotiate(opts)?;
        s.session_setup(login, negotiated, &preauth)?;
        s.tree_connect(target)?;
        pr_info!(
            "connected to \\\\{}\\{}: dialect {:#x}, session {:#x}, tree {:#x}, signing {}\n",
            target.server,
            target.share,
            negotiated.dialect.wire(),
            s.session_id,
            s.tree_id,
            if s.sign { "on" } else { "off" }
        );
        Ok(s)
    }

    fn negotiate(&mut self, opts: &MountOptions) -> Result<(Negotiated, PreauthHash)> {
        let mut client_guid = [0u8; 16];
        let mut salt = [0u8; 32];
        sys::random_bytes(&mut client_guid);
        sys::random_bytes(&mut salt);
        let offer = Offer {
            dialects: opts.versions.dialects(),
            signing_required: opts.sign,
            client_guid,
            salt,
            ciphers: CIPHERS,
            signing_algorithms: SIGNING,
            posix: true,
        };
        let mut preauth = PreauthHash::new();
        let mut sent = PreauthHash::new();
        let reply = self.exchange(Command::Negotiate, |crypto, hdr, w| {
            let start = w.pos();
            let n = offer.encode(hdr, w).map_err(|_| EINVAL)?;
            let req = w.written().get(start..).unwrap_or(&[]);
            sent.update(crypto, &[req]).map_err(|_| EINVAL)?;
            Ok(n)
        })?;
        let negotiated = Negotiated::from_response(&offer, &reply).map_err(|e| {
            pr_err!("negotiate failed: {:?}\n", e);
            errno(e.errno() as u32)
        })?;
        if negotiated.dialect == Dialect::Smb311 {
            preauth = sent;
            preauth
                .update(&self.crypto, &[&reply])
                .map_err(|_| EINVAL)?;
        }
        self.credits.set_multi_credit(negotiated.large_mtu());
        self.negotiated = Some(negotiated);
        Ok((negotiated, preauth))
    }

    fn session_setup(
        &mut self,
        login: &Credentials<'_>,
        negotiated: Negotiated,
        preauth: &PreauthHash,
    ) -> Result {
        let mut setup = SessionSetup::new(*login, negotiated, preauth);
        let mut rnd = Randomness {
            client_challenge: [0; 8],
            random_session_key: [0; 16],
            timestamp: sys::filetime_now(),
        };
        sys::random_bytes(&mut rnd.client_challenge);
        sys::random_bytes(&mut rnd.random_session_key);
        let mut last: Option<KVec<u8>> = None;
        loop {
            let prev = last.as_deref();
            let setup_ref = &mut setup;
            let reply = self.exchange(Command::SessionSetup, |crypto, hdr, w| {
                setup_ref
                    .next_request(crypto, hdr, prev, &rnd, w)
                    .map_err(|e| errno(e.errno() as u32))
            })?;
            match setup.on_response(&self.crypto, &reply) {
                Ok(Step::Continue) => last = Some(reply),
                Ok(Step::Done) => break,
                Err(e) => {
                    pr_err!("session setup as {} failed: {:?}\n", login.user, e);
                    return Err(errno(e.errno() as u32));
                }
            }
        }
        let est = setup.take_established().ok_or(EINVAL)?;
        if est.encrypt_data {
            pr_err!("the server requires encryption, which smb3rs does not do yet\n");
            return Err(errno(kernel::bindings::EOPNOTSUPP));
        }
        self.session_id = est.session_id;
        self.crypto
            .prepare_signing(negotiated.signing, est.keys.signing_key())?;
        self.keys = Some(est.keys);
        self.sign = negotiated.signing_required;
        Ok(())
    }

    fn tree_connect(&mut self, target: &Target<'_>) -> Result {
        let mut path = KVec::new();
        for part in ["\\\\", target.server, "\\", target.share] {
            path.extend_from_slice(part.as_bytes(), GFP_KERNEL)?;
        }
        let path = core::str::from_utf8(&path).map_err(|_| EINVAL)?;
        let reply = self.exchange(Command::TreeConnect, |_, hdr, w| {
            let req = TreeConnectRequest {
                flags: 0,
                path: WireName::Str(path),
                extension: None,
            };
            encode_pdu(hdr, &req, w).map_err(|_| EINVAL)
        })?;
        let hdr = Header::decode(&reply).map_err(|_| proto_error("TREE_CONNECT header"))?;
        if hdr.status != status::STATUS_SUCCESS {
            pr_err!(
                "tree connect to {} failed: {}\n",
                path,
                status::name(hdr.status).unwrap_or("unknown status")
            );
            return Err(errno(status::to_errno(hdr.status) as u32));
        }
        TreeConnectResponse::decode(&reply).map_err(|_| proto_error("TREE_CONNECT response"))?;
        self.tree_id = match hdr.id {
            HeaderId::Sync { tree_id, .. } => tree_id,
            HeaderId::Async { .. } => return Err(proto_error("async TREE_CONNECT response")),
        };
        Ok(())
    }

    /// Sends one request built by `encode` (given the header to use) and returns the
    /// final reply to it, signed and verified as the session requires.
    fn exchange(
        &mut self,
        command: Command,
        encode: impl FnOnce(&KernelCrypto, &Header, &mut Writer<'_>) -> Result<usize>,
    ) -> Result<KVec<u8>> {
        let r = self.credits.reserve(1).map_err(|_| {
            pr_err!("no credits left on the connection\n");
            errno(kernel::bindings::EIO)
        })?;
        let mut hdr = Header::new(command);
        hdr.message_id = r.message_id;
        // CreditCharge is reserved (zero) before a dialect is known and on 2.0.2.
        let dialect = self.negotiated.map(|n| n.dialect);
        hdr.credit_charge = match dialect {
            None | Some(Dialect::Smb202) => 0,
            Some(_) => 1,
        };
        hdr.credits = self.credits.request_amount();
        hdr.session_id = self.session_id;
        hdr.id = HeaderId::Sync {
            process_id: 0,
            tree_id: self.tree_id,
        };
        let (frame, body) = self.tx.split_at_mut(4);
        let mut w = Writer::new(body);
        let len = encode(&self.crypto, &hdr, &mut w)?;
        let pdu = body.get_mut(..len).ok_or(EINVAL)?;
        // 3.1.1 signs TREE_CONNECT even when signing is not required (MS-SMB2
        // 3.2.4.1.1): it protects the negotiation; Samba refuses it unsigned.
        let must_sign =
            self.sign || (command == Command::TreeConnect && dialect == Some(Dialect::Smb311));
        if must_sign && command != Command::SessionSetup {
            if let (Some(keys), Some(n)) = (&self.keys, &self.negotiated) {
                signing::sign(&self.crypto, n.signing, keys.signing_key(), pdu, &[])
                    .map_err(|_| EINVAL)?;
            }
        }
        frame.copy_from_slice(&u32::try_from(len).map_err(|_| EINVAL)?.to_be_bytes());
        let total = len.checked_add(4).ok_or(EINVAL)?;
        self.sock.send(&[self.tx.get(..total).ok_or(EINVAL)?])?;
        self.receive_reply(r.message_id)
    }

    fn receive_reply(&mut self, message_id: u64) -> Result<KVec<u8>> {
        let mut strays = 0u32;
        loop {
            let mut frame = [0u8; 4];
            self.sock.recv_exact(&mut frame)?;
            let len = u32::from_be_bytes(frame) as usize;
            if !(HEADER_SIZE..=MAX_HANDSHAKE_PDU).contains(&len) {
                return Err(proto_error("frame length"));
            }
            let mut buf = KVec::new();
            buf.extend_with(len, 0u8, GFP_KERNEL)?;
            self.sock.recv_exact(&mut buf)?;
            let hdr = Header::decode(&buf).map_err(|_| proto_error("SMB2 header"))?;
            if hdr.message_id != message_id {
                strays = strays.saturating_add(1);
                if strays > MAX_STRAY_REPLIES {
                    return Err(proto_error("too many replies to other requests"));
                }
                continue;
            }
            if hdr.status == status::STATUS_PENDING && hdr.flags & FLAG_ASYNC_COMMAND != 0 {
                self.credits.grant(hdr.credits);
                continue;
            }
            self.credits.complete(hdr.credits);
            self.verify(&buf, hdr.flags)?;
            return Ok(buf);
        }
    }

    /// Checks a reply's signature once the session has keys; on a signed session an
    /// unsigned success is refused (it could be forged).
    fn verify(&self, pdu: &[u8], flags: u32) -> Result {
        let (Some(keys), Some(n)) = (&self.keys, &self.negotiated) else {
            return Ok(());
        };
        if flags & FLAG_SIGNED != 0 {
            return signing::verify(&self.crypto, n.signing, keys.signing_key(), &[pdu]).map_err(
                |_| {
                    pr_err!("dropping a reply with a bad signature\n");
                    errno(kernel::bindings::EACCES)
                },
            );
        }
        if self.sign {
            return Err(proto_error("unsigned reply on a signed session"));
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Only a logged-on session is logged off (a failed mount drops a half-set-up
        // one); best effort: a server that is gone makes these fail fast or time out.
        if self.keys.is_none() {
            self.sock.shutdown();
            return;
        }
        let tree = if self.tree_id != 0 {
            self.exchange(Command::TreeDisconnect, |_, hdr, w| {
                encode_pdu(hdr, &TreeDisconnectRequest, w).map_err(|_| EINVAL)
            })
            .map(|_| ())
        } else {
            Ok(())
        };
        self.tree_id = 0;
        let logoff = self.exchange(Command::Logoff, |_, hdr, w| {
            encode_pdu(hdr, &Logoff, w).map_err(|_| EINVAL)
        });
        if tree.is_err() || logoff.is_err() {
            pr_warn!(
                "session {:#x} ended without a clean logoff\n",
                self.session_id
            );
        } else {
            pr_info!("session {:#x} logged off\n", self.session_id);
        }
        self.sock.shutdown();
    }
}
