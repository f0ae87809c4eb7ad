// SPDX-License-Identifier: GPL-2.0

//! Kernel threads that run a method of a refcounted object (a channel's receiver).

use core::{
    ffi::{c_int, c_void},
    marker::PhantomData,
    ptr::NonNull,
};

use kernel::{bindings, prelude::*, str::CStr, sync::Arc, types::ForeignOwnable};

use super::io_ffi;

/// What a thread runs.
pub(crate) trait ThreadMain: Send + Sync + 'static {
    /// The thread's body; it should return once [`should_stop`] is true.
    fn run(this: &Arc<Self>);
}

/// Returns whether the current kthread has been asked to stop.
pub(crate) fn should_stop() -> bool {
    // SAFETY: called from a kthread (the only callers are `ThreadMain::run` bodies).
    unsafe { bindings::kthread_should_stop() }
}

/// The kthread's entry point: runs `T::run` on the `Arc<T>` it was given.
///
/// # Safety
///
/// `data` must be a foreign `Arc<T>` whose reference passes to this call.
unsafe extern "C" fn thread_entry<T: ThreadMain>(data: *mut c_void) -> c_int {
    // SAFETY: `data` is the `Arc<T>` that `KThread::spawn` turned into a foreign
    // pointer; this thread owns that reference now.
    let this = unsafe { <Arc<T> as ForeignOwnable>::from_foreign(data) };
    T::run(&this);
    0
}

/// A running kernel thread, stopped (and waited for) when dropped.
///
/// # Invariants
///
/// `task` is a kthread created by `smb3rs_kthread_start` with `thread_entry::<T>` and
/// a foreign `Arc<T>`; this value owns one reference on the task.
pub(crate) struct KThread<T: ThreadMain> {
    task: NonNull<bindings::task_struct>,
    data: *const c_void,
    _t: PhantomData<Arc<T>>,
}

// SAFETY: a task reference may be dropped (and the thread stopped) from any thread.
unsafe impl<T: ThreadMain> Send for KThread<T> {}
// SAFETY: `KThread` offers no methods through `&self`.
unsafe impl<T: ThreadMain> Sync for KThread<T> {}

impl<T: ThreadMain> KThread<T> {
    /// Starts a thread named `name` running `T::run(&this)`.
    pub(crate) fn spawn(this: Arc<T>, name: &CStr) -> Result<Self> {
        let data = this.into_foreign();
        // SAFETY: `thread_entry::<T>` takes over `data`, a foreign `Arc<T>`; `name` is
        // NUL-terminated.
        let task = unsafe {
            io_ffi::smb3rs_kthread_start(thread_entry::<T>, data.cast_mut(), name.as_char_ptr())
        };
        // `ERR_PTR` values are the top 4095 addresses.
        let raw = task as usize;
        if task.is_null() || raw >= (-(bindings::MAX_ERRNO as isize)) as usize {
            // SAFETY: the thread was not created, so the reference is still ours.
            drop(unsafe { <Arc<T> as ForeignOwnable>::from_foreign(data) });
            return Err(if task.is_null() {
                ENOMEM
            } else {
                kernel::error::Error::from_errno(raw as isize as i32)
            });
        }
        // INVARIANT: created by the helper with `thread_entry::<T>` and `data`; the
        // helper took the task reference we own.
        Ok(Self {
            task: NonNull::new(task).ok_or(ENOMEM)?,
            data,
            _t: PhantomData,
        })
    }
}

impl<T: ThreadMain> Drop for KThread<T> {
    fn drop(&mut self) {
        // SAFETY: we own a reference on the kthread (type invariant); `kthread_stop_put`
        // waits for the thread function to return (or for the thread to exit without
        // running it) and drops the reference.
        let rc = unsafe { bindings::kthread_stop_put(self.task.as_ptr()) };
        if rc == -(bindings::EINTR as c_int) {
            // Stopped before `thread_entry` ran: the `Arc` it would have taken is ours.
            // SAFETY: `data` is the foreign `Arc<T>` nobody took over.
            drop(unsafe { <Arc<T> as ForeignOwnable>::from_foreign(self.data) });
        }
    }
}
