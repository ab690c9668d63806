//! A view's items: reading and writing one, `tolist` as Python's repr, and
//! equality with CPython's rules.

use std::borrow::Cow;

use super::slice::Slice;
use super::view::{native_format, ViewState};
use crate::buffer::{pepkit_buffer, Geometry};
use crate::error::{Error, Result};
use crate::format::repr;
use crate::format::value::{native_scalar_code, native_scalar_size, pack, unpack_native_scalar, StructLayout};
use crate::format::value::Value as Unpacked;

/// One item of a memoryview, as `m[index]` gives it and `m[index] = v`
/// takes it ([`MemoryView::get_item`](crate::MemoryView::get_item),
/// [`set_item`](crate::MemoryView::set_item)). Which variant an item reads
/// as follows its format: signed or unsigned integer, float, bool, bytes.
///
/// ```
/// use pepkit::{MemoryView, Object, Order, Value};
///
/// let m = MemoryView::new(&Object::ndarray("h", &[2], Order::C, false)?)?;
/// m.set_item(&[0], &Value::Int(-2))?;
/// assert_eq!(m.get_item(&[0])?, Value::Int(-2));
/// assert!(m.set_item(&[1], &Value::Int(1 << 20)).is_err(), "out of range for 'h'");
/// let unsigned = m.cast("B", None)?.cast("H", None)?;
/// assert_eq!(unsigned.get_item(&[0])?, Value::UInt(0xfffe));
/// let chars = MemoryView::new(&Object::bytearray(b"ab")?)?.cast("c", None)?;
/// assert_eq!(chars.get_item(&[-1])?, Value::Bytes(b"b".as_slice().into()));
/// # Ok::<(), pepkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A signed integer (formats b h i l q n, and signed struct fields).
    Int(i64),
    /// An unsigned integer (formats B H I L Q N P, and unsigned fields).
    UInt(u64),
    /// A floating-point number (formats e f d; 'f' and 'e' widened).
    Float(f64),
    /// A bool (format ?).
    Bool(bool),
    /// Bytes (formats c, s, p).
    Bytes(Cow<'a, [u8]>),
}

impl Value<'_> {
    /// The same value with its bytes copied (fallibly).
    pub(crate) fn owned(self) -> Result<Value<'static>> {
        Ok(match self {
            Value::Int(i) => Value::Int(i),
            Value::UInt(u) => Value::UInt(u),
            Value::Float(f) => Value::Float(f),
            Value::Bool(b) => Value::Bool(b),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(crate::mem::copy(&b, "an item's bytes")?)),
        })
    }

    /// The value as the struct module packs it.
    pub(crate) fn unpacked(&self) -> Unpacked<'_> {
        match self {
            Value::Int(i) => Unpacked::Int(*i as i128),
            Value::UInt(u) => Unpacked::Int(*u as i128),
            Value::Float(f) => Unpacked::Float(*f),
            Value::Bool(b) => Unpacked::Bool(*b),
            Value::Bytes(b) => Unpacked::Bytes(b),
        }
    }

    /// An unpacked item of `format` as a value: an integer is unsigned when
    /// the format's first field is (and the value is not negative).
    fn classify<'a>(value: Unpacked<'a>, format: &[u8]) -> Result<Value<'a>> {
        let mut first = b'B';
        let _ = crate::format::Format::new(format).fields(|f| {
            if f.code != b'x' && first == b'B' {
                first = f.code;
            }
        });
        Ok(match value {
            Unpacked::Int(i) if matches!(first, b'B' | b'H' | b'I' | b'L' | b'Q' | b'N' | b'P') && i >= 0 => {
                Value::UInt(i as u64)
            }
            Unpacked::Int(i) => Value::Int(i as i64),
            Unpacked::Float(f) => Value::Float(f),
            Unpacked::Bool(b) => Value::Bool(b),
            Unpacked::Bytes(s) => Value::Bytes(Cow::Borrowed(s)),
            Unpacked::Tuple(t) => return Err(multi_value(format, t.len())),
        })
    }
}

/// The error for reading one item of a format that holds several values.
fn multi_value(format: &[u8], n: usize) -> Error {
    Error::not_implemented(format!(
        "memoryview: format {} holds {n} values per item; read it with pepkit_memoryview_tolist",
        crate::mem::shown_plain(format)
    ))
}

/// How a view's items are read: memoryview's native path for a single
/// native character, the struct module's for every other format (beyond
/// CPython 3.11, which raises NotImplementedError for those).
pub(crate) enum Items {
    Native(u8),
    Struct(StructLayout),
}

fn unsupported(format: &[u8]) -> Error {
    Error::not_implemented(format!("memoryview: format {} not supported", crate::mem::shown_plain(format)))
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
    pub(crate) fn value<'a>(&self, item: &'a [u8]) -> Result<Unpacked<'a>> {
        match self {
            Items::Native(code) => Ok(unpack_native_scalar(*code, item).unwrap_or(Unpacked::Int(0))),
            Items::Struct(layout) => layout.unpack_item(item),
        }
    }

    /// The most bytes [`write_repr`](Self::write_repr) writes for one item, or
    /// None when that does not fit in a usize.
    pub(crate) fn max_repr(&self) -> Option<usize> {
        match self {
            Items::Native(_) => Some(repr::MAX_SCALAR_REPR),
            Items::Struct(layout) => repr::max_item_len(layout),
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

/// The bytes of one item (or run of items) at `p`; NULL with bytes is refused.
///
/// # Safety
/// A non-NULL `p` must address `len` readable bytes for the lifetime.
#[inline]
unsafe fn item<'a>(p: *const u8, len: isize) -> Result<&'a [u8]> {
    // SAFETY: as the caller guarantees.
    unsafe { crate::mem::slice(p, len as usize) }.ok_or_else(|| crate::mem::null_data(len as usize))
}

/// Follows an indirection, as CPython's ADJUST_PTR.
///
/// # Safety
/// With `suboffset >= 0`, `p` must address a readable pointer slot.
#[inline]
unsafe fn adjust(p: *const u8, suboffset: isize) -> *const u8 {
    if suboffset >= 0 {
        // SAFETY: as the caller guarantees.
        unsafe { (p as *const *const u8).read_unaligned() }.wrapping_offset(suboffset)
    } else {
        p
    }
}

impl ViewState {
    /// `m[index]` with a full index (empty for a 0-dim view); bytes are
    /// borrowed from the view's memory.
    pub(crate) fn get_item(&self, index: &[isize]) -> Result<Value<'_>> {
        let items = Items::of(self.format(), self.view.itemsize)?;
        let p = self.item_pointer(index)?;
        if let Items::Struct(layout) = &items {
            // One C value cannot hold a tuple: refuse (after the index
            // checks, as before) without unpacking one, which for billions
            // of fields would not fit in memory.
            if layout.nvalues != 1 {
                return Err(multi_value(self.format(), layout.nvalues));
            }
        }
        // SAFETY: the pointer addresses one item of the exported memory.
        let value = items.value(unsafe { item(p, self.view.itemsize) }?)?;
        Value::classify(value, self.format())
    }

    /// `m[index] = value`, with memoryview's type and range checks for
    /// native formats and struct's for the others.
    pub(crate) fn set_item(&self, index: &[isize], value: &Unpacked) -> Result<()> {
        if self.view.readonly != 0 {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        Items::of(self.format(), self.view.itemsize)?;
        let p = self.item_pointer(index)?;
        let n = self.view.itemsize as usize;
        // SAFETY: one item of the exported memory, writable (the view is
        // not read-only); no Rust reference into it lives elsewhere.
        let out = unsafe { crate::mem::slice_mut(p, n) }.ok_or_else(|| crate::mem::null_data(n))?;
        pack(self.format(), value, out)
    }

    /// `repr(m.tolist())`: nested lists in C order, a scalar for 0-dim.
    ///
    /// The output's size is bounded before anything is written: at least one
    /// character per item plus the brackets and separators of every list
    /// (which, for a shape like (2**63-1, 0, 2**63-1), is already far too
    /// much: NO_MEMORY, as CPython's MemoryError from PyList_New), and at
    /// most [`max_repr`] per item, reserved fallibly before each item.
    pub(crate) fn tolist(&self) -> Result<Vec<u8>> {
        let items = Items::of(self.format(), self.view.itemsize)?;
        let per_item = items.max_repr().ok_or_else(|| {
            Error::no_memory(format!("tolist: the repr of one item of format {} does not fit in memory", crate::mem::shown(self.format())))
        })?;
        let least = least_list_len(self.shape()).ok_or_else(|| {
            Error::no_memory(format!("tolist: the list of shape {:?} does not fit in memory", self.shape()))
        })?;
        let mut out = Vec::new();
        crate::mem::reserve(&mut out, least, "tolist")?;
        // A better guess when it is cheap; failing it costs nothing. Only
        // for items that exist (an empty view of a huge item size needs just
        // its brackets, already reserved), and bounded: the walk reserves
        // the rest piece by piece.
        let count = (self.view.len / self.view.itemsize.max(1)).max(0) as usize;
        if count > 0 {
            let _ = out.try_reserve(count.saturating_mul(per_item.min(6) + 2).min(GUESS_CAP));
        }
        let subs = self.suboffsets();
        if self.ndim() == 0 {
            crate::mem::reserve(&mut out, per_item, "tolist")?;
            // SAFETY: a 0-dim view's one item is at buf.
            items.write_repr(&mut out, unsafe { item(self.view.buf as *const u8, self.view.itemsize) }?)?;
            return Ok(out);
        }
        // With a zero extent no item exists: the walk writes the nested
        // empty lists and never forms a pointer (on such a view the strides
        // are unchecked, and `i * stride` may not fit or point anywhere).
        let empty = self.shape().contains(&0);
        let walk = ListWalk { items: &items, per_item, shape: self.shape(), strides: self.strides(), subs, itemsize: self.view.itemsize, empty };
        // SAFETY: the walk stays inside the exported memory.
        unsafe { walk.write(&mut out, 0, self.view.buf as *const u8)? };
        Ok(out)
    }
}

/// The fewest bytes `repr` of a nested list of `shape` can take (one per
/// item, brackets, ", " separators), or None past isize::MAX.
fn least_list_len(shape: &[isize]) -> Option<usize> {
    // The extents after the first 0 make no list at all: (5, 0, 2**62-1)
    // is five empty lists.
    let shape = &shape[..shape.iter().position(|&n| n == 0).map_or(shape.len(), |z| z + 1)];
    let mut len: u128 = 1; // one item
    for &n in shape.iter().rev() {
        let n = n as u128;
        // "[" + n elements + (n - 1) ", " + "]"
        len = if n == 0 { 2 } else { 2 + n.checked_mul(len)? + 2 * (n - 1) };
        if len > isize::MAX as u128 {
            return None;
        }
    }
    Some(len as usize)
}

/// One tolist: what every level of the recursion shares.
struct ListWalk<'a> {
    items: &'a Items,
    per_item: usize,
    shape: &'a [isize],
    strides: &'a [isize],
    subs: Option<&'a [isize]>,
    itemsize: isize,
    /// Some extent is 0: there is no item, so no pointer is computed.
    empty: bool,
}

/// The most tolist reserves on a guess before writing (64 MiB).
const GUESS_CAP: usize = 1 << 26;

impl ListWalk<'_> {
    /// Writes dimension `d` onwards of the list at `p`, reserving room
    /// (fallibly) before each piece so no push can reallocate and abort.
    ///
    /// # Safety
    /// `p` must be where dimension `d` of the walked view starts, inside the
    /// exported memory (unless the view is empty).
    unsafe fn write(&self, out: &mut Vec<u8>, d: usize, p: *const u8) -> Result<()> {
        let last = d + 1 == self.shape.len();
        let sub = self.subs.map_or(-1, |s| s[d]);
        crate::mem::reserve(out, 1, "tolist")?;
        out.push(b'[');
        for i in 0..self.shape[d] {
            crate::mem::reserve(out, 2, "tolist")?;
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            if self.empty {
                // Not last: the last dimension is reached only when every
                // extent before it is non-zero, and then it is the zero one.
                // SAFETY: nothing is read on an empty view.
                unsafe { self.write(out, d + 1, p) }?;
                continue;
            }
            // Every extent is non-zero, so the layout was checked against
            // the exported memory and `i * stride` lies inside it.
            // SAFETY: as just said; an indirection's slot is exported memory.
            let q = unsafe { adjust(p.wrapping_offset(i * self.strides[d]), sub) };
            if last {
                crate::mem::reserve(out, self.per_item, "tolist")?;
                // SAFETY: `q` is one item of the exported memory.
                self.items.write_repr(out, unsafe { item(q, self.itemsize) }?)?;
            } else {
                // SAFETY: `q` starts dimension d + 1 inside the memory.
                unsafe { self.write(out, d + 1, q) }?;
            }
        }
        crate::mem::reserve(out, 1, "tolist")?;
        out.push(b']');
        Ok(())
    }
}

/// Python's `==` between two unpacked values.
fn python_eq(a: &Unpacked, b: &Unpacked) -> bool {
    fn int_float(i: i128, f: f64) -> bool {
        f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 && f as i128 == i
    }
    match (a, b) {
        (Unpacked::Int(x), Unpacked::Int(y)) => x == y,
        (Unpacked::Bool(x), Unpacked::Bool(y)) => x == y,
        (Unpacked::Int(x), Unpacked::Bool(y)) | (Unpacked::Bool(y), Unpacked::Int(x)) => *x == *y as i128,
        (Unpacked::Float(x), Unpacked::Float(y)) => x == y,
        (Unpacked::Int(i), Unpacked::Float(f)) | (Unpacked::Float(f), Unpacked::Int(i)) => int_float(*i, *f),
        (Unpacked::Bool(b), Unpacked::Float(f)) | (Unpacked::Float(f), Unpacked::Bool(b)) => (*b as u8 as f64) == *f,
        (Unpacked::Bytes(x), Unpacked::Bytes(y)) => x == y,
        (Unpacked::Tuple(x), Unpacked::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| python_eq(p, q)),
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
    // SAFETY: valid exports, as the caller guarantees.
    let (ga, gb) = unsafe { (Geometry::of(a)?, Geometry::of(b)?) };
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
            // SAFETY: a valid export's format is NUL-terminated.
            unsafe { std::ffi::CStr::from_ptr(v.format) }.to_bytes()
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
    // SAFETY: for `bytes`, the reads and the walks below: every pointer
    // comes from walking a valid export's geometry (or is its whole
    // C-contiguous run), so it addresses that many readable bytes of
    // exported memory.
    let bytes = |p: *const u8, n: isize| unsafe { item(p, n) };
    match &cmp {
        // Whole-buffer memcmp when both are C-contiguous and bytes decide.
        Comparison::Bytes if c_contiguous => Ok(bytes(ga.buf, ga.len)? == bytes(gb.buf, gb.len)?),
        // SAFETY: as said above, for this and the walks below.
        Comparison::Bytes => unsafe { all_pairs(&ga, &gb, |p, q| Ok(bytes(p, sa)? == bytes(q, sb)?)) },
        Comparison::F64 if c_contiguous => Ok(floats_equal::<8>(bytes(ga.buf, ga.len)?, bytes(gb.buf, gb.len)?)),
        Comparison::F32 if c_contiguous => Ok(floats_equal::<4>(bytes(ga.buf, ga.len)?, bytes(gb.buf, gb.len)?)),
        // SAFETY: as above; the items are at least 8 bytes (same format 'd').
        Comparison::F64 => unsafe {
            all_pairs(&ga, &gb, |p, q| Ok((p as *const f64).read_unaligned() == (q as *const f64).read_unaligned()))
        },
        // SAFETY: as above, 4 bytes (same format 'f').
        Comparison::F32 => unsafe {
            all_pairs(&ga, &gb, |p, q| Ok((p as *const f32).read_unaligned() == (q as *const f32).read_unaligned()))
        },
        // Value by value in lockstep, as unpacking both items and comparing
        // the tuples would, but without building either: an item of a
        // billion fields needs no memory at all.
        // SAFETY: as above.
        Comparison::Struct(la, lb) => unsafe {
            all_pairs(&ga, &gb, |p, q| {
                let (Ok(mut va), Ok(mut vb)) = (la.values(bytes(p, sa)?), lb.values(bytes(q, sb)?)) else {
                    return Ok(false);
                };
                Ok(match (la.nvalues == 1, lb.nvalues == 1) {
                    (true, true) => match (va.next(), vb.next()) {
                        (Some(x), Some(y)) => python_eq(&x, &y),
                        _ => false,
                    },
                    (false, false) => la.nvalues == lb.nvalues && va.zip(vb).all(|(x, y)| python_eq(&x, &y)),
                    _ => false,
                })
            })
        },
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
///
/// # Safety
/// Both geometries must describe exported memory of the same shape; `eq`
/// gets pointers to one item of each.
unsafe fn all_pairs(ga: &Geometry, gb: &Geometry, mut eq: impl FnMut(*const u8, *const u8) -> Result<bool>) -> Result<bool> {
    if ga.ndim == 0 {
        return eq(ga.buf, gb.buf);
    }
    // SAFETY: as the caller guarantees; dimension 0 starts at buf.
    unsafe { walk_pair(ga, gb, 0, ga.buf, gb.buf, &mut eq) }
}

/// Dimension `d` onwards of [`all_pairs`].
///
/// # Safety
/// As [`all_pairs`]; `p` and `q` start dimension `d` of each.
unsafe fn walk_pair<F: FnMut(*const u8, *const u8) -> Result<bool>>(
    ga: &Geometry,
    gb: &Geometry,
    d: usize,
    p: *const u8,
    q: *const u8,
    eq: &mut F,
) -> Result<bool> {
    let (sa, sb) = (ga.suboffset(d), gb.suboffset(d));
    let (ta, tb) = (ga.strides[d], gb.strides[d]);
    let last = d + 1 == ga.ndim;
    if last && sa < 0 && sb < 0 {
        let (mut pi, mut qi) = (p, q);
        for _ in 0..ga.shape[d] {
            if !eq(pi, qi)? {
                return Ok(false);
            }
            pi = pi.wrapping_offset(ta);
            qi = qi.wrapping_offset(tb);
        }
        return Ok(true);
    }
    for i in 0..ga.shape[d] {
        // SAFETY: in bounds of dimension d; an indirection's slot is
        // exported memory, and what follows starts dimension d + 1.
        let (pi, qi) = unsafe { (adjust(p.wrapping_offset(i * ta), sa), adjust(q.wrapping_offset(i * tb), sb)) };
        // SAFETY: as the caller guarantees, one level down.
        let same = if last { eq(pi, qi)? } else { unsafe { walk_pair(ga, gb, d + 1, pi, qi, eq) }? };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// CPython's equiv_structure for slice assignment: the same format (ignoring
/// a leading '@'), itemsize and shape (up to the first zero extent).
fn equiv_structure(dest: &pepkit_buffer, src: &Geometry, src_format: &[u8], dest_format: &[u8]) -> Result<()> {
    fn strip(f: &[u8]) -> &[u8] {
        f.strip_prefix(b"@").unwrap_or(f)
    }
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
    pub(crate) unsafe fn assign<S: Clone + Into<Slice>>(&self, slices: &[S], src: &pepkit_buffer) -> Result<()> {
        if self.view.readonly != 0 {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        let dest = if slices.is_empty() { self.duplicate(false) } else { self.slice(slices)? };
        // SAFETY: a valid export, as the caller guarantees.
        let gs = unsafe { Geometry::of(src) }?;
        // SAFETY: as above: its format is NUL-terminated.
        let src_format: &[u8] = if src.format.is_null() { b"B" } else { unsafe { std::ffi::CStr::from_ptr(src.format) }.to_bytes() };
        equiv_structure(&dest.view, &gs, src_format, dest.format())?;
        let n = dest.view.len as usize;
        if n == 0 {
            return Ok(());
        }
        if dest.c_contiguous && gs.is_contiguous(crate::buffer::Order::C) {
            // memmove: the two may overlap.
            // SAFETY: both are n contiguous bytes of exported memory (the
            // structures are equal), the destination writable.
            unsafe { std::ptr::copy(gs.buf as *const u8, dest.view.buf as *mut u8, n) };
            return Ok(());
        }
        // Through a C-order copy of the source, so overlap cannot corrupt it.
        let mut staged = crate::mem::zeroed(n, "staging a memoryview assignment")?;
        // SAFETY: `src` is a valid export; `dest` a view of this one's
        // exported, writable memory.
        unsafe {
            crate::buffer::to_contiguous(&mut staged, src, crate::buffer::Order::C)?;
            crate::buffer::from_contiguous(&dest.view, &staged, crate::buffer::Order::C)
        }
    }
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
    fn least_list_len_is_the_shortest_text() {
        assert_eq!(least_list_len(&[]), Some(1));
        assert_eq!(least_list_len(&[0]), Some("[]".len()));
        assert_eq!(least_list_len(&[3]), Some("[1, 2, 3]".len()));
        assert_eq!(least_list_len(&[2, 0]), Some("[[], []]".len()));
        assert_eq!(least_list_len(&[2, 2]), Some("[[1, 2], [3, 4]]".len()));
        assert_eq!(least_list_len(&[isize::MAX, 0, isize::MAX]), None);
        assert_eq!(least_list_len(&[isize::MAX / 2]), None);
        // Nothing after a zero extent counts (it made tolist refuse (5, 0, 2**62-1)).
        assert_eq!(least_list_len(&[5, 0, isize::MAX]), Some("[[], [], [], [], []]".len()));
    }

    #[test]
    fn max_repr_bounds_the_longest_items() {
        use crate::format::repr::write_item;
        // The longest value of each kind: most negative ints, the longest
        // float reprs, False, a byte that needs \x escapes.
        let cases: &[(&[u8], Vec<u8>)] = &[
            (b"q", i64::MIN.to_ne_bytes().to_vec()),
            (b"<Q", u64::MAX.to_le_bytes().to_vec()),
            (b"<d", (-2.2250738585072014e-308f64).to_le_bytes().to_vec()),
            (b"<d", (-1.7976931348623157e308f64).to_le_bytes().to_vec()),
            (b"<f", (-1.1754942e-38f32).to_le_bytes().to_vec()),
            (b"<e", 0xfbffu16.to_le_bytes().to_vec()),
            (b"?", vec![0]),
            (b"c", vec![0]),
            (b"<qd?c", [&i64::MIN.to_le_bytes()[..], &(-2.2250738585072014e-308f64).to_le_bytes(), &[0, 0x80]].concat()),
            (b"3s", vec![0x80, b'\\', 0]),
            (b"4p", vec![3, 0x80, 0x81, 0x82]),
            (b"2x", vec![0, 0]),
        ];
        for (format, bytes) in cases {
            let layout = StructLayout::new(format).unwrap();
            let mut out = Vec::new();
            write_item(&mut out, &layout, bytes).unwrap();
            let bound = Items::Struct(layout).max_repr().unwrap();
            assert!(out.len() <= bound, "{:?}: {:?} is longer than {bound}", String::from_utf8_lossy(format), String::from_utf8_lossy(&out));
            if let Some(code) = native_scalar_code(format) {
                let mut out = Vec::new();
                Items::Native(code).write_repr(&mut out, bytes).unwrap();
                assert!(out.len() <= Items::Native(code).max_repr().unwrap());
            }
        }
        assert_eq!(Items::Struct(StructLayout::new(b"9223372036854775807x").unwrap()).max_repr(), Some(3));
        let many = StructLayout::new(b"4611686018427387903?").unwrap();
        assert_eq!(Items::Struct(many).max_repr(), None);
    }

    #[test]
    fn python_equality_of_values() {
        assert!(python_eq(&Unpacked::Int(1), &Unpacked::Float(1.0)));
        assert!(python_eq(&Unpacked::Bool(true), &Unpacked::Int(1)));
        assert!(!python_eq(&Unpacked::Int((1 << 53) + 1), &Unpacked::Float(9007199254740992.0)));
        assert!(!python_eq(&Unpacked::Float(f64::NAN), &Unpacked::Float(f64::NAN)));
        assert!(python_eq(&Unpacked::Float(-0.0), &Unpacked::Float(0.0)));
        assert!(!python_eq(&Unpacked::Bytes(b"a"), &Unpacked::Int(97)));
        assert!(python_eq(
            &Unpacked::Tuple(vec![Unpacked::Int(1), Unpacked::Bytes(b"x")]),
            &Unpacked::Tuple(vec![Unpacked::Float(1.0), Unpacked::Bytes(b"x")])
        ));
        assert!(!python_eq(&Unpacked::Tuple(vec![Unpacked::Int(1)]), &Unpacked::Int(1)));
    }
}
