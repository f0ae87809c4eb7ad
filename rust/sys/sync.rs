// SPDX-License-Identifier: GPL-2.0

//! Waiting: completions (one per message, so a reply wakes exactly its waiter), wait
//! queues with killable conditional waits, and the lock of the module's one global
//! table.

use core::{cell::UnsafeCell, ffi::c_void};

use kernel::{bindings, prelude::*, types::Opaque};

use super::io_ffi;

/// Converts milliseconds to jiffies.
pub(crate) fn ms_to_jiffies(ms: u32) -> core::ffi::c_long {
    // SAFETY: `__msecs_to_jiffies` only computes.
    let j = unsafe { bindings::__msecs_to_jiffies(ms) };
    core::ffi::c_long::try_from(j).unwrap_or(core::ffi::c_long::MAX)
}

/// Returns the current time in jiffies.
pub(crate) fn jiffies() -> u64 {
    // SAFETY: `jiffies` is a word the timer interrupt updates; a volatile read of it
    // is what `READ_ONCE(jiffies)` does on 64-bit (`get_jiffies_64()`).
    let j = unsafe { core::ptr::read_volatile(core::ptr::addr_of!(bindings::jiffies)) };
    j as u64
}

/// Converts a jiffies interval to milliseconds.
pub(crate) fn jiffies_to_ms(j: u64) -> u64 {
    // SAFETY: `jiffies64_to_msecs` only computes.
    unsafe { bindings::jiffies64_to_msecs(j) }
}

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The event happened.
    Done,
    /// The timeout passed first.
    TimedOut,
    /// A fatal signal arrived.
    Killed,
}

/// A one-shot event (`struct completion`) embedded in a refcounted object.
#[pin_data]
pub(crate) struct Completion {
    #[pin]
    inner: Opaque<bindings::completion>,
}

// SAFETY: a completion is designed to be completed and waited on from any thread.
unsafe impl Send for Completion {}
// SAFETY: as above; every operation goes through the completion's own locking.
unsafe impl Sync for Completion {}

impl Completion {
    /// Creates a completion that has not happened yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `init_completion` initialises the memory it is given, which is
            // not in use yet.
            inner <- Opaque::ffi_init(|p| unsafe { io_ffi::smb3rs_completion_init(p) }),
        })
    }

    /// Marks the event as happened, waking every waiter now and later.
    pub(crate) fn complete_all(&self) {
        // SAFETY: the completion is initialised (pinned since `new`).
        unsafe { bindings::complete_all(self.inner.get()) };
    }

    /// Waits for the event, uninterruptibly: only for events that come within a
    /// bounded time whatever happens (a receive that times out).
    pub(crate) fn wait(&self) {
        // SAFETY: the completion is initialised.
        unsafe { bindings::wait_for_completion(self.inner.get()) };
    }

    /// Waits for the event, uninterruptibly, at most `timeout_ms`; `true` if it
    /// happened.
    pub(crate) fn wait_timeout(&self, timeout_ms: u32) -> bool {
        let timeout = ms_to_jiffies(timeout_ms).unsigned_abs();
        // SAFETY: the completion is initialised.
        unsafe { bindings::wait_for_completion_timeout(self.inner.get(), timeout as _) != 0 }
    }

    /// Waits killably for the event, at most `timeout_ms`.
    pub(crate) fn wait_killable(&self, timeout_ms: u32) -> Wait {
        let timeout = ms_to_jiffies(timeout_ms).unsigned_abs();
        // SAFETY: the completion is initialised.
        let rc = unsafe {
            bindings::wait_for_completion_killable_timeout(self.inner.get(), timeout as _)
        };
        match rc {
            0 => Wait::TimedOut,
            r if r < 0 => Wait::Killed,
            _ => Wait::Done,
        }
    }
}

/// A wait queue on which tasks sleep until a condition of the owner's holds.
#[pin_data]
pub(crate) struct WaitQueue {
    #[pin]
    inner: Opaque<bindings::wait_queue_head>,
}

// SAFETY: wait queues are designed for use from any thread.
unsafe impl Send for WaitQueue {}
// SAFETY: as above; the queue has its own lock.
unsafe impl Sync for WaitQueue {}

/// Evaluates the condition `arg` points to (the callback of `smb3rs_wait_event`).
///
/// # Safety
///
/// `arg` must point to a live `F`.
unsafe extern "C" fn call_condition<F: Fn() -> bool>(arg: *mut c_void) -> bool {
    // SAFETY: `arg` is the `&F` that `WaitQueue::wait_killable` passed, live for the
    // wait.
    let f = unsafe { &*arg.cast::<F>() };
    f()
}

impl WaitQueue {
    /// Creates an empty wait queue.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: the memory is not in use yet.
            inner <- Opaque::ffi_init(|p| unsafe { io_ffi::smb3rs_waitqueue_init(p) }),
        })
    }

    /// Sleeps until `cond` returns true (checked after every wake-up) or `timeout_ms`
    /// pass: killably if `killable`, else uninterruptibly (an idle sleep: no
    /// hung-task report, no load). `cond` must not sleep.
    pub(crate) fn wait_until<F: Fn() -> bool>(
        &self,
        timeout_ms: u32,
        killable: bool,
        cond: F,
    ) -> Wait {
        let arg = core::ptr::from_ref(&cond).cast_mut().cast::<c_void>();
        // SAFETY: the queue is initialised; `call_condition::<F>` is sound with `arg`,
        // which points to `cond`, live until the call returns.
        let rc = unsafe {
            io_ffi::smb3rs_wait_event(
                self.inner.get(),
                call_condition::<F>,
                arg,
                ms_to_jiffies(timeout_ms),
                killable,
            )
        };
        match rc {
            0 => Wait::TimedOut,
            r if r < 0 => Wait::Killed,
            _ => Wait::Done,
        }
    }

    /// Wakes every sleeper so that it re-checks its condition.
    pub(crate) fn wake_all(&self) {
        // SAFETY: the queue is initialised.
        unsafe { io_ffi::smb3rs_wake_all(self.inner.get()) };
    }
}

/// The data of the module's one global table (the shared sessions), guarded by a
/// mutex defined in C (a static Rust mutex cannot be initialised in 6.12).
///
/// # Invariants
///
/// `data` is only accessed with `smb3rs_registry_mutex` held: there is one instance
/// (see [`GlobalTable::new`]), and the only access is through [`GlobalGuard`].
pub(crate) struct GlobalTable<T> {
    data: UnsafeCell<T>,
}

// SAFETY: access to `data` is serialised by the C mutex (type invariant).
unsafe impl<T: Send> Sync for GlobalTable<T> {}

impl<T> GlobalTable<T> {
    /// Creates the table.
    ///
    /// # Safety
    ///
    /// There must be only one `GlobalTable` in the module: all share one C mutex.
    pub(crate) const unsafe fn new(data: T) -> Self {
        Self {
            data: UnsafeCell::new(data),
        }
    }

    /// Locks the table (may sleep).
    pub(crate) fn lock(&self) -> GlobalGuard<'_, T> {
        // SAFETY: takes the mutex; released by the guard's drop.
        unsafe { io_ffi::smb3rs_registry_lock() };
        GlobalGuard { table: self }
    }
}

/// Holds the global table's mutex.
pub(crate) struct GlobalGuard<'a, T> {
    table: &'a GlobalTable<T>,
}

impl<T> core::ops::Deref for GlobalGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the mutex is held while the guard lives.
        unsafe { &*self.table.data.get() }
    }
}

impl<T> core::ops::DerefMut for GlobalGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the mutex is held while the guard lives, and the guard is borrowed
        // mutably.
        unsafe { &mut *self.table.data.get() }
    }
}

impl<T> Drop for GlobalGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds the mutex.
        unsafe { io_ffi::smb3rs_registry_unlock() };
    }
}
