// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: SMB2 header: decode, re-encode to the same 64 bytes, peek/patch helpers.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_header(data));
