// SPDX-License-Identifier: GPL-2.0

//! CLOSEs sent without waiting for their replies, and the barrier that waits for
//! them where a handle still open on the server would change the outcome.
//!
//! `close()` need not wait a round trip for its CLOSE: nothing the caller does
//! next depends on it, except what the server refuses or defers while a handle
//! is open. A file removed while open stays (delete pending) until its last
//! handle closes, so that its name cannot be created again; a file still open
//! cannot be replaced by a rename; a directory with files open below it cannot
//! be renamed (Samba refuses). ksmbd also runs a connection's requests
//! concurrently, so sending in order is not enough. Removing and renaming
//! therefore first wait for the CLOSEs issued before them, of the file they
//! concern (of any, for a directory): each CLOSE holds a ticket, with the file's
//! key (its server inode number), until its reply is in. Later CLOSEs cannot
//! hold a barrier up, and a barrier gives up after a while: the worst it lets
//! through is the refusal it would have spared.
//!
//! The set belongs to the session, so that mounts sharing it see each other's
//! CLOSEs (a `nosharesock` mount has a session, and a set, of its own).

use core::sync::atomic::{AtomicU64, Ordering};

use kernel::{
    new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::{Arc, SpinLock},
};

use crate::sys::sync::{Wait, WaitQueue};

/// The CLOSEs of one session that are still in flight.
#[pin_data]
pub(crate) struct Closes {
    /// The next ticket.
    next: AtomicU64,
    /// The CLOSEs in flight: ticket to file key (0: unknown, matches any).
    #[pin]
    in_flight: SpinLock<RBTree<u64, u64>>,
    /// Woken when a CLOSE ends.
    #[pin]
    wq: WaitQueue,
}

/// A CLOSE in flight: its ticket is given back when this is dropped (the reply
/// came, the channel failed, or the request could not be sent).
pub(crate) struct CloseTicket {
    closes: Arc<Closes>,
    ticket: u64,
}

impl Closes {
    /// Creates an empty set.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                next: AtomicU64::new(0),
                in_flight <- new_spinlock!(RBTree::new()),
                wq <- WaitQueue::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Takes a ticket for a CLOSE of the file `key` about to be sent.
    pub(crate) fn ticket(self: &Arc<Self>, key: u64) -> Result<CloseTicket> {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let node = RBTreeNode::new(ticket, key, GFP_KERNEL)?;
        // Tickets are unique: nothing is replaced.
        let replaced = self.in_flight.lock().insert(node);
        drop(replaced);
        Ok(CloseTicket {
            closes: self.clone(),
            ticket,
        })
    }

    /// Whether no CLOSE of `key` (0: of any file) with a ticket below `target`
    /// is in flight.
    fn done_below(&self, target: u64, key: u64) -> bool {
        !self
            .in_flight
            .lock()
            .iter()
            .take_while(|(ticket, _)| **ticket < target)
            .any(|(_, k)| key == 0 || *k == 0 || *k == key)
    }

    /// Waits until the CLOSEs of `key` (0: of any file) issued before this call
    /// have ended, for at most `limit_ms`, killably if `killable`; CLOSEs issued
    /// meanwhile are not waited for. Returns whether they ended (`EINTR` if
    /// killed).
    pub(crate) fn barrier(&self, key: u64, killable: bool, limit_ms: u32) -> Result<bool> {
        // A CLOSE whose call returned before this point holds a smaller ticket
        // and is in the set already.
        let target = self.next.load(Ordering::Relaxed);
        if self.done_below(target, key) {
            return Ok(true);
        }
        match self
            .wq
            .wait_until(limit_ms, killable, || self.done_below(target, key))
        {
            Wait::Done => Ok(true),
            Wait::TimedOut => Ok(false),
            Wait::Killed => Err(EINTR),
        }
    }
}

impl Drop for CloseTicket {
    fn drop(&mut self) {
        // Out of the lock before waking: the wakers re-check under it.
        let node = self.closes.in_flight.lock().remove_node(&self.ticket);
        drop(node);
        self.closes.wq.wake_all();
    }
}
