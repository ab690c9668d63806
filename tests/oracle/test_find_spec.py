"""Oracle: pepkit_find_spec equals importlib.util.find_spec on random trees.

Each "world" is a fresh directory tree under one temporary directory (removed
at the end) with 2-6 path entries: namespace packages split over several
entries (nested ones too), regular packages and modules that shadow later
portions, a package and a module of the same name in one directory, regular
packages inside namespace packages and the reverse, extension modules (empty
files with this interpreter's own EXTENSION_SUFFIXES: found, never loaded),
sourceless .pyc files (valid bytecode for this interpreter, so a .pyc parent
can be imported), names that differ only in case, odd entries (an __init__.py
that is a directory, a file with no suffix, unrecognised suffixes, broken and
directory symlinks), path entries that are missing, files, duplicated, spelt
with trailing or doubled slashes, or named with non-UTF-8 bytes, and (3.12+,
whose rules pepkit follows) relative entries.

For every name found in a world, plus mutations of them (case swapped, a
missing child, a child of a module, a missing parent), the interpreter runs
importlib.util.find_spec(name) with sys.path set to the world's entries (fresh
finder caches, sys.modules restored after each case) and pepkit_find_spec_ex
is called with the same entries and this interpreter's EXTENSION_SUFFIXES
(about half the cases instead go through one pepkit_finder a world, which
keeps its directory listings between lookups, over one spelling of the path;
for half the worlds a snapshot finder, pepkit_finder_new_snapshot).
Compared: the kind (from the loader class and submodule_search_locations),
the loader of a package's __init__, origin, and search locations, byte for
byte; and NOT_FOUND against find_spec returning None or raising
ModuleNotFoundError (3.6 raises AttributeError for a module parent's
__path__). When CPython cannot import a parent to look inside it (an empty
extension module fails to load), its own PathFinder resolves the parent's
search locations level by level instead: the finder's answer without
loading, which is what pepkit computes.

Known, tested differences: CPython 3.6 reports a namespace package's origin
as "namespace" where 3.7+ and pepkit have None.

Usage: test_find_spec.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import importlib
import importlib.machinery
import importlib.util
import os
import shutil
import sys
import tempfile

import importlib._bootstrap_external as bootstrap_external
import traceback  # noqa: F401 (imported before sys.path is swapped: Report.crashed needs it)

from pepkit_ctypes import Report, find_spec, finder_find_spec, finder_new, load_pepkit, strings_list

from ctypes import byref, c_void_p

EXT = list(importlib.machinery.EXTENSION_SUFFIXES)
UTF8_FS = sys.getfilesystemencoding().lower().replace("-", "") == "utf8"
POOL = ["a", "b", "A", "ns", "Ns", "m", "_p", "x1"] + (["\u00e9"] if UTF8_FS else [])
ODD_SUFFIXES = [".pyw", ".txt", ".PY", ".so.1", ".pyo", ".Pyc", ".py~"]
RELATIVE_OK = sys.version_info >= (3, 12)


def pyc_bytes():
    """A valid sourceless .pyc of an empty module for this interpreter."""
    code = compile("", "<pepkit-oracle>", "exec")
    if hasattr(bootstrap_external, "_code_to_timestamp_pyc"):
        return bytes(bootstrap_external._code_to_timestamp_pyc(code, 0, 0))
    return bytes(bootstrap_external._code_to_bytecode(code, 0, 0))


PYC = pyc_bytes()


def write(path, suffix):
    with open(path, "wb") as f:
        if suffix == ".pyc":
            f.write(PYC)


def module_suffix(rng):
    return rng.choice(EXT + [".py"] * 3 + [".pyc"] * 2)


class World:
    """One random tree of path entries under `root`."""

    def __init__(self, rng, root):
        self.rng = rng
        self.root = root
        self.dirs = []
        self.entries = []  # absolute directories, as created
        n = rng.randint(2, 6)
        for i in range(n):
            name = "e%d" % i
            if rng.random() < 0.15:
                name = os.fsdecode(b"e%d\xff\xfe" % i)
            d = os.path.join(root, name)
            os.mkdir(d)
            self.entries.append(d)
        # A namespace package split over 2-5 entries, always.
        shared = rng.choice(POOL)
        for d in rng.sample(self.entries, rng.randint(2, len(self.entries))):
            self.node(os.path.join(d, shared), 1, force="ns")
        for d in self.entries:
            for name in rng.sample(POOL, rng.randint(1, 4)):
                if not os.path.lexists(os.path.join(d, name)):
                    self.node(os.path.join(d, name), 1)

    def children(self, d, depth):
        if depth >= 4:
            return
        for name in self.rng.sample(POOL, self.rng.randint(0, 3)):
            if not os.path.lexists(os.path.join(d, name)):
                self.node(os.path.join(d, name), depth + 1)

    def node(self, path, depth, force=None):
        rng = self.rng
        kind = force or rng.choice(["pkg", "pkg", "ns", "ns", "mod", "mod", "mod", "pkg+mod", "ns+mod",
                                    "file", "odd", "init_dir", "symlink", "broken", "pyc+py"])
        if kind in ("pkg", "pkg+mod"):
            os.mkdir(path)
            self.dirs.append(path)
            suffix = rng.choice(EXT + [".py"] * 4 + [".pyc"] * 2)
            write(os.path.join(path, "__init__" + suffix), suffix)
            if rng.random() < 0.2:  # a second __init__ of a later loader
                other = rng.choice([".py", ".pyc"])
                if not os.path.exists(os.path.join(path, "__init__" + other)):
                    write(os.path.join(path, "__init__" + other), other)
            self.children(path, depth)
        if kind in ("ns", "ns+mod"):
            os.mkdir(path)
            self.dirs.append(path)
            self.children(path, depth)
        if kind in ("mod", "pkg+mod", "ns+mod"):
            suffix = module_suffix(rng)
            write(path + suffix, suffix)
            if rng.random() < 0.2:  # the same module under a second suffix
                suffix = module_suffix(rng)
                if not os.path.exists(path + suffix):
                    write(path + suffix, suffix)
        if kind == "pyc+py":
            write(path + ".pyc", ".pyc")
            write(path + ".py", ".py")
        if kind == "file":
            write(path, "")
        if kind == "odd":
            if rng.random() < 0.5:
                write(path + rng.choice(ODD_SUFFIXES), "")
            else:
                os.mkdir(path + rng.choice([".py", ".pyc"] + EXT[:1]))
        if kind == "init_dir":
            os.mkdir(path)
            os.mkdir(os.path.join(path, "__init__.py"))
            self.children(path, depth)
        if kind == "symlink":
            if self.dirs and rng.random() < 0.7:
                os.symlink(rng.choice(self.dirs), path)
            else:
                target = os.path.join(self.root, "target-%d" % rng.randrange(1 << 30))
                write(target, ".py")
                os.symlink(target, path + ".py")
        if kind == "broken":
            os.symlink(os.path.join(self.root, "nowhere"), path + rng.choice([".py", "", EXT[0]]))

    def path(self, cwd):
        """sys.path for a case: the entries in random order and spellings,
        with missing, file and duplicate entries now and then; relative
        entries (3.12+) are relative to `cwd`."""
        rng = self.rng
        entries = list(self.entries)
        rng.shuffle(entries)
        out = []
        for e in entries:
            r = rng.random()
            if r < 0.1:
                e = e + "/"
            elif r < 0.15:
                e = e + "//"
            elif r < 0.2:
                head, tail = os.path.split(e)
                e = head + "//" + tail
            elif RELATIVE_OK and r < 0.3:
                rel = os.path.relpath(e, cwd)
                e = rng.choice([rel, "./" + rel, rel + "/"])
            out.append(e)
        r = rng.random()
        if r < 0.15:
            out.insert(rng.randint(0, len(out)), os.path.join(self.root, "missing"))
        elif r < 0.25:
            f = os.path.join(self.root, "a-file")
            if not os.path.exists(f):
                write(f, "")
            out.insert(rng.randint(0, len(out)), f)
        elif r < 0.35:
            out.insert(rng.randint(0, len(out)), rng.choice(out))
        elif RELATIVE_OK and r < 0.45:
            # The current directory is one of the entries, named "" or ".".
            out.insert(rng.randint(0, len(out)), rng.choice(["", "."]))
        return out

    def names(self):
        """Every dotted name the tree holds, and mutations of them."""
        found = set()
        suffixes = sorted(EXT + [".py", ".pyc"], key=len, reverse=True)
        for entry in self.entries:
            for d, dirnames, filenames in os.walk(entry):
                rel = os.path.relpath(d, entry)
                prefix = [] if rel == "." else rel.split(os.sep)
                for name in dirnames + filenames:
                    stem = name
                    for s in suffixes:
                        if name.endswith(s):
                            stem = name[: -len(s)]
                            break
                    if stem and "." not in stem and stem != "__init__":
                        found.add(".".join(prefix + [stem]))
        names = set(found)
        rng = self.rng
        for n in found:
            parts = n.split(".")
            r = rng.random()
            if r < 0.3:
                i = rng.randrange(len(parts))
                parts[i] = parts[i].swapcase()
                names.add(".".join(parts))
            elif r < 0.5:
                names.add(n + "." + rng.choice(POOL))
            elif r < 0.6:
                names.add(n + ".zz")
            elif r < 0.7:
                names.add("missing_" + n)
        return sorted(names)


def classify(spec):
    """importlib's answer as pepkit_ctypes.find_spec reports pepkit's."""
    if spec is None:
        return ("error", "PEPKIT_ERR_NOT_FOUND")
    locations = spec.submodule_search_locations
    locations = None if locations is None else [os.fsencode(p) for p in locations]
    if spec.loader is None:
        origin = spec.origin
        if origin == "namespace" and sys.version_info < (3, 7):
            origin = None
        return ("ok", "namespace", None, origin and os.fsencode(origin), locations)
    loader = {
        importlib.machinery.SourceFileLoader: "source",
        importlib.machinery.SourcelessFileLoader: "bytecode",
        importlib.machinery.ExtensionFileLoader: "extension",
    }.get(type(spec.loader), type(spec.loader).__name__)
    kind = loader if locations is None else "package"
    return ("ok", kind, loader, os.fsencode(spec.origin), locations)


def path_finder(name, path):
    """PathFinder.find_spec(name, path) without the _NamespacePath wrapper
    (which needs the parent in sys.modules): PathFinder._get_spec, then
    find_spec's own rule for a spec without a loader."""
    spec = importlib.machinery.PathFinder._get_spec(name, path)
    if spec is None or spec.loader is not None:
        return spec
    if not spec.submodule_search_locations:
        return None
    spec.origin = None
    return spec


def level_by_level(name, path):
    """importlib's PathFinder, one level at a time, loading nothing."""
    spec = None
    parts = name.split(".")
    for i in range(len(parts)):
        if spec is not None:
            if spec.submodule_search_locations is None:
                return None
            path = list(spec.submodule_search_locations)
        spec = path_finder(".".join(parts[: i + 1]), path)
        if spec is None:
            return None
    return spec


def cpython(name, path, counts):
    saved_path = sys.path[:]
    # Before sys.path changes (3.13's invalidate_caches imports
    # importlib.metadata), and before the modules are noted, so that import stays.
    importlib.invalidate_caches()
    saved_modules = set(sys.modules)
    sys.path_importer_cache.clear()
    sys.path[:] = path
    try:
        try:
            return classify(importlib.util.find_spec(name))
        except ModuleNotFoundError:
            return ("error", "PEPKIT_ERR_NOT_FOUND")
        except AttributeError as e:
            if sys.version_info < (3, 7) and "__path__" in str(e):
                return ("error", "PEPKIT_ERR_NOT_FOUND")
            raise
        except ImportError:
            # A parent could not be loaded (an empty extension module).
            counts["unloadable parent"] = counts.get("unloadable parent", 0) + 1
            return classify(level_by_level(name, path))
        except (UnicodeError, SystemError) as e:
            # CPython cannot run a parent's code from a non-UTF-8 path (3.12.1
            # can even raise SystemError from the UnicodeEncodeError).
            if isinstance(e, SystemError) and not isinstance(e.__cause__, UnicodeError):
                raise
            counts["parent on a non-UTF-8 path"] = counts.get("parent on a non-UTF-8 path", 0) + 1
            return classify(level_by_level(name, path))
    finally:
        sys.path[:] = saved_path
        for m in set(sys.modules) - saved_modules:
            del sys.modules[m]
        sys.path_importer_cache.clear()


def pepkit(lib, name, path, use_defaults):
    entries = [os.fsencode(p) for p in path]
    got = find_spec(lib, os.fsencode(name), entries, None if use_defaults else [os.fsencode(s) for s in EXT])
    if got[0] == "error" and got[1] == "PEPKIT_ERR_NOT_FOUND":
        return got[:2]
    return got


def check_defaults(report, lib):
    """pepkit_default_extension_suffixes is CPython 3.13's list on this platform."""
    out = c_void_p()
    status = lib.pepkit_default_extension_suffixes(byref(out))
    got = strings_list(lib, out.value) if status == 0 else status
    if sys.version_info[:2] == (3, 13):
        report.equal("pepkit_default_extension_suffixes() vs 3.13's EXTENSION_SUFFIXES",
                     [os.fsencode(s) for s in EXT], got)
    return got


def main():
    report = Report("oracle find_spec")
    lib = load_pepkit()
    rng = report.rng
    POOL[:] = [n for n in POOL if n not in sys.modules and n not in sys.builtin_module_names]
    defaults = check_defaults(report, lib)
    same_defaults = defaults == [os.fsencode(s) for s in EXT]
    base = tempfile.mkdtemp(prefix="pepkit-find-spec-")
    cwd = os.getcwd()
    counts = {}
    kinds = {}
    target = report.cases(3000)
    mark = report.mark()
    try:
        w = 0
        while report.passed + report.failed - sum(mark) < target:
            root = os.path.join(base, "w%d" % w)
            os.mkdir(root)
            w += 1
            world = World(rng, root)
            names = world.names()
            rng.shuffle(names)
            # One cached finder a world, over one spelling of its path, for
            # about half the cases (its listings stay valid: the tree is fixed).
            finder_path = world.path(os.getcwd())
            # Half the worlds use a snapshot finder (pepkit_finder_new_snapshot;
            # the tree does not change, so its snapshots stay right).
            snapshot = rng.choice([None, 0, 60000, (1 << 64) - 1])
            finder = finder_new(lib, [os.fsencode(p) for p in finder_path], [os.fsencode(s) for s in EXT], snapshot)
            finder_cwd = os.getcwd()
            try:
                for name in names[:40]:
                    use_finder = rng.random() < 0.5
                    if use_finder:
                        os.chdir(finder_cwd)
                        path = finder_path
                    else:
                        if RELATIVE_OK:
                            os.chdir(rng.choice(world.entries + [root]))
                        path = world.path(os.getcwd())
                    use_defaults = same_defaults and rng.random() < 0.5
                    case = "%s(%r) with sys.path=%r (world %d, cwd %r)" % (
                        "pepkit_finder_find_spec" if use_finder else "find_spec", name, path, w - 1, os.getcwd())
                    try:
                        want = cpython(name, path, counts)
                        if use_finder:
                            got = finder_find_spec(lib, finder, os.fsencode(name))
                            if got[0] == "error" and got[1] == "PEPKIT_ERR_NOT_FOUND":
                                got = got[:2]
                            key = "cached finder" if snapshot is None else "snapshot finder"
                            counts[key] = counts.get(key, 0) + 1
                        else:
                            got = pepkit(lib, name, path, use_defaults)
                    except Exception:
                        report.crashed(case)
                        continue
                    kinds[want[1]] = kinds.get(want[1], 0) + 1
                    report.equal(case, want, got)
            finally:
                lib.pepkit_finder_free(finder)
        os.chdir(cwd)
        print("  worlds: %d; kinds: %s; %s" % (w, ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                                               ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        report.part("find_spec on random trees", mark)
    finally:
        os.chdir(cwd)
        shutil.rmtree(base, ignore_errors=True)
    report.finish()


if __name__ == "__main__":
    main()
