"""Oracle: pepkit_iter_modules, pepkit_walk_packages and pepkit_module_name
against pkgutil and importlib on random trees.

The trees are test_find_spec.py's worlds (namespace packages split over
entries, packages and modules shadowing each other, extension modules,
sourceless .pyc, odd names; package __init__ files are empty or valid empty
bytecode), without directory symlinks (pkgutil.walk_packages follows a link
to an ancestor until the path is too long; pepkit stops at depth 256). For
each world and a random spelling of its path (the interpreter's sys.path for
the case, fresh finder caches):

* iter_modules: pepkit's list without its namespace entries equals
  `pkgutil.iter_modules(path)` (names, ispkg, order); each namespace entry
  is a name importlib.util.find_spec resolves to a namespace package, and
  every directory name find_spec calls a namespace package and pkgutil does
  not list is among them.
* walk_packages: pepkit's walk without namespace packages and what lies
  below them equals `pkgutil.walk_packages(path)`, except below a package
  CPython cannot import (an empty extension module as `__init__`: pkgutil's
  onerror), which pepkit walks without loading it; those subtrees are left
  out of the comparison and counted.
  The same walk through a snapshot finder with a 0 s interval, and again
  after a module is added somewhere in the world: that walk must equal
  pkgutil's of the changed tree (the finder revalidates its kept walk by a
  stat of each directory it read; zip worlds: the first walk only).
* zip archives: test_find_spec_zip.py's worlds (random trees zipped with
  and without `archive.zip/sub` prefixes and explicit directory members,
  sourceless and stale `.pyc`, beside directories) get the same
  iter_modules and walk_packages checks; namespace packages inside an
  archive are its explicit directory members importlib calls namespace
  packages. (A package whose `__init__` zipimport refuses cannot be
  imported: pkgutil's onerror, left out of the walk's comparison as above.)
* module_name: for every file of the world, pepkit_module_name_ex's answer
  is the first name (over the entries in order, each suffix reading of the
  file name) whose find_spec origin is that file; NOT_FOUND when there is
  none, VALUE when the file has no loader suffix.

Usage: test_listing.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import importlib
import inspect  # noqa: F401 (pkgutil imports it lazily, which fails once sys.path is swapped)
import os
import pkgutil
import shutil
import sys
import tempfile
import zipfile

import traceback  # noqa: F401 (Report.crashed needs it)

import test_find_spec as tfs
import test_find_spec_zip as tfz
from ctypes import POINTER, byref, c_int, c_void_p

from pepkit_ctypes import MODULE_KINDS, Report, finder_new, list_modules, load_pepkit, module_name

EXT = tfs.EXT
EXT_B = [os.fsencode(s) for s in EXT]


class ListingWorld(tfs.World):
    """A world without directory symlinks (see the module docstring)."""

    def node(self, path, depth, force=None):
        if force is None:
            force = self.rng.choice(["pkg", "pkg", "ns", "ns", "mod", "mod", "mod", "pkg+mod", "ns+mod",
                                     "file", "odd", "init_dir", "broken", "pyc+py"])
        return tfs.World.node(self, path, depth, force)


def with_path(path, fn):
    """fn() with sys.path = path and fresh import state, restored afterwards."""
    saved_path = sys.path[:]
    importlib.invalidate_caches()
    saved_modules = set(sys.modules)
    sys.path_importer_cache.clear()
    sys.path[:] = path
    try:
        return fn()
    finally:
        sys.path[:] = saved_path
        for m in set(sys.modules) - saved_modules:
            del sys.modules[m]
        sys.path_importer_cache.clear()


def spec_kind(name, path, counts):
    """find_spec's answer for name, as test_find_spec classifies it."""
    return tfs.cpython(name, path, counts)


def check_iter(report, lib, world, path, counts):
    case = "iter_modules(%r)" % (path,)
    want = with_path(path, lambda: [(os.fsencode(m.name), m.ispkg) for m in pkgutil.iter_modules(path)])
    got = list_modules(lib, "pepkit_iter_modules", [os.fsencode(p) for p in path], EXT_B)
    if got and got[0] == "error":
        report.check(False, case, want, got)
        return
    plain = [(n, k == "package") for n, k, _ in got if k != "namespace"]
    report.equal(case + ": pkgutil's entries", want, plain)
    for n, k, where in got:
        if not os.path.isdir(os.fsdecode(where) or "."):
            key = "iter: %s from archives" % k
            counts[key] = counts.get(key, 0) + 1
    listed = set(n for n, _ in want)
    namespaces = [n for n, k, _ in got if k == "namespace"]
    for n in namespaces:
        report.equal(case + ": namespace entry %r" % n, "namespace", spec_kind(os.fsdecode(n), path, counts)[1])
    # Every top-level directory importlib calls a namespace package is listed.
    candidates = set()
    for p in path:
        try:
            names = os.listdir(p or ".")
        except OSError:
            candidates |= zip_dirs(p)
            continue
        for n in names:
            if "." not in n and os.path.isdir(os.path.join(p or ".", n)):
                candidates.add(n)
    missing = [n for n in sorted(candidates) if os.fsencode(n) not in listed
               and os.fsencode(n) not in namespaces and spec_kind(n, path, counts)[1] == "namespace"]
    report.equal(case + ": namespace packages not listed", [], missing)


def zip_dirs(entry):
    """The names of the explicit directory members directly under the
    archive (and prefix) a path entry names; empty when it names none."""
    archive, prefix = os.path.abspath(entry), ""
    while not os.path.exists(archive):
        archive, tail = os.path.split(archive)
        if not tail:
            return set()
        prefix = tail + "/" + prefix
    try:
        with zipfile.ZipFile(archive) as z:
            names = z.namelist()
    except (OSError, zipfile.BadZipFile):
        return set()
    out = set()
    for n in names:
        rest = n[len(prefix):] if n.startswith(prefix) else None
        if rest and rest.endswith("/") and rest.count("/") == 1 and "." not in rest:
            out.add(rest[:-1])
    return out


def finder_walk(lib, finder):
    """pepkit_finder_walk_packages: (name, kind, location) tuples, or ("error", ...)."""
    fn = lib.pepkit_finder_walk_packages
    fn.argtypes, fn.restype = [c_void_p, POINTER(c_void_p)], c_int
    out = c_void_p()
    if fn(finder, byref(out)) != 0:
        return ("error", lib.pepkit_last_error())
    try:
        return [(lib.pepkit_modules_name(out, i), MODULE_KINDS.get(lib.pepkit_modules_kind(out, i)),
                 lib.pepkit_modules_location(out, i)) for i in range(lib.pepkit_modules_len(out))]
    finally:
        lib.pepkit_modules_free(out)


def pkgutil_walk(path):
    """pkgutil.walk_packages(path) as (name, ispkg), and the packages it could not import."""
    failed = []

    def walk():
        return [(os.fsencode(m.name), m.ispkg) for m in pkgutil.walk_packages(path, onerror=failed.append)]

    return with_path(path, walk), failed


def comparable(got, failed):
    """pepkit's walk without namespace packages, what lies below them, and
    the subtrees of packages pkgutil could not import."""
    skip = [os.fsencode(n) + b"." for n in failed]
    ns = [n + b"." for n, k, _ in got if k == "namespace"]
    return [(n, k == "package") for n, k, _ in got
            if k != "namespace" and not any(n.startswith(p) for p in ns + skip)], ns


def check_walk(report, lib, world, path, counts):
    case = "walk_packages(%r)" % (path,)
    want, failed = pkgutil_walk(path)
    got = list_modules(lib, "pepkit_walk_packages", [os.fsencode(p) for p in path], EXT_B)
    if got and got[0] == "error":
        report.check(False, case, want, got)
        return
    counts["walk: unimportable packages"] = counts.get("walk: unimportable packages", 0) + len(failed)
    plain, ns = comparable(got, failed)
    counts["walk: namespace entries"] = counts.get("walk: namespace entries", 0) + len(ns)
    report.equal(case, want, plain)
    # A snapshot finder (0 s interval) keeps its walk and revalidates it.
    finder = finder_new(lib, [os.fsencode(p) for p in path], EXT_B, snapshot_ms=0)
    try:
        report.equal(case + " by a snapshot finder", got, finder_walk(lib, finder))
        if world is None:
            return  # a zip world: its archives are not changed
        dirs = [d for d, _, _ in os.walk(world.root)]
        added = os.path.join(report.rng.choice(dirs), "zz_snap%d.py" % len(dirs))
        with open(added, "w"):
            pass
        want, failed = pkgutil_walk(path)
        again = finder_walk(lib, finder)
        if again and again[0] == "error":
            report.check(False, case + " after adding " + added, want, again)
            return
        report.equal(case + " by the snapshot finder after adding " + added, want, comparable(again, failed)[0])
    finally:
        lib.pepkit_finder_free(finder)


def expected_name(file, path, counts):
    """The first name importlib loads `file` as, or an error status name."""
    suffixes = sorted(EXT + [".py", ".pyc"], key=lambda s: (-len(s), s))
    base = os.path.basename(file)
    if not any(base.endswith(s) for s in suffixes):
        return ("error", "PEPKIT_ERR_VALUE")
    target = os.path.normpath(os.path.abspath(file))
    tried = set()
    for entry in path:
        e = os.path.normpath(os.path.abspath(entry))
        prefix = e if e == "/" else e + "/"
        if not target.startswith(prefix):
            continue
        parts = target[len(prefix):].split("/")
        last = parts.pop()
        for s in suffixes:
            if not last.endswith(s):
                continue
            stem = last[:-len(s)]
            comps = parts + ([] if stem == "__init__" else [stem])
            if not comps or any(not c or "." in c for c in comps):
                continue
            name = ".".join(comps)
            if name in tried:
                continue
            tried.add(name)
            want = tfs.cpython(name, path, counts)
            if want[0] == "ok" and want[3] is not None and \
                    os.path.normpath(os.fsdecode(want[3])) == target:
                return ("ok", os.fsencode(name))
    return ("error", "PEPKIT_ERR_NOT_FOUND")


def check_names(report, lib, world, path, counts, limit):
    files = []
    for entry in world.entries:
        for d, dirnames, filenames in os.walk(entry):
            files.extend(os.path.join(d, f) for f in filenames)
    report.rng.shuffle(files)
    for f in files[:limit]:
        case = "module_name(%r) with sys.path=%r" % (f, path)
        want = expected_name(f, path, counts)
        got = module_name(lib, os.fsencode(f), [os.fsencode(p) for p in path], EXT_B)
        kind = "found" if want[0] == "ok" else want[1]
        counts["module_name " + kind] = counts.get("module_name " + kind, 0) + 1
        if got[0] == "error":
            if got[1] == "PEPKIT_ERR_NOT_FOUND" and want[1] == "PEPKIT_ERR_NOT_FOUND":
                # The message names what shadows the file, or says it is under no entry.
                report.check("shadowed" in got[2] or "not under any" in got[2], case + ": message", want, got)
                continue
            got = got[:2]
        report.equal(case, want, got)


def check_zips(report, lib, base, counts):
    """iter_modules and walk_packages over zip archives mixed with directories."""
    tfz.POOL[:] = [n for n in tfz.POOL if n not in sys.modules and n not in sys.builtin_module_names]
    tfs.classify = tfz.classify  # spec_kind classifies zipimport specs too
    counts.clear()
    target = report.cases(600)
    mark = report.mark()
    w = 0
    while report.passed + report.failed - sum(mark) < target:
        root = os.path.join(base, "z%d" % w)
        os.mkdir(root)
        w += 1
        entries, _ = tfz.make_world(report.rng, root)
        try:
            check_iter(report, lib, None, entries, counts)
            check_walk(report, lib, None, entries, counts)
        except Exception:
            report.crashed("zip world %d, sys.path=%r" % (w - 1, entries))
    print("  zip worlds: %d; %s" % (w, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    report.part("iter_modules, walk_packages over zip archives and directories", mark)


def main():
    report = Report("oracle listing")
    lib = load_pepkit()
    rng = report.rng
    tfs.POOL[:] = [n for n in tfs.POOL if n not in sys.modules and n not in sys.builtin_module_names]
    base = tempfile.mkdtemp(prefix="pepkit-listing-")
    cwd = os.getcwd()
    counts = {}
    target = report.cases(1500)
    mark = report.mark()
    try:
        w = 0
        while report.passed + report.failed - sum(mark) < target:
            root = os.path.join(base, "w%d" % w)
            os.mkdir(root)
            w += 1
            world = ListingWorld(rng, root)
            if tfs.RELATIVE_OK:
                os.chdir(rng.choice(world.entries + [root]))
            path = world.path(os.getcwd())
            try:
                check_iter(report, lib, world, path, counts)
                check_walk(report, lib, world, path, counts)
                check_names(report, lib, world, path, counts, 30)
            except Exception:
                report.crashed("world %d, sys.path=%r" % (w - 1, path))
            os.chdir(cwd)
        print("  worlds: %d; %s" % (w, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        report.part("iter_modules, walk_packages, module_name on random trees", mark)
        check_zips(report, lib, base, counts)
    finally:
        os.chdir(cwd)
        shutil.rmtree(base, ignore_errors=True)
    report.finish()


if __name__ == "__main__":
    main()
