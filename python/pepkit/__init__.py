"""pepkit for Python: PEP 3118 buffers, memoryview, venvs and PEP 420 import
resolution from libpepkit, with no copy and no dangling pointer."""
from __future__ import annotations

from . import venv
from ._import import ModuleSpec, find_spec
from ._interchange import from_arrow, from_dlpack
from ._lib import LIB as _LIB
from ._memoryview import MemoryView
from ._object import Object, bytearray_, bytes_, from_buffer, ndarray

__all__ = ["Object", "MemoryView", "ModuleSpec", "ndarray", "from_buffer", "bytes_", "bytearray_",
           "find_spec", "venv", "library_version", "from_dlpack", "from_arrow"]


def library_version() -> str:
    """The version of the bundled libpepkit."""
    return (_LIB.pepkit_version() or b"").decode()


__version__ = library_version()
