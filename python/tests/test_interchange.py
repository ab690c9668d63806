"""DLPack both ways with numpy, and the Arrow PyCapsule interface both ways
with pyarrow: zero-copy (writes seen on the other side) and every owner's
release run exactly when the last user goes."""
from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import pytest

import pepkit


def address_of(m: memoryview) -> int:
    """The address of the first byte of `m`, from a buffer request."""
    import ctypes

    class Py_buffer(ctypes.Structure):
        _fields_ = [("buf", ctypes.c_void_p), ("rest", ctypes.c_char * 72)]

    view = Py_buffer()
    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.c_void_p, ctypes.c_int]
    release = ctypes.pythonapi.PyBuffer_Release
    release.argtypes = [ctypes.c_void_p]
    get(m, ctypes.addressof(view), 0)
    try:
        return int(view.buf or 0)
    finally:
        release(ctypes.addressof(view))


def np_versioned(np: Any) -> bool:
    """numpy >= 2.1 asks producers for versioned capsules (max_version)."""
    return tuple(int(p) for p in np.__version__.split(".")[:2]) >= (2, 1)


def test_numpy_from_dlpack_zero_copy(np: Any) -> None:
    o = pepkit.ndarray("i", (2, 3), order="F")
    a = np.from_dlpack(o)
    assert a.shape == (2, 3) and a.strides == (4, 8) and o.exports == 1
    if np_versioned(np):
        a[1, 1] = 5
    else:
        assert not a.flags.writeable  # numpy < 2.1 marks every DLPack import read-only
        o.view()[1, 1] = 5
    assert o.view()[1, 1] == 5 and a[1, 1] == 5
    o.view()[0, 2] = -3
    assert a[0, 2] == -3
    o.close()  # the tensor's export keeps the memory
    gc.collect()
    assert a.tolist() == [[0, 0, -3], [0, 5, 0]]
    if np_versioned(np):
        back = pepkit.from_dlpack(a)  # and back: numpy's tensor over pepkit's memory
        assert back.view().tolist() == [[0, 0, -3], [0, 5, 0]]
    else:
        with pytest.raises(BufferError):
            pepkit.from_dlpack(a)  # old numpy cannot export its read-only import


def test_dlpack_readonly(np: Any) -> None:
    r = pepkit.ndarray("d", (3,), readonly=True)
    if np_versioned(np):
        a = np.from_dlpack(r)
        assert not a.flags.writeable
        del a
    with pytest.raises(BufferError):
        r.__dlpack__()  # the legacy struct cannot say read-only
    gc.collect()
    assert r.exports == 0


def test_dlpack_capsules_and_options() -> None:
    o = pepkit.ndarray("h", (4,))
    legacy = o.__dlpack__()
    versioned = o.__dlpack__(max_version=(1, 0))
    assert "dltensor" in repr(legacy) and "dltensor_versioned" in repr(versioned)
    assert o.exports == 2
    del legacy, versioned  # never consumed: their destructors call the deleters
    gc.collect()
    assert (o.refcount, o.exports) == (1, 0)
    assert o.__dlpack_device__() == (1, 0)
    with pytest.raises(BufferError):
        o.__dlpack__(stream=1)
    with pytest.raises(BufferError):
        o.__dlpack__(dl_device=(2, 0))
    assert o.exports == 0


def test_dlpack_copy(np: Any) -> None:
    o = pepkit.ndarray("i", (3,))
    c = pepkit.from_dlpack(_Producer(o, copy=True))
    c.view()[0] = 1
    assert o.view()[0] == 0 and o.exports == 0


class _Producer:
    """Forwards __dlpack__ with fixed keywords (as a consumer would pass them)."""

    def __init__(self, o: pepkit.Object, copy: bool) -> None:
        self.o, self.copy = o, copy

    def __dlpack__(self, **kw: Any) -> Any:
        return self.o.__dlpack__(copy=self.copy, **kw)

    def __dlpack_device__(self) -> Any:
        return self.o.__dlpack_device__()


def test_pepkit_from_numpy_dlpack(np: Any) -> None:
    n = np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2]
    refs = sys.getrefcount(n)
    p = pepkit.from_dlpack(n)
    assert sys.getrefcount(n) > refs  # numpy's tensor holds the array
    v = p.view()
    assert v.shape == (3, 2) and v.tolist() == n.tolist()
    v[2, 1] = -1
    assert n[2, 1] == -1
    del v
    p.close()
    gc.collect()
    assert sys.getrefcount(n) == refs  # numpy's deleter ran


def test_pepkit_to_pepkit_dlpack() -> None:
    o = pepkit.ndarray("f", (2,))
    p = pepkit.from_dlpack(o)
    p.view()[1] = 2.5
    assert o.view()[1] == 2.5 and o.exports == 1
    p.close()
    gc.collect()
    assert o.exports == 0


def test_pyarrow_from_pepkit_zero_copy() -> None:
    pa = pytest.importorskip("pyarrow")
    x = pepkit.ndarray("q", (4,))
    arr = pa.array(x)
    assert arr.type == pa.int64() and x.exports == 1
    x.view()[0] = 11
    assert arr.to_pylist() == [11, 0, 0, 0]
    assert pa.DataType._import_from_c_capsule(x.__arrow_c_schema__()) == pa.int64()
    x.close()
    gc.collect()
    assert arr.to_pylist() == [11, 0, 0, 0]  # the array's export keeps the memory
    t = pepkit.ndarray("f", (3, 2))
    tensor = pa.array(t)
    assert str(tensor.type.storage_type) == "fixed_size_list<item: float>[2]"
    t.view()[2, 1] = 1.5
    assert tensor.to_numpy_ndarray().tolist()[2][1] == 1.5
    del tensor, arr
    gc.collect()
    assert t.exports == 0


def test_pepkit_from_pyarrow_zero_copy() -> None:
    pa = pytest.importorskip("pyarrow")
    base = pa.total_allocated_bytes()
    b = pa.array([1, 2, 3], type=pa.int16())
    q = pepkit.from_arrow(b)
    v = q.view()
    assert (v.format, v.readonly, v.tolist()) == ("h", True, [1, 2, 3])
    m = q.export()
    assert address_of(m) == b.buffers()[1].address  # the very same bytes
    del b
    gc.collect()
    assert pa.total_allocated_bytes() > base  # pepkit still holds the Arrow array
    del v, m
    q.close()
    gc.collect()
    assert pa.total_allocated_bytes() == base  # its release ran
    with pytest.raises(TypeError):
        pepkit.from_arrow(42)
    with pytest.raises(ValueError):
        pepkit.from_arrow(pa.array([1, None], type=pa.int32()))  # nulls are refused


def test_no_leak_over_100000_interchange_round_trips(np: Any) -> None:
    """DLPack both ways (and Arrow both ways with pyarrow): RSS flat, every
    export released, every producer's deleter run."""
    import os

    pa: Any
    try:
        pa = importlib.import_module("pyarrow")
    except ImportError:
        pa = None
    o = pepkit.ndarray("i", (16,))
    src = np.zeros(16, dtype=np.int32)
    arrow_src = pa.array(list(range(16)), type=pa.int32()) if pa is not None else None

    def trip() -> None:
        a = np.from_dlpack(o)
        p = pepkit.from_dlpack(src)
        if pa is not None:
            x = pa.array(o)
            q = pepkit.from_arrow(arrow_src)
            q.close()
            del x
        p.close()
        del a

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    for _ in range(5000):
        trip()
    gc.collect()
    before = rss()
    refs = sys.getrefcount(src)
    arrow_bytes = pa.total_allocated_bytes() if pa is not None else 0
    n = 100000 // (4 if pa is not None else 2)
    for _ in range(n):
        trip()
    gc.collect()
    grown = rss() - before
    assert (o.refcount, o.exports) == (1, 0) and sys.getrefcount(src) == refs
    assert pa is None or pa.total_allocated_bytes() == arrow_bytes
    assert grown < 1024, "RSS grew by %d KiB over %d round trips" % (grown, n)
