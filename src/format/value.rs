//! Values of struct formats: `struct.unpack_from` and `struct.pack_into` for every
//! format, and the item access of CPython's memoryview for native single-character
//! formats.
//!
//! A [`Value`] borrows the bytes of `c`, `s` and `p` items from the buffer it was
//! unpacked from (and, when packing, from the caller), so unpacking never allocates
//! except for the `Vec` of a tuple.
//!
//! # Errors
//! Python's exception classes map onto [`ErrorKind`](crate::error::ErrorKind) so:
//! `struct.error` and `ValueError` → `Value`; `TypeError` → `Type`;
//! `OverflowError` (struct's "float too large to pack with f format") → `Overflow`.
//!
//! # Which semantics `pack` follows
//! - A native single-character format (`X` or `@X`, `X` one of
//!   `cbBhHiIlLqQnNfd?Pe`): memoryview's item assignment (`pack_single` in
//!   `Objects/memoryobject.c`, 3.11; `e` as 3.12+ has it). Ints reject floats,
//!   bytes and tuples with TypeError "memoryview: invalid type for format 'X'";
//!   bools count as ints; out of range is ValueError "memoryview: invalid value for
//!   format 'X'"; float formats take ints and bools, `f` is a plain C cast (so
//!   1e300 becomes inf), `e` out of range is ValueError; `?` takes the truth
//!   value of anything; `c` takes bytes of length 1 (other bytes: ValueError,
//!   anything else: TypeError); `P` takes -2**63 ..= 2**64-1.
//! - Every other format: `struct.pack_into(fmt, buf, 0, *values)`.

use crate::error::{Error, Result};
use crate::format::{ByteOrder, Field, Format};

/// One Python value a struct format can hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Every integer format (`bBhHiIlLqQnNP`); i128 holds all of their ranges.
    Int(i128),
    /// `?`.
    Bool(bool),
    /// `e`, `f` (widened) and `d`.
    Float(f64),
    /// `c` (one byte), `s` and `p`: borrowed from the buffer or the caller.
    Bytes(&'a [u8]),
    /// A whole multi-value item, as `struct` returns it.
    Tuple(Vec<Value<'a>>),
}

impl Value<'_> {
    /// Python's truth value (`bool(v)`); a NaN is true, as in Python.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Int(i) => *i != 0,
            Value::Bool(b) => *b,
            Value::Float(f) => *f != 0.0,
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(t) => !t.is_empty(),
        }
    }
}

/// The format characters memoryview (3.12+) handles natively; `X` or `@X` with X
/// among these takes the fast, memoryview-semantics paths.
pub const NATIVE_SCALAR_CODES: &[u8] = b"cbBhHiIlLqQnNfd?Pe";

/// The code of a native single-character format (`X` or `@X`), or None.
#[inline]
pub fn native_scalar_code(format: &[u8]) -> Option<u8> {
    let code = match format {
        [c] | [b'@', c] => *c,
        _ => return None,
    };
    NATIVE_SCALAR_CODES.contains(&code).then_some(code)
}

/// The item size of a native scalar code (see [`NATIVE_SCALAR_CODES`]).
#[inline]
pub fn native_scalar_size(code: u8) -> Option<usize> {
    use std::mem::size_of;
    Some(match code {
        b'c' | b'b' | b'B' | b'?' => 1,
        b'h' | b'H' | b'e' => 2,
        b'i' | b'I' | b'f' => size_of::<std::ffi::c_int>(),
        b'l' | b'L' => size_of::<std::ffi::c_long>(),
        b'q' | b'Q' | b'd' => 8,
        b'n' | b'N' | b'P' => size_of::<usize>(),
        _ => return None,
    })
}

#[inline]
fn is_signed(code: u8) -> bool {
    matches!(code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n')
}

#[inline]
fn read_uint(bytes: &[u8], little: bool) -> u64 {
    let mut b = [0u8; 8];
    let n = bytes.len();
    if little {
        b[..n].copy_from_slice(bytes);
        u64::from_le_bytes(b)
    } else {
        b[8 - n..].copy_from_slice(bytes);
        u64::from_be_bytes(b)
    }
}

#[inline]
fn write_uint(out: &mut [u8], v: u64, little: bool) {
    let n = out.len();
    if little {
        out.copy_from_slice(&v.to_le_bytes()[..n]);
    } else {
        out.copy_from_slice(&v.to_be_bytes()[8 - n..]);
    }
}

/// `PyFloat_Unpack2`: an IEEE half float, exactly, as a double.
#[inline]
pub fn half_to_f64(bits: u16) -> f64 {
    let sign = bits >> 15 != 0;
    let e = ((bits >> 10) & 0x1f) as i32;
    let f = (bits & 0x3ff) as f64;
    let x = if e == 0x1f {
        if f == 0.0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    } else if e == 0 {
        f * (1.0 / 16777216.0) // f / 1024 * 2**-14
    } else {
        (1024.0 + f) * pow2(e - 25)
    };
    if sign {
        -x
    } else {
        x
    }
}

/// 2**e for -1074 <= e <= 1023 (exact).
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// `frexp` for finite nonzero x: (m, e) with 0.5 <= |m| < 1 and x = m * 2**e.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(x * pow2(64));
        return (m, e - 64);
    }
    (f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52)), exp - 1022)
}

/// `PyFloat_Pack2` (CPython's own rounding, half to even): None is its
/// OverflowError "float too large to pack with e format".
pub fn f64_to_half(x: f64) -> Option<u16> {
    let sign: u16 = if x.is_sign_negative() { 1 } else { 0 };
    let (e, bits): (i32, u16) = if x == 0.0 {
        (0, 0)
    } else if x.is_infinite() {
        (0x1f, 0)
    } else if x.is_nan() {
        (0x1f, 512)
    } else {
        let (mut f, mut e) = frexp(x.abs());
        f *= 2.0;
        e -= 1;
        if e >= 16 {
            return None;
        } else if e < -25 {
            f = 0.0;
            e = 0;
        } else if e < -14 {
            f *= pow2(14 + e);
            e = 0;
        } else {
            e += 15;
            f -= 1.0;
        }
        f *= 1024.0;
        let mut bits = f as u16;
        let rest = f - bits as f64;
        if rest > 0.5 || (rest == 0.5 && bits % 2 == 1) {
            bits += 1;
            if bits == 1024 {
                bits = 0;
                e += 1;
                if e == 31 {
                    return None;
                }
            }
        }
        (e, bits)
    };
    Some(bits | ((e as u16) << 10) | (sign << 15))
}

/// One value of `code` at the start of `bytes`, which holds at least `size`
/// bytes, in `order`'s byte order.
#[inline]
fn unpack_one(code: u8, size: usize, little: bool, bytes: &[u8]) -> Value<'_> {
    let raw = &bytes[..size];
    match code {
        b'c' => Value::Bytes(raw),
        b'?' => Value::Bool(raw.iter().any(|&b| b != 0)),
        b'e' => Value::Float(half_to_f64(read_uint(raw, little) as u16)),
        b'f' => Value::Float(f32::from_bits(read_uint(raw, little) as u32) as f64),
        b'd' => Value::Float(f64::from_bits(read_uint(raw, little))),
        _ => {
            let u = read_uint(raw, little);
            if is_signed(code) {
                let shift = 64 - 8 * size as u32;
                Value::Int((((u << shift) as i64) >> shift) as i128)
            } else {
                Value::Int(u as i128)
            }
        }
    }
}

/// memoryview's item access for a native single-character code (see
/// [`NATIVE_SCALAR_CODES`]): the value at the start of `bytes`. None for any other
/// code. Panics if `bytes` is shorter than the item. Never allocates.
#[inline]
pub fn unpack_native_scalar(code: u8, bytes: &[u8]) -> Option<Value<'_>> {
    use std::ffi::{c_int, c_long, c_uint, c_ulong};
    macro_rules! ne {
        ($t:ty) => {
            <$t>::from_ne_bytes(bytes[..std::mem::size_of::<$t>()].try_into().unwrap())
        };
    }
    Some(match code {
        b'd' => Value::Float(ne!(f64)),
        b'f' => Value::Float(ne!(f32) as f64),
        b'B' => Value::Int(bytes[0] as i128),
        b'b' => Value::Int(bytes[0] as i8 as i128),
        b'c' => Value::Bytes(&bytes[..1]),
        b'?' => Value::Bool(bytes[0] != 0),
        b'h' => Value::Int(ne!(i16) as i128),
        b'H' => Value::Int(ne!(u16) as i128),
        b'i' => Value::Int(ne!(c_int) as i128),
        b'I' => Value::Int(ne!(c_uint) as i128),
        b'l' => Value::Int(ne!(c_long) as i128),
        b'L' => Value::Int(ne!(c_ulong) as i128),
        b'q' => Value::Int(ne!(i64) as i128),
        b'Q' => Value::Int(ne!(u64) as i128),
        b'n' => Value::Int(ne!(isize) as i128),
        b'N' | b'P' => Value::Int(ne!(usize) as i128),
        b'e' => Value::Float(half_to_f64(ne!(u16))),
        _ => return None,
    })
}

/// A struct format walked once: its fields, size and number of values.
#[derive(Debug, Clone)]
pub struct StructLayout {
    pub order: ByteOrder,
    /// Every field, `x` padding included, with its offset.
    pub fields: Vec<Field>,
    /// `struct.calcsize`.
    pub size: usize,
    /// How many values one item unpacks to (`len(struct.unpack(...))`).
    pub nvalues: usize,
}

/// The values of one item, from [`StructLayout::values`].
pub struct Values<'l, 'a> {
    layout: &'l StructLayout,
    bytes: &'a [u8],
    little: bool,
    /// The field the next value comes from, and the next repeat within it.
    field: usize,
    k: usize,
}

impl<'a> Iterator for Values<'_, 'a> {
    type Item = Value<'a>;

    #[inline]
    fn next(&mut self) -> Option<Value<'a>> {
        loop {
            let f = self.layout.fields.get(self.field)?;
            match f.code {
                b'x' => {}
                b's' => {
                    self.field += 1;
                    return Some(Value::Bytes(&self.bytes[f.offset..f.offset + f.count]));
                }
                b'p' => {
                    self.field += 1;
                    // _struct.c: n = first byte, clamped to count - 1. A zero
                    // count gives b'' (3.13; older versions raise SystemError).
                    let s = &self.bytes[f.offset..f.offset + f.count];
                    let n = match s.first() {
                        Some(&n) => (n as usize).min(f.count - 1),
                        None => 0,
                    };
                    return Some(Value::Bytes(if n == 0 { &s[..0] } else { &s[1..1 + n] }));
                }
                code if self.k < f.count => {
                    let at = f.offset + self.k * f.size;
                    self.k += 1;
                    return Some(unpack_one(code, f.size, self.little, &self.bytes[at..]));
                }
                _ => {}
            }
            self.field += 1;
            self.k = 0;
        }
    }
}

fn values_of(f: &Field) -> usize {
    match f.code {
        b'x' => 0,
        b's' | b'p' => 1,
        _ => f.count,
    }
}

fn struct_error(msg: impl Into<String>) -> Error {
    Error::value(msg)
}

impl StructLayout {
    /// Walks `format` with `struct`'s rules and errors (see [`Format::fields`]).
    pub fn new(format: &[u8]) -> Result<StructLayout> {
        let fmt = Format::new(format);
        // One field per format character: sized by input, so grown fallibly.
        let mut fields = Vec::new();
        let mut short = false;
        let size = fmt.fields(|f| {
            if crate::mem::reserve(&mut fields, 1, "a format's fields").is_ok() {
                fields.push(f);
            } else {
                short = true;
            }
        })?;
        if short {
            return Err(crate::mem::no_memory("a format's fields", format.len().saturating_mul(std::mem::size_of::<Field>())));
        }
        let nvalues = fields.iter().map(values_of).sum();
        Ok(StructLayout { order: fmt.order, fields, size, nvalues })
    }

    fn check_len(&self, len: usize, what: &str) -> Result<()> {
        if len < self.size {
            return Err(struct_error(format!(
                "{what} requires a buffer of at least {} bytes for {}ing {} bytes at offset 0 (actual buffer size is {len})",
                self.size,
                if what == "unpack_from" { "unpack" } else { "pack" },
                self.size
            )));
        }
        Ok(())
    }

    /// Calls `visit` with every value of the item at the start of `bytes`, in
    /// order, without allocating.
    pub fn visit_values<'a>(&self, bytes: &'a [u8], mut visit: impl FnMut(Value<'a>)) -> Result<()> {
        for v in self.values(bytes)? {
            visit(v);
        }
        Ok(())
    }

    /// The values of the item at the start of `bytes`, in order, one at a
    /// time and without allocating (two items can be compared in lockstep).
    pub fn values<'l, 'a>(&'l self, bytes: &'a [u8]) -> Result<Values<'l, 'a>> {
        self.check_len(bytes.len(), "unpack_from")?;
        Ok(Values { layout: self, bytes, little: self.order.is_little(), field: 0, k: 0 })
    }

    /// `struct.unpack_from(fmt, bytes)`: always a tuple (NO_MEMORY when its
    /// values do not fit in memory, as CPython's MemoryError).
    pub fn unpack_struct<'a>(&self, bytes: &'a [u8]) -> Result<Value<'a>> {
        let mut out = Vec::new();
        crate::mem::reserve(&mut out, self.nvalues, "the values of one item")?;
        self.visit_values(bytes, |v| out.push(v))?;
        Ok(Value::Tuple(out))
    }

    /// The item as memoryview's `tolist` shows it: the value itself when the
    /// format has exactly one value, otherwise the tuple.
    pub fn unpack_item<'a>(&self, bytes: &'a [u8]) -> Result<Value<'a>> {
        if self.nvalues == 1 {
            let mut one = None;
            self.visit_values(bytes, |v| one = Some(v))?;
            return Ok(one.expect("one value"));
        }
        self.unpack_struct(bytes)
    }

    /// `struct.pack_into(fmt, out, 0, *values)`: the whole item is written,
    /// padding zeroed. Unlike CPython, which zeroes the item and packs in place,
    /// nothing is written when a value is refused.
    pub fn pack_values(&self, values: &[Value], out: &mut [u8]) -> Result<()> {
        if values.len() != self.nvalues {
            return Err(struct_error(format!(
                "pack expected {} items for packing (got {})",
                self.nvalues,
                values.len()
            )));
        }
        self.check_len(out.len(), "pack_into")?;
        let out = &mut out[..self.size];
        // Check everything before writing anything, as struct packs into a
        // fresh buffer and copies only on success.
        let mut tmp_small = [0u8; 64];
        let mut tmp_big;
        let tmp: &mut [u8] = if self.size <= 64 {
            &mut tmp_small[..self.size]
        } else {
            tmp_big = crate::mem::zeroed(self.size, "packing one item")?;
            &mut tmp_big[..]
        };
        let little = self.order.is_little();
        let native = self.order == ByteOrder::Native;
        let mut vi = 0;
        for f in &self.fields {
            match f.code {
                b'x' => {}
                b's' | b'p' => {
                    let v = &values[vi];
                    vi += 1;
                    let Value::Bytes(b) = v else {
                        return Err(struct_error(format!(
                            "argument for '{}' must be a bytes object",
                            f.code as char
                        )));
                    };
                    let dst = &mut tmp[f.offset..f.offset + f.count];
                    if f.code == b's' {
                        let n = b.len().min(f.count);
                        dst[..n].copy_from_slice(&b[..n]);
                    } else if f.count > 0 {
                        let n = b.len().min(f.count - 1);
                        dst[1..1 + n].copy_from_slice(&b[..n]);
                        dst[0] = n.min(255) as u8;
                    }
                }
                code => {
                    for k in 0..f.count {
                        let at = f.offset + k * f.size;
                        pack_struct_one(code, &values[vi], little, native, &mut tmp[at..at + f.size])?;
                        vi += 1;
                    }
                }
            }
        }
        out.copy_from_slice(tmp);
        Ok(())
    }
}

fn int_range(code: u8, size: usize) -> (i128, i128) {
    if code == b'P' {
        return (i64::MIN as i128, u64::MAX as i128);
    }
    let bits = 8 * size as u32;
    if is_signed(code) {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

/// One field of struct semantics.
fn pack_struct_one(code: u8, v: &Value, little: bool, native: bool, out: &mut [u8]) -> Result<()> {
    match code {
        b'?' => out[0] = v.truthy() as u8,
        b'c' => match v {
            Value::Bytes(b) if b.len() == 1 => out[0] = b[0],
            _ => return Err(struct_error("char format requires a bytes object of length 1")),
        },
        b'e' | b'f' | b'd' => {
            let d = match *v {
                Value::Float(d) => d,
                Value::Int(i) => i as f64,
                Value::Bool(b) => b as u8 as f64,
                _ => return Err(struct_error("required argument is not a float")),
            };
            // s_pack_internal turns an OverflowError raised for an int argument
            // into struct.error "argument out of range".
            let overflow = |code: char| {
                if matches!(v, Value::Float(_)) {
                    Error::overflow(format!("float too large to pack with {code} format"))
                } else {
                    struct_error("argument out of range")
                }
            };
            match code {
                b'd' => write_uint(out, d.to_bits(), little),
                b'f' => {
                    let y = d as f32;
                    // PyFloat_Pack4 refuses what becomes inf; native np_float casts.
                    if !native && y.is_infinite() && !d.is_infinite() {
                        return Err(overflow('f'));
                    }
                    write_uint(out, y.to_bits() as u64, little)
                }
                _ => match f64_to_half(d) {
                    Some(h) => write_uint(out, h as u64, little),
                    None => return Err(overflow('e')),
                },
            }
        }
        _ => {
            let i = match *v {
                Value::Int(i) => i,
                Value::Bool(b) => b as i128,
                _ => return Err(struct_error("required argument is not an integer")),
            };
            let (lo, hi) = int_range(code, out.len());
            if i < lo || i > hi {
                return Err(struct_error(format!(
                    "'{}' format requires {lo} <= number <= {hi}",
                    code as char
                )));
            }
            write_uint(out, i as u64, little);
        }
    }
    Ok(())
}

fn mv_type_error(code: u8) -> Error {
    Error::type_error(format!("memoryview: invalid type for format '{}'", code as char))
}

fn mv_value_error(code: u8) -> Error {
    Error::value(format!("memoryview: invalid value for format '{}'", code as char))
}

/// memoryview's item assignment (`m[i] = v`) for a native scalar code into the
/// item `out` (at least the item's size). Writes only on success.
#[inline]
pub fn pack_native_scalar(code: u8, v: &Value, out: &mut [u8]) -> Result<()> {
    let size = native_scalar_size(code)
        .ok_or_else(|| Error::not_implemented(format!("memoryview: format {} not supported", code as char)))?;
    let out = &mut out[..size];
    let little = cfg!(target_endian = "little");
    match code {
        b'?' => out[0] = v.truthy() as u8,
        b'c' => match v {
            Value::Bytes(b) if b.len() == 1 => out[0] = b[0],
            Value::Bytes(_) => return Err(mv_value_error(code)),
            _ => return Err(mv_type_error(code)),
        },
        b'e' | b'f' | b'd' => {
            let d = match *v {
                Value::Float(d) => d,
                Value::Int(i) => i as f64,
                Value::Bool(b) => b as u8 as f64,
                _ => return Err(mv_type_error(code)),
            };
            match code {
                b'd' => out.copy_from_slice(&d.to_ne_bytes()),
                b'f' => out.copy_from_slice(&(d as f32).to_ne_bytes()),
                _ => out.copy_from_slice(&f64_to_half(d).ok_or_else(|| mv_value_error(code))?.to_ne_bytes()),
            }
        }
        _ => {
            let i = match *v {
                Value::Int(i) => i,
                Value::Bool(b) => b as i128,
                _ => return Err(mv_type_error(code)),
            };
            let (lo, hi) = int_range(code, size);
            if i < lo || i > hi {
                return Err(mv_value_error(code));
            }
            write_uint(out, i as u64, little);
        }
    }
    Ok(())
}

/// `struct.unpack_from(format, bytes)`: always a tuple.
#[cfg(test)]
pub fn unpack_struct<'a>(format: &[u8], bytes: &'a [u8]) -> Result<Value<'a>> {
    StructLayout::new(format)?.unpack_struct(bytes)
}

/// The item as memoryview's `tolist` shows it: a scalar when the format has
/// exactly one value, otherwise the tuple `struct.unpack_from` gives.
#[cfg(test)]
pub fn unpack_item<'a>(format: &[u8], bytes: &'a [u8]) -> Result<Value<'a>> {
    if let Some(code) = native_scalar_code(format) {
        let size = native_scalar_size(code).expect("native code");
        if bytes.len() >= size {
            return Ok(unpack_native_scalar(code, bytes).expect("native code"));
        }
    }
    StructLayout::new(format)?.unpack_item(bytes)
}

/// Writes `value` as one item of `format` at the start of `out`.
///
/// Native single-character formats follow memoryview's item assignment; every
/// other format follows `struct.pack_into` with the item's values as arguments:
/// a format of exactly one value takes that value, any other takes a
/// [`Value::Tuple`] of its values (anything else counts as one argument).
pub fn pack(format: &[u8], value: &Value, out: &mut [u8]) -> Result<()> {
    if let Some(code) = native_scalar_code(format) {
        let size = native_scalar_size(code).expect("native code");
        if out.len() < size {
            return Err(Error::value(format!(
                "pack_into requires a buffer of at least {size} bytes for packing {size} bytes at offset 0 (actual buffer size is {})",
                out.len()
            )));
        }
        return pack_native_scalar(code, value, out);
    }
    let layout = StructLayout::new(format)?;
    match value {
        Value::Tuple(items) if layout.nvalues != 1 => layout.pack_values(items, out),
        v => layout.pack_values(std::slice::from_ref(v), out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn half_floats_round_trip() {
        for bits in 0..=u16::MAX {
            let x = half_to_f64(bits);
            if x.is_nan() {
                continue;
            }
            assert_eq!(f64_to_half(x), Some(bits), "{bits:#x}");
        }
        assert_eq!(half_to_f64(0x3c00), 1.0);
        assert_eq!(half_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(half_to_f64(0x7bff), 65504.0);
        assert_eq!(f64_to_half(65519.99), Some(0x7bff));
        assert_eq!(f64_to_half(65520.0), None);
        assert_eq!(f64_to_half(2f64.powi(-25)), Some(0));
        assert_eq!(f64_to_half(2f64.powi(-25) * 1.0000001), Some(1));
        assert_eq!(f64_to_half(-f64::NAN), Some(0xfe00));
    }

    #[test]
    fn unpack_matches_struct() {
        assert_eq!(unpack_struct(b"<hH", &[0xff, 0xff, 0xff, 0xff]).unwrap(), Value::Tuple(vec![Value::Int(-1), Value::Int(65535)]));
        assert_eq!(unpack_item(b">i", &[0, 0, 1, 0]).unwrap(), Value::Int(256));
        assert_eq!(unpack_item(b"3p", b"\x09ab").unwrap(), Value::Bytes(b"ab"));
        assert_eq!(unpack_item(b"0p", b"").unwrap(), Value::Bytes(b""));
        assert_eq!(unpack_item(b"2s", b"ab").unwrap(), Value::Bytes(b"ab"));
        assert_eq!(unpack_item(b"?", b"\x02").unwrap(), Value::Bool(true));
        assert_eq!(unpack_item(b"2x", b"ab").unwrap(), Value::Tuple(vec![]));
        assert_eq!(unpack_item(b"i", b"ab").unwrap_err().kind, ErrorKind::Value);
    }

    #[test]
    fn pack_follows_memoryview_for_native_scalars() {
        let mut out = [0u8; 8];
        assert_eq!(pack(b"i", &Value::Float(1.0), &mut out).unwrap_err().kind, ErrorKind::Type);
        assert_eq!(pack(b"i", &Value::Int(1 << 40), &mut out).unwrap_err().kind, ErrorKind::Value);
        pack(b"i", &Value::Bool(true), &mut out).unwrap();
        assert_eq!(out[..4], 1i32.to_ne_bytes());
        pack(b"f", &Value::Float(1e300), &mut out).unwrap();
        assert_eq!(out[..4], f32::INFINITY.to_ne_bytes());
        assert_eq!(pack(b"c", &Value::Bytes(b""), &mut out).unwrap_err().kind, ErrorKind::Value);
        assert_eq!(pack(b"c", &Value::Int(1), &mut out).unwrap_err().kind, ErrorKind::Type);
        pack(b"P", &Value::Int(-1), &mut out).unwrap();
        assert_eq!(out, [0xff; 8]);
        assert_eq!(pack(b"<f", &Value::Float(1e300), &mut out).unwrap_err().kind, ErrorKind::Overflow);
        assert_eq!(pack(b"<i", &Value::Float(1.0), &mut out).unwrap_err().kind, ErrorKind::Value);
        assert_eq!(pack(b"2i", &Value::Int(1), &mut out).unwrap_err().kind, ErrorKind::Value);
        pack(b"3p", &Value::Bytes(b"abcdef"), &mut out).unwrap();
        assert_eq!(&out[..3], b"\x02ab");
    }
}
