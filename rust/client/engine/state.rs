// SPDX-License-Identifier: GPL-2.0

//! The life cycle of a channel (one connection of a session).
//!
//! ```text
//! Connecting -> Negotiating -> Authenticating -> Good -> Closing -> Closed
//!      ^             |               |            |
//!      +------ NeedReconnect <-------+------------+   (any failure)
//! ```
//!
//! Only `Good` channels carry I/O. `NeedReconnect` is left only by starting a new
//! connection; `Closed` is final.

/// The state of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    /// A TCP (or RDMA) connection is being set up.
    Connecting,
    /// NEGOTIATE is in flight.
    Negotiating,
    /// SESSION_SETUP (or session binding) is in progress.
    Authenticating,
    /// Ready for I/O.
    Good,
    /// The connection failed or the server went silent; requests wait or fail (soft).
    NeedReconnect,
    /// LOGOFF / shutdown in progress; no new requests.
    Closing,
    /// Torn down; final.
    Closed,
}

/// Events that move a channel between states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelEvent {
    /// The transport connected.
    Connected,
    /// NEGOTIATE succeeded.
    Negotiated,
    /// SESSION_SETUP (or binding) succeeded.
    Authenticated,
    /// The transport broke, a reply was malformed, or echoes went unanswered.
    Failed,
    /// A reconnect attempt starts.
    Reconnect,
    /// The channel is being shut down.
    Shutdown,
    /// Shutdown finished.
    Finished,
}

impl ChannelState {
    /// Returns the state after `event`, or `None` if the event is not valid now (the
    /// caller keeps the old state and treats it as a bug in its own sequencing).
    pub fn next(self, event: ChannelEvent) -> Option<ChannelState> {
        use ChannelEvent as E;
        use ChannelState as S;
        match (self, event) {
            (S::Closed, _) => None,
            (_, E::Shutdown) => Some(S::Closing),
            (S::Closing, E::Finished) => Some(S::Closed),
            (S::Closing, _) => None,
            (S::Connecting, E::Connected) => Some(S::Negotiating),
            (S::Negotiating, E::Negotiated) => Some(S::Authenticating),
            (S::Authenticating, E::Authenticated) => Some(S::Good),
            (S::NeedReconnect, E::Reconnect) => Some(S::Connecting),
            (S::NeedReconnect, E::Failed) => Some(S::NeedReconnect),
            (_, E::Failed) => Some(S::NeedReconnect),
            _ => None,
        }
    }

    /// Returns whether requests may be sent on a channel in this state.
    pub fn carries_io(self) -> bool {
        self == ChannelState::Good
    }
}
