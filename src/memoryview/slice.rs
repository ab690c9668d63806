//! [`Slice`]: one `start:stop:step` of Python's slicing.

use super::view::{pepkit_slice, PEPKIT_NONE};

/// One slice `start:stop:step` of a dimension, as Python's `slice`: `None`
/// for an omitted part, negative indices counting from the end, bounds
/// clamped to the extent, a step of 0 refused (ValueError).
///
/// Ranges convert: `2..5`, `2..`, `..5` and `..` are the slices of step 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Slice {
    /// The first index, or None for the start (the end when `step` is negative).
    pub start: Option<isize>,
    /// The index to stop before, or None for past the end (before the start
    /// when `step` is negative).
    pub stop: Option<isize>,
    /// The distance between indices; None means 1.
    pub step: Option<isize>,
}

impl Slice {
    /// The whole dimension, `::`.
    pub const ALL: Slice = Slice { start: None, stop: None, step: None };

    /// `start:stop:step`.
    pub const fn new(start: Option<isize>, stop: Option<isize>, step: Option<isize>) -> Slice {
        Slice { start, stop, step }
    }

    /// `::-1`: the whole dimension backwards.
    pub const fn reversed() -> Slice {
        Slice { start: None, stop: None, step: Some(-1) }
    }
}

impl From<std::ops::Range<isize>> for Slice {
    fn from(r: std::ops::Range<isize>) -> Slice {
        Slice::new(Some(r.start), Some(r.end), None)
    }
}

impl From<std::ops::RangeFrom<isize>> for Slice {
    fn from(r: std::ops::RangeFrom<isize>) -> Slice {
        Slice::new(Some(r.start), None, None)
    }
}

impl From<std::ops::RangeTo<isize>> for Slice {
    fn from(r: std::ops::RangeTo<isize>) -> Slice {
        Slice::new(None, Some(r.end), None)
    }
}

impl From<std::ops::RangeFull> for Slice {
    fn from(_: std::ops::RangeFull) -> Slice {
        Slice::ALL
    }
}

impl From<pepkit_slice> for Slice {
    /// The C slice: PEPKIT_NONE is None.
    fn from(s: pepkit_slice) -> Slice {
        let part = |v: isize| (v != PEPKIT_NONE).then_some(v);
        Slice::new(part(s.start), part(s.stop), part(s.step))
    }
}
