"""Oracle (c): pepkit exports handed to CPython's PyMemoryView_FromBuffer read
back exactly as CPython's own memoryview of the same structure.

Exporters: a pepkit wrap over a _testbuffer ndarray's memory (random
structures with suboffsets), a pepkit ndarray filled with random bytes through
pepkit_buffer_from_contiguous, and pepkit bytes / bytearray. For each, a
memoryview made by PyMemoryView_FromBuffer over the pepkit export is compared
with one over CPython's export for the same request and, for PyBUF_FULL_RO,
with memoryview(obj): tolist(), tobytes() (and tobytes('C'/'F'/'A') where the
interpreter has the order argument, 3.8+), hex(), shape, strides,
suboffsets, format, itemsize, ndim, nbytes, readonly and the contiguity flags.
Errors (NotImplementedError for formats memoryview cannot unpack, ...) are
compared by class. The pepkit export stays alive until the memoryview made
over it has been released, then is released itself.

Usage: test_memoryview.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import ctypes
import sys
from ctypes import byref

from pepkit_ctypes import (FULL, FULL_RO, ND, RECORDS_RO, STRIDED_RO, Report, api,
                           cpython_getbuffer, flags_name, load_pepkit, pepkit_getbuffer,
                           require_testbuffer)
from structures import Built, Releases, Structure, ndarray_pair, random_bytes, status_ok, wrap

TOBYTES_ORDER = sys.version_info >= (3, 8)

# Requests whose exports PyMemoryView_FromBuffer takes: with and without
# strides, format and shape.
MV_REQUESTS = [FULL_RO, RECORDS_RO, STRIDED_RO, ND, 0]


def attempt(fn):
    try:
        return fn()
    except Exception as e:
        return "raises %s" % type(e).__name__


def readback(mv):
    """Everything a consumer can read from a memoryview."""
    out = {}
    for name in ("format", "itemsize", "ndim", "shape", "strides", "suboffsets", "readonly",
                 "nbytes", "c_contiguous", "f_contiguous", "contiguous"):
        out[name] = attempt(lambda: getattr(mv, name))
    out["tolist"] = attempt(lambda: repr(mv.tolist()))
    out["tobytes"] = attempt(mv.tobytes)
    out["hex"] = attempt(mv.hex)
    if TOBYTES_ORDER:
        for order in ("C", "F", "A"):
            out["tobytes(%s)" % order] = attempt(lambda: mv.tobytes(order))
    return out


def view_readback(view):
    """PyMemoryView_FromBuffer over `view`, read back, then released."""
    mv = api.PyMemoryView_FromBuffer(byref(view))
    try:
        return readback(mv)
    finally:
        mv.release()


def compare_exports(report, lib, case, cpy_obj, pk_obj, requests=MV_REQUESTS):
    for flags in requests:
        label = "%s flags=%s" % (case, flags_name(flags))
        cview, cout = cpython_getbuffer(cpy_obj, flags)
        pview, pout = pepkit_getbuffer(lib, pk_obj, flags)
        try:
            if not report.equal(label + ": getbuffer", cout, pout) or cout != "ok":
                continue
            pk = view_readback(pview)
            report.equal(label + ": memoryview over the export", view_readback(cview), pk)
            if flags == FULL_RO:
                mv = memoryview(cpy_obj)
                try:
                    report.equal(label + ": vs memoryview(obj)", readback(mv), pk)
                finally:
                    mv.release()
        finally:
            if cout == "ok":
                api.PyBuffer_Release(byref(cview))
            if pout == "ok":
                lib.pepkit_releasebuffer(byref(pview))
    report.equal(case + ": exports after", 0, lib.pepkit_exports(pk_obj))


def wraps(report, lib, tb, releases):
    rng = report.rng
    for _ in range(report.cases(800)):
        st = Structure.random(rng)
        case = repr(st)
        try:
            built = Built(tb, st, rng=rng).maybe_sliced(rng)
            case = repr(built)
            status, obj, ctx = wrap(lib, built, releases)
            status_ok(lib, status, "pepkit_wrap_new")
            compare_exports(report, lib, case, built.nd, obj)
            lib.pepkit_decref(obj)
            report.equal(case + ": release callback ran once", 1, releases.counts[ctx])
        except Exception:
            report.crashed(case)


def ndarrays(report, lib, tb):
    rng = report.rng
    for _ in range(report.cases(600)):
        st = Structure.random(rng, pil=False)
        fortran = rng.random() < 0.5
        readonly = rng.random() < 0.5
        order = rng.choice([b"C", b"F", b"A"])
        case = "ndarray(format=%r, shape=%r, order=%s, readonly=%d) from_contiguous(%s)" % (
            st.fmt, st.shape, "F" if fortran else "C", readonly, order.decode())
        try:
            status, obj, nd = ndarray_pair(lib, tb, st.fmt, st.shape, fortran, readonly)
            status_ok(lib, status, "pepkit_ndarray_new")
            cview, _ = cpython_getbuffer(nd, FULL_RO)
            pview, _ = pepkit_getbuffer(lib, obj, FULL_RO)
            try:
                data = random_bytes(rng, cview.len)
                # The same logical contents on both sides: CPython's
                # PyBuffer_FromContiguous into _testbuffer's memory, pepkit's
                # into its own (for a read-only pepkit array, whose exports
                # pepkit_buffer_from_contiguous refuses, CPython's function
                # writes through the pepkit export: the struct is the same).
                api.PyBuffer_FromContiguous(byref(cview), data, len(data), order)
                if readonly:
                    api.PyBuffer_FromContiguous(byref(pview), data, len(data), order)
                else:
                    status_ok(lib, lib.pepkit_buffer_from_contiguous(byref(pview), data, len(data), order),
                              "pepkit_buffer_from_contiguous")
            finally:
                api.PyBuffer_Release(byref(cview))
                lib.pepkit_releasebuffer(byref(pview))
            compare_exports(report, lib, case, nd, obj)
            lib.pepkit_decref(obj)
        except Exception:
            report.crashed(case)


def byte_objects(report, lib):
    rng = report.rng
    for _ in range(report.cases(100)):
        data = random_bytes(rng, rng.choice([0, 1, 3, 16, 100]))
        for kind, pytype in (("bytes", bytes), ("bytearray", bytearray)):
            case = "%s of %d bytes" % (kind, len(data))
            try:
                out = ctypes.c_void_p()
                make = lib.pepkit_bytes_new if kind == "bytes" else lib.pepkit_bytearray_new
                status_ok(lib, make(data, len(data), byref(out)), "pepkit_%s_new" % kind)
                compare_exports(report, lib, case, pytype(data), out.value, requests=MV_REQUESTS + [FULL])
                lib.pepkit_decref(out.value)
            except Exception:
                report.crashed(case)


def main():
    tb = require_testbuffer()
    report = Report("oracle memoryview")
    lib = load_pepkit()
    releases = Releases()
    for label, run in (("(c) wrap exports as memoryviews", lambda: wraps(report, lib, tb, releases)),
                       ("(c) ndarray exports as memoryviews", lambda: ndarrays(report, lib, tb)),
                       ("(c) bytes/bytearray exports as memoryviews", lambda: byte_objects(report, lib))):
        mark = report.mark()
        run()
        report.part(label, mark)
    report.finish()


if __name__ == "__main__":
    main()
