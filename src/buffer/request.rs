//! CPython's getbuffer request rules, applied in CPython's order to a fully
//! described export (reference/buffer-protocol.md §1).

use std::ffi::c_int;
use std::ptr;

use super::bits::{ANY_CONTIGUOUS, C_CONTIGUOUS, FORMAT, F_CONTIGUOUS, INDIRECT, ND, READ, STRIDES, WRITABLE, WRITE};
use super::{pepkit_buffer, ObjectKind};
use crate::error::{Error, Result};

/// Which of CPython's exporters an object behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// bytes and bytearray: `PyBuffer_FillInfo`, which never refuses a
    /// contiguity request and hands out a bare `ndim = 1` view for FORMAT
    /// without ND.
    FillInfo,
    /// `_testbuffer.ndarray`'s rules: the general exporter.
    NdArray,
    /// memoryview's own getbuffer: the ndarray rules with its messages.
    MemoryView,
}

/// What the rules need to know about an export beyond its fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Traits {
    /// The exporter, named in messages ("ndarray", "wrap", ...) only when a
    /// request is refused: the name is not looked up on the hot path.
    pub kind: ObjectKind,
    pub style: Style,
    pub c_contiguous: bool,
    pub f_contiguous: bool,
    /// The export carries suboffsets.
    pub pil: bool,
}

#[inline]
fn requested(flags: c_int, what: c_int) -> bool {
    flags & what == what
}

/// `PEPKIT_BUF_READ`/`_WRITE` alone are `pepkit_memoryview_from_memory`
/// arguments, not requests; CPython 3.13 refuses them the same way (gh-114685).
pub(crate) fn reject_access_flags(flags: c_int) -> Result<()> {
    if flags == READ || flags == WRITE {
        return Err(Error::value(format!(
            "bad request flags {flags:#x}: PEPKIT_BUF_READ and PEPKIT_BUF_WRITE are only for pepkit_memoryview_from_memory"
        )));
    }
    Ok(())
}

/// Checks a request against an export, in CPython's order, without touching
/// the export: `readonly` and `has_format` describe the full description
/// before narrowing. Fails with CPython's BufferError.
#[inline]
pub(crate) fn check(readonly: bool, has_format: bool, flags: c_int, t: &Traits) -> Result<()> {
    if flags & WRITABLE != 0 && readonly {
        return Err(refusal(t, "is not writable"));
    }
    // (Without FORMAT, the format is dropped here; `narrow` does it.)
    let has_format = has_format && flags & FORMAT != 0;
    if requested(flags, C_CONTIGUOUS) && !t.c_contiguous {
        return Err(refusal(t, "is not C-contiguous"));
    }
    if requested(flags, F_CONTIGUOUS) && !t.f_contiguous {
        return Err(refusal(t, "is not Fortran contiguous"));
    }
    if requested(flags, ANY_CONTIGUOUS) && !t.c_contiguous && !t.f_contiguous {
        return Err(refusal(t, "is not contiguous"));
    }
    if !requested(flags, INDIRECT) && t.pil {
        return Err(match t.style {
            Style::MemoryView => Error::buffer("memoryview: underlying buffer requires suboffsets"),
            _ => Error::buffer(format!("{} cannot be represented without suboffsets", t.kind.name())),
        });
    }
    if !requested(flags, STRIDES) && !t.c_contiguous {
        return Err(refusal(t, "is not C-contiguous"));
    }
    if !requested(flags, ND) && t.style != Style::FillInfo && has_format {
        return Err(Error::buffer(format!(
            "{}: cannot cast to unsigned bytes if the format flag is present",
            t.kind.name()
        )));
    }
    Ok(())
}

/// "<exporter> <what>" in the wording of the exporter CPython would use.
#[cold]
fn refusal(t: &Traits, what: &str) -> Error {
    match t.style {
        Style::FillInfo if what == "is not writable" => Error::buffer("Object is not writable."),
        Style::MemoryView => Error::buffer(format!("memoryview: underlying buffer {what}")),
        _ => Error::buffer(format!("{} {what}", t.kind.name())),
    }
}

/// Narrows a full description to what an accepted request asks for: no
/// format without FORMAT, no strides without STRIDES, and a bare `ndim = 1`
/// without ND.
#[inline]
pub(crate) fn narrow(view: &mut pepkit_buffer, flags: c_int) {
    if flags & FORMAT == 0 {
        view.format = ptr::null_mut();
    }
    if !requested(flags, STRIDES) {
        view.strides = ptr::null_mut();
    }
    if !requested(flags, ND) {
        view.ndim = 1;
        view.shape = ptr::null_mut();
    }
}
