//! Walking a buffer's items in C or Fortran order: `PyBuffer_GetPointer`,
//! `PyBuffer_ToContiguous` and `PyBuffer_FromContiguous`.
//!
//! The walk yields *rows*: runs of items along the innermost dimension of the
//! chosen order, after merging dimensions that are contiguous with each other.
//! A row whose stride equals the itemsize is one `memcpy`; other rows copy
//! item by item with the item size known at compile time where it is common.

use std::ptr;

use super::geometry::{Geometry, Order};
use super::{pepkit_buffer, MAX_NDIM};
use crate::error::{Error, Result};

/// Follows a PIL-style indirection: the pointer stored at `p`, plus `suboffset`.
///
/// # Safety
/// With `suboffset >= 0`, `p` must address a readable pointer slot.
#[inline]
unsafe fn follow(p: *mut u8, suboffset: isize) -> *mut u8 {
    if suboffset >= 0 {
        // SAFETY: as the caller guarantees.
        unsafe { (p as *const *mut u8).read_unaligned() }.wrapping_offset(suboffset)
    } else {
        p
    }
}

/// `PyBuffer_GetPointer` with an explicit index count (which must equal ndim)
/// and bounds checks: an index outside `0..shape[d]` is an IndexError.
///
/// # Safety
/// As [`Geometry::of`]; the memory behind suboffsets must be readable.
pub(crate) unsafe fn get_pointer(view: &pepkit_buffer, indices: &[isize]) -> Result<*mut u8> {
    // SAFETY: as the caller guarantees.
    let g = unsafe { Geometry::of(view) }?;
    if indices.len() != g.ndim {
        return Err(Error::type_error(format!(
            "pepkit_buffer_get_pointer: {} indices given for a buffer with ndim {}",
            indices.len(),
            g.ndim
        )));
    }
    let mut p = g.buf;
    for (d, &i) in indices.iter().enumerate() {
        if i < 0 || i >= g.shape[d] {
            return Err(Error::index(format!(
                "index {i} out of bounds on dimension {} (extent {})",
                d + 1,
                g.shape[d]
            )));
        }
        // SAFETY: the index is in bounds, so an indirection's slot lies in
        // the exported memory, readable as the caller guarantees.
        p = unsafe { follow(p.wrapping_offset(i * g.strides[d]), g.suboffset(d)) };
    }
    Ok(p)
}

/// One dimension of a walk, in walking order (outermost first).
#[derive(Clone, Copy)]
struct Dim {
    extent: isize,
    stride: isize,
    suboffset: isize,
}

/// The dimensions of `g` in the order a walk visits them (outermost first),
/// with extent-1 dimensions dropped and mergeable neighbours merged.
fn walk_dims(g: &Geometry, fortran: bool, out: &mut [Dim; MAX_NDIM]) -> usize {
    let mut n = 0;
    for k in 0..g.ndim {
        let d = if fortran { g.ndim - 1 - k } else { k };
        let dim = Dim { extent: g.shape[d], stride: g.strides[d], suboffset: g.suboffset(d) };
        if dim.extent == 1 && dim.suboffset < 0 {
            continue;
        }
        if n > 0 {
            let outer = out[n - 1];
            // The outer dimension steps exactly over one whole inner row: merge.
            if outer.suboffset < 0 && dim.suboffset < 0 && outer.stride == dim.stride.wrapping_mul(dim.extent) {
                out[n - 1] = Dim { extent: outer.extent * dim.extent, stride: dim.stride, suboffset: -1 };
                continue;
            }
        }
        out[n] = dim;
        n += 1;
    }
    n
}

/// Calls `row(ptr, count, stride)` for every row of `g` in the given order.
/// Stops early when `row` returns false.
///
/// # Safety
/// `g` must describe exported memory whose indirections are readable.
unsafe fn for_each_row(g: &Geometry, fortran: bool, mut row: impl FnMut(*mut u8, isize, isize) -> bool) {
    if fortran && g.suboffsets.is_some() {
        // An indirection must be followed in dimension order, so addresses are
        // not linear in a reordered walk: take each item on its own.
        // SAFETY: as the caller guarantees.
        return unsafe { for_each_item_fortran(g, row) };
    }
    let mut dims = [Dim { extent: 0, stride: 0, suboffset: -1 }; MAX_NDIM];
    let n = walk_dims(g, fortran, &mut dims);
    if g.shape().contains(&0) {
        return;
    }
    if n == 0 {
        row(g.buf, 1, g.itemsize);
        return;
    }
    let (outer, inner) = (&dims[..n - 1], dims[n - 1]);
    if inner.suboffset >= 0 {
        // Every item of the innermost dimension is its own indirection.
        // SAFETY: as the caller guarantees; each slot is in bounds.
        unsafe {
            walk_outer(outer, g.buf, &mut |p| {
                for i in 0..inner.extent {
                    if !row(follow(p.wrapping_offset(i * inner.stride), inner.suboffset), 1, g.itemsize) {
                        return false;
                    }
                }
                true
            })
        };
    } else {
        // SAFETY: as the caller guarantees.
        unsafe { walk_outer(outer, g.buf, &mut |p| row(p, inner.extent, inner.stride)) };
    }
}

/// Fortran-order walk of a PIL-style buffer, one item per row, each address
/// computed in dimension order as `PyBuffer_GetPointer` does.
///
/// # Safety
/// As [`for_each_row`].
unsafe fn for_each_item_fortran(g: &Geometry, mut row: impl FnMut(*mut u8, isize, isize) -> bool) {
    if g.shape().contains(&0) {
        return;
    }
    let mut index = [0isize; MAX_NDIM];
    loop {
        let mut p = g.buf;
        for (d, &i) in index.iter().enumerate().take(g.ndim) {
            // SAFETY: `i` is in bounds of dimension d; as the caller guarantees.
            p = unsafe { follow(p.wrapping_offset(i * g.strides[d]), g.suboffset(d)) };
        }
        if !row(p, 1, g.itemsize) {
            return;
        }
        // Advance the odometer, first dimension fastest.
        let mut d = 0;
        loop {
            if d == g.ndim {
                return;
            }
            index[d] += 1;
            if index[d] < g.shape[d] {
                break;
            }
            index[d] = 0;
            d += 1;
        }
    }
}

/// Visits the start of every row below `dims`, recursing outermost-first.
///
/// # Safety
/// `dims` must be walk dimensions of exported memory starting at `p`, with
/// readable indirections.
unsafe fn walk_outer(dims: &[Dim], p: *mut u8, visit: &mut dyn FnMut(*mut u8) -> bool) -> bool {
    match dims.split_first() {
        None => visit(p),
        Some((d, rest)) => {
            for i in 0..d.extent {
                // SAFETY: `i` is in bounds; as the caller guarantees.
                if !unsafe { walk_outer(rest, follow(p.wrapping_offset(i * d.stride), d.suboffset), visit) } {
                    return false;
                }
            }
            true
        }
    }
}

/// Copies `count` items of `N` bytes, `stride` apart, from `src` to a dense `dst`.
///
/// # Safety
/// The `count` items at `src` must be readable, and `dst` must have room
/// for them, not overlapping.
#[inline(always)]
unsafe fn gather_n<const N: usize>(dst: *mut u8, src: *const u8, count: isize, stride: isize) {
    for i in 0..count {
        // SAFETY: item i of each side, as the caller guarantees.
        unsafe {
            let v = (src.offset(i * stride) as *const [u8; N]).read_unaligned();
            (dst.add(i as usize * N) as *mut [u8; N]).write_unaligned(v);
        }
    }
}

/// Copies `count` items of `N` bytes from a dense `src` to `dst`, `stride` apart.
///
/// # Safety
/// As [`gather_n`], the other way.
#[inline(always)]
unsafe fn scatter_n<const N: usize>(dst: *mut u8, src: *const u8, count: isize, stride: isize) {
    for i in 0..count {
        // SAFETY: item i of each side, as the caller guarantees.
        unsafe {
            let v = (src.add(i as usize * N) as *const [u8; N]).read_unaligned();
            (dst.offset(i * stride) as *mut [u8; N]).write_unaligned(v);
        }
    }
}

/// Moves one row between strided memory and a dense run; `gather` picks the
/// direction.
///
/// # Safety
/// The row (`count` items of `itemsize` bytes, `stride` apart) and the
/// dense run must be valid for the copy's reads and writes, not overlapping.
#[inline]
unsafe fn copy_row(strided: *mut u8, dense: *mut u8, count: isize, stride: isize, itemsize: isize, gather: bool) {
    if stride == itemsize {
        let n = (count * itemsize) as usize;
        // SAFETY: a contiguous row of n bytes on each side.
        unsafe {
            if gather {
                ptr::copy_nonoverlapping(strided, dense, n)
            } else {
                ptr::copy_nonoverlapping(dense, strided, n)
            }
        }
        return;
    }
    macro_rules! sized {
        ($($n:literal)*) => {
            match itemsize {
                // SAFETY: as the caller guarantees, with N the itemsize.
                $($n => return unsafe { if gather {
                    gather_n::<$n>(dense, strided, count, stride)
                } else {
                    scatter_n::<$n>(strided, dense, count, stride)
                } },)*
                _ => {}
            }
        };
    }
    sized!(1 2 4 8 16);
    let size = itemsize as usize;
    for i in 0..count {
        // SAFETY: item i of each side, as the caller guarantees.
        unsafe {
            let s = strided.offset(i * stride);
            let d = dense.add(i as usize * size);
            if gather {
                ptr::copy_nonoverlapping(s, d, size)
            } else {
                ptr::copy_nonoverlapping(d, s, size)
            }
        }
    }
}

/// Rows shorter than this many items are not worth a panel.
const PANEL_ROWS: isize = 8;
const CACHE_LINE: isize = 64;

/// The cache-friendly path for a transposed walk, where each item of the
/// innermost walked dimension is a cache line (or a page) away from the last
/// while the next dimension out steps over neighbouring bytes. Items are
/// gathered in panels of PANEL_ROWS outer rows, so every line read serves a
/// whole panel. Returns false, copying nothing, when the walk is not of that
/// shape.
///
/// # Safety
/// `g` must describe readable exported memory and `dst` hold `g.len` bytes.
unsafe fn gather_transposed(g: &Geometry, fortran: bool, dst: *mut u8) -> bool {
    if g.suboffsets.is_some() {
        return false;
    }
    let mut dims = [Dim { extent: 0, stride: 0, suboffset: -1 }; MAX_NDIM];
    let n = walk_dims(g, fortran, &mut dims);
    if n < 2 {
        return false;
    }
    let (outer, inner) = (dims[n - 2], dims[n - 1]);
    let close = outer.stride.abs() <= CACHE_LINE && outer.stride.abs() < inner.stride.abs();
    if inner.stride.abs() < CACHE_LINE || !close || outer.extent < PANEL_ROWS {
        return false;
    }
    let panel = outer.extent * inner.extent * g.itemsize;
    let mut out = dst;
    macro_rules! by_size {
        ($($n:literal)*) => {
            match g.itemsize {
                $($n => {
                    // SAFETY: every panel is a block of the memory `g`
                    // describes, landing in its own part of `dst`.
                    unsafe {
                        walk_outer(&dims[..n - 2], g.buf, &mut |p| {
                            transpose_panel::<$n>(p, out, outer, inner);
                            out = out.offset(panel);
                            true
                        })
                    };
                    true
                })*
                _ => false,
            }
        };
    }
    by_size!(1 2 4 8 16)
}

/// Gathers an `outer` x `inner` block starting at `src` into dense `dst`
/// (outer-major), PANEL_ROWS outer rows at a time.
///
/// # Safety
/// The block of items of `N` bytes must be readable and `dst` have room for
/// it, not overlapping.
#[inline(always)]
unsafe fn transpose_panel<const N: usize>(src: *const u8, dst: *mut u8, outer: Dim, inner: Dim) {
    let mut first = 0;
    while first < outer.extent {
        let rows = (outer.extent - first).min(PANEL_ROWS);
        for i in 0..inner.extent {
            // SAFETY: items (first + k, i) of the block and their places in
            // `dst`, as the caller guarantees.
            unsafe {
                let column = src.offset(first * outer.stride + i * inner.stride);
                let target = dst.offset((first * inner.extent + i) * N as isize);
                for k in 0..rows {
                    let v = (column.offset(k * outer.stride) as *const [u8; N]).read_unaligned();
                    (target.offset(k * inner.extent * N as isize) as *mut [u8; N]).write_unaligned(v);
                }
            }
        }
        first += PANEL_ROWS;
    }
}

/// `PyBuffer_ToContiguous`: copies all of `view` into `dst` in `order` ('A':
/// as it lies if C- or Fortran-contiguous, else C order). `dst.len()` must
/// equal `view.len` (ValueError "len != view->len" otherwise).
///
/// # Safety
/// As [`Geometry::of`]; every byte the view describes must be readable.
pub(crate) unsafe fn to_contiguous(dst: &mut [u8], view: &pepkit_buffer, order: Order) -> Result<()> {
    // SAFETY: as the caller guarantees.
    let g = unsafe { Geometry::of(view) }?;
    if dst.len() as isize != g.len {
        return Err(Error::value(format!(
            "pepkit_buffer_to_contiguous: len != view->len ({} != {})",
            dst.len(),
            g.len
        )));
    }
    if dst.is_empty() {
        // An empty view's buf may be NULL or anywhere: touch nothing.
        return Ok(());
    }
    if g.is_contiguous(order) {
        // SAFETY: the view's len readable bytes, into `dst` of that length.
        unsafe { ptr::copy_nonoverlapping(g.buf, dst.as_mut_ptr(), dst.len()) };
        return Ok(());
    }
    // SAFETY: the view's memory is readable; `dst` holds all its bytes.
    if unsafe { gather_transposed(&g, order == Order::F, dst.as_mut_ptr()) } {
        return Ok(());
    }
    let mut out = dst.as_mut_ptr();
    // SAFETY: as above: the rows together are len bytes, and `out` moves
    // through `dst` one row at a time.
    unsafe {
        for_each_row(&g, order == Order::F, |p, count, stride| {
            copy_row(p, out, count, stride, g.itemsize, true);
            out = out.add((count * g.itemsize) as usize);
            true
        })
    };
    Ok(())
}

/// `PyBuffer_FromContiguous`: fills `view` from the dense bytes `src` laid out
/// in `order` ('F' Fortran, anything else C). A `src` longer than the view is
/// cut to `view.len`; a shorter one fills the first `src.len() / itemsize`
/// items (a contiguous view takes all `src.len()` bytes), as CPython does.
/// A read-only view is refused (TypeError "cannot modify read-only memory"),
/// where CPython would write into it.
///
/// # Safety
/// As [`Geometry::of`]; every byte the view describes must be writable.
pub(crate) unsafe fn from_contiguous(view: &pepkit_buffer, src: &[u8], order: Order) -> Result<()> {
    // SAFETY: as the caller guarantees.
    let g = unsafe { Geometry::of(view) }?;
    if view.readonly != 0 {
        return Err(Error::type_error("cannot modify read-only memory"));
    }
    let len = src.len().min(g.len as usize);
    if len == 0 {
        // An empty view's buf may be NULL or anywhere: touch nothing.
        return Ok(());
    }
    if g.is_contiguous(order) {
        // SAFETY: `len` bytes of `src` into the view's writable memory.
        unsafe { ptr::copy_nonoverlapping(src.as_ptr(), g.buf, len) };
        return Ok(());
    }
    let mut remaining = len as isize / g.itemsize;
    let mut input = src.as_ptr() as *mut u8;
    // SAFETY: the view's memory is writable; `input` reads whole items of
    // `src` only while `remaining` says they exist (copy_row only reads
    // through it when not gathering).
    unsafe {
        for_each_row(&g, order == Order::F, |p, count, stride| {
            let count = count.min(remaining);
            copy_row(p, input, count, stride, g.itemsize, false);
            input = input.add((count * g.itemsize) as usize);
            remaining -= count;
            remaining > 0
        })
    };
    Ok(())
}
