//! PEP 3118: the buffer struct, request flags, exporters and CPython's buffer
//! helper functions (`PyBuffer_IsContiguous`, `_GetPointer`, `_ToContiguous`,
//! `_FromContiguous`, `_FillContiguousStrides`, `_FillInfo`).

mod copy;
mod geometry;
mod layout;
mod object;
mod request;

use std::ffi::{c_char, c_int, c_void};

pub use copy::{from_contiguous, get_pointer, to_contiguous};
pub use geometry::{fill_contiguous_strides, is_contiguous, Geometry, Order};
pub(crate) use geometry::contiguous_strides;
pub use layout::{pepkit_layout, ValidLayout};
pub use object::{pepkit_object, ArrayDesc, Exporter, ObjectKind};

/// `Py_ssize_t`: a signed size the width of a pointer.
pub type pepkit_ssize = isize;

/// The most dimensions a buffer may have, as CPython's `PyBUF_MAX_NDIM`.
pub const PEPKIT_BUF_MAX_NDIM: c_int = 64;
pub(crate) const MAX_NDIM: usize = PEPKIT_BUF_MAX_NDIM as usize;

/// Request flags for `pepkit_getbuffer`: the values of CPython's `PyBUF_*`.
pub const PEPKIT_BUF_SIMPLE: c_int = 0;
/// The consumer will write; a read-only exporter refuses.
pub const PEPKIT_BUF_WRITABLE: c_int = 0x0001;
/// Alias of PEPKIT_BUF_WRITABLE, as CPython's `PyBUF_WRITEABLE`.
pub const PEPKIT_BUF_WRITEABLE: c_int = PEPKIT_BUF_WRITABLE;
/// The consumer wants `format` filled in (otherwise it is NULL: unsigned bytes).
pub const PEPKIT_BUF_FORMAT: c_int = 0x0004;
/// The consumer wants `shape` (otherwise ndim is 1 and shape NULL).
pub const PEPKIT_BUF_ND: c_int = 0x0008;
/// The consumer wants `strides` (implies ND).
pub const PEPKIT_BUF_STRIDES: c_int = 0x0010 | PEPKIT_BUF_ND;
/// The buffer must be C-contiguous (implies STRIDES).
pub const PEPKIT_BUF_C_CONTIGUOUS: c_int = 0x0020 | PEPKIT_BUF_STRIDES;
/// The buffer must be Fortran-contiguous (implies STRIDES).
pub const PEPKIT_BUF_F_CONTIGUOUS: c_int = 0x0040 | PEPKIT_BUF_STRIDES;
/// The buffer must be C- or Fortran-contiguous (implies STRIDES).
pub const PEPKIT_BUF_ANY_CONTIGUOUS: c_int = 0x0080 | PEPKIT_BUF_STRIDES;
/// The consumer can follow `suboffsets` (implies STRIDES).
pub const PEPKIT_BUF_INDIRECT: c_int = 0x0100 | PEPKIT_BUF_STRIDES;
/// ND | WRITABLE.
pub const PEPKIT_BUF_CONTIG: c_int = PEPKIT_BUF_ND | PEPKIT_BUF_WRITABLE;
/// ND.
pub const PEPKIT_BUF_CONTIG_RO: c_int = PEPKIT_BUF_ND;
/// STRIDES | WRITABLE.
pub const PEPKIT_BUF_STRIDED: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_WRITABLE;
/// STRIDES.
pub const PEPKIT_BUF_STRIDED_RO: c_int = PEPKIT_BUF_STRIDES;
/// STRIDES | WRITABLE | FORMAT.
pub const PEPKIT_BUF_RECORDS: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_WRITABLE | PEPKIT_BUF_FORMAT;
/// STRIDES | FORMAT.
pub const PEPKIT_BUF_RECORDS_RO: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_FORMAT;
/// INDIRECT | WRITABLE | FORMAT.
pub const PEPKIT_BUF_FULL: c_int = PEPKIT_BUF_INDIRECT | PEPKIT_BUF_WRITABLE | PEPKIT_BUF_FORMAT;
/// INDIRECT | FORMAT.
pub const PEPKIT_BUF_FULL_RO: c_int = PEPKIT_BUF_INDIRECT | PEPKIT_BUF_FORMAT;
/// Read access, only for `pepkit_memoryview_from_memory` (never a getbuffer request).
pub const PEPKIT_BUF_READ: c_int = 0x100;
/// Write access, only for `pepkit_memoryview_from_memory` (never a getbuffer request).
pub const PEPKIT_BUF_WRITE: c_int = 0x200;

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

/// The `internal` of a view `fill_info` gave an object: it holds a reference
/// to `obj` but no export of it, so releasing it drops the reference without
/// ending an export (CPython's PyBuffer_Release just decrefs `obj`).
static FILL_INFO_REFERENCE: u8 = 0;

pub(crate) fn fill_info_marker() -> *mut c_void {
    &FILL_INFO_REFERENCE as *const u8 as *mut c_void
}

/// `PyBuffer_FillInfo`: describes `len` plain bytes at `buf` as a 1-D "B"
/// buffer, for a request `flags`. `shape` and `strides` point at the view's own
/// `len` and `itemsize` fields, as CPython's do. The reference to `obj` is the
/// caller's business (see the C function). `internal` is NULL, as CPython's,
/// unless `obj` is given: then it marks the view as holding a reference
/// without an export (see [`fill_info_marker`]).
///
/// As CPython, `readonly` is stored as given, and only `readonly == 1` refuses
/// a WRITABLE request.
pub fn fill_info(
    view: &mut pepkit_buffer,
    obj: *mut pepkit_object,
    buf: *mut c_void,
    len: isize,
    readonly: c_int,
    flags: c_int,
) -> crate::error::Result<()> {
    request::reject_access_flags(flags)?;
    if len < 0 {
        return Err(crate::error::Error::value(format!("pepkit_buffer_fill_info: negative len {len}")));
    }
    if flags & PEPKIT_BUF_WRITABLE != 0 && readonly == 1 {
        return Err(crate::error::Error::buffer("Object is not writable."));
    }
    static BYTE_FORMAT: &[u8] = b"B\0";
    view.obj = obj;
    view.buf = buf;
    view.len = len;
    view.readonly = readonly;
    view.itemsize = 1;
    view.format = if flags & PEPKIT_BUF_FORMAT == PEPKIT_BUF_FORMAT {
        BYTE_FORMAT.as_ptr() as *mut c_char
    } else {
        std::ptr::null_mut()
    };
    view.ndim = 1;
    view.shape = if flags & PEPKIT_BUF_ND == PEPKIT_BUF_ND { &mut view.len } else { std::ptr::null_mut() };
    view.strides = if flags & PEPKIT_BUF_STRIDES == PEPKIT_BUF_STRIDES {
        &mut view.itemsize
    } else {
        std::ptr::null_mut()
    };
    view.suboffsets = std::ptr::null_mut();
    view.internal = if obj.is_null() { std::ptr::null_mut() } else { fill_info_marker() };
    Ok(())
}

/// An export may point its shape or strides at its own `len`/`itemsize`
/// fields (PyBuffer_FillInfo does); after copying the struct from `from` to
/// `to`, such pointers must follow it.
/// Points `view`'s shape, strides and suboffsets into `dims`, which holds
/// `ndim` extents, then `ndim` strides, then (with suboffsets) `ndim`
/// suboffsets: the layout every pepkit object and view keeps its arrays in.
/// A 0-dim view gets NULL for all three.
pub(crate) fn point_dims(view: &mut pepkit_buffer, dims: *mut pepkit_ssize, ndim: usize, with_suboffsets: bool) {
    if ndim == 0 {
        view.shape = std::ptr::null_mut();
        view.strides = std::ptr::null_mut();
        view.suboffsets = std::ptr::null_mut();
    } else {
        view.shape = dims;
        view.strides = dims.wrapping_add(ndim);
        view.suboffsets = if with_suboffsets { dims.wrapping_add(2 * ndim) } else { std::ptr::null_mut() };
    }
}

pub(crate) fn rebase_self_pointers(from: &pepkit_buffer, to: &mut pepkit_buffer) {
    let start = from as *const pepkit_buffer as usize;
    let end = start + std::mem::size_of::<pepkit_buffer>();
    let base = to as *mut pepkit_buffer as *mut u8;
    for field in [&mut to.shape, &mut to.strides, &mut to.suboffsets] {
        let addr = *field as usize;
        if (start..end).contains(&addr) {
            *field = base.wrapping_add(addr - start).cast();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn buffer_has_py_buffer_layout() {
        assert_eq!(size_of::<pepkit_buffer>(), 10 * size_of::<usize>());
        assert_eq!(offset_of!(pepkit_buffer, readonly), 4 * size_of::<usize>());
        assert_eq!(offset_of!(pepkit_buffer, ndim), 4 * size_of::<usize>() + 4);
        assert_eq!(offset_of!(pepkit_buffer, internal), 9 * size_of::<usize>());
    }

    #[test]
    fn fill_info_stores_readonly_as_given() {
        // PyBuffer_FillInfo: view->readonly = readonly; only readonly == 1
        // refuses PyBUF_WRITABLE.
        let mut byte = 0u8;
        let mut view = pepkit_buffer::zeroed();
        fill_info(&mut view, std::ptr::null_mut(), (&mut byte as *mut u8).cast(), 1, 2, PEPKIT_BUF_WRITABLE).unwrap();
        assert_eq!(view.readonly, 2);
        assert!(fill_info(&mut view, std::ptr::null_mut(), (&mut byte as *mut u8).cast(), 1, 1, PEPKIT_BUF_WRITABLE).is_err());
    }

    #[test]
    fn releasing_a_fill_info_view_drops_its_reference() {
        // PyBuffer_Release of a view PyBuffer_FillInfo gave an object decrefs
        // it; there is no export to end.
        let obj = pepkit_object::new_bytes(b"abc").unwrap();
        let mut byte = 0u8;
        let mut view = pepkit_buffer::zeroed();
        unsafe {
            fill_info(&mut view, obj, (&mut byte as *mut u8).cast(), 1, 0, PEPKIT_BUF_SIMPLE).unwrap();
            (*obj).incref(); // as pepkit_buffer_fill_info does
            assert_eq!((*obj).refcount(), 2);
            pepkit_object::releasebuffer(&mut view).unwrap();
            assert!(view.obj.is_null());
            assert_eq!((*obj).refcount(), 1);
            assert_eq!((*obj).exports(), 0);
            pepkit_object::decref(obj);
        }
    }

    #[test]
    fn flag_values_are_cpythons() {
        assert_eq!(PEPKIT_BUF_FULL_RO, 284);
        assert_eq!(PEPKIT_BUF_FULL, 285);
        assert_eq!(PEPKIT_BUF_RECORDS, 29);
        assert_eq!(PEPKIT_BUF_STRIDED, 25);
        assert_eq!(PEPKIT_BUF_CONTIG, 9);
        assert_eq!(PEPKIT_BUF_ANY_CONTIGUOUS, 0x98);
    }
}
