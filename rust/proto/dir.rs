// SPDX-License-Identifier: GPL-2.0

//! QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34) and the directory entry classes of
//! MS-FSCC 2.4 plus the SMB 3.1.1 POSIX class 100.
//!
//! [`entries`] walks the response's output buffer and yields [`DirEntry`] values whose
//! names borrow the buffer as UTF-16LE ([`Utf16Str`]; convert with
//! [`Utf16Str::to_utf8`] into a caller buffer).

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::info::{self, FilePosixInfo};
use super::types::{FileId, Utf16Str, WireName};

/// Flag: restart the enumeration from the beginning.
pub const RESTART_SCANS: u8 = 0x01;
/// Flag: return only one entry.
pub const RETURN_SINGLE_ENTRY: u8 = 0x02;
/// Flag: resume from FileIndex.
pub const INDEX_SPECIFIED: u8 = 0x04;
/// Flag: reopen the search with a new pattern (implies restart).
pub const REOPEN: u8 = 0x10;

/// Offset of a QUERY_DIRECTORY request's Buffer (pattern) from the start of the header.
pub const QUERY_DIRECTORY_REQUEST_BUFFER_OFFSET: usize = HEADER_SIZE + 32;

const REQ_SIZE: u16 = 33;

/// The directory information classes this module decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DirClass {
    /// FileDirectoryInformation.
    Directory = info::FILE_DIRECTORY_INFORMATION,
    /// FileFullDirectoryInformation.
    FullDirectory = info::FILE_FULL_DIRECTORY_INFORMATION,
    /// FileBothDirectoryInformation.
    BothDirectory = info::FILE_BOTH_DIRECTORY_INFORMATION,
    /// FileNamesInformation.
    Names = info::FILE_NAMES_INFORMATION,
    /// FileIdBothDirectoryInformation.
    IdBothDirectory = info::FILE_ID_BOTH_DIRECTORY_INFORMATION,
    /// FileIdFullDirectoryInformation.
    IdFullDirectory = info::FILE_ID_FULL_DIRECTORY_INFORMATION,
    /// SMB 3.1.1 POSIX information.
    Posix = info::FILE_POSIX_INFORMATION,
}

impl DirClass {
    /// Converts a FileInformationClass value.
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            info::FILE_DIRECTORY_INFORMATION => DirClass::Directory,
            info::FILE_FULL_DIRECTORY_INFORMATION => DirClass::FullDirectory,
            info::FILE_BOTH_DIRECTORY_INFORMATION => DirClass::BothDirectory,
            info::FILE_NAMES_INFORMATION => DirClass::Names,
            info::FILE_ID_BOTH_DIRECTORY_INFORMATION => DirClass::IdBothDirectory,
            info::FILE_ID_FULL_DIRECTORY_INFORMATION => DirClass::IdFullDirectory,
            info::FILE_POSIX_INFORMATION => DirClass::Posix,
            _ => return None,
        })
    }

    /// Size of an entry before its name (for POSIX: before the SIDs).
    pub fn fixed_size(self) -> usize {
        match self {
            DirClass::Directory => 64,
            DirClass::FullDirectory => 68,
            DirClass::BothDirectory => 94,
            DirClass::Names => 12,
            DirClass::IdBothDirectory => 104,
            DirClass::IdFullDirectory => 80,
            DirClass::Posix => 88,
        }
    }
}

/// SMB2 QUERY_DIRECTORY request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryDirectoryRequest<'a> {
    /// FileInformationClass.
    pub class: DirClass,
    /// Flags (`RESTART_SCANS`, `RETURN_SINGLE_ENTRY`, `INDEX_SPECIFIED`, `REOPEN`).
    pub flags: u8,
    /// FileIndex to resume from with INDEX_SPECIFIED.
    pub file_index: u32,
    /// The directory handle.
    pub file_id: FileId,
    /// Search pattern (`*` for all).
    pub pattern: WireName<'a>,
    /// OutputBufferLength: the largest output accepted.
    pub output_buffer_length: u32,
}

impl<'a> QueryDirectoryRequest<'a> {
    /// Returns a request for all entries (`*`) of `class`.
    pub fn new(class: DirClass, file_id: FileId, output_buffer_length: u32) -> Self {
        Self {
            class,
            flags: 0,
            file_index: 0,
            file_id,
            pattern: WireName::Str("*"),
            output_buffer_length,
        }
    }

    /// Decodes a QUERY_DIRECTORY request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "QueryDirectoryRequest.StructureSize")?;
        let c = r.u8("QueryDirectoryRequest.FileInformationClass")?;
        let class = DirClass::from_u8(c).ok_or(DecodeError::Unsupported {
            what: "QueryDirectoryRequest.FileInformationClass",
        })?;
        let flags = r.u8("QueryDirectoryRequest.Flags")?;
        let file_index = r.u32("QueryDirectoryRequest.FileIndex")?;
        let file_id = FileId::decode(&mut r)?;
        let off = usize::from(r.u16("QueryDirectoryRequest.FileNameOffset")?);
        let len = usize::from(r.u16("QueryDirectoryRequest.FileNameLength")?);
        let output_buffer_length = r.u32("QueryDirectoryRequest.OutputBufferLength")?;
        let name = header::region(
            pdu,
            off,
            len,
            QUERY_DIRECTORY_REQUEST_BUFFER_OFFSET,
            "QueryDirectoryRequest.FileName",
        )?;
        Ok(Self {
            class,
            flags,
            file_index,
            file_id,
            pattern: WireName::Utf16(Utf16Str::new(name)?),
            output_buffer_length,
        })
    }
}

impl Body for QueryDirectoryRequest<'_> {
    const COMMAND: Command = Command::QueryDirectory;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let len = header::to_u16(self.pattern.byte_len())?;
        w.u16(REQ_SIZE)?;
        w.u8(self.class as u8)?;
        w.u8(self.flags)?;
        w.u32(self.file_index)?;
        self.file_id.encode(w)?;
        let off = if len == 0 {
            0
        } else {
            header::to_u16(header::pdu_offset(w, pdu_start).saturating_add(8))?
        };
        w.u16(off)?;
        w.u16(len)?;
        w.u32(self.output_buffer_length)?;
        if len == 0 {
            w.u8(0)
        } else {
            self.pattern.encode(w)
        }
    }

    fn credit_payload(&self) -> usize {
        self.output_buffer_length as usize
    }
}

/// SMB2 QUERY_DIRECTORY response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryDirectoryResponse<'a> {
    /// The output buffer holding the entries.
    pub output: &'a [u8],
}

impl<'a> QueryDirectoryResponse<'a> {
    /// Decodes a QUERY_DIRECTORY response PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(Self {
            output: info::decode_output_body(pdu, "QueryDirectoryResponse")?,
        })
    }

    /// Walks the entries, decoded as `class` (the class the request asked for).
    pub fn entries(&self, class: DirClass) -> DirEntries<'a> {
        entries(self.output, class)
    }
}

impl Body for QueryDirectoryResponse<'_> {
    const COMMAND: Command = Command::QueryDirectory;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        info::encode_output_body(self.output, w, pdu_start)
    }
}

/// One directory entry. Fields a class does not carry are zero / `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    /// FileIndex (0 for POSIX entries).
    pub file_index: u32,
    /// CreationTime.
    pub creation_time: u64,
    /// LastAccessTime.
    pub last_access_time: u64,
    /// LastWriteTime.
    pub last_write_time: u64,
    /// ChangeTime.
    pub change_time: u64,
    /// EndOfFile.
    pub end_of_file: u64,
    /// AllocationSize.
    pub allocation_size: u64,
    /// FileAttributes.
    pub file_attributes: u32,
    /// EaSize, or the reparse tag when FILE_ATTRIBUTE_REPARSE_POINT is set
    /// (Full/Both/Id classes).
    pub ea_size: u32,
    /// FileId (inode number) of the Id classes and POSIX.
    pub file_id: Option<u64>,
    /// 8.3 short name of the Both classes.
    pub short_name: Option<Utf16Str<'a>>,
    /// POSIX information of class 100.
    pub posix: Option<FilePosixInfo<'a>>,
    /// The file name.
    pub name: Utf16Str<'a>,
}

impl<'a> DirEntry<'a> {
    fn empty(name: Utf16Str<'a>) -> Self {
        Self {
            file_index: 0,
            creation_time: 0,
            last_access_time: 0,
            last_write_time: 0,
            change_time: 0,
            end_of_file: 0,
            allocation_size: 0,
            file_attributes: 0,
            ea_size: 0,
            file_id: None,
            short_name: None,
            posix: None,
            name,
        }
    }

    /// Returns true for `.` and `..`.
    pub fn is_dot_or_dotdot(&self) -> bool {
        let b = self.name.as_bytes();
        b == [b'.', 0] || b == [b'.', 0, b'.', 0]
    }

    /// Decodes one entry of `class` from `r` (positioned after NextEntryOffset).
    fn read(r: &mut Reader<'a>, class: DirClass) -> Result<Self, DecodeError> {
        if class == DirClass::Posix {
            r.skip(4, "PosixDirEntry.Ignored")?;
            let p = FilePosixInfo::read(r)?;
            let len = r.u32("PosixDirEntry.FileNameLength")? as usize;
            let name = Utf16Str::read(r, len, "PosixDirEntry.FileName")?;
            let mut e = Self::empty(name);
            e.creation_time = p.creation_time;
            e.last_access_time = p.last_access_time;
            e.last_write_time = p.last_write_time;
            e.change_time = p.change_time;
            e.end_of_file = p.end_of_file;
            e.allocation_size = p.allocation_size;
            e.file_attributes = p.dos_attributes;
            e.file_id = Some(p.inode);
            e.posix = Some(p);
            return Ok(e);
        }
        let file_index = r.u32("DirEntry.FileIndex")?;
        if class == DirClass::Names {
            let len = r.u32("DirEntry.FileNameLength")? as usize;
            let name = Utf16Str::read(r, len, "DirEntry.FileName")?;
            let mut e = Self::empty(name);
            e.file_index = file_index;
            return Ok(e);
        }
        let creation_time = r.u64("DirEntry.CreationTime")?;
        let last_access_time = r.u64("DirEntry.LastAccessTime")?;
        let last_write_time = r.u64("DirEntry.LastWriteTime")?;
        let change_time = r.u64("DirEntry.ChangeTime")?;
        let end_of_file = r.u64("DirEntry.EndOfFile")?;
        let allocation_size = r.u64("DirEntry.AllocationSize")?;
        let file_attributes = r.u32("DirEntry.FileAttributes")?;
        let name_len = r.u32("DirEntry.FileNameLength")? as usize;
        let mut ea_size = 0;
        let mut short_name = None;
        let mut file_id = None;
        if class != DirClass::Directory {
            ea_size = r.u32("DirEntry.EaSize")?;
        }
        if matches!(class, DirClass::BothDirectory | DirClass::IdBothDirectory) {
            let short_len = usize::from(r.u8("DirEntry.ShortNameLength")?);
            r.skip(1, "DirEntry.Reserved1")?;
            let short = r.bytes(24, "DirEntry.ShortName")?;
            let s = short.get(..short_len).ok_or(DecodeError::BadValue {
                what: "DirEntry.ShortNameLength",
                value: short_len as u64,
            })?;
            short_name = Some(Utf16Str::new(s)?);
        }
        match class {
            DirClass::IdBothDirectory => {
                r.skip(2, "DirEntry.Reserved2")?;
                file_id = Some(r.u64("DirEntry.FileId")?);
            }
            DirClass::IdFullDirectory => {
                r.skip(4, "DirEntry.Reserved")?;
                file_id = Some(r.u64("DirEntry.FileId")?);
            }
            _ => {}
        }
        let name = Utf16Str::read(r, name_len, "DirEntry.FileName")?;
        Ok(Self {
            file_index,
            creation_time,
            last_access_time,
            last_write_time,
            change_time,
            end_of_file,
            allocation_size,
            file_attributes,
            ea_size,
            file_id,
            short_name,
            posix: None,
            name,
        })
    }

    /// Writes this entry as `class` with the given NextEntryOffset (for tests and mock
    /// servers); the caller pads between entries. POSIX entries need `posix`.
    pub fn encode(
        &self,
        class: DirClass,
        next: u32,
        w: &mut Writer<'_>,
    ) -> Result<(), EncodeError> {
        let name_len = header::to_u32(self.name.byte_len())?;
        w.u32(next)?;
        if class == DirClass::Posix {
            let p = self.posix.ok_or(EncodeError::InvalidArgument {
                what: "DirEntry.posix missing for the POSIX class",
            })?;
            w.u32(0)?;
            p.encode(w)?;
            w.u32(name_len)?;
            return w.bytes(self.name.as_bytes());
        }
        w.u32(self.file_index)?;
        if class == DirClass::Names {
            w.u32(name_len)?;
            return w.bytes(self.name.as_bytes());
        }
        w.u64(self.creation_time)?;
        w.u64(self.last_access_time)?;
        w.u64(self.last_write_time)?;
        w.u64(self.change_time)?;
        w.u64(self.end_of_file)?;
        w.u64(self.allocation_size)?;
        w.u32(self.file_attributes)?;
        w.u32(name_len)?;
        if class != DirClass::Directory {
            w.u32(self.ea_size)?;
        }
        if matches!(class, DirClass::BothDirectory | DirClass::IdBothDirectory) {
            let short = self.short_name.map(|s| s.as_bytes()).unwrap_or(&[]);
            if short.len() > 24 {
                return Err(EncodeError::InvalidArgument {
                    what: "DirEntry.short_name longer than 24 bytes",
                });
            }
            w.u8(short.len() as u8)?;
            w.u8(0)?;
            w.bytes(short)?;
            w.zeros(24usize.saturating_sub(short.len()))?;
        }
        match class {
            DirClass::IdBothDirectory => {
                w.u16(0)?;
                w.u64(self.file_id.unwrap_or(0))?;
            }
            DirClass::IdFullDirectory => {
                w.u32(0)?;
                w.u64(self.file_id.unwrap_or(0))?;
            }
            _ => {}
        }
        w.bytes(self.name.as_bytes())
    }
}

/// Walks directory entries of `class` in a QUERY_DIRECTORY output buffer.
///
/// A non-zero NextEntryOffset must cover the whole entry just decoded (fixed part,
/// SIDs and name) and point inside the buffer, so every step advances and a hostile
/// chain cannot loop or overlap; the last entry has NextEntryOffset 0 and must fit in
/// the buffer. Alignment is not enforced. Iteration stops after the first error.
pub fn entries(buf: &[u8], class: DirClass) -> DirEntries<'_> {
    DirEntries {
        buf,
        pos: 0,
        class,
        done: buf.is_empty(),
    }
}

/// Iterator over directory entries; see [`entries`].
#[derive(Clone, Debug)]
pub struct DirEntries<'a> {
    buf: &'a [u8],
    pos: usize,
    class: DirClass,
    done: bool,
}

/// Walks a NextEntryOffset chain: `read` decodes one entry from a reader over the
/// entry (positioned after NextEntryOffset) and the chain rules of [`entries`] apply.
pub(crate) fn chain_step<'a, T>(
    buf: &'a [u8],
    pos: &mut usize,
    done: &mut bool,
    what: &'static str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let start = *pos;
    let rest = buf.get(start..).unwrap_or(&[]);
    let mut r = Reader::new(rest);
    let next = r.u32(what)? as usize;
    let entry = if next == 0 {
        rest
    } else {
        if next >= rest.len() {
            return Err(DecodeError::BadValue {
                what,
                value: next as u64,
            });
        }
        rest.get(..next).unwrap_or(&[])
    };
    let mut er = Reader::new(entry);
    er.skip(4, what)?;
    let item = read(&mut er)?;
    if next == 0 {
        *done = true;
    } else {
        if er.pos() > next {
            return Err(DecodeError::BadValue {
                what,
                value: next as u64,
            });
        }
        *pos = start.saturating_add(next);
    }
    Ok(item)
}

impl<'a> Iterator for DirEntries<'a> {
    type Item = Result<DirEntry<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let class = self.class;
        let r = chain_step(
            self.buf,
            &mut self.pos,
            &mut self.done,
            "DirEntry.NextEntryOffset",
            |r| DirEntry::read(r, class),
        );
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

/// Writes entries as a QUERY_DIRECTORY output buffer: each entry padded to 8 bytes and
/// linked with NextEntryOffset, the last one unpadded with NextEntryOffset 0.
pub fn encode_entries(
    list: &[DirEntry<'_>],
    class: DirClass,
    w: &mut Writer<'_>,
) -> Result<(), EncodeError> {
    let mut prev: Option<usize> = None;
    for e in list {
        if let Some(p) = prev {
            header::pad8(w, p)?;
            let next = header::to_u32(w.pos().saturating_sub(p))?;
            w.patch_u32(p, next)?;
        }
        prev = Some(w.pos());
        e.encode(class, 0, w)?;
    }
    Ok(())
}
