//! The buffer protocol and CPython's buffer helpers.

use std::ffi::{c_char, c_int, c_void};

use super::object::arg_object;
use super::{arg_mut, arg_out, arg_ref, arg_slice, guard, guard_or, pepkit_status};
use pepkit::buffer::fill_contiguous_strides;
use pepkit::error::{Error, Result};
use pepkit::raw::{self, pepkit_buffer, pepkit_object, pepkit_ssize};
use pepkit::Order;

/// Exports the memory of `exporter` into `view` as `flags` (PEPKIT_BUF_*)
/// requests, with CPython's request rules in CPython's order: WRITABLE on a
/// read-only object, a contiguity the memory lacks, suboffsets without
/// INDIRECT, strides without STRIDES on non-C-contiguous memory, and (ndarray,
/// wrap, custom) FORMAT without ND each fail with PEPKIT_ERR_BUFFER.
///
/// `view` is caller-allocated (often on the stack). On success every field is
/// written and `view->obj` holds a new reference to `exporter`; `format`,
/// `shape`, `strides` and `suboffsets` point into the exporter and stay valid
/// until pepkit_releasebuffer(view), which the caller must call exactly once.
/// No heap memory is allocated per export. On failure only `view->obj` is
/// written (NULL). `exporter` is borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_getbuffer(exporter: *mut pepkit_object, view: *mut pepkit_buffer, flags: c_int) -> pepkit_status {
    guard("pepkit_getbuffer", || {
        // SAFETY: a non-NULL `view` is the caller's struct, not aliased.
        let view = unsafe { arg_mut(view, "view") }?;
        // SAFETY: the caller holds a reference to a non-NULL `exporter`.
        let exporter = match unsafe { arg_object(exporter, "exporter") } {
            Ok(exporter) => exporter,
            Err(err) => {
                view.obj = std::ptr::null_mut();
                return Err(err);
            }
        };
        raw::getbuffer(&exporter, view, flags)
    })
}

/// Ends the export in `view`: the exporter's count drops, the reference in
/// `view->obj` is released and `view->obj` set to NULL. A view whose `obj` is
/// NULL (already released, zeroed, or filled by pepkit_buffer_fill_info with
/// no object) is left alone and PEPKIT_OK returned. The struct may be a copy of
/// the one getbuffer filled; release each export once. A release the object
/// cannot account for (no live exports left) fails with PEPKIT_ERR_BUFFER and
/// changes nothing. `view` is the caller's struct, borrowed for the call; the
/// reference it held is gone afterwards (the object may have been freed).
#[doc = c_safety!("`view.obj` must be NULL or the object of an export (or fill_info reference) that `view` holds.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_releasebuffer(view: *mut pepkit_buffer) -> pepkit_status {
    // SAFETY: a non-NULL `view` is the caller's struct, holding an export
    // (or a fill_info reference) or NULL in `obj`.
    guard("pepkit_releasebuffer", || unsafe { raw::releasebuffer(arg_mut(view, "view")?) })
}

/// PyBuffer_IsContiguous: 1 if `view` is contiguous in `order` ('C', 'F', or
/// 'A' for either), 0 if not (always 0 with suboffsets, always 1 when empty).
/// Returns -1 with the reason in pepkit_last_error() when `view` is NULL
/// (PEPKIT_ERR_NULL_ARGUMENT), `order` is another character, or the view is
/// malformed (PEPKIT_ERR_VALUE), where CPython would return 0 or crash.
/// `view` is borrowed for the call.
#[doc = c_safety!("`view`'s shape, strides and suboffsets, when not NULL, must hold ndim entries.")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_is_contiguous(view: *const pepkit_buffer, order: c_char) -> c_int {
    guard_or("pepkit_buffer_is_contiguous", -1, || {
        // SAFETY: a non-NULL `view` is a buffer whose arrays hold ndim entries.
        let view = unsafe { arg_ref(view, "view") }?;
        let order = Order::parse(order as u8)?;
        // SAFETY: as above.
        Ok(unsafe { raw::is_contiguous(view, order) }? as c_int)
    })
}

/// PyBuffer_GetPointer with an explicit count: stores in `*out` the address of
/// the item at `indices[0..nindices]`, following suboffsets. `nindices` must
/// equal `view->ndim` (PEPKIT_ERR_TYPE otherwise); an index outside
/// `0..shape[d]` is PEPKIT_ERR_INDEX (negative indices do not wrap). `view` and
/// `indices` are borrowed for the call (`indices` may be NULL when `nindices`
/// is 0); `*out` points into the exporter's memory and is valid as long as the
/// export.
#[doc = c_safety!("`view` must describe live memory (and what its suboffsets lead to) as a Py_buffer does.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_get_pointer(
    view: *const pepkit_buffer,
    indices: *const pepkit_ssize,
    nindices: usize,
    out: *mut *mut c_void,
) -> pepkit_status {
    guard("pepkit_buffer_get_pointer", || {
        // SAFETY: a non-NULL `view` is a live buffer, `indices` holds
        // `nindices` entries (NULL if 0).
        let (view, indices) = unsafe { (arg_ref(view, "view")?, arg_slice(indices, nindices, "indices")?) };
        let out = arg_out(out, "out")?;
        // SAFETY: a live buffer whose memory (and suboffsets' targets) is readable.
        let p = unsafe { raw::get_pointer(view, indices) }?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(p.cast()) };
        Ok(())
    })
}

/// Checks a caller's byte count against isize and borrows the bytes.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes for the lifetime.
unsafe fn byte_arg<'a>(ptr: *const c_void, len: pepkit_ssize, what: &str) -> Result<&'a [u8]> {
    if len < 0 {
        return Err(Error::value(format!("{what}: negative length {len}")));
    }
    // SAFETY: as the caller guarantees.
    unsafe { super::arg_bytes(ptr.cast(), len as usize, what) }
}

/// PyBuffer_ToContiguous: copies the `len` bytes of `view` into `dst` in
/// `order`: 'C', 'F', or 'A' (as they lie when the view is C- or
/// Fortran-contiguous, else C order). `len` must equal `view->len`
/// (PEPKIT_ERR_VALUE "len != view->len"); a bad order is PEPKIT_ERR_VALUE.
/// `dst` (caller-owned, `len` writable bytes, NULL only if `len` is 0) and
/// `view` are borrowed for the call; on failure `dst` is untouched.
#[doc = c_safety!("`view` must describe live, readable memory as a Py_buffer does.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_to_contiguous(
    dst: *mut c_void,
    view: *const pepkit_buffer,
    len: pepkit_ssize,
    order: c_char,
) -> pepkit_status {
    guard("pepkit_buffer_to_contiguous", || {
        // SAFETY: a non-NULL `view` is a live buffer.
        let view = unsafe { arg_ref(view, "view") }?;
        if len < 0 {
            return Err(Error::value(format!("dst: negative length {len}")));
        }
        // SAFETY: `dst` is `len` writable bytes of the caller's (NULL if 0).
        let dst = unsafe { super::arg_slice_mut(dst.cast::<u8>(), len as usize, "dst") }?;
        let order = Order::parse(order as u8)?;
        // SAFETY: a live buffer whose memory is readable.
        unsafe { raw::to_contiguous(dst, view, order) }
    })
}

/// PyBuffer_FromContiguous: copies `len` dense bytes at `src`, laid out in
/// `order` ('C', 'F', or 'A' = as the view lies if contiguous, else C), into
/// the memory of `view`. A longer `src` is cut to `view->len`; a shorter one
/// fills the first `len / itemsize` items. Unlike CPython, a read-only view is
/// refused (PEPKIT_ERR_TYPE "cannot modify read-only memory"). `src` and
/// `view` are borrowed for the call.
#[doc = c_safety!("`view` must describe live memory, writable unless it says it is read-only.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_from_contiguous(
    view: *const pepkit_buffer,
    src: *const c_void,
    len: pepkit_ssize,
    order: c_char,
) -> pepkit_status {
    guard("pepkit_buffer_from_contiguous", || {
        // SAFETY: a non-NULL `view` is a live buffer; `src` holds `len`
        // readable bytes (NULL if 0).
        let (view, src) = unsafe { (arg_ref(view, "view")?, byte_arg(src, len, "src")?) };
        let order = Order::parse(order as u8)?;
        // SAFETY: a live buffer whose memory is writable unless read-only.
        unsafe { raw::from_contiguous(view, src, order) }
    })
}

/// PyBuffer_FillContiguousStrides: writes into `strides[0..ndim]` the strides
/// of a contiguous array of `shape` with items of `itemsize` bytes, Fortran
/// order for 'F' and C order for 'C' or 'A'. Fails, writing nothing, on ndim
/// outside 0..64, a negative extent, itemsize <= 0 or a bad order
/// (PEPKIT_ERR_VALUE), or a stride that overflows (PEPKIT_ERR_OVERFLOW).
/// `shape` and `strides` are borrowed for the call (NULL is fine when ndim is 0).
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_fill_contiguous_strides(
    ndim: c_int,
    shape: *const pepkit_ssize,
    strides: *mut pepkit_ssize,
    itemsize: c_int,
    order: c_char,
) -> pepkit_status {
    guard("pepkit_buffer_fill_contiguous_strides", || {
        if !(0..=pepkit::MAX_NDIM as c_int).contains(&ndim) {
            return Err(Error::value(format!("number of dimensions must be between 0 and 64, got {ndim}")));
        }
        let n = ndim as usize;
        // SAFETY: `shape` and `strides` hold `ndim` entries (NULL if 0),
        // the caller's, not aliased.
        let (shape, strides) = unsafe { (arg_slice(shape, n, "shape")?, super::arg_slice_mut(strides, n, "strides")?) };
        let order = Order::parse(order as u8)?;
        fill_contiguous_strides(shape, strides, itemsize as isize, order)
    })
}

/// PyBuffer_FillInfo: fills `view` to export `len` plain bytes at `buf` as a
/// 1-D "B" buffer for the request `flags`, for use inside a custom exporter's
/// getbuffer or for a temporary view. `shape` and `strides` point at the
/// view's own `len` and `itemsize` fields (as CPython's do), so use the struct
/// in place. Fails with PEPKIT_ERR_BUFFER ("Object is not writable.") for
/// WRITABLE on read-only memory, PEPKIT_ERR_VALUE for a negative `len` or for
/// flags PEPKIT_BUF_READ / PEPKIT_BUF_WRITE (as CPython 3.13), leaving `view`
/// untouched. As CPython, `readonly` is stored in the view as given and only
/// `readonly == 1` refuses WRITABLE.
///
/// `obj` may be NULL. If it is not, `view->obj` receives a new reference to it
/// (released by pepkit_releasebuffer, as CPython's PyBuffer_Release, or by
/// pepkit_decref); the export count of `obj` is not changed, and
/// `view->internal` marks the view as holding a reference without an export
/// (leave it alone; with `obj` NULL it is NULL, as CPython's). `buf` is
/// borrowed for as long as the view is used.
#[doc = c_safety!("`buf` must stay valid for as long as the view is used.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_buffer_fill_info(
    view: *mut pepkit_buffer,
    obj: *mut pepkit_object,
    buf: *mut c_void,
    len: pepkit_ssize,
    readonly: c_int,
    flags: c_int,
) -> pepkit_status {
    guard("pepkit_buffer_fill_info", || {
        // SAFETY: a non-NULL `view` is the caller's struct, not aliased.
        let view = unsafe { arg_mut(view, "view") }?;
        if buf.is_null() && len > 0 {
            return Err(Error::null_argument("buf must not be NULL when len is not 0"));
        }
        // Validate into a scratch copy first so a failure leaves `view` alone.
        let mut scratch = *view;
        raw::fill_info(&mut scratch, obj, buf, len, readonly, flags)?;
        raw::fill_info(view, obj, buf, len, readonly, flags)?;
        // SAFETY: the caller holds a reference to a non-NULL `obj`.
        if let Some(obj) = unsafe { raw::borrow(obj) } {
            // The view's reference, released by pepkit_releasebuffer.
            let _ = raw::into_raw(pepkit::Object::clone(&obj));
        }
        Ok(())
    })
}

