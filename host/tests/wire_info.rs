// SPDX-License-Identifier: GPL-2.0

//! QUERY_INFO / SET_INFO and the information classes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::cursor::{Reader, Writer};
use smb3rs_proto::proto::header::Body;
use smb3rs_proto::proto::info::*;
use smb3rs_proto::proto::types::{FileAttrs, FileId, Sid, Utf16Str, WireName};
use wire_common::{le16, le32, le64, req, rsp, utf16};

const FID: FileId = FileId {
    persistent: 3,
    volatile: 4,
};

fn bytes(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut b = vec![0u8; 4096];
    let mut w = Writer::new(&mut b);
    f(&mut w);
    let n = w.pos();
    b.truncate(n);
    b
}

#[test]
fn query_info_request_layout() {
    let q = QueryInfoRequest::new(INFO_FILE, FILE_ALL_INFORMATION, FID, 4096);
    let p = req(&q);
    assert_eq!(p.len(), 64 + 41);
    assert_eq!(le16(&p, 64), 41);
    assert_eq!(p[66], INFO_FILE);
    assert_eq!(p[67], 18);
    assert_eq!(le32(&p, 68), 4096);
    assert_eq!(le16(&p, 72), 0);
    assert_eq!(le64(&p, 88), FID.persistent);
    assert_eq!(QueryInfoRequest::decode(&p).unwrap(), q);
    assert_eq!(q.credit_payload(), 4096);

    let sec = QueryInfoRequest::security(
        FID,
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
        65536,
    );
    let p = req(&sec);
    assert_eq!(p[66], INFO_SECURITY);
    assert_eq!(p[67], 0);
    assert_eq!(le32(&p, 80), 7);
    assert_eq!(QueryInfoRequest::decode(&p).unwrap(), sec);

    let ea_names = [0u8, 0, 0, 0, 4, b'u', b's', b'e', b'r', 0];
    let ea = QueryInfoRequest {
        input: &ea_names,
        flags: SL_RESTART_SCAN,
        ..QueryInfoRequest::new(INFO_FILE, FILE_FULL_EA_INFORMATION, FID, 1024)
    };
    let p = req(&ea);
    assert_eq!(le16(&p, 72), 104);
    assert_eq!(le32(&p, 76), 10);
    assert_eq!(&p[104..], &ea_names);
    assert_eq!(QueryInfoRequest::decode(&p).unwrap(), ea);
    wire_common::assert_bad_structure_size(&p, ok!(QueryInfoRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(QueryInfoRequest::decode));
}

#[test]
fn query_info_response_and_all_info() {
    let name = utf16("\\dir\\file");
    let all = FileAllInfo {
        basic: FileBasicInfo {
            creation_time: 1,
            last_access_time: 2,
            last_write_time: 3,
            change_time: 4,
            file_attributes: 0x20,
        },
        standard: FileStandardInfo {
            allocation_size: 8192,
            end_of_file: 5000,
            number_of_links: 1,
            delete_pending: false,
            directory: false,
        },
        index_number: 0x55,
        ea_size: 0,
        access_flags: 0x0012_019F,
        current_byte_offset: 0,
        mode: 0,
        alignment_requirement: 0,
        name: Utf16Str::new(&name).unwrap(),
    };
    let out = bytes(|w| all.encode(w).unwrap());
    assert_eq!(out.len(), FileAllInfo::FIXED_SIZE + name.len());
    assert_eq!(le64(&out, 48), 5000);
    assert_eq!(le64(&out, 64), 0x55);
    assert_eq!(le32(&out, 96), name.len() as u32);
    let p = rsp(&QueryInfoResponse { output: &out });
    assert_eq!(le16(&p, 64), 9);
    assert_eq!(le16(&p, 66), 72);
    assert_eq!(le32(&p, 68), out.len() as u32);
    let d = QueryInfoResponse::decode(&p).unwrap();
    assert_eq!(FileAllInfo::decode(d.output).unwrap(), all);
    assert!(
        FileAllInfo::decode(&out[..out.len() - 2]).is_err(),
        "name cut short"
    );
    assert!(FileBasicInfo::decode(&out[..39]).is_err());
    wire_common::assert_bad_structure_size(&p, ok!(QueryInfoResponse::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(QueryInfoResponse::decode));
}

#[test]
fn small_classes_round_trip() {
    let basic = FileBasicInfo {
        creation_time: 10,
        last_access_time: 11,
        last_write_time: 12,
        change_time: 13,
        file_attributes: 1,
    };
    let b = bytes(|w| basic.encode(w).unwrap());
    assert_eq!(b.len(), FileBasicInfo::SIZE);
    assert_eq!(FileBasicInfo::decode(&b).unwrap(), basic);
    let std_info = FileStandardInfo {
        allocation_size: 1,
        end_of_file: 2,
        number_of_links: 3,
        delete_pending: true,
        directory: true,
    };
    let b = bytes(|w| std_info.encode(w).unwrap());
    assert_eq!(b.len(), FileStandardInfo::SIZE);
    assert_eq!(FileStandardInfo::decode(&b).unwrap(), std_info);
    assert_eq!(decode_internal_info(&7u64.to_le_bytes()).unwrap(), 7);
    assert_eq!(decode_ea_info(&9u32.to_le_bytes()).unwrap(), 9);
    assert_eq!(decode_mode_info(&2u32.to_le_bytes()).unwrap(), 2);
    assert_eq!(decode_u64_info(&5u64.to_le_bytes()).unwrap(), 5);
    assert!(decode_u64_info(&[0; 7]).is_err());
    let a = FileAttrs {
        creation_time: 1,
        last_access_time: 2,
        last_write_time: 3,
        change_time: 4,
        allocation_size: 5,
        end_of_file: 6,
        file_attributes: 7,
    };
    let b = bytes(|w| encode_network_open_info(&a, w).unwrap());
    assert_eq!(b.len(), 56);
    assert_eq!(decode_network_open_info(&b).unwrap(), a);
    assert!(decode_network_open_info(&b[..52]).is_err());
}

#[test]
fn posix_info_class() {
    let mut sids = vec![1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
    sids.extend([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0]);
    let mut r = Reader::new(&sids);
    let owner = Sid::decode(&mut r).unwrap();
    let group = Sid::decode(&mut r).unwrap();
    let p = FilePosixInfo {
        creation_time: 1,
        last_access_time: 2,
        last_write_time: 3,
        change_time: 4,
        end_of_file: 5,
        allocation_size: 6,
        dos_attributes: 7,
        inode: 8,
        device_id: 9,
        hard_links: 10,
        reparse_tag: 11,
        mode: 0o100600,
        owner,
        group,
    };
    let b = bytes(|w| p.encode(w).unwrap());
    assert_eq!(b.len(), FilePosixInfo::FIXED_SIZE + 12 + 16);
    assert_eq!(le64(&b, 32), 5);
    assert_eq!(le64(&b, 40), 6);
    assert_eq!(le64(&b, 52), 8);
    assert_eq!(le32(&b, 76), 0o100600);
    assert_eq!(FilePosixInfo::decode(&b).unwrap(), p);
    assert_eq!(owner.authority(), 5);
    assert_eq!(owner.rid(), Some(18));
    assert!(FilePosixInfo::decode(&b[..b.len() - 1]).is_err());
}

#[test]
fn fs_classes_round_trip() {
    let label = utf16("DATA");
    let v = FsVolumeInfo {
        creation_time: 99,
        serial_number: 0xCAFE,
        supports_objects: true,
        label: Utf16Str::new(&label).unwrap(),
    };
    let b = bytes(|w| v.encode(w).unwrap());
    assert_eq!(b.len(), 18 + 8);
    assert_eq!(FsVolumeInfo::decode(&b).unwrap(), v);
    let s = FsSizeInfo {
        total_allocation_units: 1000,
        available_allocation_units: 10,
        sectors_per_allocation_unit: 8,
        bytes_per_sector: 512,
    };
    let b = bytes(|w| s.encode(w).unwrap());
    assert_eq!(b.len(), 24);
    assert_eq!(FsSizeInfo::decode(&b).unwrap(), s);
    let f = FsFullSizeInfo {
        total_allocation_units: 1000,
        caller_available_allocation_units: 10,
        actual_available_allocation_units: 20,
        sectors_per_allocation_unit: 8,
        bytes_per_sector: 512,
    };
    let b = bytes(|w| f.encode(w).unwrap());
    assert_eq!(b.len(), 32);
    assert_eq!(FsFullSizeInfo::decode(&b).unwrap(), f);
    let name = utf16("NTFS");
    let a = FsAttributeInfo {
        attributes: 0x0000_00FF,
        max_component_name_length: 255,
        name: Utf16Str::new(&name).unwrap(),
    };
    let b = bytes(|w| a.encode(w).unwrap());
    assert_eq!(b.len(), 12 + 8);
    assert_eq!(FsAttributeInfo::decode(&b).unwrap(), a);
    assert!(FsAttributeInfo::decode(&b[..19]).is_err());
    let d = FsDeviceInfo {
        device_type: 7,
        characteristics: 0x20,
    };
    let b = bytes(|w| d.encode(w).unwrap());
    assert_eq!(FsDeviceInfo::decode(&b).unwrap(), d);
    let ss = FsSectorSizeInfo {
        logical_bytes_per_sector: 512,
        physical_bytes_per_sector_for_atomicity: 4096,
        physical_bytes_per_sector_for_performance: 4096,
        fs_effective_physical_bytes_per_sector_for_atomicity: 4096,
        flags: 3,
        byte_offset_for_sector_alignment: 0,
        byte_offset_for_partition_alignment: 0,
    };
    let b = bytes(|w| ss.encode(w).unwrap());
    assert_eq!(b.len(), 28);
    assert_eq!(FsSectorSizeInfo::decode(&b).unwrap(), ss);
}

#[test]
fn set_info_requests() {
    // End of file.
    let s = SetInfoRequest {
        file_id: FID,
        additional_information: 0,
        data: InfoData::EndOfFile(1 << 40),
    };
    let p = req(&s);
    assert_eq!(le16(&p, 64), 33);
    assert_eq!(p[66], INFO_FILE);
    assert_eq!(p[67], FILE_END_OF_FILE_INFORMATION);
    assert_eq!(le32(&p, 68), 8);
    assert_eq!(le16(&p, 72), 96);
    assert_eq!(le64(&p, 96), 1 << 40);
    assert_eq!(p.len(), 104);
    let d = SetInfoRequest::decode(&p).unwrap();
    assert_eq!(
        d.data,
        InfoData::Raw {
            info_type: INFO_FILE,
            class: FILE_END_OF_FILE_INFORMATION,
            data: &(1u64 << 40).to_le_bytes()
        }
    );
    assert_eq!(req(&d), p);
    wire_common::assert_bad_structure_size(&p, ok!(SetInfoRequest::decode));
    wire_common::assert_truncations_fail(&p, p.len(), ok!(SetInfoRequest::decode));

    // Rename with replace, padded to 24 bytes for short names.
    let r = SetInfoRequest {
        file_id: FID,
        additional_information: 0,
        data: InfoData::Rename(FileRenameInfo {
            replace_if_exists: true,
            root_directory: 0,
            name: WireName::Path("a"),
        }),
    };
    let p = req(&r);
    assert_eq!(p[67], FILE_RENAME_INFORMATION);
    assert_eq!(le32(&p, 68), 24);
    assert_eq!(p[96], 1);
    assert_eq!(le32(&p, 96 + 16), 2);
    let d = SetInfoRequest::decode(&p).unwrap();
    let InfoData::Raw { data, .. } = d.data else {
        panic!()
    };
    let ri = FileRenameInfo::decode(data).unwrap();
    assert!(ri.replace_if_exists);
    assert_eq!(ri.name, WireName::Str("a"));
    let long = FileRenameInfo {
        replace_if_exists: false,
        root_directory: 0,
        name: WireName::Path("dir/some longer name"),
    };
    let b = bytes(|w| long.encode(w).unwrap());
    assert_eq!(b.len(), 20 + 40);
    assert_eq!(FileRenameInfo::decode(&b).unwrap(), long);

    // Link, disposition, basic, security descriptor pass-through.
    for (data, class) in [
        (
            InfoData::Link(FileRenameInfo {
                replace_if_exists: false,
                root_directory: 0,
                name: WireName::Str("hard"),
            }),
            FILE_LINK_INFORMATION,
        ),
        (InfoData::Disposition(true), FILE_DISPOSITION_INFORMATION),
        (
            InfoData::Basic(FileBasicInfo::default()),
            FILE_BASIC_INFORMATION,
        ),
        (InfoData::Allocation(4096), FILE_ALLOCATION_INFORMATION),
        (InfoData::Position(1), FILE_POSITION_INFORMATION),
        (InfoData::Mode(2), FILE_MODE_INFORMATION),
    ] {
        let p = req(&SetInfoRequest {
            file_id: FID,
            additional_information: 0,
            data,
        });
        assert_eq!(p[67], class);
        assert_eq!(p[66], INFO_FILE);
    }
    let sd = [
        1u8, 0, 4, 0x80, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let p = req(&SetInfoRequest {
        file_id: FID,
        additional_information: DACL_SECURITY_INFORMATION,
        data: InfoData::SecurityDescriptor(&sd),
    });
    assert_eq!(p[66], INFO_SECURITY);
    assert_eq!(p[67], 0);
    assert_eq!(le32(&p, 76), DACL_SECURITY_INFORMATION);
    assert_eq!(&p[96..], &sd);

    let r = rsp(&SetInfoResponse);
    assert_eq!(r.len(), 66);
    assert!(SetInfoResponse::decode(&r).is_ok());
    wire_common::assert_bad_structure_size(&r, ok!(SetInfoResponse::decode));
}

proptest! {
    #[test]
    fn info_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = FileAllInfo::decode(&data);
        let _ = FilePosixInfo::decode(&data);
        let _ = FsVolumeInfo::decode(&data);
        let _ = FsAttributeInfo::decode(&data);
        let _ = FileRenameInfo::decode(&data);
        let mut p = vec![0u8; 64];
        p.extend(&data);
        let _ = QueryInfoRequest::decode(&p);
        let _ = QueryInfoResponse::decode(&p);
        let _ = SetInfoRequest::decode(&p);
    }
}
