"""Differential test: pepkit's venv tree against `pythonX.Y -m venv --without-pip`.

For every interpreter given and every option case, the same path is filled
once by the interpreter's own venv module and once by pepkit's `pyvenv`, and
the two trees must match byte for byte: paths, types, permission bits, link
targets, file contents. Then the real interpreter is asked, inside both, what
it thinks of the environment (sys.prefix, base_prefix, executable,
_base_executable, the sysconfig scheme, sys.path isolation, -I, a spawn-mode
multiprocessing pool) and the answers must be equal too.

usage: venv_tree.py PYVENV PYTHON...
Prints one line per check and a final "N passed, N failed, N skipped".
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import venv_harness
from venv_harness import Harness, clean_env, snapshot

H = Harness(detail_limit=None, skips=True)
PYVENV, report = H.pyvenv, H.report


def diff(a, b):
    return venv_harness.diff(a, b, "%s: python=%r pepkit=%r", most=6)


def version_of(py):
    out = subprocess.check_output([py, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    return tuple(int(x) for x in out.decode().split("."))


def is_patched(py):
    out = subprocess.check_output([py, "-I", "-c", "import venv, inspect; print('shlex.quote' in inspect.getsource(venv))"])
    return out.strip() == b"True"


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


PROBE = r"""
import sys, os, sysconfig, json
d = {
  "prefix": sys.prefix, "base_prefix": sys.base_prefix, "exec_prefix": sys.exec_prefix,
  "executable": sys.executable, "base_executable": getattr(sys, "_base_executable", None),
  "scheme": sysconfig.get_default_scheme() if hasattr(sysconfig, "get_default_scheme") else None,
  "purelib": sysconfig.get_path("purelib"),
  "path": sys.path, "flags_isolated": sys.flags.isolated,
}
if "spawn" in sys.argv:
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        d["spawn"] = pool.map(abs, [-1, -2, 3])
print(json.dumps(d, sort_keys=True))
"""


def probe(env, exe_name, extra):
    exe = os.path.join(env, "bin", exe_name)
    r = subprocess.run([exe] + extra + ["-c", PROBE, "spawn"], env=clean_env(), cwd=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def check_cachedir_tag(tag, name, env, wanted):
    """pepkit's one extra file (left out of the snapshots): a regular file
    starting with the Cache Directory Tagging signature, or absent on request."""
    p = os.path.join(env, venv_harness.CACHEDIR_TAG)
    if not wanted:
        report(not os.path.lexists(p), "%s: %s: no CACHEDIR.TAG" % (tag, name))
        return
    st = os.lstat(p) if os.path.lexists(p) else None
    data = open(p, "rb").read() if st is not None and stat.S_ISREG(st.st_mode) else b""
    report(data.startswith(venv_harness.CACHEDIR_SIGNATURE) and stat.S_IMODE(st.st_mode) & 0o444 == 0o444,
           "%s: %s: CACHEDIR.TAG with the signature" % (tag, name), repr(data[:80]))


def check_interpreter(py, tmp_root):
    ver = version_of(py)
    patched = is_patched(py)
    tag = "%s (%d.%d%s)" % (py, ver[0], ver[1], ", fixed quoting" if patched else "")
    # The interpreter as invoked by its versioned name, too: the links are named after it.
    versioned = os.path.join(os.path.dirname(py), "python%d.%d" % ver)
    work = tempfile.mkdtemp(dir=tmp_root)
    cwd = os.path.join(work, "the-cwd")
    os.mkdir(cwd)

    cases = [
        ("default", py, [], None),
        ("copies", py, ["--copies"], None),
        ("system-site-packages", py, ["--system-site-packages"], None),
        ("prompt with quotes", py, ["--prompt", "it's mine"], None),
        ("dot prompt", py, ["--prompt", "."], None),
        ("spaces in path", py, [], "with space"),
        ("clear", py, ["--clear"], "pre-existing"),
        ("upgrade", py, ["--upgrade"], "pre-existing"),
        ("recreate", py, [], "pre-existing"),
        ("upgrade copies", py, ["--upgrade", "--copies"], "pre-existing"),
        ("error: a file where the env must go", py, [], "env is a file"),
        ("error: a file where bin/ must go", py, [], "bin is a file"),
    ]
    if os.path.exists(versioned) and versioned != py:
        cases.append(("invoked as python%d.%d" % ver, versioned, [], None))
    if ver >= (3, 13):
        cases.append(("without scm ignore files", py, ["--without-scm-ignore-files"], None))
    cases.append(("pepkit --no-cachedir-tag", py, [], "no tag"))
    # The base interpreter is itself a venv's python (its _base_executable is the real one).
    inner = os.path.join(work, "base-env")
    if run([py, "-m", "venv", "--without-pip", inner], cwd).returncode == 0:
        cases.append(("base is a venv's python", os.path.join(inner, "bin", "python"), [], None))
    # A prompt the pre-CVE-2024-9287 templates would let run code: identical
    # for an interpreter with the fix; for one without it, pepkit deliberately
    # writes quoted activation scripts, so everything else must be identical and
    # those scripts must differ (50-venv-activate checks they run nothing).
    cases.append(("prompt with $ and double quotes", py, ["--prompt", 'say "$(hi)"'],
                  None if patched else "scripts differ"))

    for name, base, args, setup in cases:
        env = os.path.join(work, "env dir" if setup == "with space" else "env")
        results = []
        for tool in ("python", "pepkit"):
            if os.path.isdir(env) and not os.path.islink(env):
                shutil.rmtree(env)
            elif os.path.lexists(env):
                os.remove(env)
            if setup == "pre-existing":
                r = run([base, "-m", "venv", "--without-pip", env], cwd)
                if r.returncode != 0:
                    report(False, "%s: %s setup" % (tag, name), r.stdout.decode())
                    break
                with open(os.path.join(env, "junk.txt"), "w") as f:
                    f.write("old\n")
                # Something an upgrade must repair: a missing alias link.
                alias = os.path.join(env, "bin", "python3")
                if os.path.lexists(alias) and os.path.basename(base) != "python3":
                    os.remove(alias)
            if setup == "env is a file":
                with open(env, "w") as f:
                    f.write("a file\n")
            if setup == "bin is a file":
                os.mkdir(env)
                with open(os.path.join(env, "bin"), "w") as f:
                    f.write("a file\n")
            if tool == "python":
                cmd = [base, "-m", "venv", "--without-pip"] + args + [env]
            else:
                extra = ["--no-cachedir-tag"] if setup == "no tag" else []
                cmd = [PYVENV, "--python", base, "--without-pip"] + extra + args + [env]
            r = run(cmd, cwd)
            if r.returncode != 0:
                results.append(("error", r.stdout.decode(errors="replace").strip()))
            else:
                results.append(("ok", snapshot(env)))
                if tool == "pepkit":
                    check_cachedir_tag(tag, name, env, setup != "no tag")
        if len(results) != 2:
            continue
        (ka, a), (kb, b) = results
        if ka == "error" or kb == "error":
            # Both fail, with the same last line (CPython's "Error: ..." message).
            same = ka == kb and a.splitlines()[-1:] == b.splitlines()[-1:]
            report(same, "%s: %s: both fail alike" % (tag, name), "python: %s / pepkit: %s" % (
                a if ka == "error" else "ok", b if kb == "error" else "ok"))
            if setup == "bin is a file":
                left = sorted(os.listdir(env)) if os.path.isdir(env) else None
                report(left == ["bin"], "%s: %s: pepkit made nothing before failing" % (tag, name), left)
            if os.path.lexists(env):
                if os.path.isdir(env) and not os.path.islink(env):
                    shutil.rmtree(env)
                else:
                    os.remove(env)
            continue
        if setup == "scripts differ":
            scripts = {k for k in set(a) | set(b) if os.path.basename(k).startswith("activate")}
            same_rest = {k: v for k, v in a.items() if k not in scripts} == {k: v for k, v in b.items() if k not in scripts}
            differ = all(a.get(k) != b.get(k) for k in scripts)
            report(same_rest and bool(scripts) and differ,
                   "%s: %s: identical except the activation scripts, which pepkit quotes" % (tag, name), diff(a, b))
            continue
        report(a == b, "%s: tree identical: %s" % (tag, name), diff(a, b))

        if name in ("default", "copies", "system-site-packages"):
            check_accepts(tag, name, base, args, env, cwd, ver)
        if os.path.lexists(env):
            shutil.rmtree(env)
    shutil.rmtree(work, ignore_errors=True)


def check_accepts(tag, name, base, args, env, cwd, ver):
    """The interpreter, run from inside each env, reports the same things."""
    names = ["python", "python3", os.path.basename(base)]
    if ver >= (3, 9):
        names.append("python%d.%d" % ver)
    answers = {}
    for tool in ("python", "pepkit"):
        shutil.rmtree(env, ignore_errors=True)
        if tool == "python":
            cmd = [base, "-m", "venv", "--without-pip"] + args + [env]
        else:
            cmd = [PYVENV, "--python", base, "--without-pip"] + args + [env]
        r = run(cmd, cwd)
        if r.returncode != 0:
            report(False, "%s: %s: %s create" % (tag, name, tool), r.stdout.decode())
            return
        for exe in sorted(set(names)):
            for extra in ([], ["-I"]):
                answers.setdefault((exe, tuple(extra)), []).append(probe(env, exe, extra))
    for (exe, extra), pair in sorted(answers.items()):
        label = "%s: %s: interpreter accepts it: bin/%s %s" % (tag, name, exe, " ".join(extra))
        if len(pair) != 2:
            report(False, label, "missing run")
            continue
        (rc1, out1, err1), (rc2, out2, err2) = pair
        ok = rc1 == 0 and rc2 == 0 and out1 == out2
        if ok:
            import json
            d = json.loads(out2)
            ok = d["prefix"] == env and d["base_prefix"] != env and d.get("spawn") == [1, 2, 3]
            if ver >= (3, 11) and d["scheme"] != "venv":
                ok = False
            base_site = [p for p in d["path"] if p.endswith(("site-packages", "dist-packages")) and not p.startswith(env)]
            if "--system-site-packages" in args:
                ok = ok and bool(base_site)
            else:
                ok = ok and not base_site
        report(ok, label.strip(), "python rc=%d %s %s / pepkit rc=%d %s %s" % (rc1, out1[:300], err1[-300:], rc2, out2[:300], err2[-300:]))


if __name__ == "__main__":
    sys.exit(H.main("pepkit-venv-oracle-", check_interpreter))
