//! Describing memory that pepkit does not own (`pepkit_wrap_new`), and checking
//! that description before accepting it.

use std::ffi::{c_char, c_int, c_void};

use super::{pepkit_ssize, MAX_NDIM};
use crate::error::{Error, Result};
use crate::format;

/// The memory block and the array inside it that `pepkit_wrap_new` exports.
///
/// Every pointer in it is borrowed for the duration of the call only: pepkit
/// copies the format, shape, strides and suboffsets, and remembers `base`.
#[cfg_attr(not(feature = "raw"), allow(dead_code))]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pepkit_layout {
    /// The start of the memory block (its lowest address).
    pub base: *mut c_void,
    /// The block's size in bytes; every byte the array can reach must lie in
    /// `[base, base + size)`.
    pub size: size_t,
    /// Bytes from `base` to the first item (`buf` of every export).
    pub offset: pepkit_ssize,
    /// struct-module format of one item; NULL means "B".
    pub format: *const c_char,
    /// Bytes per item; must equal the size of `format`.
    pub itemsize: pepkit_ssize,
    /// 0 to PEPKIT_BUF_MAX_NDIM.
    pub ndim: c_int,
    /// ndim extents, each >= 0; may be NULL only when ndim is 0.
    pub shape: *const pepkit_ssize,
    /// ndim byte steps, any sign; NULL means C-contiguous.
    pub strides: *const pepkit_ssize,
    /// ndim PIL-style suboffsets or NULL. Entries < 0 mean "no indirection";
    /// all-negative suboffsets are stored as none (CPython's rule for exporters).
    pub suboffsets: *const pepkit_ssize,
    /// Non-zero if consumers must not write.
    pub readonly: c_int,
}

#[allow(non_camel_case_types, dead_code)]
type size_t = usize;

/// A checked layout, with its arrays copied.
#[derive(Debug, Clone)]
pub(crate) struct ValidLayout {
    /// The first item.
    pub(crate) buf: *mut u8,
    pub(crate) itemsize: isize,
    pub(crate) readonly: bool,
    pub(crate) format: Vec<u8>,
    pub(crate) shape: Vec<isize>,
    pub(crate) strides: Vec<isize>,
    pub(crate) suboffsets: Option<Vec<isize>>,
}

/// product(shape) * itemsize, or OverflowError.
pub(crate) fn byte_len(shape: &[isize], itemsize: isize) -> Result<isize> {
    shape
        .iter()
        .try_fold(itemsize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| Error::overflow(format!("product(shape) * itemsize overflows Py_ssize_t (shape {shape:?})")))
}

/// Checks the parts of an array description that do not depend on memory:
/// ndim, extents, the format and its size, and the byte length.
pub(crate) fn check_array(format: &[u8], itemsize: isize, shape: &[isize]) -> Result<isize> {
    if shape.len() > MAX_NDIM {
        return Err(Error::value(format!(
            "number of dimensions must not exceed {MAX_NDIM}, got {}",
            shape.len()
        )));
    }
    if let Some(d) = shape.iter().position(|&n| n < 0) {
        return Err(Error::value(format!("negative extent {} in dimension {}", shape[d], d + 1)));
    }
    let size = format::calcsize(format)?;
    if size == 0 {
        return Err(Error::value(format!(
            "format {} has itemsize 0",
            crate::mem::shown(format)
        )));
    }
    if itemsize != size as isize {
        return Err(Error::value(format!(
            "itemsize {itemsize} does not match the size {size} of format {}",
            crate::mem::shown(format)
        )));
    }
    byte_len(shape, itemsize)
}

#[cfg(feature = "raw")]
impl pepkit_layout {
    /// Checks the layout and copies its arrays.
    ///
    /// Accepted when: ndim is 0..=64; no extent is negative; the format parses
    /// and its size equals `itemsize` (> 0); product(shape) * itemsize fits;
    /// and every byte an index can reach lies inside the block. With
    /// suboffsets, the check covers the bytes up to and including the first
    /// indirection's pointer slots; memory behind a pointer is the caller's
    /// promise.
    ///
    /// # Safety
    /// The array pointers must hold `ndim` entries and `format` must be a
    /// NUL-terminated string, each when non-NULL.
    pub(crate) unsafe fn validate(&self) -> Result<ValidLayout> {
        if !(0..=MAX_NDIM as c_int).contains(&self.ndim) {
            return Err(Error::value(format!(
                "number of dimensions must not exceed {MAX_NDIM}, got {}",
                self.ndim
            )));
        }
        let ndim = self.ndim as usize;
        // The format's length is the caller's: copied fallibly.
        let format = if self.format.is_null() {
            b"B".to_vec()
        } else {
            // SAFETY: a non-NULL format is NUL-terminated, as the caller guarantees.
            crate::mem::copy(unsafe { std::ffi::CStr::from_ptr(self.format) }.to_bytes(), "the layout's format")?
        };
        let array = |p: *const isize, what: &str| -> Result<Option<Vec<isize>>> {
            if ndim == 0 || p.is_null() {
                return Ok(None);
            }
            // SAFETY: a non-NULL array holds ndim entries, as the caller guarantees.
            let s = unsafe { crate::mem::slice(p, ndim) }.ok_or_else(|| Error::value(format!("{what} is not aligned for pepkit_ssize")))?;
            Ok(Some(s.to_vec()))
        };
        let shape = match array(self.shape, "layout.shape")? {
            Some(s) => s,
            None if ndim == 0 => vec![],
            None => return Err(Error::null_argument(format!("layout.shape must not be NULL when ndim is {ndim}"))),
        };
        check_array(&format, self.itemsize, &shape)?;
        let strides = match array(self.strides, "layout.strides")? {
            Some(s) => s,
            None => {
                let mut s = vec![0; ndim];
                super::geometry::contiguous_strides(&shape, self.itemsize, false, &mut s)?;
                s
            }
        };
        let suboffsets = array(self.suboffsets, "layout.suboffsets")?.filter(|s| s.iter().any(|&x| x >= 0));
        let base = self.base.cast::<u8>();
        accept(base, self.size, self.offset, self.itemsize, self.readonly != 0, format, shape, strides, suboffsets)
    }
}

/// The checks every layout ends with, on its copied arrays: `base` may be
/// NULL only for an empty block, the block must fit `Py_ssize_t`, and every
/// byte an index can reach must lie inside it ([`check_reach`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn accept(
    base: *mut u8,
    size: usize,
    offset: isize,
    itemsize: isize,
    readonly: bool,
    format: Vec<u8>,
    shape: Vec<isize>,
    strides: Vec<isize>,
    suboffsets: Option<Vec<isize>>,
) -> Result<ValidLayout> {
    if base.is_null() && size > 0 {
        return Err(Error::null_argument("layout.base must not be NULL when layout.size is not 0"));
    }
    if size > isize::MAX as usize {
        return Err(Error::overflow(format!("layout.size {size} exceeds Py_ssize_t")));
    }
    check_reach(size as isize, offset, itemsize, &shape, &strides, suboffsets.as_deref())?;
    Ok(ValidLayout { buf: base.wrapping_offset(offset), itemsize, readonly, format, shape, strides, suboffsets })
}

/// Checks that every byte reachable from `offset` through `shape`/`strides`
/// lies in `[0, size)`. With suboffsets, dimensions are checked up to the first
/// indirection, whose pointer slots must fit.
fn check_reach(
    size: isize,
    offset: isize,
    itemsize: isize,
    shape: &[isize],
    strides: &[isize],
    suboffsets: Option<&[isize]>,
) -> Result<()> {
    let outside = |lo: i128, hi: i128| {
        Error::value(format!(
            "layout reaches bytes [{lo}, {hi}) outside the block of {size} bytes (offset {offset}, shape {shape:?}, strides {strides:?})"
        ))
    };
    if shape.contains(&0) {
        // Nothing is reachable, so `buf` may point anywhere, as in CPython's
        // exports of empty slices: memoryview(b"abc")[::-1][3:] has its buf
        // one byte before the block, and _testbuffer's ndarray slices go
        // past either end. The address is never dereferenced.
        return Ok(());
    }
    // Up to the first indirection the addresses are ours to check; there the
    // item is a pointer slot, and what it points to is the caller's promise.
    let first_indirect = suboffsets.and_then(|s| s.iter().position(|&x| x >= 0));
    let (checked_dims, width) = match first_indirect {
        Some(d) => (d + 1, std::mem::size_of::<*const u8>() as i128),
        None => (shape.len(), itemsize as i128),
    };
    let mut lo = offset as i128;
    let mut hi = offset as i128;
    for d in 0..checked_dims {
        let span = strides[d] as i128 * (shape[d] as i128 - 1);
        if span < 0 {
            lo += span
        } else {
            hi += span
        }
    }
    let hi = hi + width;
    if lo < 0 || hi > size as i128 {
        return Err(outside(lo, hi));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_array_may_start_outside_the_block() {
        // CPython's memoryview(b"abc")[::-1][3:]: shape (0,), stride -1, buf
        // one byte before the block.
        assert!(check_reach(3, -1, 1, &[0], &[-1], None).is_ok());
        assert!(check_reach(3, 40, 1, &[2, 0], &[1, 1], None).is_ok());
        assert!(check_reach(3, -1, 1, &[1], &[-1], None).is_err());
    }
}
