//! Caller layouts over an exact-size block: pepkit_wrap_new with fuzzed
//! shape, strides (negative, zero), offset, suboffsets, itemsize and block
//! size, and custom exporters (C callbacks) describing the same layouts.
//!
//! The block is allocated at exactly its size, so AddressSanitizer reports
//! any byte pepkit touches outside it. The model of reachable bytes
//! (pepkit_fuzz::reachable) must agree with what pepkit accepts: wrap_new
//! never accepts a layout whose reachable bytes leave the block, and every
//! operation on an accepted one (get_pointer for every index, to_contiguous,
//! from_contiguous, tobytes, tolist, hex, hash, slices) stays inside it.
#![no_main]

use std::ffi::c_void;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pepkit_fuzz::*;

const FORMATS: [&[u8]; 10] = [b"B\0", b"b\0", b"c\0", b"h\0", b"<i\0", b"d\0", b"?\0", b"3s\0", b"xBx\0", b"e\0"];

#[derive(Arbitrary, Debug)]
struct Input {
    size: u16,
    offset: i64,
    format: u8,
    itemsize: Option<i64>,
    dims: Vec<(i64, i64)>,
    strides: bool,
    suboffsets: Option<Vec<i64>>,
    readonly: bool,
    custom: bool,
    custom_error: bool,
    flags: u16,
    slice: (i64, i64, i64),
    fill: u8,
}

/// The layout a custom exporter hands out: the arrays live here until dealloc.
struct Exported {
    base: *mut u8,
    len: isize,
    itemsize: isize,
    format: &'static [u8],
    shape: Vec<isize>,
    strides: Vec<isize>,
    readonly: bool,
    error: bool,
}

/// The exporter's getbuffer.
///
/// # Safety
/// `this` must be an `Exported` and `view` a writable buffer (pepkit's call).
unsafe extern "C" fn custom_getbuffer(this: *mut c_void, view: *mut pepkit_buffer, _flags: i32) -> pepkit_status {
    // SAFETY: `this` is the Exported given to pepkit_custom_new, alive until
    // dealloc; `view` is pepkit's scratch struct.
    let (e, v) = unsafe { (&*(this as *const Exported), &mut *view) };
    if e.error {
        // SAFETY: a static NUL-terminated message.
        return unsafe { pepkit_ffi::status::pepkit_set_error(PEPKIT_ERR_BUFFER, c"fuzzed refusal".as_ptr()) };
    }
    v.buf = e.base.cast();
    v.len = e.len;
    v.itemsize = e.itemsize;
    v.readonly = e.readonly as i32;
    v.ndim = e.shape.len() as i32;
    v.format = e.format.as_ptr() as *mut _;
    v.shape = e.shape.as_ptr() as *mut _;
    v.strides = e.strides.as_ptr() as *mut _;
    PEPKIT_OK
}

/// The exporter's dealloc.
///
/// # Safety
/// `this` must be the `Exported` boxed for the object, freed once.
unsafe extern "C" fn custom_dealloc(this: *mut c_void) {
    // SAFETY: `this` came from Box::into_raw below and pepkit calls dealloc once.
    drop(unsafe { Box::from_raw(this as *mut Exported) });
}

fuzz_target!(|input: Input| {
    let size = input.size as usize % 2048;
    // Exactly `size` bytes (a zero-size block still gets a distinct, unreadable allocation).
    let mut block = vec![input.fill; size].into_boxed_slice();
    let base = block.as_mut_ptr();
    let format = FORMATS[input.format as usize % FORMATS.len()];
    let mut true_size = 0isize;
    // SAFETY: format is NUL-terminated.
    check(unsafe { pepkit_format_calcsize(format.as_ptr().cast(), &mut true_size) }, "calcsize");
    let itemsize = input.itemsize.map_or(true_size, edgy);
    let offset = edgy(input.offset);
    let dims: Vec<(isize, isize)> = input.dims.iter().take(66).map(|&(n, s)| (edgy(n), edgy(s))).collect();
    let shape: Vec<isize> = dims.iter().map(|d| d.0).collect();
    let strides: Vec<isize> = if input.strides { dims.iter().map(|d| d.1).collect() } else { c_strides(&shape, itemsize) };
    let suboffsets: Option<Vec<isize>> =
        input.suboffsets.as_ref().map(|s| (0..shape.len()).map(|i| s.get(i).map_or(-1, |&v| edgy(v))).collect());
    let indirect = suboffsets.as_ref().is_some_and(|s| s.iter().any(|&v| v >= 0));

    let in_block = |lo: i128, hi: i128| lo >= 0 && hi <= size as i128;
    let model = reachable(offset, itemsize, &shape, &strides);
    let obj = if input.custom {
        // A custom exporter's layout is trusted by pepkit (as CPython trusts
        // bf_getbuffer), so hand it only layouts the model says are sound.
        if shape.len() > 64 || itemsize != true_size || shape.iter().any(|&n| n < 0) || indirect {
            return;
        }
        let Some(len) = shape.iter().try_fold(itemsize, |a, &n| a.checked_mul(n)) else { return };
        let sound = match model {
            Some((lo, hi)) => in_block(lo, hi),
            None => (0..=size as isize).contains(&offset),
        };
        if !sound {
            return;
        }
        let e = Box::new(Exported {
            // SAFETY: offset lies within the block or one past it (checked above).
            base: unsafe { base.offset(offset) },
            len,
            itemsize,
            format,
            shape: shape.clone(),
            strides: strides.clone(),
            readonly: input.readonly,
            error: input.custom_error,
        });
        let vt = pepkit_exporter_vtable { getbuffer: Some(custom_getbuffer), releasebuffer: None, dealloc: Some(custom_dealloc) };
        let raw = Box::into_raw(e);
        // SAFETY: a valid vtable and its Exported, out valid.
        let made = make("custom_new", |out| unsafe { pepkit_custom_new(&vt, raw.cast(), out) });
        match made {
            Some(o) => o,
            None => {
                // SAFETY: the call failed, so dealloc never runs: the box is still ours.
                drop(unsafe { Box::from_raw(raw) });
                return;
            }
        }
    } else {
        let layout = pepkit_layout {
            base: base.cast(),
            size,
            offset,
            format: format.as_ptr().cast(),
            itemsize,
            ndim: shape.len() as i32,
            shape: shape.as_ptr(),
            strides: if input.strides { strides.as_ptr() } else { std::ptr::null() },
            suboffsets: suboffsets.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            readonly: input.readonly as i32,
        };
        // SAFETY: the layout's arrays hold ndim entries and outlive the call.
        let Some(obj) = make("wrap_new", |out| unsafe { pepkit_wrap_new(&layout, None, std::ptr::null_mut(), out) }) else {
            return;
        };
        // The model must agree that the layout is sound.
        assert!(shape.len() <= 64 && shape.iter().all(|&n| n >= 0), "wrap_new accepted shape {shape:?}");
        assert_eq!(itemsize, true_size, "wrap_new accepted a wrong itemsize");
        if !indirect {
            if let Some((lo, hi)) = model {
                assert!(in_block(lo, hi), "wrap_new accepted a layout reaching [{lo}, {hi}) of a {size}-byte block");
            }
        }
        obj
    };
    if indirect {
        // Past the first indirection the pointers come from the block's
        // bytes, which are the caller's to make valid: do not follow them.
        return;
    }
    exercise(&obj, &input, base, size);
    drop(obj);
    drop(block);
});

fn exercise(obj: &Obj, input: &Input, base: *mut u8, size: usize) {
    let lo = base as usize;
    let hi = lo + size;
    let mut view = pepkit_buffer::zeroed();
    let flags = [PEPKIT_BUF_FULL_RO, PEPKIT_BUF_FULL, PEPKIT_BUF_RECORDS_RO, PEPKIT_BUF_STRIDED_RO, PEPKIT_BUF_C_CONTIGUOUS,
        PEPKIT_BUF_F_CONTIGUOUS, PEPKIT_BUF_ANY_CONTIGUOUS, PEPKIT_BUF_SIMPLE, PEPKIT_BUF_CONTIG_RO, input.flags as i32 & 0x1ff]
        [input.flags as usize % 10];
    // SAFETY: obj is live; view is a valid out-struct.
    if check(unsafe { pepkit_getbuffer(obj.0, &mut view, flags) }, "getbuffer") == PEPKIT_OK {
        // SAFETY: view is a live export.
        let shape = unsafe { shape_of(&view) };
        for index in indices(&shape, 256) {
            let mut p: *mut c_void = std::ptr::null_mut();
            // SAFETY: index holds ndim entries; p is a valid out-pointer.
            if check(unsafe { pepkit_buffer_get_pointer(&view, index.as_ptr(), index.len(), &mut p) }, "get_pointer") == PEPKIT_OK {
                let p = p as usize;
                assert!(p >= lo && p + view.itemsize as usize <= hi, "item {index:?} at {p:#x} outside [{lo:#x}, {hi:#x})");
            }
        }
        if view.len >= 0 && view.len <= 1 << 16 {
            let mut dst = vec![0u8; view.len as usize].into_boxed_slice();
            for order in *b"CFA" {
                // SAFETY: dst holds exactly view.len bytes.
                check(unsafe { pepkit_buffer_to_contiguous(dst.as_mut_ptr().cast(), &view, view.len, order as _) }, "to_contiguous");
                if view.readonly == 0 {
                    // SAFETY: as above; the view is writable.
                    check(unsafe { pepkit_buffer_from_contiguous(&view, dst.as_ptr().cast(), view.len, order as _) }, "from_contiguous");
                }
            }
        }
        // SAFETY: view was filled by getbuffer and is released once.
        check(unsafe { pepkit_releasebuffer(&mut view) }, "releasebuffer");
    }

    // SAFETY: a live object, out valid.
    let Some(mv) = make("memoryview_new", |out| unsafe { pepkit_memoryview_new(obj.0, out) }) else { return };
    let (a, b, c) = input.slice;
    let s = pepkit_slice { start: edgy(a), stop: edgy(b), step: edgy(c) };
    // SAFETY: a live view, one slice, out valid.
    let sliced = make("slice", |out| unsafe { pepkit_memoryview_slice(mv.0, &s, 1, out) });
    for v in [Some(&mv), sliced.as_ref()].into_iter().flatten() {
        read_all(v);
    }
}

/// Every whole-view read; ASan watches the block.
fn read_all(mv: &Obj) {
    // SAFETY: mv is live and every out-pointer is valid; the descriptor is
    // the view's own, valid while it lives; owned outputs are freed once.
    unsafe {
        let buf = pepkit_memoryview_buffer(mv.0);
        assert!(!buf.is_null());
        let len = (*buf).len;
        if len > 1 << 22 && len <= 1 << 30 {
            return; // a big view of a small block (zero strides) is sound but slow to copy
        }
        let (mut p, mut n) = (std::ptr::null_mut(), 0usize);
        if check(pepkit_memoryview_tobytes(mv.0, b'C' as _, &mut p, &mut n), "tobytes") == PEPKIT_OK {
            assert_eq!(n as isize, len);
            take_owned(p, n);
        }
        let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
        if !slow_tolist(&shape_of(&*buf)) && check(pepkit_memoryview_tolist(mv.0, &mut s, &mut n), "tolist") == PEPKIT_OK {
            take_owned(s.cast(), n + 1);
        }
        let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
        if check(pepkit_memoryview_hex(mv.0, c":".as_ptr(), 2, &mut s, &mut n), "hex") == PEPKIT_OK {
            take_owned(s.cast(), n + 1);
        }
        let mut h = 0isize;
        check(pepkit_memoryview_hash(mv.0, &mut h), "hash");
        if len > 1 << 30 {
            // equal allocates nothing and visits every item, as CPython's does:
            // over more than 1 GiB of items (zero strides on a small block) it is
            // sound but far too slow for a fuzz iteration.
            return;
        }
        let mut eq = false;
        if check(pepkit_memoryview_equal(mv.0, mv.0, &mut eq), "equal") == PEPKIT_OK {
            let _ = eq; // NaN items make a view unequal to itself, as in CPython.
        }
    }
}
