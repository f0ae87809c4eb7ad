// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: NTLMSSP CHALLENGE (plus NEGOTIATE/AUTHENTICATE) messages and AV pairs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_ntlmssp(data));
