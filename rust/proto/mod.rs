// SPDX-License-Identifier: GPL-2.0

//! The SMB2/3 protocol core: wire format, authentication, key schedule, signing and
//! encryption transforms.
//!
//! Pure code shared verbatim by the kernel module and the host crate (`host/`): no
//! allocation (decoders borrow, encoders write into caller buffers), no `unsafe`, no
//! panics. Cryptography is reached through the traits in [`crypto`], implemented by the
//! kernel crypto API in the module and by RustCrypto crates in host tests.
//!
//! SMB2 command convention: each request and response body implements
//! [`header::Body`] and is encoded together with its 64-byte header by
//! [`header::encode_pdu`] or [`compound::Builder`], every offset field counted from the
//! start of that header; bodies with an odd StructureSize always get at least one byte
//! of variable part. Every decoder takes the whole PDU as a `&[u8]` starting at its
//! SMB2 header (exactly what [`compound::split`] yields; the header itself is decoded
//! with [`header::Header::decode`]), checks the body's StructureSize, and checks every
//! offset/length pair against the PDU and against the end of the fixed part before
//! returning borrowed slices. Information classes, reparse buffers and other FSCTL
//! payloads decode from the output-buffer slice the command decoder returned. READ
//! responses decode from their fixed part alone and WRITE requests encode without
//! their payload, so data can move straight between the socket and page-cache pages.

pub mod close;
pub mod compound;
pub mod create;
pub mod crypto;
pub mod cursor;
pub mod dir;
pub mod ea;
pub mod error;
pub mod errresp;
pub mod header;
pub mod info;
pub mod io;
pub mod ioctl;
pub mod kdf;
pub mod lock;
pub mod md4;
pub mod md5;
pub mod mfsymlink;
pub mod misc;
pub mod negotiate;
pub mod notify;
pub mod ntlmssp;
pub mod oplock;
pub mod preauth;
pub mod rc4;
pub mod security;
pub mod session;
pub mod signing;
pub mod spnego;
pub mod status;
pub mod transform;
pub mod tree;
pub mod types;
