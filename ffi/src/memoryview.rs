//! memoryview: construction, views of views, bytes, release.

use std::ffi::{c_char, c_int, c_void};

use std::borrow::Cow;

use super::object::{arg_object, give_object};
use super::{arg_cstr, arg_mut, arg_out, arg_ref, arg_slice, guard, guard_or, pepkit_status};
use pepkit::error::{Error, Result};
use pepkit::memoryview::{Hex, ViewGuard};
use pepkit::raw::{self, pepkit_buffer, pepkit_object, pepkit_slice, pepkit_ssize, Borrowed};
use pepkit::{MemoryView, Order, Value};

use super::owned::OwnedBytes;

/// The memoryview behind `mv`, or NULL_ARGUMENT / TYPE errors.
///
/// # Safety
/// A non-NULL `mv` must be a live object the caller holds a reference to
/// for the whole call.
unsafe fn memoryview<'a>(mv: *const pepkit_object) -> Result<Borrowed<'a, MemoryView>> {
    // SAFETY: as the caller guarantees.
    raw::borrow_memoryview(unsafe { arg_object(mv, "mv") }?)
}

/// Writes a new memoryview object to `out`.
///
/// # Safety
/// `out` must have been checked non-NULL with [`arg_out`] and nothing may
/// fail afterwards.
unsafe fn deliver(out: *mut *mut pepkit_object, view: MemoryView) -> Result<()> {
    // SAFETY: as the caller guarantees.
    unsafe { give_object(out, view) };
    Ok(())
}

/// `memoryview(exporter)`: a new view of the whole of `exporter`'s memory,
/// from one PEPKIT_BUF_FULL_RO export of it that every view made from this one
/// (slices, casts, read-only copies) shares; the export is released when the
/// last of them is released or freed. A memoryview `exporter` shares its own
/// export instead (as `memoryview(m)` does). `exporter` is borrowed for the
/// call. Fails with the exporter's getbuffer error, or PEPKIT_ERR_VALUE for
/// more than 64 dimensions.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_new(exporter: *mut pepkit_object, out: *mut *mut pepkit_object) -> pepkit_status {
    guard("pepkit_memoryview_new", || {
        // SAFETY: the caller holds a reference to a non-NULL `exporter`.
        let obj = unsafe { arg_object(exporter, "exporter") }?;
        let out = arg_out(out, "out")?;
        let view = MemoryView::new(&obj)?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, view) }
    })
}

/// A new memoryview that takes over the export in `view`: one filled by
/// pepkit_getbuffer (its `obj` a pepkit object), or by
/// pepkit_buffer_fill_info with no object for memory that outlives every view
/// made from this one. On success the struct is zeroed and the export is
/// released (pepkit_releasebuffer) when the last view made from it goes. On
/// failure `view` is left as it was, still the caller's to release. A
/// `Py_buffer` filled by CPython must not be passed with its `obj` set (pepkit
/// cannot release a Python object): copy it with `obj` NULL and keep the
/// Python export alive for as long as the views. `view` is borrowed for the
/// call.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("`view` must hold a live export, or (with `obj` NULL) describe memory that outlives every view made from this one.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_from_buffer(view: *mut pepkit_buffer, out: *mut *mut pepkit_object) -> pepkit_status {
    guard("pepkit_memoryview_from_buffer", || {
        // SAFETY: a non-NULL `view` is the caller's struct, not aliased.
        let view = unsafe { arg_mut(view, "view") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: `view` holds an export or memory that outlives the views,
        // as the caller promises.
        let mv = unsafe { raw::memoryview_from_buffer(view) }?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, mv) }
    })
}

/// `PyMemoryView_FromMemory`: a new 1-D "B" memoryview of `size` bytes at
/// `mem`, read-only for PEPKIT_BUF_READ and writable for PEPKIT_BUF_WRITE (any
/// other flags: PEPKIT_ERR_VALUE). The memory is borrowed: it must stay valid
/// until every view made from this one is released or freed. `mem` may be NULL
/// only when `size` is 0.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("`mem` must point to `size` bytes that stay valid until every view made from this one is released or freed.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_from_memory(
    mem: *mut c_void,
    size: pepkit_ssize,
    flags: c_int,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_memoryview_from_memory", || {
        let out = arg_out(out, "out")?;
        // SAFETY: `mem` is `size` bytes that outlive the views, as the
        // caller promises.
        let mv = unsafe { raw::memoryview_from_memory(mem, size, flags) }?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, mv) }
    })
}

/// The view's own descriptor: buf, len, itemsize, readonly, ndim, format
/// (never NULL), shape, strides (never NULL when ndim > 0) and suboffsets, as
/// `memoryview` exposes them; `obj` is the exporter the view reads (borrowed;
/// NULL for pepkit_memoryview_from_memory). Borrowed: valid until `mv` is
/// released or freed; do not pass it to pepkit_releasebuffer. NULL (with the
/// error set) when `mv` is NULL, not a memoryview, or released.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_buffer(mv: *mut pepkit_object) -> *const pepkit_buffer {
    guard_or("pepkit_memoryview_buffer", std::ptr::null(), || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        Ok(raw::memoryview_buffer(&unsafe { memoryview(mv) }?.lock()?))
    })
}

/// `len(m)`: the extent of the first dimension, 1 for a 0-dim view. -1 with
/// the error set when `mv` is NULL, not a memoryview (PEPKIT_ERR_TYPE) or
/// released (PEPKIT_ERR_VALUE). `mv` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_len(mv: *mut pepkit_object) -> pepkit_ssize {
    // SAFETY: the caller holds a reference to a non-NULL `mv`.
    guard_or("pepkit_memoryview_len", -1, || Ok(unsafe { memoryview(mv) }?.len()? as pepkit_ssize))
}

/// Slices the first `nslices` dimensions: `m[a:b:c, d:e:f, ...]`, each with
/// Python's slice rules (bounds clamped, negative values from the end,
/// PEPKIT_NONE for an omitted part, a zero step is PEPKIT_ERR_VALUE). One
/// slice on an N-d view slices dimension 0, as CPython does; several are
/// numpy's basic slicing, beyond CPython. Dimensions not named are kept whole.
/// The new view shares `mv`'s export. A 0-dim view cannot be sliced
/// (PEPKIT_ERR_TYPE), nor can more dimensions than the view has. `slices` is
/// borrowed for the call (NULL only when `nslices` is 0).
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_slice(
    mv: *mut pepkit_object,
    slices: *const pepkit_slice,
    nslices: usize,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_memoryview_slice", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        // SAFETY: `slices` holds `nslices` entries (NULL if 0).
        let slices = unsafe { arg_slice(slices, nslices, "slices") }?;
        let out = arg_out(out, "out")?;
        let sliced = view.slice(slices)?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, sliced) }
    })
}

/// `m[index]` as a view with one dimension fewer (numpy's semantics; CPython
/// raises NotImplementedError for N-d views): a negative index counts from the
/// end, one out of range is PEPKIT_ERR_INDEX, a 0-dim view PEPKIT_ERR_TYPE. On
/// a 1-D view the result is a 0-dim view of the item.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_subview(
    mv: *mut pepkit_object,
    index: pepkit_ssize,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_memoryview_subview", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        let out = arg_out(out, "out")?;
        let sub = view.subview(index)?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, sub) }
    })
}

/// `m.cast(format)` (with `ndim` -1 and `shape` NULL) or `m.cast(format,
/// shape[0..ndim])`, with CPython 3.11's rules and errors in its order: the
/// view must be C-contiguous (PEPKIT_ERR_TYPE), have no zero extent when a
/// shape is given or it is not 1-D, cast 1-D to N-d or N-d to 1-D, to a native
/// single-character format with an optional '@' (PEPKIT_ERR_VALUE) with a byte
/// format ('b', 'B', 'c') on at least one side, and keep its length. The
/// format string is stored as given ("@B" stays "@B"). `format` and `shape`
/// are borrowed for the call. `ndim` 0 (with any `shape`) makes a 0-dim view.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_cast(
    mv: *mut pepkit_object,
    format: *const c_char,
    shape: *const pepkit_ssize,
    ndim: c_int,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_memoryview_cast", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        // SAFETY: a non-NULL `format` is NUL-terminated.
        let format = unsafe { arg_cstr(format, "format") }?.to_bytes();
        let shape = match ndim {
            -1 => None,
            n if n < 0 => return Err(Error::value(format!("ndim must be -1 (no shape) or at least 0, got {n}"))),
            // SAFETY: `shape` holds `ndim` extents (NULL if 0).
            n => Some(unsafe { arg_slice(shape, n as usize, "shape") }?),
        };
        let out = arg_out(out, "out")?;
        let cast = view.cast(format, shape)?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, cast) }
    })
}

/// `m.toreadonly()`: a read-only view of the same memory and structure.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_toreadonly(mv: *mut pepkit_object, out: *mut *mut pepkit_object) -> pepkit_status {
    guard("pepkit_memoryview_toreadonly", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        let out = arg_out(out, "out")?;
        // SAFETY: checked non-NULL; nothing fails after this.
        unsafe { deliver(out, view.toreadonly()) }
    })
}

/// `m.tobytes(order)`: the view's items in `order` 'C', 'F' or 'A' (as they
/// lie when the view is C- or Fortran-contiguous, else C), for any format.
/// PEPKIT_ERR_NO_MEMORY (nothing written) when the bytes cannot be allocated.
/// On success `*out` is an owned buffer of `*out_len` bytes (never NULL, even
/// when empty): free it with pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_tobytes(
    mv: *mut pepkit_object,
    order: c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> pepkit_status {
    guard("pepkit_memoryview_tobytes", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        let order = Order::parse(order as u8)?;
        let (out, out_len) = (arg_out(out, "out")?, arg_out(out_len, "out_len")?);
        let n = view.nbytes();
        let mut bytes = OwnedBytes::new(n)?;
        view.tobytes_into(order, bytes.as_mut_slice())?;
        // SAFETY: both checked non-NULL; nothing fails after this.
        unsafe {
            out.write(bytes.into_raw());
            out_len.write(n);
        }
        Ok(())
    })
}

/// `m.tobytes(order)` into caller memory: `len` must equal the view's byte
/// count (PEPKIT_ERR_VALUE otherwise, and `dst` is untouched). `dst` is
/// borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_tobytes_into(
    mv: *mut pepkit_object,
    order: c_char,
    dst: *mut c_void,
    len: usize,
) -> pepkit_status {
    guard("pepkit_memoryview_tobytes_into", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        let order = Order::parse(order as u8)?;
        // SAFETY: `dst` is `len` writable bytes of the caller's (NULL if 0).
        let dst = unsafe { super::arg_slice_mut(dst.cast::<u8>(), len, "dst") }?;
        view.tobytes_into(order, dst)
    })
}

/// `m.hex(sep, bytes_per_sep)`: two lowercase hex digits per byte of the
/// C-order bytes, with `sep` (NULL for none, else a one-character ASCII
/// string: PEPKIT_ERR_VALUE otherwise) between groups of |bytes_per_sep|
/// bytes, counted from the right when positive and from the left when
/// negative. PEPKIT_ERR_NO_MEMORY when the text (or the C-order copy a
/// non-contiguous view needs) cannot be allocated. On success `*out` is an
/// owned NUL-terminated string of `*out_len` characters: free it with
/// pepkit_free. `sep` is borrowed.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_hex(
    mv: *mut pepkit_object,
    sep: *const c_char,
    bytes_per_sep: c_int,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> pepkit_status {
    guard("pepkit_memoryview_hex", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        // SAFETY: a non-NULL `sep` is NUL-terminated.
        let sep = if sep.is_null() { None } else { Some(unsafe { arg_cstr(sep, "sep") }?.to_bytes()) };
        let hex = Hex::new(sep, bytes_per_sep)?;
        let (out, out_len) = (arg_out(out, "out")?, arg_out(out_len, "out_len")?);
        // The output first: its size is known, and it is the larger block.
        let n = view.hex_len(&hex)?;
        let mut text = OwnedBytes::new(n + 1)?;
        let slot = text.as_mut_slice();
        view.hex_into(&hex, &mut slot[..n])?;
        slot[n] = 0;
        // SAFETY: both checked non-NULL; nothing fails after this.
        unsafe {
            out.write(text.into_raw().cast());
            out_len.write(n);
        }
        Ok(())
    })
}

/// `m.release()`: drops this view's hold on the shared export (released when
/// no view holds it any more). Refused with PEPKIT_ERR_BUFFER ("memoryview
/// has N exported buffer(s)") while the view itself is exported; releasing a
/// released view does nothing. Afterwards every operation on it fails with
/// PEPKIT_ERR_VALUE ("operation forbidden on released memoryview object")
/// except release, equality (equal only to itself) and a hash computed
/// before. The object itself lives until its last pepkit_decref.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_release(mv: *mut pepkit_object) -> pepkit_status {
    // SAFETY: the caller holds a reference to a non-NULL `mv`.
    guard("pepkit_memoryview_release", || unsafe { memoryview(mv) }?.release())
}

/// The kind of a pepkit_value: which field holds it.
pub type pepkit_value_kind = c_int;
/// A signed integer in `i` (formats b h i l q n, and signed struct fields).
pub const PEPKIT_VALUE_INT: pepkit_value_kind = 0;
/// An unsigned integer in `u` (formats B H I L Q N P, and unsigned fields).
pub const PEPKIT_VALUE_UINT: pepkit_value_kind = 1;
/// A floating-point number in `f` (formats e f d; 'f' and 'e' widened).
pub const PEPKIT_VALUE_FLOAT: pepkit_value_kind = 2;
/// A bool in `b` (format ?).
pub const PEPKIT_VALUE_BOOL: pepkit_value_kind = 3;
/// Bytes in `bytes`/`len` (formats c, s, p).
pub const PEPKIT_VALUE_BYTES: pepkit_value_kind = 4;

/// One item of a single-value format, tagged by `kind`; only the field the
/// kind names is meaningful. From pepkit_memoryview_get_item, `bytes` points
/// into the view's memory (borrowed: valid while the view and its memory are);
/// for pepkit_memoryview_set_item it is the caller's, borrowed for the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pepkit_value {
    /// Which field holds the value: a PEPKIT_VALUE_* constant.
    pub kind: pepkit_value_kind,
    /// The value of a PEPKIT_VALUE_INT (signed integer formats).
    pub i: i64,
    /// The value of a PEPKIT_VALUE_UINT (unsigned integer formats).
    pub u: u64,
    /// The value of a PEPKIT_VALUE_FLOAT.
    pub f: f64,
    /// The value of a PEPKIT_VALUE_BOOL.
    pub b: bool,
    /// The bytes of a PEPKIT_VALUE_BYTES (`len` of them; not NUL-terminated);
    /// borrowed, see the struct's description.
    pub bytes: *const u8,
    /// The number of bytes at `bytes` for a PEPKIT_VALUE_BYTES.
    pub len: usize,
}

impl pepkit_value {
    fn zeroed(kind: pepkit_value_kind) -> pepkit_value {
        pepkit_value { kind, i: 0, u: 0, f: 0.0, b: false, bytes: std::ptr::null(), len: 0 }
    }

    /// The C value of an item; its bytes stay where they are.
    fn of(value: &Value<'_>) -> pepkit_value {
        match value {
            Value::Int(i) => pepkit_value { i: *i, ..pepkit_value::zeroed(PEPKIT_VALUE_INT) },
            Value::UInt(u) => pepkit_value { u: *u, ..pepkit_value::zeroed(PEPKIT_VALUE_UINT) },
            Value::Float(f) => pepkit_value { f: *f, ..pepkit_value::zeroed(PEPKIT_VALUE_FLOAT) },
            Value::Bool(b) => pepkit_value { b: *b, ..pepkit_value::zeroed(PEPKIT_VALUE_BOOL) },
            Value::Bytes(s) => pepkit_value { bytes: s.as_ptr(), len: s.len(), ..pepkit_value::zeroed(PEPKIT_VALUE_BYTES) },
        }
    }

    /// The value a C caller passed, borrowing its bytes.
    ///
    /// # Safety
    /// For PEPKIT_VALUE_BYTES, a non-NULL `bytes` must point to `len`
    /// readable bytes for `'a`.
    unsafe fn value<'a>(&self) -> Result<Value<'a>> {
        Ok(match self.kind {
            PEPKIT_VALUE_INT => Value::Int(self.i),
            PEPKIT_VALUE_UINT => Value::UInt(self.u),
            PEPKIT_VALUE_FLOAT => Value::Float(self.f),
            PEPKIT_VALUE_BOOL => Value::Bool(self.b),
            // SAFETY: as the caller guarantees.
            PEPKIT_VALUE_BYTES => Value::Bytes(Cow::Borrowed(unsafe { super::arg_bytes(self.bytes, self.len, "value->bytes") }?)),
            k => return Err(Error::value(format!("unknown pepkit_value kind {k}"))),
        })
    }
}

/// `m[index]`: the item at `index[0..nindex]` (one Python index per
/// dimension, negative ones counting from the end; none for a 0-dim view), as
/// memoryview returns it: an int, float, bool or bytes. Works for every
/// single-value struct format (non-native byte orders, 'e', 's', 'p' too,
/// beyond CPython). Errors: PEPKIT_ERR_INDEX "index out of bounds on
/// dimension N"; PEPKIT_ERR_NOT_IMPLEMENTED for fewer indices than dimensions
/// (use pepkit_memoryview_subview) or a multi-value format (use tolist);
/// PEPKIT_ERR_TYPE for more indices than dimensions. `index` is borrowed for
/// the call; see pepkit_value for the lifetime of bytes.
#[doc = c_safety!("The bytes `out->bytes` points to are borrowed from the view's memory.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_get_item(
    mv: *mut pepkit_object,
    index: *const pepkit_ssize,
    nindex: usize,
    out: *mut pepkit_value,
) -> pepkit_status {
    guard("pepkit_memoryview_get_item", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view: ViewGuard<'_> = mv.lock()?;
        // SAFETY: `index` holds `nindex` entries (NULL if 0).
        let index = unsafe { arg_slice(index, nindex, "index") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: only the address of the item's bytes is kept (valid while
        // the view and its memory are, as pepkit_value documents).
        let value = unsafe { raw::memoryview_get_item(&view, index) }?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(pepkit_value::of(&value)) };
        Ok(())
    })
}

/// `m[index] = value`: packs `value` into the item at `index` with
/// memoryview's checks for native formats (PEPKIT_ERR_TYPE "memoryview:
/// invalid type for format 'X'", PEPKIT_ERR_VALUE "memoryview: invalid value
/// for format 'X'" when out of range; 'c' takes bytes of length 1; '?' the
/// truth of any value) and struct.pack's for the others. A read-only view is
/// PEPKIT_ERR_TYPE "cannot modify read-only memory". Nothing is written on
/// failure. `index` and `value` are borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_set_item(
    mv: *mut pepkit_object,
    index: *const pepkit_ssize,
    nindex: usize,
    value: *const pepkit_value,
) -> pepkit_status {
    guard("pepkit_memoryview_set_item", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        // SAFETY: `index` holds `nindex` entries (NULL if 0); a non-NULL
        // `value` is readable, with `len` bytes at `bytes` for BYTES.
        let (index, value) = unsafe { (arg_slice(index, nindex, "index")?, arg_ref(value, "value")?.value()?) };
        view.set_item(index, &value)
    })
}

/// `repr(m.tolist())`, byte for byte: nested lists in C order (a scalar for
/// a 0-dim view), Python's float repr, bytes repr for 'c', True/False for '?';
/// beyond CPython, every struct format (multi-value ones as tuples), equal to
/// repr of what struct.unpack_from gives. The text's least possible size is
/// checked first: PEPKIT_ERR_NO_MEMORY (as CPython's MemoryError) when it
/// cannot fit, e.g. shape (2**63-1, 0, 2**63-1), or when memory runs out
/// while writing. On success `*out` is an owned NUL-terminated string of
/// `*out_len` bytes: free it with pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_tolist(
    mv: *mut pepkit_object,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> pepkit_status {
    guard("pepkit_memoryview_tolist", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        let (out, out_len) = (arg_out(out, "out")?, arg_out(out_len, "out_len")?);
        let text = raw::memoryview_tolist(&view)?;
        let mut owned = OwnedBytes::new(text.len() + 1)?;
        let slot = owned.as_mut_slice();
        slot[..text.len()].copy_from_slice(&text);
        slot[text.len()] = 0;
        // SAFETY: both checked non-NULL; nothing fails after this.
        unsafe {
            out.write(owned.into_raw().cast());
            out_len.write(text.len());
        }
        Ok(())
    })
}

/// `a == b` for memoryviews and any other exporters (each side a memoryview
/// or exported with PEPKIT_BUF_FULL_RO), with CPython 3.11's rules: a
/// released view equals only itself; an exporter that cannot be exported
/// equals only itself; otherwise the same ndim and shape (up to the first zero
/// extent) and every item equal — typed for the same native format (NaN !=
/// NaN, -0.0 == 0.0), by struct unpacking and Python's == otherwise ('i' 1 ==
/// 'd' 1.0, 'c' b'a' != 'B' 97); a format struct cannot read is never equal.
/// Items are compared value by value without allocating, however many fields
/// a format has. `a` and `b` are borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_equal(a: *mut pepkit_object, b: *mut pepkit_object, out: *mut bool) -> pepkit_status {
    guard("pepkit_memoryview_equal", || {
        // SAFETY: the caller holds references to non-NULL `a` and `b`.
        let (a, b) = unsafe { (arg_object(a, "a")?, arg_object(b, "b")?) };
        let out = arg_out(out, "out")?;
        let equal = pepkit::memoryview::equal(&a, &b)?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(equal) };
        Ok(())
    })
}

/// `hash(m)`, equal to CPython 3.11+'s `hash(m.tobytes())` under
/// PYTHONHASHSEED=0 (SipHash-1-3 with a zero key). The view must be read-only
/// (PEPKIT_ERR_VALUE "cannot hash writable memoryview object"), of format 'B',
/// 'b' or 'c' (optionally '@'; PEPKIT_ERR_VALUE otherwise), and its exporter
/// hashable: never a bytearray (PEPKIT_ERR_TYPE "unhashable type:
/// 'bytearray'"), other exporters only when their memory is read-only
/// (PEPKIT_ERR_VALUE "cannot hash writable ndarray object", as
/// _testbuffer.ndarray). A view that is not C-contiguous is hashed through a
/// C-order copy, as CPython does: PEPKIT_ERR_NO_MEMORY when that copy cannot
/// be allocated. The hash is cached: a released view still answers with a
/// hash computed before.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_hash(mv: *mut pepkit_object, out: *mut pepkit_ssize) -> pepkit_status {
    guard("pepkit_memoryview_hash", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let out = arg_out(out, "out")?;
        let h = mv.hash()?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(h) };
        Ok(())
    })
}

/// `m[slices] = src`: copies the memory of `src` (a memoryview, or any
/// exporter, exported with PEPKIT_BUF_FULL_RO for the call) into the slice of
/// `mv` that `slices[0..nslices]` select (all of it when `nslices` is 0). The
/// two must have the same format (ignoring '@'), itemsize and shape
/// (PEPKIT_ERR_VALUE "memoryview assignment: lvalue and rvalue have different
/// structures"); overlapping memory is copied correctly. Several slices
/// assign an N-d region (beyond CPython). A read-only view is PEPKIT_ERR_TYPE.
/// Unless both sides are C-contiguous the source is staged through a C-order
/// copy: PEPKIT_ERR_NO_MEMORY (nothing written) when it cannot be allocated.
/// `slices` and `src` are borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_memoryview_assign(
    mv: *mut pepkit_object,
    slices: *const pepkit_slice,
    nslices: usize,
    src: *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_memoryview_assign", || {
        // SAFETY: the caller holds a reference to a non-NULL `mv`.
        let mv = unsafe { memoryview(mv) }?;
        let view = mv.lock()?;
        // SAFETY: `slices` holds `nslices` entries (NULL if 0); the caller
        // holds a reference to a non-NULL `src`.
        let (slices, src) = unsafe { (arg_slice(slices, nslices, "slices")?, arg_object(src, "src")?) };
        view.assign(slices, &src)
    })
}
