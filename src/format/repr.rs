//! Python's `repr` of struct values, byte for byte, appended to a `Vec<u8>`
//! without any allocation of its own (the text is always ASCII).
//!
//! - ints in decimal; `True` / `False`;
//! - floats as `repr(float)`: the shortest digits that round-trip, laid out as
//!   `float_repr_style == 'short'` does (`format_float_short`, mode 'r'): exponent
//!   notation when the decimal point position is <= -4 or > 16 (`1e-05`, `1e+16`,
//!   two-digit exponent at least), otherwise positional with a `.0` for integral
//!   values; `inf`, `-inf`, `nan`, `-0.0`;
//! - bytes as `bytes.__repr__`: single quotes unless the bytes hold `'` and no `"`,
//!   `\t \n \r \\` and the quote escaped, other bytes outside 0x20..0x7f as `\xNN`;
//! - tuples `(1, 2)`, `(1,)`, `()`; lists `[1, 2]`, `[]`.

use std::fmt::Write as _;

use crate::format::value::{StructLayout, Value};

/// Appends `repr(v)`.
pub fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Int(i) => write_int(out, *i),
        Value::Bool(b) => write_bool(out, *b),
        Value::Float(f) => write_float(out, *f),
        Value::Bytes(b) => write_bytes(out, b),
        Value::Tuple(items) => {
            out.push(b'(');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(out, item);
            }
            if items.len() == 1 {
                out.push(b',');
            }
            out.push(b')');
        }
    }
}

/// `repr(v)` as a new String.
#[cfg(test)]
pub fn repr_value(v: &Value) -> String {
    let mut out = Vec::new();
    write_value(&mut out, v);
    String::from_utf8(out).expect("repr is ASCII")
}

/// Appends `True` or `False`.
#[inline]
pub fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"True" } else { b"False" });
}

const DIGITS2: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal digits of `n`.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let len = u64_digits(n, &mut buf);
    out.extend_from_slice(&buf[..len]);
}

/// Appends `repr(int)`.
#[inline]
pub fn write_int(out: &mut Vec<u8>, i: i128) {
    if i < 0 {
        out.push(b'-');
    }
    let u = i.unsigned_abs();
    if u <= u64::MAX as u128 {
        write_u64(out, u as u64);
    } else {
        let mut buf = [0u8; 40];
        let mut k = buf.len();
        let mut n = u;
        while n > 0 {
            k -= 1;
            buf[k] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&buf[k..]);
    }
}

/// A fixed stack buffer that `write!` can fill.
struct StackBuf {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        let end = self.len + b.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(b);
        self.len = end;
        Ok(())
    }
}

/// Appends `repr(float)`.
pub fn write_float(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(if x.is_nan() {
            b"nan"
        } else if x > 0.0 {
            b"inf"
        } else {
            b"-inf"
        });
        return;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let a = x.abs();
    if a < 1e16 && a == a.trunc() {
        // An integral double below 1e16 is its own shortest repr.
        write_u64(out, a as u64);
        out.extend_from_slice(b".0");
        return;
    }
    let mut digits = [0u8; 20];
    let (nd, decpt) = match shortest_exact(a) {
        Some((d, decpt)) => (u64_digits(d, &mut digits), decpt),
        None => shortest_fmt(a, &mut digits),
    };
    layout(out, &digits[..nd], decpt);
}

/// Writes the decimal digits of `n` at the start of `buf`; returns their count.
#[inline]
fn u64_digits(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let len = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
    let mut i = len;
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        buf[i - 2..i].copy_from_slice(&DIGITS2[d..d + 2]);
    } else {
        buf[i - 1] = b'0' + n as u8;
    }
    len
}

/// Powers of ten up to 10**22.
const POW10: [u128; 23] = {
    let mut t = [1u128; 23];
    let mut i = 1;
    while i < 23 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The shortest digits that read back as the positive, finite, non-integral `a`,
/// the closest of them to `a`, an exact tie to the even one (what Python's dtoa
/// mode 0 gives), as (digits, decpt) with a = 0.digits * 10**decpt. Exact integer
/// arithmetic; None outside the range it covers (about 3e-5 <= a < 2**54), where
/// [`shortest_fmt`] takes over.
fn shortest_exact(a: f64) -> Option<(u64, i32)> {
    let bits = a.to_bits();
    let biased = (bits >> 52) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if biased == 0 {
        return None;
    }
    let m = frac | (1u64 << 52);
    let e = biased - 1075; // a = m * 2**e
    // The rounding interval in units of 2**(e-2): (mm, mp) around mv; its ends
    // read back as `a` (and so count) when m is even, as strtod rounds half-even.
    let n = 2 - e; // a = mv / 2**n
    if !(1..=69).contains(&n) {
        return None;
    }
    let mv = 4 * m as u128;
    let mp = mv + 2;
    let mm = mv - if frac == 0 && biased > 1 { 1 } else { 2 };
    let accept = m.is_multiple_of(2);
    // Scale by 10**p >= 2**n so the interval spans at least three integers.
    let mut p = ((n as usize * 1233) >> 12) + 1;
    while POW10[p] < (1u128 << n) {
        p += 1;
    }
    let (lo, mid, hi) = (mm * POW10[p], mv * POW10[p], mp * POW10[p]);
    let mask = (1u128 << n) - 1;
    let (mut vm, mut vp) = ((lo >> n) as u64, (hi >> n) as u64);
    let (mut vm_exact, mut vp_exact) = (lo & mask == 0, hi & mask == 0);
    // Drop digits while some integer of the coarser scale is still inside.
    let mut z = 0usize;
    loop {
        let (nvm, nvp) = (vm / 10, vm % 10 == 0 && vm_exact);
        let (nhi, nhi_exact) = (vp / 10, vp % 10 == 0 && vp_exact);
        let lo_ok = if nvp && accept { nvm } else { nvm + 1 };
        let hi_ok = if nhi_exact && !accept { nhi.wrapping_sub(1) } else { nhi };
        if nhi == 0 || lo_ok > hi_ok {
            break;
        }
        vm = nvm;
        vm_exact = nvp;
        vp = nhi;
        vp_exact = nhi_exact;
        z += 1;
    }
    let lo_ok = if vm_exact && accept { vm } else { vm + 1 };
    let hi_ok = if vp_exact && !accept { vp - 1 } else { vp };
    // The candidate nearest to a at scale 10**z, half to even.
    let vr = (mid >> n) as u64;
    let rem1 = mid & mask;
    let pz = POW10[z] as u64;
    let (d0, r2) = match z {
        0 => (vr, 0),
        1 => (vr / 10, vr % 10),
        _ => (vr / pz, vr % pz),
    };
    // fraction = (r2 + rem1 / 2**n) / 10**z against one half
    let twice = 2 * r2 as u128;
    let up = if z == 0 {
        let half = 1u128 << (n - 1);
        rem1 > half || (rem1 == half && d0 % 2 == 1)
    } else if twice != pz as u128 {
        twice > pz as u128
    } else {
        rem1 > 0 || d0 % 2 == 1
    };
    let mut d = d0 + up as u64;
    d = d.clamp(lo_ok, hi_ok);
    let mut z = z as i32;
    while d.is_multiple_of(10) {
        d /= 10;
        z += 1;
    }
    let nd = if d == 0 { 1 } else { d.ilog10() as i32 + 1 };
    Some((d, nd + z - p as i32))
}

/// Rust's `{:e}` shortest digits with Python's tie rule, for any finite
/// positive `a`: fills `digits`, returns (count, decpt).
fn shortest_fmt(a: f64, digits: &mut [u8; 20]) -> (usize, i32) {
    // "d[.ddd]e[-]N"
    let mut s = StackBuf { buf: [0; 40], len: 0 };
    write!(s, "{a:e}").expect("a float fits 40 bytes");
    let text = &s.buf[..s.len];
    let epos = text.iter().position(|&c| c == b'e').expect("exponent");
    let mut nd = 0;
    for &c in &text[..epos] {
        if c != b'.' {
            digits[nd] = c;
            nd += 1;
        }
    }
    let exp_text = &text[epos + 1..];
    let (neg, mag) = match exp_text.first() {
        Some(b'-') => (true, &exp_text[1..]),
        _ => (false, exp_text),
    };
    let mut e: i32 = 0;
    for &c in mag {
        e = e * 10 + (c - b'0') as i32;
    }
    if neg {
        e = -e;
    }
    // Rust breaks an exact tie between two shortest candidates upwards; Python's
    // dtoa takes the even last digit (repr(2.02655792236328125e-06) ends in 2).
    let last = digits[nd - 1] - b'0';
    if last % 2 == 1 {
        let d: u64 = digits[..nd].iter().fold(0, |acc, &c| acc * 10 + (c - b'0') as u64);
        let k = e - (nd as i32 - 1);
        // The other candidate must round-trip too: at a power of two the gap
        // below is half the gap above, so 2**-24 stays 5.960464477539063e-08.
        if is_exact_half(a, 2 * d - 1, k) && round_trips(d - 1, k, a) {
            digits[nd - 1] -= 1;
        } else if last != 9 && is_exact_half(a, 2 * d + 1, k) && round_trips(d + 1, k, a) {
            digits[nd - 1] += 1;
        }
    }
    (nd, e + 1)
}

/// Python's layout of shortest digits (`format_float_short`, repr mode): the
/// value is 0.digits * 10**decpt.
fn layout(out: &mut Vec<u8>, digits: &[u8], decpt: i32) {
    // At most 17 digits plus "0.000" or "e+308" and a point: assemble on the
    // stack, append once.
    let mut buf = [b'0'; 40];
    let nd = digits.len();
    let len;
    if decpt <= -4 || decpt > 16 {
        let e = decpt - 1;
        buf[0] = digits[0];
        let mut i = 1;
        if nd > 1 {
            buf[1] = b'.';
            buf[2..nd + 1].copy_from_slice(&digits[1..]);
            i = nd + 1;
        }
        buf[i] = b'e';
        buf[i + 1] = if e < 0 { b'-' } else { b'+' };
        let m = e.unsigned_abs() as usize;
        if m < 100 {
            buf[i + 2..i + 4].copy_from_slice(&DIGITS2[2 * m..2 * m + 2]);
            len = i + 4;
        } else {
            buf[i + 2] = b'0' + (m / 100) as u8;
            buf[i + 3..i + 5].copy_from_slice(&DIGITS2[2 * (m % 100)..2 * (m % 100) + 2]);
            len = i + 5;
        }
    } else if decpt <= 0 {
        // "0." then -decpt zeros (the buffer is pre-filled with '0').
        buf[1] = b'.';
        let start = 2 + (-decpt) as usize;
        buf[start..start + nd].copy_from_slice(digits);
        len = start + nd;
    } else {
        let decpt = decpt as usize;
        if decpt >= nd {
            buf[..nd].copy_from_slice(digits);
            buf[decpt] = b'.';
            len = decpt + 2;
        } else {
            buf[..decpt].copy_from_slice(&digits[..decpt]);
            buf[decpt] = b'.';
            buf[decpt + 1..nd + 1].copy_from_slice(&digits[decpt..]);
            len = nd + 1;
        }
    }
    out.extend_from_slice(&buf[..len]);
}

/// Whether `d * 10**k` reads back as `x`.
fn round_trips(d: u64, k: i32, x: f64) -> bool {
    let mut s = StackBuf { buf: [0; 40], len: 0 };
    write!(s, "{d}e{k}").expect("fits");
    std::str::from_utf8(&s.buf[..s.len]).ok().and_then(|t| t.parse::<f64>().ok()) == Some(x)
}

/// Whether the finite positive `x` equals `odd / 2 * 10**k` exactly.
fn is_exact_half(x: f64, odd: u64, k: i32) -> bool {
    let bits = x.to_bits();
    let (m, be) = match (bits >> 52) as i32 {
        0 => (bits, -1074),
        exp => ((bits & ((1 << 52) - 1)) | (1 << 52), exp - 1075),
    };
    if m == 0 {
        return false;
    }
    let t = m.trailing_zeros() as i32;
    let mo = (m >> t) as u128;
    // x * 2 = mo * 2**p2
    let p2 = t + be + 1;
    let pow5 = |n: i32| 5u128.checked_pow(n as u32);
    if k >= 0 {
        p2 == k && pow5(k).and_then(|p| p.checked_mul(odd as u128)) == Some(mo)
    } else {
        p2 - k == 0 && pow5(-k).and_then(|p| p.checked_mul(mo)) == Some(odd as u128)
    }
}

/// Appends `repr(bytes)`.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { b'"' } else { b'\'' };
    out.push(b'b');
    out.push(quote);
    for &c in b {
        match c {
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            c if c == quote => {
                out.push(b'\\');
                out.push(c);
            }
            0x20..=0x7e => out.push(c),
            c => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'x', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]);
            }
        }
    }
    out.push(quote);
}

/// The most bytes [`write_value`] writes for one value of a native scalar
/// code: a float's repr ("-2.2250738585072014e-308") is the longest.
pub(crate) const MAX_SCALAR_REPR: usize = 24;

/// The most bytes [`write_item`] can write for one item of `layout`, or None
/// when that does not fit in a usize (a format of billions of fields).
pub fn max_item_len(layout: &StructLayout) -> Option<usize> {
    let mut total: usize = 0;
    for f in &layout.fields {
        let one = match f.code {
            b'x' => continue,
            // b'...' with every byte as \xNN
            b's' | b'p' => f.count.checked_mul(4)?.checked_add(3)?,
            code => {
                let each = match code {
                    b'c' => 7,
                    b'?' => 5,
                    b'e' | b'f' | b'd' => MAX_SCALAR_REPR,
                    _ => 20,
                };
                f.count.checked_mul(each)?
            }
        };
        total = total.checked_add(one)?;
    }
    // ", " between values; "(", ",)" around a tuple.
    let separators = layout.nvalues.saturating_sub(1).checked_mul(2)?;
    total.checked_add(separators)?.checked_add(if layout.nvalues == 1 { 0 } else { 3 })
}

/// Appends the repr of one item of `layout` at the start of `bytes`, as
/// memoryview's `tolist` would show it (a scalar for a one-value format, else a
/// tuple), without building a [`Value::Tuple`]. `bytes` must hold the item.
pub fn write_item(out: &mut Vec<u8>, layout: &StructLayout, bytes: &[u8]) -> crate::error::Result<()> {
    if layout.nvalues == 1 {
        return layout.visit_values(bytes, |v| write_value(out, &v));
    }
    out.push(b'(');
    let mut first = true;
    layout.visit_values(bytes, |v| {
        if !first {
            out.extend_from_slice(b", ");
        }
        first = false;
        write_value(out, &v);
    })?;
    out.push(b')');
    Ok(())
}

/// Appends the repr of a nested list of `shape` (C order) whose items are
/// written by `item(out, flat_index)`; an empty shape writes the single item
/// (memoryview's 0-dim `tolist`).
#[cfg(test)]
pub fn write_nested_list(out: &mut Vec<u8>, shape: &[usize], mut item: impl FnMut(&mut Vec<u8>, usize)) {
    fn rec(out: &mut Vec<u8>, shape: &[usize], base: usize, item: &mut dyn FnMut(&mut Vec<u8>, usize)) {
        let (n, rest) = (shape[0], &shape[1..]);
        let inner: usize = rest.iter().product();
        out.push(b'[');
        for k in 0..n {
            if k > 0 {
                out.extend_from_slice(b", ");
            }
            if rest.is_empty() {
                item(out, base + k);
            } else {
                rec(out, rest, base + k * inner, item);
            }
        }
        out.push(b']');
    }
    if shape.is_empty() {
        item(out, 0);
    } else {
        rec(out, shape, 0, &mut item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut v = Vec::new();
        write_float(&mut v, x);
        String::from_utf8(v).unwrap()
    }

    #[test]
    // The cases are exact binary values written out in full (ties).
    #[allow(clippy::excessive_precision)]
    fn floats_as_python() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (1e100, "1e+100"),
            (-2.5, "-2.5"),
            (34.0 * 2f64.powi(-24), "2.0265579223632812e-06"),
            (-(1e15 + 0.25), "-1000000000000000.2"),
            (0.0005044937133789062, "0.0005044937133789062"),
            (5e-324 * 3.0, "1.5e-323"),
            // A tie at 17 digits at a power of two: the even candidate does not
            // read back, so dtoa keeps the odd one (the exact mode would not).
            (2f64.powi(-24), "5.960464477539063e-08"),
            // Ties at 17 digits: dtoa rounds half to even, Rust's shortest up.
            (-(0.00185871124267578125f64), "-0.0018587112426757812"),
            (2.6941299438476562e-05, "2.6941299438476562e-05"),
        ];
        for &(x, want) in cases {
            assert_eq!(f(x), want, "{x:e}");
        }
    }

    #[test]
    fn bytes_ints_tuples_lists() {
        assert_eq!(repr_value(&Value::Bytes(b"a'b")), r#"b"a'b""#);
        assert_eq!(repr_value(&Value::Bytes(b"a'\"")), r#"b'a\'"'"#);
        assert_eq!(repr_value(&Value::Bytes(b"\t\n\r\\\x00\x7f\xff ~")), r"b'\t\n\r\\\x00\x7f\xff ~'");
        assert_eq!(repr_value(&Value::Int(i128::MIN)), i128::MIN.to_string());
        assert_eq!(repr_value(&Value::Int(-1234567890123)), "-1234567890123");
        assert_eq!(repr_value(&Value::Tuple(vec![Value::Int(1)])), "(1,)");
        assert_eq!(repr_value(&Value::Tuple(vec![])), "()");
        assert_eq!(repr_value(&Value::Tuple(vec![Value::Bool(true), Value::Float(2.0)])), "(True, 2.0)");
        let mut out = Vec::new();
        write_nested_list(&mut out, &[2, 2], |o, i| write_int(o, i as i128));
        assert_eq!(out, b"[[0, 1], [2, 3]]");
        out.clear();
        write_nested_list(&mut out, &[2, 0], |o, i| write_int(o, i as i128));
        assert_eq!(out, b"[[], []]");
        out.clear();
        write_nested_list(&mut out, &[], |o, i| write_int(o, i as i128 + 7));
        assert_eq!(out, b"7");
    }
}

#[cfg(test)]
mod float_paths {
    use super::*;

    fn via_fmt(a: f64) -> Vec<u8> {
        let mut digits = [0u8; 20];
        let (nd, decpt) = shortest_fmt(a, &mut digits);
        let mut out = Vec::new();
        layout(&mut out, &digits[..nd], decpt);
        out
    }

    fn via_exact(a: f64) -> Option<Vec<u8>> {
        let (d, decpt) = shortest_exact(a)?;
        let s = d.to_string();
        let mut out = Vec::new();
        layout(&mut out, s.as_bytes(), decpt);
        Some(out)
    }

    /// The exact-integer path against the `{:e}` path (with Python's tie rule)
    /// over random doubles of its range, short decimals and ties.
    #[test]
    fn exact_path_equals_fmt_path() {
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut covered = 0;
        for i in 0..400_000u64 {
            let r = next();
            let a = match i % 4 {
                0 => f64::from_bits((r >> 12) | ((1008 + r % 46) << 52)),
                1 => (r >> 11) as f64 / (1u64 << 53) as f64,
                2 => (r % 100_000_000) as f64 / 10f64.powi((r >> 40) as i32 % 12),
                _ => (r % 4096) as f64 / 2f64.powi((r >> 40) as i32 % 40),
            };
            if a == 0.0 || !a.is_finite() {
                continue;
            }
            if let Some(got) = via_exact(a) {
                covered += 1;
                assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(via_fmt(a)).unwrap(), "{a:e} bits {:#x}", a.to_bits());
            }
        }
        assert!(covered > 300_000, "{covered}");
    }
}

#[cfg(test)]
mod float_speed {
    use super::*;

    #[test]
    #[ignore]
    fn float_speed() {
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let v: Vec<f64> = (0..1_000_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        for _ in 0..3 {
            let mut out = Vec::with_capacity(25_000_000);
            let t = std::time::Instant::now();
            for &f in &v {
                write_float(&mut out, f);
            }
            let full = t.elapsed().as_secs_f64() * 1e3;
            let t = std::time::Instant::now();
            let mut s = 0u64;
            for &f in &v {
                let (d, e) = shortest_exact(f).unwrap_or((0, 0));
                s = s.wrapping_add(d).wrapping_add(e as u64);
            }
            let dig = t.elapsed().as_secs_f64() * 1e3;
            eprintln!("write_float {full:.1} ns, shortest_exact {dig:.1} ns ({s})");
        }
    }
}
