// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: TRANSFORM_HEADER / COMPRESSION_TRANSFORM_HEADER and decryption of whole frames.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_transform(data));
