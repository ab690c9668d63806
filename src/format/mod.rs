//! The struct module's format language: byte-order prefixes `@=<>!`, repeat
//! counts, whitespace between items, and every format character, with the native
//! sizes and alignment of this platform's C compiler.
//!
//! [`Format::fields`] walks a format the way CPython's `_struct.c` does when it
//! prepares a `Struct` (the same checks in the same order, the same overflow
//! limit), so [`calcsize`] equals `struct.calcsize` and rejects what it rejects.
//!
//! ```
//! use pepkit::format::{calcsize, ByteOrder, Format};
//!
//! assert_eq!(calcsize("bi")?, 8); // native alignment
//! assert_eq!(calcsize("<bi")?, 5); // standard sizes, no alignment
//! assert_eq!(calcsize("3s2x?")?, 6);
//! assert!(calcsize("<n").is_err(), "n is native only");
//! let format = Format::new(b">hq");
//! assert_eq!(format.order, ByteOrder::Big);
//! let mut codes = Vec::new();
//! assert_eq!(format.fields(|f| codes.push((f.code, f.offset)))?, 10);
//! assert_eq!(codes, [(b'h', 0), (b'q', 2)]);
//! # Ok::<(), pepkit::Error>(())
//! ```

use std::ffi::{c_int, c_long, c_longlong, c_short, c_void};
use std::mem::{align_of, size_of};

pub(crate) mod repr;
pub(crate) mod value;
#[cfg(test)]
mod values_oracle;

use crate::error::{Error, Result};

/// How a format lays out its fields: the first character of the format, if it
/// is one of `@=<>!`, picks one of these for the whole format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// `@` or no prefix: native byte order, native sizes and alignment.
    Native,
    /// `=`: native byte order, standard sizes, no alignment.
    NativeStandard,
    /// `<`: little-endian, standard sizes, no alignment.
    Little,
    /// `>` or `!`: big-endian, standard sizes, no alignment.
    Big,
}

impl ByteOrder {
    /// Whether values are stored little-endian.
    pub fn is_little(self) -> bool {
        match self {
            ByteOrder::Native | ByteOrder::NativeStandard => cfg!(target_endian = "little"),
            ByteOrder::Little => true,
            ByteOrder::Big => false,
        }
    }
}

/// One run of a format: `count` items of `code` starting at `offset` bytes.
/// For `s` and `p`, `count` is the length of the one string; `x` is padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The format character (`b'i'`, `b's'`, `b'x'`, ...).
    pub code: u8,
    /// The repeat count (the length of the string for `s` and `p`).
    pub count: usize,
    /// Bytes from the start of the item to the first of these.
    pub offset: usize,
    /// The size of one item of `code` in this format's mode.
    pub size: usize,
}

/// A format string split into its prefix and body, ready to walk.
#[derive(Debug, Clone, Copy)]
pub struct Format<'a> {
    /// The mode the prefix picked.
    pub order: ByteOrder,
    body: &'a [u8],
}

/// Size and alignment of a format character, or None if the mode lacks it.
fn entry(order: ByteOrder, code: u8) -> Option<(usize, usize)> {
    if order == ByteOrder::Native {
        // CPython's native_table: 1-byte items have no alignment.
        let (size, align) = match code {
            b'x' | b'b' | b'B' | b'c' | b's' | b'p' => (1, 0),
            b'?' => (size_of::<bool>(), align_of::<bool>()),
            b'h' | b'H' => (size_of::<c_short>(), align_of::<c_short>()),
            b'e' => (2, align_of::<c_short>()),
            b'i' | b'I' => (size_of::<c_int>(), align_of::<c_int>()),
            b'l' | b'L' => (size_of::<c_long>(), align_of::<c_long>()),
            b'q' | b'Q' => (size_of::<c_longlong>(), align_of::<c_longlong>()),
            b'n' | b'N' => (size_of::<usize>(), align_of::<usize>()),
            b'f' => (size_of::<f32>(), align_of::<f32>()),
            b'd' => (size_of::<f64>(), align_of::<f64>()),
            b'P' => (size_of::<*const c_void>(), align_of::<*const c_void>()),
            _ => return None,
        };
        Some((size, align))
    } else {
        let size = match code {
            b'x' | b'b' | b'B' | b'c' | b's' | b'p' | b'?' => 1,
            b'h' | b'H' | b'e' => 2,
            b'i' | b'I' | b'l' | b'L' | b'f' => 4,
            b'q' | b'Q' | b'd' => 8,
            _ => return None,
        };
        Some((size, 0))
    }
}

fn struct_error(message: &str, format: &[u8]) -> Error {
    Error::value(format!("{message} (format {})", crate::mem::shown(format)))
}

fn too_long(format: &[u8]) -> Error {
    Error::overflow(format!("total struct size too long (format {})", crate::mem::shown(format)))
}

/// Python's `str.isspace` on ASCII, as `Py_ISSPACE` in `_struct.c`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Format<'a> {
    /// Splits off the byte-order prefix. Never fails: errors surface while walking.
    pub fn new(format: &'a [u8]) -> Format<'a> {
        let (order, body) = match format.first() {
            Some(b'@') => (ByteOrder::Native, &format[1..]),
            Some(b'=') => (ByteOrder::NativeStandard, &format[1..]),
            Some(b'<') => (ByteOrder::Little, &format[1..]),
            Some(b'>') | Some(b'!') => (ByteOrder::Big, &format[1..]),
            _ => (ByteOrder::Native, format),
        };
        Format { order, body }
    }

    /// Calls `visit` for every field in order and returns the total size, with
    /// `struct`'s errors: "bad char in struct format", "repeat count given
    /// without format specifier", "total struct size too long" (OVERFLOW).
    pub fn fields(&self, mut visit: impl FnMut(Field)) -> Result<usize> {
        let whole = self.body;
        let mut size: usize = 0;
        let mut i = 0;
        while i < whole.len() {
            let mut c = whole[i];
            i += 1;
            if is_space(c) {
                continue;
            }
            let count = if c.is_ascii_digit() {
                let mut num = (c - b'0') as usize;
                loop {
                    match whole.get(i) {
                        Some(&d) if d.is_ascii_digit() => {
                            num = num
                                .checked_mul(10)
                                .and_then(|n| n.checked_add((d - b'0') as usize))
                                .filter(|&n| n <= isize::MAX as usize)
                                .ok_or_else(|| too_long(whole))?;
                            i += 1;
                        }
                        Some(&d) => {
                            c = d;
                            i += 1;
                            break;
                        }
                        None => return Err(struct_error("repeat count given without format specifier", whole)),
                    }
                }
                num
            } else {
                1
            };
            let (item_size, align) =
                entry(self.order, c).ok_or_else(|| struct_error("bad char in struct format", whole))?;
            if align > 0 && size > 0 {
                let extra = (align - 1) - (size - 1) % align;
                size = size.checked_add(extra).filter(|&s| s <= isize::MAX as usize).ok_or_else(|| too_long(whole))?;
            }
            let bytes = count
                .checked_mul(item_size)
                .and_then(|b| b.checked_add(size))
                .filter(|&s| s <= isize::MAX as usize)
                .ok_or_else(|| too_long(whole))?;
            visit(Field { code: c, count, offset: size, size: item_size });
            size = bytes;
        }
        Ok(size)
    }

    /// The size in bytes of one item of this format, as `struct.calcsize`.
    pub fn size(&self) -> Result<usize> {
        self.fields(|_| {})
    }
}

/// `struct.calcsize(format)`: the size in bytes of one item of `format`,
/// with the struct module's errors: ValueError ("bad char in struct format",
/// "repeat count given without format specifier"), OverflowError past
/// `Py_ssize_t`.
pub fn calcsize(format: impl AsRef<[u8]>) -> Result<usize> {
    Format::new(format.as_ref()).size()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn native_sizes_and_alignment() {
        assert_eq!(calcsize(b"B").unwrap(), 1);
        assert_eq!(calcsize(b"").unwrap(), 0);
        assert_eq!(calcsize(b"bi").unwrap(), 8);
        assert_eq!(calcsize(b"ib").unwrap(), 5);
        assert_eq!(calcsize(b"cq").unwrap(), 16);
        assert_eq!(calcsize(b"3si").unwrap(), 8);
        assert_eq!(calcsize(b"0i").unwrap(), 0);
        assert_eq!(calcsize(b"b0i").unwrap(), 4, "a zero count still aligns");
        assert_eq!(calcsize(b"P").unwrap(), size_of::<usize>());
        assert_eq!(calcsize(b" 2h\t3e ").unwrap(), 10);
    }

    #[test]
    fn standard_sizes_have_no_alignment() {
        assert_eq!(calcsize(b"<bi").unwrap(), 5);
        assert_eq!(calcsize(b"!lq").unwrap(), 12);
        assert_eq!(calcsize(b"=?e").unwrap(), 3);
    }

    #[test]
    fn rejects_what_struct_rejects() {
        for bad in [&b"<n"[..], b">P", b"=N", b"z", b"3", b"i<", b" <i", b"3 i", b"\xc3\xa9"] {
            let err = calcsize(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Value, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(calcsize(b"99999999999999999999b").unwrap_err().kind, ErrorKind::Overflow);
        assert_eq!(calcsize(b"9223372036854775807q").unwrap_err().kind, ErrorKind::Overflow);
        assert_eq!(calcsize(b"9223372036854775807x").unwrap(), isize::MAX as usize);
    }

    #[test]
    fn fields_report_offsets() {
        let mut seen = vec![];
        Format::new(b"b2xi4s").fields(|f| seen.push((f.code, f.count, f.offset))).unwrap();
        assert_eq!(seen, vec![(b'b', 1, 0), (b'x', 2, 1), (b'i', 1, 4), (b's', 4, 8)]);
    }
}
