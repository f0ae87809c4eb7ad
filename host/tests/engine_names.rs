// SPDX-License-Identifier: GPL-2.0
//! VFS ↔ share paths and FILETIME ↔ Unix time (`client::engine::names`).

use smb3rs_proto::client::engine::names::{from_filetime, share_path, to_filetime, PathError};

fn conv(p: &str) -> Result<String, PathError> {
    let mut out = [0u8; 64];
    let n = share_path(p.as_bytes(), &mut out)?;
    Ok(String::from_utf8(out[..n].to_vec()).unwrap())
}

#[test]
fn vfs_paths_become_share_paths() {
    assert_eq!(conv("/").unwrap(), "");
    assert_eq!(conv("/a").unwrap(), "a");
    assert_eq!(conv("/a/b c/héllo").unwrap(), "a\\b c\\héllo");
    assert_eq!(conv("/a\\b"), Err(PathError::Backslash));
    assert_eq!(conv(&"x".repeat(70)), Err(PathError::TooLong));
    let mut out = [0u8; 8];
    assert_eq!(share_path(b"/\xff", &mut out), Err(PathError::NotUtf8));
}

#[test]
fn filetime_round_trips() {
    // 2001-02-03 04:05:06.5 UTC.
    let unix = 981_173_106i64;
    let ft = to_filetime(unix, 500_000_000);
    assert_eq!(ft, (unix as u64 + 11_644_473_600) * 10_000_000 + 5_000_000);
    assert_eq!(from_filetime(ft), (unix, 500_000_000));
    assert_eq!(from_filetime(0), (-11_644_473_600, 0));
    assert_eq!(to_filetime(-11_644_473_601, 0), 0);
    assert_eq!(from_filetime(u64::MAX).1, 955_161_500);
    assert_eq!(to_filetime(i64::MAX, 0), u64::MAX);
    // Sub-100 ns precision is dropped, never rounded up past a second.
    assert_eq!(from_filetime(to_filetime(5, 999_999_999)), (5, 999_999_900));
}
