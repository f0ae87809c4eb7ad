// SPDX-License-Identifier: GPL-2.0

//! The client's pure state machines (`rust/client/engine/`), at the same path as in the
//! kernel module, `crate::client::engine`.

#[path = "../../rust/client/engine/mod.rs"]
pub mod engine;
