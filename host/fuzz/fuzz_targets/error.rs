// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: ERROR responses, error contexts and the symlink error response.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_error(data));
