//! [`Object`]: one counted reference to an exporter, the safe face of the C
//! API's `pepkit_object *`; and [`Layout`], the shape of memory an object
//! exports from a Rust owner.

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;

use super::export::Export;
use super::flags::Flags;
use super::geometry::{contiguous_strides, Order};
use super::layout::{accept, check_array};
use super::object::{pepkit_object, ObjectKind};
use super::pepkit_buffer;
use crate::error::{Error, Result};

/// A reference to an exporter of memory: bytes, a bytearray, an ndarray, memory
/// owned elsewhere, a memoryview, or an exporter written in C.
///
/// Cloning adds a reference and dropping one releases it; the object is freed
/// when its last reference and last [`Export`] are gone. References and
/// exports are counted atomically, so an `Object` may be shared and sent
/// between threads.
///
/// ```
/// use pepkit::{Flags, Object, ObjectKind, Order};
///
/// let array = Object::ndarray("d", &[2, 3], Order::C, false)?;
/// assert_eq!(array.kind(), ObjectKind::NdArray);
/// let other = array.clone();
/// assert_eq!(array.refcount(), 2);
/// let export = other.export(Flags::FULL_RO)?;
/// assert_eq!(export.shape(), Some(&[2, 3][..]));
/// assert_eq!(export.strides(), Some(&[24, 8][..]));
/// assert_eq!(array.exports(), 1);
/// # Ok::<(), pepkit::Error>(())
/// ```
#[repr(transparent)]
pub struct Object {
    ptr: NonNull<pepkit_object>,
}

// SAFETY: pepkit_object is Send + Sync (atomic counts; its memory is
// shareable by construction), and an Object only ever touches it through
// shared references and atomic operations.
unsafe impl Send for Object {}
// SAFETY: as for Send.
unsafe impl Sync for Object {}

impl Object {
    /// Takes over one counted reference to `ptr`.
    ///
    /// # Safety
    /// `ptr` must be a live object and the caller must own the reference.
    #[inline]
    pub(crate) unsafe fn from_counted(ptr: NonNull<pepkit_object>) -> Object {
        Object { ptr }
    }

    /// Borrows the reference a C caller holds, without counting one.
    ///
    /// # Safety
    /// `ptr` must be a live object that stays alive for `'a`.
    #[inline]
    pub(crate) unsafe fn borrow<'a>(ptr: NonNull<pepkit_object>) -> Borrowed<'a> {
        Borrowed { handle: ManuallyDrop::new(Object { ptr }), _life: PhantomData }
    }

    /// The object's header.
    #[inline]
    pub(crate) fn core(&self) -> &pepkit_object {
        // SAFETY: this reference keeps the object alive.
        unsafe { self.ptr.as_ref() }
    }

    /// The C pointer of the object (not a new reference).
    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut pepkit_object {
        self.ptr.as_ptr()
    }

    /// Hands this reference over as a C pointer.
    #[cfg(feature = "raw")]
    #[inline]
    pub(crate) fn into_ptr(self) -> *mut pepkit_object {
        ManuallyDrop::new(self).ptr.as_ptr()
    }

    /// A new immutable bytes object holding a copy of `data`. Exports are
    /// read-only and follow CPython's bytes (`PyBuffer_FillInfo`).
    pub fn bytes(data: &[u8]) -> Result<Object> {
        pepkit_object::new_bytes(data)
    }

    /// A new bytearray holding a copy of `data`: writable, and resizable
    /// while not exported ([`resize`](Self::resize)).
    pub fn bytearray(data: &[u8]) -> Result<Object> {
        pepkit_object::new_bytearray(data)
    }

    /// A new zero-filled array pepkit owns: `shape` items of struct-module
    /// `format` (`"d"`, `"<i"`, `"2h"`, ...), laid out in [`Order::C`] or
    /// [`Order::F`], exported read-only when `readonly` is true. Fails with
    /// ValueError for a bad format, more than [`MAX_NDIM`](crate::MAX_NDIM)
    /// dimensions, a negative extent or order [`Order::Any`], OverflowError
    /// when the size does not fit, and MemoryError when it cannot be
    /// allocated.
    pub fn ndarray(format: impl AsRef<[u8]>, shape: &[isize], order: Order, readonly: bool) -> Result<Object> {
        pepkit_object::new_ndarray(format.as_ref(), shape, order, readonly)
    }

    /// An object exporting the bytes of `owner`, read-only, as `layout`
    /// describes them. The layout is checked against those bytes: every item
    /// an index can reach must lie inside them. `owner` is dropped when the
    /// object's last reference and export are gone (or at once, if the
    /// layout is refused).
    ///
    /// ```
    /// use pepkit::{Flags, Layout, Object, Order};
    ///
    /// let data: Vec<u8> = (0..12).collect();
    /// // Every other 2-byte item of the 12 bytes, backwards.
    /// let layout = Layout::new("H", &[3]).strides(&[-4]).offset(8);
    /// let obj = Object::from_owner(data, &layout)?;
    /// let export = obj.export(Flags::FULL_RO)?;
    /// assert_eq!(export.to_contiguous(Order::C)?, [8, 9, 4, 5, 0, 1]);
    /// assert!(Object::from_owner(vec![0u8; 4], &Layout::new("d", &[1])).is_err());
    /// # Ok::<(), pepkit::Error>(())
    /// ```
    pub fn from_owner<T>(owner: T, layout: &Layout<'_>) -> Result<Object>
    where
        T: AsRef<[u8]> + Send + Sync + 'static,
    {
        let owned = Owned::new(owner);
        // SAFETY: the owner was just boxed and is not shared; the bytes it
        // lends stay where they are until `owned` drops it.
        let bytes = unsafe { (*owned.0).as_ref() };
        let (base, size) = (bytes.as_ptr().cast_mut(), bytes.len());
        owned.wrap(layout, base, size, true)
    }

    /// As [`from_owner`](Self::from_owner), writable: consumers may write
    /// the bytes of `owner` through their exports.
    pub fn from_owner_mut<T>(owner: T, layout: &Layout<'_>) -> Result<Object>
    where
        T: AsMut<[u8]> + Send + Sync + 'static,
    {
        let owned = Owned::new(owner);
        // SAFETY: as in from_owner; nothing but the exports touches the
        // bytes until the owner is dropped.
        let bytes = unsafe { (*owned.0).as_mut() };
        let (base, size) = (bytes.as_mut_ptr(), bytes.len());
        owned.wrap(layout, base, size, false)
    }

    /// Resizes a bytearray to `new_len` bytes, keeping the first bytes and
    /// zeroing new ones. Resizing to the current length always succeeds.
    /// Fails with BufferError ("Existing exports of data: object cannot be
    /// re-sized") while any export is live, as CPython's bytearray does;
    /// with TypeError for any other kind; MemoryError or OverflowError when
    /// the size cannot be had. On failure nothing changes.
    pub fn resize(&self, new_len: usize) -> Result<()> {
        self.core().resize(new_len)
    }

    /// References to the object, one counted for each live export.
    pub fn refcount(&self) -> usize {
        self.core().refcount()
    }

    /// The object's live exports.
    pub fn exports(&self) -> usize {
        self.core().exports()
    }

    /// What kind of object this is.
    pub fn kind(&self) -> ObjectKind {
        self.core().kind()
    }

    /// Whether `self` and `other` are references to the same object.
    pub fn ptr_eq(&self, other: &Object) -> bool {
        self.ptr == other.ptr
    }

    /// Exports the object's memory as `flags` asks, with CPython's request
    /// rules in CPython's order: WRITABLE on read-only memory, a contiguity
    /// the memory lacks, suboffsets without INDIRECT, strides without STRIDES
    /// on memory that is not C-contiguous, and (but for bytes and bytearray)
    /// FORMAT without ND each fail with BufferError. The export ends when
    /// the [`Export`] is dropped.
    pub fn export(&self, flags: Flags) -> Result<Export> {
        let mut view = pepkit_buffer::zeroed();
        // SAFETY: this reference keeps the object alive.
        unsafe { pepkit_object::getbuffer(self.as_ptr(), &mut view, flags.bits()) }?;
        // SAFETY: getbuffer filled `view` with one export, handed over here.
        Ok(unsafe { Export::take(&view) })
    }
}

impl Clone for Object {
    #[inline]
    fn clone(&self) -> Object {
        self.core().incref();
        Object { ptr: self.ptr }
    }
}

impl Drop for Object {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this is a counted reference, given up here.
        unsafe { pepkit_object::decref(self.ptr.as_ptr()) }
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("kind", &self.kind())
            .field("refcount", &self.refcount())
            .field("exports", &self.exports())
            .finish()
    }
}

/// A handle ([`Object`], [`MemoryView`](crate::MemoryView)) borrowed from a
/// C caller's pointer, without a reference of its own (made by
/// `pepkit::raw::borrow`): dereferences to the handle, and drops nothing.
pub struct Borrowed<'a, T = Object> {
    handle: ManuallyDrop<T>,
    _life: PhantomData<&'a pepkit_object>,
}

#[cfg(feature = "raw")]
impl<'a> Borrowed<'a, Object> {
    /// The same borrow as another handle type over the same object.
    ///
    /// # Safety
    /// `wrap` must make a handle that owns nothing but the object reference
    /// it is given (a repr(transparent) Object), valid for that object.
    pub(crate) unsafe fn map<U>(self, wrap: impl FnOnce(Object) -> U) -> Borrowed<'a, U> {
        let obj = ManuallyDrop::into_inner(self.handle);
        Borrowed { handle: ManuallyDrop::new(wrap(obj)), _life: PhantomData }
    }
}

impl<T> Deref for Borrowed<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.handle
    }
}

/// How the items of memory an object exports lie in it: the struct-module
/// format of one item, the shape, and optionally strides (C-contiguous when
/// not given) and the offset of the first item. Checked against the memory
/// when the object is made ([`Object::from_owner`]).
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    format: &'a [u8],
    shape: &'a [isize],
    strides: Option<&'a [isize]>,
    offset: isize,
}

impl<'a> Layout<'a> {
    /// `shape` items of `format`, C-contiguous from the first byte.
    pub fn new(format: &'a (impl AsRef<[u8]> + ?Sized), shape: &'a [isize]) -> Layout<'a> {
        Layout { format: format.as_ref(), shape, strides: None, offset: 0 }
    }

    /// The byte step of each dimension, any sign (one per dimension).
    pub fn strides(self, strides: &'a [isize]) -> Layout<'a> {
        Layout { strides: Some(strides), ..self }
    }

    /// Bytes from the start of the memory to the first item.
    pub fn offset(self, offset: isize) -> Layout<'a> {
        Layout { offset, ..self }
    }
}

/// A boxed Rust owner of exported bytes, freed when dropped: the release of
/// its wrap (or, if the wrap is refused, at once).
struct Owned<T>(*mut T);

// SAFETY: the owner is Send and only ever dropped through this pointer.
unsafe impl<T: Send> Send for Owned<T> {}

impl<T: Send + Sync + 'static> Owned<T> {
    fn new(owner: T) -> Owned<T> {
        // Boxed so the bytes an inline owner (an array) lends never move.
        Owned(Box::into_raw(Box::new(owner)))
    }

    /// Checks `layout` against the `size` bytes at `base` (the owner's) and
    /// makes the object that releases the owner.
    fn wrap(self, layout: &Layout<'_>, base: *mut u8, size: usize, readonly: bool) -> Result<Object> {
        let format = crate::mem::copy(layout.format, "the layout's format")?;
        // A bad format is reported by check_array, with its message.
        let itemsize = crate::format::calcsize(&format).map_or(0, |n| n as isize);
        let shape = layout.shape;
        check_array(&format, itemsize, shape)?;
        let strides = match layout.strides {
            Some(s) if s.len() != shape.len() => {
                return Err(Error::value(format!("layout has {} strides for {} dimensions", s.len(), shape.len())));
            }
            Some(s) => s.to_vec(),
            None => {
                let mut s = vec![0; shape.len()];
                contiguous_strides(shape, itemsize, false, &mut s)?;
                s
            }
        };
        let valid = accept(base, size, layout.offset, itemsize, readonly, format, shape.to_vec(), strides, None)?;
        // SAFETY: the layout was checked against the owner's bytes, which
        // stay valid until the release below drops the owner; T is Send +
        // Sync, and read-only owners lent their bytes through AsRef only.
        unsafe { pepkit_object::new_wrap(valid, Some(Box::new(move || drop(self)))) }
    }
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: boxed by Owned::new and freed only here.
        drop(unsafe { Box::from_raw(self.0) });
    }
}
