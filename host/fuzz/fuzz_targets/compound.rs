// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: Compound splitter over a received message; each PDU goes to the decoders of its command.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_compound(data));
