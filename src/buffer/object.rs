//! `pepkit_object`: a reference-counted exporter of memory.
//!
//! Every kind keeps its format, shape, strides and suboffsets inside the object,
//! so an export points into the object (kept alive by the export's reference)
//! and getbuffer allocates nothing.
//!
//! The kinds pepkit keeps bytes for (bytes, bytearray, ndarray, wrap) are
//! exported here, with no indirection on the way. Every other kind supplies
//! its own getbuffer and releasebuffer, as a CPython type does through its
//! `tp_as_buffer` slots: it implements [`Provider`] and lives in the same
//! allocation as the object's header (see [`pepkit_object::new_provided`]).
//! The memoryview is one such provider, a C custom exporter another; this
//! module knows neither.

use std::alloc::{self, Layout};
use std::any::Any;
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, CString};
use std::ptr::{self, NonNull};
use std::sync::atomic::{fence, AtomicU64, Ordering};

use super::geometry::{contiguous_strides, dense, Order};
use super::handle::Object;
use super::layout::{byte_len, check_array, ValidLayout};
use super::request::{self, Style, Traits};
use super::{pepkit_buffer, MAX_NDIM};
use crate::error::{Error, Result};

/// The kinds of object pepkit makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// Immutable bytes ([`Object::bytes`]); exports follow CPython's bytes.
    Bytes,
    /// Mutable, resizable bytes ([`Object::bytearray`]).
    ByteArray,
    /// A zero-filled N-d array pepkit owns ([`Object::ndarray`]).
    NdArray,
    /// Memory described by a layout and owned elsewhere: a Rust owner
    /// ([`Object::from_owner`]), a C caller, or an imported tensor or array.
    Wrap,
    /// An exporter implemented in C, with its own getbuffer and releasebuffer.
    Custom,
    /// A [`MemoryView`](crate::MemoryView).
    MemoryView,
}

impl ObjectKind {
    /// The kind's name, NUL-terminated for the C API.
    pub fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            ObjectKind::Bytes => c"bytes",
            ObjectKind::ByteArray => c"bytearray",
            ObjectKind::NdArray => c"ndarray",
            ObjectKind::Wrap => c"wrap",
            ObjectKind::Custom => c"custom exporter",
            ObjectKind::MemoryView => c"memoryview",
        }
    }

    /// The kind's name as messages give it: "bytes", "bytearray", "ndarray",
    /// "wrap", "custom exporter" or "memoryview".
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or("object")
    }
}

/// Alignment of memory pepkit allocates: enough for every struct format item.
const ALIGN: usize = 16;

/// Zero-initialised heap memory, aligned for any item.
struct OwnedMemory {
    ptr: NonNull<u8>,
    len: usize,
}

impl OwnedMemory {
    fn layout(len: usize) -> Result<Layout> {
        Layout::from_size_align(len, ALIGN).map_err(|_| Error::no_memory(format!("cannot allocate {len} bytes")))
    }

    fn zeroed(len: usize) -> Result<OwnedMemory> {
        if len == 0 {
            return Ok(OwnedMemory { ptr: NonNull::<u128>::dangling().cast(), len });
        }
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc::alloc_zeroed(Self::layout(len)?) };
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::no_memory(format!("cannot allocate {len} bytes")))?;
        Ok(OwnedMemory { ptr, len })
    }

    fn copy_of(data: &[u8]) -> Result<OwnedMemory> {
        let mem = OwnedMemory::zeroed(data.len())?;
        // SAFETY: `mem` has data.len() fresh bytes.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), mem.ptr.as_ptr(), data.len()) };
        Ok(mem)
    }

    /// Grows (zero-filling) or shrinks in place; on failure nothing changes.
    fn resize(&mut self, new_len: usize) -> Result<()> {
        if new_len == self.len {
            return Ok(());
        }
        if self.len == 0 || new_len == 0 {
            let fresh = OwnedMemory::zeroed(new_len)?;
            let keep = self.len.min(new_len);
            // SAFETY: both blocks hold at least `keep` bytes.
            unsafe { ptr::copy_nonoverlapping(self.ptr.as_ptr(), fresh.ptr.as_ptr(), keep) };
            *self = fresh;
            return Ok(());
        }
        let new_layout = Self::layout(new_len)?;
        // SAFETY: ptr was allocated with layout(self.len); new_len is non-zero.
        let ptr = unsafe { alloc::realloc(self.ptr.as_ptr(), Self::layout(self.len)?, new_layout.size()) };
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::no_memory(format!("cannot allocate {new_len} bytes")))?;
        if new_len > self.len {
            // SAFETY: the block now holds new_len bytes.
            unsafe { ptr::write_bytes(ptr.as_ptr().add(self.len), 0, new_len - self.len) };
        }
        self.ptr = ptr;
        self.len = new_len;
        Ok(())
    }
}

impl Drop for OwnedMemory {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated with this layout, which was valid then.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), Layout::from_size_align_unchecked(self.len, ALIGN)) };
        }
    }
}

/// A complete description of an array held by its object: what every export
/// starts from before the request rules narrow it.
struct ArrayDesc {
    buf: *mut u8,
    len: isize,
    itemsize: isize,
    readonly: bool,
    format: CString,
    ndim: usize,
    /// shape, then strides, then (if any) suboffsets: ndim entries each.
    dims: Box<[isize]>,
    has_suboffsets: bool,
    c_contiguous: bool,
    f_contiguous: bool,
}

impl ArrayDesc {
    fn new(
        buf: *mut u8,
        itemsize: isize,
        readonly: bool,
        format: &[u8],
        shape: &[isize],
        strides: &[isize],
        suboffsets: Option<&[isize]>,
    ) -> Result<ArrayDesc> {
        let len = byte_len(shape, itemsize)?;
        if format.contains(&0) {
            return Err(Error::value("format must not contain a NUL byte"));
        }
        // The format's length is the caller's: copied fallibly, with room
        // for the NUL so CString adds it without reallocating.
        let mut owned = Vec::new();
        crate::mem::reserve(&mut owned, format.len() + 1, "the format string")?;
        owned.extend_from_slice(format);
        owned.push(0);
        let format = CString::from_vec_with_nul(owned).map_err(|_| Error::value("format must not contain a NUL byte"))?;
        let mut dims = Vec::with_capacity(shape.len() * 3);
        dims.extend_from_slice(shape);
        dims.extend_from_slice(strides);
        if let Some(sub) = suboffsets {
            dims.extend_from_slice(sub);
        }
        let pil = suboffsets.is_some();
        Ok(ArrayDesc {
            buf,
            len,
            itemsize,
            readonly,
            format,
            ndim: shape.len(),
            dims: dims.into_boxed_slice(),
            has_suboffsets: pil,
            // _testbuffer's init_flags: PyBuffer_IsContiguous of the full view.
            c_contiguous: !pil && dense(len, itemsize, shape.iter().zip(strides).rev()),
            f_contiguous: !pil && dense(len, itemsize, shape.iter().zip(strides)),
        })
    }

    /// A 1-D "B" description of `len` bytes.
    fn bytes(buf: *mut u8, len: usize, readonly: bool) -> Result<ArrayDesc> {
        let len = isize::try_from(len).map_err(|_| Error::overflow(format!("{len} bytes exceed Py_ssize_t")))?;
        ArrayDesc::new(buf, 1, readonly, b"B", &[len], &[1], None)
    }

    /// Points a 1-D "B" description at `len` bytes at `buf` (bytearray resize).
    fn set_byte_len(&mut self, buf: *mut u8, len: isize) {
        self.buf = buf;
        self.len = len;
        self.dims[0] = len;
    }

    /// Writes the full description into `view` (every field but obj/internal).
    #[inline]
    fn fill(&self, view: &mut pepkit_buffer) {
        let n = self.ndim;
        let dims = self.dims.as_ptr() as *mut isize;
        view.buf = self.buf.cast();
        view.len = self.len;
        view.itemsize = self.itemsize;
        view.readonly = self.readonly as c_int;
        view.ndim = n as c_int;
        view.format = self.format.as_ptr() as *mut c_char;
        super::point_dims(view, dims, n, self.has_suboffsets);
    }

    #[inline]
    fn traits(&self, kind: ObjectKind, style: Style) -> Traits {
        Traits {
            kind,
            style,
            c_contiguous: self.c_contiguous,
            f_contiguous: self.f_contiguous,
            pil: self.has_suboffsets,
        }
    }
}

/// Owned bytes plus their description; a bytearray changes both when resized.
struct ByteStore {
    mem: OwnedMemory,
    desc: ArrayDesc,
}

/// The release callback of a wrap: runs once, when the object is freed.
pub(crate) type Release = Box<dyn FnOnce() + Send>;

enum Kind {
    Bytes(ByteStore),
    /// Mutated only by `resize`, which holds the RESIZING bit of `state`.
    ByteArray(UnsafeCell<ByteStore>),
    NdArray(ByteStore),
    Wrap { desc: ArrayDesc, release: Option<Release> },
    /// A kind that supplies its own getbuffer and releasebuffer: points at
    /// the provider stored right after this header (see `WithProvider`).
    Provided(NonNull<dyn Provider>),
}

/// An exporter that supplies its own getbuffer and releasebuffer, as a
/// CPython type's `bf_getbuffer` and `bf_releasebuffer` (the memoryview, a
/// C custom exporter). It lives in the object's own allocation, after the
/// header: see [`pepkit_object::new_provided`].
pub(crate) trait Provider: Any + Send + Sync + FreeWith {
    /// The kind this provider is.
    fn kind(&self) -> ObjectKind;

    /// Exports into `view` (the caller's, in any state) as `flags` asks,
    /// applying the request rules, and counts the export with `counter`
    /// once nothing can fail any more (the only way to make a [`Counted`]).
    /// On failure nothing may have been counted.
    fn getbuffer(&self, counter: Counter<'_>, view: &mut pepkit_buffer, flags: c_int) -> Result<Counted>;

    /// Ends an export `getbuffer` made (called before the count drops, while
    /// the export still keeps the object alive).
    fn releasebuffer(&self, view: &mut pepkit_buffer);

    /// The provider as `Any`, for a kind to find its own type again.
    fn as_any(&self) -> &dyn Any;
}

/// Frees the object a provider lives in: implemented once, for every
/// provider, because only the provider's own type knows the allocation.
pub(crate) trait FreeWith {
    /// Frees the whole object whose provider this is.
    ///
    /// # Safety
    /// `this` must be the object (from [`pepkit_object::new_provided`]) this
    /// provider lives in, with no reference or export left.
    unsafe fn free_object(&self, this: *mut pepkit_object);
}

impl<P: Provider> FreeWith for P {
    unsafe fn free_object(&self, this: *mut pepkit_object) {
        // SAFETY: `new_provided::<P>` allocated `this` as a Box of
        // WithProvider<P>, whose header is its first field (repr(C)); the
        // caller guarantees no one uses it any more.
        drop(unsafe { Box::from_raw(this.cast::<WithProvider<P>>()) });
    }
}

/// An object whose kind is a provider: the header first, so that a pointer
/// to the whole is a pointer to its `pepkit_object`.
#[repr(C)]
struct WithProvider<P> {
    head: pepkit_object,
    provider: P,
}

/// The one export a provider's getbuffer may count, for the object it
/// exports.
pub(crate) struct Counter<'a> {
    obj: &'a pepkit_object,
    this: *mut pepkit_object,
}

/// Proof that an export was counted: only [`Counter::count`] makes one.
pub(crate) struct Counted(());

impl Counter<'_> {
    /// Counts one more export of the object and makes `view` hold it
    /// (`view.obj` is the object).
    #[inline]
    pub(crate) fn count(self, view: &mut pepkit_buffer) -> Counted {
        self.obj.count_export();
        view.obj = self.this;
        Counted(())
    }
}

/// `state` packs the owned references (low 32 bits), the live exports (next
/// 31 bits) and a bytearray's RESIZING flag (top bit) into one word, so an
/// export and its release are one atomic operation each. Each export holds
/// a reference of its own, as `view->obj` does in CPython; the object is
/// freed when the whole word reaches zero.
const REF: u64 = 1;
const REFS: u64 = 0xFFFF_FFFF;
const EXPORT: u64 = 1 << 32;
const EXPORTS: u64 = 0x7FFF_FFFF << 32;
const RESIZING: u64 = 1 << 63;

/// An exporter of memory, shared through atomic reference counting.
/// The C API hands out `pepkit_object *`; each is one counted reference.
pub struct pepkit_object {
    /// References, exports and RESIZING; see [`REF`].
    state: AtomicU64,
    kind: Kind,
}

// SAFETY: the raw pointers inside describe memory whose ownership the object
// holds (or, for wrap and custom, that its creator promised to keep valid and
// shareable across threads until release), or point at the object's own
// provider, which is Send + Sync. Mutation after creation happens only in
// bytearray resize, which excludes every export through `state`.
unsafe impl Send for pepkit_object {}
// SAFETY: as for Send.
unsafe impl Sync for pepkit_object {}

impl Drop for pepkit_object {
    fn drop(&mut self) {
        if let Kind::Wrap { release, .. } = &mut self.kind {
            if let Some(release) = release.take() {
                release();
            }
        }
    }
}

impl pepkit_object {
    fn boxed(kind: Kind) -> Object {
        let raw = Box::into_raw(Box::new(pepkit_object { state: AtomicU64::new(REF), kind }));
        // SAFETY: a fresh Box is never NULL; its one reference is handed over.
        unsafe { Object::from_counted(NonNull::new_unchecked(raw)) }
    }

    /// A new object whose exports `provider` makes, in one allocation with
    /// the object's header.
    pub(crate) fn new_provided<P: Provider>(provider: P) -> Object {
        let raw = Box::into_raw(Box::<WithProvider<P>>::new_uninit()).cast::<WithProvider<P>>();
        // SAFETY: `raw` is a fresh allocation of WithProvider<P>: both fields
        // are written in place before anything reads them, and the kind
        // points at the provider inside the same block, which never moves
        // (the block is freed only by `free_object`).
        unsafe {
            let slot = ptr::addr_of_mut!((*raw).provider);
            slot.write(provider);
            let provider: NonNull<dyn Provider> = NonNull::new_unchecked(slot);
            let head = pepkit_object { state: AtomicU64::new(REF), kind: Kind::Provided(provider) };
            ptr::addr_of_mut!((*raw).head).write(head);
            Object::from_counted(NonNull::new_unchecked(raw.cast()))
        }
    }

    /// A new immutable bytes object holding a copy of `data`.
    pub(crate) fn new_bytes(data: &[u8]) -> Result<Object> {
        let mem = OwnedMemory::copy_of(data)?;
        let desc = ArrayDesc::bytes(mem.ptr.as_ptr(), data.len(), true)?;
        Ok(Self::boxed(Kind::Bytes(ByteStore { mem, desc })))
    }

    /// A new bytearray holding a copy of `data`.
    pub(crate) fn new_bytearray(data: &[u8]) -> Result<Object> {
        let mem = OwnedMemory::copy_of(data)?;
        let desc = ArrayDesc::bytes(mem.ptr.as_ptr(), data.len(), false)?;
        Ok(Self::boxed(Kind::ByteArray(UnsafeCell::new(ByteStore { mem, desc }))))
    }

    /// A new zero-filled array of `shape` items of `format`, laid out in C or
    /// Fortran order.
    pub(crate) fn new_ndarray(format: &[u8], shape: &[isize], order: Order, readonly: bool) -> Result<Object> {
        if order == Order::Any {
            return Err(Error::value("order must be 'C' or 'F'"));
        }
        let itemsize = crate::format::calcsize(format)? as isize;
        let len = check_array(format, itemsize, shape)?;
        let mut strides = [0isize; MAX_NDIM];
        let strides = &mut strides[..shape.len()];
        contiguous_strides(shape, itemsize, order == Order::F, strides)?;
        let mem = OwnedMemory::zeroed(len as usize)?;
        let desc = ArrayDesc::new(mem.ptr.as_ptr(), itemsize, readonly, format, shape, strides, None)?;
        Ok(Self::boxed(Kind::NdArray(ByteStore { mem, desc })))
    }

    /// A new exporter of memory described by `layout`; `release` runs once
    /// when the object is freed (after its last reference and export are
    /// gone), and not at all if this fails.
    ///
    /// # Safety
    /// The memory `layout` describes (and, with suboffsets, the memory its
    /// pointers lead to) must stay valid until `release` runs, shareable
    /// between threads, and unwritten while `layout.readonly` says so.
    pub(crate) unsafe fn new_wrap(layout: ValidLayout, release: Option<Release>) -> Result<Object> {
        // On failure `release` is dropped without being called: what it
        // owns (a Rust owner) goes with it, what it merely names (a C
        // callback's context) stays its creator's.
        let desc = ArrayDesc::new(
            layout.buf,
            layout.itemsize,
            layout.readonly,
            &layout.format,
            &layout.shape,
            &layout.strides,
            layout.suboffsets.as_deref(),
        )?;
        Ok(Self::boxed(Kind::Wrap { desc, release }))
    }

    /// The provider of a provided kind (a memoryview, a custom exporter).
    #[inline]
    pub(crate) fn provider(&self) -> Option<&dyn Provider> {
        match &self.kind {
            // SAFETY: the provider lives in this object's allocation (see
            // new_provided) and so as long as `self`.
            Kind::Provided(p) => Some(unsafe { p.as_ref() }),
            _ => None,
        }
    }

    pub(crate) fn kind(&self) -> ObjectKind {
        match &self.kind {
            Kind::Bytes(_) => ObjectKind::Bytes,
            Kind::ByteArray(_) => ObjectKind::ByteArray,
            Kind::NdArray(_) => ObjectKind::NdArray,
            Kind::Wrap { .. } => ObjectKind::Wrap,
            Kind::Provided(_) => self.provider().map_or(ObjectKind::Custom, |p| p.kind()),
        }
    }

    /// References, counting one for each live export.
    pub(crate) fn refcount(&self) -> usize {
        let state = self.state.load(Ordering::Acquire);
        ((state & REFS) + ((state & EXPORTS) >> 32)) as usize
    }

    /// Live exports of this object.
    pub(crate) fn exports(&self) -> usize {
        ((self.state.load(Ordering::Acquire) & EXPORTS) >> 32) as usize
    }

    #[inline]
    pub(crate) fn incref(&self) {
        let before = self.state.fetch_add(REF, Ordering::Relaxed);
        if before & REFS == REFS {
            // 2^32 references: continuing would corrupt the export count.
            std::process::abort();
        }
    }

    /// Drops one reference; the last one frees the object (running a wrap's
    /// release callback or a custom exporter's dealloc on this thread).
    ///
    /// # Safety
    /// `this` must be a live object and the caller must own the reference.
    #[inline]
    pub(crate) unsafe fn decref(this: *mut pepkit_object) {
        // SAFETY: the caller's reference keeps the object alive until here.
        if unsafe { (*this).state.fetch_sub(REF, Ordering::Release) } == REF {
            fence(Ordering::Acquire);
            // SAFETY: that was the last reference and no export is left.
            unsafe { Self::free(this) };
        }
    }

    /// Frees an object with no reference and no export left.
    ///
    /// # Safety
    /// `this` must be such an object; nothing may use it afterwards.
    #[cold]
    unsafe fn free(this: *mut pepkit_object) {
        // SAFETY: the object is alive until freed below.
        match unsafe { (*this).provider() } {
            // SAFETY: the provider's own type frees the block it made.
            Some(provider) => unsafe { provider.free_object(this) },
            // SAFETY: every other kind was made by `boxed`.
            None => drop(unsafe { Box::from_raw(this) }),
        }
    }

    /// Counts one more export of a bytearray, waiting out a resize in progress.
    #[inline]
    fn acquire_bytearray_export(&self) {
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            if current & RESIZING != 0 {
                std::hint::spin_loop();
                current = self.state.load(Ordering::Relaxed);
                continue;
            }
            match self.state.compare_exchange_weak(current, current + EXPORT, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
    }

    /// Exports this object's memory as `flags` asks, CPython's rules in
    /// CPython's order. On success `view` holds the export, with `obj` this
    /// object (the export counts as a reference); on failure only `view.obj`
    /// is written (NULL).
    ///
    /// # Safety
    /// `this` must be a live object the caller holds a reference to.
    #[inline]
    pub(crate) unsafe fn getbuffer(this: *mut pepkit_object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        // SAFETY: as the caller guarantees.
        let result = unsafe { Self::export(this, view, flags) };
        if result.is_err() {
            view.obj = ptr::null_mut();
        }
        result
    }

    /// # Safety
    /// As [`getbuffer`](Self::getbuffer).
    #[inline]
    unsafe fn export(this: *mut pepkit_object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        request::reject_access_flags(flags)?;
        // SAFETY: the caller's reference keeps the object alive.
        let obj = unsafe { &*this };
        match &obj.kind {
            Kind::Bytes(ByteStore { desc, .. }) => {
                obj.export_desc(this, desc, ObjectKind::Bytes, Style::FillInfo, view, flags, false)
            }
            Kind::NdArray(ByteStore { desc, .. }) => {
                obj.export_desc(this, desc, ObjectKind::NdArray, Style::NdArray, view, flags, false)
            }
            Kind::Wrap { desc, .. } => obj.export_desc(this, desc, ObjectKind::Wrap, Style::NdArray, view, flags, false),
            Kind::ByteArray(store) => {
                obj.acquire_bytearray_export();
                // SAFETY: the export just counted keeps a resize (the only
                // writer of the store) out until it is released.
                let desc = unsafe { &(*store.get()).desc };
                obj.export_desc(this, desc, ObjectKind::ByteArray, Style::FillInfo, view, flags, true)
            }
            Kind::Provided(provider) => {
                // SAFETY: the provider lives in this object (new_provided).
                let provider = unsafe { provider.as_ref() };
                provider.getbuffer(Counter { obj, this }, view, flags).map(|_: Counted| ())
            }
        }
    }

    /// Exports a description the object holds: check, count, then write
    /// straight into the caller's view. `counted` says the export was already
    /// counted (a bytearray counts first, to exclude a resize).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn export_desc(
        &self,
        this: *mut pepkit_object,
        desc: &ArrayDesc,
        kind: ObjectKind,
        style: Style,
        view: &mut pepkit_buffer,
        flags: c_int,
        counted: bool,
    ) -> Result<()> {
        if let Err(err) = request::check(desc.readonly, true, flags, &desc.traits(kind, style)) {
            if counted {
                self.state.fetch_sub(EXPORT, Ordering::Release);
            }
            return Err(err);
        }
        if !counted {
            self.count_export();
        }
        desc.fill(view);
        request::narrow(view, flags);
        view.obj = this;
        view.internal = ptr::null_mut();
        Ok(())
    }

    #[inline]
    fn count_export(&self) {
        if self.state.fetch_add(EXPORT, Ordering::Acquire) & EXPORTS == EXPORTS {
            // 2^31 live exports: continuing would corrupt the flags.
            std::process::abort();
        }
    }

    /// Ends the export in `view` and drops its reference; a view whose `obj`
    /// is NULL (released, or zeroed) is left alone.
    ///
    /// # Safety
    /// A non-NULL `view.obj` must be a live object this export holds a
    /// reference to.
    #[inline]
    pub(crate) unsafe fn releasebuffer(view: &mut pepkit_buffer) -> Result<()> {
        let this = view.obj;
        if this.is_null() {
            return Ok(());
        }
        // SAFETY: the export's reference keeps the object alive.
        let obj = unsafe { &*this };
        if view.internal == super::fill_info_marker() {
            // Filled by pepkit_buffer_fill_info with an object: a reference,
            // not an export. As CPython's PyBuffer_Release, drop it.
            view.obj = ptr::null_mut();
            view.internal = ptr::null_mut();
            // SAFETY: the view held that reference.
            unsafe { Self::decref(this) };
            return Ok(());
        }
        // Refuse a second release of the same export (through a copy of the
        // struct) while we can still tell: the count would go below zero.
        if obj.state.load(Ordering::Acquire) & EXPORTS == 0 {
            return Err(Error::buffer(format!(
                "pepkit_releasebuffer: the {} has no live exports (was this export already released through a copy of the struct?)",
                obj.kind().name()
            )));
        }
        // The exporter's own releasebuffer runs while the export still keeps
        // the object alive.
        if let Some(provider) = obj.provider() {
            provider.releasebuffer(view);
        }
        view.obj = ptr::null_mut();
        if obj.state.fetch_sub(EXPORT, Ordering::Release) == EXPORT {
            fence(Ordering::Acquire);
            // SAFETY: that was the last export and no reference is left.
            unsafe { Self::free(this) };
        }
        Ok(())
    }

    /// Resizes a bytearray to `new_len` bytes (new bytes are zero); refused
    /// with BufferError while any export is live, as CPython's bytearray does.
    /// Resizing to the current length is a no-op that always succeeds, export
    /// or not (PyByteArray_Resize returns before its export check).
    pub(crate) fn resize(&self, new_len: usize) -> Result<()> {
        let Kind::ByteArray(store) = &self.kind else {
            return Err(Error::type_error(format!("cannot resize a {}: only a bytearray can be resized", self.kind().name())));
        };
        if new_len > isize::MAX as usize {
            return Err(Error::overflow(format!("cannot resize to {new_len} bytes: exceeds Py_ssize_t")));
        }
        // Take the RESIZING bit whatever the exports: it keeps new exports
        // and other resizes out while the length is read. The exports at
        // that moment decide, after the same-length check, as in CPython.
        let mut current = self.state.load(Ordering::Relaxed);
        let exported = loop {
            if current & RESIZING != 0 {
                std::hint::spin_loop();
                current = self.state.load(Ordering::Relaxed);
                continue;
            }
            match self.state.compare_exchange_weak(current, current | RESIZING, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break current & EXPORTS != 0,
                Err(now) => current = now,
            }
        };
        // SAFETY: the RESIZING bit excludes every other resize, the only
        // writer of the store; live exports only read it.
        let len = unsafe { (*store.get()).desc.len } as usize;
        let outcome = if len == new_len {
            Ok(())
        } else if exported {
            Err(Error::buffer("Existing exports of data: object cannot be re-sized"))
        } else {
            // SAFETY: RESIZING with no exports excludes every reader and writer.
            let store = unsafe { &mut *store.get() };
            let outcome = store.mem.resize(new_len);
            if outcome.is_ok() {
                store.desc.set_byte_len(store.mem.ptr.as_ptr(), new_len as isize);
            }
            outcome
        };
        self.state.fetch_and(!RESIZING, Ordering::Release);
        outcome
    }
}
