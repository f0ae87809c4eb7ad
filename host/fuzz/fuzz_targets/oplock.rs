// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: Oplock and lease break notifications/acks, server-to-client notifications.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_oplock(data));
