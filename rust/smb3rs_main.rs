// SPDX-License-Identifier: GPL-2.0

//! smb3rs: an SMB3 client filesystem for Linux.
//!
//! Crate root: the layers as modules, bottom up, and the module entry point. `proto` is
//! the pure protocol core and `client::engine` the client's pure state machines, both
//! shared with the host crate; `sys` is the only place with `unsafe`; `fs` is the VFS
//! side.

// `try_pin_init!` expands recursively per field: a channel has more than the
// default limit allows.
#![recursion_limit = "256"]

use kernel::prelude::*;

pub mod client;
pub mod proto;

mod fs;
mod sys;

module! {
    type: Smb3rs,
    name: "smb3rs",
    author: "smb3rs developers",
    description: "SMB3 client filesystem",
    license: "GPL",
}

struct Smb3rs {
    _fs: sys::vfs::Registration,
    _proc: sys::proc::ProcRegistration,
    /// Last: released once nothing can allocate request headers any more.
    _frags: sys::mem::FragCache,
}

impl kernel::Module for Smb3rs {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // Like a crypto driver, refuse to load with crypto that gives wrong answers.
        client::crypto_selftest::self_test()?;
        let proc = sys::proc::ProcRegistration::register()?;
        let fs = sys::vfs::Registration::register(&fs::SMB3RS_FS_TYPE, module)?;
        pr_info!("registered filesystem type smb3rs\n");
        Ok(Self {
            _fs: fs,
            _proc: proc,
            _frags: sys::mem::FragCache,
        })
    }
}

impl Drop for Smb3rs {
    fn drop(&mut self) {
        pr_info!("unloading\n");
        client::session::release_table();
    }
}
