//! Status codes, the last-error message and the version: the parts of the C API
//! every other function relies on.

use std::ffi::c_char;

use super::{guard_or, last_error_ptr};
use pepkit::error::ErrorKind;

/// The result of every fallible pepkit function: `PEPKIT_OK` (0) or one of the
/// `PEPKIT_ERR_*` codes. The numbers are append-only and never reused.
pub type pepkit_status = i32;

/// Success.
pub const PEPKIT_OK: pepkit_status = 0;
/// CPython's BufferError: an export or a resize was refused.
pub const PEPKIT_ERR_BUFFER: pepkit_status = 1;
/// CPython's ValueError.
pub const PEPKIT_ERR_VALUE: pepkit_status = 2;
/// CPython's TypeError.
pub const PEPKIT_ERR_TYPE: pepkit_status = 3;
/// CPython's IndexError.
pub const PEPKIT_ERR_INDEX: pepkit_status = 4;
/// CPython's NotImplementedError.
pub const PEPKIT_ERR_NOT_IMPLEMENTED: pepkit_status = 5;
/// CPython's OverflowError: a size or index does not fit.
pub const PEPKIT_ERR_OVERFLOW: pepkit_status = 6;
/// CPython's MemoryError: an allocation failed.
pub const PEPKIT_ERR_NO_MEMORY: pepkit_status = 7;
/// CPython's OSError: I/O or permissions (the message names the path).
pub const PEPKIT_ERR_OS: pepkit_status = 8;
/// A file, interpreter or name that does not exist.
pub const PEPKIT_ERR_NOT_FOUND: pepkit_status = 9;
/// Something is in the way (a file, a non-venv directory).
pub const PEPKIT_ERR_EXISTS: pepkit_status = 10;
/// A child process failed (its stderr is in the message).
pub const PEPKIT_ERR_SUBPROCESS: pepkit_status = 11;
/// A pointer argument that must not be NULL was NULL.
pub const PEPKIT_ERR_NULL_ARGUMENT: pepkit_status = 12;
/// pepkit caught an internal panic (a bug in pepkit; please report it).
pub const PEPKIT_ERR_PANIC: pepkit_status = 13;

/// The status that stands for `kind`.
pub(crate) fn of_kind(kind: ErrorKind) -> pepkit_status {
    match kind {
        ErrorKind::Buffer => PEPKIT_ERR_BUFFER,
        ErrorKind::Value => PEPKIT_ERR_VALUE,
        ErrorKind::Type => PEPKIT_ERR_TYPE,
        ErrorKind::Index => PEPKIT_ERR_INDEX,
        ErrorKind::NotImplemented => PEPKIT_ERR_NOT_IMPLEMENTED,
        ErrorKind::Overflow => PEPKIT_ERR_OVERFLOW,
        ErrorKind::NoMemory => PEPKIT_ERR_NO_MEMORY,
        ErrorKind::Os => PEPKIT_ERR_OS,
        ErrorKind::NotFound => PEPKIT_ERR_NOT_FOUND,
        ErrorKind::Exists => PEPKIT_ERR_EXISTS,
        ErrorKind::Subprocess => PEPKIT_ERR_SUBPROCESS,
        ErrorKind::NullArgument => PEPKIT_ERR_NULL_ARGUMENT,
        ErrorKind::Panic => PEPKIT_ERR_PANIC,
    }
}

/// The message of the most recent failed pepkit call on the calling thread.
///
/// Never NULL: an empty string when nothing has failed yet on this thread.
/// The string is owned by pepkit (do not free it) and stays valid until the
/// next pepkit call on the same thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn pepkit_last_error() -> *const c_char {
    last_error_ptr()
}

/// The name of a status as a static string, e.g. "PEPKIT_ERR_BUFFER";
/// "PEPKIT_ERR_UNKNOWN" for a number pepkit does not define. Never NULL; the
/// string is static (never free it).
#[no_mangle]
pub extern "C" fn pepkit_status_name(status: pepkit_status) -> *const c_char {
    let name: &'static [u8] = match status {
        PEPKIT_OK => b"PEPKIT_OK\0",
        PEPKIT_ERR_BUFFER => b"PEPKIT_ERR_BUFFER\0",
        PEPKIT_ERR_VALUE => b"PEPKIT_ERR_VALUE\0",
        PEPKIT_ERR_TYPE => b"PEPKIT_ERR_TYPE\0",
        PEPKIT_ERR_INDEX => b"PEPKIT_ERR_INDEX\0",
        PEPKIT_ERR_NOT_IMPLEMENTED => b"PEPKIT_ERR_NOT_IMPLEMENTED\0",
        PEPKIT_ERR_OVERFLOW => b"PEPKIT_ERR_OVERFLOW\0",
        PEPKIT_ERR_NO_MEMORY => b"PEPKIT_ERR_NO_MEMORY\0",
        PEPKIT_ERR_OS => b"PEPKIT_ERR_OS\0",
        PEPKIT_ERR_NOT_FOUND => b"PEPKIT_ERR_NOT_FOUND\0",
        PEPKIT_ERR_EXISTS => b"PEPKIT_ERR_EXISTS\0",
        PEPKIT_ERR_SUBPROCESS => b"PEPKIT_ERR_SUBPROCESS\0",
        PEPKIT_ERR_NULL_ARGUMENT => b"PEPKIT_ERR_NULL_ARGUMENT\0",
        PEPKIT_ERR_PANIC => b"PEPKIT_ERR_PANIC\0",
        _ => b"PEPKIT_ERR_UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// The library's version as "MAJOR.MINOR.PATCH", equal to PEPKIT_VERSION_STRING
/// of the header it was built with. Static: never free it.
#[no_mangle]
pub extern "C" fn pepkit_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Records a failure from inside a callback pepkit called (an exporter's
/// getbuffer, say), so that the status the callback returns reaches its caller
/// with this message instead of a generic one.
///
/// `message` is borrowed and copied (cut after 16 KiB, with its full length
/// said); NULL means no message. Returns `status`
/// unchanged, so a callback can write `return pepkit_set_error(PEPKIT_ERR_BUFFER, "...")`.
#[doc = c_safety!("`message` may be NULL.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_set_error(status: pepkit_status, message: *const c_char) -> pepkit_status {
    guard_or("pepkit_set_error", status, || {
        let text = if message.is_null() {
            String::new()
        } else {
            // The caller's text, cut to a bounded length: kept until the
            // next failure, it must not cost memory in proportion to input.
            // SAFETY: a non-NULL message is NUL-terminated, as documented.
            pepkit::raw::mem::message_text(unsafe { std::ffi::CStr::from_ptr(message) }.to_bytes())
        };
        super::callback_error::set(status, text);
        Ok(status)
    })
}

/// The error kind a callback's status stands for; unknown numbers count as
/// BufferError, the class CPython gives a failed getbuffer.
pub(crate) fn kind_of(status: pepkit_status) -> ErrorKind {
    match status {
        PEPKIT_ERR_VALUE => ErrorKind::Value,
        PEPKIT_ERR_TYPE => ErrorKind::Type,
        PEPKIT_ERR_INDEX => ErrorKind::Index,
        PEPKIT_ERR_NOT_IMPLEMENTED => ErrorKind::NotImplemented,
        PEPKIT_ERR_OVERFLOW => ErrorKind::Overflow,
        PEPKIT_ERR_NO_MEMORY => ErrorKind::NoMemory,
        PEPKIT_ERR_OS => ErrorKind::Os,
        PEPKIT_ERR_NOT_FOUND => ErrorKind::NotFound,
        PEPKIT_ERR_EXISTS => ErrorKind::Exists,
        PEPKIT_ERR_SUBPROCESS => ErrorKind::Subprocess,
        PEPKIT_ERR_NULL_ARGUMENT => ErrorKind::NullArgument,
        PEPKIT_ERR_PANIC => ErrorKind::Panic,
        _ => ErrorKind::Buffer,
    }
}
