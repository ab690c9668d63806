"""pepkit's native wheel installer against pip, file for file.

    venv_install.py PYVENV LIBPEPKIT WHEEL_DIR PYTHON...

For every CPython given and every real wheel in WHEEL_DIR that fits it (plus a
GUI-script wheel and a version pair built here): two twins of one env made by
pyvenv (with pip), at the same path one after the other, one filled by
`pip install --no-deps --no-index --no-compile` and one by `pyvenv --install`;
their trees must be equal (paths, kinds, modes, bytes, link targets). Then, in
pepkit's twin, pip lists, shows and uninstalls each dist cleanly, importlib.metadata
finds it, its console script runs and the package imports. The same with
bytecode: pip's default compile against pepkit's compile_bytecode (through
libpepkit, ctypes): the same .pyc files and RECORD, the .pyc bytes equal but
for the source mtime field (bytes 8-11: each twin's files were written at their
own time). Hostile wheels built with zipfile are refused with a clear message
and leave the env's tree hash unchanged. Prints "N passed, N failed".
"""
import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

PYVENV, LIB, WHEELS = sys.argv[1], sys.argv[2], sys.argv[3]
PYTHONS = sys.argv[4:]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def snapshot(root, skip=()):
    """path -> (kind, mode, bytes or link target), pip's own bytecode left out."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            if any(s(rel) for s in skip):
                continue
            st = os.lstat(p)
            if os.path.islink(p):
                out[rel] = ("l", 0, os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("d", st.st_mode & 0o7777, b"")
            else:
                with open(p, "rb") as f:
                    out[rel] = ("f", st.st_mode & 0o7777, f.read())
    return out


def tree_hash(root):
    h = hashlib.sha256()
    for k, v in sorted(snapshot(root).items()):
        h.update(repr((k, v)).encode())
    return h.hexdigest()


def diff(a, b, pyc_mask=False):
    """The differences of two snapshots, as lines."""
    lines = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if x is None or y is None:
            lines.append("%s only in %s" % (k, "pip" if y is None else "pepkit"))
            continue
        if pyc_mask and k.endswith(".pyc") and x[0] == y[0] == "f":
            x = (x[0], x[1], x[2][:8] + x[2][12:])
            y = (y[0], y[1], y[2][:8] + y[2][12:])
        if x != y:
            lines.append("%s differs: %r vs %r" % (k, x[:2] + (x[2][:80],), y[:2] + (y[2][:80],)))
    return lines


def make_wheel(path, files, record=True, tag="py3-none-any", extra=(), dup=None, bad_hash=None, unlisted=()):
    """A small wheel: files {name: bytes}, a RECORD (hashes of `files`),
    `extra` members written after RECORD, unlisted."""
    name, version = os.path.basename(path).split("-")[:2]
    di = "%s-%s.dist-info" % (name, version)
    files = dict(files)
    files.setdefault("%s/METADATA" % di, ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode())
    files.setdefault("%s/WHEEL" % di, ("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: %s\n" % tag).encode())
    rows = []
    for n, data in files.items():
        if n in unlisted:
            continue
        digest = hashlib.sha256(data if n != bad_hash else data + b"x").digest()
        import base64
        rows.append("%s,sha256=%s,%d" % (n, base64.urlsafe_b64encode(digest).decode().rstrip("="), len(data)))
    rows.append("%s/RECORD,," % di)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in files.items():
                zi = zipfile.ZipInfo(n, (2020, 1, 1, 0, 0, 0))
                zi.external_attr = (0o100755 if n.endswith("-exec") else 0o100644) << 16
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, data)
            if record:
                z.writestr("%s/RECORD" % di, "\n".join(rows) + "\n")
            for n, data in extra:
                z.writestr(n, data)
            if dup:
                z.writestr(dup, b"again")
    return path


class WheelOptions(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("compile_bytecode", ctypes.c_bool), ("link_mode", ctypes.c_int32),
                ("use_cache", ctypes.c_bool), ("progress", ctypes.c_void_p), ("progress_ctx", ctypes.c_void_p)]


lib = ctypes.CDLL(LIB)
lib.pepkit_last_error.restype = ctypes.c_char_p


def native_install(env, wheel, compile_bytecode):
    o = WheelOptions()
    if lib.pepkit_wheel_options_init(ctypes.byref(o)) != 0:
        return lib.pepkit_last_error().decode()
    o.compile_bytecode = compile_bytecode
    rc = lib.pepkit_venv_install_wheel(env.encode(), wheel.encode(), ctypes.byref(o))
    return None if rc == 0 else lib.pepkit_last_error().decode()


def fits(py, wheel):
    code = ("import sys\nfrom pip._vendor.packaging.tags import sys_tags, parse_tag\n"
            "t=set(sys_tags()); w=sys.argv[1].rsplit('-',3)\n"
            "print(any(x in t for x in parse_tag('-'.join(w[1:])[:-4])))")
    r = run([py, "-c", code, wheel])
    return r.stdout.strip() == "True"


# What each real wheel offers to run after the install: (dist, import name, script args).
CHECKS = {
    "tqdm": ("tqdm", "tqdm", ["tqdm", "--version"]),
    # s3cmd's script needs python-dateutil (not installed: --no-deps).
    "s3cmd": ("s3cmd", "S3", None),
    "pybind11_global": ("pybind11-global", None, None),
    "MarkupSafe": ("MarkupSafe", "markupsafe", None),
    # Importing it needs Sphinx: finding it through the namespace package is the check.
    "sphinxcontrib_serializinghtml": ("sphinxcontrib-serializinghtml", "sphinxcontrib", None),
    "guipkg": ("guipkg", "guipkg", ["guipkg-gui"]),
    "verpkg": ("verpkg", "verpkg", None),
}


def one_python(py, tmp):
    env = os.path.join(tmp, "e")
    orig = os.path.join(tmp, "orig")
    r = run([PYVENV, "--python", py, env])
    check(r.returncode == 0, "%s: pyvenv %s" % (py, r.stdout))
    if r.returncode:
        return
    shutil.copytree(env, orig, symlinks=True)
    base_site = [k for k in snapshot(orig) if k.endswith("site-packages")][0]

    def pips_own(rel):
        # pip's own bytecode, written as pip runs.
        return "__pycache__" in rel and os.path.isdir(os.path.join(orig, rel.split("/__pycache__")[0]))

    built = os.path.join(tmp, "built")
    os.makedirs(built)
    gui = make_wheel(os.path.join(built, "guipkg-1.0-py3-none-any.whl"), {
        "guipkg/__init__.py": b"def main():\n    print('gui ok')\n",
        "guipkg-1.0.dist-info/entry_points.txt": b"[gui_scripts]\nguipkg-gui = guipkg:main\n[console_scripts]\nguipkg-cli = guipkg:main\n",
        "guipkg-1.0.data/scripts/guipkg-raw": b"#!python\nprint('raw')\n",
        "guipkg-1.0.data/scripts/guipkg-exec": b"#!python -u\nprint('exec')\n",
    })
    v1 = make_wheel(os.path.join(built, "verpkg-1.0-py3-none-any.whl"), {"verpkg/__init__.py": b"V = 1\n", "verpkg/old.py": b""})
    v2 = make_wheel(os.path.join(built, "verpkg-2.0-py3-none-any.whl"), {"verpkg/__init__.py": b"V = 2\n"})
    wheels = sorted(os.path.join(WHEELS, w) for w in os.listdir(WHEELS) if w.endswith(".whl"))
    wheels = [w for w in wheels if fits(py, w)] + [gui]
    check(len(wheels) >= 5, "%s: %d fitting wheels" % (py, len(wheels)))

    for compile_bytecode in (False, True):
        label = "%s %s" % (py, "compile" if compile_bytecode else "no-compile")
        # pip's twin.
        shutil.rmtree(env)
        shutil.copytree(orig, env, symlinks=True)
        cmd = [os.path.join(env, "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               "--no-deps", "--no-index"] + ([] if compile_bytecode else ["--no-compile"])
        r = run(cmd + wheels + [v1])
        r2 = run(cmd + [v2])
        check(r.returncode == 0 and r2.returncode == 0, "%s: pip install: %s%s" % (label, r.stdout, r2.stdout))
        pip_tree = snapshot(env, [pips_own])
        # pepkit's twin, at the same path.
        shutil.rmtree(env)
        shutil.copytree(orig, env, symlinks=True)
        if compile_bytecode:
            errs = [e for e in (native_install(env, w, True) for w in wheels + [v1, v2]) if e]
            check(not errs, "%s: native install: %s" % (label, errs))
        else:
            r = run([PYVENV] + sum((["--install", w] for w in wheels + [v1]), []) + [env])
            r2 = run([PYVENV, "--install", v2, env])
            check(r.returncode == 0 and r2.returncode == 0, "%s: pyvenv --install: %s%s" % (label, r.stdout, r2.stdout))
        mine = snapshot(env, [pips_own])
        d = diff(pip_tree, mine, pyc_mask=compile_bytecode)
        check(not d, "%s: trees differ:\n  %s" % (label, "\n  ".join(d[:15])))
        npyc = sum(1 for k in mine if k.endswith(".pyc"))
        check((npyc > 0) == compile_bytecode, "%s: %d .pyc files" % (label, npyc))
        if compile_bytecode:
            continue
        # The same version again: "already satisfied", nothing changes.
        before = tree_hash(env)
        r = run([PYVENV, "--verbose", "--install", wheels[0], env])
        check(r.returncode == 0 and "already-satisfied" in r.stdout and tree_hash(env) == before,
              "%s: reinstall of the same version: %s" % (label, r.stdout))
        # pip and importlib see every dist; scripts run; packages import.
        py_env = os.path.join(env, "bin/python")
        listed = run([py_env, "-m", "pip", "list", "--disable-pip-version-check", "--format=freeze"]).stdout.lower()
        for w in wheels + [v2]:
            key = os.path.basename(w).split("-")[0]
            dist, mod, script = CHECKS.get(key, (key, None, None))
            canon = dist.lower().replace("_", "-")
            check(canon + "==" in listed.replace("_", "-"), "%s: pip list lacks %s" % (label, dist))
            r = run([py_env, "-m", "pip", "show", "--disable-pip-version-check", dist])
            check(r.returncode == 0 and "Name:" in r.stdout, "%s: pip show %s: %s" % (label, dist, r.stdout))
            r = run([py_env, "-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))", dist])
            check(r.returncode == 0 and r.stdout.strip() == os.path.basename(w).split("-")[1],
                  "%s: importlib.metadata.version(%s): %s" % (label, dist, r.stdout))
            if mod:
                r = run([py_env, "-c", "import " + mod])
                check(r.returncode == 0, "%s: import %s: %s" % (label, mod, r.stdout))
            if script:
                r = run([os.path.join(env, "bin", script[0])] + script[1:])
                check(r.returncode == 0 and r.stdout.strip(), "%s: %s: %s" % (label, script, r.stdout))
        r = run([py_env, "-c", "import importlib.util as u; print(bool(u.find_spec('sphinxcontrib.serializinghtml')))"])
        check(r.stdout.strip() == "True", "%s: namespace package sphinxcontrib.serializinghtml: %s" % (label, r.stdout))
        # guipkg-raw is not executable in the archive, so not in the env (as pip).
        for cmd, want in ((["guipkg-cli"], "gui ok"), (["guipkg-exec"], "exec"), ([py_env, "guipkg-raw"], "raw")):
            cmd = cmd[:-1] + [os.path.join(env, "bin", cmd[-1])]
            r = run(cmd)
            check(r.returncode == 0 and r.stdout.strip() == want, "%s: %s: %s" % (label, cmd, r.stdout))
        r = run([py_env, "-c", "import verpkg; print(verpkg.V)"])
        check(r.stdout.strip() == "2" and not os.path.exists(os.path.join(env, base_site, "verpkg/old.py")),
              "%s: verpkg 1.0 replaced by 2.0: %s" % (label, r.stdout))
        # pip uninstalls every one, leaving the env as it was.
        dists = [CHECKS.get(os.path.basename(w).split("-")[0], (os.path.basename(w).split("-")[0],))[0] for w in wheels + [v2]]
        r = run([py_env, "-m", "pip", "uninstall", "-y", "-q", "--disable-pip-version-check"] + dists)
        check(r.returncode == 0, "%s: pip uninstall: %s" % (label, r.stdout))
        # Files only: pip's uninstall leaves emptied directories outside
        # site-packages (share/, include/site/) and namespace directories, as
        # it does after its own installs.
        now = snapshot(env, [pips_own])
        left = diff(snapshot(orig, [pips_own]), {k: v for k, v in now.items() if v[0] != "d" or k in snapshot(orig)})
        check(not left, "%s: left after pip uninstall:\n  %s" % (label, "\n  ".join(left[:10])))

    # Hostile wheels: each refused, naming the problem; the tree unchanged.
    shutil.rmtree(env)
    shutil.copytree(orig, env, symlinks=True)
    good = {"hostile/__init__.py": b"X = 1\n"}
    h = os.path.join(tmp, "hostile")
    os.makedirs(h)

    def sub(n):
        os.makedirs(os.path.join(h, n), exist_ok=True)
        return os.path.join(h, n)

    outside = os.path.join(tmp, "outside")
    os.makedirs(outside)
    cases = [
        ("bad RECORD hash", make_wheel(sub("a") + "/hostile-1.0-py3-none-any.whl", good,
                                       bad_hash="hostile/__init__.py"), "does not match its RECORD row"),
        ("member not in RECORD", make_wheel(sub("b") + "/hostile-1.0-py3-none-any.whl",
                                            good, extra=[("hostile/sneaky.py", b"")]), "not listed in"),
        ("../ path", make_wheel(sub("c") + "/hostile-1.0-py3-none-any.whl",
                                dict(good, **{"../../../../evil.py": b"x"})), "leaves the install directory"),
        ("absolute path", make_wheel(sub("d") + "/hostile-1.0-py3-none-any.whl",
                                     dict(good, **{"/tmp/pepkit-evil.py": b"x"})), "leaves the install directory"),
        (".data into another env's bin", make_wheel(sub("e") + "/hostile-1.0-py3-none-any.whl",
                                     dict(good, **{"hostile-1.0.data/scripts/../../../../other/bin/x": b"x"})), "leaves the install directory"),
        ("wrong tags cp27", make_wheel(h + "/hostile-1.0-cp27-cp27mu-linux_x86_64.whl", good, tag="cp27-cp27mu-linux_x86_64"),
         "tags are cp27-cp27mu-linux_x86_64"),
        ("wrong tags win_amd64", make_wheel(h + "/hostile-1.0-py3-none-win_amd64.whl", good, tag="py3-none-win_amd64"),
         "tags are py3-none-win_amd64"),
        ("zip bomb", make_wheel(sub("f") + "/hostile-1.0-py3-none-any.whl",
                                dict(good, **{"hostile/zeros.bin": bytes(4 << 20)})), "zip bomb"),
        ("duplicate members", make_wheel(sub("g") + "/hostile-1.0-py3-none-any.whl",
                                         good, dup="hostile/__init__.py"), "duplicate file names"),
        ("no RECORD", make_wheel(sub("i") + "/hostile-1.0-py3-none-any.whl",
                                 good, record=False), "has no hostile-1.0.dist-info/RECORD"),
    ]
    for what, wheel, needle in cases:
        before = tree_hash(env)
        r = run([PYVENV, "--install", wheel, env])
        check(r.returncode == 1 and needle in r.stdout and tree_hash(env) == before,
              "%s: hostile %s: rc %d, %r (want %r), tree %s" % (py, what, r.returncode, r.stdout.strip(), needle,
                                                               "same" if tree_hash(env) == before else "CHANGED"))
    check(not os.path.exists("/tmp/pepkit-evil.py"), "%s: an absolute member was written" % py)
    # A link out planted where the package directory goes: never written through.
    os.symlink(outside, os.path.join(env, base_site, "hostile"))
    before = tree_hash(env)
    okwheel = make_wheel(sub("j") + "/hostile-1.0-py3-none-any.whl", good)
    r = run([PYVENV, "--install", okwheel, env])
    check(r.returncode == 1 and "symbolic link" in r.stdout and tree_hash(env) == before and not os.listdir(outside),
          "%s: symlink out: rc %d, %r, outside %r" % (py, r.returncode, r.stdout.strip(), os.listdir(outside)))
    os.unlink(os.path.join(env, base_site, "hostile"))
    # A link out planted where a file goes: replaced, not written through.
    os.makedirs(os.path.join(env, base_site, "hostile"))
    target = os.path.join(outside, "victim")
    with open(target, "w") as f:
        f.write("untouched")
    os.symlink(target, os.path.join(env, base_site, "hostile/__init__.py"))
    r = run([PYVENV, "--install", okwheel, env])
    with open(target) as f:
        check(r.returncode == 0 and f.read() == "untouched" and not os.path.islink(os.path.join(env, base_site, "hostile/__init__.py")),
              "%s: file link out: rc %d %r" % (py, r.returncode, r.stdout))


for py in PYTHONS:
    with tempfile.TemporaryDirectory(prefix="pepkit-install-") as tmp:
        one_python(py, tmp)
print("%d passed, %d failed" % (passed, failed))
