"""pepkit's Requires-Python check against the real pip's, per interpreter.

    venv_requires_python.py PYVENV PYTHON...

For every CPython given: one env made by pyvenv (with its bundled pip), and
for each Requires-Python specifier below a wheel whose METADATA carries it
(tqdm's real wheel too). pip (`pip install --no-deps --no-index
--no-compile`) and `pyvenv --install` must agree on accept or refuse; a
refusal by pepkit names the spec and version and leaves the env's tree as it
was; both install with --ignore-requires-python. Specifiers PEP 440 does not
parse, and wildcards packaging 22+ canonicalizes (`==v3.8.*`), are
compared only where the env's pip is 24.1 or later: older pips vendor
packaging 21.3, which falls back to LegacySpecifier and compares wildcards
as written; pepkit follows pip 24.1+ (warns and installs; canonicalizes). Prints "N passed, N failed".

Every specifier runs under the oldest and the newest interpreter and the
system one; each other interpreter gets a random third of them (the seed is
printed; PEPKIT_SEED reproduces it, PEPKIT_ORACLE_SCALE=3 runs them all).
Interpreters run two at a time (each real pip run is ~0.7 s).
"""
import concurrent.futures
import hashlib
import os
import random
import threading
import subprocess
import sys
import tempfile
import zipfile

PYVENV = sys.argv[1]
PYTHONS = sys.argv[2:]
WHEELS = os.environ.get("PEPKIT_INSTALL_WHEELS", os.path.expanduser("~/.cache/pepkit/install-wheels"))
passed = failed = skipped = 0
LOCK = threading.Lock()
SEED = int(os.environ.get("PEPKIT_SEED") or random.randrange(1 << 32))
SCALE = float(os.environ.get("PEPKIT_ORACLE_SCALE") or 1)

VALID = [
    ">=3.7", ">=3.8", "<3.8", "==3.7.*", "!=3.7.*", "==3.12.*", "~=3.7", "~=3.9.0", "~=3.11.5", ">3.7", ">3.12",
    ">3.12.0", "<=3.10", ">=3.6,<3.9", ">=3.6, !=3.8.*, <4", "===3.12.1", "===3.6", "==3.11.7", "==3.11.7+local",
    ">=3.10.0rc1", "<3.13.0rc1", ">=3.13.0a1", "~=v3.7", ">=3", "", " >= 3.7 ", ">=3.7,", "<1!0",
    ">=0!3.7", "==3.7.0.*", "==3.*", ">3.6.15.post1", "<3.12.1.post1", "!=3.12.1", ">=3.7\n <4",
]
# Wildcards packaging 22+ canonicalizes first (a `v`, leading zeros, a 0
# epoch) but packaging 21.3 (pip before 24.1) compares as written.
CANONICALIZED = ["==v3.8.*", "==v3.13.*", "==03.13.*", "==0!3.13.*", "!=v3.13.*"]
INVALID = ["~=3", ">=3.7x", "=>3.7", ">=3.7.*", "3.7", ">=3.6;", "<3.10+local"]


def check(ok, what):
    global passed, failed
    with LOCK:
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)


# The helpers of venv_install.py (which runs on import).
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




def pip_version(py_env):
    r = run([py_env, "-c", "import pip; print(pip.__version__)"])
    parts = r.stdout.strip().split(".")
    return tuple(int(p) for p in parts[:2] if p.isdigit())


def one_python(py, tmp, everything):
    global skipped
    env = os.path.join(tmp, "e")
    r = run([PYVENV, "--python", py, env])
    check(r.returncode == 0, "%s: pyvenv %s" % (py, r.stdout))
    if r.returncode:
        return
    py_env = os.path.join(env, "bin/python")
    modern = pip_version(py_env) >= (24, 1)
    pip = [py_env, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-index", "--no-compile"]
    cases = [(s, True) for s in VALID] + [(s, None) for s in CANONICALIZED] + [(s, False) for s in INVALID]
    if not everything:
        rng = random.Random("%d %s" % (SEED, py))
        cases = rng.sample(cases, min(len(cases), max(8, int(len(cases) * SCALE / 3))))
    tqdm = [w for w in os.listdir(WHEELS) if w.startswith("tqdm-")] if os.path.isdir(WHEELS) else []
    n = 0
    for spec, valid in cases:
        n += 1
        name = "rp%d" % n
        d = os.path.join(tmp, name)
        os.makedirs(d)
        meta = "Metadata-Version: 2.1\nName: %s\nVersion: 1.0\nRequires-Python: %s\n" % (name, spec)
        wheel = make_wheel(os.path.join(d, "%s-1.0-py3-none-any.whl" % name),
                           {"%s/__init__.py" % name: b"", "%s-1.0.dist-info/METADATA" % name: meta.encode()})
        verdicts = []
        for cmd in (pip + [wheel], [PYVENV, "--install", wheel, env]):
            before = tree_hash(env)
            r = run(cmd)
            verdicts.append((r.returncode == 0, r.stdout.strip()))
            if r.returncode == 0:
                u = run([py_env, "-m", "pip", "uninstall", "-y", "-q", "--disable-pip-version-check", name])
                check(u.returncode == 0, "%s: pip uninstall %s: %s" % (py, name, u.stdout))
            else:
                check(tree_hash(env) == before, "%s %r: a refused install changed the env" % (py, spec))
        (pip_ok, pip_out), (mine_ok, mine_out) = verdicts
        if valid is not True and not modern:
            with LOCK:
                skipped += 1
            continue
        check(pip_ok == mine_ok, "%s %r: pip %s, pepkit %s\n  pip: %s\n  pepkit: %s" % (
            py, spec, "installs" if pip_ok else "refuses", "installs" if mine_ok else "refuses", pip_out, mine_out))
        if not mine_ok:
            check("requires a different Python" in mine_out and repr(spec.strip())[1:-1].split("\\n")[0] in mine_out,
                  "%s %r: pepkit's refusal: %s" % (py, spec, mine_out))
        if valid is False:
            check("invalid Requires-Python" in mine_out, "%s %r: no warning: %s" % (py, spec, mine_out))
    # The real tqdm (>=3.7) and --ignore-requires-python on both sides.
    for w in tqdm:
        wheel = os.path.join(WHEELS, w)
        for flag in ([], ["--ignore-requires-python"]):
            p = run(pip + flag + [wheel])
            if p.returncode == 0:
                run([py_env, "-m", "pip", "uninstall", "-y", "-q", "--disable-pip-version-check", "tqdm"])
            m = run([PYVENV] + flag + ["--install", wheel, env])
            if m.returncode == 0:
                run([py_env, "-m", "pip", "uninstall", "-y", "-q", "--disable-pip-version-check", "tqdm"])
            check(p.returncode == m.returncode == 0 if flag else (p.returncode == 0) == (m.returncode == 0),
                  "%s %s %s: pip rc %d %s, pepkit rc %d %s" % (py, w, flag, p.returncode, p.stdout.strip(),
                                                               m.returncode, m.stdout.strip()))


def run_python(py, everything):
    with tempfile.TemporaryDirectory(prefix="pepkit-rp-") as tmp:
        one_python(py, tmp, everything)


print("venv_requires_python: seed %d (rerun with PEPKIT_SEED=%d)" % (SEED, SEED))
pyenv_ones = [p for p in PYTHONS if "/.pyenv/" in p]  # in version order (tests/lib.sh)
full = set(pyenv_ones[:1] + pyenv_ones[-1:]) | {p for p in PYTHONS if p not in pyenv_ones}
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    for f in [pool.submit(run_python, py, py in full or SCALE >= 3) for py in PYTHONS]:
        f.result()
print("%d passed, %d failed (%d comparisons pip 24.1+ decides differently skipped: the env's pip is older)"
      % (passed, failed, skipped))
