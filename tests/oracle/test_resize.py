"""Oracle: pepkit_bytearray_resize against CPython's PyByteArray_Resize.

Random bytearrays (length 0..8) with 0, 1 or 2 live exports (memoryviews on
the CPython side; memoryviews and plain getbuffer exports on pepkit's) are
resized to their own length, one more or less, zero or a random length. The
outcome ("ok" or the exception class) and the contents afterwards must match
CPython's: a same-length resize is a no-op that succeeds even while exported
(issue 8); any other resize of an exported bytearray is a BufferError that
changes nothing. `b += b''` (bytearray_iconcat, which resizes to the same
length) is checked the same way.

Usage: test_resize.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import ctypes
from ctypes import byref, c_int, c_size_t, c_ssize_t, c_void_p, py_object, string_at

from pepkit_ctypes import Buffer, Report, load_pepkit, outcome_of_status

PyByteArray_Resize = ctypes.pythonapi.PyByteArray_Resize
PyByteArray_Resize.argtypes = [py_object, c_ssize_t]
PyByteArray_Resize.restype = c_int


def cpython_resize(data, nexports, target, via_iconcat):
    b = bytearray(data)
    views = [memoryview(b) for _ in range(nexports)]
    try:
        if via_iconcat:
            b += b""
        else:
            PyByteArray_Resize(b, target)  # ctypes raises the exception it sets
        outcome = "ok"
    except Exception as e:
        outcome = type(e).__name__
    for v in views:
        v.release()
    # New bytes of a grown bytearray are not initialised by PyByteArray_Resize:
    # compare only the bytes that were there.
    return outcome, len(b), bytes(b[:min(len(b), len(data))])


def pepkit_resize(lib, data, nexports, target, kinds):
    obj = c_void_p()
    assert lib.pepkit_bytearray_new(data, len(data), byref(obj)) == 0
    held = []
    for kind in kinds[:nexports]:
        if kind == "memoryview":
            mv = c_void_p()
            assert lib.pepkit_memoryview_new(obj, byref(mv)) == 0
            held.append(("mv", mv))
        else:
            view = Buffer()
            assert lib.pepkit_getbuffer(obj, byref(view), 0) == 0
            held.append(("buf", view))
    outcome = outcome_of_status(lib.pepkit_bytearray_resize(obj, target))
    for kind, h in held:
        if kind == "mv":
            lib.pepkit_decref(h)
        else:
            lib.pepkit_releasebuffer(byref(h))
    view = Buffer()
    assert lib.pepkit_getbuffer(obj, byref(view), 0) == 0
    length = view.len
    content = string_at(view.buf, min(length, len(data))) if length else b""
    lib.pepkit_releasebuffer(byref(view))
    lib.pepkit_decref(obj)
    return outcome, length, content


def main():
    report = Report("oracle resize")
    lib = load_pepkit()
    lib.pepkit_bytearray_resize.argtypes = [c_void_p, c_size_t]
    lib.pepkit_bytearray_resize.restype = ctypes.c_int32
    rng = report.rng
    mark = report.mark()
    for _ in range(report.cases(3000)):
        n = rng.randint(0, 8)
        data = bytes(rng.randrange(256) for _ in range(n))
        nexports = rng.choice([0, 1, 1, 2])
        target = rng.choice([n, n, n + 1, max(0, n - 1), 0, rng.randint(0, 16)])
        via_iconcat = rng.random() < 0.15
        if via_iconcat:
            target = n
        kinds = [rng.choice(["memoryview", "getbuffer"]) for _ in range(2)]
        case = "bytearray(%r) with %d exports (%s), resize to %d%s" % (
            data, nexports, ",".join(kinds[:nexports]), target, " (b += b'')" if via_iconcat else "")
        try:
            report.equal(case, cpython_resize(data, nexports, target, via_iconcat),
                         pepkit_resize(lib, data, nexports, target, kinds))
        except Exception:
            report.crashed(case)
    report.part("bytearray resize, exported or not", mark)
    report.finish()


if __name__ == "__main__":
    main()
