//! `pepkit_object`: a reference-counted exporter of memory.
//!
//! Every kind keeps its format, shape, strides and suboffsets inside the object,
//! so an export points into the object (kept alive by the export's reference)
//! and getbuffer allocates nothing.

use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, CString};
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU64, Ordering};

use super::geometry::{contiguous_strides, dense, Geometry, Order};
use super::layout::{byte_len, check_array, ValidLayout};
use super::request::{self, Style, Traits};
use super::{pepkit_buffer, MAX_NDIM};
use crate::error::{Error, Result};
use crate::memoryview::{MemoryView, ViewState};

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

enum Kind {
    Bytes(ByteStore),
    /// Mutated only by `resize`, which holds the RESIZING bit of `state`.
    ByteArray(UnsafeCell<ByteStore>),
    NdArray(ByteStore),
    Wrap { desc: ArrayDesc, release: Option<Box<dyn FnOnce() + Send>> },
    Custom(Box<dyn Exporter>),
    MemoryView(MemoryView),
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
// shareable across threads until release). Mutation after creation happens only
// in bytearray resize, which excludes every export through `state`.
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
        Box::into_raw(Box::new(pepkit_object { state: AtomicU64::new(REF), kind }))
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

    /// A new memoryview object over a view's state.
    pub fn new_memoryview(state: ViewState) -> *mut pepkit_object {
        Self::boxed(Kind::MemoryView(MemoryView::new(state)))
    }

    /// The memoryview inside this object, if it is one.
    pub fn as_memoryview(&self) -> Option<&MemoryView> {
        match &self.kind {
            Kind::MemoryView(mv) => Some(mv),
            _ => None,
        }
    }

    /// `m.release()` on a memoryview object: refused while it is exported.
    pub fn release_memoryview(&self) -> Result<()> {
        match &self.kind {
            Kind::MemoryView(mv) => mv.release(|| self.exports()),
            _ => Err(Error::type_error(format!("expected a memoryview, got {}", self.kind().name()))),
        }
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
            Kind::MemoryView(_) => ObjectKind::MemoryView,
        }
    }

    /// References, counting one for each live export.
    pub fn refcount(&self) -> usize {
        let state = self.state.load(Ordering::Acquire);
        ((state & REFS) + ((state & EXPORTS) >> 32)) as usize
    }

    /// Live exports of this object.
    pub fn exports(&self) -> usize {
        ((self.state.load(Ordering::Acquire) & EXPORTS) >> 32) as usize
    }

    pub fn incref(&self) {
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
    pub unsafe fn decref(this: *mut pepkit_object) {
        if (*this).state.fetch_sub(REF, Ordering::Release) == REF {
            fence(Ordering::Acquire);
            drop(Box::from_raw(this));
        }
    }

    /// Counts one more export of a bytearray, waiting out a resize in progress.
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
    pub unsafe fn getbuffer(this: *mut pepkit_object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        let result = Self::export(this, view, flags);
        if result.is_err() {
            view.obj = std::ptr::null_mut();
        }
        result
    }

    #[inline]
    unsafe fn export(this: *mut pepkit_object, view: &mut pepkit_buffer, flags: c_int) -> Result<()> {
        request::reject_access_flags(flags)?;
        let obj = &*this;
        match &obj.kind {
            Kind::Bytes(ByteStore { desc, .. }) => obj.export_desc(this, desc, Style::FillInfo, view, flags, false),
            Kind::NdArray(ByteStore { desc, .. }) | Kind::Wrap { desc, .. } => {
                obj.export_desc(this, desc, Style::NdArray, view, flags, false)
            }
            Kind::ByteArray(store) => {
                obj.acquire_bytearray_export();
                obj.export_desc(this, &(*store.get()).desc, Style::FillInfo, view, flags, true)
            }
            Kind::MemoryView(mv) => {
                let state = mv.live()?;
                let traits = Traits {
                    kind: ObjectKind::MemoryView,
                    style: Style::MemoryView,
                    c_contiguous: state.c_contiguous,
                    f_contiguous: state.f_contiguous,
                    pil: !state.view.suboffsets.is_null(),
                };
                request::check(state.view.readonly != 0, true, flags, &traits)?;
                // Counted under the view's read lock, so release sees it.
                obj.count_export();
                *view = state.view;
                request::narrow(view, flags);
                view.obj = this;
                Ok(())
            }
            Kind::Custom(exporter) => {
                // A scratch struct, so that a refused request writes nothing.
                let mut out = pepkit_buffer::zeroed();
                exporter.getbuffer(&mut out, flags)?;
                if !out.obj.is_null() {
                    // The callback stored a reference of its own; the export's replaces it.
                    Self::decref(out.obj);
                    out.obj = std::ptr::null_mut();
                }
                if out.internal == super::fill_info_marker() {
                    // That reference came from pepkit_buffer_fill_info; this
                    // view is a counted export, so release must end it.
                    out.internal = std::ptr::null_mut();
                }
                let checked = custom_traits(&out)
                    .and_then(|t| request::check(out.readonly != 0, !out.format.is_null(), flags, &t));
                if let Err(err) = checked {
                    exporter.releasebuffer(&mut out);
                    return Err(err);
                }
                request::narrow(&mut out, flags);
                obj.count_export();
                out.obj = this;
                *view = out;
                super::rebase_self_pointers(&out, view);
                Ok(())
            }
        }
    }

    /// Exports a description the object holds: check, count, then write
    /// straight into the caller's view. `counted` says the export was already
    /// counted (a bytearray counts first, to exclude a resize).
    #[inline]
    unsafe fn export_desc(
        &self,
        this: *mut pepkit_object,
        desc: &ArrayDesc,
        style: Style,
        view: &mut pepkit_buffer,
        flags: c_int,
        counted: bool,
    ) -> Result<()> {
        if let Err(err) = request::check(desc.readonly, true, flags, &desc.traits(self.kind(), style)) {
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
        view.internal = std::ptr::null_mut();
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
        if obj.state.load(Ordering::Acquire) & EXPORTS == 0 {
            return Err(Error::buffer(format!(
                "pepkit_releasebuffer: the {} has no live exports (was this export already released through a copy of the struct?)",
                obj.kind().name()
            )));
        }
        // The exporter's own releasebuffer runs while the export still keeps
        // the object alive.
        if let Kind::Custom(exporter) = &obj.kind {
            exporter.releasebuffer(view);
        }
        view.obj = std::ptr::null_mut();
        if obj.state.fetch_sub(EXPORT, Ordering::Release) == EXPORT {
            fence(Ordering::Acquire);
            drop(Box::from_raw(this));
        }
        Ok(())
    }

    /// Resizes a bytearray to `new_len` bytes (new bytes are zero); refused
    /// with BufferError while any export is live, as CPython's bytearray does.
    /// Resizing to the current length is a no-op that always succeeds, export
    /// or not (PyByteArray_Resize returns before its export check).
    pub fn resize(&self, new_len: usize) -> Result<()> {
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

/// Checks what a custom exporter filled in and derives the rule inputs.
unsafe fn custom_traits(view: &pepkit_buffer) -> Result<Traits> {
    let g = Geometry::of(view).map_err(|e| Error::value(format!("custom exporter's getbuffer: {}", e.message)))?;
    Ok(Traits {
        kind: ObjectKind::Custom,
        style: Style::NdArray,
        c_contiguous: g.is_contiguous(Order::C),
        f_contiguous: g.is_contiguous(Order::F),
        pil: g.suboffsets.is_some(),
    })
}
