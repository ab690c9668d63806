//! memoryview: views of an exporter's memory with CPython 3.11's semantics,
//! and multi-dimensional slicing, sub-views and assignment beyond them.
//!
//! Every view made from one exporter (slices, casts, read-only copies,
//! `memoryview(m)`) shares one managed export of it, as CPython's
//! `_PyManagedBufferObject` does, and keeps its own shape, strides and
//! suboffsets. The exporter's export is released when the last view goes, so
//! a slice outlives its parent's release and a bytearray stays un-resizable
//! until then.

pub mod bytes;
pub mod hash;
pub mod items;
mod view;

pub use view::{pepkit_slice, MemoryView, PEPKIT_NONE};
pub use view::{ViewRef, ViewState};
