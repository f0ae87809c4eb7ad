// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: TREE_CONNECT / TREE_DISCONNECT (and ECHO / CANCEL) bodies.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_tree(data));
