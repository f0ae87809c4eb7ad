// SPDX-License-Identifier: GPL-2.0

//! The client core: sessions, channels and messages (replacing cifs.ko's ses /
//! TCP_Server_Info / mid_q_entry), driven by the pure state machines in [`engine`].

pub(crate) mod channel;
pub(crate) mod closes;
pub mod engine;
pub(crate) mod message;
pub(crate) mod ops;
pub(crate) mod session;
pub(crate) mod stats;
pub(crate) mod tree;

pub(crate) mod crypto_selftest;
