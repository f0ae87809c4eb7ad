// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: CHANGE_NOTIFY PDUs and FILE_NOTIFY_INFORMATION chains.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_notify(data));
