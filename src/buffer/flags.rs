//! What a consumer asks of an export: CPython's `PyBUF_*` request flags as a
//! typed value. (Their C names, `PEPKIT_BUF_*`, are spelled in the C skin,
//! `ffi/src/consts.rs`.)

use std::ffi::c_int;
use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// The raw bits, for the request rules (`request.rs`) and the C skin.
pub(crate) mod bits {
    use std::ffi::c_int;

    pub(crate) const WRITABLE: c_int = 0x0001;
    pub(crate) const FORMAT: c_int = 0x0004;
    pub(crate) const ND: c_int = 0x0008;
    pub(crate) const STRIDES: c_int = 0x0010 | ND;
    pub(crate) const C_CONTIGUOUS: c_int = 0x0020 | STRIDES;
    pub(crate) const F_CONTIGUOUS: c_int = 0x0040 | STRIDES;
    pub(crate) const ANY_CONTIGUOUS: c_int = 0x0080 | STRIDES;
    pub(crate) const INDIRECT: c_int = 0x0100 | STRIDES;
    pub(crate) const FULL_RO: c_int = INDIRECT | FORMAT;
    /// Read access: an argument of `pepkit_memoryview_from_memory`, never a
    /// getbuffer request.
    pub(crate) const READ: c_int = 0x100;
    /// Write access, as [`READ`].
    pub(crate) const WRITE: c_int = 0x200;
}

/// A buffer request: what [`Object::export`](crate::Object::export) must
/// provide, with the values and meaning of CPython's `PyBUF_*` flags.
///
/// The basic flags combine with `|`; the named combinations are CPython's
/// ([`Flags::FULL_RO`] is what `memoryview(obj)` asks for).
///
/// ```
/// use pepkit::Flags;
///
/// let request = Flags::STRIDES | Flags::FORMAT;
/// assert_eq!(request, Flags::RECORDS_RO);
/// assert!(Flags::FULL.contains(Flags::WRITABLE));
/// assert_eq!(Flags::FULL_RO.bits(), 284);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(c_int);

impl Flags {
    /// Plain bytes: no format (unsigned bytes), no shape, no strides, and the
    /// memory must be C-contiguous.
    pub const SIMPLE: Flags = Flags(0);
    /// The consumer will write; a read-only exporter refuses.
    pub const WRITABLE: Flags = Flags(bits::WRITABLE);
    /// The consumer wants the format (otherwise it gets none: unsigned bytes).
    pub const FORMAT: Flags = Flags(bits::FORMAT);
    /// The consumer wants the shape (otherwise the export is 1-D, shape
    /// unset).
    pub const ND: Flags = Flags(bits::ND);
    /// The consumer wants strides (implies [`ND`](Self::ND)).
    pub const STRIDES: Flags = Flags(bits::STRIDES);
    /// The memory must be C-contiguous (implies [`STRIDES`](Self::STRIDES)).
    pub const C_CONTIGUOUS: Flags = Flags(bits::C_CONTIGUOUS);
    /// The memory must be Fortran-contiguous (implies `STRIDES`).
    pub const F_CONTIGUOUS: Flags = Flags(bits::F_CONTIGUOUS);
    /// The memory must be C- or Fortran-contiguous (implies `STRIDES`).
    pub const ANY_CONTIGUOUS: Flags = Flags(bits::ANY_CONTIGUOUS);
    /// The consumer can follow suboffsets (implies `STRIDES`).
    pub const INDIRECT: Flags = Flags(bits::INDIRECT);
    /// `ND | WRITABLE`.
    pub const CONTIG: Flags = Flags(bits::ND | bits::WRITABLE);
    /// `ND`.
    pub const CONTIG_RO: Flags = Flags(bits::ND);
    /// `STRIDES | WRITABLE`.
    pub const STRIDED: Flags = Flags(bits::STRIDES | bits::WRITABLE);
    /// `STRIDES`.
    pub const STRIDED_RO: Flags = Flags(bits::STRIDES);
    /// `STRIDES | WRITABLE | FORMAT`.
    pub const RECORDS: Flags = Flags(bits::STRIDES | bits::WRITABLE | bits::FORMAT);
    /// `STRIDES | FORMAT`.
    pub const RECORDS_RO: Flags = Flags(bits::STRIDES | bits::FORMAT);
    /// `INDIRECT | WRITABLE | FORMAT`: everything, writable.
    pub const FULL: Flags = Flags(bits::INDIRECT | bits::WRITABLE | bits::FORMAT);
    /// `INDIRECT | FORMAT`: everything.
    pub const FULL_RO: Flags = Flags(bits::FULL_RO);

    /// The flags of a C caller's `int`, as they are (the request rules
    /// judge them when they are used).
    #[inline]
    pub const fn from_bits(bits: c_int) -> Flags {
        Flags(bits)
    }

    /// The C `int` of these flags.
    #[inline]
    pub const fn bits(self) -> c_int {
        self.0
    }

    /// Whether every bit of `other` is set here.
    #[inline]
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Flags {
    type Output = Flags;

    #[inline]
    fn bitor(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
}

impl BitOrAssign for Flags {
    #[inline]
    fn bitor_assign(&mut self, other: Flags) {
        self.0 |= other.0;
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flags({:#x})", self.0)
    }
}
