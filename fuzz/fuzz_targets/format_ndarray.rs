//! The struct-format parser and ndarray creation: calcsize on any bytes, and
//! pepkit_ndarray_new with a fuzzed format, shape and order. An accepted
//! array must describe itself consistently (itemsize = calcsize, len =
//! product(shape) * itemsize, zero-filled) and every read of it must work:
//! tobytes, tolist, hex and get_item over a bounded number of items.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pepkit_fuzz::*;

#[derive(Arbitrary, Debug)]
struct Input {
    format: Vec<u8>,
    shape: Vec<i64>,
    order: u8,
    readonly: bool,
}

/// Items read one by one at most (the whole-array reads are bounded by len).
const ITEM_LIMIT: usize = 64;
/// Arrays beyond this are created and dropped, not read (they are zeros).
const READ_LIMIT: isize = 1 << 16;

fuzz_target!(|input: Input| {
    let format = c_string(&input.format);
    let mut size = -1isize;
    // SAFETY: format is NUL-terminated and outlives the call; size is a valid out-pointer.
    let status = check(unsafe { pepkit_format_calcsize(format.as_ptr(), &mut size) }, "calcsize");
    if status == PEPKIT_OK {
        assert!(size >= 0, "calcsize gave {size}");
    } else {
        assert_eq!(size, -1, "a failed calcsize wrote its result");
    }

    let shape: Vec<isize> = input.shape.iter().take(70).map(|&s| edgy(s)).collect();
    let order = [b'C', b'F', b'A', 0][input.order as usize % 4] as std::ffi::c_char;
    let Some(arr) = make("ndarray_new", |out| {
        // SAFETY: every pointer is valid for the call; shape holds ndim extents.
        unsafe { pepkit_ndarray_new(format.as_ptr(), shape.len() as i32, shape.as_ptr(), order, input.readonly as i32, out) }
    }) else {
        return;
    };
    assert_eq!(status, PEPKIT_OK, "ndarray_new accepted a format calcsize refuses");
    assert!(shape.len() <= 64 && shape.iter().all(|&n| n >= 0), "ndarray_new accepted shape {shape:?}");

    let mut view = pepkit_buffer::zeroed();
    // SAFETY: arr is live; view is a valid out-struct.
    check(unsafe { pepkit_getbuffer(arr.0, &mut view, PEPKIT_BUF_FULL_RO) }, "getbuffer");
    assert_eq!(view.itemsize, size, "itemsize differs from calcsize");
    let items = shape.iter().try_fold(1isize, |a, &n| a.checked_mul(n)).expect("accepted shape overflows");
    assert_eq!(Some(view.len), items.checked_mul(size), "len is not product(shape) * itemsize");
    // SAFETY: view is a live export of arr.
    assert_eq!(unsafe { shape_of(&view) }, shape);
    let len = view.len;
    // SAFETY: view was filled by getbuffer and is released once.
    check(unsafe { pepkit_releasebuffer(&mut view) }, "releasebuffer");
    if len > READ_LIMIT {
        return;
    }

    // SAFETY: a live object, out valid.
    let Some(mv) = make("memoryview_new", |out| unsafe { pepkit_memoryview_new(arr.0, out) }) else { return };
    let (mut p, mut n) = (std::ptr::null_mut(), 0usize);
    // SAFETY: mv is live; p and n are valid out-pointers.
    if check(unsafe { pepkit_memoryview_tobytes(mv.0, b'A' as _, &mut p, &mut n) }, "tobytes") == PEPKIT_OK {
        // SAFETY: tobytes succeeded: p holds n owned bytes.
        let bytes = unsafe { take_owned(p, n) };
        assert_eq!(bytes.len() as isize, len);
        assert!(bytes.iter().all(|&b| b == 0), "a new ndarray is not zero-filled");
    }
    tolist(&mv);
    let mut eq = false;
    // SAFETY: mv is live; eq is a valid out-pointer.
    // No claim on the answer: a format struct cannot unpack is never equal.
    check(unsafe { pepkit_memoryview_equal(mv.0, mv.0, &mut eq) }, "equal");
    let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
    // SAFETY: as above; sep NULL means none.
    if check(unsafe { pepkit_memoryview_hex(mv.0, std::ptr::null(), 0, &mut s, &mut n) }, "hex") == PEPKIT_OK {
        // SAFETY: hex succeeded: s holds n owned bytes plus a NUL.
        let text = unsafe { take_owned(s.cast(), n + 1) };
        assert_eq!(n as isize, 2 * len);
        assert!(text[..n].iter().all(|&c| c == b'0'));
    }
    for index in indices(&shape, ITEM_LIMIT) {
        let mut value = std::mem::MaybeUninit::<pepkit_value>::zeroed();
        // SAFETY: index holds ndim entries; value is a valid out-struct.
        check(unsafe { pepkit_memoryview_get_item(mv.0, index.as_ptr(), index.len(), value.as_mut_ptr()) }, "get_item");
    }
});

fn tolist(mv: &Obj) {
    // SAFETY: mv is live; its descriptor lives as long as mv.
    if slow_tolist(&unsafe { shape_of(&*pepkit_memoryview_buffer(mv.0)) }) {
        return;
    }
    let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
    // SAFETY: mv is live; s and n are valid out-pointers.
    if check(unsafe { pepkit_memoryview_tolist(mv.0, &mut s, &mut n) }, "tolist") == PEPKIT_OK {
        // SAFETY: tolist succeeded: s holds n owned bytes plus a NUL.
        let text = unsafe { take_owned(s.cast(), n + 1) };
        assert_eq!(text[n], 0, "tolist's string is not NUL-terminated");
    }
}
