//! `pepkit_object`: a reference-counted exporter of memory.
//!
//! Every kind keeps its format, shape, strides and suboffsets inside the object,
//! so an export points into the object (kept alive by the export's reference)
//! and getbuffer allocates nothing.

use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, CString};
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

use super::geometry::{contiguous_strides, dense, Geometry, Order};
use super::layout::{byte_len, check_array, ValidLayout};
use super::request::{self, Style, Traits};
use super::{pepkit_buffer, MAX_NDIM};
use crate::error::{Error, Result};

/// An exporter written outside pepkit (the C vtable of `pepkit_custom_new`).
/// Dropping it is its deallocation.
pub trait Exporter: Send + Sync {
    /// Describes the memory in `view` (zeroed on entry) for a request `flags`.
    /// pepkit then applies the request rules to what was filled in.
    fn getbuffer(&self, view: &mut pepkit_buffer, flags: c_int) -> Result<()>;
    /// Ends an export this exporter described.
    fn releasebuffer(&self, view: &mut pepkit_buffer);
}

/// The kinds of object pepkit makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Bytes,
    ByteArray,
    NdArray,
    Wrap,
    Custom,
}

impl ObjectKind {
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Bytes => "bytes",
            ObjectKind::ByteArray => "bytearray",
            ObjectKind::NdArray => "ndarray",
            ObjectKind::Wrap => "wrap",
            ObjectKind::Custom => "custom exporter",
        }
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
        Layout::from_size_align(len, ALIGN).map_err(|_| Error::overflow(format!("cannot allocate {len} bytes")))
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
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), mem.ptr.as_ptr(), data.len()) };
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
            unsafe { std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), fresh.ptr.as_ptr(), keep) };
            *self = fresh;
            return Ok(());
        }
        let new_layout = Self::layout(new_len)?;
        // SAFETY: ptr was allocated with layout(self.len); new_len is non-zero.
        let ptr = unsafe { alloc::realloc(self.ptr.as_ptr(), Self::layout(self.len)?, new_layout.size()) };
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::no_memory(format!("cannot allocate {new_len} bytes")))?;
        if new_len > self.len {
            // SAFETY: the block now holds new_len bytes.
            unsafe { std::ptr::write_bytes(ptr.as_ptr().add(self.len), 0, new_len - self.len) };
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
pub struct ArrayDesc {
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
        let format = CString::new(format)
            .map_err(|_| Error::value("format must not contain a NUL byte"))?;
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
    fn fill(&self, view: &mut pepkit_buffer) {
        let n = self.ndim;
        let dims = self.dims.as_ptr() as *mut isize;
        view.buf = self.buf.cast();
        view.len = self.len;
        view.itemsize = self.itemsize;
        view.readonly = self.readonly as c_int;
        view.ndim = n as c_int;
        view.format = self.format.as_ptr() as *mut c_char;
        if n == 0 {
            view.shape = std::ptr::null_mut();
            view.strides = std::ptr::null_mut();
            view.suboffsets = std::ptr::null_mut();
        } else {
            view.shape = dims;
            view.strides = dims.wrapping_add(n);
            view.suboffsets = if self.has_suboffsets { dims.wrapping_add(2 * n) } else { std::ptr::null_mut() };
        }
    }

    fn traits(&self, name: &'static str, style: Style) -> Traits {
        Traits {
            name,
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

enum Kind {
    Bytes(ByteStore),
    /// Mutated only by `resize`, which holds the RESIZING bit of `exports`.
    ByteArray(UnsafeCell<ByteStore>),
    NdArray(ByteStore),
    Wrap { desc: ArrayDesc, release: Option<Box<dyn FnOnce() + Send>> },
    Custom(Box<dyn Exporter>),
}

/// Set in `exports` while a bytearray is being resized.
const RESIZING: usize = 1 << (usize::BITS - 1);

/// An exporter of memory, shared through atomic reference counting.
/// The C API hands out `pepkit_object *`; each is one counted reference.
pub struct pepkit_object {
    refcnt: AtomicUsize,
    /// Live exports; for a bytearray also the RESIZING bit.
    exports: AtomicUsize,
    kind: Kind,
}

// SAFETY: the raw pointers inside describe memory whose ownership the object
// holds (or, for wrap and custom, that its creator promised to keep valid and
// shareable across threads until release). Mutation after creation happens only
// in bytearray resize, which excludes every export through `exports`.
unsafe impl Send for pepkit_object {}
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
    fn boxed(kind: Kind) -> *mut pepkit_object {
        Box::into_raw(Box::new(pepkit_object { refcnt: AtomicUsize::new(1), exports: AtomicUsize::new(0), kind }))
    }

    /// A new immutable bytes object holding a copy of `data`.
    pub fn new_bytes(data: &[u8]) -> Result<*mut pepkit_object> {
        let mem = OwnedMemory::copy_of(data)?;
        let desc = ArrayDesc::bytes(mem.ptr.as_ptr(), data.len(), true)?;
        Ok(Self::boxed(Kind::Bytes(ByteStore { mem, desc })))
    }

    /// A new bytearray holding a copy of `data`.
    pub fn new_bytearray(data: &[u8]) -> Result<*mut pepkit_object> {
        let mem = OwnedMemory::copy_of(data)?;
        let desc = ArrayDesc::bytes(mem.ptr.as_ptr(), data.len(), false)?;
        Ok(Self::boxed(Kind::ByteArray(UnsafeCell::new(ByteStore { mem, desc }))))
    }

    /// A new zero-filled array of `shape` items of `format`, laid out in C or
    /// Fortran order.
    pub fn new_ndarray(format: &[u8], shape: &[isize], order: Order, readonly: bool) -> Result<*mut pepkit_object> {
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

    /// A new exporter of borrowed memory; `release` runs once when the object
    /// is freed (after its last reference and export are gone).
    pub fn new_wrap(layout: ValidLayout, release: Option<Box<dyn FnOnce() + Send>>) -> Result<*mut pepkit_object> {
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

    /// A new object whose exports come from `exporter`.
    pub fn new_custom(exporter: Box<dyn Exporter>) -> *mut pepkit_object {
        Self::boxed(Kind::Custom(exporter))
    }

    pub fn kind(&self) -> ObjectKind {
        match self.kind {
            Kind::Bytes(_) => ObjectKind::Bytes,
            Kind::ByteArray(_) => ObjectKind::ByteArray,
            Kind::NdArray(_) => ObjectKind::NdArray,
            Kind::Wrap { .. } => ObjectKind::Wrap,
            Kind::Custom(_) => ObjectKind::Custom,
        }
    }

    pub fn refcount(&self) -> usize {
        self.refcnt.load(Ordering::Acquire)
    }

    /// Live exports of this object.
    pub fn exports(&self) -> usize {
        self.exports.load(Ordering::Acquire) & !RESIZING
    }

    pub fn incref(&self) {
        self.refcnt.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops one reference; the last one frees the object (running a wrap's
    /// release callback or a custom exporter's dealloc on this thread).
    ///
    /// # Safety
    /// `this` must be a live object and the caller must own the reference.
    pub unsafe fn decref(this: *mut pepkit_object) {
        if (*this).refcnt.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            drop(Box::from_raw(this));
        }
    }

    /// Counts one more export of a bytearray, waiting out a resize in progress.
    fn acquire_bytearray_export(&self) {
        let mut current = self.exports.load(Ordering::Relaxed);
        loop {
            if current & RESIZING != 0 {
                std::hint::spin_loop();
                current = self.exports.load(Ordering::Relaxed);
                continue;
            }
            match self.exports.compare_exchange_weak(current, current + 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
    }

    /// Exports this object's memory as `flags` asks, CPython's rules in
    /// CPython's order. On success `view` holds a new reference in `obj`; on
    /// failure only `view.obj` is written (NULL).
    ///
    /// # Safety
    /// `this` must be a live object.
    pub unsafe fn getbuffer(this: *mut pepkit_object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        let result = Self::export(this, flags);
        match result {
            Ok(mut out) => {
                (*this).incref();
                out.obj = this;
                *view = out;
                Ok(())
            }
            Err(err) => {
                view.obj = std::ptr::null_mut();
                Err(err)
            }
        }
    }

    unsafe fn export(this: *mut pepkit_object, flags: c_int) -> Result<pepkit_buffer> {
        request::reject_access_flags(flags)?;
        let obj = &*this;
        let name = obj.kind().name();
        let mut out = pepkit_buffer::zeroed();
        match &obj.kind {
            Kind::Bytes(ByteStore { desc, .. }) => {
                desc.fill(&mut out);
                request::apply(&mut out, flags, &desc.traits(name, Style::FillInfo))?;
            }
            Kind::NdArray(ByteStore { desc, .. }) | Kind::Wrap { desc, .. } => {
                desc.fill(&mut out);
                request::apply(&mut out, flags, &desc.traits(name, Style::NdArray))?;
            }
            Kind::ByteArray(store) => {
                obj.acquire_bytearray_export();
                let desc = &(*store.get()).desc;
                desc.fill(&mut out);
                if let Err(err) = request::apply(&mut out, flags, &desc.traits(name, Style::FillInfo)) {
                    obj.exports.fetch_sub(1, Ordering::Release);
                    return Err(err);
                }
                return Ok(out);
            }
            Kind::Custom(exporter) => {
                exporter.getbuffer(&mut out, flags)?;
                if !out.obj.is_null() {
                    // The callback stored a reference of its own; ours replaces it.
                    Self::decref(out.obj);
                    out.obj = std::ptr::null_mut();
                }
                if out.internal == super::fill_info_marker() {
                    // That reference came from pepkit_buffer_fill_info; this
                    // view is a counted export, so release must end it.
                    out.internal = std::ptr::null_mut();
                }
                let checked = custom_traits(&out).and_then(|t| request::apply(&mut out, flags, &t));
                if let Err(err) = checked {
                    exporter.releasebuffer(&mut out);
                    return Err(err);
                }
            }
        }
        obj.exports.fetch_add(1, Ordering::AcqRel);
        Ok(out)
    }

    /// Ends the export in `view` and drops its reference; a view whose `obj`
    /// is NULL (released, or zeroed) is left alone.
    ///
    /// # Safety
    /// A non-NULL `view.obj` must be a live object this export holds a
    /// reference to.
    pub unsafe fn releasebuffer(view: &mut pepkit_buffer) -> Result<()> {
        let this = view.obj;
        if this.is_null() {
            return Ok(());
        }
        let obj = &*this;
        if view.internal == super::fill_info_marker() {
            // Filled by pepkit_buffer_fill_info with an object: a reference,
            // not an export. As CPython's PyBuffer_Release, drop it.
            view.obj = std::ptr::null_mut();
            view.internal = std::ptr::null_mut();
            Self::decref(this);
            return Ok(());
        }
        // Refuse a second release of the same export (through a copy of the
        // struct) while we can still tell: the count would go below zero.
        let mut current = obj.exports.load(Ordering::Relaxed);
        loop {
            if current & !RESIZING == 0 {
                return Err(Error::buffer(format!(
                    "pepkit_releasebuffer: the {} has no live exports (was this export already released through a copy of the struct?)",
                    obj.kind().name()
                )));
            }
            match obj.exports.compare_exchange_weak(current, current - 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) => current = now,
            }
        }
        if let Kind::Custom(exporter) = &obj.kind {
            exporter.releasebuffer(view);
        }
        view.obj = std::ptr::null_mut();
        Self::decref(this);
        Ok(())
    }

    /// Resizes a bytearray to `new_len` bytes (new bytes are zero); refused
    /// with BufferError while any export is live, as CPython's bytearray does.
    pub fn resize(&self, new_len: usize) -> Result<()> {
        let Kind::ByteArray(store) = &self.kind else {
            return Err(Error::type_error(format!("cannot resize a {}: only a bytearray can be resized", self.kind().name())));
        };
        if new_len > isize::MAX as usize {
            return Err(Error::overflow(format!("cannot resize to {new_len} bytes: exceeds Py_ssize_t")));
        }
        loop {
            match self.exports.compare_exchange_weak(0, RESIZING, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) if now & RESIZING != 0 || now == 0 => std::hint::spin_loop(),
                Err(_) => return Err(Error::buffer("Existing exports of data: object cannot be re-sized")),
            }
        }
        // SAFETY: the RESIZING bit excludes every export and every other resize.
        let store = unsafe { &mut *store.get() };
        let outcome = store.mem.resize(new_len);
        if outcome.is_ok() {
            store.desc.set_byte_len(store.mem.ptr.as_ptr(), new_len as isize);
        }
        self.exports.store(0, Ordering::Release);
        outcome
    }
}

/// Checks what a custom exporter filled in and derives the rule inputs.
unsafe fn custom_traits(view: &pepkit_buffer) -> Result<Traits> {
    let g = Geometry::of(view).map_err(|e| Error::value(format!("custom exporter's getbuffer: {}", e.message)))?;
    Ok(Traits {
        name: ObjectKind::Custom.name(),
        style: Style::NdArray,
        c_contiguous: g.is_contiguous(Order::C),
        f_contiguous: g.is_contiguous(Order::F),
        pil: g.suboffsets.is_some(),
    })
}
