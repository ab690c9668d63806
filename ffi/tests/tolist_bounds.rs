//! Two tolist findings of the fuzz targets (fuzz/corpus/*/seed-tolist-*),
//! same class as issue 8 fault 2, driven through the C functions:
//!
//! * a zero-byte view (an extent of 0 after others) from a custom exporter
//!   with huge strides: tolist computed `i * stride` for the dimensions
//!   before the zero extent, which overflows (a panic under overflow checks,
//!   PEPKIT_ERR_PANIC through the guard; a wrapped pointer in release,
//!   which, with suboffsets, tolist then read through: a wild read);
//! * an empty ndarray of a huge item size: tolist reserved a guess sized
//!   from the item size (up to 1 GiB) although there is no item.

use std::ffi::{c_void, CStr};
use std::ptr;

use pepkit::raw::{pepkit_buffer, pepkit_object};
use pepkit_ffi::memoryview::*;
use pepkit_ffi::object::*;

const OK: i32 = 0;

/// A custom exporter's fixed layout, alive as long as the test.
struct Layout {
    /// The exported memory: one pointer (to itself), for the indirect case.
    cell: std::sync::atomic::AtomicPtr<u8>,
    shape: [isize; 3],
    strides: [isize; 3],
    /// Suboffsets, or all -1 for none.
    suboffsets: [isize; 3],
}

/// The exporter's getbuffer.
///
/// # Safety
/// `this` must be a `Layout` and `view` a writable buffer (pepkit's call).
unsafe extern "C" fn getbuffer(this: *mut c_void, view: *mut pepkit_buffer, _flags: i32) -> i32 {
    // SAFETY: `this` is the Layout handed to pepkit_custom_new, a static;
    // `view` is pepkit's scratch struct.
    let (l, v) = unsafe { (&*(this as *const Layout), &mut *view) };
    let cell = &l.cell as *const _ as *mut u8;
    l.cell.store(cell, std::sync::atomic::Ordering::Relaxed);
    v.buf = cell.cast();
    v.len = 0;
    v.itemsize = 3;
    v.readonly = 1;
    v.ndim = 3;
    v.format = c"xBx".as_ptr() as *mut _;
    v.shape = l.shape.as_ptr() as *mut _;
    v.strides = l.strides.as_ptr() as *mut _;
    if l.suboffsets.iter().any(|&s| s >= 0) {
        v.suboffsets = l.suboffsets.as_ptr() as *mut _;
    }
    OK
}

/// tolist of a view of `obj`: the status and the text.
///
/// # Safety
/// `obj` must be a live object.
unsafe fn tolist(obj: *mut pepkit_object) -> (i32, String) {
    let mut mv = ptr::null_mut();
    let (mut text, mut n) = (ptr::null_mut(), 0usize);
    // SAFETY: a live object and valid out-pointers; the text is pepkit's
    // owned string of `n` bytes, freed once; the view is decref'd once.
    unsafe {
        assert_eq!(pepkit_memoryview_new(obj, &mut mv), OK);
        let status = pepkit_memoryview_tolist(mv, &mut text, &mut n);
        let out = if status == OK {
            let s = CStr::from_ptr(text).to_string_lossy().into_owned();
            assert_eq!(s.len(), n);
            pepkit_free(text.cast());
            s
        } else {
            String::new()
        };
        pepkit_decref(mv);
        (status, out)
    }
}

/// tolist of the layout's view: CPython gives `[[], [], [], [], []]`.
fn five_empty_lists(layout: &'static Layout) {
    let vt = pepkit_exporter_vtable { getbuffer: Some(getbuffer), releasebuffer: None, dealloc: None };
    // SAFETY: a static layout the callbacks read, valid out-pointers; the
    // object is decref'd once.
    unsafe {
        let mut obj = ptr::null_mut();
        assert_eq!(pepkit_custom_new(&vt, layout as *const Layout as *mut c_void, &mut obj), OK);
        assert_eq!(tolist(obj), (OK, "[[], [], [], [], []]".to_string()));
        pepkit_decref(obj);
    }
}

#[test]
fn zero_byte_view_with_huge_strides() {
    // The fuzz finding: shape (5, 0, 2**62-1), format 'xBx', huge strides.
    static LAYOUT: Layout = Layout {
        cell: std::sync::atomic::AtomicPtr::new(ptr::null_mut()),
        shape: [5, 0, (1 << 62) - 1],
        strides: [isize::MAX, 1 << 62, 3],
        suboffsets: [-1; 3],
    };
    five_empty_lists(&LAYOUT);
}

#[test]
fn zero_byte_indirect_view_reads_no_pointer() {
    // The same with a suboffset on the first dimension: no item exists, so
    // no pointer is formed or followed (before the fix, tolist read one at
    // buf + i * stride, far outside any memory, and crashed in any build).
    static LAYOUT: Layout = Layout {
        cell: std::sync::atomic::AtomicPtr::new(ptr::null_mut()),
        shape: [5, 0, 3],
        strides: [1 << 40, 3, 1],
        suboffsets: [0, -1, -1],
    };
    five_empty_lists(&LAYOUT);
}

#[test]
fn empty_ndarray_of_a_huge_item_reserves_nothing_for_items() {
    // The guess was sized from the item size although there is no item;
    // the answer is "[]" whatever the item size.
    // SAFETY: valid arguments; the object is decref'd once.
    unsafe {
        let mut nd = ptr::null_mut();
        let shape = [0isize];
        assert_eq!(pepkit_ndarray_new(c"I1111111111111i".as_ptr(), 1, shape.as_ptr(), b'C' as _, 1, &mut nd), OK);
        assert_eq!(tolist(nd), (OK, "[]".to_string()));
        pepkit_decref(nd);
    }
}
