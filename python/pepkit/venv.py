"""PEP 405 virtual environments: pepkit.venv.create and pepkit.venv.open."""
from __future__ import annotations

import builtins
import ctypes
import os
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Union

from . import _lib
from ._import import ModuleSpec, spec_from_c
from ._lib import LIB

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

__all__ = ["create", "open", "check", "Problem", "Venv"]

# pepkit_venv_report_kind's codes, by name.
PROBLEM_KINDS = {1: "base-missing", 2: "base-version-differs", 3: "dangling-link",
                 4: "shebang-missing-interpreter", 5: "site-packages-other-minor"}


class Problem(NamedTuple):
    """One finding of check(); kind is one of PROBLEM_KINDS' names."""

    kind: str
    path: str
    message: str


def check(env_dir: PathLike) -> List[Problem]:
    """The health check of an existing env (pepkit_venv_check): an empty list
    when healthy, else what is wrong (a missing or changed base interpreter,
    dangling links, scripts whose interpreter is gone, site-packages of
    another minor version), each with the command that repairs it."""
    out = ctypes.c_void_p()
    _lib.check(LIB.pepkit_venv_check(_lib.cpath(env_dir), ctypes.byref(out)))
    report = out.value
    try:
        found = []
        for i in range(LIB.pepkit_venv_report_len(report)):
            kind = PROBLEM_KINDS.get(LIB.pepkit_venv_report_kind(report, i), "unknown")
            path = (LIB.pepkit_venv_report_path(report, i) or b"").decode("utf-8", "surrogateescape")
            message = (LIB.pepkit_venv_report_message(report, i) or b"").decode("utf-8", "replace")
            found.append(Problem(kind, path, message))
        return found
    finally:
        LIB.pepkit_venv_report_free(report)


def create(env_dir: PathLike, *, python: Optional[PathLike] = None, system_site_packages: bool = False,
           clear: bool = False, symlinks: Optional[bool] = None, upgrade: bool = False, with_pip: bool = True,
           prompt: Optional[str] = None, upgrade_deps: bool = False,
           progress: Optional[Callable[[str], None]] = None, relocatable: bool = False,
           allow_existing: bool = False, cachedir_tag: bool = True, activators: Iterable[str] = ()) -> None:
    """Creates a virtual environment as ``python -m venv`` does (pepkit_venv_create).

    `python` is the base interpreter (a path or a name on PATH; None means
    ``python3``); `symlinks` None keeps the platform default (links on
    POSIX); `progress` is called with each step's name before it runs (an
    exception it raises cannot stop the C call: progress is not called again,
    and the exception is raised once the call returns). Beyond ``python -m
    venv``: `relocatable` (scripts find the env from their own location),
    `allow_existing` (repoint interpreter links an earlier env left),
    `cachedir_tag` (False: no CACHEDIR.TAG), `activators` (any of "nushell",
    "xonsh", "powershell", "python" for activate_this.py). Errors
    are raised as the matching exceptions with pepkit's message (OSError,
    FileExistsError, FileNotFoundError, ValueError, ...).
    """
    bits = 0
    for name in activators:
        if name not in _lib.ACTIVATORS:
            raise ValueError("unknown activator %r (choose from %s)" % (name, ", ".join(_lib.ACTIVATORS)))
        bits |= _lib.ACTIVATORS[name]
    opts = _lib.VenvOptions()
    _lib.check(LIB.pepkit_venv_options_init_sized(ctypes.byref(opts), ctypes.sizeof(opts)))
    opts.relocatable = relocatable
    opts.allow_existing = allow_existing
    opts.cachedir_tag = cachedir_tag
    opts.activators = bits
    py = _lib.cpath(python) if python is not None else None
    opts.python = py
    opts.system_site_packages = system_site_packages
    opts.clear = clear
    if symlinks is not None:
        opts.symlinks = symlinks
    opts.upgrade = upgrade
    opts.with_pip = with_pip
    opts.upgrade_deps = upgrade_deps
    pr = _lib.cstr(prompt, "prompt") if prompt is not None else None
    opts.prompt = pr
    errors: List[BaseException] = []
    cb: Any = None
    if progress is not None:
        def on_step(_ctx: Optional[int], step: Optional[bytes]) -> None:
            # Runs on this thread during the call; an exception cannot cross
            # C, so it is kept and raised once pepkit returns.
            if errors:
                return
            try:
                progress((step or b"").decode("utf-8", "replace"))
            except BaseException as e:  # noqa: B902 - re-raised below
                errors.append(e)
        cb = _lib.PROGRESS_FN(on_step)
        opts.progress = cb
    status = LIB.pepkit_venv_create(_lib.cpath(env_dir), ctypes.byref(opts))
    if errors:
        raise errors[0]
    _lib.check(status)


class Venv:
    """An existing environment (pepkit_venv_open): its pyvenv.cfg and paths."""

    def __init__(self, env_dir: PathLike) -> None:
        self._ptr: Optional[int] = None
        out = ctypes.c_void_p()
        _lib.check(LIB.pepkit_venv_open(_lib.cpath(env_dir), ctypes.byref(out)))
        self._ptr = int(out.value or 0)

    def _checked(self) -> int:
        if not self._ptr:
            raise ValueError("operation on a closed pepkit.venv.Venv")
        return self._ptr

    def close(self) -> None:
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            LIB.pepkit_venv_free(ptr)

    def __del__(self) -> None:
        self.close()

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("cannot pickle or copy a pepkit.venv.Venv (it owns a C handle); open the directory again")

    def __enter__(self) -> "Venv":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dir(self) -> str:
        d, cfg = ctypes.c_char_p(), ctypes.c_char_p()
        _lib.check(LIB.pepkit_venv_dir(self._checked(), ctypes.byref(d), ctypes.byref(cfg)))
        return os.fsdecode(d.value or b"")

    @property
    def cfg_path(self) -> str:
        d, cfg = ctypes.c_char_p(), ctypes.c_char_p()
        _lib.check(LIB.pepkit_venv_dir(self._checked(), ctypes.byref(d), ctypes.byref(cfg)))
        return os.fsdecode(cfg.value or b"")

    def get(self, key: str) -> Optional[str]:
        """The value of `key` in pyvenv.cfg as the interpreter reads it, or None."""
        out = ctypes.c_char_p()
        status = LIB.pepkit_venv_get(self._checked(), _lib.cstr(key, "key"), ctypes.byref(out))
        if status == 9:
            return None
        _lib.check(status)
        return (out.value or b"").decode("utf-8")

    @property
    def config(self) -> Dict[str, str]:
        """pyvenv.cfg as a dict (keys lower-cased), values as pepkit reads them."""
        keys: List[str] = []
        with builtins.open(self.cfg_path, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                if "=" in line:
                    k = line.split("=", 1)[0].strip().lower()
                    if k and k not in keys:
                        keys.append(k)
        result: Dict[str, str] = {}
        for k in keys:
            v = self.get(k)
            if v is not None:
                result[k] = v
        return result

    @property
    def site_packages(self) -> str:
        out = ctypes.c_char_p()
        _lib.check(LIB.pepkit_venv_site_packages(self._checked(), ctypes.byref(out)))
        return os.fsdecode(out.value or b"")

    @property
    def system_site_packages(self) -> bool:
        out = ctypes.c_bool()
        _lib.check(LIB.pepkit_venv_system_site_packages(self._checked(), ctypes.byref(out)))
        return bool(out.value)

    def sys_path(self) -> List[str]:
        """The env interpreter's sys.path (without the script directory)."""
        out = ctypes.c_void_p()
        _lib.check(LIB.pepkit_venv_sys_path(self._checked(), ctypes.byref(out)))
        return _lib.strings(out.value)

    def find_spec(self, name: str) -> ModuleSpec:
        """Where `import name` in this env would come from."""
        out = ctypes.c_void_p()
        _lib.check(LIB.pepkit_venv_find_spec(self._checked(), _lib.cstr(name, "name"), ctypes.byref(out)),
                   not_found=ModuleNotFoundError)
        return spec_from_c(int(out.value or 0))

    def __repr__(self) -> str:
        return "<pepkit.venv.Venv %r>" % (self.dir if self._ptr else "closed")


def open(env_dir: PathLike) -> Venv:
    """Opens the environment at `env_dir` (reads its pyvenv.cfg)."""
    return Venv(env_dir)
