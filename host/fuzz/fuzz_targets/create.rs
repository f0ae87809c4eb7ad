// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: CREATE request/response PDUs and their create context chains.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_create(data));
