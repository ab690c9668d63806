"""The harness the venv differential scripts share (venv_kill.py, venv_pip.py,
venv_random.py, venv_tree.py): their command line, counters and status line,
the seed, the environment they run interpreters in, and tree snapshots.

Each script makes one Harness at import time:

    H = Harness(detail_limit=600, seeded=True)
    ...
    if __name__ == "__main__":
        sys.exit(H.main("pepkit-venv-x-", check))

and prints what the suites (tests/suites/50-venv-*.sh, tests/run_suites.sh)
parse: "ok   ..." / "FAIL ..." lines and a last "N passed, N failed[, N skipped]".
Python 3.6-compatible, like the rest of tests/oracle.
"""
import hashlib
import os
import random
import shutil
import stat
import sys
import tempfile


class Harness:
    """usage: script PYVENV PYTHON...

    detail_limit: how many characters of a failure's detail to print (None: all).
    seeded: draw a seed (PEPKIT_SEED=n reruns one) for self.rng; main() prints it.
    skips: the status line counts skips ("N passed, N failed, N skipped").
    """

    def __init__(self, detail_limit=600, seeded=False, skips=False):
        self.pyvenv = os.path.abspath(sys.argv[1])
        self.pythons = sys.argv[2:]
        self.detail_limit = detail_limit
        self.skips = skips
        self.passed = self.failed = self.skipped = 0
        self.seed = self.rng = None
        if seeded:
            self.seed = int(os.environ.get("PEPKIT_SEED") or random.randrange(1 << 30))
            self.rng = random.Random(self.seed)

    def report(self, ok, name, detail="", ok_name=None):
        """Counts a check and prints "ok   name" or "FAIL name: detail".
        ok_name, if given, is printed instead of name when the check passes."""
        if ok:
            self.passed += 1
            print("ok   " + (name if ok_name is None else ok_name))
        else:
            self.failed += 1
            detail = str(detail) if detail else ""
            if self.detail_limit is not None:
                detail = detail[:self.detail_limit]
            print("FAIL " + name + (": " + detail if detail else ""))
        return ok

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP " + name + ": " + why)

    def summary(self):
        line = "%d passed, %d failed" % (self.passed, self.failed)
        return line + (", %d skipped" % self.skipped if self.skips else "")

    def main(self, prefix, check, setup=None, cache="cache"):
        """Prints the seed (if seeded); makes a work dir named prefix... with
        XDG_CACHE_HOME at work/<cache>; calls check(py, work), or with setup
        check(py, work, setup(work)), for every interpreter; removes the work
        dir; prints the status line. Returns the exit status (1 if any failed)."""
        if self.seed is not None:
            print("PEPKIT_SEED=%d" % self.seed)
        work = tempfile.mkdtemp(prefix=prefix)
        os.environ["XDG_CACHE_HOME"] = os.path.join(work, cache)
        try:
            extra = [setup(work)] if setup else []
            for py in self.pythons:
                check(py, work, *extra)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(self.summary())
        return 1 if self.failed else 0


def clean_env(drop=("PYTHON",)):
    """os.environ without VIRTUAL_ENV and the variables starting with any of drop."""
    return {k: v for k, v in os.environ.items() if not k.startswith(tuple(drop)) and k != "VIRTUAL_ENV"}


# pepkit's one addition to python -m venv's tree (uv writes one too): left
# out of tree comparisons, and checked by venv_tree.py on its own.
CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55\n"


def walk(root, skip_pycache=False):
    """(relative path, path) of everything below root, links not followed, but
    the root's CACHEDIR.TAG; skip_pycache leaves out __pycache__ directories,
    what is in them and .pyc files."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if rel == CACHEDIR_TAG:
                continue
            if skip_pycache and ("__pycache__" in rel.split(os.sep) or rel.endswith(".pyc")):
                continue
            yield rel, p


def paths(root):
    """The set of relative paths below root."""
    return {rel for rel, _ in walk(root)}


def kind_of(st):
    return "l" if stat.S_ISLNK(st.st_mode) else "d" if stat.S_ISDIR(st.st_mode) else "f"


def modes(root, skip_pycache=False):
    """{relative path: (kind, permission bits; None for a link)} below root (root itself not included)."""
    out = {}
    for rel, p in walk(root, skip_pycache):
        st = os.lstat(p)
        kind = kind_of(st)
        out[rel] = (kind, None if kind == "l" else stat.S_IMODE(st.st_mode))
    return out


def snapshot(root):
    """{relative path: (kind, mode, link target or content digest)}, root itself as "."."""
    out = {".": ("d", stat.S_IMODE(os.lstat(root).st_mode), None)}
    for rel, p in walk(root):
        st = os.lstat(p)
        kind = kind_of(st)
        if kind == "l":
            out[rel] = ("l", None, os.readlink(p))
        elif kind == "d":
            out[rel] = ("d", stat.S_IMODE(st.st_mode), None)
        else:
            with open(p, "rb") as f:
                out[rel] = ("f", stat.S_IMODE(st.st_mode), hashlib.sha256(f.read()).hexdigest())
    return out


def changed_keys(a, b):
    """The keys whose values differ between two dicts, sorted."""
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def diff(a, b, fmt="%s: %r vs %r", most=None):
    """The differing entries of two snapshots, fmt % (key, a's, b's) each,
    joined with "; " (the first `most` of them)."""
    return "; ".join(fmt % (k, a.get(k), b.get(k)) for k in changed_keys(a, b)[:most])
