// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: A raw create context chain, parsed as request and response contexts.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_create_contexts(data));
