"""Oracle: pepkit_venv_sys_path equals the env interpreter's own sys.path.

For this interpreter, two environments made by `python -m venv --without-pip`
(with and without --system-site-packages) in a temporary directory (removed
at the end). Each case writes random .pth files into the env's site-packages
and into a user site under a private HOME: absolute and relative entries
(existing, missing, files, "..", duplicates of entries already on the path),
comments, blank and whitespace-only lines, trailing blanks, CRLF and CR line
ends, names that are hidden (".x.pth", skipped from 3.13) or not .pth at all,
`import` lines, and the characters CPython treats differently by version:
Unicode whitespace around paths (str.strip/rstrip), the line breaks only
3.13 splits on (str.splitlines), a BOM, NUL bytes and bytes that do not
decode, under the C, POSIX, C.UTF-8 and an unknown locale with and without
PYTHONUTF8 (3.6 reads ASCII under the C locale; an interpreter that cannot
decode a .pth file does not start, and pepkit must refuse with VALUE). Then `env/bin/python -c` prints sys.path without its
first entry (the script directory) and the import lines it ran (each one
records itself), and pepkit_venv_sys_path / pepkit_venv_pth_imports must
give the same path and report the same import lines, in the same order, as
often as the interpreter ran them (site processes a directory's .pth files
again when a later prefix names the same directory).

Usage: test_venv_sys_path.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import os
import shutil
import subprocess
import sys
import tempfile
from ctypes import byref, c_void_p

from pepkit_ctypes import Report, last_error, load_pepkit, strings_list, venv_specs, STATUS_NAMES

MARK = "_pepkit_pth"
# Names pepkit_venv_find_spec resolves in each case, compared with the env
# interpreter's own importlib.util.find_spec where that spec comes from the
# path (built-in and frozen modules are not looked up on the path).
NAMES = ["json", "os", "email.mime", "pkmod", "nspk", "nspk.inner", "_ctypes", "_json", "missing_pk"]
PROBE = ("import os, sys, builtins, importlib.util as u, importlib.machinery as m\n"
         "L = {m.SourceFileLoader: 'source', m.SourcelessFileLoader: 'bytecode', m.ExtensionFileLoader: 'extension'}\n"
         "def k(n):\n"
         "    try:\n"
         "        s = u.find_spec(n)\n"
         "    except ImportError:\n"
         "        return 'PEPKIT_ERR_NOT_FOUND'\n"
         "    if s is None:\n"
         "        return 'PEPKIT_ERR_NOT_FOUND'\n"
         "    if s.loader is None:\n"
         "        return ('namespace', [os.fsencode(p) for p in s.submodule_search_locations])\n"
         "    if type(s.loader) not in L:\n"
         "        return None\n"
         "    kind = 'package' if s.submodule_search_locations is not None else L[type(s.loader)]\n"
         "    return (kind, os.fsencode(s.origin))\n"
         "specs = {n: k(n) for n in %r}\n"
         "print(repr([os.fsencode(p) for p in sys.path[1:]]))\n"
         "print(repr(getattr(builtins, %r, [])))\n"
         "print(repr(specs))\n" % (NAMES, MARK))


def pepkit_side(lib, env):
    v = c_void_p()
    status = lib.pepkit_venv_open(os.fsencode(env), byref(v))
    if status != 0:
        return ("error", STATUS_NAMES.get(status), last_error(lib))
    try:
        out = c_void_p()
        status = lib.pepkit_venv_sys_path(v, byref(out))
        if status != 0:
            return ("error", STATUS_NAMES.get(status), last_error(lib))
        path = strings_list(lib, out.value)
        out = c_void_p()
        status = lib.pepkit_venv_pth_imports(v, byref(out))
        if status != 0:
            return ("error", STATUS_NAMES.get(status), last_error(lib))
        flat = strings_list(lib, out.value)
        imports = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
        return path, imports, venv_specs(lib, v, NAMES)
    finally:
        lib.pepkit_venv_free(v)


# Characters str.isspace calls whitespace beyond ASCII, and the line breaks
# str.splitlines adds to universal newlines (3.13 splits .pth files with it).
UNI_SPACE = ["\xa0", "\x85", "\u3000", "\u2000", "\u202f", "\u1680", "\x1f", "\x0b", "\x0c"]
BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def random_pth(rng, sitedir, scratch, known, tag):
    """The bytes of one .pth file: random lines (paths, comments, blanks,
    import lines that record themselves when run), joined by random line
    ends, with Unicode whitespace around paths, the line breaks only 3.13
    splits on, a BOM, NUL bytes (in paths and import lines) and, rarely,
    bytes that do not decode."""
    lines = []
    for n in range(rng.randint(0, 8)):
        r = rng.random()
        if r < 0.15:
            line = os.path.join(scratch, rng.choice(["d1", "d2", "d3", "missing", "f1", "d\xe9", "d\u3000x"]))
        elif r < 0.3:
            line = rng.choice(["sub", "sub2", "nope", "../sub", "../../" + os.path.basename(scratch) + "/d1", "./sub/",
                               "sub//x", "sub/../sub2"])
        elif r < 0.4:
            line = rng.choice(known)
        elif r < 0.5:
            line = "# " + rng.choice(["comment", os.path.join(scratch, "d1")])
        elif r < 0.6:
            line = rng.choice(["", "   ", "\t"] + UNI_SPACE)
        elif r < 0.75:
            line = "import%sbuiltins; builtins.__dict__.setdefault(%r, []).append(%r)" % (
                rng.choice([" ", "\t"]), MARK, "%s:%d" % (tag, n))
        elif r < 0.8:
            line = "importx"
        elif r < 0.88:
            # A path with Unicode whitespace after it (rstrip removes it) or
            # before it (kept: only trailing whitespace goes).
            d = os.path.join(scratch, rng.choice(["d1", "d2", "d\xe9"]))
            line = rng.choice(["", "", rng.choice(UNI_SPACE)]) + d + "".join(
                rng.choice(UNI_SPACE + [" ", "\t"]) for _ in range(rng.randint(1, 3)))
        elif r < 0.95:
            # Two paths joined by a break only 3.13 splits on: one line
            # (that does not exist) before 3.13, two paths from 3.13 on.
            line = os.path.join(scratch, "d1") + rng.choice(BREAKS) + os.path.join(scratch, rng.choice(["d2", "d3"]))
        elif r < 0.975:
            line = os.path.join(scratch, rng.choice(["d1", "d2"])) + rng.choice(["\0", "\0x"])
        else:
            # An import line holding a NUL: exec raises, the interpreter
            # prints the error and ignores the rest of the file (3.6-3.13).
            line = "import%sbuiltins; builtins.__dict__.setdefault(%r, []).append(%r)%s" % (
                rng.choice([" ", "\t"]), MARK, "%s:%d" % (tag, n), rng.choice(["\0", " #\0x"]))
        lines.append(line)
    end = rng.choice(["\n", "\n", "\r\n", "\r"])
    data = (end.join(lines) + rng.choice(["", end])).encode("utf-8")
    r = rng.random()
    if r < 0.1:
        data = b"\xef\xbb\xbf" + data
    elif r < 0.13:
        data += b"\n" + rng.choice([b"\xff", b"\xe9", b"\xc3"]) + b"\n"
    return data


def main():
    report = Report("oracle venv sys.path")
    lib = load_pepkit()
    rng = report.rng
    base = tempfile.mkdtemp(prefix="pepkit-venv-sys-path-")
    version = "%d.%d" % sys.version_info[:2]
    try:
        scratch = os.path.join(base, "scratch")
        home = os.path.join(base, "home")
        for d in ("d1", "d2", "d3", "d\xe9", "d\u3000x"):
            try:
                os.makedirs(os.path.join(scratch, d, "nspk"))
            except UnicodeEncodeError:
                pass  # an ASCII file system encoding (3.6 under the C locale)
        open(os.path.join(scratch, "d2", "pkmod.py"), "w").close()
        open(os.path.join(scratch, "f1"), "w").close()
        # The same environment for the env's interpreter and for pepkit (which
        # reads HOME, PYTHONUSERBASE and PYTHONNOUSERSITE from this process).
        for k in ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH",
                  "PYTHONSTARTUP"):
            os.environ.pop(k, None)
        os.environ["HOME"] = home
        env_vars = dict(os.environ)
        envs = []
        for flag in ([], ["--system-site-packages"]):
            env = os.path.join(base, "env-ssp" if flag else "env")
            subprocess.check_call([sys.executable, "-m", "venv", "--without-pip"] + flag + [env])
            envs.append(env)
        user_site = os.path.join(home, ".local", "lib", "python" + version, "site-packages")
        cases = report.cases(40)
        for i in range(cases):
            env = rng.choice(envs)
            site = os.path.join(env, "lib", "python" + version, "site-packages")
            for d in (site, user_site):
                if os.path.isdir(d):
                    for name in os.listdir(d):
                        p = os.path.join(d, name)
                        shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)
            if rng.random() < 0.5:
                os.makedirs(user_site, exist_ok=True)
            elif os.path.isdir(home):
                shutil.rmtree(home)
            for d in (site, user_site):
                if not os.path.isdir(d):
                    continue
                for sub in ("sub", "sub2"):
                    if rng.random() < 0.6:
                        os.makedirs(os.path.join(d, sub), exist_ok=True)
                known = [d, os.path.dirname(os.__file__)]
                for k in range(rng.randint(0, 4)):
                    name = rng.choice(["a", "b", "zz", "_x", ".hidden", "c"]) + rng.choice(
                        [".pth", ".pth", ".pth", ".PTH", ".pth.bak"])
                    tag = "%s/%s" % (os.path.basename(d), name)
                    with open(os.path.join(d, name), "wb") as f:
                        f.write(random_pth(rng, d, scratch, known, tag))
                if rng.random() < 0.1:
                    os.makedirs(os.path.join(d, "dir.pth"), exist_ok=True)
                if rng.random() < 0.5:
                    os.makedirs(os.path.join(d, "nspk", "inner"), exist_ok=True)
                if rng.random() < 0.3:
                    open(os.path.join(d, "pkmod.py"), "w").close()
            # The locale decides the encoding .pth files are read with: the
            # same for the interpreter and for pepkit (this process's environ).
            for k, choices in (("LANG", ["C.UTF-8", "C.UTF-8", "C", "POSIX", "xx_YY.UTF-8"]),
                               ("PYTHONUTF8", [None, None, "0", "1"])):
                value = rng.choice(choices)
                if value is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = value
            env_vars = dict(os.environ)
            case = "case %d: %s (LANG=%s PYTHONUTF8=%s)" % (i, env, env_vars.get("LANG"), env_vars.get("PYTHONUTF8"))
            try:
                proc = subprocess.run([os.path.join(env, "bin", "python"), "-c", PROBE], env=env_vars, cwd=base,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                got = pepkit_side(lib, env)
            except Exception:
                report.crashed(case)
                continue
            if proc.returncode != 0:
                # The interpreter does not start (a .pth file that does not
                # decode makes `import site` fail): pepkit must refuse too.
                report.check(got[0] == "error" and got[1] == "PEPKIT_ERR_VALUE" and b"UnicodeDecodeError" in proc.stderr,
                             case + ": interpreter fails to start", proc.stderr.decode(errors="replace")[-300:], got)
                continue
            want_path, ran, want_specs = [eval(line) for line in proc.stdout.decode().splitlines()[-3:]]
            if got[0] == "error":
                report.check(False, case, want_path, got)
                continue
            got_path, imports, got_specs = got
            for name in NAMES:
                if want_specs[name] is not None:  # None: built-in or frozen
                    report.equal("%s: find_spec(%r)" % (case, name), want_specs[name], got_specs[name])
            report.equal(case + ": sys.path", want_path, got_path)
            reported = []
            for f, line in imports:
                if MARK.encode() in line:
                    reported.append(line.decode().rsplit("append(", 1)[1].rstrip(")").strip("'"))
            report.equal(case + ": import lines run", ran, reported)
        report.part("venv sys.path with random .pth files", (0, 0))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    report.finish()


if __name__ == "__main__":
    main()
