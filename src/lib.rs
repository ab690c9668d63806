//! pepkit: three pieces of Python's runtime, without a Python interpreter.
//!
//! - **PEP 3118 buffers**: [`Object`] (a counted exporter of memory: bytes,
//!   bytearray, ndarray, memory a Rust owner lends), [`Export`] (one export,
//!   released on drop) and the request [`Flags`] ([`buffer`]); the
//!   struct-module format language ([`format`](mod@format)); CPython's `memoryview`
//!   ([`MemoryView`], [`memoryview`]); DLPack and Arrow interchange
//!   ([`interchange`]).
//! - **PEP 405 virtual environments**: [`venv`].
//! - **PEP 420 import resolution**, as importlib's path-based finder does it:
//!   [`import`].
//!
//! Every fallible call returns a [`Result`] whose [`Error`] has the class
//! CPython would raise ([`ErrorKind`]) and a message that reads like
//! CPython's.
//!
//! ```
//! use pepkit::{MemoryView, Object, Order};
//!
//! let obj = Object::ndarray("d", &[2, 2], Order::C, false)?;
//! let m = MemoryView::new(&obj)?;
//! m.set_item(&[1, 0], &pepkit::Value::Float(2.5))?;
//! assert_eq!(m.tolist()?, "[[0.0, 0.0], [2.5, 0.0]]");
//! assert_eq!(m.slice(&[1..2])?.tobytes(Order::C)?, [0, 0, 0, 0, 0, 0, 4, 64, 0, 0, 0, 0, 0, 0, 0, 0]);
//! # Ok::<(), pepkit::Error>(())
//! ```
//!
//! The C ABI is a crate of its own beside this one: `ffi/` (pepkit-ffi, every
//! `extern "C"` function, over this crate's `raw` module) and `ffi/artifact/`
//! (libpepkit.so, libpepkit.a and the generated `include/pepkit.h`). A Rust
//! program that depends on this crate builds neither.

#![allow(non_camel_case_types)]
// The unsafe rules, enforced: every unsafe operation in its own block with a
// SAFETY reason, every public unsafe fn with its "# Safety" duties, every
// public item documented (tests/suites/11-lint.sh makes these errors).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

pub mod error;
// The memory rules every module follows. Not an API: the C skin reaches it
// as `pepkit::raw::mem`.
mod mem;
mod siphash;
pub mod buffer;
pub mod format;
pub mod memoryview;
pub mod venv;
pub mod import;
pub mod interchange;
#[cfg(feature = "raw")]
pub mod raw;

pub use buffer::{Export, Flags, Layout, Object, ObjectKind, Order, MAX_NDIM};
pub use error::{Error, ErrorKind, Result};
pub use memoryview::{MemoryView, Slice, Value};

/// The internal parsers of hostile input, for the fuzz targets in `fuzz/`
/// (feature `fuzzing`; not an API, may change at any time).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::import::editable::{parse_bootstrap, parse_editable_finder};
    pub use crate::import::pth::{parse_pth, PthEncoding, PthLine, PthRules};
    pub use crate::import::zip::parse_zip_index;
    pub use crate::venv::check::{open_bounded, parse_shebang, recorded_version, Shebang, MAX_CFG, MAX_HEAD};
    pub use crate::venv::inspect::parse_cfg;
    pub use crate::venv::requires_python::{check as requires_python_check, parse_set, requires_python, Verdict, Version};
    pub use crate::venv::wheel::check_archive;
    pub use crate::venv::Facts;
}
