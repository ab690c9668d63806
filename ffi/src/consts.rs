//! The C names of the safe crate's constants: the buffer request flags
//! (`PEPKIT_BUF_*`, CPython's `PyBUF_*` values) and `PEPKIT_NONE`.
//!
//! cbindgen emits only this crate's constants, so the C names are spelled
//! here; the unit test below holds them equal to the safe crate's.

use std::ffi::c_int;

/// The most dimensions a buffer may have, as CPython's `PyBUF_MAX_NDIM`.
pub const PEPKIT_BUF_MAX_NDIM: c_int = 64;

/// Request flags for `pepkit_getbuffer`: the values of CPython's `PyBUF_*`.
pub const PEPKIT_BUF_SIMPLE: c_int = 0;
/// The consumer will write; a read-only exporter refuses.
pub const PEPKIT_BUF_WRITABLE: c_int = 0x0001;
/// Alias of PEPKIT_BUF_WRITABLE, as CPython's `PyBUF_WRITEABLE`.
pub const PEPKIT_BUF_WRITEABLE: c_int = PEPKIT_BUF_WRITABLE;
/// The consumer wants `format` filled in (otherwise it is NULL: unsigned bytes).
pub const PEPKIT_BUF_FORMAT: c_int = 0x0004;
/// The consumer wants `shape` (otherwise ndim is 1 and shape NULL).
pub const PEPKIT_BUF_ND: c_int = 0x0008;
/// The consumer wants `strides` (implies ND).
pub const PEPKIT_BUF_STRIDES: c_int = 0x0010 | PEPKIT_BUF_ND;
/// The buffer must be C-contiguous (implies STRIDES).
pub const PEPKIT_BUF_C_CONTIGUOUS: c_int = 0x0020 | PEPKIT_BUF_STRIDES;
/// The buffer must be Fortran-contiguous (implies STRIDES).
pub const PEPKIT_BUF_F_CONTIGUOUS: c_int = 0x0040 | PEPKIT_BUF_STRIDES;
/// The buffer must be C- or Fortran-contiguous (implies STRIDES).
pub const PEPKIT_BUF_ANY_CONTIGUOUS: c_int = 0x0080 | PEPKIT_BUF_STRIDES;
/// The consumer can follow `suboffsets` (implies STRIDES).
pub const PEPKIT_BUF_INDIRECT: c_int = 0x0100 | PEPKIT_BUF_STRIDES;
/// ND | WRITABLE.
pub const PEPKIT_BUF_CONTIG: c_int = PEPKIT_BUF_ND | PEPKIT_BUF_WRITABLE;
/// ND.
pub const PEPKIT_BUF_CONTIG_RO: c_int = PEPKIT_BUF_ND;
/// STRIDES | WRITABLE.
pub const PEPKIT_BUF_STRIDED: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_WRITABLE;
/// STRIDES.
pub const PEPKIT_BUF_STRIDED_RO: c_int = PEPKIT_BUF_STRIDES;
/// STRIDES | WRITABLE | FORMAT.
pub const PEPKIT_BUF_RECORDS: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_WRITABLE | PEPKIT_BUF_FORMAT;
/// STRIDES | FORMAT.
pub const PEPKIT_BUF_RECORDS_RO: c_int = PEPKIT_BUF_STRIDES | PEPKIT_BUF_FORMAT;
/// INDIRECT | WRITABLE | FORMAT.
pub const PEPKIT_BUF_FULL: c_int = PEPKIT_BUF_INDIRECT | PEPKIT_BUF_WRITABLE | PEPKIT_BUF_FORMAT;
/// INDIRECT | FORMAT.
pub const PEPKIT_BUF_FULL_RO: c_int = PEPKIT_BUF_INDIRECT | PEPKIT_BUF_FORMAT;
/// Read access, only for `pepkit_memoryview_from_memory` (never a getbuffer request).
pub const PEPKIT_BUF_READ: c_int = 0x100;
/// Write access, only for `pepkit_memoryview_from_memory` (never a getbuffer request).
pub const PEPKIT_BUF_WRITE: c_int = 0x200;

/// An omitted slice bound, as Python's `None` (`PTRDIFF_MIN`; the C macro is
/// defined in cbindgen.toml because cbindgen cannot spell `isize::MIN`).
pub const PEPKIT_NONE: isize = isize::MIN;

#[cfg(test)]
mod tests {
    use super::*;
    use pepkit::Flags;

    #[test]
    fn the_c_names_have_the_safe_crates_values() {
        let pairs = [
            (PEPKIT_BUF_SIMPLE, Flags::SIMPLE),
            (PEPKIT_BUF_WRITABLE, Flags::WRITABLE),
            (PEPKIT_BUF_WRITEABLE, Flags::WRITABLE),
            (PEPKIT_BUF_FORMAT, Flags::FORMAT),
            (PEPKIT_BUF_ND, Flags::ND),
            (PEPKIT_BUF_STRIDES, Flags::STRIDES),
            (PEPKIT_BUF_C_CONTIGUOUS, Flags::C_CONTIGUOUS),
            (PEPKIT_BUF_F_CONTIGUOUS, Flags::F_CONTIGUOUS),
            (PEPKIT_BUF_ANY_CONTIGUOUS, Flags::ANY_CONTIGUOUS),
            (PEPKIT_BUF_INDIRECT, Flags::INDIRECT),
            (PEPKIT_BUF_CONTIG, Flags::CONTIG),
            (PEPKIT_BUF_CONTIG_RO, Flags::CONTIG_RO),
            (PEPKIT_BUF_STRIDED, Flags::STRIDED),
            (PEPKIT_BUF_STRIDED_RO, Flags::STRIDED_RO),
            (PEPKIT_BUF_RECORDS, Flags::RECORDS),
            (PEPKIT_BUF_RECORDS_RO, Flags::RECORDS_RO),
            (PEPKIT_BUF_FULL, Flags::FULL),
            (PEPKIT_BUF_FULL_RO, Flags::FULL_RO),
        ];
        for (i, (c, rust)) in pairs.iter().enumerate() {
            assert_eq!(*c, rust.bits(), "pair {i}");
        }
        assert_eq!(PEPKIT_BUF_MAX_NDIM as usize, pepkit::MAX_NDIM);
        assert_eq!((PEPKIT_BUF_READ, PEPKIT_BUF_WRITE), (pepkit::raw::BUF_READ, pepkit::raw::BUF_WRITE));
        assert_eq!(PEPKIT_NONE, pepkit::raw::PEPKIT_NONE);
    }
}
