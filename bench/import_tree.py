"""The import benchmark's tree and its Python side.

  import_tree.py make DIR       20 path entries under DIR holding 10,000 names
                                (modules, packages, extension and sourceless
                                files, namespace packages over 2-4 entries,
                                and missing names); writes DIR/names.txt and
                                DIR/entries.txt
  import_tree.py zip DIR ZDIR   the same tree as 20 zip archives ZDIR/eNN.zip
                                (explicit directory members, so namespace
                                packages span archives; extension modules as
                                `.py`, which zipimport cannot load; `.pyc`
                                files valid for this interpreter)
  import_tree.py time DIR RUNS  importlib.util.find_spec on every name with
                                sys.path = the entries: prints the cold first
                                pass and the median of RUNS warm passes (ms),
                                and the count of each outcome
  import_tree.py walk DIR RUNS  pkgutil.walk_packages(entries) with sys.path =
                                the entries: the first walk (it imports every
                                package) and the median of RUNS later walks
                                (ms), and the number of modules listed
"""
import importlib.machinery
import importlib.util
import os
import random
import sys
import time

ENTRIES = 20
NAMES = 10000


def make(d):
    rng = random.Random(420)
    entries = [os.path.join(d, "e%02d" % i) for i in range(ENTRIES)]
    for e in entries:
        os.makedirs(e)
    ext = importlib.machinery.EXTENSION_SUFFIXES[0]
    names = []
    for i in range(NAMES):
        name = "mod_%05d" % i
        r = rng.random()
        home = rng.choice(entries)
        if r < 0.40:
            open(os.path.join(home, name + ".py"), "w").close()
        elif r < 0.50:
            os.mkdir(os.path.join(home, name))
            open(os.path.join(home, name, "__init__.py"), "w").close()
        elif r < 0.60:
            open(os.path.join(home, name + ext), "w").close()
        elif r < 0.65:
            open(os.path.join(home, name + ".pyc"), "w").close()
        elif r < 0.80:
            for e in rng.sample(entries, rng.randint(2, 4)):
                os.mkdir(os.path.join(e, name))
        names.append(name)  # the rest: missing everywhere
    with open(os.path.join(d, "names.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    with open(os.path.join(d, "entries.txt"), "w") as f:
        f.write("\n".join(entries) + "\n")


def zip_tree(d, zd):
    """DIR's tree as one zip archive per entry (see the module docstring)."""
    import marshal
    import zipfile
    os.makedirs(zd)
    ext = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    # A timestamp pyc (flags 0, mtime 0, size 0: no source beside it to check).
    header = importlib.util.MAGIC_NUMBER + bytes(12 if sys.version_info >= (3, 7) else 8)
    pyc = header + marshal.dumps(compile("", "<bench>", "exec"))
    entries = []
    for e in open(os.path.join(d, "entries.txt")).read().split():
        archive = os.path.join(zd, os.path.basename(e) + ".zip")
        with zipfile.ZipFile(archive, "w") as z:
            for root, dirs, files in os.walk(e):
                dirs.sort()
                rel = os.path.relpath(root, e)
                rel = "" if rel == "." else rel + "/"
                if rel:
                    z.writestr(rel, b"")
                for f in sorted(files):
                    if f.endswith(ext):
                        z.writestr(rel + f[:-len(next(x for x in ext if f.endswith(x)))] + ".py", b"")
                    elif f.endswith(".pyc"):
                        z.writestr(rel + f, pyc)
                    else:
                        z.writestr(rel + f, b"")
        entries.append(archive)
    with open(os.path.join(zd, "names.txt"), "w") as f:
        f.write(open(os.path.join(d, "names.txt")).read())
    with open(os.path.join(zd, "entries.txt"), "w") as f:
        f.write("\n".join(entries) + "\n")


def outcome(spec):
    if spec is None:
        return "missing"
    if spec.loader is None:
        return "namespace"
    if spec.submodule_search_locations is not None:
        return "package"
    if type(spec.loader).__name__ == "zipimporter":
        # In the words of the directory loaders, which the bench's sed maps.
        return "SourcelessFileLoader" if spec.origin.endswith(".pyc") else "SourceFileLoader"
    return type(spec.loader).__name__


def time_it(d, runs):
    names = open(os.path.join(d, "names.txt")).read().split()
    entries = open(os.path.join(d, "entries.txt")).read().split()
    sys.path[:] = entries
    find_spec = importlib.util.find_spec
    samples = []
    counts = {}
    for r in range(runs + 1):
        t0 = time.perf_counter()
        for n in names:
            find_spec(n)
        samples.append((time.perf_counter() - t0) * 1e3)
    for n in names:
        k = outcome(find_spec(n))
        counts[k] = counts.get(k, 0) + 1
    cold, warm = samples[0], sorted(samples[1:])[runs // 2]
    print("%.3f %.3f %s" % (cold, warm, " ".join("%s=%d" % kv for kv in sorted(counts.items()))))


def walk_it(d, runs):
    import inspect  # noqa: F401 (pkgutil imports it lazily, after sys.path is swapped)
    import pkgutil
    entries = open(os.path.join(d, "entries.txt")).read().split()
    sys.path[:] = entries
    samples = []
    listed = 0
    for r in range(runs + 1):
        t0 = time.perf_counter()
        listed = sum(1 for _ in pkgutil.walk_packages(entries, onerror=lambda name: None))
        samples.append((time.perf_counter() - t0) * 1e3)
    print("%.3f %.3f %d" % (samples[0], sorted(samples[1:])[runs // 2], listed))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "zip":
        zip_tree(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "walk":
        walk_it(sys.argv[2], int(sys.argv[3]))
    else:
        time_it(sys.argv[2], int(sys.argv[3]))
