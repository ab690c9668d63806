"""Oracle: pepkit_find_spec_ex and pepkit_finder over zip archives on the
path, against importlib.util.find_spec (zipimport) of this interpreter.

Each world is a random module tree written both as zip archives and as
plain directories, and a path mixing them: archives named directly
(`a.zip`) or with a prefix inside them (`a.zip/sub`, `a.zip/sub/deeper`),
with and without explicit directory members (zipimport sees a namespace
portion only through an explicit `dir/` member), stored or deflated, with a
trailing comment or a launcher prepended now and then, beside directories
holding the same and other names, so namespace packages span archives and
directories. Members: `.py` sources (empty, or a few bytes to 4 KiB beside
a `.pyc`); sourceless `.pyc` files valid for this interpreter (timestamp
or, 3.7+, unchecked hash-based); `.pyc` files beside their `.py` that are
stale (mtime 0), fresh (the `.py` member's DOS time and size), carry
another version's magic number, or are hash-based: unchecked, checked with
the source's hash, or checked with another hash; a non-ASCII name (café)
stored as UTF-8 with its flag or, in half the archives, in code page 437
without it; a quarter of the archives in zip64 form; package
`__init__.py`/`.pyc`; modules beside packages of the same name. A file that
is not a zip on the path is skipped by both.

For every name in the world and mutations of them, with a random spelling
of the path, the interpreter's answer (fresh caches, zipimport's directory
cache cleared) is compared with pepkit's: kind, loader, origin, search
locations. About half the cases go through one pepkit_finder a world (its
archive indexes cached and revalidated).

Not generated (documented differences): sources that do not compile,
a package whose only `__init__` is refused bytecode, corrupt archives.

Usage: test_find_spec_zip.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import zipfile
import zipimport

import importlib._bootstrap_external as be
import traceback  # noqa: F401 (Report.crashed needs it)

import test_find_spec as tfs
from pepkit_ctypes import Report, finder_find_spec, finder_new, load_pepkit

EXT = tfs.EXT
POOL = ["a", "b", "ns", "m", "_p", "x1", "caf\u00e9"]
DATE = (2020, 6, 15, 12, 30, 10)


def pyc(kind, source=b""):
    code = compile(source, "<pepkit-oracle>", "exec")
    if kind in ("hash", "checked", "badhash") and hasattr(be, "_code_to_hash_pyc"):
        # Unchecked, checked against the source beside it, or checked with
        # the hash of other bytes (which zipimport must refuse).
        import _imp
        hashed = source + b"#other" if kind == "badhash" else source
        return bytes(be._code_to_hash_pyc(code, _imp.source_hash(be._RAW_MAGIC_NUMBER, hashed), kind != "hash"))
    mtime = int(time.mktime(DATE + (0, 0, -1))) if kind == "fresh" else 0
    if hasattr(be, "_code_to_timestamp_pyc"):
        data = bytes(be._code_to_timestamp_pyc(code, mtime, len(source)))
    else:
        data = bytes(be._code_to_bytecode(code, mtime, len(source)))
    if kind == "badmagic":
        data = b"\x00\x00\r\n" + data[4:]
    return data


class CP437Info(zipfile.ZipInfo):
    """A member whose name is stored in code page 437, without the UTF-8
    flag, as zip tools before it wrote names (zipfile itself writes UTF-8)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


class Tree:
    """A random module tree: {relative path: bytes}, and directory names."""

    def __init__(self, rng):
        self.rng = rng
        self.files = {}
        self.dirs = set()
        for name in rng.sample(POOL, rng.randint(1, 4)):
            self.node(name, 1)

    def module(self, rel):
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            self.files[rel + ".py"] = b""
        elif r < 0.7:
            self.files[rel + ".pyc"] = pyc(rng.choice(["stale", "hash"]))
        else:
            source = b"x = %d\n" % rng.randrange(1000) * rng.choice([1, 1, 500])
            self.files[rel + ".py"] = source
            self.files[rel + ".pyc"] = pyc(rng.choice(["stale", "fresh", "badmagic", "hash", "checked", "badhash"]),
                                           source)

    def node(self, rel, depth):
        rng = self.rng
        kind = rng.choice(["pkg", "ns", "mod", "mod", "pkg+mod"])
        if kind in ("pkg", "pkg+mod", "ns"):
            self.dirs.add(rel)
            if kind != "ns":
                self.module(rel + "/__init__")
            if depth < 3:
                for name in rng.sample(POOL, rng.randint(0, 3)):
                    self.node(rel + "/" + name, depth + 1)
        if kind in ("mod", "pkg+mod"):
            self.module(rel)

    def write_zip(self, path, prefix, dir_entries, compress):
        Info = CP437Info if self.rng.random() < 0.5 else zipfile.ZipInfo
        # A quarter of the archives in zip64 form: with its limit at 0 when
        # the archive is closed, zipfile writes the zip64 end record and, in
        # the central record of every member with data or after the first,
        # 0xFFFFFFFF sizes or offset with the real ones in a zip64 extra
        # field (only 3.13's zipimport reads them; earlier ones see the
        # 0xFFFFFFFF sizes and cannot read such a member's data).
        zip64 = self.rng.random() < 0.25
        z = zipfile.ZipFile(path, "w")
        limit = zipfile.ZIP64_LIMIT
        try:
            if dir_entries:
                parts = prefix.strip("/").split("/") if prefix else []
                for i in range(len(parts)):
                    z.writestr(Info("/".join(parts[:i + 1]) + "/", DATE), b"")
                for d in sorted(self.dirs):
                    z.writestr(Info(prefix + d + "/", DATE), b"")
            for rel, data in sorted(self.files.items()):
                info = Info(prefix + rel, DATE)
                info.compress_type = compress
                z.writestr(info, data)
            if self.rng.random() < 0.15:
                z.comment = b"a trailing comment"
            if zip64:
                zipfile.ZIP64_LIMIT = 0
            z.close()
        finally:
            zipfile.ZIP64_LIMIT = limit

    def write_dir(self, root):
        for d in sorted(self.dirs):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for rel, data in self.files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "wb") as f:
                f.write(data)

    def names(self):
        out = set()
        for rel in list(self.files) + list(self.dirs):
            parts = rel.split("/")
            last = parts[-1]
            for s in (".pyc", ".py"):
                if last.endswith(s):
                    parts[-1] = last[:-len(s)]
            if parts[-1] == "__init__":
                parts.pop()
            if parts:
                out.add(".".join(parts))
        return out


def make_world(rng, root):
    """The path entries of one world and the names to look up."""
    entries = []
    names = set()
    for i in range(rng.randint(1, 4)):
        tree = Tree(rng)
        names |= tree.names()
        if rng.random() < 0.7:
            archive = os.path.join(root, "z%d%s" % (i, rng.choice([".zip", ".zip", ".egg", ".whl", ""])))
            prefix = rng.choice(["", "", "", "sub/", "sub/deeper/"])
            compress = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
            tree.write_zip(archive, prefix, rng.random() < 0.6, compress)
            if rng.random() < 0.1:
                with open(archive, "rb") as f:
                    data = f.read()
                with open(archive, "wb") as f:
                    f.write(b"#!/bin/sh\nexit 0\n" + data)
            entries.append(archive + ("/" + prefix.rstrip("/") if prefix else ""))
        else:
            d = os.path.join(root, "d%d" % i)
            tree.write_dir(d)
            entries.append(d)
    r = rng.random()
    if r < 0.1:
        bad = os.path.join(root, "notzip.zip")
        with open(bad, "wb") as f:
            f.write(b"PK\x03\x04 but nothing more")
        entries.insert(rng.randint(0, len(entries)), bad)
    elif r < 0.2:
        entries.insert(rng.randint(0, len(entries)), entries[0] + "/missing")
    mutated = set(names)
    for n in names:
        x = rng.random()
        if x < 0.3:
            mutated.add(n + "." + rng.choice(POOL))
        elif x < 0.4:
            mutated.add("zz_" + n)
    return entries, sorted(mutated)


def classify(spec):
    if spec is not None and isinstance(spec.loader, zipimport.zipimporter):
        locations = spec.submodule_search_locations
        locations = None if locations is None else [os.fsencode(p) for p in locations]
        loader = "bytecode" if spec.origin.endswith(".pyc") else "source"
        return ("ok", "package" if locations is not None else loader, loader, os.fsencode(spec.origin), locations)
    return CLASSIFY_DIR(spec)


CLASSIFY_DIR = tfs.classify


def main():
    report = Report("oracle find_spec zip")
    lib = load_pepkit()
    rng = report.rng
    POOL[:] = [n for n in POOL if n not in sys.modules and n not in sys.builtin_module_names]
    tfs.classify = classify  # tfs.cpython classifies zipimport specs too
    base = tempfile.mkdtemp(prefix="pepkit-find-spec-zip-")
    counts = {}
    kinds = {}
    target = report.cases(1500)
    mark = report.mark()
    ext = [os.fsencode(s) for s in EXT]
    try:
        w = 0
        while report.passed + report.failed - sum(mark) < target:
            root = os.path.join(base, "w%d" % w)
            os.mkdir(root)
            w += 1
            entries, names = make_world(rng, root)
            finder = finder_new(lib, [os.fsencode(p) for p in entries], ext, rng.choice([None, 0, 60000]))
            try:
                for name in names[:40]:
                    path = list(entries)
                    use_finder = rng.random() < 0.5
                    if not use_finder and rng.random() < 0.3:
                        rng.shuffle(path)
                    case = "%s(%r) with sys.path=%r" % ("finder" if use_finder else "find_spec", name, path)
                    try:
                        if hasattr(zipimport, "_zip_directory_cache"):
                            zipimport._zip_directory_cache.clear()
                        want = tfs.cpython(name, path, counts)
                        if use_finder:
                            got = finder_find_spec(lib, finder, os.fsencode(name))
                        else:
                            got = tfs.find_spec(lib, os.fsencode(name), [os.fsencode(p) for p in path], ext)
                        if got[0] == "error" and got[1] == "PEPKIT_ERR_NOT_FOUND":
                            got = got[:2]
                    except Exception:
                        report.crashed(case)
                        continue
                    where = (want[3] or b"") if want[0] == "ok" else b""
                    if want[0] == "ok" and want[1] == "namespace":
                        where = b" ".join(want[4])
                    key = want[1] + (" (zip)" if b"/z" in where else "")
                    kinds[key] = kinds.get(key, 0) + 1
                    report.equal(case, want, got)
            finally:
                lib.pepkit_finder_free(finder)
        print("  worlds: %d; kinds: %s; %s" % (w, ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                                               ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        report.part("find_spec over zip archives and directories", mark)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    report.finish()


if __name__ == "__main__":
    main()
