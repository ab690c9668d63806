"""pepkit.MemoryView against the oracles: numpy's basic slicing for N-d
chains, Python's memoryview for everything memoryview supports (values and
exceptions). Random chains; the seed is in pytest's header (PEPKIT_SEED)."""
from __future__ import annotations

import random
import struct
from typing import Any, Callable, List, Optional, Tuple

import pytest

import pepkit

FORMATS = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d", "?", "c"]


def pymv(x: Any) -> Any:
    """Python's memoryview, typed loosely (typeshed narrows cast() to literals)."""
    return memoryview(x)


def outcome(fn: Callable[[], Any]) -> Tuple[str, Any]:
    try:
        return ("ok", fn())
    except Exception as e:  # the oracle's exception class and message
        return (type(e).__name__, str(e))


def norm(x: Any) -> Any:
    """Values comparable across views: views become (shape, list)."""
    if isinstance(x, (memoryview, pepkit.MemoryView)):
        return ("view", x.format, x.shape, x.strides, x.readonly, x.tolist())
    if isinstance(x, float) and x != x:
        return "nan"
    return x


def rand_slice(rng: random.Random, n: int) -> slice:
    def b() -> Optional[int]:
        if rng.random() < 0.05:
            return rng.choice([2 ** 63, -2 ** 64, 2 ** 70])  # clamped, as Python's slices are
        return None if rng.random() < 0.3 else rng.randint(-n - 2, n + 2)
    step = None if rng.random() < 0.4 else rng.choice([-3, -2, -1, 1, 2, 3])
    return slice(b(), b(), step)


def test_1d_against_memoryview(rng: random.Random) -> None:
    cases = 0
    for _ in range(300):
        fmt = rng.choice(FORMATS)
        size = struct.calcsize(fmt)
        n = rng.randint(0, 9)
        raw = bytes(rng.randrange(256) for _ in range(n * size))
        if fmt == "?":
            raw = bytes(b & 1 for b in raw)
        ours_src, theirs_src = bytearray(raw), bytearray(raw)
        ours: Any = pepkit.MemoryView(ours_src).cast(fmt)
        theirs: Any = pymv(theirs_src).cast(fmt)
        for _ in range(8):
            op = rng.randrange(8)
            if op == 0:
                k = rng.randint(-n - 2, n + 2) if rng.random() < 0.9 else rng.choice([2 ** 63, -2 ** 63 - 1, 2 ** 64 + 1])
                got, want = outcome(lambda: norm(ours[k])), outcome(lambda: norm(theirs[k]))
            elif op == 1:
                s = rand_slice(rng, n)
                got, want = outcome(lambda: norm(ours[s])), outcome(lambda: norm(theirs[s]))
                if want[0] == "ok" and got[0] == "ok" and rng.random() < 0.5:
                    ours, theirs = ours[s], theirs[s]
                    n = len(theirs)
            elif op == 2:
                k = rng.randint(-n - 1, n + 1)
                v: Any = rng.choice([0, 1, -1, 255, 256, 2 ** 31, -2 ** 63, 2 ** 64, 1.5, b"x", b"xy", True, None, "s"])
                got, want = outcome(lambda: ours.__setitem__(k, v)), outcome(lambda: theirs.__setitem__(k, v))
            elif op == 3:
                got = outcome(lambda: (ours.tolist(), ours.tobytes(), ours.hex(), len(ours), ours.nbytes))
                want = outcome(lambda: (theirs.tolist(), theirs.tobytes(), theirs.hex(), len(theirs), theirs.nbytes))
            elif op == 4:
                to = rng.choice(["B", "b", "c", "i", "d", "h"])
                got, want = outcome(lambda: norm(ours.cast(to))), outcome(lambda: norm(theirs.cast(to)))
            elif op == 5:
                got = outcome(lambda: (ours.c_contiguous, ours.f_contiguous, ours.contiguous, ours.shape, ours.strides, ours.itemsize))
                want = outcome(lambda: (theirs.c_contiguous, theirs.f_contiguous, theirs.contiguous, theirs.shape, theirs.strides, theirs.itemsize))
            elif op == 6:
                got, want = outcome(lambda: ours == theirs), outcome(lambda: theirs == theirs)
                other = bytes(raw[: len(theirs) * size])
                got2, want2 = outcome(lambda: ours == other), outcome(lambda: theirs == other)
                assert got2 == want2, (fmt, other)
            else:
                s = rand_slice(rng, n)
                src = theirs[s].tobytes() if rng.random() < 0.7 else b"zz"
                got = outcome(lambda: ours.__setitem__(s, pymv(src).cast("B").cast(fmt) if len(src) % size == 0 else src))
                want = outcome(lambda: theirs.__setitem__(s, pymv(src).cast("B").cast(fmt) if len(src) % size == 0 else src))
            assert got[0] == want[0], (fmt, op, got, want)
            if got[0] == "ok":
                assert repr(norm(got[1])) == repr(norm(want[1])), (fmt, op, got, want)
            cases += 1
            assert ours_src == theirs_src
    print("1-d cases:", cases)


def test_readonly_and_release_errors() -> None:
    ours: Any = pepkit.MemoryView(b"abc")
    theirs: Any = memoryview(b"abc")
    # hash(m) is hash(m.tobytes()) under PYTHONHASHSEED=0 only: compared for errors below.
    assert isinstance(hash(ours), int)
    w = pepkit.MemoryView(bytearray(b"x"))
    assert outcome(lambda: hash(w)) == outcome(lambda: hash(memoryview(bytearray(b"x"))))
    ops: List[Callable[[Any], Any]] = [
        lambda m: m.__setitem__(0, 1), lambda m: m.toreadonly().tolist(), lambda m: m[5], lambda m: m[::0],
        lambda m: m.cast("i"), lambda m: m[0, 0]]
    for fn in ops:
        got, want = outcome(lambda: fn(ours)), outcome(lambda: fn(theirs))
        assert got == want
    ours.release()
    theirs.release()
    released: List[Callable[[Any], Any]] = [lambda m: m.tolist(), lambda m: m[0], lambda m: len(m), lambda m: m.format]
    for fn in released:
        got, want = outcome(lambda: fn(ours)), outcome(lambda: fn(theirs))
        assert got == want


def test_tolist_every_struct_format() -> None:
    for fmt in ["<h", ">I", "!q", "=d", "e", "<e", "3s", "2i", "<hH", "?", "c", "x4sxh"]:
        size = struct.calcsize(fmt)
        raw = bytes(range(7, 7 + 3 * size))
        o = pepkit.ndarray(fmt, (3,))
        v = o.view()
        v.cast("B")[:] = raw
        want = [struct.unpack_from(fmt, raw, i * size) for i in range(3)]
        want = [w[0] if len(w) == 1 else w for w in want]
        got = v.tolist()
        assert repr(got) == repr(want), fmt


def test_nd_against_numpy(np: Any, rng: random.Random) -> None:
    cases = 0
    for _ in range(300):
        fmt = rng.choice(["b", "h", "i", "q", "f", "d"])
        nd = rng.randint(1, 4)
        shape = tuple(rng.randint(0, 5) for _ in range(nd))
        base = np.arange(int(np.prod(shape)), dtype=fmt).reshape(shape)
        if rng.random() < 0.5:
            base = np.asfortranarray(base)
        ref = base.copy(order="K")
        view: Any = pepkit.MemoryView(base)
        arr = ref
        for _ in range(4):
            if arr.ndim == 0:
                break
            if rng.random() < 0.25:
                k = rng.randint(-arr.shape[0] - 1, arr.shape[0])
                got, want = outcome(lambda: view[k]), outcome(lambda: arr[k])
                if want[0] != "ok":
                    assert got[0] == "IndexError", (shape, k, got)
                    continue
                if arr.ndim == 1:
                    assert got[1] == want[1]
                    continue
                view, arr = got[1], want[1]
            else:
                key: Any = tuple(rand_slice(rng, arr.shape[d]) for d in range(rng.randint(1, arr.ndim)))
                if rng.random() < 0.3:
                    at = rng.randrange(len(key))  # an integer anywhere, numpy's basic indexing
                    key = key[:at] + (rng.randint(-arr.shape[at] - 1, arr.shape[at]),) + key[at + 1:]
                if rng.random() < 0.2:
                    at = rng.randint(0, len(key))
                    key = key[:at] + (Ellipsis,) + key[at:]  # numpy: the unnamed dimensions
                got, want = outcome(lambda: view[key]), outcome(lambda: arr[key])
                assert got[0] == want[0], (shape, key, got, want)
                if got[0] != "ok":
                    continue
                if arr.ndim and not isinstance(want[1], np.ndarray):
                    continue
                if not isinstance(want[1], np.ndarray):  # every index an integer: an item
                    assert got[1] == want[1]
                    continue
                view, arr = got[1], want[1]
            assert view.shape == arr.shape, (shape, view.shape, arr.shape)
            assert arr.size == 0 or view.strides == arr.strides, (shape, view.strides, arr.strides)
            assert view.tolist() == arr.tolist()
            assert view.tobytes() == arr.tobytes(order="C")
            cases += 1
        if arr.ndim and not view.readonly and arr.size:
            new = np.asarray(np.arange(arr.size, dtype=fmt) * -1).reshape(arr.shape)
            key = tuple(slice(None) for _ in range(arr.ndim))
            view[key] = new
            arr[key] = new
            assert base.tolist() == ref.tolist()
            cases += 1
    print("n-d cases:", cases)


def test_nd_assignment_and_subviews(np: Any) -> None:
    a = pepkit.ndarray("i", (4, 5))
    arr = np.asarray(a)
    v = a.view()
    v[1:3, ::2] = np.full((2, 3), 7, dtype=np.int32)
    assert arr[1:3, ::2].tolist() == [[7, 7, 7]] * 2 and int(arr.sum()) == 42
    v[3] = np.arange(5, dtype=np.int32)
    assert arr[3].tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        v[0:2, 0:2] = np.zeros((3, 3), dtype=np.int32)
    assert v[2, ::2].tolist() == arr[2, ::2].tolist()
    assert v[-1][-2] == 3
    with pytest.raises(IndexError):
        v[4]
    rows: List[Any] = [r.tolist() for r in v]
    assert rows == arr.tolist()
