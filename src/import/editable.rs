//! setuptools' editable installs, read statically (never run).
//!
//! `pip install -e` of a setuptools project (PEP 660, setuptools 64+) in
//! its default (lenient) mode writes, when the project's directory cannot
//! simply go on the path (a flat layout), a `.pth` line
//! `import __editable___<name>_finder; __editable___<name>_finder.install()`
//! and the module `__editable___<name>_finder.py` beside it, whose
//! `MAPPING` (`{'pkg': '/src/pkg', 'mod': '/src/mod'}`) names the project's
//! top-level packages and modules. `install()` appends a meta path finder
//! after importlib's PathFinder, so a top-level name the path does not
//! resolve is looked up in `MAPPING`: `<path>/__init__.py`, else
//! `<path>` with each of `importlib.machinery.all_suffixes()` put in place of
//! its suffix (`.py`, `.pyc`, then the extension suffixes), the first that
//! exists; and a child of a mapped package the path does not resolve is
//! looked up in the mapped directory. The src layout (a path entry in the
//! `.pth`), strict mode (a link tree whose directory is in the `.pth`),
//! hatchling, flit and pdm's default editable installs are `.pth` path
//! entries, which the import path already follows.
//!
//! Not read: `NAMESPACES` (namespace packages of the project, served by a
//! path hook on a placeholder entry), hatchling's `dev-mode-exact` and
//! pdm's `editables` mode (import hooks of the `editables` package).

use crate::error::{Error, Result};

/// One `__editable___*_finder.py` module, as far as pepkit reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditableFinder {
    /// The module's name (`__editable___proj_0_1_finder`).
    pub module: Vec<u8>,
    /// `MAPPING`, in its order: top-level name to path (bytes, as
    /// `os.fsencode` gives them).
    pub mapping: Vec<(Vec<u8>, Vec<u8>)>,
}

impl EditableFinder {
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.mapping.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
    }
}

/// The module an `import` line of a `.pth` file installs as a setuptools
/// editable finder: `import __editable___X_finder; ...` gives
/// `__editable___X_finder`.
pub fn finder_module(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(b"import")?;
    let rest = rest.trim_ascii_start();
    let end = rest.iter().position(|&b| !(b.is_ascii_alphanumeric() || b == b'_')).unwrap_or(rest.len());
    let module = &rest[..end];
    (module.starts_with(b"__editable___") && module.ends_with(b"_finder")).then_some(module)
}

/// Parses one Python string literal at the start of `s` (after optional
/// whitespace): `'...'` or `"..."` with the escapes `repr` writes. Returns
/// the value (as `os.fsencode` would give it: UTF-8, lone surrogates
/// U+DC80-U+DCFF as the bytes they escape) and the rest.
fn string_literal(s: &[u8]) -> Result<(Vec<u8>, &[u8])> {
    let bad = || Error::value("editable finder: malformed string literal in MAPPING");
    let s = s.trim_ascii_start();
    let quote = *s.first().ok_or_else(bad)?;
    if quote != b'\'' && quote != b'"' {
        return Err(bad());
    }
    let mut out = Vec::new();
    let mut i = 1;
    loop {
        let b = *s.get(i).ok_or_else(bad)?;
        if b == quote {
            return Ok((out, &s[i + 1..]));
        }
        if b == b'\n' {
            return Err(bad());
        }
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let e = *s.get(i + 1).ok_or_else(bad)?;
        i += 2;
        let simple = match e {
            b'\\' => Some(b'\\'),
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        let width = match e {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return Err(bad()),
        };
        let hex = s.get(i..i + width).ok_or_else(bad)?;
        let code = std::str::from_utf8(hex).ok().and_then(|h| u32::from_str_radix(h, 16).ok()).ok_or_else(bad)?;
        i += width;
        if (0xdc80..=0xdcff).contains(&code) {
            out.push((code - 0xdc00) as u8); // surrogateescape: the raw byte
        } else {
            let c = char::from_u32(code).ok_or_else(bad)?;
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Reads `MAPPING` from the text of a `__editable___*_finder.py` module:
/// the line that starts with `MAPPING` (`MAPPING = {...}` or, in recent
/// setuptools, `MAPPING: dict[str, str] = {...}`), a dict literal of string
/// keys and values as `repr` writes it. Value error when it is missing or
/// malformed. A pure function of the bytes, for fuzzing.
pub fn parse_editable_finder(module: &[u8], text: &[u8]) -> Result<EditableFinder> {
    let line_start = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"MAPPING"))
        .ok_or_else(|| Error::value("editable finder: no MAPPING line"))?;
    let offset = line_start.as_ptr() as usize - text.as_ptr() as usize;
    let rest = &text[offset..];
    let eq = rest.iter().position(|&b| b == b'=').ok_or_else(|| Error::value("editable finder: MAPPING has no value"))?;
    let mut s = rest[eq + 1..].trim_ascii_start();
    s = s.strip_prefix(b"{").ok_or_else(|| Error::value("editable finder: MAPPING is not a dict literal"))?;
    let mut mapping = Vec::new();
    loop {
        s = s.trim_ascii_start();
        if let Some(r) = s.strip_prefix(b"}") {
            let _ = r;
            break;
        }
        let (key, r) = string_literal(s)?;
        let r = r.trim_ascii_start().strip_prefix(b":").ok_or_else(|| Error::value("editable finder: ':' expected in MAPPING"))?;
        let (value, r) = string_literal(r)?;
        mapping.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading an editable finder"))?;
        mapping.push((key, value));
        let r = r.trim_ascii_start();
        s = match r.strip_prefix(b",") {
            Some(r) => r,
            None if r.starts_with(b"}") => r,
            None => return Err(Error::value("editable finder: ',' or '}' expected in MAPPING")),
        };
    }
    Ok(EditableFinder { module: module.to_vec(), mapping })
}

/// `Path(p).with_suffix(suffix)`: the last component's suffix (from its last
/// '.', not a leading one) replaced.
pub fn with_suffix(path: &[u8], suffix: &[u8]) -> Vec<u8> {
    let start = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    let name = &path[start..];
    let stem_len = match name.iter().rposition(|&b| b == b'.') {
        Some(i) if i > 0 && i + 1 < name.len() => i,
        _ => name.len(),
    };
    [&path[..start + stem_len], suffix].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_and_lines() {
        let text = b"from x import y\nMAPPING: dict[str, str] = {'flatmod': '/p/flat\\\\mod', \"pkg\": '/p/\\xe9\\udcff'}\nNAMESPACES = {}\n";
        let f = parse_editable_finder(b"__editable___p_finder", text).unwrap();
        assert_eq!(f.get(b"flatmod"), Some(&b"/p/flat\\mod"[..]));
        assert_eq!(f.get(b"pkg"), Some(&b"/p/\xc3\xa9\xff"[..]));
        assert_eq!(parse_editable_finder(b"m", b"MAPPING = {}\n").unwrap().mapping.len(), 0);
        for bad in [&b"nothing"[..], b"MAPPING = {'a' '/x'}", b"MAPPING = {'a': '/x'", b"MAPPING = ['a']", b"MAPPING = {'a\\q': 'b'}"] {
            assert!(parse_editable_finder(b"m", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            finder_module(b"import __editable___proj_0_1_finder; __editable___proj_0_1_finder.install()"),
            Some(&b"__editable___proj_0_1_finder"[..])
        );
        assert_eq!(finder_module(b"import os"), None);
        assert_eq!(with_suffix(b"/a/b", b".py"), b"/a/b.py");
        assert_eq!(with_suffix(b"/a.d/b.x", b".py"), b"/a.d/b.py");
        assert_eq!(with_suffix(b"/a/.b", b".py"), b"/a/.b.py");
    }
}
