//! memoryview: views of an exporter's memory with CPython 3.11's semantics,
//! and multi-dimensional slicing, sub-views and assignment beyond them.
//!
//! Every view made from one exporter (slices, casts, read-only copies,
//! `memoryview(m)`) shares one managed export of it, as CPython's
//! `_PyManagedBufferObject` does, and keeps its own shape, strides and
//! suboffsets. The exporter's export is released when the last view goes, so
//! a slice outlives its parent's release and a bytearray stays un-resizable
//! until then.
//!
//! A memoryview is an object like any other exporter: it supplies its own
//! getbuffer (memoryview's rules and messages, on its own descriptor) as a
//! provider of the buffer module, which knows nothing about it.
//!
//! ```
//! use pepkit::{Flags, MemoryView, Object, Order};
//!
//! let base = Object::ndarray("<i", &[2, 3], Order::F, false)?;
//! let m = MemoryView::new(&base)?;
//! let row = m.subview(1)?; // m[1], beyond CPython for N-d
//! let view = row.lock()?;
//! assert_eq!((view.shape(), view.strides()), (&[3][..], &[8][..]));
//! drop(view);
//! assert_eq!(row.tolist()?, "[0, 0, 0]");
//! let export = m.export(Flags::FULL_RO)?;
//! assert!(m.release().is_err(), "a view cannot be released while exported");
//! drop(export);
//! m.release()?;
//! assert!(m.tolist().is_err() && row.tolist().is_ok(), "the slice keeps the export");
//! # Ok::<(), pepkit::Error>(())
//! ```

mod bytes;
mod handle;
pub(crate) mod hash;
mod items;
// The safe types below have associated constants, which cbindgen would
// otherwise put in the C header.
/// cbindgen:ignore
mod slice;
pub(crate) mod view;

pub use bytes::Hex;
pub use handle::{equal, MemoryView, ViewGuard};
#[cfg(feature = "raw")]
pub(crate) use handle::from_buffer;
pub use items::Value;
pub use slice::Slice;
