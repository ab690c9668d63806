//! Interchange with the array ecosystem: DLPack (versioned 1.x and legacy)
//! and the Arrow C Data Interface, both ways, zero-copy.
//!
//! - [`dtype`]: struct-module formats against DLPack dtypes and Arrow formats.
//! - [`dlpack`]: exporting pepkit memory as managed tensors, importing them.
//! - [`arrow`]: exporting pepkit memory as Arrow arrays, importing them.
//!
//! Ownership follows each side's rules: an export holds one pepkit export of
//! the exporter until the consumer's deleter or release runs; an import takes
//! the producer's struct and runs its deleter or release exactly once, when the
//! new object's last reference and export are gone.

pub mod abi;
pub mod arrow;
pub mod dlpack;
pub mod dtype;

use crate::buffer::{pepkit_buffer, Geometry};
use crate::error::Result;

/// The item format of an export: NULL means unsigned bytes, as in CPython
/// (a custom exporter may leave it NULL).
///
/// # Safety
/// A non-NULL `view.format` must be a NUL-terminated string.
pub(crate) unsafe fn format_of(view: &pepkit_buffer) -> &[u8] {
    if view.format.is_null() {
        b"B"
    } else {
        std::ffi::CStr::from_ptr(view.format).to_bytes()
    }
}

/// Calls `f` with an export's shape and strides. pepkit's own objects fill
/// both; a custom exporter may leave them NULL, and then they are derived as
/// `Geometry` does (C order, or the whole length as one dimension).
///
/// # Safety
/// `view` must be a live export.
pub(crate) unsafe fn with_dims<R>(view: &pepkit_buffer, f: impl FnOnce(&[isize], &[isize]) -> Result<R>) -> Result<R> {
    let ndim = view.ndim.max(0) as usize;
    if ndim == 0 {
        return f(&[], &[]);
    }
    if !view.shape.is_null() && !view.strides.is_null() {
        return f(std::slice::from_raw_parts(view.shape, ndim), std::slice::from_raw_parts(view.strides, ndim));
    }
    let g = Geometry::of(view)?;
    f(g.shape(), g.strides())
}
