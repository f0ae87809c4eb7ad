// SPDX-License-Identifier: GPL-2.0

//! Declarations of the kernel crypto API and of the module's crypto helpers
//! (`crypto_helpers.c`), which `kernel::bindings` does not reach in 6.12.
//!
//! The exported kernel functions are declared with the prototypes that
//! `crypto_helpers.c` checks at build time with `static_assert(__same_type(..))`; the
//! `smb3rs_*` helpers wrap what C declares `static inline` or as a macro. The crypto
//! structures are opaque here except `crypto_aes_ctx`, whose layout the C side also
//! asserts.

use core::{ffi::c_int, marker::PhantomData, marker::PhantomPinned};

use kernel::{bindings, ffi::c_char};

/// Declares a C structure that Rust only handles through pointers.
macro_rules! opaque {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[repr(C)]
        pub(crate) struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    };
}

opaque!(
    /// `struct crypto_shash`: a synchronous hash transform.
    CryptoShash
);
opaque!(
    /// `struct shash_desc`: the operation state of one digest over a [`CryptoShash`].
    ShashDesc
);
opaque!(
    /// `struct crypto_aead`: an AEAD transform.
    CryptoAead
);
opaque!(
    /// `struct aead_request`: one AEAD operation.
    AeadRequest
);

/// Words in each AES key schedule of [`CryptoAesCtx`] (`AES_MAX_KEYLENGTH_U32`).
pub(crate) const AES_MAX_KEYLENGTH_U32: usize = 60;

/// `struct crypto_aes_ctx`: an expanded AES key for the AES library
/// (`lib/crypto/aes.c`).
#[repr(C)]
pub(crate) struct CryptoAesCtx {
    /// Encryption key schedule.
    pub(crate) key_enc: [u32; AES_MAX_KEYLENGTH_U32],
    /// Decryption key schedule.
    pub(crate) key_dec: [u32; AES_MAX_KEYLENGTH_U32],
    /// Key length in bytes.
    pub(crate) key_length: u32,
}

/// [`smb3rs_sg_buf_kind`]: the buffer is one entry ([`smb3rs_sg_set_buf`]).
pub(crate) const SG_LINEAR: c_int = 0;
/// [`smb3rs_sg_buf_kind`]: the buffer is one entry per page ([`smb3rs_sg_set_vmalloc`]).
pub(crate) const SG_PAGED: c_int = 1;

extern "C" {
    /// Allocates a hash transform for algorithm `name`; returns an `ERR_PTR` on failure
    /// (`-ENOENT` if the algorithm is unavailable, e.g. MD5 in FIPS mode).
    ///
    /// # Safety
    ///
    /// `name` must point to a NUL-terminated string. Process context; may sleep.
    pub(crate) fn crypto_alloc_shash(
        name: *const c_char,
        type_: u32,
        mask: u32,
    ) -> *mut CryptoShash;

    /// Sets the key of a hash transform.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform not used concurrently by anyone; `key` must be
    /// valid for reads of `keylen` bytes.
    pub(crate) fn crypto_shash_setkey(tfm: *mut CryptoShash, key: *const u8, keylen: u32) -> c_int;

    /// Feeds `len` bytes at `data` into the digest in `desc`.
    ///
    /// # Safety
    ///
    /// `desc` must have been set up by [`smb3rs_shash_desc_init`] with a live transform
    /// and not be used concurrently; `data` must be valid for reads of `len` bytes (any
    /// kernel memory, stack included).
    pub(crate) fn crypto_shash_update(desc: *mut ShashDesc, data: *const u8, len: u32) -> c_int;

    /// Completes the digest in `desc` and writes it to `out`.
    ///
    /// # Safety
    ///
    /// As for [`crypto_shash_update`]; `out` must be valid for writes of the transform's
    /// digest size.
    pub(crate) fn crypto_shash_final(desc: *mut ShashDesc, out: *mut u8) -> c_int;

    /// Allocates an AEAD transform for algorithm `name`; returns an `ERR_PTR` on failure.
    ///
    /// # Safety
    ///
    /// `name` must point to a NUL-terminated string. Process context; may sleep.
    pub(crate) fn crypto_alloc_aead(name: *const c_char, type_: u32, mask: u32) -> *mut CryptoAead;

    /// Sets the key of an AEAD transform.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform not used concurrently by anyone; `key` must be
    /// valid for reads of `keylen` bytes.
    pub(crate) fn crypto_aead_setkey(tfm: *mut CryptoAead, key: *const u8, keylen: u32) -> c_int;

    /// Sets the tag length of an AEAD transform.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform not used concurrently by anyone.
    pub(crate) fn crypto_aead_setauthsize(tfm: *mut CryptoAead, authsize: u32) -> c_int;

    /// Expands the 16-, 24- or 32-byte AES key at `key` into `ctx`.
    ///
    /// # Safety
    ///
    /// `ctx` must be valid for writes and `key` for reads of `key_len` bytes.
    pub(crate) fn aes_expandkey(ctx: *mut CryptoAesCtx, key: *const u8, key_len: u32) -> c_int;

    /// Encrypts the 16-byte block at `input` into `out` with the key in `ctx`.
    ///
    /// # Safety
    ///
    /// `ctx` must hold a key expanded by [`aes_expandkey`]; `out` must be valid for
    /// writes and `input` for reads of 16 bytes.
    pub(crate) fn aes_encrypt(ctx: *const CryptoAesCtx, out: *mut u8, input: *const u8);

    /// Enters a scope in which the current task's allocations do not recurse into
    /// filesystems (GFP_NOFS); returns the state for [`smb3rs_memalloc_nofs_restore`].
    pub(crate) fn smb3rs_memalloc_nofs_save() -> u32;

    /// Leaves a scope entered by [`smb3rs_memalloc_nofs_save`].
    ///
    /// # Safety
    ///
    /// `flags` must come from the innermost [`smb3rs_memalloc_nofs_save`] of the current
    /// task not yet restored.
    pub(crate) fn smb3rs_memalloc_nofs_restore(flags: u32);

    /// Zeroes `len` bytes at `buf` in a way the compiler cannot elide.
    ///
    /// # Safety
    ///
    /// `buf` must be valid for writes of `len` bytes.
    pub(crate) fn smb3rs_memzero_explicit(buf: *mut core::ffi::c_void, len: usize);

    /// Frees a transform from [`crypto_alloc_shash`].
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform that nothing uses any more.
    pub(crate) fn smb3rs_shash_free(tfm: *mut CryptoShash);

    /// Returns the digest size of a hash transform in bytes.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform.
    pub(crate) fn smb3rs_shash_digestsize(tfm: *mut CryptoShash) -> u32;

    /// Returns the size in bytes of a `shash_desc` for `tfm`, its state included.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform.
    pub(crate) fn smb3rs_shash_desc_size(tfm: *mut CryptoShash) -> usize;

    /// Binds `desc` to `tfm` and starts a new digest in it.
    ///
    /// # Safety
    ///
    /// `desc` must be a kmalloc'd buffer of [`smb3rs_shash_desc_size`] bytes not used
    /// concurrently; `tfm` must be live (and keyed if the algorithm needs a key) for as
    /// long as `desc` is used.
    pub(crate) fn smb3rs_shash_desc_init(desc: *mut ShashDesc, tfm: *mut CryptoShash) -> c_int;

    /// Frees a transform from [`crypto_alloc_aead`].
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform that nothing uses any more.
    pub(crate) fn smb3rs_aead_free(tfm: *mut CryptoAead);

    /// Returns the IV size of an AEAD transform in bytes.
    ///
    /// # Safety
    ///
    /// `tfm` must be a live transform.
    pub(crate) fn smb3rs_aead_ivsize(tfm: *mut CryptoAead) -> u32;

    /// Allocates (GFP_NOFS) a request for `tfm` together with a zeroed IV buffer of
    /// [`smb3rs_aead_ivsize`] bytes, stored in `*iv`; returns null if out of memory.
    ///
    /// # Safety
    ///
    /// `tfm` must be live for as long as the request is; `iv` must be valid for writes.
    pub(crate) fn smb3rs_aead_request_alloc(
        tfm: *mut CryptoAead,
        iv: *mut *mut u8,
    ) -> *mut AeadRequest;

    /// Zeroes and frees a request from [`smb3rs_aead_request_alloc`] and its IV.
    ///
    /// # Safety
    ///
    /// `req` must be a request from [`smb3rs_aead_request_alloc`] not in use.
    pub(crate) fn smb3rs_aead_request_free(req: *mut AeadRequest);

    /// Sets the in-place scatterlist (associated data, text, tag), the text length (plus
    /// the tag length when decrypting) and the IV of a request.
    ///
    /// # Safety
    ///
    /// `req` must be a live request; `sg`, the memory it describes and `iv` must stay
    /// valid until the request has completed or been freed.
    pub(crate) fn smb3rs_aead_request_set_crypt(
        req: *mut AeadRequest,
        sg: *mut bindings::scatterlist,
        cryptlen: u32,
        iv: *mut u8,
    );

    /// Sets the associated data length of a request.
    ///
    /// # Safety
    ///
    /// `req` must be a live request.
    pub(crate) fn smb3rs_aead_request_set_ad(req: *mut AeadRequest, assoclen: u32);

    /// Encrypts and waits for completion; returns 0 or a negative errno.
    ///
    /// # Safety
    ///
    /// `req` must be fully set up and not used concurrently. Process context.
    pub(crate) fn smb3rs_aead_encrypt_wait(req: *mut AeadRequest) -> c_int;

    /// Decrypts, verifies the tag and waits for completion; returns 0, `-EBADMSG` for a
    /// bad tag, or another negative errno.
    ///
    /// # Safety
    ///
    /// `req` must be fully set up and not used concurrently. Process context.
    pub(crate) fn smb3rs_aead_decrypt_wait(req: *mut AeadRequest) -> c_int;

    /// Tells how the non-empty buffer at `buf` can be described by a scatterlist:
    /// [`SG_LINEAR`], [`SG_PAGED`] or `-EFAULT` (stack or unmapped: copy it first).
    ///
    /// # Safety
    ///
    /// `buf` must be valid for reads of `len` bytes, `len` not zero.
    pub(crate) fn smb3rs_sg_buf_kind(buf: *const core::ffi::c_void, len: usize) -> c_int;

    /// Points `sg` at `len` bytes at `buf`, a buffer of kind [`SG_LINEAR`].
    ///
    /// # Safety
    ///
    /// `sg` must be an entry of a table set up by `sg_init_table`; `buf` must be of kind
    /// [`SG_LINEAR`] and valid for `len` bytes.
    pub(crate) fn smb3rs_sg_set_buf(
        sg: *mut bindings::scatterlist,
        buf: *const core::ffi::c_void,
        len: u32,
    );

    /// Points `sg` at `len` bytes at `buf` within one page of vmalloc or module memory;
    /// returns 0 or `-EFAULT`.
    ///
    /// # Safety
    ///
    /// `sg` must be an entry of a table set up by `sg_init_table`; `buf` must be in
    /// memory of kind [`SG_PAGED`] and `buf + len` must not cross a page boundary.
    pub(crate) fn smb3rs_sg_set_vmalloc(
        sg: *mut bindings::scatterlist,
        buf: *const core::ffi::c_void,
        len: u32,
    ) -> c_int;
}
