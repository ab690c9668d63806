//! Memoryview operation sequences over the C API: a pool of objects (bytes,
//! bytearray, ndarrays, an exact-size wrapped block) and views of them, and
//! a fuzzed list of operations on pool members: slice, sub-view, cast,
//! assign, toreadonly, release, use after release, equal, hash, tolist, hex,
//! tobytes, get/set item, resize, drop. Checks: no panic or unknown status,
//! failed calls write no output, a released view refuses everything but
//! release/equal/hash, tobytes length equals len, hex length follows it,
//! equality is symmetric and a view equals itself unless it holds NaNs.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pepkit_fuzz::*;

const CAST_FORMATS: [&[u8]; 12] =
    [b"B\0", b"b\0", b"c\0", b"@B\0", b"h\0", b"i\0", b"q\0", b"d\0", b"f\0", b"?\0", b"e\0", b"<i\0"];
const ND_FORMATS: [&[u8]; 8] = [b"B\0", b"h\0", b"d\0", b"?\0", b"c\0", b"2i\0", b">q\0", b"e\0"];

#[derive(Arbitrary, Debug)]
enum Base {
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    NdArray { format: u8, shape: Vec<u8>, fortran: bool, readonly: bool },
    Wrap { data: Vec<u8>, readonly: bool },
}

#[derive(Arbitrary, Debug)]
enum Op {
    New(u8),
    Slice(u8, Vec<(i64, i64, i64)>),
    Subview(u8, i64),
    Cast(u8, u8, Option<Vec<u8>>),
    ToReadonly(u8),
    Release(u8),
    ToBytes(u8, u8),
    ToBytesInto(u8, u8, i64),
    Hex(u8, Option<u8>, i32),
    Hash(u8),
    Equal(u8, u8),
    ToList(u8),
    GetItem(u8, Vec<i64>),
    SetItem(u8, Vec<i64>, i64),
    Assign(u8, Vec<(i64, i64, i64)>, u8),
    Resize(u8, u16),
    Drop(u8),
    GetBuffer(u8, u16),
}

#[derive(Arbitrary, Debug)]
struct Input {
    bases: Vec<Base>,
    ops: Vec<Op>,
}

struct Pool {
    objs: Vec<Obj>,
    /// The wrapped blocks, freed after every object (the exact-size blocks
    /// ASan watches).
    _blocks: Vec<Box<[u8]>>,
}

impl Pool {
    fn get(&self, i: u8) -> Option<&Obj> {
        if self.objs.is_empty() {
            None
        } else {
            Some(&self.objs[i as usize % self.objs.len()])
        }
    }
    fn add(&mut self, o: Option<Obj>) {
        if let Some(o) = o {
            if self.objs.len() < 32 {
                self.objs.push(o);
            }
        }
    }
}

fn is_mv(o: &Obj) -> bool {
    // SAFETY: o is live; pepkit_type_name returns a static string.
    unsafe { std::ffi::CStr::from_ptr(pepkit_type_name(o.0)) }.to_bytes() == b"memoryview"
}

/// Whether `o` is a released memoryview (its descriptor is gone).
fn released(o: &Obj) -> bool {
    // SAFETY: o is live.
    is_mv(o) && unsafe { pepkit_memoryview_len(o.0) } == -1 && last_error().contains("released")
}

fn slices(v: &[(i64, i64, i64)]) -> Vec<pepkit_slice> {
    v.iter().take(4).map(|&(a, b, c)| pepkit_slice { start: edgy(a), stop: edgy(b), step: edgy(c) }).collect()
}

fn base(b: &Base, blocks: &mut Vec<Box<[u8]>>) -> Option<Obj> {
    let data_of = |d: &Vec<u8>| d.iter().take(512).copied().collect::<Vec<u8>>();
    // SAFETY: for all calls below, data pointers cover their lengths for the call; out is valid.
    match b {
        Base::Bytes(d) => {
            let d = data_of(d);
            // SAFETY: as said above.
            make("bytes_new", |out| unsafe { pepkit_bytes_new(d.as_ptr(), d.len(), out) })
        }
        Base::ByteArray(d) => {
            let d = data_of(d);
            // SAFETY: as said above.
            make("bytearray_new", |out| unsafe { pepkit_bytearray_new(d.as_ptr(), d.len(), out) })
        }
        Base::NdArray { format, shape, fortran, readonly } => {
            // Extents up to 16 (issue 8 fault 6 needs (1, 0, 15)), at most 4096 items.
            let shape: Vec<isize> = shape.iter().take(5).map(|&n| (n % 17) as isize).collect();
            if shape.iter().product::<isize>() > 4096 {
                return None;
            }
            let f = ND_FORMATS[*format as usize % ND_FORMATS.len()];
            let order = if *fortran { b'F' } else { b'C' };
            // SAFETY: as said above.
            make("ndarray_new", |out| unsafe {
                pepkit_ndarray_new(f.as_ptr().cast(), shape.len() as i32, shape.as_ptr(), order as _, *readonly as i32, out)
            })
        }
        Base::Wrap { data, readonly } => {
            let mut block = data_of(data).into_boxed_slice();
            let layout = pepkit_layout {
                base: block.as_mut_ptr().cast(),
                size: block.len(),
                offset: 0,
                format: std::ptr::null(),
                itemsize: 1,
                ndim: 1,
                shape: &(block.len() as isize),
                strides: std::ptr::null(),
                suboffsets: std::ptr::null(),
                readonly: *readonly as i32,
            };
            // SAFETY: as said above.
            let o = make("wrap_new", |out| unsafe { pepkit_wrap_new(&layout, None, std::ptr::null_mut(), out) });
            blocks.push(block);
            o
        }
    }
}

fuzz_target!(|input: Input| {
    let mut pool = Pool { objs: Vec::new(), _blocks: Vec::new() };
    let mut blocks = Vec::new();
    for b in input.bases.iter().take(4) {
        let o = base(b, &mut blocks);
        pool.add(o);
    }
    pool._blocks = blocks;
    for op in input.ops.iter().take(64) {
        step(&mut pool, op);
    }
    // Objects before blocks: Pool's field order drops objs first.
});

fn step(pool: &mut Pool, op: &Op) {
    // SAFETY: for every call below, pool objects are live references, slices
    // and index arrays hold the counts passed, out-pointers are valid.
    unsafe {
        match op {
            Op::New(i) => {
                let Some(o) = pool.get(*i) else { return };
                let was_released = released(o);
                let r = make("memoryview_new", |out| pepkit_memoryview_new(o.0, out));
                assert!(!(was_released && r.is_some()), "memoryview of a released view");
                pool.add(r);
            }
            Op::Slice(i, s) => {
                let Some(o) = pool.get(*i) else { return };
                let s = slices(s);
                let was_released = released(o);
                let r = make("slice", |out| pepkit_memoryview_slice(o.0, s.as_ptr(), s.len(), out));
                assert!(!(was_released && r.is_some()), "slice of a released view");
                pool.add(r);
            }
            Op::Subview(i, k) => {
                let Some(o) = pool.get(*i) else { return };
                let r = make("subview", |out| pepkit_memoryview_subview(o.0, edgy(*k), out));
                pool.add(r);
            }
            Op::Cast(i, f, shape) => {
                let Some(o) = pool.get(*i) else { return };
                let f = CAST_FORMATS[*f as usize % CAST_FORMATS.len()];
                let shape: Option<Vec<isize>> = shape.as_ref().map(|s| s.iter().take(4).map(|&n| n as isize % 17).collect());
                let (p, nd) = shape.as_ref().map_or((std::ptr::null(), -1), |s| (s.as_ptr(), s.len() as i32));
                let r = make("cast", |out| pepkit_memoryview_cast(o.0, f.as_ptr().cast(), p, nd, out));
                pool.add(r);
            }
            Op::ToReadonly(i) => {
                let Some(o) = pool.get(*i) else { return };
                let r = make("toreadonly", |out| pepkit_memoryview_toreadonly(o.0, out));
                if let Some(r) = &r {
                    assert_eq!((*pepkit_memoryview_buffer(r.0)).readonly, 1);
                }
                pool.add(r);
            }
            Op::Release(i) => {
                let Some(o) = pool.get(*i) else { return };
                if check(pepkit_memoryview_release(o.0), "release") == PEPKIT_OK && is_mv(o) {
                    assert!(released(o), "a view released without error still answers");
                    let mut n = 0usize;
                    let mut p = std::ptr::null_mut();
                    assert_eq!(check(pepkit_memoryview_tobytes(o.0, b'C' as _, &mut p, &mut n), "tobytes"), PEPKIT_ERR_VALUE);
                    assert!(p.is_null());
                    let mut eq = false;
                    check(pepkit_memoryview_equal(o.0, o.0, &mut eq), "equal");
                    assert!(eq, "a released view is equal to itself");
                }
            }
            Op::ToBytes(i, order) => {
                let Some(o) = pool.get(*i) else { return };
                let order = b"CFAX"[*order as usize % 4];
                let (mut p, mut n) = (std::ptr::null_mut(), 0usize);
                if check(pepkit_memoryview_tobytes(o.0, order as _, &mut p, &mut n), "tobytes") == PEPKIT_OK {
                    let buf = pepkit_memoryview_buffer(o.0);
                    assert!(!buf.is_null());
                    assert_eq!(n as isize, (*buf).len, "tobytes length differs from len");
                    take_owned(p, n);
                } else {
                    assert!(p.is_null());
                }
            }
            Op::ToBytesInto(i, order, extra) => {
                let Some(o) = pool.get(*i) else { return };
                let buf = pepkit_memoryview_buffer(o.0);
                if buf.is_null() {
                    return;
                }
                let len = ((*buf).len + (*extra % 3) as isize - 1).clamp(0, 1 << 20) as usize;
                let mut dst = vec![0xa5u8; len].into_boxed_slice();
                let order = b"CFA"[*order as usize % 3];
                let st = check(pepkit_memoryview_tobytes_into(o.0, order as _, dst.as_mut_ptr().cast(), len), "tobytes_into");
                if st != PEPKIT_OK {
                    assert!(dst.iter().all(|&b| b == 0xa5), "a failed tobytes_into wrote its destination");
                }
            }
            Op::Hex(i, sep, per) => {
                let Some(o) = pool.get(*i) else { return };
                let sep: Option<[u8; 2]> = sep.map(|c| [c, 0]);
                let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
                let sp = sep.as_ref().map_or(std::ptr::null(), |s| s.as_ptr().cast());
                if check(pepkit_memoryview_hex(o.0, sp, *per, &mut s, &mut n), "hex") == PEPKIT_OK {
                    let text = take_owned(s.cast(), n + 1);
                    assert_eq!(text[n], 0);
                    let len = (*pepkit_memoryview_buffer(o.0)).len as usize;
                    assert!(n >= 2 * len && n <= 3 * len, "hex of {len} bytes has {n} characters");
                } else {
                    assert!(s.is_null());
                }
            }
            Op::Hash(i) => {
                let Some(o) = pool.get(*i) else { return };
                let (mut a, mut b) = (0isize, 0isize);
                if check(pepkit_memoryview_hash(o.0, &mut a), "hash") == PEPKIT_OK {
                    assert_eq!(check(pepkit_memoryview_hash(o.0, &mut b), "hash"), PEPKIT_OK);
                    assert_eq!(a, b, "the hash changed");
                    assert_ne!(a, -1, "-1 is never a hash");
                }
            }
            Op::Equal(i, j) => {
                let (Some(a), Some(b)) = (pool.get(*i), pool.get(*j)) else { return };
                let (mut x, mut y) = (false, false);
                let s1 = check(pepkit_memoryview_equal(a.0, b.0, &mut x), "equal");
                let s2 = check(pepkit_memoryview_equal(b.0, a.0, &mut y), "equal");
                assert_eq!(s1, s2, "equal's status depends on the order");
                if s1 == PEPKIT_OK {
                    assert_eq!(x, y, "equality is not symmetric");
                }
            }
            Op::ToList(i) => {
                let Some(o) = pool.get(*i) else { return };
                let buf = pepkit_memoryview_buffer(o.0);
                if !buf.is_null() && slow_tolist(&shape_of(&*buf)) {
                    return;
                }
                let (mut s, mut n) = (std::ptr::null_mut(), 0usize);
                if check(pepkit_memoryview_tolist(o.0, &mut s, &mut n), "tolist") == PEPKIT_OK {
                    let text = take_owned(s.cast(), n + 1);
                    assert_eq!(text[n], 0);
                    assert!(!text[..n].contains(&0), "a NUL inside tolist's repr");
                } else {
                    assert!(s.is_null());
                }
            }
            Op::GetItem(i, idx) => {
                let Some(o) = pool.get(*i) else { return };
                let idx: Vec<isize> = idx.iter().take(6).map(|&k| edgy(k)).collect();
                let mut v = std::mem::MaybeUninit::<pepkit_value>::zeroed();
                check(pepkit_memoryview_get_item(o.0, idx.as_ptr(), idx.len(), v.as_mut_ptr()), "get_item");
            }
            Op::SetItem(i, idx, val) => {
                let Some(o) = pool.get(*i) else { return };
                let idx: Vec<isize> = idx.iter().take(6).map(|&k| edgy(k)).collect();
                let mut v: pepkit_value = std::mem::MaybeUninit::zeroed().assume_init();
                let byte = [*val as u8; 1];
                v.kind = (*val as u64 % 5) as i32;
                v.i = *val;
                v.u = *val as u64;
                v.f = *val as f64 / 3.0;
                v.b = *val & 1 == 1;
                v.bytes = byte.as_ptr();
                v.len = (*val as u64 % 3) as usize;
                check(pepkit_memoryview_set_item(o.0, idx.as_ptr(), idx.len(), &v), "set_item");
            }
            Op::Assign(i, s, j) => {
                let (Some(a), Some(b)) = (pool.get(*i), pool.get(*j)) else { return };
                let s = slices(s);
                check(pepkit_memoryview_assign(a.0, s.as_ptr(), s.len(), b.0), "assign");
            }
            Op::Resize(i, n) => {
                let Some(o) = pool.get(*i) else { return };
                check(pepkit_bytearray_resize(o.0, *n as usize % 1024), "bytearray_resize");
            }
            Op::Drop(i) => {
                if !pool.objs.is_empty() {
                    let k = *i as usize % pool.objs.len();
                    pool.objs.remove(k);
                }
            }
            Op::GetBuffer(i, flags) => {
                let Some(o) = pool.get(*i) else { return };
                let mut view = pepkit_buffer::zeroed();
                if check(pepkit_getbuffer(o.0, &mut view, *flags as i32 & 0x1ff), "getbuffer") == PEPKIT_OK {
                    let r = make("memoryview_from_buffer", |out| pepkit_memoryview_from_buffer(&mut view, out));
                    if r.is_none() {
                        check(pepkit_releasebuffer(&mut view), "releasebuffer");
                    }
                    pool.add(r);
                }
            }
        }
    }
}
