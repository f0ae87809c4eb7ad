// SPDX-License-Identifier: GPL-2.0

//! Mount options: parsing the `-o` list and the `//server/share` source into what a
//! mount needs, with the option names cifs users know.
//!
//! Strings borrow from the caller (the kernel copies them out of the fs_context);
//! every bad value is an error naming the option, never a silent default.

use core::fmt;

use crate::proto::negotiate::Dialect;

/// The server address: an IPv4 or IPv6 literal (host names need a mount helper).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address {
    /// IPv4, network order octets.
    V4([u8; 4]),
    /// IPv6, network order octets.
    V6([u8; 16]),
}

/// Which dialects a mount offers (`vers=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// `vers=3.1.1` (default): 3.1.1 only.
    Smb311,
    /// `vers=3` / `vers=3.0`: 3.0 only.
    Smb30,
    /// `vers=3.02`.
    Smb302,
    /// `vers=2.1`.
    Smb21,
    /// `vers=default` / `vers=3`-and-up: 3.1.1, 3.0.2, 3.0.
    Smb3Any,
}

impl Versions {
    /// The dialects offered in NEGOTIATE.
    pub fn dialects(self) -> &'static [Dialect] {
        match self {
            Self::Smb311 => &[Dialect::Smb311],
            Self::Smb30 => &[Dialect::Smb300],
            Self::Smb302 => &[Dialect::Smb302],
            Self::Smb21 => &[Dialect::Smb210],
            Self::Smb3Any => &[Dialect::Smb311, Dialect::Smb302, Dialect::Smb300],
        }
    }
}

/// Why an option was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError {
    /// The option is not known.
    Unknown,
    /// The option needs a value and got none, or got one it does not take.
    MissingValue,
    /// The value is malformed or out of range.
    BadValue,
    /// The option is known but not supported yet.
    NotSupported,
}

/// A string-valued option, handed back to the caller to keep (its storage is the
/// caller's; the parser holds no borrowed strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringOption<'v> {
    /// `username=` / `user=`.
    Username(&'v str),
    /// `password=` / `pass=`.
    Password(&'v str),
    /// `domain=` / `dom=` / `workgroup=`.
    Domain(&'v str),
}

/// The scalar mount options (strings come back from [`MountOptions::set`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountOptions {
    /// `vers=`.
    pub versions: Versions,
    /// `port=` (445).
    pub port: u16,
    /// `sign`: require signing.
    pub sign: bool,
    /// `echo_interval=` seconds (60).
    pub echo_interval: u32,
    /// `hard` (true) or `soft`.
    pub hard: bool,
    /// `nosharesock`: a session of its own, not shared with other mounts.
    pub nosharesock: bool,
    /// `uid=`: owner shown for every file (`None`: the mounting user).
    pub uid: Option<u32>,
    /// `gid=`: group shown for every file (`None`: the mounting user's group).
    pub gid: Option<u32>,
    /// `file_mode=` (octal, 0755).
    pub file_mode: u32,
    /// `dir_mode=` (octal, 0755).
    pub dir_mode: u32,
    /// `actimeo=` seconds attributes and directory entries are cached (1).
    pub actimeo: u32,
    /// `closetimeo=` seconds a closed file's handle stays open for a reopen
    /// while a lease lets it (1; 0: closes are never deferred).
    pub closetimeo: u32,
    /// `rsize=` largest READ in bytes (`None`: the server's limit, at most 1 MiB).
    pub rsize: Option<u32>,
    /// `wsize=` largest WRITE in bytes.
    pub wsize: Option<u32>,
    /// `mfsymlinks` (the default) or `nomfsymlinks`: symlinks are kept as
    /// Minshall-French symlink files, which any server can hold.
    pub mfsymlinks: bool,
    /// `cache=none` (true) or `cache=strict`: with none, file data is never
    /// cached, every read and write goes to the server.
    pub cache_none: bool,
    /// `brl` (the default) or `nobrl`: flock and fcntl locks are held on the
    /// server too, or only on this machine (for programs that lock files they
    /// then write through another descriptor: SMB locks are mandatory).
    pub brl: bool,
    /// `lease` (the default) or `nolease`: file opens ask for a read-caching
    /// lease, whose break drops the cached data.
    pub lease: bool,
    /// `posix` or `noposix` (the default): modes, owners and link counts come
    /// from the server through the SMB 3.1.1 POSIX extensions, and `chmod`
    /// sets modes there (`uid=`/`gid=` still force the owners).
    pub posix: bool,
}

impl Default for MountOptions {
    fn default() -> Self {
        Self {
            versions: Versions::Smb311,
            port: 445,
            sign: false,
            echo_interval: 60,
            hard: true,
            nosharesock: false,
            uid: None,
            gid: None,
            file_mode: 0o755,
            dir_mode: 0o755,
            actimeo: 1,
            closetimeo: 1,
            rsize: None,
            wsize: None,
            mfsymlinks: true,
            cache_none: false,
            brl: true,
            lease: true,
            posix: false,
        }
    }
}

fn number<T: TryFrom<u64>>(v: Option<&str>, min: u64, max: u64) -> Result<T, OptionError> {
    let s = v.ok_or(OptionError::MissingValue)?;
    let mut n: u64 = 0;
    if s.is_empty() || s.len() > 19 {
        return Err(OptionError::BadValue);
    }
    for b in s.bytes() {
        let d = b
            .checked_sub(b'0')
            .filter(|d| *d <= 9)
            .ok_or(OptionError::BadValue)?;
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(OptionError::BadValue)?;
    }
    if n < min || n > max {
        return Err(OptionError::BadValue);
    }
    T::try_from(n).map_err(|_| OptionError::BadValue)
}

impl MountOptions {
    /// Applies one option `key` with optional `value` (`key=value` or a bare flag);
    /// string options are returned for the caller to store.
    pub fn set<'v>(
        &mut self,
        key: &str,
        value: Option<&'v str>,
    ) -> Result<Option<StringOption<'v>>, OptionError> {
        let flag = |v: Option<&str>| {
            if v.is_some() {
                Err(OptionError::MissingValue)
            } else {
                Ok(())
            }
        };
        let string = |v: Option<&'v str>| v.ok_or(OptionError::MissingValue);
        match key {
            "username" | "user" => return Ok(Some(StringOption::Username(string(value)?))),
            "password" | "pass" => return Ok(Some(StringOption::Password(string(value)?))),
            "domain" | "dom" | "workgroup" => {
                return Ok(Some(StringOption::Domain(string(value)?)))
            }
            "vers" => {
                self.versions = match string(value)? {
                    "3.1.1" | "3.11" => Versions::Smb311,
                    "3.0" | "3" => Versions::Smb30,
                    "3.02" | "3.0.2" => Versions::Smb302,
                    "2.1" => Versions::Smb21,
                    "default" => Versions::Smb3Any,
                    _ => return Err(OptionError::BadValue),
                }
            }
            "port" => self.port = number(value, 1, 65535)?,
            "sign" => {
                flag(value)?;
                self.sign = true;
            }
            "echo_interval" => self.echo_interval = number(value, 1, 600)?,
            "hard" => {
                flag(value)?;
                self.hard = true;
            }
            "soft" => {
                flag(value)?;
                self.hard = false;
            }
            "nosharesock" => {
                flag(value)?;
                self.nosharesock = true;
            }
            "uid" => self.uid = Some(number(value, 0, u64::from(u32::MAX - 1))?),
            "gid" => self.gid = Some(number(value, 0, u64::from(u32::MAX - 1))?),
            "forceuid" | "forcegid" | "noperm" => flag(value)?,
            "file_mode" => self.file_mode = octal(value)?,
            "dir_mode" => self.dir_mode = octal(value)?,
            "actimeo" => self.actimeo = number(value, 0, 3600)?,
            "closetimeo" => self.closetimeo = number(value, 0, 3600)?,
            "rsize" => self.rsize = Some(number(value, 4096, 1 << 24)?),
            "wsize" => self.wsize = Some(number(value, 4096, 1 << 24)?),
            "cache" => match string(value)? {
                "strict" => self.cache_none = false,
                "none" => self.cache_none = true,
                "loose" | "ro" | "singleclient" => return Err(OptionError::NotSupported),
                _ => return Err(OptionError::BadValue),
            },
            "posix" | "noposix" => {
                flag(value)?;
                self.posix = key == "posix";
            }
            "mfsymlinks" | "nomfsymlinks" => {
                flag(value)?;
                self.mfsymlinks = key == "mfsymlinks";
            }
            "brl" | "nobrl" => {
                flag(value)?;
                self.brl = key == "brl";
            }
            "lease" | "nolease" => {
                flag(value)?;
                self.lease = key == "lease";
            }
            "sec" => {
                if string(value)? != "ntlmssp" {
                    return Err(OptionError::NotSupported);
                }
            }
            "seal" => return Err(OptionError::NotSupported),
            _ => return Err(OptionError::Unknown),
        }
        Ok(None)
    }
}

/// What a mount runs with beyond its options (negotiated or defaulted), for
/// [`MountOptions::show`].
#[derive(Clone, Copy, Debug)]
pub struct Effective<'a> {
    /// The dialect negotiated, as `vers=` spells it.
    pub vers: &'a str,
    /// The user and domain authenticated as.
    pub username: &'a [u8],
    /// Empty when none was given.
    pub domain: &'a [u8],
    /// Owner and group shown for files.
    pub uid: u32,
    /// See `uid`.
    pub gid: u32,
    /// The largest READ and WRITE in use.
    pub io_size: u32,
}

impl MountOptions {
    /// Writes the mount's effective options as `/proc/mounts` shows them, each
    /// preceded by a comma; strings are escaped as `seq_show_option` does. The
    /// password is never shown.
    pub fn show(&self, eff: &Effective<'_>, out: &mut impl fmt::Write) -> fmt::Result {
        write!(out, ",vers={},sec=ntlmssp,username=", eff.vers)?;
        escaped(eff.username, out)?;
        if !eff.domain.is_empty() {
            out.write_str(",domain=")?;
            escaped(eff.domain, out)?;
        }
        write!(out, ",uid={}", eff.uid)?;
        if self.uid.is_some() {
            out.write_str(",forceuid")?;
        }
        write!(out, ",gid={}", eff.gid)?;
        if self.gid.is_some() {
            out.write_str(",forcegid")?;
        }
        write!(
            out,
            ",file_mode={:04o},dir_mode={:04o},{},port={}",
            self.file_mode,
            self.dir_mode,
            if self.hard { "hard" } else { "soft" },
            self.port
        )?;
        if self.sign {
            out.write_str(",sign")?;
        }
        if self.nosharesock {
            out.write_str(",nosharesock")?;
        }
        write!(
            out,
            ",cache={},rsize={},wsize={},actimeo={},closetimeo={},echo_interval={}",
            if self.cache_none { "none" } else { "strict" },
            eff.io_size,
            eff.io_size,
            self.actimeo,
            self.closetimeo,
            self.echo_interval
        )?;
        if self.mfsymlinks {
            out.write_str(",mfsymlinks")?;
        }
        if !self.brl {
            out.write_str(",nobrl")?;
        }
        if !self.lease {
            out.write_str(",nolease")?;
        }
        if self.posix {
            out.write_str(",posix")?;
        }
        Ok(())
    }
}

/// Writes `bytes` with what would end or split an option (`,`, `=`, whitespace,
/// `\`, control characters) as `\ooo`, like the kernel's `seq_show_option`;
/// bytes that are not UTF-8 are escaped too.
fn escaped(bytes: &[u8], out: &mut impl fmt::Write) -> fmt::Result {
    let text = core::str::from_utf8(bytes);
    for (i, &b) in bytes.iter().enumerate() {
        let plain = match b {
            b',' | b'=' | b' ' | b'\\' | 0..=0x1f | 0x7f => false,
            0x80.. => text.is_ok(),
            _ => true,
        };
        if !plain {
            write!(out, "\\{:03o}", b)?;
        } else if b < 0x80 {
            out.write_char(char::from(b))?;
        } else if let Some(ch) = text
            .ok()
            .and_then(|t| t.get(i..))
            .and_then(|t| t.chars().next())
        {
            // The first byte of a character writes it; its other bytes are skipped.
            out.write_char(ch)?;
        }
    }
    Ok(())
}

/// Parses a permission mode in octal (at most 07777).
fn octal(v: Option<&str>) -> Result<u32, OptionError> {
    let s = v.ok_or(OptionError::MissingValue)?;
    if s.is_empty() || s.len() > 5 {
        return Err(OptionError::BadValue);
    }
    let mut n: u32 = 0;
    for b in s.bytes() {
        let d = b
            .checked_sub(b'0')
            .filter(|d| *d <= 7)
            .ok_or(OptionError::BadValue)?;
        n = n.saturating_mul(8).saturating_add(u32::from(d));
    }
    if n > 0o7777 {
        return Err(OptionError::BadValue);
    }
    Ok(n)
}

/// Parses an IPv4 dotted quad.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for slot in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        *slot = number::<u8>(Some(p), 0, 255).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Parses an IPv6 literal (RFC 4291 text form, `::` compression; no embedded IPv4, no
/// zone), with or without surrounding brackets.
pub fn parse_ipv6(s: &str) -> Option<[u8; 16]> {
    let s = s
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(s);
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (left, right, compressed) = match s.find("::") {
        Some(i) => (s.get(..i)?, s.get(i.checked_add(2)?..)?, true),
        None => (s, "", false),
    };
    let group = |g: &str| -> Option<u16> {
        if g.is_empty() || g.len() > 4 {
            return None;
        }
        u16::from_str_radix(g, 16).ok()
    };
    let fill = |part: &str, out: &mut [u16; 8]| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut n = 0usize;
        for g in part.split(':') {
            *out.get_mut(n)? = group(g)?;
            n = n.checked_add(1)?;
        }
        Some(n)
    };
    let nl = fill(left, &mut head)?;
    let nr = fill(right, &mut tail)?;
    let total = nl.checked_add(nr)?;
    if (compressed && total > 7) || (!compressed && total != 8) {
        return None;
    }
    let mut words = [0u16; 8];
    for (dst, src) in words.iter_mut().zip(head.iter().take(nl)) {
        *dst = *src;
    }
    let start = 8usize.checked_sub(nr)?;
    for (dst, src) in words.iter_mut().skip(start).zip(tail.iter().take(nr)) {
        *dst = *src;
    }
    let mut out = [0u8; 16];
    for (chunk, w) in out.chunks_exact_mut(2).zip(words) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    Some(out)
}

/// A parsed `//server/share[/prefix]` source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source<'a> {
    /// The server address.
    pub address: Address,
    /// The server part as written (for the UNC path sent in TREE_CONNECT).
    pub server: &'a str,
    /// The share name.
    pub share: &'a str,
}

/// Parses `//server/share` (also with backslashes); a trailing path is refused for now.
pub fn parse_source(src: &str) -> Result<Source<'_>, OptionError> {
    let rest = src
        .strip_prefix("//")
        .or_else(|| src.strip_prefix("\\\\"))
        .ok_or(OptionError::BadValue)?;
    let sep = rest.find(['/', '\\']).ok_or(OptionError::BadValue)?;
    let server = rest.get(..sep).ok_or(OptionError::BadValue)?;
    let share = rest
        .get(sep.checked_add(1).ok_or(OptionError::BadValue)?..)
        .ok_or(OptionError::BadValue)?;
    let share = share.strip_suffix('/').unwrap_or(share);
    if share.is_empty() || share.len() > 80 || share.contains(['/', '\\']) {
        return Err(if share.contains(['/', '\\']) {
            OptionError::NotSupported
        } else {
            OptionError::BadValue
        });
    }
    let address = if let Some(a) = parse_ipv4(server) {
        Address::V4(a)
    } else if let Some(a) = parse_ipv6(server) {
        Address::V6(a)
    } else {
        // A host name: needs a resolver in user space (mount helper).
        return Err(OptionError::NotSupported);
    };
    Ok(Source {
        address,
        server,
        share,
    })
}
