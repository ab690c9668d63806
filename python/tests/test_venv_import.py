"""pepkit.venv and pepkit.find_spec against the interpreter itself:
sys.path and importlib.util.find_spec as the env's python reports them."""
from __future__ import annotations

import ast
import importlib.machinery
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

import pepkit
import pepkit.venv

BASE = os.path.join(sys.base_prefix, "bin", "python%d.%d" % sys.version_info[:2])


def run(py: str, code: str) -> Any:
    out = subprocess.run([py, "-c", code], check=True, stdout=subprocess.PIPE, env={"PATH": os.environ.get("PATH", "")})
    return ast.literal_eval(out.stdout.decode())


def test_create_open_sys_path_find_spec(tmp_path: Path) -> None:
    env = tmp_path / "env"
    steps: List[str] = []
    pepkit.venv.create(env, python=BASE, with_pip=False, prompt="demo", progress=steps.append)
    assert steps[0] == "facts" and steps[-1] == "done"
    py = str(env / "bin" / "python")
    with pepkit.venv.open(env) as v:
        cfg = v.config
        assert cfg["home"] == os.path.dirname(BASE) and cfg["prompt"] == "'demo'"
        assert cfg["include-system-site-packages"] == "false" and not v.system_site_packages
        assert v.site_packages == run(py, "import sysconfig; print(repr(sysconfig.get_paths()['purelib']))")
        assert v.sys_path() == run(py, "import sys; print(repr(sys.path[1:]))")
        for name in ("json", "json.decoder", "email.mime", "_ssl"):
            spec = v.find_spec(name)
            want = run(py, "import importlib.util as u; s = u.find_spec(%r); "
                           "print(repr((s.name, s.origin, s.submodule_search_locations)))" % name)
            assert (spec.name, spec.origin, spec.submodule_search_locations) == tuple(want)
        with pytest.raises(ModuleNotFoundError, match="no_such_module"):
            v.find_spec("no_such_module")


def test_create_with_native_pip(tmp_path: Path) -> None:
    env = tmp_path / "env"
    pepkit.venv.create(str(env), python=BASE)
    out = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "--version"], stdout=subprocess.PIPE, check=True)
    assert str(env) in out.stdout.decode()


def test_create_beyond_venv(tmp_path: Path) -> None:
    """The version-2 options reach the library: a relocatable env with extra
    activators and a CACHEDIR.TAG, moved, still activates from its new place."""
    env = tmp_path / "made"
    pepkit.venv.create(env, python=BASE, with_pip=False, relocatable=True, activators=["python", "xonsh"])
    assert (env / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55\n")
    assert "relocatable = true\n" in (env / "pyvenv.cfg").read_text()
    assert (env / "bin" / "activate.xsh").exists() and not (env / "bin" / "activate.nu").exists()
    moved = tmp_path / "moved"
    env.rename(moved)
    this = str(moved / "bin" / "activate_this.py")
    code = "exec(open(%r).read(), {'__file__': %r}); import sys; print(repr(sys.prefix))" % (this, this)
    assert run(BASE, code) == str(moved)
    plain = tmp_path / "plain"
    pepkit.venv.create(plain, python=BASE, with_pip=False, cachedir_tag=False)
    assert not (plain / "CACHEDIR.TAG").exists() and not (plain / "bin" / "activate_this.py").exists()
    with pytest.raises(ValueError, match="unknown activator 'tcsh'"):
        pepkit.venv.create(tmp_path / "never", python=BASE, with_pip=False, activators=["tcsh"])
    assert not (tmp_path / "never").exists()


def test_check(tmp_path: Path) -> None:
    env = tmp_path / "env"
    pepkit.venv.create(env, python=BASE, with_pip=False)
    assert pepkit.venv.check(env) == []
    (env / "bin" / "tool").write_text("#!%s/gone/python3\nprint(1)\n" % tmp_path)
    os.symlink(str(tmp_path / "nowhere"), str(env / "bin" / "python9"))
    found = {(p.kind, os.path.basename(p.path)) for p in pepkit.venv.check(env)}
    assert found == {("shebang-missing-interpreter", "tool"), ("dangling-link", "python9")}
    with pytest.raises(FileNotFoundError):
        pepkit.venv.check(tmp_path / "no-env")


def test_venv_errors(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        pepkit.venv.create(tmp_path / "data", python=BASE, clear=True, with_pip=False)
    assert (tmp_path / "data" / "keep.txt").read_text() == "mine"
    with pytest.raises(FileNotFoundError):
        pepkit.venv.open(tmp_path / "data")
    with pytest.raises(ValueError):
        pepkit.venv.create(tmp_path / "a:b", python=BASE, with_pip=False)
    with pytest.raises(FileNotFoundError):
        pepkit.venv.create(tmp_path / "x", python=str(tmp_path / "no-python"), with_pip=False)

    def boom(step: str) -> None:
        raise KeyboardInterrupt(step)

    with pytest.raises(KeyboardInterrupt, match="facts"):
        pepkit.venv.create(tmp_path / "y", python=BASE, with_pip=False, progress=boom)


def test_find_spec_namespace_tree(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a / "ns" / "sub", b / "ns", a / "pkg"):
        d.mkdir(parents=True)
    (a / "ns" / "sub" / "__init__.py").write_text("")
    (b / "ns" / "mod.py").write_text("")
    (a / "pkg" / "__init__.py").write_text("")
    (b / "plain.py").write_text("")
    path = [str(a), str(b)]
    for name in ("ns", "pkg", "plain"):
        got = pepkit.find_spec(name, path)
        want = importlib.machinery.PathFinder.find_spec(name, path)
        assert want is not None
        assert (got.name, got.origin) == (want.name, want.origin)
        assert got.submodule_search_locations == (
            list(want.submodule_search_locations) if want.submodule_search_locations is not None else None)
    assert pepkit.find_spec("ns", path).kind == "namespace" and pepkit.find_spec("ns", path).loader is None
    assert pepkit.find_spec("ns.mod", path).origin == str(b / "ns" / "mod.py")
    assert pepkit.find_spec("pkg", path).loader == "source"
    with pytest.raises(ModuleNotFoundError, match="No module named 'nothing'"):
        pepkit.find_spec("nothing", path)
    with pytest.raises(ValueError):
        pepkit.find_spec(".rel", path)
    with pytest.raises(TypeError):
        pepkit.find_spec("x", str(a))


def test_embedded_nul_refused(tmp_path: Path) -> None:
    """C strings end at NUL: a path or name holding one must not be cut short."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "m.py").write_text("")
    with pytest.raises(ValueError, match="null"):
        pepkit.find_spec("m\0x", [str(tmp_path / "a")])
    with pytest.raises(ValueError, match="null"):
        pepkit.find_spec("m", [str(tmp_path / "a") + "\0/elsewhere"])
    with pytest.raises(ValueError, match="null"):
        pepkit.venv.create(str(tmp_path / "env\0x"), python=BASE, with_pip=False)
    with pytest.raises(ValueError, match="null"):
        pepkit.venv.open(str(tmp_path) + "\0")
    with pytest.raises(ValueError, match="null"):
        pepkit.ndarray("i\0d", (1,))
    assert not (tmp_path / "env").exists()
