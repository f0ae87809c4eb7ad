// SPDX-License-Identifier: GPL-2.0

//! Kernel TCP sockets and network namespace references.

use core::ptr::NonNull;

use kernel::{bindings, prelude::*};

use super::{errno, ffi};

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

    /// Sends `segments` as one message, all or nothing: a short send (timeout or
    /// signal) leaves the stream unusable and is an error.
    pub(crate) fn send(&self, segments: &[&[u8]]) -> Result {
        const MAX_SEGMENTS: usize = 8;
        if segments.len() > MAX_SEGMENTS {
            return Err(EINVAL);
        }
        let mut vecs = [bindings::kvec {
            iov_base: core::ptr::null_mut(),
            iov_len: 0,
        }; MAX_SEGMENTS];
        let mut total = 0usize;
        for (v, s) in vecs.iter_mut().zip(segments) {
            v.iov_base = s.as_ptr() as *mut core::ffi::c_void;
            v.iov_len = s.len();
            total = total.checked_add(s.len()).ok_or(EINVAL)?;
        }
        // SAFETY: all zeroes is a valid empty `msghdr`.
        let mut msg: bindings::msghdr = unsafe { core::mem::zeroed() };
        msg.msg_flags = bindings::MSG_NOSIGNAL as _;
        // SAFETY: the socket is live by the type invariant; `vecs` describes
        // `segments.len()` readable buffers of `total` bytes that outlive the call.
        let rc = unsafe {
            bindings::kernel_sendmsg(
                self.sock.as_ptr(),
                &mut msg,
                vecs.as_mut_ptr(),
                segments.len(),
                total,
            )
        };
        if rc < 0 {
            return Err(sock_error(rc));
        }
        if rc as usize != total {
            return Err(errno(bindings::ETIMEDOUT));
        }
        Ok(())
    }

    /// Fills `buf` from the stream; the peer closing first is `ECONNRESET`.
    pub(crate) fn recv_exact(&self, buf: &mut [u8]) -> Result {
        let mut done = 0usize;
        while done < buf.len() {
            let rest = buf.get_mut(done..).ok_or(EINVAL)?;
            let mut v = bindings::kvec {
                iov_base: rest.as_mut_ptr() as *mut core::ffi::c_void,
                iov_len: rest.len(),
            };
            // SAFETY: all zeroes is a valid empty `msghdr`.
            let mut msg: bindings::msghdr = unsafe { core::mem::zeroed() };
            // SAFETY: the socket is live by the type invariant; `v` describes the
            // writable remainder of `buf`.
            let rc = unsafe {
                bindings::kernel_recvmsg(
                    self.sock.as_ptr(),
                    &mut msg,
                    &mut v,
                    1,
                    rest.len(),
                    (bindings::MSG_WAITALL | bindings::MSG_NOSIGNAL) as _,
                )
            };
            if rc < 0 {
                return Err(sock_error(rc));
            }
            if rc == 0 {
                return Err(errno(bindings::ECONNRESET));
            }
            done = done.checked_add(rc as usize).ok_or(EINVAL)?;
        }
        Ok(())
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
