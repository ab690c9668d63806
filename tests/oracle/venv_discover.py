"""Oracle: interpreter discovery (`pyvenv --find-python REQUEST`, which is
pepkit_find_python) against `uv python find REQUEST` on the same machine
layout.

Each scenario is a made-up machine inside a temp dir: PATH directories
holding links named python, python3, python3.N (sometimes to an interpreter
of another version than the name says, sometimes dangling, a directory, or a
file that is not executable), and uv's managed folder (UV_PYTHON_INSTALL_DIR)
holding installations `cpython-X.Y.Z-linux-x86_64-gnu/bin/pythonX.Y` (links
to the machine's CPythons), with or without uv's minor-version link
`cpython-X.Y-linux-x86_64-gnu`, and now and then a symlinked installation
directory (which uv ignores). Both tools run with the same environment
(env -i: HOME, PATH, the managed folder, their own caches, no
configuration, no downloads, a cwd with no .venv) for a table of requests:
every request form (3, 3.12, 3.12.1, 312, python3.12, python@3.12,
cpython3.12, cpython@3.12, cp312, cpython-3.12, cpython-3.12.1, upper case,
pypy3, python, python3, absent versions and patches). The answer must be the
same path, or both must find nothing. pyenv's folder (which pepkit searches
after uv's sources and uv does not) is an empty one here, except in the last
scenario, which checks that difference on purpose: a version found only in
pyenv's versions is found by pepkit (that version's own interpreter) and not
by uv. The last scenario also puts an interpreter that cannot be queried
(a script exiting 127, as a pyenv shim does) before a working one on PATH:
both pass it over.

Usage: venv_discover.py PYVENV UV PYTHON...   (PEPKIT_SEED, PEPKIT_ORACLE_SCALE)
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile

PLATFORM = "linux-x86_64-gnu"


def version_of(py):
    out = subprocess.run([py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return tuple(int(x) for x in out.split("."))


def link(target, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)


class Scenario:
    def __init__(self, root, pythons):
        self.root = root
        self.pythons = pythons  # [(path, (x, y, z))]
        self.path_dirs = []
        self.managed = os.path.join(root, "managed")
        self.pyenv = os.path.join(root, "pyenv")
        os.makedirs(self.managed)
        os.makedirs(os.path.join(self.pyenv, "versions"))
        os.makedirs(os.path.join(root, "home"))
        os.makedirs(os.path.join(root, "cwd"))
        self.description = []

    def path_dir(self):
        d = os.path.join(self.root, "p%d" % len(self.path_dirs))
        os.makedirs(d)
        self.path_dirs.append(d)
        return d

    def managed_install(self, py, version, minor_link=False, symlinked=False):
        x, y, z = version
        key = "cpython-%d.%d.%d-%s" % (x, y, z, PLATFORM)
        d = os.path.join(self.managed, key)
        if symlinked:
            # A whole installation linked in: uv leaves such a directory out.
            link(os.path.dirname(os.path.dirname(os.path.realpath(py))), d)
        else:
            exe = "python%d.%d" % (x, y)
            link(os.path.realpath(py), os.path.join(d, "bin", exe))
            link(exe, os.path.join(d, "bin", "python3"))
            link(exe, os.path.join(d, "bin", "python"))
        if minor_link:
            link(key, os.path.join(self.managed, "cpython-%d.%d-%s" % (x, y, PLATFORM)))
        self.description.append("managed %s%s%s" % (key, " (+minor link)" if minor_link else "",
                                                     " (symlinked dir)" if symlinked else ""))

    def env(self, pyenv_root=None):
        return {
            "HOME": os.path.join(self.root, "home"),
            "PATH": os.pathsep.join(self.path_dirs),
            "UV_PYTHON_INSTALL_DIR": self.managed,
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_CONFIG": "1",
            "UV_OFFLINE": "1",
            "UV_CACHE_DIR": os.path.join(self.root, "uv-cache"),
            "XDG_CACHE_HOME": os.path.join(self.root, "xdg-cache"),
            "PYENV_ROOT": pyenv_root or self.pyenv,
        }


def ask(argv, env, cwd):
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    if r.returncode == 0:
        lines = r.stdout.strip().splitlines()
        return ("found", lines[-1] if lines else ""), r.stderr
    return ("none", None), (r.stderr or r.stdout).strip()


def requests_for(versions, rng):
    reqs = ["3", "python", "python3", "pypy3", "pypy", "cpython", "3.99", "3.12.99", "python3.99", "cp399"]
    for (x, y, z) in sorted(set(versions)):
        reqs += ["%d.%d" % (x, y), "%d.%d.%d" % (x, y, z), "%d.%d.%d" % (x, y, z + 1), "%d%d" % (x, y),
                 "python%d.%d" % (x, y), "python@%d.%d" % (x, y), "cpython%d.%d" % (x, y),
                 "cpython@%d.%d.%d" % (x, y, z), "cp%d%d" % (x, y), "cpython-%d.%d" % (x, y),
                 "cpython-%d.%d.%d" % (x, y, z), "CPython%d.%d" % (x, y), "pypy%d.%d" % (x, y)]
    rng.shuffle(reqs)
    return reqs


def main():
    pyvenv, uv = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    seed = int(os.environ.get("PEPKIT_SEED") or random.randrange(2**32))
    scale = float(os.environ.get("PEPKIT_ORACLE_SCALE") or 1)
    print("venv_discover: seed %d (rerun with PEPKIT_SEED=%d)" % (seed, seed))
    rng = random.Random(seed)
    pythons = []
    for py in sys.argv[3:]:
        pythons.append((py, version_of(py)))
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="pepkit-discover-")
    try:
        scenarios = max(1, int(24 * scale))
        for n in range(scenarios + 1):
            root = os.path.join(work, "s%d" % n)
            s = Scenario(root, pythons)
            pyenv_case = n == scenarios
            if n == 0:
                # The fixed layout: two PATH directories, names that agree with
                # their versions, three managed installations, one of them
                # symlinked in.
                a, b = s.path_dir(), s.path_dir()
                by_minor = {v[:2]: (p, v) for p, v in pythons}
                items = sorted(by_minor.values(), key=lambda t: t[1])
                for i, (p, v) in enumerate(items):
                    d = a if i % 2 else b
                    link(os.path.realpath(p), os.path.join(d, "python%d.%d" % v[:2]))
                if items:
                    link(os.path.realpath(items[-1][0]), os.path.join(a, "python3"))
                    link(os.path.realpath(items[0][0]), os.path.join(b, "python"))
                for i, (p, v) in enumerate(items[:3]):
                    s.managed_install(p, v, minor_link=i == 1, symlinked=i == 2)
            elif pyenv_case:
                # Only PATH's python3; everything else only in pyenv's versions.
                d = s.path_dir()
                top_py, top = max(pythons, key=lambda t: t[1])
                link(os.path.realpath(top_py), os.path.join(d, "python3"))
            else:
                for _ in range(rng.randint(1, 4)):
                    d = s.path_dir()
                    for _ in range(rng.randint(0, 5)):
                        p, v = rng.choice(pythons)
                        roll = rng.random()
                        if roll < 0.6:
                            name = "python%d.%d" % v[:2]
                        elif roll < 0.75:
                            name = "python3"
                        elif roll < 0.85:
                            name = "python"
                        else:
                            # A name that lies about the version behind it.
                            q, w = rng.choice(pythons)
                            name = "python%d.%d" % w[:2]
                        link(os.path.realpath(p), os.path.join(d, name))
                    junk = rng.random()
                    if junk < 0.15:
                        link(os.path.join(root, "nowhere"), os.path.join(d, "python3.%d" % rng.randint(7, 13)))
                    elif junk < 0.25 and not os.path.lexists(os.path.join(d, "python3")):
                        os.makedirs(os.path.join(d, "python3"))
                    elif junk < 0.35:
                        p = os.path.join(d, "python")
                        if not os.path.lexists(p):
                            with open(p, "w") as f:
                                f.write("not executable\n")
                for p, v in rng.sample(pythons, rng.randint(0, min(3, len(pythons)))):
                    s.managed_install(p, v, minor_link=rng.random() < 0.5, symlinked=rng.random() < 0.15)
            layout = "; ".join(s.description + ["PATH " + ":".join(
                "%s[%s]" % (os.path.basename(d), ",".join(sorted(os.listdir(d)))) for d in s.path_dirs)])
            print("scenario %d: %s" % (n, layout))
            versions = [v for _, v in pythons]
            reqs = requests_for(versions, rng)
            if not pyenv_case:
                reqs = reqs[:max(8, int(len(reqs) * min(1.0, 0.5 * scale)))] if n else reqs
            cwd = os.path.join(root, "cwd")
            if pyenv_case:
                # pepkit's documented extra: pyenv's versions, after uv's
                # sources. The machine's pyenv folder, real interpreters.
                # (the interpreters under some .../versions/V/bin/).
                in_pyenv = [(p, v) for p, v in pythons
                            if os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.realpath(p))))) == "versions"]
                if not in_pyenv:
                    print("SKIPPED the pyenv scenario: no interpreter under a pyenv versions folder")
                    continue
                pyenv_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
                    os.path.realpath(in_pyenv[0][0])))))
                env = s.env(pyenv_root)
                for p, v in in_pyenv:
                    req = "%d.%d" % v[:2]
                    ours, err = ask([pyvenv, "--find-python", req], env, cwd)
                    theirs, uerr = ask([uv, "python", "find", req], env, cwd)
                    if v[:2] == top[:2]:
                        ok = ours == theirs and ours[0] == "found"
                        want = "both find PATH's python3"
                    else:
                        ok = (theirs[0] == "none" and ours[0] == "found"
                              and os.path.realpath(ours[1]) == os.path.realpath(p)
                              and ours[1].startswith(os.path.join(pyenv_root, "versions") + os.sep))
                        want = "pepkit finds pyenv's %s, uv nothing" % req
                    if ok:
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL pyenv %s: %s; pepkit %r (%s), uv %r (%s)" % (req, want, ours, err, theirs, uerr))
                # A candidate that cannot be queried (here a script exiting
                # 127, as a pyenv shim for a version pyenv has not selected
                # does) is passed over by both; alone on PATH, uv reports it
                # and pepkit finds nothing (pyenv's folder is empty here).
                broken = s.path_dir()
                real = s.path_dir()
                p, v = in_pyenv[0]
                name = "python%d.%d" % v[:2]
                with open(os.path.join(broken, name), "w") as f:
                    f.write("#!/bin/sh\necho 'pyenv: %s: command not found' >&2\nexit 127\n" % name)
                os.chmod(os.path.join(broken, name), 0o755)
                link(os.path.realpath(p), os.path.join(real, name))
                req = "%d.%d" % v[:2]
                for dirs, want in (([broken, real], ("found", os.path.join(real, name))), ([broken], ("none", None))):
                    env = s.env()
                    env["PATH"] = os.pathsep.join(dirs)
                    ours, err = ask([pyvenv, "--find-python", req], env, cwd)
                    theirs, uerr = ask([uv, "python", "find", req], env, cwd)
                    if ours == theirs == want:
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL broken candidate %s, PATH %s: want %r; pepkit %r (%s), uv %r (%s)"
                              % (req, dirs, want, ours, err, theirs, uerr))
                continue
            env = s.env()
            for req in reqs:
                ours, err = ask([pyvenv, "--find-python", req], env, cwd)
                theirs, uerr = ask([uv, "python", "find", req], env, cwd)
                if ours == theirs:
                    passed += 1
                else:
                    failed += 1
                    print("FAIL scenario %d, request %r: pepkit %r (%s), uv %r (%s)" % (n, req, ours, err, theirs,
                                                                                      uerr))
    finally:
        if not os.environ.get("PEPKIT_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
