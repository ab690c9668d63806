//! Import resolution (PEP 420): `pepkit_find_spec` and the spec and string
//! list it hands out.

use std::ffi::{c_char, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::handles::{free_box, give_box};
use super::owned::{c_path, c_string};
use super::venv::pepkit_venv;
use super::{arg_cstr, arg_out, arg_ref, arg_slice, guard, guard_or, pepkit_status};
use pepkit::error::{Error, Result};
use pepkit::import::{self, Finder, LoaderKind, ModuleInfo, ModuleKind, ModuleSpec, Suffixes};

/// The CPython minor version whose extension tag the defaults use.
pub const PEPKIT_DEFAULT_PYTHON_MINOR: u32 = 13;
const _: () = assert!(PEPKIT_DEFAULT_PYTHON_MINOR == import::PEPKIT_DEFAULT_PYTHON_MINOR);

/// What a pepkit_spec describes: one of the PEPKIT_MODULE_* values.
pub type pepkit_module_kind = i32;

/// Not a kind: returned with the error set when the spec is NULL, and by
/// pepkit_spec_loader for a namespace package (which has no loader).
pub const PEPKIT_MODULE_NONE: pepkit_module_kind = 0;
/// A `.py` source file (importlib's SourceFileLoader).
pub const PEPKIT_MODULE_SOURCE: pepkit_module_kind = 1;
/// A sourceless `.pyc` file beside no `.py` (SourcelessFileLoader).
pub const PEPKIT_MODULE_BYTECODE: pepkit_module_kind = 2;
/// An extension module, a file with one of the extension suffixes (ExtensionFileLoader).
pub const PEPKIT_MODULE_EXTENSION: pepkit_module_kind = 3;
/// A regular package: a directory with an `__init__` file of any loader suffix.
pub const PEPKIT_MODULE_PACKAGE: pepkit_module_kind = 4;
/// A namespace package (PEP 420): no `__init__`, no origin, one or more portions.
pub const PEPKIT_MODULE_NAMESPACE: pepkit_module_kind = 5;

/// Where a module would be imported from: importlib's `ModuleSpec` (name,
/// origin, submodule_search_locations) with the kind of module it is. Made by
/// pepkit_find_spec, read with the pepkit_spec_* functions, freed with
/// pepkit_spec_free. Immutable: a `const pepkit_spec *` may be read from
/// several threads at once.
pub struct pepkit_spec {
    name: CString,
    kind: ModuleKind,
    loader: Option<LoaderKind>,
    origin: Option<CString>,
    locations: Option<Vec<CString>>,
}

/// An immutable list of NUL-terminated byte strings (paths need not be UTF-8).
/// Read with pepkit_strings_len and pepkit_strings_get; free with
/// pepkit_strings_free. A `const pepkit_strings *` may be read from several
/// threads at once.
pub struct pepkit_strings {
    items: Vec<CString>,
}

fn module_kind(kind: ModuleKind) -> pepkit_module_kind {
    match kind {
        ModuleKind::Source => PEPKIT_MODULE_SOURCE,
        ModuleKind::Bytecode => PEPKIT_MODULE_BYTECODE,
        ModuleKind::Extension => PEPKIT_MODULE_EXTENSION,
        ModuleKind::Package => PEPKIT_MODULE_PACKAGE,
        ModuleKind::Namespace => PEPKIT_MODULE_NAMESPACE,
    }
}

fn loader_kind(kind: Option<LoaderKind>) -> pepkit_module_kind {
    match kind {
        Some(LoaderKind::Source) => PEPKIT_MODULE_SOURCE,
        Some(LoaderKind::Bytecode) => PEPKIT_MODULE_BYTECODE,
        Some(LoaderKind::Extension) => PEPKIT_MODULE_EXTENSION,
        None => PEPKIT_MODULE_NONE,
    }
}

impl pepkit_spec {
    fn of(spec: ModuleSpec) -> Result<pepkit_spec> {
        let origin = spec.origin.as_deref().map(c_path).transpose()?;
        let locations = match &spec.search_locations {
            Some(list) => Some(c_paths(list)?),
            None => None,
        };
        Ok(pepkit_spec { name: c_string(&spec.name, "module name")?, kind: spec.kind, loader: spec.loader, origin, locations })
    }
}

/// C strings of `paths`, the list reserved fallibly.
fn c_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<CString>> {
    let mut out = Vec::new();
    pepkit::raw::mem::reserve(&mut out, paths.len(), "a path list")?;
    for p in paths {
        out.push(c_path(p.as_ref())?);
    }
    Ok(out)
}

/// Borrows `n` C strings at `ptr` (NULL only when `n` is 0); none may be NULL.
///
/// # Safety
/// A non-NULL `ptr` points to `n` pointers, each NULL or a NUL-terminated
/// string, all valid for `'a`.
unsafe fn c_string_list<'a>(ptr: *const *const c_char, n: usize, what: &str) -> Result<Vec<&'a [u8]>> {
    // SAFETY: the caller's guarantee, passed on.
    let items = unsafe { arg_slice(ptr, n, what) }?;
    // Sized by the caller's count: reserved fallibly, and the per-entry name
    // for a message is only made when an entry is NULL.
    let mut out = Vec::new();
    pepkit::raw::mem::reserve(&mut out, items.len(), what)?;
    for (i, &p) in items.iter().enumerate() {
        // SAFETY: each entry is NULL or a NUL-terminated string (the caller's guarantee).
        let entry = if p.is_null() { unsafe { arg_cstr(p, &format!("{what}[{i}]")) }? } else { unsafe { arg_cstr(p, what) }? };
        out.push(entry.to_bytes());
    }
    Ok(out)
}

/// The path argument of a C call: `npath` entries at `path`.
///
/// # Safety
/// As [`c_string_list`].
unsafe fn path_arg<'a>(path: *const *const c_char, npath: usize) -> Result<Vec<&'a Path>> {
    // SAFETY: the caller's guarantee, passed on.
    let entries = unsafe { c_string_list(path, npath, "path") }?;
    Ok(entries.into_iter().map(|b| Path::new(std::ffi::OsStr::from_bytes(b))).collect())
}

/// `value` handed to the caller as a new handle in `*out` (checked non-NULL by `arg_out`).
fn give<T>(out: *mut *mut T, value: T) {
    // SAFETY: every caller got `out` from `arg_out`: non-NULL, and writable by
    // the C caller's contract.
    unsafe { give_box(out, value) }
}

/// pepkit_find_spec and _ex.
///
/// # Safety
/// `fullname` NULL or a NUL-terminated string, `path` as [`c_string_list`],
/// `out` NULL or writable.
unsafe fn find(
    fullname: *const c_char,
    path: *const *const c_char,
    npath: usize,
    suffixes: Option<Suffixes>,
    out: *mut *mut pepkit_spec,
) -> Result<()> {
    // SAFETY: the caller's guarantees, passed on.
    let name = unsafe { arg_cstr(fullname, "fullname") }?.to_bytes();
    // SAFETY: as above.
    let entries = unsafe { path_arg(path, npath) }?;
    let out = arg_out(out, "out")?;
    let suffixes = suffixes.unwrap_or_else(Suffixes::platform_default);
    let spec = pepkit_spec::of(import::find_spec(name, &entries, &suffixes)?)?;
    give(out, spec);
    Ok(())
}

/// `importlib.util.find_spec(fullname)` with `sys.path` set to the `npath`
/// entries of `path`, computed without Python: where the module, package or
/// namespace package `fullname` would be imported from, by the path-based
/// finder's rules (CPython 3.6-3.13 on Linux):
///
/// - Each entry in order: a directory `name` holding `__init__` plus any
///   loader suffix is a regular package (the search stops); else a file
///   `name` plus a suffix is a module (extension suffixes first, then `.py`,
///   then a sourceless `.pyc`; the search stops); else a directory `name` is
///   a namespace portion, recorded, and the search goes on. At the end the
///   portions make a namespace package.
/// - A dotted name resolves level by level through each parent's
///   submodule search locations; a parent that is a module, not a package,
///   has no submodules.
/// - An entry that names a zip archive, or a directory inside one
///   (`a.zip/sub`: going up from the entry while the path does not exist,
///   the first existing path is a regular zip file), is searched as
///   `zipimport` does: `n/__init__.pyc`, `n/__init__.py`, `n.pyc`, `n.py`
///   under the prefix, the first present deciding package or module and the
///   first whose code zipimport accepts being the origin (`.py` sources are
///   assumed to compile; a `.pyc` needs the magic number of the CPython
///   version the extension suffixes name, `.cpython-3XY`, 3.13 without one,
///   and must not be stale against a `.py` beside it); an explicit
///   directory member `n/` is a namespace portion. No extension modules
///   load from archives. Before 3.8 an archive with a trailing comment is
///   not an archive. Central directories over 64 MiB or over 2^20 members
///   are refused (PEPKIT_ERR_VALUE) rather than read.
/// - Names match byte for byte (case-sensitive, as importlib on Linux).
///   Other entries that are not directories (missing, files that are not
///   zip archives) are skipped, as is one that cannot be listed (no read
///   permission), as importlib does. An empty entry is the current directory;
///   relative entries are made absolute against it as CPython 3.12+ does.
/// - No `__init__` is run: a package that rewrites its own `__path__` is seen
///   with the path importlib starts from.
///
/// The extension suffixes are those of a default CPython 3.13 build on the
/// platform pepkit was built for (on x86-64 Linux:
/// `.cpython-313-x86_64-linux-gnu.so`, `.abi3.so`, `.so`; see
/// pepkit_default_extension_suffixes). To resolve as a given interpreter
/// does, pass its `importlib.machinery.EXTENSION_SUFFIXES` to
/// pepkit_find_spec_ex.
///
/// Errors: PEPKIT_ERR_NOT_FOUND when importlib would return None or raise
/// ModuleNotFoundError (the message reads like it: "No module named 'a.b'",
/// "__path__ attribute not found on 'a' while trying to find 'a.b'");
/// PEPKIT_ERR_VALUE for an empty name, an empty component ("a..b", "a.") or
/// a leading dot (relative names), which `importlib.import_module` refuses;
/// PEPKIT_ERR_NULL_ARGUMENT for a NULL `fullname`, `out`, `path` (unless
/// `npath` is 0) or `path[i]`; PEPKIT_ERR_OS when the current directory is
/// needed and unavailable, or a directory fails to open for another reason
/// than missing or permissions.
///
/// `fullname`, `path` and its strings are borrowed for the call; paths are
/// bytes and need not be UTF-8. On success `*out` is a new spec the caller
/// owns: free it with pepkit_spec_free. On failure `*out` is not written.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_find_spec(
    fullname: *const c_char,
    path: *const *const c_char,
    npath: usize,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    // SAFETY: the pointers are as the C documentation requires (the caller's contract).
    guard("pepkit_find_spec", || unsafe { find(fullname, path, npath, None, out) })
}

/// pepkit_find_spec with the extension suffixes given: the `n_ext` strings
/// of `ext_suffixes`, in the order the interpreter tries them (pass an
/// interpreter's `importlib.machinery.EXTENSION_SUFFIXES` to resolve as it
/// does). `ext_suffixes` may be NULL when `n_ext` is 0: no extension modules
/// at all. Each suffix must be non-empty without '/' (else PEPKIT_ERR_VALUE).
/// `.py` and `.pyc` are always recognised, after the extension suffixes.
///
/// Everything else, ownership included, is as for pepkit_find_spec:
/// `ext_suffixes` and its strings are borrowed for the call, and on success
/// `*out` is a new spec to free with pepkit_spec_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_find_spec_ex(
    fullname: *const c_char,
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_find_spec_ex", || {
        // SAFETY: the pointers are as the C documentation requires (the caller's contract).
        let ext = unsafe { c_string_list(ext_suffixes, n_ext, "ext_suffixes") }?;
        let suffixes = Suffixes::try_with_extensions(&ext)?;
        // SAFETY: as above.
        unsafe { find(fullname, path, npath, Some(suffixes), out) }
    })
}

/// The suffixes of a call that takes `ext_suffixes` and `n_ext`: NULL (with
/// `n_ext` 0) for the defaults, otherwise the extension suffixes given.
///
/// # Safety
/// As [`c_string_list`].
unsafe fn suffixes_arg(ext_suffixes: *const *const c_char, n_ext: usize) -> Result<Suffixes> {
    if ext_suffixes.is_null() {
        if n_ext != 0 {
            return Err(Error::null_argument(format!("ext_suffixes must not be NULL when its length is {n_ext}")));
        }
        return Ok(Suffixes::platform_default());
    }
    // SAFETY: the caller's guarantee, passed on.
    let ext = unsafe { c_string_list(ext_suffixes, n_ext, "ext_suffixes") }?;
    Suffixes::try_with_extensions(&ext)
}

/// pepkit_finder_new and _new_snapshot: a finder, a snapshot one when an interval is given.
///
/// # Safety
/// `path` and `ext_suffixes` as [`c_string_list`], `out` NULL or writable.
unsafe fn new_finder(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    snapshot: Option<std::time::Duration>,
    out: *mut *mut pepkit_finder,
) -> Result<()> {
    // SAFETY: the caller's guarantees, passed on.
    let given = unsafe { c_string_list(path, npath, "path") }?;
    let mut entries = Vec::new();
    pepkit::raw::mem::reserve(&mut entries, given.len(), "path")?;
    for entry in given {
        entries.push(pepkit::raw::mem::copy(entry, "a path entry")?);
    }
    // SAFETY: as above.
    let suffixes = unsafe { suffixes_arg(ext_suffixes, n_ext) }?;
    let out = arg_out(out, "out")?;
    let inner = match snapshot {
        Some(interval) => Finder::snapshot(entries, suffixes, interval)?,
        None => Finder::new(entries, suffixes)?,
    };
    give(out, pepkit_finder { inner });
    Ok(())
}

/// A finder over a fixed path that caches directory listings between
/// lookups, as importlib's FileFinders do (see pepkit_finder_new). Made by
/// pepkit_finder_new, freed with pepkit_finder_free. Lookups may come from
/// several threads at once; they are serialized.
pub struct pepkit_finder {
    inner: Finder,
}

/// A finder for many lookups over one path: pepkit_finder_find_spec gives
/// the answers of pepkit_find_spec_ex with the same path and suffixes, but
/// each directory is listed once and its listing kept while the directory's
/// modification time stays the same (importlib's own FileFinder cache), so a
/// lookup costs one `stat` per directory visited plus one per candidate file
/// found. As with importlib, a file added to a directory within the file
/// system's timestamp granularity of the previous listing can go unseen:
/// call pepkit_finder_invalidate_caches after changing the tree (importlib's
/// `invalidate_caches()`). Relative entries are resolved against the current
/// directory at each lookup. A zip archive's index is read once and kept
/// while the archive's size and modification time stay the same (one `stat`
/// a lookup), where zipimport keeps it until `invalidate_caches()`.
///
/// `ext_suffixes`: NULL for pepkit_find_spec's defaults (`n_ext` must then
/// be 0), otherwise the `n_ext` extension suffixes in order, as for
/// pepkit_find_spec_ex (`n_ext` 0 with a non-NULL pointer: no extension
/// modules). `path`, `ext_suffixes` and their strings are copied: they are
/// borrowed for the call only. Errors as pepkit_find_spec_ex's for the same
/// arguments.
///
/// On success `*out` is a new finder the caller owns: free it with
/// pepkit_finder_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_new(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_finder,
) -> pepkit_status {
    // SAFETY: the pointers are as the C documentation requires (the caller's contract).
    guard("pepkit_finder_new", || unsafe { new_finder(path, npath, ext_suffixes, n_ext, None, out) })
}

/// A snapshot finder, for tools that resolve many names against a tree that
/// changes rarely (type checkers, IDEs, linters): like pepkit_finder_new, but
/// each directory is listed once together with the type of every name, and
/// a listing is then trusted with no system call at all until it is
/// `interval_ms` milliseconds old; after that, one `stat` compares the
/// directory's modification time and the listing is read again only when it
/// changed. A zip archive's index is trusted the same way (then one `stat`
/// compares its size and mtime). pepkit_finder_invalidate_caches forgets
/// every snapshot at once (call it when the tool knows the tree changed, e.g. from a file watcher).
/// While a snapshot is fresh the answers are those of the tree as it was
/// when listed; with `interval_ms` 0 every lookup revalidates, and
/// UINT64_MAX never does until pepkit_finder_invalidate_caches. The default
/// finder (pepkit_finder_new) keeps importlib's exact per-call semantics.
///
/// Arguments, errors and ownership as pepkit_finder_new's: `path`,
/// `ext_suffixes` and their strings are borrowed for the call; on success
/// `*out` is a new finder the caller owns (free it with pepkit_finder_free),
/// used with pepkit_finder_find_spec and the other pepkit_finder_* calls.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_new_snapshot(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    interval_ms: u64,
    out: *mut *mut pepkit_finder,
) -> pepkit_status {
    guard("pepkit_finder_new_snapshot", || {
        let interval = Some(std::time::Duration::from_millis(interval_ms));
        // SAFETY: the pointers are as the C documentation requires (the caller's contract).
        unsafe { new_finder(path, npath, ext_suffixes, n_ext, interval, out) }
    })
}

/// pepkit_find_spec_ex(fullname, ...) over the finder's path and suffixes,
/// using and refreshing its cached listings. Statuses as pepkit_find_spec's.
/// `finder` and `fullname` are borrowed for the call. On success `*out` is a
/// new spec the caller owns (free it with pepkit_spec_free), independent of
/// the finder; on failure it is not written.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_find_spec(
    finder: *const pepkit_finder,
    fullname: *const c_char,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_finder_find_spec", || {
        // SAFETY: `finder` is NULL or a live handle (the caller's contract).
        let finder = unsafe { arg_ref(finder, "finder") }?;
        // SAFETY: `fullname` is NULL or a NUL-terminated string (the caller's contract).
        let name = unsafe { arg_cstr(fullname, "fullname") }?.to_bytes();
        let out = arg_out(out, "out")?;
        give(out, pepkit_spec::of(finder.inner.find_spec(name)?)?);
        Ok(())
    })
}

/// Forgets every cached listing of `finder` (importlib's
/// `invalidate_caches()`): the next lookups list the directories again.
/// `finder` is borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_invalidate_caches(finder: *const pepkit_finder) -> pepkit_status {
    guard("pepkit_finder_invalidate_caches", || {
        // SAFETY: `finder` is NULL or a live handle (the caller's contract).
        unsafe { arg_ref(finder, "finder") }?.inner.invalidate_caches();
        Ok(())
    })
}

/// Frees a finder made by pepkit_finder_new. NULL is fine. Must not be
/// called twice with the same finder, nor while another thread uses it.
/// Specs it returned stay valid.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_free(finder: *mut pepkit_finder) {
    guard_or("pepkit_finder_free", (), || {
        // SAFETY: `finder` is NULL or a handle from pepkit_finder_new* not yet freed (the caller's contract).
        unsafe { free_box(finder) };
        Ok(())
    })
}

/// The extension suffixes pepkit_find_spec uses: those of a default CPython
/// 3.13 build on this platform, in order (on x86-64 Linux
/// `.cpython-313-x86_64-linux-gnu.so`, `.abi3.so`, `.so`).
///
/// On success `*out` is a new list the caller owns: free it with
/// pepkit_strings_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_default_extension_suffixes(out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_default_extension_suffixes", || {
        let out = arg_out(out, "out")?;
        let items = Suffixes::platform_default().extension.iter().map(|s| c_string(s, "an extension suffix")).collect::<Result<Vec<_>>>()?;
        give(out, pepkit_strings { items });
        Ok(())
    })
}

/// The kind of module `spec` describes: PEPKIT_MODULE_SOURCE, _BYTECODE,
/// _EXTENSION, _PACKAGE (a regular package, whatever its `__init__` is) or
/// _NAMESPACE. PEPKIT_MODULE_NONE with PEPKIT_ERR_NULL_ARGUMENT in
/// pepkit_last_error() when `spec` is NULL. `spec` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_kind(spec: *const pepkit_spec) -> pepkit_module_kind {
    guard_or("pepkit_spec_kind", PEPKIT_MODULE_NONE, || Ok(module_kind(spec_ref(spec)?.kind)))
}

/// The loader importlib would pick for the file at the origin:
/// PEPKIT_MODULE_SOURCE, _BYTECODE or _EXTENSION. For a module this is its
/// kind; for a regular package, the kind of its `__init__` file; for a
/// namespace package PEPKIT_MODULE_NONE (it has no loader). Also
/// PEPKIT_MODULE_NONE, with PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL.
/// `spec` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_loader(spec: *const pepkit_spec) -> pepkit_module_kind {
    guard_or("pepkit_spec_loader", PEPKIT_MODULE_NONE, || Ok(loader_kind(spec_ref(spec)?.loader)))
}

/// The full dotted name that was looked up (`spec.name`). Borrowed from
/// `spec`: valid until pepkit_spec_free(spec); never free it. NULL, with
/// PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_name(spec: *const pepkit_spec) -> *const c_char {
    guard_or("pepkit_spec_name", std::ptr::null(), || Ok(spec_ref(spec)?.name.as_ptr()))
}

/// `spec.origin`: the file the loader would load (the `__init__` file of a
/// regular package), as an absolute path of bytes. NULL for a namespace
/// package, whose origin is None (CPython 3.7+; 3.6 said "namespace"); then
/// pepkit_last_error() is not changed. Also NULL, with
/// PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL. Borrowed from `spec`:
/// valid until pepkit_spec_free(spec); never free it.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_origin(spec: *const pepkit_spec) -> *const c_char {
    guard_or("pepkit_spec_origin", std::ptr::null(), || {
        Ok(spec_ref(spec)?.origin.as_ref().map_or(std::ptr::null(), |o| o.as_ptr()))
    })
}

/// `spec.submodule_search_locations`, the path its submodules are searched
/// on: for a regular package its directory (one entry), for a namespace
/// package its portions in path order (one or more; the same directory twice
/// if the path names it twice, as importlib does). For a module, which has
/// no submodules (importlib's None), `*out` is set to NULL and the call
/// succeeds.
///
/// On success `*out` is a new list the caller owns, independent of `spec`
/// (free it with pepkit_strings_free), or NULL for a module. `spec` is
/// borrowed for the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_search_locations(spec: *const pepkit_spec, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_spec_search_locations", || {
        let spec = spec_ref(spec)?;
        let out = arg_out(out, "out")?;
        match &spec.locations {
            Some(items) => give(out, pepkit_strings { items: items.clone() }),
            // SAFETY: `out` is non-NULL and writable (the caller's contract).
            None => unsafe { out.write(std::ptr::null_mut()) },
        }
        Ok(())
    })
}

/// Frees a spec made by pepkit_find_spec or pepkit_find_spec_ex, and with it
/// every string borrowed from it. NULL is fine. Must not be called twice with
/// the same spec.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_free(spec: *mut pepkit_spec) {
    guard_or("pepkit_spec_free", (), || {
        // SAFETY: `spec` is NULL or a spec pepkit made and not yet freed (the caller's contract).
        unsafe { free_box(spec) };
        Ok(())
    })
}

/// The number of strings in `list`; 0, with PEPKIT_ERR_NULL_ARGUMENT set,
/// when `list` is NULL. `list` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_len(list: *const pepkit_strings) -> usize {
    guard_or("pepkit_strings_len", 0, || Ok(list_ref(list)?.items.len()))
}

/// String `index` of `list`, NUL-terminated (bytes; paths need not be
/// UTF-8). Borrowed from `list`: valid until pepkit_strings_free(list); never
/// free it. NULL with the error set when `list` is NULL
/// (PEPKIT_ERR_NULL_ARGUMENT) or `index` is not below its length
/// (PEPKIT_ERR_INDEX).
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_get(list: *const pepkit_strings, index: usize) -> *const c_char {
    guard_or("pepkit_strings_get", std::ptr::null(), || {
        let list = list_ref(list)?;
        list.items.get(index).map(|s| s.as_ptr()).ok_or_else(|| {
            Error::index(format!("string index {index} out of range for a list of {}", list.items.len()))
        })
    })
}

/// Frees a list a pepkit function returned, and with it every string
/// borrowed from it. NULL is fine. Must not be called twice with the same list.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_free(list: *mut pepkit_strings) {
    guard_or("pepkit_strings_free", (), || {
        // SAFETY: `list` is NULL or a list pepkit made and not yet freed (the caller's contract).
        unsafe { free_box(list) };
        Ok(())
    })
}

/// The handle arguments of the read-only accessors, which C callers pass
/// as `const` pointers to handles pepkit made.
fn spec_ref<'a>(spec: *const pepkit_spec) -> Result<&'a pepkit_spec> {
    // SAFETY: the accessors' contract: NULL or a live spec.
    unsafe { arg_ref(spec, "spec") }
}

fn list_ref<'a, L>(list: *const L) -> Result<&'a L> {
    // SAFETY: the accessors' contract: NULL or a live list of this type.
    unsafe { arg_ref(list, "list") }
}

fn venv_ref<'a>(v: *const pepkit_venv) -> Result<&'a pepkit::venv::Venv> {
    // SAFETY: the venv functions' contract: NULL or a live handle.
    Ok(unsafe { arg_ref(v, "v") }?.inner())
}

/// The import path the env's interpreter starts with: its `sys.path`
/// without the script directory (`sys.path[1:]` under `python -c`),
/// computed from pyvenv.cfg and the files on disk without running anything:
///
/// - the base's `lib/pythonXY.zip` (listed whether it exists or not, as the
///   interpreter lists it), `lib/pythonX.Y` and `lib/pythonX.Y/lib-dynload`,
///   the base prefix being the first directory from pyvenv.cfg's `home`
///   upwards that holds `lib/pythonX.Y/os.py` (getpath's landmark);
/// - the env's `lib/pythonX.Y/site-packages` (and on Debian's python3 the
///   `dist-packages` directories its `site.py` adds);
/// - when `include-system-site-packages` is true (or missing, as `site`
///   takes it): the user site directory (`$PYTHONUSERBASE` or
///   `$HOME/.local`, `lib/pythonX.Y/site-packages`, when it is a directory,
///   the process's real and effective ids agree and `PYTHONNOUSERSITE` is
///   not set: read from this process's environment), then the base's site
///   directories (upstream `site-packages`; Debian's `/usr/local/lib/pythonX.Y/dist-packages`,
///   `/usr/lib/python3/dist-packages`, `/usr/lib/pythonX.Y/dist-packages`);
/// - after each site directory, the entries of its `.pth` files in sorted
///   order (names starting with '.' skipped from 3.13): comment and blank
///   lines skipped, relative entries joined to the site directory, each
///   normalized and added once, and only when it exists. `import` lines are
///   not run: pepkit_venv_pth_imports lists them. Lines are read as the
///   env's CPython version reads them: 3.13 decodes UTF-8 (a BOM dropped,
///   the locale encoding as fallback) and splits lines as `str.splitlines`
///   does (also at `\x0b`, `\x0c`, `\x1c`-`\x1e`, `\x85`, U+2028, U+2029);
///   3.6-3.12 decode the locale encoding (UTF-8 under a UTF-8 locale, in
///   UTF-8 mode and, from 3.7, under the C locale; ASCII for 3.6 under the C
///   locale; the locale is taken from this process's `LC_ALL`, `LC_CTYPE`,
///   `LANG` and `PYTHONUTF8`) and split at `\n`, `\r\n` and `\r` only.
///   Trailing whitespace is Python's (`str.rstrip`: Unicode spaces such as
///   U+00A0 and U+3000 too). A line that makes `site` raise ends its file
///   (a NUL in an import line; in a path on 3.6 and 3.7).
///
/// Matches the env interpreter's own `sys.path` for CPython 3.6-3.13 (see
/// tests/oracle/test_venv_sys_path.py) when it runs without `PYTHONPATH`,
/// `PYTHONHOME`, `-I`, `-S` or `-s`, and no `import` line or `sitecustomize`
/// changes the path. The zipimport entry and entries that are files are
/// kept, as the interpreter keeps them.
///
/// `v` is borrowed for the call. On success `*out` is a new list the caller
/// owns (free it with pepkit_strings_free). Errors: PEPKIT_ERR_NULL_ARGUMENT;
/// PEPKIT_ERR_NOT_FOUND when pyvenv.cfg has no `home` or no version can be
/// found; PEPKIT_ERR_VALUE when a `.pth` file does not decode in the
/// encoding the interpreter reads it with (the interpreter would fail to
/// start: `import site` raises UnicodeDecodeError); PEPKIT_ERR_OS when a
/// directory cannot be read for another reason than missing or permissions.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_sys_path(v: *const pepkit_venv, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_venv_sys_path", || {
        let v = venv_ref(v)?;
        let out = arg_out(out, "out")?;
        give(out, pepkit_strings { items: c_paths(&v.sys_path()?.entries)? });
        Ok(())
    })
}

/// The `import` lines of the `.pth` files pepkit_venv_sys_path reads, which
/// the env's interpreter would run at start-up and pepkit does not, in the
/// order the interpreter runs them: two strings per line, the `.pth` file's
/// path then the line (without its line break). The env's own `.pth` files
/// are read twice by `site` (once by `site.venv()`, once with the other
/// prefixes), so their lines appear twice, as the interpreter runs them
/// twice. An empty list when there is none.
///
/// `v` is borrowed for the call. On success `*out` is a new list the caller
/// owns (free it with pepkit_strings_free). Errors as pepkit_venv_sys_path's.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_pth_imports(v: *const pepkit_venv, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_venv_pth_imports", || {
        let v = venv_ref(v)?;
        let out = arg_out(out, "out")?;
        let imports = v.sys_path()?.pth_imports;
        let mut items = Vec::new();
        pepkit::raw::mem::reserve(&mut items, imports.len().saturating_mul(2), "the import lines")?;
        for import in &imports {
            items.push(c_path(&import.file)?);
            items.push(c_string(&import.line, "a .pth import line")?);
        }
        give(out, pepkit_strings { items });
        Ok(())
    })
}

/// pepkit_find_spec_ex over the env's import path (pepkit_venv_sys_path),
/// with the extension suffixes of a default CPython build of the env's
/// version on this platform (`.cpython-3XY-<triplet>.so`, `.abi3.so`,
/// `.so`): where `import fullname` in that env would come from. Editable
/// installs resolve too: `.pth` path entries (setuptools' src layout and
/// strict mode, hatchling, flit, pdm) are on the path, and setuptools'
/// `__editable___*_finder.py` modules that `.pth` import lines install are
/// read statically (their `MAPPING`, never run): a top-level name the path
/// does not resolve is looked up there, as the finder, which follows
/// PathFinder on the meta path, does (`<path>/__init__.py`, else `<path>`
/// with `.py`, `.pyc` or an extension suffix; an immediate child of a mapped
/// package in the mapped directory), and their `NAMESPACES` are namespace
/// packages at the placeholder entry `install()` appends to `sys.path`
/// (pepkit_venv_sys_path lists it too, as the interpreter does). The
/// `editables` package's `_editable_impl_*.py` bootstrap modules
/// (hatchling's dev-mode-exact, pdm-backend's editables mode) are read the
/// same way (their literal `map_module` calls; only when `editables` is
/// importable): a top-level name the path does not resolve is the mapped
/// file (a package when it is an `__init__` file), as RedirectingFinder,
/// appended to the meta path where the first such module runs, answers.
/// scikit-build-core's editable redirect is not read.
/// Statuses as
/// pepkit_find_spec's and pepkit_venv_sys_path's. `v` and `fullname` are
/// borrowed for the call. On success `*out` is a new spec the caller owns
/// (free it with pepkit_spec_free); on failure it is not written.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_find_spec(
    v: *const pepkit_venv,
    fullname: *const c_char,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_venv_find_spec", || {
        let v = venv_ref(v)?;
        // SAFETY: `fullname` is NULL or a NUL-terminated string (the caller's contract).
        let name = unsafe { arg_cstr(fullname, "fullname") }?.to_bytes();
        let out = arg_out(out, "out")?;
        give(out, pepkit_spec::of(v.find_spec(name)?)?);
        Ok(())
    })
}

/// A list of modules found without importing anything (pepkit_iter_modules,
/// pepkit_walk_packages and their finder and venv forms): for each, its
/// dotted name, its kind and the path entry it was found in. Read with
/// pepkit_modules_len, _name, _kind and _location; free with
/// pepkit_modules_free. Immutable: a `const pepkit_modules *` may be read
/// from several threads at once.
pub struct pepkit_modules {
    items: Vec<(CString, pepkit_module_kind, CString)>,
}

/// A listing handed to the caller in `*out` (checked non-NULL by `arg_out`).
fn modules_out(out: *mut *mut pepkit_modules, list: Result<Vec<ModuleInfo>>) -> Result<()> {
    let list = list?;
    let mut items = Vec::new();
    items.try_reserve_exact(list.len()).map_err(|_| Error::no_memory("out of memory listing modules"))?;
    for info in list {
        let name = c_string(&info.name, "a module name")?;
        items.push((name, module_kind(info.kind), c_string(&info.location, "a path entry")?));
    }
    give(out, pepkit_modules { items });
    Ok(())
}

/// A listing of the safe crate over a path with suffixes.
type Listing = fn(&[&[u8]], &Suffixes) -> Result<Vec<ModuleInfo>>;

/// pepkit_iter_modules and pepkit_walk_packages: `list` run over the path and suffixes given.
///
/// # Safety
/// `path` and `ext_suffixes` as [`c_string_list`], `out` NULL or writable.
unsafe fn list_call(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_modules,
    list: Listing,
) -> Result<()> {
    // SAFETY: the caller's guarantees, passed on.
    let entries = unsafe { c_string_list(path, npath, "path") }?;
    // SAFETY: as above.
    let suffixes = unsafe { suffixes_arg(ext_suffixes, n_ext) }?;
    let out = arg_out(out, "out")?;
    modules_out(out, list(&entries, &suffixes))
}

/// What `pkgutil.iter_modules(path)` lists, computed without importing:
/// the modules and packages directly in the `npath` entries of `path`, in
/// pkgutil's order (entry by entry, each directory's names sorted as Python
/// sorts strings; the first of a name wins), plus the namespace packages
/// pkgutil leaves out, marked PEPKIT_MODULE_NAMESPACE (a directory with no
/// `.` in its name and no `__init__` file, unless a later entry has a module
/// or package of that name, which importlib would load instead). The kind
/// of the others: PEPKIT_MODULE_PACKAGE (pkgutil's `ispkg`: the directory
/// holds something named `__init__` plus a loader suffix) or the kind its
/// suffix gives (SOURCE, BYTECODE, EXTENSION; the longest suffix that ends
/// the name decides, as `inspect.getmodulename` does). An entry naming a
/// zip archive (or `a.zip/sub`) that zipimport of the suffixes' CPython
/// takes is listed as pkgutil's `iter_zipimport_modules` lists it (member
/// names sorted; `n/__init__.py*` is package `n`; members directly under
/// the prefix by `inspect.getmodulename`), its explicit directory members
/// pkgutil leaves out marked PEPKIT_MODULE_NAMESPACE. Other entries that are
/// not directories (missing, files) list nothing. PEPKIT_ERR_VALUE too for
/// an archive beyond pepkit's bounds (central directory over 64 MiB or
/// 2^20 members).
///
/// `ext_suffixes`: NULL for pepkit_find_spec's defaults (`n_ext` must then
/// be 0), otherwise the `n_ext` extension suffixes of the interpreter to
/// mirror (its `importlib.machinery.EXTENSION_SUFFIXES`); `.py` and `.pyc`
/// always count.
///
/// `path`, `ext_suffixes` and their strings are borrowed for the call. On
/// success `*out` is a new list the caller owns: free it with
/// pepkit_modules_free. Errors: PEPKIT_ERR_NULL_ARGUMENT, PEPKIT_ERR_VALUE
/// (a bad suffix), PEPKIT_ERR_NO_MEMORY, PEPKIT_ERR_OS (no current directory
/// for a relative entry). On failure `*out` is not written.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_iter_modules(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_modules,
) -> pepkit_status {
    guard("pepkit_iter_modules", || {
        // SAFETY: the pointers are as the C documentation requires (the caller's contract).
        unsafe { list_call(path, npath, ext_suffixes, n_ext, out, |path, suffixes| import::iter_modules(path, b"", suffixes)) }
    })
}

/// What `pkgutil.walk_packages(path)` lists, computed without importing or
/// running any `__init__`: pepkit_iter_modules' list, with each package
/// followed by the walk of its submodule search locations (names prefixed
/// with the package's name and a dot), depth first. A package's search
/// locations are those pepkit_find_spec gives for its name over `path`
/// (what `__import__` would set as `__path__` when no `__init__` changes
/// it); a namespace package is walked over all its portions (pkgutil skips
/// namespace packages); a location already walked is not walked again, and
/// a package importlib would not find is not entered, as in pkgutil.
///
/// Arguments, ownership and errors as pepkit_iter_modules': on success
/// `*out` is a new list to free with pepkit_modules_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_walk_packages(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_modules,
) -> pepkit_status {
    guard("pepkit_walk_packages", || {
        // SAFETY: the pointers are as the C documentation requires (the caller's contract).
        unsafe { list_call(path, npath, ext_suffixes, n_ext, out, |path, suffixes| import::walk_packages(path, suffixes)) }
    })
}

/// pepkit_iter_modules over a finder's path and suffixes. `finder` is
/// borrowed for the call; on success `*out` is a new list to free with
/// pepkit_modules_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_iter_modules(finder: *const pepkit_finder, out: *mut *mut pepkit_modules) -> pepkit_status {
    guard("pepkit_finder_iter_modules", || {
        // SAFETY: `finder` is NULL or a live handle (the caller's contract).
        let finder = unsafe { arg_ref(finder, "finder") }?;
        modules_out(arg_out(out, "out")?, finder.inner.iter_modules())
    })
}

/// pepkit_walk_packages over a finder's path and suffixes. A snapshot
/// finder (pepkit_finder_new_snapshot) keeps its last walk: while it is
/// younger than the interval it is returned again with no system call, then
/// one stat of each directory and archive it read tells whether to walk
/// again; pepkit_finder_invalidate_caches forgets it. `finder` is borrowed
/// for the call; on success `*out` is a new list (a copy: the finder keeps
/// its own) to free with pepkit_modules_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_walk_packages(finder: *const pepkit_finder, out: *mut *mut pepkit_modules) -> pepkit_status {
    guard("pepkit_finder_walk_packages", || {
        // SAFETY: `finder` is NULL or a live handle (the caller's contract).
        let finder = unsafe { arg_ref(finder, "finder") }?;
        modules_out(arg_out(out, "out")?, finder.inner.walk_packages())
    })
}

/// pepkit_iter_modules over the env's import path (pepkit_venv_sys_path)
/// with the extension suffixes of its CPython version: the top-level modules
/// `import` could load in that env (stdlib and site-packages included).
/// `v` is borrowed for the call; on success `*out` is a new list to free with
/// pepkit_modules_free. Errors as pepkit_venv_sys_path's and pepkit_iter_modules'.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_iter_modules(v: *const pepkit_venv, out: *mut *mut pepkit_modules) -> pepkit_status {
    guard("pepkit_venv_iter_modules", || {
        let v = venv_ref(v)?;
        modules_out(arg_out(out, "out")?, v.iter_modules())
    })
}

/// pepkit_walk_packages over the env's import path with the extension
/// suffixes of its CPython version. `v` is borrowed for the call; on success
/// `*out` is a new list to free with pepkit_modules_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_walk_packages(v: *const pepkit_venv, out: *mut *mut pepkit_modules) -> pepkit_status {
    guard("pepkit_venv_walk_packages", || {
        let v = venv_ref(v)?;
        modules_out(arg_out(out, "out")?, v.walk_packages())
    })
}

/// The number of modules in `list`; 0, with PEPKIT_ERR_NULL_ARGUMENT set,
/// when `list` is NULL. `list` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_modules_len(list: *const pepkit_modules) -> usize {
    guard_or("pepkit_modules_len", 0, || Ok(list_ref(list)?.items.len()))
}

fn module_at<'a>(list: *const pepkit_modules, index: usize) -> Result<&'a (CString, pepkit_module_kind, CString)> {
    let list = list_ref(list)?;
    list.items
        .get(index)
        .ok_or_else(|| Error::index(format!("module index {index} out of range for a list of {}", list.items.len())))
}

/// The dotted name of module `index` of `list`. Borrowed from `list`: valid
/// until pepkit_modules_free(list); never free it. NULL with the error set
/// when `list` is NULL (PEPKIT_ERR_NULL_ARGUMENT) or `index` is not below
/// its length (PEPKIT_ERR_INDEX).
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_modules_name(list: *const pepkit_modules, index: usize) -> *const c_char {
    guard_or("pepkit_modules_name", std::ptr::null(), || Ok(module_at(list, index)?.0.as_ptr()))
}

/// The kind of module `index` of `list`: PEPKIT_MODULE_PACKAGE,
/// _NAMESPACE, or for a module the kind its suffix gives (_SOURCE,
/// _BYTECODE, _EXTENSION). PEPKIT_MODULE_NONE with the error set when
/// `list` is NULL or `index` is out of range. `list` is borrowed for the call.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_modules_kind(list: *const pepkit_modules, index: usize) -> pepkit_module_kind {
    guard_or("pepkit_modules_kind", PEPKIT_MODULE_NONE, || Ok(module_at(list, index)?.1))
}

/// The path entry (for a walk, the package's search location) module
/// `index` was found in, as given. Borrowed from `list`: valid until
/// pepkit_modules_free(list); never free it. NULL with the error set when
/// `list` is NULL or `index` is out of range.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_modules_location(list: *const pepkit_modules, index: usize) -> *const c_char {
    guard_or("pepkit_modules_location", std::ptr::null(), || Ok(module_at(list, index)?.2.as_ptr()))
}

/// Frees a list of modules, and with it every string borrowed from it.
/// NULL is fine. Must not be called twice with the same list.
#[doc = c_safety!()]
#[no_mangle]
pub unsafe extern "C" fn pepkit_modules_free(list: *mut pepkit_modules) {
    guard_or("pepkit_modules_free", (), || {
        // SAFETY: `list` is NULL or a list pepkit made and not yet freed (the caller's contract).
        unsafe { free_box(list) };
        Ok(())
    })
}

/// pepkit_module_name and _ex.
///
/// # Safety
/// `file` NULL or a NUL-terminated string, `path` as [`c_string_list`],
/// `out` NULL or writable.
unsafe fn module_name_call(
    file: *const c_char,
    path: *const *const c_char,
    npath: usize,
    suffixes: Suffixes,
    out: *mut *mut c_char,
) -> Result<()> {
    // SAFETY: the caller's guarantees, passed on.
    let file = unsafe { arg_cstr(file, "file") }?.to_bytes();
    // SAFETY: as above.
    let entries = unsafe { c_string_list(path, npath, "path") }?;
    let out = arg_out(out, "out")?;
    let name = import::module_name(file, &entries, &suffixes)?;
    // name holds no NUL: its parts come from a C string.
    let p = super::owned::owned_c_string(&name)?;
    // SAFETY: `out` is non-NULL and writable (the caller's contract).
    unsafe { out.write(p) };
    Ok(())
}

/// The dotted name under which importlib would load `file` with `sys.path`
/// set to the `npath` entries of `path`: the first name, over the entries in
/// order, that `file`'s path below an entry spells (`a/b/m.py` is `a.b.m`,
/// `a/b/__init__.py` is `a.b`) and for which pepkit_find_spec gives `file`
/// as the origin. Paths are compared after `os.path.normpath` (relative ones
/// made absolute against the current directory), links not resolved; the
/// extension suffixes are pepkit_find_spec's defaults (see
/// pepkit_module_name_ex to choose them).
///
/// Errors: PEPKIT_ERR_NOT_FOUND when no name imports `file`: it lies under
/// no entry, or each name it could have resolves elsewhere — the message
/// names what shadows it (`'a.m' is '/first/entry/a/m.py'`, a namespace
/// package, or why the name is not found); PEPKIT_ERR_VALUE when `file` is
/// empty or its name ends with no loader suffix; PEPKIT_ERR_NULL_ARGUMENT.
///
/// `file`, `path` and its strings are borrowed for the call. On success
/// `*out` is a new NUL-terminated string the caller owns: free it with
/// pepkit_free. On failure `*out` is not written.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_module_name(
    file: *const c_char,
    path: *const *const c_char,
    npath: usize,
    out: *mut *mut c_char,
) -> pepkit_status {
    // SAFETY: the pointers are as the C documentation requires (the caller's contract).
    guard("pepkit_module_name", || unsafe { module_name_call(file, path, npath, Suffixes::platform_default(), out) })
}

/// pepkit_module_name with the extension suffixes given (NULL with `n_ext`
/// 0 for the defaults), as for pepkit_iter_modules. Ownership as
/// pepkit_module_name's: on success `*out` is a new string to free with
/// pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_module_name_ex(
    file: *const c_char,
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut c_char,
) -> pepkit_status {
    guard("pepkit_module_name_ex", || {
        // SAFETY: the pointers are as the C documentation requires (the caller's contract).
        let suffixes = unsafe { suffixes_arg(ext_suffixes, n_ext) }?;
        // SAFETY: as above.
        unsafe { module_name_call(file, path, npath, suffixes, out) }
    })
}
