//! PEP 3118 objects and their exports: [`Object`] (a counted exporter of
//! memory: bytes, bytearray, ndarray, memory it owns), [`Export`] (one export,
//! released when dropped), the request [`Flags`], and CPython's buffer helper
//! functions (`PyBuffer_IsContiguous`, `_GetPointer`, `_ToContiguous`,
//! `_FromContiguous`, `_FillContiguousStrides`, `_FillInfo`) on exports.
//!
//! ```
//! use pepkit::{Flags, Object, Order};
//!
//! let obj = Object::bytearray(b"abcdef")?;
//! let export = obj.export(Flags::FULL_RO)?;
//! assert_eq!((export.len(), export.format(), export.readonly()), (6, &b"B"[..], false));
//! assert_eq!(obj.exports(), 1);
//! // While exported, a bytearray cannot change size, as in CPython.
//! assert!(obj.resize(3).is_err());
//! assert_eq!(export.to_contiguous(Order::C)?, b"abcdef");
//! drop(export); // releasebuffer
//! obj.resize(3)?;
//! # Ok::<(), pepkit::Error>(())
//! ```
//!
//! The C-layout struct of an export (`pepkit_buffer`, CPython's `Py_buffer`)
//! and the unsafe entry points on it are in `pepkit::raw` (feature `raw`), for
//! the C skin.

mod copy;
#[cfg(test)]
mod copy_model;
#[cfg(feature = "raw")]
pub(crate) mod custom;
mod export;
// Flags has associated constants, which cbindgen would otherwise put in
// the C header (its C names are in ffi/src/consts.rs).
/// cbindgen:ignore
mod flags;
mod geometry;
pub(crate) mod handle;
pub(crate) mod layout;
pub(crate) mod object;
pub(crate) mod pybuffer;
mod request;

use std::ffi::{c_char, c_int, c_void};

pub use export::Export;
pub use flags::Flags;
pub use geometry::{fill_contiguous_strides, Order};
pub use handle::{Layout, Object};
pub use object::ObjectKind;

pub(crate) use copy::{from_contiguous, to_contiguous};
#[cfg(feature = "raw")]
pub(crate) use copy::get_pointer;
#[cfg(feature = "raw")]
pub(crate) use custom::new_custom;
pub(crate) use flags::bits;
pub(crate) use geometry::{contiguous_strides, Geometry};
#[cfg(feature = "raw")]
pub(crate) use geometry::is_contiguous;
pub(crate) use layout::ValidLayout;
pub(crate) use object::{pepkit_object, Counted, Counter, Provider};
pub(crate) use pybuffer::{pepkit_buffer, pepkit_ssize};
pub(crate) use request::{check as check_request, narrow as narrow_request, Style, Traits};

/// The most dimensions a buffer may have, as CPython's `PyBUF_MAX_NDIM`.
pub const MAX_NDIM: usize = 64;

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
#[cfg_attr(not(feature = "raw"), allow(dead_code))]
pub(crate) fn fill_info(
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
    if flags & bits::WRITABLE != 0 && readonly == 1 {
        return Err(crate::error::Error::buffer("Object is not writable."));
    }
    static BYTE_FORMAT: &[u8] = b"B\0";
    view.obj = obj;
    view.buf = buf;
    view.len = len;
    view.readonly = readonly;
    view.itemsize = 1;
    view.format = if flags & bits::FORMAT == bits::FORMAT {
        BYTE_FORMAT.as_ptr() as *mut c_char
    } else {
        std::ptr::null_mut()
    };
    view.ndim = 1;
    view.shape = if flags & bits::ND == bits::ND { &mut view.len } else { std::ptr::null_mut() };
    view.strides = if flags & bits::STRIDES == bits::STRIDES {
        &mut view.itemsize
    } else {
        std::ptr::null_mut()
    };
    view.suboffsets = std::ptr::null_mut();
    view.internal = if obj.is_null() { std::ptr::null_mut() } else { fill_info_marker() };
    Ok(())
}

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

/// An export may point its shape or strides at its own `len`/`itemsize`
/// fields (PyBuffer_FillInfo does); after copying the struct from `from` to
/// `to`, such pointers must follow it.
#[inline]
pub(crate) fn rebase_self_pointers(from: &pepkit_buffer, to: &mut pepkit_buffer) {
    rebase_from(to, from as *const pepkit_buffer as usize);
}

/// As [`rebase_self_pointers`] for a struct that was at address `old`: its
/// pointers into `[old, old + size_of::<pepkit_buffer>())` are moved to the
/// same fields of `view` where it is now.
pub(crate) fn rebase_from(view: &mut pepkit_buffer, old: usize) {
    let end = old + std::mem::size_of::<pepkit_buffer>();
    let base = view as *mut pepkit_buffer as *mut u8;
    for field in [&mut view.shape, &mut view.strides, &mut view.suboffsets] {
        let addr = *field as usize;
        if (old..end).contains(&addr) {
            *field = base.wrapping_add(addr - old).cast();
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
        fill_info(&mut view, std::ptr::null_mut(), (&mut byte as *mut u8).cast(), 1, 2, bits::WRITABLE).unwrap();
        assert_eq!(view.readonly, 2);
        assert!(fill_info(&mut view, std::ptr::null_mut(), (&mut byte as *mut u8).cast(), 1, 1, bits::WRITABLE).is_err());
    }

    #[test]
    fn releasing_a_fill_info_view_drops_its_reference() {
        // PyBuffer_Release of a view PyBuffer_FillInfo gave an object decrefs
        // it; there is no export to end.
        let obj = Object::bytes(b"abc").unwrap();
        let mut byte = 0u8;
        let mut view = pepkit_buffer::zeroed();
        fill_info(&mut view, obj.as_ptr(), (&mut byte as *mut u8).cast(), 1, 0, 0).unwrap();
        let extra = obj.clone(); // the reference pepkit_buffer_fill_info adds
        std::mem::forget(extra);
        assert_eq!(obj.refcount(), 2);
        // SAFETY: the view holds the reference forgotten above.
        unsafe { pepkit_object::releasebuffer(&mut view) }.unwrap();
        assert!(view.obj.is_null());
        assert_eq!(obj.refcount(), 1);
        assert_eq!(obj.exports(), 0);
    }

    #[test]
    fn flag_values_are_cpythons() {
        assert_eq!(Flags::FULL_RO.bits(), 284);
        assert_eq!(Flags::FULL.bits(), 285);
        assert_eq!(Flags::RECORDS.bits(), 29);
        assert_eq!(Flags::STRIDED.bits(), 25);
        assert_eq!(Flags::CONTIG.bits(), 9);
        assert_eq!(Flags::ANY_CONTIGUOUS.bits(), 0x98);
        assert_eq!((bits::READ, bits::WRITE), (0x100, 0x200));
    }
}
