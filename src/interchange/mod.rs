//! Interchange with the array ecosystem: DLPack (versioned 1.x and legacy)
//! and the Arrow C Data Interface, both ways, zero-copy; and the mapping of
//! struct-module formats to DLPack dtypes and Arrow formats.
//!
//! An export ([`DlpackTensor::export`], [`ArrowExport::export`]) holds one
//! export of the object until the consumer's deleter or release runs: for a
//! Rust owner, when the value is dropped. An import ([`DlpackTensor::into_object`],
//! [`ArrowExport::into_object`]; from C structs, `pepkit::raw`) gives an
//! object whose memory is the producer's, and runs the producer's deleter or
//! release exactly once, when the object's last reference and export are
//! gone.
//!
//! ```
//! use pepkit::interchange::{ArrowExport, DlpackTensor};
//! use pepkit::{Flags, MemoryView, Object, Order};
//!
//! let array = Object::ndarray("f", &[2, 3], Order::F, false)?;
//! let tensor = DlpackTensor::export(&array, Flags::SIMPLE)?;
//! assert_eq!((tensor.shape(), tensor.strides()), (&[2, 3][..], &[1, 2][..]));
//! assert_eq!((tensor.dtype().code, tensor.dtype().bits, tensor.readonly()), (2, 32, false));
//! assert_eq!(array.exports(), 1);
//! // Back in as an exporter: the tensor's memory, the tensor's deleter.
//! let again = MemoryView::new(&tensor.into_object()?)?;
//! let view = again.lock()?;
//! assert_eq!((view.format(), view.shape(), view.nbytes()), (&b"f"[..], &[2, 3][..], 24));
//! drop(view);
//! // Arrow wants C order.
//! assert!(ArrowExport::export(&array).is_err());
//! let rows = ArrowExport::export(&Object::ndarray("<q", &[4], Order::C, true)?)?;
//! assert_eq!((rows.format(), rows.len()), (&b"l"[..], 4));
//! # Ok::<(), pepkit::Error>(())
//! ```

pub(crate) mod abi;
pub(crate) mod arrow;
pub(crate) mod dlpack;
mod dtype;

use std::ffi::CStr;
use std::ptr::NonNull;

use crate::buffer::{pepkit_buffer, Flags, Geometry, Object};
use crate::error::Result;

pub use abi::{DLDataType, DLDevice};
pub use dtype::{from_arrow, from_dlpack, to_arrow, to_dlpack};

use abi::{ArrowArray, ArrowSchema, DLManagedTensor, DLManagedTensorVersioned, DLTensor};

/// The item format of an export: NULL means unsigned bytes, as in CPython
/// (a custom exporter may leave it NULL).
///
/// # Safety
/// A non-NULL `view.format` must be a NUL-terminated string.
pub(crate) unsafe fn format_of(view: &pepkit_buffer) -> &[u8] {
    if view.format.is_null() {
        b"B"
    } else {
        // SAFETY: as the caller guarantees.
        unsafe { CStr::from_ptr(view.format) }.to_bytes()
    }
}

/// Calls `f` with an export's shape and strides. pepkit's own objects fill
/// both; a custom exporter may leave them NULL, and then they are derived as
/// `Geometry` does (C order, or the whole length as one dimension).
///
/// # Safety
/// `view` must be a live export.
pub(crate) unsafe fn with_dims<R>(view: &pepkit_buffer, f: impl FnOnce(&[isize], &[isize]) -> Result<R>) -> Result<R> {
    let ndim = view.ndim.max(0) as usize;
    if ndim == 0 {
        return f(&[], &[]);
    }
    if !view.shape.is_null() && !view.strides.is_null() {
        // SAFETY: a live export's shape and strides hold ndim entries each.
        let (shape, strides) = unsafe { (std::slice::from_raw_parts(view.shape, ndim), std::slice::from_raw_parts(view.strides, ndim)) };
        return f(shape, strides);
    }
    // SAFETY: as above.
    let g = unsafe { Geometry::of(view) }?;
    f(g.shape(), g.strides())
}

/// A DLPack managed tensor this program owns, of either struct
/// ([`DlpackTensor`], [`LegacyDlpackTensor`]): its deleter runs when it is
/// dropped, exactly once.
pub struct Dlpack<T: Tensor> {
    managed: NonNull<T>,
}

/// A DLPack 1.x managed tensor (`DLManagedTensorVersioned`) this program owns.
pub type DlpackTensor = Dlpack<DLManagedTensorVersioned>;

/// A legacy (unversioned) DLPack managed tensor (`DLManagedTensor`): as
/// [`DlpackTensor`], without a read-only flag (read-only memory is refused
/// on export).
pub type LegacyDlpackTensor = Dlpack<DLManagedTensor>;

/// The two managed-tensor structs (`DLManagedTensorVersioned`,
/// `DLManagedTensor`); implemented by no other type.
pub trait Tensor: dlpack::Managed + 'static {}
impl Tensor for DLManagedTensorVersioned {}
impl Tensor for DLManagedTensor {}

// SAFETY: DLPack lets a tensor's deleter run on any thread, and the tensor
// is only read while owned.
unsafe impl<T: Tensor> Send for Dlpack<T> {}
// SAFETY: every method reads only.
unsafe impl<T: Tensor> Sync for Dlpack<T> {}

impl<T: Tensor> Dlpack<T> {
    /// Exports `exporter`'s memory as a tensor, without copying: one
    /// `flags | FULL_RO` export of it ([`Flags::WRITABLE`] to demand writable
    /// memory, or a contiguity flag) held until the tensor is dropped. The
    /// device is kDLCPU 0, strides count items. Refused (BufferError or
    /// ValueError) for suboffsets, byte strides that are not a multiple of
    /// the itemsize, a non-native byte order, formats with no dtype
    /// ([`to_dlpack`]), and read-only memory for a legacy tensor.
    pub fn export(exporter: &Object, flags: Flags) -> Result<Dlpack<T>> {
        let raw = dlpack::export::<T>(exporter, flags.bits())?;
        // SAFETY: a fresh tensor pepkit made, owned by the caller.
        Ok(Dlpack { managed: unsafe { NonNull::new_unchecked(raw) } })
    }

    /// Takes ownership of a tensor a C producer (or pepkit) made.
    ///
    /// # Safety
    /// `managed` must be a valid managed tensor per the DLPack ABI, owned by
    /// the caller (whose duty to call the deleter passes to this value).
    #[cfg(feature = "raw")]
    pub(crate) unsafe fn from_raw(managed: NonNull<T>) -> Dlpack<T> {
        Dlpack { managed }
    }

    /// Hands the tensor over as its C pointer; the caller must run its
    /// deleter.
    #[cfg(feature = "raw")]
    pub(crate) fn into_raw(self) -> *mut T {
        std::mem::ManuallyDrop::new(self).managed.as_ptr()
    }

    fn tensor(&self) -> &DLTensor {
        // SAFETY: an owned, valid tensor.
        unsafe { self.managed.as_ref() }.tensor()
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.tensor().ndim.max(0) as usize
    }

    /// The extents.
    pub fn shape(&self) -> &[i64] {
        let t = self.tensor();
        // SAFETY: a valid tensor's shape holds ndim entries.
        unsafe { crate::mem::slice(t.shape, self.ndim()) }.unwrap_or(&[])
    }

    /// The strides, in items; empty for a tensor that leaves them out
    /// (C-contiguous).
    pub fn strides(&self) -> &[i64] {
        let t = self.tensor();
        if t.strides.is_null() {
            return &[];
        }
        // SAFETY: non-NULL strides of a valid tensor hold ndim entries.
        unsafe { crate::mem::slice(t.strides, self.ndim()) }.unwrap_or(&[])
    }

    /// The item type.
    pub fn dtype(&self) -> DLDataType {
        self.tensor().dtype
    }

    /// Where the memory is.
    pub fn device(&self) -> DLDevice {
        self.tensor().device
    }

    /// Bytes from the data pointer to the first item.
    pub fn byte_offset(&self) -> u64 {
        self.tensor().byte_offset
    }

    /// Whether the memory must not be written (always false for a legacy
    /// tensor, which cannot say).
    pub fn readonly(&self) -> bool {
        // SAFETY: an owned, valid tensor.
        T::readonly(unsafe { self.managed.as_ref() })
    }

    /// The tensor as an exporter (kind "wrap") of its memory: `byte_offset`
    /// applied, strides in bytes, read-only when the tensor says so. Its
    /// deleter runs when the object's last reference and export are gone. A
    /// tensor that cannot be taken in (a device the CPU cannot read, a dtype
    /// with no struct format, ...) is refused, and dropped: its deleter runs.
    pub fn into_object(self) -> Result<Object> {
        // SAFETY: an owned, valid tensor: on success the object owns it.
        let object = unsafe { T::import(self.managed.as_ptr()) }?;
        std::mem::forget(self);
        Ok(object)
    }
}

impl<T: Tensor> Drop for Dlpack<T> {
    fn drop(&mut self) {
        let raw = self.managed.as_ptr();
        // SAFETY: the tensor is owned here; its deleter runs once, now.
        if let Some(deleter) = unsafe { self.managed.as_ref() }.deleter() {
            // SAFETY: as above.
            unsafe { deleter(raw) };
        }
    }
}

impl<T: Tensor> std::fmt::Debug for Dlpack<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dlpack")
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .field("dtype", &self.dtype())
            .field("readonly", &self.readonly())
            .finish()
    }
}

/// An Arrow C Data Interface schema and array this program owns: both are
/// released when it is dropped, exactly once each.
pub struct ArrowExport {
    schema: ArrowSchema,
    array: ArrowArray,
}

// SAFETY: Arrow release callbacks may run on any thread; the structs are
// only read while owned.
unsafe impl Send for ArrowExport {}
// SAFETY: every method reads only.
unsafe impl Sync for ArrowExport {}

impl ArrowExport {
    /// Exports `exporter`'s memory, without copying: a 1-D C-contiguous
    /// array becomes an Arrow primitive (or `w:N` fixed-size binary), an N-d
    /// C-contiguous one the canonical `arrow.fixed_shape_tensor` extension
    /// type (the first dimension as rows, metadata as pyarrow writes it).
    /// The array holds one [`Flags::FULL_RO`] export until released.
    /// Refused (BufferError or ValueError): 0-dim arrays, non-C-contiguous
    /// layouts, suboffsets, misaligned data, `?` and non-native byte order.
    pub fn export(exporter: &Object) -> Result<ArrowExport> {
        let (schema, array) = arrow::export(exporter)?;
        Ok(ArrowExport { schema, array })
    }

    /// Takes ownership of a schema and an array (each released when this
    /// value is dropped, if its `release` is set).
    ///
    /// # Safety
    /// Both structs must be valid per the Arrow C Data Interface and owned
    /// by the caller.
    #[cfg(feature = "raw")]
    pub(crate) unsafe fn from_raw(schema: ArrowSchema, array: ArrowArray) -> ArrowExport {
        ArrowExport { schema, array }
    }

    /// Hands both structs over; the caller must release them.
    #[cfg(feature = "raw")]
    pub(crate) fn into_raw(self) -> (ArrowSchema, ArrowArray) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: moved out of a value that is never dropped.
        unsafe { (std::ptr::read(&this.schema), std::ptr::read(&this.array)) }
    }

    /// The schema's format string ("l", "+w:6", ...).
    pub fn format(&self) -> &[u8] {
        if self.schema.format.is_null() {
            return b"";
        }
        // SAFETY: a valid schema's format is a NUL-terminated string.
        unsafe { CStr::from_ptr(self.schema.format) }.to_bytes()
    }

    /// The array's length: items, or rows of a fixed-size list.
    pub fn len(&self) -> usize {
        self.array.length.max(0) as usize
    }

    /// Whether the array has no items (or rows).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The array as an exporter (kind "wrap", read-only): 1-D for
    /// primitives (`Ns` for `w:N`), N-d for `arrow.fixed_shape_tensor`, 2-D
    /// for other fixed-size lists. The schema is released at once, the array
    /// when the object's last reference and export are gone. An array that
    /// cannot be taken in (nulls, dictionaries, booleans, variable-size
    /// types, misaligned data, ...) is refused, and both are released.
    pub fn into_object(mut self) -> Result<Object> {
        // SAFETY: both structs are owned and valid; on success import has
        // moved them out (their release is NULL), on failure left them.
        unsafe { arrow::import(&mut self.schema, &mut self.array) }
    }
}

impl Drop for ArrowExport {
    fn drop(&mut self) {
        if let Some(release) = self.schema.release {
            // SAFETY: owned here; released once.
            unsafe { release(&mut self.schema) };
        }
        if let Some(release) = self.array.release {
            // SAFETY: as above.
            unsafe { release(&mut self.array) };
        }
    }
}

impl std::fmt::Debug for ArrowExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrowExport")
            .field("format", &String::from_utf8_lossy(self.format()))
            .field("len", &self.len())
            .finish()
    }
}
