//! The struct-module format language.

use std::ffi::c_char;

use super::{arg_cstr, arg_out, guard, pepkit_status};
use pepkit::format;
use pepkit::raw::pepkit_ssize;

/// struct.calcsize: stores in `*out` the size in bytes of one item of
/// `format` (all of the struct module's syntax: `@=<>!` prefixes, repeat
/// counts, whitespace between items, `x`, `s`, `p`, `?`, `e`, and `n`/`N`/`P`
/// in native mode only). A format struct rejects fails with PEPKIT_ERR_VALUE
/// ("bad char in struct format", "repeat count given without format
/// specifier"); a size beyond Py_ssize_t with PEPKIT_ERR_OVERFLOW. `format` is
/// borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_format_calcsize(format: *const c_char, out: *mut pepkit_ssize) -> pepkit_status {
    guard("pepkit_format_calcsize", || {
        // SAFETY: a non-NULL `format` is NUL-terminated.
        let format = unsafe { arg_cstr(format, "format") }?;
        let out = arg_out(out, "out")?;
        let size = format::calcsize(format.to_bytes())?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(size as pepkit_ssize) };
        Ok(())
    })
}
