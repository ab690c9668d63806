//! Issue 8, item 6: an empty view whose slicing moved its `buf` to exactly
//! NULL, driven through the C functions. Making a Rust slice of (NULL, 0) is
//! undefined behaviour that a build with debug assertions catches (and
//! aborts on); a release build hides it. So this test means most under
//! `cargo test` (debug assertions on): before the fix it aborted there.

use std::ptr;

use pepkit::raw::{pepkit_buffer, pepkit_object, pepkit_slice};
use pepkit_ffi::consts::PEPKIT_BUF_FULL_RO;
use pepkit_ffi::buffer::{pepkit_buffer_to_contiguous, pepkit_getbuffer, pepkit_releasebuffer};
use pepkit_ffi::memoryview::*;
use pepkit_ffi::object::{pepkit_decref, pepkit_free, pepkit_ndarray_new};

const OK: i32 = 0;

/// ndarray(shape (1, 0, 15), 'B', readonly) sliced [-MAX:-MAX:-MAX] on
/// every dimension, with its base objects (the caller decrefs all three).
fn null_view() -> [*mut pepkit_object; 3] {
    let (mut nd, mut mv, mut sl) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let shape = [1isize, 0, 15];
    let s = pepkit_slice { start: -isize::MAX, stop: -isize::MAX, step: -isize::MAX };
    // SAFETY: valid arguments as the header documents; each object is used
    // only after the call that made it succeeded.
    unsafe {
        assert_eq!(pepkit_ndarray_new(c"B".as_ptr(), 3, shape.as_ptr(), b'C' as _, 1, &mut nd), OK);
        assert_eq!(pepkit_memoryview_new(nd, &mut mv), OK);
        assert_eq!(pepkit_memoryview_slice(mv, [s, s, s].as_ptr(), 3, &mut sl), OK);
    }
    [sl, mv, nd]
}

#[test]
fn a_view_at_null_is_empty_everywhere() {
    // SAFETY: every call gets live objects, valid out-pointers and lengths
    // that match their buffers; owned results are freed once.
    unsafe {
        let objects = null_view();
        let sl = objects[0];
        let desc = &*pepkit_memoryview_buffer(sl);
        assert!(desc.buf.is_null(), "the case of the issue: buf is exactly NULL");
        assert_eq!(desc.len, 0);

        let mut h = 7isize;
        assert_eq!(pepkit_memoryview_hash(sl, &mut h), OK);
        assert_eq!(h, 0, "hash(b'')");

        let (mut bytes, mut n) = (ptr::null_mut(), 9usize);
        assert_eq!(pepkit_memoryview_tobytes(sl, b'C' as _, &mut bytes, &mut n), OK);
        assert_eq!(n, 0);
        pepkit_free(bytes.cast());
        assert_eq!(pepkit_memoryview_tobytes_into(sl, b'F' as _, ptr::null_mut(), 0), OK);

        let mut text = ptr::null_mut();
        assert_eq!(pepkit_memoryview_hex(sl, c":".as_ptr(), 1, &mut text, &mut n), OK);
        assert_eq!(n, 0);
        pepkit_free(text.cast());
        assert_eq!(pepkit_memoryview_tolist(sl, &mut text, &mut n), OK);
        assert_eq!(std::ffi::CStr::from_ptr(text).to_bytes(), b"[]");
        pepkit_free(text.cast());

        let mut eq = false;
        assert_eq!(pepkit_memoryview_equal(sl, sl, &mut eq), OK);
        assert!(eq);

        let mut view = pepkit_buffer::zeroed();
        assert_eq!(pepkit_getbuffer(sl, &mut view, PEPKIT_BUF_FULL_RO), OK);
        assert!(view.buf.is_null());
        assert_eq!(pepkit_buffer_to_contiguous(ptr::null_mut(), &view, 0, b'C' as _), OK);
        assert_eq!(pepkit_releasebuffer(&mut view), OK);

        for obj in objects {
            pepkit_decref(obj);
        }
    }
}
