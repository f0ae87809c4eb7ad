// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: UTF-16LE name conversion to UTF-8, against std.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_utf16(data));
