// SPDX-License-Identifier: GPL-2.0

//! Page-backed buffers that the network stack can splice: request headers in page
//! fragments, and (for file I/O) references on page-cache pages, each described to
//! the socket as one `bio_vec`.

use core::ptr::NonNull;

use kernel::{bindings, prelude::*};

use super::io_ffi;

/// A byte range in page-backed memory, owning one reference on its page.
///
/// # Invariants
///
/// `addr` is the direct-mapped address of `len` bytes starting at offset `addr %
/// PAGE_SIZE` of `page` (and, for a fragment, continuing into the following pages of
/// the same compound page); `len <= cap` and all `cap` bytes from `addr` are ours;
/// this value owns one reference on `page`'s folio.
pub(crate) struct PageSeg {
    addr: NonNull<u8>,
    page: NonNull<bindings::page>,
    len: u32,
    /// Bytes allocated (`len` may be shortened, then grown back up to this).
    cap: u32,
}

// SAFETY: page references may be dropped from any thread; the bytes are only reached
// through `&self`/`&mut self`.
unsafe impl Send for PageSeg {}
// SAFETY: `&PageSeg` only reads.
unsafe impl Sync for PageSeg {}

impl PageSeg {
    /// Allocates `len` (1..=`PAGE_SIZE`) zeroed bytes of page-fragment memory.
    pub(crate) fn alloc(len: usize) -> Result<Self> {
        if len == 0 || len > bindings::PAGE_SIZE {
            return Err(EINVAL);
        }
        let len32 = u32::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: any size up to `PAGE_SIZE` may be asked for.
        let p = unsafe { io_ffi::smb3rs_frag_alloc(len32) };
        let addr = NonNull::new(p.cast::<u8>()).ok_or(ENOMEM)?;
        // SAFETY: `addr` is the start of `len` writable bytes just allocated.
        unsafe { core::ptr::write_bytes(addr.as_ptr(), 0, len) };
        // SAFETY: fragment memory is direct-mapped.
        let page = unsafe { io_ffi::smb3rs_virt_to_page(p) };
        // INVARIANT: the fragment's reference on its (compound) page is ours;
        // dropping the reference through any of its pages releases the folio's.
        Ok(Self {
            addr,
            page: NonNull::new(page).ok_or(ENOMEM)?,
            len: len32,
            cap: len32,
        })
    }

    /// Takes over a page reference the caller owns, for `len` bytes at `addr` in
    /// `page` (a page-cache folio's page, to be spliced). Null pointers (which hold
    /// no reference) are `EINVAL`.
    ///
    /// # Safety
    ///
    /// Unless null, `addr` must be the direct-mapped address of `len` bytes of
    /// `page`'s folio, starting in `page`, and the caller must own one reference on
    /// the folio, which it hands over.
    pub(crate) unsafe fn adopt(addr: *mut u8, page: *mut bindings::page, len: u32) -> Result<Self> {
        let (Some(addr), Some(page)) = (NonNull::new(addr), NonNull::new(page)) else {
            return Err(EINVAL);
        };
        // INVARIANT: by the caller's guarantee.
        Ok(Self {
            addr,
            page,
            len,
            cap: len,
        })
    }

    /// Returns the length.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// Returns the bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        // SAFETY: `addr` points to `len` bytes we hold a page reference on.
        unsafe { core::slice::from_raw_parts(self.addr.as_ptr(), self.len()) }
    }

    /// Returns the bytes for writing (before the buffer is handed to the socket: the
    /// network stack may read it until its own page references are dropped).
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        unsafe { core::slice::from_raw_parts_mut(self.addr.as_ptr(), self.len()) }
    }

    /// Shortens the segment to its first `len` bytes.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.len() {
            // INVARIANT: a prefix of the range stays within it.
            self.len = len as u32;
        }
    }

    /// Grows the segment by `n` bytes (zero unless written before a `truncate`), within
    /// what was allocated.
    pub(crate) fn extend(&mut self, n: usize) -> Result {
        let len = self.len().checked_add(n).ok_or(EINVAL)?;
        if len > self.cap as usize {
            return Err(EINVAL);
        }
        // INVARIANT: still within the `cap` bytes allocated.
        self.len = len as u32;
        Ok(())
    }

    /// Describes the segment as a `bio_vec` (valid while `self` lives).
    pub(crate) fn bvec(&self) -> bindings::bio_vec {
        self.bvec_range(0, self.len)
    }

    /// Describes `len` bytes from byte `from` of the segment (both clamped to it) as
    /// a `bio_vec`, which may run on into the folio's following pages.
    fn bvec_range(&self, from: u32, len: u32) -> bindings::bio_vec {
        let from = from.min(self.len);
        let offset = (self.addr.as_ptr() as usize) & (bindings::PAGE_SIZE - 1);
        bindings::bio_vec {
            bv_page: self.page.as_ptr(),
            bv_len: len.min(self.len - from),
            bv_offset: (offset as u32).saturating_add(from),
        }
    }

    /// Describes bytes `[skip, skip + len)` of `segs`, taken as one run, as
    /// `bio_vec`s; fewer bytes if the segments end first.
    pub(crate) fn bvecs(
        segs: &[PageSeg],
        skip: usize,
        len: usize,
    ) -> Result<KVec<bindings::bio_vec>> {
        let mut out = KVec::new();
        let (mut skip, mut left) = (skip, len);
        for seg in segs {
            if left == 0 {
                break;
            }
            if skip >= seg.len() {
                skip -= seg.len();
                continue;
            }
            let n = (seg.len() - skip).min(left);
            // Both fit in u32: they are within the segment's u32 length.
            out.push(seg.bvec_range(skip as u32, n as u32), GFP_KERNEL)?;
            left -= n;
            skip = 0;
        }
        Ok(out)
    }
}

impl Drop for PageSeg {
    fn drop(&mut self) {
        // SAFETY: we own one reference on the page's folio (type invariant).
        unsafe { io_ffi::smb3rs_put_page(self.page.as_ptr()) };
    }
}

/// Owns the module's page-fragment cache: releases its page when dropped (module
/// exit, after everything that allocates fragments is gone).
pub(crate) struct FragCache;

impl Drop for FragCache {
    fn drop(&mut self) {
        // SAFETY: no preconditions; fragments still referenced (by `PageSeg`s or the
        // network stack) keep their pages alive on their own.
        unsafe { io_ffi::smb3rs_frags_drain() };
    }
}
