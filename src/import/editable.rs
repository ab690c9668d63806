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
//! `NAMESPACES` (the project's namespace packages) are served by a path
//! hook on `PATH_PLACEHOLDER`, an entry `install()` appends to `sys.path`:
//! at that entry a name in `NAMESPACES` is a namespace portion made of its
//! paths (or its `MAPPING` path) and the placeholder itself.
//!
//! The `editables` package's redirector (hatchling's `dev-mode-exact`,
//! pdm-backend's `editable-backend = "editables"`; editables 0.6, which
//! pdm-backend vendors unchanged): a `.pth` line `import _editable_impl_<name>`
//! ([`bootstrap_module`]; hatchling's `.pth` is `_editable_impl_<name>.pth`,
//! pdm's the same) imports the module `_editable_impl_<name>.py`, exactly
//! `from editables.redirector import RedirectingFinder as F`, `F.install()`
//! and one `F.map_module('<name>', '<abs path>')` per top-level package
//! (`.../pkg/__init__.py`) or module ([`parse_bootstrap`]). The module is
//! the one the import system finds on the path built so far; it is read only
//! when it is exactly that text and `editables.redirector` resolves (else
//! the import fails and installs nothing, as it would). RedirectingFinder is
//! one class: `install()` appends it to `sys.meta_path` once (after
//! PathFinder and any finder installed before it, [`MetaFinder`] order), and
//! every project's `map_module` sets one shared dict (a later `.pth` file's
//! mapping of a name replaces an earlier one). Its `find_spec` answers only
//! top-level names, with `spec_from_file_location(name, path)`: the loader
//! by the path's suffix (extension suffixes, then `.py`, then `.pyc`; none:
//! no answer), a package when the file is an `__init__` file (its directory
//! the one search location, so submodules are PathFinder's over it), and no
//! look at the file system (a mapped file that is gone still has a spec).
//! editables' other mode, `self_replace`, writes ordinary modules (no hook),
//! and its `add_to_path` lines are `.pth` path entries.
//!
//! flit (`flit_core`'s `build_editable`) writes `<module>.pth` holding the
//! module's resolved source directory: a path entry, nothing to read.
//!
//! Not read: scikit-build-core's editable redirect (`_<name>_editable.py`,
//! a copy of its `_editable_redirect.py` ending in `install({...}, {...},
//! ...)`). Its finder is inserted at the front of `sys.meta_path` (before
//! PathFinder), maps every dotted name of the wheel to a source or built
//! file, may run `cmake --build` on import (`rebuild`), and the module's
//! text changes between scikit-build-core releases (known directories,
//! its own loader); testing it needs a CMake build of a project per
//! interpreter, which the oracle does not do. Such an install's names
//! resolve only as far as its `.pth` path entries and the files pip put in
//! site-packages reach.

use crate::error::{Error, Result};

/// One `__editable___*_finder.py` module, as far as pepkit reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditableFinder {
    /// The module's name (`__editable___proj_0_1_finder`).
    pub module: Vec<u8>,
    /// `MAPPING`, in its order: top-level name to path (bytes, as
    /// `os.fsencode` gives them).
    pub mapping: Vec<(Vec<u8>, Vec<u8>)>,
    /// `NAMESPACES`: namespace package name to its portions.
    pub namespaces: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// `PATH_PLACEHOLDER`: the entry `install()` appends to `sys.path` (when
    /// `NAMESPACES` is not empty) for its namespace path hook.
    pub placeholder: Vec<u8>,
}

impl EditableFinder {
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.mapping.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
    }

    /// `_EditableNamespaceFinder.find_spec`: the portions of namespace
    /// package `name` (its `NAMESPACES` paths, else its `MAPPING` path, then
    /// the placeholder), or `None` when `name` is not one of its namespaces.
    pub fn namespace_portions(&self, name: &[u8]) -> Option<Vec<Vec<u8>>> {
        let (_, paths) = self.namespaces.iter().find(|(k, _)| k == name)?;
        let mut out = paths.clone();
        if out.is_empty() {
            if let Some(mapped) = self.get(name) {
                out.push(mapped.to_vec());
            }
        }
        out.push(self.placeholder.clone());
        Some(out)
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

/// The text after `=` on the first line that starts with `name` (a
/// module-level assignment, annotated or not).
fn assignment<'a>(text: &'a [u8], name: &[u8]) -> Result<&'a [u8]> {
    let missing = || Error::value(format!("editable finder: no {} line", String::from_utf8_lossy(name)));
    let mut at = 0;
    for line in text.split(|&b| b == b'\n') {
        let next = at + line.len() + 1;
        if line.starts_with(name) && line.get(name.len()).is_some_and(|&b| b == b' ' || b == b':' || b == b'=') {
            let eq = line.iter().position(|&b| b == b'=').ok_or_else(missing)?;
            return Ok(&text[at + eq + 1..]);
        }
        at = next.min(text.len());
    }
    Err(missing())
}

/// The entries of a parsed dict literal: each key with its value.
type Entries<T> = Vec<(Vec<u8>, T)>;

/// A dict literal of string keys at the start of `s`, each value read by
/// `value`; the rest after the closing brace.
fn dict_literal<'a, T>(
    s: &'a [u8],
    mut value: impl FnMut(&'a [u8]) -> Result<(T, &'a [u8])>,
) -> Result<(Entries<T>, &'a [u8])> {
    let bad = |what: &str| Error::value(format!("editable finder: {what}"));
    let mut s = s.trim_ascii_start().strip_prefix(b"{").ok_or_else(|| bad("a dict literal expected"))?;
    let mut out = Vec::new();
    loop {
        s = s.trim_ascii_start();
        if let Some(rest) = s.strip_prefix(b"}") {
            return Ok((out, rest));
        }
        let (key, r) = string_literal(s)?;
        let r = r.trim_ascii_start().strip_prefix(b":").ok_or_else(|| bad("':' expected"))?;
        let (v, r) = value(r)?;
        out.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading an editable finder"))?;
        out.push((key, v));
        let r = r.trim_ascii_start();
        s = match r.strip_prefix(b",") {
            Some(r) => r,
            None if r.starts_with(b"}") => r,
            None => return Err(bad("',' or '}' expected")),
        };
    }
}

/// A list literal of strings at the start of `s`, and the rest.
fn list_literal(s: &[u8]) -> Result<(Vec<Vec<u8>>, &[u8])> {
    let bad = || Error::value("editable finder: a list of strings expected");
    let mut s = s.trim_ascii_start().strip_prefix(b"[").ok_or_else(bad)?;
    let mut out = Vec::new();
    loop {
        s = s.trim_ascii_start();
        if let Some(rest) = s.strip_prefix(b"]") {
            return Ok((out, rest));
        }
        let (item, r) = string_literal(s)?;
        out.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading an editable finder"))?;
        out.push(item);
        let r = r.trim_ascii_start();
        s = match r.strip_prefix(b",") {
            Some(r) => r,
            None if r.starts_with(b"]") => r,
            None => return Err(bad()),
        };
    }
}

/// Reads a `__editable___*_finder.py` module's text: `MAPPING` (`MAPPING =
/// {...}` or, in recent setuptools, `MAPPING: dict[str, str] = {...}`, a dict
/// of strings as `repr` writes it), `NAMESPACES` (a dict of string lists;
/// empty when absent, as in setuptools before namespaces were supported) and
/// `PATH_PLACEHOLDER` (string literals joined by `+`). Value error when
/// `MAPPING` is missing or anything is malformed. A pure function of the
/// bytes, for fuzzing.
pub fn parse_editable_finder(module: &[u8], text: &[u8]) -> Result<EditableFinder> {
    let (mapping, _) = dict_literal(assignment(text, b"MAPPING")?, string_literal)?;
    let namespaces = match assignment(text, b"NAMESPACES") {
        Ok(s) => dict_literal(s, list_literal)?.0,
        Err(_) => Vec::new(),
    };
    let mut placeholder = Vec::new();
    if let Ok(mut s) = assignment(text, b"PATH_PLACEHOLDER") {
        loop {
            let (part, r) = string_literal(s)?;
            placeholder.extend_from_slice(&part);
            let r = r.trim_ascii_start();
            match r.strip_prefix(b"+") {
                Some(r) => s = r,
                None => break,
            }
        }
    }
    Ok(EditableFinder { module: module.to_vec(), mapping, namespaces, placeholder })
}

/// The module the `editables` package's `.pth` line imports: exactly
/// `import _editable_impl_<name>` (`<name>` of ASCII letters, digits and
/// `_`, as `EditableProject` normalizes it), optionally followed by
/// whitespace; any other line is not one `editables` writes.
pub fn bootstrap_module(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(b"import")?;
    if !rest.first().is_some_and(|&b| b == b' ' || b == b'\t') {
        return None;
    }
    let module = rest.trim_ascii();
    let name = module.strip_prefix(b"_editable_impl_")?;
    (!name.is_empty() && module.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')).then_some(module)
}

/// The largest bootstrap module or setuptools finder module read; a bigger
/// one is ignored, as unknown content is.
pub const MAX_FINDER_MODULE: u64 = 16 << 20;

/// `editables.redirector.RedirectingFinder`: one class shared by every
/// project (`install()` appends it to `sys.meta_path` once, where the first
/// bootstrap module that runs puts it), with one dict of redirections that
/// each `map_module` call sets (a later call for a name replaces it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redirector {
    /// Top-level name to the file `spec_from_file_location` is given.
    pub redirections: std::collections::HashMap<Vec<u8>, Vec<u8>>,
}

impl Redirector {
    /// `RedirectingFinder.find_spec(name)`'s location: only top-level names.
    pub fn location(&self, name: &[u8]) -> Option<&[u8]> {
        if name.contains(&b'.') {
            return None;
        }
        self.redirections.get(name).map(Vec::as_slice)
    }
}

/// A meta path finder an editable install puts after importlib's
/// PathFinder, in `sys.meta_path` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaFinder {
    /// A setuptools `__editable___*_finder` (and its namespace path hook).
    Setuptools(EditableFinder),
    /// The `editables` package's RedirectingFinder.
    Redirector(Redirector),
}

impl MetaFinder {
    /// The setuptools finder, if this is one.
    pub fn setuptools(&self) -> Option<&EditableFinder> {
        match self {
            MetaFinder::Setuptools(f) => Some(f),
            MetaFinder::Redirector(_) => None,
        }
    }
}

/// The first two lines of the bootstrap module `editables` 0.6
/// (`EditableProject.bootstrap_file`) writes; each further line is
/// `F.map_module(<name>, <path>)` with both `repr`'d.
const BOOTSTRAP_HEAD: [&[u8]; 2] = [b"from editables.redirector import RedirectingFinder as F", b"F.install()"];

/// Reads a bootstrap module `_editable_impl_<name>.py` of the `editables`
/// package: exactly the lines `EditableProject.bootstrap_file` writes (see
/// [`BOOTSTRAP_HEAD`]; joined by `\n`, a final `\n` allowed), the
/// `map_module` arguments string literals as `repr` writes them, each path
/// absolute (the generator writes resolved paths). Returns the
/// `(name, path)` pairs in call order. Value error for anything else (not
/// UTF-8, a NUL, another statement, a non-literal argument, a relative or
/// NUL-bearing path): such a file is not read, as setuptools' finder
/// modules with unknown content are not. A pure function of the bytes, for
/// fuzzing.
pub fn parse_bootstrap(text: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let bad = |what: &str| Error::value(format!("editables bootstrap module: {what}"));
    if text.contains(&0) {
        return Err(bad("a NUL byte"));
    }
    if std::str::from_utf8(text).is_err() {
        return Err(bad("not UTF-8"));
    }
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut lines = text.split(|&b| b == b'\n');
    for head in BOOTSTRAP_HEAD {
        if lines.next() != Some(head) {
            return Err(bad("not the lines editables writes"));
        }
    }
    let mut out = Vec::new();
    for line in lines {
        let args = line.strip_prefix(b"F.map_module(").ok_or_else(|| bad("a line other than F.map_module(...)"))?;
        if !args.starts_with(b"'") && !args.starts_with(b"\"") {
            return Err(bad("a name that is not a string literal"));
        }
        let (name, rest) = string_literal(args)?;
        let rest = rest.strip_prefix(b", ").ok_or_else(|| bad("', ' expected"))?;
        if !rest.starts_with(b"'") && !rest.starts_with(b"\"") {
            return Err(bad("a path that is not a string literal"));
        }
        let (path, rest) = string_literal(rest)?;
        if rest != b")" {
            return Err(bad("')' and the line's end expected"));
        }
        if !path.starts_with(b"/") || path.contains(&0) {
            return Err(bad("a path that is not absolute"));
        }
        out.try_reserve(1).map_err(|_| Error::no_memory("out of memory reading an editables bootstrap module"))?;
        out.push((name, path));
    }
    Ok(out)
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
        let ns = parse_editable_finder(
            b"m",
            b"MAPPING: dict[str, str] = {'nsx.pkg': '/p/nsx/pkg'}\nNAMESPACES: dict[str, list[str]] = {'nsx': [], 'b': ['/q', '/r']}\nPATH_PLACEHOLDER = '__editable__.p-0.1.finder' + \".__path_hook__\"\n",
        )
        .unwrap();
        assert_eq!(ns.placeholder, b"__editable__.p-0.1.finder.__path_hook__");
        assert_eq!(ns.namespace_portions(b"nsx"), Some(vec![ns.placeholder.clone()]));
        assert_eq!(ns.namespace_portions(b"b"), Some(vec![b"/q".to_vec(), b"/r".to_vec(), ns.placeholder.clone()]));
        assert_eq!(ns.namespace_portions(b"nsx.pkg"), None);
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

    const HEAD: &str = "from editables.redirector import RedirectingFinder as F\nF.install()\n";

    #[test]
    fn bootstrap_lines() {
        assert_eq!(bootstrap_module(b"import _editable_impl_proj"), Some(&b"_editable_impl_proj"[..]));
        assert_eq!(bootstrap_module(b"import\t_editable_impl_p_2 \t"), Some(&b"_editable_impl_p_2"[..]));
        for line in [&b"import _editable_impl_"[..], b"import _editable_impl_p; os.x()", b"import _editable_impl_p, os", b"importx _editable_impl_p", b"import __editable___p_finder", b"import _editable_impl_p.x"] {
            assert_eq!(bootstrap_module(line), None, "{line:?}");
        }
        // What editables 0.6 writes (no final newline), '"' for a quote inside.
        let text = format!("{HEAD}F.map_module('pkg', '/src/pkg/__init__.py')\nF.map_module('m', \"/s/it's\\\\m.py\")");
        assert_eq!(
            parse_bootstrap(text.as_bytes()).unwrap(),
            vec![(b"pkg".to_vec(), b"/src/pkg/__init__.py".to_vec()), (b"m".to_vec(), b"/s/it's\\m.py".to_vec())]
        );
        assert_eq!(parse_bootstrap(HEAD.as_bytes()).unwrap(), vec![]);
        assert_eq!(parse_bootstrap(format!("{HEAD}F.map_module('x', '/\\udcff\\xe9')\n").as_bytes()).unwrap()[0].1, b"/\xff\xc3\xa9");
    }

    #[test]
    fn bootstrap_hostile() {
        let bad: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"F.install()\n".to_vec(),
            format!("import os\n{HEAD}").into_bytes(),
            format!("{HEAD}F.map_module(name, '/p')").into_bytes(),
            format!("{HEAD}F.map_module('n', path)").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p' + 'q')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p'); import os").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p')\nimport os").into_bytes(),
            format!("{HEAD}F.map_module('n', f'/p')").into_bytes(),
            format!("{HEAD}F.map_module('n', b'/p')").into_bytes(),
            format!("{HEAD}F.map_module('n', 'rel/p.py')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p\\x00.py')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p\0.py')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p\\ud800')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p\\N{{BULLET}}')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p)").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p'").into_bytes(),
            format!("{HEAD}F.map_module('n')").into_bytes(),
            format!("{HEAD}F.map_module('n', '/p')\n\n").into_bytes(),
            format!("{HEAD}\u{feff}").into_bytes(),
            [HEAD.as_bytes(), b"F.map_module('n', '/\xff')"].concat(),
            HEAD.replace('\n', "\r\n").into_bytes(),
        ];
        for text in &bad {
            assert!(parse_bootstrap(text).is_err(), "{:?}", String::from_utf8_lossy(text));
        }
        // Huge input: linear, and every entry kept; a huge literal too.
        let line = "F.map_module('n', '/p/n.py')\n";
        let big = [HEAD, &line.repeat(200_000)].concat();
        assert_eq!(parse_bootstrap(big.as_bytes()).unwrap().len(), 200_000);
        let long = format!("{HEAD}F.map_module('n', '/{}')", "x".repeat(4 << 20));
        assert_eq!(parse_bootstrap(long.as_bytes()).unwrap()[0].1.len(), (4 << 20) + 1);
        let open = format!("{HEAD}F.map_module('n', '/{}", "\\\\".repeat(1 << 20));
        assert!(parse_bootstrap(open.as_bytes()).is_err());
    }

    #[test]
    fn redirector_top_level_only() {
        let mut r = Redirector::default();
        r.redirections.insert(b"a".to_vec(), b"/x/a.py".to_vec());
        r.redirections.insert(b"a.b".to_vec(), b"/x/b.py".to_vec());
        assert_eq!(r.location(b"a"), Some(&b"/x/a.py"[..]));
        assert_eq!(r.location(b"a.b"), None);
        assert_eq!(r.location(b"c"), None);
    }
}
