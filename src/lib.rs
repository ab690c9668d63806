//! pepkit: three pieces of Python's runtime for C, without a Python interpreter.
//!
//! - [`buffer`]: PEP 3118 objects, exporters and the buffer protocol helpers.
//! - [`format`]: the struct-module format language.
//! - [`import`]: import resolution (PEP 420) as importlib's path-based finder does it.
//!
//! The memoryview (`memoryview/`), virtual environments (`venv/`) and import
//! resolution (`import/`) each get a safe core module of their own beside these.
//! The C ABI is a crate of its own beside this one: `ffi/` (pepkit-ffi, every
//! `extern "C"` function) and `ffi/artifact/` (libpepkit.so, libpepkit.a and
//! the generated `include/pepkit.h`).

#![allow(non_camel_case_types)]

pub mod error;
#[doc(hidden)]
pub mod mem;
pub mod buffer;
pub mod format;
pub mod memoryview;
pub mod venv;
pub mod import;
pub mod interchange;

/// The internal parsers of hostile input, for the fuzz targets in `fuzz/`
/// (feature `fuzzing`; not an API, may change at any time).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::import::editable::parse_editable_finder;
    pub use crate::import::pth::{parse_pth, PthEncoding, PthLine, PthRules};
    pub use crate::import::zip::parse_zip_index;
    pub use crate::venv::inspect::parse_cfg;
    pub use crate::venv::wheel::check_archive;
    pub use crate::venv::Facts;
}
