// SPDX-License-Identifier: GPL-2.0

//! The VFS side of smb3rs: the `smb3rs` filesystem type and its mount entry point.

use kernel::{bindings, c_str, prelude::*};

use crate::sys::vfs::{FileSystem, FsContext, FsType};

/// The `smb3rs` filesystem type, registered by the module on load.
pub(crate) static SMB3RS_FS_TYPE: FsType =
    FsType::new::<Smb3rsFs>(c_str!("smb3rs"), bindings::FS_RENAME_DOES_D_MOVE);

struct Smb3rsFs;

impl FileSystem for Smb3rsFs {
    fn init_fs_context(fc: &mut FsContext) -> Result {
        // Mounting arrives with the client core; until then say so instead of failing
        // with a bare errno.
        fc.error(c_str!("mounting is not implemented yet"));
        Err(Error::from_errno(-(bindings::EOPNOTSUPP as i32)))
    }
}
