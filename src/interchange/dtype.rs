//! The struct-module format of one item, against DLPack dtypes and Arrow
//! format strings.
//!
//! A format is first classified with the struct module's own walk
//! ([`crate::format::Format::fields`]), so sizes and the platform aliases come
//! out exactly as `struct.calcsize` has them here: native `l`/`L` are 8 bytes
//! on LP64 and 4 with a standard-size prefix (`=`, `<`, `>`, `!`), `n`/`N`/`P`
//! exist only in native mode and are `size_t`/pointer sized.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::format::Format;

use super::abi::{DLDataType, KDL_BFLOAT, KDL_BOOL, KDL_COMPLEX, KDL_FLOAT, KDL_INT, KDL_UINT};

/// The kind of number a one-field format holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Number {
    Int,
    UInt,
    Float,
    Bool,
}

/// What one item of a format is, as far as interchange cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// One number of `size` bytes; `native` says its byte order is this machine's.
    Scalar { number: Number, size: usize, native: bool },
    /// Two floats of `size` bytes each (`2f`, `2d`): the memory of a C complex.
    Complex { size: usize, native: bool },
    /// Anything else (`c`, `s`, `p`, `x`, several fields): `size` opaque bytes.
    Bytes { size: usize },
}

impl Item {
    /// The size in bytes of one item.
    pub(crate) fn size(self) -> usize {
        match self {
            Item::Scalar { size, .. } => size,
            Item::Complex { size, .. } => 2 * size,
            Item::Bytes { size } => size,
        }
    }
}

fn show(format: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(format))
}

/// Classifies `format` (errors are the struct module's, plus itemsize 0).
pub(crate) fn classify(format: &[u8]) -> Result<Item> {
    let parsed = Format::new(format);
    // Only a one-field format is a number: keep the first field and a count
    // (no allocation: this runs on every export).
    let (mut first, mut nfields) = (None, 0usize);
    let size = parsed.fields(|f| {
        first.get_or_insert(f);
        nfields += 1;
    })?;
    if size == 0 {
        return Err(Error::value(format!("format {} has itemsize 0", show(format))));
    }
    let native = parsed.order.is_little() == cfg!(target_endian = "little");
    if let (Some(only), 1) = (first, nfields) {
        let number = match only.code {
            b'b' | b'h' | b'i' | b'l' | b'q' | b'n' => Some(Number::Int),
            b'B' | b'H' | b'I' | b'L' | b'Q' | b'N' | b'P' => Some(Number::UInt),
            b'e' | b'f' | b'd' => Some(Number::Float),
            b'?' => Some(Number::Bool),
            _ => None,
        };
        match (number, only.count) {
            // A one-byte item has no byte order (numpy reads '>b' as '|i1').
            (Some(number), 1) => return Ok(Item::Scalar { number, size: only.size, native: native || only.size == 1 }),
            (Some(Number::Float), 2) if only.code != b'e' => return Ok(Item::Complex { size: only.size, native }),
            _ => {}
        }
    }
    Ok(Item::Bytes { size })
}

fn non_native(format: &[u8], target: &str) -> Error {
    let order = if cfg!(target_endian = "little") { "big-endian" } else { "little-endian" };
    Error::value(format!(
        "format {} is {order}: {target} holds numbers in native byte order only",
        show(format)
    ))
}

/// The DLPack dtype of one item of struct-module `format`, with sizes as the
/// struct module has them on this platform (native `l` is 64 bits on LP64,
/// `=l` 32; `n`, `N`, `P` pointer-sized; `?` bool of 8 bits; `2f`/`2d`
/// complex64/128). ValueError for formats with no dtype (`c`, `s`, `p`,
/// `x`, several fields), a non-native byte order, or a bad format.
///
/// ```
/// use pepkit::interchange::{from_dlpack, to_dlpack, DLDataType};
///
/// assert_eq!(to_dlpack("<i")?, DLDataType { code: 0, bits: 32, lanes: 1 });
/// assert_eq!(from_dlpack(to_dlpack("2d")?)?, "2d");
/// assert!(to_dlpack("3s").is_err());
/// # Ok::<(), pepkit::Error>(())
/// ```
pub fn to_dlpack(format: impl AsRef<[u8]>) -> Result<DLDataType> {
    let format = format.as_ref();
    let (code, bits) = match classify(format)? {
        Item::Scalar { native: false, .. } | Item::Complex { native: false, .. } => {
            return Err(non_native(format, "DLPack"))
        }
        Item::Scalar { number, size, .. } => {
            let code = match number {
                Number::Int => KDL_INT,
                Number::UInt => KDL_UINT,
                Number::Float => KDL_FLOAT,
                Number::Bool => KDL_BOOL,
            };
            (code, size * 8)
        }
        Item::Complex { size, .. } => (KDL_COMPLEX, size * 16),
        Item::Bytes { size } => {
            return Err(Error::value(format!(
                "format {} ({size}-byte items of characters, strings, padding or several fields) has no DLPack dtype",
                show(format)
            )))
        }
    };
    let bits = u8::try_from(bits).map_err(|_| Error::value(format!("format {} is too wide for DLPack", show(format))))?;
    Ok(DLDataType { code, bits, lanes: 1 })
}

/// The struct-module format of a DLPack dtype: `b h i q`, `B H I Q`, `e f d`,
/// `?`, and `2f`/`2d` for complex64/complex128 (the same memory as C's
/// complex). ValueError for lanes != 1, bfloat and any other dtype.
pub fn from_dlpack(dtype: DLDataType) -> Result<&'static str> {
    if dtype.lanes != 1 {
        return Err(Error::value(format!(
            "DLPack dtype with {} lanes (a vector type) has no struct format",
            dtype.lanes
        )));
    }
    let format = match (dtype.code, dtype.bits) {
        (KDL_INT, 8) => "b",
        (KDL_INT, 16) => "h",
        (KDL_INT, 32) => "i",
        (KDL_INT, 64) => "q",
        (KDL_UINT, 8) => "B",
        (KDL_UINT, 16) => "H",
        (KDL_UINT, 32) => "I",
        (KDL_UINT, 64) => "Q",
        (KDL_FLOAT, 16) => "e",
        (KDL_FLOAT, 32) => "f",
        (KDL_FLOAT, 64) => "d",
        (KDL_BOOL, 8) => "?",
        (KDL_COMPLEX, 64) => "2f",
        (KDL_COMPLEX, 128) => "2d",
        (KDL_BFLOAT, bits) => {
            return Err(Error::value(format!("DLPack bfloat{bits} has no struct format")));
        }
        (code @ (KDL_INT | KDL_UINT | KDL_FLOAT | KDL_BOOL | KDL_COMPLEX), bits) => {
            let name = ["int", "uint", "float", "", "", "complex", "bool"][code as usize];
            return Err(Error::value(format!("DLPack {name} of {bits} bits has no struct format")));
        }
        (code, bits) => {
            return Err(Error::value(format!("DLPack dtype code {code} ({bits} bits) has no struct format")));
        }
    };
    Ok(format)
}

/// The Arrow format string of one item of struct-module `format`: `c s i
/// l`, `C S I L`, `e f g` for native numbers, `w:N` (fixed-size binary) for
/// formats with no Arrow primitive (`c`, `s`, `p`, several fields,
/// complex). ValueError for `?` (Arrow's booleans are bits), a non-native
/// byte order, or a bad format.
///
/// ```
/// use pepkit::interchange::{from_arrow, to_arrow};
///
/// assert_eq!(to_arrow("d")?, "g");
/// assert_eq!(to_arrow("ih")?, "w:6");
/// assert_eq!(from_arrow("w:12")?, "12s");
/// assert!(to_arrow("?").is_err());
/// # Ok::<(), pepkit::Error>(())
/// ```
pub fn to_arrow(format: impl AsRef<[u8]>) -> Result<Cow<'static, str>> {
    let format = format.as_ref();
    let primitive = match classify(format)? {
        Item::Scalar { native: false, .. } => return Err(non_native(format, "Arrow")),
        Item::Scalar { number: Number::Bool, .. } => {
            return Err(Error::value(format!(
                "format {}: Arrow booleans are bits, these are bytes; no zero-copy mapping (convert to 'B' first)",
                show(format)
            )))
        }
        Item::Scalar { number, size, .. } => match (number, size) {
            (Number::Int, 1) => "c",
            (Number::Int, 2) => "s",
            (Number::Int, 4) => "i",
            (Number::Int, 8) => "l",
            (Number::UInt, 1) => "C",
            (Number::UInt, 2) => "S",
            (Number::UInt, 4) => "I",
            (Number::UInt, 8) => "L",
            (Number::Float, 2) => "e",
            (Number::Float, 4) => "f",
            (Number::Float, 8) => "g",
            _ => return Ok(Cow::Owned(format!("w:{size}"))),
        },
        item => return Ok(Cow::Owned(format!("w:{}", item.size()))),
    };
    Ok(Cow::Borrowed(primitive))
}

/// The struct-module format of an Arrow item format: `c`→`b`, `C`→`B`,
/// `s`→`h`, `S`→`H`, `i`, `I`, `l`→`q`, `L`→`Q`, `e`, `f`, `g`→`d`, and
/// `w:N`→`Ns`. ValueError for `b` (bit-packed booleans) and every other
/// format.
pub fn from_arrow(arrow: impl AsRef<[u8]>) -> Result<String> {
    let arrow = arrow.as_ref();
    let format = match arrow {
        b"c" => "b",
        b"C" => "B",
        b"s" => "h",
        b"S" => "H",
        b"i" => "i",
        b"I" => "I",
        b"l" => "q",
        b"L" => "Q",
        b"e" => "e",
        b"f" => "f",
        b"g" => "d",
        b"b" => {
            return Err(Error::value(
                "Arrow format \"b\" (boolean) is bit-packed: no struct format describes it",
            ))
        }
        _ => {
            if let Some(width) = arrow.strip_prefix(b"w:") {
                return fixed_width(width, false).map(|n| format!("{n}s"));
            }
            return Err(Error::value(format!(
                "Arrow format {} has no fixed-size struct format",
                show(arrow)
            )));
        }
    };
    Ok(format.to_string())
}

/// Parses the N of `w:N` or `+w:N`: a decimal that fits, positive unless
/// `zero_ok` (a list of zero items per row is a valid Arrow type; an item of
/// zero bytes is not a struct format).
pub(crate) fn fixed_width(digits: &[u8], zero_ok: bool) -> Result<usize> {
    let bad = || Error::value(format!("bad Arrow fixed width {}", show(digits)));
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let n: usize = std::str::from_utf8(digits).map_err(|_| bad())?.parse().map_err(|_| bad())?;
    if (n == 0 && !zero_ok) || n > isize::MAX as usize {
        return Err(bad());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(code: u8, bits: u8) -> DLDataType {
        DLDataType { code, bits, lanes: 1 }
    }

    #[test]
    fn platform_aliases_follow_the_struct_module() {
        let long = std::mem::size_of::<std::ffi::c_long>() as u8 * 8;
        assert_eq!(to_dlpack(b"l").unwrap(), dl(KDL_INT, long));
        assert_eq!(to_dlpack(b"=l").unwrap(), dl(KDL_INT, 32));
        assert_eq!(to_dlpack(b"<L").unwrap(), dl(KDL_UINT, 32));
        assert_eq!(to_dlpack(b"q").unwrap(), dl(KDL_INT, 64));
        assert_eq!(to_dlpack(b"n").unwrap(), dl(KDL_INT, usize::BITS as u8));
        assert_eq!(to_dlpack(b"@P").unwrap(), dl(KDL_UINT, usize::BITS as u8));
        assert!(to_dlpack(b"<n").is_err(), "n has no standard size");
        assert_eq!(to_dlpack(b"?").unwrap(), dl(KDL_BOOL, 8));
        assert_eq!(to_dlpack(b"2d").unwrap(), dl(KDL_COMPLEX, 128));
    }

    #[test]
    fn refusals_name_the_reason() {
        let big = if cfg!(target_endian = "little") { &b">i"[..] } else { &b"<i"[..] };
        assert!(to_dlpack(big).unwrap_err().message.contains("native byte order"));
        assert_eq!(to_dlpack(b">b").unwrap(), dl(KDL_INT, 8), "one byte has no byte order");
        assert_eq!(to_arrow(b"!B").unwrap(), "C");
        assert!(to_dlpack(b"ih").unwrap_err().message.contains("no DLPack dtype"));
        assert!(to_dlpack(b"3s").is_err());
        assert!(to_dlpack(b"").unwrap_err().message.contains("itemsize 0"));
        assert!(to_arrow(b"?").unwrap_err().message.contains("bits"));
        assert!(from_dlpack(dl(KDL_BFLOAT, 16)).is_err());
        assert!(from_dlpack(DLDataType { code: KDL_FLOAT, bits: 32, lanes: 4 }).is_err());
        assert!(from_arrow(b"b").is_err());
        assert!(from_arrow(b"w:0").is_err());
        assert!(from_arrow(b"w:").is_err());
        assert!(from_arrow(b"u").is_err());
    }

    #[test]
    fn arrow_round_trips() {
        for f in ["b", "B", "h", "H", "i", "I", "q", "Q", "e", "f", "d"] {
            let a = to_arrow(f.as_bytes()).unwrap();
            assert_eq!(from_arrow(a.as_bytes()).unwrap(), f);
        }
        assert_eq!(to_arrow(b"3s").unwrap(), "w:3");
        assert_eq!(to_arrow(b"ih").unwrap(), "w:6");
        assert_eq!(to_arrow(b"2f").unwrap(), "w:8");
        assert_eq!(from_arrow(b"w:12").unwrap(), "12s");
    }
}
