// SPDX-License-Identifier: GPL-2.0

//! Sessions (cifs.ko's cifs_ses): the user's authenticated context on a server, its
//! channels, and the table through which mounts of the same server and user share
//! one session.
//!
//! A session is set up on its first channel: connect, NEGOTIATE, SESSION_SETUP
//! (NTLMSSP), all through the channel's messages and receive thread. Every mount then
//! connects its own tree ([`super::tree::Tree`]). The session table counts the mounts
//! using each session; the last one to go sends LOGOFF. `nosharesock` mounts get a
//! session of their own that no other mount joins.

use core::sync::atomic::{AtomicIsize, AtomicU64, Ordering};

use kernel::{prelude::*, sync::Arc};

use super::{
    channel::{Channel, ChannelHandle, WaitPolicy},
    closes::Closes,
    engine::{
        auth::{Credentials, Randomness, SessionSetup, Step},
        negotiate::{Negotiated, Offer},
        options::{Address, MountOptions},
        select::{pick_channel, ChannelLoad},
        state::ChannelState,
    },
    message::Request,
};
use crate::proto::{
    crypto::AeadCipher,
    header::{encode_pdu, Command, Header, HeaderId, HEADER_SIZE},
    negotiate::Dialect,
    preauth::PreauthHash,
    session::Logoff,
    signing::SigningAlgorithm,
};
use crate::sys::{
    self, errno,
    mem::PageSeg,
    net::{NetNs, TcpSocket},
    sync::GlobalTable,
};

/// Connect timeout, and how long each handshake reply may take.
pub(crate) const HANDSHAKE_TIMEOUT_MS: u32 = 20_000;
/// How long LOGOFF may take when the last mount goes.
const LOGOFF_TIMEOUT_MS: u32 = 5_000;
/// Room for a NEGOTIATE or SESSION_SETUP request (header, body, contexts, blob).
const HANDSHAKE_PDU_ROOM: usize = 2048;
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

/// What must match for two mounts to share a session.
struct ShareKey {
    /// The network namespace (its address; the session's socket pins it).
    net: usize,
    address: Address,
    opts: MountOptions,
    user: KVec<u8>,
    domain: KVec<u8>,
    password: KVec<u8>,
}

impl ShareKey {
    fn matches(&self, other: &ShareKey) -> bool {
        self.net == other.net
            && self.address == other.address
            && self.opts == other.opts
            && self.user == other.user
            && self.domain == other.domain
            && self.password == other.password
    }
}

impl Drop for ShareKey {
    fn drop(&mut self) {
        self.password.as_mut_slice().fill(0);
    }
}

/// Copies a string into a new vector.
pub(crate) fn copy_str(s: &str) -> Result<KVec<u8>> {
    let mut v = KVec::new();
    v.extend_from_slice(s.as_bytes(), GFP_KERNEL)?;
    Ok(v)
}

/// An authenticated session.
pub(crate) struct Session {
    /// The channels; fixed once set up, so picking one takes no lock.
    channels: KVec<ChannelHandle>,
    pub(crate) session_id: u64,
    pub(crate) negotiated: Negotiated,
    /// Whether every request is signed.
    pub(crate) sign: bool,
    /// How requests wait: `hard` or `soft` semantics.
    pub(crate) policy: WaitPolicy,
    /// `\\server` as the mount named it.
    pub(crate) server: KVec<u8>,
    /// Trees connected (one per mount).
    trees: AtomicIsize,
    key: ShareKey,
    /// CLOSEs sent without waiting, of all its trees.
    pub(crate) closes: Arc<Closes>,
    /// A number no other session since load has (never 0), which its
    /// channels hand oplock breaks on with: they name a handle, which only
    /// the session it was opened in tells apart from another server's.
    pub(crate) cookie: u64,
}

/// The last [`Session::cookie`] given.
static LAST_COOKIE: AtomicU64 = AtomicU64::new(0);

impl Session {
    /// Connects to `target` in namespace `net` and logs on with `login`.
    fn establish(
        net: NetNs,
        target: &Target<'_>,
        opts: &MountOptions,
        login: &Credentials<'_>,
        key: ShareKey,
    ) -> Result<Self> {
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
        let handle = Channel::start(sock, opts.echo_interval)?;
        let chan = handle.channel().clone();
        let cookie = LAST_COOKIE.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        chan.set_owner(cookie);
        let (negotiated, preauth) = negotiate(&chan, opts)?;
        let session_id = session_setup(&chan, login, negotiated, &preauth)?;
        let mut channels = KVec::new();
        channels.push(handle, GFP_KERNEL)?;
        let policy = if opts.hard {
            WaitPolicy::WhileAlive
        } else {
            WaitPolicy::Limit(opts.echo_interval.saturating_mul(2000))
        };
        Ok(Self {
            channels,
            session_id,
            negotiated,
            sign: negotiated.signing_required,
            policy,
            server: copy_str(target.server)?,
            trees: AtomicIsize::new(0),
            key,
            closes: Closes::new()?,
            cookie,
        })
    }

    /// Picks the channel for the next request: the least loaded good one, without a
    /// lock (the channel list does not change after setup).
    pub(crate) fn channel(&self) -> Result<&Arc<Channel>> {
        const MAX: usize = 16;
        let idle = ChannelLoad {
            state: ChannelState::Closed,
            in_flight: 0,
            credits: 0,
        };
        let mut loads = [idle; MAX];
        for (load, handle) in loads.iter_mut().zip(self.channels.iter()) {
            let chan = handle.channel();
            let (credits, in_flight) = chan.credit_view();
            *load = ChannelLoad {
                state: chan.state(),
                in_flight,
                credits,
            };
        }
        let n = self.channels.len().min(MAX);
        let pick = pick_channel(loads.get(..n).unwrap_or(&[]), 1, 0)
            .ok_or(errno(kernel::bindings::EHOSTDOWN))?;
        self.channels
            .get(pick)
            .map(ChannelHandle::channel)
            .ok_or(errno(kernel::bindings::EHOSTDOWN))
    }

    /// Returns the channels (for the debug view).
    pub(crate) fn channels(&self) -> impl Iterator<Item = &Arc<Channel>> {
        self.channels.iter().map(ChannelHandle::channel)
    }

    /// Returns a request header for `command` in this session (and tree `tree_id`).
    pub(crate) fn header(&self, command: Command, tree_id: u32) -> Header {
        let mut hdr = Header::new(command);
        hdr.session_id = self.session_id;
        hdr.id = HeaderId::Sync {
            process_id: 0,
            tree_id,
        };
        hdr
    }

    /// Sends a compound `req` and waits for the reply to each of its PDUs.
    pub(crate) fn call_compound(&self, req: Request) -> Result<KVec<Result<KVec<u8>>>> {
        let chan = self.channel()?;
        let msgs = chan.submit(req, self.policy)?;
        let mut replies = KVec::with_capacity(msgs.len(), GFP_KERNEL)?;
        for msg in msgs.iter() {
            replies.push(chan.wait(msg, self.policy), GFP_KERNEL)?;
        }
        Ok(replies)
    }

    /// Sends a one-PDU request carrying a receive sink and waits for its reply.
    /// Returns the reply, the sink's segments (given back once the receiver is done
    /// with them, whatever the outcome) and how many payload bytes it received
    /// straight into them.
    pub(crate) fn call_with_sink(
        &self,
        req: Request,
    ) -> Result<(Result<KVec<u8>>, KVec<PageSeg>, usize)> {
        let chan = self.channel()?;
        let msgs = chan.submit(req, self.policy)?;
        let msg = msgs.first().ok_or(EINVAL)?;
        let reply = chan.wait(msg, self.policy);
        let (sink, landed) = chan.take_sink(msg);
        // The sink is ours until taken back: it cannot be missing.
        Ok((reply, sink.ok_or(EIO)?, landed))
    }

    /// Sends `req`, whose PDUs carry reply hooks, without waiting for it.
    pub(crate) fn submit(&self, req: Request) -> Result {
        match self.channel() {
            Ok(chan) => chan.submit(req, self.policy).map(drop),
            Err(e) => {
                req.fail(e);
                Err(e)
            }
        }
    }

    /// Sends `req` and waits at most `ms` for its reply, whatever the mount's policy
    /// (teardown requests).
    pub(crate) fn call_with_limit(&self, req: Request, ms: u32) -> Result<KVec<u8>> {
        self.channel()?.call(req, WaitPolicy::Limit(ms))
    }

    /// Counts trees connected (`delta` +1) or disconnected (-1).
    pub(crate) fn trees_changed(&self, delta: isize) {
        self.trees.fetch_add(delta, Ordering::Relaxed);
    }

    /// Returns the number of trees connected.
    pub(crate) fn trees(&self) -> isize {
        self.trees.load(Ordering::Relaxed)
    }

    /// Returns the mount options the session was made with.
    pub(crate) fn options(&self) -> &MountOptions {
        &self.key.opts
    }

    /// Returns the domain authenticated in (empty if none was given).
    pub(crate) fn domain(&self) -> &[u8] {
        &self.key.domain
    }

    /// Returns the user name.
    pub(crate) fn user(&self) -> &[u8] {
        &self.key.user
    }

    /// Returns whether other mounts may join this session.
    pub(crate) fn shared(&self) -> bool {
        !self.key.opts.nosharesock
    }

    fn logoff(&self) {
        let mut req = Request::new(false);
        let hdr = self.header(Command::Logoff, 0);
        let sent = req
            .push(Command::Logoff, 1, HEADER_SIZE + 4, |w| {
                encode_pdu(&hdr, &Logoff, w)
            })
            .and_then(|()| self.call_with_limit(req, LOGOFF_TIMEOUT_MS));
        match sent {
            Ok(_) => pr_info!("session {:#x} logged off\n", self.session_id),
            Err(e) => pr_warn!(
                "session {:#x} ended without a clean logoff (error {})\n",
                self.session_id,
                e.to_errno()
            ),
        }
    }
}

/// Builds a handshake request whose header already carries the message id, credit
/// charge and credit request the channel will give it, so that its bytes (which the
/// preauth hash covers) are final when encoded.
fn handshake_request(
    chan: &Channel,
    command: Command,
    session_id: u64,
    encode: impl FnOnce(&Header, &mut crate::proto::cursor::Writer<'_>) -> Result<usize>,
) -> Result<Request> {
    let mut hdr = Header::new(command);
    let (message_id, charge, credits) = chan.next_header_fields();
    hdr.message_id = message_id;
    hdr.credit_charge = charge;
    hdr.credits = credits;
    hdr.session_id = session_id;
    let mut req = Request::new(false);
    let mut err = None;
    req.push(command, 1, HANDSHAKE_PDU_ROOM, |w| {
        encode(&hdr, w).map_err(|e| {
            err = Some(e);
            crate::proto::error::EncodeError::TooLarge
        })
    })
    .map_err(|e| err.unwrap_or(e))?;
    Ok(req)
}

fn negotiate(chan: &Channel, opts: &MountOptions) -> Result<(Negotiated, PreauthHash)> {
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
    let req = handshake_request(chan, Command::Negotiate, 0, |hdr, w| {
        offer.encode(hdr, w).map_err(|_| EINVAL)
    })?;
    let mut preauth = PreauthHash::new();
    preauth
        .update(chan.crypto(), &[req.pdu_bytes(0).ok_or(EINVAL)?])
        .map_err(|_| EINVAL)?;
    let reply = chan.call(req, WaitPolicy::Limit(HANDSHAKE_TIMEOUT_MS))?;
    let negotiated = Negotiated::from_response(&offer, &reply).map_err(|e| {
        pr_err!("negotiate failed: {:?}\n", e);
        errno(e.errno() as u32)
    })?;
    if negotiated.dialect == Dialect::Smb311 {
        preauth
            .update(chan.crypto(), &[&reply])
            .map_err(|_| EINVAL)?;
    } else {
        preauth = PreauthHash::new();
    }
    chan.set_negotiated(negotiated.dialect, negotiated.large_mtu());
    Ok((negotiated, preauth))
}

fn session_setup(
    chan: &Channel,
    login: &Credentials<'_>,
    negotiated: Negotiated,
    preauth: &PreauthHash,
) -> Result<u64> {
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
        let sid = setup_ref.session_id();
        let req = handshake_request(chan, Command::SessionSetup, sid, |hdr, w| {
            setup_ref
                .next_request(chan.crypto(), hdr, prev, &rnd, w)
                .map_err(|e| errno(e.errno() as u32))
        })?;
        let reply = chan.call(req, WaitPolicy::Limit(HANDSHAKE_TIMEOUT_MS))?;
        match setup.on_response(chan.crypto(), &reply) {
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
    chan.set_authenticated(
        negotiated.signing,
        est.keys.signing_key(),
        negotiated.signing_required,
    )?;
    Ok(est.session_id)
}

/// A session in the table and the number of mounts using it.
struct Entry {
    session: Arc<Session>,
    users: usize,
}

// SAFETY: the only `GlobalTable` in the module. Slots of removed sessions are `None`
// and reused (6.12's `KVec` cannot remove elements).
static SESSIONS: GlobalTable<KVec<Option<Entry>>> = unsafe { GlobalTable::new(KVec::new()) };

/// A mount's use of a session; the last one to be dropped logs the session off.
pub(crate) struct SessionRef {
    session: Arc<Session>,
}

impl core::ops::Deref for SessionRef {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl SessionRef {
    /// Returns the session of the server and user of a new mount: an existing one
    /// that may be shared, or a new one.
    pub(crate) fn get(
        net: NetNs,
        target: &Target<'_>,
        opts: &MountOptions,
        login: &Credentials<'_>,
    ) -> Result<Self> {
        let key = ShareKey {
            net: net.id(),
            address: target.address,
            opts: *opts,
            user: copy_str(login.user)?,
            domain: copy_str(login.domain)?,
            password: copy_str(login.password)?,
        };
        if !opts.nosharesock {
            let mut table = SESSIONS.lock();
            for entry in table.iter_mut().flatten() {
                let s = &entry.session;
                if s.shared() && s.key.matches(&key) && s.channels().any(|c| c.state().carries_io())
                {
                    entry.users += 1;
                    return Ok(Self { session: s.clone() });
                }
            }
        }
        // Set up outside the lock: it takes round trips. Two racing mounts may each
        // create one; both work.
        let session = Arc::new(
            Session::establish(net, target, opts, login, key)?,
            GFP_KERNEL,
        )?;
        let entry = Entry {
            session: session.clone(),
            users: 1,
        };
        {
            let mut table = SESSIONS.lock();
            match table.iter_mut().find(|slot| slot.is_none()) {
                Some(slot) => *slot = Some(entry),
                None => table.push(Some(entry), GFP_KERNEL)?,
            }
        }
        pr_info!(
            "session {:#x} to {} as {}: dialect {:#x}, signing {}\n",
            session.session_id,
            target.server,
            login.user,
            session.negotiated.dialect.wire(),
            if session.sign { "on" } else { "off" }
        );
        Ok(Self { session })
    }
}

impl Drop for SessionRef {
    fn drop(&mut self) {
        let last = {
            let mut table = SESSIONS.lock();
            let slot = table.iter_mut().find(|slot| {
                slot.as_ref()
                    .is_some_and(|e| Arc::ptr_eq(&e.session, &self.session))
            });
            match slot {
                Some(slot) => match slot {
                    Some(e) if e.users > 1 => {
                        e.users -= 1;
                        None
                    }
                    _ => slot.take(),
                },
                None => None,
            }
        };
        if let Some(entry) = last {
            // Outside the table lock: LOGOFF is a round trip.
            entry.session.logoff();
        }
    }
}

/// Frees the session table's memory (module exit: with no mounts left it holds only
/// empty slots, but a static is never dropped).
pub(crate) fn release_table() {
    let old = core::mem::replace(&mut *SESSIONS.lock(), KVec::new());
    drop(old);
}

/// Calls `f` for every session in the table with its mount count (debug view).
pub(crate) fn for_each_session(mut f: impl FnMut(&Session, usize)) {
    let table = SESSIONS.lock();
    for e in table.iter().flatten() {
        f(&e.session, e.users);
    }
}
