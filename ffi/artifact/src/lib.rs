//! The C library: `libpepkit.so` and `libpepkit.a` hold every `extern "C"`
//! function of `pepkit-ffi` (re-exported here so the linker keeps them), and
//! the build script generates `include/pepkit.h` from that crate.

pub use pepkit_ffi::*;
