// SPDX-License-Identifier: GPL-2.0

//! Small wire types shared by the SMB2 command modules: file ids, UTF-16LE names,
//! SIDs and fixed-size element lists that are either caller-provided or borrowed from
//! a received buffer.

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};

/// An SMB2 file handle: the persistent and volatile halves of SMB2_FILEID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileId {
    /// The persistent part, which survives a durable reconnect.
    pub persistent: u64,
    /// The volatile part, which the server may change on reconnect.
    pub volatile: u64,
}

impl FileId {
    /// The all-ones file id that related compound requests use to mean "the handle
    /// opened by the previous request in the chain".
    pub const COMPOUND: FileId = FileId {
        persistent: u64::MAX,
        volatile: u64::MAX,
    };

    /// Size of a file id on the wire.
    pub const SIZE: usize = 16;

    /// Reads a file id.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            persistent: r.u64("FileId.Persistent")?,
            volatile: r.u64("FileId.Volatile")?,
        })
    }

    /// Writes a file id.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.persistent)?;
        w.u64(self.volatile)
    }
}

/// Why a UTF-16LE name could not be converted to UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16Error {
    /// An unpaired surrogate at this byte offset of the UTF-16LE input.
    Invalid {
        /// Byte offset of the offending code unit.
        at: usize,
    },
    /// The output buffer is too small; `needed` bytes are required.
    BufferTooSmall {
        /// UTF-8 length of the whole name.
        needed: usize,
    },
}

/// A borrowed UTF-16LE string from the wire (even length, no terminator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Utf16Str<'a>(&'a [u8]);

impl<'a> Utf16Str<'a> {
    /// Wraps UTF-16LE bytes, rejecting an odd length.
    pub fn new(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        if bytes.len() % 2 != 0 {
            return Err(DecodeError::BadValue {
                what: "UTF-16 name length",
                value: bytes.len() as u64,
            });
        }
        Ok(Self(bytes))
    }

    /// Reads `len` bytes of UTF-16LE from the reader.
    pub fn read(r: &mut Reader<'a>, len: usize, what: &'static str) -> Result<Self, DecodeError> {
        let b = r.bytes(len, what)?;
        Self::new(b)
    }

    /// Returns the raw UTF-16LE bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Returns the length in bytes.
    pub fn byte_len(&self) -> usize {
        self.0.len()
    }

    /// Returns true if the string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over the UTF-16 code units.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
    }

    /// Iterates over the decoded characters, yielding an error for unpaired surrogates.
    pub fn chars(&self) -> core::char::DecodeUtf16<impl Iterator<Item = u16> + 'a> {
        core::char::decode_utf16(self.units())
    }

    /// Returns the UTF-8 length of the name, or the byte offset of an unpaired surrogate.
    pub fn utf8_len(&self) -> Result<usize, Utf16Error> {
        let mut len = 0usize;
        let mut at = 0usize;
        for c in self.chars() {
            match c {
                Ok(c) => {
                    len = len.saturating_add(c.len_utf8());
                    at = at.saturating_add(c.len_utf16().saturating_mul(2));
                }
                Err(_) => return Err(Utf16Error::Invalid { at }),
            }
        }
        Ok(len)
    }

    /// Converts the name to UTF-8 into `out`, returning the number of bytes written.
    ///
    /// Unpaired surrogates are rejected; if `out` is too small nothing useful is written
    /// and the error carries the length needed.
    pub fn to_utf8(&self, out: &mut [u8]) -> Result<usize, Utf16Error> {
        let needed = self.utf8_len()?;
        if needed > out.len() {
            return Err(Utf16Error::BufferTooSmall { needed });
        }
        let mut pos = 0usize;
        for c in self.chars().flatten() {
            let end = pos.saturating_add(c.len_utf8());
            match out.get_mut(pos..end) {
                Some(dst) => {
                    c.encode_utf8(dst);
                }
                None => return Err(Utf16Error::BufferTooSmall { needed }),
            }
            pos = end;
        }
        Ok(pos)
    }

    /// Compares with a UTF-8 string code unit by code unit (case-sensitive).
    pub fn eq_str(&self, s: &str) -> bool {
        self.units().eq(s.encode_utf16())
    }
}

/// A name or path to put on the wire, given either as UTF-8 or as ready UTF-16LE.
#[derive(Clone, Copy, Debug)]
pub enum WireName<'a> {
    /// A UTF-8 string sent as UTF-16LE unchanged.
    Str(&'a str),
    /// A UTF-8 path whose `/` separators are sent as `\`.
    Path(&'a str),
    /// Bytes already in UTF-16LE (also what decoders return).
    Utf16(Utf16Str<'a>),
}

impl Default for WireName<'_> {
    fn default() -> Self {
        WireName::Str("")
    }
}

impl<'a> From<&'a str> for WireName<'a> {
    fn from(s: &'a str) -> Self {
        WireName::Str(s)
    }
}

impl<'a> From<Utf16Str<'a>> for WireName<'a> {
    fn from(s: Utf16Str<'a>) -> Self {
        WireName::Utf16(s)
    }
}

fn path_unit(u: u16) -> u16 {
    if u == u16::from(b'/') {
        u16::from(b'\\')
    } else {
        u
    }
}

impl<'a> WireName<'a> {
    /// Returns the UTF-16LE length in bytes.
    pub fn byte_len(&self) -> usize {
        match self {
            WireName::Str(s) | WireName::Path(s) => super::cursor::utf16_len(s),
            WireName::Utf16(u) => u.byte_len(),
        }
    }

    /// Returns true if the name is empty.
    pub fn is_empty(&self) -> bool {
        self.byte_len() == 0
    }

    /// Writes the name as UTF-16LE, without terminator.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            WireName::Str(s) => w.utf16(s),
            WireName::Path(s) => {
                let start = w.pos();
                let needed = start.saturating_add(super::cursor::utf16_len(s));
                if needed > w.capacity() {
                    return Err(EncodeError::BufferTooSmall {
                        needed,
                        capacity: w.capacity(),
                    });
                }
                for u in s.encode_utf16() {
                    w.u16(path_unit(u))?;
                }
                Ok(())
            }
            WireName::Utf16(u) => w.bytes(u.as_bytes()),
        }
    }

    /// Iterates over the UTF-16 code units that [`WireName::encode`] writes.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        let (s, path, u): (&'a str, bool, Option<Utf16Str<'a>>) = match *self {
            WireName::Str(s) => (s, false, None),
            WireName::Path(s) => (s, true, None),
            WireName::Utf16(u) => ("", false, Some(u)),
        };
        s.encode_utf16()
            .map(move |c| if path { path_unit(c) } else { c })
            .chain(u.into_iter().flat_map(|u| u.units()))
    }

    /// Returns the UTF-16 form if the name came from the wire.
    pub fn as_utf16(&self) -> Option<Utf16Str<'a>> {
        match self {
            WireName::Utf16(u) => Some(*u),
            _ => None,
        }
    }
}

impl PartialEq for WireName<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.units().eq(other.units())
    }
}

impl Eq for WireName<'_> {}

/// Maximum number of sub-authorities in a SID.
pub const SID_MAX_SUB_AUTHORITIES: usize = 15;

/// A borrowed security identifier (MS-DTYP 2.4.2.2) in its binary wire form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sid<'a> {
    bytes: &'a [u8],
}

impl<'a> Sid<'a> {
    /// Reads a SID: revision, sub-authority count (1..=15), 48-bit authority and the
    /// sub-authorities.
    pub fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let mut peek = r.clone();
        let _revision = peek.u8("Sid.Revision")?;
        let count = usize::from(peek.u8("Sid.SubAuthorityCount")?);
        if count == 0 || count > SID_MAX_SUB_AUTHORITIES {
            return Err(DecodeError::BadValue {
                what: "Sid.SubAuthorityCount",
                value: count as u64,
            });
        }
        let len = count.saturating_mul(4).saturating_add(8);
        Ok(Self {
            bytes: r.bytes(len, "Sid")?,
        })
    }

    /// Wraps raw SID bytes after validating them.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let sid = Self::decode(&mut r)?;
        if r.remaining() != 0 {
            return Err(DecodeError::BadValue {
                what: "Sid length",
                value: bytes.len() as u64,
            });
        }
        Ok(sid)
    }

    /// Returns the SID's wire bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Returns the revision (1 for all SIDs in use).
    pub fn revision(&self) -> u8 {
        self.bytes.first().copied().unwrap_or(0)
    }

    /// Returns the 48-bit identifier authority (big-endian on the wire).
    pub fn authority(&self) -> u64 {
        self.bytes
            .get(2..8)
            .map(|a| a.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
            .unwrap_or(0)
    }

    /// Returns the number of sub-authorities.
    pub fn sub_authority_count(&self) -> usize {
        self.bytes.get(1).copied().map(usize::from).unwrap_or(0)
    }

    /// Iterates over the sub-authorities (RIDs), the last one being the relative id.
    pub fn sub_authorities(&self) -> impl Iterator<Item = u32> + 'a {
        self.bytes.get(8..).unwrap_or(&[]).chunks_exact(4).map(|c| {
            let mut a = [0u8; 4];
            a.copy_from_slice(c);
            u32::from_le_bytes(a)
        })
    }

    /// Returns the last sub-authority (the RID), e.g. the uid in a Samba "Unix user" SID.
    pub fn rid(&self) -> Option<u32> {
        self.sub_authorities().last()
    }

    /// Writes the SID bytes.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.bytes(self.bytes)
    }
}

/// A fixed-size wire element that can sit in a [`FixedList`].
pub trait FixedWire: Sized + Copy {
    /// Size of one element on the wire.
    const SIZE: usize;
    /// Reads one element.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Writes one element.
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError>;
}

/// A list of fixed-size elements: caller-provided items when encoding, or borrowed
/// wire bytes (a validated whole number of elements) when decoded.
#[derive(Clone, Copy, Debug)]
pub enum FixedList<'a, T> {
    /// Elements to encode.
    Items(&'a [T]),
    /// Encoded elements as received; the length is a multiple of the element size.
    Wire(&'a [u8]),
}

impl<T> Default for FixedList<'_, T> {
    fn default() -> Self {
        FixedList::Items(&[])
    }
}

impl<'a, T: FixedWire> FixedList<'a, T> {
    /// Wraps received bytes holding `count` elements, checking the length.
    pub fn from_wire(bytes: &'a [u8], what: &'static str) -> Result<Self, DecodeError> {
        if bytes.len().checked_rem(T::SIZE) != Some(0) {
            return Err(DecodeError::BadValue {
                what,
                value: bytes.len() as u64,
            });
        }
        Ok(FixedList::Wire(bytes))
    }

    /// Returns the number of elements.
    pub fn len(&self) -> usize {
        match self {
            FixedList::Items(i) => i.len(),
            FixedList::Wire(b) => b.len().checked_div(T::SIZE).unwrap_or(0),
        }
    }

    /// Returns true if there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the encoded size in bytes.
    pub fn byte_len(&self) -> usize {
        self.len().saturating_mul(T::SIZE)
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> FixedListIter<'a, T> {
        match *self {
            FixedList::Items(i) => FixedListIter {
                items: i,
                wire: Reader::new(&[]),
            },
            FixedList::Wire(b) => FixedListIter {
                items: &[],
                wire: Reader::new(b),
            },
        }
    }

    /// Writes all elements.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            FixedList::Items(i) => i.iter().try_for_each(|e| e.encode(w)),
            FixedList::Wire(b) => w.bytes(b),
        }
    }
}

impl<T: FixedWire + PartialEq> PartialEq for FixedList<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<T: FixedWire + Eq> Eq for FixedList<'_, T> {}

/// Iterator over a [`FixedList`].
#[derive(Clone, Debug)]
pub struct FixedListIter<'a, T> {
    items: &'a [T],
    wire: Reader<'a>,
}

impl<T: FixedWire> Iterator for FixedListIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if let Some((first, rest)) = self.items.split_first() {
            self.items = rest;
            return Some(*first);
        }
        if self.wire.remaining() < T::SIZE {
            return None;
        }
        T::decode(&mut self.wire).ok()
    }
}

/// Times, sizes and attributes as CREATE and CLOSE responses and
/// FileNetworkOpenInformation carry them (FILETIMEs are 100 ns units since 1601).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileAttrs {
    /// CreationTime.
    pub creation_time: u64,
    /// LastAccessTime.
    pub last_access_time: u64,
    /// LastWriteTime.
    pub last_write_time: u64,
    /// ChangeTime.
    pub change_time: u64,
    /// AllocationSize.
    pub allocation_size: u64,
    /// EndOfFile (the file size).
    pub end_of_file: u64,
    /// FileAttributes (`FILE_ATTRIBUTE_*`).
    pub file_attributes: u32,
}

impl FileAttrs {
    /// Size of the seven fields on the wire.
    pub const SIZE: usize = 52;

    /// Reads the seven fields.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            creation_time: r.u64("CreationTime")?,
            last_access_time: r.u64("LastAccessTime")?,
            last_write_time: r.u64("LastWriteTime")?,
            change_time: r.u64("ChangeTime")?,
            allocation_size: r.u64("AllocationSize")?,
            end_of_file: r.u64("EndOfFile")?,
            file_attributes: r.u32("FileAttributes")?,
        })
    }

    /// Writes the seven fields.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.creation_time)?;
        w.u64(self.last_access_time)?;
        w.u64(self.last_write_time)?;
        w.u64(self.change_time)?;
        w.u64(self.allocation_size)?;
        w.u64(self.end_of_file)?;
        w.u32(self.file_attributes)
    }
}

/// Reads a `u8` boolean (any non-zero value is true).
pub fn read_bool(r: &mut Reader<'_>, what: &'static str) -> Result<bool, DecodeError> {
    Ok(r.u8(what)? != 0)
}
