//! A buffer's shape, strides and suboffsets in one normalized form, and the
//! contiguity rules of CPython's abstract.c.

use super::{pepkit_buffer, MAX_NDIM};
use crate::error::{Error, Result};

/// A memory order: how the items of an N-d array follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// 'C': row-major, the last index varies fastest.
    C,
    /// 'F': Fortran, column-major, the first index varies fastest.
    F,
    /// 'A': either; as the memory lies when it is C- or Fortran-contiguous,
    /// else C.
    Any,
}

impl Order {
    /// Parses 'C', 'F' or 'A' (the byte of a C `char`); anything else is a
    /// ValueError, as memoryview's "order must be 'C', 'F' or 'A'".
    pub fn parse(order: u8) -> Result<Order> {
        match order {
            b'C' => Ok(Order::C),
            b'F' => Ok(Order::F),
            b'A' => Ok(Order::Any),
            other => Err(Error::value(format!("order must be 'C', 'F' or 'A', not {:?}", other as char))),
        }
    }
}

/// A buffer's geometry with every default filled in: a NULL shape becomes
/// `len / itemsize` items, NULL strides become C-contiguous strides. Built by
/// [`Geometry::of`], which rejects descriptions no helper could walk safely.
#[derive(Clone)]
pub(crate) struct Geometry {
    pub(crate) buf: *mut u8,
    pub(crate) len: isize,
    pub(crate) itemsize: isize,
    pub(crate) ndim: usize,
    pub(crate) shape: [isize; MAX_NDIM],
    pub(crate) strides: [isize; MAX_NDIM],
    /// Present exactly when the buffer's `suboffsets` pointer is non-NULL.
    pub(crate) suboffsets: Option<[isize; MAX_NDIM]>,
}

fn invalid(what: impl std::fmt::Display) -> Error {
    Error::value(format!("invalid buffer: {what}"))
}

/// A view's `ndim` extents, strides or suboffsets (`ptr` non-NULL).
///
/// # Safety
/// As [`Geometry::of`].
unsafe fn dims<'a>(ptr: *const isize, ndim: usize, what: &str) -> Result<&'a [isize]> {
    // SAFETY: as the caller guarantees.
    unsafe { crate::mem::slice(ptr, ndim) }.ok_or_else(|| invalid(format!("{what} is not aligned")))
}

/// Strides of a contiguous array of `shape` in the given order, checking every
/// stored stride for overflow.
pub(crate) fn contiguous_strides(shape: &[isize], itemsize: isize, fortran: bool, out: &mut [isize]) -> Result<()> {
    let mut step = Some(itemsize);
    let mut place = |k: usize, step: &mut Option<isize>| -> Result<()> {
        let s = step.ok_or_else(|| Error::overflow("strides of this shape overflow Py_ssize_t"))?;
        out[k] = s;
        *step = s.checked_mul(shape[k]);
        Ok(())
    };
    if fortran {
        for k in 0..shape.len() {
            place(k, &mut step)?;
        }
    } else {
        for k in (0..shape.len()).rev() {
            place(k, &mut step)?;
        }
    }
    Ok(())
}

impl Geometry {
    /// Normalizes `view`. Fails (ValueError) on what CPython would crash on or
    /// walk out of bounds with: ndim outside 0..=64, itemsize <= 0, a negative
    /// len or extent, strides without a shape, a NULL `buf` with data, or a
    /// `len` that is not product(shape) * itemsize.
    ///
    /// # Safety
    /// Non-NULL `shape`, `strides` and `suboffsets` must hold `ndim` entries.
    pub(crate) unsafe fn of(view: &pepkit_buffer) -> Result<Geometry> {
        let ndim = view.ndim;
        if !(0..=MAX_NDIM as i32).contains(&ndim) {
            return Err(invalid(format!("ndim {ndim} is not between 0 and 64")));
        }
        let ndim = ndim as usize;
        if view.itemsize <= 0 {
            return Err(invalid(format!("itemsize {} is not positive", view.itemsize)));
        }
        if view.len < 0 {
            return Err(invalid(format!("negative len {}", view.len)));
        }
        if view.buf.is_null() && view.len > 0 {
            return Err(invalid("buf is NULL"));
        }
        let mut g = Geometry {
            buf: view.buf.cast(),
            len: view.len,
            itemsize: view.itemsize,
            ndim,
            shape: [0; MAX_NDIM],
            strides: [0; MAX_NDIM],
            suboffsets: None,
        };
        if ndim == 0 {
            if view.len != view.itemsize {
                return Err(invalid(format!("a 0-dim buffer has len {} but itemsize {}", view.len, view.itemsize)));
            }
            return Ok(g);
        }
        if view.shape.is_null() {
            if ndim != 1 || !view.strides.is_null() || !view.suboffsets.is_null() {
                return Err(invalid("shape is NULL but ndim is not 1 or strides/suboffsets are set"));
            }
            if view.len % view.itemsize != 0 {
                return Err(invalid(format!("len {} is not a multiple of itemsize {}", view.len, view.itemsize)));
            }
            g.shape[0] = view.len / view.itemsize;
            g.strides[0] = view.itemsize;
            return Ok(g);
        }
        // SAFETY: a non-NULL shape holds ndim entries, as the caller guarantees.
        let shape = unsafe { dims(view.shape, ndim, "shape") }?;
        let mut items: Option<isize> = Some(1);
        for (d, &n) in shape.iter().enumerate() {
            if n < 0 {
                return Err(invalid(format!("negative extent {n} in dimension {}", d + 1)));
            }
            items = items.and_then(|i| i.checked_mul(n));
        }
        let nbytes = items.and_then(|i| i.checked_mul(view.itemsize));
        if nbytes != Some(view.len) {
            return Err(invalid(format!("len {} is not product(shape) * itemsize", view.len)));
        }
        g.shape[..ndim].copy_from_slice(shape);
        if view.strides.is_null() {
            if !view.suboffsets.is_null() {
                return Err(invalid("suboffsets without strides"));
            }
            contiguous_strides(shape, view.itemsize, false, &mut g.strides[..ndim])?;
        } else {
            // SAFETY: as for the shape.
            g.strides[..ndim].copy_from_slice(unsafe { dims(view.strides, ndim, "strides") }?);
        }
        if !view.suboffsets.is_null() {
            let mut sub = [-1; MAX_NDIM];
            // SAFETY: as for the shape.
            sub[..ndim].copy_from_slice(unsafe { dims(view.suboffsets, ndim, "suboffsets") }?);
            g.suboffsets = Some(sub);
        }
        Ok(g)
    }

    pub(crate) fn shape(&self) -> &[isize] {
        &self.shape[..self.ndim]
    }

    pub(crate) fn strides(&self) -> &[isize] {
        &self.strides[..self.ndim]
    }

    /// The suboffset of dimension `d`, or -1 (none).
    #[inline]
    pub(crate) fn suboffset(&self, d: usize) -> isize {
        self.suboffsets.as_ref().map_or(-1, |s| s[d])
    }

    /// `PyBuffer_IsContiguous` for this geometry.
    pub(crate) fn is_contiguous(&self, order: Order) -> bool {
        if self.suboffsets.is_some() {
            return false;
        }
        match order {
            Order::C => self.is_c_contiguous(),
            Order::F => self.is_f_contiguous(),
            Order::Any => self.is_c_contiguous() || self.is_f_contiguous(),
        }
    }

    fn is_c_contiguous(&self) -> bool {
        dense(self.len, self.itemsize, self.shape().iter().zip(self.strides()).rev())
    }

    fn is_f_contiguous(&self) -> bool {
        dense(self.len, self.itemsize, self.shape().iter().zip(self.strides()))
    }
}

/// Whether strides visited innermost-first are dense; extents of 1 have any
/// stride (the bpo-22445 rule), and an empty buffer is always dense.
pub(crate) fn dense<'a>(len: isize, itemsize: isize, dims: impl Iterator<Item = (&'a isize, &'a isize)>) -> bool {
    if len == 0 {
        return true;
    }
    let mut expected = itemsize;
    for (&n, &stride) in dims {
        if n > 1 && stride != expected {
            return false;
        }
        expected = expected.wrapping_mul(n);
    }
    true
}

/// `PyBuffer_IsContiguous(view, order)`.
///
/// # Safety
/// As [`Geometry::of`].
pub(crate) unsafe fn is_contiguous(view: &pepkit_buffer, order: Order) -> Result<bool> {
    // SAFETY: as the caller guarantees.
    Ok(unsafe { Geometry::of(view) }?.is_contiguous(order))
}

/// `PyBuffer_FillContiguousStrides`: writes into `strides` (one per extent
/// of `shape`) the strides of a contiguous array of items of `itemsize`
/// bytes: [`Order::F`] gives Fortran strides, [`Order::C`] and
/// [`Order::Any`] C strides (CPython treats every order but 'F' as C).
/// Negative extents or itemsize are a ValueError and a stride that
/// overflows an OverflowError; on error nothing is written.
///
/// ```
/// use pepkit::{buffer::fill_contiguous_strides, Order};
///
/// let mut strides = [0; 3];
/// fill_contiguous_strides(&[2, 3, 4], &mut strides, 8, Order::C)?;
/// assert_eq!(strides, [96, 32, 8]);
/// fill_contiguous_strides(&[2, 3, 4], &mut strides, 8, Order::F)?;
/// assert_eq!(strides, [8, 16, 48]);
/// # Ok::<(), pepkit::Error>(())
/// ```
pub fn fill_contiguous_strides(shape: &[isize], strides: &mut [isize], itemsize: isize, order: Order) -> Result<()> {
    if shape.len() > MAX_NDIM {
        return Err(Error::value(format!("number of dimensions must be between 0 and 64, got {}", shape.len())));
    }
    if strides.len() != shape.len() {
        return Err(Error::value(format!("{} strides for {} extents", strides.len(), shape.len())));
    }
    if let Some(d) = shape.iter().position(|&n| n < 0) {
        return Err(Error::value(format!("negative extent {} in dimension {}", shape[d], d + 1)));
    }
    if itemsize <= 0 {
        return Err(Error::value(format!("itemsize {itemsize} is not positive")));
    }
    let mut out = [0isize; MAX_NDIM];
    contiguous_strides(shape, itemsize, order == Order::F, &mut out[..shape.len()])?;
    strides.copy_from_slice(&out[..shape.len()]);
    Ok(())
}
