//! pepkit: three pieces of Python's runtime for C, without a Python interpreter.
//!
//! - [`buffer`]: PEP 3118 objects, exporters and the buffer protocol helpers.
//! - [`format`]: the struct-module format language.
//! - [`import`]: import resolution (PEP 420) as importlib's path-based finder does it.
//! - [`ffi`]: the C ABI (`include/pepkit.h` is generated from it).
//!
//! The memoryview (`memoryview/`), virtual environments (`venv/`) and import
//! resolution (`import/`) each get a safe core module of their own beside these,
//! with their C functions in `ffi/`.

#![allow(non_camel_case_types)]

pub mod error;
pub mod ffi;
pub mod buffer;
pub mod format;
pub mod memoryview;
pub mod venv;
pub mod import;
pub mod interchange;
