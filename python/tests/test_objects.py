"""Objects, exports and the buffer protocol: zero-copy both ways and every
deletion order, with pepkit's refcount/exports back to their baseline."""
from __future__ import annotations

import array
import ctypes
import gc
import mmap
import sys
import threading
from typing import Any

import pytest

import pepkit
from pepkit._lib import LIB

NEW_PROTOCOL = sys.version_info >= (3, 12)


def mv_of(o: pepkit.Object, writable: bool = False) -> memoryview:
    """memoryview(o) (the C type's buffer slots, every version), or
    o.export(writable=True), which refuses read-only memory."""
    return o.export(writable) if writable else memoryview(o)


def baseline(o: pepkit.Object) -> None:
    gc.collect()
    assert (o.refcount, o.exports) == (1, 0)


def test_ndarray_layout() -> None:
    a = pepkit.ndarray("i", (3, 4), order="F")
    assert (a.format, a.itemsize, a.shape, a.strides, a.nbytes, a.readonly) == ("i", 4, (3, 4), (4, 12), 48, False)
    assert a.type_name == "ndarray"
    r = pepkit.ndarray("<d", (2,), readonly=True)
    assert r.readonly and r.format == "<d"
    assert bytes(pepkit.ndarray("h", (3,))) == b"\0" * 6


@pytest.mark.parametrize("args, exc", [
    (("i", (-1,)), ValueError), (("i", (2,), "X"), ValueError), (("Z", (1,)), ValueError),
    (("i", (1,) * 65), ValueError), (("i", (1 << 62, 1 << 62)), (OverflowError, ValueError, MemoryError)),
])
def test_ndarray_errors(args: Any, exc: Any) -> None:
    with pytest.raises(exc) as e:
        pepkit.ndarray(*args)
    assert str(e.value)


def test_export_is_zero_copy_and_exact() -> None:
    a = pepkit.ndarray("i", (2, 3))
    m = a.export(writable=True)
    assert (a.exports, a.refcount) == (1, 2)
    assert m.obj is not None and m.shape == (2, 3) and m.format == "i"
    m[1, 2] = -7
    assert a.view()[1, 2] == -7
    a.view()[0, 1] = 99
    assert m[0, 1] == 99
    s = m[1:]  # a slice shares the export
    del m
    gc.collect()
    assert a.exports == 1
    s.release()
    baseline(a)


def test_export_readonly_refuses_writable() -> None:
    r = pepkit.ndarray("B", (4,), readonly=True)
    with pytest.raises(BufferError):
        r.export(writable=True)
    baseline(r)
    m = r.export()
    assert m.readonly
    with pytest.raises(TypeError):
        m[0] = 1
    m.release()
    baseline(r)


@pytest.mark.parametrize("order", ["producer", "consumer"])
def test_deletion_orders(order: str) -> None:
    a = pepkit.ndarray("d", (5,))
    addr = a.address
    watch = pepkit.Object.from_address(addr)  # a second reference to observe counts
    m = mv_of(a, True)
    sub = m[::2]
    assert watch.exports == 1
    if order == "producer":
        a.close()
        del a
        gc.collect()
        sub[0] = 1.5  # type: ignore[call-overload]  # typeshed: memoryview items are int
        del m
        gc.collect()
        assert watch.exports == 1 and sub.tolist()[0] == 1.5
        del sub
    else:
        del sub, m
        gc.collect()
        assert watch.exports == 0
        a.close()
    gc.collect()
    assert (watch.refcount, watch.exports) == (1, 0)


def test_memoryview_protocol_and_bytes() -> None:
    a = pepkit.ndarray("B", (4,))
    m = mv_of(a, True)
    m[:] = b"abcd"
    assert bytes(a) == b"abcd" and a.view().tobytes() == b"abcd"
    m.release()
    baseline(a)


def test_buffer_protocol() -> None:
    a = pepkit.ndarray("i", (2, 2), order="F")
    m = memoryview(a)
    assert m.strides == (4, 8) and not m.readonly and a.exports == 1 and m.obj is a
    m2 = memoryview(m)
    del m
    gc.collect()
    assert a.exports == 1
    m2.release()
    baseline(a)
    r = pepkit.ndarray("i", (2,), readonly=True)
    assert memoryview(r).readonly
    # A consumer asking for C-contiguous memory of an F-ordered array.
    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.c_void_p, ctypes.c_int]
    pybuf = ctypes.create_string_buffer(128)
    with pytest.raises(BufferError):
        get(a, ctypes.addressof(pybuf), 0x38)  # PyBUF_C_CONTIGUOUS
    baseline(a)


@pytest.mark.skipif(not NEW_PROTOCOL, reason="__buffer__ needs Python 3.12+")
def test_buffer_dunder() -> None:
    a = pepkit.ndarray("d", (3,))
    # The consumer's flags reach pepkit: a simple request has no format (read
    # as "B"), no shape, the item size kept, as from CPython's memoryview.
    m = a.__buffer__(0)  # PyBUF_SIMPLE
    assert isinstance(m, memoryview) and m.obj is a and a.exports == 1
    peer = memoryview(array.array("d", [0.0] * 3)).__buffer__(0)
    assert (m.format, m.shape, m.itemsize, m.nbytes) == (peer.format, peer.shape, peer.itemsize, peer.nbytes)
    assert (m.format, m.shape, m.itemsize) == ("B", (3,), 8)
    m.release()
    m = a.__buffer__(0x11C)  # PyBUF_FULL_RO
    assert (m.format, m.shape, m.itemsize) == ("d", (3,), 8)
    m.release()
    baseline(a)
    assert hasattr(a, "__release_buffer__")


def test_from_buffer_bytearray_zero_copy() -> None:
    b = bytearray(b"hello")
    o = pepkit.from_buffer(b, writable=True)
    with pytest.raises(BufferError):
        b.extend(b"!")  # Python's export is held
    v = o.view()
    v[0] = ord("j")
    assert b == bytearray(b"jello")
    b[1] = ord("E")
    assert v.tobytes() == b"jEllo"
    v.release()
    del v
    o.close()
    gc.collect()
    b.extend(b"!")  # released: resizable again


@pytest.mark.parametrize("make", [
    lambda: bytes(b"abc"), lambda: array.array("h", [1, -2, 3]), lambda: memoryview(bytearray(12)).cast("i", (3,)),
    lambda: memoryview(bytearray(range(24))).cast("B", (2, 3, 4))[::-1], lambda: mmap.mmap(-1, 16),
])
def test_from_buffer_any_exporter(make: Any) -> None:
    src = make()
    ref: Any = memoryview(src)
    o = pepkit.from_buffer(src)
    v = o.view()
    assert (v.format, v.shape, v.readonly) == (ref.format, ref.shape, ref.readonly)
    assert v.tolist() == ref.tolist() and v == ref
    if not ref.readonly and ref.ndim == 1:
        ref[0] = 5 if ref.format != "c" else b"x"
        assert v[0] == ref[0]
    ref.release()
    v.release()
    del v, o
    gc.collect()
    if isinstance(src, mmap.mmap):
        src.close()  # would raise BufferError if pepkit still held the export


def test_from_buffer_writable_refused_on_bytes() -> None:
    with pytest.raises(BufferError):
        pepkit.from_buffer(b"abc", writable=True)
    with pytest.raises(TypeError):
        pepkit.from_buffer(42)


def test_from_address_steal_and_errors() -> None:
    a = pepkit.ndarray("B", (1,))
    b = pepkit.Object.from_address(a.address)
    assert a.refcount == 2
    LIB.pepkit_incref(a.address)
    c = pepkit.Object.from_address(a.address, steal=True)
    assert a.refcount == 3
    c.close()
    c.close()  # idempotent
    b.close()
    assert a.refcount == 1
    with pytest.raises(ValueError):
        pepkit.Object.from_address(0)
    with pytest.raises(TypeError):
        pepkit.Object.from_address("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pepkit.Object()
    a.close()
    with pytest.raises(ValueError):
        a.refcount


# A real C thread (no Python thread state) dropping pepkit's last reference:
# the release callback must take the GIL itself.
_libc = ctypes.CDLL(None)
_libc.pthread_create.argtypes = [ctypes.POINTER(ctypes.c_ulong), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
_libc.pthread_join.argtypes = [ctypes.c_ulong, ctypes.c_void_p]


def _decref_on_c_thread(addr: int) -> None:
    tid = ctypes.c_ulong()
    start = ctypes.cast(LIB.pepkit_decref, ctypes.c_void_p)  # void f(void*) as a start routine
    assert _libc.pthread_create(ctypes.byref(tid), None, start, addr) == 0
    assert _libc.pthread_join(tid.value, None) == 0  # ctypes drops the GIL while joining


def test_from_buffer_released_by_c_thread() -> None:
    b = bytearray(8)
    o = pepkit.from_buffer(b, writable=True)
    addr = o.address
    LIB.pepkit_incref(addr)  # C's own reference
    o.close()
    with pytest.raises(BufferError):
        b.append(1)
    _decref_on_c_thread(addr)  # C drops the last one on its own thread
    b.append(1)  # Python's export was released by that thread
    assert len(b) == 9


def test_from_buffer_released_by_python_threads() -> None:
    srcs = [bytearray(4) for _ in range(200)]
    objs = [pepkit.from_buffer(s, writable=True) for s in srcs]

    def drop(chunk: Any) -> None:
        for o in chunk:
            o.close()

    ts = [threading.Thread(target=drop, args=(objs[i::4],)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    gc.collect()
    for s in srcs:
        s.append(0)  # every export released


def test_views_of_views_gc_between() -> None:
    a = pepkit.ndarray("i", (4, 4))
    watch = pepkit.Object.from_address(a.address)
    v = a.view()
    s = v[1:3, ::2]
    t = s[1]
    m = a.export()
    mm: Any = memoryview(m)[2:]
    del v, s
    gc.collect()
    assert watch.exports == 2  # the C memoryview's and the Python one
    a.close()
    gc.collect()
    assert t.tolist() == [0, 0] and mm.tolist()[0] == [0, 0, 0, 0]
    del t
    gc.collect()
    assert watch.exports == 1
    del m, mm
    gc.collect()
    assert (watch.refcount, watch.exports) == (1, 0)


def test_object_handed_to_c_and_dropped_there() -> None:
    a = pepkit.ndarray("B", (3,))
    m = a.export(writable=True)
    addr = a.address
    LIB.pepkit_incref(addr)
    a.close()
    _decref_on_c_thread(addr)  # C held the last object reference
    m[0] = 7  # the export alone keeps the memory
    watch_ok = bytes(m) == b"\x07\0\0"
    m.release()
    assert watch_ok


@pytest.mark.parametrize("how", ["global", "c-holds", "cycle"])
def test_interpreter_exit_with_live_objects(how: str) -> None:
    """Objects still alive at exit: dropped during finalization (a module
    global, a reference cycle) or never dropped (C holds a reference). The
    process must exit cleanly either way."""
    import subprocess

    code = {
        "global": "b = bytearray(8); o = pepkit.from_buffer(b, writable=True); m = o.export()",
        "c-holds": "o = pepkit.from_buffer(bytearray(8)); LIB.pepkit_incref(o.address)",
        "cycle": "class C: pass\nc = C(); c.self = c; c.o = pepkit.from_buffer(bytearray(4)); c.m = c.o.export(); del c",
    }[how]
    prog = "import pepkit\nfrom pepkit._lib import LIB\n" + code + "\nprint('ok')\n"
    out = subprocess.run([sys.executable, "-c", prog], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert (out.returncode, out.stdout, out.stderr) == (0, b"ok\n", b"")


def test_copy_pickle_and_concurrent_close() -> None:
    import copy
    import pickle

    a = pepkit.ndarray("i", (2,))
    b = copy.copy(a)  # a new reference, not a second owner of the same one
    assert a.refcount == 2 and b.address == a.address
    b.close()
    assert a.refcount == 1
    for fn in (pickle.dumps, copy.deepcopy):
        with pytest.raises(TypeError):
            fn(a)
    objs = [pepkit.Object.from_address(a.address) for _ in range(50)]
    assert a.refcount == 51

    def close_all() -> None:
        for o in objs:
            o.close()

    ts = [threading.Thread(target=close_all) for _ in range(4)]  # every object closed 4 times at once
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert a.refcount == 1
