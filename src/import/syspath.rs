//! The import path a virtual environment's interpreter starts with
//! (`sys.path` without the script directory), computed without running it:
//! what `getpath` and `site` (CPython 3.6-3.13, upstream and Debian's) make
//! of the env's `pyvenv.cfg` and the files on disk.
//!
//! 1. `getpath`: the base prefix is the first directory from `home` upwards
//!    holding `lib/pythonX.Y/os.py` (or `.pyc`), the exec prefix the first
//!    holding `lib/pythonX.Y/lib-dynload`; then `prefix/lib/pythonXY.zip`
//!    (listed whether it exists or not), `prefix/lib/pythonX.Y` and
//!    `exec_prefix/lib/pythonX.Y/lib-dynload`.
//! 2. `site.venv()`: the env's own site directories first; with system site
//!    packages on, the user site (`$PYTHONUSERBASE` or `$HOME/.local`,
//!    `lib/pythonX.Y/site-packages`, when it is a directory, the real and
//!    effective ids agree and `PYTHONNOUSERSITE` is not set; without `HOME`
//!    the password database's home) and then the base's site directories.
//! 3. Site directories: upstream `prefix/lib/pythonX.Y/site-packages`;
//!    Debian's (its `site.py` mentions `dist-packages`) adds
//!    `prefix/local/lib/pythonX.Y/dist-packages`, `prefix/lib/python3/dist-packages`
//!    and `prefix/lib/pythonX.Y/dist-packages`. Only directories count.
//! 4. Each site directory's `.pth` files, in sorted order (names starting
//!    with `.` skipped from 3.13 on), read as that version's `site` reads
//!    them (encoding, line breaks, Unicode whitespace: see [`super::pth`]):
//!    `#` lines and blank lines skipped, `import` lines not run but
//!    reported, any other line joined to the site directory, normalized, and
//!    added when it exists and is not already on the path. A `.pth` file
//!    that does not decode is an error (the interpreter would not start).
//!
//! Entries are normalized (`os.path.abspath`) and duplicates dropped, as
//! `site.removeduppaths` does. As in `site`, the env's own site directories
//! are processed twice (by `venv()`, then with the other prefixes), so their
//! `.pth` files are read twice: entries are added once, `import` lines run,
//! and are reported, twice. Not modelled: `PYTHONPATH`, `PYTHONHOME`, `-I`
//! and `-S`, a `platlibdir` other than `lib`, and whatever an `import` line
//! or `sitecustomize` does when run.

use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use super::editable::{finder_module, parse_editable_finder, EditableFinder};
use super::pth::{parse_pth, PthLine, PthRules};
use super::quote;
use crate::venv::paths::normpath;

/// An `import` line of a `.pth` file, which the interpreter would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PthImport {
    /// The `.pth` file.
    pub file: PathBuf,
    /// The line, without its line break.
    pub line: Vec<u8>,
}

/// The computed import path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SysPath {
    pub entries: Vec<PathBuf>,
    /// `import` lines found in the `.pth` files processed, in order.
    pub pth_imports: Vec<PthImport>,
    /// setuptools' editable finders those lines install, in meta path order.
    pub editables: Vec<EditableFinder>,
}

/// What the computation needs to know about the env.
#[derive(Debug, Clone)]
pub struct EnvFacts<'a> {
    /// The env directory, absolute (as `site` takes it from `sys.executable`:
    /// links not resolved).
    pub env_dir: &'a Path,
    /// `home` from pyvenv.cfg: the base interpreter's directory.
    pub home: &'a Path,
    pub major: u32,
    pub minor: u32,
    /// `include-system-site-packages`.
    pub system_site_packages: bool,
}


/// `os.path.join(a, b)`: `b` when it is absolute.
fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if b.starts_with(b"/") || a.is_empty() {
        return b.to_vec();
    }
    let mut out = a.to_vec();
    if !out.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend_from_slice(b);
    out
}

/// `os.path.abspath`.
fn abspath(path: &[u8]) -> Result<Vec<u8>> {
    if path.starts_with(b"/") {
        return Ok(normpath(path));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(&e, "current directory"))?;
    Ok(normpath(&join(cwd.as_os_str().as_bytes(), path)))
}

fn meta(path: &[u8]) -> Option<std::fs::Metadata> {
    std::fs::metadata(std::ffi::OsStr::from_bytes(path)).ok()
}

fn is_dir(path: &[u8]) -> bool {
    meta(path).is_some_and(|m| m.is_dir())
}

fn is_file(path: &[u8]) -> bool {
    meta(path).is_some_and(|m| m.is_file())
}

fn exists(path: &[u8]) -> bool {
    meta(path).is_some()
}

/// getpath's `search_up`: the first of `start` and its parents holding one of
/// the landmarks.
fn search_up(start: &[u8], landmarks: &[&[u8]], test: fn(&[u8]) -> bool) -> Option<Vec<u8>> {
    let mut dir = normpath(start);
    loop {
        if landmarks.iter().any(|l| test(&join(&dir, l))) {
            return Some(dir);
        }
        let parent = match dir.iter().rposition(|&b| b == b'/') {
            Some(0) => b"/".to_vec(),
            Some(i) => dir[..i].to_vec(),
            None => return None,
        };
        if parent == dir {
            return None;
        }
        dir = parent;
    }
}

struct Builder {
    entries: Vec<Vec<u8>>,
    known: HashSet<Vec<u8>>,
    imports: Vec<PthImport>,
    editables: Vec<EditableFinder>,
    minor: u32,
    rules: PthRules,
}

impl Builder {
    /// `site.addsitedir`: the directory itself, then its `.pth` files.
    fn add_site_dir(&mut self, sitedir: &[u8]) -> Result<()> {
        let sitedir = abspath(sitedir)?;
        if self.known.insert(sitedir.clone()) {
            self.entries.push(sitedir.clone());
        }
        let Ok(listing) = std::fs::read_dir(std::ffi::OsStr::from_bytes(&sitedir)) else {
            return Ok(());
        };
        let mut names: Vec<Vec<u8>> = listing
            .flatten()
            .map(|e| e.file_name().into_vec())
            .filter(|n| n.ends_with(b".pth") && !(self.minor >= 13 && n.starts_with(b".")))
            .collect();
        names.sort();
        for name in names {
            self.add_pth(&sitedir, &name)?;
        }
        Ok(())
    }

    /// `site.addpackage`: one `.pth` file, read as this interpreter reads it
    /// (see [`pth`]). A file that does not decode is an error: the
    /// interpreter would fail to start.
    fn add_pth(&mut self, sitedir: &[u8], name: &[u8]) -> Result<()> {
        let file = join(sitedir, name);
        let Ok(text) = std::fs::read(std::ffi::OsStr::from_bytes(&file)) else {
            return Ok(());
        };
        let lines = parse_pth(&text, &self.rules).map_err(|e| Error::new(e.kind, format!("{}: {}", quote(&file), e.message)))?;
        for line in lines {
            match line {
                PthLine::Import(line) => {
                    self.imports.push(PthImport { file: PathBuf::from(OsString::from_vec(file.clone())), line: line.to_vec() });
                    // setuptools' editable finder: read its MAPPING, never run
                    // it; installed once however often the line runs.
                    if let Some(module) = finder_module(line) {
                        if !self.editables.iter().any(|f| f.module == module) {
                            let source = join(sitedir, &[module, b".py"].concat());
                            if let Ok(text) = std::fs::read(std::ffi::OsStr::from_bytes(&source)) {
                                if let Ok(finder) = parse_editable_finder(module, &text) {
                                    // install(): with namespaces, the placeholder
                                    // goes on sys.path (once).
                                    if !finder.namespaces.is_empty() && !finder.placeholder.is_empty()
                                        && !self.entries.contains(&finder.placeholder)
                                    {
                                        self.entries.push(finder.placeholder.clone());
                                    }
                                    self.editables.push(finder);
                                }
                            }
                        }
                    }
                }
                PthLine::Path(line) => {
                    let dir = normpath(&join(sitedir, line));
                    if !self.known.contains(&dir) && exists(&dir) {
                        self.known.insert(dir.clone());
                        self.entries.push(dir);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The site directories of `prefix` (`site.getsitepackages([prefix])`).
fn site_dirs(prefix: &[u8], version: &str, debian: bool) -> Vec<Vec<u8>> {
    let lib = join(prefix, format!("lib/python{version}").as_bytes());
    if debian {
        vec![
            join(&lib, b"site-packages"),
            join(prefix, format!("local/lib/python{version}/dist-packages").as_bytes()),
            join(prefix, b"lib/python3/dist-packages"),
            join(&lib, b"dist-packages"),
        ]
    } else {
        vec![join(&lib, b"site-packages")]
    }
}

/// The home directory of the real user in the password database.
fn password_home() -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 16384];
    let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into pwd and buf (of the given length) and
    // sets result to pwd or NULL; pw_dir points into buf.
    let rc = unsafe {
        libc::getpwuid_r(libc::getuid(), pwd.as_mut_ptr(), buf.as_mut_ptr().cast(), buf.len(), &mut result)
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: result is non-NULL, so pwd was filled.
    let pw_dir = unsafe { pwd.assume_init() }.pw_dir;
    if pw_dir.is_null() {
        return None;
    }
    // SAFETY: a non-NULL pw_dir is NUL-terminated in buf, which outlives this borrow.
    let dir = unsafe { std::ffi::CStr::from_ptr(pw_dir) };
    Some(dir.to_bytes().to_vec())
}

/// The user site directory when `site` would enable it for this process.
fn user_site(version: &str) -> Option<Vec<u8>> {
    // PYTHONNOUSERSITE (any non-empty value) is the -s flag.
    if std::env::var_os("PYTHONNOUSERSITE").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    // SAFETY: plain id queries.
    let same_ids = unsafe { libc::getuid() == libc::geteuid() && libc::getgid() == libc::getegid() };
    if !same_ids {
        return None;
    }
    let base = match std::env::var_os("PYTHONUSERBASE").filter(|v| !v.is_empty()) {
        Some(b) => b.into_vec(),
        None => {
            // os.path.expanduser("~/.local"): $HOME, else the password
            // database; trailing slashes dropped ("/" and "" give "/.local").
            let mut home = match std::env::var_os("HOME") {
                Some(h) => h.into_vec(),
                None => password_home()?,
            };
            while home.last() == Some(&b'/') {
                home.pop();
            }
            home.extend_from_slice(b"/.local");
            home
        }
    };
    Some(join(&base, format!("lib/python{version}/site-packages").as_bytes()))
}

/// The import path of the env described by `facts`.
pub fn venv_sys_path(facts: &EnvFacts) -> Result<SysPath> {
    let version = format!("{}.{}", facts.major, facts.minor);
    let home = abspath(facts.home.as_os_str().as_bytes())?;
    let stdlib_sub = format!("lib/python{version}");
    let os_py = format!("{stdlib_sub}/os.py");
    let os_pyc = format!("{stdlib_sub}/os.pyc");
    let dynload = format!("{stdlib_sub}/lib-dynload");
    let fallback = || {
        let mut p = home.clone();
        if let Some(i) = p.iter().rposition(|&b| b == b'/') {
            p.truncate(i.max(1));
        }
        p
    };
    let prefix = search_up(&home, &[os_py.as_bytes(), os_pyc.as_bytes()], is_file).unwrap_or_else(fallback);
    let exec_prefix = search_up(&home, &[dynload.as_bytes()], is_dir).unwrap_or_else(|| prefix.clone());

    let mut b = Builder { entries: Vec::new(), known: HashSet::new(), imports: Vec::new(), editables: Vec::new(), minor: facts.minor, rules: PthRules::for_python(facts.minor) };
    for entry in [
        join(&prefix, format!("lib/python{}{}.zip", facts.major, facts.minor).as_bytes()),
        join(&prefix, stdlib_sub.as_bytes()),
        join(&exec_prefix, dynload.as_bytes()),
    ] {
        let entry = normpath(&entry);
        if b.known.insert(entry.clone()) {
            b.entries.push(entry);
        }
    }

    let site_py = join(&prefix, format!("{stdlib_sub}/site.py").as_bytes());
    let debian = std::fs::read(std::ffi::OsStr::from_bytes(&site_py))
        .map(|text| text.windows(13).any(|w| w == b"dist-packages"))
        .unwrap_or(false);
    let env_dir = abspath(facts.env_dir.as_os_str().as_bytes())?;
    for dir in site_dirs(&env_dir, &version, debian) {
        if is_dir(&dir) {
            b.add_site_dir(&dir)?;
        }
    }
    // site.main(): the user site, then addsitepackages over PREFIXES, which
    // venv() made [env] or [env, base prefix, base exec prefix]: the env's
    // directories come again, their entries already known but their .pth
    // files read (and import lines run) a second time.
    let mut prefixes = vec![env_dir.clone()];
    if facts.system_site_packages {
        if let Some(user) = user_site(&version) {
            if is_dir(&user) {
                b.add_site_dir(&user)?;
            }
        }
        prefixes.push(prefix.clone());
        prefixes.push(exec_prefix.clone());
    }
    let mut seen = HashSet::new();
    for p in prefixes {
        if !seen.insert(p.clone()) {
            continue;
        }
        for dir in site_dirs(&p, &version, debian) {
            if is_dir(&dir) {
                b.add_site_dir(&dir)?;
            }
        }
    }
    Ok(SysPath {
        entries: b.entries.into_iter().map(|e| PathBuf::from(OsString::from_vec(e))).collect(),
        pth_imports: b.imports,
        editables: b.editables,
    })
}

/// The facts of an opened env: `home` (the first line, as getpath takes
/// it), the version (`version` or `version_info`, else the one `lib/pythonX.Y`),
/// and `include-system-site-packages` (the last line; missing means true, as
/// in `site.venv()`).
pub fn env_facts(venv: &crate::venv::Venv) -> Result<(PathBuf, u32, u32, bool)> {
    let home = venv.get("home").ok_or_else(|| {
        Error::not_found(format!("{} has no home key: the base interpreter is unknown", venv.cfg_path.display()))
    })?;
    let version = venv.python_version().ok_or_else(|| {
        Error::not_found(format!("cannot tell the Python version of {}: no version key in pyvenv.cfg", venv.dir.display()))
    })?;
    let (major, minor) = version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| Error::value(format!("bad Python version {version:?} in {}", venv.cfg_path.display())))?;
    Ok((PathBuf::from(home), major, minor, venv.system_site_packages()))
}

/// [`venv_sys_path`] of an opened env.
pub fn of_venv(venv: &crate::venv::Venv) -> Result<SysPath> {
    let (home, major, minor, system_site_packages) = env_facts(venv)?;
    venv_sys_path(&EnvFacts { env_dir: &venv.dir, home: &home, major, minor, system_site_packages })
}

#[cfg(test)]
mod tests {
    use super::normpath;

    #[test]
    fn normpath_as_posixpath() {
        for (a, b) in [
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a/../b", "//b"),
            ("a/./b/", "a/b"),
            ("../a", "../a"),
            ("/../a", "/a"),
            ("a/../..", ".."),
            ("a/b/../../..", ".."),
            ("/a//b/", "/a/b"),
        ] {
            assert_eq!(normpath(a.as_bytes()), b.as_bytes(), "{a}");
        }
    }
}
