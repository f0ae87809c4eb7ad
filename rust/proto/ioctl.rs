// SPDX-License-Identifier: GPL-2.0

//! IOCTL (MS-SMB2 2.2.31, 2.2.32), FSCTL codes, the network interface list of
//! FSCTL_QUERY_NETWORK_INTERFACE_INFO and the reparse data buffers of
//! FSCTL_GET_REPARSE_POINT / FSCTL_SET_REPARSE_POINT (MS-FSCC 2.1.2).

use super::cursor::{Reader, Writer};
use super::error::{DecodeError, EncodeError};
use super::header::{self, Body, Command, HEADER_SIZE};
use super::types::{FileId, Utf16Str, WireName};

/// IOCTL flag: the request is an FSCTL (the only value clients send).
pub const IOCTL_IS_FSCTL: u32 = 0x0000_0001;

/// FSCTL: DFS referral request.
pub const FSCTL_DFS_GET_REFERRALS: u32 = 0x0006_0194;
/// FSCTL: extended DFS referral request.
pub const FSCTL_DFS_GET_REFERRALS_EX: u32 = 0x0006_01B0;
/// FSCTL: get the object id.
pub const FSCTL_GET_OBJECT_ID: u32 = 0x0009_009C;
/// FSCTL: create or get the object id.
pub const FSCTL_CREATE_OR_GET_OBJECT_ID: u32 = 0x0009_00C0;
/// FSCTL: set a reparse point.
pub const FSCTL_SET_REPARSE_POINT: u32 = 0x0009_00A4;
/// FSCTL: get a reparse point.
pub const FSCTL_GET_REPARSE_POINT: u32 = 0x0009_00A8;
/// FSCTL: delete a reparse point.
pub const FSCTL_DELETE_REPARSE_POINT: u32 = 0x0009_00AC;
/// FSCTL: mark a file sparse.
pub const FSCTL_SET_SPARSE: u32 = 0x0009_00C4;
/// FSCTL: zero a range (punch hole).
pub const FSCTL_SET_ZERO_DATA: u32 = 0x0009_80C8;
/// FSCTL: list allocated ranges (SEEK_DATA/SEEK_HOLE).
pub const FSCTL_QUERY_ALLOCATED_RANGES: u32 = 0x0009_40CF;
/// FSCTL: get compression state.
pub const FSCTL_GET_COMPRESSION: u32 = 0x0009_003C;
/// FSCTL: set compression state.
pub const FSCTL_SET_COMPRESSION: u32 = 0x0009_C040;
/// FSCTL: trim ranges.
pub const FSCTL_FILE_LEVEL_TRIM: u32 = 0x0009_8208;
/// FSCTL: clone ranges (reflink).
pub const FSCTL_DUPLICATE_EXTENTS_TO_FILE: u32 = 0x0009_8344;
/// FSCTL: get integrity information.
pub const FSCTL_GET_INTEGRITY_INFORMATION: u32 = 0x0009_027C;
/// FSCTL: set integrity information.
pub const FSCTL_SET_INTEGRITY_INFORMATION: u32 = 0x0009_C280;
/// FSCTL: query file regions.
pub const FSCTL_QUERY_FILE_REGIONS: u32 = 0x0009_0284;
/// FSCTL: peek into a named pipe.
pub const FSCTL_PIPE_PEEK: u32 = 0x0011_400C;
/// FSCTL: wait for a named pipe.
pub const FSCTL_PIPE_WAIT: u32 = 0x0011_0018;
/// FSCTL: write then read a named pipe.
pub const FSCTL_PIPE_TRANSCEIVE: u32 = 0x0011_C017;
/// FSCTL: get a resume key for server-side copy.
pub const FSCTL_SRV_REQUEST_RESUME_KEY: u32 = 0x0014_0078;
/// FSCTL: request handle resiliency.
pub const FSCTL_LMR_REQUEST_RESILIENCY: u32 = 0x0014_01D4;
/// FSCTL: list the server's network interfaces (multichannel).
pub const FSCTL_QUERY_NETWORK_INTERFACE_INFO: u32 = 0x0014_01FC;
/// FSCTL: validate negotiate info (3.0, 3.0.2); the body lives in `negotiate.rs`.
pub const FSCTL_VALIDATE_NEGOTIATE_INFO: u32 = 0x0014_0204;
/// FSCTL: enumerate snapshots (previous versions).
pub const FSCTL_SRV_ENUMERATE_SNAPSHOTS: u32 = 0x0014_4064;
/// FSCTL: server-side copy (source needs read access).
pub const FSCTL_SRV_COPYCHUNK: u32 = 0x0014_40F2;
/// FSCTL: server-side copy that works with a write-only target handle.
pub const FSCTL_SRV_COPYCHUNK_WRITE: u32 = 0x0014_80F2;
/// FSCTL: read a BranchCache hash.
pub const FSCTL_SRV_READ_HASH: u32 = 0x0014_41BB;

/// Reparse tag: mount point / junction.
pub const IO_REPARSE_TAG_MOUNT_POINT: u32 = 0xA000_0003;
/// Reparse tag: native symbolic link.
pub const IO_REPARSE_TAG_SYMLINK: u32 = 0xA000_000C;
/// Reparse tag: DFS.
pub const IO_REPARSE_TAG_DFS: u32 = 0x8000_000A;
/// Reparse tag: Windows NFS server special file.
pub const IO_REPARSE_TAG_NFS: u32 = 0x8000_0014;
/// Reparse tag: AF_UNIX socket.
pub const IO_REPARSE_TAG_AF_UNIX: u32 = 0x8000_0023;
/// Reparse tag: WSL symbolic link.
pub const IO_REPARSE_TAG_LX_SYMLINK: u32 = 0xA000_001D;
/// Reparse tag: WSL FIFO.
pub const IO_REPARSE_TAG_LX_FIFO: u32 = 0x8000_0024;
/// Reparse tag: WSL character device.
pub const IO_REPARSE_TAG_LX_CHR: u32 = 0x8000_0025;
/// Reparse tag: WSL block device.
pub const IO_REPARSE_TAG_LX_BLK: u32 = 0x8000_0026;
/// Symbolic link flag: the target is relative to the link's directory.
pub const SYMLINK_FLAG_RELATIVE: u32 = 0x0000_0001;

/// Interface capability: receive side scaling.
pub const RSS_CAPABLE: u32 = 0x0000_0001;
/// Interface capability: RDMA.
pub const RDMA_CAPABLE: u32 = 0x0000_0002;
/// Socket address family: IPv4.
pub const AF_INET_WIRE: u16 = 0x0002;
/// Socket address family: IPv6.
pub const AF_INET6_WIRE: u16 = 0x0017;
/// Size of one NETWORK_INTERFACE_INFO entry.
pub const NETWORK_INTERFACE_INFO_SIZE: usize = 152;

/// Offset of an IOCTL request's Buffer from the start of the header.
pub const IOCTL_REQUEST_BUFFER_OFFSET: usize = HEADER_SIZE + 56;
/// Offset of an IOCTL response's Buffer from the start of the header.
pub const IOCTL_RESPONSE_BUFFER_OFFSET: usize = HEADER_SIZE + 48;

const REQ_SIZE: u16 = 57;
const RSP_SIZE: u16 = 49;

/// SMB2 IOCTL request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoctlRequest<'a> {
    /// CtlCode (`FSCTL_*`).
    pub ctl_code: u32,
    /// The handle, or all-ones for FSCTLs addressed to the server.
    pub file_id: FileId,
    /// Input buffer.
    pub input: &'a [u8],
    /// MaxInputResponse.
    pub max_input_response: u32,
    /// Output buffer sent with the request (normally empty).
    pub output: &'a [u8],
    /// MaxOutputResponse: the largest output the client accepts.
    pub max_output_response: u32,
    /// Flags (`IOCTL_IS_FSCTL`).
    pub flags: u32,
}

impl<'a> IoctlRequest<'a> {
    /// Returns an FSCTL request with the given input and maximum output.
    pub fn fsctl(
        ctl_code: u32,
        file_id: FileId,
        input: &'a [u8],
        max_output_response: u32,
    ) -> Self {
        Self {
            ctl_code,
            file_id,
            input,
            max_output_response,
            flags: IOCTL_IS_FSCTL,
            ..Self::default()
        }
    }

    /// Decodes an IOCTL request PDU.
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, REQ_SIZE, "IoctlRequest.StructureSize")?;
        r.skip(2, "IoctlRequest.Reserved")?;
        let ctl_code = r.u32("IoctlRequest.CtlCode")?;
        let file_id = FileId::decode(&mut r)?;
        let in_off = r.u32("IoctlRequest.InputOffset")? as usize;
        let in_len = r.u32("IoctlRequest.InputCount")? as usize;
        let max_input_response = r.u32("IoctlRequest.MaxInputResponse")?;
        let out_off = r.u32("IoctlRequest.OutputOffset")? as usize;
        let out_len = r.u32("IoctlRequest.OutputCount")? as usize;
        let max_output_response = r.u32("IoctlRequest.MaxOutputResponse")?;
        let flags = r.u32("IoctlRequest.Flags")?;
        r.skip(4, "IoctlRequest.Reserved2")?;
        Ok(Self {
            ctl_code,
            file_id,
            input: header::region(
                pdu,
                in_off,
                in_len,
                IOCTL_REQUEST_BUFFER_OFFSET,
                "IoctlRequest.Input",
            )?,
            max_input_response,
            output: header::region(
                pdu,
                out_off,
                out_len,
                IOCTL_REQUEST_BUFFER_OFFSET,
                "IoctlRequest.Output",
            )?,
            max_output_response,
            flags,
        })
    }
}

impl Body for IoctlRequest<'_> {
    const COMMAND: Command = Command::Ioctl;

    /// Writes the 56-byte fixed part, then the input and the 8-aligned output (a single
    /// pad byte if both are empty); empty buffers get offset 0.
    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        w.u16(REQ_SIZE)?;
        w.u16(0)?;
        w.u32(self.ctl_code)?;
        self.file_id.encode(w)?;
        w.u32(0)?;
        w.u32(header::to_u32(self.input.len())?)?;
        w.u32(self.max_input_response)?;
        w.u32(0)?;
        w.u32(header::to_u32(self.output.len())?)?;
        w.u32(self.max_output_response)?;
        w.u32(self.flags)?;
        w.u32(0)?;
        if !self.input.is_empty() {
            let off = header::to_u32(header::pdu_offset(w, pdu_start))?;
            w.patch_u32(body.saturating_add(24), off)?;
            w.bytes(self.input)?;
        }
        if !self.output.is_empty() {
            header::pad8(w, pdu_start)?;
            let off = header::to_u32(header::pdu_offset(w, pdu_start))?;
            w.patch_u32(body.saturating_add(36), off)?;
            w.bytes(self.output)?;
        }
        if self.input.is_empty() && self.output.is_empty() {
            w.u8(0)?;
        }
        Ok(())
    }

    fn credit_payload(&self) -> usize {
        let sent = self.input.len().saturating_add(self.output.len());
        let recv =
            (self.max_input_response as usize).saturating_add(self.max_output_response as usize);
        sent.max(recv)
    }
}

/// SMB2 IOCTL response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoctlResponse<'a> {
    /// CtlCode echoed.
    pub ctl_code: u32,
    /// FileId echoed.
    pub file_id: FileId,
    /// Input buffer returned (normally empty).
    pub input: &'a [u8],
    /// Output buffer.
    pub output: &'a [u8],
    /// Flags (reserved).
    pub flags: u32,
}

impl<'a> IoctlResponse<'a> {
    /// Decodes an IOCTL response PDU (also used with STATUS_BUFFER_OVERFLOW, where the
    /// output is truncated).
    pub fn decode(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = header::open_body(pdu, RSP_SIZE, "IoctlResponse.StructureSize")?;
        r.skip(2, "IoctlResponse.Reserved")?;
        let ctl_code = r.u32("IoctlResponse.CtlCode")?;
        let file_id = FileId::decode(&mut r)?;
        let in_off = r.u32("IoctlResponse.InputOffset")? as usize;
        let in_len = r.u32("IoctlResponse.InputCount")? as usize;
        let out_off = r.u32("IoctlResponse.OutputOffset")? as usize;
        let out_len = r.u32("IoctlResponse.OutputCount")? as usize;
        let flags = r.u32("IoctlResponse.Flags")?;
        r.skip(4, "IoctlResponse.Reserved2")?;
        Ok(Self {
            ctl_code,
            file_id,
            input: header::region(
                pdu,
                in_off,
                in_len,
                IOCTL_RESPONSE_BUFFER_OFFSET,
                "IoctlResponse.Input",
            )?,
            output: header::region(
                pdu,
                out_off,
                out_len,
                IOCTL_RESPONSE_BUFFER_OFFSET,
                "IoctlResponse.Output",
            )?,
            flags,
        })
    }
}

impl Body for IoctlResponse<'_> {
    const COMMAND: Command = Command::Ioctl;

    fn encode_body(&self, w: &mut Writer<'_>, pdu_start: usize) -> Result<(), EncodeError> {
        let body = w.pos();
        w.u16(RSP_SIZE)?;
        w.u16(0)?;
        w.u32(self.ctl_code)?;
        self.file_id.encode(w)?;
        w.u32(0)?;
        w.u32(header::to_u32(self.input.len())?)?;
        w.u32(0)?;
        w.u32(header::to_u32(self.output.len())?)?;
        w.u32(self.flags)?;
        w.u32(0)?;
        if !self.input.is_empty() {
            let off = header::to_u32(header::pdu_offset(w, pdu_start))?;
            w.patch_u32(body.saturating_add(24), off)?;
            w.bytes(self.input)?;
        }
        if !self.output.is_empty() {
            header::pad8(w, pdu_start)?;
            let off = header::to_u32(header::pdu_offset(w, pdu_start))?;
            w.patch_u32(body.saturating_add(32), off)?;
            w.bytes(self.output)?;
        }
        if self.input.is_empty() && self.output.is_empty() {
            w.u8(0)?;
        }
        Ok(())
    }
}

/// A socket address from a NETWORK_INTERFACE_INFO entry (port and address in network
/// byte order on the wire, converted here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr {
    /// IPv4.
    V4 {
        /// The address bytes as they appear in dotted notation.
        addr: [u8; 4],
        /// Port (clients ignore it and use the connection's port).
        port: u16,
    },
    /// IPv6.
    V6 {
        /// The address bytes.
        addr: [u8; 16],
        /// Port (ignored by clients).
        port: u16,
        /// Flow information (ignored by clients).
        flow_info: u32,
        /// Scope id (ignored by clients).
        scope_id: u32,
    },
    /// Another family, which clients skip.
    Other {
        /// The family value.
        family: u16,
    },
}

/// One NETWORK_INTERFACE_INFO entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkInterface {
    /// IfIndex: the server's interface index.
    pub if_index: u32,
    /// Capability (`RSS_CAPABLE`, `RDMA_CAPABLE`).
    pub capability: u32,
    /// LinkSpeed in bits per second.
    pub link_speed: u64,
    /// The interface's address.
    pub address: SockAddr,
}

impl NetworkInterface {
    fn decode(entry: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(entry);
        r.skip(4, "NetworkInterfaceInfo.Next")?;
        let if_index = r.u32("NetworkInterfaceInfo.IfIndex")?;
        let capability = r.u32("NetworkInterfaceInfo.Capability")?;
        r.skip(4, "NetworkInterfaceInfo.Reserved")?;
        let link_speed = r.u64("NetworkInterfaceInfo.LinkSpeed")?;
        let family = r.u16("NetworkInterfaceInfo.Family")?;
        let address = match family {
            AF_INET_WIRE => {
                let port = u16::from_be_bytes(r.array("SockAddrIn.Port")?);
                SockAddr::V4 {
                    port,
                    addr: r.array("SockAddrIn.Address")?,
                }
            }
            AF_INET6_WIRE => {
                let port = u16::from_be_bytes(r.array("SockAddrIn6.Port")?);
                let flow_info = u32::from_be_bytes(r.array("SockAddrIn6.FlowInfo")?);
                let addr = r.array("SockAddrIn6.Address")?;
                let scope_id = u32::from_be_bytes(r.array("SockAddrIn6.ScopeId")?);
                SockAddr::V6 {
                    addr,
                    port,
                    flow_info,
                    scope_id,
                }
            }
            family => SockAddr::Other { family },
        };
        Ok(Self {
            if_index,
            capability,
            link_speed,
            address,
        })
    }

    /// Returns true if the interface supports RDMA.
    pub fn rdma_capable(&self) -> bool {
        self.capability & RDMA_CAPABLE != 0
    }

    /// Returns true if the interface supports RSS.
    pub fn rss_capable(&self) -> bool {
        self.capability & RSS_CAPABLE != 0
    }

    /// Writes one 152-byte entry with the given Next value.
    pub fn encode(&self, next: u32, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let start = w.pos();
        w.u32(next)?;
        w.u32(self.if_index)?;
        w.u32(self.capability)?;
        w.u32(0)?;
        w.u64(self.link_speed)?;
        match self.address {
            SockAddr::V4 { addr, port } => {
                w.u16(AF_INET_WIRE)?;
                w.bytes(&port.to_be_bytes())?;
                w.bytes(&addr)?;
            }
            SockAddr::V6 {
                addr,
                port,
                flow_info,
                scope_id,
            } => {
                w.u16(AF_INET6_WIRE)?;
                w.bytes(&port.to_be_bytes())?;
                w.bytes(&flow_info.to_be_bytes())?;
                w.bytes(&addr)?;
                w.bytes(&scope_id.to_be_bytes())?;
            }
            SockAddr::Other { family } => w.u16(family)?,
        }
        let used = w.pos().saturating_sub(start);
        w.zeros(NETWORK_INTERFACE_INFO_SIZE.saturating_sub(used))
    }
}

/// Writes a whole FSCTL_QUERY_NETWORK_INTERFACE_INFO output buffer.
pub fn encode_network_interfaces(
    list: &[NetworkInterface],
    w: &mut Writer<'_>,
) -> Result<(), EncodeError> {
    let n = list.len();
    for (i, iface) in list.iter().enumerate() {
        let last = i.saturating_add(1) == n;
        let next = if last {
            0
        } else {
            NETWORK_INTERFACE_INFO_SIZE as u32
        };
        iface.encode(next, w)?;
    }
    Ok(())
}

/// Walks the output of FSCTL_QUERY_NETWORK_INTERFACE_INFO.
///
/// Every entry must hold [`NETWORK_INTERFACE_INFO_SIZE`] bytes; a non-zero Next must be
/// at least that size and leave room for another entry, so the walk always advances.
/// An empty buffer (Samba without multichannel interfaces) yields nothing. Iteration
/// stops after the first error.
pub fn network_interfaces(output: &[u8]) -> NetworkInterfaces<'_> {
    NetworkInterfaces {
        buf: output,
        pos: 0,
        done: output.is_empty(),
    }
}

/// Iterator over network interfaces; see [`network_interfaces`].
#[derive(Clone, Debug)]
pub struct NetworkInterfaces<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl NetworkInterfaces<'_> {
    fn step(&mut self) -> Result<NetworkInterface, DecodeError> {
        let start = self.pos;
        let rest = self.buf.get(start..).unwrap_or(&[]);
        let entry = rest
            .get(..NETWORK_INTERFACE_INFO_SIZE)
            .ok_or(DecodeError::OutOfBounds {
                what: "NetworkInterfaceInfo",
                offset: start,
                len: NETWORK_INTERFACE_INFO_SIZE,
            })?;
        let next = Reader::new(entry).u32("NetworkInterfaceInfo.Next")? as usize;
        let iface = NetworkInterface::decode(entry)?;
        if next == 0 {
            self.done = true;
        } else {
            match next.checked_add(NETWORK_INTERFACE_INFO_SIZE) {
                Some(end) if next >= NETWORK_INTERFACE_INFO_SIZE && end <= rest.len() => {
                    self.pos = start.saturating_add(next);
                }
                _ => {
                    return Err(DecodeError::BadValue {
                        what: "NetworkInterfaceInfo.Next",
                        value: next as u64,
                    })
                }
            }
        }
        Ok(iface)
    }
}

impl Iterator for NetworkInterfaces<'_> {
    type Item = Result<NetworkInterface, DecodeError>;

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

/// Size of the REPARSE_DATA_BUFFER header (tag, length, reserved).
pub const REPARSE_HEADER_SIZE: usize = 8;
/// Size of the symbolic link reparse data before its path buffer.
pub const SYMLINK_REPARSE_FIXED: usize = 12;

/// A symbolic link reparse point (IO_REPARSE_TAG_SYMLINK, MS-FSCC 2.1.2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymlinkReparse<'a> {
    /// SubstituteName: the target as the server resolves it (e.g. `\??\C:\x` or a
    /// relative path).
    pub substitute_name: WireName<'a>,
    /// PrintName: the target as shown to users.
    pub print_name: WireName<'a>,
    /// Flags (`SYMLINK_FLAG_RELATIVE`).
    pub flags: u32,
}

impl<'a> SymlinkReparse<'a> {
    /// Returns true if the target is relative.
    pub fn is_relative(&self) -> bool {
        self.flags & SYMLINK_FLAG_RELATIVE != 0
    }

    /// Parses the reparse data (after the 8-byte header) of a symlink reparse point.
    pub fn decode_data(data: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let sub_off = usize::from(r.u16("SymlinkReparse.SubstituteNameOffset")?);
        let sub_len = usize::from(r.u16("SymlinkReparse.SubstituteNameLength")?);
        let print_off = usize::from(r.u16("SymlinkReparse.PrintNameOffset")?);
        let print_len = usize::from(r.u16("SymlinkReparse.PrintNameLength")?);
        let flags = r.u32("SymlinkReparse.Flags")?;
        let path = data.get(SYMLINK_REPARSE_FIXED..).unwrap_or(&[]);
        let p = Reader::new(path);
        let sub = p.slice_at(sub_off, sub_len, "SymlinkReparse.SubstituteName")?;
        let print = p.slice_at(print_off, print_len, "SymlinkReparse.PrintName")?;
        Ok(Self {
            substitute_name: WireName::Utf16(Utf16Str::new(sub)?),
            print_name: WireName::Utf16(Utf16Str::new(print)?),
            flags,
        })
    }

    /// Writes a complete REPARSE_DATA_BUFFER (the FSCTL_SET_REPARSE_POINT input):
    /// header, offsets, flags, then the substitute name followed by the print name.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let sub_len = self.substitute_name.byte_len();
        let print_len = self.print_name.byte_len();
        let data_len = SYMLINK_REPARSE_FIXED
            .checked_add(sub_len)
            .and_then(|v| v.checked_add(print_len))
            .ok_or(EncodeError::TooLarge)?;
        w.u32(IO_REPARSE_TAG_SYMLINK)?;
        w.u16(header::to_u16(data_len)?)?;
        w.u16(0)?;
        w.u16(0)?;
        w.u16(header::to_u16(sub_len)?)?;
        w.u16(header::to_u16(sub_len)?)?;
        w.u16(header::to_u16(print_len)?)?;
        w.u32(self.flags)?;
        self.substitute_name.encode(w)?;
        self.print_name.encode(w)
    }
}

/// A decoded REPARSE_DATA_BUFFER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReparseData<'a> {
    /// A native symbolic link.
    Symlink(SymlinkReparse<'a>),
    /// Any other tag with its raw data (NFS and WSL special files, junctions ...).
    Other {
        /// ReparseTag.
        tag: u32,
        /// The tag-specific data after the 8-byte header.
        data: &'a [u8],
    },
}

impl<'a> ReparseData<'a> {
    /// Decodes a REPARSE_DATA_BUFFER (the FSCTL_GET_REPARSE_POINT output), checking
    /// ReparseDataLength against the buffer.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let tag = r.u32("ReparseDataBuffer.ReparseTag")?;
        let len = usize::from(r.u16("ReparseDataBuffer.ReparseDataLength")?);
        r.skip(2, "ReparseDataBuffer.Reserved")?;
        let data = r.bytes(len, "ReparseDataBuffer.DataBuffer")?;
        if tag == IO_REPARSE_TAG_SYMLINK {
            Ok(ReparseData::Symlink(SymlinkReparse::decode_data(data)?))
        } else {
            Ok(ReparseData::Other { tag, data })
        }
    }

    /// Returns the reparse tag.
    pub fn tag(&self) -> u32 {
        match self {
            ReparseData::Symlink(_) => IO_REPARSE_TAG_SYMLINK,
            ReparseData::Other { tag, .. } => *tag,
        }
    }

    /// Writes a complete REPARSE_DATA_BUFFER.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            ReparseData::Symlink(s) => s.encode(w),
            ReparseData::Other { tag, data } => {
                w.u32(*tag)?;
                w.u16(header::to_u16(data.len())?)?;
                w.u16(0)?;
                w.bytes(data)
            }
        }
    }
}

/// Length of a resume key (FSCTL_SRV_REQUEST_RESUME_KEY output, copychunk input).
pub const RESUME_KEY_SIZE: usize = 24;

/// Returns the resume key from FSCTL_SRV_REQUEST_RESUME_KEY output.
pub fn resume_key(output: &[u8]) -> Result<[u8; RESUME_KEY_SIZE], DecodeError> {
    Reader::new(output).array("SrvRequestResumeKey.ResumeKey")
}

/// One SRV_COPYCHUNK range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyChunk {
    /// Offset in the source.
    pub source_offset: u64,
    /// Offset in the target.
    pub target_offset: u64,
    /// Bytes to copy.
    pub length: u32,
}

/// Writes an SRV_COPYCHUNK_COPY input buffer.
pub fn encode_copychunk(
    key: &[u8; RESUME_KEY_SIZE],
    chunks: &[CopyChunk],
    w: &mut Writer<'_>,
) -> Result<(), EncodeError> {
    w.bytes(key)?;
    w.u32(header::to_u32(chunks.len())?)?;
    w.u32(0)?;
    for c in chunks {
        w.u64(c.source_offset)?;
        w.u64(c.target_offset)?;
        w.u32(c.length)?;
        w.u32(0)?;
    }
    Ok(())
}

/// SRV_COPYCHUNK_RESPONSE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyChunkResponse {
    /// ChunksWritten (or the server's chunk limit on STATUS_INVALID_PARAMETER).
    pub chunks_written: u32,
    /// ChunkBytesWritten (or the per-chunk byte limit).
    pub chunk_bytes_written: u32,
    /// TotalBytesWritten (or the total byte limit).
    pub total_bytes_written: u32,
}

impl CopyChunkResponse {
    /// Decodes an SRV_COPYCHUNK_RESPONSE output buffer.
    pub fn decode(output: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(output);
        Ok(Self {
            chunks_written: r.u32("CopyChunkResponse.ChunksWritten")?,
            chunk_bytes_written: r.u32("CopyChunkResponse.ChunkBytesWritten")?,
            total_bytes_written: r.u32("CopyChunkResponse.TotalBytesWritten")?,
        })
    }
}
