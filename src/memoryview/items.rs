//! A view's items: reading and writing one, `tolist` as Python's repr, and
//! equality with CPython's rules.

use super::view::{native_format, ViewState};
use crate::buffer::{pepkit_buffer, Geometry};
use crate::error::{Error, Result};
use crate::format::repr;
use crate::format::value::{native_scalar_code, native_scalar_size, pack, unpack_native_scalar, StructLayout, Value};

/// How a view's items are read: memoryview's native path for a single
/// native character, the struct module's for every other format (beyond
/// CPython 3.11, which raises NotImplementedError for those).
pub(crate) enum Items {
    Native(u8),
    Struct(StructLayout),
}

fn unsupported(format: &[u8]) -> Error {
    Error::not_implemented(format!("memoryview: format {} not supported", String::from_utf8_lossy(format)))
}

impl Items {
    /// The reader for a view's format; a format struct rejects, or whose
    /// size is not the itemsize, cannot be read.
    pub(crate) fn of(format: &[u8], itemsize: isize) -> Result<Items> {
        if let Some(code) = native_scalar_code(format) {
            if native_scalar_size(code) == Some(itemsize as usize) {
                return Ok(Items::Native(code));
            }
            return Err(unsupported(format));
        }
        let layout = StructLayout::new(format).map_err(|_| unsupported(format))?;
        if layout.size as isize != itemsize {
            return Err(unsupported(format));
        }
        Ok(Items::Struct(layout))
    }

    /// The value of the item at the start of `item` (a scalar for one-value
    /// formats, a tuple otherwise).
    pub(crate) fn value<'a>(&self, item: &'a [u8]) -> Result<Value<'a>> {
        match self {
            Items::Native(code) => Ok(unpack_native_scalar(*code, item).unwrap_or(Value::Int(0))),
            Items::Struct(layout) => layout.unpack_item(item),
        }
    }

    /// Appends `repr` of the item at the start of `item`.
    #[inline]
    pub(crate) fn write_repr(&self, out: &mut Vec<u8>, item: &[u8]) -> Result<()> {
        match self {
            Items::Native(code) => {
                if let Some(v) = unpack_native_scalar(*code, item) {
                    repr::write_value(out, &v);
                }
                Ok(())
            }
            Items::Struct(layout) => repr::write_item(out, layout, item),
        }
    }
}

/// The bytes of one item at `p`.
///
/// # Safety
/// `p` must address `itemsize` readable bytes for the lifetime.
#[inline]
unsafe fn item<'a>(p: *const u8, itemsize: isize) -> &'a [u8] {
    std::slice::from_raw_parts(p, itemsize as usize)
}

/// Follows an indirection, as CPython's ADJUST_PTR.
#[inline]
unsafe fn adjust(p: *const u8, suboffset: isize) -> *const u8 {
    if suboffset >= 0 {
        (p as *const *const u8).read_unaligned().wrapping_offset(suboffset)
    } else {
        p
    }
}

impl ViewState {
    /// `m[index]` with a full index (empty for a 0-dim view).
    pub(crate) fn get_item(&self, index: &[isize]) -> Result<Value<'_>> {
        let items = Items::of(self.format(), self.view.itemsize)?;
        let p = self.item_pointer(index)?;
        // SAFETY: the pointer addresses one item of the exported memory.
        items.value(unsafe { item(p, self.view.itemsize) })
    }

    /// `m[index] = value`, with memoryview's type and range checks for
    /// native formats and struct's for the others.
    pub(crate) fn set_item(&self, index: &[isize], value: &Value) -> Result<()> {
        if self.view.readonly != 0 {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        Items::of(self.format(), self.view.itemsize)?;
        let p = self.item_pointer(index)?;
        // SAFETY: one writable item of the exported memory.
        let out = unsafe { std::slice::from_raw_parts_mut(p, self.view.itemsize as usize) };
        pack(self.format(), value, out)
    }

    /// `repr(m.tolist())`: nested lists in C order, a scalar for 0-dim.
    pub(crate) fn tolist(&self) -> Result<Vec<u8>> {
        let items = Items::of(self.format(), self.view.itemsize)?;
        let count: isize = self.shape().iter().product();
        let per_item = match items {
            Items::Native(b'f' | b'd' | b'e') => 20,
            Items::Native(_) => 6,
            Items::Struct(ref l) => 8 * l.nvalues.max(1),
        };
        let mut out = Vec::with_capacity((count.max(1) as usize).saturating_mul(per_item).min(1 << 30));
        let subs = self.suboffsets();
        if self.ndim() == 0 {
            // SAFETY: a 0-dim view's one item is at buf.
            items.write_repr(&mut out, unsafe { item(self.view.buf as *const u8, self.view.itemsize) })?;
            return Ok(out);
        }
        // SAFETY: the walk stays inside the exported memory.
        unsafe {
            write_list(&mut out, &items, self.shape(), self.strides(), subs, 0, self.view.buf as *const u8, self.view.itemsize)?;
        }
        Ok(out)
    }
}

/// Writes dimension `d` onwards of the list at `p`.
unsafe fn write_list(
    out: &mut Vec<u8>,
    items: &Items,
    shape: &[isize],
    strides: &[isize],
    subs: Option<&[isize]>,
    d: usize,
    p: *const u8,
    itemsize: isize,
) -> Result<()> {
    let last = d + 1 == shape.len();
    let sub = subs.map_or(-1, |s| s[d]);
    out.push(b'[');
    for i in 0..shape[d] {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        let q = adjust(p.wrapping_offset(i * strides[d]), sub);
        if last {
            items.write_repr(out, item(q, itemsize))?;
        } else {
            write_list(out, items, shape, strides, subs, d + 1, q, itemsize)?;
        }
    }
    out.push(b']');
    Ok(())
}

/// Python's `==` between two unpacked values.
fn python_eq(a: &Value, b: &Value) -> bool {
    fn int_float(i: i128, f: f64) -> bool {
        f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 && f as i128 == i
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Bool(y)) | (Value::Bool(y), Value::Int(x)) => *x == *y as i128,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => int_float(*i, *f),
        (Value::Bool(b), Value::Float(f)) | (Value::Float(f), Value::Bool(b)) => (*b as u8 as f64) == *f,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| python_eq(p, q)),
        _ => false,
    }
}

/// How two views' items compare.
enum Comparison {
    /// The same native float format: typed comparison (NaN != NaN, -0.0 == 0.0).
    F32,
    F64,
    /// The same native non-float format: equal items have equal bytes.
    Bytes,
    /// Different or non-native formats: struct unpacking and Python `==`.
    Struct(StructLayout, StructLayout),
}

/// memoryview's `==` between two full descriptions (any exporters'): the same
/// ndim and shape (up to the first zero extent), then every item equal, with
/// CPython's typed fast path when both formats are the same native single
/// character and struct unpacking otherwise. A format struct cannot read (or
/// whose size exceeds the itemsize) makes the views unequal, even to
/// themselves.
///
/// # Safety
/// Both descriptions must be valid exports.
pub(crate) unsafe fn equal(a: &pepkit_buffer, b: &pepkit_buffer) -> Result<bool> {
    let (ga, gb) = (Geometry::of(a)?, Geometry::of(b)?);
    if ga.ndim != gb.ndim {
        return Ok(false);
    }
    for d in 0..ga.ndim {
        if ga.shape[d] != gb.shape[d] {
            return Ok(false);
        }
        if ga.shape[d] == 0 {
            break;
        }
    }
    let format = |v: &pepkit_buffer| -> &[u8] {
        if v.format.is_null() {
            b"B"
        } else {
            std::ffi::CStr::from_ptr(v.format).to_bytes()
        }
    };
    let (fa, fb) = (format(a), format(b));
    let cmp = match (native_format(fa), native_format(fb)) {
        (Some((_, _, x)), Some((_, _, y))) if x == y => match x {
            b'f' => Comparison::F32,
            b'd' => Comparison::F64,
            _ => Comparison::Bytes,
        },
        _ => {
            let layouts = StructLayout::new(fa).and_then(|la| Ok((la, StructLayout::new(fb)?)));
            match layouts {
                Ok((la, lb)) if la.size as isize <= ga.itemsize && lb.size as isize <= gb.itemsize => Comparison::Struct(la, lb),
                _ => return Ok(false),
            }
        }
    };
    if ga.shape().contains(&0) {
        return Ok(true);
    }
    let (sa, sb) = (ga.itemsize, gb.itemsize);
    let c_contiguous = ga.is_contiguous(crate::buffer::Order::C) && gb.is_contiguous(crate::buffer::Order::C);
    match &cmp {
        // Whole-buffer memcmp when both are C-contiguous and bytes decide.
        Comparison::Bytes if c_contiguous => Ok(item(ga.buf, ga.len) == item(gb.buf, gb.len)),
        Comparison::Bytes => Ok(all_pairs(&ga, &gb, |p, q| item(p, sa) == item(q, sb))),
        Comparison::F64 if c_contiguous => Ok(floats_equal::<8>(item(ga.buf, ga.len), item(gb.buf, gb.len))),
        Comparison::F32 if c_contiguous => Ok(floats_equal::<4>(item(ga.buf, ga.len), item(gb.buf, gb.len))),
        Comparison::F64 => Ok(all_pairs(&ga, &gb, |p, q| {
            (p as *const f64).read_unaligned() == (q as *const f64).read_unaligned()
        })),
        Comparison::F32 => Ok(all_pairs(&ga, &gb, |p, q| {
            (p as *const f32).read_unaligned() == (q as *const f32).read_unaligned()
        })),
        Comparison::Struct(la, lb) => {
            // Two scratch vectors for the whole comparison: no per-item allocation.
            let mut va: Vec<Value> = Vec::with_capacity(la.nvalues);
            let mut vb: Vec<Value> = Vec::with_capacity(lb.nvalues);
            Ok(all_pairs(&ga, &gb, |p, q| {
                va.clear();
                vb.clear();
                if la.visit_values(item(p, sa), |v| va.push(v)).is_err() || lb.visit_values(item(q, sb), |v| vb.push(v)).is_err() {
                    return false;
                }
                match (la.nvalues == 1, lb.nvalues == 1) {
                    (true, true) => python_eq(&va[0], &vb[0]),
                    (false, false) => va.len() == vb.len() && va.iter().zip(&vb).all(|(x, y)| python_eq(x, y)),
                    _ => false,
                }
            }))
        }
    }
}

/// Typed equality of two dense runs of floats of `N` bytes (NaN != NaN,
/// -0.0 == 0.0), in blocks without early exits so the compiler can
/// vectorize, stopping at the first unequal block.
fn floats_equal<const N: usize>(a: &[u8], b: &[u8]) -> bool {
    #[inline(always)]
    fn same<const N: usize>(x: &[u8], y: &[u8]) -> bool {
        if N == 8 {
            f64::from_ne_bytes(x.try_into().unwrap_or([0; 8])) == f64::from_ne_bytes(y.try_into().unwrap_or([0; 8]))
        } else {
            f32::from_ne_bytes(x.try_into().unwrap_or([0; 4])) == f32::from_ne_bytes(y.try_into().unwrap_or([0; 4]))
        }
    }
    const BLOCK: usize = 32;
    let mut xs = a.chunks_exact(N * BLOCK);
    let mut ys = b.chunks_exact(N * BLOCK);
    for (x, y) in (&mut xs).zip(&mut ys) {
        let mut all = true;
        for (p, q) in x.chunks_exact(N).zip(y.chunks_exact(N)) {
            all &= same::<N>(p, q);
        }
        if !all {
            return false;
        }
    }
    xs.remainder().chunks_exact(N).zip(ys.remainder().chunks_exact(N)).all(|(p, q)| same::<N>(p, q))
}

/// Whether `eq` holds for every pair of items of two views of one shape,
/// visited in lockstep (C order). The innermost dimension is a tight loop
/// with `eq` inlined; outer dimensions recurse.
unsafe fn all_pairs(ga: &Geometry, gb: &Geometry, mut eq: impl FnMut(*const u8, *const u8) -> bool) -> bool {
    if ga.ndim == 0 {
        return eq(ga.buf, gb.buf);
    }
    walk_pair(ga, gb, 0, ga.buf, gb.buf, &mut eq)
}

unsafe fn walk_pair<F: FnMut(*const u8, *const u8) -> bool>(
    ga: &Geometry,
    gb: &Geometry,
    d: usize,
    p: *const u8,
    q: *const u8,
    eq: &mut F,
) -> bool {
    let (sa, sb) = (ga.suboffset(d), gb.suboffset(d));
    let (ta, tb) = (ga.strides[d], gb.strides[d]);
    if d + 1 == ga.ndim {
        if sa < 0 && sb < 0 {
            let (mut pi, mut qi) = (p, q);
            for _ in 0..ga.shape[d] {
                if !eq(pi, qi) {
                    return false;
                }
                pi = pi.wrapping_offset(ta);
                qi = qi.wrapping_offset(tb);
            }
            return true;
        }
        return (0..ga.shape[d]).all(|i| eq(adjust(p.wrapping_offset(i * ta), sa), adjust(q.wrapping_offset(i * tb), sb)));
    }
    (0..ga.shape[d]).all(|i| {
        let pi = adjust(p.wrapping_offset(i * ta), sa);
        let qi = adjust(q.wrapping_offset(i * tb), sb);
        walk_pair(ga, gb, d + 1, pi, qi, eq)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_float_equality_is_typed_in_every_block() {
        let bytes = |v: &[f64]| v.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<u8>>();
        let base: Vec<f64> = (0..100).map(|i| i as f64 * 0.5).collect();
        assert!(floats_equal::<8>(&bytes(&base), &bytes(&base)));
        for at in [0, 31, 32, 63, 64, 99] {
            let mut nan = base.clone();
            nan[at] = f64::NAN;
            assert!(!floats_equal::<8>(&bytes(&nan), &bytes(&nan)), "NaN at {at}");
            let mut zero = base.clone();
            zero[at] = -0.0;
            let mut plus = base.clone();
            plus[at] = 0.0;
            assert!(floats_equal::<8>(&bytes(&zero), &bytes(&plus)), "-0.0 at {at}");
            let mut other = base.clone();
            other[at] += 1.0;
            assert!(!floats_equal::<8>(&bytes(&base), &bytes(&other)), "differs at {at}");
        }
        let f: Vec<u8> = [1.0f32, f32::NAN].iter().flat_map(|x| x.to_ne_bytes()).collect();
        assert!(!floats_equal::<4>(&f, &f));
    }

    #[test]
    fn python_equality_of_values() {
        assert!(python_eq(&Value::Int(1), &Value::Float(1.0)));
        assert!(python_eq(&Value::Bool(true), &Value::Int(1)));
        assert!(!python_eq(&Value::Int((1 << 53) + 1), &Value::Float(9007199254740992.0)));
        assert!(!python_eq(&Value::Float(f64::NAN), &Value::Float(f64::NAN)));
        assert!(python_eq(&Value::Float(-0.0), &Value::Float(0.0)));
        assert!(!python_eq(&Value::Bytes(b"a"), &Value::Int(97)));
        assert!(python_eq(
            &Value::Tuple(vec![Value::Int(1), Value::Bytes(b"x")]),
            &Value::Tuple(vec![Value::Float(1.0), Value::Bytes(b"x")])
        ));
        assert!(!python_eq(&Value::Tuple(vec![Value::Int(1)]), &Value::Int(1)));
    }
}

/// CPython's equiv_structure for slice assignment: the same format (ignoring
/// a leading '@'), itemsize and shape (up to the first zero extent).
fn equiv_structure(dest: &pepkit_buffer, src: &Geometry, src_format: &[u8], dest_format: &[u8]) -> Result<()> {
    let strip = |f: &[u8]| -> Vec<u8> { f.strip_prefix(b"@").unwrap_or(f).to_vec() };
    // SAFETY: dest is a live view's descriptor.
    let gd = unsafe { Geometry::of(dest) }?;
    let mut same = strip(dest_format) == strip(src_format) && dest.itemsize == src.itemsize && gd.ndim == src.ndim;
    if same {
        for d in 0..gd.ndim {
            if gd.shape[d] != src.shape[d] {
                same = false;
                break;
            }
            if gd.shape[d] == 0 {
                break;
            }
        }
    }
    if !same {
        return Err(Error::value("memoryview assignment: lvalue and rvalue have different structures"));
    }
    Ok(())
}

impl ViewState {
    /// `m[slices] = src`: copies `src` (any export with the same structure as
    /// the slice) into the slice of this view, correctly when the two overlap.
    /// Several slices assign to an N-d region (beyond CPython, which only
    /// assigns 1-D slices).
    ///
    /// # Safety
    /// `src` must be a valid export.
    pub(crate) unsafe fn assign(&self, slices: &[super::pepkit_slice], src: &pepkit_buffer) -> Result<()> {
        if self.view.readonly != 0 {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        let dest = if slices.is_empty() { self.duplicate(false) } else { self.slice(slices)? };
        let gs = Geometry::of(src)?;
        let src_format: &[u8] = if src.format.is_null() { b"B" } else { std::ffi::CStr::from_ptr(src.format).to_bytes() };
        equiv_structure(&dest.view, &gs, src_format, dest.format())?;
        let n = dest.view.len as usize;
        if n == 0 {
            return Ok(());
        }
        if dest.c_contiguous && gs.is_contiguous(crate::buffer::Order::C) {
            // memmove: the two may overlap.
            std::ptr::copy(gs.buf as *const u8, dest.view.buf as *mut u8, n);
            return Ok(());
        }
        // Through a C-order copy of the source, so overlap cannot corrupt it.
        let mut staged = vec![0u8; n];
        crate::buffer::to_contiguous(&mut staged, src, crate::buffer::Order::C)?;
        crate::buffer::from_contiguous(&dest.view, &staged, crate::buffer::Order::C)
    }
}
