// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: READ, WRITE and FLUSH requests and responses.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_io(data));
