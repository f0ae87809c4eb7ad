// SPDX-License-Identifier: GPL-2.0

//! Extended attributes: the FileFullEaInformation list (MS-FSCC 2.4.15) that
//! QUERY_INFO returns and SET_INFO takes. Linux `user.*` xattrs map onto these EAs,
//! the `user.` prefix dropped on the wire.
//!
//! Each entry is NextEntryOffset (4), Flags (1), EaNameLength (1), EaValueLength (2),
//! the name and a NUL, then the value; entries start on 4-byte boundaries and the
//! last has NextEntryOffset 0. An EA set with an empty value is removed.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};

/// Fixed part of an entry, before the name.
pub const EA_HEADER_SIZE: usize = 8;

/// Longest EA name the format can carry (EaNameLength is one byte).
pub const EA_NAME_MAX: usize = 255;

/// Longest EA value the format can carry (EaValueLength is two bytes).
pub const EA_VALUE_MAX: usize = 65535;

/// One extended attribute, borrowed from the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullEa<'a> {
    /// Flags (FILE_NEED_EA = 0x80 on Windows; informational here).
    pub flags: u8,
    /// The name, without its NUL.
    pub name: &'a [u8],
    /// The value.
    pub value: &'a [u8],
}

/// Iterates over a FileFullEaInformation list, checking every entry against the
/// buffer: an entry that does not fit, lacks its NUL, or whose NextEntryOffset does
/// not move past it ends the iteration with an error.
#[derive(Clone, Debug)]
pub struct FullEaIter<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> FullEaIter<'a> {
    /// Iterates over `buf` (an empty buffer has no EAs).
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            done: buf.is_empty(),
        }
    }

    fn entry(&self) -> Result<(FullEa<'a>, usize), DecodeError> {
        let mut r = Reader::new(self.buf);
        r.seek(self.pos, "FullEa")?;
        let next = r.u32("FullEa.NextEntryOffset")? as usize;
        let flags = r.u8("FullEa.Flags")?;
        let name_len = usize::from(r.u8("FullEa.EaNameLength")?);
        let value_len = usize::from(r.u16("FullEa.EaValueLength")?);
        let name = r.bytes(name_len, "FullEa.EaName")?;
        if r.u8("FullEa.EaName NUL")? != 0 {
            return Err(DecodeError::BadValue {
                what: "FullEa.EaName NUL",
                value: 1,
            });
        }
        let value = r.bytes(value_len, "FullEa.EaValue")?;
        let used = r.pos().saturating_sub(self.pos);
        if next != 0 && (next < used || next & 3 != 0) {
            return Err(DecodeError::BadValue {
                what: "FullEa.NextEntryOffset",
                value: next as u64,
            });
        }
        Ok((FullEa { flags, name, value }, next))
    }
}

impl<'a> Iterator for FullEaIter<'a> {
    type Item = Result<FullEa<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.entry() {
            Ok((ea, next)) => {
                match self.pos.checked_add(next) {
                    Some(pos) if next != 0 => self.pos = pos,
                    _ => self.done = true,
                }
                Some(Ok(ea))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Writes a list of one EA, `name` set to `value` (removed if `value` is empty).
pub fn encode_full_ea(w: &mut Writer<'_>, name: &[u8], value: &[u8]) -> Result<(), EncodeError> {
    let name_len = u8::try_from(name.len()).map_err(|_| EncodeError::TooLarge)?;
    let value_len = u16::try_from(value.len()).map_err(|_| EncodeError::TooLarge)?;
    w.u32(0)?;
    w.u8(0)?;
    w.u8(name_len)?;
    w.u16(value_len)?;
    w.bytes(name)?;
    w.u8(0)?;
    w.bytes(value)
}

/// Returns the encoded size of a one-EA list.
pub fn full_ea_len(name: &[u8], value: &[u8]) -> usize {
    EA_HEADER_SIZE
        .saturating_add(name.len())
        .saturating_add(1)
        .saturating_add(value.len())
}
