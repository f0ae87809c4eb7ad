// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: symlink files and EA lists, data a server holds for other clients.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_server_data(data));
