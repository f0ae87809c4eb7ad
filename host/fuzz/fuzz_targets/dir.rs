// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: QUERY_DIRECTORY output buffers as every DirClass, and QUERY_DIRECTORY PDUs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_dir(data));
