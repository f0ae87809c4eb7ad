// SPDX-License-Identifier: GPL-2.0

//! QUERY_INFO and SET_INFO (MS-SMB2 2.2.37 - 2.2.40) and the information classes a
//! client uses (MS-FSCC 2.4 file classes, 2.5 file system classes, the SMB 3.1.1 POSIX
//! class 100, and security descriptors passed through as bytes).
//!
//! Information structures decode from the *output buffer* of a QUERY_INFO response
//! ([`QueryInfoResponse::output`]), not from the PDU, and encode into the buffer of a
//! SET_INFO request (through [`InfoData`]).

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::types::{read_bool, FileAttrs, FileId, Sid, Utf16Str, WireName};

/// InfoType: file information.
pub const INFO_FILE: u8 = 0x01;
/// InfoType: file system information.
pub const INFO_FILESYSTEM: u8 = 0x02;
/// InfoType: security descriptor.
pub const INFO_SECURITY: u8 = 0x03;
/// InfoType: quota information.
pub const INFO_QUOTA: u8 = 0x04;

/// File class: FileDirectoryInformation (QUERY_DIRECTORY).
pub const FILE_DIRECTORY_INFORMATION: u8 = 1;
/// File class: FileFullDirectoryInformation (QUERY_DIRECTORY).
pub const FILE_FULL_DIRECTORY_INFORMATION: u8 = 2;
/// File class: FileBothDirectoryInformation (QUERY_DIRECTORY).
pub const FILE_BOTH_DIRECTORY_INFORMATION: u8 = 3;
/// File class: FileBasicInformation.
pub const FILE_BASIC_INFORMATION: u8 = 4;
/// File class: FileStandardInformation.
pub const FILE_STANDARD_INFORMATION: u8 = 5;
/// File class: FileInternalInformation.
pub const FILE_INTERNAL_INFORMATION: u8 = 6;
/// File class: FileEaInformation.
pub const FILE_EA_INFORMATION: u8 = 7;
/// File class: FileAccessInformation.
pub const FILE_ACCESS_INFORMATION: u8 = 8;
/// File class: FileNameInformation.
pub const FILE_NAME_INFORMATION: u8 = 9;
/// File class: FileRenameInformation (SET_INFO).
pub const FILE_RENAME_INFORMATION: u8 = 10;
/// File class: FileLinkInformation (SET_INFO).
pub const FILE_LINK_INFORMATION: u8 = 11;
/// File class: FileNamesInformation (QUERY_DIRECTORY).
pub const FILE_NAMES_INFORMATION: u8 = 12;
/// File class: FileDispositionInformation (SET_INFO).
pub const FILE_DISPOSITION_INFORMATION: u8 = 13;
/// File class: FilePositionInformation.
pub const FILE_POSITION_INFORMATION: u8 = 14;
/// File class: FileFullEaInformation.
pub const FILE_FULL_EA_INFORMATION: u8 = 15;
/// File class: FileModeInformation.
pub const FILE_MODE_INFORMATION: u8 = 16;
/// File class: FileAlignmentInformation.
pub const FILE_ALIGNMENT_INFORMATION: u8 = 17;
/// File class: FileAllInformation.
pub const FILE_ALL_INFORMATION: u8 = 18;
/// File class: FileAllocationInformation (SET_INFO).
pub const FILE_ALLOCATION_INFORMATION: u8 = 19;
/// File class: FileEndOfFileInformation (SET_INFO).
pub const FILE_END_OF_FILE_INFORMATION: u8 = 20;
/// File class: FileAlternateNameInformation.
pub const FILE_ALTERNATE_NAME_INFORMATION: u8 = 21;
/// File class: FileStreamInformation.
pub const FILE_STREAM_INFORMATION: u8 = 22;
/// File class: FileCompressionInformation.
pub const FILE_COMPRESSION_INFORMATION: u8 = 28;
/// File class: FileNetworkOpenInformation.
pub const FILE_NETWORK_OPEN_INFORMATION: u8 = 34;
/// File class: FileAttributeTagInformation.
pub const FILE_ATTRIBUTE_TAG_INFORMATION: u8 = 35;
/// File class: FileIdBothDirectoryInformation (QUERY_DIRECTORY).
pub const FILE_ID_BOTH_DIRECTORY_INFORMATION: u8 = 37;
/// File class: FileIdFullDirectoryInformation (QUERY_DIRECTORY).
pub const FILE_ID_FULL_DIRECTORY_INFORMATION: u8 = 38;
/// File class: FileNormalizedNameInformation.
pub const FILE_NORMALIZED_NAME_INFORMATION: u8 = 48;
/// File class: FileIdInformation.
pub const FILE_ID_INFORMATION: u8 = 59;
/// File class: SMB 3.1.1 POSIX information (QUERY_INFO and QUERY_DIRECTORY).
pub const FILE_POSIX_INFORMATION: u8 = 100;

/// File system class: FileFsVolumeInformation.
pub const FS_VOLUME_INFORMATION: u8 = 1;
/// File system class: FileFsLabelInformation.
pub const FS_LABEL_INFORMATION: u8 = 2;
/// File system class: FileFsSizeInformation.
pub const FS_SIZE_INFORMATION: u8 = 3;
/// File system class: FileFsDeviceInformation.
pub const FS_DEVICE_INFORMATION: u8 = 4;
/// File system class: FileFsAttributeInformation.
pub const FS_ATTRIBUTE_INFORMATION: u8 = 5;
/// File system class: FileFsControlInformation.
pub const FS_CONTROL_INFORMATION: u8 = 6;
/// File system class: FileFsFullSizeInformation.
pub const FS_FULL_SIZE_INFORMATION: u8 = 7;
/// File system class: FileFsObjectIdInformation.
pub const FS_OBJECT_ID_INFORMATION: u8 = 8;
/// File system class: FileFsSectorSizeInformation.
pub const FS_SECTOR_SIZE_INFORMATION: u8 = 11;
/// File system class: SMB 3.1.1 POSIX file system information.
pub const FS_POSIX_INFORMATION: u8 = 100;

/// Security information: owner.
pub const OWNER_SECURITY_INFORMATION: u32 = 0x0000_0001;
/// Security information: group.
pub const GROUP_SECURITY_INFORMATION: u32 = 0x0000_0002;
/// Security information: DACL.
pub const DACL_SECURITY_INFORMATION: u32 = 0x0000_0004;
/// Security information: SACL.
pub const SACL_SECURITY_INFORMATION: u32 = 0x0000_0008;
/// Security information: mandatory label.
pub const LABEL_SECURITY_INFORMATION: u32 = 0x0000_0010;
/// Security information: resource attributes.
pub const ATTRIBUTE_SECURITY_INFORMATION: u32 = 0x0000_0020;
/// Security information: central access policy.
pub const SCOPE_SECURITY_INFORMATION: u32 = 0x0000_0040;
/// Security information: backup (all of the above).
pub const BACKUP_SECURITY_INFORMATION: u32 = 0x0001_0000;

/// QUERY_INFO flag (EA queries): restart the scan.
pub const SL_RESTART_SCAN: u32 = 0x0000_0001;
/// QUERY_INFO flag (EA queries): return a single entry.
pub const SL_RETURN_SINGLE_ENTRY: u32 = 0x0000_0002;
/// QUERY_INFO flag (EA queries): start at the given index.
pub const SL_INDEX_SPECIFIED: u32 = 0x0000_0004;

/// Offset of a QUERY_INFO request's Buffer from the start of the header.
pub const QUERY_INFO_REQUEST_BUFFER_OFFSET: usize = HEADER_SIZE + 40;
/// Offset of a QUERY_INFO response's Buffer from the start of the header.
pub const QUERY_INFO_RESPONSE_BUFFER_OFFSET: usize = HEADER_SIZE + 8;
/// Offset of a SET_INFO request's Buffer from the start of the header.
pub const SET_INFO_REQUEST_BUFFER_OFFSET: usize = HEADER_SIZE + 32;

const QI_REQ_SIZE: u16 = 41;
const QI_RSP_SIZE: u16 = 9;
const SI_REQ_SIZE: u16 = 33;
const SI_RSP_SIZE: u16 = 2;

/// SMB2 QUERY_INFO request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryInfoRequest<'a> {
    /// InfoType (`INFO_*`).
    pub info_type: u8,
    /// FileInfoClass (`FILE_*_INFORMATION`, `FS_*_INFORMATION`, 0 for security).
    pub class: u8,
    /// OutputBufferLength: the largest output accepted.
    pub output_buffer_length: u32,
    /// Input buffer (EA name lists and quota queries), usually empty.
    pub input: &'a [u8],
    /// AdditionalInformation (`*_SECURITY_INFORMATION` for security queries).
    pub additional_information: u32,
    /// Flags (`SL_*`, EA queries).
    pub flags: u32,
    /// The handle.
    pub file_id: FileId,
}

impl<'a> QueryInfoRequest<'a> {
    /// Returns a query of `class` of `info_type` accepting `output_buffer_length` bytes.
    pub fn new(info_type: u8, class: u8, file_id: FileId, output_buffer_length: u32) -> Self {
        Self {
            info_type,
            class,
            output_buffer_length,
            file_id,
            ..Self::default()
        }
    }

    /// Returns a security descriptor query for the parts in `additional_information`.
    pub fn security(
        file_id: FileId,
        additional_information: u32,
        output_buffer_length: u32,
    ) -> Self {
        Self {
            info_type: INFO_SECURITY,
            output_buffer_length,
            additional_information,
            file_id,
            ..Self::default()
        }
    }

    /// Decodes a QUERY_INFO request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, QI_REQ_SIZE, "QueryInfoRequest.StructureSize")?;
        let info_type = r.u8("QueryInfoRequest.InfoType")?;
        let class = r.u8("QueryInfoRequest.FileInfoClass")?;
        let output_buffer_length = r.u32("QueryInfoRequest.OutputBufferLength")?;
        let in_off = usize::from(r.u16("QueryInfoRequest.InputBufferOffset")?);
        r.skip(2, "QueryInfoRequest.Reserved")?;
        let in_len = r.u32("QueryInfoRequest.InputBufferLength")? as usize;
        let additional_information = r.u32("QueryInfoRequest.AdditionalInformation")?;
        let flags = r.u32("QueryInfoRequest.Flags")?;
        let file_id = FileId::decode(&mut r)?;
        Ok(Self {
            info_type,
            class,
            output_buffer_length,
            input: header::region(
                pdu,
                in_off,
                in_len,
                QUERY_INFO_REQUEST_BUFFER_OFFSET,
                "QueryInfoRequest.Input",
            )?,
            additional_information,
            flags,
            file_id,
        })
    }
}

impl Body for QueryInfoRequest<'_> {
    const COMMAND: Command = Command::QueryInfo;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(QI_REQ_SIZE)?;
        w.u8(self.info_type)?;
        w.u8(self.class)?;
        w.u32(self.output_buffer_length)?;
        let in_off = if self.input.is_empty() {
            0
        } else {
            header::to_u16(header::pdu_offset(w, pdu_start).saturating_add(32))?
        };
        w.u16(in_off)?;
        w.u16(0)?;
        w.u32(header::to_u32(self.input.len())?)?;
        w.u32(self.additional_information)?;
        w.u32(self.flags)?;
        self.file_id.encode(w)?;
        if self.input.is_empty() {
            w.u8(0)
        } else {
            w.bytes(self.input)
        }
    }

    fn credit_payload(&self) -> usize {
        (self.output_buffer_length as usize).max(self.input.len())
    }
}

/// SMB2 QUERY_INFO response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryInfoResponse<'a> {
    /// The output buffer (truncated with STATUS_BUFFER_OVERFLOW).
    pub output: &'a [u8],
}

impl<'a> QueryInfoResponse<'a> {
    /// Decodes a QUERY_INFO response PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let output = decode_output_body(pdu, "QueryInfoResponse")?;
        Ok(Self { output })
    }
}

impl Body for QueryInfoResponse<'_> {
    const COMMAND: Command = Command::QueryInfo;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        encode_output_body(self.output, w, pdu_start)
    }
}

/// Decodes the StructureSize 9 body shared by QUERY_INFO, QUERY_DIRECTORY and
/// CHANGE_NOTIFY responses and returns its output buffer.
pub fn decode_output_body<'a>(pdu: &'a [u8], what: &'static str) -> Result<&'a [u8], DecodeError> {
    let mut r = header::open_body(pdu, QI_RSP_SIZE, what)?;
    let off = usize::from(r.u16(what)?);
    let len = r.u32(what)? as usize;
    header::region(pdu, off, len, QUERY_INFO_RESPONSE_BUFFER_OFFSET, what)
}

/// Encodes the StructureSize 9 body shared by QUERY_INFO, QUERY_DIRECTORY and
/// CHANGE_NOTIFY responses.
pub fn encode_output_body(
    output: &[u8],
    w: &mut Writer<'_>,
    pdu_start: usize,
) -> Result<(), EncodeError> {
    w.u16(QI_RSP_SIZE)?;
    if output.is_empty() {
        w.u16(0)?;
        w.u32(0)?;
        return w.u8(0);
    }
    w.u16(header::to_u16(
        header::pdu_offset(w, pdu_start).saturating_add(6),
    )?)?;
    w.u32(header::to_u32(output.len())?)?;
    w.bytes(output)
}

/// FileBasicInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileBasicInfo {
    /// CreationTime (0: unchanged in SET_INFO).
    pub creation_time: u64,
    /// LastAccessTime.
    pub last_access_time: u64,
    /// LastWriteTime.
    pub last_write_time: u64,
    /// ChangeTime.
    pub change_time: u64,
    /// FileAttributes (0: unchanged in SET_INFO).
    pub file_attributes: u32,
}

impl FileBasicInfo {
    /// Size on the wire (including 4 reserved bytes).
    pub const SIZE: usize = 40;

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            creation_time: r.u64("FileBasicInfo.CreationTime")?,
            last_access_time: r.u64("FileBasicInfo.LastAccessTime")?,
            last_write_time: r.u64("FileBasicInfo.LastWriteTime")?,
            change_time: r.u64("FileBasicInfo.ChangeTime")?,
            file_attributes: r.u32("FileBasicInfo.FileAttributes")?,
        };
        r.skip(4, "FileBasicInfo.Reserved")?;
        Ok(v)
    }

    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        Self::read(&mut Reader::new(buf))
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.creation_time)?;
        w.u64(self.last_access_time)?;
        w.u64(self.last_write_time)?;
        w.u64(self.change_time)?;
        w.u32(self.file_attributes)?;
        w.u32(0)
    }
}

/// FileStandardInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStandardInfo {
    /// AllocationSize.
    pub allocation_size: u64,
    /// EndOfFile.
    pub end_of_file: u64,
    /// NumberOfLinks.
    pub number_of_links: u32,
    /// DeletePending.
    pub delete_pending: bool,
    /// Directory.
    pub directory: bool,
}

impl FileStandardInfo {
    /// Size on the wire (including 2 reserved bytes).
    pub const SIZE: usize = 24;

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            allocation_size: r.u64("FileStandardInfo.AllocationSize")?,
            end_of_file: r.u64("FileStandardInfo.EndOfFile")?,
            number_of_links: r.u32("FileStandardInfo.NumberOfLinks")?,
            delete_pending: read_bool(r, "FileStandardInfo.DeletePending")?,
            directory: read_bool(r, "FileStandardInfo.Directory")?,
        };
        r.skip(2, "FileStandardInfo.Reserved")?;
        Ok(v)
    }

    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        Self::read(&mut Reader::new(buf))
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.allocation_size)?;
        w.u64(self.end_of_file)?;
        w.u32(self.number_of_links)?;
        w.u8(u8::from(self.delete_pending))?;
        w.u8(u8::from(self.directory))?;
        w.u16(0)
    }
}

/// Decodes FileInternalInformation: the 64-bit file index (inode number).
pub fn decode_internal_info(buf: &[u8]) -> Result<u64, DecodeError> {
    Reader::new(buf).u64("FileInternalInfo.IndexNumber")
}

/// Decodes FileEaInformation: the size of the file's EAs.
pub fn decode_ea_info(buf: &[u8]) -> Result<u32, DecodeError> {
    Reader::new(buf).u32("FileEaInfo.EaSize")
}

/// Decodes an 8-byte class (FilePositionInformation, FileEndOfFileInformation,
/// FileAllocationInformation).
pub fn decode_u64_info(buf: &[u8]) -> Result<u64, DecodeError> {
    Reader::new(buf).u64("FileInfo.Value")
}

/// Decodes FileModeInformation.
pub fn decode_mode_info(buf: &[u8]) -> Result<u32, DecodeError> {
    Reader::new(buf).u32("FileModeInfo.Mode")
}

/// FileAllInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileAllInfo<'a> {
    /// Basic information.
    pub basic: FileBasicInfo,
    /// Standard information.
    pub standard: FileStandardInfo,
    /// IndexNumber (inode number).
    pub index_number: u64,
    /// EaSize.
    pub ea_size: u32,
    /// AccessFlags granted on the handle.
    pub access_flags: u32,
    /// CurrentByteOffset.
    pub current_byte_offset: u64,
    /// Mode.
    pub mode: u32,
    /// AlignmentRequirement.
    pub alignment_requirement: u32,
    /// FileName (the path from the share root; may be cut short on BUFFER_OVERFLOW,
    /// in which case decoding fails).
    pub name: Utf16Str<'a>,
}

impl<'a> FileAllInfo<'a> {
    /// Size of the fixed part.
    pub const FIXED_SIZE: usize = 100;

    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let basic = FileBasicInfo::read(&mut r)?;
        let standard = FileStandardInfo::read(&mut r)?;
        let index_number = r.u64("FileAllInfo.IndexNumber")?;
        let ea_size = r.u32("FileAllInfo.EaSize")?;
        let access_flags = r.u32("FileAllInfo.AccessFlags")?;
        let current_byte_offset = r.u64("FileAllInfo.CurrentByteOffset")?;
        let mode = r.u32("FileAllInfo.Mode")?;
        let alignment_requirement = r.u32("FileAllInfo.AlignmentRequirement")?;
        let name_len = r.u32("FileAllInfo.FileNameLength")? as usize;
        let name = Utf16Str::read(&mut r, name_len, "FileAllInfo.FileName")?;
        Ok(Self {
            basic,
            standard,
            index_number,
            ea_size,
            access_flags,
            current_byte_offset,
            mode,
            alignment_requirement,
            name,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.basic.encode(w)?;
        self.standard.encode(w)?;
        w.u64(self.index_number)?;
        w.u32(self.ea_size)?;
        w.u32(self.access_flags)?;
        w.u64(self.current_byte_offset)?;
        w.u32(self.mode)?;
        w.u32(self.alignment_requirement)?;
        w.u32(header::to_u32(self.name.byte_len())?)?;
        w.bytes(self.name.as_bytes())
    }
}

/// Decodes FileNetworkOpenInformation.
pub fn decode_network_open_info(buf: &[u8]) -> Result<FileAttrs, DecodeError> {
    let mut r = Reader::new(buf);
    let a = FileAttrs::decode(&mut r)?;
    r.skip(4, "FileNetworkOpenInfo.Reserved")?;
    Ok(a)
}

/// Writes FileNetworkOpenInformation.
pub fn encode_network_open_info(a: &FileAttrs, w: &mut Writer<'_>) -> Result<(), EncodeError> {
    a.encode(w)?;
    w.u32(0)
}

/// FileRenameInformation / FileLinkInformation (SMB2 form).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileRenameInfo<'a> {
    /// ReplaceIfExists.
    pub replace_if_exists: bool,
    /// RootDirectory (0 over SMB2).
    pub root_directory: u64,
    /// The new name: full path from the share root, `\` separators.
    pub name: WireName<'a>,
}

impl<'a> FileRenameInfo<'a> {
    /// Size of the fixed part.
    pub const FIXED_SIZE: usize = 20;
    /// Minimum encoded size; shorter buffers are padded with zeros.
    pub const MIN_SIZE: usize = 24;

    /// Decodes from a SET_INFO buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let replace_if_exists = read_bool(&mut r, "FileRenameInfo.ReplaceIfExists")?;
        r.skip(7, "FileRenameInfo.Reserved")?;
        let root_directory = r.u64("FileRenameInfo.RootDirectory")?;
        let len = r.u32("FileRenameInfo.FileNameLength")? as usize;
        let name = Utf16Str::read(&mut r, len, "FileRenameInfo.FileName")?;
        Ok(Self {
            replace_if_exists,
            root_directory,
            name: WireName::Utf16(name),
        })
    }

    /// Writes the structure, zero-padded to at least [`FileRenameInfo::MIN_SIZE`].
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let start = w.pos();
        w.u8(u8::from(self.replace_if_exists))?;
        w.zeros(7)?;
        w.u64(self.root_directory)?;
        w.u32(header::to_u32(self.name.byte_len())?)?;
        self.name.encode(w)?;
        let used = w.pos().saturating_sub(start);
        w.zeros(Self::MIN_SIZE.saturating_sub(used))
    }
}

/// The SMB 3.1.1 POSIX information (class 100) common to QUERY_INFO and
/// QUERY_DIRECTORY: times, sizes, DOS attributes, inode, device, link count, reparse
/// tag, mode and owner and group SIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePosixInfo<'a> {
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
    /// DOS attributes.
    pub dos_attributes: u32,
    /// Inode number.
    pub inode: u64,
    /// Device id.
    pub device_id: u32,
    /// Number of hard links.
    pub hard_links: u32,
    /// Reparse tag.
    pub reparse_tag: u32,
    /// POSIX mode.
    pub mode: u32,
    /// Owner SID.
    pub owner: Sid<'a>,
    /// Group SID.
    pub group: Sid<'a>,
}

impl<'a> FilePosixInfo<'a> {
    /// Size of the fixed part before the SIDs.
    pub const FIXED_SIZE: usize = 80;

    /// Reads the fixed part and the two SIDs.
    pub fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let creation_time = r.u64("PosixInfo.CreationTime")?;
        let last_access_time = r.u64("PosixInfo.LastAccessTime")?;
        let last_write_time = r.u64("PosixInfo.LastWriteTime")?;
        let change_time = r.u64("PosixInfo.ChangeTime")?;
        let end_of_file = r.u64("PosixInfo.EndOfFile")?;
        let allocation_size = r.u64("PosixInfo.AllocationSize")?;
        let dos_attributes = r.u32("PosixInfo.DosAttributes")?;
        let inode = r.u64("PosixInfo.Inode")?;
        let device_id = r.u32("PosixInfo.DeviceId")?;
        r.skip(4, "PosixInfo.Zero")?;
        let hard_links = r.u32("PosixInfo.HardLinks")?;
        let reparse_tag = r.u32("PosixInfo.ReparseTag")?;
        let mode = r.u32("PosixInfo.Mode")?;
        let owner = Sid::decode(r)?;
        let group = Sid::decode(r)?;
        Ok(Self {
            creation_time,
            last_access_time,
            last_write_time,
            change_time,
            end_of_file,
            allocation_size,
            dos_attributes,
            inode,
            device_id,
            hard_links,
            reparse_tag,
            mode,
            owner,
            group,
        })
    }

    /// Decodes from a QUERY_INFO output buffer (trailing bytes are ignored).
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        Self::read(&mut Reader::new(buf))
    }

    /// Writes the fixed part and the SIDs.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.creation_time)?;
        w.u64(self.last_access_time)?;
        w.u64(self.last_write_time)?;
        w.u64(self.change_time)?;
        w.u64(self.end_of_file)?;
        w.u64(self.allocation_size)?;
        w.u32(self.dos_attributes)?;
        w.u64(self.inode)?;
        w.u32(self.device_id)?;
        w.u32(0)?;
        w.u32(self.hard_links)?;
        w.u32(self.reparse_tag)?;
        w.u32(self.mode)?;
        self.owner.encode(w)?;
        self.group.encode(w)
    }
}

/// FileFsVolumeInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsVolumeInfo<'a> {
    /// VolumeCreationTime.
    pub creation_time: u64,
    /// VolumeSerialNumber.
    pub serial_number: u32,
    /// SupportsObjects.
    pub supports_objects: bool,
    /// VolumeLabel.
    pub label: Utf16Str<'a>,
}

impl<'a> FsVolumeInfo<'a> {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let creation_time = r.u64("FsVolumeInfo.VolumeCreationTime")?;
        let serial_number = r.u32("FsVolumeInfo.VolumeSerialNumber")?;
        let len = r.u32("FsVolumeInfo.VolumeLabelLength")? as usize;
        let supports_objects = read_bool(&mut r, "FsVolumeInfo.SupportsObjects")?;
        r.skip(1, "FsVolumeInfo.Reserved")?;
        let label = Utf16Str::read(&mut r, len, "FsVolumeInfo.VolumeLabel")?;
        Ok(Self {
            creation_time,
            serial_number,
            supports_objects,
            label,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.creation_time)?;
        w.u32(self.serial_number)?;
        w.u32(header::to_u32(self.label.byte_len())?)?;
        w.u8(u8::from(self.supports_objects))?;
        w.u8(0)?;
        w.bytes(self.label.as_bytes())
    }
}

/// FileFsSizeInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsSizeInfo {
    /// TotalAllocationUnits.
    pub total_allocation_units: u64,
    /// AvailableAllocationUnits.
    pub available_allocation_units: u64,
    /// SectorsPerAllocationUnit.
    pub sectors_per_allocation_unit: u32,
    /// BytesPerSector.
    pub bytes_per_sector: u32,
}

impl FsSizeInfo {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        Ok(Self {
            total_allocation_units: r.u64("FsSizeInfo.TotalAllocationUnits")?,
            available_allocation_units: r.u64("FsSizeInfo.AvailableAllocationUnits")?,
            sectors_per_allocation_unit: r.u32("FsSizeInfo.SectorsPerAllocationUnit")?,
            bytes_per_sector: r.u32("FsSizeInfo.BytesPerSector")?,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.total_allocation_units)?;
        w.u64(self.available_allocation_units)?;
        w.u32(self.sectors_per_allocation_unit)?;
        w.u32(self.bytes_per_sector)
    }
}

/// FileFsFullSizeInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsFullSizeInfo {
    /// TotalAllocationUnits.
    pub total_allocation_units: u64,
    /// CallerAvailableAllocationUnits (honours quotas).
    pub caller_available_allocation_units: u64,
    /// ActualAvailableAllocationUnits.
    pub actual_available_allocation_units: u64,
    /// SectorsPerAllocationUnit.
    pub sectors_per_allocation_unit: u32,
    /// BytesPerSector.
    pub bytes_per_sector: u32,
}

impl FsFullSizeInfo {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        Ok(Self {
            total_allocation_units: r.u64("FsFullSizeInfo.TotalAllocationUnits")?,
            caller_available_allocation_units: r
                .u64("FsFullSizeInfo.CallerAvailableAllocationUnits")?,
            actual_available_allocation_units: r
                .u64("FsFullSizeInfo.ActualAvailableAllocationUnits")?,
            sectors_per_allocation_unit: r.u32("FsFullSizeInfo.SectorsPerAllocationUnit")?,
            bytes_per_sector: r.u32("FsFullSizeInfo.BytesPerSector")?,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u64(self.total_allocation_units)?;
        w.u64(self.caller_available_allocation_units)?;
        w.u64(self.actual_available_allocation_units)?;
        w.u32(self.sectors_per_allocation_unit)?;
        w.u32(self.bytes_per_sector)
    }
}

/// FileFsAttributeInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsAttributeInfo<'a> {
    /// FileSystemAttributes (FILE_CASE_SENSITIVE_SEARCH ...).
    pub attributes: u32,
    /// MaximumComponentNameLength.
    pub max_component_name_length: u32,
    /// FileSystemName (e.g. "NTFS").
    pub name: Utf16Str<'a>,
}

impl<'a> FsAttributeInfo<'a> {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let attributes = r.u32("FsAttributeInfo.FileSystemAttributes")?;
        let max_component_name_length = r.u32("FsAttributeInfo.MaximumComponentNameLength")?;
        let len = r.u32("FsAttributeInfo.FileSystemNameLength")? as usize;
        let name = Utf16Str::read(&mut r, len, "FsAttributeInfo.FileSystemName")?;
        Ok(Self {
            attributes,
            max_component_name_length,
            name,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.attributes)?;
        w.u32(self.max_component_name_length)?;
        w.u32(header::to_u32(self.name.byte_len())?)?;
        w.bytes(self.name.as_bytes())
    }
}

/// FileFsDeviceInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsDeviceInfo {
    /// DeviceType.
    pub device_type: u32,
    /// Characteristics.
    pub characteristics: u32,
}

impl FsDeviceInfo {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        Ok(Self {
            device_type: r.u32("FsDeviceInfo.DeviceType")?,
            characteristics: r.u32("FsDeviceInfo.Characteristics")?,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.device_type)?;
        w.u32(self.characteristics)
    }
}

/// FileFsSectorSizeInformation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsSectorSizeInfo {
    /// LogicalBytesPerSector.
    pub logical_bytes_per_sector: u32,
    /// PhysicalBytesPerSectorForAtomicity.
    pub physical_bytes_per_sector_for_atomicity: u32,
    /// PhysicalBytesPerSectorForPerformance.
    pub physical_bytes_per_sector_for_performance: u32,
    /// FileSystemEffectivePhysicalBytesPerSectorForAtomicity.
    pub fs_effective_physical_bytes_per_sector_for_atomicity: u32,
    /// Flags (SSINFO_FLAGS_*).
    pub flags: u32,
    /// ByteOffsetForSectorAlignment.
    pub byte_offset_for_sector_alignment: u32,
    /// ByteOffsetForPartitionAlignment.
    pub byte_offset_for_partition_alignment: u32,
}

impl FsSectorSizeInfo {
    /// Decodes from a QUERY_INFO output buffer.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        Ok(Self {
            logical_bytes_per_sector: r.u32("FsSectorSizeInfo.LogicalBytesPerSector")?,
            physical_bytes_per_sector_for_atomicity: r.u32("FsSectorSizeInfo.PhysicalAtomicity")?,
            physical_bytes_per_sector_for_performance: r
                .u32("FsSectorSizeInfo.PhysicalPerformance")?,
            fs_effective_physical_bytes_per_sector_for_atomicity: r
                .u32("FsSectorSizeInfo.EffectiveAtomicity")?,
            flags: r.u32("FsSectorSizeInfo.Flags")?,
            byte_offset_for_sector_alignment: r.u32("FsSectorSizeInfo.SectorAlignment")?,
            byte_offset_for_partition_alignment: r.u32("FsSectorSizeInfo.PartitionAlignment")?,
        })
    }

    /// Writes the structure.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.logical_bytes_per_sector)?;
        w.u32(self.physical_bytes_per_sector_for_atomicity)?;
        w.u32(self.physical_bytes_per_sector_for_performance)?;
        w.u32(self.fs_effective_physical_bytes_per_sector_for_atomicity)?;
        w.u32(self.flags)?;
        w.u32(self.byte_offset_for_sector_alignment)?;
        w.u32(self.byte_offset_for_partition_alignment)
    }
}

/// The buffer of a SET_INFO request; the variant selects InfoType and FileInfoClass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoData<'a> {
    /// FileBasicInformation (times and attributes; zero fields stay unchanged).
    Basic(FileBasicInfo),
    /// FileEndOfFileInformation (truncate / extend).
    EndOfFile(u64),
    /// FileAllocationInformation.
    Allocation(u64),
    /// FileDispositionInformation (delete on close).
    Disposition(bool),
    /// FilePositionInformation.
    Position(u64),
    /// FileModeInformation.
    Mode(u32),
    /// FileRenameInformation.
    Rename(FileRenameInfo<'a>),
    /// FileLinkInformation (hard link).
    Link(FileRenameInfo<'a>),
    /// A self-relative security descriptor, passed through; the request's
    /// AdditionalInformation says which parts it sets.
    SecurityDescriptor(&'a [u8]),
    /// Any other buffer.
    Raw {
        /// InfoType.
        info_type: u8,
        /// FileInfoClass.
        class: u8,
        /// The buffer.
        data: &'a [u8],
    },
}

impl Default for InfoData<'_> {
    fn default() -> Self {
        InfoData::Raw {
            info_type: INFO_FILE,
            class: 0,
            data: &[],
        }
    }
}

impl InfoData<'_> {
    /// Returns the InfoType.
    pub fn info_type(&self) -> u8 {
        match self {
            InfoData::SecurityDescriptor(_) => INFO_SECURITY,
            InfoData::Raw { info_type, .. } => *info_type,
            _ => INFO_FILE,
        }
    }

    /// Returns the FileInfoClass.
    pub fn class(&self) -> u8 {
        match self {
            InfoData::Basic(_) => FILE_BASIC_INFORMATION,
            InfoData::EndOfFile(_) => FILE_END_OF_FILE_INFORMATION,
            InfoData::Allocation(_) => FILE_ALLOCATION_INFORMATION,
            InfoData::Disposition(_) => FILE_DISPOSITION_INFORMATION,
            InfoData::Position(_) => FILE_POSITION_INFORMATION,
            InfoData::Mode(_) => FILE_MODE_INFORMATION,
            InfoData::Rename(_) => FILE_RENAME_INFORMATION,
            InfoData::Link(_) => FILE_LINK_INFORMATION,
            InfoData::SecurityDescriptor(_) => 0,
            InfoData::Raw { class, .. } => *class,
        }
    }

    /// Writes the buffer.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            InfoData::Basic(b) => b.encode(w),
            InfoData::EndOfFile(v) | InfoData::Allocation(v) | InfoData::Position(v) => w.u64(*v),
            InfoData::Disposition(d) => w.u8(u8::from(*d)),
            InfoData::Mode(m) => w.u32(*m),
            InfoData::Rename(r) | InfoData::Link(r) => r.encode(w),
            InfoData::SecurityDescriptor(d) => w.bytes(d),
            InfoData::Raw { data, .. } => w.bytes(data),
        }
    }
}

/// SMB2 SET_INFO request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetInfoRequest<'a> {
    /// The handle.
    pub file_id: FileId,
    /// AdditionalInformation (`*_SECURITY_INFORMATION` for security descriptors).
    pub additional_information: u32,
    /// The information to set.
    pub data: InfoData<'a>,
}

impl<'a> SetInfoRequest<'a> {
    /// Decodes a SET_INFO request PDU; the buffer comes back as [`InfoData::Raw`].
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, SI_REQ_SIZE, "SetInfoRequest.StructureSize")?;
        let info_type = r.u8("SetInfoRequest.InfoType")?;
        let class = r.u8("SetInfoRequest.FileInfoClass")?;
        let len = r.u32("SetInfoRequest.BufferLength")? as usize;
        let off = usize::from(r.u16("SetInfoRequest.BufferOffset")?);
        r.skip(2, "SetInfoRequest.Reserved")?;
        let additional_information = r.u32("SetInfoRequest.AdditionalInformation")?;
        let file_id = FileId::decode(&mut r)?;
        let data = header::region(
            pdu,
            off,
            len,
            SET_INFO_REQUEST_BUFFER_OFFSET,
            "SetInfoRequest.Buffer",
        )?;
        Ok(Self {
            file_id,
            additional_information,
            data: InfoData::Raw {
                info_type,
                class,
                data,
            },
        })
    }
}

impl Body for SetInfoRequest<'_> {
    const COMMAND: Command = Command::SetInfo;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        w.u16(SI_REQ_SIZE)?;
        w.u8(self.data.info_type())?;
        w.u8(self.data.class())?;
        w.u32(0)?;
        w.u16(0)?;
        w.u16(0)?;
        w.u32(self.additional_information)?;
        self.file_id.encode(w)?;
        let off = header::to_u16(header::pdu_offset(w, pdu_start))?;
        let start = w.pos();
        self.data.encode(w)?;
        let len = w.pos().saturating_sub(start);
        w.patch_u32(body.saturating_add(4), header::to_u32(len)?)?;
        w.patch_u16(body.saturating_add(8), off)?;
        if len == 0 {
            w.u8(0)?;
        }
        Ok(())
    }

    fn credit_payload(&self) -> usize {
        match self.data {
            InfoData::SecurityDescriptor(d) | InfoData::Raw { data: d, .. } => d.len(),
            _ => 0,
        }
    }
}

/// SMB2 SET_INFO response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetInfoResponse;

impl SetInfoResponse {
    /// Decodes a SET_INFO response PDU.
    pub fn decode(pdu: &[u8]) -> Result<Self, DecodeError> {
        header::open_body(pdu, SI_RSP_SIZE, "SetInfoResponse.StructureSize").map(|_| Self)
    }
}

impl Body for SetInfoResponse {
    const COMMAND: Command = Command::SetInfo;

    fn encode_body(&self, w: &mut Writer<'_>, _pdu_start: usize) -> Result<(), EncodeError> {
        w.u16(SI_RSP_SIZE)
    }
}
