// SPDX-License-Identifier: GPL-2.0

//! The kernel crypto API behind the protocol core's [`CryptoProvider`].
//!
//! [`KernelCrypto`] implements [`CryptoProvider`]: MD5, SHA-512, HMAC-MD5, HMAC-SHA256
//! and AES-CMAC as `crypto_shash` transforms ("md5", "sha512", "hmac(md5)",
//! "hmac(sha256)", "cmac(aes)"), AES-CCM and AES-GCM as `crypto_aead` transforms
//! ("ccm(aes)", "gcm(aes)") with 16-byte tags, and AES-GMAC as a streaming GHASH (see
//! below). [`KernelMac`] is its streaming [`Mac`].
//!
//! # Transform reuse
//!
//! Allocating a transform is expensive (a lookup, possibly a template instantiation,
//! sleeping allocations) and must not happen per message. A session or channel holds
//! one [`KernelCrypto`] for its whole life; it keeps the transforms it allocates in a
//! small cache (two per algorithm, least recently used replaced), each keyed once when
//! allocated and matched by key (in constant time) on later calls. A call with the key
//! of a cached transform only allocates its operation state (`shash_desc`, AEAD
//! request); a call with a new key allocates a transform and evicts one. Signing with
//! a channel's key and encrypting/decrypting with the session's two keys therefore
//! hit the cache on every message; the session setup's one-off keys (NTLM, KDF)
//! allocate a few transforms once. [`KernelCrypto::prepare_signing`] and
//! [`KernelCrypto::prepare_cipher`] fill the cache at session setup so that the I/O
//! path never allocates a transform.
//!
//! A cached transform is never re-keyed: `crypto_*_setkey` on a transform another
//! task is using is a race (fs/smb/client re-keys its per-server transforms under the
//! server mutex and allocates a fresh one for offloaded decryption for this reason).
//! Here a transform is keyed before it is shared, so [`KernelCrypto`] is `Sync` and
//! any number of tasks may sign, encrypt and decrypt through one at the same time.
//!
//! # AES-GMAC
//!
//! GMAC is computed as GCM defines it, streaming: GHASH keyed with H = AES_K(0^128)
//! over the message zero-padded to a block, then the length block (bit length of the
//! message, 64 zero bits), XORed with AES_K(nonce || 0^31 || 1). GHASH is the "ghash"
//! shash; the two AES blocks come from the AES library (`aes_encrypt`). This is the
//! robust choice for the [`Mac`] interface: the message arrives in segments that are
//! only borrowed during [`Mac::update`] and may live anywhere (the zeroed signature is
//! a stack buffer), so "gcm(aes)" with the message as associated data would need
//! every segment copied into one heap buffer as large as the message (megabytes for a
//! signed READ or WRITE) allocated on the I/O path, where it can fail under memory
//! pressure. GHASH needs a fixed 16-byte state whatever the message size. The
//! trade-off: "ghash" resolves to ghash-generic on x86 (the PCLMULQDQ GHASH is only an
//! async ahash), slower than fused AES-NI GCM and table-based. Where "ghash" cannot
//! be allocated (it is not FIPS-approved, so `fips=1` kernels refuse it), GMAC falls
//! back to "gcm(aes)" over a buffered copy of the message. Both paths are checked
//! against each other and against NIST vectors by the module's self-test.
//!
//! # Memory requirements
//!
//! Hash and MAC input may be any kernel memory, stack included. The AEAD ciphers run
//! over a scatterlist built on the caller's data buffer, which must then be heap
//! memory: kmalloc'd (one entry) or vmalloc'd (one entry per page). Stack buffers and
//! other memory a scatterlist cannot describe are detected and transparently copied
//! to a bounce buffer, correct but slower; the associated data and the tag are always
//! copied (they are small and often on the stack).
//!
//! Everything here may sleep: call it from process context only. Allocations are made
//! in a [`NofsScope`], so they never recurse into filesystem reclaim.

use core::{
    ffi::c_int,
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{AtomicUsize, Ordering},
};

use kernel::{
    bindings, c_str,
    error::from_err_ptr,
    new_spinlock,
    page::PAGE_SIZE,
    prelude::*,
    str::CStr,
    sync::{Arc, SpinLock},
};

use super::crypto_ffi as ffi;
use crate::proto::crypto::{
    ct_eq, AeadCipher, CryptoError, CryptoProvider, Mac, GMAC_NONCE_LEN, TAG_LEN,
};
use crate::proto::signing::SigningAlgorithm;

/// Largest digest any algorithm here produces (SHA-512), `HASH_MAX_DIGESTSIZE`.
const MAX_DIGEST_LEN: usize = 64;

/// Largest key a cached transform remembers; transforms for longer keys are used once.
const MAX_CACHED_KEY_LEN: usize = 64;

/// Largest chunk handed to one `crypto_shash_update` call (its length is 32-bit).
const MAX_UPDATE_LEN: usize = 1 << 30;

/// AES block size, GHASH block size and the GMAC tag length.
const BLOCK_LEN: usize = 16;

/// The CCM flags octet the kernel's "ccm(aes)" expects in `iv[0]`: L' = L - 1 where
/// L = 15 - nonce length = 4 bytes of counter for SMB's 11-byte nonce (RFC 3610).
const CCM_IV_FLAGS: u8 = 3;

/// Transforms kept per algorithm.
const CACHE_WAYS: usize = 2;

/// `-ENOMEM` as a [`CryptoError`].
const NO_MEMORY: CryptoError = CryptoError::Backend(-(bindings::ENOMEM as c_int));

/// `-EFAULT` as a [`CryptoError`].
const BAD_ADDRESS: CryptoError = CryptoError::Backend(-(bindings::EFAULT as c_int));

/// Maps a negative errno from the crypto API to a [`CryptoError`].
fn crypto_error(errno: c_int) -> CryptoError {
    if errno == -(bindings::EBADMSG as c_int) {
        CryptoError::AuthenticationFailed
    } else if errno == -(bindings::ENOENT as c_int) {
        // What crypto_alloc_*() returns for an algorithm that does not exist or is not
        // allowed (FIPS mode).
        CryptoError::Unsupported
    } else {
        CryptoError::Backend(errno)
    }
}

/// Turns a C return value into a [`CryptoError`] if it is a negative errno.
fn check(ret: c_int) -> Result<(), CryptoError> {
    if ret < 0 {
        Err(crypto_error(ret))
    } else {
        Ok(())
    }
}

/// Turns a pointer returned by a crypto API allocator into a [`NonNull`] or its error.
fn check_ptr<T>(ptr: *mut T) -> Result<NonNull<T>, CryptoError> {
    let ptr = from_err_ptr(ptr).map_err(|e| crypto_error(e.to_errno()))?;
    NonNull::new(ptr).ok_or(NO_MEMORY)
}

/// Converts a length to the 32-bit length the crypto API takes.
fn len_u32(len: usize) -> Result<u32, CryptoError> {
    u32::try_from(len).map_err(|_| CryptoError::InvalidOutputLength)
}

/// Returns the errno a [`CryptoError`] stands for, for callers that report to the VFS.
pub(crate) fn to_error(e: CryptoError) -> Error {
    match e {
        CryptoError::InvalidKeyLength
        | CryptoError::InvalidNonceLength
        | CryptoError::InvalidOutputLength => EINVAL,
        CryptoError::AuthenticationFailed => Error::from_errno(-(bindings::EBADMSG as c_int)),
        CryptoError::Unsupported => Error::from_errno(-(bindings::EOPNOTSUPP as c_int)),
        CryptoError::Backend(errno) => Error::from_errno(errno),
    }
}

/// Zeroes `buf` in a way the compiler cannot elide.
fn zeroize(buf: &mut [u8]) {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    unsafe { ffi::smb3rs_memzero_explicit(buf.as_mut_ptr().cast(), buf.len()) };
}

/// A scope in which the current task's allocations do not recurse into filesystem
/// reclaim, as if they were GFP_NOFS.
///
/// 6.12's `kernel::alloc::flags` has no `GFP_NOFS`; the scope API is what
/// Documentation/core-api/gfp_mask-from-fs-io.rst recommends anyway, and it also covers
/// the allocations made inside the crypto API. Scopes nest; drop them in reverse order
/// of creation (which locals do).
///
/// # Invariants
///
/// `flags` was returned by `smb3rs_memalloc_nofs_save` on the current task and has not
/// been restored.
pub(crate) struct NofsScope {
    flags: u32,
    /// The scope belongs to the task that entered it.
    _not_send: PhantomData<*mut ()>,
}

impl NofsScope {
    /// Enters a scope that lasts until the returned value is dropped.
    pub(crate) fn enter() -> Self {
        // SAFETY: No preconditions; it only sets a flag of the current task.
        let flags = unsafe { ffi::smb3rs_memalloc_nofs_save() };
        // INVARIANT: `flags` was just saved on the current task.
        Self {
            flags,
            _not_send: PhantomData,
        }
    }
}

impl Drop for NofsScope {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `flags` comes from a save on this task (the
        // type is not `Send`) that has not been restored.
        unsafe { ffi::smb3rs_memalloc_nofs_restore(self.flags) };
    }
}

/// A copy of the key a cached transform was keyed with, zeroed when dropped.
struct KeyCopy {
    bytes: [u8; MAX_CACHED_KEY_LEN],
    len: usize,
}

impl KeyCopy {
    /// Copies `key`, or returns `None` if it is too long to be cached.
    fn new(key: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; MAX_CACHED_KEY_LEN];
        bytes.get_mut(..key.len())?.copy_from_slice(key);
        Some(Self {
            bytes,
            len: key.len(),
        })
    }

    /// Returns whether `key` is the copied key, in time that depends only on lengths.
    fn matches(&self, key: &[u8]) -> bool {
        self.bytes.get(..self.len).is_some_and(|k| ct_eq(k, key))
    }
}

impl Drop for KeyCopy {
    fn drop(&mut self) {
        zeroize(&mut self.bytes);
    }
}

/// A heap buffer that may hold secrets (plaintext, keys), zeroed when dropped.
struct SecretBuf(KVVec<u8>);

impl SecretBuf {
    /// Allocates `len` zero bytes (kmalloc'd, or vmalloc'd if large).
    fn new(len: usize) -> Result<Self, CryptoError> {
        Ok(Self(
            KVVec::from_elem(0u8, len, GFP_KERNEL).map_err(|_| NO_MEMORY)?,
        ))
    }
}

impl Drop for SecretBuf {
    fn drop(&mut self) {
        zeroize(&mut self.0);
    }
}

/// An owned `crypto_shash` transform.
///
/// # Invariants
///
/// `ptr` points to a live transform from `crypto_alloc_shash` that this value owns.
struct Shash {
    ptr: NonNull<ffi::CryptoShash>,
}

// SAFETY: A transform is not tied to the task that allocated it: it may be used and
// freed from any task.
unsafe impl Send for Shash {}

// SAFETY: A shared reference only reaches what the crypto API allows on one transform
// from several tasks at once (size queries, digests in separate `shash_desc`s);
// `set_key`, which must not race with them, takes `&mut self`.
unsafe impl Sync for Shash {}

impl Shash {
    /// Allocates a transform for the hash algorithm `name`.
    fn new(name: &CStr) -> Result<Self, CryptoError> {
        // SAFETY: `name` is NUL-terminated; this module only calls into the crypto API
        // from process context.
        let ptr = check_ptr(unsafe { ffi::crypto_alloc_shash(name.as_char_ptr(), 0, 0) })?;
        // INVARIANT: `ptr` is a live transform that nothing else refers to.
        Ok(Self { ptr })
    }

    /// Sets the key; only possible before the transform is shared.
    fn set_key(&mut self, key: &[u8]) -> Result<(), CryptoError> {
        let len = u32::try_from(key.len()).map_err(|_| CryptoError::InvalidKeyLength)?;
        // SAFETY: `self.ptr` is live by the type invariant and not in use by anyone else
        // (`&mut self`); `key` is valid for reads of `len` bytes.
        let ret = unsafe { ffi::crypto_shash_setkey(self.ptr.as_ptr(), key.as_ptr(), len) };
        check(ret).map_err(|e| match e {
            CryptoError::Backend(errno) if errno == -(bindings::EINVAL as c_int) => {
                CryptoError::InvalidKeyLength
            }
            e => e,
        })
    }

    /// Returns the digest size in bytes.
    fn digest_size(&self) -> usize {
        // SAFETY: `self.ptr` is live by the type invariant.
        unsafe { ffi::smb3rs_shash_digestsize(self.ptr.as_ptr()) as usize }
    }

    /// Returns the size in bytes of an operation state for this transform.
    fn desc_size(&self) -> usize {
        // SAFETY: `self.ptr` is live by the type invariant.
        unsafe { ffi::smb3rs_shash_desc_size(self.ptr.as_ptr()) }
    }
}

impl Drop for Shash {
    fn drop(&mut self) {
        // SAFETY: `self.ptr` is live and owned by this value (type invariant); nothing
        // uses it any more: every `Desc` over it lives beside an `Arc` of its owner.
        unsafe { ffi::smb3rs_shash_free(self.ptr.as_ptr()) };
    }
}

/// The operation state of one digest: a `struct shash_desc` and the algorithm's
/// context, in kmalloc'd memory (whose alignment `crypto_helpers.c` asserts suffices).
///
/// # Invariants
///
/// `buf` holds at least `smb3rs_shash_desc_size()` bytes for the transform it was
/// initialised for by `smb3rs_shash_desc_init`; its user keeps that transform alive.
struct Desc {
    buf: KVec<u64>,
}

impl Desc {
    /// Allocates a state for `tfm` and starts a digest in it.
    fn new(tfm: &Shash) -> Result<Self, CryptoError> {
        let words = tfm.desc_size().div_ceil(core::mem::size_of::<u64>());
        let mut buf = KVec::from_elem(0u64, words, GFP_KERNEL).map_err(|_| NO_MEMORY)?;
        // SAFETY: `buf` is a kmalloc'd, unshared buffer of at least the descriptor size;
        // `tfm.ptr` is live (and keyed: keys are set before a transform is shared).
        let ret = unsafe { ffi::smb3rs_shash_desc_init(buf.as_mut_ptr().cast(), tfm.ptr.as_ptr()) };
        check(ret)?;
        // INVARIANT: initialised for `tfm` just above.
        Ok(Self { buf })
    }

    /// Feeds `data` into the digest.
    fn update(&mut self, data: &[u8]) -> Result<(), CryptoError> {
        for chunk in data.chunks(MAX_UPDATE_LEN) {
            let len = len_u32(chunk.len())?;
            // SAFETY: `self.buf` is an initialised descriptor whose transform the caller
            // keeps alive (type invariant), not used concurrently (`&mut self`); `chunk`
            // is valid for reads of `len` bytes.
            let ret = unsafe { ffi::crypto_shash_update(self.ptr(), chunk.as_ptr(), len) };
            check(ret)?;
        }
        Ok(())
    }

    /// Completes the digest into `out`, which must hold the transform's digest size.
    fn finish(&mut self, out: &mut [u8; MAX_DIGEST_LEN]) -> Result<(), CryptoError> {
        // SAFETY: As in `update`; `out` holds `MAX_DIGEST_LEN` bytes, no less than the
        // digest size (checked when the transform was set up).
        check(unsafe { ffi::crypto_shash_final(self.ptr(), out.as_mut_ptr()) })
    }

    fn ptr(&mut self) -> *mut ffi::ShashDesc {
        self.buf.as_mut_ptr().cast()
    }
}

impl Drop for Desc {
    fn drop(&mut self) {
        // The state holds key material (HMAC's inner and outer hashes).
        let len = self.buf.len() * core::mem::size_of::<u64>();
        // SAFETY: `self.buf` is valid for writes of `len` bytes.
        unsafe { ffi::smb3rs_memzero_explicit(self.buf.as_mut_ptr().cast(), len) };
    }
}

/// An expanded AES key for single-block encryption with the AES library.
///
/// # Invariants
///
/// `ctx` holds a key expanded by `aes_expandkey`.
struct AesKey {
    ctx: KBox<ffi::CryptoAesCtx>,
}

impl AesKey {
    /// Expands a 16- or 32-byte `key`.
    fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let len = match key.len() {
            16 => 16,
            32 => 32,
            _ => return Err(CryptoError::InvalidKeyLength),
        };
        let empty = ffi::CryptoAesCtx {
            key_enc: [0; ffi::AES_MAX_KEYLENGTH_U32],
            key_dec: [0; ffi::AES_MAX_KEYLENGTH_U32],
            key_length: 0,
        };
        let mut ctx = KBox::new(empty, GFP_KERNEL).map_err(|_| NO_MEMORY)?;
        // SAFETY: `ctx` is valid for writes; `key` is valid for reads of `len` bytes.
        let ret = unsafe { ffi::aes_expandkey(&mut *ctx, key.as_ptr(), len) };
        // It only fails for a bad key length, before writing anything to `ctx`.
        check(ret).map_err(|_| CryptoError::InvalidKeyLength)?;
        // INVARIANT: `ctx` was expanded just above.
        Ok(Self { ctx })
    }

    /// Encrypts one block.
    fn encrypt_block(&self, input: &[u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
        let mut out = [0u8; BLOCK_LEN];
        // SAFETY: `self.ctx` holds an expanded key (type invariant); `out` and `input`
        // are 16-byte buffers.
        unsafe { ffi::aes_encrypt(&*self.ctx, out.as_mut_ptr(), input.as_ptr()) };
        out
    }
}

impl Drop for AesKey {
    fn drop(&mut self) {
        let ctx: *mut ffi::CryptoAesCtx = &mut *self.ctx;
        // SAFETY: `ctx` is valid for writes of its size.
        unsafe {
            ffi::smb3rs_memzero_explicit(ctx.cast(), core::mem::size_of::<ffi::CryptoAesCtx>())
        };
    }
}

/// An owned `crypto_aead` transform.
///
/// # Invariants
///
/// `ptr` points to a live transform from `crypto_alloc_aead` that this value owns.
struct Aead {
    ptr: NonNull<ffi::CryptoAead>,
}

// SAFETY: A transform is not tied to the task that allocated it: it may be used and
// freed from any task.
unsafe impl Send for Aead {}

// SAFETY: A shared reference only reaches what the crypto API allows on one transform
// from several tasks at once (size queries, requests of their own); `set_key` and
// `set_tag_len`, which must not race with them, take `&mut self`.
unsafe impl Sync for Aead {}

impl Aead {
    /// Allocates a transform for the AEAD algorithm `name`. Asynchronous implementations
    /// are accepted: requests wait for their completion.
    fn new(name: &CStr) -> Result<Self, CryptoError> {
        // SAFETY: `name` is NUL-terminated; process context.
        let ptr = check_ptr(unsafe { ffi::crypto_alloc_aead(name.as_char_ptr(), 0, 0) })?;
        // INVARIANT: `ptr` is a live transform that nothing else refers to.
        Ok(Self { ptr })
    }

    /// Sets the key; only possible before the transform is shared.
    fn set_key(&mut self, key: &[u8]) -> Result<(), CryptoError> {
        let len = u32::try_from(key.len()).map_err(|_| CryptoError::InvalidKeyLength)?;
        // SAFETY: `self.ptr` is live (type invariant) and unshared (`&mut self`); `key`
        // is valid for reads of `len` bytes.
        let ret = unsafe { ffi::crypto_aead_setkey(self.ptr.as_ptr(), key.as_ptr(), len) };
        check(ret).map_err(|_| CryptoError::InvalidKeyLength)
    }

    /// Sets the tag length; only possible before the transform is shared.
    fn set_tag_len(&mut self, len: u32) -> Result<(), CryptoError> {
        // SAFETY: `self.ptr` is live (type invariant) and unshared (`&mut self`).
        check(unsafe { ffi::crypto_aead_setauthsize(self.ptr.as_ptr(), len) })
    }

    /// Returns the IV size in bytes.
    fn iv_size(&self) -> usize {
        // SAFETY: `self.ptr` is live by the type invariant.
        unsafe { ffi::smb3rs_aead_ivsize(self.ptr.as_ptr()) as usize }
    }
}

impl Drop for Aead {
    fn drop(&mut self) {
        // SAFETY: `self.ptr` is live and owned (type invariant); requests borrow the
        // transform, so none is outstanding.
        unsafe { ffi::smb3rs_aead_free(self.ptr.as_ptr()) };
    }
}

/// One AEAD request with its IV buffer.
///
/// # Invariants
///
/// `req` comes from `smb3rs_aead_request_alloc` for the transform borrowed for `'a`,
/// and `iv` points to its zero-initialised IV buffer of `iv_len` bytes.
struct Request<'a> {
    req: NonNull<ffi::AeadRequest>,
    iv: NonNull<u8>,
    iv_len: usize,
    _tfm: PhantomData<&'a Aead>,
}

impl<'a> Request<'a> {
    /// Allocates a request for `tfm`.
    fn new(tfm: &'a Aead) -> Result<Self, CryptoError> {
        let mut iv: *mut u8 = core::ptr::null_mut();
        // SAFETY: `tfm.ptr` is live and outlives the request (borrowed for `'a`); `iv`
        // is valid for writes.
        let req = unsafe { ffi::smb3rs_aead_request_alloc(tfm.ptr.as_ptr(), &mut iv) };
        let req = NonNull::new(req).ok_or(NO_MEMORY)?;
        let Some(iv) = NonNull::new(iv) else {
            // SAFETY: `req` was just allocated and is not in use.
            unsafe { ffi::smb3rs_aead_request_free(req.as_ptr()) };
            return Err(NO_MEMORY);
        };
        // INVARIANT: `req` and its IV buffer of the transform's IV size, as allocated.
        Ok(Self {
            req,
            iv,
            iv_len: tfm.iv_size(),
            _tfm: PhantomData,
        })
    }

    /// Writes the IV for `cipher` and `nonce` (already checked to be the cipher's nonce
    /// length): the nonce for GCM; for CCM the flags octet, then the nonce, then a zero
    /// counter, as fs/smb/client's crypt_message() does.
    fn set_iv(&mut self, cipher: AeadCipher, nonce: &[u8]) -> Result<(), CryptoError> {
        // SAFETY: `iv` points to `iv_len` bytes that only this request uses (type
        // invariant), and no operation is running (`&mut self`).
        let iv = unsafe { core::slice::from_raw_parts_mut(self.iv.as_ptr(), self.iv_len) };
        let dst = match cipher {
            AeadCipher::Aes128Ccm | AeadCipher::Aes256Ccm => {
                let (flags, rest) = iv.split_first_mut().ok_or(CryptoError::Unsupported)?;
                *flags = CCM_IV_FLAGS;
                rest
            }
            AeadCipher::Aes128Gcm | AeadCipher::Aes256Gcm => iv,
        };
        dst.get_mut(..nonce.len())
            .ok_or(CryptoError::Unsupported)?
            .copy_from_slice(nonce);
        Ok(())
    }

    /// Runs the request over `sg` and waits for it.
    ///
    /// # Safety
    ///
    /// `sg` must be a terminated scatterlist describing `assoc_len + crypt_len` bytes
    /// (plus the tag when sealing) of memory valid for reads and writes and not
    /// accessed by anyone else until this returns.
    unsafe fn run(
        &mut self,
        sg: *mut bindings::scatterlist,
        assoc_len: u32,
        crypt_len: u32,
        seal: bool,
    ) -> Result<(), CryptoError> {
        let req = self.req.as_ptr();
        // SAFETY: `req` is live (type invariant); `sg` and the memory it describes are
        // valid until we return (function contract), and so is `self.iv`.
        unsafe {
            ffi::smb3rs_aead_request_set_crypt(req, sg, crypt_len, self.iv.as_ptr());
            ffi::smb3rs_aead_request_set_ad(req, assoc_len);
        }
        let ret = if seal {
            // SAFETY: The request is fully set up above and only used here.
            unsafe { ffi::smb3rs_aead_encrypt_wait(req) }
        } else {
            // SAFETY: The request is fully set up above and only used here.
            unsafe { ffi::smb3rs_aead_decrypt_wait(req) }
        };
        check(ret)
    }
}

impl Drop for Request<'_> {
    fn drop(&mut self) {
        // SAFETY: `req` comes from `smb3rs_aead_request_alloc` (type invariant) and its
        // operation, if any, completed in `run`.
        unsafe { ffi::smb3rs_aead_request_free(self.req.as_ptr()) };
    }
}

/// How a buffer goes into a scatterlist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SgKind {
    /// Nothing to map.
    Empty,
    /// Linear-mapped memory: one entry.
    Linear,
    /// vmalloc or module memory: one entry per page.
    Paged,
    /// Stack or unmappable memory: copy it to the heap first.
    Bounce,
}

impl SgKind {
    fn of(buf: &[u8]) -> Self {
        if buf.is_empty() {
            return Self::Empty;
        }
        // SAFETY: `buf` is valid for reads of its non-zero length.
        match unsafe { ffi::smb3rs_sg_buf_kind(buf.as_ptr().cast(), buf.len()) } {
            ffi::SG_LINEAR => Self::Linear,
            ffi::SG_PAGED => Self::Paged,
            _ => Self::Bounce,
        }
    }
}

/// A buffer to describe in a scatterlist, as a raw range so that the crypto API may
/// write it while the Rust references it came from are not used.
#[derive(Clone, Copy)]
struct Region {
    ptr: *mut u8,
    len: usize,
    kind: SgKind,
}

impl Region {
    /// Describes `buf`, which must not be of kind [`SgKind::Bounce`].
    fn new(buf: &mut [u8]) -> Result<Self, CryptoError> {
        let kind = SgKind::of(buf);
        if kind == SgKind::Bounce {
            return Err(BAD_ADDRESS);
        }
        Ok(Self {
            ptr: buf.as_mut_ptr(),
            len: buf.len(),
            kind,
        })
    }

    /// Returns the number of scatterlist entries the region needs.
    fn entries(&self) -> usize {
        match self.kind {
            SgKind::Empty | SgKind::Bounce => 0,
            SgKind::Linear => 1,
            SgKind::Paged => {
                let offset = (self.ptr as usize) % PAGE_SIZE;
                offset.saturating_add(self.len).div_ceil(PAGE_SIZE)
            }
        }
    }
}

/// Builds the scatterlist for `regions`, in order.
///
/// # Safety
///
/// Each region must describe memory valid for reads and writes for as long as the
/// returned scatterlist is used.
unsafe fn scatterlist(regions: &[Region]) -> Result<KVVec<bindings::scatterlist>, CryptoError> {
    let count: usize = regions.iter().map(Region::entries).sum();
    let mut sgl = KVVec::from_elem(bindings::scatterlist::default(), count, GFP_KERNEL)
        .map_err(|_| NO_MEMORY)?;
    // SAFETY: `sgl` holds `count` entries.
    unsafe { bindings::sg_init_table(sgl.as_mut_ptr(), len_u32(count)?) };
    let mut entries = sgl.iter_mut();
    for r in regions {
        match r.kind {
            SgKind::Empty | SgKind::Bounce => {}
            SgKind::Linear => {
                let sg = entries.next().ok_or(BAD_ADDRESS)?;
                // SAFETY: `sg` is an entry of the table initialised above; `r` is linear
                // memory valid for `r.len` bytes (function contract).
                unsafe { ffi::smb3rs_sg_set_buf(sg, r.ptr.cast(), len_u32(r.len)?) };
            }
            SgKind::Paged => {
                let mut addr = r.ptr as usize;
                let end = addr.checked_add(r.len).ok_or(BAD_ADDRESS)?;
                while addr < end {
                    let page_end = (addr | (PAGE_SIZE - 1)).saturating_add(1);
                    let len = page_end.min(end) - addr;
                    let sg = entries.next().ok_or(BAD_ADDRESS)?;
                    // SAFETY: `sg` is an entry of the table initialised above; the `len`
                    // bytes at `addr` are in vmalloc/module memory valid for the caller's
                    // use (function contract) and do not cross a page boundary.
                    let ret = unsafe {
                        ffi::smb3rs_sg_set_vmalloc(
                            sg,
                            addr as *const core::ffi::c_void,
                            len_u32(len)?,
                        )
                    };
                    check(ret)?;
                    addr += len;
                }
            }
        }
    }
    if entries.next().is_some() {
        return Err(BAD_ADDRESS);
    }
    Ok(sgl)
}

/// The associated data of an AEAD operation.
enum Aad<'a> {
    /// Borrowed read-only: always copied, as in-place operations may write the
    /// destination's associated data.
    Copy(&'a [u8]),
    /// A buffer of our own: mapped where it is unless it needs a bounce copy.
    InPlace(&'a mut [u8]),
}

/// Seals (`seal`) or opens `data` in place with `tfm`, keyed for `cipher`.
fn aead_crypt(
    tfm: &Aead,
    cipher: AeadCipher,
    nonce: &[u8],
    aad: Aad<'_>,
    data: &mut [u8],
    tag: &mut [u8; TAG_LEN],
    seal: bool,
) -> Result<(), CryptoError> {
    if nonce.len() != cipher.nonce_len() {
        return Err(CryptoError::InvalidNonceLength);
    }
    let (aad_len, aad_bounce) = match &aad {
        Aad::Copy(a) => (a.len(), a.len()),
        Aad::InPlace(a) => (
            a.len(),
            if SgKind::of(a) == SgKind::Bounce {
                a.len()
            } else {
                0
            },
        ),
    };
    let data_bounce = if SgKind::of(data) == SgKind::Bounce {
        data.len()
    } else {
        0
    };
    let assoc_len = len_u32(aad_len)?;
    let text_len = len_u32(data.len())?;
    let crypt_len = if seal {
        text_len
    } else {
        text_len
            .checked_add(TAG_LEN as u32)
            .ok_or(CryptoError::InvalidOutputLength)?
    };
    assoc_len
        .checked_add(crypt_len)
        .and_then(|n| n.checked_add(TAG_LEN as u32))
        .ok_or(CryptoError::InvalidOutputLength)?;

    let mut req = Request::new(tfm)?;
    req.set_iv(cipher, nonce)?;

    // Scratch: the tag, then the bounced associated data, then the bounced text.
    let scratch_len = TAG_LEN
        .checked_add(aad_bounce)
        .and_then(|n| n.checked_add(data_bounce))
        .ok_or(CryptoError::InvalidOutputLength)?;
    let mut scratch = SecretBuf::new(scratch_len)?;
    let (tag_buf, rest) = scratch.0.split_at_mut(TAG_LEN);
    let (aad_buf, data_buf) = rest.split_at_mut(aad_bounce);
    if !seal {
        tag_buf.copy_from_slice(tag);
    }
    let aad_region = match aad {
        Aad::InPlace(a) if aad_bounce == 0 => Region::new(a)?,
        Aad::InPlace(a) => {
            aad_buf.copy_from_slice(a);
            Region::new(aad_buf)?
        }
        Aad::Copy(a) => {
            aad_buf.copy_from_slice(a);
            Region::new(aad_buf)?
        }
    };
    let data_region = if data_bounce == 0 {
        Region::new(data)?
    } else {
        data_buf.copy_from_slice(data);
        Region::new(data_buf)?
    };
    let regions = [aad_region, data_region, Region::new(tag_buf)?];

    // SAFETY: The regions come from `&mut` buffers (the caller's associated data and
    // text, or `scratch`) that are not touched through those references until the
    // operation is over, below.
    let mut sgl = unsafe { scatterlist(&regions)? };
    // SAFETY: `sgl` is terminated and describes `assoc_len + crypt_len` bytes (plus the
    // tag slot when sealing) of the buffers above, which nothing else accesses during
    // the call.
    unsafe { req.run(sgl.as_mut_ptr(), assoc_len, crypt_len, seal)? };
    drop(sgl);

    if seal {
        tag.copy_from_slice(tag_buf);
    }
    if data_bounce != 0 {
        data.copy_from_slice(data_buf);
    }
    Ok(())
}

/// The hash and MAC algorithms, with their kernel crypto API names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HashAlg {
    Md5,
    Sha512,
    HmacMd5,
    HmacSha256,
    AesCmac,
    /// GHASH for AES-GMAC, keyed with H.
    Ghash,
}

impl HashAlg {
    fn name(self) -> &'static CStr {
        match self {
            Self::Md5 => c_str!("md5"),
            Self::Sha512 => c_str!("sha512"),
            Self::HmacMd5 => c_str!("hmac(md5)"),
            Self::HmacSha256 => c_str!("hmac(sha256)"),
            Self::AesCmac => c_str!("cmac(aes)"),
            Self::Ghash => c_str!("ghash"),
        }
    }
}

/// A hash transform, keyed once, shared by the [`KernelMac`]s that use it.
struct HashTfm {
    shash: Shash,
    digest_size: usize,
    /// The key (the AES key for GMAC); `None` if unkeyed or too long to cache.
    key: Option<KeyCopy>,
    /// For GMAC, the AES key that makes the nonce block.
    aes: Option<AesKey>,
}

impl HashTfm {
    /// Allocates a transform for `alg` keyed with `key` (unkeyed if `None`).
    fn new(alg: HashAlg, key: Option<&[u8]>) -> Result<Self, CryptoError> {
        let mut shash = Shash::new(alg.name())?;
        if let Some(key) = key {
            shash.set_key(key)?;
        }
        let digest_size = shash.digest_size();
        if digest_size == 0 || digest_size > MAX_DIGEST_LEN {
            return Err(CryptoError::Unsupported);
        }
        Ok(Self {
            shash,
            digest_size,
            key: key.and_then(KeyCopy::new),
            aes: None,
        })
    }

    /// Sets up GMAC with the AES `key`: GHASH keyed with H = AES_K(0^128).
    fn new_gmac(key: &[u8]) -> Result<Self, CryptoError> {
        let aes = AesKey::new(key)?;
        let mut h = aes.encrypt_block(&[0u8; BLOCK_LEN]);
        let tfm = Self::new(HashAlg::Ghash, Some(&h));
        zeroize(&mut h);
        let mut tfm = tfm?;
        if tfm.digest_size != BLOCK_LEN {
            return Err(CryptoError::Unsupported);
        }
        tfm.key = KeyCopy::new(key);
        tfm.aes = Some(aes);
        Ok(tfm)
    }

    fn has_key(&self, key: &[u8]) -> bool {
        self.key.as_ref().is_some_and(|k| k.matches(key))
    }
}

/// An AEAD transform, keyed once, shared by every operation with its key.
struct AeadTfm {
    aead: Aead,
    cipher: AeadCipher,
    key: Option<KeyCopy>,
}

impl AeadTfm {
    /// Allocates a transform for `cipher` keyed with `key` and 16-byte tags.
    fn new(cipher: AeadCipher, key: &[u8]) -> Result<Self, CryptoError> {
        if key.len() != cipher.key_len() {
            return Err(CryptoError::InvalidKeyLength);
        }
        let (name, iv_len) = match cipher {
            AeadCipher::Aes128Ccm | AeadCipher::Aes256Ccm => (c_str!("ccm(aes)"), 16),
            AeadCipher::Aes128Gcm | AeadCipher::Aes256Gcm => (c_str!("gcm(aes)"), 12),
        };
        let mut aead = Aead::new(name)?;
        aead.set_key(key)?;
        aead.set_tag_len(TAG_LEN as u32)?;
        if aead.iv_size() != iv_len {
            return Err(CryptoError::Unsupported);
        }
        Ok(Self {
            aead,
            cipher,
            key: KeyCopy::new(key),
        })
    }

    fn has(&self, cipher: AeadCipher, key: &[u8]) -> bool {
        self.cipher == cipher && self.key.as_ref().is_some_and(|k| k.matches(key))
    }
}

/// A few transforms of one algorithm, the least recently used replaced first.
struct Lru<T> {
    entries: [Option<Arc<T>>; CACHE_WAYS],
    recent: usize,
}

impl<T> Lru<T> {
    const fn new() -> Self {
        Self {
            entries: [None, None],
            recent: 0,
        }
    }

    /// Returns a transform for which `pred` holds, if cached.
    fn find(&mut self, pred: impl Fn(&T) -> bool) -> Option<Arc<T>> {
        let (i, t) = self
            .entries
            .iter()
            .enumerate()
            .find_map(|(i, e)| e.as_ref().filter(|t| pred(t)).map(|t| (i, t.clone())))?;
        self.recent = i;
        Some(t)
    }

    /// Caches `t` in a free entry or over the least recently used one, which it returns
    /// (to be dropped once the lock is released).
    fn insert(&mut self, t: Arc<T>) -> Option<Arc<T>> {
        let victim = self
            .entries
            .iter()
            .position(Option::is_none)
            .unwrap_or((self.recent + 1) % CACHE_WAYS);
        self.recent = victim;
        self.entries.get_mut(victim).and_then(|e| e.replace(t))
    }
}

/// The transforms of a [`KernelCrypto`].
struct Slots {
    md5: Lru<HashTfm>,
    sha512: Lru<HashTfm>,
    hmac_md5: Lru<HashTfm>,
    hmac_sha256: Lru<HashTfm>,
    aes_cmac: Lru<HashTfm>,
    gmac: Lru<HashTfm>,
    aead: Lru<AeadTfm>,
    /// "ghash" could not be allocated (FIPS mode): GMAC goes through "gcm(aes)".
    no_ghash: bool,
}

impl Slots {
    const fn new() -> Self {
        Self {
            md5: Lru::new(),
            sha512: Lru::new(),
            hmac_md5: Lru::new(),
            hmac_sha256: Lru::new(),
            aes_cmac: Lru::new(),
            gmac: Lru::new(),
            aead: Lru::new(),
            no_ghash: false,
        }
    }

    fn hash(&mut self, alg: HashAlg) -> &mut Lru<HashTfm> {
        match alg {
            HashAlg::Md5 => &mut self.md5,
            HashAlg::Sha512 => &mut self.sha512,
            HashAlg::HmacMd5 => &mut self.hmac_md5,
            HashAlg::HmacSha256 => &mut self.hmac_sha256,
            HashAlg::AesCmac => &mut self.aes_cmac,
            HashAlg::Ghash => &mut self.gmac,
        }
    }
}

/// The pinned part of a [`KernelCrypto`].
#[pin_data]
struct Cache {
    #[pin]
    slots: SpinLock<Slots>,
}

/// How [`KernelCrypto`] computes AES-GMAC.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum GmacEngine {
    /// Streaming "ghash" plus the AES library, falling back to `Gcm` if "ghash" is
    /// unavailable.
    Ghash,
    /// "gcm(aes)" with the buffered message as associated data.
    Gcm,
}

// A provider and its MACs may be shared with and moved to other tasks.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<KernelCrypto>();
    send_sync::<KernelMac>();
};

/// The kernel crypto API as the protocol core's [`CryptoProvider`].
///
/// One per session or channel, kept for its whole life: it caches the transforms it
/// allocates (see the module documentation) and may be used from several tasks at
/// once. Dropping it frees the transforms no [`KernelMac`] still uses.
pub(crate) struct KernelCrypto {
    cache: Pin<KBox<Cache>>,
    gmac: GmacEngine,
    /// Transforms allocated so far.
    allocated: AtomicUsize,
}

impl KernelCrypto {
    /// Creates a provider with an empty cache.
    pub(crate) fn new() -> Result<Self> {
        Self::with_gmac(GmacEngine::Ghash)
    }

    /// Creates a provider that computes AES-GMAC with `gmac` (the self-test checks both
    /// engines).
    pub(crate) fn with_gmac(gmac: GmacEngine) -> Result<Self> {
        let _nofs = NofsScope::enter();
        let cache = KBox::pin_init(
            pin_init!(Cache {
                slots <- new_spinlock!(Slots::new(), "smb3rs_crypto_cache"),
            }),
            GFP_KERNEL,
        )?;
        Ok(Self {
            cache,
            gmac,
            allocated: AtomicUsize::new(0),
        })
    }

    /// Returns how many transforms this provider has allocated (cached or not): a
    /// session can check that its I/O path does not allocate any.
    pub(crate) fn transforms_allocated(&self) -> usize {
        self.allocated.load(Ordering::Relaxed)
    }

    /// Allocates and keys now the transform that signing with `alg` and `key` uses, so
    /// that signing and verifying messages never allocates one.
    pub(crate) fn prepare_signing(&self, alg: SigningAlgorithm, key: &[u8]) -> Result {
        match alg {
            SigningAlgorithm::HmacSha256 => self.hmac_sha256(key).map(drop),
            SigningAlgorithm::AesCmac => self.aes_cmac(key).map(drop),
            SigningAlgorithm::AesGmac => self.aes_gmac(key, &[0; GMAC_NONCE_LEN]).map(drop),
        }
        .map_err(to_error)
    }

    /// Allocates and keys now the transform that `cipher` with `key` uses, so that
    /// encrypting or decrypting messages never allocates one.
    pub(crate) fn prepare_cipher(&self, cipher: AeadCipher, key: &[u8]) -> Result {
        let _nofs = NofsScope::enter();
        self.aead_tfm(cipher, key).map(drop).map_err(to_error)
    }

    /// Returns the cached transform of `select` for which `pred` holds, or creates one
    /// with `create` and caches it if `cacheable`.
    fn cached<T>(
        &self,
        select: impl Fn(&mut Slots) -> &mut Lru<T>,
        pred: impl Fn(&T) -> bool,
        cacheable: bool,
        create: impl FnOnce() -> Result<T, CryptoError>,
    ) -> Result<Arc<T>, CryptoError> {
        let hit = {
            let mut slots = self.cache.slots.lock();
            select(&mut slots).find(&pred)
        };
        if let Some(t) = hit {
            return Ok(t);
        }
        let fresh = Arc::new(create()?, GFP_KERNEL).map_err(|_| NO_MEMORY)?;
        self.allocated.fetch_add(1, Ordering::Relaxed);
        if !cacheable {
            return Ok(fresh);
        }
        let evicted = {
            let mut slots = self.cache.slots.lock();
            let lru = select(&mut slots);
            // Another task may have cached the same key meanwhile: share its transform
            // (`fresh` is then dropped after the lock is released).
            if let Some(t) = lru.find(&pred) {
                drop(slots);
                return Ok(t);
            }
            lru.insert(fresh.clone())
        };
        // Freeing a transform may sleep: not under the spinlock.
        drop(evicted);
        Ok(fresh)
    }

    /// Returns a transform for `alg` keyed with `key` (unkeyed if `None`).
    fn hash_tfm(&self, alg: HashAlg, key: Option<&[u8]>) -> Result<Arc<HashTfm>, CryptoError> {
        let cacheable = key.map_or(true, |k| k.len() <= MAX_CACHED_KEY_LEN);
        self.cached(
            |s| s.hash(alg),
            |t| key.map_or(true, |k| t.has_key(k)),
            cacheable,
            || HashTfm::new(alg, key),
        )
    }

    /// Returns a transform for `cipher` keyed with `key`.
    fn aead_tfm(&self, cipher: AeadCipher, key: &[u8]) -> Result<Arc<AeadTfm>, CryptoError> {
        self.cached(
            |s| &mut s.aead,
            |t| t.has(cipher, key),
            true,
            || AeadTfm::new(cipher, key),
        )
    }

    /// Starts a digest with `alg` keyed with `key`.
    fn start(&self, alg: HashAlg, key: Option<&[u8]>) -> Result<KernelMac, CryptoError> {
        let _nofs = NofsScope::enter();
        KernelMac::digest(self.hash_tfm(alg, key)?, None)
    }
}

impl CryptoProvider for KernelCrypto {
    type Mac = KernelMac;

    fn md5(&self) -> Result<KernelMac, CryptoError> {
        self.start(HashAlg::Md5, None)
    }

    fn sha512(&self) -> Result<KernelMac, CryptoError> {
        self.start(HashAlg::Sha512, None)
    }

    fn hmac_md5(&self, key: &[u8]) -> Result<KernelMac, CryptoError> {
        self.start(HashAlg::HmacMd5, Some(key))
    }

    fn hmac_sha256(&self, key: &[u8]) -> Result<KernelMac, CryptoError> {
        self.start(HashAlg::HmacSha256, Some(key))
    }

    fn aes_cmac(&self, key: &[u8]) -> Result<KernelMac, CryptoError> {
        if key.len() != 16 {
            return Err(CryptoError::InvalidKeyLength);
        }
        self.start(HashAlg::AesCmac, Some(key))
    }

    fn aes_gmac(&self, key: &[u8], nonce: &[u8; GMAC_NONCE_LEN]) -> Result<KernelMac, CryptoError> {
        if key.len() != 16 && key.len() != 32 {
            return Err(CryptoError::InvalidKeyLength);
        }
        let _nofs = NofsScope::enter();
        if self.gmac == GmacEngine::Ghash && !self.cache.slots.lock().no_ghash {
            let tfm = self.cached(
                |s| &mut s.gmac,
                |t| t.has_key(key),
                true,
                || HashTfm::new_gmac(key),
            );
            match tfm {
                Ok(tfm) => return KernelMac::ghash(tfm, nonce),
                Err(CryptoError::Unsupported) => self.cache.slots.lock().no_ghash = true,
                Err(e) => return Err(e),
            }
        }
        let cipher = if key.len() == 32 {
            AeadCipher::Aes256Gcm
        } else {
            AeadCipher::Aes128Gcm
        };
        Ok(KernelMac {
            state: MacState::Buffered {
                tfm: self.aead_tfm(cipher, key)?,
                nonce: *nonce,
                data: SecretBuf(KVVec::new()),
            },
            error: None,
        })
    }

    fn aead_seal_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &mut [u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        if nonce.len() != cipher.nonce_len() {
            return Err(CryptoError::InvalidNonceLength);
        }
        let _nofs = NofsScope::enter();
        let tfm = self.aead_tfm(cipher, key)?;
        aead_crypt(&tfm.aead, cipher, nonce, Aad::Copy(aad), data, tag, true)
    }

    fn aead_open_in_place(
        &self,
        cipher: AeadCipher,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        if nonce.len() != cipher.nonce_len() {
            return Err(CryptoError::InvalidNonceLength);
        }
        let _nofs = NofsScope::enter();
        let tfm = self.aead_tfm(cipher, key)?;
        let mut tag = *tag;
        aead_crypt(
            &tfm.aead,
            cipher,
            nonce,
            Aad::Copy(aad),
            data,
            &mut tag,
            false,
        )
    }
}

/// The GMAC part of a GHASH digest.
struct GhashTail {
    /// Bytes of message so far.
    len: u64,
    /// AES_K(nonce || 0^31 || 1), XORed into the GHASH.
    mask: [u8; BLOCK_LEN],
}

impl Drop for GhashTail {
    fn drop(&mut self) {
        zeroize(&mut self.mask);
    }
}

/// What a [`KernelMac`] computes with.
enum MacState {
    /// A `crypto_shash` digest (for GMAC, GHASH with its tail).
    Digest {
        /// Owns the transform `desc` is bound to.
        tfm: Arc<HashTfm>,
        desc: Desc,
        ghash: Option<GhashTail>,
    },
    /// GMAC through "gcm(aes)": the message is collected, then authenticated as
    /// associated data.
    Buffered {
        tfm: Arc<AeadTfm>,
        nonce: [u8; GMAC_NONCE_LEN],
        data: SecretBuf,
    },
}

/// A streaming hash or MAC over the kernel crypto API, from [`KernelCrypto`].
///
/// A failure during [`Mac::update`] is kept and reported by [`Mac::finish`].
pub(crate) struct KernelMac {
    state: MacState,
    error: Option<CryptoError>,
}

impl KernelMac {
    /// Starts a digest over `tfm`.
    fn digest(tfm: Arc<HashTfm>, ghash: Option<GhashTail>) -> Result<Self, CryptoError> {
        let desc = Desc::new(&tfm.shash)?;
        Ok(Self {
            state: MacState::Digest { tfm, desc, ghash },
            error: None,
        })
    }

    /// Starts a GMAC over the GHASH transform `tfm` with `nonce`.
    fn ghash(tfm: Arc<HashTfm>, nonce: &[u8; GMAC_NONCE_LEN]) -> Result<Self, CryptoError> {
        let aes = tfm.aes.as_ref().ok_or(CryptoError::Unsupported)?;
        let mut j0 = [0u8; BLOCK_LEN];
        let (n, counter) = j0.split_at_mut(GMAC_NONCE_LEN);
        n.copy_from_slice(nonce);
        counter.copy_from_slice(&1u32.to_be_bytes());
        let mask = aes.encrypt_block(&j0);
        Self::digest(tfm, Some(GhashTail { len: 0, mask }))
    }

    fn feed(&mut self, data: &[u8]) -> Result<(), CryptoError> {
        match &mut self.state {
            MacState::Digest { desc, ghash, .. } => {
                if let Some(g) = ghash {
                    let n =
                        u64::try_from(data.len()).map_err(|_| CryptoError::InvalidOutputLength)?;
                    g.len = g
                        .len
                        .checked_add(n)
                        .ok_or(CryptoError::InvalidOutputLength)?;
                }
                desc.update(data)
            }
            MacState::Buffered { data: buf, .. } => {
                let _nofs = NofsScope::enter();
                buf.0
                    .extend_from_slice(data, GFP_KERNEL)
                    .map_err(|_| NO_MEMORY)
            }
        }
    }
}

impl Mac for KernelMac {
    fn update(&mut self, data: &[u8]) {
        if self.error.is_some() || data.is_empty() {
            return;
        }
        if let Err(e) = self.feed(data) {
            self.error = Some(e);
        }
    }

    fn finish(mut self, out: &mut [u8]) -> Result<(), CryptoError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match &mut self.state {
            MacState::Digest { tfm, desc, ghash } => {
                if out.len() > tfm.digest_size {
                    return Err(CryptoError::InvalidOutputLength);
                }
                if let Some(g) = ghash {
                    // Zero-pad the message to a block, then the length block: the
                    // message is GCM's associated data, the text is empty.
                    let partial = (g.len % BLOCK_LEN as u64) as usize;
                    let pad = (BLOCK_LEN - partial) % BLOCK_LEN;
                    desc.update([0u8; BLOCK_LEN].get(..pad).unwrap_or(&[]))?;
                    let bits = g
                        .len
                        .checked_mul(8)
                        .ok_or(CryptoError::InvalidOutputLength)?;
                    let mut lengths = [0u8; BLOCK_LEN];
                    let (aad_bits, _text_bits) = lengths.split_at_mut(8);
                    aad_bits.copy_from_slice(&bits.to_be_bytes());
                    desc.update(&lengths)?;
                }
                let mut digest = [0u8; MAX_DIGEST_LEN];
                let res = desc.finish(&mut digest).map(|()| {
                    if let Some(g) = ghash {
                        for (d, m) in digest.iter_mut().zip(g.mask) {
                            *d ^= m;
                        }
                    }
                    for (o, d) in out.iter_mut().zip(digest) {
                        *o = d;
                    }
                });
                zeroize(&mut digest);
                res
            }
            MacState::Buffered { tfm, nonce, data } => {
                if out.len() > TAG_LEN {
                    return Err(CryptoError::InvalidOutputLength);
                }
                let _nofs = NofsScope::enter();
                let mut tag = [0u8; TAG_LEN];
                aead_crypt(
                    &tfm.aead,
                    tfm.cipher,
                    nonce,
                    Aad::InPlace(&mut data.0),
                    &mut [],
                    &mut tag,
                    true,
                )?;
                for (o, t) in out.iter_mut().zip(tag) {
                    *o = t;
                }
                Ok(())
            }
        }
    }
}
