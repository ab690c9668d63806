//! The Arrow C Data Interface: pepkit memory out as an Arrow array (1-D
//! primitive, fixed-size binary, or the canonical `arrow.fixed_shape_tensor`
//! for N-d), and Arrow arrays in as pepkit exporters.
//!
//! Each exported struct (schema, array, and each child) has its own private
//! data, so a consumer may move a child out and release it after its parent,
//! as the specification allows. The pepkit export that keeps the memory alive
//! belongs to the array struct that points at the data.

use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use super::abi::*;
use super::dtype::{self, Item};
use crate::buffer::{bits, pepkit_buffer, pepkit_object, Object, ValidLayout, MAX_NDIM};
use crate::error::{Error, Result};

/// The canonical extension type pepkit writes and reads for N-d arrays.
pub(crate) const FIXED_SHAPE_TENSOR: &str = "arrow.fixed_shape_tensor";

/// Room for the longest format pepkit writes ("+w:" and 19 digits) and a NUL.
const FORMAT_ROOM: usize = 24;

struct SchemaPrivate {
    /// The NUL-terminated format, inline: one allocation per schema struct.
    format: [u8; FORMAT_ROOM],
    name: &'static CStr,
    metadata: Option<Vec<u8>>,
    child: Option<Box<ArrowSchema>>,
    children: [*mut ArrowSchema; 1],
}

struct ArrayPrivate {
    export: Option<pepkit_buffer>,
    buffers: [*const c_void; 2],
    child: Option<Box<ArrowArray>>,
    children: [*mut ArrowArray; 1],
}

/// The `release` of every schema struct pepkit exports.
///
/// # Safety
/// `schema` must be NULL or a schema this module made (or a moved copy of
/// one), as the Arrow C Data Interface lets a consumer release it.
unsafe extern "C" fn release_schema(schema: *mut ArrowSchema) {
    // SAFETY: as the caller guarantees, a non-NULL schema is valid.
    let Some(schema) = (unsafe { schema.as_mut() }) else { return };
    if schema.release.is_none() {
        return;
    }
    // No panic may cross this C callback.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: private_data is the SchemaPrivate this module boxed for this
        // struct (a moved copy carries the same pointer; the source's release
        // is NULL by then, so it is freed once).
        let private = unsafe { Box::from_raw(schema.private_data.cast::<SchemaPrivate>()) };
        if let Some(mut child) = private.child {
            if let Some(release) = child.release {
                // SAFETY: the child is ours and unreleased (release is set).
                unsafe { release(&mut *child) };
            }
        }
    }));
    schema.release = None;
}

/// The `release` of every array struct pepkit exports.
///
/// # Safety
/// As [`release_schema`], for an array.
unsafe extern "C" fn release_array(array: *mut ArrowArray) {
    // SAFETY: as the caller guarantees, a non-NULL array is valid.
    let Some(array) = (unsafe { array.as_mut() }) else { return };
    if array.release.is_none() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as in release_schema, for ArrayPrivate.
        let mut private = unsafe { Box::from_raw(array.private_data.cast::<ArrayPrivate>()) };
        if let Some(child) = private.child.as_mut() {
            if let Some(release) = child.release {
                // SAFETY: the child is ours and unreleased (release is set).
                unsafe { release(&mut **child) };
            }
        }
        // Released in place: an exporter's view may point into itself.
        if let Some(view) = private.export.as_mut() {
            // SAFETY: the export this array held, released once, here.
            let _ = unsafe { pepkit_object::releasebuffer(view) };
        }
    }));
    array.release = None;
}

fn schema(format: &str, name: &'static CStr, metadata: Option<Vec<u8>>, child: Option<ArrowSchema>) -> ArrowSchema {
    // pepkit writes these formats itself ("w:8", "+w:6", "f"), at most 23 bytes.
    let mut inline = [0u8; FORMAT_ROOM];
    let n = format.len().min(FORMAT_ROOM - 1);
    inline[..n].copy_from_slice(&format.as_bytes()[..n]);
    let mut private = Box::new(SchemaPrivate {
        format: inline,
        name,
        metadata,
        child: child.map(Box::new),
        children: [ptr::null_mut()],
    });
    let n_children = private.child.is_some() as i64;
    if let Some(child) = private.child.as_mut() {
        private.children[0] = &mut **child;
    }
    ArrowSchema {
        format: private.format.as_ptr().cast::<c_char>(),
        name: private.name.as_ptr(),
        metadata: private.metadata.as_ref().map_or(ptr::null(), |m| m.as_ptr().cast::<c_char>()),
        flags: ARROW_FLAG_NULLABLE,
        n_children,
        children: if n_children == 1 { private.children.as_mut_ptr() } else { ptr::null_mut() },
        dictionary: ptr::null_mut(),
        release: Some(release_schema),
        private_data: Box::into_raw(private).cast(),
    }
}

/// An array struct; `export` (the view getbuffer filled) is copied into it.
fn array(length: i64, data: Option<*const c_void>, export: Option<&pepkit_buffer>, child: Option<ArrowArray>) -> ArrowArray {
    let mut private = Box::new(ArrayPrivate {
        export: export.copied(),
        buffers: [ptr::null(), data.unwrap_or(ptr::null())],
        child: child.map(Box::new),
        children: [ptr::null_mut()],
    });
    if let (Some(from), Some(to)) = (export, private.export.as_mut()) {
        // An exporter's view may point into itself (shape at &view.len): follow it.
        crate::buffer::rebase_self_pointers(from, to);
    }
    let n_children = private.child.is_some() as i64;
    if let Some(child) = private.child.as_mut() {
        private.children[0] = &mut **child;
    }
    ArrowArray {
        length,
        null_count: 0,
        offset: 0,
        n_buffers: if data.is_some() { 2 } else { 1 },
        n_children,
        buffers: private.buffers.as_mut_ptr(),
        children: if n_children == 1 { private.children.as_mut_ptr() } else { ptr::null_mut() },
        dictionary: ptr::null_mut(),
        release: Some(release_array),
        private_data: Box::into_raw(private).cast(),
    }
}

/// Arrow's key-value metadata encoding: int32 count, then each key and value
/// as int32 length and bytes, all in native byte order.
pub(crate) fn encode_metadata(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + pairs.iter().map(|(k, v)| 8 + k.len() + v.len()).sum::<usize>());
    out.extend_from_slice(&(pairs.len() as i32).to_ne_bytes());
    for (k, v) in pairs {
        for s in [k, v] {
            out.extend_from_slice(&(s.len() as i32).to_ne_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

/// The value of `key` in Arrow metadata, borrowed from the producer's bytes
/// (no copy: the lengths come from the producer and are only walked).
///
/// # Safety
/// `metadata` must be NULL or point to a complete encoding that outlives `'a`.
unsafe fn metadata_value<'a>(metadata: *const c_char, key: &[u8]) -> Result<Option<&'a [u8]>> {
    if metadata.is_null() {
        return Ok(None);
    }
    let read_len = |p: *const u8| -> Result<usize> {
        // SAFETY: for every read here, the encoding is complete, as the
        // caller guarantees, so each length and the bytes it counts are there.
        let n = i32::from_ne_bytes(unsafe { ptr::read_unaligned(p.cast::<[u8; 4]>()) });
        usize::try_from(n).map_err(|_| Error::value(format!("negative length {n} in Arrow metadata")))
    };
    // SAFETY: as above.
    let read = |p: *const u8, n: usize| unsafe { (std::slice::from_raw_parts(p.add(4), n), p.add(4 + n)) };
    let mut p = metadata.cast::<u8>();
    let count = read_len(p)?;
    p = p.wrapping_add(4);
    for _ in 0..count {
        let (k, next) = read(p, read_len(p)?);
        let (v, next) = read(next, read_len(next)?);
        p = next;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The most metadata JSON pepkit parses: 63 extents, a permutation and dimension
/// names fit easily; a longer text is refused rather than trusted.
const MAX_TENSOR_JSON: usize = 64 * 1024;

/// The extension metadata pyarrow's `FixedShapeTensorArray.from_numpy_ndarray`
/// writes for a C-ordered tensor of rows of `shape`: the identity permutation
/// spelled out.
fn tensor_metadata(shape: &[isize]) -> String {
    use std::fmt::Write;
    // One buffer, no per-number strings: this runs on every N-d export.
    let mut json = String::with_capacity(32 + 24 * shape.len());
    json.push_str("{\"shape\":[");
    for (i, n) in shape.iter().enumerate() {
        let _ = write!(json, "{}{n}", if i > 0 { "," } else { "" });
    }
    json.push_str("],\"permutation\":[");
    for i in 0..shape.len() {
        let _ = write!(json, "{}{i}", if i > 0 { "," } else { "" });
    }
    json.push_str("]}");
    json
}

fn alignment_of(item: Item) -> usize {
    match item {
        Item::Scalar { size, .. } => size,
        _ => 1,
    }
}

/// Exports `exporter`'s memory as an Arrow schema and array (one FULL_RO
/// export, held by the array that points at the data).
///
pub(crate) fn export(exporter: &Object) -> Result<(ArrowSchema, ArrowArray)> {
    let mut view = pepkit_buffer::zeroed();
    // SAFETY: `exporter` is a live reference for the call.
    unsafe { pepkit_object::getbuffer(exporter.as_ptr(), &mut view, bits::FULL_RO) }?;
    // SAFETY: `view` holds a live export; it moves into the array (or is
    // released right here).
    match unsafe { plan(&view) } {
        Ok(plan) => Ok(assemble(plan, &view)),
        Err(err) => {
            // SAFETY: the export taken above, not handed on.
            let _ = unsafe { pepkit_object::releasebuffer(&mut view) };
            Err(err)
        }
    }
}

/// PyBuffer_IsContiguous(view, 'C') for a view without suboffsets: an empty
/// array is, and extents of 1 may have any stride (the bpo-22445 rule).
fn c_contiguous(shape: &[isize], strides: &[isize], itemsize: isize) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut want = itemsize;
    for (&n, &s) in shape.iter().zip(strides).rev() {
        if n != 1 && s != want {
            return false;
        }
        want *= n;
    }
    true
}

struct Plan {
    item_format: std::borrow::Cow<'static, str>,
    rows: i64,
    /// Items per row for N-d (the fixed_size_list width) and the row shape.
    tensor: Option<(i64, Vec<isize>)>,
}

/// What an export becomes in Arrow, or why it cannot.
///
/// # Safety
/// `view` must be a live export.
unsafe fn plan(view: &pepkit_buffer) -> Result<Plan> {
    if !view.suboffsets.is_null() {
        return Err(Error::buffer("Arrow cannot describe suboffsets (PIL-style indirect arrays)"));
    }
    if view.ndim == 0 {
        return Err(Error::buffer("a 0-dim array has no rows: Arrow arrays have one dimension or more"));
    }
    // SAFETY: a live export, as the caller guarantees.
    unsafe { super::with_dims(view, |shape, strides| plan_dims(view, shape, strides)) }
}

/// [`plan`] once the shape and strides are known.
///
/// # Safety
/// As [`plan`].
unsafe fn plan_dims(view: &pepkit_buffer, shape: &[isize], strides: &[isize]) -> Result<Plan> {
    if !c_contiguous(shape, strides, view.itemsize) {
        return Err(Error::buffer(format!(
            "Arrow needs C-contiguous memory: shape {shape:?} has strides {strides:?}"
        )));
    }
    // SAFETY: a live export's format is NUL-terminated (or NULL).
    let format = unsafe { super::format_of(view) };
    let item = dtype::classify(format)?;
    let item_format = dtype::to_arrow(format)?;
    let align = alignment_of(item);
    if !(view.buf as usize).is_multiple_of(align) {
        return Err(Error::buffer(format!(
            "the data at {:p} is not aligned to its {align}-byte items, as Arrow requires",
            view.buf
        )));
    }
    let rows = shape[0] as i64;
    let tensor = if shape.len() > 1 {
        let width = shape[1..]
            .iter()
            .try_fold(1isize, |acc, &n| acc.checked_mul(n))
            .ok_or_else(|| Error::overflow(format!("the row size of shape {shape:?} overflows")))?;
        rows.checked_mul(width as i64)
            .ok_or_else(|| Error::overflow(format!("the item count of shape {shape:?} overflows")))?;
        Some((width as i64, shape[1..].to_vec()))
    } else {
        None
    };
    Ok(Plan { item_format, rows, tensor })
}

/// The schema and array of `plan`; the array that points at the data takes
/// over the export in `view`.
fn assemble(plan: Plan, view: &pepkit_buffer) -> (ArrowSchema, ArrowArray) {
    let data = view.buf as *const c_void;
    match plan.tensor {
        None => (
            schema(&plan.item_format, c"", None, None),
            array(plan.rows, Some(data), Some(view), None),
        ),
        Some((width, row_shape)) => {
            let meta = tensor_metadata(&row_shape);
            let metadata = encode_metadata(&[("ARROW:extension:name", FIXED_SHAPE_TENSOR), ("ARROW:extension:metadata", &meta)]);
            let child_schema = schema(&plan.item_format, c"item", None, None);
            let child = array(plan.rows * width, Some(data), Some(view), None);
            (
                schema(&format!("+w:{width}"), c"", Some(metadata), Some(child_schema)),
                array(plan.rows, None, None, Some(child)),
            )
        }
    }
}

/// What an imported schema describes.
struct Incoming {
    item_format: String,
    itemsize: isize,
    align: usize,
    /// None for 1-D; the rows of a fixed-size list.
    rows: Option<Rows>,
}

/// The rows of a fixed-size list of `width` items: their physical (stored,
/// C-ordered) shape and, for a tensor with a permutation, which physical
/// dimension each logical one is. The canonical extension's definition:
/// logical dimension i is physical dimension `permutation[i]` (physical
/// [100, 200, 500] with [2, 0, 1] is logical [500, 100, 200]), which is
/// `numpy.transpose(physical, permutation)`.
struct Rows {
    shape: Vec<isize>,
    permutation: Option<Vec<usize>>,
    width: i64,
}

/// What an imported schema describes.
///
/// # Safety
/// `s` must be a valid schema per the Arrow C Data Interface.
unsafe fn read_schema(s: &ArrowSchema) -> Result<Incoming> {
    if s.format.is_null() {
        return Err(Error::value("schema.format must not be NULL"));
    }
    if !s.dictionary.is_null() {
        return Err(Error::value("dictionary-encoded Arrow arrays have no zero-copy buffer form"));
    }
    // SAFETY: a valid schema's format is NUL-terminated.
    let format = unsafe { CStr::from_ptr(s.format) }.to_bytes();
    if let Some(width) = format.strip_prefix(b"+w:") {
        let width = dtype::fixed_width(width, true)? as i64;
        // SAFETY: a valid schema's `children` holds n_children pointers.
        if s.n_children != 1 || s.children.is_null() || unsafe { (*s.children).is_null() } {
            return Err(Error::value("a fixed-size list schema must have one child"));
        }
        // SAFETY: checked just above: one child, not NULL, itself valid.
        let child = unsafe { &**s.children };
        if !child.dictionary.is_null() || child.format.is_null() {
            return Err(Error::value("the fixed-size list's child must be a plain primitive"));
        }
        // SAFETY: a valid schema's format is NUL-terminated.
        let mut inner = read_item(unsafe { CStr::from_ptr(child.format) }.to_bytes())?;
        // SAFETY: a valid schema's metadata is NULL or a complete encoding.
        let (shape, permutation) = unsafe { tensor_shape(s.metadata, width) }?;
        inner.rows = Some(Rows { shape, permutation, width });
        Ok(inner)
    } else {
        read_item(format)
    }
}

fn read_item(arrow: &[u8]) -> Result<Incoming> {
    let item_format = dtype::from_arrow(arrow)?;
    let item = dtype::classify(item_format.as_bytes())?;
    Ok(Incoming { itemsize: item.size() as isize, align: alignment_of(item), item_format, rows: None })
}

/// The row shape of a fixed-size list of `width` items: the
/// `arrow.fixed_shape_tensor` shape when the schema says so, else `[width]`.
///
/// # Safety
/// As [`metadata_value`].
unsafe fn tensor_shape(metadata: *const c_char, width: i64) -> Result<(Vec<isize>, Option<Vec<usize>>)> {
    // SAFETY: as the caller guarantees.
    if unsafe { metadata_value(metadata, b"ARROW:extension:name") }? != Some(FIXED_SHAPE_TENSOR.as_bytes()) {
        return Ok((vec![width as isize], None));
    }
    // SAFETY: as the caller guarantees.
    let json = unsafe { metadata_value(metadata, b"ARROW:extension:metadata") }?.unwrap_or(b"");
    if json.len() > MAX_TENSOR_JSON {
        return Err(Error::value(format!(
            "{FIXED_SHAPE_TENSOR} metadata of {} bytes is too long (at most {MAX_TENSOR_JSON})",
            json.len()
        )));
    }
    let doc: serde_json::Value = serde_json::from_slice(json)
        .map_err(|e| Error::value(format!("bad {FIXED_SHAPE_TENSOR} metadata: {e}")))?;
    let bad = |what: &str| Error::value(format!("bad {FIXED_SHAPE_TENSOR} metadata: {what}"));
    let dims = doc.get("shape").and_then(|v| v.as_array()).ok_or_else(|| bad("no \"shape\" array"))?;
    if dims.len() + 1 > MAX_NDIM {
        return Err(bad("more than 63 dimensions per row"));
    }
    let shape = dims
        .iter()
        .map(|v| v.as_u64().and_then(|n| isize::try_from(n).ok()).ok_or_else(|| bad("an extent is not a non-negative integer")))
        .collect::<Result<Vec<isize>>>()?;
    let permutation = match doc.get("permutation").filter(|v| !v.is_null()) {
        None => None,
        Some(perm) => {
            let perm = perm.as_array().ok_or_else(|| bad("\"permutation\" is not an array"))?;
            let mut seen = [false; MAX_NDIM];
            let mut out = Vec::with_capacity(perm.len());
            for v in perm {
                let p = v.as_u64().filter(|&p| (p as usize) < shape.len() && !seen[p as usize]);
                let p = p.ok_or_else(|| bad("\"permutation\" is not a permutation of the dimensions"))? as usize;
                seen[p] = true;
                out.push(p);
            }
            if out.len() != shape.len() {
                return Err(bad("\"permutation\" is not a permutation of the dimensions"));
            }
            Some(out)
        }
    };
    let product = shape.iter().try_fold(1i64, |acc, &n| acc.checked_mul(n as i64));
    if product != Some(width) {
        return Err(bad(&format!("shape {shape:?} does not hold {width} items per row")));
    }
    Ok((shape, permutation))
}

/// Checks an array level and returns its data buffer (if `with_data`).
///
/// # Safety
/// `a` must be a valid array per the Arrow C Data Interface.
unsafe fn check_level(a: &ArrowArray, n_buffers: i64, what: &str) -> Result<*const c_void> {
    if a.length < 0 || a.offset < 0 {
        return Err(Error::value(format!("{what}: negative length {} or offset {}", a.length, a.offset)));
    }
    if a.n_buffers != n_buffers || a.buffers.is_null() {
        return Err(Error::value(format!("{what}: expected {n_buffers} buffers, got {}", a.n_buffers)));
    }
    // SAFETY: a valid array's `buffers` holds n_buffers (>= 1) pointers.
    let validity = unsafe { *a.buffers };
    if a.null_count > 0 || (a.null_count < 0 && !validity.is_null()) {
        return Err(Error::value(format!(
            "{what}: the array has nulls (null_count {}); a buffer has no way to mark them",
            a.null_count
        )));
    }
    if !a.dictionary.is_null() {
        return Err(Error::value(format!("{what}: dictionary-encoded arrays are not supported")));
    }
    // SAFETY: as above, with two buffers.
    Ok(if n_buffers == 2 { unsafe { *a.buffers.add(1) } } else { ptr::null() })
}

fn overflow() -> Error {
    Error::overflow("the Arrow array's length and offset overflow Py_ssize_t")
}

/// Describes the memory of an imported array.
///
/// # Safety
/// `a` must be a valid array per the Arrow C Data Interface.
unsafe fn layout_of(inc: &Incoming, a: &ArrowArray) -> Result<ValidLayout> {
    let (data, first_item, shape) = match &inc.rows {
        None => {
            // SAFETY: as the caller guarantees.
            let data = unsafe { check_level(a, 2, "array") }?;
            (data, a.offset, vec![isize::try_from(a.length).map_err(|_| overflow())?])
        }
        Some(Rows { shape: row_shape, width, .. }) => {
            // SAFETY: as the caller guarantees.
            unsafe { check_level(a, 1, "array") }?;
            // SAFETY: a valid array's `children` holds n_children pointers.
            if a.n_children != 1 || a.children.is_null() || unsafe { (*a.children).is_null() } {
                return Err(Error::value("a fixed-size list array must have one child"));
            }
            // SAFETY: checked just above: one child, not NULL, itself valid.
            let child = unsafe { &**a.children };
            // SAFETY: a valid child array.
            let data = unsafe { check_level(child, 2, "child array") }?;
            let needed = a.offset.checked_add(a.length).and_then(|n| n.checked_mul(*width)).ok_or_else(overflow)?;
            if child.length < needed {
                return Err(Error::value(format!(
                    "the child array has {} items, fewer than the {needed} its parent's rows need",
                    child.length
                )));
            }
            let first = a.offset.checked_mul(*width).and_then(|n| n.checked_add(child.offset)).ok_or_else(overflow)?;
            let mut shape = Vec::with_capacity(row_shape.len() + 1);
            shape.push(isize::try_from(a.length).map_err(|_| overflow())?);
            shape.extend_from_slice(row_shape);
            (data, first, shape)
        }
    };
    let len = shape.iter().try_fold(inc.itemsize, |acc, &n| acc.checked_mul(n)).ok_or_else(overflow)?;
    let skip = isize::try_from(first_item).ok().and_then(|n| n.checked_mul(inc.itemsize)).ok_or_else(overflow)?;
    if data.is_null() && len > 0 {
        return Err(Error::value("the array's data buffer is NULL"));
    }
    let buf = data.cast::<u8>().cast_mut().wrapping_offset(skip);
    if len > 0 && !(buf as usize).is_multiple_of(inc.align) {
        return Err(Error::value(format!(
            "the data at {buf:p} (buffer plus offset) is not aligned to its {}-byte items",
            inc.align
        )));
    }
    if len > 0 && (buf as usize).checked_add(len as usize).is_none() {
        return Err(overflow());
    }
    let mut strides = vec![0isize; shape.len()];
    crate::buffer::contiguous_strides(&shape, inc.itemsize, false, &mut strides)?;
    let (shape, strides) = match &inc.rows {
        // Logical dimension i of a row is physical dimension perm[i].
        Some(Rows { permutation: Some(perm), .. }) => {
            let mut logical = (shape.clone(), strides.clone());
            for (i, &p) in perm.iter().enumerate() {
                logical.0[1 + i] = shape[1 + p];
                logical.1[1 + i] = strides[1 + p];
            }
            logical
        }
        _ => (shape, strides),
    };
    Ok(ValidLayout {
        buf,
        itemsize: inc.itemsize,
        readonly: true,
        format: inc.item_format.as_bytes().to_vec(),
        shape,
        strides,
        suboffsets: None,
    })
}

/// An imported array's struct, moved into the wrap's release callback.
struct Held(Box<ArrowArray>);
// SAFETY: Arrow release callbacks may be called from any thread.
unsafe impl Send for Held {}

/// Takes an Arrow array in (moving both structs: their `release` is NULL
/// afterwards). The schema is released at once; the array when the new
/// object is freed. On failure both stay the caller's, untouched.
///
/// # Safety
/// Both structs must be valid per the Arrow C Data Interface.
pub(crate) unsafe fn import(schema: *mut ArrowSchema, array: *mut ArrowArray) -> Result<Object> {
    // SAFETY: both valid, as the caller guarantees.
    let (schema, array) = unsafe { (&mut *schema, &mut *array) };
    if schema.release.is_none() {
        return Err(Error::value("the schema is released (its release callback is NULL)"));
    }
    if array.release.is_none() {
        return Err(Error::value("the array is released (its release callback is NULL)"));
    }
    // SAFETY: valid structs, as the caller guarantees.
    let layout = unsafe { layout_of(&read_schema(schema)?, array) }?;
    // A bitwise move, per the Arrow spec: the source's release is cleared
    // below once the object exists (on failure the copy is dropped unreleased).
    // SAFETY: a valid struct, read once.
    let held = Held(Box::new(unsafe { ptr::read(array) }));
    let release = move || {
        let mut held = held;
        if let Some(release) = held.0.release {
            // SAFETY: the moved struct is ours; its release runs once, here.
            unsafe { release(&mut *held.0) };
        }
    };
    // SAFETY: the layout describes the array's buffers, valid until its
    // release runs; Arrow memory may be read from any thread.
    let obj = unsafe { pepkit_object::new_wrap(layout, Some(Box::new(release))) }?;
    array.release = None;
    // SAFETY: as for the array; the schema is released at once.
    let mut moved = unsafe { ptr::read(schema) };
    schema.release = None;
    if let Some(release) = moved.release {
        // SAFETY: the moved schema is ours; released once, here.
        unsafe { release(&mut moved) };
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips() {
        let enc = encode_metadata(&[("a", "xyz"), ("", "")]);
        // SAFETY: a complete encoding, alive for the test.
        let value = |key: &[u8]| unsafe { metadata_value(enc.as_ptr().cast(), key) }.unwrap();
        assert_eq!(value(b"a"), Some(&b"xyz"[..]));
        assert_eq!(value(b""), Some(&b""[..]));
        assert_eq!(value(b"b"), None);
        assert_eq!(tensor_metadata(&[2, 3]), "{\"shape\":[2,3],\"permutation\":[0,1]}");
    }
}
