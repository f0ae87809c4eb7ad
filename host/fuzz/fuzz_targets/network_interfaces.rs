// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: The FSCTL_QUERY_NETWORK_INTERFACE_INFO interface list iterator.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_common::check_network_interfaces(data));
