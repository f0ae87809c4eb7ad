// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: QUERY_INFO / SET_INFO PDUs and every information class decoder.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_query_info(data));
