// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: SPNEGO NegTokenInit / NegTokenResp decoding and re-encoding.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_spnego(data));
