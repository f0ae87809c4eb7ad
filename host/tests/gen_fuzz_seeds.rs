// SPDX-License-Identifier: GPL-2.0

//! Seed inputs of the fuzz targets in `host/fuzz/`, built from valid encodings and
//! real captured messages.
//!
//! The seeds are checked in under `host/fuzz/seeds/<target>/`; `scripts/fuzz.sh` copies
//! them into each target's (gitignored) corpus. This test fails when the checked-in
//! files differ from what the encoders produce now; regenerate them with
//!
//! ```text
//! SMB3RS_WRITE_SEEDS=1 cargo test --test gen_fuzz_seeds
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

mod auth_common;
mod wire_common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use auth_common::{h, FINAL_SESSION_SETUP_RESPONSE, PREAUTH_EXCHANGE};
use wire_common::{ea_entry, encode, req, rsp, rsp_header, utf16};

use smb3rs_proto::proto::close::{CloseRequest, CloseResponse, CLOSE_FLAG_POSTQUERY_ATTRIB};
use smb3rs_proto::proto::compound::{self, Builder};
use smb3rs_proto::proto::create::{
    self, CreateContext, CreateContexts, CreateRequest, CreateResponse, Lease, LeaseV2,
    PosixCreateResponse,
};
use smb3rs_proto::proto::cursor::Writer;
use smb3rs_proto::proto::dir::{
    self, DirClass, DirEntry, QueryDirectoryRequest, QueryDirectoryResponse,
};
use smb3rs_proto::proto::error::EncodeError;
use smb3rs_proto::proto::errresp::{self, ErrorContext, ErrorResponse, SymlinkError};
use smb3rs_proto::proto::header::{
    self, Command, Header, HeaderId, FLAG_ASYNC_COMMAND, FLAG_RELATED_OPERATIONS,
    FLAG_SERVER_TO_REDIR, FLAG_SIGNED,
};
use smb3rs_proto::proto::info::{
    self, FileAllInfo, FileBasicInfo, FilePosixInfo, FileRenameInfo, FileStandardInfo,
    FsAttributeInfo, FsFullSizeInfo, FsSectorSizeInfo, FsSizeInfo, FsVolumeInfo, InfoData,
    QueryInfoRequest, QueryInfoResponse, SetInfoRequest,
};
use smb3rs_proto::proto::io::{
    BufferDescriptorV1, FlushRequest, FlushResponse, ReadRequest, ReadResponse, WriteRequest,
    WriteResponse, CHANNEL_RDMA_V1, READ_RESPONSE_DATA_OFFSET,
};
use smb3rs_proto::proto::ioctl::{
    self, IoctlRequest, IoctlResponse, NetworkInterface, ReparseData, SockAddr, SymlinkReparse,
};
use smb3rs_proto::proto::lock::{LockElement, LockRequest, LockResponse};
use smb3rs_proto::proto::misc::EchoRequest;
use smb3rs_proto::proto::negotiate::{
    NegotiateContext, NegotiateContexts, NegotiateResponse, U16List, Utf16Text,
    ValidateNegotiateInfoRequest, ValidateNegotiateInfoResponse,
};
use smb3rs_proto::proto::notify::{self, Change, ChangeNotifyRequest, ChangeNotifyResponse};
use smb3rs_proto::proto::ntlmssp::{self, ChallengeMessage, Version};
use smb3rs_proto::proto::oplock::{
    LeaseBreakAck, LeaseBreakNotification, OplockBreak, ServerToClientNotification,
};
use smb3rs_proto::proto::session::{self, SessionSetupRequest, SessionSetupResponse};
use smb3rs_proto::proto::spnego::{self, NegState, NegTokenResp};
use smb3rs_proto::proto::status;
use smb3rs_proto::proto::transform::{
    TransformHeader, COMPRESSION_PROTOCOL_ID, TRANSFORM_HEADER_LEN,
};
use smb3rs_proto::proto::tree::{TreeConnectExtension, TreeConnectRequest, TreeConnectResponse};
use smb3rs_proto::proto::types::{FileAttrs, FileId, FixedList, Sid, Utf16Str, WireName};

type Seeds = BTreeMap<&'static str, Vec<(String, Vec<u8>)>>;

/// Adds seeds to a target.
fn put(s: &mut Seeds, target: &'static str, list: Vec<(&str, Vec<u8>)>) {
    s.entry(target)
        .or_default()
        .extend(list.into_iter().map(|(n, d)| (n.to_string(), d)));
}

const FID: FileId = FileId {
    persistent: 0x0000_0001_0000_0042,
    volatile: 0x0000_0002_0000_0099,
};

const ATTRS: FileAttrs = FileAttrs {
    creation_time: 0x01D9_0000_0000_0000,
    last_access_time: 0x01D9_0000_0000_0001,
    last_write_time: 0x01D9_0000_0000_0002,
    change_time: 0x01D9_0000_0000_0003,
    allocation_size: 4096,
    end_of_file: 1234,
    file_attributes: 0x20,
};

/// Runs an encoder into a fresh vector.
fn bytes(f: impl Fn(&mut Writer<'_>) -> Result<(), EncodeError>) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let mut w = Writer::new(&mut buf);
    f(&mut w).expect("seed encodes");
    let n = w.pos();
    buf.truncate(n);
    buf
}

/// S-1-5-21-1-2-3-<rid>.
fn sid_bytes(rid: u32) -> Vec<u8> {
    let mut v = vec![1, 5, 0, 0, 0, 0, 0, 5];
    for sub in [21u32, 1, 2, 3, rid] {
        v.extend_from_slice(&sub.to_le_bytes());
    }
    v
}

fn real(i: usize) -> Vec<u8> {
    h(PREAUTH_EXCHANGE[i].0)
}

fn header_seeds(s: &mut Seeds) {
    let mut async_rsp = rsp_header(Command::Write, status::STATUS_PENDING);
    async_rsp.id = HeaderId::Async { async_id: 0x55 };
    async_rsp.flags |= FLAG_ASYNC_COMMAND;
    async_rsp.credits = 1;
    let mut signed = Header::new(Command::Read);
    signed.flags = FLAG_SIGNED | FLAG_RELATED_OPERATIONS;
    signed.set_tree_id(9);
    signed.set_priority(3);
    signed.session_id = 0x1122_3344_5566_7788;
    signed.signature = [0x5A; 16];
    signed.next_command = 0x68;
    put(
        s,
        "header",
        vec![
            ("negotiate_request", real(0)[..64].to_vec()),
            ("async_pending", bytes(|w| async_rsp.encode(w))),
            ("signed_related", bytes(|w| signed.encode(w))),
        ],
    );
}

fn create_response_contexts(posix: &[u8]) -> Vec<CreateContext<'_>> {
    let mut r = smb3rs_proto::proto::cursor::Reader::new(posix);
    let owner = Sid::decode(&mut r).unwrap();
    let group = Sid::decode(&mut r).unwrap();
    vec![
        CreateContext::MaximalAccess {
            query_status: 0,
            maximal_access: 0x001F_01FF,
        },
        CreateContext::OnDiskId {
            disk_file_id: 0x1234,
            volume_id: 0x77,
        },
        CreateContext::Lease(Lease {
            key: [7; 16],
            state: create::LEASE_READ_CACHING | create::LEASE_HANDLE_CACHING,
            flags: 0,
            duration: 0,
            v2: Some(LeaseV2 {
                parent_key: [8; 16],
                epoch: 2,
            }),
        }),
        CreateContext::DurableV2Response {
            timeout: 60000,
            flags: 0,
        },
        CreateContext::PosixResponse(PosixCreateResponse {
            nlink: 1,
            reparse_tag: 0,
            mode: 0o100644,
            owner,
            group,
        }),
    ]
}

fn create_request_contexts() -> Vec<CreateContext<'static>> {
    vec![
        CreateContext::DurableV2Request {
            timeout: 0,
            flags: 0,
            create_guid: [3; 16],
        },
        CreateContext::Lease(Lease {
            key: [7; 16],
            state: create::LEASE_READ_CACHING,
            flags: 0,
            duration: 0,
            v2: None,
        }),
        CreateContext::QueryMaximalAccess { timestamp: None },
        CreateContext::QueryOnDiskId,
        CreateContext::Posix { mode: 0o644 },
        CreateContext::Raw {
            name: b"ExtA",
            data: &[
                0, 0, 0, 0, 0, 4, 2, 0, b'a', b'b', b'c', b'd', 0, b'x', b'y',
            ],
        },
    ]
}

fn create_seeds(s: &mut Seeds) -> Vec<u8> {
    let mut posix = sid_bytes(1000);
    posix.extend(sid_bytes(513));
    let rsp_ctx = create_response_contexts(&posix);
    let req_ctx = create_request_contexts();
    let full = CreateResponse {
        oplock_level: create::OPLOCK_LEVEL_LEASE,
        flags: 0,
        create_action: 1,
        attrs: ATTRS,
        file_id: FID,
        contexts: CreateContexts::Items(&rsp_ctx),
    };
    let plain = CreateResponse {
        contexts: CreateContexts::Items(&[]),
        ..full
    };
    let request = CreateRequest {
        requested_oplock_level: create::OPLOCK_LEVEL_LEASE,
        desired_access: create::GENERIC_READ,
        name: WireName::Path("dir/file.txt"),
        contexts: CreateContexts::Items(&req_ctx),
        ..CreateRequest::default()
    };
    let full_pdu = rsp(&full);
    assert!(CreateResponse::decode(&full_pdu)
        .unwrap()
        .lease()
        .unwrap()
        .is_some());
    let req_pdu = req(&request);
    CreateRequest::decode(&req_pdu).unwrap();
    put(
        s,
        "create",
        vec![
            ("response_contexts", full_pdu),
            ("response_plain", rsp(&plain)),
            ("request_contexts", req_pdu),
        ],
    );
    put(
        s,
        "create_contexts",
        vec![
            (
                "response_chain",
                bytes(|w| create::encode_contexts(&rsp_ctx, w).map(|_| ())),
            ),
            (
                "request_chain",
                bytes(|w| create::encode_contexts(&req_ctx, w).map(|_| ())),
            ),
        ],
    );
    rsp(&plain)
}

fn negotiate_seeds(s: &mut Seeds) {
    let token =
        bytes(|w| spnego::encode_neg_token_init(w, &[spnego::OID_NTLMSSP, spnego::OID_KRB5], None));
    let salt = [0xAA; 32];
    let ctxs = [
        NegotiateContext::PreauthIntegrity {
            hash_algorithms: U16List::new(&[1]),
            salt: &salt,
        },
        NegotiateContext::Encryption {
            ciphers: U16List::new(&[2]),
        },
        NegotiateContext::Signing {
            algorithms: U16List::new(&[2]),
        },
        NegotiateContext::Compression {
            flags: 0,
            algorithms: U16List::new(&[1, 2]),
        },
        NegotiateContext::NetName(Utf16Text::Str("server")),
        NegotiateContext::Transport { flags: 1 },
        NegotiateContext::RdmaTransform {
            transforms: U16List::new(&[1, 2]),
        },
        NegotiateContext::Posix,
        NegotiateContext::Other {
            context_type: 0x99,
            data: &[1, 2, 3],
        },
    ];
    let r311 = NegotiateResponse {
        security_mode: 1,
        dialect_revision: 0x0311,
        server_guid: [0x42; 16],
        capabilities: 0x2F,
        max_transact_size: 8 << 20,
        max_read_size: 8 << 20,
        max_write_size: 8 << 20,
        system_time: 0x01D9_0000_0000_0000,
        server_start_time: 0,
        security_buffer: &token,
        contexts: NegotiateContexts::new(&ctxs),
    };
    let r302 = NegotiateResponse {
        dialect_revision: 0x0302,
        security_buffer: &[],
        contexts: NegotiateContexts::none(),
        ..r311
    };
    let all = rsp(&r311);
    NegotiateResponse::decode(&all).unwrap().selected().unwrap();
    put(
        s,
        "negotiate",
        vec![
            ("windows_response_311", real(1)),
            ("windows_request_311", real(0)),
            ("all_contexts_311", all),
            ("response_302", rsp(&r302)),
        ],
    );
}

fn session_and_auth_seeds(s: &mut Seeds) {
    let final_rsp = h(FINAL_SESSION_SETUP_RESPONSE);
    let logoff = encode(&Header::new(Command::Logoff), &session::Logoff);
    put(
        s,
        "session",
        vec![
            ("windows_request_negotiate", real(2)),
            ("windows_response_challenge", real(3)),
            ("windows_request_authenticate", real(4)),
            ("windows_response_final", final_rsp.clone()),
            ("logoff", logoff),
        ],
    );

    let neg_buf = NegotiateResponse::decode(&real(1))
        .unwrap()
        .security_buffer
        .to_vec();
    let req1 = real(2);
    let t1 = SessionSetupRequest::decode(&req1)
        .unwrap()
        .security_buffer
        .to_vec();
    let rsp1 = real(3);
    let t2 = SessionSetupResponse::decode(&rsp1)
        .unwrap()
        .security_buffer
        .to_vec();
    let req2 = real(4);
    let t3 = SessionSetupRequest::decode(&req2)
        .unwrap()
        .security_buffer
        .to_vec();
    let t4 = SessionSetupResponse::decode(&final_rsp)
        .unwrap()
        .security_buffer
        .to_vec();
    let resp = NegTokenResp {
        neg_state: Some(NegState::RequestMic),
        supported_mech: Some(spnego::OID_NTLMSSP),
        response_token: Some(b"NTLMSSP\0"),
        mech_list_mic: Some(&[1; 16]),
    };
    put(
        s,
        "spnego",
        vec![
            ("neg_token_init2", neg_buf),
            ("initial_context_token", t1.clone()),
            ("resp_challenge", t2.clone()),
            ("resp_authenticate", t3.clone()),
            ("resp_final_mic", t4),
            ("resp_all_fields", bytes(|w| resp.encode(w))),
        ],
    );

    let inner = |t: &[u8]| -> Vec<u8> {
        match spnego::decode(t).unwrap() {
            spnego::NegotiationToken::Init(i) => i.mech_token.unwrap().to_vec(),
            spnego::NegotiationToken::Resp(r) => r.response_token.unwrap().to_vec(),
        }
    };
    let mut ti = Vec::new();
    for (id, v) in [
        (ntlmssp::av_id::NB_DOMAIN_NAME, utf16("DOM")),
        (ntlmssp::av_id::NB_COMPUTER_NAME, utf16("SRV")),
        (ntlmssp::av_id::TIMESTAMP, vec![1, 2, 3, 4, 5, 6, 7, 8]),
        (ntlmssp::av_id::FLAGS, 2u32.to_le_bytes().to_vec()),
        (ntlmssp::av_id::EOL, vec![]),
    ] {
        ti.extend_from_slice(&id.to_le_bytes());
        ti.extend_from_slice(&(v.len() as u16).to_le_bytes());
        ti.extend_from_slice(&v);
    }
    let name = utf16("DOM");
    let challenge = ChallengeMessage {
        flags: 0xE28A_8215,
        server_challenge: [9; 8],
        target_name: &name,
        target_info: &ti,
        version: Some(Version {
            major: 10,
            minor: 0,
            build: 19041,
            revision: ntlmssp::NTLMSSP_REVISION_W2K3,
        }),
        raw: &[],
    };
    let enc = bytes(|w| challenge.encode(w));
    assert!(ChallengeMessage::decode(&enc)
        .unwrap()
        .timestamp()
        .is_some());
    put(
        s,
        "ntlmssp",
        vec![
            ("windows_negotiate", inner(&t1)),
            ("windows_challenge", inner(&t2)),
            ("windows_authenticate", inner(&t3)),
            ("challenge_with_version", enc),
        ],
    );
}

fn io_seeds(s: &mut Seeds) {
    let read = ReadResponse {
        data_offset: READ_RESPONSE_DATA_OFFSET,
        data_length: 5,
        data_remaining: 0,
        flags: 0,
    };
    let mut read_pdu = rsp(&read);
    read_pdu.extend_from_slice(b"hello");
    assert_eq!(
        ReadResponse::decode(&read_pdu)
            .unwrap()
            .data(&read_pdu)
            .unwrap(),
        b"hello"
    );
    let mut write_pdu = req(&WriteRequest::new(FID, 4096, 5));
    write_pdu.extend_from_slice(b"world");
    WriteRequest::decode(&write_pdu).unwrap();
    let desc = [BufferDescriptorV1 {
        offset: 0x1000,
        token: 0x22,
        length: 65536,
    }];
    let rdma_read = ReadRequest {
        channel: CHANNEL_RDMA_V1,
        channel_info: FixedList::Items(&desc),
        ..ReadRequest::new(FID, 0, 65536)
    };
    put(
        s,
        "io",
        vec![
            ("read_response", read_pdu),
            (
                "write_response",
                rsp(&WriteResponse {
                    count: 5,
                    remaining: 0,
                }),
            ),
            ("flush_response", rsp(&FlushResponse)),
            ("read_request_rdma", req(&rdma_read)),
            ("write_request", write_pdu),
            ("flush_request", req(&FlushRequest { file_id: FID })),
        ],
    );
    let locks = [
        LockElement {
            offset: 0,
            length: 100,
            flags: 2,
        },
        LockElement {
            offset: 200,
            length: 1,
            flags: 0x11,
        },
    ];
    put(
        s,
        "close_lock",
        vec![
            (
                "close_response",
                rsp(&CloseResponse {
                    flags: CLOSE_FLAG_POSTQUERY_ATTRIB,
                    attrs: ATTRS,
                }),
            ),
            (
                "close_request",
                req(&CloseRequest {
                    flags: 1,
                    file_id: FID,
                }),
            ),
            (
                "lock_request",
                req(&LockRequest {
                    lock_sequence: 0x11,
                    file_id: FID,
                    locks: FixedList::Items(&locks),
                }),
            ),
            ("lock_response", rsp(&LockResponse)),
        ],
    );
}

fn ioctl_seeds(s: &mut Seeds) {
    let ifaces = [
        NetworkInterface {
            if_index: 2,
            capability: ioctl::RSS_CAPABLE,
            link_speed: 10_000_000_000,
            address: SockAddr::V4 {
                addr: [192, 168, 1, 10],
                port: 445,
            },
        },
        NetworkInterface {
            if_index: 3,
            capability: ioctl::RDMA_CAPABLE,
            link_speed: 1_000_000_000,
            address: SockAddr::V6 {
                addr: [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8],
                port: 445,
                flow_info: 0,
                scope_id: 3,
            },
        },
        NetworkInterface {
            if_index: 4,
            capability: 0,
            link_speed: 0,
            address: SockAddr::Other { family: 0x1234 },
        },
    ];
    let list = bytes(|w| ioctl::encode_network_interfaces(&ifaces, w));
    assert_eq!(ioctl::network_interfaces(&list).count(), 3);
    put(s, "network_interfaces", vec![("three", list.clone())]);

    let reparse = ReparseData::Symlink(SymlinkReparse {
        substitute_name: WireName::Str("..\\target"),
        print_name: WireName::Str("../target"),
        flags: ioctl::SYMLINK_FLAG_RELATIVE,
    });
    let reparse = bytes(|w| reparse.encode(w));
    let vni = bytes(|w| {
        ValidateNegotiateInfoResponse {
            capabilities: 0x2F,
            guid: [0x42; 16],
            security_mode: 1,
            dialect: 0x0302,
        }
        .encode(w)
    });
    let dialects = [0x0202u16, 0x0210, 0x0300, 0x0302];
    let vni_req = bytes(|w| {
        ValidateNegotiateInfoRequest {
            capabilities: 0x7F,
            guid: [0x24; 16],
            security_mode: 1,
            dialects: U16List::new(&dialects),
        }
        .encode(w)
    });
    let mut copychunk = Vec::new();
    for v in [1u32, 65536, 65536] {
        copychunk.extend_from_slice(&v.to_le_bytes());
    }
    let out = |ctl: u32, output: &[u8]| {
        rsp(&IoctlResponse {
            ctl_code: ctl,
            file_id: FID,
            input: &[],
            output,
            flags: 0,
        })
    };
    put(
        s,
        "ioctl",
        vec![
            (
                "interfaces",
                out(ioctl::FSCTL_QUERY_NETWORK_INTERFACE_INFO, &list),
            ),
            (
                "reparse_symlink",
                out(ioctl::FSCTL_GET_REPARSE_POINT, &reparse),
            ),
            (
                "validate_negotiate",
                out(ioctl::FSCTL_VALIDATE_NEGOTIATE_INFO, &vni),
            ),
            (
                "copychunk",
                out(ioctl::FSCTL_SRV_COPYCHUNK_WRITE, &copychunk),
            ),
            (
                "resume_key",
                out(ioctl::FSCTL_SRV_REQUEST_RESUME_KEY, &[0x33; 32]),
            ),
            (
                "validate_negotiate_request",
                req(&IoctlRequest::fsctl(
                    ioctl::FSCTL_VALIDATE_NEGOTIATE_INFO,
                    FileId::COMPOUND,
                    &vni_req,
                    24,
                )),
            ),
        ],
    );
}

fn posix_info<'a>(sids: &'a [u8]) -> FilePosixInfo<'a> {
    let mut r = smb3rs_proto::proto::cursor::Reader::new(sids);
    FilePosixInfo {
        creation_time: 1,
        last_access_time: 2,
        last_write_time: 3,
        change_time: 4,
        end_of_file: 5,
        allocation_size: 4096,
        dos_attributes: 0x10,
        inode: 0xABCDEF,
        device_id: 0x801,
        hard_links: 2,
        reparse_tag: 0,
        mode: 0o40755,
        owner: Sid::decode(&mut r).unwrap(),
        group: Sid::decode(&mut r).unwrap(),
    }
}

fn dir_seeds(s: &mut Seeds) {
    let mut sids = sid_bytes(1000);
    sids.extend(sid_bytes(513));
    let posix = posix_info(&sids);
    let names = [
        utf16("."),
        utf16(".."),
        utf16("file.txt"),
        utf16("\u{e9}t\u{e9} \u{1F600}"),
    ];
    let short = utf16("FILE~1.TXT");
    let mut seeds = Vec::new();
    let labels = [
        "directory",
        "full",
        "both",
        "names",
        "id_both",
        "id_full",
        "posix",
    ];
    for (class, label) in [
        DirClass::Directory,
        DirClass::FullDirectory,
        DirClass::BothDirectory,
        DirClass::Names,
        DirClass::IdBothDirectory,
        DirClass::IdFullDirectory,
        DirClass::Posix,
    ]
    .into_iter()
    .zip(labels)
    {
        let both = matches!(class, DirClass::BothDirectory | DirClass::IdBothDirectory);
        let list: Vec<DirEntry<'_>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| DirEntry {
                file_index: i as u32,
                creation_time: ATTRS.creation_time,
                last_access_time: ATTRS.last_access_time,
                last_write_time: ATTRS.last_write_time,
                change_time: ATTRS.change_time,
                end_of_file: 100 * i as u64,
                allocation_size: 4096,
                file_attributes: if i < 2 { 0x10 } else { 0x20 },
                ea_size: 0,
                file_id: Some(0x100 + i as u64),
                short_name: both.then(|| Utf16Str::new(&short).unwrap()),
                posix: Some(posix),
                name: Utf16Str::new(n).unwrap(),
            })
            .collect();
        let buf = bytes(|w| dir::encode_entries(&list, class, w));
        assert_eq!(
            dir::entries(&buf, class).filter(|e| e.is_ok()).count(),
            names.len()
        );
        if class == DirClass::IdBothDirectory {
            seeds.push((
                "query_directory_response",
                rsp(&QueryDirectoryResponse { output: &buf }),
            ));
        }
        seeds.push((label, buf));
    }
    seeds.push((
        "query_directory_request",
        req(&QueryDirectoryRequest::new(
            DirClass::IdBothDirectory,
            FID,
            65536,
        )),
    ));
    put(s, "dir", seeds);
}

fn info_seeds(s: &mut Seeds) {
    let mut sids = sid_bytes(1000);
    sids.extend(sid_bytes(513));
    let basic = FileBasicInfo {
        creation_time: 1,
        last_access_time: 2,
        last_write_time: 3,
        change_time: 4,
        file_attributes: 0x20,
    };
    let standard = FileStandardInfo {
        allocation_size: 4096,
        end_of_file: 1234,
        number_of_links: 1,
        delete_pending: false,
        directory: false,
    };
    let name = utf16("\\dir\\file.txt");
    let all = FileAllInfo {
        basic,
        standard,
        index_number: 0x42,
        ea_size: 0,
        access_flags: 0x0012_019F,
        current_byte_offset: 0,
        mode: 0,
        alignment_requirement: 0,
        name: Utf16Str::new(&name).unwrap(),
    };
    let all_bytes = bytes(|w| all.encode(w));
    let label = utf16("VOLUME");
    let fsname = utf16("NTFS");
    let rename = FileRenameInfo {
        replace_if_exists: true,
        root_directory: 0,
        name: WireName::Path("dir/new name"),
    };
    put(
        s,
        "query_info",
        vec![
            ("file_all", all_bytes.clone()),
            ("file_basic", bytes(|w| basic.encode(w))),
            ("file_standard", bytes(|w| standard.encode(w))),
            ("file_posix", bytes(|w| posix_info(&sids).encode(w))),
            ("file_rename", bytes(|w| rename.encode(w))),
            (
                "fs_volume",
                bytes(|w| {
                    FsVolumeInfo {
                        creation_time: 7,
                        serial_number: 0xDEAD_BEEF,
                        supports_objects: false,
                        label: Utf16Str::new(&label).unwrap(),
                    }
                    .encode(w)
                }),
            ),
            (
                "fs_size",
                bytes(|w| {
                    FsSizeInfo {
                        total_allocation_units: 1000,
                        available_allocation_units: 500,
                        sectors_per_allocation_unit: 8,
                        bytes_per_sector: 512,
                    }
                    .encode(w)
                }),
            ),
            (
                "fs_full_size",
                bytes(|w| {
                    FsFullSizeInfo {
                        total_allocation_units: 1000,
                        caller_available_allocation_units: 400,
                        actual_available_allocation_units: 500,
                        sectors_per_allocation_unit: 8,
                        bytes_per_sector: 512,
                    }
                    .encode(w)
                }),
            ),
            (
                "fs_attribute",
                bytes(|w| {
                    FsAttributeInfo {
                        attributes: 0x0003_00FF,
                        max_component_name_length: 255,
                        name: Utf16Str::new(&fsname).unwrap(),
                    }
                    .encode(w)
                }),
            ),
            (
                "fs_sector_size",
                bytes(|w| {
                    FsSectorSizeInfo {
                        logical_bytes_per_sector: 512,
                        physical_bytes_per_sector_for_atomicity: 4096,
                        physical_bytes_per_sector_for_performance: 4096,
                        fs_effective_physical_bytes_per_sector_for_atomicity: 4096,
                        flags: 3,
                        byte_offset_for_sector_alignment: 0,
                        byte_offset_for_partition_alignment: 0,
                    }
                    .encode(w)
                }),
            ),
            ("sid", sid_bytes(1000)),
            (
                "query_info_response",
                rsp(&QueryInfoResponse { output: &all_bytes }),
            ),
            (
                "query_info_request",
                req(&QueryInfoRequest::new(
                    info::INFO_FILE,
                    info::FILE_ALL_INFORMATION,
                    FID,
                    4096,
                )),
            ),
            (
                "set_info_rename",
                req(&SetInfoRequest {
                    file_id: FID,
                    additional_information: 0,
                    data: InfoData::Rename(rename),
                }),
            ),
        ],
    );
}

fn notify_oplock_error_tree_seeds(s: &mut Seeds) {
    let n1 = utf16("old");
    let n2 = utf16("new name");
    let n3 = utf16("d\u{e9}j\u{e0}");
    let changes = [
        Change {
            action: notify::FILE_ACTION_RENAMED_OLD_NAME,
            name: Utf16Str::new(&n1).unwrap(),
        },
        Change {
            action: notify::FILE_ACTION_RENAMED_NEW_NAME,
            name: Utf16Str::new(&n2).unwrap(),
        },
        Change {
            action: notify::FILE_ACTION_ADDED,
            name: Utf16Str::new(&n3).unwrap(),
        },
    ];
    let chain = bytes(|w| notify::encode_changes(&changes, w));
    put(
        s,
        "notify",
        vec![
            ("changes", chain.clone()),
            (
                "change_notify_response",
                rsp(&ChangeNotifyResponse { output: &chain }),
            ),
            (
                "change_notify_request",
                req(&ChangeNotifyRequest {
                    flags: 1,
                    output_buffer_length: 4096,
                    file_id: FID,
                    completion_filter: 0x17,
                }),
            ),
        ],
    );

    let mut notification = Header::new(Command::OplockBreak);
    notification.flags = FLAG_SERVER_TO_REDIR;
    notification.message_id = header::NOTIFICATION_MESSAGE_ID;
    put(
        s,
        "oplock",
        vec![
            (
                "oplock_break",
                encode(
                    &notification,
                    &OplockBreak {
                        oplock_level: 1,
                        file_id: FID,
                    },
                ),
            ),
            (
                "lease_break",
                encode(
                    &notification,
                    &LeaseBreakNotification {
                        new_epoch: 3,
                        flags: 1,
                        lease_key: [7; 16],
                        current_lease_state: 7,
                        new_lease_state: 1,
                        ..LeaseBreakNotification::default()
                    },
                ),
            ),
            (
                "lease_break_ack",
                rsp(&LeaseBreakAck {
                    flags: 0,
                    lease_key: [7; 16],
                    lease_state: 1,
                    lease_duration: 0,
                }),
            ),
            (
                "server_to_client",
                rsp(&ServerToClientNotification {
                    notification_type: 0,
                }),
            ),
        ],
    );

    let sub = utf16("..\\target");
    let print = utf16("../target");
    let symlink = SymlinkError {
        reparse_tag: ioctl::IO_REPARSE_TAG_SYMLINK,
        unparsed_path_length: 8,
        substitute_name: Utf16Str::new(&sub).unwrap(),
        print_name: Utf16Str::new(&print).unwrap(),
        flags: 1,
    };
    let sl = bytes(|w| symlink.encode(w));
    let ctxs = bytes(|w| {
        errresp::encode_error_contexts(
            &[
                ErrorContext {
                    id: errresp::ERROR_ID_DEFAULT,
                    data: &sl,
                },
                ErrorContext {
                    id: errresp::ERROR_ID_SHARE_REDIRECT,
                    data: &[1, 2, 3, 4],
                },
            ],
            w,
        )
    });
    let err = |st: u32, body: &ErrorResponse<'_>| {
        bytes(|w| errresp::encode_error_pdu(&rsp_header(Command::Create, st), body, w).map(|_| ()))
    };
    let too_small = 96u32.to_le_bytes();
    let sym_pdu = err(
        status::STATUS_STOPPED_ON_SYMLINK,
        &ErrorResponse {
            context_count: 0,
            data: &sl,
        },
    );
    assert!(ErrorResponse::decode(&sym_pdu).unwrap().symlink().is_ok());
    put(
        s,
        "error",
        vec![
            ("symlink", sym_pdu),
            (
                "symlink_contexts",
                err(
                    status::STATUS_STOPPED_ON_SYMLINK,
                    &ErrorResponse {
                        context_count: 2,
                        data: &ctxs,
                    },
                ),
            ),
            (
                "buffer_too_small",
                err(
                    status::STATUS_BUFFER_TOO_SMALL,
                    &ErrorResponse {
                        context_count: 0,
                        data: &too_small,
                    },
                ),
            ),
            (
                "bare_header",
                bytes(|w| {
                    rsp_header(Command::Read, status::STATUS_OBJECT_NAME_NOT_FOUND).encode(w)
                }),
            ),
        ],
    );

    let tcctx = [1u8, 0, 4, 0, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF];
    put(
        s,
        "tree",
        vec![
            (
                "tree_connect_response",
                rsp(&TreeConnectResponse {
                    share_type: 1,
                    share_flags: 0x0000_0800,
                    capabilities: 0x10,
                    maximal_access: 0x001F_01FF,
                }),
            ),
            (
                "tree_connect_request",
                req(&TreeConnectRequest {
                    flags: 0,
                    path: WireName::Str("\\\\server\\share"),
                    extension: None,
                }),
            ),
            (
                "tree_connect_request_extension",
                req(&TreeConnectRequest {
                    flags: 0,
                    path: WireName::Str("\\\\server\\share"),
                    extension: Some(TreeConnectExtension {
                        context_count: 1,
                        contexts: &tcctx,
                    }),
                }),
            ),
            (
                "tree_disconnect",
                req(&smb3rs_proto::proto::tree::TreeDisconnectRequest),
            ),
            ("echo", req(&EchoRequest)),
        ],
    );
}

fn compound_and_transform_seeds(s: &mut Seeds, create_plain: &[u8]) {
    let output = [0x11u8; 40];
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    let mut b = Builder::new(&mut w, true);
    b.push(
        &rsp_header(Command::Create, 0),
        &CreateResponse {
            file_id: FID,
            attrs: ATTRS,
            ..CreateResponse::default()
        },
    )
    .unwrap();
    b.push(
        &rsp_header(Command::QueryInfo, 0),
        &QueryInfoResponse { output: &output },
    )
    .unwrap();
    b.push(&rsp_header(Command::Close, 0), &CloseResponse::default())
        .unwrap();
    let n = b.finish();
    let related = buf[..n].to_vec();
    assert_eq!(compound::split(&related).filter(|p| p.is_ok()).count(), 3);

    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    let mut b = Builder::new(&mut w, true);
    b.push(&rsp_header(Command::Create, 0), &CreateResponse::default())
        .unwrap();
    let start = b.begin_raw().unwrap();
    errresp::encode_error_pdu(
        &rsp_header(Command::Write, status::STATUS_OBJECT_NAME_NOT_FOUND),
        &ErrorResponse::default(),
        b.writer(),
    )
    .unwrap();
    b.end_raw(start).unwrap();
    b.push(&rsp_header(Command::Flush, 0), &FlushResponse)
        .unwrap();
    let n = b.finish();
    let with_error = buf[..n].to_vec();
    assert_eq!(
        compound::split(&with_error).filter(|p| p.is_ok()).count(),
        3
    );

    put(
        s,
        "compound",
        vec![
            ("related_create_query_close", related.clone()),
            ("related_with_error", with_error),
            ("single_create", create_plain.to_vec()),
            ("session_setup_challenge", real(3)),
        ],
    );

    let frame = |msg: &[u8], flags: u16| {
        let mut hdr = [0u8; TRANSFORM_HEADER_LEN];
        TransformHeader {
            signature: [0; 16],
            nonce: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0],
            original_message_size: msg.len() as u32,
            flags,
            session_id: 0x1122_3344_5566_7788,
        }
        .encode(&mut hdr);
        let mut v = hdr.to_vec();
        v.extend_from_slice(msg);
        v
    };
    let mut compressed = COMPRESSION_PROTOCOL_ID.to_vec();
    for v in [64u32, 0x0001_0000, 0] {
        compressed.extend_from_slice(&v.to_le_bytes());
    }
    compressed.extend_from_slice(&real(3)[..64]);
    put(
        s,
        "transform",
        vec![
            ("encrypted_compound", frame(&related, 1)),
            ("encrypted_single", frame(&real(3), 1)),
            ("bad_flags", frame(&real(3), 2)),
            ("compressed", compressed),
        ],
    );
}

fn utf16_seeds(s: &mut Seeds) {
    let mut lone = utf16("ab");
    lone.extend_from_slice(&0xD800u16.to_le_bytes());
    lone.extend(utf16("c"));
    put(
        s,
        "utf16",
        vec![
            ("ascii", utf16("hello.txt")),
            (
                "bmp_and_astral",
                utf16("d\u{e9}j\u{e0} \u{4e2d}\u{6587} \u{1F600}"),
            ),
            ("lone_surrogate", lone),
            ("path", utf16("dir/sub/file")),
        ],
    );
}

/// Data a server holds for other clients: a symlink file and an EA list.
fn server_data_seeds(s: &mut Seeds) {
    use smb3rs_proto::proto::mfsymlink;

    let mut link = [0u8; mfsymlink::FILE_SIZE];
    mfsymlink::encode(b"../target/file", &mut link).unwrap();
    let mut list = ea_entry(20, b"colour", b"blue");
    list.resize(20, 0);
    list.extend(ea_entry(0, b"origin", b"server"));
    put(
        s,
        "server_data",
        vec![("mfsymlink", link.to_vec()), ("ea_list", list)],
    );
}

/// Splits a captured TCP stream into its frames (4-byte big-endian lengths).
fn stream_frames(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 4 <= stream.len() {
        let len = u32::from_be_bytes([0, stream[pos + 1], stream[pos + 2], stream[pos + 3]]);
        let end = pos + 4 + len as usize;
        assert!(end <= stream.len(), "capture frame overruns the stream");
        out.push(&stream[pos + 4..end]);
        pos = end;
    }
    out
}

fn capture(scenario: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures")
        .join(scenario)
        .join("s2c.bin");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fuzz target whose decoders a received PDU reaches (as `fuzz_common::dispatch`).
fn target_of(hdr: &Header, pdu: &[u8]) -> &'static str {
    if errresp::is_error_response(hdr, pdu) {
        return "error";
    }
    match hdr.command {
        Command::Negotiate => "negotiate",
        Command::SessionSetup | Command::Logoff => "session",
        Command::TreeConnect | Command::TreeDisconnect | Command::Echo | Command::Cancel => "tree",
        Command::Create => "create",
        Command::Close | Command::Lock => "close_lock",
        Command::Flush | Command::Read | Command::Write => "io",
        Command::Ioctl => "ioctl",
        Command::QueryDirectory => "dir",
        Command::ChangeNotify => "notify",
        Command::QueryInfo | Command::SetInfo => "query_info",
        Command::OplockBreak | Command::ServerToClientNotification => "oplock",
    }
}

/// Server-to-client traffic of the captured cifs.ko sessions (host/tests/fixtures):
/// whole messages for the compound target, each PDU for the target of its command,
/// the security tokens, context chains and FSCTL outputs inside them, and a few
/// sealed frames. At most two per scenario and kind, and nothing over 4 KiB.
fn capture_seeds(s: &mut Seeds) {
    const PLAIN: [&str; 3] = ["ksmbd-311-sign", "samba-300-sign", "samba-210-sign"];
    const SEALED: [&str; 3] = [
        "ksmbd-311-seal-gcm128",
        "ksmbd-311-seal-gcm256",
        "samba-311-seal-ccm128",
    ];
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut add = |s: &mut Seeds, target: &'static str, kind: String, name: String, data: &[u8]| {
        if data.is_empty() || data.len() > 4096 {
            return;
        }
        let n = taken.entry(format!("{target}/{kind}")).or_default();
        if *n < 2 {
            *n += 1;
            s.entry(target).or_default().push((name, data.to_vec()));
        }
    };
    for sc in PLAIN {
        let stream = capture(sc);
        for (i, msg) in stream_frames(&stream).into_iter().enumerate() {
            let pdus: Vec<_> = compound::split(msg).map(|p| p.unwrap()).collect();
            let first = pdus[0].header;
            add(
                s,
                "compound",
                format!("{sc}/{:?}/{}", first.command, pdus.len()),
                format!("{sc}_{i:03}"),
                msg,
            );
            for (j, p) in pdus.iter().enumerate() {
                let target = target_of(&p.header, p.bytes);
                let kind = format!("{sc}/{:?}/{:x}", p.header.command, p.header.status);
                let name = format!("{sc}_{i:03}_{j}");
                add(s, target, kind.clone(), name.clone(), p.bytes);
                if let Ok(r) = NegotiateResponse::decode(p.bytes) {
                    add(s, "spnego", kind.clone(), name.clone(), r.security_buffer);
                }
                if let Ok(r) = SessionSetupResponse::decode(p.bytes) {
                    let tok = r.security_buffer;
                    add(s, "spnego", kind.clone(), name.clone(), tok);
                    if tok.starts_with(&ntlmssp::SIGNATURE) {
                        // cifs.ko's default sec=ntlmssp sends raw NTLMSSP.
                        add(s, "ntlmssp", kind.clone(), name.clone(), tok);
                    }
                    if let Ok(spnego::NegotiationToken::Resp(r)) = spnego::decode(tok) {
                        if let Some(t) = r.response_token {
                            add(s, "ntlmssp", kind.clone(), name.clone(), t);
                        }
                    }
                }
                if let Ok(CreateResponse {
                    contexts: CreateContexts::Wire(chain),
                    ..
                }) = CreateResponse::decode(p.bytes)
                {
                    add(s, "create_contexts", kind.clone(), name.clone(), chain);
                }
                if let Ok(r) = IoctlResponse::decode(p.bytes) {
                    if r.ctl_code == ioctl::FSCTL_QUERY_NETWORK_INTERFACE_INFO {
                        add(
                            s,
                            "network_interfaces",
                            kind.clone(),
                            name.clone(),
                            r.output,
                        );
                    }
                }
                if j == 0 {
                    let kind = format!("{sc}/{:?}", p.header.command);
                    add(s, "header", kind, name, &p.bytes[..64]);
                }
            }
        }
    }
    for sc in SEALED {
        let stream = capture(sc);
        let mut sealed: Vec<&[u8]> = stream_frames(&stream)
            .into_iter()
            .filter(|f| f.starts_with(&[0xFD, b'S', b'M', b'B']))
            .collect();
        sealed.sort_by_key(|f| f.len());
        for (k, f) in sealed.into_iter().take(2).enumerate() {
            add(s, "transform", format!("{sc}/{k}"), format!("{sc}_{k}"), f);
        }
    }
}

fn all_seeds() -> Seeds {
    let mut s = Seeds::new();
    header_seeds(&mut s);
    let create_plain = create_seeds(&mut s);
    negotiate_seeds(&mut s);
    session_and_auth_seeds(&mut s);
    io_seeds(&mut s);
    ioctl_seeds(&mut s);
    dir_seeds(&mut s);
    info_seeds(&mut s);
    notify_oplock_error_tree_seeds(&mut s);
    compound_and_transform_seeds(&mut s, &create_plain);
    utf16_seeds(&mut s);
    server_data_seeds(&mut s);
    capture_seeds(&mut s);
    s
}

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

/// Every fuzz target (a `[[bin]]` of host/fuzz/Cargo.toml) has seeds.
fn fuzz_targets() -> Vec<String> {
    let toml =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml"))
            .unwrap();
    let mut out = Vec::new();
    let mut in_bin = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin {
            if let Some(name) = line.strip_prefix("name = ") {
                out.push(name.trim_matches('"').to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fuzz_seeds_are_current() {
    let seeds = all_seeds();
    let mut names: Vec<String> = seeds.keys().map(|k| k.to_string()).collect();
    names.sort();
    assert_eq!(
        names,
        fuzz_targets(),
        "every fuzz target needs seeds, and only those"
    );
    let dir = seeds_dir();
    let write = std::env::var_os("SMB3RS_WRITE_SEEDS").is_some();
    for (target, list) in &seeds {
        let tdir = dir.join(target);
        if write {
            let _ = std::fs::remove_dir_all(&tdir);
            std::fs::create_dir_all(&tdir).unwrap();
        }
        let mut want: Vec<&str> = Vec::new();
        for (name, data) in list {
            assert!(
                data.len() <= 4096,
                "seed {target}/{name} is larger than libFuzzer's max_len"
            );
            let path = tdir.join(name);
            want.push(name.as_str());
            if write {
                std::fs::write(&path, data).unwrap();
            } else {
                let on_disk = std::fs::read(&path).unwrap_or_else(|_| {
                    panic!(
                        "{} is missing: run SMB3RS_WRITE_SEEDS=1 cargo test --test gen_fuzz_seeds",
                        path.display()
                    )
                });
                assert!(
                    on_disk == *data,
                    "{} is stale: run SMB3RS_WRITE_SEEDS=1 cargo test --test gen_fuzz_seeds",
                    path.display()
                );
            }
        }
        want.sort();
        let mut have: Vec<String> = std::fs::read_dir(&tdir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        have.sort();
        assert_eq!(have, want, "unexpected files in {}", tdir.display());
    }
}
