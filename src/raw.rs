//! The C-layout types and unsafe entry points the C ABI crate (`ffi/`,
//! pepkit-ffi) is built on (feature `raw`). A Rust program has no use for
//! them: the safe API covers the same ground.
//!
//! # Handles and C pointers
//! A C caller holds `pepkit_object *`, one counted reference each. The skin
//! converts only through these functions, as rustls-ffi's `Castable` does:
//! [`into_raw`] hands a reference out, [`from_raw`] takes one back, and
//! [`borrow`] lends the caller's for the duration of a call without counting
//! (then [`borrow_memoryview`] checks that it is a memoryview).
//!
//! # Buffers
//! [`pepkit_buffer`] is CPython's `Py_buffer`. [`getbuffer`] fills one the
//! caller owns and [`releasebuffer`] ends it; the helpers on it
//! (`is_contiguous`, `get_pointer`, `to_contiguous`, `from_contiguous`,
//! `fill_info`) are CPython's `PyBuffer_*` functions on descriptions the
//! caller vouches for.

use std::ffi::{c_int, c_void};
use std::ptr::NonNull;

use crate::buffer::{self, Flags, Object, Order};
use crate::error::{Error, Result};
use crate::interchange::{arrow, ArrowExport, Dlpack, Tensor};
use crate::memoryview::{MemoryView, Value, ViewGuard};

pub use crate::buffer::custom::Exporter;
pub use crate::buffer::handle::Borrowed;
pub use crate::buffer::layout::pepkit_layout;
pub use crate::buffer::object::pepkit_object;
pub use crate::buffer::pybuffer::{pepkit_buffer, pepkit_ssize};
pub use crate::interchange::abi::{
    ArrowArray, ArrowSchema, DLDataType, DLDevice, DLManagedTensor, DLManagedTensorVersioned, DLPackVersion, DLTensor,
};
pub use crate::memoryview::view::{pepkit_slice, PEPKIT_NONE};

/// The memory rules of the safe crate, for the skin's own allocations and
/// slices: fallible allocation sized by input, slices of C pointers.
pub mod mem {
    pub use crate::mem::{copy, message_text, no_memory, reserve, slice, slice_mut, MAX_MESSAGE};
}

/// Read access: a `pepkit_memoryview_from_memory` argument, never a request.
pub const BUF_READ: c_int = buffer::bits::READ;
/// Write access: as [`BUF_READ`].
pub const BUF_WRITE: c_int = buffer::bits::WRITE;

/// Hands a reference over as a C pointer: the C caller now owns it and
/// gives it back with `pepkit_decref` (which calls [`from_raw`]).
#[inline]
pub fn into_raw(obj: impl Into<Object>) -> *mut pepkit_object {
    obj.into().into_ptr()
}

/// Takes a reference back from a C pointer; None for NULL.
///
/// # Safety
/// A non-NULL `ptr` must be a live object (from [`into_raw`]) whose
/// reference the caller gives up.
#[inline]
pub unsafe fn from_raw(ptr: *mut pepkit_object) -> Option<Object> {
    // SAFETY: as the caller guarantees.
    NonNull::new(ptr).map(|p| unsafe { Object::from_counted(p) })
}

/// Borrows a C caller's reference for `'a` without counting one; None for
/// NULL.
///
/// # Safety
/// A non-NULL `ptr` must be a live object that stays alive for `'a` (the C
/// caller's reference, held across the call).
#[inline]
pub unsafe fn borrow<'a>(ptr: *const pepkit_object) -> Option<Borrowed<'a>> {
    // SAFETY: as the caller guarantees.
    NonNull::new(ptr.cast_mut()).map(|p| unsafe { Object::borrow(p) })
}

/// A borrowed object as a borrowed memoryview; TypeError ("expected a
/// memoryview, got bytes") for another kind.
#[inline]
pub fn borrow_memoryview(obj: Borrowed<'_>) -> Result<Borrowed<'_, MemoryView>> {
    MemoryView::borrowed(obj)
}

/// Exports `exporter` into the caller's `view` as `flags` asks (see
/// [`Object::export`]). On success `view` holds the export, to be ended
/// with [`releasebuffer`]; on failure only `view.obj` is written (NULL).
/// Allocates nothing.
#[inline]
pub fn getbuffer(exporter: &Object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
    // SAFETY: `exporter` is a live reference for the call.
    unsafe { pepkit_object::getbuffer(exporter.as_ptr(), view, flags) }
}

/// Ends the export in `view`, drops its reference and sets `view.obj` to
/// NULL; a view whose `obj` is NULL is left alone. BufferError, changing
/// nothing, when the object has no live export to end.
///
/// # Safety
/// A non-NULL `view.obj` must be a live object this view holds a reference
/// to: an export [`getbuffer`] (or an exporter) filled, or a view
/// [`fill_info`] gave an object and a reference.
#[inline]
pub unsafe fn releasebuffer(view: &mut pepkit_buffer) -> Result<()> {
    // SAFETY: as the caller guarantees.
    unsafe { pepkit_object::releasebuffer(view) }
}

/// `PyBuffer_FillInfo`: describes `len` plain bytes at `buf` in `view` as a
/// 1-D "B" buffer for `flags`, with `obj` (may be NULL) as its object; the
/// reference that `view.obj` then stands for is the caller's to add. See
/// `pepkit_buffer_fill_info`.
pub fn fill_info(
    view: &mut pepkit_buffer,
    obj: *mut pepkit_object,
    buf: *mut c_void,
    len: isize,
    readonly: c_int,
    flags: c_int,
) -> Result<()> {
    buffer::fill_info(view, obj, buf, len, readonly, flags)
}

/// `PyBuffer_IsContiguous`.
///
/// # Safety
/// Non-NULL `shape`, `strides` and `suboffsets` of `view` must hold `ndim`
/// entries.
pub unsafe fn is_contiguous(view: &pepkit_buffer, order: Order) -> Result<bool> {
    // SAFETY: as the caller guarantees.
    unsafe { buffer::is_contiguous(view, order) }
}

/// `PyBuffer_GetPointer` with an explicit index count: the address of the
/// item at `indices`, bounds-checked, following suboffsets.
///
/// # Safety
/// As [`is_contiguous`]; the memory behind suboffsets must be readable.
pub unsafe fn get_pointer(view: &pepkit_buffer, indices: &[isize]) -> Result<*mut u8> {
    // SAFETY: as the caller guarantees.
    unsafe { buffer::get_pointer(view, indices) }
}

/// `PyBuffer_ToContiguous` into `dst` (of exactly `view.len` bytes).
///
/// # Safety
/// As [`is_contiguous`]; every byte the view describes must be readable.
pub unsafe fn to_contiguous(dst: &mut [u8], view: &pepkit_buffer, order: Order) -> Result<()> {
    // SAFETY: as the caller guarantees.
    unsafe { buffer::to_contiguous(dst, view, order) }
}

/// `PyBuffer_FromContiguous` from `src` (read-only views refused).
///
/// # Safety
/// As [`is_contiguous`]; every byte the view describes must be writable
/// unless `view.readonly` says otherwise.
pub unsafe fn from_contiguous(view: &pepkit_buffer, src: &[u8], order: Order) -> Result<()> {
    // SAFETY: as the caller guarantees.
    unsafe { buffer::from_contiguous(view, src, order) }
}

/// A new exporter of memory a C caller owns, described by `layout`
/// (checked, and its arrays copied: see `pepkit_wrap_new`). `release` runs
/// exactly once, when the last reference and export are gone; if this
/// fails it is dropped without running.
///
/// # Safety
/// `layout`'s format (when not NULL) must be NUL-terminated and its arrays
/// (when not NULL) hold `ndim` entries. The memory must stay valid, in
/// place, until `release` runs, may be read from any thread, and must not
/// be written while `layout.readonly` says so; with suboffsets, the same
/// for the memory its pointers lead to.
pub unsafe fn wrap(layout: &pepkit_layout, release: Option<Box<dyn FnOnce() + Send>>) -> Result<Object> {
    // SAFETY: as the caller guarantees.
    let valid = unsafe { layout.validate() }?;
    // SAFETY: the layout was checked against the block; the rest is the
    // caller's promise.
    unsafe { pepkit_object::new_wrap(valid, release) }
}

/// A new object whose exports `exporter` describes (a C vtable's
/// callbacks); dropping the exporter is its deallocation.
pub fn custom<E: Exporter>(exporter: E) -> Object {
    buffer::new_custom(exporter)
}

/// A new memoryview that takes over the export in `view`: zeroed on
/// success, left to the caller on failure.
///
/// # Safety
/// `view` must hold a live, unreleased export, or (with `obj` NULL)
/// describe memory that outlives every view made from this one.
pub unsafe fn memoryview_from_buffer(view: &mut pepkit_buffer) -> Result<MemoryView> {
    // SAFETY: as the caller guarantees.
    unsafe { crate::memoryview::from_buffer(view) }
}

/// `PyMemoryView_FromMemory`: a 1-D "B" memoryview of `size` bytes at
/// `mem`, read-only for [`BUF_READ`] and writable for [`BUF_WRITE`] (any
/// other flags: ValueError).
///
/// # Safety
/// `mem` must point to `size` bytes (NULL only when `size` is 0) that stay
/// valid until every view made from this one is released or dropped, and
/// are not written through other means while read-only views exist.
pub unsafe fn memoryview_from_memory(mem: *mut c_void, size: isize, flags: c_int) -> Result<MemoryView> {
    if flags != BUF_READ && flags != BUF_WRITE {
        return Err(Error::value(format!("flags must be PEPKIT_BUF_READ or PEPKIT_BUF_WRITE, got {flags:#x}")));
    }
    if size < 0 {
        return Err(Error::value(format!("negative size {size}")));
    }
    if mem.is_null() && size > 0 {
        return Err(Error::null_argument("mem must not be NULL when size is not 0"));
    }
    let mut export = pepkit_buffer::zeroed();
    buffer::fill_info(&mut export, std::ptr::null_mut(), mem, size, (flags == BUF_READ) as c_int, Flags::FULL_RO.bits())?;
    // SAFETY: a view of no object over memory the caller vouches for.
    unsafe { memoryview_from_buffer(&mut export) }
}

/// The view's own descriptor (`obj` is the exporter it reads, borrowed),
/// valid until the view is released or freed; never release it.
pub fn memoryview_buffer(view: &ViewGuard<'_>) -> *const pepkit_buffer {
    view.buffer()
}

/// `m[index]` with the bytes of `c`, `s` and `p` items borrowed from the
/// view's memory.
///
/// # Safety
/// The bytes may be written through any writable export while borrowed:
/// the caller must only take their address (for a C caller, whose contract
/// is that they are valid as long as the view and its memory are).
pub unsafe fn memoryview_get_item<'a>(view: &'a ViewGuard<'_>, index: &[isize]) -> Result<Value<'a>> {
    view.state().get_item(index)
}

/// `repr(m.tolist())` as bytes, without the check that it is text.
pub fn memoryview_tolist(view: &ViewGuard<'_>) -> Result<Vec<u8>> {
    view.state().tolist()
}

/// Exports `exporter` as a new DLPack tensor (see [`Dlpack::export`]);
/// the caller owns it and calls its deleter once.
pub fn dlpack_export<T: Tensor>(exporter: &Object, flags: c_int) -> Result<*mut T> {
    Dlpack::<T>::export(exporter, Flags::from_bits(flags)).map(Dlpack::into_raw)
}

/// Takes a DLPack tensor in: on success the new object owns it and runs
/// its deleter when freed; on failure the caller still owns it.
///
/// # Safety
/// `managed` must be a valid tensor per the DLPack ABI, owned by the caller.
pub unsafe fn dlpack_import<T: Tensor>(managed: *mut T) -> Result<Object> {
    // SAFETY: as the caller guarantees.
    unsafe { T::import(managed) }
}

/// An owned tensor of a C producer's pointer (its deleter runs on drop).
///
/// # Safety
/// As [`dlpack_import`]; the duty to call the deleter passes to the value.
pub unsafe fn dlpack_tensor<T: Tensor>(managed: NonNull<T>) -> Dlpack<T> {
    // SAFETY: as the caller guarantees.
    unsafe { Dlpack::from_raw(managed) }
}

/// Exports `exporter` through the Arrow C Data Interface (see
/// [`ArrowExport::export`]); the caller releases each struct once.
pub fn arrow_export(exporter: &Object) -> Result<(ArrowSchema, ArrowArray)> {
    ArrowExport::export(exporter).map(ArrowExport::into_raw)
}

/// Takes an Arrow array in, moving both structs (their `release` is NULL
/// afterwards): the schema is released at once, the array when the new
/// object is freed. On failure both stay the caller's, untouched.
///
/// # Safety
/// Both structs must be valid per the Arrow C Data Interface.
pub unsafe fn arrow_import(schema: *mut ArrowSchema, array: *mut ArrowArray) -> Result<Object> {
    // SAFETY: as the caller guarantees.
    unsafe { arrow::import(schema, array) }
}

/// Owned Arrow structs of a C producer (released on drop).
///
/// # Safety
/// Both structs must be valid per the Arrow C Data Interface and owned by
/// the caller.
pub unsafe fn arrow_structs(schema: ArrowSchema, array: ArrowArray) -> ArrowExport {
    // SAFETY: as the caller guarantees.
    unsafe { ArrowExport::from_raw(schema, array) }
}

