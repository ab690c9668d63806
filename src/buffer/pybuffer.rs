//! `pepkit_buffer`: CPython's `Py_buffer`, field for field (the C skin's
//! and `pepkit::raw`'s; the safe API wraps it in [`Export`](super::Export)).

use std::ffi::{c_char, c_int, c_void};

use super::object::pepkit_object;

/// `Py_ssize_t`: a signed size the width of a pointer.
pub type pepkit_ssize = isize;

/// One export of an object's memory: exactly the layout of CPython's `Py_buffer`
/// (80 bytes on LP64), so either side can fill it for the other.
///
/// A consumer treats every field as read-only. `format`, `shape`, `strides` and
/// `suboffsets` point into memory owned by the exporter (never by the
/// consumer) and stay valid until the export is released.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pepkit_buffer {
    /// The first item: for a view with negative strides, not the lowest address.
    pub buf: *mut c_void,
    /// The exporter; a reference owned by this export (NULL once released, or
    /// for a temporary buffer filled by pepkit_buffer_fill_info with no object).
    pub obj: *mut pepkit_object,
    /// product(shape) * itemsize, in bytes.
    pub len: pepkit_ssize,
    /// Bytes per item; real even when `format` is NULL.
    pub itemsize: pepkit_ssize,
    /// 1 if the memory must not be written.
    pub readonly: c_int,
    /// Number of dimensions, 0 to PEPKIT_BUF_MAX_NDIM.
    pub ndim: c_int,
    /// struct-module format of one item; NULL means "B".
    pub format: *mut c_char,
    /// ndim extents; NULL when ND was not requested (then ndim is 1) or ndim is 0.
    pub shape: *mut pepkit_ssize,
    /// ndim byte steps; NULL means C-contiguous.
    pub strides: *mut pepkit_ssize,
    /// ndim PIL-style offsets (a negative entry means "no indirection"); NULL
    /// means none at all.
    pub suboffsets: *mut pepkit_ssize,
    /// The exporter's own per-export data.
    pub internal: *mut c_void,
}

impl pepkit_buffer {
    /// An all-zero buffer: what a released or never-filled view looks like.
    pub const fn zeroed() -> pepkit_buffer {
        pepkit_buffer {
            buf: std::ptr::null_mut(),
            obj: std::ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: std::ptr::null_mut(),
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            suboffsets: std::ptr::null_mut(),
            internal: std::ptr::null_mut(),
        }
    }
}

impl Default for pepkit_buffer {
    fn default() -> Self {
        pepkit_buffer::zeroed()
    }
}
