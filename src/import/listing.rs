//! Listing modules without importing them (`pkgutil.iter_modules` and
//! `walk_packages`), and the reverse lookup from a file to the dotted name
//! importlib would load it as.
//!
//! `pkgutil.iter_modules(path)` (CPython 3.6-3.13, FileFinder entries):
//!
//! * An entry that is not a directory yields nothing unless it names a zip
//!   archive (or `archive.zip/sub`) zipimport takes (see [`super::zip`]);
//!   then `iter_zipimport_modules` lists it, the same in every version:
//!   the archive's member names sorted (code points), those under the
//!   prefix split at '/'; `n/__init__.py*` (any member whose name starts
//!   so, even `__init__.pyx`) yields package `n` (whatever `n` is), a member
//!   directly under the prefix yields `inspect.getmodulename` of it when
//!   that is not `__init__` and has no '.', first of a name wins. Member
//!   names are those zipimport decodes (UTF-8 or code page 437, see
//!   [`super::zip`]).
//! * A directory's names are sorted as Python sorts `str` (code points of
//!   the file-system decoding, undecodable bytes as U+DC80-U+DCFF), and for
//!   each one `inspect.getmodulename` strips the longest loader suffix that
//!   ends it (a directory called `x.py` counts as module `x`). `__init__` is
//!   skipped; a suffix-less name with no `.` that is a directory is a
//!   package when anything in it is named `__init__` plus a suffix, and
//!   otherwise not listed; a name with a `.` left is not listed. Within one
//!   directory and across entries the first of a name wins.
//!
//! pepkit adds what pkgutil skips: a directory that is not a package is a
//! namespace portion, listed as [`ModuleKind::Namespace`] unless a later
//! entry holds a module or package of that name (importlib then loads that).
//! Inside an archive the same holds for an explicit directory member
//! `prefix/n/` (zipimport sees no implied directories) that pkgutil does not
//! list as a module or package.
//!
//! `walk_packages(path)` yields each module and, after a package, walks the
//! package's search locations: `pkgutil` imports the package to read its
//! `__path__`; pepkit asks [`find_spec`] (never running an `__init__`), so
//! the walk equals pkgutil's on trees whose `__init__` files do not change
//! `__path__`. Namespace packages are walked too (across all portions).
//! As in pkgutil, a search location already walked among one level's
//! packages is not walked again, and a package importlib cannot find is
//! skipped. One walk reads the tree as it stands when the walk starts.

use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::rc::Rc;

use std::time::{Duration, Instant};

use super::{entry_base, find_spec, os_str, quote, split_name, FileType, Finder, LoaderKind, ModuleKind, Probe, Suffixes};
use crate::error::{Error, ErrorKind, Result};

/// One module a listing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The dotted name (with the parent package's name in a walk).
    pub name: Vec<u8>,
    /// Package, Namespace, or the module's loader kind by its suffix.
    pub kind: ModuleKind,
    /// The path entry (or search location) it was found in, as given.
    pub location: Vec<u8>,
}

impl ModuleInfo {
    /// What pkgutil's `ModuleInfo.ispkg` says (namespace packages are not in pkgutil's lists).
    pub fn is_package(&self) -> bool {
        matches!(self.kind, ModuleKind::Package | ModuleKind::Namespace)
    }
}

/// The key Python sorts an `os.listdir` name by: its code points after
/// `os.fsdecode` (UTF-8 with surrogateescape).
fn py_sort_key(name: &[u8]) -> Vec<u32> {
    let mut key = Vec::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        key.extend(chunk.valid().chars().map(u32::from));
        key.extend(chunk.invalid().iter().map(|&b| 0xdc00 + u32::from(b)));
    }
    key
}

/// Every loader suffix, longest first (ties by code point), with its kind:
/// the order `inspect.getmodulename` tries them in.
fn suffix_order(suffixes: &Suffixes) -> Vec<(&[u8], LoaderKind)> {
    let mut all: Vec<(&[u8], LoaderKind)> = suffixes
        .source
        .iter()
        .map(|s| (s.as_slice(), LoaderKind::Source))
        .chain(suffixes.bytecode.iter().map(|s| (s.as_slice(), LoaderKind::Bytecode)))
        .chain(suffixes.extension.iter().map(|s| (s.as_slice(), LoaderKind::Extension)))
        .collect();
    all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| py_sort_key(a.0).cmp(&py_sort_key(b.0))));
    all
}

/// `inspect.getmodulename`: the name without the first suffix (of `order`) that ends it.
fn module_name_of<'a>(file: &'a [u8], order: &[(&[u8], LoaderKind)]) -> Option<(&'a [u8], LoaderKind)> {
    order.iter().find(|(s, _)| file.ends_with(s)).map(|&(s, k)| (&file[..file.len() - s.len()], k))
}

/// Python's order of two `os.listdir` names ([`py_sort_key`], without building the keys).
fn py_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // Where the names first differ in ASCII bytes (or one ends there), the
    // common bytes before decode alike in both and the ASCII bytes decide:
    // an ASCII byte never continues a UTF-8 sequence.
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (x, y) = (a.get(common), b.get(common));
    if x.is_none_or(u8::is_ascii) && y.is_none_or(u8::is_ascii) {
        return x.cmp(&y);
    }
    fn units(name: &[u8]) -> impl Iterator<Item = u32> + '_ {
        name.utf8_chunks().flat_map(|chunk| {
            chunk.valid().chars().map(u32::from).chain(chunk.invalid().iter().map(|&b| 0xdc00 + u32::from(b)))
        })
    }
    units(a).cmp(units(b))
}

/// A directory's names, each with its type (links followed, as `stat`
/// says), sorted as Python sorts them; `None` when it cannot be listed.
type Names = Option<Rc<Vec<(Vec<u8>, FileType)>>>;

/// What a sorted listing holds for `stem`: whether `stem` is a directory,
/// and whether `stem` plus one of `suffixes` is a file.
fn probe_stem(names: &[(Vec<u8>, FileType)], stem: &[u8], suffixes: &Suffixes, key: &mut Vec<u8>) -> (bool, bool) {
    if std::str::from_utf8(stem).is_err() {
        // Names starting with an undecodable stem need not sort together.
        let is_dir = lookup(names, stem) == Some(FileType::Dir);
        let file = suffixes.loaders().any(|(suffix, _)| {
            key.clear();
            key.extend_from_slice(stem);
            key.extend_from_slice(suffix);
            lookup(names, key) == Some(FileType::File)
        });
        return (is_dir, file);
    }
    // A UTF-8 stem ends on a character: the names it begins sort together,
    // from where the stem itself would be.
    let start = names.partition_point(|(n, _)| py_cmp(n, stem) == std::cmp::Ordering::Less);
    let (mut is_dir, mut file) = (false, false);
    for (name, kind) in names[start..].iter().take_while(|(n, _)| n.starts_with(stem)) {
        let rest = &name[stem.len()..];
        if rest.is_empty() {
            is_dir |= *kind == FileType::Dir;
        } else if *kind == FileType::File && suffixes.loaders().any(|(suffix, _)| suffix == rest) {
            file = true;
        }
    }
    (is_dir, file)
}

/// The type of `name` in a sorted listing.
fn lookup(names: &[(Vec<u8>, FileType)], name: &[u8]) -> Option<FileType> {
    names.binary_search_by(|(n, _)| py_cmp(n, name)).ok().map(|i| names[i].1)
}

/// An archive's member names, sorted; `None` when it is no archive zipimport takes.
type Members = Option<Rc<Vec<Vec<u8>>>>;

/// Listings by directory and by archive: one walk lists each directory
/// once (the listing that tells whether a directory is a package serves
/// its walk too) and reads each archive's index once.
#[derive(Default)]
struct DirCache {
    dirs: HashMap<Vec<u8>, Names>,
    zips: HashMap<Vec<u8>, Members>,
}

impl DirCache {
    fn new() -> DirCache {
        DirCache::default()
    }
}

fn list_dir(cache: &mut DirCache, dir: &[u8]) -> Result<Names> {
    if let Some(names) = cache.dirs.get(dir) {
        return Ok(names.clone());
    }
    let names = match std::fs::read_dir(os_str(dir)) {
        // pkgutil: "except OSError: filenames = []"; a missing or non-directory
        // entry has no importer at all. Either way, nothing.
        Err(_) => None,
        Ok(entries) => {
            let mut names = Vec::new();
            let mut probe = Probe::new();
            let mut utf8 = true;
            for entry in entries {
                let Ok(entry) = entry else { continue };
                let name = entry.file_name().into_vec();
                // As the snapshot finder types a name (read_typed_listing).
                let kind = probe.entry_type(dir, &entry, &name);
                utf8 &= std::str::from_utf8(&name).is_ok();
                names.try_reserve(1).map_err(|_| Error::no_memory(format!("out of memory listing {}", quote(dir))))?;
                names.push((name, kind));
            }
            if utf8 {
                // UTF-8 bytes sort as their code points; names are unique.
                names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            } else {
                names.sort_by_cached_key(|n| py_sort_key(&n.0));
            }
            Some(Rc::new(names))
        }
    };
    cache.dirs.insert(dir.to_vec(), names.clone());
    Ok(names)
}

/// The sorted member names of `archive` (as zipimport of CPython 3.`minor`
/// indexes it), read once per cache.
fn zip_members(cache: &mut DirCache, archive: &[u8], minor: u32) -> Result<Members> {
    if let Some(members) = cache.zips.get(archive) {
        return Ok(members.clone());
    }
    let members = match super::zip::open_zip(archive, minor)? {
        None => None,
        Some(z) => {
            let mut names = Vec::new();
            names.try_reserve_exact(z.index.files.len()).map_err(|_| Error::no_memory("out of memory listing a zip archive"))?;
            // The index's keys move out: no copy per member.
            names.extend(z.index.files.into_keys());
            // pkgutil sorts str names; UTF-8 bytes sort as their code points.
            names.sort_unstable();
            Some(Rc::new(names))
        }
    };
    cache.zips.insert(archive.to_vec(), members.clone());
    Ok(members)
}

/// `iter_zipimport_modules` of the archive (and prefix) `dir` names, with
/// namespace portions (explicit directory members pkgutil does not list).
fn list_zip_entry(
    cache: &mut DirCache,
    dir: &[u8],
    order: &[(&[u8], LoaderKind)],
    minor: u32,
) -> Result<Vec<(Vec<u8>, ModuleKind)>> {
    let Some((archive, prefix)) = super::zip::split_archive(dir) else {
        return Ok(Vec::new());
    };
    let Some(members) = zip_members(cache, &archive, minor)? else {
        return Ok(Vec::new());
    };
    let mut yielded: HashSet<&[u8]> = HashSet::new();
    let mut out: Vec<(Vec<u8>, ModuleKind)> = Vec::new();
    let oom = || Error::no_memory("out of memory listing modules");
    for member in members.iter() {
        let Some(rel) = member.strip_prefix(prefix.as_slice()) else { continue };
        let (first, rest) = match rel.iter().position(|&b| b == b'/') {
            Some(cut) => (&rel[..cut], Some(&rel[cut + 1..])),
            None => (rel, None),
        };
        match rest {
            // `fn[1]` of a two-part name: a package's `__init__`, or an
            // explicit directory member (a namespace portion unless listed).
            Some(rest) if !rest.contains(&b'/') => {
                if rest.starts_with(b"__init__.py") && yielded.insert(first) {
                    out.try_reserve(1).map_err(|_| oom())?;
                    out.push((first.to_vec(), ModuleKind::Package));
                } else if rest.is_empty() && !first.is_empty() && !first.contains(&b'.') && first != b"__init__" {
                    out.try_reserve(1).map_err(|_| oom())?;
                    out.push((first.to_vec(), ModuleKind::Namespace));
                }
            }
            Some(_) => {}
            None => {
                let Some((stem, loader)) = module_name_of(first, order) else { continue };
                if stem.is_empty() || stem == b"__init__" || stem.contains(&b'.') || !yielded.insert(stem) {
                    continue;
                }
                out.try_reserve(1).map_err(|_| oom())?;
                out.push((stem.to_vec(), loader.module_kind()));
            }
        }
    }
    out.retain(|(name, kind)| *kind != ModuleKind::Namespace || !yielded.contains(name.as_slice()));
    Ok(out)
}

/// `_iter_file_finder_modules` of one directory, or `iter_zipimport_modules`
/// of an archive, with namespace portions.
fn list_entry(
    cache: &mut DirCache,
    base: &[u8],
    order: &[(&[u8], LoaderKind)],
    minor: u32,
) -> Result<Vec<(Vec<u8>, ModuleKind)>> {
    let dir = super::base_dir(base);
    let Some(names) = list_dir(cache, dir)? else {
        // Not a directory that can be listed: zipimport's path hook may take it.
        return list_zip_entry(cache, dir, order, minor);
    };
    let mut yielded: HashSet<Vec<u8>> = HashSet::new();
    let mut out = Vec::new();
    for (file, file_type) in names.iter() {
        let found = module_name_of(file, order);
        if let Some((stem, _)) = found {
            if stem == b"__init__" || yielded.contains(stem) {
                continue;
            }
        }
        let (modname, kind) = match found {
            Some((stem, loader)) if !stem.is_empty() => (stem.to_vec(), loader.module_kind()),
            Some(_) => continue,
            None => {
                if file.contains(&b'.') || yielded.contains(file.as_slice()) {
                    continue;
                }
                if *file_type != FileType::Dir {
                    continue;
                }
                let path = [base, file.as_slice()].concat();
                let package = list_dir(cache, &path)?.is_some_and(|inner| {
                    inner.iter().any(|(n, _)| module_name_of(n, order).is_some_and(|(s, _)| s == b"__init__"))
                });
                (file.clone(), if package { ModuleKind::Package } else { ModuleKind::Namespace })
            }
        };
        if modname.contains(&b'.') {
            continue;
        }
        // A namespace portion blocks nothing: a module of the same name in
        // this directory wins (importlib's order; pkgutil never lists it).
        if kind != ModuleKind::Namespace {
            yielded.insert(modname.clone());
        }
        out.try_reserve(1).map_err(|_| Error::no_memory("out of memory listing modules"))?;
        out.push((modname, kind));
    }
    out.retain(|(name, kind)| *kind != ModuleKind::Namespace || !yielded.contains(name));
    Ok(out)
}

/// `pkgutil.iter_modules(path, prefix)` plus namespace packages; `prefix`
/// is put before each name.
pub fn iter_modules<E: AsRef<[u8]>>(path: &[E], prefix: &[u8], suffixes: &Suffixes) -> Result<Vec<ModuleInfo>> {
    iter_modules_with(&mut DirCache::new(), path, prefix, suffixes)
}

fn iter_modules_with<E: AsRef<[u8]>>(
    cache: &mut DirCache,
    path: &[E],
    prefix: &[u8],
    suffixes: &Suffixes,
) -> Result<Vec<ModuleInfo>> {
    suffixes.validate()?;
    super::check_entries(path)?;
    let order = suffix_order(suffixes);
    list_modules(cache, path, prefix, &order, suffixes.python_minor())
}

/// [`iter_modules_with`] on checked entries and suffixes, with the suffixes
/// in `inspect.getmodulename`'s order.
fn list_modules<E: AsRef<[u8]>>(
    cache: &mut DirCache,
    path: &[E],
    prefix: &[u8],
    order: &[(&[u8], LoaderKind)],
    minor: u32,
) -> Result<Vec<ModuleInfo>> {
    let mut cwd = None;
    let mut out: Vec<Option<ModuleInfo>> = Vec::new();
    // name -> index in `out`, and whether it is a namespace placeholder.
    let mut seen: HashMap<Vec<u8>, (usize, bool)> = HashMap::new();
    for entry in path {
        let entry = entry.as_ref();
        let base = entry_base(entry, &mut cwd)?;
        for (name, kind) in list_entry(cache, &base, order, minor)? {
            let namespace = kind == ModuleKind::Namespace;
            match seen.get(&name).copied() {
                Some((_, false)) => continue,
                Some((_, true)) if namespace => continue, // one more portion
                Some((i, true)) => out[i] = None, // a later module or package wins
                None => {}
            }
            seen.insert(name.clone(), (out.len(), namespace));
            let full = [prefix, name.as_slice()].concat();
            out.try_reserve(1).map_err(|_| Error::no_memory("out of memory listing modules"))?;
            out.push(Some(ModuleInfo { name: full, kind, location: entry.to_vec() }));
        }
    }
    Ok(out.into_iter().flatten().collect())
}

impl Finder {
    /// [`iter_modules`] over this finder's path and suffixes, with no prefix.
    /// Lists the directories afresh (the finder's cache serves lookups).
    pub fn iter_modules(&self) -> Result<Vec<ModuleInfo>> {
        iter_modules(self.path(), b"", self.suffixes())
    }

    /// [`walk_packages`] over this finder's path and suffixes. A snapshot
    /// finder ([`Finder::snapshot`]) keeps its last walk: until it is the
    /// interval old it is answered again with no system call; then one
    /// `stat` of each directory and archive the walk read tells whether any
    /// changed (a name added, removed or renamed changes its directory's
    /// mtime), and only then is the tree walked again.
    /// [`Finder::invalidate_caches`] forgets it.
    pub fn walk_packages(&self) -> Result<Vec<ModuleInfo>> {
        let Some(interval) = self.snapshot_interval() else {
            return walk_packages(self.path(), self.suffixes());
        };
        let mut held = self.walked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(w) = held.as_mut() {
            if now.saturating_duration_since(w.checked) >= interval {
                if w.reads.iter().all(|(p, s)| stamp(p) == *s) {
                    w.checked = now;
                } else {
                    *held = None;
                }
            }
        }
        if let Some(w) = held.as_ref() {
            return try_clone_infos(&w.result);
        }
        let (result, reads) = walk_packages_read(self.path(), self.suffixes())?;
        let mut stamped = Vec::new();
        stamped.try_reserve_exact(reads.len()).map_err(|_| Error::no_memory("out of memory listing modules"))?;
        stamped.extend(reads.into_iter().map(|p| {
            let s = stamp(&p);
            (p, s)
        }));
        let out = try_clone_infos(&result)?;
        *held = Some(WalkSnapshot { checked: now, result, reads: stamped });
        Ok(out)
    }
}

/// A snapshot finder's last walk: when it was made or last revalidated,
/// its result, and each directory and archive it read with its [`stamp`].
pub(crate) struct WalkSnapshot {
    checked: Instant,
    result: Vec<ModuleInfo>,
    reads: Vec<(Vec<u8>, Option<Stamp>)>,
}

/// What revalidating a read path compares: its mtime, size and inode (None
/// when it cannot be stat'ed).
type Stamp = (i64, i64, u64, u64);

fn stamp(path: &[u8]) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(os_str(path)).ok()?;
    Some((m.mtime(), m.mtime_nsec(), m.size(), m.ino()))
}

/// A copy of `infos`, its allocations fallible.
fn try_clone_infos(infos: &[ModuleInfo]) -> Result<Vec<ModuleInfo>> {
    let oom = |_| Error::no_memory("out of memory listing modules");
    let copy = |b: &[u8]| -> Result<Vec<u8>> {
        let mut v = Vec::new();
        v.try_reserve_exact(b.len()).map_err(oom)?;
        v.extend_from_slice(b);
        Ok(v)
    };
    let mut out = Vec::new();
    out.try_reserve_exact(infos.len()).map_err(oom)?;
    for m in infos {
        out.push(ModuleInfo { name: copy(&m.name)?, kind: m.kind, location: copy(&m.location)? });
    }
    Ok(out)
}

/// `pkgutil.walk_packages(path)` with namespace packages, resolving each
/// package's search locations with [`find_spec`] over `path` (as
/// `__import__` would with `sys.path` = `path`).
pub fn walk_packages<E: AsRef<[u8]>>(path: &[E], suffixes: &Suffixes) -> Result<Vec<ModuleInfo>> {
    Ok(walk_packages_read(path, suffixes)?.0)
}

/// [`walk_packages`], and every directory and archive the walk read (for
/// a snapshot finder to revalidate it).
fn walk_packages_read<E: AsRef<[u8]>>(path: &[E], suffixes: &Suffixes) -> Result<(Vec<ModuleInfo>, Vec<Vec<u8>>)> {
    suffixes.validate()?;
    super::check_entries(path)?;
    let top: Vec<&[u8]> = path.iter().map(AsRef::as_ref).collect();
    // The packages' search locations come from the walk's own listings
    // (see `search_locations`); where those cannot tell, from one snapshot
    // finder over the path: a walk reads the tree once, as it stands when
    // it starts.
    let finder = Finder::snapshot(top.iter().map(|e| e.to_vec()).collect(), suffixes.clone(), Duration::MAX)?;
    let order = suffix_order(suffixes);
    let mut walker = Walker { finder: &finder, cache: DirCache::new(), order: &order, suffixes, probe_key: Vec::new() };
    let mut out = Vec::new();
    walker.walk(&top, &top, b"", &mut out, 0)?;
    let cache = walker.cache;
    let mut reads = Vec::new();
    reads
        .try_reserve_exact(cache.dirs.len() + cache.zips.len())
        .map_err(|_| Error::no_memory("out of memory listing modules"))?;
    reads.extend(cache.dirs.into_keys());
    reads.extend(cache.zips.into_keys());
    Ok((out, reads))
}

/// One walk's state: the fallback finder, the listings, the suffixes in
/// both orders.
struct Walker<'a> {
    finder: &'a Finder,
    cache: DirCache,
    order: &'a [(&'a [u8], LoaderKind)],
    suffixes: &'a Suffixes,
    /// A reused buffer for `name` + suffix.
    probe_key: Vec<u8>,
}

impl Walker<'_> {
    /// Lists `path` (the package's search locations not yet walked at this
    /// level) and walks each package found; `parent_path` is the package's
    /// full search locations (`__path__`), where its submodules are looked up.
    fn walk(
        &mut self,
        path: &[&[u8]],
        parent_path: &[&[u8]],
        prefix: &[u8],
        out: &mut Vec<ModuleInfo>,
        depth: usize,
    ) -> Result<()> {
        // pkgutil's `seen` is made afresh by each walk_packages call: it keeps a
        // location from being walked twice among one level's packages.
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        // A tree of symlinked directories can nest without end; `seen` stops a
        // location from being walked twice, and this bounds the name's length.
        if depth > 256 {
            return Ok(());
        }
        let oom = || Error::no_memory("out of memory listing modules");
        for info in list_modules(&mut self.cache, path, prefix, self.order, self.suffixes.python_minor())? {
            let package = info.is_package();
            let name = info.name.clone();
            out.try_reserve(1).map_err(|_| oom())?;
            out.push(info);
            if !package {
                continue;
            }
            let tail = &name[prefix.len()..];
            let locations = match self.search_locations(parent_path, tail)? {
                Some(locations) => locations,
                None => match self.finder.find_spec(&name) {
                    Ok(spec) => {
                        spec.search_locations.unwrap_or_default().into_iter().map(|p| p.into_os_string().into_vec()).collect()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => continue, // pkgutil's onerror
                    Err(e) => return Err(e),
                },
            };
            let full: Vec<&[u8]> = locations.iter().map(Vec::as_slice).collect();
            let mut fresh: Vec<&[u8]> = Vec::new();
            fresh.try_reserve_exact(full.len()).map_err(|_| oom())?;
            for location in &full {
                if !seen.contains(*location) {
                    seen.try_reserve(1).map_err(|_| oom())?;
                    seen.insert(location.to_vec());
                    fresh.push(location);
                }
            }
            let mut sub = name;
            sub.try_reserve(1).map_err(|_| oom())?;
            sub.push(b'.');
            self.walk(&fresh, &full, &sub, out, depth + 1)?;
        }
        Ok(())
    }

    /// The search locations [`find_spec`] gives the submodule `tail` of a
    /// package whose `__path__` is `parent_path` (the top entries for a top
    /// level name), read off the walk's listings: FileFinder's rules per
    /// entry in order (a directory `tail` with an `__init__` file of any
    /// suffix, in importlib's suffix order, is a regular package and ends
    /// the search; so does a module file `tail` + suffix, with no locations;
    /// a bare directory `tail` is one more namespace portion), the portions
    /// when nothing ended it, none when there are none (not found). `None`
    /// when an entry or the package directory cannot be listed (an archive,
    /// a missing entry, an unreadable directory): the finder decides then.
    fn search_locations(&mut self, parent_path: &[&[u8]], tail: &[u8]) -> Result<Option<Vec<Vec<u8>>>> {
        let oom = || Error::no_memory("out of memory listing modules");
        let mut cwd = None;
        let mut portions: Vec<Vec<u8>> = Vec::new();
        for entry in parent_path {
            let base = entry_base(entry, &mut cwd)?;
            let Some(names) = list_dir(&mut self.cache, super::base_dir(&base))? else {
                return Ok(None);
            };
            let (is_dir, module) = probe_stem(&names, tail, self.suffixes, &mut self.probe_key);
            if is_dir {
                let mut dir = Vec::new();
                dir.try_reserve_exact(base.len() + tail.len()).map_err(|_| oom())?;
                dir.extend_from_slice(&base);
                dir.extend_from_slice(tail);
                let Some(inner) = list_dir(&mut self.cache, &dir)? else {
                    return Ok(None);
                };
                // FileFinder: a package directory first, then a module, then a portion.
                if probe_stem(&inner, b"__init__", self.suffixes, &mut self.probe_key).1 {
                    return Ok(Some(vec![dir]));
                }
                if module {
                    return Ok(Some(Vec::new()));
                }
                portions.try_reserve(1).map_err(|_| oom())?;
                portions.push(dir);
            } else if module {
                return Ok(Some(Vec::new()));
            }
        }
        Ok(Some(portions))
    }
}

/// The dotted name importlib would load `file` as with `sys.path` = `path`:
/// for each entry in order that `file` lies under (paths compared after
/// `os.path.normpath`, links not resolved), the name its relative path
/// spells (`a/b/m.py` is `a.b.m`, `a/b/__init__.py` is `a.b`), kept when
/// [`find_spec`] of that name has `file` as its origin. The first name that
/// does is the answer. NotFound when none does, naming what each candidate
/// resolves to instead (the shadowing entry); Value when `file` has no
/// loader suffix.
pub fn module_name<E: AsRef<[u8]>>(file: &[u8], path: &[E], suffixes: &Suffixes) -> Result<Vec<u8>> {
    suffixes.validate()?;
    super::check_entries(path)?;
    if file.is_empty() || file.contains(&0) {
        return Err(Error::value(format!("file {} is empty or contains a NUL byte", quote(file))));
    }
    let order = suffix_order(suffixes);
    let mut cwd = None;
    let target = crate::venv::paths::normpath(&entry_base(file, &mut cwd)?);
    let basename = target.rsplit(|&b| b == b'/').next().unwrap_or(&target);
    if module_name_of(basename, &order).is_none() {
        return Err(Error::value(format!(
            "{} is not a module file: its name ends with none of the loader suffixes",
            quote(&target)
        )));
    }
    let tops: Vec<std::path::PathBuf> =
        path.iter().map(|e| std::path::PathBuf::from(os_str(e.as_ref()))).collect();
    let mut why: Vec<String> = Vec::new();
    let mut tried: HashSet<Vec<u8>> = HashSet::new();
    for entry in path {
        let entry = entry.as_ref();
        let mut base = crate::venv::paths::normpath(&entry_base(entry, &mut cwd)?);
        if base != b"/" {
            base.push(b'/');
        }
        let Some(rel) = target.strip_prefix(base.as_slice()) else { continue };
        let mut parts: Vec<&[u8]> = rel.split(|&b| b == b'/').collect();
        let Some(last) = parts.pop() else { continue };
        // Each suffix that ends the file name gives a candidate stem; only
        // one without a '.' can be a name component.
        for (suffix, _) in &order {
            let Some(stem) = last.strip_suffix(*suffix) else { continue };
            let mut comps = parts.clone();
            if stem != b"__init__" {
                comps.push(stem);
            }
            if comps.is_empty() || comps.iter().any(|c| c.is_empty() || c.contains(&b'.')) {
                continue;
            }
            let name = comps.join(&b'.');
            if split_name(&name).is_err() || !tried.insert(name.clone()) {
                continue;
            }
            match find_spec(&name, &tops, suffixes) {
                Ok(spec) => {
                    let origin = spec.origin.as_deref().map(|p| crate::venv::paths::normpath(p.as_os_str().as_bytes()));
                    if origin.as_deref() == Some(target.as_slice()) {
                        return Ok(name);
                    }
                    why.push(match &spec.origin {
                        Some(o) => format!("{} is {}", quote(&name), quote(o.as_os_str().as_bytes())),
                        None => format!("{} is a namespace package", quote(&name)),
                    });
                }
                Err(e) if e.kind == ErrorKind::NotFound => {
                    why.push(format!("{}: {}", quote(&name), e.message));
                }
                Err(e) => return Err(e),
            }
        }
    }
    if why.is_empty() {
        return Err(Error::not_found(format!("{} is not under any entry of the path", quote(&target))));
    }
    Err(Error::not_found(format!("{} is shadowed: {}", quote(&target), why.join("; "))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    fn touch(p: &Path) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, b"").unwrap();
    }

    #[test]
    fn listing_and_names() {
        let root = std::env::temp_dir().join(format!("pepkit-listing-unit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let (a, b) = (root.join("a"), root.join("b"));
        touch(&a.join("pkg/__init__.py"));
        touch(&a.join("pkg/sub.py"));
        fs::create_dir_all(a.join("ns/inner")).unwrap();
        touch(&b.join("ns/mod.abi3.so"));
        touch(&b.join("m.py"));
        touch(&b.join("x.y.py"));
        fs::create_dir_all(a.join("late")).unwrap();
        touch(&b.join("late.py"));
        touch(&a.join("shadow.py"));
        touch(&b.join("shadow.py"));
        let sfx = Suffixes::platform_default();
        let path = [a.as_os_str().as_encoded_bytes().to_vec(), b.as_os_str().as_encoded_bytes().to_vec()];
        let list = iter_modules(&path, b"", &sfx).unwrap();
        let names: Vec<(&[u8], ModuleKind)> = list.iter().map(|i| (i.name.as_slice(), i.kind)).collect();
        assert_eq!(
            names,
            vec![
                (&b"ns"[..], ModuleKind::Namespace),
                (b"pkg", ModuleKind::Package),
                (b"shadow", ModuleKind::Source),
                (b"late", ModuleKind::Source),
                (b"m", ModuleKind::Source),
            ]
        );
        let walk = walk_packages(&path, &sfx).unwrap();
        let names: Vec<&[u8]> = walk.iter().map(|i| i.name.as_slice()).collect();
        assert_eq!(names, vec![&b"ns"[..], b"ns.inner", b"ns.mod", b"pkg", b"pkg.sub", b"shadow", b"late", b"m"]);
        let f = |p: &Path| p.as_os_str().as_encoded_bytes().to_vec();
        assert_eq!(module_name(&f(&a.join("pkg/sub.py")), &path, &sfx).unwrap(), b"pkg.sub");
        assert_eq!(module_name(&f(&a.join("pkg/__init__.py")), &path, &sfx).unwrap(), b"pkg");
        assert_eq!(module_name(&f(&b.join("ns/mod.abi3.so")), &path, &sfx).unwrap(), b"ns.mod");
        let err = module_name(&f(&b.join("shadow.py")), &path, &sfx).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert!(err.message.contains("a/shadow.py"), "{}", err.message);
        assert_eq!(module_name(&f(&b.join("x.y.py")), &path, &sfx).unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(module_name(b"/nowhere/x.py", &path, &sfx).unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(module_name(b"/nowhere/x.txt", &path, &sfx).unwrap_err().kind, ErrorKind::Value);
        fs::remove_dir_all(&root).unwrap();
    }

    /// The walk's own search locations agree with find_spec's: portions
    /// across entries, a regular package in a later entry beating earlier
    /// portions, a later module ending the search with none, an
    /// `__init__.py` that is a directory not making a package.
    #[test]
    fn search_locations_mirror_find_spec() {
        let root = std::env::temp_dir().join(format!("pepkit-listing-locations-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let (a, b, c) = (root.join("a"), root.join("b"), root.join("c"));
        fs::create_dir_all(a.join("ns/x")).unwrap();
        touch(&c.join("ns/y.py"));
        fs::create_dir_all(a.join("late")).unwrap();
        touch(&b.join("late/__init__.py"));
        touch(&c.join("late/z.py"));
        fs::create_dir_all(a.join("gone")).unwrap();
        touch(&b.join("gone.py"));
        fs::create_dir_all(a.join("fake/__init__.py")).unwrap();
        touch(&a.join("fake/w.py"));
        let sfx = Suffixes::platform_default();
        let f = |p: &Path| p.as_os_str().as_encoded_bytes().to_vec();
        let path = [f(&a), f(&b), f(&c)];
        let top: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
        let finder = Finder::snapshot(path.to_vec(), sfx.clone(), Duration::MAX).unwrap();
        let order = suffix_order(&sfx);
        let mut walker = Walker { finder: &finder, cache: DirCache::new(), order: &order, suffixes: &sfx, probe_key: Vec::new() };
        for name in [&b"ns"[..], b"late", b"gone", b"fake", b"missing"] {
            let ours = walker.search_locations(&top, name).unwrap().unwrap();
            let theirs: Vec<Vec<u8>> = match finder.find_spec(name) {
                Ok(spec) => spec.search_locations.unwrap_or_default().into_iter().map(|p| f(&p)).collect(),
                Err(e) => {
                    assert_eq!(e.kind, ErrorKind::NotFound);
                    Vec::new()
                }
            };
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(name));
        }
        assert_eq!(walker.search_locations(&top, b"ns").unwrap().unwrap(), vec![f(&a.join("ns")), f(&c.join("ns"))]);
        assert_eq!(walker.search_locations(&top, b"late").unwrap().unwrap(), vec![f(&b.join("late"))]);
        assert!(walker.search_locations(&top, b"gone").unwrap().unwrap().is_empty());
        assert_eq!(walker.search_locations(&top, b"fake").unwrap().unwrap(), vec![f(&a.join("fake"))]);
        // An entry that is no directory: the finder decides.
        let odd = [f(&root.join("nowhere")), f(&a)];
        let odd: Vec<&[u8]> = odd.iter().map(Vec::as_slice).collect();
        assert!(walker.search_locations(&odd, b"ns").unwrap().is_none());
        // c/late/z.py is no submodule: the regular package b/late won.
        let names: Vec<Vec<u8>> = walk_packages(&path, &sfx).unwrap().into_iter().map(|i| i.name).collect();
        assert_eq!(
            names,
            [&b"fake"[..], b"fake.w", b"ns", b"ns.x", b"ns.y", b"gone", b"late"].map(<[u8]>::to_vec).to_vec()
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn py_order_without_keys() {
        let names: [&[u8]; 7] = [b"", b"a", b"ab", b"b", b"\xe2\x82", b"\xe2\x82\xac", b"\xee\x80\x80"];
        for x in names {
            for y in names {
                assert_eq!(py_cmp(x, y), py_sort_key(x).cmp(&py_sort_key(y)), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn probe_stem_scans_the_names_a_stem_begins() {
        let sfx = Suffixes::platform_default();
        let mut names: Vec<(Vec<u8>, FileType)> = [
            (&b"a"[..], FileType::Dir),
            (b"a.py", FileType::Other),
            (b"a.pyc", FileType::File),
            (b"a.txt", FileType::File),
            (b"ab", FileType::Dir),
            (b"\xc3\xa9", FileType::File),
            (b"\xc3\xa9.py", FileType::File),
            (b"\xff", FileType::Dir),
            (b"\xff.py", FileType::File),
        ]
        .into_iter()
        .map(|(n, k)| (n.to_vec(), k))
        .collect();
        names.sort_by_cached_key(|n| py_sort_key(&n.0));
        let mut key = Vec::new();
        assert_eq!(probe_stem(&names, b"a", &sfx, &mut key), (true, true));
        assert_eq!(probe_stem(&names, b"ab", &sfx, &mut key), (true, false));
        assert_eq!(probe_stem(&names, b"b", &sfx, &mut key), (false, false));
        assert_eq!(probe_stem(&names, b"\xc3\xa9", &sfx, &mut key), (false, true));
        assert_eq!(probe_stem(&names, b"\xff", &sfx, &mut key), (true, true));
    }

    #[test]
    fn snapshot_finder_keeps_its_walk() {
        let root = std::env::temp_dir().join(format!("pepkit-listing-snapwalk-{}", crate::venv::paths::unique_suffix()));
        let _ = fs::remove_dir_all(&root);
        touch(&root.join("pkg/__init__.py"));
        touch(&root.join("pkg/a.py"));
        let path = vec![root.as_os_str().as_encoded_bytes().to_vec()];
        let sfx = Suffixes::platform_default();
        let names = |f: &Finder| -> Vec<Vec<u8>> { f.walk_packages().unwrap().into_iter().map(|m| m.name).collect() };
        let long = Finder::snapshot(path.clone(), sfx.clone(), Duration::from_secs(3600)).unwrap();
        let zero = Finder::snapshot(path.clone(), sfx.clone(), Duration::ZERO).unwrap();
        let plain = Finder::new(path, sfx).unwrap();
        let first = vec![b"pkg".to_vec(), b"pkg.a".to_vec()];
        assert_eq!(names(&long), first);
        assert_eq!(names(&zero), first);
        assert_eq!(names(&long), first, "answered again from the snapshot");
        touch(&root.join("pkg/b.py"));
        let second = vec![b"pkg".to_vec(), b"pkg.a".to_vec(), b"pkg.b".to_vec()];
        assert_eq!(names(&long), first, "a fresh snapshot is trusted");
        assert_eq!(names(&zero), second, "revalidated: the package's directory changed");
        assert_eq!(names(&plain), second);
        long.invalidate_caches();
        assert_eq!(names(&long), second, "forgotten by invalidate_caches");
        fs::remove_dir_all(&root).unwrap();
    }
}
