// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: IOCTL request/response PDUs and the FSCTL payloads of their buffers.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_ioctl(data));
