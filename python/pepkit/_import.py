"""PEP 420 import resolution without running Python: pepkit.find_spec."""
from __future__ import annotations

import ctypes
import os
from typing import List, Optional, Sequence, Union

from . import _lib
from ._lib import LIB

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_KINDS = {
    _lib.MODULE_SOURCE: "source", _lib.MODULE_BYTECODE: "bytecode", _lib.MODULE_EXTENSION: "extension",
    _lib.MODULE_PACKAGE: "package", _lib.MODULE_NAMESPACE: "namespace",
}


class ModuleSpec:
    """Shaped like importlib.machinery.ModuleSpec, without a loader object:
    `loader` names the loader importlib would use ("source", "bytecode",
    "extension", or None for a namespace package) and `kind` what was found
    ("source", "bytecode", "extension", "package" or "namespace")."""

    __slots__ = ("name", "origin", "submodule_search_locations", "loader", "kind")

    def __init__(self, name: str, origin: Optional[str], locations: Optional[List[str]],
                 loader: Optional[str], kind: str) -> None:
        self.name = name
        self.origin = origin
        self.submodule_search_locations = locations
        self.loader = loader
        self.kind = kind

    @property
    def parent(self) -> str:
        if self.submodule_search_locations is not None:
            return self.name
        return self.name.rpartition(".")[0]

    @property
    def has_location(self) -> bool:
        return self.origin is not None

    def __repr__(self) -> str:
        return "ModuleSpec(name=%r, loader=%r, origin=%r, submodule_search_locations=%r)" % (
            self.name, self.loader, self.origin, self.submodule_search_locations)


def spec_from_c(spec: int) -> ModuleSpec:
    """Copies and frees a pepkit_spec."""
    try:
        name = (LIB.pepkit_spec_name(spec) or b"").decode("utf-8", "surrogateescape")
        origin_b = LIB.pepkit_spec_origin(spec)
        origin = os.fsdecode(origin_b) if origin_b is not None else None
        lst = ctypes.c_void_p()
        _lib.check(LIB.pepkit_spec_search_locations(spec, ctypes.byref(lst)))
        locations = _lib.strings(lst.value) if lst.value else None
        loader = _KINDS.get(LIB.pepkit_spec_loader(spec))
        kind = _KINDS.get(LIB.pepkit_spec_kind(spec), "none")
        return ModuleSpec(name, origin, locations, loader, kind)
    finally:
        LIB.pepkit_spec_free(spec)


def find_spec(name: str, path: Sequence[PathLike]) -> ModuleSpec:
    """Where `import name` would come from with sys.path = `path`, as
    importlib.util.find_spec finds it, without importing anything.

    Raises ModuleNotFoundError when importlib finds nothing (its message),
    ValueError for a relative or malformed name.
    """
    if isinstance(path, (str, bytes)):
        raise TypeError("path must be a sequence of paths, not a single path")
    entries = [_lib.cpath(p) for p in path]
    arr = (ctypes.c_char_p * max(len(entries), 1))(*entries)
    out = ctypes.c_void_p()
    _lib.check(LIB.pepkit_find_spec(_lib.cstr(name, "name"), arr, len(entries), ctypes.byref(out)),
               not_found=ModuleNotFoundError)
    return spec_from_c(int(out.value or 0))
