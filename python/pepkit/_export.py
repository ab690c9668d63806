"""Python memoryviews over pepkit exports, lifetime-exact on every version.

CPython's only way to build a memoryview over foreign memory with arbitrary
shape, strides and format is PyMemoryView_FromBuffer, whose managed buffer
keeps no owner (`obj` is None: the bug issue 10 is about). We make one and
then give its managed buffer an owner: the `_Export` below, which holds one
pepkit export. CPython releases a managed buffer when its last memoryview
(and every export of those) is gone, and that release decrefs `master.obj`,
so the pepkit export ends exactly when Python's last user does. The view's
own `obj` is set to the same object, so `m.obj` names it, as memoryview(x)
names x.

The two pointers live at fixed offsets of structs that have not changed
since CPython 3.3 (memoryobject.h: _PyManagedBufferObject and
PyMemoryViewObject); `_self_test` proves the offsets on the running
interpreter at import, by reading back fields PyMemoryView_FromBuffer wrote,
before anything is written through them.
"""
from __future__ import annotations

import ctypes
import gc
import sys
from typing import Any, Optional

from . import _lib
from ._lib import LIB, Buffer

_PTR = ctypes.sizeof(ctypes.c_void_p)
_HEAD = 2 * _PTR  # PyObject_HEAD: ob_refcnt, ob_type (release builds)
_MBUF_MASTER = _HEAD + 8 + 8  # int flags (padded), Py_ssize_t exports
_MV_MBUF = _HEAD + _PTR  # PyObject_VAR_HEAD adds ob_size
_MV_VIEW = _MV_MBUF + _PTR + 8 + 8 + 8  # mbuf, hash, int flags (padded), exports
_BUF_OBJ = _PTR  # Py_buffer.obj follows Py_buffer.buf

_from_buffer = ctypes.pythonapi.PyMemoryView_FromBuffer
_from_buffer.argtypes = [ctypes.POINTER(Buffer)]
_from_buffer.restype = ctypes.py_object
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


# PyMemoryView_FromBuffer refuses buf NULL even for zero bytes.
_EMPTY = ctypes.create_string_buffer(1)
_EMPTY_ADDR = ctypes.addressof(_EMPTY)


# Address-taking twins of the library's functions, for the export hot path.
_raw = ctypes.CDLL(LIB._name)
_getbuffer = _raw.pepkit_getbuffer
_getbuffer.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
_getbuffer.restype = ctypes.c_int32
_releasebuffer = _raw.pepkit_releasebuffer
_releasebuffer.argtypes = [ctypes.c_void_p]
_releasebuffer.restype = ctypes.c_int32
_from_buffer_addr = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p)(("PyMemoryView_FromBuffer", ctypes.pythonapi))
_addressof = ctypes.addressof


class _Export(Buffer):
    """One pepkit export: the struct itself is the owner the memoryview's
    managed buffer holds, and releases the export when it is freed."""

    # Defaults bind what __del__ needs: it may run while the interpreter
    # clears module globals at exit.
    def __del__(self, _release: Any = _releasebuffer, _addr: Any = ctypes.addressof) -> None:
        _release(_addr(self))  # a no-op if getbuffer failed (obj NULL)


def _ptr_at(addr: int) -> ctypes.c_void_p:
    return ctypes.c_void_p.from_address(addr)


def _adopt(view: Buffer, owner: object, check: bool = False) -> memoryview:
    """A memoryview over `view` whose managed buffer owns `owner`."""
    if not view.buf:
        view.buf = _EMPTY_ADDR
    mv = _from_buffer(view)
    base = id(mv)
    mbuf = _ptr_at(base + _MV_MBUF).value or 0
    if check:
        # Once, at import (_self_test): the managed buffer's master and the
        # view must hold the buf we passed, and both obj slots must be NULL,
        # before anything is written through these offsets.
        if (
            _ptr_at(mbuf + _MBUF_MASTER).value != view.buf
            or _ptr_at(base + _MV_VIEW).value != view.buf
            or _ptr_at(mbuf + _MBUF_MASTER + _BUF_OBJ).value
            or _ptr_at(base + _MV_VIEW + _BUF_OBJ).value
        ):
            raise ImportError("pepkit: unexpected memoryview layout on this interpreter")
    _incref(owner)  # the managed buffer's reference, dropped by PyBuffer_Release
    _ptr_at(mbuf + _MBUF_MASTER + _BUF_OBJ).value = id(owner)
    _ptr_at(base + _MV_VIEW + _BUF_OBJ).value = id(owner)  # borrowed, as CPython's
    result: memoryview = mv
    return result


def export(obj: int, flags: int) -> memoryview:
    """A memoryview holding one pepkit export of `obj` made with `flags`."""
    view = _Export()
    addr = _addressof(view)
    status = _getbuffer(obj, addr, flags)
    if status:
        raise _lib.error(status)
    # The hot path of memoryview(o) and numpy.asarray(o): addresses, not
    # ctypes pointer objects, cross the FFI (half the cost).
    if not view.buf:
        view.buf = _EMPTY_ADDR
    mv = _from_buffer_addr(addr)
    base = id(mv)
    mbuf = _ptr_at(base + _MV_MBUF).value or 0
    _incref(view)  # the managed buffer's reference, dropped by PyBuffer_Release
    _ptr_at(mbuf + _MBUF_MASTER + _BUF_OBJ).value = id(view)
    _ptr_at(base + _MV_VIEW + _BUF_OBJ).value = id(view)  # borrowed, as CPython's
    result: memoryview = mv
    return result


def _self_test() -> None:
    class Probe:
        pass

    data = ctypes.create_string_buffer(b"pepkit", 6)
    view = Buffer()
    view.buf = ctypes.addressof(data)
    view.len = 6
    view.itemsize = 1
    view.readonly = 1
    view.ndim = 1
    probe = Probe()
    before = sys.getrefcount(probe)
    mv = _adopt(view, probe, check=True)
    ok = mv.obj is probe  # type: ignore[comparison-overlap]
    ok = ok and mv.tobytes() == b"pepkit" and sys.getrefcount(probe) == before + 1
    ok = ok and any(probe in gc.get_referents(r) for r in gc.get_referents(mv))
    del mv
    ok = ok and sys.getrefcount(probe) == before
    if not ok:
        raise ImportError("pepkit: cannot give memoryviews an owner on this interpreter")


_self_test()


def owner_of(mv: memoryview) -> Optional[Any]:
    return mv.obj
