// SPDX-License-Identifier: GPL-2.0

//! Compounded requests and responses (MS-SMB2 3.2.4.1.4, 3.3.5.2.7).
//!
//! In a compound every PDU but the last is padded to a multiple of 8 bytes and its
//! header's NextCommand holds the offset from that header to the next one; the last
//! has NextCommand 0. Related operations carry FLAG_RELATED_OPERATIONS on every PDU
//! after the first and use [`FileId::COMPOUND`](super::types::FileId::COMPOUND),
//! [`RELATED_SESSION_ID`](super::header::RELATED_SESSION_ID) and
//! [`RELATED_TREE_ID`](super::header::RELATED_TREE_ID) to inherit the previous ones.
//!
//! [`Builder`] lays a whole compound out in one buffer. A transport that keeps each
//! PDU in its own segments (header fragment plus page-cache pages) uses [`link`] and
//! [`padding`] instead. [`split`] walks a received compound.

use super::cursor::Writer;
use super::error::{DecodeError, EncodeError};
use super::header::{self, encode_pdu, Body, Header, FLAG_RELATED_OPERATIONS, HEADER_SIZE};

/// Alignment of each PDU inside a compound.
pub const COMPOUND_ALIGN: usize = 8;

/// Returns how many zero bytes follow a PDU of `len` bytes before the next one.
pub fn padding(len: usize) -> usize {
    len.wrapping_neg() & (COMPOUND_ALIGN - 1)
}

/// Returns `len` rounded up to the compound alignment, or `None` on overflow.
pub fn padded_len(len: usize) -> Option<usize> {
    len.checked_add(padding(len))
}

/// Links a PDU of total length `len` (header, body and any separately sent payload) to
/// the one that will follow it: writes NextCommand into its header `hdr` (at least the
/// first [`HEADER_SIZE`] bytes of the PDU) and returns the padding the caller must send
/// after the PDU.
pub fn link(hdr: &mut [u8], len: usize) -> Result<usize, EncodeError> {
    if len < HEADER_SIZE {
        return Err(EncodeError::InvalidArgument {
            what: "compound PDU shorter than a header",
        });
    }
    let next = padded_len(len).ok_or(EncodeError::TooLarge)?;
    header::patch_next_command(hdr, header::to_u32(next)?)?;
    Ok(padding(len))
}

/// Sets FLAG_RELATED_OPERATIONS in an encoded header.
pub fn mark_related(hdr: &mut [u8]) -> Result<(), EncodeError> {
    header::set_flags(hdr, FLAG_RELATED_OPERATIONS)
}

/// Builds a compound of any length into one writer.
///
/// Each [`Builder::push`] pads the previous PDU, points its NextCommand at the new one
/// and, for related compounds, sets FLAG_RELATED_OPERATIONS on the new one.
#[derive(Debug)]
pub struct Builder<'w, 'b> {
    w: &'w mut Writer<'b>,
    related: bool,
    last_start: Option<usize>,
    count: usize,
}

impl<'w, 'b> Builder<'w, 'b> {
    /// Starts a compound at the writer's current position (which should be 8-aligned
    /// relative to the start of the message). `related` selects related operations.
    pub fn new(w: &'w mut Writer<'b>, related: bool) -> Self {
        Self {
            w,
            related,
            last_start: None,
            count: 0,
        }
    }

    /// Pads and links the previous PDU and returns the start of the next one; the
    /// caller then writes a header and body with [`Builder::writer`] and must call
    /// [`Builder::end_raw`] afterwards. [`Builder::push`] does all of this.
    pub fn begin_raw(&mut self) -> Result<usize, EncodeError> {
        if let Some(prev) = self.last_start {
            let len = self.w.pos().saturating_sub(prev);
            let pad = padding(len);
            self.w.zeros(pad)?;
            let next = header::to_u32(self.w.pos().saturating_sub(prev))?;
            self.w
                .patch_u32(prev.saturating_add(header::NEXT_COMMAND_OFFSET), next)?;
        }
        Ok(self.w.pos())
    }

    /// Records the PDU just written at `start` (as returned by [`Builder::begin_raw`]),
    /// setting FLAG_RELATED_OPERATIONS on it if this is a related compound and it is
    /// not the first.
    pub fn end_raw(&mut self, start: usize) -> Result<(), EncodeError> {
        if self.related && self.count > 0 {
            let flags_at = start.saturating_add(header::FLAGS_OFFSET);
            let cur = {
                let written = self.w.written();
                let a: [u8; 4] = written
                    .get(flags_at..flags_at.saturating_add(4))
                    .and_then(|b| b.try_into().ok())
                    .ok_or(EncodeError::PatchOutOfRange { offset: flags_at })?;
                u32::from_le_bytes(a)
            };
            self.w.patch_u32(flags_at, cur | FLAG_RELATED_OPERATIONS)?;
        }
        self.last_start = Some(start);
        self.count = self.count.saturating_add(1);
        Ok(())
    }

    /// Returns the underlying writer, for [`Builder::begin_raw`] users.
    pub fn writer(&mut self) -> &mut Writer<'b> {
        self.w
    }

    /// Appends one PDU and returns its start offset in the writer.
    pub fn push<B: Body>(&mut self, hdr: &Header, body: &B) -> Result<usize, EncodeError> {
        let start = self.begin_raw()?;
        let mut h = *hdr;
        h.next_command = 0;
        if self.related && self.count > 0 {
            h.flags |= FLAG_RELATED_OPERATIONS;
        }
        encode_pdu(&h, body, self.w)?;
        self.end_raw(start)?;
        Ok(start)
    }

    /// Returns the number of PDUs pushed so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Finishes the compound (the last PDU keeps NextCommand 0 and is not padded) and
    /// returns the writer position after it.
    pub fn finish(self) -> usize {
        self.w.pos()
    }
}

/// One PDU of a received compound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pdu<'a> {
    /// Its decoded header.
    pub header: Header,
    /// Its bytes from the header to the next header (padding included, as signatures
    /// cover it) or to the end of the message for the last one.
    pub bytes: &'a [u8],
    /// Offset of the PDU in the message.
    pub offset: usize,
}

/// Iterator over the PDUs of a received (decrypted) message; see [`split`].
#[derive(Clone, Debug)]
pub struct Split<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

/// Splits a received message into its PDUs.
///
/// Every header is decoded (ProtocolId, StructureSize, command). A non-zero NextCommand
/// must be a multiple of 8, at least [`HEADER_SIZE`] and leave room for a whole header
/// after it; offsets only grow, so a hostile chain cannot loop. Iteration stops after
/// the first error.
pub fn split(buf: &[u8]) -> Split<'_> {
    Split {
        buf,
        pos: 0,
        done: false,
    }
}

impl<'a> Split<'a> {
    fn step(&mut self) -> Result<Pdu<'a>, DecodeError> {
        let start = self.pos;
        let rest = self.buf.get(start..).unwrap_or(&[]);
        let header = Header::decode(rest)?;
        let next = header.next_command as usize;
        if next == 0 {
            self.done = true;
            return Ok(Pdu {
                header,
                bytes: rest,
                offset: start,
            });
        }
        if next % COMPOUND_ALIGN != 0 || next < HEADER_SIZE {
            return Err(DecodeError::BadValue {
                what: "Header.NextCommand",
                value: u64::from(header.next_command),
            });
        }
        let bytes = match next.checked_add(HEADER_SIZE) {
            Some(need) if need <= rest.len() => rest.get(..next),
            _ => None,
        }
        .ok_or(DecodeError::OutOfBounds {
            what: "Header.NextCommand",
            offset: start,
            len: next,
        })?;
        self.pos = start.saturating_add(next);
        Ok(Pdu {
            header,
            bytes,
            offset: start,
        })
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = Result<Pdu<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}
