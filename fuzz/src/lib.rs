//! What the fuzz targets share: checking statuses, reading the C API's
//! outputs, and the model of which bytes a buffer layout can reach.
//!
//! The targets drive pepkit through its C ABI (the `extern "C"` functions of
//! `pepkit_ffi`), the surface callers reach, so a panic the guard would turn
//! into PEPKIT_ERR_PANIC is still a crash here (libfuzzer-sys aborts on any
//! panic, caught or not) and the status is checked as well.

use std::ffi::{c_char, CStr};

pub use pepkit::raw::{pepkit_buffer, pepkit_layout, pepkit_object, pepkit_slice, pepkit_ssize};
pub use pepkit_ffi::buffer::*;
pub use pepkit_ffi::consts::*;
pub use pepkit_ffi::format::*;
pub use pepkit_ffi::memoryview::*;
pub use pepkit_ffi::object::*;
pub use pepkit_ffi::status::*;

/// Every status a call may return: anything else (PANIC above all) is a bug.
pub fn check(status: pepkit_status, call: &str) -> pepkit_status {
    assert!(
        (PEPKIT_OK..=PEPKIT_ERR_NULL_ARGUMENT).contains(&status),
        "{call} returned status {status}: {}",
        last_error()
    );
    if status != PEPKIT_OK {
        // Every failure leaves a message (the C API's convention).
        assert!(!last_error().is_empty(), "{call} failed with {status} and no message");
    }
    status
}

/// pepkit_last_error() as text ("" when none).
pub fn last_error() -> String {
    let p = pepkit_ffi::status::pepkit_last_error();
    if p.is_null() {
        return String::new();
    }
    // SAFETY: pepkit_last_error returns a NUL-terminated string owned by this
    // thread, valid until the next pepkit call on it; copied at once.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Copies an owned pepkit buffer of `len` bytes and frees it.
///
/// # Safety
/// `p` must be a buffer pepkit returned as owned with `len` bytes.
pub unsafe fn take_owned(p: *mut u8, len: usize) -> Vec<u8> {
    assert!(!p.is_null(), "an owned output is never NULL on success");
    // SAFETY: as the caller guarantees; freed once, here.
    unsafe {
        let v = std::slice::from_raw_parts(p, len).to_vec();
        pepkit_free(p.cast());
        v
    }
}

/// A reference to a pepkit object, decref'd on drop.
pub struct Obj(pub *mut pepkit_object);

impl Obj {
    /// Wraps the result of a constructor: `Some` when it succeeded.
    pub fn from_call(status: pepkit_status, out: *mut pepkit_object, call: &str) -> Option<Obj> {
        if check(status, call) == PEPKIT_OK {
            assert!(!out.is_null(), "{call} succeeded without an object");
            Some(Obj(out))
        } else {
            assert!(out.is_null(), "{call} failed but wrote its out-parameter");
            None
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        // SAFETY: self.0 is a reference this Obj owns (from_call).
        unsafe { pepkit_decref(self.0) }
    }
}

/// A NUL-terminated copy of `bytes` cut at the first NUL.
pub fn c_string(bytes: &[u8]) -> Vec<c_char> {
    bytes.iter().take_while(|&&b| b != 0).map(|&b| b as c_char).chain([0]).collect()
}

/// A fuzz-chosen size: mostly small, sometimes one of the edges, sometimes
/// anything.
pub fn edgy(raw: i64) -> isize {
    const EDGES: [isize; 16] = [
        0, 1, -1, isize::MAX, isize::MIN, isize::MAX / 2, 1 << 32, (1 << 31) - 1,
        -isize::MAX, isize::MAX - 1, 2, -2, 1 << 62, -(1 << 31), 1 << 16, 255,
    ];
    match raw & 0xff {
        0..=15 => EDGES[(raw & 15) as usize],
        16..=31 => (raw >> 8) as isize,
        _ => ((raw >> 8) % 9) as isize,
    }
}

/// The model of reachable bytes of a layout without suboffsets: the byte
/// range `[lo, hi)` relative to the block's base that some index can touch,
/// or `None` when no index exists (a zero extent): then nothing is
/// reachable. One dimension's span fits i128; the sums saturate, which only
/// happens far outside any block.
pub fn reachable(offset: isize, itemsize: isize, shape: &[isize], strides: &[isize]) -> Option<(i128, i128)> {
    if shape.iter().any(|&n| n <= 0) {
        return None;
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&n, &s) in shape.iter().zip(strides) {
        let span = (n as i128 - 1) * s as i128;
        if span < 0 {
            lo = lo.saturating_add(span);
        } else {
            hi = hi.saturating_add(span);
        }
    }
    Some((lo, hi.saturating_add(itemsize as i128)))
}

/// C-contiguous strides for `shape` (0 where an extent is 0, as numpy).
pub fn c_strides(shape: &[isize], itemsize: isize) -> Vec<isize> {
    let mut out = vec![0; shape.len()];
    let mut step = itemsize;
    for d in (0..shape.len()).rev() {
        out[d] = step;
        step = step.saturating_mul(shape[d].max(1));
    }
    out
}

/// Every index of `shape` in C order, at most `limit` of them.
pub fn indices(shape: &[isize], limit: usize) -> Vec<Vec<isize>> {
    let mut out = Vec::new();
    if shape.iter().any(|&n| n <= 0) {
        return out;
    }
    let mut idx = vec![0isize; shape.len()];
    loop {
        if out.len() >= limit {
            return out;
        }
        out.push(idx.clone());
        let mut d = shape.len();
        loop {
            if d == 0 {
                return out;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// The view's shape as a slice (empty for 0 dims).
///
/// # Safety
/// `view` must be a live export or a memoryview's descriptor.
pub unsafe fn shape_of(view: &pepkit_buffer) -> Vec<isize> {
    if view.shape.is_null() || view.ndim <= 0 {
        return if view.ndim == 1 { vec![view.len / view.itemsize.max(1)] } else { Vec::new() };
    }
    // SAFETY: a live export's shape holds ndim entries.
    unsafe { std::slice::from_raw_parts(view.shape, view.ndim as usize) }.to_vec()
}

/// The status of `f(&mut out)` for a call with a pointer out-parameter: the
/// object on success, and a check that failure wrote nothing.
pub fn make(call: &str, f: impl FnOnce(&mut *mut pepkit_object) -> pepkit_status) -> Option<Obj> {
    let mut out = std::ptr::null_mut();
    let status = f(&mut out);
    Obj::from_call(status, out, call)
}

/// The view's strides as a slice (empty when NULL or 0 dims).
///
/// # Safety
/// `view` must be a live export or a memoryview's descriptor.
pub unsafe fn strides_of(view: &pepkit_buffer) -> Vec<isize> {
    if view.strides.is_null() || view.ndim <= 0 {
        return Vec::new();
    }
    // SAFETY: a live export's strides hold ndim entries.
    unsafe { std::slice::from_raw_parts(view.strides, view.ndim as usize) }.to_vec()
}

/// Whether tolist of a view of `shape` would succeed but slowly: more than
/// 2^20 lists or items (empty lists before a zero extent count: an empty
/// view of shape (7,) * 8 + (0,) is 5.7 million `[]`) whose text still fits
/// the 512 MiB allocation cap. Sound, and what CPython does, but seconds
/// under ASan. Beyond the cap tolist must answer NO_MEMORY at once, so
/// those views are still fed (issue 8 fault 2's (2**63-1, 0, 2**63-1)).
pub fn slow_tolist(shape: &[isize]) -> bool {
    let mut pieces: u128 = 1;
    for &n in shape {
        if n <= 0 {
            break;
        }
        pieces = pieces.saturating_mul(n as u128);
    }
    pieces > 1 << 20 && pieces.saturating_mul(3) < 1 << 29
}
