//! A view's bytes: `tobytes` in each order and `hex` with separators.

use super::view::ViewState;
use crate::buffer::{to_contiguous, Order};
use crate::error::{Error, Result};

impl ViewState {
    /// Bytes of `tobytes(order)`: product(shape) * itemsize.
    pub(crate) fn nbytes(&self) -> usize {
        self.view.len as usize
    }

    /// `m.tobytes(order)` into `dst`, whose length must be `nbytes()`.
    pub(crate) fn tobytes_into(&self, order: Order, dst: &mut [u8]) -> Result<()> {
        if dst.len() != self.nbytes() {
            return Err(Error::value(format!(
                "destination holds {} bytes but the view has {}",
                dst.len(),
                self.nbytes()
            )));
        }
        // SAFETY: the descriptor is consistent and its memory is exported.
        unsafe { to_contiguous(dst, &self.view, order) }
    }

    /// The C-order bytes, borrowed when the view is C-contiguous, else copied
    /// (NO_MEMORY when the copy cannot be made, as CPython's MemoryError).
    /// An empty view's `buf` may be anything, NULL included (slicing moves
    /// it freely): its bytes are the empty slice.
    pub(crate) fn c_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        let n = self.nbytes();
        if self.c_contiguous {
            // SAFETY: a C-contiguous view's bytes are nbytes from buf, exported
            // for as long as the view lives.
            let bytes = unsafe { crate::mem::slice(self.view.buf as *const u8, n) }.ok_or_else(|| crate::mem::null_data(n))?;
            return Ok(std::borrow::Cow::Borrowed(bytes));
        }
        let mut copy = crate::mem::zeroed(n, "the view's C-order bytes")?;
        self.tobytes_into(Order::C, &mut copy)?;
        Ok(std::borrow::Cow::Owned(copy))
    }
}

/// The arguments of `m.hex(sep, bytes_per_sep)`, checked: a separator of
/// one ASCII byte (or none) between groups of |bytes_per_sep| bytes, counted
/// from the right when positive and from the left when negative.
///
/// ```
/// use pepkit::{memoryview::Hex, MemoryView};
///
/// let m = MemoryView::from_owner(vec![1, 2, 3, 4, 5])?;
/// assert_eq!(m.hex(&Hex::default())?, "0102030405");
/// assert_eq!(m.hex(&Hex::new(Some(b":"), 2)?)?, "01:0203:0405");
/// assert_eq!(m.hex(&Hex::new(Some(b":"), -2)?)?, "0102:0304:05");
/// assert!(Hex::new(Some(b"::"), 1).is_err());
/// # Ok::<(), pepkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hex {
    sep: Option<u8>,
    bytes_per_sep: i32,
}

impl Hex {
    /// Checks the separator as Python does: one byte (ValueError "sep must
    /// be length 1."), ASCII (ValueError "sep must be ASCII.").
    pub fn new(sep: Option<&[u8]>, bytes_per_sep: i32) -> Result<Hex> {
        let sep = match sep {
            None => None,
            Some(s) if s.len() != 1 => return Err(Error::value("sep must be length 1.")),
            Some(s) if s[0] > 127 => return Err(Error::value("sep must be ASCII.")),
            Some(s) => Some(s[0]),
        };
        Ok(Hex { sep, bytes_per_sep })
    }

    /// The length of the hex text of `n` bytes (no NUL), or MemoryError when
    /// it does not fit in memory at all (CPython's "sep" path raises
    /// MemoryError past PY_SSIZE_T_MAX too).
    pub(crate) fn len(&self, n: usize) -> Result<usize> {
        hex_len(n, self.sep, self.bytes_per_sep)
    }

    /// Writes the hex text of `bytes` into `out`, of [`len`](Self::len) bytes.
    pub(crate) fn write(&self, bytes: &[u8], out: &mut [u8]) {
        write_hex(bytes, self.sep, self.bytes_per_sep, out)
    }
}

/// The length of `hex(sep, bytes_per_sep)` of `n` bytes (no NUL), or
/// NO_MEMORY when it does not fit in memory at all.
fn hex_len(n: usize, sep: Option<u8>, bytes_per_sep: i32) -> Result<usize> {
    let group = bytes_per_sep.unsigned_abs() as usize;
    let separators = match sep {
        Some(_) if group > 0 && n > 0 && group < n => (n - 1) / group,
        _ => 0,
    };
    n.checked_mul(2)
        .and_then(|d| d.checked_add(separators))
        .filter(|&len| len < isize::MAX as usize)
        .ok_or_else(|| Error::no_memory(format!("the hex of {n} bytes does not fit in memory")))
}

/// Writes `bytes.hex(sep, bytes_per_sep)` into `out` (of `hex_len` bytes):
/// groups of |bytes_per_sep| bytes counted from the right when positive,
/// from the left when negative, as CPython's _Py_strhex_with_sep.
fn write_hex(bytes: &[u8], sep: Option<u8>, bytes_per_sep: i32, out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let n = bytes.len();
    let group = bytes_per_sep.unsigned_abs() as usize;
    let sep = match sep {
        Some(c) if group > 0 && n > 0 && group < n => c,
        _ => {
            for (i, &b) in bytes.iter().enumerate() {
                out[2 * i] = DIGITS[(b >> 4) as usize];
                out[2 * i + 1] = DIGITS[(b & 15) as usize];
            }
            return;
        }
    };
    // The first group is the short one when counting from the right.
    let first = if bytes_per_sep > 0 { (n - 1) % group + 1 } else { group };
    let mut j = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let boundary = i >= first && (i - first) % group == 0;
        if boundary {
            out[j] = sep;
            j += 1;
        }
        out[j] = DIGITS[(b >> 4) as usize];
        out[j + 1] = DIGITS[(b & 15) as usize];
        j += 2;
    }
}

impl ViewState {
    /// `hash(m)`: CPython's checks in its order (read-only, a 'B', 'b' or 'c'
    /// format, a hashable exporter), then the hash of the C-order bytes, equal
    /// to `hash(m.tobytes())` under PYTHONHASHSEED=0.
    pub(crate) fn hash(&self) -> Result<isize> {
        if self.view.readonly == 0 {
            return Err(Error::value("cannot hash writable memoryview object"));
        }
        match super::view::native_format(self.format()) {
            Some((_, _, c)) if super::view::is_byte_format(c) => {}
            _ => return Err(Error::value("memoryview: hashing is restricted to formats 'B', 'b' or 'c'")),
        }
        self.check_hashable_base()?;
        Ok(super::hash::hash_bytes(&self.c_bytes()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8], sep: Option<u8>, bps: i32) -> String {
        let mut out = vec![0u8; hex_len(bytes.len(), sep, bps).unwrap()];
        write_hex(bytes, sep, bps, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hex_matches_python() {
        // Values from CPython: bytes([1,2,3,4,5]).hex(':', k)
        let b = [1u8, 2, 3, 4, 5];
        assert_eq!(hex(&b, None, 1), "0102030405");
        assert_eq!(hex(&b, Some(b':'), 1), "01:02:03:04:05");
        assert_eq!(hex(&b, Some(b':'), 2), "01:0203:0405");
        assert_eq!(hex(&b, Some(b':'), -2), "0102:0304:05");
        assert_eq!(hex(&b, Some(b':'), 5), "0102030405");
        assert_eq!(hex(&b, Some(b':'), 4), "01:02030405");
        assert_eq!(hex(&b, Some(b':'), 0), "0102030405");
        assert_eq!(hex(&[], Some(b':'), 1), "");
        assert_eq!(hex(&[0xab], Some(b'-'), 1), "ab");
    }
}
