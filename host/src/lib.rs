// SPDX-License-Identifier: GPL-2.0

//! Host build of the smb3rs protocol core.
//!
//! `rust/proto/` and `rust/client/engine/` are compiled here exactly as the kernel
//! module compiles them, so `cargo test` and `cargo fuzz` exercise the code the kernel
//! runs.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![deny(clippy::arithmetic_side_effects)]

#[path = "../../rust/proto/mod.rs"]
pub mod proto;

pub mod client;
