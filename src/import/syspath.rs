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
//! or `sitecustomize` does when run, beyond installing the editable finders
//! [`super::editable`] reads (setuptools' and the `editables` redirector);
//! nor that a failing `import` line ends its `.pth` file (`site` stops
//! reading it), which matters only for path lines after it.

use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use super::editable::{
    bootstrap_module, finder_module, parse_bootstrap, parse_editable_finder, MetaFinder, Redirector, MAX_FINDER_MODULE,
};
use super::pth::{parse_pth, PthLine, PthRules};
use super::{
    extension_suffixes_for, find_spec_with_editables, iter_modules, quote, walk_packages, ModuleInfo,
    ModuleSpec, Suffixes,
};
use crate::venv::paths::normpath;
use crate::venv::Venv;

/// An `import` line of a `.pth` file, which the interpreter would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PthImport {
    /// The `.pth` file.
    pub file: PathBuf,
    /// The line, without its line break.
    pub line: Vec<u8>,
}

/// The import path of an env ([`Venv::sys_path`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SysPath {
    /// The entries, in order: the interpreter's `sys.path[1:]`.
    pub entries: Vec<PathBuf>,
    /// `import` lines found in the `.pth` files processed, in order.
    pub pth_imports: Vec<PthImport>,
    /// The editable finders those lines install (setuptools' and the
    /// `editables` redirector), in meta path order.
    pub(crate) editables: Vec<MetaFinder>,
}

/// What the computation needs to know about the env.
#[derive(Debug, Clone)]
struct EnvFacts<'a> {
    /// The env directory, absolute (as `site` takes it from `sys.executable`:
    /// links not resolved).
    env_dir: &'a Path,
    /// `home` from pyvenv.cfg: the base interpreter's directory.
    home: &'a Path,
    /// The env's CPython version.
    major: u32,
    minor: u32,
    /// `include-system-site-packages`.
    system_site_packages: bool,
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
    editables: Vec<MetaFinder>,
    /// `editables` bootstrap modules imported (once: `sys.modules`).
    bootstraps: HashSet<Vec<u8>>,
    suffixes: Suffixes,
    minor: u32,
    rules: PthRules,
}

/// The regular file `path`, when it holds at most `limit` bytes (opened
/// without blocking, so a FIFO is refused rather than waited on).
fn read_small(path: &[u8], limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(std::ffi::OsStr::from_bytes(path))
        .ok()?;
    let m = f.metadata().ok()?;
    if !m.is_file() || m.len() > limit {
        return None;
    }
    let mut out = Vec::new();
    out.try_reserve(usize::try_from(m.len()).ok()?).ok()?;
    f.take(limit + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= limit).then_some(out)
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
                        if !self.editables.iter().filter_map(MetaFinder::setuptools).any(|f| f.module == module) {
                            let source = join(sitedir, &[module, b".py"].concat());
                            if let Some(text) = read_small(&source, MAX_FINDER_MODULE) {
                                if let Ok(finder) = parse_editable_finder(module, &text) {
                                    // install(): with namespaces, the placeholder
                                    // goes on sys.path (once).
                                    if !finder.namespaces.is_empty() && !finder.placeholder.is_empty()
                                        && !self.entries.contains(&finder.placeholder)
                                    {
                                        self.entries.push(finder.placeholder.clone());
                                    }
                                    self.editables.push(MetaFinder::Setuptools(finder));
                                }
                            }
                        }
                    } else if let Some(module) = bootstrap_module(line) {
                        self.run_bootstrap(module);
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

impl Builder {
    /// `import _editable_impl_<name>` (an `editables` bootstrap module), read
    /// and never run: the module as the import system finds it on the path
    /// so far (after any finder already installed), a source file of exactly
    /// the text `editables` writes ([`parse_bootstrap`]; else ignored), and
    /// `editables.redirector` importable; then the one RedirectingFinder is
    /// appended to the meta path (unless there already) and the module's
    /// redirections are set. A failed import leaves nothing (the next run of
    /// the line tries again); a module imported once is not run again.
    fn run_bootstrap(&mut self, module: &[u8]) {
        if self.bootstraps.contains(module) {
            return;
        }
        let entries: Vec<&Path> = self.entries.iter().map(|e| Path::new(std::ffi::OsStr::from_bytes(e))).collect();
        let Ok(spec) = find_spec_with_editables(module, &entries, &self.suffixes, &self.editables) else { return };
        if spec.kind != super::ModuleKind::Source {
            return;
        }
        let Some(origin) = spec.origin else { return };
        let Some(text) = read_small(origin.as_os_str().as_bytes(), MAX_FINDER_MODULE) else { return };
        let Ok(calls) = parse_bootstrap(&text) else { return };
        if find_spec_with_editables(b"editables.redirector", &entries, &self.suffixes, &self.editables).is_err() {
            return; // ImportError: nothing installed, the line fails.
        }
        self.bootstraps.insert(module.to_vec());
        let at = match self.editables.iter().position(|f| matches!(f, MetaFinder::Redirector(_))) {
            Some(at) => at,
            None => {
                self.editables.push(MetaFinder::Redirector(Redirector::default()));
                self.editables.len() - 1
            }
        };
        if let Some(MetaFinder::Redirector(r)) = self.editables.get_mut(at) {
            for (name, path) in calls {
                if r.redirections.try_reserve(1).is_err() {
                    return;
                }
                r.redirections.insert(name, path);
            }
        }
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
fn venv_sys_path(facts: &EnvFacts) -> Result<SysPath> {
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

    let mut b = Builder {
        entries: Vec::new(),
        known: HashSet::new(),
        imports: Vec::new(),
        editables: Vec::new(),
        bootstraps: HashSet::new(),
        suffixes: Suffixes::with_extensions(extension_suffixes_for(facts.minor)),
        minor: facts.minor,
        rules: PthRules::for_python(facts.minor),
    };
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
fn env_facts(venv: &Venv) -> Result<(PathBuf, u32, u32, bool)> {
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

/// Import in an env, without running its interpreter.
impl Venv {
    /// The import path the env's interpreter starts with: its `sys.path`
    /// without the script directory, computed from pyvenv.cfg and the files on
    /// disk as this module's documentation describes (getpath, `site`, `.pth`
    /// files as the env's CPython version reads them), with the `.pth` import
    /// lines it would run. The C API's `pepkit_venv_sys_path` and
    /// `pepkit_venv_pth_imports` document every rule.
    ///
    /// Errors: NotFound when pyvenv.cfg has no `home` or no version can be
    /// found; Value when a `.pth` file does not decode as the interpreter reads
    /// it (it would fail to start); Os when a directory cannot be read.
    pub fn sys_path(&self) -> Result<SysPath> {
        Ok(self.import_context()?.0)
    }

    /// The suffixes the env's interpreter imports: the extension suffixes of a
    /// default CPython build of its version on this platform, `.py`, `.pyc`.
    pub fn import_suffixes(&self) -> Result<Suffixes> {
        let (_, _, minor, _) = env_facts(self)?;
        Ok(Suffixes::with_extensions(extension_suffixes_for(minor)))
    }

    /// Where `import fullname` in this env would come from: [`find_spec`](super::find_spec) over
    /// [`Venv::sys_path`] with [`Venv::import_suffixes`], and the editable
    /// installs' finders (setuptools' and the `editables` redirector, read
    /// from the `.pth` import lines that install them, never run) consulted
    /// after the path, in the interpreter's meta path order.
    ///
    /// ```no_run
    /// # fn main() -> pepkit::Result<()> {
    /// let env = pepkit::venv::Venv::open("/path/to/env".as_ref())?;
    /// let spec = env.find_spec(b"json")?;
    /// assert!(spec.is_package());
    /// # Ok(()) }
    /// ```
    pub fn find_spec(&self, fullname: &[u8]) -> Result<ModuleSpec> {
        let (sys_path, suffixes) = self.import_context()?;
        find_spec_with_editables(fullname, &sys_path.entries, &suffixes, &sys_path.editables)
    }

    /// [`iter_modules`] over the env's import path with its suffixes: the
    /// top-level modules `import` could load in the env.
    pub fn iter_modules(&self) -> Result<Vec<ModuleInfo>> {
        let (sys_path, suffixes) = self.import_context()?;
        iter_modules(&entry_bytes(&sys_path), b"", &suffixes)
    }

    /// [`walk_packages`] over the env's import path with its suffixes.
    pub fn walk_packages(&self) -> Result<Vec<ModuleInfo>> {
        let (sys_path, suffixes) = self.import_context()?;
        walk_packages(&entry_bytes(&sys_path), &suffixes)
    }

    /// The import path and suffixes, from one reading of pyvenv.cfg.
    fn import_context(&self) -> Result<(SysPath, Suffixes)> {
        let (home, major, minor, system_site_packages) = env_facts(self)?;
        let facts = EnvFacts { env_dir: &self.dir, home: &home, major, minor, system_site_packages };
        Ok((venv_sys_path(&facts)?, Suffixes::with_extensions(extension_suffixes_for(minor))))
    }
}

fn entry_bytes(sys_path: &SysPath) -> Vec<&[u8]> {
    sys_path.entries.iter().map(|p| p.as_os_str().as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::normpath;
    use super::{find_spec_with_editables, venv_sys_path, EnvFacts, MetaFinder};
    use std::fs;
    use std::path::Path;

    const HEAD: &str = "from editables.redirector import RedirectingFinder as F\nF.install()\n";

    /// An env of a fake CPython 3.12 base, its site-packages holding `files`.
    fn env_with(tag: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!("pepkit-syspath-unit-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("base/bin")).unwrap();
        fs::create_dir_all(root.join("base/lib/python3.12/lib-dynload")).unwrap();
        fs::write(root.join("base/lib/python3.12/os.py"), "").unwrap();
        let site = root.join("env/lib/python3.12/site-packages");
        for (name, text) in files {
            let path = site.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        fs::create_dir_all(&site).unwrap();
        root
    }

    fn finders(root: &Path) -> super::SysPath {
        let facts = EnvFacts { env_dir: &root.join("env"), home: &root.join("base/bin"), major: 3, minor: 12, system_site_packages: false };
        venv_sys_path(&facts).unwrap()
    }

    fn redirections(sp: &super::SysPath) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out: Vec<_> = sp
            .editables
            .iter()
            .filter_map(|f| match f {
                MetaFinder::Redirector(r) => Some(r.redirections.iter().map(|(k, v)| (k.clone(), v.clone()))),
                MetaFinder::Setuptools(_) => None,
            })
            .flatten()
            .collect();
        out.sort();
        out
    }

    #[test]
    fn editables_redirector_installed_as_site_would() {
        let pkg = "editables/__init__.py";
        let redir = "editables/redirector.py";
        let a = format!("{HEAD}F.map_module('ma', '/x/ma.py')\nF.map_module('dup', '/x/a_dup.py')");
        let b = format!("{HEAD}F.map_module('mb', '/y/mb/__init__.py')\nF.map_module('dup', '/y/b_dup.py')");
        let finder = "MAPPING = {'st': '/s/st'}\n";
        let root = env_with(
            "ok",
            &[
                ("_editable_impl_a.pth", "import _editable_impl_a"),
                ("_editable_impl_a.py", &a),
                ("_editable_impl_b.pth", "import _editable_impl_b\n"),
                ("_editable_impl_b.py", &b),
                ("__editable__.st-0.1.pth", "import __editable___st_finder; __editable___st_finder.install()"),
                ("__editable___st_finder.py", finder),
                (pkg, ""),
                (redir, ""),
            ],
        );
        let sp = finders(&root);
        // One redirector, after the setuptools finder whose .pth sorts first;
        // the later map_module of 'dup' wins.
        assert_eq!(sp.editables.len(), 2);
        assert!(matches!(sp.editables[0], MetaFinder::Setuptools(_)) && matches!(sp.editables[1], MetaFinder::Redirector(_)));
        assert_eq!(
            redirections(&sp),
            vec![
                (b"dup".to_vec(), b"/y/b_dup.py".to_vec()),
                (b"ma".to_vec(), b"/x/ma.py".to_vec()),
                (b"mb".to_vec(), b"/y/mb/__init__.py".to_vec())
            ]
        );
        let sfx = super::Suffixes::with_extensions(super::extension_suffixes_for(12));
        let spec = find_spec_with_editables(b"mb", &sp.entries, &sfx, &sp.editables).unwrap();
        assert_eq!(spec.search_locations, Some(vec![Path::new("/y/mb").to_path_buf()]));
        assert_eq!(find_spec_with_editables(b"ma", &sp.entries, &sfx, &sp.editables).unwrap().origin, Some("/x/ma.py".into()));
        assert!(find_spec_with_editables(b"ma.x", &sp.entries, &sfx, &sp.editables).is_err());
        fs::remove_dir_all(&root).unwrap();

        // Without editables.redirector the import fails: nothing installed.
        let root = env_with("noredir", &[("_editable_impl_a.pth", "import _editable_impl_a"), ("_editable_impl_a.py", &a), (pkg, "")]);
        assert!(finders(&root).editables.is_empty());
        fs::remove_dir_all(&root).unwrap();

        // Unknown text, a line that is not editables' own, a bootstrap that is
        // a package or a FIFO: ignored.
        let hostile = format!("{HEAD}F.map_module('ma', '/x/' + 'ma.py')");
        for (tag, files) in [
            ("text", vec![("_editable_impl_a.pth", "import _editable_impl_a"), ("_editable_impl_a.py", hostile.as_str())]),
            ("line", vec![("_editable_impl_a.pth", "import _editable_impl_a, os"), ("_editable_impl_a.py", a.as_str())]),
            ("pkg", vec![("_editable_impl_a.pth", "import _editable_impl_a"), ("_editable_impl_a/__init__.py", a.as_str())]),
        ] {
            let mut files = files;
            files.extend([(pkg, ""), (redir, "")]);
            let root = env_with(tag, &files);
            assert!(finders(&root).editables.is_empty(), "{tag}");
            fs::remove_dir_all(&root).unwrap();
        }
        let root = env_with("fifo", &[("_editable_impl_a.pth", "import _editable_impl_a"), (pkg, ""), (redir, "")]);
        let fifo = root.join("env/lib/python3.12/site-packages/_editable_impl_a.py");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(finders(&root).editables.is_empty());
        fs::remove_dir_all(&root).unwrap();
    }

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
