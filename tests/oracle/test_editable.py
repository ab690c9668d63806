"""Oracle: pepkit_venv_find_spec on editable installs made by a real
`pip install -e`, against the env's own interpreter.

For this interpreter (3.9+: the setuptools wheel needs it), an env made by
`python -m venv` (with its bundled pip) gets four small projects installed
editable, offline, from the wheels .ci/setup downloads once
($PEPKIT_WHEELS, default ~/.cache/pepkit/wheels: setuptools, wheel,
hatchling, editables and their dependencies):

  flat    setuptools, flat layout, lenient mode: __editable___*_finder.py
          with MAPPING (a package and a single module)
  src     setuptools, src layout, lenient mode: a .pth path entry
  strict  setuptools, flat layout, strict mode: a link tree on the path
  hatch   hatchling: a .pth path entry
  ns      setuptools, flat layout, a package inside an implicit namespace
          package: MAPPING {'nsx.pkg': ...}, NAMESPACES {'nsx': []}, and the
          finder's placeholder entry on sys.path
  hexact  hatchling with dev-mode-exact: the editables package's redirector
          (__editable_impl_hexact.pth imports _editable_impl_hexact.py, which
          calls RedirectingFinder.install() and map_module per top-level
          name): a package with a submodule and a subpackage, modules, one
          whose file is removed after the install (the finder still answers:
          spec_from_file_location looks at nothing), one site-packages
          shadows, one setuptools' earlier finder maps too (it wins), and a
          file of the project directory that is not mapped
  pdm     pdm-backend with editable-backend = "editables" (when its wheel
          is in $PEPKIT_WHEELS): the same redirector; modules of a flat
          layout, among them `dupmod`, which hexact maps too (the later
          map_module wins: one dict for every project)
  pdmsrc  the same, a package of a src layout

After the first comparison `editables` is uninstalled and everything is
compared again: the bootstrap modules' import fails, so the redirector is
not installed and its names are not found.

Then the env's interpreter (started normally, so site runs the .pth import
lines and installs the finders) reports importlib.util.find_spec for names
in and beside the projects and its sys.path, and pepkit_venv_find_spec,
which reads the finder modules without running them, must give the same
kind, origin and search locations, and pepkit_venv_sys_path the same path
(with the namespace placeholder install() appends).
A project directory also shadows nothing on the path, and a name the path
already resolves is not taken from MAPPING (the finder follows PathFinder):
`shadowed` exists both as a module in site-packages and in MAPPING.

Usage: test_editable.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import os
import shutil
import subprocess
import sys
import tempfile
from ctypes import byref, c_void_p

from pepkit_ctypes import Report, STATUS_NAMES, load_pepkit, strings_list, venv_specs

WHEELS = os.environ.get("PEPKIT_WHEELS") or os.path.expanduser("~/.cache/pepkit/wheels")
NAMES = ["flatpkg", "flatpkg.sub", "flatpkg.nope", "flatmod", "shadowed", "srcpkg", "srcpkg.inner", "strictpkg",
         "strictpkg.s", "hatchpkg", "hatchpkg.x", "nsx", "nsx.pkg", "nsx.pkg.m", "nsx.other", "missing_x",
         "hxpkg", "hxpkg.sub", "hxpkg.inner", "hxpkg.inner.deep", "hxpkg.nope", "hxmod", "hxmod.x", "hxgone",
         "hxshadow", "notmapped", "dupmod", "pdmpkg", "pdmpkg.m", "pdmmod", "pdmpkg.nope", "_editable_impl_hexact"]
PROBE = ("import os, importlib.util as u, importlib.machinery as m\n"
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
         "    kind = 'package' if s.submodule_search_locations is not None else L.get(type(s.loader), '?')\n"
         "    return (kind, os.fsencode(s.origin))\n"
         "import sys\n"
         "print(repr([os.fsencode(p) for p in sys.path[1:]]))\n"
         "print(repr({n: k(n) for n in %r}))\n" % (NAMES,))

SETUPTOOLS = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"
[project]
name = "%s"
version = "0.1"
"""

PDM = """[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
[project]
name = "%s"
version = "0.1"
[tool.pdm.build]
editable-backend = "editables"
"""


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def projects(root):
    flat = os.path.join(root, "flat")
    write(os.path.join(flat, "pyproject.toml"), SETUPTOOLS % "flatproj" +
          '[tool.setuptools]\npackages = ["flatpkg"]\npy-modules = ["flatmod", "shadowed"]\n')
    write(os.path.join(flat, "flatpkg", "__init__.py"))
    write(os.path.join(flat, "flatpkg", "sub.py"))
    write(os.path.join(flat, "flatmod.py"))
    write(os.path.join(flat, "shadowed.py"))
    write(os.path.join(flat, "README.txt"), "a flat layout: the project directory cannot go on the path\n")
    src = os.path.join(root, "src")
    write(os.path.join(src, "pyproject.toml"), SETUPTOOLS % "srcproj")
    write(os.path.join(src, "src", "srcpkg", "__init__.py"))
    write(os.path.join(src, "src", "srcpkg", "inner.py"))
    strict = os.path.join(root, "strict")
    write(os.path.join(strict, "pyproject.toml"), SETUPTOOLS % "strictproj" +
          '[tool.setuptools]\npackages = ["strictpkg"]\n')
    write(os.path.join(strict, "strictpkg", "__init__.py"))
    write(os.path.join(strict, "strictpkg", "s.py"))
    hatch = os.path.join(root, "hatch")
    write(os.path.join(hatch, "pyproject.toml"), """[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "hatchproj"
version = "0.1"
[tool.hatch.build.targets.wheel]
packages = ["src/hatchpkg"]
""")
    write(os.path.join(hatch, "src", "hatchpkg", "__init__.py"))
    write(os.path.join(hatch, "src", "hatchpkg", "x.py"))
    ns = os.path.join(root, "ns")
    write(os.path.join(ns, "pyproject.toml"), SETUPTOOLS % "nsproj" + '[tool.setuptools]\npackages = ["nsx.pkg"]\n')
    write(os.path.join(ns, "nsx", "pkg", "__init__.py"))
    write(os.path.join(ns, "nsx", "pkg", "m.py"))
    hexact = os.path.join(root, "hexact")
    write(os.path.join(hexact, "pyproject.toml"), """[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "hexact"
version = "0.1"
[tool.hatch.build.targets.wheel]
include = ["hxpkg", "hxmod.py", "hxgone.py", "hxshadow.py", "flatmod.py", "dupmod.py"]
dev-mode-exact = true
""")
    write(os.path.join(hexact, "hxpkg", "__init__.py"))
    write(os.path.join(hexact, "hxpkg", "sub.py"))
    write(os.path.join(hexact, "hxpkg", "inner", "__init__.py"))
    write(os.path.join(hexact, "hxpkg", "inner", "deep.py"))
    for mod in ("hxmod", "hxgone", "hxshadow", "flatmod", "dupmod", "notmapped"):
        write(os.path.join(hexact, mod + ".py"))
    # pdm-backend maps packages or modules, not both in one project.
    pdm = os.path.join(root, "pdm")
    write(os.path.join(pdm, "pyproject.toml"), PDM % "pdmproj" + 'includes = ["pdmmod.py", "dupmod.py"]\n')
    write(os.path.join(pdm, "pdmmod.py"))
    write(os.path.join(pdm, "dupmod.py"))
    pdmsrc = os.path.join(root, "pdmsrc")
    write(os.path.join(pdmsrc, "pyproject.toml"), PDM % "pdmsrc")
    write(os.path.join(pdmsrc, "src", "pdmpkg", "__init__.py"))
    write(os.path.join(pdmsrc, "src", "pdmpkg", "m.py"))
    return flat, src, strict, hatch, ns, hexact, [pdm, pdmsrc]


def pepkit_specs(lib, env):
    v = c_void_p()
    status = lib.pepkit_venv_open(os.fsencode(env), byref(v))
    if status != 0:
        return STATUS_NAMES.get(status)
    try:
        return venv_specs(lib, v, NAMES)
    finally:
        lib.pepkit_venv_free(v)


def compare(report, lib, env, clean, base, what):
    """The env's interpreter against pepkit: sys.path, then find_spec of NAMES."""
    out = subprocess.check_output([os.path.join(env, "bin", "python"), "-c", PROBE], env=clean, cwd=base,
                                  stderr=subprocess.DEVNULL)
    want_path, want = [eval(line) for line in out.decode().splitlines()[-2:]]
    got = pepkit_specs(lib, env)
    v = c_void_p()
    lib.pepkit_venv_open(os.fsencode(env), byref(v))
    listing = c_void_p()
    status = lib.pepkit_venv_sys_path(v, byref(listing))
    lib.pepkit_venv_free(v)
    report.equal("sys.path of an env with editable installs" + what, want_path,
                 strings_list(lib, listing.value) if status == 0 else STATUS_NAMES.get(status))
    if not isinstance(got, dict):
        report.check(False, "pepkit_venv_open" + what, want, got)
    else:
        for name in NAMES:
            report.equal("find_spec(%r) in an env with editable installs%s" % (name, what), want[name], got[name])


def main():
    report = Report("oracle editable installs")
    if sys.version_info < (3, 9):
        print("SKIPPED: the setuptools wheel .ci/setup fetches needs Python 3.9+")
        sys.exit(77)
    if not os.path.isdir(WHEELS) or not any(f.startswith("setuptools-") for f in os.listdir(WHEELS)):
        print("SKIPPED: no wheels in %s (run .ci/setup, or set PEPKIT_WHEELS)" % WHEELS)
        sys.exit(77)
    lib = load_pepkit()
    base = tempfile.mkdtemp(prefix="pepkit-editable-")
    try:
        env = os.path.join(base, "env")
        venv = subprocess.run([sys.executable, "-m", "venv", env], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if venv.returncode != 0:
            print("SKIPPED: %s -m venv cannot make an env with pip: %s" % (sys.executable, venv.stdout.decode()[-200:]))
            sys.exit(77)
        flat, src, strict, hatch, ns, hexact, pdm = projects(base)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and not k.startswith("PIP_")}
        clean["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        pip = [os.path.join(env, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", "--find-links", WHEELS]
        installs = [["-e", flat, "-e", src, "-e", hatch, "-e", ns, "-e", hexact],
                    ["--config-settings", "editable_mode=strict", "-e", strict]]
        if any(f.startswith("pdm_backend-") for f in os.listdir(WHEELS)):
            installs.append(["-e", pdm[0], "-e", pdm[1]])
        else:
            print("  no pdm_backend wheel in %s (rerun .ci/setup): the pdm project is not installed" % WHEELS)
        for args in installs:
            done = subprocess.run(pip + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=clean, cwd=base)
            if not report.check(done.returncode == 0, "pip install %s" % " ".join(args), 0,
                                done.stdout.decode(errors="replace")[-800:]):
                report.finish()
        site = subprocess.check_output([os.path.join(env, "bin", "python"), "-c",
                                        "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                       env=clean).decode().strip()
        # Modules the path resolves before the editable finders get their turn.
        write(os.path.join(site, "shadowed.py"))
        write(os.path.join(site, "hxshadow.py"))
        # A mapped file removed: RedirectingFinder still answers with it.
        os.remove(os.path.join(hexact, "hxgone.py"))
        files = sorted(os.listdir(site))
        print("  site-packages: %s" % ", ".join(f for f in files if "editable" in f or f.endswith(".pth")))
        compare(report, lib, env, clean, base, "")
        # Without editables the bootstrap modules' import fails: no redirector.
        done = subprocess.run([os.path.join(env, "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "editables"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=clean, cwd=base)
        if report.check(done.returncode == 0, "pip uninstall editables", 0, done.stdout.decode(errors="replace")[-800:]):
            compare(report, lib, env, clean, base, " without editables")
        report.part("editable installs (setuptools flat/src/strict, hatchling, editables redirector)", (0, 0))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    report.finish()


if __name__ == "__main__":
    main()
