//! DLPack: pepkit memory out as a managed tensor, and managed tensors in as
//! pepkit exporters.
//!
//! An exported tensor is one heap block: the managed tensor first (so the
//! deleter's argument is the block), then the pepkit export that keeps the
//! exporter's memory alive, then `ndim` extents and `ndim` element strides.
//! The deleter releases the export and frees the block; it touches no
//! thread-local state, so it may run on any thread.

use std::alloc::{self, Layout};
use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use super::abi::*;
use super::dtype;
use crate::buffer::{bits, pepkit_buffer, pepkit_object, Object, ValidLayout, MAX_NDIM};
use crate::error::{Error, Result};

/// The two managed-tensor structs pepkit produces, as one trait so that both
/// share the block layout and the deleter. (Public in a private module: the
/// sealed supertrait of `interchange::Tensor`.)
pub trait Managed: Sized {
    /// Whether this is the legacy struct (no version, no read-only flag).
    const LEGACY: bool;
    /// The struct around `tensor` with pepkit's deleter and `ctx`.
    fn new(tensor: DLTensor, readonly: bool, ctx: *mut c_void) -> Self;
    /// The tensor's deleter.
    fn deleter(&self) -> Option<unsafe extern "C" fn(*mut Self)>;
    /// The tensor.
    fn tensor(&self) -> &DLTensor;
    /// Whether the flags mark the memory read-only.
    fn readonly(&self) -> bool;
    /// Takes the tensor in: see [`import`].
    ///
    /// # Safety
    /// As [`import`].
    unsafe fn import(managed: *mut Self) -> Result<Object>;
}

impl Managed for DLManagedTensorVersioned {
    const LEGACY: bool = false;
    fn new(dl_tensor: DLTensor, readonly: bool, manager_ctx: *mut c_void) -> Self {
        DLManagedTensorVersioned {
            version: DLPACK_VERSION,
            manager_ctx,
            deleter: Some(delete_exported::<DLManagedTensorVersioned>),
            // Nothing is copied, so IS_COPIED is never set.
            flags: if readonly { DLPACK_FLAG_BITMASK_READ_ONLY } else { 0 },
            dl_tensor,
        }
    }
    fn deleter(&self) -> Option<unsafe extern "C" fn(*mut Self)> {
        self.deleter
    }
    fn tensor(&self) -> &DLTensor {
        &self.dl_tensor
    }
    fn readonly(&self) -> bool {
        self.flags & DLPACK_FLAG_BITMASK_READ_ONLY != 0
    }
    unsafe fn import(managed: *mut Self) -> Result<Object> {
        // SAFETY: as the caller guarantees.
        unsafe { import(managed) }
    }
}

impl Managed for DLManagedTensor {
    const LEGACY: bool = true;
    fn new(dl_tensor: DLTensor, _readonly: bool, manager_ctx: *mut c_void) -> Self {
        DLManagedTensor { dl_tensor, manager_ctx, deleter: Some(delete_exported::<DLManagedTensor>) }
    }
    fn deleter(&self) -> Option<unsafe extern "C" fn(*mut Self)> {
        self.deleter
    }
    fn tensor(&self) -> &DLTensor {
        &self.dl_tensor
    }
    fn readonly(&self) -> bool {
        false
    }
    unsafe fn import(managed: *mut Self) -> Result<Object> {
        // SAFETY: as the caller guarantees.
        unsafe { import_legacy(managed) }
    }
}

/// The head of an exported block; `2 * ndim` i64 follow it.
#[repr(C)]
struct Block<T> {
    managed: T,
    export: pepkit_buffer,
    ndim: usize,
}

fn block_layout<T>(ndim: usize) -> Result<(Layout, usize)> {
    Layout::new::<Block<T>>()
        .extend(Layout::array::<i64>(2 * ndim).map_err(|_| Error::no_memory("tensor too large"))?)
        .map(|(l, off)| (l.pad_to_align(), off))
        .map_err(|_| Error::no_memory("tensor too large"))
}

/// The deleter of every tensor pepkit exports: ends the export, frees the block.
///
/// # Safety
/// `managed` must be NULL or a tensor `export` made, deleted once.
unsafe extern "C" fn delete_exported<T: Managed>(managed: *mut T) {
    if managed.is_null() {
        return;
    }
    // A panic must not cross this C callback; there is nothing to report it to.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let block = managed.cast::<Block<T>>();
        // SAFETY: `managed` is the start of a block `export` made (its first
        // field), and the DLPack contract gives the deleter sole ownership:
        // the export it holds is ended and the block freed, once.
        unsafe {
            let ndim = (*block).ndim;
            let _ = pepkit_object::releasebuffer(&mut (*block).export);
            if let Ok((layout, _)) = block_layout::<T>(ndim) {
                alloc::dealloc(block.cast(), layout);
            }
        }
    }));
}

/// Releases an export taken during a call that then failed (`view` must
/// hold it).
fn give_back(view: &mut pepkit_buffer, err: Error) -> Error {
    // SAFETY: `view` holds a live export taken by this call.
    let _ = unsafe { pepkit_object::releasebuffer(view) };
    err
}

/// Exports `exporter`'s memory as a new managed tensor: one `flags | FULL_RO`
/// export held until the deleter runs.
pub(crate) fn export<T: Managed>(exporter: &Object, flags: c_int) -> Result<*mut T> {
    let exporter = exporter.as_ptr();
    let mut view = pepkit_buffer::zeroed();
    // SAFETY: `exporter` is a live reference for the call.
    unsafe { pepkit_object::getbuffer(exporter, &mut view, flags | bits::FULL_RO) }?;
    // SAFETY: `view` holds a live export, which moves into the tensor's
    // block (or is given back on failure).
    let made = unsafe {
        super::with_dims(&view, |shape, strides| {
            let (dtype, itemsize) = describe_export::<T>(&view, strides)?;
            build::<T>(exporter, &view, shape, strides, dtype, itemsize)
        })
    };
    made.map_err(|e| give_back(&mut view, e))
}

/// The checks an export must pass: what DLPack cannot say is refused here.
///
/// # Safety
/// `view` must be a live export.
unsafe fn describe_export<T: Managed>(view: &pepkit_buffer, strides: &[isize]) -> Result<(DLDataType, isize)> {
    if !view.suboffsets.is_null() {
        return Err(Error::buffer("DLPack cannot describe suboffsets (PIL-style indirect arrays)"));
    }
    if T::LEGACY && view.readonly != 0 {
        return Err(Error::buffer(
            "the memory is read-only and a legacy DLManagedTensor cannot say so: use pepkit_dlpack_export",
        ));
    }
    // SAFETY: a live export's format is NUL-terminated (or NULL).
    let dtype = dtype::to_dlpack(unsafe { super::format_of(view) })?;
    let itemsize = view.itemsize;
    for (d, &stride) in strides.iter().enumerate() {
        if stride % itemsize != 0 {
            return Err(Error::buffer(format!(
                "DLPack strides count items: the byte stride {stride} of dimension {} is not a multiple of the itemsize {itemsize}",
                d + 1
            )));
        }
    }
    Ok((dtype, itemsize))
}

/// The tensor block of an accepted export (which it takes over).
///
/// # Safety
/// `view` must be a live export of `exporter`, with `shape` and `strides`
/// its dimensions.
unsafe fn build<T: Managed>(
    exporter: *mut pepkit_object,
    view: &pepkit_buffer,
    shape: &[isize],
    strides: &[isize],
    dtype: DLDataType,
    itemsize: isize,
) -> Result<*mut T> {
    let ndim = shape.len();
    let (layout, dims_at) = block_layout::<T>(ndim)?;
    // SAFETY: the layout is never zero-sized (Block has fields).
    let raw = unsafe { alloc::alloc(layout) };
    if raw.is_null() {
        return Err(Error::no_memory(format!("cannot allocate a DLPack tensor of {} bytes", layout.size())));
    }
    let block = raw.cast::<Block<T>>();
    // SAFETY: the block's layout has room for 2 * ndim i64 at dims_at.
    let dims = unsafe { raw.add(dims_at) }.cast::<i64>();
    for (d, (&n, &stride)) in shape.iter().zip(strides).enumerate() {
        // SAFETY: entries d and ndim + d of those 2 * ndim.
        unsafe {
            dims.add(d).write(n as i64);
            dims.add(ndim + d).write((stride / itemsize) as i64);
        }
    }
    let tensor = DLTensor {
        data: view.buf,
        device: DLDevice { device_type: KDL_CPU, device_id: 0 },
        ndim: ndim as i32,
        dtype,
        shape: dims,
        strides: dims.wrapping_add(ndim),
        byte_offset: 0,
    };
    // SAFETY: `raw` is fresh memory of Block<T>'s layout; every field is
    // written before the block is handed out, and the export moves in.
    unsafe {
        ptr::addr_of_mut!((*block).managed).write(T::new(tensor, view.readonly != 0, exporter.cast()));
        ptr::addr_of_mut!((*block).ndim).write(ndim);
        let export = ptr::addr_of_mut!((*block).export);
        export.write(*view);
        // An exporter's view may point into itself (shape at &view.len): follow it.
        crate::buffer::rebase_self_pointers(view, &mut *export);
    }
    Ok(block.cast())
}

/// A foreign tensor's owner, moved into the wrap's release callback.
struct Owner<T>(*mut T);
// SAFETY: DLPack deleters may run on any thread; the pointer is only passed back to it.
unsafe impl<T> Send for Owner<T> {}

fn cpu_accessible(device: DLDevice) -> Result<()> {
    match device.device_type {
        KDL_CPU | KDL_CUDA_HOST | KDL_ROCM_HOST | KDL_CUDA_MANAGED => Ok(()),
        t => {
            let name = match t {
                2 => "CUDA",
                4 => "OpenCL",
                7 => "Vulkan",
                8 => "Metal",
                10 => "ROCm",
                14 => "oneAPI",
                _ => "non-CPU",
            };
            Err(Error::buffer(format!("DLPack device type {t} ({name}) is not memory the CPU can read")))
        }
    }
}

/// Checks a tensor and describes its memory as a wrap layout.
///
/// # Safety
/// `t.shape` and `t.strides` (when non-NULL) must hold `t.ndim` entries.
unsafe fn layout_of(t: &DLTensor, readonly: bool) -> Result<ValidLayout> {
    cpu_accessible(t.device)?;
    if !(0..=MAX_NDIM as i32).contains(&t.ndim) {
        return Err(Error::value(format!("number of dimensions must be between 0 and {MAX_NDIM}, got {}", t.ndim)));
    }
    let ndim = t.ndim as usize;
    let format = dtype::from_dlpack(t.dtype)?;
    let itemsize = (t.dtype.bits / 8) as isize;
    if ndim > 0 && t.shape.is_null() {
        return Err(Error::null_argument(format!("dl_tensor.shape must not be NULL when ndim is {ndim}")));
    }
    let mut shape = Vec::with_capacity(ndim);
    for d in 0..ndim {
        // SAFETY: a valid tensor's shape holds ndim extents.
        let n = unsafe { *t.shape.add(d) };
        if n < 0 {
            return Err(Error::value(format!("negative extent {n} in dimension {}", d + 1)));
        }
        shape.push(isize::try_from(n).map_err(|_| Error::overflow(format!("extent {n} exceeds Py_ssize_t")))?);
    }
    let _len = shape
        .iter()
        .try_fold(itemsize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| Error::overflow(format!("product(shape) * itemsize overflows Py_ssize_t (shape {shape:?})")))?;
    let mut strides = vec![0isize; ndim];
    if t.strides.is_null() {
        crate::buffer::contiguous_strides(&shape, itemsize, false, &mut strides)?;
    } else {
        for (d, stride) in strides.iter_mut().enumerate() {
            // SAFETY: a valid tensor's non-NULL strides hold ndim entries.
            let s = unsafe { *t.strides.add(d) };
            *stride = isize::try_from(s)
                .ok()
                .and_then(|s| s.checked_mul(itemsize))
                .ok_or_else(|| Error::overflow(format!("stride {s} of dimension {} overflows in bytes", d + 1)))?;
        }
    }
    let offset = isize::try_from(t.byte_offset)
        .map_err(|_| Error::overflow(format!("byte_offset {} exceeds Py_ssize_t", t.byte_offset)))?;
    let empty = shape.contains(&0);
    if t.data.is_null() && !empty {
        return Err(Error::null_argument("dl_tensor.data must not be NULL for a non-empty tensor"));
    }
    let buf = t.data.cast::<u8>().wrapping_offset(offset);
    if !empty {
        // Every reachable byte must have an address: no wrap-around.
        let (mut lo, mut hi) = (buf as i128, buf as i128 + itemsize as i128);
        for d in 0..ndim {
            let span = strides[d] as i128 * (shape[d] as i128 - 1);
            if span < 0 { lo += span } else { hi += span }
        }
        if lo < 0 || hi > usize::MAX as i128 {
            return Err(Error::value("the tensor's strides reach outside the address space"));
        }
    }
    Ok(ValidLayout {
        buf,
        itemsize,
        readonly,
        format: format.as_bytes().to_vec(),
        shape,
        strides,
        suboffsets: None,
    })
}

/// A wrap of `layout` that owns `managed`: `deleter` (if any) runs once, when
/// the wrap is freed. If the wrap cannot be made, the closure is dropped
/// without running, so the caller keeps the tensor.
///
/// # Safety
/// `layout` must describe the tensor's memory, valid until its deleter
/// runs, and `managed` be the caller's to hand over.
unsafe fn adopt<T: 'static>(
    layout: ValidLayout,
    managed: *mut T,
    deleter: Option<unsafe extern "C" fn(*mut T)>,
) -> Result<Object> {
    let owner = Owner(managed);
    let release = move || {
        let owner = owner;
        if let Some(deleter) = deleter {
            // SAFETY: the tensor is ours until its deleter runs, which is now, once.
            unsafe { deleter(owner.0) };
        }
    };
    // SAFETY: as the caller guarantees; DLPack memory may be read from any thread.
    unsafe { pepkit_object::new_wrap(layout, Some(Box::new(release))) }
}

/// Takes a versioned tensor in: on success the new object owns it and runs
/// its deleter when freed; on failure the caller still owns it.
///
/// # Safety
/// `managed` must be a valid tensor per the DLPack ABI.
pub(crate) unsafe fn import(managed: *mut DLManagedTensorVersioned) -> Result<Object> {
    // SAFETY: a valid tensor, as the caller guarantees.
    let m = unsafe { &*managed };
    if m.version.major != DLPACK_VERSION.major {
        return Err(Error::buffer(format!(
            "DLPack ABI version {}.{} is not supported (pepkit reads 1.x)",
            m.version.major, m.version.minor
        )));
    }
    // SAFETY: a valid tensor: its shape and strides hold ndim entries, and
    // its memory is valid until its deleter runs.
    unsafe {
        let layout = layout_of(&m.dl_tensor, m.flags & DLPACK_FLAG_BITMASK_READ_ONLY != 0)?;
        adopt(layout, managed, m.deleter)
    }
}

/// [`import`] for the legacy unversioned struct (always writable).
///
/// # Safety
/// `managed` must be a valid tensor per the DLPack ABI.
pub(crate) unsafe fn import_legacy(managed: *mut DLManagedTensor) -> Result<Object> {
    // SAFETY: as in `import`.
    unsafe {
        let layout = layout_of(&(*managed).dl_tensor, false)?;
        adopt(layout, managed, (*managed).deleter)
    }
}
