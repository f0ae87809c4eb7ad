// SPDX-License-Identifier: GPL-2.0

//! Choosing the channel for a request: the least loaded good channel.
//!
//! The kernel keeps a snapshot of each channel's load readable without a lock; this
//! function only decides, so the policy is tested here and the send path takes no
//! global lock.

use super::state::ChannelState;

/// What the selector needs to know of one channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelLoad {
    /// The channel's state.
    pub state: ChannelState,
    /// Requests in flight on it.
    pub in_flight: u32,
    /// Credits it holds.
    pub credits: u32,
}

/// Returns the index of the channel to use: among `Good` channels with at least
/// `charge` credits, the one with the fewest requests in flight (ties go to the one
/// after `hint`, so equal channels take turns); if none has enough credits, the good
/// channel with the most credits (the request will wait there); `None` if no channel is
/// good.
pub fn pick_channel(channels: &[ChannelLoad], charge: u16, hint: usize) -> Option<usize> {
    let n = channels.len();
    if n == 0 {
        return None;
    }
    let start = hint.checked_rem(n).unwrap_or(0);
    let mut best: Option<(usize, u32)> = None;
    let mut fallback: Option<(usize, u32)> = None;
    for step in 0..n {
        let i = start
            .wrapping_add(1)
            .wrapping_add(step)
            .checked_rem(n)
            .unwrap_or(0);
        let Some(c) = channels.get(i) else { continue };
        if !c.state.carries_io() {
            continue;
        }
        if fallback.map_or(true, |(_, credits)| c.credits > credits) {
            fallback = Some((i, c.credits));
        }
        if c.credits >= u32::from(charge.max(1))
            && best.map_or(true, |(_, load)| c.in_flight < load)
        {
            best = Some((i, c.in_flight));
        }
    }
    best.or(fallback).map(|(i, _)| i)
}
