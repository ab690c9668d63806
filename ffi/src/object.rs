//! Objects: reference counting and the exporters (bytes, bytearray, ndarray,
//! wrap, custom).

use std::ffi::{c_char, c_int, c_void};

use super::{arg_bytes, arg_cstr, arg_out, arg_ref, arg_slice, callback_error, guard, guard_or, null_error, pepkit_status, status};
use pepkit::error::{Error, Result};
use pepkit::raw::{self, pepkit_buffer, pepkit_layout, pepkit_object, pepkit_ssize, Borrowed, Exporter};
use pepkit::{Object, Order};

/// Borrows the object a C caller passed, for the call, or fails with
/// NULL_ARGUMENT naming `what`: the one way the skin reads a
/// `pepkit_object *` (no reference is counted).
///
/// # Safety
/// A non-NULL `ptr` must be a live object the caller holds a reference to
/// for the whole call.
pub(crate) unsafe fn arg_object<'a>(ptr: *const pepkit_object, what: &str) -> Result<Borrowed<'a>> {
    // SAFETY: as the caller guarantees.
    unsafe { raw::borrow(ptr) }.ok_or_else(|| null_error(what))
}

/// Hands a new reference to the caller through `out`: the one way the skin
/// gives out a `pepkit_object *`.
///
/// # Safety
/// `out` must be valid for a write (checked non-NULL with [`arg_out`]);
/// call this last, once nothing else can fail, so a failed call writes nothing.
pub(crate) unsafe fn give_object(out: *mut *mut pepkit_object, obj: impl Into<Object>) {
    // SAFETY: as the caller guarantees.
    unsafe { out.write(raw::into_raw(obj)) }
}

/// Adds a reference to `obj`. NULL is fine (nothing happens).
#[doc = c_safety!("`obj` may also be NULL.")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_incref(obj: *mut pepkit_object) {
    guard_or("pepkit_incref", (), || {
        // SAFETY: the caller holds a reference to a non-NULL `obj`.
        if let Some(obj) = unsafe { raw::borrow(obj) } {
            // The new reference is the caller's, as a pointer it already has.
            let _ = raw::into_raw(Object::clone(&obj));
        }
        Ok(())
    })
}

/// Drops a reference to `obj`; the last one frees it (a wrap's release
/// callback or a custom exporter's dealloc then runs on this thread). NULL is
/// fine. A live export holds its own reference, so the memory of an exported
/// object stays valid until the export is released.
#[doc = c_safety!("`obj` may be NULL; otherwise the caller gives up the reference it passes, which must not be used again.")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_decref(obj: *mut pepkit_object) {
    guard_or("pepkit_decref", (), || {
        // SAFETY: the caller gives up its reference to a non-NULL `obj`.
        drop(unsafe { raw::from_raw(obj) });
        Ok(())
    })
}

/// The number of references to `obj` (exports hold one each), or -1 with
/// PEPKIT_ERR_NULL_ARGUMENT in pepkit_last_error() when `obj` is NULL.
/// `obj` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_refcount(obj: *const pepkit_object) -> pepkit_ssize {
    // SAFETY: the caller holds a reference to a non-NULL `obj`.
    guard_or("pepkit_refcount", -1, || Ok(unsafe { arg_object(obj, "obj") }?.refcount() as pepkit_ssize))
}

/// The number of live buffer exports of `obj`, or -1 when `obj` is NULL.
/// `obj` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_exports(obj: *const pepkit_object) -> pepkit_ssize {
    // SAFETY: as for pepkit_refcount.
    guard_or("pepkit_exports", -1, || Ok(unsafe { arg_object(obj, "obj") }?.exports() as pepkit_ssize))
}

/// The kind of `obj` as a static string: "bytes", "bytearray", "ndarray",
/// "wrap", "custom exporter" or "memoryview"; NULL when `obj` is NULL. Never free it.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_type_name(obj: *const pepkit_object) -> *const c_char {
    // SAFETY: as for pepkit_refcount.
    guard_or("pepkit_type_name", std::ptr::null(), || Ok(unsafe { arg_object(obj, "obj") }?.kind().c_name().as_ptr()))
}

/// Frees a byte or string buffer that a pepkit function returned as owned.
/// NULL is fine. Never pass anything else (objects are freed by pepkit_decref).
#[doc = c_safety!("`ptr` must be NULL or a block a pepkit function returned as owned, not freed before.")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_free(ptr: *mut c_void) {
    guard_or("pepkit_free", (), || {
        // SAFETY: the caller passes NULL or a block pepkit handed out as
        // owned (malloc'd by OwnedBytes), once.
        unsafe { libc::free(ptr) };
        Ok(())
    })
}

/// Writes a new object to `out` when `make` succeeds.
fn deliver(out: *mut *mut pepkit_object, make: impl FnOnce() -> Result<Object>) -> Result<()> {
    let out = arg_out(out, "out")?;
    let obj = make()?;
    // SAFETY: checked non-NULL; the caller provides a writable pointer slot.
    unsafe { give_object(out, obj) };
    Ok(())
}

/// A new immutable bytes object holding a copy of `len` bytes at `data`
/// (`data` is borrowed for the call and may be NULL when `len` is 0). Exports
/// are read-only and follow CPython's bytes (PyBuffer_FillInfo).
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_bytes_new(data: *const u8, len: usize, out: *mut *mut pepkit_object) -> pepkit_status {
    guard("pepkit_bytes_new", || {
        // SAFETY: `data` points to `len` readable bytes (NULL if 0).
        let data = unsafe { arg_bytes(data, len, "data") }?;
        deliver(out, || Object::bytes(data))
    })
}

/// A new mutable bytearray holding a copy of `len` bytes at `data` (borrowed
/// for the call; may be NULL when `len` is 0). Exports are writable and follow
/// CPython's bytearray.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_bytearray_new(
    data: *const u8,
    len: usize,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_bytearray_new", || {
        // SAFETY: `data` points to `len` readable bytes (NULL if 0).
        let data = unsafe { arg_bytes(data, len, "data") }?;
        deliver(out, || Object::bytearray(data))
    })
}

/// Resizes a bytearray to `new_len` bytes, keeping the first bytes and zeroing
/// new ones. Resizing to the current length does nothing and succeeds, even
/// while exported (as PyByteArray_Resize). Fails with PEPKIT_ERR_BUFFER
/// ("Existing exports of data: object cannot be re-sized") while any export of
/// it is live, PEPKIT_ERR_NO_MEMORY when the memory cannot be had,
/// PEPKIT_ERR_OVERFLOW past PTRDIFF_MAX, PEPKIT_ERR_TYPE for any other kind of
/// object, and leaves the object unchanged on failure. `obj` is borrowed for
/// the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_bytearray_resize(obj: *mut pepkit_object, new_len: usize) -> pepkit_status {
    // SAFETY: the caller holds a reference to a non-NULL `obj`.
    guard("pepkit_bytearray_resize", || unsafe { arg_object(obj, "obj") }?.resize(new_len))
}

/// A new zero-filled array owned by pepkit: `ndim` dimensions (0 to
/// PEPKIT_BUF_MAX_NDIM) of extents `shape`, items of struct-module `format`
/// (NULL means "B"), laid out in `order` 'C' or 'F'. With `readonly` non-zero,
/// exports are read-only. `format` and `shape` are borrowed for the call
/// (`shape` may be NULL when `ndim` is 0).
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_ndarray_new(
    format: *const c_char,
    ndim: c_int,
    shape: *const pepkit_ssize,
    order: c_char,
    readonly: c_int,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_ndarray_new", || {
        // SAFETY: a non-NULL `format` is NUL-terminated.
        let format = if format.is_null() { &b"B"[..] } else { unsafe { arg_cstr(format, "format") }?.to_bytes() };
        if !(0..=pepkit::MAX_NDIM as c_int).contains(&ndim) {
            return Err(Error::value(format!("number of dimensions must be between 0 and 64, got {ndim}")));
        }
        // SAFETY: `shape` holds `ndim` extents (NULL if 0).
        let shape = unsafe { arg_slice(shape, ndim as usize, "shape") }?;
        let order = match Order::parse(order as u8)? {
            Order::Any => return Err(Error::value("order must be 'C' or 'F', not 'A'")),
            o => o,
        };
        deliver(out, || Object::ndarray(format, shape, order, readonly != 0))
    })
}

/// Called once with its `ctx` when a wrapped block is no longer needed.
pub type pepkit_release_fn = Option<unsafe extern "C" fn(ctx: *mut c_void)>;

/// Carries the C release callback into a Rust closure.
struct Release {
    func: unsafe extern "C" fn(*mut c_void),
    ctx: *mut c_void,
}

// SAFETY: pepkit_wrap_new documents that the callback may run on any thread.
unsafe impl Send for Release {}

/// A new object exporting memory the caller owns, described by `layout`
/// (borrowed for the call: pepkit copies the format and arrays). The layout is
/// validated first: ndim at most 64, no negative extent, `itemsize` equal to
/// the format's size, no overflow, and every byte an index can reach inside
/// `[layout->base, layout->base + layout->size)` (with suboffsets: up to the
/// first indirection). All-negative suboffsets count as none.
///
/// The memory must stay valid, and unchanged in place, until `release_fn(ctx)`
/// runs: exactly once, when the last reference and the last export are gone,
/// on whichever thread drops them. `release_fn` may be NULL. If this call fails,
/// `release_fn` is never called and the memory stays the caller's.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("The memory `layout` describes must stay valid, in place, until `release_fn(ctx)` runs, and be readable from any thread; `release_fn` must be callable once from any thread.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_wrap_new(
    layout: *const pepkit_layout,
    release_fn: pepkit_release_fn,
    ctx: *mut c_void,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_wrap_new", || {
        // SAFETY: a non-NULL `layout` is readable for the call.
        let layout = unsafe { arg_ref(layout, "layout") }?;
        let release = release_fn.map(|func| {
            let release = Release { func, ctx };
            Box::new(move || {
                let release = release;
                // SAFETY: the caller gave this callback for exactly this call.
                unsafe { (release.func)(release.ctx) }
            }) as Box<dyn FnOnce() + Send>
        });
        // SAFETY: the layout's pointers and memory are as pepkit_wrap_new
        // documents, the caller's promise.
        deliver(out, || unsafe { raw::wrap(layout, release) })
    })
}

/// The callbacks of an exporter implemented in C, as CPython types implement
/// `bf_getbuffer`/`bf_releasebuffer`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pepkit_exporter_vtable {
    /// Required. Fills `view` (zeroed on entry) with the exporter's memory for
    /// a request `flags`: buf, len, itemsize, readonly, ndim, format (NULL
    /// means "B"), shape, strides (NULL means C-contiguous), suboffsets and, if
    /// it likes, internal. It may describe everything and let pepkit narrow it
    /// (pepkit applies CPython's request rules to the result), or answer the
    /// request itself (pepkit_buffer_fill_info with obj NULL does that for
    /// plain bytes). The arrays it points to must stay valid until its
    /// releasebuffer runs for this export. Returns PEPKIT_OK, or an error
    /// status (pepkit_set_error gives it a message); view->obj must be left
    /// NULL (if it stores a reference there, pepkit drops it).
    pub getbuffer: Option<unsafe extern "C" fn(self_: *mut c_void, view: *mut pepkit_buffer, flags: c_int) -> pepkit_status>,
    /// Optional. Ends one export; receives the view as the consumer released it
    /// (possibly a copy of the struct getbuffer filled, with `internal` intact).
    /// It must not release the object: pepkit does that.
    pub releasebuffer: Option<unsafe extern "C" fn(self_: *mut c_void, view: *mut pepkit_buffer)>,
    /// Optional. Called once with `self` when the object is freed.
    pub dealloc: Option<unsafe extern "C" fn(self_: *mut c_void)>,
}

/// A custom exporter: the C callbacks and their `self`.
struct CExporter {
    vt: pepkit_exporter_vtable,
    this: *mut c_void,
}

// SAFETY: pepkit_custom_new documents that the callbacks may be called from
// any thread, concurrently.
unsafe impl Send for CExporter {}
// SAFETY: as for Send.
unsafe impl Sync for CExporter {}

// SAFETY: the C exporter's contract (pepkit_exporter_vtable,
// pepkit_custom_new) is the Exporter contract: memory valid until release,
// callbacks callable from any thread.
unsafe impl Exporter for CExporter {
    fn getbuffer(&self, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        let Some(getbuffer) = self.vt.getbuffer else {
            return Err(Error::null_argument("vt->getbuffer must not be NULL"));
        };
        callback_error::clear();
        // SAFETY: the callback's contract is in pepkit_exporter_vtable.
        let st = unsafe { getbuffer(self.this, view, flags) };
        if st == status::PEPKIT_OK {
            return Ok(());
        }
        // SAFETY: pepkit_status_name returns a static NUL-terminated string.
        let name = unsafe { std::ffi::CStr::from_ptr(status::pepkit_status_name(st)) }.to_string_lossy();
        let message = callback_error::take(st).unwrap_or_else(|| format!("custom exporter's getbuffer failed with {name}"));
        Err(Error::new(status::kind_of(st), message))
    }

    fn releasebuffer(&self, view: &mut pepkit_buffer) {
        if let Some(releasebuffer) = self.vt.releasebuffer {
            // SAFETY: as above.
            unsafe { releasebuffer(self.this, view) }
        }
    }
}

impl Drop for CExporter {
    fn drop(&mut self) {
        if let Some(dealloc) = self.vt.dealloc {
            // SAFETY: as above; called once, as the object is freed.
            unsafe { dealloc(self.this) }
        }
    }
}

/// A new object whose exports come from C callbacks. `vt` is borrowed for the
/// call (pepkit copies it); `self_` is passed to every callback and belongs to
/// the caller until `dealloc(self_)` runs when the object is freed (if this call
/// fails, dealloc is never called). The callbacks may run on any thread,
/// concurrently for different exports.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("The callbacks must keep the contract of pepkit_exporter_vtable, callable from any thread, with `self_` until `dealloc` runs.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_custom_new(
    vt: *const pepkit_exporter_vtable,
    self_: *mut c_void,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_custom_new", || {
        // SAFETY: a non-NULL `vt` is readable for the call (it is copied).
        let vt = *unsafe { arg_ref(vt, "vt") }?;
        if vt.getbuffer.is_none() {
            return Err(Error::null_argument("vt->getbuffer must not be NULL"));
        }
        let out = arg_out(out, "out")?;
        // SAFETY: checked non-NULL; nothing can fail any more.
        unsafe { give_object(out, raw::custom(CExporter { vt, this: self_ })) };
        Ok(())
    })
}
