// SPDX-License-Identifier: GPL-2.0

//! The VFS side of smb3rs: the `smb3rs` filesystem type and its mount.
//!
//! A mount parses the cifs-style options, joins (or sets up) a session to the server
//! and connects its tree to `//server/share` for the life of the super block;
//! unmounting disconnects the tree, and the last mount of a session logs it off.
//! statfs asks the server. The root is an empty directory until the file operations
//! land.

use core::sync::atomic::AtomicU32;

use kernel::{bindings, c_str, fmt, prelude::*};

use crate::client::{
    engine::{
        auth::Credentials,
        options::{parse_source, Effective, MountOptions, OptionError, StringOption},
    },
    session::{copy_str, SessionRef, Target},
    tree::Tree,
};
use crate::sys::{
    self, errno,
    net::NetNs,
    vfs::{FileSystem, FsContext, FsType, StatFs},
    vfs_ops::VfsParams,
};

pub(crate) mod ops;
pub(crate) mod proc;

/// The `smb3rs` filesystem type, registered by the module on load.
/// (No FS_RENAME_DOES_D_MOVE: the VFS moves the dentries after `->rename`.)
pub(crate) static SMB3RS_FS_TYPE: FsType = FsType::new(c_str!("smb3rs"), 0);

/// The smb3rs filesystem (its mount protocol).
pub(crate) struct Smb3rsFs;

/// What a mounted super block holds: its tree on a (possibly shared) session.
#[repr(C)]
pub(crate) struct Mount {
    /// Read by the C glue through `s_fs_info`: must stay the first field.
    params: VfsParams,
    pub(crate) tree: Tree,
    /// Symlinks are kept as Minshall-French symlink files (`mfsymlinks`).
    pub(crate) mfsymlinks: bool,
    /// `uid=`/`gid=` given: every file's owner/group, even on a `posix` mount.
    pub(crate) force_uid: bool,
    pub(crate) force_gid: bool,
}

pub(crate) use ops::DirState;

/// What a mount collects while its options are parsed.
pub(crate) struct MountContext {
    opts: MountOptions,
    username: Option<KVec<u8>>,
    password: KVec<u8>,
    domain: KVec<u8>,
}

impl Drop for MountContext {
    fn drop(&mut self) {
        // The password must not linger in freed memory.
        self.password.as_mut_slice().fill(0);
    }
}

fn as_str(v: &KVec<u8>) -> Result<&str> {
    core::str::from_utf8(v.as_slice()).map_err(|_| EINVAL)
}

impl FileSystem for Smb3rsFs {
    type Context = MountContext;
    type Info = Mount;

    fn new_context() -> Result<KBox<MountContext>> {
        Ok(KBox::new(
            MountContext {
                opts: MountOptions::default(),
                username: None,
                password: KVec::new(),
                domain: KVec::new(),
            },
            GFP_KERNEL,
        )?)
    }

    fn parse_param(
        ctx: &mut MountContext,
        fc: &mut FsContext,
        key: &str,
        value: Option<&str>,
    ) -> Result<bool> {
        if key == "source" {
            return Ok(false);
        }
        match ctx.opts.set(key, value) {
            Ok(None) => {}
            Ok(Some(StringOption::Username(v))) => ctx.username = Some(copy_str(v)?),
            Ok(Some(StringOption::Password(v))) => {
                ctx.password.as_mut_slice().fill(0);
                ctx.password = copy_str(v)?;
            }
            Ok(Some(StringOption::Domain(v))) => ctx.domain = copy_str(v)?,
            Err(e) => {
                let (what, err) = match e {
                    OptionError::Unknown => ("unknown option", EINVAL),
                    OptionError::MissingValue => ("missing or unexpected value for option", EINVAL),
                    OptionError::BadValue => ("bad value for option", EINVAL),
                    OptionError::NotSupported => {
                        ("not supported yet: option", errno(bindings::EOPNOTSUPP))
                    }
                };
                fc.error_fmt(fmt!("{} '{}'", what, key));
                return Err(err);
            }
        }
        Ok(true)
    }

    fn get_tree(
        ctx: &mut MountContext,
        fc: &mut FsContext,
        source: Option<&str>,
        net: NetNs,
    ) -> Result<KBox<Mount>> {
        let Some(source) = source else {
            fc.error(c_str!("no source: mount -t smb3rs //server/share DIR"));
            return Err(EINVAL);
        };
        let src = parse_source(source).map_err(|e| {
            let msg = match e {
                OptionError::NotSupported => {
                    "source must be //ADDRESS/share (IPv4 or IPv6 literal, no subpath yet)"
                }
                _ => "malformed source, expected //server/share",
            };
            fc.error_fmt(fmt!("{}: '{}'", msg, source));
            EINVAL
        })?;
        let Some(user) = ctx.username.as_ref() else {
            fc.error(c_str!(
                "username= is required (guest logons are not supported)"
            ));
            return Err(EINVAL);
        };
        let login = Credentials {
            user: as_str(user)?,
            domain: as_str(&ctx.domain)?,
            password: as_str(&ctx.password)?,
            workstation: "smb3rs",
        };
        let target = Target {
            address: src.address,
            server: src.server,
            share: src.share,
        };
        let session = SessionRef::get(net, &target, &ctx.opts, &login)?;
        let mut tree = Tree::connect(session, &target)?;
        let o = &ctx.opts;
        if o.posix {
            if !tree.session().negotiated.posix {
                fc.error(c_str!(
                    "posix: the server does not offer the SMB 3.1.1 POSIX extensions"
                ));
                return Err(errno(bindings::EOPNOTSUPP));
            }
            tree.posix = true;
        }
        let io = tree.io_size();
        // Like cifs: without uid=/gid= files belong to whoever mounted.
        let mounter = sys::current_fsids();
        let params = VfsParams {
            uid: o.uid.unwrap_or(mounter.0),
            gid: o.gid.unwrap_or(mounter.1),
            file_mode: o.file_mode,
            dir_mode: o.dir_mode,
            actimeo_ms: o.actimeo.saturating_mul(1000),
            closetimeo_ms: o.closetimeo.saturating_mul(1000),
            io_size: o.rsize.unwrap_or(io).min(o.wsize.unwrap_or(io)).min(io),
            cache_none: u32::from(o.cache_none),
            nobrl: u32::from(!o.brl),
            lease: u32::from(o.lease),
            posix: u32::from(tree.posix),
            lease_works: AtomicU32::new(0),
        };
        let mount = Mount {
            params,
            tree,
            mfsymlinks: o.mfsymlinks,
            force_uid: o.uid.is_some(),
            force_gid: o.gid.is_some(),
        };
        Ok(KBox::new(mount, GFP_KERNEL)?)
    }

    fn statfs(mount: &Mount) -> Result<StatFs> {
        let space = mount.tree.statfs()?;
        Ok(StatFs {
            block_size: space.unit,
            blocks: space.total_units,
            free: space.free_units,
            available: space.available_units,
        })
    }

    fn show_options(mount: &Mount, out: &mut impl core::fmt::Write) -> core::fmt::Result {
        let session = mount.tree.session();
        let eff = Effective {
            vers: proc::dialect_name(session.negotiated.dialect),
            username: session.user(),
            domain: session.domain(),
            uid: mount.params.uid,
            gid: mount.params.gid,
            io_size: mount.params.io_size,
        };
        // Session options come from the first mount; these are this mount's.
        let mut opts = *session.options();
        opts.mfsymlinks = mount.mfsymlinks;
        opts.cache_none = mount.params.cache_none != 0;
        opts.brl = mount.params.nobrl == 0;
        opts.lease = mount.params.lease != 0;
        opts.closetimeo = mount.params.closetimeo_ms / 1000;
        opts.posix = mount.tree.posix;
        opts.show(&eff, out)
    }
}
