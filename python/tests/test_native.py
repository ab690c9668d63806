"""The C type behind pepkit.Object (pepkit._native, ffi/src/python.rs): the
write-once reference, finalisation, close, and __dlpack__'s C fast path
against its Python fallback."""
from __future__ import annotations

import ctypes
import gc
import threading
from typing import Any

import pytest

import pepkit
from pepkit._lib import LIB

_name = ctypes.pythonapi.PyCapsule_GetName
_name.argtypes = [ctypes.py_object]
_name.restype = ctypes.c_char_p


def test_reference_is_set_once() -> None:
    o = pepkit.ndarray("d", (2,))
    with pytest.raises(TypeError, match="set once"):
        o._ptr = o._ptr
    with pytest.raises(TypeError, match="set once"):
        del o._ptr
    assert o.refcount == 1


def test_finaliser_drops_the_reference() -> None:
    watch = pepkit.ndarray("i", (3,))
    other = pepkit.Object.from_address(watch.address)  # a second Python reference
    assert watch.refcount == 2
    del other  # no close(): the C finaliser drops it
    gc.collect()
    assert (watch.refcount, watch.exports) == (1, 0)


def test_close_is_idempotent_and_exports_survive() -> None:
    o = pepkit.ndarray("B", (4,))
    keep = pepkit.Object.from_address(o.address)
    m = memoryview(o)
    o.close()
    o.close()
    assert o.closed and o._ptr == 0
    m[0] = 9
    assert keep.view()[0] == 9 and keep.exports == 1
    m.release()
    assert (keep.refcount, keep.exports) == (1, 0)


def test_concurrent_close_drops_once() -> None:
    watch = pepkit.ndarray("d", (1,))
    objs = [pepkit.Object.from_address(watch.address) for _ in range(64)]
    assert watch.refcount == 65
    def close_all() -> None:
        for o in objs:
            o.close()

    threads = [threading.Thread(target=close_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert watch.refcount == 1


def test_dlpack_fast_path_and_fallback_agree() -> None:
    o = pepkit.ndarray("f", (2, 3))
    # Fast path (keywords the C method settles) and the fallback (positional
    # list, a device given) give the same capsule kinds.
    assert _name(o.__dlpack__()) == b"dltensor"
    assert _name(o.__dlpack__(max_version=(1, 0))) == b"dltensor_versioned"
    assert _name(o.__dlpack__(max_version=(0, 8), copy=False, stream=None)) == b"dltensor"
    assert _name(o.__dlpack__(max_version=[1, 2])) == b"dltensor_versioned"  # type: ignore[arg-type]  # fallback: a list
    assert _name(o.__dlpack__(dl_device=(1, 0), max_version=(1, 0))) == b"dltensor_versioned"
    gc.collect()
    assert (o.refcount, o.exports) == (1, 0)  # unconsumed capsules ran their deleters
    with pytest.raises(TypeError, match="__dlpack__"):
        o.__dlpack__(None)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        o.__dlpack__(colour=1)  # type: ignore[call-arg]
    with pytest.raises(BufferError, match="stream"):
        o.__dlpack__(stream=0)
    with pytest.raises(BufferError, match="CPU"):
        o.__dlpack__(dl_device=(2, 0))
    with pytest.raises(TypeError):
        o.__dlpack__(max_version=5)  # type: ignore[arg-type]
    assert (o.refcount, o.exports) == (1, 0)
    o.close()
    with pytest.raises(ValueError, match="closed"):
        o.__dlpack__()
    with pytest.raises(ValueError, match="closed"):
        o.__dlpack__(max_version=(1, 0), copy=True)


def test_dlpack_copy_is_a_copy(np: Any) -> None:
    o = pepkit.ndarray("d", (3,))

    class Producer:
        def __dlpack__(self, **kw: Any) -> Any:
            kw.pop("copy", None)
            return o.__dlpack__(copy=True, **kw)

        def __dlpack_device__(self) -> Any:
            return o.__dlpack_device__()

    c = pepkit.from_dlpack(Producer())  # numpy < 2.1 imports DLPack read-only
    c.view()[0] = 4.0
    assert o.view().tolist() == [0.0, 0.0, 0.0] and c.view().tolist() == [4.0, 0.0, 0.0]
    z = pepkit.from_dlpack(o)
    z.view()[1] = 2.0
    assert o.view().tolist() == [0.0, 2.0, 0.0]
    assert np.from_dlpack(Producer()).tolist() == [0.0, 2.0, 0.0]  # a consumer sees the copy


def test_refused_exports_raise_bufferError_and_leave_nothing() -> None:
    r = pepkit.ndarray("d", (2,), readonly=True)
    with pytest.raises(BufferError, match="read-only"):
        r.__dlpack__()  # a legacy tensor cannot say read-only
    assert _name(r.__dlpack__(max_version=(1, 0))) == b"dltensor_versioned"
    odd = pepkit.ndarray("3s", (2,))  # no DLPack dtype: BufferError, as the standard asks
    with pytest.raises(BufferError, match="no DLPack dtype"):
        odd.__dlpack__(max_version=(1, 0))
    with pytest.raises(BufferError, match="no DLPack dtype"):
        odd.__dlpack__(max_version=(1, 0), copy=True)
    gc.collect()
    assert (r.exports, odd.exports) == (0, 0)
    assert LIB.pepkit_refcount(odd.address) == 1


def test_exports_ending_while_an_error_is_pending() -> None:
    """A failed call drops its temporaries with its error set: a view or a
    DLPack capsule that ends a from_buffer export there runs the release
    callback, which must not see (or lose) that error."""
    import struct

    def closed_view() -> memoryview:
        o = pepkit.from_buffer(bytearray(b"abcd"))
        m = memoryview(o)
        o.close()  # the view's export alone holds pepkit's reference
        return m

    def closed_capsule() -> Any:
        o = pepkit.from_buffer(bytearray(b"abcd"))
        c = o.__dlpack__(max_version=(1, 0))
        o.close()
        return c

    for _ in range(3):
        with pytest.raises(struct.error, match="at least 100 bytes"):
            struct.unpack_from("100s", closed_view())
        with pytest.raises(TypeError, match="bytes-like"):
            struct.unpack_from("100s", closed_capsule())
