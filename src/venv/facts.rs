//! What pepkit needs to know about a base interpreter, learned by one run of
//! it (`-I -S`) and cached on disk.
//!
//! The cache lives in `$XDG_CACHE_HOME/pepkit/interpreters/` (or
//! `~/.cache/pepkit/...`), one file per interpreter path. An entry is used only
//! while the interpreter's path, realpath, size and modification time (and its
//! `venv/__init__.py`'s size and modification time) are what they were when it
//! was written, and only if it passes the cache directory's checks (see
//! [`super::cache`]) and [`Facts::validate`], which every set of facts passes
//! before use wherever it came from (the interpreter, the cache, a caller).
//! `PEPKIT_NO_CACHE=1` (or [`FactsSource::NoCache`]) disables it.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

use super::paths::{abspath, which};
use super::plan::{Given, Request};

/// The query run inside the interpreter. It prints `key<TAB>hex(value)` lines
/// (values are the file system encoding's bytes, so any path survives).
/// It must run on every CPython 3.6+.
const QUERY: &str = r#"
import os, sys
def out(k, v):
    if isinstance(v, str):
        v = os.fsencode(v)
    sys.stdout.write(k + "\t" + v.hex() + "\n")
out("version", "%d.%d.%d" % sys.version_info[:3])
out("implementation", sys.implementation.name)
out("prerelease", {"alpha": "a", "beta": "b", "candidate": "rc"}.get(sys.version_info[3], "") + (str(sys.version_info[4]) if sys.version_info[3] != "final" else ""))
out("executable", sys.executable or "")
out("base_executable", getattr(sys, "_base_executable", None) or sys.executable or "")
out("realpath", os.path.realpath(sys.executable) if sys.executable else "")
out("maxsize64", "1" if sys.maxsize > 2**32 else "0")
import sysconfig
if sys.version_info >= (3, 11):
    b = "/@pepkit@"
    vs = {"base": b, "platbase": b, "installed_base": b, "installed_platbase": b}
    for n in ("scripts", "include", "purelib"):
        p = sysconfig.get_path(n, scheme="venv", vars=vs)
        out("venv_" + n, os.path.relpath(p, b))
else:
    out("venv_scripts", "bin")
    out("venv_include", "include")
    out("venv_purelib", "lib/python%d.%d/site-packages" % sys.version_info[:2])
out("stdlib", sysconfig.get_path("stdlib") or "")
out("include", sysconfig.get_path("include") or "")
out("base_purelib", sysconfig.get_path("purelib") or "")
out("gil_disabled", "1" if sysconfig.get_config_var("Py_GIL_DISABLED") else "0")
out("abiflags", getattr(sys, "abiflags", ""))
import importlib.machinery, importlib.util
out("ext_suffixes", " ".join(importlib.machinery.EXTENSION_SUFFIXES))
s = importlib.util.find_spec("venv")
out("venv_dir", os.path.dirname(s.origin) if s and s.origin else "")
# The wheels ensurepip would install, read from its source and directories
# (importing it costs more than everything else here together).
w = []
try:
    import re
    es = importlib.util.find_spec("ensurepip")
    src = open(es.origin, encoding="utf-8").read()
    bd = os.path.join(os.path.dirname(es.origin), "_bundled")
    m = re.search(r"^_PACKAGE_NAMES\s*=\s*\((.*?)\)", src, re.M)
    if m:
        names = re.findall(r"['\"]([\w.-]+)['\"]", m.group(1))
    else:
        names = [n for n in ("setuptools", "pip") if re.search(r"^_%s_VERSION\s*=" % n.upper(), src, re.M)] or ["pip"]
    def found(d):
        got = {}
        try:
            files = sorted(os.listdir(d))
        except OSError:
            files = []
        for f in files:
            for n in names:
                if f.endswith(".whl") and f.startswith(n + "-"):
                    got[n] = os.path.join(d, f)
        return got
    chosen = {}
    pkg_dir = sysconfig.get_config_var("WHEEL_PKG_DIR") if "WHEEL_PKG_DIR" in src else None
    if pkg_dir:
        got = found(pkg_dir)
        if sys.version_info >= (3, 13):
            chosen = got
        elif all(n in got for n in names):
            chosen = got
    if not all(n in chosen for n in names):
        got = found(bd)
        for n in names:
            v = re.search(r"^_%s_VERSION\s*=\s*['\"]([^'\"]+)['\"]" % n.upper(), src, re.M)
            pinned = [os.path.join(bd, f) for f in sorted(os.listdir(bd)) if v and f.startswith("%s-%s-" % (n, v.group(1)))] if os.path.isdir(bd) else []
            if pinned:
                chosen[n] = pinned[-1]
            elif n in got and n not in chosen:
                chosen[n] = got[n]
    w = [chosen[n] for n in names if n in chosen]
except Exception:
    pass
out("wheels", "\n".join(w))
"#;

/// The format of a cache file; bump it when the query changes.
const CACHE_FORMAT: &str = "pepkit-interpreter-facts 4";

/// Facts about one base interpreter. Paths are kept as bytes-exact `OsString`s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// `X.Y.Z`.
    pub version: String,
    /// `sys.implementation.name` (`cpython`, `pypy`, ...; empty in facts
    /// supplied without it).
    pub implementation: String,
    /// The pre-release part of the version (`a1`, `b2`, `rc1`), empty for a
    /// final release.
    pub prerelease: String,
    /// X (always 3).
    pub major: u32,
    /// Y.
    pub minor: u32,
    /// `sys.executable`.
    pub executable: OsString,
    /// `sys._base_executable` (or `sys.executable` before 3.7).
    pub base_executable: OsString,
    /// `os.path.realpath(sys.executable)`.
    pub realpath: OsString,
    /// `sys.maxsize > 2**32`.
    pub is_64bit: bool,
    /// The venv scheme's `scripts` path, relative to the env (`bin`).
    pub venv_scripts: OsString,
    /// The venv scheme's `include` path, relative to the env.
    pub venv_include: OsString,
    /// The venv scheme's `purelib` path (site-packages), relative to the env.
    pub venv_purelib: OsString,
    /// The base's stdlib directory.
    pub stdlib: OsString,
    /// The base's include directory.
    pub include: OsString,
    /// The base's purelib (its own site-packages).
    pub base_purelib: OsString,
    /// A free-threading build (`Py_GIL_DISABLED`).
    pub gil_disabled: bool,
    /// `sys.abiflags`.
    pub abiflags: String,
    /// `importlib.machinery.EXTENSION_SUFFIXES`.
    pub ext_suffixes: Vec<String>,
    /// The directory of the `venv` package (its `scripts/` holds the templates).
    pub venv_dir: OsString,
    /// The wheels `ensurepip` would install (bundled or the distro's).
    pub wheels: Vec<OsString>,
}

/// Where facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsSource {
    /// Use the disk cache (unless `PEPKIT_NO_CACHE` is set), query on a miss.
    Cached,
    /// Always run the interpreter; neither read nor write the cache.
    NoCache,
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub(crate) fn hex_encode(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for byte in b {
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

impl Facts {
    /// Parses the `key<TAB>hex` lines the query prints (and the cache stores).
    pub fn parse(text: &str) -> Result<Facts> {
        let mut f = Facts::default();
        for line in text.lines() {
            let Some((key, hex)) = line.split_once('\t') else { continue };
            let bytes = hex_decode(hex.trim())
                .ok_or_else(|| Error::value(format!("interpreter facts: bad value for {key:?}")))?;
            let os = OsString::from_vec(bytes.clone());
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match key {
                "version" => f.version = text,
                "implementation" => f.implementation = text,
                "prerelease" => f.prerelease = text,
                "executable" => f.executable = os,
                "base_executable" => f.base_executable = os,
                "realpath" => f.realpath = os,
                "maxsize64" => f.is_64bit = text == "1",
                "venv_scripts" => f.venv_scripts = os,
                "venv_include" => f.venv_include = os,
                "venv_purelib" => f.venv_purelib = os,
                "stdlib" => f.stdlib = os,
                "include" => f.include = os,
                "base_purelib" => f.base_purelib = os,
                "gil_disabled" => f.gil_disabled = text == "1",
                "abiflags" => f.abiflags = text,
                "ext_suffixes" => {
                    f.ext_suffixes = text.split(' ').filter(|s| !s.is_empty()).map(String::from).collect()
                }
                "venv_dir" => f.venv_dir = os,
                "wheels" => {
                    f.wheels = bytes
                        .split(|&b| b == b'\n')
                        .filter(|s| !s.is_empty())
                        .map(|s| OsString::from_vec(s.to_vec()))
                        .collect()
                }
                _ => {}
            }
        }
        let mut parts = f.version.split('.');
        let major = parts.next().and_then(|s| s.parse().ok());
        let minor = parts.next().and_then(|s| s.parse().ok());
        match (major, minor) {
            (Some(3), Some(minor)) if minor >= 6 => {
                f.major = 3;
                f.minor = minor;
            }
            _ => {
                return Err(Error::value(format!(
                    "unsupported interpreter version {:?} (pepkit needs CPython 3.6 or later)",
                    f.version
                )))
            }
        }
        if f.base_executable.is_empty() {
            return Err(Error::value(
                "Unable to determine path to the running Python interpreter. Provide an explicit path or \
                 check that your PATH environment variable is correctly set.",
            ));
        }
        f.validate()?;
        Ok(f)
    }

    /// Checks every fact before anything uses one, wherever the facts came
    /// from (the interpreter's output, the cache, a caller): the venv layout
    /// paths are relative, normalised and inside the env (no `..`, no
    /// absolute path, no NUL, no `.` or empty component); the base's paths
    /// are absolute and NUL-free; the version and names are sane.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, v: &[u8], why: &str| {
            Error::value(format!("interpreter facts: {key} {:?} {why}", String::from_utf8_lossy(v)))
        };
        let parts: Vec<&str> = self.version.split('.').collect();
        if parts.len() != 3
            || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
            || parts[0] != "3"
            || parts[1].parse::<u32>().ok() != Some(self.minor)
            || self.major != 3
            || !(6..1000).contains(&self.minor)
        {
            return Err(bad("version", self.version.as_bytes(), "is not a CPython 3.6+ version X.Y.Z"));
        }
        for (key, v) in [
            ("venv_scripts", &self.venv_scripts),
            ("venv_include", &self.venv_include),
            ("venv_purelib", &self.venv_purelib),
        ] {
            let b = v.as_bytes();
            if b.is_empty() || b.len() > 1024 || b.contains(&0) || b[0] == b'/' {
                return Err(bad(key, b, "must be a non-empty relative path inside the env"));
            }
            if b.split(|&c| c == b'/').any(|c| c.is_empty() || c == b"." || c == b"..") {
                return Err(bad(key, b, "must be a normalised path inside the env (no '..', '.' or empty part)"));
            }
        }
        let absolute = |key: &str, v: &OsString, may_be_empty: bool| -> Result<()> {
            let b = v.as_bytes();
            if b.is_empty() && may_be_empty {
                return Ok(());
            }
            if b.first() != Some(&b'/') || b.contains(&0) || b.len() > 4096 {
                return Err(bad(key, b, "must be an absolute path without NUL"));
            }
            Ok(())
        };
        // Only its abspath'd basename names a file in the env, and abspath
        // removes any `..`, so an interpreter reached through one still works.
        absolute("base_executable", &self.base_executable, false)?;
        absolute("executable", &self.executable, true)?;
        absolute("realpath", &self.realpath, true)?;
        absolute("stdlib", &self.stdlib, true)?;
        absolute("include", &self.include, true)?;
        absolute("base_purelib", &self.base_purelib, true)?;
        absolute("venv_dir", &self.venv_dir, true)?;
        for w in &self.wheels {
            absolute("wheels", w, false)?;
            let name = Path::new(w).file_name().map(|n| n.as_bytes()).unwrap_or(b"");
            if !name.ends_with(b".whl") {
                return Err(bad("wheels", w.as_bytes(), "is not a wheel file"));
            }
        }
        if self.implementation.len() > 32 || !self.implementation.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(bad("implementation", self.implementation.as_bytes(), "must be a lowercase name"));
        }
        let pre_number = self.prerelease.trim_start_matches(['a', 'b', 'r', 'c']);
        let pre_kind = &self.prerelease[..self.prerelease.len() - pre_number.len()];
        if !self.prerelease.is_empty()
            && (!matches!(pre_kind, "a" | "b" | "rc")
                || pre_number.is_empty()
                || pre_number.len() > 4
                || !pre_number.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad("prerelease", self.prerelease.as_bytes(), "must be a1, b2, rc3 or empty"));
        }
        if self.abiflags.len() > 8 || !self.abiflags.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(bad("abiflags", self.abiflags.as_bytes(), "must be a few lowercase letters"));
        }
        for suffix in &self.ext_suffixes {
            if !suffix.starts_with('.') || suffix.contains(['/', '\0']) || suffix.len() > 255 {
                return Err(bad("ext_suffixes", suffix.as_bytes(), "must be a file name suffix"));
            }
        }
        Ok(())
    }

    /// The lines [`Facts::parse`] reads.
    pub fn serialize(&self) -> String {
        let mut s = String::new();
        let mut put = |k: &str, v: &[u8]| {
            s.push_str(k);
            s.push('\t');
            s.push_str(&hex_encode(v));
            s.push('\n');
        };
        put("version", self.version.as_bytes());
        put("implementation", self.implementation.as_bytes());
        put("prerelease", self.prerelease.as_bytes());
        put("executable", self.executable.as_bytes());
        put("base_executable", self.base_executable.as_bytes());
        put("realpath", self.realpath.as_bytes());
        put("maxsize64", if self.is_64bit { b"1" } else { b"0" });
        put("venv_scripts", self.venv_scripts.as_bytes());
        put("venv_include", self.venv_include.as_bytes());
        put("venv_purelib", self.venv_purelib.as_bytes());
        put("stdlib", self.stdlib.as_bytes());
        put("include", self.include.as_bytes());
        put("base_purelib", self.base_purelib.as_bytes());
        put("gil_disabled", if self.gil_disabled { b"1" } else { b"0" });
        put("abiflags", self.abiflags.as_bytes());
        put("ext_suffixes", self.ext_suffixes.join(" ").as_bytes());
        put("venv_dir", self.venv_dir.as_bytes());
        let wheels: Vec<&[u8]> = self.wheels.iter().map(|w| w.as_bytes()).collect();
        put("wheels", &wheels.join(&b'\n'));
        s
    }

    /// Reads facts from a file in the cache's format (a way for a caller to
    /// supply them without running the interpreter).
    pub fn from_file(path: &Path) -> Result<Facts> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(&e, format!("reading {}", path.display())))?;
        Facts::parse(&text)
    }

    /// `dirname(abspath(base_executable))`: pyvenv.cfg's `home`.
    pub fn home(&self) -> PathBuf {
        let abs = abspath(Path::new(&self.base_executable));
        abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"))
    }

    /// `basename(abspath(base_executable))`: the name of the env's interpreter.
    pub fn exe_name(&self) -> OsString {
        let abs = abspath(Path::new(&self.base_executable));
        abs.file_name().map(OsStr::to_os_string).unwrap_or_else(|| OsString::from("python3"))
    }

    /// True when this interpreter's `venv` quotes template values with
    /// `shlex.quote` (the CVE-2024-9287 fix).
    pub fn quotes_templates(&self) -> bool {
        let init = Path::new(&self.venv_dir).join("__init__.py");
        std::fs::read(init).map(|src| contains(&src, b"shlex.quote")).unwrap_or(false)
    }

    /// At least `3.minor`.
    pub fn at_least(&self, minor: u32) -> bool {
        self.minor >= minor
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The file an interpreter name refers to: a name without a slash is looked up
/// on PATH (as the interpreter's own startup does), anything else is made
/// absolute against the current directory without resolving links.
pub fn resolve_interpreter(python: &OsStr) -> Result<PathBuf> {
    if python.is_empty() {
        return Err(Error::value("the interpreter path must not be empty"));
    }
    if python.as_bytes().contains(&b'/') {
        let p = abspath(Path::new(python));
        match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => Ok(p),
            Ok(_) => Err(Error::value(format!("interpreter {} is not a file", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::not_found(format!("Python interpreter not found: {}", p.display())))
            }
            Err(e) => Err(Error::io(&e, format!("interpreter {}", p.display()))),
        }
    } else {
        which(python).ok_or_else(|| {
            Error::not_found(format!("Python interpreter not found: {} is not on PATH", python.to_string_lossy()))
        })
    }
}

/// The cache directory: `$XDG_CACHE_HOME/pepkit` or `~/.cache/pepkit`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME") {
        if Path::new(&x).is_absolute() {
            return Some(Path::new(&x).join("pepkit"));
        }
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| Path::new(&h).join(".cache").join("pepkit"))
}

/// True when `PEPKIT_NO_CACHE` is set to something other than empty or 0.
pub fn cache_disabled_by_env() -> bool {
    matches!(std::env::var_os("PEPKIT_NO_CACHE"), Some(v) if !v.is_empty() && v != "0")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The line that says which interpreter file (and which `venv` package) a
/// cache entry was learned from.
fn cache_key(exe: &Path, venv_dir: Option<&OsStr>) -> Option<String> {
    let meta = std::fs::metadata(exe).ok()?;
    let real = std::fs::canonicalize(exe).ok()?;
    let mut key = format!(
        "path {}\nrealpath {}\nsize {}\nmtime {}.{}\n",
        hex_encode(exe.as_os_str().as_bytes()),
        hex_encode(real.as_os_str().as_bytes()),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    if let Some(dir) = venv_dir {
        let init = Path::new(dir).join("__init__.py");
        match std::fs::metadata(init) {
            Ok(m) => key.push_str(&format!("venv {} {}.{}\n", m.len(), m.mtime(), m.mtime_nsec())),
            Err(_) => key.push_str("venv none\n"),
        }
    }
    Some(key)
}

fn cache_file_name(exe: &Path) -> String {
    format!("{:016x}.facts", fnv1a(exe.as_os_str().as_bytes()))
}

/// The largest facts-cache entry read (a real one is about 2 KB).
const MAX_CACHE_ENTRY: u64 = 1 << 20;

fn read_cache(exe: &Path) -> Option<Facts> {
    // The entry passes the cache's checks (a regular file of ours, not
    // writable by others) and then the same parse and validation as the
    // interpreter's own output; anything less and it is relearned.
    let bytes = super::cache::open("interpreters")?.read_file(&cache_file_name(exe), MAX_CACHE_ENTRY)?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(CACHE_FORMAT)?.strip_prefix('\n')?;
    let (key, body) = rest.split_once("--\n")?;
    let facts = Facts::parse(body).ok()?;
    if cache_key(exe, Some(&facts.venv_dir))? != key {
        return None;
    }
    // A distro may replace its wheel files without touching the interpreter.
    if facts.wheels.iter().any(|w| !Path::new(w).is_file()) {
        return None;
    }
    Some(facts)
}

fn write_cache(exe: &Path, facts: &Facts) {
    let Some(key) = cache_key(exe, Some(&facts.venv_dir)) else { return };
    let Some(dir) = super::cache::open("interpreters") else { return };
    let body = format!("{CACHE_FORMAT}\n{key}--\n{}", facts.serialize());
    dir.write_file(&cache_file_name(exe), body.as_bytes());
}

/// Runs the interpreter once with `-I -S` and parses what it reports.
pub fn query(exe: &Path) -> Result<Facts> {
    let output = Command::new(exe)
        .args(["-I", "-S", "-c", QUERY])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::not_found(format!("Python interpreter not found: {}", exe.display()))
            }
            _ => Error::io(&e, format!("running {}", exe.display())),
        })?;
    if !output.status.success() {
        return Err(Error::subprocess(format!(
            "{} -I -S failed ({}): {}",
            exe.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| Error::subprocess(format!("{} printed non-UTF-8 facts", exe.display())))?;
    Facts::parse(&text)
}

/// The facts for `python` (as the user would invoke it), from the cache when
/// it is still valid, else by one run of the interpreter (then cached, unless
/// it is a `#!` script: [`is_script`]).
pub fn facts_for(python: &OsStr, source: FactsSource) -> Result<Facts> {
    let exe = resolve_interpreter(python)?;
    let use_cache = source == FactsSource::Cached && !cache_disabled_by_env() && !is_script(&exe);
    if use_cache {
        if let Some(f) = read_cache(&exe) {
            return Ok(f);
        }
    }
    let facts = query(&exe)?;
    if use_cache {
        write_cache(&exe, &facts);
    }
    Ok(facts)
}

/// Whether `exe` (links followed) is a `#!` script rather than a binary: a
/// pyenv shim or a wrapper, which can run another interpreter each time
/// (after `pyenv global 3.12`, say) without changing itself, so what it ran
/// once says nothing about the next run and is not cached.
fn is_script(exe: &Path) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(exe).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && &head == b"#!"
}

/// Gathers what planning `request` needs besides the facts ([`Given`]): the
/// name of the current directory (`cwd`, as read beforehand) for a prompt of
/// `"."`, and the interpreter's own `repr` of a prompt only it can render
/// for certain (one short run). Nothing is gathered for a path the plan
/// refuses anyway (not UTF-8).
pub(crate) fn gather(request: &Request, facts: &Facts, cwd: &std::io::Result<PathBuf>) -> Result<Given> {
    let mut given = Given::default();
    if request.env_dir().to_str().is_none() {
        return Ok(given);
    }
    let mut prompt = request.options().prompt.clone();
    if request.wants_cwd_name(facts) {
        let cwd = cwd.as_ref().map_err(|e| Error::io(e, "getting the current directory"))?;
        let name = cwd.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        given.cwd_name = Some(name.clone());
        prompt = Some(name);
    }
    if let Some(p) = prompt.filter(|p| Given::prompt_needs_interpreter(p, facts)) {
        given.prompt_repr = interpreter_repr(request.options().python.as_deref(), facts, &p);
    }
    Ok(given)
}

/// `repr(s)` as the interpreter writes it (its own Unicode tables decide
/// what is printable), by one short run; None if it cannot be run. `python`
/// is the interpreter as the user named it (a bare name: the facts' executable).
fn interpreter_repr(python: Option<&OsStr>, facts: &Facts, s: &str) -> Option<String> {
    let exe = match python {
        Some(p) if p.as_bytes().contains(&b'/') => PathBuf::from(p),
        _ => PathBuf::from(&facts.executable),
    };
    let out = Command::new(exe)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; sys.stdout.buffer.write(repr(bytes.fromhex(sys.argv[1]).decode('utf-8')).encode('utf-8'))",
            &hex_encode(s.as_bytes()),
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}
