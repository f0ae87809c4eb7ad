// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: NEGOTIATE request/response bodies and negotiate contexts.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_negotiate(data));
