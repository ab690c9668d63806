//! Interpreter discovery: `--python 3.12`, `pepkit_find_python("pypy3")`.
//!
//! [`find_python`] answers what `uv python find REQUEST` answers on the same
//! machine, by the same rules (uv's `crates/uv-python/src/discovery.rs`):
//!
//! - the text is first read as a request ([`parse_request`]): a version
//!   (`3`, `3.12`, `3.12.1`, `312`), optionally after `python` or an
//!   implementation name (`python3.12`, `python@3.12`, `cpython3.12`,
//!   `cp312`, `pypy3`, `pp310`, `pypy`), or a key `cpython-3.12`; case does
//!   not matter. Only what is not a request is a path (it holds a `/` or
//!   names a directory or file: a directory means its `bin/python`) or else
//!   a command looked up on PATH;
//! - the sources of a request, in order: uv's managed installations
//!   (`$UV_PYTHON_INSTALL_DIR`, else `$XDG_DATA_HOME/uv/python`, else
//!   `~/.local/share/uv/python`; newest first, through the stable
//!   `cpython-X.Y-…` link when no patch was asked for); then each PATH
//!   directory in order, by name from the most specific (`python3.12`,
//!   `python3`, `python`; for `3` and `pypy3` also every `python3.N` there,
//!   newest first); the first candidate whose version and implementation
//!   match wins ("newest" orders only candidates uv ranks equally);
//! - a candidate's version, implementation, pre-release and free-threading
//!   come from its interpreter facts (`facts::facts_for`: at most
//!   one run of it, cached on its path and modification time), never from
//!   its name; a pre-release from the managed folder is used only when
//!   nothing else matches, a free-threaded build never, another
//!   implementation than CPython only when asked for (or, as uv, when found
//!   on PATH under a plain `python…` name);
//! - the answer is the interpreter's own `sys.executable`, as uv prints it.
//!
//! Where pepkit deliberately differs from uv:
//!
//! - after uv's sources it also searches pyenv's versions
//!   (`$PYENV_ROOT/versions/*/bin`, else `~/.pyenv/versions/*/bin`), newest
//!   matching first, which uv searches only through pyenv's shims on PATH
//!   (which run only the version pyenv has selected): so where uv finds
//!   nothing, pepkit may find pyenv's build of the version;
//! - a candidate that cannot be run or queried (a pyenv shim for a version
//!   not selected exits 127) is passed over by both; when nothing else
//!   matches, uv reports that candidate's failure ("Failed to inspect Python
//!   interpreter") and pepkit, after pyenv's versions, says it found nothing
//!   and names the candidates it passed over;
//! - requests uv reads but pepkit does not (pre-releases `3.13rc1`, variants
//!   `3.13t`, ranges `>=3.12`, `any`) are taken as command names, so they
//!   are found only as such.
//!
//! Nothing found is [`ErrorKind::NotFound`](crate::error::ErrorKind) with a
//! message that lists every place searched.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::facts::{self, Facts, FactsSource};
use super::paths::abspath;

/// A parsed interpreter request (`3.12`, `pypy3`, `cpython@3.12.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonRequest {
    /// The implementation asked for (`cpython`, `pypy`, `graalpy`,
    /// `pyodide`, as `sys.implementation.name` spells it), or None for any
    /// (CPython, in practice).
    pub implementation: Option<&'static str>,
    /// The version asked for, or None (`pypy` alone).
    pub version: Option<VersionRequest>,
}

/// A version request: `3`, `3.12` or `3.12.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRequest {
    /// X.
    pub major: u8,
    /// Y, if given.
    pub minor: Option<u8>,
    /// Z, if given (then `minor` is too).
    pub patch: Option<u8>,
}

/// Implementations by long and short name, as uv knows them.
const IMPLEMENTATIONS: [(&str, Option<&str>); 4] =
    [("cpython", Some("cp")), ("pypy", Some("pp")), ("graalpy", Some("gp")), ("pyodide", None)];

impl VersionRequest {
    /// Parses `3`, `3.12`, `3.12.1` or a wheel-tag style `312` (3.12), each
    /// part fitting a u8, as uv does; anything else (pre-releases, variants,
    /// ranges, leading zeros aside) is None.
    pub fn parse(s: &str) -> Option<VersionRequest> {
        // PEP 440 parsing, as uv's: surrounding spaces and a `v` are allowed.
        let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
        let s = s.strip_prefix('v').unwrap_or(s);
        if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let parts: Vec<&str> = s.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let num = |p: &str| p.parse::<u8>().ok();
        match parts.as_slice() {
            // `312` is 3.12 (uv splits a one-part release of two or more digits).
            [one] if one.len() >= 2 => {
                let major = num(&one[..1])?;
                let minor = num(&one[1..])?;
                Some(VersionRequest { major, minor: Some(minor), patch: None })
            }
            [major] => Some(VersionRequest { major: num(major)?, minor: None, patch: None }),
            [major, minor] => Some(VersionRequest { major: num(major)?, minor: Some(num(minor)?), patch: None }),
            [major, minor, patch] => {
                Some(VersionRequest { major: num(major)?, minor: Some(num(minor)?), patch: Some(num(patch)?) })
            }
            _ => None,
        }
    }

    /// Whether an interpreter of version `major.minor.patch` satisfies it.
    fn matches(&self, major: u32, minor: u32, patch: u32) -> bool {
        u32::from(self.major) == major
            && self.minor.is_none_or(|m| u32::from(m) == minor)
            && self.patch.is_none_or(|p| u32::from(p) == patch)
    }

    /// uv refuses requests for Python 2 and before 3.6.
    fn check_supported(&self) -> Result<()> {
        if self.major < 3 || self.major == 3 && self.minor.is_some_and(|m| m < 6) {
            return Err(Error::value(format!("Python {self} is not supported (pepkit needs 3.6 or later)")));
        }
        Ok(())
    }
}

impl std::fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(m) = self.minor {
            write!(f, ".{m}")?;
        }
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for PythonRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.implementation, &self.version) {
            (Some(i), Some(v)) => write!(f, "{i} {v}"),
            (Some(i), None) => write!(f, "{i}"),
            (None, Some(v)) => write!(f, "Python {v}"),
            (None, None) => write!(f, "Python"),
        }
    }
}

/// `rest` after a prefix: `@VERSION` or `VERSION`.
fn version_after(rest: &str) -> Option<VersionRequest> {
    VersionRequest::parse(rest.strip_prefix('@').unwrap_or(rest))
}

/// Reads `text` as an interpreter request, as uv's `PythonRequest::parse`
/// does for the forms pepkit supports (see the module); None when it is not
/// one (then it is a path or a command name).
pub fn parse_request(text: &str) -> Option<PythonRequest> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with('@') {
        return None; // uv: an invalid request, then a name
    }
    // `python3.12`, `python@3.12`, `3.12`.
    for prefix in ["python", ""] {
        if let Some(rest) = lower.strip_prefix(prefix).filter(|r| !r.is_empty()) {
            if let Some(v) = version_after(rest) {
                return Some(PythonRequest { implementation: None, version: Some(v) });
            }
        }
    }
    for (long, short) in IMPLEMENTATIONS {
        for name in std::iter::once(long).chain(short) {
            if lower == name {
                return Some(PythonRequest { implementation: Some(long), version: None });
            }
            if let Some(v) = lower.strip_prefix(name).and_then(version_after) {
                return Some(PythonRequest { implementation: Some(long), version: Some(v) });
            }
        }
    }
    // uv's installation keys, `cpython-3.12` (no platform part).
    if let Some((name, version)) = lower.split_once('-') {
        if let Some((long, _)) = IMPLEMENTATIONS.iter().find(|(l, _)| *l == name) {
            if let Some(v) = VersionRequest::parse(version) {
                return Some(PythonRequest { implementation: Some(long), version: Some(v) });
            }
        }
    }
    None
}

/// Where a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Managed,
    SearchPath,
    Pyenv,
}

/// The interpreter `request` names (see the module): a request searched in
/// uv's managed folder, on PATH and in pyenv's versions; a path; or a
/// command on PATH. Returns the interpreter's `sys.executable`.
pub fn find_python(request: &OsStr) -> Result<PathBuf> {
    if request.is_empty() {
        return Err(Error::value("the Python request must not be empty"));
    }
    if let Some(req) = request.to_str().and_then(parse_request) {
        return find_request(&req);
    }
    let path = Path::new(request);
    if request.as_bytes().contains(&b'/') || path.is_file() || path.is_dir() {
        let exe = if path.is_dir() { path.join("bin").join("python") } else { path.to_path_buf() };
        let f = facts::facts_for(exe.as_os_str(), FactsSource::Cached)?;
        return Ok(executable_of(&f, &abspath(&exe)));
    }
    // A command: the first on PATH that is a working interpreter.
    let mut errors = Vec::new();
    for dir in search_path_dirs() {
        let candidate = dir.join(request);
        if !is_executable(&candidate) {
            continue;
        }
        match facts::facts_for(candidate.as_os_str(), FactsSource::Cached) {
            Ok(f) => return Ok(executable_of(&f, &candidate)),
            Err(e) => errors.push(format!("{}: {}", candidate.display(), e)),
        }
    }
    Err(Error::not_found(format!(
        "no Python interpreter named {} on PATH{}",
        request.to_string_lossy(),
        skipped_note(&errors)
    )))
}

/// `sys.executable` of `facts`, else the path it was learned from.
fn executable_of(facts: &Facts, candidate: &Path) -> PathBuf {
    if facts.executable.is_empty() {
        candidate.to_path_buf()
    } else {
        PathBuf::from(&facts.executable)
    }
}

fn skipped_note(errors: &[String]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        // Each candidate's path, and the first error's first line.
        let paths: Vec<&str> = errors.iter().map(|e| e.split(": ").next().unwrap_or("")).collect();
        let first = errors.first().and_then(|e| e.lines().next()).unwrap_or("");
        format!("; skipped as they could not be queried: {} (the first: {first})", paths.join(", "))
    }
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// PATH's directories in order, each once (by device and inode, as uv
/// skips a directory already seen), non-directories left out.
fn search_path_dirs() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut seen = HashSet::new();
    let mut dirs = Vec::new();
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let dir = abspath(Path::new(OsStr::from_bytes(dir)));
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() && seen.insert((m.dev(), m.ino())) => dirs.push(dir),
            _ => {}
        }
    }
    dirs
}

/// An environment variable holding an absolute path, else None.
fn abs_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from).filter(|p| p.is_absolute())
}

fn home() -> Option<PathBuf> {
    abs_env("HOME")
}

/// uv's managed-interpreter folder.
fn managed_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("UV_PYTHON_INSTALL_DIR").filter(|v| !v.is_empty()) {
        return Some(abspath(Path::new(&dir)));
    }
    let data = abs_env("XDG_DATA_HOME").or_else(|| home().map(|h| h.join(".local/share")))?;
    Some(data.join("uv/python"))
}

/// pyenv's versions folder.
fn pyenv_versions() -> Option<PathBuf> {
    let root = abs_env("PYENV_ROOT").or_else(|| home().map(|h| h.join(".pyenv")))?;
    Some(root.join("versions"))
}

/// `X.Y.Z[pre]` at the start of `s`: the numbers and the rest.
fn leading_version(s: &str) -> Option<((u32, u32, u32), &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let nums: Vec<u32> = s[..end].split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    match nums.as_slice() {
        [a, b, c] => Some(((*a, *b, *c), &s[end..])),
        _ => None,
    }
}

/// The executable name uv gives an implementation's interpreter
/// (`python3.12`, `pypy3.10`).
fn versioned_exe(implementation: &str, major: u32, minor: u32) -> String {
    let stem = if implementation == "pypy" || implementation == "graalpy" { implementation } else { "python" };
    format!("{stem}{major}.{minor}")
}

/// The current platform's part of a managed key (`linux-x86_64-gnu`).
fn platform_matches(rest: &str) -> bool {
    let mut parts = rest.splitn(3, '-');
    let (Some(os), Some(arch), Some(libc)) = (parts.next(), parts.next(), parts.next()) else { return false };
    let arch_ok = arch == std::env::consts::ARCH
        || arch.strip_prefix(std::env::consts::ARCH).is_some_and(|v| matches!(v, "_v2" | "_v3" | "_v4"));
    os == std::env::consts::OS && arch_ok && libc == if cfg!(target_env = "musl") { "musl" } else { "gnu" }
}

/// Managed installations matching `req` by their key, newest first:
/// `(executable, key version)`. A directory entry that is a symlink is no
/// installation (uv lists real directories only).
fn managed_candidates(root: &Path, req: &PythonRequest) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut found: Vec<(String, (u32, u32, u32), PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let Some((implementation, rest)) = name.split_once('-') else { continue };
        let Some((version, rest)) = leading_version(rest) else { continue };
        // A pre-release or variant part (`rc1`, `+freethreaded`) before the platform.
        let Some(platform) = rest.split_once('-') else { continue };
        if !platform.0.is_empty() && !platform.0.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue; // a variant build (`+freethreaded`, `+debug`): never the default
        }
        if !platform_matches(platform.1) || !req.version.is_none_or(|v| v.matches(version.0, version.1, version.2)) {
            continue;
        }
        if req.implementation.is_some_and(|i| i != implementation) {
            continue;
        }
        let dir = entry.path();
        let home = if dir.join("install").is_dir() { dir.join("install") } else { dir.clone() };
        let exe = home.join("bin").join(versioned_exe(implementation, version.0, version.1));
        // The stable minor-version link uv maintains, when no patch was asked for.
        let exe = match req.version {
            Some(VersionRequest { patch: Some(_), .. }) => exe,
            _ if implementation == "cpython" && home == dir => {
                let link = root.join(format!("{implementation}-{}.{}-{}", version.0, version.1, platform.1));
                let points_here = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink())
                    && std::fs::read_link(&link).is_ok_and(|t| t == dir);
                if points_here {
                    link.join("bin").join(versioned_exe(implementation, version.0, version.1))
                } else {
                    exe
                }
            }
            _ => exe,
        };
        found.push((implementation.to_string(), version, exe));
    }
    found.sort_by(|a, b| (&b.0, b.1).cmp(&(&a.0, a.1)));
    found.into_iter().map(|(_, _, exe)| exe).collect()
}

/// The names looked up in each PATH directory, most specific first, as
/// uv's `executable_names`: `python3.12.1`, `python3.12`, `python3`,
/// `python` (and the implementation's names first when one is asked for).
fn path_names(req: &PythonRequest) -> Vec<String> {
    let mut plain = Vec::new();
    match req.version {
        Some(v) => {
            if let (Some(m), Some(p)) = (v.minor, v.patch) {
                plain.push(format!("{}.{m}.{p}", v.major));
            }
            if let Some(m) = v.minor {
                plain.push(format!("{}.{m}", v.major));
            }
            plain.push(v.major.to_string());
            plain.push(String::new());
        }
        // A default version request: `python` before `python3`.
        None => plain.extend([String::new(), "3".to_string()]),
    }
    let mut names = Vec::new();
    if let Some(i) = req.implementation {
        names.extend(plain.iter().map(|v| format!("{i}{v}")));
    }
    names.extend(plain.iter().map(|v| format!("python{v}")));
    names
}

/// Every `python3.N` (and `IMPL.N`) in `dir` with N >= 6, for requests
/// without a minor version (uv's `find_all_minor`), newest N first.
fn all_minors(dir: &Path, req: &PythonRequest) -> Vec<PathBuf> {
    if req.version.is_some_and(|v| v.minor.is_some()) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let rest = name
            .strip_prefix("python3.")
            .or_else(|| req.implementation.and_then(|i| name.strip_prefix(i)?.strip_prefix('.')));
        let Some(rest) = rest else { continue };
        let digits = rest.strip_suffix('t').unwrap_or(rest);
        if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let minor: u32 = digits.parse().unwrap_or(0);
        if minor < 6 || req.version.is_some_and(|v| v.major != 3) {
            continue;
        }
        let p = entry.path();
        if is_executable(&p) {
            out.push((minor, digits.len() < rest.len(), p));
        }
    }
    // Newest minor first, as uv's `find_all_minor`; a free-threaded `3.13t`
    // after the plain `3.13`.
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    out.into_iter().map(|(_, _, p)| p).collect()
}

/// pyenv's builds matching `req` by their folder name, newest first.
fn pyenv_candidates(versions: &Path, req: &PythonRequest) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(versions) else { return Vec::new() };
    let mut found: Vec<((u32, u32, u32), PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // `3.12.1` is CPython; `pypy3.10-7.3.15` PyPy.
        let (implementation, rest) = match name.strip_prefix("pypy") {
            Some(rest) => ("pypy", rest),
            None => ("cpython", name),
        };
        if req.implementation.is_some_and(|i| i != implementation) {
            continue;
        }
        let version = if implementation == "pypy" {
            // pypyX.Y-...: the patch is unknown until queried.
            let xy = rest.split('-').next().unwrap_or("");
            let mut it = xy.split('.').map(|p| p.parse::<u32>().ok());
            match (it.next().flatten(), it.next().flatten(), it.next()) {
                (Some(a), Some(b), None) => (a, b, u32::MAX),
                _ => continue,
            }
        } else {
            match leading_version(rest) {
                Some((v, "")) => v,
                _ => continue,
            }
        };
        let matches = |v: &VersionRequest| {
            if version.2 == u32::MAX {
                // PyPy's folder names no patch: the query decides.
                u32::from(v.major) == version.0 && v.minor.is_none_or(|m| u32::from(m) == version.1)
            } else {
                v.matches(version.0, version.1, version.2)
            }
        };
        if !req.version.as_ref().is_none_or(matches) {
            continue;
        }
        found.push((version, entry.path().join("bin").join(versioned_exe(implementation, version.0, version.1))));
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// What a queried candidate means for `req`.
enum Verdict {
    Use,
    /// A pre-release from the managed folder: used only if nothing else matches.
    Fallback,
    Reject,
}

fn judge(req: &PythonRequest, f: &Facts, source: Source, candidate: &Path) -> Verdict {
    let patch = f.version.rsplit('.').next().and_then(|p| p.parse().ok()).unwrap_or(u32::MAX);
    if f.gil_disabled || !req.version.is_none_or(|v| v.matches(f.major, f.minor, patch)) {
        return Verdict::Reject;
    }
    if req.version.is_some_and(|v| v.patch.is_some()) && !f.prerelease.is_empty() {
        return Verdict::Reject;
    }
    let implementation = if f.implementation.is_empty() { "cpython" } else { f.implementation.as_str() };
    match req.implementation {
        Some(i) if i != implementation => return Verdict::Reject,
        Some(_) => {}
        None if implementation != "cpython" => {
            // uv takes another implementation only from PATH under a plain name.
            let name = candidate.file_name().and_then(OsStr::to_str).unwrap_or("");
            let plain = name == "python"
                || name.strip_prefix("python3").is_some_and(|r| r.is_empty() || r.strip_prefix('.').is_some_and(|m| m.bytes().all(|b| b.is_ascii_digit())));
            if source != Source::SearchPath || !plain {
                return Verdict::Reject;
            }
        }
        None => {}
    }
    if !f.prerelease.is_empty() && source == Source::Managed {
        return Verdict::Fallback;
    }
    Verdict::Use
}

/// Queries candidates; remembers failures for the message.
struct Search<'a> {
    req: &'a PythonRequest,
    tried: HashSet<PathBuf>,
    errors: Vec<String>,
    fallback: Option<PathBuf>,
}

impl Search<'_> {
    /// The facts of `candidate` if it is a usable match.
    fn query(&mut self, candidate: &Path, source: Source) -> Option<Facts> {
        if !self.tried.insert(candidate.to_path_buf()) || !is_executable(candidate) {
            return None;
        }
        let f = match facts::facts_for(candidate.as_os_str(), FactsSource::Cached) {
            Ok(f) => f,
            Err(e) => {
                self.errors.push(format!("{}: {}", candidate.display(), e));
                return None;
            }
        };
        match judge(self.req, &f, source, candidate) {
            Verdict::Use => Some(f),
            Verdict::Fallback => {
                if self.fallback.is_none() {
                    self.fallback = Some(executable_of(&f, candidate));
                }
                None
            }
            Verdict::Reject => None,
        }
    }
}

fn find_request(req: &PythonRequest) -> Result<PathBuf> {
    if let Some(v) = &req.version {
        v.check_supported()?;
    }
    let mut s = Search { req, tried: HashSet::new(), errors: Vec::new(), fallback: None };
    let managed = managed_root();
    if let Some(root) = &managed {
        for exe in managed_candidates(root, req) {
            if let Some(f) = s.query(&exe, Source::Managed) {
                return Ok(executable_of(&f, &exe));
            }
        }
    }
    let names = path_names(req);
    for dir in search_path_dirs() {
        for name in &names {
            let exe = dir.join(name);
            if let Some(f) = s.query(&exe, Source::SearchPath) {
                return Ok(executable_of(&f, &exe));
            }
        }
        // Equally ranked: the newest interpreter among them; of equally new
        // ones, the one whose name spells the newest minor.
        let mut newest: Option<((u32, u32, u32), Facts, PathBuf)> = None;
        for exe in all_minors(&dir, req) {
            if let Some(f) = s.query(&exe, Source::SearchPath) {
                let patch: u32 = f.version.rsplit('.').next().and_then(|p| p.parse().ok()).unwrap_or(0);
                let key = (f.major, f.minor, patch);
                if newest.as_ref().is_none_or(|(k, _, _)| key > *k) {
                    newest = Some((key, f, exe));
                }
            }
        }
        if let Some((_, f, exe)) = newest {
            return Ok(executable_of(&f, &exe));
        }
    }
    if let Some(p) = s.fallback.take() {
        return Ok(p);
    }
    let pyenv = pyenv_versions();
    if let Some(versions) = &pyenv {
        for exe in pyenv_candidates(versions, req) {
            if let Some(f) = s.query(&exe, Source::Pyenv) {
                return Ok(executable_of(&f, &exe));
            }
        }
    }
    let shown = |p: &Option<PathBuf>| p.as_ref().map_or_else(|| "(no HOME)".to_string(), |p| p.display().to_string());
    Err(Error::not_found(format!(
        "no interpreter found for {req} in uv's managed installations ({}), the directories on PATH ({}) or pyenv's versions ({}){}",
        shown(&managed),
        std::env::var_os("PATH").map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
        shown(&pyenv),
        skipped_note(&s.errors)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u8, minor: Option<u8>, patch: Option<u8>) -> Option<VersionRequest> {
        Some(VersionRequest { major, minor, patch })
    }

    #[test]
    fn requests_parse_as_uv_reads_them() {
        let cases: [(&str, Option<&str>, Option<VersionRequest>); 18] = [
            (" 3.11 ", None, v(3, Some(11), None)),
            ("v3.011", None, v(3, Some(11), None)),
            ("3", None, v(3, None, None)),
            ("3.12", None, v(3, Some(12), None)),
            ("3.12.1", None, v(3, Some(12), Some(1))),
            ("312", None, v(3, Some(12), None)),
            ("python3", None, v(3, None, None)),
            ("python3.12", None, v(3, Some(12), None)),
            ("Python@3.12", None, v(3, Some(12), None)),
            ("cpython3.12", Some("cpython"), v(3, Some(12), None)),
            ("cpython@3.12", Some("cpython"), v(3, Some(12), None)),
            ("cpython-3.12", Some("cpython"), v(3, Some(12), None)),
            ("cp312", Some("cpython"), v(3, Some(12), None)),
            ("pypy3", Some("pypy"), v(3, None, None)),
            ("pypy3.10", Some("pypy"), v(3, Some(10), None)),
            ("pp310", Some("pypy"), v(3, Some(10), None)),
            ("pypy", Some("pypy"), None),
            ("2.7", None, v(2, Some(7), None)),
        ];
        for (text, implementation, version) in cases {
            assert_eq!(parse_request(text), Some(PythonRequest { implementation, version }), "{text}");
        }
        for text in ["", "python", "3.12.1.1", "3.256", "3..12", "3.12rc1", "3.13t", "../3.12", "python3x", "x3.12", "@3.12", "cpython-", "3.12-"] {
            assert_eq!(parse_request(text), None, "{text:?}");
        }
        assert!(VersionRequest::parse("2.7").is_some_and(|v| v.check_supported().is_err()));
        assert!(VersionRequest::parse("3.5").is_some_and(|v| v.check_supported().is_err()));
        assert!(VersionRequest::parse("3.6").is_some_and(|v| v.check_supported().is_ok()));
    }

    #[test]
    fn path_names_most_specific_first() {
        let r = parse_request("3.12.1").expect("request");
        assert_eq!(path_names(&r), ["python3.12.1", "python3.12", "python3", "python"]);
        let r = parse_request("pypy3").expect("request");
        assert_eq!(path_names(&r), ["pypy3", "pypy", "python3", "python"]);
    }

    #[test]
    fn all_minors_newest_name_first() {
        let dir = std::env::temp_dir().join(format!("pepkit-discover-{}", super::super::paths::unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["python3.8", "python3.10", "python3.13t", "python3.13", "python3.9", "python3.5", "python3.x"] {
            let p = dir.join(name);
            std::fs::write(&p, b"#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(dir.join("python3.11"), b"not executable").unwrap();
        let req = parse_request("3").unwrap();
        let names: Vec<String> =
            all_minors(&dir, &req).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["python3.13", "python3.13t", "python3.10", "python3.9", "python3.8"]);
        assert!(all_minors(&dir, &parse_request("3.12").unwrap()).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
