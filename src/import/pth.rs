//! How `site.addpackage` reads one `.pth` file, per CPython version
//! (3.6-3.13, checked against each interpreter by
//! `tests/oracle/test_venv_sys_path.py`):
//!
//! * 3.6-3.12 open the file as text in the locale's preferred encoding
//!   (UTF-8 in UTF-8 mode, which 3.7+ turn on under the C/POSIX locale and
//!   `PYTHONUTF8=1`; ASCII for 3.6 under the C locale) and iterate it with
//!   universal newlines: `\n`, `\r\n` and `\r` end a line, nothing else.
//! * 3.13 reads the bytes, decodes them as `utf-8-sig` (a BOM is dropped),
//!   falls back to the locale encoding, and splits with `str.splitlines`:
//!   also `\x0b`, `\x0c`, `\x1c`-`\x1e`, `\x85`, U+2028 and U+2029.
//! * A file that does not decode makes `import site` fail, and the
//!   interpreter does not start: pepkit reports that as an error.
//! * Each line: `#` first is a comment; a line that `str.strip()` empties
//!   is skipped (3.10+; earlier versions reach the same result through the
//!   site directory already being known); `import ` or `import\t` first is
//!   run; any other line loses its trailing whitespace (`str.rstrip()`: the
//!   Unicode whitespace of `str.isspace`, not only ASCII) and is a path.
//! * A line that raises ends the file ("Remainder of file ignored"): an
//!   `import` line with a NUL (exec refuses it) on every version, a path
//!   with a NUL on 3.6 and 3.7 (`os.path.exists` raises there, later
//!   versions answer False). Whether an `import` line raises when run cannot
//!   be known without running it; pepkit assumes it does not.
//!
//! The parser is a pure function of the bytes ([`parse_pth`]), so it can be
//! fuzzed; the rules of an interpreter come from [`PthRules::for_python`].

use crate::error::{Error, Result};

/// A text encoding CPython may read a `.pth` file with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PthEncoding {
    Utf8,
    Ascii,
    Latin1,
    /// A locale encoding pepkit does not model: files that are pure ASCII
    /// read the same in every ASCII-compatible encoding; others are refused.
    Other,
}

/// How one interpreter reads `.pth` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PthRules {
    /// CPython 3.minor.
    pub minor: u32,
    /// The locale's preferred encoding (3.6-3.12), or 3.13's fallback after UTF-8.
    pub locale: PthEncoding,
}

/// One line that matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PthLine<'a> {
    /// An `import` line, without its line break: the interpreter runs it.
    Import(&'a [u8]),
    /// A path line with its trailing whitespace removed, as written (not
    /// yet joined to the site directory).
    Path(&'a [u8]),
}

/// `str.isspace` of every CPython 3 (bidirectional class WS, B or S, or
/// category Zs): Unicode's White_Space plus the separators `\x1c`-`\x1f`.
pub fn py_isspace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x20' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
        | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// A line break of `str.splitlines` (3.13), besides `\r` and `\n`.
fn splitlines_break(c: char) -> bool {
    matches!(c, '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The characters of `bytes` in `enc` with their byte offsets, or the
/// offset of the first byte that does not decode.
fn decode(bytes: &[u8], enc: PthEncoding) -> std::result::Result<Vec<(usize, char)>, usize> {
    let mut out = Vec::new();
    match enc {
        PthEncoding::Utf8 => {
            let text = std::str::from_utf8(bytes).map_err(|e| e.valid_up_to())?;
            if out.try_reserve(text.len()).is_err() {
                return Err(usize::MAX);
            }
            out.extend(text.char_indices());
        }
        PthEncoding::Latin1 => {
            if out.try_reserve(bytes.len()).is_err() {
                return Err(usize::MAX);
            }
            out.extend(bytes.iter().enumerate().map(|(i, &b)| (i, char::from(b))));
        }
        PthEncoding::Ascii | PthEncoding::Other => {
            if let Some(bad) = bytes.iter().position(|&b| b >= 0x80) {
                return Err(bad);
            }
            if out.try_reserve(bytes.len()).is_err() {
                return Err(usize::MAX);
            }
            out.extend(bytes.iter().enumerate().map(|(i, &b)| (i, char::from(b))));
        }
    }
    Ok(out)
}

fn encoding_name(enc: PthEncoding) -> &'static str {
    match enc {
        PthEncoding::Utf8 => "utf-8",
        PthEncoding::Ascii => "ascii",
        PthEncoding::Latin1 => "latin-1",
        PthEncoding::Other => "the locale encoding",
    }
}

fn undecodable(enc: PthEncoding, at: usize) -> Error {
    if at == usize::MAX {
        return Error::no_memory("out of memory reading a .pth file");
    }
    Error::value(format!(
        "'{}' codec can't decode the byte at position {at}: the interpreter would fail to start (import site raises UnicodeDecodeError)",
        encoding_name(enc)
    ))
}

/// The lines of a `.pth` file that add a path or run an import, in order,
/// as `site.addpackage` of the interpreter `rules` describes reads them.
/// Errors: Value when the file does not decode (the interpreter would not
/// start), NoMemory when the decoded text cannot be held.
pub fn parse_pth<'a>(bytes: &'a [u8], rules: &PthRules) -> Result<Vec<PthLine<'a>>> {
    let (start, chars) = if rules.minor >= 13 {
        let start = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        match decode(&bytes[start..], PthEncoding::Utf8) {
            Ok(chars) => (start, chars),
            Err(usize::MAX) => return Err(undecodable(PthEncoding::Utf8, usize::MAX)),
            Err(_) => (0, decode(bytes, rules.locale).map_err(|at| undecodable(rules.locale, at))?),
        }
    } else {
        (0, decode(bytes, rules.locale).map_err(|at| undecodable(rules.locale, at))?)
    };
    let text = &bytes[start..];
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // One line: chars[i..j], then its break (if any) up to k.
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            if c == '\n' || c == '\r' || (rules.minor >= 13 && splitlines_break(c)) {
                break;
            }
            j += 1;
        }
        let mut k = j;
        if k < chars.len() {
            k += if chars[k].1 == '\r' && chars.get(k + 1).map(|c| c.1) == Some('\n') { 2 } else { 1 };
        }
        let line = &chars[i..j];
        let from = chars[i].0;
        let to = chars.get(j).map_or(text.len(), |c| c.0);
        let raw = &text[from..to];
        i = k;
        if line.first().map(|c| c.1) == Some('#') || line.iter().all(|c| py_isspace(c.1)) {
            continue;
        }
        if raw.starts_with(b"import ") || raw.starts_with(b"import\t") {
            if raw.contains(&0) {
                break; // exec raises: the rest of the file is ignored
            }
            out.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading a .pth file"))?;
            out.push(PthLine::Import(raw));
            continue;
        }
        let end = line.iter().rposition(|c| !py_isspace(c.1)).map_or(0, |p| p + 1);
        let path_to = line.get(end).map_or(to, |c| c.0);
        let path = &text[from..path_to];
        if path.contains(&0) && rules.minor < 8 {
            break; // os.path.exists raises ValueError before 3.8
        }
        out.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading a .pth file"))?;
        out.push(PthLine::Path(path));
    }
    Ok(out)
}

/// The codeset of a locale name (`en_US.UTF-8@euro` gives `UTF-8`), by
/// its spelling; `None` for a name without one.
fn codeset(name: &str) -> Option<PthEncoding> {
    let (_, rest) = name.split_once('.')?;
    let set = rest.split('@').next().unwrap_or(rest);
    let norm: String = set.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    Some(match norm.as_str() {
        "utf8" => PthEncoding::Utf8,
        "iso88591" | "latin1" => PthEncoding::Latin1,
        "ansix341968" | "ascii" | "usascii" => PthEncoding::Ascii,
        _ => PthEncoding::Other,
    })
}

/// Whether the C library knows the locale `name` (else setlocale fails and
/// the process stays in the C locale).
fn locale_exists(name: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: c is a NUL-terminated string; a non-NULL result is a locale
    // object we own and free right away.
    unsafe {
        let loc = libc::newlocale(libc::LC_CTYPE_MASK, c.as_ptr(), std::ptr::null_mut());
        if loc.is_null() {
            return false;
        }
        libc::freelocale(loc);
    }
    true
}

impl PthRules {
    /// The rules of CPython 3.`minor` started with this process's
    /// environment: the locale from `LC_ALL`, `LC_CTYPE`, `LANG` (the first
    /// that is set and not empty) and `PYTHONUTF8`.
    pub fn for_python(minor: u32) -> PthRules {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let name = var("LC_ALL").or_else(|| var("LC_CTYPE")).or_else(|| var("LANG")).unwrap_or_default();
        let c_locale = name.is_empty() || name == "C" || name == "POSIX" || !locale_exists(&name);
        let utf8_mode = minor >= 7
            && match var("PYTHONUTF8").as_deref() {
                Some("1") => true,
                Some("0") => false,
                _ => c_locale,
            };
        let locale = if c_locale {
            // 3.7+ coerce the C locale to C.UTF-8 (PEP 538); 3.6 reads ASCII.
            if minor >= 7 { PthEncoding::Utf8 } else { PthEncoding::Ascii }
        } else {
            codeset(&name).unwrap_or(PthEncoding::Other)
        };
        // 3.13's fallback is locale.getencoding(), which ignores UTF-8 mode.
        let locale = if utf8_mode && minor < 13 { PthEncoding::Utf8 } else { locale };
        PthRules { minor, locale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(minor: u32) -> PthRules {
        PthRules { minor, locale: PthEncoding::Utf8 }
    }

    #[test]
    fn unicode_whitespace_and_breaks() {
        let text = "a\u{a0}\u{3000}\nimport x\n  \u{85}\n#c\nb\x0bc\r\nd\u{2028}e \r".as_bytes();
        let old = parse_pth(text, &rules(12)).unwrap();
        assert_eq!(
            old,
            vec![
                PthLine::Path(b"a"),
                PthLine::Import(b"import x"),
                PthLine::Path(b"b\x0bc"),
                PthLine::Path("d\u{2028}e".as_bytes())
            ]
        );
        let new = parse_pth(text, &rules(13)).unwrap();
        assert_eq!(
            new,
            vec![
                PthLine::Path(b"a"),
                PthLine::Import(b"import x"),
                PthLine::Path(b"b"),
                PthLine::Path(b"c"),
                PthLine::Path(b"d"),
                PthLine::Path(b"e")
            ]
        );
    }

    #[test]
    fn encodings_and_nul() {
        assert!(parse_pth(b"a\n\xff\n", &rules(12)).is_err());
        assert!(parse_pth(b"a\n\xff\n", &rules(13)).is_err());
        let latin = PthRules { minor: 13, locale: PthEncoding::Latin1 };
        assert_eq!(parse_pth(b"a\xa0\n\xff\n", &latin).unwrap(), vec![PthLine::Path(b"a"), PthLine::Path(b"\xff")]);
        assert_eq!(parse_pth(b"\xef\xbb\xbfa\n", &rules(13)).unwrap(), vec![PthLine::Path(b"a")]);
        assert_eq!(parse_pth(b"\xef\xbb\xbfa\n", &rules(12)).unwrap(), vec![PthLine::Path(b"\xef\xbb\xbfa")]);
        assert_eq!(parse_pth(b"a\0\nb\n", &rules(7)).unwrap(), vec![]);
        assert_eq!(parse_pth(b"a\0\nb\n", &rules(8)).unwrap(), vec![PthLine::Path(b"a\0"), PthLine::Path(b"b")]);
        assert_eq!(parse_pth(b"import \0\nb\n", &rules(13)).unwrap(), vec![]);
        assert_eq!(parse_pth(b"", &rules(13)).unwrap(), vec![]);
        assert_eq!(parse_pth(b"\r\n\r", &rules(6)).unwrap(), vec![]);
    }
}
