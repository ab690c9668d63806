"""numpy <-> pepkit: zero-copy both ways, exact lifetimes, no leak."""
from __future__ import annotations

import gc
import os
import sys
from typing import Any

import pytest

import pepkit



def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@pytest.mark.parametrize("order", ["C", "F"])
def test_asarray_zero_copy(np: Any, order: str) -> None:
    a = pepkit.ndarray("<i", (3, 4), order=order)
    arr = np.asarray(a)
    assert arr.shape == (3, 4) and arr.dtype == np.dtype("<i4") and arr.flags.writeable
    assert arr.flags["F_CONTIGUOUS" if order == "F" else "C_CONTIGUOUS"]
    assert a.exports == 1
    arr[2, 1] = 42
    assert a.view()[2, 1] == 42
    a.view()[0, 3] = -5
    assert arr[0, 3] == -5
    del arr
    gc.collect()
    assert (a.refcount, a.exports) == (1, 0)


def test_frombuffer(np: Any) -> None:
    a = pepkit.ndarray("d", (4,))
    f = np.frombuffer(a, dtype=np.float64)
    assert a.exports == 1 and f.flags.writeable
    f[1] = 2.5
    assert a.view().tolist() == [0.0, 2.5, 0.0, 0.0]
    del f
    gc.collect()
    assert a.exports == 0


def test_readonly_stays_readonly(np: Any) -> None:
    r = pepkit.ndarray("H", (2,), readonly=True)
    arr = np.asarray(r)
    assert not arr.flags.writeable
    with pytest.raises(ValueError):
        arr[0] = 1


def test_numpy_into_pepkit(np: Any) -> None:
    base = np.arange(24, dtype=np.int16).reshape(4, 6)
    strided = base[::-1, 1::2]  # negative and non-unit strides
    refs = sys.getrefcount(strided)
    o = pepkit.from_buffer(strided, writable=True)
    assert sys.getrefcount(strided) == refs + 1  # the Py_buffer pepkit holds
    v = o.view()
    assert v.shape == strided.shape and v.strides == strided.strides and v.format == "h"
    assert v.tolist() == strided.tolist()
    v[0, 0] = 999
    assert strided[0, 0] == 999 and base[3, 1] == 999
    back = np.asarray(o)  # numpy -> pepkit -> numpy, still the same memory
    back[1, 2] = -1
    assert strided[1, 2] == -1
    del v, back
    o.close()
    gc.collect()
    assert sys.getrefcount(strided) == refs  # the Py_buffer was released


@pytest.mark.parametrize("first", ["pepkit", "numpy", "view"])
def test_deletion_orders(np: Any, first: str) -> None:
    a = pepkit.ndarray("f", (6,))
    watch = pepkit.Object.from_address(a.address)
    arr = np.asarray(a)
    sub = arr[1::2]
    v = a.view()[::3]
    if first == "pepkit":
        a.close()
        gc.collect()
        sub[1] = 3.0  # item 3, seen by the pepkit view of items 0 and 3
        assert v.tolist() == [0.0, 3.0]
        del arr, sub, v
    elif first == "numpy":
        del arr
        gc.collect()
        assert watch.exports == 2
        del sub
        gc.collect()
        assert watch.exports == 1
        del v
        a.close()
    else:
        del v
        gc.collect()
        assert watch.exports == 1
        a.close()
        del arr
        gc.collect()
        assert sub.tolist() == [0.0, 0.0, 0.0]
        del sub
    gc.collect()
    assert (watch.refcount, watch.exports) == (1, 0)


def test_no_leak_over_100000_round_trips(np: Any) -> None:
    """asarray, memoryview and from_buffer round trips; RSS must stay flat."""
    a = pepkit.ndarray("i", (8, 8))
    src = np.zeros(16, dtype=np.uint8)

    def trip() -> None:
        arr = np.asarray(a)
        m = a.export()
        o = pepkit.from_buffer(src)
        del arr, m
        o.close()

    for _ in range(10000):
        trip()
    gc.collect()
    before = rss_kib()
    for _ in range(100000):
        trip()
    gc.collect()
    grown = rss_kib() - before
    assert (a.refcount, a.exports) == (1, 0)
    src.resize((0,), refcheck=False)  # every Python export of src was released
    assert grown < 1024, "RSS grew by %d KiB over 100,000 round trips" % grown
