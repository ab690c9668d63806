//! Import resolution (PEP 420): where `importlib.util.find_spec(name)` would
//! find a module, with the path-based finder's rules and without running Python.
//!
//! The rules are those of `importlib._bootstrap_external` (CPython 3.6-3.13 on
//! Linux; checked against every CPython on the machine by
//! `tests/oracle/test_find_spec.py`):
//!
//! * `PathFinder` visits the path entries in order. An entry that names a
//!   zip archive (or a directory inside one, `a.zip/sub`) is searched as
//!   `zipimport` searches it (see "Zip archives" below); any other entry that is not a
//!   directory (missing, a file) is skipped. An empty entry is the current
//!   directory.
//! * `FileFinder.find_spec` for one entry `d` and a tail name `n`: when `d`
//!   lists `n`, the first of `n/__init__<suffix>` that is a regular file (in
//!   loader order: extension suffixes, `.py`, `.pyc`) makes `n` a regular
//!   package, and the search stops. Otherwise the first `n<suffix>` that `d`
//!   lists and that is a regular file is a module, and the search stops.
//!   Otherwise, if `n` is a directory, it is a namespace portion: recorded, and
//!   the search goes on with the next entry. So in one directory a package
//!   beats a module of the same name, and a module beats a namespace portion.
//! * After the last entry the portions, if any, make a namespace package;
//!   without portions the name is not found.
//! * A dotted name resolves level by level: each parent must be a package, and
//!   its submodule search locations are the path for the next level. A parent
//!   that is a plain module has no submodules.
//! * Names are matched byte for byte (Linux is case-sensitive and importlib
//!   does not fold case there). "Listed" means present in the directory: a
//!   name with a `/` never is. A directory that cannot be listed (no read
//!   permission) contributes nothing, as importlib's `_fill_cache` treats it
//!   as empty.
//! * Relative entries are made absolute against the current directory as
//!   CPython 3.12+ does (`.` and `""` are the directory itself, one leading
//!   `./` is dropped); trailing slashes are dropped when a name is joined on.
//!
//! Zip archives: an entry names an archive when, going up from it while the
//! path does not exist, the first existing path is a regular file whose
//! end-of-central-directory record zipimport would find; the components gone
//! up are the prefix inside it. Members are looked up in zipimport's order
//! (`__init__.pyc`, `__init__.py`, `.pyc`, `.py`; a `.pyc` only with the
//! version's magic number and not stale), an explicit directory member is a
//! namespace portion, and there are no extension modules. Hostile archives
//! are bounded: a central directory over 64 MiB or 2^20 members makes the
//! file no archive, and every allocation is fallible.
//!
//! pepkit never runs an `__init__` file, so a package whose `__init__`
//! rewrites its own `__path__` (pkgutil-style namespaces) is seen with the
//! path importlib would start from.

// The parts behind the API below. `editable`, `pth` and `zip` parse hostile
// input: their parsers are re-exported for the fuzz targets as
// `pepkit::fuzzing`, so they are visible to the crate, not outside it.
pub(crate) mod editable;
mod listing;
pub(crate) mod pth;
mod syspath;
pub(crate) mod zip;

pub use listing::{iter_modules, module_name, walk_packages, ModuleInfo};
pub use syspath::{PthImport, SysPath};

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// What a spec describes: the loader's kind for a module, or the package kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    /// A `.py` file (importlib's SourceFileLoader).
    Source,
    /// A sourceless `.pyc` file (SourcelessFileLoader).
    Bytecode,
    /// An extension module (ExtensionFileLoader).
    Extension,
    /// A regular package: a directory with an `__init__` file.
    Package,
    /// A namespace package (PEP 420): no loader, no origin, one or more portions.
    Namespace,
}

/// The loader that would load a file: for a module its own kind, for a regular
/// package the kind of its `__init__` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoaderKind {
    /// importlib's SourceFileLoader (`.py`).
    Source,
    /// SourcelessFileLoader (`.pyc` with no source).
    Bytecode,
    /// ExtensionFileLoader (one of the extension suffixes).
    Extension,
}

impl LoaderKind {
    fn module_kind(self) -> ModuleKind {
        match self {
            LoaderKind::Source => ModuleKind::Source,
            LoaderKind::Bytecode => ModuleKind::Bytecode,
            LoaderKind::Extension => ModuleKind::Extension,
        }
    }
}

/// The result of [`find_spec`]: importlib's `ModuleSpec` without the loader object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSpec {
    /// The full dotted name that was looked up.
    pub name: Vec<u8>,
    /// A module's loader kind, or the package kind.
    pub kind: ModuleKind,
    /// The loader that would load `origin`; `None` for a namespace package.
    pub loader: Option<LoaderKind>,
    /// The file the loader would load (`spec.origin`); `None` for a namespace package.
    pub origin: Option<PathBuf>,
    /// `spec.submodule_search_locations`: `None` for a module, the package's
    /// directory for a regular package, the portions for a namespace package.
    pub search_locations: Option<Vec<PathBuf>>,
}

impl ModuleSpec {
    /// Whether it is a package (regular or namespace): it has submodule
    /// search locations.
    pub fn is_package(&self) -> bool {
        self.search_locations.is_some()
    }
}

/// The suffixes the file loaders recognise, in importlib's loader order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suffixes {
    /// `importlib.machinery.EXTENSION_SUFFIXES`, in order.
    pub extension: Vec<Vec<u8>>,
    /// `SOURCE_SUFFIXES`: `.py` on every CPython 3.
    pub source: Vec<Vec<u8>>,
    /// `BYTECODE_SUFFIXES`: `.pyc` on every CPython 3.5+.
    pub bytecode: Vec<Vec<u8>>,
}

/// The CPython minor version whose extension tag the defaults use.
pub const PEPKIT_DEFAULT_PYTHON_MINOR: u32 = 13;

/// CPython's `PLATFORM_TRIPLET` for the platform pepkit was built for, where
/// CPython defines one (Linux); `None` elsewhere.
pub fn platform_triplet() -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let musl = cfg!(target_env = "musl");
    Some(if cfg!(target_arch = "x86_64") {
        if musl { "x86_64-linux-musl" } else { "x86_64-linux-gnu" }
    } else if cfg!(target_arch = "aarch64") {
        if musl { "aarch64-linux-musl" } else { "aarch64-linux-gnu" }
    } else if cfg!(target_arch = "x86") {
        if musl { "i386-linux-musl" } else { "i386-linux-gnu" }
    } else if cfg!(target_arch = "arm") {
        "arm-linux-gnueabihf"
    } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
        "powerpc64le-linux-gnu"
    } else if cfg!(target_arch = "powerpc64") {
        "powerpc64-linux-gnu"
    } else if cfg!(target_arch = "s390x") {
        "s390x-linux-gnu"
    } else if cfg!(target_arch = "riscv64") {
        "riscv64-linux-gnu"
    } else if cfg!(target_arch = "loongarch64") {
        "loongarch64-linux-gnu"
    } else {
        return None;
    })
}

/// `importlib.machinery.EXTENSION_SUFFIXES` of CPython 3.`minor` on this
/// platform, as a default CPython build has them: on Linux
/// `.cpython-3XY[m]-<triplet>.so` (the `m` ABI flag before 3.8), `.abi3.so`,
/// `.so`; on macOS `.cpython-3XY[m]-darwin.so`, `.abi3.so`, `.so`; elsewhere
/// `.abi3.so`, `.so`.
pub fn extension_suffixes_for(minor: u32) -> Vec<Vec<u8>> {
    let abiflags = if minor < 8 { "m" } else { "" };
    let mut out = Vec::with_capacity(3);
    if let Some(triplet) = platform_triplet() {
        out.push(format!(".cpython-3{minor}{abiflags}-{triplet}.so").into_bytes());
    } else if cfg!(target_os = "macos") {
        out.push(format!(".cpython-3{minor}{abiflags}-darwin.so").into_bytes());
    }
    out.push(b".abi3.so".to_vec());
    out.push(b".so".to_vec());
    out
}

impl Suffixes {
    /// The given extension suffixes with `.py` and `.pyc`.
    pub fn with_extensions(extension: Vec<Vec<u8>>) -> Suffixes {
        Suffixes { extension, source: vec![b".py".to_vec()], bytecode: vec![b".pyc".to_vec()] }
    }

    /// [`Suffixes::with_extensions`] of borrowed suffixes (a C caller's list,
    /// say), copied with fallible allocation. Not checked here: every lookup
    /// and listing checks its suffixes first ([`Suffixes::validate`]).
    pub fn try_with_extensions<S: AsRef<[u8]>>(extension: &[S]) -> Result<Suffixes> {
        let mut owned = Vec::new();
        crate::mem::reserve(&mut owned, extension.len(), "the extension suffixes")?;
        for s in extension {
            owned.push(crate::mem::copy(s.as_ref(), "an extension suffix")?);
        }
        Ok(Suffixes::with_extensions(owned))
    }

    /// The suffixes of CPython 3.[`PEPKIT_DEFAULT_PYTHON_MINOR`] on this platform.
    pub fn platform_default() -> Suffixes {
        Suffixes::with_extensions(extension_suffixes_for(PEPKIT_DEFAULT_PYTHON_MINOR))
    }

    /// The CPython minor version these suffixes belong to, read from the
    /// `.cpython-3XY` tag of an extension suffix; [`PEPKIT_DEFAULT_PYTHON_MINOR`]
    /// without one. Zip lookups use it for the bytecode magic number.
    pub fn python_minor(&self) -> u32 {
        for s in &self.extension {
            if let Some(rest) = s.strip_prefix(b".cpython-3") {
                let digits: Vec<u8> = rest.iter().copied().take_while(u8::is_ascii_digit).collect();
                if let Some(minor) = std::str::from_utf8(&digits).ok().and_then(|d| d.parse().ok()) {
                    return minor;
                }
            }
        }
        PEPKIT_DEFAULT_PYTHON_MINOR
    }

    /// Every suffix with its loader, in importlib's order (extensions, source, bytecode).
    fn loaders(&self) -> impl Iterator<Item = (&[u8], LoaderKind)> {
        self.extension
            .iter()
            .map(|s| (s.as_slice(), LoaderKind::Extension))
            .chain(self.source.iter().map(|s| (s.as_slice(), LoaderKind::Source)))
            .chain(self.bytecode.iter().map(|s| (s.as_slice(), LoaderKind::Bytecode)))
    }

    /// Refuses suffixes a file name could not end with.
    pub fn validate(&self) -> Result<()> {
        for (suffix, _) in self.loaders() {
            if suffix.is_empty() {
                return Err(Error::value("an extension suffix must not be empty"));
            }
            if suffix.contains(&b'/') || suffix.contains(&0) {
                return Err(Error::value(format!(
                    "extension suffix {} must not contain '/' or NUL",
                    quote(suffix)
                )));
            }
        }
        Ok(())
    }
}

/// A byte string in the quotes of Python's `repr` of a str, with undecodable
/// bytes as `\xNN` escapes (readable in an error message).
pub(crate) fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('\'');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "{}", c.escape_default());
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('\'');
    out
}

/// Checks that `fullname` is an absolute dotted name and splits it.
/// Empty names, empty components and leading dots are PEPKIT_ERR_VALUE:
/// `importlib.import_module` refuses them too (ValueError "Empty module name",
/// relative names without a package), where `find_spec` answers inconsistently
/// (None for "" and "a.", ModuleNotFoundError for "a..b").
pub(crate) fn split_name(fullname: &[u8]) -> Result<Vec<&[u8]>> {
    if fullname.is_empty() {
        return Err(Error::value("Empty module name"));
    }
    if fullname.contains(&0) {
        return Err(Error::value(format!("module name {} contains an embedded null byte", quote(fullname))));
    }
    if fullname[0] == b'.' {
        return Err(Error::value(format!(
            "relative module name {} is not supported: pepkit resolves absolute names only",
            quote(fullname)
        )));
    }
    let parts: Vec<&[u8]> = fullname.split(|&b| b == b'.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Error::value(format!("module name {} has an empty component", quote(fullname))));
    }
    Ok(parts)
}

/// A reusable NUL-terminated path buffer for `stat` without allocating.
struct Probe {
    buf: Vec<u8>,
}

/// What `stat` (following symlinks) says a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileType {
    Missing,
    File,
    Dir,
    Other,
}

impl Probe {
    fn new() -> Probe {
        Probe { buf: Vec::with_capacity(512) }
    }

    /// The type of directory entry `name` of `dir`, as a typed listing
    /// records it: from the entry itself, `stat` for links and unknown types.
    fn entry_type(&mut self, dir: &[u8], entry: &std::fs::DirEntry, name: &[u8]) -> FileType {
        match entry.file_type() {
            Ok(t) if t.is_file() => FileType::File,
            Ok(t) if t.is_dir() => FileType::Dir,
            Ok(t) if !t.is_symlink() => FileType::Other,
            _ => self.stat(&[dir, b"/", name]),
        }
    }

    /// `stat` of the concatenation of `parts`.
    fn stat(&mut self, parts: &[&[u8]]) -> FileType {
        self.buf.clear();
        for p in parts {
            self.buf.extend_from_slice(p);
        }
        self.buf.push(0);
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: buf is NUL-terminated and holds no other NUL (paths and names
        // come from C strings or directory entries); st is written by stat.
        let rc = unsafe { libc::stat(self.buf.as_ptr().cast(), st.as_mut_ptr()) };
        if rc != 0 {
            return FileType::Missing;
        }
        // SAFETY: stat succeeded, so st is initialized.
        let mode = unsafe { st.assume_init() }.st_mode & libc::S_IFMT;
        match mode {
            libc::S_IFREG => FileType::File,
            libc::S_IFDIR => FileType::Dir,
            _ => FileType::Other,
        }
    }

    /// The modification time of `dir` when it is a directory (`stat`
    /// following symlinks); `None` when it is missing or not a directory.
    fn dir_mtime(&mut self, dir: &[u8]) -> Option<(i64, i64)> {
        self.buf.clear();
        self.buf.extend_from_slice(dir);
        self.buf.push(0);
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: NUL-terminated path; st is written by stat.
        if unsafe { libc::stat(self.buf.as_ptr().cast(), st.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: stat succeeded.
        let st = unsafe { st.assume_init() };
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
            return None;
        }
        // time_t and the nanoseconds are 32 bits on some targets.
        #[allow(clippy::useless_conversion)]
        Some((i64::from(st.st_mtime), i64::from(st.st_mtime_nsec)))
    }

    /// Whether `dir` can be listed, as `os.listdir` would (opendir needs read
    /// permission). Missing, not a directory, or no permission: `Ok(false)`,
    /// as `FileFinder._fill_cache` treats those as an empty directory; any
    /// other failure is an OSError naming the directory.
    fn listable(&mut self, dir: &[u8]) -> Result<bool> {
        self.buf.clear();
        self.buf.extend_from_slice(dir);
        self.buf.push(0);
        // SAFETY: NUL-terminated path; the descriptor is closed right away.
        let fd = unsafe {
            libc::open(self.buf.as_ptr().cast(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC)
        };
        if fd >= 0 {
            // SAFETY: fd was just opened by us.
            unsafe { libc::close(fd) };
            return Ok(true);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ENOTDIR) | Some(libc::EACCES) | Some(libc::EPERM) => Ok(false),
            _ => Err(Error::io(&err, format_args!("cannot list directory {}", quote(dir)))),
        }
    }
}

/// A path entry as FileFinder sees it: absolute, and without trailing slashes
/// (the prefix a name is joined to, with the separator).
fn entry_base(entry: &[u8], cwd: &mut Option<Vec<u8>>) -> Result<Vec<u8>> {
    let absolute = if entry.first() == Some(&b'/') {
        entry.to_vec()
    } else {
        if cwd.is_none() {
            let dir = std::env::current_dir()
                .map_err(|e| Error::io(&e, "cannot resolve a relative path entry: current directory"))?;
            *cwd = Some(dir.into_os_string().into_vec());
        }
        let mut base = cwd.clone().unwrap_or_default();
        let rest = entry.strip_prefix(b"./").unwrap_or(entry);
        if !(rest.is_empty() || entry == b".") {
            base.push(b'/');
            base.extend_from_slice(rest);
        }
        base
    };
    // _path_join: each part loses its trailing separators, then '/' joins them.
    let mut end = absolute.len();
    while end > 0 && absolute[end - 1] == b'/' {
        end -= 1;
    }
    let mut base = absolute[..end].to_vec();
    base.push(b'/');
    Ok(base)
}

/// What one path entry holds for a tail name (FileFinder.find_spec).
enum Found {
    Nothing,
    Portion(Vec<u8>),
    Spec { loader: LoaderKind, origin: Vec<u8>, package_dir: Option<Vec<u8>> },
}

/// How a directory's listing is known: by `stat` of each candidate (no
/// state; a hit is kept only when the directory can be listed), or from a
/// cached listing (an unlistable directory has an empty one).
#[derive(Clone, Copy)]
enum Listing<'a> {
    Stat,
    Cached(&'a HashSet<Vec<u8>>),
}

impl Listing<'_> {
    /// Whether `tail` + `suffix` may be in the listing (Stat: `stat` decides).
    fn may_list(self, key: &mut Vec<u8>, tail: &[u8], suffix: &[u8]) -> bool {
        match self {
            Listing::Stat => true,
            Listing::Cached(set) => {
                key.clear();
                key.extend_from_slice(tail);
                key.extend_from_slice(suffix);
                set.contains(key.as_slice())
            }
        }
    }

    /// Whether a hit in `base` stands: the directory could be listed.
    fn confirm(self, probe: &mut Probe, base: &[u8]) -> Result<bool> {
        match self {
            Listing::Stat => listable(probe, base),
            Listing::Cached(_) => Ok(true),
        }
    }
}

fn find_in_entry(probe: &mut Probe, base: &[u8], tail: &[u8], suffixes: &Suffixes, listing: Listing) -> Result<Found> {
    // Only names a directory could list: never one with a '/'.
    if tail.contains(&b'/') {
        return Ok(Found::Nothing);
    }
    let mut key = Vec::new();
    let mut portion = false;
    if listing.may_list(&mut key, tail, b"") && probe.stat(&[base, tail]) == FileType::Dir {
        for (suffix, loader) in suffixes.loaders() {
            if probe.stat(&[base, tail, b"/__init__", suffix]) == FileType::File {
                if !listing.confirm(probe, base)? {
                    return Ok(Found::Nothing);
                }
                let dir = [base, tail].concat();
                let origin = [base, tail, b"/__init__", suffix].concat();
                return Ok(Found::Spec { loader, origin, package_dir: Some(dir) });
            }
        }
        portion = true;
    }
    for (suffix, loader) in suffixes.loaders() {
        if listing.may_list(&mut key, tail, suffix) && probe.stat(&[base, tail, suffix]) == FileType::File {
            if !listing.confirm(probe, base)? {
                return Ok(Found::Nothing);
            }
            return Ok(Found::Spec { loader, origin: [base, tail, suffix].concat(), package_dir: None });
        }
    }
    if portion && listing.confirm(probe, base)? {
        return Ok(Found::Portion([base, tail].concat()));
    }
    Ok(Found::Nothing)
}

/// The directory of a base (the base without its final '/'; "/" for the root).
fn base_dir(base: &[u8]) -> &[u8] {
    let dir = &base[..base.len() - 1];
    if dir.is_empty() {
        b"/"
    } else {
        dir
    }
}

/// The entry itself can be listed.
fn listable(probe: &mut Probe, base: &[u8]) -> Result<bool> {
    probe.listable(base_dir(base))
}

/// One directory's cached listing, valid while its mtime is unchanged
/// (FileFinder's `_path_cache` and `_path_mtime`).
struct DirListing {
    mtime: Option<(i64, i64)>,
    names: HashSet<Vec<u8>>,
}

/// Directory listings by base, for [`Finder`].
type ListingCache = HashMap<Vec<u8>, DirListing>;

/// The cached listing of `base`, refreshed when the directory's mtime changed.
fn cached_listing<'c>(probe: &mut Probe, cache: &'c mut ListingCache, base: &[u8]) -> Result<&'c HashSet<Vec<u8>>> {
    let dir = base_dir(base);
    let mtime = probe.dir_mtime(dir);
    let listing = cache.entry(base.to_vec()).or_insert_with(|| DirListing { mtime: None, names: HashSet::new() });
    if mtime.is_none() {
        listing.names.clear();
    } else if listing.mtime != mtime {
        listing.names = read_listing(dir)?;
    }
    listing.mtime = mtime;
    Ok(&listing.names)
}

/// `os.listdir(dir)` as a set; missing, not a directory or no permission is
/// an empty listing, as in `FileFinder._fill_cache`.
fn read_listing(dir: &[u8]) -> Result<HashSet<Vec<u8>>> {
    let entries = match std::fs::read_dir(os_str(dir)) {
        Ok(entries) => entries,
        Err(e) => {
            return match e.raw_os_error() {
                Some(libc::ENOENT) | Some(libc::ENOTDIR) | Some(libc::EACCES) | Some(libc::EPERM) => Ok(HashSet::new()),
                _ => Err(Error::io(&e, format_args!("cannot list directory {}", quote(dir)))),
            }
        }
    };
    let mut names = HashSet::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&e, format_args!("cannot list directory {}", quote(dir))))?;
        names.insert(entry.file_name().into_vec());
    }
    Ok(names)
}

/// `PathFinder.find_spec(name, path)` for one level: `tail` is the last
/// component of `name`.
fn find_level(
    ctx: &mut Lookup,
    name: &[u8],
    tail: &[u8],
    path: &[&[u8]],
) -> Result<Option<ModuleSpec>> {
    let mut portions: Vec<PathBuf> = Vec::new();
    for entry in path {
        // An editable finder's placeholder entry: its namespace path hook.
        if let Some(finder) =
            ctx.editables.iter().filter_map(editable::MetaFinder::setuptools).find(|f| !f.placeholder.is_empty() && f.placeholder == *entry)
        {
            if let Some(found) = finder.namespace_portions(name) {
                portions.extend(found.into_iter().map(to_path));
            }
            continue;
        }
        let base = entry_base(entry, &mut ctx.cwd)?;
        let (found, maybe_zip) = match ctx.cache.as_deref_mut() {
            _ if ctx.snap.is_some() => find_in_snapshot(ctx, &base, tail)?,
            None => {
                let found = find_in_entry(&mut ctx.probe, &base, tail, ctx.suffixes, Listing::Stat)?;
                let maybe_zip = matches!(found, Found::Nothing) && ctx.probe.dir_mtime(base_dir(&base)).is_none();
                (found, maybe_zip)
            }
            Some(cache) => {
                let set = cached_listing(&mut ctx.probe, cache, &base)?;
                let found = find_in_entry(&mut ctx.probe, &base, tail, ctx.suffixes, Listing::Cached(set))?;
                let maybe_zip = cache.get(&base).is_some_and(|l| l.mtime.is_none());
                (found, maybe_zip)
            }
        };
        // Not a directory: zipimport's turn (its path hook comes first, but
        // takes no directory, so asking it second changes nothing).
        let found = if maybe_zip { find_in_archive(ctx, &base, tail)? } else { found };
        match found {
            Found::Nothing => {}
            Found::Portion(dir) => portions.push(to_path(dir)),
            Found::Spec { loader, origin, package_dir } => {
                let kind = if package_dir.is_some() { ModuleKind::Package } else { loader.module_kind() };
                return Ok(Some(ModuleSpec {
                    name: name.to_vec(),
                    kind,
                    loader: Some(loader),
                    origin: Some(to_path(origin)),
                    search_locations: package_dir.map(|d| vec![to_path(d)]),
                }));
            }
        }
    }
    if portions.is_empty() {
        return Ok(None);
    }
    Ok(Some(ModuleSpec {
        name: name.to_vec(),
        kind: ModuleKind::Namespace,
        loader: None,
        origin: None,
        search_locations: Some(portions),
    }))
}

/// The state of one lookup.
struct Lookup<'a> {
    probe: Probe,
    cwd: Option<Vec<u8>>,
    suffixes: &'a Suffixes,
    cache: Option<&'a mut ListingCache>,
    /// A finder's open archives by path (revalidated by size and mtime);
    /// `None`: each lookup reads the archives it meets afresh.
    zips: Option<&'a mut ZipCache>,
    /// The editable installs' meta path finders (setuptools' placeholder
    /// entries may be on the path).
    editables: &'a [editable::MetaFinder],
    /// A snapshot finder's typed listings, the time of this lookup and the
    /// revalidation interval (see [`Finder::snapshot`]).
    snap: Option<(&'a mut SnapCache, std::time::Instant, std::time::Duration)>,
}

/// One directory as a snapshot finder keeps it: the type of each name
/// (links followed), and when its mtime was last compared.
struct SnapDir {
    checked: std::time::Instant,
    mtime: Option<(i64, i64)>,
    listable: bool,
    types: HashMap<Vec<u8>, FileType>,
}

/// Typed listings by directory, for a snapshot [`Finder`].
type SnapCache = HashMap<Vec<u8>, SnapDir>;

/// `os.listdir` with each name's type (from the directory entry, `stat` for
/// links and unknown types); `None` when the directory cannot be listed.
fn read_typed_listing(dir: &[u8]) -> Result<Option<HashMap<Vec<u8>, FileType>>> {
    let entries = match std::fs::read_dir(os_str(dir)) {
        Ok(entries) => entries,
        Err(e) => {
            return match e.raw_os_error() {
                Some(libc::ENOENT) | Some(libc::ENOTDIR) | Some(libc::EACCES) | Some(libc::EPERM) => Ok(None),
                _ => Err(Error::io(&e, format_args!("cannot list directory {}", quote(dir)))),
            }
        }
    };
    let mut types = HashMap::new();
    let mut probe = Probe::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&e, format_args!("cannot list directory {}", quote(dir))))?;
        let name = entry.file_name().into_vec();
        let kind = probe.entry_type(dir, &entry, &name);
        types.try_reserve(1).map_err(|_| Error::no_memory(format!("out of memory listing {}", quote(dir))))?;
        types.insert(name, kind);
    }
    Ok(Some(types))
}

/// The snapshot of `dir`, read or revalidated (by mtime) when older than
/// the interval.
fn snap_dir<'c>(
    probe: &mut Probe,
    cache: &'c mut SnapCache,
    dir: &[u8],
    now: std::time::Instant,
    interval: std::time::Duration,
) -> Result<&'c SnapDir> {
    let fresh = cache.get(dir).is_some_and(|d| now.saturating_duration_since(d.checked) < interval);
    if !fresh {
        let mtime = probe.dir_mtime(dir);
        let same = mtime.is_some() && cache.get(dir).is_some_and(|d| d.mtime == mtime);
        if same {
            if let Some(d) = cache.get_mut(dir) {
                d.checked = now;
            }
        } else {
            let listing = if mtime.is_some() { read_typed_listing(dir)? } else { None };
            let listable = listing.is_some();
            let types = listing.unwrap_or_default();
            cache.insert(dir.to_vec(), SnapDir { checked: now, mtime, listable, types });
        }
    }
    cache.get(dir).ok_or_else(|| Error::value("snapshot listing vanished"))
}

/// FileFinder.find_spec over snapshot listings: no system call while the
/// snapshots are younger than the interval. Also says whether the entry is
/// not a directory (then zipimport's turn).
fn find_in_snapshot(ctx: &mut Lookup, base: &[u8], tail: &[u8]) -> Result<(Found, bool)> {
    if tail.contains(&b'/') {
        return Ok((Found::Nothing, false));
    }
    let Some((cache, now, interval)) = ctx.snap.as_mut() else {
        return Ok((Found::Nothing, false));
    };
    let (now, interval) = (*now, *interval);
    let dir = base_dir(base);
    let d = snap_dir(&mut ctx.probe, cache, dir, now, interval)?;
    if d.mtime.is_none() {
        return Ok((Found::Nothing, true));
    }
    let is_dir = d.types.get(tail) == Some(&FileType::Dir);
    let mut key = Vec::with_capacity(tail.len() + 40);
    let mut module = None;
    for (suffix, loader) in ctx.suffixes.loaders() {
        key.clear();
        key.extend_from_slice(tail);
        key.extend_from_slice(suffix);
        if d.types.get(&key) == Some(&FileType::File) {
            module = Some((suffix.to_vec(), loader));
            break;
        }
    }
    if is_dir {
        let sub = [base, tail].concat();
        let s = snap_dir(&mut ctx.probe, cache, &sub, now, interval)?;
        let listable = s.listable;
        for (suffix, loader) in ctx.suffixes.loaders() {
            key.clear();
            key.extend_from_slice(b"__init__");
            key.extend_from_slice(suffix);
            // An unlistable package directory: importlib stats its __init__.
            let hit = if listable {
                s.types.get(&key) == Some(&FileType::File)
            } else {
                ctx.probe.stat(&[&sub, b"/", &key]) == FileType::File
            };
            if hit {
                let origin = [sub.as_slice(), b"/", key.as_slice()].concat();
                return Ok((Found::Spec { loader, origin, package_dir: Some(sub) }, false));
            }
        }
    }
    if let Some((suffix, loader)) = module {
        return Ok((Found::Spec { loader, origin: [base, tail, suffix.as_slice()].concat(), package_dir: None }, false));
    }
    if is_dir {
        return Ok((Found::Portion([base, tail].concat()), false));
    }
    Ok((Found::Nothing, false))
}

/// A finder's archives: each open archive by path, with when it was last
/// compared with its file (size and mtime), and each archive entry's split
/// into archive and prefix.
#[derive(Default)]
struct ZipCache {
    open: HashMap<Vec<u8>, (zip::OpenZip, std::time::Instant)>,
    splits: HashMap<Vec<u8>, (Vec<u8>, Vec<u8>)>,
}

impl ZipCache {
    fn clear(&mut self) {
        self.open.clear();
        self.splits.clear();
    }
}

/// What the archive an entry names (zipimport's rules, see [`zip`]) holds for `tail`.
fn find_in_archive(ctx: &mut Lookup, base: &[u8], tail: &[u8]) -> Result<Found> {
    if tail.contains(&b'/') {
        return Ok(Found::Nothing);
    }
    let minor = ctx.suffixes.python_minor();
    // A snapshot finder trusts an archive it compared within the interval.
    let trust = ctx.snap.as_ref().map(|(_, now, interval)| (*now, *interval));
    let mut fresh = None;
    let (open, archive, prefix): (&zip::OpenZip, Vec<u8>, Vec<u8>) = match ctx.zips.as_deref_mut() {
        Some(zips) => {
            let dir = base_dir(base);
            // A cached split stands while its archive is open and still the
            // same regular file: nothing below a file can exist, so going up
            // from the entry would stop at the archive again. This saves the
            // `stat` split_archive makes per lookup.
            let split = match zips.splits.get(dir) {
                Some(s) if zips.open.contains_key(&s.0) => s.clone(),
                _ => {
                    let Some(s) = zip::split_archive(dir) else { return Ok(Found::Nothing) };
                    zips.splits.insert(dir.to_vec(), s.clone());
                    s
                }
            };
            let (archive, prefix) = split;
            let now = std::time::Instant::now();
            let valid = match zips.open.get_mut(&archive) {
                None => false,
                Some((_, checked)) if trust.is_some_and(|(t, i)| t.saturating_duration_since(*checked) < i) => true,
                Some((z, checked)) => {
                    let ok = zip::still_valid(z, &archive);
                    *checked = now;
                    ok
                }
            };
            if !valid {
                zips.open.remove(&archive);
                match zip::open_zip(&archive, minor)? {
                    Some(z) => {
                        zips.open.insert(archive.clone(), (z, now));
                    }
                    None => return Ok(Found::Nothing),
                }
            }
            match zips.open.get(&archive) {
                Some((z, _)) => (z, archive, prefix),
                None => return Ok(Found::Nothing),
            }
        }
        None => {
            let Some((archive, prefix)) = zip::split_archive(base_dir(base)) else {
                return Ok(Found::Nothing);
            };
            match zip::open_zip(&archive, minor)? {
                Some(z) => (fresh.insert(z), archive, prefix),
                None => return Ok(Found::Nothing),
            }
        }
    };
    Ok(match zip::find_in_zip(&open.index, &archive, &open.file, &prefix, tail, minor) {
        zip::ZipFound::Nothing => Found::Nothing,
        zip::ZipFound::Portion(dir) => Found::Portion(dir),
        zip::ZipFound::Spec { origin, package, bytecode } => {
            let loader = if bytecode { LoaderKind::Bytecode } else { LoaderKind::Source };
            let package_dir = if package {
                let cut = origin.iter().rposition(|&b| b == b'/').unwrap_or(0);
                Some(origin[..cut].to_vec())
            } else {
                None
            };
            Found::Spec { loader, origin, package_dir }
        }
    })
}

fn to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes))
}

/// `importlib.util.find_spec(fullname)` with `sys.path` = `path`, resolving
/// dotted names level by level. Not found is an error of kind NotFound with
/// ModuleNotFoundError's message; a malformed name is a Value error. Keeps
/// no state: every call looks at the file system afresh.
pub fn find_spec<P: AsRef<Path>>(fullname: &[u8], path: &[P], suffixes: &Suffixes) -> Result<ModuleSpec> {
    suffixes.validate()?;
    let top: Vec<&[u8]> = path.iter().map(|p| p.as_ref().as_os_str().as_bytes()).collect();
    check_entries(&top)?;
    let mut ctx = Lookup { probe: Probe::new(), cwd: None, suffixes, cache: None, zips: None, snap: None, editables: &[] };
    resolve(&mut ctx, fullname, &top, &[])
}

/// Path entries are C strings: no NUL inside (CPython: "embedded null byte").
fn check_entries<E: AsRef<[u8]>>(path: &[E]) -> Result<()> {
    match path.iter().find(|e| e.as_ref().contains(&0)) {
        Some(e) => Err(Error::value(format!("path entry {} contains an embedded null byte", quote(e.as_ref())))),
        None => Ok(()),
    }
}

/// [`find_spec`] in an interpreter where editable installs' finders
/// (setuptools' and the `editables` redirector, see [`editable`]) follow
/// PathFinder on the meta path, in `editables`' order.
pub(crate) fn find_spec_with_editables<P: AsRef<Path>>(
    fullname: &[u8],
    path: &[P],
    suffixes: &Suffixes,
    editables: &[editable::MetaFinder],
) -> Result<ModuleSpec> {
    suffixes.validate()?;
    let top: Vec<&[u8]> = path.iter().map(|p| p.as_ref().as_os_str().as_bytes()).collect();
    check_entries(&top)?;
    let mut ctx = Lookup { probe: Probe::new(), cwd: None, suffixes, cache: None, zips: None, snap: None, editables };
    resolve(&mut ctx, fullname, &top, editables)
}

/// What the editable finders answer for `name` once PathFinder found nothing.
fn editable_spec(
    ctx: &mut Lookup,
    editables: &[editable::MetaFinder],
    name: &[u8],
    tail: &[u8],
) -> Result<Option<ModuleSpec>> {
    let parent = name.iter().rposition(|&b| b == b'.').map(|i| &name[..i]);
    for finder in editables {
        let finder = match finder {
            editable::MetaFinder::Setuptools(f) => f,
            editable::MetaFinder::Redirector(r) => match r.location(name) {
                Some(location) => match redirected_spec(ctx.suffixes, name, location) {
                    Some(spec) => return Ok(Some(spec)),
                    None => continue,
                },
                None => continue,
            },
        };
        match finder.get(name) {
            Some(mapped) => {
                // _find_spec: <path>/__init__.py, then <path> with each of
                // all_suffixes() (source, bytecode, extension) as its suffix.
                let init = [mapped, b"/__init__.py"].concat();
                if probe_exists(&mut ctx.probe, &init) {
                    return Ok(Some(ModuleSpec {
                        name: name.to_vec(),
                        kind: ModuleKind::Package,
                        loader: Some(LoaderKind::Source),
                        origin: Some(to_path(init)),
                        search_locations: Some(vec![to_path(mapped.to_vec())]),
                    }));
                }
                let sfx = ctx.suffixes;
                let order = sfx
                    .source
                    .iter()
                    .map(|s| (s, LoaderKind::Source))
                    .chain(sfx.bytecode.iter().map(|s| (s, LoaderKind::Bytecode)))
                    .chain(sfx.extension.iter().map(|s| (s, LoaderKind::Extension)));
                for (suffix, loader) in order {
                    let candidate = editable::with_suffix(mapped, suffix);
                    if probe_exists(&mut ctx.probe, &candidate) {
                        return Ok(Some(ModuleSpec {
                            name: name.to_vec(),
                            kind: loader.module_kind(),
                            loader: Some(loader),
                            origin: Some(to_path(candidate)),
                            search_locations: None,
                        }));
                    }
                }
            }
            None => {
                // An immediate child of a mapped package: PathFinder over the
                // mapped directory.
                let Some(mapped) = parent.and_then(|p| finder.get(p)) else { continue };
                if let Some(spec) = find_level(ctx, name, tail, &[mapped])? {
                    return Ok(Some(spec));
                }
            }
        }
    }
    Ok(None)
}

/// `importlib.util.spec_from_file_location(name, location)`, as the
/// `editables` redirector calls it: the loader from the location's suffix
/// (extension suffixes first, then source, then bytecode; none: no spec),
/// a package when the loader's `is_package` says so (an `__init__` file),
/// its search location the file's directory. The file need not exist:
/// nothing is looked at.
fn redirected_spec(suffixes: &Suffixes, name: &[u8], location: &[u8]) -> Option<ModuleSpec> {
    let loader = [
        (&suffixes.extension, LoaderKind::Extension),
        (&suffixes.source, LoaderKind::Source),
        (&suffixes.bytecode, LoaderKind::Bytecode),
    ]
    .into_iter()
    .find(|(list, _)| list.iter().any(|s| location.ends_with(s)))
    .map(|(_, loader)| loader)?;
    let cut = location.iter().rposition(|&b| b == b'/');
    let file = cut.map_or(location, |i| &location[i + 1..]);
    let is_package = match loader {
        // ExtensionFileLoader.is_package: '__init__' + an extension suffix.
        LoaderKind::Extension => {
            file.strip_prefix(b"__init__").is_some_and(|rest| suffixes.extension.iter().any(|s| rest == s.as_slice()))
        }
        // _LoaderBasics.is_package: the file's stem (up to its last '.') is
        // '__init__' and the module's last component is not.
        LoaderKind::Source | LoaderKind::Bytecode => {
            let stem = file.iter().rposition(|&b| b == b'.').map_or(file, |i| &file[..i]);
            let last = name.iter().rposition(|&b| b == b'.').map_or(name, |i| &name[i + 1..]);
            stem == b"__init__" && last != b"__init__"
        }
    };
    let dir = cut.map_or(&b""[..], |i| &location[..i]);
    Some(ModuleSpec {
        name: name.to_vec(),
        kind: if is_package { ModuleKind::Package } else { loader.module_kind() },
        loader: Some(loader),
        origin: Some(to_path(location.to_vec())),
        search_locations: is_package.then(|| vec![to_path(dir.to_vec())]),
    })
}

/// `Path.exists()`: anything `stat` (following links) finds.
fn probe_exists(probe: &mut Probe, path: &[u8]) -> bool {
    probe.stat(&[path]) != FileType::Missing
}

fn resolve(ctx: &mut Lookup, fullname: &[u8], top: &[&[u8]], editables: &[editable::MetaFinder]) -> Result<ModuleSpec> {
    let parts = split_name(fullname)?;
    let mut spec: Option<ModuleSpec> = None;
    let mut end = 0;
    for (i, tail) in parts.iter().enumerate() {
        end += if i == 0 { tail.len() } else { tail.len() + 1 };
        let name = &fullname[..end];
        let found = match &spec {
            None => find_level(ctx, name, tail, top)?,
            Some(parent) => {
                let Some(locations) = &parent.search_locations else {
                    return Err(Error::not_found(format!(
                        "__path__ attribute not found on {} while trying to find {}",
                        quote(&parent.name),
                        quote(fullname)
                    )));
                };
                let locations: Vec<&[u8]> = locations.iter().map(|p| p.as_os_str().as_bytes()).collect();
                find_level(ctx, name, tail, &locations)?
            }
        };
        let found = match found {
            None if !editables.is_empty() => editable_spec(ctx, editables, name, tail)?,
            found => found,
        };
        match found {
            Some(s) => spec = Some(s),
            None => return Err(Error::not_found(format!("No module named {}", quote(name)))),
        }
    }
    spec.ok_or_else(|| Error::value("Empty module name"))
}

/// A finder over a fixed path that caches directory listings between
/// lookups, as importlib's FileFinders do: a directory is listed again only
/// when its modification time changed. Like importlib, a file created in a
/// directory within the file system's timestamp granularity of the previous
/// listing may go unseen until [`Finder::invalidate_caches`]. Lookups on one
/// finder from several threads are serialized.
pub struct Finder {
    path: Vec<Vec<u8>>,
    suffixes: Suffixes,
    cache: Mutex<(ListingCache, ZipCache, SnapCache)>,
    /// Snapshot mode: listings are trusted for this long.
    snapshot: Option<std::time::Duration>,
    /// Snapshot mode: the last walk_packages (see [`Finder::walk_packages`]).
    walked: Mutex<Option<listing::WalkSnapshot>>,
}

impl Finder {
    /// A finder over `path` (entries as `sys.path` holds them) recognising
    /// `suffixes`. Value error for a suffix [`Suffixes::validate`] refuses or
    /// an entry with a NUL.
    ///
    /// ```
    /// use pepkit::import::{Finder, ModuleKind, Suffixes};
    /// let dir = std::env::temp_dir().join(format!("pepkit-doc-finder-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("pkg"))?;
    /// std::fs::write(dir.join("pkg/__init__.py"), "")?;
    /// std::fs::write(dir.join("pkg/mod.py"), "")?;
    /// let finder = Finder::new(vec![dir.to_str().unwrap().into()], Suffixes::platform_default())?;
    /// let spec = finder.find_spec(b"pkg.mod")?;
    /// assert_eq!(spec.kind, ModuleKind::Source);
    /// assert_eq!(spec.origin, Some(dir.join("pkg/mod.py")));
    /// let names: Vec<_> = finder.walk_packages()?.into_iter().map(|m| m.name).collect();
    /// assert_eq!(names, [b"pkg".to_vec(), b"pkg.mod".to_vec()]);
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(path: Vec<Vec<u8>>, suffixes: Suffixes) -> Result<Finder> {
        suffixes.validate()?;
        check_entries(&path)?;
        Ok(Finder {
            path,
            suffixes,
            cache: Mutex::new((HashMap::new(), ZipCache::default(), HashMap::new())),
            snapshot: None,
            walked: Mutex::new(None),
        })
    }

    /// A snapshot finder, as type checkers and IDEs keep one: each directory
    /// is listed once with the type of every name, and a listing is trusted
    /// without any system call until it is `interval` old; then one `stat`
    /// compares the directory's mtime and the listing is read again only if
    /// it changed; an archive's index likewise (by size and mtime). [`Finder::invalidate_caches`] forgets every snapshot. While
    /// the snapshots are fresh, answers are those of a file system frozen at
    /// the time of the listings; a zero interval revalidates at every lookup.
    /// Its [`Finder::walk_packages`] keeps its last walk the same way.
    pub fn snapshot(path: Vec<Vec<u8>>, suffixes: Suffixes, interval: std::time::Duration) -> Result<Finder> {
        let mut finder = Finder::new(path, suffixes)?;
        finder.snapshot = Some(interval);
        Ok(finder)
    }

    /// [`find_spec`] over this finder's path, with its cached listings.
    pub fn find_spec(&self, fullname: &[u8]) -> Result<ModuleSpec> {
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let top: Vec<&[u8]> = self.path.iter().map(Vec::as_slice).collect();
        let (dirs, zips, snaps) = &mut *cache;
        let snap = self.snapshot.map(|interval| (snaps, std::time::Instant::now(), interval));
        let mut ctx =
            Lookup { probe: Probe::new(), cwd: None, suffixes: &self.suffixes, cache: Some(dirs), zips: Some(zips), snap, editables: &[] };
        resolve(&mut ctx, fullname, &top, &[])
    }

    /// The path entries this finder searches.
    pub fn path(&self) -> &[Vec<u8>] {
        &self.path
    }

    /// The suffixes this finder recognises.
    pub fn suffixes(&self) -> &Suffixes {
        &self.suffixes
    }

    /// A snapshot finder's revalidation interval; None for a plain finder.
    pub fn snapshot_interval(&self) -> Option<std::time::Duration> {
        self.snapshot
    }

    /// Forgets every cached listing (`importlib.invalidate_caches()`).
    pub fn invalidate_caches(&self) {
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.0.clear();
        cache.1.clear();
        cache.2.clear();
        *self.walked.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

/// `OsStr` of raw bytes.
pub(crate) fn os_str(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn redirected_specs() {
        let sfx = Suffixes::with_extensions(vec![b".cpython-312-x86_64-linux-gnu.so".to_vec(), b".abi3.so".to_vec(), b".so".to_vec()]);
        let spec = |name: &[u8], loc: &[u8]| redirected_spec(&sfx, name, loc);
        // A package: its directory is the search location; nothing is stat'ed.
        let p = spec(b"pkg", b"/nowhere/pkg/__init__.py").unwrap();
        assert_eq!((p.kind, p.loader), (ModuleKind::Package, Some(LoaderKind::Source)));
        assert_eq!(p.search_locations, Some(vec![PathBuf::from("/nowhere/pkg")]));
        let m = spec(b"m", b"/s/m.py").unwrap();
        assert_eq!((m.kind, m.origin, m.search_locations), (ModuleKind::Source, Some(PathBuf::from("/s/m.py")), None));
        assert_eq!(spec(b"m", b"/s/m.pyc").unwrap().kind, ModuleKind::Bytecode);
        assert_eq!(spec(b"p", b"/s/p/__init__.pyc").unwrap().kind, ModuleKind::Package);
        assert_eq!(spec(b"e", b"/s/e.abi3.so").unwrap().kind, ModuleKind::Extension);
        let ep = spec(b"e", b"/s/e/__init__.abi3.so").unwrap();
        assert_eq!((ep.kind, ep.loader), (ModuleKind::Package, Some(LoaderKind::Extension)));
        assert_eq!(spec(b"e", b"/s/e/__init__.x.so").unwrap().kind, ModuleKind::Extension);
        // '__init__' itself is a module; '__init__.x.py' is not a package file.
        assert_eq!(spec(b"__init__", b"/s/__init__.py").unwrap().kind, ModuleKind::Source);
        assert_eq!(spec(b"q", b"/s/__init__.x.py").unwrap().kind, ModuleKind::Source);
        // No loader for the suffix: no spec.
        assert!(spec(b"t", b"/s/t.txt").is_none());
        assert!(spec(b"t", b"/s/t").is_none());
    }

    fn tree() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pepkit-import-unit-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn touch(p: &Path) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, b"").unwrap();
    }

    #[test]
    fn namespace_spans_entries_and_package_stops() {
        let root = tree();
        let (a, b, c) = (root.join("a"), root.join("b"), root.join("c"));
        fs::create_dir_all(a.join("ns")).unwrap();
        fs::create_dir_all(b.join("ns")).unwrap();
        touch(&b.join("ns/mod.py"));
        touch(&c.join("ns/__init__.py"));
        let sfx = Suffixes::platform_default();
        let spec = find_spec(b"ns", &[&a, &b], &sfx).unwrap();
        assert_eq!(spec.kind, ModuleKind::Namespace);
        assert_eq!(spec.origin, None);
        assert_eq!(spec.search_locations, Some(vec![a.join("ns"), b.join("ns")]));
        let spec = find_spec(b"ns.mod", &[&a, &b], &sfx).unwrap();
        assert_eq!(spec.kind, ModuleKind::Source);
        assert_eq!(spec.origin, Some(b.join("ns/mod.py")));
        // A regular package after the portions does not stop them: importlib
        // returns the package as soon as it is found.
        let spec = find_spec(b"ns", &[&a, &c, &b], &sfx).unwrap();
        assert_eq!(spec.kind, ModuleKind::Package);
        assert_eq!(spec.search_locations, Some(vec![c.join("ns")]));
        let err = find_spec(b"ns.mod.x", &[&a, &b], &sfx).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::NotFound);
        assert!(err.message.contains("__path__ attribute not found on 'ns.mod'"), "{}", err.message);
        let err = find_spec(b"nope.x", &[&a, &b], &sfx).unwrap_err();
        assert_eq!(err.message, "No module named 'nope'");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn package_beats_module_beats_portion_in_one_directory() {
        let root = tree();
        fs::create_dir_all(root.join("p")).unwrap();
        touch(&root.join("p.py"));
        let sfx = Suffixes::platform_default();
        assert_eq!(find_spec(b"p", &[&root], &sfx).unwrap().kind, ModuleKind::Source);
        touch(&root.join("p/__init__.pyc"));
        let spec = find_spec(b"p", &[&root], &sfx).unwrap();
        assert_eq!((spec.kind, spec.loader), (ModuleKind::Package, Some(LoaderKind::Bytecode)));
        touch(&root.join("q.abi3.so"));
        touch(&root.join("q.py"));
        assert_eq!(find_spec(b"q", &[&root], &sfx).unwrap().kind, ModuleKind::Extension);
        assert!(find_spec(b"Q", &[&root], &sfx).is_err());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn bad_names() {
        let sfx = Suffixes::platform_default();
        let none: [&Path; 0] = [];
        for name in [&b""[..], b".a", b"a..b", b"a.", b"..", b"."] {
            assert_eq!(find_spec(name, &none, &sfx).unwrap_err().kind, crate::error::ErrorKind::Value, "{name:?}");
        }
        assert_eq!(find_spec(b"a/b", &none, &sfx).unwrap_err().kind, crate::error::ErrorKind::NotFound);
        assert_eq!(find_spec(b"a\0b", &none, &sfx).unwrap_err().kind, crate::error::ErrorKind::Value);
        let nul = [Path::new(os_str(b"/tmp\0x"))];
        assert_eq!(find_spec(b"a", &nul, &sfx).unwrap_err().kind, crate::error::ErrorKind::Value);
        assert!(Finder::new(vec![b"/tmp\0x".to_vec()], sfx.clone()).is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote(b"a'b\xff"), "'a\\'b\\xff'");
    }

    #[test]
    fn default_suffixes() {
        if cfg!(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu")) {
            assert_eq!(extension_suffixes_for(7)[0], b".cpython-37m-x86_64-linux-gnu.so");
            assert_eq!(extension_suffixes_for(13)[0], b".cpython-313-x86_64-linux-gnu.so");
        }
    }
}
