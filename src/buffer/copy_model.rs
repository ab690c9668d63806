//! The copy engine (dimension merging, per-itemsize fast paths, suboffsets)
//! against a naive model that walks every index with get_pointer, on random
//! geometries. Seeded: PEPKIT_SEED=<n> reproduces a run. (Was
//! tests/copy_model.rs; a unit test since the engine is internal.)
#![allow(clippy::undocumented_unsafe_blocks)]

use super::copy::{from_contiguous, get_pointer, to_contiguous};
use super::geometry::is_contiguous;
use super::{pepkit_buffer, Order};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn seed() -> u64 {
    let seed = std::env::var("PEPKIT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
    });
    println!("copy_model: PEPKIT_SEED={seed}");
    seed | 1
}

/// A random strided array inside a byte block; optionally PIL-style, with a
/// pointer table for dimension 0 stored after the data.
struct Case {
    block: Vec<u8>,
    pointers: Vec<usize>,
    shape: Vec<isize>,
    strides: Vec<isize>,
    suboffsets: Option<Vec<isize>>,
    offset: isize,
    itemsize: isize,
}

fn random_case(rng: &mut Rng) -> Case {
    let ndim = rng.below(5) as usize;
    let itemsize = [1, 2, 3, 4, 8, 16, 12][rng.below(7) as usize] as isize;
    let shape: Vec<isize> = (0..ndim).map(|_| [0, 1, 1, 2, 3, 4, 5, 7][rng.below(8) as usize]).collect();
    // Start from C or F strides, then spread, reverse or zero some of them.
    let fortran = rng.below(2) == 0;
    let mut strides = vec![0isize; ndim];
    let mut step = itemsize * (1 + rng.below(2) as isize);
    let order: Vec<usize> = if fortran { (0..ndim).collect() } else { (0..ndim).rev().collect() };
    for &d in &order {
        strides[d] = step;
        step *= shape[d].max(1) * (1 + rng.below(2) as isize);
    }
    for s in strides.iter_mut() {
        match rng.below(6) {
            0 => *s = -*s,
            1 => *s = 0,
            _ => {}
        }
    }
    let (mut lo, mut hi) = (0isize, itemsize);
    for d in 0..ndim {
        let span = strides[d] * (shape[d] - 1).max(0);
        if span < 0 { lo += span } else { hi += span }
    }
    let offset = -lo;
    let data_len = (hi - lo) as usize;
    let mut block: Vec<u8> = (0..data_len).map(|_| rng.next() as u8).collect();
    let mut case = Case { block: vec![], pointers: vec![], shape, strides, suboffsets: None, offset, itemsize };
    if ndim > 0 && rng.below(3) == 0 && !case.shape.contains(&0) {
        // PIL: dimension 0 goes through a pointer table of shape[0] entries,
        // each pointing at that row's start relative to the data.
        let rows = case.shape[0] as usize;
        case.pointers = vec![0usize; rows];
        let sub0 = case.offset; // rows are stored as offset 0 pointers + sub0
        case.suboffsets = Some((0..ndim).map(|d| if d == 0 { sub0 } else { -1 }).collect());
        case.block = std::mem::take(&mut block);
        return case;
    }
    case.block = block;
    case
}

/// The view over `case`, and for PIL cases the pointer table it reads.
fn view_of(case: &mut Case) -> pepkit_buffer {
    let base = case.block.as_mut_ptr();
    let len = case.shape.iter().product::<isize>() * case.itemsize;
    let mut view = pepkit_buffer::zeroed();
    view.itemsize = case.itemsize;
    view.len = len;
    view.ndim = case.shape.len() as i32;
    if !case.shape.is_empty() {
        view.shape = case.shape.as_mut_ptr();
        view.strides = case.strides.as_mut_ptr();
    }
    match &mut case.suboffsets {
        Some(sub) => {
            // Row i starts at base + i*strides[0] (before suboffset): the table
            // entry holds base + i*strides[0], suboffset adds the offset.
            for i in 0..case.pointers.len() {
                case.pointers[i] = (base as usize).wrapping_add_signed(i as isize * case.strides[0]);
            }
            case.strides[0] = std::mem::size_of::<usize>() as isize;
            view.strides = case.strides.as_mut_ptr();
            view.suboffsets = sub.as_mut_ptr();
            view.buf = case.pointers.as_mut_ptr().cast();
        }
        None => view.buf = base.wrapping_offset(case.offset).cast(),
    }
    view
}

/// Every index of `shape` in C or Fortran order.
fn indices(shape: &[isize], fortran: bool) -> Vec<Vec<isize>> {
    let total: isize = shape.iter().product();
    let mut out = Vec::new();
    let mut idx = vec![0isize; shape.len()];
    for _ in 0..total {
        out.push(idx.clone());
        let dims: Vec<usize> = if fortran { (0..shape.len()).collect() } else { (0..shape.len()).rev().collect() };
        for d in dims {
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

#[test]
fn to_and_from_contiguous_match_the_index_model() {
    let mut rng = Rng(seed());
    let mut checked = 0;
    for case_no in 0..4000 {
        let mut case = random_case(&mut rng);
        // Zero strides alias items, so a written pattern cannot read back.
        let aliased = case.strides.iter().zip(&case.shape).any(|(&s, &n)| s == 0 && n > 1);
        let view = view_of(&mut case);
        for order in [Order::C, Order::F, Order::Any] {
            let fortran = match order {
                Order::F => true,
                Order::C => false,
                Order::Any => unsafe { !is_contiguous(&view, Order::C).unwrap() && is_contiguous(&view, Order::F).unwrap() },
            };
            let mut expected = Vec::new();
            for idx in indices(&case.shape, fortran) {
                let p = unsafe { get_pointer(&view, &idx).unwrap() };
                expected.extend_from_slice(unsafe { std::slice::from_raw_parts(p, case.itemsize as usize) });
            }
            if case.shape.is_empty() {
                let p = unsafe { get_pointer(&view, &[]).unwrap() };
                expected = unsafe { std::slice::from_raw_parts(p, case.itemsize as usize) }.to_vec();
            }
            let mut got = vec![0u8; view.len as usize];
            unsafe { to_contiguous(&mut got, &view, order).unwrap() };
            assert_eq!(got, expected, "case {case_no} order {order:?} shape {:?} strides {:?} sub {:?}", case.shape, case.strides, case.suboffsets);

            // Write a pattern back and read it again: the round trip is exact
            // wherever no two indices share memory (no zero strides).
            if !aliased {
                let pattern: Vec<u8> = (0..view.len).map(|i| (i * 7 + 3) as u8).collect();
                unsafe { from_contiguous(&view, &pattern, order).unwrap() };
                let mut back = vec![0u8; view.len as usize];
                unsafe { to_contiguous(&mut back, &view, order).unwrap() };
                assert_eq!(back, pattern, "round trip, case {case_no} order {order:?} shape {:?} strides {:?} sub {:?} itemsize {}", case.shape, case.strides, case.suboffsets, case.itemsize);
            }
            checked += 1;
        }
    }
    println!("copy_model: {checked} copies checked");
}

/// Larger transposed and sliced 2-D and 3-D views, which take the panel path
/// (inner items a cache line apart, outer ones close together).
#[test]
fn transposed_panels_match_the_index_model() {
    let mut rng = Rng(seed() ^ 0x9e37_79b9);
    for case_no in 0..300 {
        let itemsize = [1isize, 2, 4, 8, 16, 3][rng.below(6) as usize];
        let rows = 1 + rng.below(40) as isize;
        let cols = 1 + rng.below(40) as isize;
        let depth = 1 + rng.below(3) as isize;
        let step = 1 + rng.below(2) as isize; // every item or every other
        // A C-ordered (depth, rows*step, cols) block viewed as (depth, cols, rows): transposed.
        let row_bytes = cols * itemsize;
        let plane = rows * step * row_bytes;
        let mut block: Vec<u8> = (0..(depth * plane) as usize).map(|_| rng.next() as u8).collect();
        let mut shape = vec![depth, cols, rows];
        let mut strides = vec![plane, itemsize, step * row_bytes];
        if rng.below(2) == 0 {
            strides[1] = -itemsize; // columns reversed
        }
        let offset = if strides[1] < 0 { (cols - 1) * itemsize } else { 0 };
        let mut view = pepkit_buffer::zeroed();
        view.buf = block.as_mut_ptr().wrapping_offset(offset).cast();
        view.itemsize = itemsize;
        view.len = depth * rows * cols * itemsize;
        view.ndim = 3;
        view.shape = shape.as_mut_ptr();
        view.strides = strides.as_mut_ptr();
        for order in [Order::C, Order::F] {
            let mut expected = Vec::new();
            for idx in indices(&shape, order == Order::F) {
                let p = unsafe { get_pointer(&view, &idx).unwrap() };
                expected.extend_from_slice(unsafe { std::slice::from_raw_parts(p, itemsize as usize) });
            }
            let mut got = vec![0u8; view.len as usize];
            unsafe { to_contiguous(&mut got, &view, order).unwrap() };
            assert_eq!(got, expected, "case {case_no} {order:?} shape {shape:?} strides {strides:?}");
        }
    }
}
