// SPDX-License-Identifier: GPL-2.0

//! The client's pure policy: what to send next and what a reply means, without I/O.
//!
//! The kernel side (channels with sockets, sessions, messages) drives these state
//! machines; the host crate compiles the same files (`host/`) so they are tested with
//! scripted and hostile servers. Like `proto`, nothing here allocates, blocks, panics
//! or uses `unsafe`; randomness and time come in as arguments.

pub mod auth;
pub mod credits;
pub mod names;
pub mod negotiate;
pub mod options;
pub mod select;
pub mod state;
