// SPDX-License-Identifier: GPL-2.0

//! Counters: module-wide ones for `/proc/fs/smb3rs/Stats` and per-channel ones for
//! `DebugData`. Relaxed atomics: they are statistics, not synchronisation.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::proto::header::Command;

/// A statistics counter.
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// A counter at zero.
    pub(crate) const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// Adds one.
    pub(crate) fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Returns the value.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Number of SMB2 commands (NEGOTIATE 0x00 .. OPLOCK_BREAK 0x12).
pub(crate) const COMMANDS: usize = 19;

/// Module-wide counters since load.
pub(crate) struct Stats {
    /// Requests sent, by command code.
    pub(crate) requests: [Counter; COMMANDS],
    /// Bytes handed to TCP by page splicing (frame headers, SMB headers, payload).
    pub(crate) bytes_spliced: Counter,
    /// Payload bytes copied into send buffers (a bounce); zero-copy keeps this at 0.
    pub(crate) bytes_copied: Counter,
    /// Bytes received.
    pub(crate) bytes_received: Counter,
    /// READ payload bytes received straight into the destination pages.
    pub(crate) read_direct: Counter,
    /// READ payload bytes copied from a reply buffer into the destination pages.
    pub(crate) read_copied: Counter,
    /// Replies dropped for a bad or missing signature.
    pub(crate) bad_signatures: Counter,
    /// Replies that matched no request in flight.
    pub(crate) unmatched: Counter,
    /// Frames or PDUs that failed validation (the connection is dropped).
    pub(crate) malformed: Counter,
    /// ECHO requests sent by idle channels.
    pub(crate) echoes: Counter,
    /// Waits given up on a fatal signal.
    pub(crate) interrupted: Counter,
    /// Requests failed by the soft timeout.
    pub(crate) timeouts: Counter,
    /// Channels that failed (connection lost or server silent).
    pub(crate) channel_failures: Counter,
    /// Reconnects completed.
    pub(crate) reconnects: Counter,
    /// Opens granted a read-caching lease.
    pub(crate) leases: Counter,
    /// Lease break notifications received.
    pub(crate) lease_breaks: Counter,
    /// Opens granted an oplock (servers without leases).
    pub(crate) oplocks: Counter,
    /// Oplock break notifications received.
    pub(crate) oplock_breaks: Counter,
}

impl Stats {
    const fn new() -> Self {
        Self {
            requests: [const { Counter::new() }; COMMANDS],
            bytes_spliced: Counter::new(),
            bytes_copied: Counter::new(),
            bytes_received: Counter::new(),
            read_direct: Counter::new(),
            read_copied: Counter::new(),
            bad_signatures: Counter::new(),
            unmatched: Counter::new(),
            malformed: Counter::new(),
            echoes: Counter::new(),
            interrupted: Counter::new(),
            timeouts: Counter::new(),
            channel_failures: Counter::new(),
            reconnects: Counter::new(),
            leases: Counter::new(),
            lease_breaks: Counter::new(),
            oplocks: Counter::new(),
            oplock_breaks: Counter::new(),
        }
    }

    /// Counts one request of `command`.
    pub(crate) fn request(&self, command: Command) {
        if let Some(c) = self.requests.get(usize::from(command.as_u16())) {
            c.inc();
        }
    }
}

/// The module's counters.
pub(crate) static STATS: Stats = Stats::new();

/// One channel's counters.
pub(crate) struct ChannelCounters {
    pub(crate) requests: Counter,
    pub(crate) replies: Counter,
    pub(crate) spliced: Counter,
    pub(crate) received: Counter,
    /// Received bytes copied out of a compound frame into per-PDU buffers.
    pub(crate) copied_rx: Counter,
    /// READ payload bytes received straight into the destination pages.
    pub(crate) read_direct: Counter,
    pub(crate) bad_signatures: Counter,
    pub(crate) unmatched: Counter,
    pub(crate) notifications: Counter,
    pub(crate) echoes_sent: Counter,
    pub(crate) echoes_answered: Counter,
}

impl ChannelCounters {
    /// All at zero.
    pub(crate) const fn new() -> Self {
        Self {
            requests: Counter::new(),
            replies: Counter::new(),
            spliced: Counter::new(),
            received: Counter::new(),
            copied_rx: Counter::new(),
            read_direct: Counter::new(),
            bad_signatures: Counter::new(),
            unmatched: Counter::new(),
            notifications: Counter::new(),
            echoes_sent: Counter::new(),
            echoes_answered: Counter::new(),
        }
    }
}
