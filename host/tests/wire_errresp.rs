// SPDX-License-Identifier: GPL-2.0

//! ERROR responses, error contexts, the symlink error response, and status mapping.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod wire_common;

use proptest::prelude::*;
use smb3rs_proto::proto::create::CreateResponse;
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::errresp::*;
use smb3rs_proto::proto::header::{Command, Header};
use smb3rs_proto::proto::info::QueryInfoResponse;
use smb3rs_proto::proto::ioctl::{IO_REPARSE_TAG_SYMLINK, SYMLINK_FLAG_RELATIVE};
use smb3rs_proto::proto::status::{self, errno::*, *};
use smb3rs_proto::proto::types::Utf16Str;
use wire_common::{le16, le32, rsp_header, utf16};

fn pdu(hdr: &Header, body: &ErrorResponse<'_>) -> Vec<u8> {
    let mut b = vec![0u8; 1024];
    let mut w = Writer::new(&mut b);
    let n = encode_error_pdu(hdr, body, &mut w).unwrap();
    b.truncate(n);
    b
}

fn symlink_bytes(sub: &[u8], print: &[u8]) -> Vec<u8> {
    let s = SymlinkError {
        reparse_tag: IO_REPARSE_TAG_SYMLINK,
        unparsed_path_length: 8,
        substitute_name: Utf16Str::new(sub).unwrap(),
        print_name: Utf16Str::new(print).unwrap(),
        flags: SYMLINK_FLAG_RELATIVE,
    };
    let mut b = vec![0u8; 1024];
    let mut w = Writer::new(&mut b);
    s.encode(&mut w).unwrap();
    let n = w.pos();
    b.truncate(n);
    b
}

#[test]
fn plain_error_response() {
    let h = rsp_header(Command::Create, STATUS_OBJECT_NAME_NOT_FOUND);
    let p = pdu(&h, &ErrorResponse::default());
    assert_eq!(p.len(), 73);
    assert_eq!(le16(&p, 64), 9);
    assert_eq!(le32(&p, 68), 0);
    let hd = Header::decode(&p).unwrap();
    assert_eq!(hd.command, Command::Create);
    assert!(is_error_response(&hd, &p));
    let e = ErrorResponse::decode(&p).unwrap();
    assert_eq!(e.context_count, 0);
    assert!(e.data.is_empty());
    // ByteCount 0 without the extra byte is tolerated.
    assert!(ErrorResponse::decode(&p[..72]).is_ok());
    wire_common::assert_bad_structure_size(&p, ok!(ErrorResponse::decode));
    // A bare header is accepted as an empty error response; other truncations fail.
    let bare = ErrorResponse::decode(&p[..64]).unwrap();
    assert_eq!(bare, ErrorResponse::default());
    assert!(is_error_response(&hd, &p[..64]));
    for len in (0..72).filter(|&l| l != 64) {
        assert!(ErrorResponse::decode(&p[..len]).is_err(), "prefix {len}");
    }
    let mut bad = p.clone();
    bad[68..72].copy_from_slice(&2u32.to_le_bytes());
    assert!(
        ErrorResponse::decode(&bad).is_err(),
        "ByteCount beyond the PDU"
    );
}

#[test]
fn is_error_response_distinguishes_size_9_bodies() {
    // A successful QUERY_INFO response also has StructureSize 9.
    let q = wire_common::rsp(&QueryInfoResponse {
        output: &[1, 2, 3, 4],
    });
    let h = Header::decode(&q).unwrap();
    assert!(!is_error_response(&h, &q));
    // BUFFER_OVERFLOW comes with a normal body.
    let mut h2 = h;
    h2.status = STATUS_BUFFER_OVERFLOW;
    assert!(!is_error_response(&h2, &q));
    // An interim response is an error body.
    let mut hp = rsp_header(Command::Read, STATUS_PENDING);
    hp.id = smb3rs_proto::proto::header::HeaderId::Async { async_id: 5 };
    let p = pdu(&hp, &ErrorResponse::default());
    assert!(is_error_response(&Header::decode(&p).unwrap(), &p));
    // A CREATE response with an error status but StructureSize 89 is not.
    let c = wire_common::rsp(&CreateResponse::default());
    let mut hc = Header::decode(&c).unwrap();
    hc.status = STATUS_ACCESS_DENIED;
    assert!(!is_error_response(&hc, &c));
}

#[test]
fn symlink_without_contexts() {
    let sub = utf16("..\\b\\c");
    let print = utf16("../b/c");
    let data = symlink_bytes(&sub, &print);
    assert_eq!(le32(&data, 0) as usize, data.len() - 4);
    assert_eq!(le32(&data, 4), SYMLINK_ERROR_TAG);
    let h = rsp_header(Command::Create, STATUS_STOPPED_ON_SYMLINK);
    let p = pdu(
        &h,
        &ErrorResponse {
            context_count: 0,
            data: &data,
        },
    );
    let e = ErrorResponse::decode(&p).unwrap();
    let s = e.symlink().unwrap();
    assert_eq!(s.substitute_name.as_bytes(), &sub[..]);
    assert_eq!(s.print_name.as_bytes(), &print[..]);
    assert_eq!(s.flags, SYMLINK_FLAG_RELATIVE);
    assert_eq!(s.unparsed_path_length, 8);
    assert_eq!(s.reparse_tag, IO_REPARSE_TAG_SYMLINK);
    // Bad tag, names out of range.
    let mut bad = data.clone();
    bad[4] = 0;
    assert!(SymlinkError::decode(&bad).is_err());
    let mut bad = data.clone();
    bad[18..20].copy_from_slice(&200u16.to_le_bytes());
    assert!(SymlinkError::decode(&bad).is_err());
    assert!(SymlinkError::decode(&data[..27]).is_err());
}

#[test]
fn symlink_in_error_contexts() {
    let sub = utf16("\\??\\C:\\target");
    let data = symlink_bytes(&sub, &sub);
    let redirect = [0u8; 5];
    let ctxs = [
        ErrorContext {
            id: ERROR_ID_SHARE_REDIRECT,
            data: &redirect,
        },
        ErrorContext {
            id: ERROR_ID_DEFAULT,
            data: &data,
        },
    ];
    let mut b = vec![0u8; 1024];
    let mut w = Writer::new(&mut b);
    encode_error_contexts(&ctxs, &mut w).unwrap();
    let n = w.pos();
    let ed = &b[..n];
    // Second context starts 8-aligned: 8 + 5 -> 16.
    assert_eq!(le32(ed, 16) as usize, data.len());
    let p = pdu(
        &rsp_header(Command::Create, STATUS_STOPPED_ON_SYMLINK),
        &ErrorResponse {
            context_count: 2,
            data: ed,
        },
    );
    let e = ErrorResponse::decode(&p).unwrap();
    let got: Vec<_> = e.contexts().collect::<Result<_, _>>().unwrap();
    assert_eq!(got, ctxs.to_vec());
    assert_eq!(e.symlink().unwrap().substitute_name.as_bytes(), &sub[..]);
    // A count larger than the data.
    let e3 = ErrorResponse {
        context_count: 3,
        data: ed,
    };
    let r: Vec<_> = e3.contexts().collect();
    assert_eq!(r.len(), 3);
    assert!(r[2].is_err());
}

#[test]
fn buffer_too_small() {
    let need = 4096u32.to_le_bytes();
    let e = ErrorResponse {
        context_count: 0,
        data: &need,
    };
    assert_eq!(e.required_buffer_size().unwrap(), 4096);
    assert!(ErrorResponse::default().required_buffer_size().is_err());
}

#[test]
fn status_mapping() {
    assert_eq!(to_errno(STATUS_SUCCESS), 0);
    let cases = [
        (STATUS_ACCESS_DENIED, EACCES),
        (STATUS_LOGON_FAILURE, EACCES),
        (STATUS_OBJECT_NAME_NOT_FOUND, ENOENT),
        (STATUS_OBJECT_NAME_COLLISION, EEXIST),
        (STATUS_OBJECT_NAME_INVALID, ENOENT),
        (STATUS_OBJECT_PATH_NOT_FOUND, ENOENT),
        (STATUS_BAD_NETWORK_NAME, ENOENT),
        (STATUS_SHARING_VIOLATION, EBUSY),
        (STATUS_NOT_A_DIRECTORY, ENOTDIR),
        (STATUS_FILE_IS_A_DIRECTORY, EISDIR),
        (STATUS_DIRECTORY_NOT_EMPTY, ENOTEMPTY),
        (STATUS_DISK_FULL, ENOSPC),
        (STATUS_DISK_QUOTA_EXCEEDED, EDQUOT),
        (STATUS_QUOTA_EXCEEDED, EDQUOT),
        (STATUS_END_OF_FILE, ENODATA),
        (STATUS_NO_MORE_FILES, ENODATA),
        (STATUS_PENDING, EINPROGRESS),
        (STATUS_MORE_PROCESSING_REQUIRED, EINPROGRESS),
        (STATUS_BUFFER_OVERFLOW, E2BIG),
        (STATUS_NETWORK_SESSION_EXPIRED, EKEYEXPIRED),
        (STATUS_USER_SESSION_DELETED, ENOTCONN),
        (STATUS_NETWORK_NAME_DELETED, EREMCHG),
        (STATUS_NOT_SUPPORTED, EOPNOTSUPP),
        (STATUS_INVALID_PARAMETER, EINVAL),
        (STATUS_FILE_LOCK_CONFLICT, EACCES),
        (STATUS_LOCK_NOT_GRANTED, EACCES),
        (STATUS_DELETE_PENDING, ENOENT),
        (STATUS_CANNOT_DELETE, EACCES),
        (STATUS_IO_TIMEOUT, EAGAIN),
        (STATUS_INSUFFICIENT_RESOURCES, EAGAIN),
        (STATUS_STOPPED_ON_SYMLINK, EOPNOTSUPP),
        (STATUS_FILE_CLOSED, EBADF),
        (STATUS_NAME_TOO_LONG, ENAMETOOLONG),
        (STATUS_NOT_SAME_DEVICE, EXDEV),
        (STATUS_PATH_NOT_COVERED, EREMOTE),
        (STATUS_CANCELLED, ECANCELED),
        (STATUS_NOTIFY_ENUM_DIR, 0),
        (STATUS_INVALID_SIGNATURE, EIO),
        (0xC0FF_FFFF, EIO),
        (0x4000_0000, 0),
    ];
    for (s, e) in cases {
        assert_eq!(to_errno(s), e, "{:#x} ({:?})", s, status::name(s));
    }
    assert_eq!(EACCES, 13);
    assert_eq!(ENOENT, 2);
    assert_eq!(
        status::name(STATUS_ACCESS_DENIED),
        Some("STATUS_ACCESS_DENIED")
    );
    assert_eq!(status::name(0xC0FF_FFFF), None);
    assert!(is_error(STATUS_ACCESS_DENIED) && !is_error(STATUS_BUFFER_OVERFLOW));
    assert!(is_warning(STATUS_STOPPED_ON_SYMLINK));
    assert!(is_success(STATUS_PENDING) && is_success(STATUS_NOTIFY_ENUM_DIR));
    assert_eq!(severity(STATUS_NO_MORE_FILES), Severity::Warning);
}

proptest! {
    #[test]
    fn error_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300), count: u8) {
        let _ = SymlinkError::decode(&data);
        let e = ErrorResponse { context_count: count, data: &data };
        let _ = e.contexts().count();
        let _ = e.symlink();
        let _ = e.required_buffer_size();
        let mut p = vec![0u8; 64];
        p.extend(&data);
        let _ = ErrorResponse::decode(&p).map(|e| e.symlink());
    }

    #[test]
    fn every_status_maps(s: u32) {
        let e = to_errno(s);
        prop_assert!(e >= 0);
        prop_assert!(e < 4096);
    }
}
