// SPDX-License-Identifier: GPL-2.0

//! Kernel TCP sockets and network namespace references.

use core::ptr::NonNull;

use kernel::{bindings, prelude::*};

use super::{errno, ffi, io_ffi, mem::PageSeg, sync::ms_to_jiffies};

/// What one receive call produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Received {
    /// This many bytes (at least one).
    Data(usize),
    /// Nothing within the receive timeout.
    Idle,
    /// The peer closed the connection.
    Closed,
}

/// A counted reference on a network namespace.
///
/// # Invariants
///
/// `ptr` points to a live namespace on which this value owns one reference.
pub(crate) struct NetNs {
    ptr: NonNull<bindings::net>,
}

// SAFETY: a namespace reference may be dropped from any thread.
unsafe impl Send for NetNs {}
// SAFETY: `NetNs` offers no access to the namespace through `&self` beyond its address.
unsafe impl Sync for NetNs {}

impl NetNs {
    /// Takes a reference on the namespace `net`.
    ///
    /// # Safety
    ///
    /// `net` must point to a live network namespace.
    pub(crate) unsafe fn get(net: *mut bindings::net) -> Result<Self> {
        let ptr = NonNull::new(net).ok_or(EINVAL)?;
        // SAFETY: `net` is live by the caller's guarantee.
        unsafe { ffi::smb3rs_get_net(ptr.as_ptr()) };
        // INVARIANT: we just took the reference this value owns.
        Ok(Self { ptr })
    }
}

impl NetNs {
    /// Returns an identity for the namespace, for comparing (never dereferenced).
    pub(crate) fn id(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        // SAFETY: this value owns one reference by the type invariant.
        unsafe { ffi::smb3rs_put_net(self.ptr.as_ptr()) };
    }
}

/// Converts a negative errno from a socket call into an error, mapping the codes of a
/// timed-out blocking call to `ETIMEDOUT`.
fn sock_error(rc: core::ffi::c_int) -> Error {
    if rc == -(bindings::EAGAIN as i32) || rc == -(bindings::EINPROGRESS as i32) {
        errno(bindings::ETIMEDOUT)
    } else {
        Error::from_errno(rc)
    }
}

/// A connected kernel TCP socket, released on drop.
///
/// # Invariants
///
/// `sock` points to a connected socket this value owns, created in the namespace
/// `_net` holds a reference on.
pub(crate) struct TcpSocket {
    sock: NonNull<bindings::socket>,
    _net: NetNs,
}

// SAFETY: kernel sockets may be used and released from any thread; the socket layer
// serialises concurrent callers itself.
unsafe impl Send for TcpSocket {}
// SAFETY: as above; every method goes through the socket layer's own locking.
unsafe impl Sync for TcpSocket {}

impl TcpSocket {
    /// Connects to `addr` (4 bytes IPv4 or 16 bytes IPv6, network order) port `port`
    /// inside `net`, waiting at most `timeout_ms` for the connect and for each later
    /// send or receive.
    pub(crate) fn connect(net: NetNs, addr: &[u8], port: u16, timeout_ms: u32) -> Result<Self> {
        let ipv6 = match addr.len() {
            4 => false,
            16 => true,
            _ => return Err(EINVAL),
        };
        // SAFETY: `msecs_to_jiffies` only computes.
        let timeout = unsafe { bindings::__msecs_to_jiffies(timeout_ms) } as core::ffi::c_long;
        let mut sock: *mut bindings::socket = core::ptr::null_mut();
        // SAFETY: `sock` is writable, `net` is live (we hold a reference), `addr` has
        // the length `ipv6` announces.
        let rc = unsafe {
            ffi::smb3rs_tcp_connect(
                &mut sock,
                net.ptr.as_ptr(),
                ipv6,
                addr.as_ptr(),
                port,
                timeout,
            )
        };
        if rc != 0 {
            return Err(sock_error(rc));
        }
        let sock = NonNull::new(sock).ok_or(EINVAL)?;
        // INVARIANT: the helper returned a connected socket now owned by us, created in
        // `net`, whose reference we keep.
        Ok(Self { sock, _net: net })
    }

    /// Sends `segments` back to back with one `sendmsg(MSG_SPLICE_PAGES)`: TCP takes
    /// page references, nothing is copied. All or nothing: a short send leaves the
    /// stream unusable and is an error. Returns the bytes sent.
    pub(crate) fn send_pages<'a>(
        &self,
        segments: impl Iterator<Item = &'a PageSeg>,
    ) -> Result<usize> {
        let mut vecs: KVec<bindings::bio_vec> = KVec::new();
        let mut total = 0usize;
        for seg in segments {
            vecs.push(seg.bvec(), GFP_KERNEL)?;
            total = total.checked_add(seg.len()).ok_or(EINVAL)?;
        }
        let nr = u32::try_from(vecs.len()).map_err(|_| EINVAL)?;
        // SAFETY: the socket is live by the type invariant; `vecs` describes `nr`
        // segments of `total` bytes in refcounted pages that the `PageSeg`s the caller
        // lent us keep alive for the call.
        let rc = unsafe {
            io_ffi::smb3rs_sock_send_pages(self.sock.as_ptr(), vecs.as_mut_ptr(), nr, total)
        };
        if rc < 0 {
            return Err(sock_error(rc));
        }
        Ok(total)
    }

    /// Receives up to `buf.len()` bytes, waiting at most the receive timeout.
    pub(crate) fn recv_some(&self, buf: &mut [u8]) -> Result<Received> {
        let mut v = bindings::kvec {
            iov_base: buf.as_mut_ptr() as *mut core::ffi::c_void,
            iov_len: buf.len(),
        };
        // SAFETY: all zeroes is a valid empty `msghdr`.
        let mut msg: bindings::msghdr = unsafe { core::mem::zeroed() };
        // SAFETY: the socket is live by the type invariant; `v` describes `buf`.
        let rc = unsafe {
            bindings::kernel_recvmsg(
                self.sock.as_ptr(),
                &mut msg,
                &mut v,
                1,
                buf.len(),
                (bindings::MSG_WAITALL | bindings::MSG_NOSIGNAL) as _,
            )
        };
        match rc {
            0 => Ok(Received::Closed),
            r if r > 0 => Ok(Received::Data(r as usize)),
            r if r == -(bindings::EAGAIN as i32) => Ok(Received::Idle),
            r => Err(Error::from_errno(r)),
        }
    }

    /// Receives up to `len` bytes straight into `segs` (taken as one run, from byte
    /// `skip` on), waiting at most the receive timeout: no bounce buffer, no copy
    /// but the socket's own into the pages.
    pub(crate) fn recv_pages(
        &self,
        segs: &mut [PageSeg],
        skip: usize,
        len: usize,
    ) -> Result<Received> {
        let mut vecs = PageSeg::bvecs(segs, skip, len)?;
        let total: usize = vecs.iter().map(|v| v.bv_len as usize).sum();
        if total == 0 {
            return Err(EINVAL);
        }
        let nr = u32::try_from(vecs.len()).map_err(|_| EINVAL)?;
        // SAFETY: the socket is live by the type invariant; `vecs` describes `total`
        // bytes of pages the `PageSeg`s keep referenced, which `&mut` makes ours to
        // write for the call.
        let rc = unsafe {
            io_ffi::smb3rs_sock_recv_pages(self.sock.as_ptr(), vecs.as_mut_ptr(), nr, total)
        };
        match rc {
            0 => Ok(Received::Closed),
            r if r > 0 => Ok(Received::Data(r as usize)),
            r if r == -(bindings::EAGAIN as i32) => Ok(Received::Idle),
            r => Err(Error::from_errno(r)),
        }
    }

    /// Sets how long [`recv_some`](Self::recv_some) waits before reporting `Idle`.
    pub(crate) fn set_recv_timeout(&self, ms: u32) {
        // SAFETY: the socket is live by the type invariant.
        unsafe { io_ffi::smb3rs_sock_set_rcvtimeo(self.sock.as_ptr(), ms_to_jiffies(ms)) };
    }

    /// Shuts the connection down in both directions (wakes a blocked receiver).
    pub(crate) fn shutdown(&self) {
        // SAFETY: the socket is live by the type invariant.
        unsafe {
            bindings::kernel_sock_shutdown(
                self.sock.as_ptr(),
                bindings::sock_shutdown_cmd_SHUT_RDWR,
            )
        };
    }
}

impl Drop for TcpSocket {
    fn drop(&mut self) {
        // SAFETY: we own the socket by the type invariant and nothing uses it after.
        unsafe { bindings::sock_release(self.sock.as_ptr()) };
    }
}
