//! The two rules for memory that every module follows, in one place:
//!
//! - **Allocations sized by input are fallible.** A size that follows from a
//!   caller's shape, format or data is allocated with [`zeroed`], [`copy`] or
//!   [`reserve`], which report `PEPKIT_ERR_NO_MEMORY` instead of aborting the
//!   host (Rust's infallible `Vec`/`String` growth aborts on failure).
//! - **Raw memory becomes a slice only through [`slice()`] / [`slice_mut()`]**,
//!   which give an empty slice for a length of 0 whatever the pointer (NULL,
//!   dangling, or one an empty view's slicing moved anywhere) and refuse NULL
//!   or a misaligned pointer otherwise: `slice::from_raw_parts` on NULL is
//!   undefined behaviour even for length 0.
//!
//! Messages that echo caller input go through [`shown`], so an error about a
//! gigabyte-long format string does not itself allocate gigabytes.

use std::alloc::{self, Layout};

use crate::error::{Error, Result};

/// NO_MEMORY for `bytes` bytes needed by `what`.
pub fn no_memory(what: &str, bytes: usize) -> Error {
    Error::no_memory(format!("cannot allocate {bytes} bytes for {what}"))
}

/// `len` zero bytes, or NO_MEMORY. Uses `alloc_zeroed`, so large blocks come
/// zeroed from the system as `vec![0; len]` does, without its abort.
pub fn zeroed(len: usize, what: &str) -> Result<Vec<u8>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout = Layout::array::<u8>(len).map_err(|_| no_memory(what, len))?;
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { alloc::alloc_zeroed(layout) };
    if p.is_null() {
        return Err(no_memory(what, len));
    }
    // SAFETY: `p` was allocated by the global allocator with the layout of
    // `len` u8s (what Vec<u8> uses for capacity `len`), and all `len` bytes
    // are initialised (zero).
    Ok(unsafe { Vec::from_raw_parts(p, len, len) })
}

/// A copy of `src`, or NO_MEMORY.
pub fn copy<T: Copy>(src: &[T], what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    reserve(&mut v, src.len(), what)?;
    v.extend_from_slice(src);
    Ok(v)
}

/// Room for `additional` more elements in `v` (amortized growth), or NO_MEMORY.
/// After it, that many pushes cannot reallocate.
#[inline]
pub fn reserve<T>(v: &mut Vec<T>, additional: usize, what: &str) -> Result<()> {
    if v.capacity() - v.len() >= additional {
        return Ok(());
    }
    v.try_reserve(additional)
        .map_err(|_| no_memory(what, additional.saturating_mul(std::mem::size_of::<T>())))
}

/// `len` elements at `ptr` as a slice: empty for `len` 0 whatever `ptr` is;
/// None when `ptr` is NULL or misaligned and `len` is not 0.
///
/// # Safety
/// For `len` > 0, a non-NULL, aligned `ptr` must point to `len` initialised
/// elements that stay valid and unmutated for `'a`.
#[inline]
pub unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Option<&'a [T]> {
    if len == 0 {
        Some(&[])
    } else if ptr.is_null() || !ptr.is_aligned() {
        None
    } else {
        // SAFETY: non-NULL and aligned here; the rest is the caller's promise.
        Some(unsafe { std::slice::from_raw_parts(ptr, len) })
    }
}

/// As [`slice()`], mutably.
///
/// # Safety
/// For `len` > 0, a non-NULL, aligned `ptr` must point to `len` initialised
/// elements that nothing else accesses for `'a`.
#[inline]
pub unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize) -> Option<&'a mut [T]> {
    if len == 0 {
        Some(&mut [])
    } else if ptr.is_null() || !ptr.is_aligned() {
        None
    } else {
        // SAFETY: as in `slice`.
        Some(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
    }
}

/// The error for a view whose data pointer is NULL although it has bytes.
pub fn null_data(len: usize) -> Error {
    Error::value(format!("invalid buffer: NULL data pointer for {len} bytes"))
}

/// Caller bytes (a format string, say) as a message shows them: quoted like
/// Rust's `{:?}` of the text, cut after a few dozen characters with the full
/// length said, so a message never grows with its input.
pub fn shown(bytes: &[u8]) -> String {
    let (text, rest) = cut(bytes);
    format!("{text:?}{rest}")
}

/// As [`shown`], unquoted (CPython's memoryview messages print the format bare).
pub fn shown_plain(bytes: &[u8]) -> String {
    let (text, rest) = cut(bytes);
    format!("{text}{rest}")
}

/// The longest message pepkit keeps, in bytes: longer ones (a callback's,
/// say) are cut here, so recording a failure never allocates more.
#[cfg_attr(not(feature = "raw"), allow(dead_code))]
pub const MAX_MESSAGE: usize = 16 << 10;

/// `bytes` as message text, cut after [`MAX_MESSAGE`] bytes with the full
/// length said.
#[cfg_attr(not(feature = "raw"), allow(dead_code))]
pub fn message_text(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_MESSAGE {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    format!("{}... ({} bytes)", String::from_utf8_lossy(&bytes[..MAX_MESSAGE]), bytes.len())
}

fn cut(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, String) {
    const MAX: usize = 64;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]);
    let rest = if bytes.len() <= MAX { String::new() } else { format!("... ({} bytes)", bytes.len()) };
    (text, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_of_nothing_need_no_pointer() {
        // SAFETY: length 0, or a real array.
        unsafe {
            assert_eq!(slice::<u8>(std::ptr::null(), 0), Some(&[][..]));
            assert_eq!(slice::<u8>(std::ptr::null(), 1), None);
            assert_eq!(slice_mut::<u8>(std::ptr::null_mut(), 0).map(|s| s.len()), Some(0));
            let a = [1u64, 2];
            assert_eq!(slice(a.as_ptr(), 2), Some(&a[..]));
            let misaligned = (a.as_ptr() as *const u8).wrapping_add(1) as *const u64;
            assert_eq!(slice(misaligned, 1), None);
        }
    }

    #[test]
    fn huge_requests_fail_cleanly() {
        assert_eq!(zeroed(usize::MAX / 2, "test").unwrap_err().kind, crate::error::ErrorKind::NoMemory);
        let mut v: Vec<u64> = Vec::new();
        assert_eq!(reserve(&mut v, usize::MAX / 4, "test").unwrap_err().kind, crate::error::ErrorKind::NoMemory);
        assert_eq!(zeroed(3, "test").unwrap(), vec![0, 0, 0]);
        assert_eq!(copy(&[1, 2], "test").unwrap(), vec![1, 2]);
    }

    #[test]
    fn shown_input_is_bounded() {
        assert_eq!(shown(b"3i"), "\"3i\"");
        let long = vec![b' '; 10_000];
        let s = shown(&long);
        assert!(s.len() < 100 && s.ends_with("(10000 bytes)"), "{s}");
        assert_eq!(shown_plain(b"T{<i:x:}"), "T{<i:x:}");
        let huge = vec![b'x'; 3 * MAX_MESSAGE];
        assert!(message_text(&huge).len() < MAX_MESSAGE + 40);
        assert_eq!(message_text(b"short"), "short");
    }
}
