//! The view object: its shared managed export, its own descriptor, and the
//! operations that make new views (slice, sub-view, cast, read-only copy).

use std::ffi::{c_char, c_int, CStr};
use std::sync::Arc;

use crate::buffer::{bits, pepkit_buffer, pepkit_object, Export, Geometry, Object, Order, MAX_NDIM};
use super::slice::Slice;
use crate::error::{Error, Result};

/// One export of the base object, shared by every view made from it and
/// released when the last of them goes.
pub(crate) struct Managed {
    export: pepkit_buffer,
}

// SAFETY: the export is read-only after construction; its memory is shared
// between threads under the exporter's own promise (see pepkit_wrap_new).
unsafe impl Send for Managed {}
// SAFETY: as for Send.
unsafe impl Sync for Managed {}

impl Drop for Managed {
    fn drop(&mut self) {
        // SAFETY: the export was taken by getbuffer (or carries no object).
        let _ = unsafe { pepkit_object::releasebuffer(&mut self.export) };
    }
}

impl Managed {
    /// Takes over the export in `src` (zeroing it), keeping any pointers of
    /// the export into its own struct valid.
    fn take(src: &mut pepkit_buffer) -> Arc<Managed> {
        let mut managed = Arc::new(Managed { export: pepkit_buffer::zeroed() });
        let slot = Arc::get_mut(&mut managed).map(|m| &mut m.export);
        // A fresh Arc is unique.
        let slot = slot.unwrap_or_else(|| unreachable!("a new Arc has one owner"));
        *slot = *src;
        crate::buffer::rebase_self_pointers(src, slot);
        *src = pepkit_buffer::zeroed();
        managed
    }

    /// The exporter the view reads (none for memory a C caller lent).
    pub(crate) fn base(&self) -> Option<Object> {
        let base = std::ptr::NonNull::new(self.export.obj)?;
        // SAFETY: the managed export holds a reference to its base; the
        // clone counts one of its own.
        Some(unsafe { Object::borrow(base) }.clone())
    }

    /// Whether the base object can be hashed, as CPython's memoryview hash
    /// requires of `view.obj`: a bytearray never (TypeError "unhashable type:
    /// 'bytearray'"); another exporter only when its memory is read-only
    /// (ValueError "cannot hash writable ndarray object", as
    /// _testbuffer.ndarray answers); borrowed memory (no object) always.
    fn base_is_hashable(&self) -> Result<()> {
        let base = self.export.obj;
        if base.is_null() {
            return Ok(());
        }
        // SAFETY: the managed export holds a reference to its base.
        let kind = unsafe { (*base).kind() };
        if kind == crate::buffer::ObjectKind::ByteArray {
            return Err(Error::type_error("unhashable type: 'bytearray'"));
        }
        if self.export.readonly == 0 {
            return Err(Error::value(format!("cannot hash writable {} object", kind.name())));
        }
        Ok(())
    }
}

/// An omitted slice bound, as Python's `None` (`PTRDIFF_MIN`; the C macro is
/// defined in cbindgen.toml because cbindgen cannot spell `isize::MIN`).
pub const PEPKIT_NONE: isize = isize::MIN;

/// One slice `start:stop:step`; PEPKIT_NONE stands for an omitted part.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct pepkit_slice {
    /// The first index (negative: from the end), or PEPKIT_NONE for the start
    /// (the end when `step` is negative).
    pub start: isize,
    /// The index to stop before (negative: from the end), or PEPKIT_NONE for
    /// past the end (before the start when `step` is negative).
    pub stop: isize,
    /// The distance between indices, never 0 (PEPKIT_ERR_VALUE); PEPKIT_NONE
    /// means 1.
    pub step: isize,
}

pub(crate) const RELEASED: &str = "operation forbidden on released memoryview object";

/// A live view: its descriptor (`view`, whose shape, strides and suboffsets
/// point into `arrays`) and the managed export it reads.
pub(crate) struct ViewState {
    pub(crate) mbuf: Arc<Managed>,
    pub(crate) view: pepkit_buffer,
    arrays: Box<[isize]>,
    pub(crate) c_contiguous: bool,
    pub(crate) f_contiguous: bool,
}

// SAFETY: as Managed; the descriptor's pointers target `arrays`, the managed
// export's format, or static strings.
unsafe impl Send for ViewState {}
// SAFETY: as for Send.
unsafe impl Sync for ViewState {}

impl ViewState {
    /// A descriptor with room for `ndim` dimensions, sharing `mbuf`; the
    /// caller fills shape, strides and (if `with_suboffsets`) suboffsets.
    fn with_arrays(mbuf: Arc<Managed>, template: &pepkit_buffer, ndim: usize, with_suboffsets: bool) -> ViewState {
        let mut arrays = vec![0isize; 3 * ndim].into_boxed_slice();
        let base = arrays.as_mut_ptr();
        let mut view = *template;
        view.ndim = ndim as c_int;
        view.internal = std::ptr::null_mut();
        crate::buffer::point_dims(&mut view, base, ndim, with_suboffsets);
        ViewState { mbuf, view, arrays, c_contiguous: false, f_contiguous: false }
    }

    pub(crate) fn ndim(&self) -> usize {
        self.view.ndim as usize
    }

    pub(crate) fn check_hashable_base(&self) -> Result<()> {
        self.mbuf.base_is_hashable()
    }

    pub(crate) fn shape(&self) -> &[isize] {
        &self.arrays[..self.ndim()]
    }

    pub(crate) fn strides(&self) -> &[isize] {
        let n = self.ndim();
        &self.arrays[n..2 * n]
    }

    pub(crate) fn suboffsets(&self) -> Option<&[isize]> {
        let n = self.ndim();
        (!self.view.suboffsets.is_null()).then(|| &self.arrays[2 * n..3 * n])
    }

    fn arrays_mut(&mut self) -> (&mut [isize], &mut [isize], &mut [isize]) {
        let n = self.ndim();
        let (shape, rest) = self.arrays.split_at_mut(n);
        let (strides, subs) = rest.split_at_mut(n);
        (shape, strides, subs)
    }

    /// The format as bytes ("B" when the export had none).
    pub(crate) fn format(&self) -> &[u8] {
        // SAFETY: always set to a NUL-terminated string that lives as long as
        // the managed export or the program.
        unsafe { CStr::from_ptr(self.view.format) }.to_bytes()
    }

    /// memoryview's init_flags: 0-dim views are C and F contiguous, 1-D views
    /// when their one stride is the itemsize (or the extent is 1), others by
    /// PyBuffer_IsContiguous; suboffsets clear both.
    fn init_flags(&mut self) {
        let (c, f) = match self.ndim() {
            _ if !self.view.suboffsets.is_null() => (false, false),
            0 => (true, true),
            1 => {
                let one = self.shape()[0] == 1 || self.strides()[0] == self.view.itemsize;
                (one, one)
            }
            _ => {
                // SAFETY: the descriptor is consistent by construction.
                let g = unsafe { Geometry::of(&self.view) };
                match g {
                    Ok(g) => (g.is_contiguous(Order::C), g.is_contiguous(Order::F)),
                    Err(_) => (false, false),
                }
            }
        };
        self.c_contiguous = c;
        self.f_contiguous = f;
    }

    /// A view of the whole managed export (`memoryview(obj)`).
    fn from_managed(mbuf: Arc<Managed>) -> Result<ViewState> {
        let master = mbuf.export;
        // SAFETY: the export came from getbuffer or a caller's valid buffer.
        let g = unsafe { Geometry::of(&master) }?;
        let mut template = master;
        if template.format.is_null() {
            template.format = c"B".as_ptr() as *mut c_char;
        }
        let mut state = ViewState::with_arrays(mbuf, &template, g.ndim, g.suboffsets.is_some());
        let (shape, strides, subs) = state.arrays_mut();
        shape.copy_from_slice(g.shape());
        strides.copy_from_slice(g.strides());
        if let Some(s) = &g.suboffsets {
            subs.copy_from_slice(&s[..g.ndim]);
        }
        state.init_flags();
        Ok(state)
    }

    /// Another view of exactly this one (`memoryview(m)`, `toreadonly`).
    pub(crate) fn duplicate(&self, readonly: bool) -> ViewState {
        let n = self.ndim();
        let mut copy = ViewState::with_arrays(self.mbuf.clone(), &self.view, n, !self.view.suboffsets.is_null());
        copy.arrays.copy_from_slice(&self.arrays);
        if readonly {
            copy.view.readonly = 1;
        }
        copy.c_contiguous = self.c_contiguous;
        copy.f_contiguous = self.f_contiguous;
        copy
    }
}

impl ViewState {
    /// `memoryview(obj)` for an object that is not itself a memoryview: one
    /// FULL_RO export of it becomes the managed export.
    pub(crate) fn of_exporter(obj: &Object) -> Result<ViewState> {
        let mut export = pepkit_buffer::zeroed();
        // SAFETY: `obj` is a live reference.
        unsafe { pepkit_object::getbuffer(obj.as_ptr(), &mut export, bits::FULL_RO) }?;
        if export.ndim as usize > MAX_NDIM {
            // SAFETY: the export was just taken.
            let _ = unsafe { pepkit_object::releasebuffer(&mut export) };
            return Err(Error::value("memoryview: number of dimensions must not exceed 64"));
        }
        ViewState::from_managed(Managed::take(&mut export))
    }

    /// Takes over an export; it is released if no view can be made of it.
    pub(crate) fn of_owned_export(export: Export) -> Result<ViewState> {
        let mut view = pepkit_buffer::zeroed();
        export.into_buffer(&mut view);
        // SAFETY: `view` holds a live export of pepkit's.
        unsafe { ViewState::of_export(&mut view) }.inspect_err(|_| {
            // SAFETY: still ours: of_export leaves it alone on failure.
            let _ = unsafe { pepkit_object::releasebuffer(&mut view) };
        })
    }

    /// Takes over an existing export; on success `export` is zeroed, on
    /// failure it is left to the caller.
    ///
    /// # Safety
    /// `export` must be a valid, unreleased export (or a buffer with no object
    /// whose memory outlives the view).
    pub(crate) unsafe fn of_export(export: &mut pepkit_buffer) -> Result<ViewState> {
        if export.ndim > MAX_NDIM as c_int {
            return Err(Error::value("memoryview: number of dimensions must not exceed 64"));
        }
        // SAFETY: a valid export, as the caller guarantees.
        unsafe { Geometry::of(export) }?;
        ViewState::from_managed(Managed::take(export))
    }
}

/// PySlice_AdjustIndices on Python slice values (PEPKIT_NONE for None):
/// returns (start, step, length) clamped to `extent`.
pub(crate) fn adjust_slice(s: &Slice, extent: isize) -> Result<(isize, isize, isize)> {
    let step = s.step.unwrap_or(1);
    if step == 0 {
        return Err(Error::value("slice step cannot be zero"));
    }
    // Python clamps a step of -sys.maxsize-1 to -sys.maxsize.
    let step = step.max(-isize::MAX);
    let (lower, upper) = if step < 0 { (-1, extent - 1) } else { (0, extent) };
    let clamp = |v: Option<isize>, default: isize| -> isize {
        let Some(v) = v else { return default };
        if v < 0 {
            let v = v.saturating_add(extent);
            if v < lower {
                lower
            } else {
                v
            }
        } else if v > upper {
            upper
        } else {
            v
        }
    };
    let start = clamp(s.start, if step < 0 { upper } else { lower });
    let stop = clamp(s.stop, if step < 0 { lower } else { upper });
    let length = if step < 0 {
        if stop < start {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        }
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    Ok((start, step, length))
}

/// Follows dimension 0's indirection at `p`, as CPython's ADJUST_PTR.
///
/// # Safety
/// With `suboffset >= 0`, `p` must address a readable pointer slot.
unsafe fn adjust(p: *mut u8, suboffset: isize) -> *mut u8 {
    if suboffset >= 0 {
        // SAFETY: as the caller guarantees.
        unsafe { (p as *const *mut u8).read_unaligned() }.wrapping_offset(suboffset)
    } else {
        p
    }
}

impl ViewState {
    /// Slices the first `slices.len()` dimensions (numpy's basic slicing;
    /// CPython itself only slices dimension 0). Suboffsets are adjusted as
    /// CPython's init_slice does.
    pub(crate) fn slice<S: Clone + Into<Slice>>(&self, slices: &[S]) -> Result<ViewState> {
        let n = self.ndim();
        if n == 0 {
            return Err(Error::type_error("invalid indexing of 0-dim memory"));
        }
        if slices.len() > n {
            return Err(Error::type_error(format!(
                "too many slices: {} for a view with {n} dimension{}",
                slices.len(),
                if n == 1 { "" } else { "s" }
            )));
        }
        let mut out = self.duplicate(false);
        let mut buf = out.view.buf as *mut u8;
        {
            let has_subs = !out.view.suboffsets.is_null();
            let (shape, strides, subs) = out.arrays_mut();
            for (dim, s) in slices.iter().enumerate() {
                let (start, step, length) = adjust_slice(&s.clone().into(), shape[dim])?;
                let shift = strides[dim].wrapping_mul(start);
                let nearest = if has_subs && dim > 0 { (0..dim).rev().find(|&k| subs[k] >= 0) } else { None };
                match nearest {
                    Some(k) => subs[k] += shift,
                    None => buf = buf.wrapping_offset(shift),
                }
                shape[dim] = length;
                strides[dim] = strides[dim].wrapping_mul(step);
            }
        }
        out.view.buf = buf.cast();
        out.view.len = out.shape().iter().product::<isize>() * out.view.itemsize;
        out.init_flags();
        Ok(out)
    }

    /// Resolves a Python index on dimension `dim` (negative wraps).
    pub(crate) fn wrap_index(&self, dim: usize, index: isize) -> Result<isize> {
        let extent = self.shape()[dim];
        let i = if index < 0 { index.wrapping_add(extent) } else { index };
        if i < 0 || i >= extent {
            return Err(Error::index(format!("index out of bounds on dimension {}", dim + 1)));
        }
        Ok(i)
    }

    /// `m[i]` as a view one dimension smaller (numpy's semantics; CPython
    /// only allows it on 1-D views, where it gives the item).
    pub(crate) fn subview(&self, index: isize) -> Result<ViewState> {
        let n = self.ndim();
        if n == 0 {
            return Err(Error::type_error("invalid indexing of 0-dim memory"));
        }
        let i = self.wrap_index(0, index)?;
        let sub0 = self.suboffsets().map_or(-1, |s| s[0]);
        // SAFETY: the index is in bounds; an indirection reads a pointer slot
        // inside the exported memory.
        let ptr = unsafe { adjust((self.view.buf as *mut u8).wrapping_offset(i * self.strides()[0]), sub0) };
        let keep_subs = n > 1 && !self.view.suboffsets.is_null();
        let mut out = ViewState::with_arrays(self.mbuf.clone(), &self.view, n - 1, keep_subs);
        {
            let (shape, strides, subs) = (self.shape(), self.strides(), self.suboffsets());
            let (oshape, ostrides, osubs) = out.arrays_mut();
            oshape.copy_from_slice(&shape[1..]);
            ostrides.copy_from_slice(&strides[1..]);
            if let Some(s) = subs.filter(|_| keep_subs) {
                osubs.copy_from_slice(&s[1..]);
            }
        }
        out.view.buf = ptr.cast();
        out.view.len = out.shape().iter().product::<isize>() * out.view.itemsize;
        out.init_flags();
        Ok(out)
    }

    /// The address of the item at `index` (one Python index per dimension,
    /// negative ones wrapping), following suboffsets.
    pub(crate) fn item_pointer(&self, index: &[isize]) -> Result<*mut u8> {
        let n = self.ndim();
        if n == 0 {
            if index.is_empty() {
                return Ok(self.view.buf.cast());
            }
            return Err(Error::type_error("invalid indexing of 0-dim memory"));
        }
        if index.len() < n {
            return Err(Error::not_implemented("sub-views are not implemented"));
        }
        if index.len() > n {
            return Err(Error::type_error(format!("cannot index {n}-dimension view with {}-element tuple", index.len())));
        }
        let mut p = self.view.buf as *mut u8;
        let subs = self.suboffsets();
        for d in 0..n {
            let i = self.wrap_index(d, index[d])?;
            p = p.wrapping_offset(i * self.strides()[d]);
            if let Some(s) = subs {
                // SAFETY: in bounds; the slot lies in the exported memory.
                p = unsafe { adjust(p, s[d]) };
            }
        }
        Ok(p)
    }

    /// `m.cast(format[, shape])` with CPython 3.11's checks in its order.
    /// `shape` None means no shape argument.
    pub(crate) fn cast(&self, format: &[u8], shape: Option<&[isize]>) -> Result<ViewState> {
        if !self.c_contiguous {
            return Err(Error::type_error("memoryview: casts are restricted to C-contiguous views"));
        }
        if (shape.is_some() || self.ndim() != 1) && self.shape().contains(&0) {
            return Err(Error::type_error("memoryview: cannot cast view with zeros in shape or strides"));
        }
        if let Some(shape) = shape {
            if shape.len() > MAX_NDIM {
                return Err(Error::value("memoryview: number of dimensions must not exceed 64"));
            }
            if self.ndim() != 1 && shape.len() != 1 {
                return Err(Error::type_error("memoryview: cast must be 1D -> ND or ND -> 1D"));
            }
        }
        let (dest_format, dest_size, dest_char) = native_format(format).ok_or_else(|| {
            Error::value("memoryview: destination format must be a native single character format prefixed with an optional '@'")
        })?;
        let source_is_bytes = native_format(self.format()).is_some_and(|(_, _, c)| is_byte_format(c));
        if !source_is_bytes && !is_byte_format(dest_char) {
            return Err(Error::type_error("memoryview: cannot cast between two non-byte formats"));
        }
        let len = self.view.len;
        if len % dest_size != 0 {
            return Err(Error::type_error("memoryview: length is not a multiple of itemsize"));
        }
        let ndim = shape.map_or(1, |s| s.len());
        let mut template = self.view;
        template.format = dest_format.as_ptr() as *mut c_char;
        template.itemsize = dest_size;
        let mut out = ViewState::with_arrays(self.mbuf.clone(), &template, ndim, false);
        match shape {
            None => {
                let (oshape, ostrides, _) = out.arrays_mut();
                oshape[0] = len / dest_size;
                ostrides[0] = dest_size;
            }
            Some(shape) => {
                let mut total = dest_size;
                for &x in shape {
                    if x <= 0 {
                        return Err(Error::value("memoryview.cast(): elements of shape must be integers > 0"));
                    }
                    if x > isize::MAX / total {
                        return Err(Error::value("memoryview.cast(): product(shape) > SSIZE_MAX"));
                    }
                    total *= x;
                }
                if total != len {
                    return Err(Error::type_error("memoryview: product(shape) * itemsize != buffer size"));
                }
                let (oshape, ostrides, _) = out.arrays_mut();
                oshape.copy_from_slice(shape);
                crate::buffer::contiguous_strides(shape, dest_size, false, ostrides)?;
            }
        }
        out.init_flags();
        Ok(out)
    }
}

/// CPython 3.11's native single-character formats (get_native_fmtchar):
/// the static format string to store (keeping an '@'), its size and char.
pub(crate) fn native_format(format: &[u8]) -> Option<(&'static CStr, isize, u8)> {
    let (at, body) = match format {
        [b'@', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let [c] = body else { return None };
    use std::ffi::{c_long, c_uint, c_ulong};
    use std::mem::size_of;
    let (plain, with_at, size): (&'static CStr, &'static CStr, usize) = match *c {
        b'c' => (c"c", c"@c", 1),
        b'b' => (c"b", c"@b", 1),
        b'B' => (c"B", c"@B", 1),
        b'h' => (c"h", c"@h", size_of::<i16>()),
        b'H' => (c"H", c"@H", size_of::<u16>()),
        b'i' => (c"i", c"@i", size_of::<c_int>()),
        b'I' => (c"I", c"@I", size_of::<c_uint>()),
        b'l' => (c"l", c"@l", size_of::<c_long>()),
        b'L' => (c"L", c"@L", size_of::<c_ulong>()),
        b'q' => (c"q", c"@q", size_of::<i64>()),
        b'Q' => (c"Q", c"@Q", size_of::<u64>()),
        b'n' => (c"n", c"@n", size_of::<isize>()),
        b'N' => (c"N", c"@N", size_of::<usize>()),
        b'f' => (c"f", c"@f", size_of::<f32>()),
        b'd' => (c"d", c"@d", size_of::<f64>()),
        b'?' => (c"?", c"@?", size_of::<bool>()),
        b'P' => (c"P", c"@P", size_of::<*const u8>()),
        _ => return None,
    };
    Some((if at { with_at } else { plain }, size as isize, *c))
}

pub(crate) fn is_byte_format(c: u8) -> bool {
    matches!(c, b'b' | b'B' | b'c')
}
