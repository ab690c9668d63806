"""Oracle (b): pepkit's buffer helpers on Py_buffers filled by CPython equal
the PyBuffer_* functions of the same interpreter.

A Py_buffer has exactly pepkit_buffer's layout, so the struct CPython's
PyObject_GetBuffer filled goes straight to both sides:
  pepkit_buffer_is_contiguous      vs PyBuffer_IsContiguous ('C', 'F', 'A')
  pepkit_buffer_get_pointer        vs PyBuffer_GetPointer (every index)
  pepkit_buffer_to_contiguous      vs PyBuffer_ToContiguous (each order; bytes)
  pepkit_buffer_from_contiguous    vs PyBuffer_FromContiguous (two identical
                                      ndarrays; all their memory compared)
  pepkit_buffer_fill_contiguous_strides vs PyBuffer_FillContiguousStrides
  pepkit_buffer_fill_info          vs PyBuffer_FillInfo (every flag value
                                      0..0x3ff, readonly 0, 1 and 2)

Intentional differences, checked on pepkit's side only (never papered over):
  * A bad order character: pepkit returns -1 / PEPKIT_ERR_VALUE; CPython's
    IsContiguous returns 0, FillContiguousStrides and FromContiguous treat it
    as 'C', and ToContiguous asserts (a release build copies in 'F' order).
  * from_contiguous into a read-only view: pepkit refuses it with
    PEPKIT_ERR_TYPE and writes nothing; CPython writes.
  * get_pointer is bounds-checked (PEPKIT_ERR_INDEX) and takes an explicit
    index count (PEPKIT_ERR_TYPE if it is not ndim), and works on views
    without strides; CPython reads out of bounds or crashes, so those are
    not compared.
  * fill_contiguous_strides with strides that overflow Py_ssize_t: pepkit
    fails with PEPKIT_ERR_OVERFLOW; CPython overflows (undefined behaviour),
    so random shapes stay clear of it.
  * flags == PyBUF_READ / PyBUF_WRITE in fill_info: pepkit refuses them with
    PEPKIT_ERR_VALUE as CPython 3.13 does (SystemError there); older
    CPythons accept them, so the comparison is skipped on them.

Usage: test_helpers.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import ctypes
import itertools
import sys
from ctypes import byref, c_ssize_t, c_void_p

from pepkit_ctypes import (ACCESS_FLAGS_REFUSED, ERR_INDEX, ERR_TYPE, ERR_VALUE, FULL, FULL_RO,
                           INDIRECT, ND, READ, REQUESTS, WRITE, Buffer, Report, api,
                           cpython_getbuffer, describe, flags_name, last_error, load_pepkit,
                           outcome_of_status, raw, require_testbuffer, ssize_array)
from structures import Built, Structure, random_bytes, random_key

ORDERS = [b"C", b"F", b"A"]
BAD_ORDERS = [b"X", b"c", b"\0", b"f", b"Z"]

# Requests that give CPython-filled views of every shape: full (with
# suboffsets), strided, shape without strides, and the bare 1-D SIMPLE form.
VIEW_REQUESTS = [FULL_RO, 0x18 | 0x4, 0x18, ND | 0x4, ND, 0]


def cpython_call(fn, *args):
    """Calls a pythonapi function: ("ok", result) or (exception name, None)."""
    try:
        return "ok", fn(*args)
    except Exception as e:
        return type(e).__name__, None


def product(values):
    total = 1
    for n in values:
        total *= n
    return total


def all_indices(shape, rng, cap=64):
    """Every index tuple of `shape`, or a random `cap` of them when more."""
    if product(shape) <= cap:
        return list(itertools.product(*[range(n) for n in shape]))
    return [tuple(rng.randrange(n) for n in shape) for _ in range(cap)]


def views_of(tb, built):
    """CPython-filled views of `built.nd` for each request it grants."""
    for flags in VIEW_REQUESTS:
        view, out = cpython_getbuffer(built.nd, flags)
        if out == "ok":
            yield flags, view


def is_contiguous(report, lib, case, view):
    for order in ORDERS:
        c = api.PyBuffer_IsContiguous(byref(view), order)
        p = lib.pepkit_buffer_is_contiguous(byref(view), order)
        report.equal("%s is_contiguous(%s)" % (case, order.decode()), c, p)
    for order in BAD_ORDERS:
        # Intentional: CPython returns 0 (or asserts); pepkit reports the order.
        p = lib.pepkit_buffer_is_contiguous(byref(view), order)
        report.check(p == -1 and "order" in last_error(lib),
                     "%s is_contiguous(%r) (pepkit only: -1 for a bad order)" % (case, order),
                     "0 (intentional difference)", (p, last_error(lib)))


def get_pointer(report, lib, case, view, rng):
    d = describe(view)
    shape = d["shape"] if d["shape"] is not None else (d["len"] // d["itemsize"],)
    out = c_void_p()
    if d["strides"] is not None:  # CPython dereferences strides unchecked
        for idx in all_indices(shape if d["ndim"] else (), rng):
            arr = ssize_array(list(idx))
            c = api.PyBuffer_GetPointer(byref(view), arr)
            st = lib.pepkit_buffer_get_pointer(byref(view), arr, len(idx), byref(out))
            report.equal("%s get_pointer%r" % (case, idx), ("ok", c), (outcome_of_status(st), out.value))
    # Intentional: pepkit checks bounds and the index count.
    if d["ndim"] >= 1 and 0 not in shape:
        bad = [0] * d["ndim"]
        dim = rng.randrange(d["ndim"])
        bad[dim] = rng.choice([-1, shape[dim], shape[dim] + 5])
        st = lib.pepkit_buffer_get_pointer(byref(view), ssize_array(bad), len(bad), byref(out))
        report.equal("%s get_pointer%r (pepkit only: bounds-checked)" % (case, tuple(bad)),
                     "IndexError", outcome_of_status(st))
    st = lib.pepkit_buffer_get_pointer(byref(view), ssize_array([0] * 65), d["ndim"] + 1, byref(out))
    report.equal("%s get_pointer with ndim+1 indices (pepkit only)" % case, "TypeError", outcome_of_status(st))


def to_contiguous(report, lib, case, view):
    n = view.len
    for order in ORDERS:
        cbuf = ctypes.create_string_buffer(b"\xa5" * (n + 1), n + 1)
        pbuf = ctypes.create_string_buffer(b"\xa5" * (n + 1), n + 1)
        cout, _ = cpython_call(api.PyBuffer_ToContiguous, cbuf, byref(view), n, order)
        pout = outcome_of_status(lib.pepkit_buffer_to_contiguous(pbuf, byref(view), n, order))
        report.equal("%s to_contiguous(%s)" % (case, order.decode()), (cout, cbuf.raw), (pout, pbuf.raw))
    # len != view->len: ValueError on both sides.
    cbuf = ctypes.create_string_buffer(n + 1)
    pbuf = ctypes.create_string_buffer(n + 1)
    cout, _ = cpython_call(api.PyBuffer_ToContiguous, cbuf, byref(view), n + 1, b"C")
    pout = outcome_of_status(lib.pepkit_buffer_to_contiguous(pbuf, byref(view), n + 1, b"C"))
    report.equal("%s to_contiguous(len=view.len+1)" % case, (cout, cbuf.raw), (pout, pbuf.raw))
    for order in BAD_ORDERS[:2]:
        st = lib.pepkit_buffer_to_contiguous(pbuf, byref(view), n, order)
        report.equal("%s to_contiguous(%r) (pepkit only: bad order)" % (case, order),
                     "ValueError", outcome_of_status(st))


def helpers_on_views(report, lib, tb):
    rng = report.rng
    for _ in range(report.cases(1000)):
        st = Structure.random(rng)
        case = repr(st)
        try:
            built = Built(tb, st, rng=rng).maybe_sliced(rng)
            case = repr(built)
            for flags, view in views_of(tb, built):
                vcase = "%s view %s" % (case, flags_name(flags))
                try:
                    is_contiguous(report, lib, vcase, view)
                    get_pointer(report, lib, vcase, view, rng)
                    to_contiguous(report, lib, vcase, view)
                finally:
                    api.PyBuffer_Release(byref(view))
        except Exception:
            report.crashed(case)


def from_contiguous(report, lib, tb):
    rng = report.rng
    for _ in range(report.cases(1000)):
        st = Structure.random(rng, writable=True)
        case = repr(st)
        try:
            contents = random_bytes(rng, st.nitems * st.itemsize)
            a = Built(tb, st, contents=contents)
            b = Built(tb, st, contents=contents)
            if st.ndim and rng.random() < 0.4:
                key = random_key(rng, st.shape)
                a, b = a.sliced(key), b.sliced(key)
                case = repr(a)
            flags = rng.choice([FULL, FULL_RO, 0x18, ND, 0])
            order = rng.choice(ORDERS)
            va, outa = cpython_getbuffer(a.nd, flags)
            vb, outb = cpython_getbuffer(b.nd, flags)
            if not report.equal(case + " getbuffer twice", outa, outb) or outa != "ok":
                continue
            try:
                n = va.len
                length = rng.choice([n, n, n + 5, rng.randint(0, n), max(n - 1, 0)])
                src = random_bytes(rng, length)
                ccase = "%s view %s from_contiguous(len=%d of %d, %s)" % (
                    case, flags_name(flags), length, n, order.decode())
                # CPython's FromContiguous needs strides (it calls GetPointer on
                # a view that is not contiguous in `order`): for an ND view
                # without them it gets the FULL_RO view of the same
                # (C-contiguous) array, which describes the same items. (A 1-D
                # view without shape is always contiguous: no GetPointer.)
                cview, _ = (va, None) if va.strides or not va.shape else cpython_getbuffer(a.nd, FULL_RO)
                try:
                    cout, _ = cpython_call(api.PyBuffer_FromContiguous, byref(cview), src, length, order)
                finally:
                    if cview is not va:
                        api.PyBuffer_Release(byref(cview))
                pout = outcome_of_status(lib.pepkit_buffer_from_contiguous(byref(vb), src, length, order))
                report.equal(ccase, (cout, a.data_bytes()), (pout, b.data_bytes()))
                # Intentional: pepkit refuses a read-only view and writes nothing.
                before = b.data_bytes()
                vb.readonly = 1
                st_ro = lib.pepkit_buffer_from_contiguous(byref(vb), src, length, order)
                vb.readonly = 0
                report.equal(ccase + " into a read-only view (pepkit only)",
                             ("TypeError", before), (outcome_of_status(st_ro), b.data_bytes()))
                st_bad = lib.pepkit_buffer_from_contiguous(byref(vb), src, length, b"X")
                report.equal(ccase + " with order 'X' (pepkit only)",
                             ("ValueError", before), (outcome_of_status(st_bad), b.data_bytes()))
            finally:
                api.PyBuffer_Release(byref(va))
                api.PyBuffer_Release(byref(vb))
        except Exception:
            report.crashed(case)


def fill_contiguous_strides(report, lib):
    rng = report.rng
    for _ in range(report.cases(5000)):
        ndim = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 64]) if rng.random() < 0.9 else rng.randint(0, 64)
        extents = [0, 1, 1, 2, 3, 4, 7] if ndim <= 12 else [0, 1, 1, 1, 1, 1, 2]
        shape = [rng.choice(extents) for _ in range(ndim)]
        itemsize = rng.choice([1, 2, 3, 4, 8, 16, 24])
        order = rng.choice(ORDERS)
        while product(shape) * itemsize >= 1 << 62 or product([n or 1 for n in shape]) >= 1 << 55:
            shape[rng.randrange(ndim)] = 1  # stay clear of CPython's signed overflow (UB)
        case = "fill_contiguous_strides(ndim=%d, shape=%r, itemsize=%d, %s)" % (ndim, shape, itemsize, order.decode())
        sh = ssize_array(shape)
        cs = ssize_array([-99] * (ndim + 1))
        ps = ssize_array([-99] * (ndim + 1))
        api.PyBuffer_FillContiguousStrides(ndim, sh, cs, itemsize, order)
        st = lib.pepkit_buffer_fill_contiguous_strides(ndim, sh, ps, itemsize, order)
        report.equal(case, ("ok", list(cs)), (outcome_of_status(st), list(ps)))
    # pepkit only: strides that overflow Py_ssize_t (CPython's signed overflow
    # is undefined behaviour) fail with PEPKIT_ERR_OVERFLOW, writing nothing.
    ps = ssize_array([-99] * 3)
    st = lib.pepkit_buffer_fill_contiguous_strides(3, ssize_array([2, 1 << 40, 1 << 30]), ps, 8, b"C")
    report.equal("fill_contiguous_strides overflowing (pepkit only)",
                 ("OverflowError", [-99] * 3), (outcome_of_status(st), list(ps)))
    # Intentional: CPython takes any order but 'F' as 'C'; pepkit refuses it.
    for order in BAD_ORDERS:
        ps = ssize_array([-99] * 3)
        st = lib.pepkit_buffer_fill_contiguous_strides(2, ssize_array([2, 3]), ps, 4, order)
        report.equal("fill_contiguous_strides(order=%r) (pepkit only)" % order,
                     ("ValueError", [-99] * 3), (outcome_of_status(st), list(ps)))


def fill_info_fields(view):
    """FillInfo's fields, with shape/strides as 'own len'/'own itemsize'."""
    d = describe(view)
    base = ctypes.addressof(view)
    shape = ctypes.cast(view.shape, c_void_p).value
    strides = ctypes.cast(view.strides, c_void_p).value
    d["shape"] = None if not shape else ("&view.len" if shape == base + Buffer.len.offset else shape)
    d["strides"] = None if not strides else ("&view.itemsize" if strides == base + Buffer.itemsize.offset else strides)
    d["obj"] = view.obj
    d["internal"] = view.internal
    return d


def fill_info(report, lib):
    rng = report.rng
    memory = ctypes.create_string_buffer(64)
    addr = ctypes.addressof(memory)
    flag_values = list(range(0x400))
    if not ACCESS_FLAGS_REFUSED:
        flag_values = [f for f in flag_values if f not in (READ, WRITE)]
    for flags in flag_values:
        for readonly in (0, 1, 2):
            length = rng.choice([0, 1, 5, 64])
            case = "fill_info(len=%d, readonly=%d, flags=%s)" % (length, readonly, flags_name(flags))
            cview, pview = Buffer(), Buffer()
            ctypes.memset(byref(cview), 0x5a, ctypes.sizeof(Buffer))
            ctypes.memset(byref(pview), 0x5a, ctypes.sizeof(Buffer))
            untouched = raw(pview)
            cout, _ = cpython_call(api.PyBuffer_FillInfo, byref(cview), None, addr, length, readonly, flags)
            pout = outcome_of_status(lib.pepkit_buffer_fill_info(byref(pview), None, addr, length, readonly, flags))
            if flags in (READ, WRITE) and cout == "SystemError":
                cout = "ValueError"  # 3.13's refusal, in pepkit's terms
            if not report.equal(case + ": outcome", cout, pout):
                continue
            if cout == "ok":
                report.equal(case + ": fields", fill_info_fields(cview), fill_info_fields(pview))
            else:
                report.equal(case + ": view untouched on failure", (raw(cview) == untouched, untouched),
                             (True, raw(pview)))


def fill_info_with_object(report, lib):
    """FillInfo given an object holds a new reference to it, and releasing
    the view (PyBuffer_Release / pepkit_releasebuffer) drops it again."""
    memory = ctypes.create_string_buffer(16)
    for readonly in (0, 1):
        case = "fill_info(obj, readonly=%d) then release" % readonly
        pyobj = bytearray(b"x")  # any object; FillInfo never looks at it
        pkobj = c_void_p()
        lib.pepkit_bytes_new(b"x", 1, byref(pkobj))
        cview, pview = Buffer(), Buffer()
        sides = []
        for fill, release, refs, obj, view in (
                (api.PyBuffer_FillInfo, api.PyBuffer_Release, lambda: sys.getrefcount(pyobj), id(pyobj), cview),
                (lib.pepkit_buffer_fill_info, lib.pepkit_releasebuffer, lambda: lib.pepkit_refcount(pkobj), pkobj, pview)):
            start = refs()
            if fill is api.PyBuffer_FillInfo:
                out, _ = cpython_call(fill, byref(view), obj, ctypes.addressof(memory), 16, readonly, 0)
            else:
                out = outcome_of_status(fill(byref(view), obj, ctypes.addressof(memory), 16, readonly, 0))
            held = refs() - start
            rel = release(byref(view))
            sides.append((out, held, "released" if rel in (None, 0) else outcome_of_status(rel),
                          refs() - start, view.obj))
        report.equal(case, sides[0], sides[1])
        report.equal(case + ": exports untouched (pepkit)", 0, lib.pepkit_exports(pkobj))
        lib.pepkit_decref(pkobj)


def main():
    tb = require_testbuffer()
    report = Report("oracle helpers")
    lib = load_pepkit()
    for label, run in (("(b) is_contiguous/get_pointer/to_contiguous", lambda: helpers_on_views(report, lib, tb)),
                       ("(b) from_contiguous", lambda: from_contiguous(report, lib, tb)),
                       ("(b) fill_contiguous_strides", lambda: fill_contiguous_strides(report, lib)),
                       ("(b) fill_info", lambda: (fill_info(report, lib), fill_info_with_object(report, lib)))):
        mark = report.mark()
        run()
        report.part(label, mark)
    report.finish()


if __name__ == "__main__":
    main()
