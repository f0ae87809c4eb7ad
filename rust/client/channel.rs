// SPDX-License-Identifier: GPL-2.0

//! A channel: one connection of a session (cifs.ko's TCP_Server_Info), with its own
//! credits, in-flight table, signing key, state and receive thread.
//!
//! Sending: [`Channel::submit`] waits (killably) for credits and for the send slot,
//! numbers and signs every PDU of the request, puts each [`Message`] in the in-flight
//! table, and sends frame header, headers and payload in one
//! `sendmsg(MSG_SPLICE_PAGES)`.
//!
//! Receiving: the channel's kthread reads the 4-byte frame header and the PDU,
//! splits compounds, checks signatures, returns credits, handles interim
//! (STATUS_PENDING) replies and completes the matching message. When nothing arrives
//! for `echo_interval` it sends an ECHO; when the next interval passes silent too, or
//! the stream breaks, the channel fails: every message in flight completes with
//! `EHOSTDOWN` and new requests are refused. (Reconnecting is the next step of the
//! state machine; it is not implemented yet.)

use core::{
    ops::Range,
    sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicU8, Ordering},
};

use kernel::{
    c_str, new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::{Arc, SpinLock},
};

use super::{
    engine::{
        credits::{CreditWindow, Reservation},
        state::ChannelState,
    },
    message::{Message, PduBuf, Phase, Request},
    stats::{ChannelCounters, STATS},
};
use crate::proto::{
    compound,
    header::{
        self, Command, Header, HeaderId, FLAG_ASYNC_COMMAND, FLAG_SIGNED, HEADER_SIZE,
        NOTIFICATION_MESSAGE_ID,
    },
    io::{ReadResponse, READ_RESPONSE_FIXED_END},
    kdf::SIGNING_KEY_LEN,
    misc::EchoRequest,
    negotiate::Dialect,
    oplock::BreakMessage,
    signing::{self, SigningAlgorithm},
    status,
};
use crate::sys::{
    crypto::{KernelCrypto, NofsScope},
    errno,
    mem::PageSeg,
    net::{Received, TcpSocket},
    sync::{jiffies, jiffies_to_ms, Wait, WaitQueue},
    thread::{self, KThread, ThreadMain},
    vfs_ops,
};

/// Largest PDU (frame) accepted from a server: the 24-bit length of a direct-TCP
/// frame allows 16 MiB; anything bigger is hostile.
const MAX_FRAME: usize = (1 << 24) - 1;

/// How a caller waits for its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitPolicy {
    /// Wait while the channel is alive (echoes answered): `hard` mounts.
    WhileAlive,
    /// Fail with `ETIMEDOUT` after this many milliseconds without a final reply
    /// (an interim reply lifts the limit): `soft` mounts and the handshake.
    Limit(u32),
}

/// The key requests are signed with, wiped on drop.
struct SigningKey {
    alg: SigningAlgorithm,
    key: [u8; SIGNING_KEY_LEN],
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.fill(0);
    }
}

/// The channel's in-flight messages, by message id.
struct InFlight {
    table: RBTree<u64, Arc<Message>>,
    /// Set once the channel has failed: nothing may be added any more.
    failed: bool,
}

/// One connection of a session.
#[pin_data]
pub(crate) struct Channel {
    sock: TcpSocket,
    crypto: KernelCrypto,
    #[pin]
    inflight: SpinLock<InFlight>,
    #[pin]
    credits: SpinLock<CreditWindow>,
    #[pin]
    signing: SpinLock<Option<SigningKey>>,
    /// Woken when credits come back, the send slot frees up, or the channel fails.
    #[pin]
    wq: WaitQueue,
    /// The send slot: one sender at a time owns the socket's send side.
    sending: AtomicBool,
    state: AtomicU8,
    /// Negotiated dialect's wire value (0 before NEGOTIATE).
    dialect: AtomicU16,
    /// Whether requests are signed (after session setup, when the session says so).
    sign_all: AtomicBool,
    /// How long the channel may be silent before it sends an ECHO.
    echo_interval_ms: u32,
    /// The [`Session::cookie`] of the session it belongs to, which its oplock
    /// breaks are handed on with (0 until set).
    ///
    /// [`Session::cookie`]: super::session::Session::cookie
    owner: AtomicU64,
    /// Jiffies when the last frame arrived.
    last_rx: AtomicU64,
    /// Jiffies when the last ECHO was sent (0: none since the last frame).
    echo_sent: AtomicU64,
    /// Jiffies when hooked messages were last checked for their time limit.
    hooks_checked: AtomicU64,
    pub(crate) counters: ChannelCounters,
}

fn state_to_u8(s: ChannelState) -> u8 {
    match s {
        ChannelState::Connecting => 0,
        ChannelState::Negotiating => 1,
        ChannelState::Authenticating => 2,
        ChannelState::Good => 3,
        ChannelState::NeedReconnect => 4,
        ChannelState::Closing => 5,
        ChannelState::Closed => 6,
    }
}

fn state_from_u8(v: u8) -> ChannelState {
    match v {
        0 => ChannelState::Connecting,
        1 => ChannelState::Negotiating,
        2 => ChannelState::Authenticating,
        3 => ChannelState::Good,
        4 => ChannelState::NeedReconnect,
        5 => ChannelState::Closing,
        _ => ChannelState::Closed,
    }
}

/// How long a reader that gave up waits for the receiver to finish writing into its
/// pages before the connection is dropped.
const SINK_GRACE_MS: u32 = 2000;

/// The receiver's "asked to stop" error.
fn shutdown_error() -> Error {
    errno(kernel::bindings::ESHUTDOWN)
}

fn malformed(what: &str) -> Error {
    pr_err!("malformed reply from the server: {}\n", what);
    STATS.malformed.inc();
    errno(kernel::bindings::EPROTO)
}

impl Channel {
    /// Wraps the connected `sock` in a channel and starts its receive thread.
    pub(crate) fn start(sock: TcpSocket, echo_interval_s: u32) -> Result<ChannelHandle> {
        let echo_interval_ms = echo_interval_s.saturating_mul(1000).max(1000);
        sock.set_recv_timeout(echo_interval_ms);
        let chan = Arc::pin_init(
            try_pin_init!(Self {
                sock,
                crypto: KernelCrypto::new()?,
                inflight <- new_spinlock!(InFlight {
                    table: RBTree::new(),
                    failed: false,
                }),
                credits <- new_spinlock!(CreditWindow::new()),
                signing <- new_spinlock!(None),
                wq <- WaitQueue::new(),
                sending: AtomicBool::new(false),
                state: AtomicU8::new(state_to_u8(ChannelState::Negotiating)),
                dialect: AtomicU16::new(0),
                sign_all: AtomicBool::new(false),
                echo_interval_ms,
                owner: AtomicU64::new(0),
                last_rx: AtomicU64::new(jiffies()),
                echo_sent: AtomicU64::new(0),
                hooks_checked: AtomicU64::new(0),
                counters: ChannelCounters::new(),
            }? Error),
            GFP_KERNEL,
        )?;
        let rx = KThread::spawn(chan.clone(), c_str!("smb3rs-rx"))?;
        Ok(ChannelHandle { chan, rx: Some(rx) })
    }

    /// Makes the channel one of the session whose cookie is `cookie`.
    pub(crate) fn set_owner(&self, cookie: u64) {
        self.owner.store(cookie, Ordering::Release);
    }

    /// Returns the channel's state.
    pub(crate) fn state(&self) -> ChannelState {
        state_from_u8(self.state.load(Ordering::Acquire))
    }

    fn set_state(&self, s: ChannelState) {
        self.state.store(state_to_u8(s), Ordering::Release);
    }

    /// Records what NEGOTIATE selected.
    pub(crate) fn set_negotiated(&self, dialect: Dialect, multi_credit: bool) {
        self.dialect.store(dialect.wire(), Ordering::Release);
        self.credits.lock().set_multi_credit(multi_credit);
        self.set_state(ChannelState::Authenticating);
    }

    /// Installs the signing key once the session is set up and marks the channel
    /// good; with `sign_all` every request is signed and every reply must be.
    pub(crate) fn set_authenticated(
        &self,
        alg: SigningAlgorithm,
        key: &[u8; SIGNING_KEY_LEN],
        sign_all: bool,
    ) -> Result {
        self.crypto.prepare_signing(alg, key)?;
        *self.signing.lock() = Some(SigningKey { alg, key: *key });
        self.sign_all.store(sign_all, Ordering::Release);
        self.set_state(ChannelState::Good);
        Ok(())
    }

    /// Returns the channel's crypto provider (shared by the session's handshake).
    pub(crate) fn crypto(&self) -> &KernelCrypto {
        &self.crypto
    }

    /// Returns the message id, CreditCharge field and credit request the next
    /// single-credit request will carry, for a handshake request whose bytes must be
    /// final when encoded (the preauth hash covers them). Valid while the handshake is
    /// the channel's only sender.
    pub(crate) fn next_header_fields(&self) -> (u64, u16, u16) {
        let c = self.credits.lock();
        (
            c.next_message_id(),
            self.credit_charge_field(1),
            c.request_amount(),
        )
    }

    /// Returns credits available and messages in flight.
    pub(crate) fn credit_view(&self) -> (u32, u32) {
        let c = self.credits.lock();
        (c.available(), c.in_flight())
    }

    /// Returns the signing algorithm in use, if any.
    pub(crate) fn signing_algorithm(&self) -> Option<SigningAlgorithm> {
        self.signing.lock().as_ref().map(|k| k.alg)
    }

    fn credit_charge_field(&self, charge: u16) -> u16 {
        // CreditCharge is reserved (zero) before a dialect is known and on 2.0.2.
        match self.dialect.load(Ordering::Acquire) {
            0 => 0,
            d if d == Dialect::Smb202.wire() => 0,
            _ => charge,
        }
    }

    fn failed(&self) -> bool {
        self.inflight.lock().failed
    }

    /// Waits until `charge` credits could be reserved; reserves nothing.
    fn wait_for_credits(&self, charge: u32, policy: WaitPolicy, killable: bool) -> Result {
        let limit = match policy {
            WaitPolicy::Limit(ms) => ms,
            WaitPolicy::WhileAlive => u32::MAX,
        };
        let enough = || self.failed() || self.credits.lock().available() >= charge;
        if enough() {
            return Ok(());
        }
        if self.credits.lock().is_starved() {
            pr_err!("the server granted no credits; the connection cannot be used\n");
            return Err(errno(kernel::bindings::EIO));
        }
        match self.wq.wait_until(limit, killable, enough) {
            Wait::Done => Ok(()),
            Wait::TimedOut => Err(errno(kernel::bindings::ETIMEDOUT)),
            Wait::Killed => Err(EINTR),
        }
    }

    /// Takes the send slot, waiting for it (killably if `killable`).
    fn acquire_send_slot(&self, killable: bool) -> Result<SendSlot<'_>> {
        loop {
            if let Some(slot) = self.try_send_slot() {
                return Ok(slot);
            }
            let free = || !self.sending.load(Ordering::Acquire);
            if self.wq.wait_until(u32::MAX, killable, free) == Wait::Killed {
                return Err(EINTR);
            }
        }
    }

    fn try_send_slot(&self) -> Option<SendSlot<'_>> {
        self.sending
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| SendSlot { chan: self })
    }

    /// Sends `req` and returns its messages (one per PDU, in order), each registered
    /// in the in-flight table.
    pub(crate) fn submit(
        &self,
        mut req: Request,
        policy: WaitPolicy,
    ) -> Result<KVec<Arc<Message>>> {
        let _nofs = NofsScope::enter();
        if let WaitPolicy::Limit(ms) = policy {
            // Nobody waits for a hooked PDU: the receiver times it out.
            for pdu in req.pdus.iter_mut().filter(|p| p.hook.is_some()) {
                pdu.timeout_ms = ms.max(1);
            }
        }
        let charge: u32 = req.pdus.iter().map(|p| u32::from(p.charge)).sum();
        let killable = req.killable;
        loop {
            let reserved = self
                .ready_to_send(charge, policy, killable)
                .and_then(|slot| {
                    let ids = self.reserve(&req)?;
                    Ok(ids.map(|ids| (ids, slot)))
                });
            match reserved {
                Ok(Some((ids, slot))) => return self.send_reserved(req, ids, slot),
                // Someone else took the credits between the wait and the slot.
                Ok(None) => {}
                Err(e) => {
                    // Its reply hooks learn why (a signal, a timeout, a dead link).
                    req.fail(e);
                    return Err(e);
                }
            }
        }
    }

    /// Waits for `charge` credits and the send slot, unless the channel failed.
    fn ready_to_send(
        &self,
        charge: u32,
        policy: WaitPolicy,
        killable: bool,
    ) -> Result<SendSlot<'_>> {
        if self.failed() {
            return Err(errno(kernel::bindings::EHOSTDOWN));
        }
        self.wait_for_credits(charge, policy, killable)?;
        self.acquire_send_slot(killable)
    }

    /// Returns the credits of reservations that were never sent.
    fn cancel(&self, ids: &[u64], charges: impl Iterator<Item = u16>) {
        let mut credits = self.credits.lock();
        for (id, charge) in ids.iter().zip(charges) {
            credits.cancel(Reservation {
                message_id: *id,
                charge,
            });
        }
        drop(credits);
        self.wq.wake_all();
    }

    /// Reserves message ids and credits for every PDU of `req`, or none.
    fn reserve(&self, req: &Request) -> Result<Option<KVec<u64>>> {
        let mut ids = KVec::with_capacity(req.pdus.len(), GFP_KERNEL)?;
        let mut credits = self.credits.lock();
        for pdu in req.pdus.iter() {
            match credits.reserve(pdu.charge) {
                Ok(r) => ids.push(r.message_id, GFP_ATOMIC)?,
                Err(_) => {
                    for (id, p) in ids.iter().zip(req.pdus.iter()) {
                        credits.cancel(Reservation {
                            message_id: *id,
                            charge: p.charge,
                        });
                    }
                    return Ok(None);
                }
            }
        }
        Ok(Some(ids))
    }

    /// Numbers, links, signs and sends a request whose credits are reserved (and
    /// returns the credits if it cannot be sent).
    fn send_reserved(
        &self,
        req: Request,
        ids: KVec<u64>,
        _slot: SendSlot<'_>,
    ) -> Result<KVec<Arc<Message>>> {
        let mut charges = KVec::with_capacity(req.pdus.len(), GFP_KERNEL)?;
        for p in req.pdus.iter() {
            charges.push(p.charge, GFP_KERNEL)?;
        }
        let (frame, msgs) = match self.prepare(req, &ids) {
            Ok(v) => v,
            Err(e) => {
                self.cancel(&ids, charges.iter().copied());
                return Err(e);
            }
        };
        self.transmit(frame, msgs)
    }

    /// Numbers, links and signs the PDUs of `req`, registers them as in flight and
    /// returns the frame header and the messages.
    fn prepare(&self, mut req: Request, ids: &[u64]) -> Result<(PageSeg, KVec<Arc<Message>>)> {
        let request_credits = self.credits.lock().request_amount();
        let count = req.pdus.len();
        let key = self.signing.lock().as_ref().map(|k| (k.alg, k.key));
        let sign_all = self.sign_all.load(Ordering::Acquire);
        let dialect = self.dialect.load(Ordering::Acquire);
        // Frame header in its own fragment: the 4-byte big-endian length.
        let mut frame = PageSeg::alloc(4)?;
        let mut total = 0usize;
        for (i, (pdu, id)) in req.pdus.iter_mut().zip(ids.iter()).enumerate() {
            let payload_len: usize = pdu.segs.iter().skip(1).map(PageSeg::len).sum();
            let charge = self.credit_charge_field(pdu.charge);
            let last = i + 1 == count;
            let (first, rest) = pdu.segs.split_first_mut().ok_or(EINVAL)?;
            let hdr_len = first.len();
            // The fragment has 8 bytes of room beyond the PDU for compound padding.
            let mut pad = 0usize;
            {
                let bytes = first.as_mut_slice();
                header::patch_message_id(bytes, *id).map_err(|_| EINVAL)?;
                header::patch_credit_charge(bytes, charge).map_err(|_| EINVAL)?;
                header::patch_credits(bytes, request_credits).map_err(|_| EINVAL)?;
                if i > 0 && req.related {
                    compound::mark_related(bytes).map_err(|_| EINVAL)?;
                }
                if !last {
                    pad = compound::link(bytes, hdr_len.saturating_add(payload_len))
                        .map_err(|_| EINVAL)?;
                }
            }
            if pad > 0 {
                if !rest.is_empty() {
                    // Payload-carrying PDUs go last in a compound.
                    return Err(EINVAL);
                }
                first.extend(pad)?;
            }
            // 3.1.1 signs TREE_CONNECT even when signing is not required (MS-SMB2
            // 3.2.4.1.1): it protects the negotiation; Samba refuses it unsigned.
            let must_sign = sign_all
                || (pdu.command == Command::TreeConnect && dialect == Dialect::Smb311.wire());
            if let Some((alg, k)) = key.as_ref().filter(|_| must_sign) {
                let mut payload: KVec<&[u8]> = KVec::new();
                for seg in rest.iter() {
                    payload.push(seg.as_slice(), GFP_KERNEL)?;
                }
                signing::sign(&self.crypto, *alg, k, first.as_mut_slice(), &payload)
                    .map_err(|_| EINVAL)?;
            }
            total = total.checked_add(pdu.len()).ok_or(EINVAL)?;
        }
        if total > MAX_FRAME {
            return Err(EINVAL);
        }
        frame
            .as_mut_slice()
            .copy_from_slice(&u32::try_from(total).map_err(|_| EINVAL)?.to_be_bytes());

        // Messages from the last PDU back, so that each links to the next.
        let mut pdus: KVec<Option<PduBuf>> = KVec::with_capacity(count, GFP_KERNEL)?;
        for pdu in req.pdus.into_iter() {
            pdus.push(Some(pdu), GFP_KERNEL)?;
        }
        let mut msgs: KVec<Arc<Message>> = KVec::with_capacity(count, GFP_KERNEL)?;
        let mut nodes = KVec::with_capacity(count, GFP_KERNEL)?;
        let mut next: Option<Arc<Message>> = None;
        for (slot, id) in pdus.iter_mut().zip(ids.iter()).rev() {
            let pdu = slot.take().ok_or(EINVAL)?;
            let msg = Message::new(pdu, *id, next.take())?;
            nodes.push(RBTreeNode::new(*id, msg.clone(), GFP_KERNEL)?, GFP_KERNEL)?;
            next = Some(msg.clone());
            msgs.push(msg, GFP_KERNEL)?;
        }
        msgs.reverse();
        {
            let mut inflight = self.inflight.lock();
            if inflight.failed {
                return Err(errno(kernel::bindings::EHOSTDOWN));
            }
            // A table insert cannot fail: the nodes were allocated above.
            for node in nodes.into_iter() {
                inflight.table.insert(node);
            }
        }
        Ok((frame, msgs))
    }

    /// Sends a prepared frame.
    fn transmit(&self, frame: PageSeg, msgs: KVec<Arc<Message>>) -> Result<KVec<Arc<Message>>> {
        let segs = Iterator::chain(
            core::iter::once(&frame),
            msgs.iter().flat_map(|m| m.request().iter()),
        );
        match self.sock.send_pages(segs) {
            Ok(n) => {
                self.counters.spliced.add(n as u64);
                STATS.bytes_spliced.add(n as u64);
                for m in msgs.iter() {
                    self.counters.requests.inc();
                    STATS.request(m.command);
                }
                Ok(msgs)
            }
            Err(e) => {
                // Part of the frame may be on the wire: the stream is unusable.
                pr_warn!(
                    "send failed (error {}); the connection is dropped\n",
                    e.to_errno()
                );
                self.fail();
                // A reply may have raced in and had its sink claimed: the socket is
                // shut down now, so the receiver gives it back promptly, and no page
                // is written after our caller moves on.
                for m in msgs.iter() {
                    drop(m.take_sink());
                }
                Err(errno(kernel::bindings::EHOSTDOWN))
            }
        }
    }

    /// Takes `msg`'s receive sink back after its wait ended (see
    /// [`Message::take_sink`]). If the receiver is still writing into it, say for a
    /// waiter killed while a stalled server sends the payload, this waits a grace
    /// period, then drops the connection rather than keep a killed task waiting up
    /// to two echo intervals.
    pub(crate) fn take_sink(&self, msg: &Message) -> (Option<KVec<PageSeg>>, usize) {
        if let Some(taken) = msg.try_take_sink() {
            return taken;
        }
        if !msg.wait_sink_returned(SINK_GRACE_MS) {
            pr_warn!(
                "READ payload (message {}) stalled after its reader gave up; \
                 dropping the connection\n",
                msg.message_id
            );
            self.fail();
        }
        // Returned by now, or shortly: the socket is shut down.
        msg.take_sink()
    }

    /// Waits for the final reply to `msg` as `policy` says.
    pub(crate) fn wait(&self, msg: &Message, policy: WaitPolicy) -> Result<KVec<u8>> {
        let start = jiffies();
        loop {
            let slice = match policy {
                WaitPolicy::WhileAlive => self.echo_interval_ms,
                WaitPolicy::Limit(ms) => {
                    let spent = jiffies_to_ms(jiffies().wrapping_sub(start));
                    let left = u64::from(ms).saturating_sub(spent);
                    u32::try_from(left)
                        .unwrap_or(u32::MAX)
                        .clamp(1, self.echo_interval_ms)
                }
            };
            match msg.wait(slice) {
                Wait::Done => return msg.take_reply(),
                Wait::Killed => {
                    msg.abandon();
                    STATS.interrupted.inc();
                    return Err(EINTR);
                }
                Wait::TimedOut => {
                    let WaitPolicy::Limit(ms) = policy else {
                        continue;
                    };
                    if matches!(msg.phase(), Phase::Pending(_)) {
                        continue;
                    }
                    if jiffies_to_ms(jiffies().wrapping_sub(start)) >= u64::from(ms) {
                        msg.abandon();
                        STATS.timeouts.inc();
                        pr_warn!(
                            "no reply to {:?} (message {}) within {} ms\n",
                            msg.command,
                            msg.message_id,
                            ms
                        );
                        return Err(errno(kernel::bindings::ETIMEDOUT));
                    }
                }
            }
        }
    }

    /// Sends a one-PDU request and waits for its reply.
    pub(crate) fn call(&self, req: Request, policy: WaitPolicy) -> Result<KVec<u8>> {
        let msgs = self.submit(req, policy)?;
        let msg = msgs.first().ok_or(EINVAL)?;
        self.wait(msg, policy)
    }

    /// Fails the channel: wakes every waiter with `EHOSTDOWN`, refuses new requests,
    /// and shuts the socket down (which also stops the receiver).
    pub(crate) fn fail(&self) {
        let table = {
            let mut inflight = self.inflight.lock();
            if inflight.failed {
                return;
            }
            inflight.failed = true;
            core::mem::replace(&mut inflight.table, RBTree::new())
        };
        if self.state() != ChannelState::Closing {
            self.set_state(ChannelState::NeedReconnect);
            STATS.channel_failures.inc();
        }
        self.sock.shutdown();
        for (_, msg) in table.iter() {
            msg.finish(Err(errno(kernel::bindings::EHOSTDOWN)));
        }
        drop(table);
        self.wq.wake_all();
    }

    // --- Receive side (runs in the channel's kthread) ---

    /// Receives `len` bytes with `recv(done)` (which receives the bytes from `done`
    /// on). `Ok(false)`: nothing at all arrived within the receive timeout and
    /// `idle_ok` allowed stopping there.
    fn receive_exactly(
        &self,
        len: usize,
        idle_ok: bool,
        mut recv: impl FnMut(usize) -> Result<Received>,
    ) -> Result<bool> {
        let mut done = 0usize;
        let mut stalls = 0u32;
        while done < len {
            if thread::should_stop() {
                return Err(shutdown_error());
            }
            match recv(done)? {
                Received::Data(n) => {
                    done = done.saturating_add(n);
                    stalls = 0;
                }
                Received::Idle if done == 0 && idle_ok => return Ok(false),
                Received::Idle => {
                    // A frame that stops halfway for two intervals: the server is gone.
                    stalls += 1;
                    if stalls >= 2 {
                        return Err(errno(kernel::bindings::ETIMEDOUT));
                    }
                }
                Received::Closed => return Err(errno(kernel::bindings::ECONNRESET)),
            }
        }
        Ok(true)
    }

    /// Fills `buf` from the socket. `Ok(false)`: nothing at all arrived within the
    /// receive timeout and `idle_ok` allowed stopping there.
    fn read_full(&self, buf: &mut [u8], idle_ok: bool) -> Result<bool> {
        let len = buf.len();
        self.receive_exactly(len, idle_ok, |done| {
            self.sock.recv_some(buf.get_mut(done..).ok_or(EINVAL)?)
        })
    }

    /// Receives `len` bytes straight into the pages of `segs`.
    fn read_into_pages(&self, segs: &mut [PageSeg], len: usize) -> Result {
        self.receive_exactly(len, false, |done| {
            self.sock.recv_pages(segs, done, len.saturating_sub(done))
        })
        .map(drop)
    }

    /// Notes that the server is alive and `len` bytes arrived.
    fn received(&self, len: usize) {
        self.last_rx.store(jiffies(), Ordering::Relaxed);
        self.echo_sent.store(0, Ordering::Relaxed);
        self.counters.received.add(len as u64);
        STATS.bytes_received.add(len as u64);
    }

    /// Receives and handles one frame; `false` when the connection was idle for an
    /// interval.
    fn receive(&self) -> Result<bool> {
        let mut frame = [0u8; 4];
        if !self.read_full(&mut frame, true)? {
            return Ok(false);
        }
        let len = u32::from_be_bytes(frame) as usize;
        if !(HEADER_SIZE..=MAX_FRAME).contains(&len) {
            return Err(malformed("frame length"));
        }
        // The start first: it tells whether the payload can go straight into the
        // pages of a READ.
        let first = len.min(READ_RESPONSE_FIXED_END);
        let mut buf = KVec::new();
        buf.extend_with(first, 0u8, GFP_KERNEL)?;
        self.read_full(&mut buf, false)?;
        if let Some((msg, data, sink)) = self.direct_read(&buf, len) {
            self.receive_direct(buf, len, &msg, data, sink)?;
            return Ok(true);
        }
        buf.extend_with(len.saturating_sub(first), 0u8, GFP_KERNEL)?;
        self.read_full(buf.get_mut(first..).ok_or(EINVAL)?, false)?;
        self.received(len.saturating_add(4));
        self.dispatch(buf)?;
        Ok(true)
    }

    /// Returns the message, data range and claimed sink when the frame starting with
    /// `head` is a successful single READ reply whose data fits its message's sink.
    fn direct_read(
        &self,
        head: &[u8],
        len: usize,
    ) -> Option<(Arc<Message>, Range<usize>, KVec<PageSeg>)> {
        if head.first() != Some(&0xFE) {
            return None;
        }
        let hdr = Header::decode(head).ok()?;
        if hdr.command != Command::Read
            || !hdr.is_response()
            || hdr.next_command != 0
            || hdr.status != status::STATUS_SUCCESS
        {
            return None;
        }
        let data = ReadResponse::decode(head).ok()?.inline_range(len).ok()?;
        if data.is_empty() {
            return None;
        }
        let msg = self.inflight.lock().table.get(&hdr.message_id).cloned()?;
        if msg.command != Command::Read {
            return None;
        }
        let sink = msg.claim_sink(data.len())?;
        Some((msg, data, sink))
    }

    /// Receives the rest of a READ reply whose payload (`data` of the `len`-byte
    /// PDU) goes straight into the claimed `sink`, then handles the reply. The sink
    /// goes back to `msg` on every path.
    fn receive_direct(
        &self,
        mut head: KVec<u8>,
        len: usize,
        msg: &Message,
        data: Range<usize>,
        mut sink: KVec<PageSeg>,
    ) -> Result {
        let tail = match self.read_direct_rest(&mut head, &mut sink, len, &data) {
            Ok(tail) => tail,
            Err(e) => {
                msg.return_sink(sink, 0);
                return Err(e);
            }
        };
        self.received(len.saturating_add(4));
        let checked = Header::decode(&head)
            .map_err(|_| malformed("SMB2 header"))
            .and_then(|hdr| {
                let trusted = self.payload_signature_ok(&hdr, &head, &sink, data.len(), &tail)?;
                Ok((hdr, trusted))
            });
        let (hdr, trusted) = match checked {
            Ok(v) => v,
            Err(e) => {
                msg.return_sink(sink, 0);
                return Err(e);
            }
        };
        msg.return_sink(sink, if trusted { data.len() } else { 0 });
        if trusted {
            self.counters.read_direct.add(data.len() as u64);
            STATS.read_direct.add(data.len() as u64);
        }
        self.deliver(&hdr, head, trusted)
    }

    /// Checks the signature of a PDU received in three parts: `head`, the first
    /// `data_len` bytes of `sink`, and `tail`.
    fn payload_signature_ok(
        &self,
        hdr: &Header,
        head: &[u8],
        sink: &[PageSeg],
        data_len: usize,
        tail: &[u8],
    ) -> Result<bool> {
        let mut parts: KVec<&[u8]> = KVec::with_capacity(sink.len().saturating_add(2), GFP_KERNEL)?;
        parts.push(head, GFP_KERNEL)?;
        let mut left = data_len;
        for seg in sink.iter() {
            let n = seg.len().min(left);
            if n == 0 {
                break;
            }
            parts.push(seg.as_slice().get(..n).ok_or(EINVAL)?, GFP_KERNEL)?;
            left -= n;
        }
        parts.push(tail, GFP_KERNEL)?;
        Ok(self.signature_ok(hdr, &parts))
    }

    /// Reads a direct READ reply after its first bytes: up to DataOffset into
    /// `head`, the payload into `sink`, and returns what follows it.
    fn read_direct_rest(
        &self,
        head: &mut KVec<u8>,
        sink: &mut [PageSeg],
        len: usize,
        data: &Range<usize>,
    ) -> Result<KVec<u8>> {
        let have = head.len();
        head.extend_with(data.start.saturating_sub(have), 0u8, GFP_KERNEL)?;
        self.read_full(head.get_mut(have..).ok_or(EINVAL)?, false)?;
        self.read_into_pages(sink, data.len())?;
        let mut tail = KVec::new();
        tail.extend_with(len.saturating_sub(data.end), 0u8, GFP_KERNEL)?;
        self.read_full(&mut tail, false)?;
        Ok(tail)
    }

    /// Handles one received frame.
    fn dispatch(&self, buf: KVec<u8>) -> Result {
        if buf.first() != Some(&0xFE) {
            // Transform (0xFD) and compression (0xFC) headers are never negotiated.
            return Err(malformed("not an SMB2 message"));
        }
        let mut parts: KVec<(usize, usize)> = KVec::new();
        for pdu in compound::split(&buf) {
            let pdu = pdu.map_err(|_| malformed("compound chain"))?;
            parts.push((pdu.offset, pdu.bytes.len()), GFP_KERNEL)?;
        }
        if parts.len() == 1 {
            return self.handle_pdu(buf);
        }
        for (offset, len) in parts.iter() {
            let bytes = buf
                .get(*offset..offset.saturating_add(*len))
                .ok_or(EINVAL)?;
            let mut own = KVec::with_capacity(bytes.len(), GFP_KERNEL)?;
            own.extend_from_slice(bytes, GFP_KERNEL)?;
            self.counters.copied_rx.add(bytes.len() as u64);
            self.handle_pdu(own)?;
        }
        Ok(())
    }

    /// Checks the signature of `pdu` when the channel has a signing key; `false`: the
    /// reply is not to be trusted (it is counted and logged here).
    fn signature_ok(&self, hdr: &Header, pdu: &[&[u8]]) -> bool {
        // Interim replies are not signed (MS-SMB2 3.3.4.2); SESSION_SETUP replies are
        // checked by the session setup itself.
        if hdr.command == Command::SessionSetup
            || (hdr.status == status::STATUS_PENDING && hdr.flags & FLAG_ASYNC_COMMAND != 0)
        {
            return true;
        }
        let key = self.signing.lock().as_ref().map(|k| (k.alg, k.key));
        let Some((alg, key)) = key else {
            return true;
        };
        let ok = if hdr.flags & FLAG_SIGNED != 0 {
            signing::verify(&self.crypto, alg, &key, pdu).is_ok()
        } else {
            // On a signed session an unsigned reply could be forged.
            !self.sign_all.load(Ordering::Acquire)
        };
        if !ok {
            self.counters.bad_signatures.inc();
            STATS.bad_signatures.inc();
            pr_warn!(
                "dropping a {:?} reply (message {}) with a bad or missing signature\n",
                hdr.command,
                hdr.message_id
            );
        }
        ok
    }

    fn handle_pdu(&self, pdu: KVec<u8>) -> Result {
        let hdr = Header::decode(&pdu).map_err(|_| malformed("SMB2 header"))?;
        if !hdr.is_response() {
            return Err(malformed("a request from the server"));
        }
        if hdr.message_id == NOTIFICATION_MESSAGE_ID {
            self.counters.notifications.inc();
            self.notification(&hdr, &pdu);
            return Ok(());
        }
        let trusted = self.signature_ok(&hdr, &[&pdu]);
        self.deliver(&hdr, pdu, trusted)
    }

    /// Takes an unsolicited message from the server. A lease or oplock break
    /// goes to the VFS side, which drops what the lease or oplock let it cache
    /// and acknowledges the break if asked to (an oplock's, unless from level
    /// II, always is); anything else is ignored. Breaks are not signed (their
    /// SessionId is 0): a forged one can only make us drop cached data or
    /// close a handle kept for a reopen. A malformed one is logged and
    /// dropped, and the connection stays up.
    fn notification(&self, hdr: &Header, pdu: &[u8]) {
        if hdr.command != Command::OplockBreak {
            return;
        }
        match BreakMessage::decode(pdu) {
            Ok(BreakMessage::LeaseBreak(b)) => {
                vfs_ops::lease_break(
                    &b.lease_key,
                    b.new_lease_state,
                    b.new_epoch,
                    b.ack_required(),
                );
                // Counted once the new state holds (a test waits for this).
                STATS.lease_breaks.inc();
            }
            Ok(BreakMessage::Oplock(b)) => {
                vfs_ops::oplock_break(
                    self.owner.load(Ordering::Acquire),
                    b.file_id,
                    b.oplock_level,
                );
                STATS.oplock_breaks.inc();
            }
            Ok(_) => {}
            Err(_) => {
                STATS.malformed.inc();
                pr_warn!("dropping a malformed break notification\n");
            }
        }
    }

    /// Completes the message `pdu` (whose header is `hdr`) answers; an untrusted
    /// reply (bad signature) fails it instead.
    fn deliver(&self, hdr: &Header, pdu: KVec<u8>, trusted: bool) -> Result {
        if !trusted {
            // Its content and credits are not trusted; its waiter gets an error now
            // rather than waiting for a reply that already came.
            // Out of the table first: the hook must not run under its lock.
            let removed = self.inflight.lock().table.remove(&hdr.message_id);
            if let Some(msg) = removed {
                self.credits.lock().complete(0);
                self.wq.wake_all();
                msg.finish(Err(EACCES));
            }
            return Ok(());
        }
        if hdr.status == status::STATUS_PENDING && hdr.flags & FLAG_ASYNC_COMMAND != 0 {
            let found = self.inflight.lock().table.get(&hdr.message_id).cloned();
            if let (Some(msg), HeaderId::Async { async_id }) = (found, hdr.id) {
                msg.set_pending(async_id);
                self.credits.lock().grant(hdr.credits);
                self.wq.wake_all();
            }
            return Ok(());
        }
        let Some(msg) = self.inflight.lock().table.remove(&hdr.message_id) else {
            self.counters.unmatched.inc();
            STATS.unmatched.inc();
            return Ok(());
        };
        if msg.command != hdr.command {
            msg.finish(Err(malformed("reply to a different command")));
            return Err(errno(kernel::bindings::EPROTO));
        }
        self.credits.lock().complete(hdr.credits);
        self.wq.wake_all();
        self.counters.replies.inc();
        if msg.command == Command::Echo {
            self.counters.echoes_answered.inc();
        }
        msg.finish(Ok(pdu));
        Ok(())
    }

    /// Runs, with `ETIMEDOUT`, the reply hooks of messages whose time is up (soft
    /// mounts), at most once a second. They stay in the table, abandoned, so that
    /// a late reply still finds them and returns its credits.
    fn expire_hooks(&self) {
        let now = jiffies();
        if jiffies_to_ms(now.wrapping_sub(self.hooks_checked.load(Ordering::Relaxed))) < 1000 {
            return;
        }
        self.hooks_checked.store(now, Ordering::Relaxed);
        let mut expired: KVec<Arc<Message>> = KVec::new();
        {
            let inflight = self.inflight.lock();
            for (_, msg) in inflight.table.iter() {
                // Under a spinlock; what does not fit waits for the next round.
                if msg.hook_expired(now) && expired.push(msg.clone(), GFP_ATOMIC).is_err() {
                    break;
                }
            }
        }
        if let Some(first) = expired.first() {
            // One line per round, however many: a stalled server can have hundreds.
            pr_warn!(
                "no reply to {} asynchronous requests in time (first: {:?}, message {}); \
                 giving up on them\n",
                expired.len(),
                first.command,
                first.message_id
            );
        }
        for msg in expired.into_iter() {
            msg.abandon();
            STATS.timeouts.inc();
            msg.finish(Err(errno(kernel::bindings::ETIMEDOUT)));
        }
    }

    /// Called when nothing arrived for an interval: sends an ECHO, or gives up when
    /// the previous one went unanswered.
    fn on_idle(&self) -> Result {
        // The handshake's requests carry the message ids they expect, so no echo may
        // be slipped in, and they are bounded by their own timeout: a server slow to
        // fork a session process must not fail the mount after two echo intervals.
        if self.state() != ChannelState::Good {
            return Ok(());
        }
        if self.echo_sent.load(Ordering::Relaxed) != 0 {
            pr_warn!(
                "server silent for {} s; failing the connection\n",
                jiffies_to_ms(jiffies().wrapping_sub(self.last_rx.load(Ordering::Relaxed))) / 1000
            );
            return Err(errno(kernel::bindings::ETIMEDOUT));
        }
        self.echo_sent.store(jiffies().max(1), Ordering::Relaxed);
        // Never wait here: the receiver must keep reading, or a sender blocked on a full
        // socket and a server blocked on us would deadlock.
        let Some(slot) = self.try_send_slot() else {
            return Ok(());
        };
        let mut req = Request::new(false);
        let hdr = Header::new(Command::Echo);
        req.push(Command::Echo, 1, HEADER_SIZE + 4, |w| {
            header::encode_pdu(&hdr, &EchoRequest, w)
        })?;
        let Some(ids) = self.reserve(&req)? else {
            return Ok(());
        };
        self.send_reserved(req, ids, slot)?;
        self.counters.echoes_sent.inc();
        STATS.echoes.inc();
        Ok(())
    }
}

impl ThreadMain for Channel {
    fn run(this: &Arc<Self>) {
        // The receiver must never recurse into filesystem reclaim: writeback may be
        // waiting for the very reply it is reading.
        let _nofs = NofsScope::enter();
        let why = loop {
            if thread::should_stop() {
                break None;
            }
            match this.receive() {
                Ok(true) => {}
                Ok(false) => {
                    if let Err(e) = this.on_idle() {
                        break Some(e);
                    }
                }
                Err(e) => break Some(e),
            }
            this.expire_hooks();
        };
        if let Some(e) = why {
            if this.state() != ChannelState::Closing && e != shutdown_error() {
                pr_warn!("connection lost (error {})\n", e.to_errno());
            }
        }
        this.fail();
    }
}

/// Ownership of the send slot, released on drop.
struct SendSlot<'a> {
    chan: &'a Channel,
}

impl Drop for SendSlot<'_> {
    fn drop(&mut self) {
        self.chan.sending.store(false, Ordering::Release);
        self.chan.wq.wake_all();
    }
}

/// The owner's handle on a channel: closing it stops the receive thread.
pub(crate) struct ChannelHandle {
    chan: Arc<Channel>,
    rx: Option<KThread<Channel>>,
}

impl ChannelHandle {
    /// Returns the channel.
    pub(crate) fn channel(&self) -> &Arc<Channel> {
        &self.chan
    }
}

impl Drop for ChannelHandle {
    fn drop(&mut self) {
        self.chan.set_state(ChannelState::Closing);
        // Shutting the socket down wakes the receiver; stopping it waits for it.
        self.chan.sock.shutdown();
        drop(self.rx.take());
        self.chan.fail();
        self.chan.set_state(ChannelState::Closed);
    }
}
