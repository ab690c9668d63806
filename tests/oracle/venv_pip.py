"""pip in environments made by pepkit.

Native mode (the default): `bin/pip --version` names the env and the version
ensurepip would install; `pip install` of a wheel built here (no network)
installs its console script with the env's shebang; `pip uninstall` removes it
cleanly; the base interpreter never sees it; the files are those
`python -m venv` installs, less the bytecode pepkit leaves to the interpreter.
Ensurepip mode: the same set of files as `python -m venv` at the same path.

usage: venv_pip.py PYVENV PYTHON...
"""
import base64
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

PYVENV = os.path.abspath(sys.argv[1])
PYTHONS = sys.argv[2:]
passed = failed = 0


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail)[:800] if detail else ""))


def env_vars():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_")) and k != "VIRTUAL_ENV"}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_NO_INDEX="1")
    return env


def run(cmd, **kw):
    return subprocess.run(cmd, env=env_vars(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def make_wheel(dest):
    """A pure-Python wheel with a module and a console script, made by hand."""
    name = "pepkit_hello-1.0-py3-none-any.whl"
    files = {
        "pepkit_hello.py": b"def main():\n    print('hello from pepkit_hello')\n    return 0\n",
        "pepkit_hello-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pepkit-hello\nVersion: 1.0\n",
        "pepkit_hello-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: pepkit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "pepkit_hello-1.0.dist-info/entry_points.txt": b"[console_scripts]\npepkit-hello = pepkit_hello:main\n",
        "pepkit_hello-1.0.dist-info/top_level.txt": b"pepkit_hello\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append("pepkit_hello-1.0.dist-info/RECORD,,")
    files["pepkit_hello-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    path = os.path.join(dest, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data in files.items():
            z.writestr(p, data)
    return path


def tree(root, skip_pycache):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if skip_pycache and ("__pycache__" in rel.split(os.sep) or rel.endswith(".pyc")):
                continue
            st = os.lstat(p)
            kind = "l" if stat.S_ISLNK(st.st_mode) else "d" if stat.S_ISDIR(st.st_mode) else "f"
            out[rel] = (kind, None if kind == "l" else stat.S_IMODE(st.st_mode))
    return out


def diff(a, b):
    keys = sorted(set(a) | set(b))
    return "; ".join("%s: %r vs %r" % (k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k))[:800]


def bundled_wheels(py):
    code = ("import ensurepip, os, glob; d = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled');"
            "print('\\n'.join(glob.glob(os.path.join(d, '*.whl')) + glob.glob('/usr/share/python-wheels/*.whl')))")
    return subprocess.check_output([py, "-I", "-c", code]).decode().split()


def check(py, work, wheel):
    ver = subprocess.check_output([py, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).decode().strip()
    want_pip = subprocess.check_output([py, "-I", "-c", "import ensurepip; print(ensurepip.version())"]).decode().strip()
    tag = "%s (%s)" % (py, ver)
    env = os.path.join(work, "env")
    exe_name = os.path.basename(py)

    # The reference: python -m venv (with ensurepip) at the same path.
    r = run([py, "-m", "venv", env])
    if r.returncode != 0:
        report(False, "%s: python -m venv" % tag, r.stdout.decode(errors="replace"))
        return
    ref_full = tree(env, False)
    ref = tree(env, True)
    shutil.rmtree(env)

    r = run([PYVENV, "--python", py, env])
    report(r.returncode == 0, "%s: pyvenv (native pip)" % tag, r.stdout.decode(errors="replace"))
    if r.returncode != 0:
        return
    native = tree(env, True)
    report(native == ref, "%s: native pip installs python -m venv's files (bytecode aside)" % tag, diff(ref, native))
    r = run([os.path.join(env, "bin", "pip"), "--version"], cwd=work)
    out = r.stdout.decode(errors="replace")
    report(r.returncode == 0 and out.startswith("pip %s from %s/" % (want_pip, env)),
           "%s: bin/pip --version names the env and pip %s" % (tag, want_pip), out)
    for script in ("pip", "pip3", "pip" + ver):
        with open(os.path.join(env, "bin", script), "rb") as f:
            first = f.readline()
        report(first == ("#!%s/bin/%s\n" % (env, exe_name)).encode(), "%s: bin/%s shebang" % (tag, script), first)

    r = run([os.path.join(env, "bin", "pip"), "install", "--no-index", "--no-deps", wheel], cwd=work)
    report(r.returncode == 0, "%s: pip install a local wheel" % tag, r.stdout.decode(errors="replace"))
    hello = os.path.join(env, "bin", "pepkit-hello")
    ok = os.path.exists(hello)
    if ok:
        with open(hello, "rb") as f:
            first = f.readline()
        ok = first == ("#!%s/bin/%s\n" % (env, exe_name)).encode()
        r = run([hello])
        ok = ok and r.stdout == b"hello from pepkit_hello\n"
    report(ok, "%s: its console script has the env's shebang and runs" % tag)
    r = run([py, "-I", "-c", "import pepkit_hello"])
    report(r.returncode != 0, "%s: the base interpreter does not see it" % tag)
    before = tree(env, True)
    r = run([os.path.join(env, "bin", "pip"), "uninstall", "-y", "pepkit-hello"], cwd=work)
    after = tree(env, True)
    left = [k for k in after if "pepkit_hello" in k or "pepkit-hello" in k]
    report(r.returncode == 0 and not left and not os.path.exists(hello),
           "%s: pip uninstall removes it cleanly" % tag, (r.stdout.decode(errors="replace"), left))
    report(after == native, "%s: the env is as before the install" % tag, diff(native, after))
    # --upgrade with pip behaves as ensurepip --upgrade: a newer pip stays, an older one is replaced.
    site = [os.path.join(dp, d) for dp, dns, _ in os.walk(os.path.join(env, "lib")) for d in dns
            if d.startswith("pip-") and d.endswith(".dist-info")]
    if len(site) == 1:
        di = site[0]
        newer = os.path.join(os.path.dirname(di), "pip-999.0.dist-info")
        os.rename(di, newer)
        r = run([PYVENV, "--python", py, "--upgrade", env])
        kept = r.returncode == 0 and os.path.isdir(newer) and not os.path.isdir(di)
        older = os.path.join(os.path.dirname(di), "pip-0.1.dist-info")
        os.rename(newer, older)
        r = run([PYVENV, "--python", py, "--upgrade", env])
        replaced = r.returncode == 0 and os.path.isdir(di) and not os.path.isdir(older)
        r = run([os.path.join(env, "bin", "pip"), "--version"], cwd=work)
        report(kept and replaced and r.returncode == 0,
               "%s: --upgrade keeps a newer pip and replaces an older one" % tag, (kept, replaced, r.stdout[-300:]))
    r = run([os.path.join(env, "bin", "python"), "-m", "pip", "uninstall", "-y", "pip"], cwd=work)
    report(r.returncode == 0 and not os.path.exists(os.path.join(env, "bin", "pip")),
           "%s: pip can uninstall itself (its RECORD is complete)" % tag, r.stdout.decode(errors="replace"))
    shutil.rmtree(env)

    # --upgrade-deps runs the env's pip; with no index and the bundled wheels as
    # the only links it finds nothing newer, and must still succeed.
    if tuple(int(x) for x in ver.split(".")) >= (3, 9):
        wheel_dirs = sorted({os.path.dirname(w) for w in bundled_wheels(py)})
        r = subprocess.run([PYVENV, "--python", py, "--upgrade-deps", env], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=dict(env_vars(), PIP_FIND_LINKS=" ".join(wheel_dirs)))
        cfg = open(os.path.join(env, "pyvenv.cfg")).read() if os.path.exists(os.path.join(env, "pyvenv.cfg")) else ""
        report(r.returncode == 0 and ("--upgrade-deps" in cfg or tuple(int(x) for x in ver.split(".")) < (3, 11)),
               "%s: --upgrade-deps runs the env's pip" % tag, r.stdout.decode(errors="replace"))
        shutil.rmtree(env, ignore_errors=True)

    r = run([PYVENV, "--python", py, "--pip=ensurepip", env])
    report(r.returncode == 0, "%s: pyvenv --pip=ensurepip" % tag, r.stdout.decode(errors="replace"))
    if r.returncode == 0:
        got = tree(env, False)
        report(got == ref_full, "%s: ensurepip mode installs python -m venv's files" % tag, diff(ref_full, got))
    shutil.rmtree(env, ignore_errors=True)


def main():
    work = tempfile.mkdtemp(prefix="pepkit-venv-pip-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(work, "cache")
    try:
        wheel = make_wheel(work)
        for py in PYTHONS:
            check(py, work, wheel)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
