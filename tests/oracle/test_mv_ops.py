"""memoryview: pepkit's against CPython's, on the same memory.

Each case builds a random array (tests/oracle/structures.py: every format,
ndim 0-5, zero and one-length dimensions, negative and zero strides, offsets,
suboffsets) as a _testbuffer.ndarray with random contents, takes CPython's
memoryview of it and pepkit's memoryview of a pepkit wrap of the same memory,
then runs a random chain of operations on both: slice, sub-view, cast,
toreadonly, release of the parent, item and slice assignment. After every step
it compares everything observable: structure, contiguity (through getbuffer
requests on the view), len, tobytes in each order, hex, tolist, hash, items,
and errors by class. Pairs of views are compared with ==.

Where CPython's memoryview stops short, the oracle is CPython's own
_testbuffer.ndarray re-exporting the same view (multi-dimensional slicing,
sub-views, N-d slice assignment), or struct.unpack_from (tolist and items of
non-native formats). Hashes are compared under PYTHONHASHSEED=0 on CPythons
that use SipHash-1-3 (3.11+).

Version notes: pepkit follows 3.11 where versions differ. 3.12 added 'e' to
memoryview's native formats, so casts to 'e' are compared only before 3.12.
"""

import ctypes
import os
import struct
import sys
from ctypes import byref, c_bool, c_size_t, c_ssize_t, c_void_p

from pepkit_ctypes import (C_CONTIGUOUS, ANY_CONTIGUOUS, F_CONTIGUOUS, FULL, FULL_RO, NONE, ND, READ,
                           REQUESTS, SIMPLE, WRITE, Buffer, Report, Slice, Value, VALUE_BOOL, VALUE_BYTES,
                           VALUE_FLOAT, VALUE_INT, VALUE_UINT, api, cpython_getbuffer, describe, flags_name,
                           last_error, load_pepkit, outcome_of_status, pepkit_getbuffer, require_testbuffer,
                           ssize_array)
from structures import NATIVE_CHARS, Built, Releases, Structure, random_key, status_ok, wrap

tb = require_testbuffer()
lib = load_pepkit()
R = Report("test_mv_ops")
rng = R.rng
HASHES = sys.hash_info.algorithm == "siphash13" and os.environ.get("PYTHONHASHSEED") == "0"
CAST_E = sys.version_info < (3, 12)


def outcome(fn):
    """(result, "ok") or (None, exception class name) of a CPython call."""
    try:
        return fn(), "ok"
    except Exception as e:
        return None, type(e).__name__


class PView:
    """A pepkit memoryview object (one reference)."""

    def __init__(self, obj):
        self.obj = obj

    def call(self, name, *args):
        return getattr(lib, "pepkit_memoryview_" + name)(self.obj, *args)

    def new_view(self, name, *args):
        out = c_void_p()
        st = self.call(name, *(args + (byref(out),)))
        return (PView(out.value) if st == 0 else None), outcome_of_status(st)

    def desc(self):
        b = lib.pepkit_memoryview_buffer(self.obj)
        return b.contents if b else None

    def owned_text(self, name, *args):
        out, n = c_void_p(), c_size_t()
        st = self.call(name, *(args + (byref(out), byref(n))))
        if st != 0:
            return None, outcome_of_status(st)
        data = ctypes.string_at(out.value, n.value)
        lib.pepkit_free(out)
        return data, "ok"

    def drop(self):
        if self.obj:
            lib.pepkit_decref(self.obj)
            self.obj = None


def shape_of(m):
    return tuple(m.shape)


def cpython_len(m):
    """len(m); a 0-dim view has length 1 in 3.11 (3.12 made it a TypeError,
    pepkit keeps 3.11's answer)."""
    if m.ndim == 0 and sys.version_info >= (3, 12):
        return 1
    return len(m)


def cpython_structure(m):
    return {"format": m.format, "itemsize": m.itemsize, "ndim": m.ndim, "shape": tuple(m.shape),
            "strides": tuple(m.strides), "suboffsets": tuple(m.suboffsets), "readonly": bool(m.readonly),
            "nbytes": m.nbytes, "len": cpython_len(m), "c": m.c_contiguous, "f": m.f_contiguous,
            "any": m.contiguous}


def probe(pv, flags):
    """Whether pepkit's memoryview accepts the request (its own getbuffer)."""
    view = Buffer()
    st = lib.pepkit_getbuffer(pv.obj, byref(view), flags)
    if st == 0:
        lib.pepkit_releasebuffer(byref(view))
    return st == 0


def pepkit_structure(pv):
    d = pv.desc()
    n = d.ndim
    arr = lambda p: tuple(p[i] for i in range(n)) if p else ()
    return {"format": ctypes.string_at(d.format).decode(), "itemsize": d.itemsize, "ndim": n,
            "shape": arr(d.shape), "strides": arr(d.strides), "suboffsets": arr(d.suboffsets),
            "readonly": bool(d.readonly), "nbytes": d.len, "len": lib.pepkit_memoryview_len(pv.obj),
            "c": probe(pv, C_CONTIGUOUS), "f": probe(pv, F_CONTIGUOUS), "any": probe(pv, ANY_CONTIGUOUS)}


def struct_model_tolist(m):
    """repr of what struct.unpack_from gives, nested like tolist."""
    fmt, size = m.format, m.itemsize
    data = m.tobytes()
    n_values = len(struct.unpack_from(fmt, bytes(size)))

    def item(i):
        values = struct.unpack_from(fmt, data, i * size)
        return values[0] if n_values == 1 else values

    if m.ndim == 0:
        return repr(item(0))
    counter = [0]

    def nest(shape):
        if len(shape) == 1:
            out = [item(counter[0] + k) for k in range(shape[0])]
            counter[0] += shape[0]
            return out
        return [nest(shape[1:]) for _ in range(shape[0])]

    return repr(nest(list(m.shape)))


def cpython_tolist(m):
    try:
        return repr(m.tolist()), "ok"
    except NotImplementedError:
        try:
            return struct_model_tolist(m), "ok"
        except struct.error:
            return None, "NotImplementedError"
    except Exception as e:
        return None, type(e).__name__


def random_sep(rng):
    return rng.choice([None, None, ":", "-", " "]), rng.choice([1, 1, 2, 3, -1, -2, 4, 0])


def compare_observations(cm, pv, case, hashes=True):
    """Every observable of a live view pair."""
    c_struct, p_struct = cpython_structure(cm), pepkit_structure(pv)
    R.check(c_struct == p_struct, case + " structure", c_struct, p_struct)
    for order in "CFA" if sys.version_info >= (3, 8) else "C":
        c_bytes = cm.tobytes(order) if sys.version_info >= (3, 8) else cm.tobytes()
        p_bytes, st = pv.owned_text("tobytes", order.encode())
        R.check((c_bytes, "ok") == (p_bytes, st), case + " tobytes(%r)" % order, c_bytes, (p_bytes, st))
    if sys.version_info >= (3, 8):
        sep, per = random_sep(rng)
        c_hex = outcome(lambda: cm.hex() if sep is None else cm.hex(sep, per))
        p_hex = pv.owned_text("hex", None if sep is None else sep.encode(), per if sep is not None else 1)
        p_hex = ((p_hex[0].decode() if p_hex[0] is not None else None), p_hex[1])
        R.check(c_hex == p_hex, case + " hex(%r, %r)" % (sep, per), c_hex, p_hex)
    c_list = cpython_tolist(cm)
    p_list = pv.owned_text("tolist")
    p_list = ((p_list[0].decode() if p_list[0] is not None else None), p_list[1])
    R.check(c_list == p_list, case + " tolist", c_list, p_list)
    if HASHES and hashes:
        c_hash = outcome(lambda: hash(cm))
        h = c_ssize_t()
        st = pv.call("hash", byref(h))
        p_hash = (h.value if st == 0 else None, outcome_of_status(st))
        R.check(c_hash == p_hash, case + " hash", c_hash, p_hash, note=last_error(lib))
    compare_exports(cm, pv, case)
    # A random item: get and compare (CPython's own item, else struct's).
    if cm.ndim == 0 or all(n > 0 for n in cm.shape):
        index = tuple(rng.randint(-n, n - 1) if rng.random() < 0.9 else n for n in cm.shape)
        compare_get_item(cm, pv, index, case)


def compare_exports(cm, pv, case, n=4):
    """The view's own getbuffer (CPython's memory_getbuf) on a few random
    requests: outcome and every field, over the same memory."""
    for flags, _ in rng.sample(REQUESTS, n):
        cview, cout = cpython_getbuffer(cm, flags)
        pview, pout = pepkit_getbuffer(lib, pv.obj, flags)
        c = describe(cview) if cout == "ok" else None
        p = describe(pview) if pout == "ok" else ("obj NULL" if not pview.obj else "obj left set")
        if c is None and p == "obj NULL":
            p = None
        R.check((cout, c) == (pout, p), case + " getbuffer(%s)" % flags_name(flags), (cout, c), (pout, p))
        if cout == "ok":
            api.PyBuffer_Release(byref(cview))
        if pout == "ok":
            lib.pepkit_releasebuffer(byref(pview))


def cpython_item(cm, index):
    try:
        return (cm[index] if index else cm[()]), "ok"
    except NotImplementedError:
        pass
    except Exception as e:
        return None, type(e).__name__
    # Beyond CPython: the struct module's value of the item.
    flat = 0
    for d, i in enumerate(index):
        n = cm.shape[d]
        if not -n <= i < n:
            return None, "IndexError"
        flat = flat * n + (i % n)
    values = struct.unpack_from(cm.format, cm.tobytes(), flat * cm.itemsize)
    return (values[0] if len(values) == 1 else ("tuple", len(values))), "ok"


def pepkit_item(pv, index):
    v = Value()
    st = pv.call("get_item", ssize_array(list(index)), len(index), byref(v))
    if st != 0:
        return None, outcome_of_status(st)
    if v.kind == VALUE_INT:
        return v.i, "ok"
    if v.kind == VALUE_UINT:
        return v.u, "ok"
    if v.kind == VALUE_FLOAT:
        return v.f, "ok"
    if v.kind == VALUE_BOOL:
        return v.b, "ok"
    return ctypes.string_at(v.bytes, v.len), "ok"


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) == type(b) and a == b or (a == b and not isinstance(a, (bytes, bool)) and not isinstance(b, (bytes, bool)))


def compare_get_item(cm, pv, index, case):
    c = cpython_item(cm, index)
    p = pepkit_item(pv, index)
    if c[1] == "ok" and isinstance(c[0], tuple):
        ok = p[1] == "NotImplementedError"  # multi-value formats: tolist only
    elif c[1] == "ok" and p[1] == "ok":
        ok = same_value(c[0], p[0])
    else:
        ok = c[1] == p[1]
    R.check(ok, case + " m[%r]" % (index,), c, p)


def random_value(rng, fmt):
    """A random Python value for item assignment, and its pepkit_value."""
    kind = rng.choice(["int", "int", "float", "bool", "bytes", "big"])
    if kind == "int":
        x = rng.choice([0, 1, -1, 127, 128, 255, 256, -129, 2 ** 31 - 1, 2 ** 31, -2 ** 31, 2 ** 63 - 1, -2 ** 63])
    elif kind == "big":
        x = rng.choice([2 ** 63, 2 ** 64 - 1, 2 ** 32])
    elif kind == "float":
        x = rng.choice([0.0, -0.0, 1.5, 1e300, float("inf"), float("nan"), 65504.0, 65520.0, 3.0])
    elif kind == "bool":
        x = rng.random() < 0.5
    else:
        x = rng.choice([b"a", b"", b"xy"])
    v = Value()
    keep = None
    if isinstance(x, bool):
        v.kind, v.b = VALUE_BOOL, x
    elif isinstance(x, int):
        if x >= 2 ** 63:
            v.kind, v.u = VALUE_UINT, x
        else:
            v.kind, v.i = VALUE_INT, x
    elif isinstance(x, float):
        v.kind, v.f = VALUE_FLOAT, x
    else:
        keep = ctypes.create_string_buffer(x, max(len(x), 1))
        v.kind, v.bytes, v.len = VALUE_BYTES, ctypes.addressof(keep), len(x)
    return x, v, keep


class Chain:
    """A random chain of operations on one array, on both sides."""

    def __init__(self, case_no):
        self.case_no = case_no
        self.releases = Releases()
        st = Structure.random(rng)
        self.built = Built(tb, st, rng=rng)
        status, obj, self.ctx = wrap(lib, self.built, self.releases)
        status_ok(lib, status, "wrap")
        self.wrap = obj
        out = c_void_p()
        status_ok(lib, lib.pepkit_memoryview_new(obj, byref(out)), "memoryview_new")
        self.views = [(memoryview(self.built.nd), PView(out.value))]
        # CPython views reached through a _testbuffer re-export: their hash
        # depends on that exporter chain (a consumer ndarray hashes its
        # source view), so hashes are not compared for them or their children.
        self.reexported = set()
        self.steps = ["memoryview(%r)" % self.built]

    def case(self):
        return "#%d %s" % (self.case_no, " -> ".join(self.steps))

    def pick(self):
        return rng.choice(self.views)

    def add(self, step, cm, pv, parent=None, reexported=False):
        self.steps.append(step)
        self.views.append((cm, pv))
        if reexported or (parent is not None and id(parent) in self.reexported):
            self.reexported.add(id(cm))
        compare_observations(cm, pv, self.case(), hashes=id(cm) not in self.reexported)

    def step(self):
        cm, pv = self.pick()
        op = rng.choice(["slice", "slice", "multislice", "subview", "cast", "cast", "toreadonly",
                         "release", "setitem", "assign", "assign_nd", "equal", "equal"])
        getattr(self, "op_" + op)(cm, pv)

    def op_slice(self, cm, pv):
        if cm.ndim == 0:
            key = slice(None)
        else:
            key = random_key(rng, cm.shape[:1])[0]
        c_new, c_out = outcome(lambda: cm[key])
        sl = Slice.of(key)
        p_new, p_out = pv.new_view("slice", byref(sl), 1)
        if R.check(c_out == p_out, self.case() + " [%r]" % key, c_out, p_out) and p_new:
            self.add("[%s:%s:%s]" % (key.start, key.stop, key.step), c_new, p_new, parent=cm)
        elif p_new:
            p_new.drop()

    def op_multislice(self, cm, pv):
        """Several dimensions at once: _testbuffer re-exporting the view is the oracle."""
        if cm.ndim < 2:
            return
        key = random_key(rng, cm.shape)[: rng.randint(1, cm.ndim)]
        nd = tb.ndarray(cm, getbuf=FULL_RO)
        c_new, c_out = outcome(lambda: memoryview(nd[key]))
        arr = (Slice * len(key))(*[Slice.of(k) for k in key])
        p_new, p_out = pv.new_view("slice", arr, len(key))
        if R.check(c_out == p_out, self.case() + " [%r]" % (key,), c_out, p_out) and p_new:
            self.add("[%s]" % ", ".join("%s:%s:%s" % (k.start, k.stop, k.step) for k in key), c_new, p_new,
                     reexported=True)
        elif p_new:
            p_new.drop()

    def op_subview(self, cm, pv):
        if cm.ndim == 0:
            p_new, p_out = pv.new_view("subview", 0)
            R.check(p_out == "TypeError", self.case() + " 0-dim[0]", "TypeError", p_out)
            return
        n = cm.shape[0]
        i = rng.randint(-n - 1, n)
        if cm.ndim == 1:
            # CPython gives the item; pepkit a 0-dim view of it.
            c_item = cpython_item(cm, (i,))
            p_new, p_out = pv.new_view("subview", i)
            if p_new:
                p_item = pepkit_item(p_new, ())
                ok = c_item[1] == "ok" and (same_value(c_item[0], p_item[0]) or isinstance(c_item[0], tuple))
                R.check(ok, self.case() + " [%d] (0-dim)" % i, c_item, p_item)
                p_new.drop()
            else:
                R.check(c_item[1] == p_out, self.case() + " [%d]" % i, c_item, p_out)
            return
        nd = tb.ndarray(cm, getbuf=FULL_RO)
        c_new, c_out = outcome(lambda: memoryview(nd[i]))
        p_new, p_out = pv.new_view("subview", i)
        if R.check(c_out == p_out, self.case() + " [%d]" % i, c_out, p_out) and p_new:
            self.add("[%d]" % i, c_new, p_new, reexported=True)
        elif p_new:
            p_new.drop()

    def op_cast(self, cm, pv):
        fmt = rng.choice(list("BbcBBhHiIlLqQnNfd?P") + ["@B", "@i", "<i", "e", "x", "2B"])
        if fmt == "e" and not CAST_E:
            return
        nbytes = cm.nbytes
        itemsize = struct.calcsize(fmt) if fmt not in ("x",) else 1
        shape = None
        r = rng.random()
        if r < 0.4 and itemsize and nbytes % itemsize == 0:
            n = nbytes // itemsize
            dims = [n]
            if n > 1 and rng.random() < 0.7:
                for f in (2, 3, 4):
                    if n % f == 0:
                        dims = [f, n // f] if rng.random() < 0.5 else [n // f, f]
                        break
            shape = dims
        elif r < 0.5:
            shape = [] if rng.random() < 0.5 else [rng.randint(0, 3)]
        c_new, c_out = outcome(lambda: cm.cast(fmt) if shape is None else cm.cast(fmt, shape))
        sh = ssize_array(shape) if shape is not None else None
        p_new, p_out = pv.new_view("cast", fmt.encode(), sh, -1 if shape is None else len(shape))
        if R.check(c_out == p_out, self.case() + " cast(%r, %r)" % (fmt, shape), c_out, p_out,
                   note=last_error(lib)) and p_new:
            self.add("cast(%r, %r)" % (fmt, shape), c_new, p_new, parent=cm)
        elif p_new:
            p_new.drop()

    def op_toreadonly(self, cm, pv):
        if not hasattr(cm, "toreadonly"):  # 3.8+
            return
        p_new, p_out = pv.new_view("toreadonly")
        self.add("toreadonly()", cm.toreadonly(), p_new, parent=cm)

    def op_release(self, cm, pv):
        if len(self.views) < 2:
            return
        try:
            cm.release()
        except BufferError:
            return  # a _testbuffer re-export of it is still alive on CPython's side
        st = pv.call("release")
        R.check(st == 0, self.case() + " release", "ok", outcome_of_status(st))
        n = lib.pepkit_memoryview_len(pv.obj)
        R.check(n == -1, self.case() + " len after release", -1, n)
        self.views.remove((cm, pv))
        self.steps.append("release")
        pv.drop()

    def op_setitem(self, cm, pv):
        if cm.readonly or (cm.ndim and 0 in cm.shape):
            return
        index = tuple(rng.randint(-n, n - 1) for n in cm.shape)
        x, v, keep = random_value(rng, cm.format)
        try:
            if index:
                cm[index] = x
            else:
                cm[()] = x
            c_out = "ok"
        except NotImplementedError:
            return  # beyond CPython: checked by the values oracle
        except Exception as e:
            c_out = type(e).__name__
        st = pv.call("set_item", ssize_array(list(index)), len(index), byref(v))
        R.check(c_out == outcome_of_status(st), self.case() + " m[%r] = %r" % (index, x), c_out,
                outcome_of_status(st), note=last_error(lib))
        self.steps.append("m[%r] = %r" % (index, x))
        compare_observations(cm, pv, self.case(), hashes=id(cm) not in self.reexported)

    def source_for(self, shape, fmt):
        """A fresh bytes-backed source of `shape` and native `fmt` on both
        sides (now and then one item too many: a different structure), or
        (None, None) where CPython cannot build one by casting."""
        code = fmt.lstrip("@")
        if len(code) != 1 or code not in NATIVE_CHARS or code == "e" or 0 in shape:
            return None, None
        n = 1
        for x in shape:
            n *= x
        if rng.random() < 0.15:
            shape, n = [n + 1], n + 1
        data = bytes(rng.getrandbits(8) for _ in range(n * struct.calcsize(code)))
        # The format string exactly as the target's ('@i' stays '@i'):
        # _testbuffer compares formats without stripping '@'.
        c_src = memoryview(data).cast(fmt, shape)
        bobj, out = c_void_p(), c_void_p()
        status_ok(lib, lib.pepkit_bytes_new(data, len(data), byref(bobj)), "bytes")
        status_ok(lib, lib.pepkit_memoryview_new(bobj.value, byref(out)), "memoryview_new")
        lib.pepkit_decref(bobj.value)
        whole = PView(out.value)
        p_src, st = whole.new_view("cast", fmt.encode(), ssize_array(list(shape)), len(shape))
        whole.drop()
        status_ok(lib, 0 if p_src else 2, "cast source")
        return c_src, p_src

    def op_assign(self, cm, pv):
        """1-D slice assignment, as CPython does it."""
        if cm.ndim != 1 or cm.readonly:
            return
        key = random_key(rng, cm.shape)[0]
        target_len = len(range(*key.indices(cm.shape[0])))
        c_src, p_src = self.source_for([target_len], cm.format)
        if c_src is None:
            return
        try:
            cm[key] = c_src
            c_out = "ok"
        except Exception as e:
            c_out = type(e).__name__
        sl = Slice.of(key)
        st = pv.call("assign", byref(sl), 1, p_src.obj)
        R.check(c_out == outcome_of_status(st), self.case() + " [%r] = src" % key, c_out,
                outcome_of_status(st), note=last_error(lib))
        p_src.drop()
        self.steps.append("[%s:%s:%s] = src" % (key.start, key.stop, key.step))
        compare_observations(cm, pv, self.case(), hashes=id(cm) not in self.reexported)

    def op_assign_nd(self, cm, pv):
        """N-d slice assignment: _testbuffer's ndarray over the view is the oracle."""
        if cm.ndim < 2 or cm.readonly:
            return
        key = random_key(rng, cm.shape)
        nd = tb.ndarray(cm, getbuf=FULL)
        target = list(nd[key].shape) if nd[key].ndim else []
        c_src, p_src = self.source_for(target, cm.format)
        if c_src is None:
            return
        try:
            nd[key] = tb.ndarray(c_src, getbuf=FULL_RO)
            c_out = "ok"
        except Exception as e:
            c_out = type(e).__name__
        arr = (Slice * len(key))(*[Slice.of(k) for k in key])
        st = pv.call("assign", arr, len(key), p_src.obj)
        # _testbuffer raises ValueError for a mismatched structure too.
        R.check(c_out == outcome_of_status(st), self.case() + " [%r] = src (N-d)" % (key,), c_out,
                outcome_of_status(st), note=last_error(lib))
        p_src.drop()
        del nd
        self.steps.append("[%r] = src" % (key,))
        compare_observations(cm, pv, self.case(), hashes=id(cm) not in self.reexported)

    def op_equal(self, cm, pv):
        other_cm, other_pv = self.pick()
        c_eq = cm == other_cm
        out = c_bool()
        st = lib.pepkit_memoryview_equal(pv.obj, other_pv.obj, byref(out))
        R.check((c_eq, "ok") == (out.value, outcome_of_status(st)), self.case() + " == (views of one array)",
                c_eq, (out.value, outcome_of_status(st)))

    def finish(self):
        for cm, pv in self.views:
            pv.drop()
        self.views = []
        lib.pepkit_decref(self.wrap)
        R.check(self.releases.counts[self.ctx] == 1, self.case() + " release callback once", 1,
                self.releases.counts[self.ctx])
        del self.built


def equality_pairs(n):
    """== between views of two different arrays of one shape: mixed formats,
    NaN and -0.0, byte orders, 'c' vs 'B', zero-length shapes, suboffsets."""
    formats = list(NATIVE_CHARS) + ["<i", ">i", "=i", "@d", "<d", "2B", "Bx", "h", "?"]
    for k in range(n):
        st_a = Structure.random(rng, formats=formats)
        # Mostly the same shape (zero extents may differ after the first
        # zero), now and then any other.
        shape = list(st_a.shape)
        if 0 in shape and rng.random() < 0.5:
            z = shape.index(0)
            shape[z + 1:] = [rng.randint(0, 3) for _ in shape[z + 1:]]
        st_b = Structure.random(rng, formats=formats, shape=None if rng.random() < 0.1 else shape)
        a = Built(tb, st_a, rng=rng)
        b = Built(tb, st_b, rng=rng)
        if rng.random() < 0.5 and st_a.itemsize == st_b.itemsize and a.data_size == b.data_size:
            b.fill(a.data_bytes())  # same bytes: equal unless NaN or formats differ
        releases = Releases()
        sa, wa, ca = wrap(lib, a, releases)
        sb, wb, cb = wrap(lib, b, releases)
        status_ok(lib, sa, "wrap a")
        status_ok(lib, sb, "wrap b")
        c_eq = memoryview(a.nd) == memoryview(b.nd)
        out = c_bool()
        use_views = rng.random() < 0.5
        objs = []
        if use_views:
            for w in (wa, wb):
                o = c_void_p()
                status_ok(lib, lib.pepkit_memoryview_new(w, byref(o)), "memoryview_new")
                objs.append(o.value)
        else:
            objs = [wa, wb]
        st = lib.pepkit_memoryview_equal(objs[0], objs[1], byref(out))
        R.check((c_eq, "ok") == (out.value, outcome_of_status(st)),
                "equality #%d %r == %r (%s)" % (k, a, b, "views" if use_views else "exporters"),
                c_eq, (out.value, outcome_of_status(st)))
        if use_views:
            for o in objs:
                lib.pepkit_decref(o)
        lib.pepkit_decref(wa)
        lib.pepkit_decref(wb)


def from_memory(n):
    """pepkit_memoryview_from_memory against PyMemoryView_FromMemory on the
    same bytes, read-only and writable, then a cast both sides can make."""
    for k in range(n):
        size = rng.choice([0, 1, 7, 8, 24, 64])
        block = ctypes.create_string_buffer(bytes(rng.getrandbits(8) for _ in range(size)), max(size, 1))
        flags = rng.choice([READ, WRITE])
        cm = api.PyMemoryView_FromMemory(ctypes.addressof(block), size, flags)
        out = c_void_p()
        st = lib.pepkit_memoryview_from_memory(ctypes.addressof(block), size, flags, byref(out))
        case = "from_memory #%d (%d bytes, %s)" % (k, size, "READ" if flags == READ else "WRITE")
        if not R.check(st == 0, case, "ok", outcome_of_status(st)):
            continue
        pv = PView(out.value)
        compare_observations(cm, pv, case)
        fmt = rng.choice(["B", "c", "b", "h", "i", "q", "d"])
        c_new, c_out = outcome(lambda: cm.cast(fmt))
        p_new, p_out = pv.new_view("cast", fmt.encode(), None, -1)
        if R.check(c_out == p_out, case + " cast(%r)" % fmt, c_out, p_out) and p_new:
            compare_observations(c_new, p_new, case + " cast(%r)" % fmt)
        if p_new:
            p_new.drop()
        pv.drop()
        del cm, c_new


def main():
    from_memory(R.cases(200))
    chains = R.cases(700)
    for k in range(chains):
        chain = Chain(k)
        compare_observations(chain.views[0][0], chain.views[0][1], chain.case())
        for _ in range(rng.randint(1, 6)):
            chain.step()
        chain.finish()
    equality_pairs(R.cases(1500))
    print("%d passed, %d failed" % (R.passed, R.failed))
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
