"""PyObject_GetBuffer(o, flags) on a pepkit.Object, for every request a
consumer can make, against CPython's own exporters of the same memory: a
memoryview of a numpy array (CPython's memory_getbuf, whose rules pepkit's
request rules follow) and bytes/bytearray (PyBuffer_FillInfo).

Consumers' flags reach pepkit's getbuffer directly through the C type's
buffer slot, so every difference in what is refused, or in the Py_buffer
filled, would show here."""
from __future__ import annotations

import ctypes
import gc
from typing import Any, Iterator, List, Optional, Tuple

import pytest

import pepkit
from pepkit._lib import Buffer

_get = ctypes.pythonapi.PyObject_GetBuffer
_get.argtypes = [ctypes.py_object, ctypes.POINTER(Buffer), ctypes.c_int]
_get.restype = ctypes.c_int
_release = ctypes.pythonapi.PyBuffer_Release
_release.argtypes = [ctypes.POINTER(Buffer)]
_release.restype = None

WRITABLE, FORMAT, ND, STRIDES, INDIRECT = 0x1, 0x4, 0x8, 0x18, 0x118
C_CONTIGUOUS, F_CONTIGUOUS, ANY_CONTIGUOUS = 0x38, 0x58, 0x98
SHAPES = [0, ND, STRIDES, C_CONTIGUOUS, F_CONTIGUOUS, ANY_CONTIGUOUS, INDIRECT]
FLAGS = [base | fmt | w for base in SHAPES for fmt in (0, FORMAT) for w in (0, WRITABLE)]


def _tuple(ptr: Any, n: int) -> Optional[Tuple[int, ...]]:
    return tuple(ptr[i] for i in range(n)) if ptr else None


def request(obj: Any, flags: int) -> Tuple[Any, ...]:
    """What a consumer gets: ("ok", fields of the Py_buffer) or the error class."""
    view = Buffer()
    try:
        _get(obj, ctypes.byref(view), flags)
    except Exception as e:  # the exporter's refusal, raised by ctypes
        return ("error", type(e).__name__)
    try:
        fmt = view.format.decode() if view.format else None
        return ("ok", view.buf, view.len, view.itemsize, bool(view.readonly), view.ndim, fmt,
                _tuple(view.shape, view.ndim), _tuple(view.strides, view.ndim), _tuple(view.suboffsets, view.ndim))
    finally:
        _release(ctypes.byref(view))


def layouts(np: Any) -> Iterator[Tuple[str, Any]]:
    """numpy arrays of every layout kind, writable and read-only."""
    base = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    arrays: List[Tuple[str, Any]] = [
        ("C 3x4x5", base),
        ("F 3x4x5", np.asfortranarray(base)),
        ("strided [::2, 1:, ::-2]", base[::2, 1:, ::-2]),
        ("1-d int32", np.arange(7, dtype=np.int32)),
        ("0-d", np.array(3.5)),
        ("empty 0x3", np.zeros((0, 3), dtype=np.int16)),
        ("1x1 column of F", np.asfortranarray(base)[1:2, 2:3, 0]),
        ("half, big-endian", np.zeros(3, dtype=">f2")),
    ]
    for name, a in arrays:
        yield name, a
        ro = a.copy(order="A") if a.ndim else a.copy()
        ro.flags.writeable = False
        yield name + " (read-only)", ro


def test_flags_against_memoryview(np: Any) -> None:
    cases = 0
    for name, a in layouts(np):
        peer = memoryview(a)
        obj = pepkit.from_buffer(a)  # pepkit's own exporter over the same memory
        for flags in FLAGS:
            want, got = request(peer, flags), request(obj, flags)
            if want[0] == "ok" and got[0] == "ok" and want[6] != got[6]:
                # numpy's struct format text differs from the one it gave pepkit
                # only in spelling; the layout fields must still agree.
                want, got = want[:6] + want[7:], got[:6] + got[7:]
            assert got == want, "%s, flags %#x" % (name, flags)
            cases += 1
        gc.collect()
        assert (obj.refcount, obj.exports) == (1, 0)
        obj.close()
        peer.release()
    assert cases == 16 * len(FLAGS)


@pytest.mark.parametrize("kind", ["bytes", "bytearray"])
def test_flags_against_fill_info(kind: str) -> None:
    data = b"pepkit!"
    peer: Any = bytes(data) if kind == "bytes" else bytearray(data)
    obj = pepkit.bytes_(data) if kind == "bytes" else pepkit.bytearray_(data)
    for flags in FLAGS:
        want, got = request(peer, flags), request(obj, flags)
        if want[0] == "ok":
            want, got = want[2:], got[2:]  # different memory, same description
        assert got == want, "%s, flags %#x" % (kind, flags)
    gc.collect()
    assert (obj.refcount, obj.exports) == (1, 0)


def test_closed_object_refuses_every_request() -> None:
    obj = pepkit.ndarray("d", (2,))
    obj.close()
    for flags in FLAGS:
        assert request(obj, flags) == ("error", "ValueError")
