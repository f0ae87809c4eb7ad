// SPDX-License-Identifier: GPL-2.0

//! Thin safe wrappers over kernel interfaces: the only module with `unsafe`.
//!
//! Each wrapper documents its invariants; every `unsafe` block says why it is sound.
//! Functions that C declares `static inline` or as macros are reached through the
//! module's own C helpers (`helpers.c`, `crypto_helpers.c`), declared in [`ffi`] and
//! [`crypto_ffi`].

pub(crate) mod crypto;
pub(crate) mod crypto_ffi;
pub(crate) mod ffi;
pub(crate) mod vfs;
