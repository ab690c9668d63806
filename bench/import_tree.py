"""The import benchmark's tree and its Python side.

  import_tree.py make DIR       20 path entries under DIR holding 10,000 names
                                (modules, packages, extension and sourceless
                                files, namespace packages over 2-4 entries,
                                and missing names); writes DIR/names.txt and
                                DIR/entries.txt
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


def outcome(spec):
    if spec is None:
        return "missing"
    if spec.loader is None:
        return "namespace"
    if spec.submodule_search_locations is not None:
        return "package"
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
    elif sys.argv[1] == "walk":
        walk_it(sys.argv[2], int(sys.argv[3]))
    else:
        time_it(sys.argv[2], int(sys.argv[3]))
