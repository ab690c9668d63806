//! Import resolution (PEP 420): `pepkit_find_spec` and the spec and string
//! list it hands out.

use std::ffi::{c_char, CString};

use super::{arg_cstr, arg_out, arg_ref, arg_slice, guard, guard_or, pepkit_status};
use crate::error::{Error, Result};
use super::venv::pepkit_venv;
use crate::import::{self, c_string, path_bytes, syspath, Finder, LoaderKind, ModuleKind, ModuleSpec, Suffixes};

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

impl pepkit_strings {
    pub(crate) fn new(items: Vec<CString>) -> pepkit_strings {
        pepkit_strings { items }
    }
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
        let origin = match &spec.origin {
            Some(p) => Some(c_string(path_bytes(p))?),
            None => None,
        };
        let locations = match &spec.search_locations {
            Some(list) => Some(list.iter().map(|p| c_string(path_bytes(p))).collect::<Result<Vec<_>>>()?),
            None => None,
        };
        Ok(pepkit_spec { name: c_string(&spec.name)?, kind: spec.kind, loader: spec.loader, origin, locations })
    }
}

/// Borrows `n` C strings at `ptr` (NULL only when `n` is 0); none may be NULL.
unsafe fn c_string_list<'a>(ptr: *const *const c_char, n: usize, what: &str) -> Result<Vec<&'a [u8]>> {
    let items = arg_slice(ptr, n, what)?;
    items
        .iter()
        .enumerate()
        .map(|(i, &p)| Ok(arg_cstr(p, &format!("{what}[{i}]"))?.to_bytes()))
        .collect()
}

unsafe fn find(
    fullname: *const c_char,
    path: *const *const c_char,
    npath: usize,
    suffixes: Option<Suffixes>,
    out: *mut *mut pepkit_spec,
) -> Result<()> {
    let name = arg_cstr(fullname, "fullname")?.to_bytes();
    let entries: Vec<&std::path::Path> =
        c_string_list(path, npath, "path")?.into_iter().map(|b| std::path::Path::new(import::os_str(b))).collect();
    let out = arg_out(out, "out")?;
    let suffixes = suffixes.unwrap_or_else(Suffixes::platform_default);
    let spec = pepkit_spec::of(import::find_spec(name, &entries, &suffixes)?)?;
    // SAFETY: out was checked non-NULL; it is written only on success.
    out.write(Box::into_raw(Box::new(spec)));
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
/// - Names match byte for byte (case-sensitive, as importlib on Linux). An
///   entry that is not a directory (missing, a file, a zip archive: pepkit has
///   no zipimport) is skipped, as is one that cannot be listed (no read
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
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_find_spec(
    fullname: *const c_char,
    path: *const *const c_char,
    npath: usize,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_find_spec", || find(fullname, path, npath, None, out))
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
        let ext = c_string_list(ext_suffixes, n_ext, "ext_suffixes")?;
        let suffixes = Suffixes::with_extensions(ext.into_iter().map(<[u8]>::to_vec).collect());
        find(fullname, path, npath, Some(suffixes), out)
    })
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
/// directory at each lookup.
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
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_new(
    path: *const *const c_char,
    npath: usize,
    ext_suffixes: *const *const c_char,
    n_ext: usize,
    out: *mut *mut pepkit_finder,
) -> pepkit_status {
    guard("pepkit_finder_new", || {
        let entries = c_string_list(path, npath, "path")?.into_iter().map(<[u8]>::to_vec).collect();
        let suffixes = if ext_suffixes.is_null() {
            if n_ext != 0 {
                return Err(Error::null_argument(format!("ext_suffixes must not be NULL when its length is {n_ext}")));
            }
            Suffixes::platform_default()
        } else {
            let ext = c_string_list(ext_suffixes, n_ext, "ext_suffixes")?;
            Suffixes::with_extensions(ext.into_iter().map(<[u8]>::to_vec).collect())
        };
        let out = arg_out(out, "out")?;
        let finder = pepkit_finder { inner: Finder::new(entries, suffixes)? };
        // SAFETY: out was checked non-NULL.
        out.write(Box::into_raw(Box::new(finder)));
        Ok(())
    })
}

/// pepkit_find_spec_ex(fullname, ...) over the finder's path and suffixes,
/// using and refreshing its cached listings. Statuses as pepkit_find_spec's.
/// `finder` and `fullname` are borrowed for the call. On success `*out` is a
/// new spec the caller owns (free it with pepkit_spec_free), independent of
/// the finder; on failure it is not written.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_find_spec(
    finder: *const pepkit_finder,
    fullname: *const c_char,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_finder_find_spec", || {
        let finder = arg_ref(finder, "finder")?;
        let name = arg_cstr(fullname, "fullname")?.to_bytes();
        let out = arg_out(out, "out")?;
        let spec = pepkit_spec::of(finder.inner.find_spec(name)?)?;
        // SAFETY: out was checked non-NULL.
        out.write(Box::into_raw(Box::new(spec)));
        Ok(())
    })
}

/// Forgets every cached listing of `finder` (importlib's
/// `invalidate_caches()`): the next lookups list the directories again.
/// `finder` is borrowed for the call.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_invalidate_caches(finder: *const pepkit_finder) -> pepkit_status {
    guard("pepkit_finder_invalidate_caches", || {
        arg_ref(finder, "finder")?.inner.invalidate_caches();
        Ok(())
    })
}

/// Frees a finder made by pepkit_finder_new. NULL is fine. Must not be
/// called twice with the same finder, nor while another thread uses it.
/// Specs it returned stay valid.
#[no_mangle]
pub unsafe extern "C" fn pepkit_finder_free(finder: *mut pepkit_finder) {
    guard_or("pepkit_finder_free", (), || {
        if !finder.is_null() {
            drop(Box::from_raw(finder));
        }
        Ok(())
    })
}

/// The extension suffixes pepkit_find_spec uses: those of a default CPython
/// 3.13 build on this platform, in order (on x86-64 Linux
/// `.cpython-313-x86_64-linux-gnu.so`, `.abi3.so`, `.so`).
///
/// On success `*out` is a new list the caller owns: free it with
/// pepkit_strings_free.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_default_extension_suffixes(out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_default_extension_suffixes", || {
        let out = arg_out(out, "out")?;
        let items = Suffixes::platform_default().extension.iter().map(|s| c_string(s)).collect::<Result<Vec<_>>>()?;
        // SAFETY: out was checked non-NULL.
        out.write(Box::into_raw(Box::new(pepkit_strings::new(items))));
        Ok(())
    })
}

/// The kind of module `spec` describes: PEPKIT_MODULE_SOURCE, _BYTECODE,
/// _EXTENSION, _PACKAGE (a regular package, whatever its `__init__` is) or
/// _NAMESPACE. PEPKIT_MODULE_NONE with PEPKIT_ERR_NULL_ARGUMENT in
/// pepkit_last_error() when `spec` is NULL. `spec` is borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_kind(spec: *const pepkit_spec) -> pepkit_module_kind {
    guard_or("pepkit_spec_kind", PEPKIT_MODULE_NONE, || Ok(module_kind(arg_ref(spec, "spec")?.kind)))
}

/// The loader importlib would pick for the file at the origin:
/// PEPKIT_MODULE_SOURCE, _BYTECODE or _EXTENSION. For a module this is its
/// kind; for a regular package, the kind of its `__init__` file; for a
/// namespace package PEPKIT_MODULE_NONE (it has no loader). Also
/// PEPKIT_MODULE_NONE, with PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL.
/// `spec` is borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_loader(spec: *const pepkit_spec) -> pepkit_module_kind {
    guard_or("pepkit_spec_loader", PEPKIT_MODULE_NONE, || Ok(loader_kind(arg_ref(spec, "spec")?.loader)))
}

/// The full dotted name that was looked up (`spec.name`). Borrowed from
/// `spec`: valid until pepkit_spec_free(spec); never free it. NULL, with
/// PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL.
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_name(spec: *const pepkit_spec) -> *const c_char {
    guard_or("pepkit_spec_name", std::ptr::null(), || Ok(arg_ref(spec, "spec")?.name.as_ptr()))
}

/// `spec.origin`: the file the loader would load (the `__init__` file of a
/// regular package), as an absolute path of bytes. NULL for a namespace
/// package, whose origin is None (CPython 3.7+; 3.6 said "namespace"); then
/// pepkit_last_error() is not changed. Also NULL, with
/// PEPKIT_ERR_NULL_ARGUMENT set, when `spec` is NULL. Borrowed from `spec`:
/// valid until pepkit_spec_free(spec); never free it.
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_origin(spec: *const pepkit_spec) -> *const c_char {
    guard_or("pepkit_spec_origin", std::ptr::null(), || {
        Ok(arg_ref(spec, "spec")?.origin.as_ref().map_or(std::ptr::null(), |o| o.as_ptr()))
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
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_search_locations(spec: *const pepkit_spec, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_spec_search_locations", || {
        let spec = arg_ref(spec, "spec")?;
        let out = arg_out(out, "out")?;
        let list = match &spec.locations {
            Some(items) => Box::into_raw(Box::new(pepkit_strings::new(items.clone()))),
            None => std::ptr::null_mut(),
        };
        // SAFETY: out was checked non-NULL.
        out.write(list);
        Ok(())
    })
}

/// Frees a spec made by pepkit_find_spec or pepkit_find_spec_ex, and with it
/// every string borrowed from it. NULL is fine. Must not be called twice with
/// the same spec.
#[no_mangle]
pub unsafe extern "C" fn pepkit_spec_free(spec: *mut pepkit_spec) {
    guard_or("pepkit_spec_free", (), || {
        if !spec.is_null() {
            drop(Box::from_raw(spec));
        }
        Ok(())
    })
}

/// The number of strings in `list`; 0, with PEPKIT_ERR_NULL_ARGUMENT set,
/// when `list` is NULL. `list` is borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_len(list: *const pepkit_strings) -> usize {
    guard_or("pepkit_strings_len", 0, || Ok(arg_ref(list, "list")?.items.len()))
}

/// String `index` of `list`, NUL-terminated (bytes; paths need not be
/// UTF-8). Borrowed from `list`: valid until pepkit_strings_free(list); never
/// free it. NULL with the error set when `list` is NULL
/// (PEPKIT_ERR_NULL_ARGUMENT) or `index` is not below its length
/// (PEPKIT_ERR_INDEX).
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_get(list: *const pepkit_strings, index: usize) -> *const c_char {
    guard_or("pepkit_strings_get", std::ptr::null(), || {
        let list = arg_ref(list, "list")?;
        list.items.get(index).map(|s| s.as_ptr()).ok_or_else(|| {
            Error::index(format!("string index {index} out of range for a list of {}", list.items.len()))
        })
    })
}

/// Frees a list a pepkit function returned, and with it every string
/// borrowed from it. NULL is fine. Must not be called twice with the same list.
#[no_mangle]
pub unsafe extern "C" fn pepkit_strings_free(list: *mut pepkit_strings) {
    guard_or("pepkit_strings_free", (), || {
        if !list.is_null() {
            drop(Box::from_raw(list));
        }
        Ok(())
    })
}

fn strings_out(out: *mut *mut pepkit_strings, items: Vec<CString>) {
    // SAFETY: callers checked out non-NULL.
    unsafe { out.write(Box::into_raw(Box::new(pepkit_strings::new(items)))) };
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
///   not run: pepkit_venv_pth_imports lists them.
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
/// found; PEPKIT_ERR_OS when a directory cannot be read for another reason
/// than missing or permissions.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_sys_path(v: *const pepkit_venv, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_venv_sys_path", || {
        let v = arg_ref(v, "v")?;
        let out = arg_out(out, "out")?;
        let sys_path = syspath::of_venv(v.inner())?;
        let items = sys_path.entries.iter().map(|p| c_string(path_bytes(p))).collect::<Result<Vec<_>>>()?;
        strings_out(out, items);
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
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_pth_imports(v: *const pepkit_venv, out: *mut *mut pepkit_strings) -> pepkit_status {
    guard("pepkit_venv_pth_imports", || {
        let v = arg_ref(v, "v")?;
        let out = arg_out(out, "out")?;
        let sys_path = syspath::of_venv(v.inner())?;
        let mut items = Vec::with_capacity(sys_path.pth_imports.len() * 2);
        for import in &sys_path.pth_imports {
            items.push(c_string(path_bytes(&import.file))?);
            items.push(c_string(&import.line)?);
        }
        strings_out(out, items);
        Ok(())
    })
}

/// pepkit_find_spec_ex over the env's import path (pepkit_venv_sys_path),
/// with the extension suffixes of a default CPython build of the env's
/// version on this platform (`.cpython-3XY-<triplet>.so`, `.abi3.so`,
/// `.so`): where `import fullname` in that env would come from. Statuses as
/// pepkit_find_spec's and pepkit_venv_sys_path's. `v` and `fullname` are
/// borrowed for the call. On success `*out` is a new spec the caller owns
/// (free it with pepkit_spec_free); on failure it is not written.
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_find_spec(
    v: *const pepkit_venv,
    fullname: *const c_char,
    out: *mut *mut pepkit_spec,
) -> pepkit_status {
    guard("pepkit_venv_find_spec", || {
        let v = arg_ref(v, "v")?;
        let name = arg_cstr(fullname, "fullname")?.to_bytes();
        let out = arg_out(out, "out")?;
        let (_, _, minor, _) = syspath::env_facts(v.inner())?;
        let sys_path = syspath::of_venv(v.inner())?;
        let suffixes = Suffixes::with_extensions(import::extension_suffixes_for(minor));
        let spec = pepkit_spec::of(import::find_spec(name, &sys_path.entries, &suffixes)?)?;
        // SAFETY: out was checked non-NULL.
        out.write(Box::into_raw(Box::new(spec)));
        Ok(())
    })
}
