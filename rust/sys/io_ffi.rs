// SPDX-License-Identifier: GPL-2.0

//! Declarations of the module's I/O C helpers (`io_helpers.c`, prototypes in
//! `io_helpers.h`): completions, wait queues, kthreads, page fragments, spliced sends,
//! procfs and the session table's lock.

use core::ffi::{c_int, c_long, c_uint, c_void};

use kernel::{bindings, ffi::c_char};

// Only pointers to these structs cross the boundary; some contain zero-sized members
// (config-dependent) that the lint cannot see past.
#[allow(improper_ctypes)]
extern "C" {
    /// Initialises a completion (`init_completion()`).
    ///
    /// # Safety
    ///
    /// `c` must be valid for writes and not in use.
    pub(crate) fn smb3rs_completion_init(c: *mut bindings::completion);

    /// Initialises a wait queue head (`init_waitqueue_head()`).
    ///
    /// # Safety
    ///
    /// `wq` must be valid for writes and not in use.
    pub(crate) fn smb3rs_waitqueue_init(wq: *mut bindings::wait_queue_head);

    /// Sleeps until `cond(arg)` holds or `timeout` jiffies pass, killably or idle:
    /// > 0 if it held, 0 on timeout, -ERESTARTSYS on a fatal signal.
    ///
    /// # Safety
    ///
    /// `wq` must be an initialised wait queue and `cond` safe to call with `arg` for the
    /// whole wait.
    pub(crate) fn smb3rs_wait_event(
        wq: *mut bindings::wait_queue_head,
        cond: unsafe extern "C" fn(*mut c_void) -> bool,
        arg: *mut c_void,
        timeout: c_long,
        killable: bool,
    ) -> c_long;

    /// Wakes every task sleeping on `wq`.
    ///
    /// # Safety
    ///
    /// `wq` must be an initialised wait queue.
    pub(crate) fn smb3rs_wake_all(wq: *mut bindings::wait_queue_head);

    /// Creates and wakes a kthread running `f(data)`, returning it with a task
    /// reference the caller owns (or an `ERR_PTR`).
    ///
    /// # Safety
    ///
    /// `f` must be safe to run with `data` in a kernel thread; `name` a NUL-terminated
    /// string.
    pub(crate) fn smb3rs_kthread_start(
        f: unsafe extern "C" fn(*mut c_void) -> c_int,
        data: *mut c_void,
        name: *const c_char,
    ) -> *mut bindings::task_struct;

    /// Allocates `size` (at most `PAGE_SIZE`) bytes of page-fragment memory with
    /// GFP_NOFS; freed with `page_frag_free()`. Null on failure.
    pub(crate) fn smb3rs_frag_alloc(size: c_uint) -> *mut c_void;

    /// Releases the fragment cache's page (module exit, after every fragment is freed
    /// or owned by the network stack).
    pub(crate) fn smb3rs_frags_drain();

    /// Returns the page of a direct-mapped address.
    ///
    /// # Safety
    ///
    /// `addr` must be a direct-mapped kernel address.
    pub(crate) fn smb3rs_virt_to_page(addr: *const c_void) -> *mut bindings::page;

    /// Drops a page reference.
    ///
    /// # Safety
    ///
    /// The caller must own the reference it drops.
    pub(crate) fn smb3rs_put_page(page: *mut bindings::page);

    /// Sends `nr` segments of `len` bytes in total with one
    /// `sendmsg(MSG_SPLICE_PAGES)`; 0 or a negative errno.
    ///
    /// # Safety
    ///
    /// `sock` must be a live connected socket; `bv` must describe `nr` segments of
    /// refcounted pages the caller keeps referenced for the call.
    pub(crate) fn smb3rs_sock_send_pages(
        sock: *mut bindings::socket,
        bv: *mut bindings::bio_vec,
        nr: c_uint,
        len: usize,
    ) -> c_int;

    /// Receives up to `len` bytes into the `nr` segments of `bv` with one
    /// `recvmsg(MSG_WAITALL)`: the bytes received (0 when the peer closed), or a
    /// negative errno (-EAGAIN after the receive timeout with nothing received).
    ///
    /// # Safety
    ///
    /// `sock` must be a live connected socket; `bv` must describe `nr` segments of
    /// at least `len` bytes in total, in pages the caller keeps referenced and owns
    /// for writing during the call.
    pub(crate) fn smb3rs_sock_recv_pages(
        sock: *mut bindings::socket,
        bv: *mut bindings::bio_vec,
        nr: c_uint,
        len: usize,
    ) -> c_int;

    /// Sets the receive timeout of `sock` to `timeout` jiffies.
    ///
    /// # Safety
    ///
    /// `sock` must be a live socket.
    pub(crate) fn smb3rs_sock_set_rcvtimeo(sock: *mut bindings::socket, timeout: c_long);

    /// Creates `/proc/fs/smb3rs/{DebugData,Stats}`; 0 or -ENOMEM.
    pub(crate) fn smb3rs_proc_init() -> c_int;

    /// Removes `/proc/fs/smb3rs`, waiting for readers.
    pub(crate) fn smb3rs_proc_exit();

    /// Locks the session table.
    pub(crate) fn smb3rs_registry_lock();

    /// Unlocks the session table.
    ///
    /// # Safety
    ///
    /// The caller must hold the lock.
    pub(crate) fn smb3rs_registry_unlock();

}
