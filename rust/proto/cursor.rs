// SPDX-License-Identifier: GPL-2.0

//! Bounded little-endian cursors over borrowed buffers.
//!
//! Every decoder reads through [`Reader`] and every encoder writes through [`Writer`], so
//! no wire code indexes or slices a buffer directly: all bounds checks live here and a
//! short or hostile buffer becomes a typed error, never a panic.

use super::error::{DecodeError, EncodeError, What};

/// Reads little-endian fields from a borrowed buffer, front to back.
///
/// Positions are absolute offsets into the buffer the reader was created over, so SMB2
/// offsets ("from the start of the header") can be followed with [`Reader::at`].
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Creates a reader positioned at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Returns the whole underlying buffer.
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }

    /// Returns the current absolute position.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Returns how many bytes are left after the current position.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Returns a reader over the same buffer positioned at absolute offset `pos`.
    pub fn at(&self, pos: usize, what: What) -> Result<Reader<'a>, DecodeError> {
        if pos > self.buf.len() {
            return Err(DecodeError::OutOfBounds {
                what,
                offset: pos,
                len: 0,
            });
        }
        Ok(Reader { buf: self.buf, pos })
    }

    /// Moves to absolute offset `pos`.
    pub fn seek(&mut self, pos: usize, what: What) -> Result<(), DecodeError> {
        *self = self.at(pos, what)?;
        Ok(())
    }

    /// Takes the next `len` bytes.
    pub fn bytes(&mut self, len: usize, what: What) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(len);
        match end.and_then(|end| Some((end, self.buf.get(self.pos..end)?))) {
            Some((end, s)) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(DecodeError::OutOfBounds {
                what,
                offset: self.pos,
                len,
            }),
        }
    }

    /// Skips `len` bytes.
    pub fn skip(&mut self, len: usize, what: What) -> Result<(), DecodeError> {
        self.bytes(len, what).map(|_| ())
    }

    /// Takes the next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, what: What) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: What) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn u16(&mut self, what: What) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, what: What) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, what: What) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads a 16-byte GUID / file id in wire order.
    pub fn guid(&mut self, what: What) -> Result<[u8; 16], DecodeError> {
        self.array(what)
    }

    /// Returns the `len` bytes at absolute `offset` without moving, as SMB2 responses
    /// describe variable parts by (offset, length) pairs. A zero length yields an empty
    /// slice whatever the offset.
    pub fn slice_at(&self, offset: usize, len: usize, what: What) -> Result<&'a [u8], DecodeError> {
        if len == 0 {
            return Ok(&[]);
        }
        let end = offset.checked_add(len);
        end.and_then(|end| self.buf.get(offset..end))
            .ok_or(DecodeError::OutOfBounds { what, offset, len })
    }
}

/// Writes little-endian fields into a caller-provided buffer.
///
/// A write that does not fit fails with [`EncodeError::BufferTooSmall`] carrying the
/// length the whole write needed, and leaves the position where it was.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// Creates a writer positioned at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Returns the number of bytes written so far (the current position).
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Returns the capacity of the underlying buffer.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Returns the bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }

    /// Returns the written bytes as a mutable slice, e.g. to sign them in place.
    pub fn written_mut(&mut self) -> &mut [u8] {
        let pos = self.pos;
        self.buf.get_mut(..pos).unwrap_or(&mut [])
    }

    fn reserve(&mut self, len: usize) -> Result<&mut [u8], EncodeError> {
        let start = self.pos;
        let end = start.checked_add(len).ok_or(EncodeError::TooLarge)?;
        let cap = self.buf.len();
        match self.buf.get_mut(start..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(EncodeError::BufferTooSmall {
                needed: end,
                capacity: cap,
            }),
        }
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        self.reserve(data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Appends `len` zero bytes.
    pub fn zeros(&mut self, len: usize) -> Result<(), EncodeError> {
        self.reserve(len)?.fill(0);
        Ok(())
    }

    /// Appends zero bytes until the position is a multiple of `align` (a power of two).
    pub fn align(&mut self, align: usize) -> Result<(), EncodeError> {
        let pad = self.pos.wrapping_neg() & align.wrapping_sub(1);
        self.zeros(pad)
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) -> Result<(), EncodeError> {
        self.bytes(&[v])
    }

    /// Appends a little-endian `u16`.
    pub fn u16(&mut self, v: u16) -> Result<(), EncodeError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Appends a little-endian `u32`.
    pub fn u32(&mut self, v: u32) -> Result<(), EncodeError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Appends a little-endian `u64`.
    pub fn u64(&mut self, v: u64) -> Result<(), EncodeError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Overwrites a little-endian `u16` at absolute `offset` inside what was written,
    /// for length and offset fields that are known only after the body is encoded.
    pub fn patch_u16(&mut self, offset: usize, v: u16) -> Result<(), EncodeError> {
        self.patch(offset, &v.to_le_bytes())
    }

    /// Overwrites a little-endian `u32` at absolute `offset` inside what was written.
    pub fn patch_u32(&mut self, offset: usize, v: u32) -> Result<(), EncodeError> {
        self.patch(offset, &v.to_le_bytes())
    }

    /// Overwrites bytes at absolute `offset` inside what was written.
    pub fn patch(&mut self, offset: usize, data: &[u8]) -> Result<(), EncodeError> {
        let end = offset
            .checked_add(data.len())
            .ok_or(EncodeError::TooLarge)?;
        if end > self.pos {
            return Err(EncodeError::PatchOutOfRange { offset });
        }
        match self.buf.get_mut(offset..end) {
            Some(s) => {
                s.copy_from_slice(data);
                Ok(())
            }
            None => Err(EncodeError::PatchOutOfRange { offset }),
        }
    }

    /// Appends a string as UTF-16LE (SMB2 names and paths), without a terminator.
    pub fn utf16(&mut self, s: &str) -> Result<(), EncodeError> {
        let needed = utf16_len(s);
        let out = self.reserve(needed)?;
        for (chunk, unit) in out.chunks_exact_mut(2).zip(s.encode_utf16()) {
            chunk.copy_from_slice(&unit.to_le_bytes());
        }
        Ok(())
    }
}

/// Returns the UTF-16LE byte length of `s`.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count().saturating_mul(2)
}
