//! pepkit-ffi: the C boundary, the only place with `extern "C"`, over the safe
//! `pepkit` crate. `ffi/artifact` links it into libpepkit.so and libpepkit.a
//! and generates `include/pepkit.h` from it.
//!
//! Every function here follows the same shape: a panic guard around the body
//! (`guard` for functions that return a status, `guard_or` for the few that
//! return a value), NULL checks on every pointer (`arg_ref`, `arg_mut`,
//! `arg_cstr`, `arg_out`, and `object::arg_object` for objects), and
//! out-parameters written only on success.

#![allow(non_camel_case_types)]
// The unsafe rules, enforced: every unsafe operation in its own block with a
// SAFETY reason, every public unsafe fn with its "# Safety" duties, every
// public item documented (tests/suites/11-lint.sh makes these errors).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

/// The `# Safety` section of an extern "C" function, for Rust callers (the
/// ffi tests, the fuzz targets): the duties every pointer argument carries,
/// plus `$extra`, the function's own. Written through a macro on purpose:
/// cbindgen copies only literal doc comments into the header, whose prose
/// already states these duties to C callers, so the header stays as it is.
macro_rules! c_safety {
    ($($extra:literal)*) => {
        concat!(
            "# Safety\n\n",
            "Each pointer argument is NULL (refused with PEPKIT_ERR_NULL_ARGUMENT unless the description ",
            "allows it) or valid as described above for the call: objects are live references the caller ",
            "holds, strings NUL-terminated, arrays and buffers as long as their stated length, out-parameters ",
            "writable and not aliasing the inputs. ",
            $($extra,)*
        )
    };
}

pub(crate) mod handles;
pub(crate) mod owned;
pub mod status;
pub mod buffer;
pub mod object;
pub mod format;
pub mod memoryview;
pub mod venv;
pub mod consts;
pub mod import;
pub mod interchange;
pub mod python;

/// A message a callback left with `pepkit_set_error` (or through a pepkit call
/// that failed inside it), waiting for the pepkit function that called the
/// callback to report it.
pub(crate) mod callback_error {
    use std::cell::RefCell;

    use super::pepkit_status;

    thread_local! {
        static PENDING: RefCell<Option<(pepkit_status, String)>> = const { RefCell::new(None) };
    }

    pub(crate) fn set(status: pepkit_status, message: String) {
        PENDING.with(|slot| *slot.borrow_mut() = Some((status, message)));
    }

    /// Takes the pending message if it was left for `status`.
    pub(crate) fn take(status: pepkit_status) -> Option<String> {
        PENDING.with(|slot| match slot.borrow_mut().take() {
            Some((s, message)) if s == status => Some(message),
            _ => None,
        })
    }

    /// Forgets any stale message before a callback runs.
    pub(crate) fn clear() {
        PENDING.with(|slot| *slot.borrow_mut() = None);
    }
}

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pepkit::error::{Error, Result};
pub use status::pepkit_status;

thread_local! {
    /// The message of the most recent failure on this thread.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `err` as this thread's last error and returns its status.
/// The failure is also left for a pepkit function whose callback this call
/// may be running inside (see [`callback_error`]).
pub(crate) fn fail(err: &Error) -> pepkit_status {
    let status = status::of_kind(err.kind);
    // Messages are short by construction (input is echoed through
    // mem::shown); the cut is the backstop that keeps recording a failure
    // from allocating in proportion to anything.
    let message = if err.message.len() > pepkit::raw::mem::MAX_MESSAGE {
        pepkit::raw::mem::message_text(err.message.as_bytes())
    } else {
        err.message.clone()
    };
    let text = message.replace('\0', "\\0");
    callback_error::set(status, message);
    let text = CString::new(text).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
    status
}

/// A pointer to this thread's last error message; valid until the next failing
/// pepkit call on this thread.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs `body`, turning an `Err` into its status and a panic into
/// `PEPKIT_ERR_PANIC`; `name` is the C function's name for the message.
pub(crate) fn guard(name: &str, body: impl FnOnce() -> Result<()>) -> pepkit_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => status::PEPKIT_OK,
        Ok(Err(err)) => fail(&err),
        Err(payload) => {
            let message = format!("{name}: internal error (panic): {}", panic_message(&*payload));
            fail(&Error::new(pepkit::error::ErrorKind::Panic, message))
        }
    }
}

/// Like [`guard`] for functions that return a value instead of a status: on an
/// error or a panic the message is recorded and `on_error` is returned.
pub(crate) fn guard_or<T>(name: &str, on_error: T, body: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            fail(&err);
            on_error
        }
        Err(payload) => {
            let message = format!("{name}: internal error (panic): {}", panic_message(&*payload));
            fail(&Error::new(pepkit::error::ErrorKind::Panic, message));
            on_error
        }
    }
}

fn null_error(what: &str) -> Error {
    Error::null_argument(format!("{what} must not be NULL"))
}

/// Borrows `*ptr`, or fails with NULL_ARGUMENT naming `what`.
///
/// # Safety
/// A non-NULL `ptr` must point to a valid `T` for the returned lifetime.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: as the caller guarantees.
    unsafe { ptr.as_ref() }.ok_or_else(|| null_error(what))
}

/// Mutably borrows `*ptr`, or fails with NULL_ARGUMENT naming `what`.
///
/// # Safety
/// A non-NULL `ptr` must point to a valid `T`, not aliased for the lifetime.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T> {
    // SAFETY: as the caller guarantees.
    unsafe { ptr.as_mut() }.ok_or_else(|| null_error(what))
}

/// Checks that an out-parameter is not NULL; write it with `out.write(..)` only
/// once everything else has succeeded.
pub(crate) fn arg_out<T>(ptr: *mut T, what: &str) -> Result<*mut T> {
    if ptr.is_null() {
        Err(null_error(what))
    } else {
        Ok(ptr)
    }
}

/// Borrows a NUL-terminated string, or fails with NULL_ARGUMENT naming `what`.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string valid for the lifetime.
pub(crate) unsafe fn arg_cstr<'a>(ptr: *const c_char, what: &str) -> Result<&'a CStr> {
    if ptr.is_null() {
        Err(null_error(what))
    } else {
        // SAFETY: non-NULL, and NUL-terminated as the caller guarantees.
        Ok(unsafe { CStr::from_ptr(ptr) })
    }
}

/// Borrows `len` bytes at `ptr`; NULL is accepted only when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes for the lifetime.
pub(crate) unsafe fn arg_bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8]> {
    // SAFETY: as the caller guarantees.
    unsafe { arg_slice(ptr, len, what) }
}

/// Borrows `len` elements at `ptr`; NULL is accepted only when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable elements for the lifetime.
pub(crate) unsafe fn arg_slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    // SAFETY: as the caller guarantees.
    unsafe { pepkit::raw::mem::slice(ptr, len) }.ok_or_else(|| arg_slice_error(ptr.is_null(), len, what))
}

/// Mutably borrows `len` elements at `ptr`; NULL is accepted only when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` writable elements, not aliased for the lifetime.
pub(crate) unsafe fn arg_slice_mut<'a, T>(ptr: *mut T, len: usize, what: &str) -> Result<&'a mut [T]> {
    // SAFETY: as the caller guarantees.
    unsafe { pepkit::raw::mem::slice_mut(ptr, len) }.ok_or_else(|| arg_slice_error(ptr.is_null(), len, what))
}

fn arg_slice_error(null: bool, len: usize, what: &str) -> Error {
    if null {
        Error::null_argument(format!("{what} must not be NULL when its length is {len}"))
    } else {
        Error::value(format!("{what} is not aligned for its element type"))
    }
}
