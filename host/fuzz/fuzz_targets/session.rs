// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: SESSION_SETUP and LOGOFF bodies, with their security buffers.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_session(data));
