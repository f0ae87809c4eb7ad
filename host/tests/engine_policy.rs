// SPDX-License-Identifier: GPL-2.0
//! Credit window, channel state machine and channel selection.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use smb3rs_proto::client::engine::{
    credits::{CreditError, CreditWindow, MAX_CREDITS},
    select::{pick_channel, ChannelLoad},
    state::{ChannelEvent as E, ChannelState as S},
};

#[test]
fn new_window_allows_exactly_negotiate() {
    let mut w = CreditWindow::new();
    let r = w.reserve(1).unwrap();
    assert_eq!(r.message_id, 0);
    assert_eq!(w.reserve(1), Err(CreditError::Wait));
    w.complete(10);
    assert_eq!(w.available(), 10);
    assert_eq!(w.reserve(1).unwrap().message_id, 1);
}

#[test]
fn multi_credit_requests_consume_consecutive_ids() {
    let mut w = CreditWindow::new();
    w.reserve(1).unwrap();
    w.complete(64);
    w.set_multi_credit(true);
    let charge = w.charge_for(1024 * 1024);
    assert_eq!(charge, 16);
    // A handshake encodes its header with the id the next reservation will get.
    assert_eq!(w.next_message_id(), 1);
    let a = w.reserve(charge).unwrap();
    assert_eq!(w.next_message_id(), 17);
    let b = w.reserve(1).unwrap();
    assert_eq!(a.message_id, 1);
    assert_eq!(b.message_id, 17);
    assert_eq!(w.available(), 64 - 17);
    // Without LARGE_MTU every request costs one credit.
    w.set_multi_credit(false);
    assert_eq!(w.charge_for(1024 * 1024), 1);
}

#[test]
fn starvation_is_detected_only_with_nothing_in_flight() {
    let mut w = CreditWindow::new();
    w.reserve(1).unwrap();
    assert_eq!(w.reserve(1), Err(CreditError::Wait));
    w.complete(0);
    assert!(w.is_starved());
    assert_eq!(w.reserve(1), Err(CreditError::Starved));
}

#[test]
fn hostile_grants_are_capped_and_cancel_returns_credits() {
    let mut w = CreditWindow::new();
    for _ in 0..10 {
        w.grant(u16::MAX);
    }
    assert_eq!(w.available(), MAX_CREDITS);
    assert_eq!(w.reserve(u16::MAX), Err(CreditError::TooLarge));
    let r = w.reserve(5).unwrap();
    w.cancel(r);
    assert_eq!(w.available(), MAX_CREDITS);
    assert_eq!(w.in_flight(), 0);
    // Cancelled ids are never reused.
    assert_eq!(w.reserve(1).unwrap().message_id, r.message_id + 5);
    assert_eq!(w.request_amount(), 1);
}

#[test]
fn channel_life_cycle() {
    let s = S::Connecting;
    let s = s.next(E::Connected).unwrap();
    let s = s.next(E::Negotiated).unwrap();
    let s = s.next(E::Authenticated).unwrap();
    assert!(s.carries_io());
    let s = s.next(E::Failed).unwrap();
    assert_eq!(s, S::NeedReconnect);
    assert!(!s.carries_io());
    assert_eq!(s.next(E::Authenticated), None);
    let s = s.next(E::Reconnect).unwrap();
    assert_eq!(s, S::Connecting);
    let s = s.next(E::Shutdown).unwrap();
    assert_eq!(s.next(E::Connected), None);
    let s = s.next(E::Finished).unwrap();
    assert_eq!(s, S::Closed);
    assert_eq!(s.next(E::Reconnect), None);
    assert_eq!(s.next(E::Shutdown), None);
    // Skipping a step is refused.
    assert_eq!(S::Connecting.next(E::Authenticated), None);
}

fn load(state: S, in_flight: u32, credits: u32) -> ChannelLoad {
    ChannelLoad {
        state,
        in_flight,
        credits,
    }
}

#[test]
fn picks_least_loaded_good_channel_with_credits() {
    let chans = [
        load(S::Good, 5, 100),
        load(S::NeedReconnect, 0, 100),
        load(S::Good, 2, 100),
        load(S::Good, 1, 0),
    ];
    assert_eq!(pick_channel(&chans, 1, 0), Some(2));
    // A large request skips channels without enough credits...
    let chans = [load(S::Good, 0, 4), load(S::Good, 9, 64)];
    assert_eq!(pick_channel(&chans, 16, 0), Some(1));
    // ...and waits on the richest good channel when none has enough.
    let chans = [load(S::Good, 0, 4), load(S::Good, 9, 8)];
    assert_eq!(pick_channel(&chans, 16, 0), Some(1));
    assert_eq!(pick_channel(&[load(S::Connecting, 0, 9)], 1, 0), None);
    assert_eq!(pick_channel(&[], 1, 0), None);
}

#[test]
fn equal_channels_take_turns() {
    let chans = [
        load(S::Good, 0, 10),
        load(S::Good, 0, 10),
        load(S::Good, 0, 10),
    ];
    let mut seen = [0; 3];
    let mut hint = 0;
    for _ in 0..30 {
        let i = pick_channel(&chans, 1, hint).unwrap();
        seen[i] += 1;
        hint = i;
    }
    assert_eq!(seen, [10, 10, 10]);
}
