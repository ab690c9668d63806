"""Hostile caches and hostile wheels fed to pyvenv (issue 8, items 3 and 4).

Every case runs `pyvenv` (native pip) on one CPython with something hostile in
its way and asserts:
  - nothing outside the env and the cache changed (a sentinel tree, the
    work directory around the env, is snapshotted before and after);
  - the env is whole (pip's files are the wheel's bytes, regular files, and
    its RECORD matches them) or absent;
  - a refused input fails with a clear message naming what was wrong.

Facts cache: each venv layout path fact set to '..', '../..', an absolute
path, a path with NUL, '.'/empty parts, or a path through a symlink the env
makes; the entry replaced by a symlink; the entry or the directory made
group/world-writable; the entry owned by another user (root only).
Wheel cache: a cached file replaced by a symlink to a sentinel outside; edited
(same size); truncated; an extra file; a directory swapped for a symlink; a
file owned by another user (root only); the manifest removed or garbled.
Bombs (fed as the bundled wheel through --facts-file, with and without the
wheel cache): one honest 1 GiB member, a ratio bomb, many members adding up
past the cap, declared sizes smaller and larger than the data, a CRC
mismatch, local and central headers disagreeing, overlapping members,
duplicate names, not a zip, a truncated zip, a NUL in a name, '../' and
absolute names, an unsupported compression method. The peak RSS of
installing the 1 GiB bomb and of a 64 MiB honest member is measured
(getrusage of the child) and bounded.

usage: venv_hostile_cache.py PYVENV PYTHON
"""
import hashlib
import io
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

from venv_harness import Harness, clean_env, snapshot, diff

H = Harness(detail_limit=1200, skips=True)
PYVENV, report = H.pyvenv, H.report
PY = H.pythons[-1]
HOSTILE = [0]  # hostile inputs tried
RSS_LIMIT_KB = 100 * 1024


def hostile(name, ok, detail=""):
    HOSTILE[0] += 1
    return report(ok, name, detail)


# A child's ru_maxrss includes the memory of the process it was forked from
# (the kernel records the old address space's peak at exec), so pyvenv is
# started by this small script, not by the driver, and it reports pyvenv's
# peak on its last line of output.
RSS_WRAPPER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stdout.flush()
sys.stderr.write("\nmaxrss %d\n" % ru.ru_maxrss)
sys.exit(status >> 8 if os.WIFEXITED(status) else 128)
"""


def run_pyvenv(args, cache):
    """Runs pyvenv; returns (exit status, output, peak RSS in KiB)."""
    env = clean_env()
    env["XDG_CACHE_HOME"] = cache
    env.pop("PEPKIT_NO_CACHE", None)
    r = subprocess.run([sys.executable, "-I", "-S", "-c", RSS_WRAPPER, PYVENV] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = r.stdout.decode(errors="replace")
    body, _, last = out.rstrip("\n").rpartition("\nmaxrss ")
    return r.returncode, body, int(last) if last.isdigit() else 1 << 30


class Work:
    """A work dir: <w>/outside (sentinel files), <w>/cache, envs under <w>/envs."""

    def __init__(self, root):
        self.root = root
        self.outside = os.path.join(root, "outside")
        os.makedirs(os.path.join(self.outside, "deep", "er"))
        for rel, data in (("secret.py", b"SECRET = 1\n"), ("deep/x", b"x"), ("deep/er/y", b"y" * 100)):
            with open(os.path.join(self.outside, rel), "wb") as f:
                f.write(data)
        self.cache = os.path.join(root, "cache")
        self.envs = os.path.join(root, "envs")
        os.makedirs(self.envs)
        self.n = 0

    def env(self):
        """A fresh env path; the previous case's env is removed (disk stays small)."""
        shutil.rmtree(os.path.join(self.envs, "e%d" % self.n), ignore_errors=True)
        self.n += 1
        return os.path.join(self.envs, "e%d" % self.n)

    def sentinel(self):
        """Everything in the work dir but the envs and the cache."""
        snap = snapshot(self.root)
        return {k: v for k, v in snap.items()
                if not (k == "envs" or k.startswith("envs/") or k == "cache" or k.startswith("cache/"))}


def facts_entry(work):
    """(path, header, {key: bytes}) of the one facts-cache entry."""
    d = os.path.join(work.cache, "pepkit", "interpreters")
    name = [n for n in os.listdir(d) if n.endswith(".facts")][0]
    path = os.path.join(d, name)
    with open(path) as f:
        text = f.read()
    header, body = text.split("--\n", 1)
    facts = {}
    order = []
    for line in body.splitlines():
        k, v = line.split("\t", 1)
        facts[k] = bytes.fromhex(v)
        order.append(k)
    return path, header, facts, order


def render(header, facts, order):
    return header + "--\n" + "".join("%s\t%s\n" % (k, facts[k].hex()) for k in order)


def digest(f):
    """(size, sha256 hex) of an open binary file, read in pieces."""
    h, n = hashlib.sha256(), 0
    while True:
        b = f.read(1 << 20)
        if not b:
            return n, h.hexdigest()
        h.update(b)
        n += len(b)


def wheel_members(whl):
    """{member name: (size, sha256 hex)} of a wheel's files (streamed: the
    driver stays small)."""
    out = {}
    with zipfile.ZipFile(whl) as z:
        for i in z.infolist():
            if not i.filename.endswith("/"):
                with z.open(i) as f:
                    out[i.filename] = digest(f)
    return out


def env_whole(env, facts, whl):
    """'' if the env has pip as the wheel has it (regular files, same bytes,
    a RECORD that matches), else what is wrong."""
    site = os.path.join(env, facts["venv_purelib"].decode())
    problems = []
    members = wheel_members(whl)
    for name, data in members.items():
        if name.endswith(".dist-info/RECORD") or ".data/" in name:
            continue
        p = os.path.join(site, name)
        try:
            st = os.lstat(p)
        except OSError as e:
            problems.append("%s: %s" % (name, e))
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append("%s is not a regular file" % name)
            continue
        with open(p, "rb") as f:
            if digest(f) != data:
                problems.append("%s differs from the wheel" % name)
    rec = [n for n in members if n.endswith(".dist-info/RECORD")]
    if rec:
        try:
            lines = open(os.path.join(site, rec[0]), encoding="utf-8").read().splitlines()
        except (OSError, ValueError) as e:
            problems.append("RECORD: %s" % e)
            lines = []
        if lines:
            for line in lines:
                path, h, size = line.rstrip("\n").rsplit(",", 2)
                if not h:
                    continue
                p = os.path.normpath(os.path.join(site, path))
                try:
                    with open(p, "rb") as g:
                        n, hexd = digest(g)
                except OSError as e:
                    problems.append("RECORD %s: %s" % (path, e))
                    continue
                import base64
                want = "sha256=" + base64.urlsafe_b64encode(bytes.fromhex(hexd)).rstrip(b"=").decode()
                if want != h or int(size) != n:
                    problems.append("RECORD row for %s does not match the file" % path)
    return "; ".join(problems[:5])


def pip_wheel(facts):
    return [w for w in facts["wheels"].decode().split("\n") if os.path.basename(w).startswith("pip-")][0]


def create(work, good, whl, extra_args=()):
    """Makes a new env with pip; returns (env, exit status, output, what
    changed outside, what is wrong with the env ('' when whole))."""
    before = work.sentinel()
    env = work.env()
    rc, out, _ = run_pyvenv(["--python", PY, env] + list(extra_args), work.cache)
    changed = diff(before, work.sentinel(), most=5)
    whole = env_whole(env, good, whl) if rc == 0 else "exit %d: %s" % (rc, out)
    return env, rc, out, changed, whole


# ---------------------------------------------------------------- facts cache

def facts_cases(work):
    base_env = work.env()
    rc, out, _ = run_pyvenv(["--python", PY, base_env], work.cache)
    if not report(rc == 0, "a first env fills the caches", out):
        return None
    path, header, facts, order = facts_entry(work)
    good = dict(facts)
    whl = pip_wheel(facts)
    if os.environ.get("PEPKIT_HOSTILE_ONLY", "facts") != "facts":
        return good
    bad_values = [
        ("..", b".."), ("../..", b"../.."), ("an absolute path", os.path.join(work.outside, "abs").encode()),
        ("a NUL", b"lib/\0evil"), ("'..' inside", b"lib/../../../outside"), ("'.' part", b"./lib"),
        ("an empty part", b"lib//x"), ("empty", b""),
    ]
    for key in ("venv_purelib", "venv_scripts", "venv_include"):
        for what, value in bad_values:
            poisoned = dict(good)
            poisoned[key] = value
            with open(path, "w") as f:
                f.write(render(header, poisoned, order))
            before = work.sentinel()
            env = work.env()
            # pip matters where site-packages goes; the scripts and include
            # dirs are written without it too (activation scripts).
            with_pip = key == "venv_purelib"
            rc, out, _ = run_pyvenv(["--python", PY, env] + ([] if with_pip else ["--without-pip"]), work.cache)
            changed = diff(before, work.sentinel(), most=5)
            if rc != 0:
                whole = "exit %d: %s" % (rc, out)
            elif with_pip:
                whole = env_whole(env, good, whl)
            else:
                scripts = os.path.join(env, good["venv_scripts"].decode())
                whole = "" if os.path.isfile(os.path.join(scripts, "activate")) and \
                    os.path.isdir(os.path.join(env, good["venv_include"].decode())) else "the env is not whole"
            _, _, now, _ = facts_entry(work)
            hostile("facts cache: %s = %s is ignored and relearned" % (key, what),
                    not changed and not whole and now[key] == good[key],
                    changed or whole or "entry still says %r" % now[key])
            # The same facts supplied by the caller are refused.
            ff = os.path.join(work.root, "facts-file")
            with open(ff, "w") as f:
                f.write(render(header, poisoned, order))
            before = work.sentinel()
            env = work.env()
            rc, out, _ = run_pyvenv(["--python", PY, "--facts-file", ff, env], work.cache)
            changed = diff(before, work.sentinel(), most=5)
            hostile("supplied facts: %s = %s is refused, naming it" % (key, what),
                    rc != 0 and "interpreter facts: " + key in out and not os.path.exists(env) and not changed,
                    "rc=%d exists=%s %s %s" % (rc, os.path.exists(env), changed, out.strip()[-300:]))
            os.unlink(ff)

    # A layout path through the lib64 -> lib link the env itself makes:
    # whatever pepkit does with it, it must stay inside the env.
    poisoned = dict(good)
    minor = facts["version"].decode().split(".")[1]
    poisoned["venv_purelib"] = ("lib64/python3.%s/site-packages" % minor).encode()
    with open(path, "w") as f:
        f.write(render(header, poisoned, order))
    before = work.sentinel()
    env = work.env()
    rc, out, _ = run_pyvenv(["--python", PY, env], work.cache)
    changed = diff(before, work.sentinel(), most=5)
    hostile("facts cache: venv_purelib through the env's lib64 link stays inside the env",
            not changed and (rc != 0 or os.path.isfile(os.path.join(env, "pyvenv.cfg"))) and
            (rc == 0 or not os.path.exists(env)), changed or out)
    with open(path, "w") as f:
        f.write(render(header, good, order))

    # A valid-looking entry that names another wheel: if it were trusted,
    # the env would get "pip 99".
    fake = os.path.join(work.outside, "pip-99.0-py3-none-any.whl")
    make_wheel(fake, {"pip99.py": b"X = 1\n"}, dist="pip", version="99.0")
    evil = dict(good)
    evil["wheels"] = fake.encode()
    evil_text = render(header, evil, order)

    def attempt(name, setup, cleanup=None, expect_mode=None):
        with open(path, "w") as f:
            f.write(render(header, good, order))
        setup()
        env, rc, out, changed, whole = create(work, good, whl)
        fooled = os.path.exists(os.path.join(env, good["venv_purelib"].decode(), "pip99.py"))
        extra = ""
        if expect_mode is not None:
            m = stat.S_IMODE(os.lstat(expect_mode).st_mode)
            extra = "" if m == 0o700 else "%s is %o, not 700" % (expect_mode, m)
        if cleanup:
            cleanup()
        hostile(name, not changed and not whole and not fooled and not extra,
                changed or whole or extra or "the hostile entry was trusted")

    outside_entry = os.path.join(work.outside, "evil.facts")

    def symlinked_entry():
        with open(outside_entry, "w") as f:
            f.write(evil_text)
        os.unlink(path)
        os.symlink(outside_entry, path)
    attempt("facts cache: an entry replaced by a symlink is not followed", symlinked_entry)
    hostile("  ... and is replaced by a regular file of ours", not os.path.islink(path) and os.path.isfile(path))

    def writable_entry():
        with open(path, "w") as f:
            f.write(evil_text)
        os.chmod(path, 0o666)
    attempt("facts cache: a world-writable entry is ignored", writable_entry)

    def group_writable_entry():
        with open(path, "w") as f:
            f.write(evil_text)
        os.chmod(path, 0o620)
    attempt("facts cache: a group-writable entry is ignored", group_writable_entry)

    inter = os.path.dirname(path)
    pk = os.path.dirname(inter)

    def writable_dir():
        os.chmod(pk, 0o777)
        os.chmod(inter, 0o777)
    attempt("facts cache: world-writable cache dirs are made 0700", writable_dir, expect_mode=pk)
    hostile("  ... the interpreters dir too", stat.S_IMODE(os.stat(inter).st_mode) == 0o700)

    def symlinked_dir():
        shutil.rmtree(inter)
        d = os.path.join(work.outside, "interpreters")
        os.mkdir(d, 0o700)
        with open(os.path.join(d, os.path.basename(path)), "w") as f:
            f.write(evil_text)
        os.chmod(os.path.join(d, os.path.basename(path)), 0o600)
        os.symlink(d, inter)

    def unlink_dir():
        os.unlink(inter)
        shutil.rmtree(os.path.join(work.outside, "interpreters"))
        os.mkdir(inter, 0o700)
    attempt("facts cache: the interpreters dir swapped for a symlink is not followed", symlinked_dir, unlink_dir)

    if os.geteuid() == 0:
        def foreign_entry():
            with open(path, "w") as f:
                f.write(evil_text)
            os.chmod(path, 0o644)
            os.chown(path, 65534, 65534)
        attempt("facts cache: an entry owned by another user is ignored", foreign_entry)

        def foreign_dir():
            with open(path, "w") as f:
                f.write(evil_text)
            os.chown(inter, 65534, 65534)

        def own_dir():
            os.chown(inter, 0, 0)
        attempt("facts cache: a cache dir owned by another user is not used", foreign_dir, own_dir)
    else:
        H.skip("facts cache: entries owned by another user", "needs root to chown")
    with open(path, "w") as f:
        f.write(render(header, good, order))
    return good


# ---------------------------------------------------------------- wheel cache

def wheel_cache_cases(work, good):
    whl = pip_wheel(good)
    wroot = os.path.join(work.cache, "pepkit", "wheels")
    trees = [os.path.join(wroot, n) for n in os.listdir(wroot) if n.startswith(os.path.basename(whl))]
    if not report(len(trees) == 1, "the wheel cache holds the pip tree", os.listdir(wroot)):
        return
    tree = trees[0]
    members = wheel_members(whl)
    pkg = sorted(n for n in members if n.startswith("pip/") and n.endswith(".py") and n.count("/") >= 2)
    victim = pkg[0]
    victim_dir = os.path.dirname(victim)

    def attempt(name, setup, cleanup=None):
        setup()
        env, rc, out, changed, whole = create(work, good, whl)
        extra = os.path.exists(os.path.join(env, good["venv_purelib"].decode(), "pip", "evil.py"))
        if cleanup:
            cleanup()
        hostile(name, not changed and not whole and not extra,
                changed or whole or "the extra cached file reached the env")
        # The next env links from a healed tree: its file is the wheel's again.
        p = os.path.join(tree, victim)
        healed = False
        if os.path.isfile(p) and not os.path.islink(p):
            with open(p, "rb") as f:
                healed = digest(f) == members[victim]
        report(healed, "  ... and the cached tree is unpacked again", p)

    def symlink_file():
        p = os.path.join(tree, victim)
        os.unlink(p)
        os.symlink(os.path.join(work.outside, "secret.py"), p)
    attempt("wheel cache: a cached file replaced by a symlink to a file outside is not linked", symlink_file)

    def edit_same_size():
        p = os.path.join(tree, victim)
        data = bytearray(open(p, "rb").read())
        data[0] ^= 0x20
        with open(p, "r+b") as f:
            f.write(bytes(data))
    attempt("wheel cache: a cached file edited in place (same size) is not linked", edit_same_size)

    # Not tried: an edit whose mtime is put back (os.utime). Only the file's
    # owner can do that, who could as well rewrite the manifest; see
    # src/venv/wheel_cache.rs for why the check is (dev, ino, size, mtime).

    def truncate():
        with open(os.path.join(tree, victim), "r+b") as f:
            f.truncate(3)
    attempt("wheel cache: a truncated cached file is not linked", truncate)

    def replace_file():
        p = os.path.join(tree, victim)
        data = open(p, "rb").read()
        os.unlink(p)
        with open(p, "wb") as f:
            f.write(data.replace(b"import", b"imporT", 1))
    attempt("wheel cache: a cached file replaced by another file is not linked", replace_file)

    def extra_file():
        with open(os.path.join(tree, "pip", "evil.py"), "w") as f:
            f.write("EVIL = 1\n")
    attempt("wheel cache: an extra cached file does not reach the env", extra_file)

    moved = os.path.join(work.outside, "moved")

    def swap_dir():
        d = os.path.join(tree, victim_dir)
        shutil.copytree(d, moved)
        with open(os.path.join(moved, os.path.basename(victim)), "ab") as f:
            f.write(b"\nEVIL = 1\n")
        shutil.rmtree(d)
        os.symlink(moved, d)
    attempt("wheel cache: a cached directory swapped for a symlink is not followed", swap_dir,
            lambda: shutil.rmtree(moved))

    def swap_dir_same_files():
        d = os.path.join(tree, victim_dir)
        os.rename(d, moved)
        os.symlink(moved, d)
    # The very files, moved: linking them is harmless, but must not write outside.
    attempt("wheel cache: a cached directory moved outside behind a symlink changes nothing outside",
            swap_dir_same_files, lambda: shutil.rmtree(moved))

    def no_manifest():
        os.unlink(os.path.join(tree, ".pepkit-manifest"))
    attempt("wheel cache: a tree without its manifest is unpacked again", no_manifest)

    def garbled_manifest():
        p = os.path.join(tree, ".pepkit-manifest")
        text = open(p).read().replace("\t", " ", 3)
        with open(p, "w") as f:
            f.write(text)
    attempt("wheel cache: a garbled manifest is not trusted", garbled_manifest)

    def symlinked_manifest():
        p = os.path.join(tree, ".pepkit-manifest")
        shutil.copy(p, os.path.join(work.outside, "manifest"))
        os.unlink(p)
        os.symlink(os.path.join(work.outside, "manifest"), p)
    attempt("wheel cache: a manifest replaced by a symlink is not followed", symlinked_manifest,
            lambda: os.unlink(os.path.join(work.outside, "manifest")))

    def wheels_dir_symlink():
        os.rename(wroot, os.path.join(work.outside, "wheels"))
        os.symlink(os.path.join(work.outside, "wheels"), wroot)

    def wheels_dir_back():
        os.unlink(wroot)
        shutil.rmtree(os.path.join(work.outside, "wheels"))
        os.mkdir(wroot, 0o700)
    wheels_dir_symlink()
    env, rc, out, changed, whole = create(work, good, whl)
    hostile("wheel cache: the wheels dir swapped for a symlink is not used",
            not changed and not whole, changed or whole)
    wheels_dir_back()

    if os.geteuid() == 0:
        # Unpack again (the dir was replaced), then hand one file to nobody.
        run_pyvenv(["--python", PY, work.env()], work.cache)
        tree = [os.path.join(wroot, n) for n in os.listdir(wroot) if n.startswith(os.path.basename(whl))][0]

        def foreign_file():
            os.chown(os.path.join(tree, victim), 65534, 65534)
        attempt("wheel cache: a cached file owned by another user is not linked", foreign_file)
    else:
        H.skip("wheel cache: files owned by another user", "needs root to chown")


# ---------------------------------------------------------------- bombs

def deflated_repeat(chunk, size):
    """(pieces, crc) of a raw deflate stream of `size` bytes, repeats of
    `chunk` (whose length divides size), made without compressing `size`
    bytes: after a full flush the compressor starts afresh, so every middle
    chunk compresses to the same bytes."""
    n = size // len(chunk)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    if n == 1:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        return [co.compress(chunk) + co.flush()], crc
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    middle = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(chunk) + co.flush()
    return [first] + [middle] * (n - 2) + [last], crc


class Member:
    """A zip member as write_zip writes it; its header fields lie when told to."""

    def __init__(self, name, data=None, pieces=None, size=None, crc=None, method=8):
        self.name = name.encode() if isinstance(name, str) else name
        if data is not None:
            if method == 8:
                co = zlib.compressobj(6, zlib.DEFLATED, -15)
                pieces = [co.compress(data) + co.flush()]
            else:
                pieces = [data]
            size, crc = len(data), zlib.crc32(data)
        self.pieces, self.size, self.crc, self.method = pieces, size, crc, method
        self.packed = sum(len(p) for p in pieces)
        self.local = {}    # overrides for the local header: size, crc, method
        self.central = {}  # ... for the central header: size, crc, method, offset


def write_zip(path, members):
    """A zip file (no data descriptors, no zip64), written piece by piece."""
    central = []
    with open(path, "wb") as f:
        for m in members:
            off = f.tell()
            lo = m.local
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, lo.get("method", m.method), 0, 0x5021,
                                lo.get("crc", m.crc), m.packed, lo.get("size", m.size), len(m.name), 0))
            f.write(m.name)
            for p in m.pieces:
                f.write(p)
            ce = m.central
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0x800,
                                       ce.get("method", m.method), 0, 0x5021, ce.get("crc", m.crc), m.packed,
                                       ce.get("size", m.size), len(m.name), 0, 0, 0, 0, 0o100644 << 16,
                                       ce.get("offset", off)) + m.name)
        cd = f.tell()
        for c in central:
            f.write(c)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                            f.tell() - cd, cd, 0))
    return path


def wheel_members_for(files, dist="pip", version="99.0"):
    """Members for `files` ({name: bytes or Member}) plus a dist-info whose
    RECORD lists the byte-valued ones."""
    import base64
    di = "%s-%s.dist-info" % (dist, version)
    files = dict(files)
    files[di + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (dist, version)).encode()
    files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pepkit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    rows = []
    for name, data in files.items():
        if isinstance(data, bytes):
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    rows.append(di + "/RECORD,,")
    files[di + "/RECORD"] = ("\n".join(rows) + "\n").encode()
    return [v if isinstance(v, Member) else Member(k, v) for k, v in files.items()]


def make_wheel(path, files, dist="pip", version="99.0"):
    return write_zip(path, wheel_members_for(files, dist, version))


def patch(path, fn):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    fn(data)
    with open(path, "wb") as f:
        f.write(bytes(data))


def bomb_cases(work, good):
    """Each bomb is the interpreter's only wheel, through --facts-file."""
    header_facts = dict(good)
    bombs = os.path.join(work.root, "bombs")
    os.makedirs(bombs)
    small = {"pip/__init__.py": b"__version__ = '99.0'\n", "pip/x.py": b"X = 1\n" * 100}
    peaks = {}

    def feed(name, whl, want_words, expect_ok=False, rss_key=None, modes=("cache", "no-cache")):
        """Installs `whl` as the interpreter's only bundled wheel, with the
        wheel cache and without it."""
        for mode in modes:
            facts = dict(header_facts)
            facts["wheels"] = whl.encode()
            ff = os.path.join(work.root, "bomb.facts")
            with open(ff, "w") as f:
                f.write("".join("%s\t%s\n" % (k, v.hex()) for k, v in facts.items()))
            before = work.sentinel()
            cache_before = snapshot(work.cache)
            env = work.env()
            args = ["--python", PY, "--facts-file", ff, env] + (["--no-cache"] if mode == "no-cache" else [])
            rc, out, rss = run_pyvenv(args, work.cache)
            if rss_key:
                peaks["%s (%s)" % (rss_key, mode)] = rss
            changed = diff(before, work.sentinel(), most=5)
            label = "bomb (%s): %s" % (mode, name)
            if expect_ok:
                whole = env_whole(env, good, whl) if rc == 0 else "exit %d: %s" % (rc, out)
                hostile(label, not whole and not changed, whole or changed)
            else:
                absent = not os.path.exists(env)
                said = all(w in out for w in want_words)
                # No tree, whole or half-unpacked, left in the wheel cache.
                cache_now = snapshot(work.cache)
                new_trees = [k for k in cache_now if k not in cache_before and k.startswith("pepkit/wheels/")]
                hostile(label, rc != 0 and absent and said and not changed and not new_trees,
                        "rc=%d absent=%s said=%s changed=%s new cache entries=%s: %s"
                        % (rc, absent, said, changed, new_trees[:3], out.strip()[-400:]))
            if rss_key:
                report(rss < RSS_LIMIT_KB, "  ... peak RSS %.1f MiB (< %d MiB)" % (rss / 1024.0, RSS_LIMIT_KB // 1024))
            shutil.rmtree(env, ignore_errors=True)
            os.unlink(ff)

    def wheel(tag, files, tweak=None):
        d = os.path.join(bombs, tag)
        os.makedirs(d)
        members = wheel_members_for(files)
        if tweak:
            tweak({m.name.decode("utf-8", "replace"): m for m in members})
        return write_zip(os.path.join(d, "pip-99.0-py3-none-any.whl"), members)

    zeros = b"\0" * (1 << 20)
    pieces, crc = deflated_repeat(zeros, 1 << 30)
    feed("one honest 1 GiB member is refused before anything is written",
         wheel("gib", dict(small, **{"pip/big.bin": Member("pip/big.bin", pieces=pieces, size=1 << 30, crc=crc)})),
         ["pip/big.bin", "zip bomb"], rss_key="1 GiB member")

    pieces, crc = deflated_repeat(zeros, 50 << 20)
    feed("a 50 MiB member of zeros (1000:1) is refused",
         wheel("ratio", dict(small, **{"pip/ratio.bin": Member("pip/ratio.bin", pieces=pieces, size=50 << 20,
                                                                 crc=crc)})),
         ["pip/ratio.bin", "100:1"])

    many = dict(small)
    almost = Member("x", b"\0" * ((1 << 20) - 1))
    for i in range(300):
        name = "pip/part%03d.bin" % i
        many[name] = Member(name, pieces=almost.pieces, size=almost.size, crc=almost.crc)
    feed("300 members just under the ratio floor adding up past the total cap",
         wheel("many", many), ["pip/part", "past the"])

    def lie(field, value, where=("local", "central")):
        def tweak(ms):
            for w in where:
                getattr(ms["pip/x.py"], w)[field] = value
        return tweak
    feed("declared size smaller than the data", wheel("smaller", small, lie("size", 100)),
         ["pip/x.py", "declared"])
    feed("declared size larger than the data", wheel("larger", small, lie("size", 5000)),
         ["pip/x.py", "headers declare 5000"])
    feed("CRC mismatch", wheel("crc", small, lie("crc", 0x12345678)), ["pip/x.py", "CRC"])
    feed("local and central headers disagree on the size",
         wheel("disagree", small, lie("size", 601, ("central",))), ["bad zip file"])
    feed("an unsupported compression method", wheel("bzip2", small, lie("method", 12)),
         ["pip/x.py", "not supported"])

    def overlap(ms):
        # pip/x.py's central entry points at pip/__init__.py's bytes.
        ms["pip/x.py"].central["offset"] = 0
    feed("two members sharing bytes (overlap)", wheel("overlap", small, overlap), ["bad zip file"])

    d = os.path.join(bombs, "dup")
    os.makedirs(d)
    p = write_zip(os.path.join(d, "pip-99.0-py3-none-any.whl"),
                  wheel_members_for(small) + [Member("pip/x.py", b"Y = 2\n")])
    feed("duplicate member names", p, ["duplicate"])

    d = os.path.join(bombs, "notzip")
    os.makedirs(d)
    p = os.path.join(d, "pip-99.0-py3-none-any.whl")
    with open(p, "wb") as f:
        f.write(b"#!/bin/sh\necho this is not a wheel\n" * 50)
    feed("not a zip file", p, ["File is not a zip file", p])

    p = wheel("truncated", small)
    patch(p, lambda b: b.__delitem__(slice(len(b) // 2, len(b) - 30)))
    feed("a zip cut in the middle", p, [p])

    p = wheel("nul", dict(small, **{"pip/ev\0il.py": b"X = 1\n"}))
    feed("a NUL in a member name names the member", p, ["ev\\0il.py", "NUL"])

    for tag, evil in (("dotdot", "../../../../../../outside/dropped.py"),
                      ("dotdot2", "pip/../../x.py"),
                      ("abs", os.path.join(work.outside, "abs-dropped.py"))):
        feed("member name %r" % evil, wheel(tag, dict(small, **{evil: b"DROPPED = 1\n"})),
             ["leaves the install directory", evil])

    # A large honest member under the caps streams: memory stays bounded.
    text = b"".join(b"%06d pepkit streams this member to disk in pieces\n" % i for i in range(1024))
    unit = (text * 2)[:1 << 15]
    pieces, crc = deflated_repeat(unit, 64 << 20)
    honest = dict(small, **{"pip/honest.bin": Member("pip/honest.bin", pieces=pieces, size=64 << 20, crc=crc)})
    feed("a 64 MiB honest member is installed with bounded memory", wheel("honest", honest), [],
         expect_ok=True, rss_key="64 MiB honest member")
    for k, v in sorted(peaks.items()):
        print("  peak RSS installing the %s: %.1f MiB" % (k, v / 1024.0))


def main():
    # /var/tmp: an ordinary disk (on the project's build machines /tmp is
    # watched and every file written there costs ~0.4 ms).
    tmp = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
    work = Work(tempfile.mkdtemp(prefix="pepkit-hostile-cache-", dir=tmp))
    try:
        good = facts_cases(work)
        only = os.environ.get("PEPKIT_HOSTILE_ONLY")  # facts, wheels or bombs: one part, for debugging
        if good is not None and only in (None, "wheels"):
            wheel_cache_cases(work, good)
        if good is not None and only in (None, "bombs"):
            bomb_cases(work, good)
    finally:
        for dirpath, dirnames, _ in os.walk(work.root):
            for d in dirnames:
                try:
                    os.chmod(os.path.join(dirpath, d), 0o700)
                except OSError:
                    pass
        shutil.rmtree(work.root, ignore_errors=True)
    print("  hostile inputs tried: %d" % HOSTILE[0])
    print(H.summary())
    return 1 if H.failed else 0


if __name__ == "__main__":
    sys.exit(main())
