"""Oracle (a): the getbuffer request matrix.

For random structures (ndim 0-5, zero- and one-length dimensions, negative and
zero strides, offsets, every native struct format and a few compound ones,
PIL-style suboffsets through _testbuffer's ND_PIL), CPython's own exporter
(_testbuffer.ndarray) and a pepkit wrap over THE SAME memory answer every
request constant, with and without WRITABLE and FORMAT: the same success or
error class, and on success every field equal (buf the same address).
Then pepkit_ndarray_new against _testbuffer.ndarray of the same shape, format
and order (every field but buf), and pepkit bytes / bytearray against Python's
(PyBuffer_FillInfo rules; every field but buf). Each wrap's release callback
must run exactly once, after the last decref, and export counts return to 0.

Usage: test_getbuffer.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import ctypes
import sys
from ctypes import byref

from pepkit_ctypes import (ACCESS_FLAGS_REFUSED, READ, REQUESTS, WRITE, Report,
                           api, cpython_getbuffer, describe, flags_name,
                           load_pepkit, pepkit_getbuffer, require_testbuffer)
from structures import Built, Releases, Structure, ndarray_pair, random_bytes, status_ok, wrap


def request_flags():
    flags = [f for f, _ in REQUESTS]
    if ACCESS_FLAGS_REFUSED:
        flags += [READ, WRITE]
    return flags


def expected_outcome(cpython_outcome, flags):
    """CPython's outcome in pepkit's terms. The one mapped difference: 3.13
    refuses PyBUF_READ/WRITE with SystemError, pepkit with PEPKIT_ERR_VALUE
    (pepkit has no SystemError)."""
    if flags in (READ, WRITE) and cpython_outcome == "SystemError":
        return "ValueError"
    return cpython_outcome


def compare_matrix(report, lib, case, cpy_obj, pk_obj, skip=()):
    """Asks both exporters for every request; compares outcome and fields
    (except those in `skip`); releases both; checks pepkit's counts."""
    for flags in request_flags():
        label = "%s flags=%s" % (case, flags_name(flags))
        cview, cout = cpython_getbuffer(cpy_obj, flags)
        pview, pout = pepkit_getbuffer(lib, pk_obj, flags)
        try:
            if not report.equal(label + ": outcome", expected_outcome(cout, flags), pout):
                continue
            if pout != "ok":
                report.check(pview.obj is None, label + ": view.obj must be NULL after a failure",
                             None, pview.obj)
                continue
            c, p = describe(cview), describe(pview)
            for key in skip:
                c.pop(key)
                p.pop(key)
            report.equal(label + ": fields", c, p)
            report.check(pview.obj == pk_obj, label + ": view.obj is the exporter", pk_obj, pview.obj)
            report.equal(label + ": exports while exported", 1, lib.pepkit_exports(pk_obj))
        finally:
            if cout == "ok":
                api.PyBuffer_Release(byref(cview))
            if pout == "ok":
                lib.pepkit_releasebuffer(byref(pview))
    report.equal(case + ": exports after the matrix", 0, lib.pepkit_exports(pk_obj))


def wraps(report, lib, tb, releases):
    rng = report.rng
    for _ in range(report.cases(1000)):
        st = Structure.random(rng)
        case = repr(st)
        try:
            built = Built(tb, st, rng=rng).maybe_sliced(rng)
            case = repr(built)
            status, obj, ctx = wrap(lib, built, releases)
            if not report.equal(case + ": pepkit_wrap_new", "ok", "ok" if status == 0 else
                                "status %d: %s" % (status, lib.pepkit_last_error())):
                continue
            compare_matrix(report, lib, case, built.nd, obj)
            # An export outliving the caller's reference keeps the memory: the
            # release callback waits for the export, then runs exactly once.
            view, out = pepkit_getbuffer(lib, obj, 284)
            lib.pepkit_decref(obj)
            report.equal(case + ": release callback runs only after the last export", 0,
                         releases.counts[ctx])
            if out == "ok":
                lib.pepkit_releasebuffer(byref(view))
            report.equal(case + ": release callback ran exactly once", 1, releases.counts[ctx])
        except Exception:
            report.crashed(case)


def ndarrays(report, lib, tb):
    rng = report.rng
    for _ in range(report.cases(300)):
        st = Structure.random(rng, pil=False)
        fortran = rng.random() < 0.5
        readonly = rng.random() < 0.5
        case = "ndarray(format=%r, shape=%r, order=%s, readonly=%d)" % (
            st.fmt, st.shape, "F" if fortran else "C", readonly)
        try:
            status, obj, nd = ndarray_pair(lib, tb, st.fmt, st.shape, fortran, readonly)
            status_ok(lib, status, "pepkit_ndarray_new")
            compare_matrix(report, lib, case, nd, obj, skip=("buf",))
            lib.pepkit_decref(obj)
        except Exception:
            report.crashed(case)


def byte_objects(report, lib):
    rng = report.rng
    for _ in range(report.cases(150)):
        data = random_bytes(rng, rng.choice([0, 1, 2, 7, 64]))
        for kind, pytype in (("bytes", bytes), ("bytearray", bytearray)):
            case = "%s of %d bytes" % (kind, len(data))
            try:
                out = ctypes.c_void_p()
                make = lib.pepkit_bytes_new if kind == "bytes" else lib.pepkit_bytearray_new
                status_ok(lib, make(data, len(data), byref(out)), "pepkit_%s_new" % kind)
                compare_matrix(report, lib, case, pytype(data), out.value, skip=("buf",))
                lib.pepkit_decref(out.value)
            except Exception:
                report.crashed(case)


def main():
    tb = require_testbuffer()
    report = Report("oracle getbuffer")
    lib = load_pepkit()
    releases = Releases()
    mark = report.mark()
    wraps(report, lib, tb, releases)
    report.part("(a) wrap vs _testbuffer.ndarray, same memory", mark)
    mark = report.mark()
    ndarrays(report, lib, tb)
    report.part("(a) pepkit_ndarray_new vs _testbuffer.ndarray", mark)
    mark = report.mark()
    byte_objects(report, lib)
    report.part("(a) pepkit bytes/bytearray vs bytes/bytearray", mark)
    report.finish()


if __name__ == "__main__":
    main()
