"""pepkit_venv_check and `pyvenv --check` on envs broken on purpose, and
`pyvenv --upgrade` onto a new patch release of the base, against the real
interpreters and the kernel:

(a) every env made by pepkit (with native pip and without) or by
    `pythonX.Y -m venv` from every CPython is healthy (and runs);
(b) a private base (a dir with bin/python3.X linked to a real interpreter,
    which still finds its prefix by realpath: checked) deleted: BaseMissing
    for it and DanglingLink for exactly the env's links os.path.exists says
    are dead, and the env's python really no longer starts;
(c) the private base repointed at another patch release of the same minor
    (found on this machine, e.g. Debian's 3.11.2 and pyenv's 3.11.7):
    BaseVersionDiffers naming both versions (as the interpreters report
    them); `pyvenv --upgrade --python BASE` then makes exactly the tree
    `python3.X -m venv --upgrade` makes of the same env at the same path, the
    check is clean and the env's python reports the new version; and with
    the base moved to another directory (cpython #95424), pepkit's upgrade
    repoints the links as a fresh env of the new base has them (CPython's
    upgrade leaves them dangling), writes CPython's pyvenv.cfg, and rewrites
    scripts whose shebang named the old base to the env's interpreter (the
    kernel runs them again);
(d) an upgrade to another minor is refused, the tree unchanged (snapshot
    with content hashes before and after);
(e) links cut and scripts whose interpreter is missing, written by hand (plain
    `#!`, pip's /bin/sh trampoline, `/usr/bin/env`, shell scripts): the kinds
    and paths equal what the kernel says (executing each script);
(f) a lib/python3.Y for another minor: SitePackagesOtherMinor for exactly the
    site-packages the env's python does not use.

usage: venv_check.py PYVENV PYTHON...    (libpepkit.so: PEPKIT_LIB or target/release)
"""
import ctypes
import os
import re
import shutil
import subprocess
import sys

from venv_harness import Harness, clean_env, snapshot, diff

H = Harness(detail_limit=900)
PYVENV, report = H.pyvenv, H.report
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = ctypes.CDLL(os.environ.get("PEPKIT_LIB") or os.path.join(ROOT, "target", "release", "libpepkit.so"))
LIB.pepkit_venv_check.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
LIB.pepkit_venv_check.restype = ctypes.c_int
LIB.pepkit_venv_report_len.argtypes = [ctypes.c_void_p]
LIB.pepkit_venv_report_len.restype = ctypes.c_size_t
for _fn in ("kind",):
    getattr(LIB, "pepkit_venv_report_" + _fn).argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    getattr(LIB, "pepkit_venv_report_" + _fn).restype = ctypes.c_int
for _fn in ("path", "message"):
    getattr(LIB, "pepkit_venv_report_" + _fn).argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    getattr(LIB, "pepkit_venv_report_" + _fn).restype = ctypes.c_char_p
LIB.pepkit_venv_report_free.argtypes = [ctypes.c_void_p]
LIB.pepkit_last_error.restype = ctypes.c_char_p

# The kinds' names, from the header (PEPKIT_VENV_PROBLEM_BASE_MISSING 1 -> "BASE_MISSING").
with open(os.path.join(ROOT, "include", "pepkit.h")) as _f:
    KINDS = {int(v): k for k, v in re.findall(r"#define PEPKIT_VENV_PROBLEM_(\w+) (\d+)", _f.read())}


def check(env):
    """(status, [(kind name, path, message)]) of pepkit_venv_check(env)."""
    out = ctypes.c_void_p()
    st = LIB.pepkit_venv_check(os.fsencode(env), ctypes.byref(out))
    if st != 0:
        return st, LIB.pepkit_last_error().decode(errors="replace")
    items = []
    for i in range(LIB.pepkit_venv_report_len(out)):
        items.append((KINDS.get(LIB.pepkit_venv_report_kind(out, i), "?"),
                      os.fsdecode(LIB.pepkit_venv_report_path(out, i)),
                      LIB.pepkit_venv_report_message(out, i).decode(errors="replace")))
    LIB.pepkit_venv_report_free(out)
    return 0, items


def kinds_paths(items):
    return sorted((k, p) for k, p, _ in items)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), timeout=300, **kw)


def version_of(py):
    r = run([py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    return r.stdout.decode().strip() if r.returncode == 0 else None


def real_interpreter(py):
    """The versioned interpreter file behind `py` (python3.X, links resolved)."""
    r = run([py, "-c", "import os, sys; print(os.path.realpath(sys.executable))"])
    return r.stdout.decode().strip()


def private_base(where, real, name):
    """A directory with bin/NAME linked to the real interpreter; returns bin/NAME."""
    os.makedirs(os.path.join(where, "bin"))
    link = os.path.join(where, "bin", name)
    os.symlink(real, link)
    return link


def dead_links(env):
    """The links in bin/ (and lib64) os.path.exists calls dead."""
    out = []
    for d, names in ((os.path.join(env, "bin"), sorted(os.listdir(os.path.join(env, "bin")))), (env, ["lib64"])):
        for n in names:
            p = os.path.join(d, n)
            if os.path.islink(p) and not os.path.exists(p):
                out.append(p)
    return out


def kernel_says_missing(script):
    """True when executing `script` fails because its interpreter is missing:
    ENOENT from execve for a `#!` line, exit 127 from /bin/sh's exec."""
    try:
        r = subprocess.run([script, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                           env=clean_env())
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return r.returncode == 127 and b"not found" in r.stderr.lower()


def scripts_with_missing_interpreter(env):
    out = []
    b = os.path.join(env, "bin")
    for n in sorted(os.listdir(b)):
        p = os.path.join(b, n)
        if os.path.isfile(p) and not os.path.islink(p) and os.access(p, os.X_OK):
            with open(p, "rb") as f:
                if f.read(2) != b"#!":
                    continue
            if kernel_says_missing(p):
                out.append(p)
    return out


def create(tool, py, env, *args):
    if tool == "pepkit":
        cmd = [PYVENV, "--python", py] + list(args) + [env]
    else:
        cmd = [py, "-m", "venv"] + list(args) + [env]
    r = run(cmd)
    if r.returncode != 0:
        report(False, "create %s %s" % (tool, " ".join(cmd)), (r.stdout + r.stderr).decode(errors="replace"))
    return r.returncode == 0


def cli_check(env):
    r = run([PYVENV, "--check", env])
    return r.returncode, r.stdout.decode(errors="replace")


def pythons_by_version():
    """{(major, minor): {patch version: interpreter}}, one interpreter per version."""
    out = {}
    for py in H.pythons:
        v = version_of(py)
        if v:
            out.setdefault(tuple(int(x) for x in v.split(".")[:2]), {}).setdefault(v, py)
    return out


# ---------------------------------------------------------------- (a) healthy
def healthy(py, work):
    ver = version_of(py)
    tag = "%s (%s)" % (py, ver)
    for tool, args in (("pepkit", ["--without-pip"]), ("pepkit", []), ("python", ["--without-pip"])):
        env = os.path.join(work, "healthy-%s" % tool)
        shutil.rmtree(env, ignore_errors=True)
        if not create(tool, py, env, *args):
            continue
        runs = run([os.path.join(env, "bin", "python"), "-c", "import sys; print(sys.prefix)"])
        report(runs.returncode == 0 and runs.stdout.decode().strip() == env,
               "%s: %s %s env runs" % (tag, tool, " ".join(args)), runs.stderr[-300:])
        st, items = check(env)
        report(st == 0 and items == [], "%s: %s %s env is healthy" % (tag, tool, " ".join(args)), items)
        rc, out = cli_check(env)
        report(rc == 0 and out == "%s: ok\n" % env, "%s: pyvenv --check says ok, exit 0" % tag, (rc, out))
        shutil.rmtree(env)
    links_and_scripts(py, work, tag)
    other_minor_site(py, work, tag)


# ------------------------------------------------------- (e) links and scripts
def links_and_scripts(py, work, tag):
    env = os.path.join(work, "cut")
    shutil.rmtree(env, ignore_errors=True)
    if not create("pepkit", py, env):  # native pip: pip's scripts with the env's shebang
        return
    b = os.path.join(env, "bin")
    scripts = {
        "plain-missing": b"#!/nonexistent/pepkit/bin/python3\nprint(1)\n",
        "trampoline-missing": b"#!/bin/sh\n'''exec' \"/no where/bin/python3\" \"$0\" \"$@\"\n' '''\nprint(1)\n",
        "env-lookup": b"#!/usr/bin/env python3\nprint(1)\n",
        "shell": b"#!/bin/sh\necho hi\n",
        "args-missing": b"#!/nonexistent/perl -w\nprint 1;\n",
    }
    for n, text in scripts.items():
        with open(os.path.join(b, n), "wb") as f:
            f.write(text)
        os.chmod(os.path.join(b, n), 0o755)
    with open(os.path.join(b, "notes.txt"), "wb") as f:
        f.write(b"no shebang\n")
    os.symlink("/nonexistent/pepkit/tool", os.path.join(b, "tool"))
    # Cut the interpreter link itself: the aliases and pip's shebangs die with it.
    exe = [n for n in os.listdir(b) if os.path.islink(os.path.join(b, n)) and os.path.isabs(os.readlink(os.path.join(b, n)))]
    for n in exe:
        os.remove(os.path.join(b, n))
    want = sorted([("DANGLING_LINK", p) for p in dead_links(env)] +
                  [("SHEBANG_MISSING_INTERPRETER", p) for p in scripts_with_missing_interpreter(env)])
    st, items = check(env)
    got = kinds_paths(items) if st == 0 else items
    report(got == want and len(want) >= 6, "%s: links cut, shebangs to missing interpreters: the kernel's kinds and paths" % tag,
           "want %r got %r" % (want, got))
    msgs = [m for _, _, m in items] if st == 0 else []
    report(all(os.path.basename(p) in m for (_, p, m) in (items if st == 0 else [])) and
           any("/no where/bin/python3" in m for m in msgs),
           "%s: each message names its path and the missing interpreter" % tag, msgs[:3])
    rc, out = cli_check(env)
    lines = out.splitlines()
    report(rc == 1 and len(lines) == len(items) and all(l.startswith(env + ": ") for l in lines),
           "%s: pyvenv --check prints one 'ENV: message' line per problem, exit 1" % tag, (rc, out[:300]))
    shutil.rmtree(env)


# ------------------------------------------------- (f) site-packages elsewhere
def other_minor_site(py, work, tag):
    env = os.path.join(work, "site")
    shutil.rmtree(env, ignore_errors=True)
    if not create("pepkit", py, env, "--without-pip"):
        return
    lib = os.path.join(env, "lib")
    old = [n for n in os.listdir(lib) if n.startswith("python3.")][0]
    minor = int(old.split(".")[1].rstrip("t"))
    other = "python3.%d" % (minor + 1 if minor < 13 else minor - 1)
    os.rename(os.path.join(lib, old), os.path.join(lib, other))
    r = run([os.path.join(env, "bin", "python"), "-c", "import site; print('\\n'.join(site.getsitepackages()))"])
    used = set(r.stdout.decode().split("\n"))
    want = [("SITE_PACKAGES_OTHER_MINOR", p) for p in sorted(os.path.join(lib, n, "site-packages") for n in os.listdir(lib))
            if os.path.isdir(p) and p not in used] if r.returncode == 0 else None
    st, items = check(env)
    got = kinds_paths(items) if st == 0 else items
    report(want is not None and len(want) == 1 and got == want,
           "%s: %s instead of %s: SitePackagesOtherMinor for the site-packages python does not use" % (tag, other, old),
           "want %r got %r" % (want, got))
    shutil.rmtree(env)


# ------------------------------------------------------ (b), (c), (d): bases
def base_cases(work):
    by = pythons_by_version()
    # (b) on the newest interpreter
    py = H.pythons[-1]
    ver = version_of(py)
    real = real_interpreter(py)
    name = "python%s" % ".".join(ver.split(".")[:2])
    for tool in ("pepkit", "python"):
        base_dir = os.path.join(work, "base-b-%s" % tool)
        base = private_base(base_dir, real, name)
        env = os.path.join(work, "env-b-%s" % tool)
        if not create(tool, base, env, "--without-pip"):
            continue
        r = run([os.path.join(env, "bin", "python"), "-c", "import sys; print(sys.base_prefix); print(sys.version.split()[0])"])
        real_prefix = run([real, "-c", "import sys; print(sys.base_prefix)"]).stdout.decode().strip()
        report(r.returncode == 0 and r.stdout.decode().split() == [real_prefix, ver],
               "(b) %s: an env on a symlinked private base finds the real prefix by realpath" % tool, r.stdout)
        os.remove(base)
        started = run([os.path.join(env, "bin", "python"), "-c", "pass"]).returncode == 0 if os.path.exists(
            os.path.join(env, "bin", "python")) else False
        want = sorted([("BASE_MISSING", base)] + [("DANGLING_LINK", p) for p in dead_links(env)])
        st, items = check(env)
        got = kinds_paths(items) if st == 0 else items
        report(not started and got == want and len(want) >= 3,
               "(b) %s: base deleted: BaseMissing and the dead links" % tool, "want %r got %r" % (want, got))
        report(st == 0 and any(base in m and "--clear --python" in m and "--upgrade --python" in m
                               for k, _, m in items if k == "BASE_MISSING"),
               "(b) %s: the message names the base and both repairing commands" % tool, items)
    # (c) a same-minor pair
    pair = None
    for mm, vs in sorted(by.items()):
        if len(vs) >= 2:
            old_v, new_v = sorted(vs, key=lambda v: [int(x) for x in v.split(".")])[:2]
            pair = (mm, old_v, vs[old_v], new_v, vs[new_v])
    if pair is None:
        H.skip("(c) base replaced by another patch release", "no two CPythons of one minor on this machine")
    else:
        same_minor(work, *pair)
    # (d) another minor refused
    minors = sorted(by)
    if len(minors) < 2:
        H.skip("(d) another minor refused", "one minor only")
    else:
        a, b = by[minors[-2]], by[minors[-1]]
        other_minor_refused(work, list(a.values())[0], list(b.values())[0])


def same_minor(work, mm, old_v, old_py, new_v, new_py):
    tag = "(c) %s -> %s" % (old_v, new_v)
    name = "python%d.%d" % mm
    old_real, new_real = real_interpreter(old_py), real_interpreter(new_py)
    base_dir = os.path.join(work, "base-c")
    base = private_base(base_dir, old_real, name)
    env = os.path.join(work, "env-c")
    if not create("pepkit", base, env, "--without-pip"):
        return
    os.remove(base)
    os.symlink(new_real, base)
    st, items = check(env)
    got = kinds_paths(items) if st == 0 else items
    report(got == [("BASE_VERSION_DIFFERS", base)], "%s: BaseVersionDiffers for the base" % tag, got)
    msg = items[0][2] if st == 0 and items else ""
    report(old_v in msg and new_v in msg and "--upgrade --python" in msg, "%s: the message names both versions" % tag, msg)
    # CPython's upgrade of the same env at the same path, then pepkit's.
    backup = os.path.join(work, "env-c-backup")
    shutil.copytree(env, backup, symlinks=True)
    r = run([base, "-m", "venv", "--without-pip", "--upgrade", env])
    theirs = snapshot(env) if r.returncode == 0 else None
    shutil.rmtree(env)
    shutil.copytree(backup, env, symlinks=True)
    r = run([PYVENV, "--without-pip", "--upgrade", "--python", base, env])
    ours = snapshot(env) if r.returncode == 0 else None
    report(theirs is not None and ours == theirs, "%s: pyvenv --upgrade makes what python -m venv --upgrade makes" % tag,
           r.stderr.decode(errors="replace") if ours is None else diff(theirs or {}, ours))
    st, items = check(env)
    rc, out = cli_check(env)
    report(st == 0 and items == [] and rc == 0, "%s: healthy after the upgrade" % tag, (items, out))
    r = run([os.path.join(env, "bin", "python"), "-c", "import sys; print(sys.version.split()[0])"])
    report(r.stdout.decode().strip() == new_v, "%s: the env's python reports %s" % (tag, new_v), r.stdout + r.stderr)

    # A relocatable env stays so through an upgrade that does not say
    # --relocatable again: the tree the upgrade with --relocatable makes.
    tag = "(c) relocatable %s -> %s" % (old_v, new_v)
    shutil.rmtree(env)
    shutil.rmtree(backup)
    os.remove(base)
    os.symlink(old_real, base)
    if not create("pepkit", base, env, "--without-pip", "--relocatable"):
        return
    os.remove(base)
    os.symlink(new_real, base)
    shutil.copytree(env, backup, symlinks=True)
    r = run([PYVENV, "--without-pip", "--relocatable", "--upgrade", "--python", base, env])
    asked = snapshot(env) if r.returncode == 0 else None
    shutil.rmtree(env)
    shutil.copytree(backup, env, symlinks=True)
    r = run([PYVENV, "--without-pip", "--upgrade", "--python", base, env])
    kept = snapshot(env) if r.returncode == 0 else None
    with open(os.path.join(env, "pyvenv.cfg")) as f:
        cfg = f.read()
    report("relocatable = true\n" in cfg, "%s: pyvenv.cfg keeps relocatable = true" % tag, cfg)
    report(asked is not None and kept == asked, "%s: the tree --relocatable --upgrade makes" % tag,
           r.stderr.decode(errors="replace") if kept is None else diff(asked or {}, kept))

    # The base moved (pyenv's versions/3.X.old gone, versions/3.X.new installed).
    tag = "(c) moved base %s -> %s" % (old_v, new_v)
    shutil.rmtree(env)
    shutil.rmtree(backup)
    old_base = private_base(os.path.join(work, "base-old"), old_real, name)
    new_base = private_base(os.path.join(work, "base-new"), new_real, name)
    if not create("pepkit", new_base, env, "--without-pip"):
        return
    fresh = {k: v for k, v in snapshot(env).items() if v[0] == "l"}
    shutil.rmtree(env)
    if not create("pepkit", old_base, env, "--without-pip"):
        return
    b = os.path.join(env, "bin")
    for n, text in (("tool-plain", "#!%s\nimport sys; print(sys.prefix)\n" % old_base),
                    ("tool-sh", "#!/bin/sh\n'''exec' \"%s\" \"$0\" \"$@\"\n' '''\nimport sys; print(sys.prefix)\n" % old_base)):
        with open(os.path.join(b, n), "w") as f:
            f.write(text)
        os.chmod(os.path.join(b, n), 0o755)
    shutil.rmtree(os.path.join(work, "base-old"))
    st, items = check(env)
    got = kinds_paths(items) if st == 0 else items
    want = sorted([("BASE_MISSING", old_base)] + [("DANGLING_LINK", p) for p in dead_links(env)] +
                  [("SHEBANG_MISSING_INTERPRETER", p) for p in scripts_with_missing_interpreter(env)])
    report(got == want and len(want) >= 6, "%s: base gone: the kernel's kinds and paths" % tag, "want %r got %r" % (want, got))
    shutil.copytree(env, backup, symlinks=True)
    r = run([new_base, "-m", "venv", "--without-pip", "--upgrade", env])
    theirs_cfg = open(os.path.join(env, "pyvenv.cfg")).read() if r.returncode == 0 else None
    st, theirs_items = check(env)
    report(st == 0 and any(k == "DANGLING_LINK" for k, _, _ in theirs_items),
           "%s: CPython's upgrade leaves the links dangling (why pepkit repoints them)" % tag, theirs_items)
    shutil.rmtree(env)
    shutil.copytree(backup, env, symlinks=True)
    r = run([PYVENV, "--without-pip", "--upgrade", "--python", new_base, env])
    report(r.returncode == 0, "%s: pyvenv --upgrade succeeds" % tag, r.stderr)
    ours_cfg = open(os.path.join(env, "pyvenv.cfg")).read()
    report(theirs_cfg is not None and ours_cfg == theirs_cfg, "%s: pyvenv.cfg as CPython's upgrade writes it" % tag,
           (theirs_cfg, ours_cfg))
    links = {k: v for k, v in snapshot(env).items() if v[0] == "l"}
    report(links == fresh, "%s: links as a fresh env of the new base has them" % tag, diff(fresh, links))
    st, items = check(env)
    report(st == 0 and items == [], "%s: healthy after the upgrade" % tag, items)
    for n in ("tool-plain", "tool-sh"):
        try:
            r = run([os.path.join(b, n)])
            got = (r.returncode, r.stdout.decode().strip(), r.stderr[-300:])
        except OSError as e:
            got = (None, "", str(e))
        report(got[:2] == (0, env), "%s: %s runs in the env again" % (tag, n), got)
    shutil.rmtree(env)
    shutil.rmtree(backup)


def other_minor_refused(work, old_py, new_py):
    tag = "(d) %s -> %s" % (version_of(old_py), version_of(new_py))
    env = os.path.join(work, "env-d")
    if not create("pepkit", old_py, env):
        return
    before = snapshot(env)
    r = run([PYVENV, "--upgrade", "--python", new_py, env])
    err = r.stderr.decode(errors="replace")
    after = snapshot(env)
    report(r.returncode == 1 and err.startswith("Error: ") and "--clear --python" in err and "minor" in err,
           "%s: refused with the reason and the rebuilding command" % tag, (r.returncode, err))
    report(before == after, "%s: the env is unchanged, byte for byte" % tag, diff(before, after))
    st, msg = check(os.path.join(work, "no-such-env"))
    report(st == 9, "pepkit_venv_check of a missing dir: NOT_FOUND", (st, msg))
    os.makedirs(os.path.join(work, "plain-dir"))
    st, msg = check(os.path.join(work, "plain-dir"))
    report(st == 9 and "pyvenv.cfg" in msg, "pepkit_venv_check of a dir without pyvenv.cfg: NOT_FOUND", (st, msg))
    rc, out = cli_check(os.path.join(work, "plain-dir"))
    report(rc == 1, "pyvenv --check of a non-env exits 1", rc)
    shutil.rmtree(env)


if __name__ == "__main__":
    sys.exit(H.main("pepkit-venv-check-", lambda py, work, _: healthy(py, work), setup=base_cases))
