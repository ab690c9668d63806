//! [`Export`]: one export of an object's memory, released when dropped.

use std::ffi::CStr;
use std::fmt;

use super::geometry::Order;
use super::handle::Object;
use super::object::pepkit_object;
use super::{copy, geometry, pepkit_buffer};
use crate::error::{Error, Result};

/// One export of an object's memory ([`Object::export`]): CPython's
/// `Py_buffer` as a guard. While it lives, the memory it describes stays
/// valid and the object counts it ([`Object::exports`]; a bytearray cannot be
/// resized); dropping it is `releasebuffer`.
///
/// The description (format, shape, strides, suboffsets) is what the request
/// asked for, as CPython narrows it: without [`Flags::ND`](crate::Flags::ND)
/// there is no shape (one dimension of `len / itemsize` items), without
/// `STRIDES` no strides (C-contiguous), without `FORMAT` no format
/// (unsigned bytes).
///
/// The memory is reached only by copying ([`to_contiguous`](Self::to_contiguous),
/// [`from_contiguous`](Self::from_contiguous), [`item`](Self::item)), never
/// through a Rust reference: the memory of a writable export is shared with
/// every other export of the same object, in Rust and in C, any of which may
/// write it. Concurrent writes to the same bytes from two threads race, as
/// they would in C; order them as the owner of the memory requires.
///
/// ```
/// use pepkit::{Flags, Object, Order};
///
/// let obj = Object::ndarray("<H", &[2, 2], Order::F, false)?;
/// let export = obj.export(Flags::FULL)?;
/// assert!(export.is_contiguous(Order::F)? && !export.is_contiguous(Order::C)?);
/// // Items 1, 2, 3, 4 in C order land in Fortran order in memory.
/// export.from_contiguous(&[1, 0, 2, 0, 3, 0, 4, 0], Order::C)?;
/// assert_eq!(export.to_contiguous(Order::F)?, [1, 0, 3, 0, 2, 0, 4, 0]);
/// assert_eq!(export.item(&[1, 0])?, [3, 0]);
/// # Ok::<(), pepkit::Error>(())
/// ```
pub struct Export {
    view: pepkit_buffer,
    /// Where `view` was filled in: an exporter may point its shape or
    /// strides into the struct itself (PyBuffer_FillInfo does), and such
    /// pointers are resolved against where the struct is now.
    origin: usize,
}

// SAFETY: an export is a counted reference to a thread-safe object plus a
// description of memory its exporter made shareable between threads.
unsafe impl Send for Export {}
// SAFETY: every method reads the description only.
unsafe impl Sync for Export {}

impl Export {
    /// Takes over the export `view` holds.
    ///
    /// # Safety
    /// `view` must hold a live export (getbuffer filled it) that nothing
    /// else will release.
    #[inline]
    pub(crate) unsafe fn take(view: &pepkit_buffer) -> Export {
        Export { view: *view, origin: view as *const pepkit_buffer as usize }
    }

    /// Moves the export into `slot` (its pointers following it): `slot`
    /// then holds the export and must be released as a `pepkit_buffer`.
    pub(crate) fn into_buffer(self, slot: &mut pepkit_buffer) {
        let this = std::mem::ManuallyDrop::new(self);
        *slot = this.view;
        super::rebase_from(slot, this.origin);
    }

    /// Calls `f` with the export's struct where its self-pointers are valid.
    pub(crate) fn with_buffer<R>(&self, f: impl FnOnce(&pepkit_buffer) -> R) -> R {
        let mut view = self.view;
        super::rebase_from(&mut view, self.origin);
        f(&view)
    }

    /// One of the export's arrays, resolved against where the struct is now.
    fn array(&self, p: *mut isize) -> Option<&[isize]> {
        if p.is_null() || self.view.ndim <= 0 {
            return None;
        }
        let size = std::mem::size_of::<pepkit_buffer>();
        let addr = p as usize;
        let p = if (self.origin..self.origin + size).contains(&addr) {
            (&self.view as *const pepkit_buffer).cast::<u8>().wrapping_add(addr - self.origin).cast::<isize>()
        } else {
            p.cast_const()
        };
        // SAFETY: the exporter keeps ndim entries there until release (a
        // self-pointer now points at the same fields of this struct).
        unsafe { crate::mem::slice(p, self.view.ndim as usize) }
    }

    /// product(shape) * itemsize: the bytes the export describes.
    pub fn len(&self) -> usize {
        self.view.len.max(0) as usize
    }

    /// Whether the export describes no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per item (real even when there is no format).
    pub fn itemsize(&self) -> usize {
        self.view.itemsize.max(0) as usize
    }

    /// Whether the memory must not be written.
    pub fn readonly(&self) -> bool {
        self.view.readonly != 0
    }

    /// The number of dimensions (1 without [`Flags::ND`](crate::Flags::ND)).
    pub fn ndim(&self) -> usize {
        self.view.ndim.max(0) as usize
    }

    /// The struct-module format of one item; `"B"` when the request did not
    /// ask for one.
    pub fn format(&self) -> &[u8] {
        if self.view.format.is_null() {
            return b"B";
        }
        // SAFETY: a NUL-terminated string the exporter keeps until release.
        unsafe { CStr::from_ptr(self.view.format) }.to_bytes()
    }

    /// The extent of each dimension; None without
    /// [`Flags::ND`](crate::Flags::ND) (then the export is 1-D) or for 0
    /// dimensions.
    pub fn shape(&self) -> Option<&[isize]> {
        self.array(self.view.shape)
    }

    /// The byte step of each dimension; None without `STRIDES` (then the
    /// memory is C-contiguous) or for 0 dimensions.
    pub fn strides(&self) -> Option<&[isize]> {
        self.array(self.view.strides)
    }

    /// PIL-style suboffsets (a negative entry: no indirection in that
    /// dimension); None when the memory has none.
    pub fn suboffsets(&self) -> Option<&[isize]> {
        self.array(self.view.suboffsets)
    }

    /// A new reference to the exporter.
    pub fn object(&self) -> Object {
        // SAFETY: the export holds a reference to `view.obj`, so it is live;
        // the clone counts one of its own.
        unsafe { super::Object::borrow(std::ptr::NonNull::new_unchecked(self.view.obj)) }.clone()
    }

    /// `PyBuffer_IsContiguous`: whether the memory is contiguous in `order`
    /// (never with suboffsets, always when empty). Fails with ValueError for
    /// a malformed description (only an exporter written in C can make one).
    pub fn is_contiguous(&self, order: Order) -> Result<bool> {
        // SAFETY: a live export's arrays hold ndim entries.
        self.with_buffer(|view| unsafe { geometry::is_contiguous(view, order) })
    }

    /// `PyBuffer_ToContiguous`: a copy of all the bytes in `order` ([`Order::Any`]:
    /// as they lie if the memory is C- or Fortran-contiguous, else C order).
    /// MemoryError when the copy cannot be allocated.
    pub fn to_contiguous(&self, order: Order) -> Result<Vec<u8>> {
        let mut out = crate::mem::zeroed(self.len(), "a contiguous copy of an export")?;
        self.to_contiguous_into(&mut out, order)?;
        Ok(out)
    }

    /// As [`to_contiguous`](Self::to_contiguous), into `dst`, whose length
    /// must be [`len`](Self::len) (ValueError otherwise).
    pub fn to_contiguous_into(&self, dst: &mut [u8], order: Order) -> Result<()> {
        // SAFETY: the export keeps the memory readable until release.
        self.with_buffer(|view| unsafe { copy::to_contiguous(dst, view, order) })
    }

    /// `PyBuffer_FromContiguous`: fills the memory from the dense bytes
    /// `src` laid out in `order` ([`Order::F`] Fortran, else C). A longer
    /// `src` is cut to [`len`](Self::len); a shorter one fills the first
    /// `src.len() / itemsize` items. TypeError for a read-only export.
    pub fn from_contiguous(&self, src: &[u8], order: Order) -> Result<()> {
        // SAFETY: the export keeps the memory valid until release, and it
        // is writable unless the export says otherwise (refused then).
        self.with_buffer(|view| unsafe { copy::from_contiguous(view, src, order) })
    }

    /// A copy of the bytes of the item at `indices` (one per dimension, each
    /// within its extent: IndexError otherwise; negative indices do not
    /// wrap), following suboffsets, as `PyBuffer_GetPointer` finds it.
    pub fn item(&self, indices: &[isize]) -> Result<Vec<u8>> {
        let n = self.itemsize();
        let mut out = crate::mem::zeroed(n, "an item")?;
        self.with_buffer(|view| {
            // SAFETY: the export keeps its memory (and what its suboffsets
            // lead to) readable until release.
            let p = unsafe { copy::get_pointer(view, indices) }?;
            if n > 0 && p.is_null() {
                return Err(crate::mem::null_data(n));
            }
            // SAFETY: `p` addresses one item of `n` bytes inside the export.
            unsafe { std::ptr::copy_nonoverlapping(p, out.as_mut_ptr(), n) };
            Ok::<(), Error>(())
        })?;
        Ok(out)
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        let origin = self.origin;
        super::rebase_from(&mut self.view, origin);
        // SAFETY: the export holds its reference, given up here; a refused
        // release (the object counts no export) changes nothing.
        let _ = unsafe { pepkit_object::releasebuffer(&mut self.view) };
    }
}

impl fmt::Debug for Export {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Export")
            .field("len", &self.len())
            .field("itemsize", &self.itemsize())
            .field("readonly", &self.readonly())
            .field("format", &String::from_utf8_lossy(self.format()))
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .field("suboffsets", &self.suboffsets())
            .finish()
    }
}
