"""Hostile existing environments: pyvenv (native pip, re-run, --upgrade,
--clear) on envs whose RECORD entries or directories try to lead pepkit's
writes and deletes outside the env.

    venv_hostile_fs.py PYVENV PYTHON...

Every case builds a copy of a real env made by pepkit, plants its hostile
input, and beside the env a *sentinel tree* (files, a directory, links; each
entry listed with kind, mode, mtime, size and content hash, the directory's
own mode and mtime too). After pyvenv runs, the sentinel must be exactly as
before, nothing new may appear beside the env, and the outcome must be the
expected clear one: success with a "warning: not removing ..." line naming
the skipped entry, or failure with an "Error: ..." naming the link. The exact
scenario of issue 8 (site-packages/evil -> outside, RECORD lists evil/victim)
runs with every interpreter, the whole matrix with one, each with both path
resolvers (openat2 and the O_NOFOLLOW walk, PEPKIT_BENEATH_WALK=1).
Prints how many hostile inputs were tried.
"""
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from venv_harness import Harness, clean_env  # noqa: E402

H = Harness(detail_limit=1500)
PYVENV = H.pyvenv
tried = 0


def sentinel_make(outside):
    """The tree outside the env that nothing may change."""
    os.makedirs(os.path.join(outside, "d", "deeper"))
    for rel, data, mode in [("victim", b"precious\n", 0o644), ("d/victim", b"precious too\n", 0o600),
                            ("d/deeper/victim", b"deepest\n", 0o640), ("RECORD", b"victim,,\n", 0o644),
                            ("pyvenv.cfg", b"home = /nowhere\n", 0o644), ("bin/python3", b"#!/bin/false\n", 0o755)]:
        p = os.path.join(outside, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
    os.symlink("victim", os.path.join(outside, "d", "link-to-victim"))
    os.chmod(os.path.join(outside, "d"), 0o751)
    # mtimes in the past, so a rewrite (same content) shows.
    for dp, dns, fns in os.walk(outside):
        for n in dns + fns:
            p = os.path.join(dp, n)
            if not os.path.islink(p):
                os.utime(p, (1000000000, 1000000000))
    os.utime(outside, (1000000000, 1000000000))


def sentinel_state(outside):
    st = os.lstat(outside)
    out = {".": ("d", stat.S_IMODE(st.st_mode), st.st_mtime_ns)}
    for dp, dns, fns in os.walk(outside):
        for n in dns + fns:
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, outside)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), st.st_mtime_ns)
            else:
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("f", stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_size, digest, st.st_nlink)
    return out


def site_of(env):
    lib = os.path.join(env, "lib")
    for n in sorted(os.listdir(lib)):
        sp = os.path.join(lib, n, "site-packages")
        if os.path.isdir(sp):
            return sp
    raise RuntimeError("no site-packages in " + env)


def pip_dist_info(site):
    for n in os.listdir(site):
        if n.startswith("pip-") and n.endswith(".dist-info"):
            return os.path.join(site, n)
    raise RuntimeError("no pip dist-info in " + site)


def make_old(site, lines, stale=True):
    """Turns the installed pip into "pip 0.1" whose RECORD also lists `lines`
    (bytes) and an ordinary stale file that must still be removed. Returns the
    stale file's path."""
    di = pip_dist_info(site)
    record = os.path.join(di, "RECORD")
    with open(record, "rb") as f:
        data = f.read()
    os.remove(record)  # a private copy: the env is hard-linked from the base env
    with open(record, "wb") as f:
        f.write(data)
    stale_path = os.path.join(site, "pip_stale_module.py")
    with open(stale_path, "wb") as f:
        f.write(b"# left by pip 0.1\n")
    with open(os.path.join(di, "RECORD"), "ab") as f:
        for line in lines:
            f.write(line + b",,\n")
        if stale:
            f.write(b"pip_stale_module.py,,\n")
    old = os.path.join(site, "pip-0.1.dist-info")
    os.rename(di, old)
    return stale_path


def run(args, walk):
    env = clean_env()
    if walk:
        env["PEPKIT_BENEATH_WALK"] = "1"
    r = subprocess.run([PYVENV] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return r.returncode, r.stderr.decode("utf-8", "replace")


class Case:
    def __init__(self, name, plant, args=(), expect="warn", needles=(), check_upgrade=True):
        self.name, self.plant, self.args, self.expect, self.needles = name, plant, list(args), expect, needles
        self.check_upgrade = check_upgrade


def run_case(py, work, base, case, walk, tag):
    """Copies the base env, plants the case, runs pyvenv, checks the sentinel."""
    global tried
    tried += 1
    cdir = os.path.join(work, "case%d" % tried)
    os.mkdir(cdir)
    env = os.path.join(cdir, "env")
    outside = os.path.join(cdir, "outside")
    # Hard links are enough: pepkit replaces files, never writes into them, and
    # the one file a case appends to (RECORD) is copied first.
    subprocess.run(["cp", "-al", base, env], check=True)
    sentinel_make(outside)
    ctx = {"env": env, "outside": outside, "site": site_of(env), "cdir": cdir}
    ctx["stale"] = None
    case.plant(ctx)
    target = ctx.get("target", env)
    before = sentinel_state(outside)
    beside_before = sorted(os.listdir(cdir))
    rc, err = run(["--python", py] + case.args + [target], walk)
    after = sentinel_state(outside)
    beside_after = sorted(os.listdir(cdir))
    name = "%s %s [%s]: %s" % (tag, " ".join(case.args) or "re-run", "walk" if walk else "openat2", case.name)
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    ok = not changed and beside_before == beside_after
    detail = "outside changed: %s; beside: %s -> %s; rc=%d; %s" % (
        [(k, before.get(k), after.get(k)) for k in changed][:6], beside_before, beside_after, rc, err.strip()[-600:])
    if case.expect == "warn":
        ok = ok and rc == 0 and all(n in err for n in case.needles) and "warning: not removing" in err
        ok = ok and not os.path.isdir(os.path.join(ctx["site"], "pip-0.1.dist-info"))
        if ctx["stale"]:
            ok = ok and not os.path.lexists(ctx["stale"])  # the rest of the uninstall proceeded
        # The env still works: its interpreter imports the new pip (-B: no
        # bytecode written; importing pip/__init__ alone keeps it quick).
        if ok:
            r = subprocess.run([os.path.join(env, "bin", "python"), "-B", "-c", "import pip; print(pip.__version__)"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=clean_env())
            ok = r.returncode == 0 and os.path.isdir(os.path.join(ctx["site"], "pip-%s.dist-info" %
                                                                  r.stdout.decode(errors="replace").strip()))
            detail += "; import pip: " + r.stdout.decode(errors="replace")[-300:]
    elif case.expect == "ok":
        ok = ok and rc == 0 and "Error" not in err
    else:  # "error"
        ok = ok and rc == 1 and "Error: " in err and all(n in err for n in case.needles)
    H.report(ok, name, detail)
    shutil.rmtree(cdir, ignore_errors=True)
    if os.path.lexists(cdir):
        subprocess.run(["rm", "-rf", cdir])


def rel_up(site, outside):
    return os.path.relpath(outside, site).encode()


def cases():
    def evil(ctx):
        os.symlink(ctx["outside"], os.path.join(ctx["site"], "evil"))
        ctx["stale"] = make_old(ctx["site"], [b"evil/victim", b"evil/d/victim", b"evil/d/deeper/victim"])

    def dotdot(ctx):
        up = rel_up(ctx["site"], ctx["outside"])
        ctx["stale"] = make_old(ctx["site"], [up + b"/victim", up + b"/d/victim", b"../" * 12 + b"etc/hostname",
                                              b"pip/../../../../../../../../../../" + up[:0] + b"victim", b"..", b"."])

    def absolute(ctx):
        o = ctx["outside"].encode()
        ctx["stale"] = make_old(ctx["site"], [o + b"/victim", o + b"/d/victim", b"/" + o.lstrip(b"/") + b"/d",
                                              ctx["env"].encode() + b"/../outside/victim"])

    def deep_links(ctx):
        # A link to the outside at every depth below site-packages, and a link
        # to a directory inside the env (links are never followed, even inward).
        site = ctx["site"]
        lines = []
        for depth in range(1, 6):
            parts = ["lvl%d" % i for i in range(depth)]
            d = os.path.join(site, *parts[:-1]) if depth > 1 else site
            os.makedirs(d, exist_ok=True)
            os.symlink(ctx["outside"], os.path.join(d, parts[-1]))
            lines.append(("/".join(parts) + "/victim").encode())
            lines.append(("/".join(parts) + "/d/deeper/victim").encode())
        os.symlink(os.path.join(site, "pip"), os.path.join(site, "inward"))
        lines.append(b"inward/__init__.py")
        os.symlink(os.path.join(ctx["outside"], "d"), os.path.join(site, "pip", "evil"))
        lines.append(b"pip/evil/victim")
        ctx["stale"] = make_old(site, lines)

    def link_file(ctx):
        # A listed file that is a link to an outside file: the link goes, the file stays.
        os.symlink(os.path.join(ctx["outside"], "victim"), os.path.join(ctx["site"], "flink"))
        os.symlink(os.path.join(ctx["outside"], "d"), os.path.join(ctx["site"], "dlink"))
        ctx["stale"] = make_old(ctx["site"], [b"flink", b"dlink", b"dlink/victim"])

    def bad_bytes(ctx):
        ctx["stale"] = make_old(ctx["site"], [b"evil\xff/victim", b"pip/ok\x00/../../../../victim",
                                              b'"quoted,name/victim"', b"evil/victim"])
        os.symlink(ctx["outside"], os.path.join(ctx["site"], "evil"))

    def record_link(ctx):
        site = ctx["site"]
        di = pip_dist_info(site)
        old = os.path.join(site, "pip-0.1.dist-info")
        os.rename(di, old)
        with open(os.path.join(ctx["outside"], "RECORD"), "rb") as f:
            assert f.read()
        os.remove(os.path.join(old, "RECORD"))
        os.symlink(os.path.join(ctx["outside"], "RECORD"), os.path.join(old, "RECORD"))

    def dist_info_link(ctx):
        site = ctx["site"]
        di = pip_dist_info(site)
        shutil.rmtree(di)
        # The whole dist-info of "pip 0.1" is a link to an outside directory with a RECORD.
        with open(os.path.join(ctx["outside"], "d", "RECORD"), "wb") as f:
            f.write(b"victim,,\n../victim,,\ndeeper/victim,,\n")
        os.utime(os.path.join(ctx["outside"], "d", "RECORD"), (1000000000, 1000000000))
        os.utime(os.path.join(ctx["outside"], "d"), (1000000000, 1000000000))
        os.symlink(os.path.join(ctx["outside"], "d"), os.path.join(site, "pip-0.1.dist-info"))

    def replaced(rel_fn, what="victim"):
        def plant(ctx):
            p = rel_fn(ctx)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            elif os.path.lexists(p):
                os.remove(p)
            os.symlink(os.path.join(ctx["outside"], what), p)
        return plant

    def env_link(ctx):
        shutil.rmtree(ctx["env"])
        os.symlink(ctx["outside"], ctx["env"])

    def env_link_to_venv(ctx):
        # The env path is a link to a real venv elsewhere: still refused (the
        # link's target is not the env the user named).
        real = os.path.join(ctx["cdir"], "real")
        os.rename(ctx["env"], real)
        os.symlink(real, ctx["env"])
        shutil.copytree(real, os.path.join(ctx["outside"], "venv-copy"), symlinks=True)
        shutil.rmtree(real)
        os.symlink(os.path.join(ctx["outside"], "venv-copy"), real)

    def clear_links(ctx):
        env = ctx["env"]
        os.symlink(ctx["outside"], os.path.join(env, "top-link"))
        os.symlink(os.path.join(ctx["outside"], "d"), os.path.join(ctx["site"], "deep-link"))
        os.symlink(os.path.join(ctx["outside"], "victim"), os.path.join(env, "bin", "file-link"))

    def package_links(ctx):
        # Files and a directory of the installed (old) pip are links out: the
        # new pip's files replace file links; a link where its directory must
        # be is refused (pip itself would write through it).
        site = ctx["site"]
        for rel, what in (("pip/__init__.py", "victim"), ("pip/__main__.py", "d/victim")):
            os.remove(os.path.join(site, rel))
            os.symlink(os.path.join(ctx["outside"], what), os.path.join(site, rel))
        shutil.rmtree(os.path.join(site, "pip", "_internal"))
        os.symlink(os.path.join(ctx["outside"], "d"), os.path.join(site, "pip", "_internal"))
        make_old(site, [])

    def package_file_links(ctx):
        site = ctx["site"]
        for rel, what in (("pip/__init__.py", "victim"), ("pip/__main__.py", "d/victim")):
            os.remove(os.path.join(site, rel))
            os.symlink(os.path.join(ctx["outside"], what), os.path.join(site, rel))
        ctx["stale"] = make_old(site, [b"pip/_internal/../../evil/victim"])
        os.symlink(ctx["outside"], os.path.join(site, "evil"))

    sp = lambda ctx: ctx["site"]  # noqa: E731
    return [
        # The exact scenario of issue 8.
        Case("site-packages/evil -> outside, RECORD lists evil/victim", evil, needles=("evil/victim",)),
        Case("RECORD entries with '..' out of the env", dotdot, needles=("leads out of the environment",)),
        Case("RECORD entries with absolute paths outside the env", absolute, needles=("outside the environment",)),
        Case("RECORD entries through symlinked directories at depths 1-5, inward links, pip/evil", deep_links,
             needles=("lvl0/victim", "lvl0/lvl1/lvl2/lvl3/lvl4/victim", "pip/evil/victim", "symbolic link")),
        Case("RECORD lists links to an outside file and directory", link_file, expect="ok"),
        Case("RECORD entries not UTF-8, with NUL, quoted", bad_bytes, needles=("not valid UTF-8", "NUL")),
        Case("the old pip's RECORD is a link to an outside RECORD", record_link, expect="ok"),
        Case("the old pip's dist-info is a link to an outside directory", dist_info_link, expect="ok"),
        Case("files of the old pip are links to outside files", package_file_links, needles=("evil/victim",)),
        Case("a directory of the old pip is a link to an outside directory", package_links, expect="error",
             needles=("symbolic link",)),
        Case("bin/ is a link to an outside directory", replaced(lambda c: os.path.join(c["env"], "bin"), "d"),
             expect="error", needles=("Unable to create directory",)),
        Case("lib/ is a link to an outside directory", replaced(lambda c: os.path.join(c["env"], "lib"), "d"),
             expect="error", needles=("symbolic link",)),
        Case("lib/pythonX.Y is a link outside",
             replaced(lambda c: os.path.dirname(c["site"]), "d"), expect="error", needles=("symbolic link",)),
        Case("site-packages is a link outside", replaced(sp, "d"), expect="error",
             needles=("Unable to create directory",)),
        # (Debian's include dir is include/python3.X, so the link is a parent there.)
        Case("include/ is a link to an outside directory", replaced(lambda c: os.path.join(c["env"], "include"), "d"),
             expect="error", needles=("include",)),
        Case("pyvenv.cfg is a link to an outside file",
             replaced(lambda c: os.path.join(c["env"], "pyvenv.cfg"), "pyvenv.cfg"), expect="ok"),
        Case("bin/activate and bin/pip are links to outside files",
             lambda c: [replaced(lambda c2: os.path.join(c2["env"], "bin", n))(c) for n in ("activate", "pip", "pip3")],
             expect="ok"),
        Case("the env path is a link to an outside directory", env_link, expect="error",
             needles=("Unable to create directory",)),
        Case("the env path is a link to a venv outside", env_link_to_venv, expect="error",
             needles=("Unable to create directory",)),
        Case("links to the outside inside the env", clear_links, expect="ok"),
    ]


def check(py, work):
    global tried
    tag = os.path.basename(os.path.dirname(os.path.dirname(py))) if "/versions/" in py else py
    base = os.path.join(work, "base-" + str(abs(hash(py))))
    rc, err = run(["--python", py, base], False)
    if rc != 0:
        H.report(False, "%s: making the base env with native pip" % tag, err)
        return
    matrix = py == H.pythons[-1]
    for walk in (False, True):
        for case in cases():
            if not matrix and not case.name.startswith("site-packages/evil"):
                continue
            modes = [[], ["--upgrade"]]
            if matrix and case.expect != "warn":
                modes.append(["--clear"])
            for args in modes:
                c = Case(case.name, case.plant, args, case.expect, case.needles)
                if args == ["--clear"]:
                    # Clearing succeeds (links removed, never followed) unless the env path is itself a
                    # link, or pyvenv.cfg is not a file (then the env is not a venv to clear).
                    c.expect = "ok"
                    if case.plant.__name__.startswith("env_link"):
                        c.expect = "error"
                    elif "pyvenv.cfg" in case.name:
                        c.expect, c.needles = "error", ("not a virtual environment",)
                run_case(py, work, base, c, walk, tag)
    shutil.rmtree(base, ignore_errors=True)


def main():
    start = time.time()
    work = tempfile.mkdtemp(prefix="pepkit-venv-hostile-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(work, "cache")
    try:
        for py in H.pythons:
            check(py, work)
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", work], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    print("hostile inputs tried: %d (in %.0fs)" % (tried, time.time() - start))
    print(H.summary())
    return 1 if H.failed else 0


if __name__ == "__main__":
    sys.exit(main())
