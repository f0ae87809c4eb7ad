// SPDX-License-Identifier: GPL-2.0

//! Messages (our smb_message, cifs.ko's mid_q_entry): one request PDU and, later, its
//! reply.
//!
//! A [`Request`] is built by the code that encodes it: each PDU's header and body go
//! straight into a page fragment (payload pages can follow as more segments), so that
//! the transport splices them without a copy. [`Channel::submit`] turns it into a
//! chain of [`Message`]s (one per PDU, linked by `next` for a compound), gives each
//! its message id and signature, and sends the whole chain in one `sendmsg`.
//!
//! Reference rule: a [`Message`] is an `Arc`. The submitter holds one reference and
//! the channel's in-flight table another from before the send until the reply is
//! dispatched; the receiver takes the table's reference out, stores the reply, then
//! completes the message's own completion, which wakes exactly its waiter. A waiter
//! that gives up (signal, soft timeout) just drops its reference and marks the message
//! abandoned: a late reply still finds it, returns its credits and is discarded.
//!
//! A message can instead carry a reply hook (an asynchronous READ or WRITE): whoever
//! finishes it (the receiver, or the channel failing) then runs the hook with the
//! reply and the sink, and nobody waits.
//!
//! A READ's message can carry a receive sink: the page-cache folios the data is for.
//! The receiver claims the sink when the reply's header shows it fits, receives the
//! payload straight into it, and gives it back before completing the message. The
//! waiter takes the sink back with [`Message::take_sink`], which waits while the
//! receiver is writing into it, so the folios are never written after their reader
//! has moved on (the page references alone would keep the memory, not the data,
//! safe).
//!
//! [`Channel::submit`]: super::channel::Channel::submit

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
};

use super::ops::ReplyHook;
use crate::proto::{cursor::Writer, error::EncodeError, header::Command};
use crate::sys::{
    mem::PageSeg,
    sync::{jiffies, jiffies_to_ms, Completion, Wait},
};

/// One PDU of a request: its header and body in a page fragment, then any payload.
pub(crate) struct PduBuf {
    pub(crate) command: Command,
    /// CreditCharge (1 for everything but large reads and writes).
    pub(crate) charge: u16,
    /// Header and body first, payload segments after.
    pub(crate) segs: KVec<PageSeg>,
    /// Where the reply's payload goes (a READ's destination folios).
    pub(crate) sink: Option<KVec<PageSeg>>,
    /// Run with the reply instead of waking a waiter.
    pub(crate) hook: Option<ReplyHook>,
    /// With a hook: how long the reply may take before the hook runs with
    /// `ETIMEDOUT` (0: as long as the channel lives).
    pub(crate) timeout_ms: u32,
}

impl PduBuf {
    /// Returns the PDU's length (header, body, payload).
    pub(crate) fn len(&self) -> usize {
        self.segs.iter().map(PageSeg::len).sum()
    }
}

/// A request of one or more PDUs (a compound), not yet submitted.
pub(crate) struct Request {
    pub(crate) pdus: KVec<PduBuf>,
    /// Whether the PDUs after the first are related operations.
    pub(crate) related: bool,
    /// Whether a fatal signal may stop the sender waiting for credits or the send
    /// slot; not for writeback, whose data is the file's, not the task's.
    pub(crate) killable: bool,
}

impl Request {
    /// Starts an empty request; `related` for a chain of related operations.
    pub(crate) fn new(related: bool) -> Self {
        Self {
            pdus: KVec::new(),
            related,
            killable: true,
        }
    }

    /// Appends a PDU of at most `room` bytes (header and body; at most a page),
    /// written by `encode`, which returns the PDU length. `charge` is its credit
    /// charge.
    pub(crate) fn push(
        &mut self,
        command: Command,
        charge: u16,
        room: usize,
        encode: impl FnOnce(&mut Writer<'_>) -> core::result::Result<usize, EncodeError>,
    ) -> Result {
        // Room for the 8-byte alignment padding of a compound element too.
        let mut seg = PageSeg::alloc(room.saturating_add(8))?;
        let len = {
            let mut w = Writer::new(seg.as_mut_slice());
            encode(&mut w).map_err(|_| EINVAL)?
        };
        seg.truncate(len);
        let mut segs = KVec::new();
        segs.push(seg, GFP_KERNEL)?;
        self.pdus.push(
            PduBuf {
                command,
                charge: charge.max(1),
                segs,
                sink: None,
                hook: None,
                timeout_ms: 0,
            },
            GFP_KERNEL,
        )?;
        Ok(())
    }

    /// Appends payload segments (page-cache pages, spliced as they are) to the last PDU.
    pub(crate) fn append_payload(&mut self, payload: KVec<PageSeg>) -> Result {
        let last = self.pdus.len().checked_sub(1).ok_or(EINVAL)?;
        let pdu = self.pdus.get_mut(last).ok_or(EINVAL)?;
        for seg in payload.into_iter() {
            pdu.segs.push(seg, GFP_KERNEL)?;
        }
        Ok(())
    }

    /// Gives the last PDU a receive sink: its reply's payload is to land in `segs`.
    pub(crate) fn set_sink(&mut self, segs: KVec<PageSeg>) -> Result {
        let last = self.pdus.len().checked_sub(1).ok_or(EINVAL)?;
        self.pdus.get_mut(last).ok_or(EINVAL)?.sink = Some(segs);
        Ok(())
    }

    /// Makes the last PDU asynchronous: `hook` runs with its reply.
    pub(crate) fn set_hook(&mut self, hook: ReplyHook) -> Result {
        let last = self.pdus.len().checked_sub(1).ok_or(EINVAL)?;
        self.pdus.get_mut(last).ok_or(EINVAL)?.hook = Some(hook);
        Ok(())
    }

    /// Gives up a request that was not sent: each PDU's reply hook runs with `err`
    /// (dropped, a hook would report only `EIO`).
    pub(crate) fn fail(self, err: Error) {
        for pdu in self.pdus.into_iter() {
            if let Some(hook) = pdu.hook {
                hook.run(Err(err), pdu.sink.unwrap_or_default(), 0);
            }
        }
    }

    /// Returns the encoded header and body of PDU `i`.
    pub(crate) fn pdu_bytes(&self, i: usize) -> Option<&[u8]> {
        self.pdus.get(i)?.segs.first().map(PageSeg::as_slice)
    }
}

/// Where a message is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Sent, no reply yet.
    Sent,
    /// The server answered STATUS_PENDING: the final reply comes later, under
    /// this async id.
    Pending(u64),
    /// The final reply (or the channel's failure) is in.
    Done,
}

struct ReplyState {
    phase: Phase,
    reply: Option<Result<KVec<u8>>>,
    abandoned: bool,
    hook: Option<ReplyHook>,
}

/// Where a message's receive sink is.
enum Sink {
    /// The message has none, or its waiter took it back.
    None,
    /// With the message, free to be claimed by the receiver.
    Ready(KVec<PageSeg>),
    /// The receiver is writing into it.
    Claimed,
    /// Given back by the receiver, with this many payload bytes in it.
    Returned(KVec<PageSeg>, usize),
}

/// A request PDU in flight and its reply.
#[pin_data]
pub(crate) struct Message {
    pub(crate) command: Command,
    pub(crate) message_id: u64,
    pub(crate) charge: u16,
    /// The request's segments, kept until the reply (the network stack holds its own
    /// page references while it sends them).
    request: KVec<PageSeg>,
    /// The next PDU of the same compound.
    pub(crate) next: Option<Arc<Message>>,
    /// For a message with a reply hook: jiffies when it was made, and how long its
    /// reply may take (0: no limit); nobody waits to time it out, the receiver does.
    made_at: u64,
    timeout_ms: u32,
    #[pin]
    state: SpinLock<ReplyState>,
    #[pin]
    done: Completion,
    #[pin]
    sink: SpinLock<Sink>,
    /// Completed when a claimed sink is given back.
    #[pin]
    sink_returned: Completion,
}

impl Message {
    /// Creates the message for PDU `pdu`, already numbered `message_id`.
    pub(crate) fn new(
        pdu: PduBuf,
        message_id: u64,
        next: Option<Arc<Message>>,
    ) -> Result<Arc<Self>> {
        let sink = match pdu.sink {
            Some(segs) => Sink::Ready(segs),
            None => Sink::None,
        };
        Arc::pin_init(
            pin_init!(Self {
                command: pdu.command,
                message_id,
                charge: pdu.charge,
                request: pdu.segs,
                next,
                made_at: jiffies(),
                timeout_ms: pdu.timeout_ms,
                state <- new_spinlock!(ReplyState {
                    phase: Phase::Sent,
                    reply: None,
                    abandoned: false,
                    hook: pdu.hook,
                }),
                done <- Completion::new(),
                sink <- new_spinlock!(sink),
                sink_returned <- Completion::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Returns the request's segments.
    pub(crate) fn request(&self) -> &[PageSeg] {
        &self.request
    }

    /// Returns the current phase.
    pub(crate) fn phase(&self) -> Phase {
        self.state.lock().phase
    }

    /// Records an interim STATUS_PENDING reply.
    pub(crate) fn set_pending(&self, async_id: u64) {
        let mut s = self.state.lock();
        if s.phase == Phase::Sent {
            s.phase = Phase::Pending(async_id);
        }
    }

    /// Stores the final reply (or error) and wakes the waiter, or runs the reply
    /// hook. Returns whether the waiter had already given up.
    pub(crate) fn finish(&self, reply: Result<KVec<u8>>) -> bool {
        let (abandoned, hooked) = {
            let mut s = self.state.lock();
            if s.phase == Phase::Done {
                return s.abandoned;
            }
            s.phase = Phase::Done;
            match s.hook.take() {
                Some(hook) => (s.abandoned, Some((hook, reply))),
                None => {
                    s.reply = Some(reply);
                    (s.abandoned, None)
                }
            }
        };
        self.done.complete_all();
        if let Some((hook, reply)) = hooked {
            // Outside the lock: taking the sink may wait for the receiver.
            let (sink, landed) = self.take_sink();
            hook.run(reply, sink.unwrap_or_default(), landed);
        }
        abandoned
    }

    /// Returns whether the message has a reply hook whose time is up: it has a
    /// limit, is not `Pending` (the server said it is working on it) and not done.
    pub(crate) fn hook_expired(&self, now: u64) -> bool {
        self.timeout_ms != 0
            && self.phase() == Phase::Sent
            && jiffies_to_ms(now.wrapping_sub(self.made_at)) >= u64::from(self.timeout_ms)
    }

    /// Marks the message as given up by its waiter.
    pub(crate) fn abandon(&self) {
        self.state.lock().abandoned = true;
    }

    /// Waits killably for the reply, at most `timeout_ms`.
    pub(crate) fn wait(&self, timeout_ms: u32) -> Wait {
        self.done.wait_killable(timeout_ms)
    }

    /// Claims the receive sink for a payload of `len` bytes, if the message has one
    /// at least that large that its waiter still wants.
    pub(crate) fn claim_sink(&self, len: usize) -> Option<KVec<PageSeg>> {
        if self.state.lock().abandoned {
            return None;
        }
        let mut sink = self.sink.lock();
        let fits = match &*sink {
            Sink::Ready(segs) => segs.iter().map(PageSeg::len).sum::<usize>() >= len,
            _ => false,
        };
        if !fits {
            return None;
        }
        match core::mem::replace(&mut *sink, Sink::Claimed) {
            Sink::Ready(segs) => Some(segs),
            _ => None,
        }
    }

    /// Gives a claimed sink back with `landed` payload bytes in it.
    pub(crate) fn return_sink(&self, segs: KVec<PageSeg>, landed: usize) {
        *self.sink.lock() = Sink::Returned(segs, landed);
        self.sink_returned.complete_all();
    }

    /// Takes the receive sink back, with how many payload bytes the receiver put in
    /// it (0 if none or not yet); `None` while the receiver is writing into it.
    pub(crate) fn try_take_sink(&self) -> Option<(Option<KVec<PageSeg>>, usize)> {
        let mut sink = self.sink.lock();
        match core::mem::replace(&mut *sink, Sink::None) {
            Sink::None => Some((None, 0)),
            Sink::Ready(segs) => Some((Some(segs), 0)),
            Sink::Returned(segs, landed) => Some((Some(segs), landed)),
            Sink::Claimed => {
                *sink = Sink::Claimed;
                None
            }
        }
    }

    /// Waits up to `ms`, uninterruptibly, for a claimed sink to be given back;
    /// `false` if it was not.
    pub(crate) fn wait_sink_returned(&self, ms: u32) -> bool {
        self.sink_returned.wait_timeout(ms)
    }

    /// Like [`try_take_sink`](Self::try_take_sink), waiting for the receiver if it
    /// is writing: only where its receive is bounded (the reply is complete, or the
    /// socket is shut down).
    pub(crate) fn take_sink(&self) -> (Option<KVec<PageSeg>>, usize) {
        loop {
            if let Some(taken) = self.try_take_sink() {
                return taken;
            }
            self.sink_returned.wait();
        }
    }

    /// Takes the reply once [`wait`](Self::wait) returned `Done`.
    pub(crate) fn take_reply(&self) -> Result<KVec<u8>> {
        self.state
            .lock()
            .reply
            .take()
            .unwrap_or(Err(kernel::error::code::EINVAL))
    }
}
