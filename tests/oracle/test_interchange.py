"""Interchange oracle: pepkit's DLPack and Arrow C Data Interface against the
real consumers and producers, driven through ctypes.

  format     pepkit_format_to_dlpack/_to_arrow/_from_* for every struct format
             character under every byte-order prefix, against the dtype numpy
             reads from a memoryview of that format, numpy's own DLPack dtype
             for it and pyarrow's from_numpy_dtype
  np<-pk     numpy.from_dlpack on pepkit tensors (versioned and legacy capsules
             made here with PyCapsule_New), random formats, shapes and slices
             (negative steps, zero-size, read-only)
  pk<-np     pepkit importing numpy's __dlpack__ capsules (renamed "used_..."
             as the protocol says), and pyarrow's as a second producer
  pa<-pk     pyarrow.Array._import_from_c on pepkit exports, N-d ones compared
             with FixedShapeTensorArray.from_numpy_ndarray of the same data
  pk<-pa     pepkit importing pyarrow's _export_to_c (slices, tensors; nulls
             and booleans refused with the structs left to the caller)
  nanoarrow  the same both ways with nanoarrow, through the Arrow PyCapsule
             protocol (__arrow_c_array__)

Values, shapes, strides, data addresses (zero-copy), read-only state and
lifetimes (export counts, reference counts, allocated bytes) are compared.
Run by tests/suites/55-interchange-oracle.sh with the interpreters .ci/setup
gives numpy, pyarrow and nanoarrow.
"""

import ctypes
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

from pepkit_ctypes import (FULL_RO, NONE, WRITABLE, Buffer, Report, Slice, api, last_error,
                           load_pepkit, skip, ssize_array)

try:
    import numpy as np
    import pyarrow as pa
except ImportError as e:
    skip("numpy and pyarrow are needed (.ci/setup installs them): %s" % e)
try:
    import nanoarrow as na
except ImportError:
    na = None

# ---------------------------------------------------------------- the ABIs ----


class DLPackVersion(Structure):
    _fields_ = [("major", c_uint32), ("minor", c_uint32)]


class DLDevice(Structure):
    _fields_ = [("device_type", c_int32), ("device_id", c_int32)]


class DLDataType(Structure):
    _fields_ = [("code", c_uint8), ("bits", c_uint8), ("lanes", c_uint16)]


class DLTensor(Structure):
    _fields_ = [("data", c_void_p), ("device", DLDevice), ("ndim", c_int32), ("dtype", DLDataType),
                ("shape", POINTER(c_int64)), ("strides", POINTER(c_int64)), ("byte_offset", c_uint64)]


DELETER = CFUNCTYPE(None, c_void_p)


class DLManagedTensor(Structure):
    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", c_void_p), ("deleter", DELETER)]


class DLManagedTensorVersioned(Structure):
    _fields_ = [("version", DLPackVersion), ("manager_ctx", c_void_p), ("deleter", DELETER),
                ("flags", c_uint64), ("dl_tensor", DLTensor)]


RELEASE = CFUNCTYPE(None, c_void_p)


class ArrowSchema(Structure):
    pass


ArrowSchema._fields_ = [("format", c_char_p), ("name", c_char_p), ("metadata", c_void_p), ("flags", c_int64),
                        ("n_children", c_int64), ("children", POINTER(POINTER(ArrowSchema))),
                        ("dictionary", c_void_p), ("release", RELEASE), ("private_data", c_void_p)]


class ArrowArray(Structure):
    pass


ArrowArray._fields_ = [("length", c_int64), ("null_count", c_int64), ("offset", c_int64), ("n_buffers", c_int64),
                       ("n_children", c_int64), ("buffers", POINTER(c_void_p)),
                       ("children", POINTER(POINTER(ArrowArray))), ("dictionary", c_void_p),
                       ("release", RELEASE), ("private_data", c_void_p)]

READ_ONLY = 1
IS_COPIED = 2
KDL = {0: "i", 1: "u", 2: "f", 5: "c", 6: "b"}  # DLPack code -> numpy kind

lib = load_pepkit()
st, obj_t = c_int32, c_void_p
for name, restype, argtypes in [
    ("pepkit_dlpack_export", st, [obj_t, c_int, POINTER(c_void_p)]),
    ("pepkit_dlpack_export_legacy", st, [obj_t, c_int, POINTER(c_void_p)]),
    ("pepkit_dlpack_import", st, [c_void_p, POINTER(obj_t)]),
    ("pepkit_dlpack_import_legacy", st, [c_void_p, POINTER(obj_t)]),
    ("pepkit_arrow_export", st, [obj_t, c_void_p, c_void_p]),
    ("pepkit_arrow_import", st, [c_void_p, c_void_p, POINTER(obj_t)]),
    ("pepkit_format_to_dlpack", st, [c_char_p, POINTER(DLDataType)]),
    ("pepkit_format_from_dlpack", st, [DLDataType, POINTER(c_void_p)]),
    ("pepkit_format_to_arrow", st, [c_char_p, POINTER(c_void_p)]),
    ("pepkit_format_from_arrow", st, [c_char_p, POINTER(c_void_p)]),
]:
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = restype, argtypes

libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = c_void_p, [c_size_t]
libc.free.restype, libc.free.argtypes = None, [c_void_p]

# The capsule API; the destructor's argument is a dying object, so the calls
# made from a destructor take it as a plain address.
CAPSULE_DESTRUCTOR = CFUNCTYPE(None, c_void_p)
api.PyCapsule_New.restype = ctypes.py_object
api.PyCapsule_New.argtypes = [c_void_p, c_char_p, CAPSULE_DESTRUCTOR]
api.PyCapsule_GetPointer.restype = c_void_p
api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, c_char_p]
api.PyCapsule_SetName.restype = c_int
api.PyCapsule_SetName.argtypes = [ctypes.py_object, c_char_p]
api.PyCapsule_GetName.restype = c_char_p
api.PyCapsule_GetName.argtypes = [ctypes.py_object]
capsule_is_valid = ctypes.PYFUNCTYPE(c_int, c_void_p, c_char_p)(("PyCapsule_IsValid", api))
capsule_pointer = ctypes.PYFUNCTYPE(c_void_p, c_void_p, c_char_p)(("PyCapsule_GetPointer", api))

# Capsule names must outlive their capsules: module constants.
DLTENSOR, DLTENSOR_V = b"dltensor", b"dltensor_versioned"
USED, USED_V = b"used_dltensor", b"used_dltensor_versioned"
ARROW_SCHEMA, ARROW_ARRAY = b"arrow_schema", b"arrow_array"

destructor_deletes = [0]


def _dl_destructor(cap):
    # An unconsumed capsule still owns its tensor: delete it (the DLPack spec).
    for name, struct in ((DLTENSOR_V, DLManagedTensorVersioned), (DLTENSOR, DLManagedTensor)):
        if capsule_is_valid(cap, name):
            p = capsule_pointer(cap, name)
            t = struct.from_address(p)
            if t.deleter:
                destructor_deletes[0] += 1
                t.deleter(p)
            return


DL_DESTRUCTOR = CAPSULE_DESTRUCTOR(_dl_destructor)


def _arrow_destructor(cap):
    for name, struct in ((ARROW_SCHEMA, ArrowSchema), (ARROW_ARRAY, ArrowArray)):
        if capsule_is_valid(cap, name):
            p = capsule_pointer(cap, name)
            s = struct.from_address(p)
            if s.release:
                s.release(p)
            libc.free(p)
            return


ARROW_DESTRUCTOR = CAPSULE_DESTRUCTOR(_arrow_destructor)


def owned_string(ptr):
    s = ctypes.string_at(ptr).decode()
    lib.pepkit_free(ptr)
    return s


def pk_to_dlpack(fmt):
    dt = DLDataType()
    if lib.pepkit_format_to_dlpack(fmt.encode(), byref(dt)) != 0:
        return None
    return (dt.code, dt.bits, dt.lanes)


def pk_to_arrow(fmt):
    out = c_void_p()
    if lib.pepkit_format_to_arrow(fmt.encode(), byref(out)) != 0:
        return None
    return owned_string(out.value)


def pk_from_dlpack(code, bits, lanes=1):
    out = c_void_p()
    if lib.pepkit_format_from_dlpack(DLDataType(code, bits, lanes), byref(out)) != 0:
        return None
    return owned_string(out.value)


def pk_from_arrow(fmt):
    out = c_void_p()
    if lib.pepkit_format_from_arrow(fmt.encode(), byref(out)) != 0:
        return None
    return owned_string(out.value)


# ----------------------------------------------------------- pepkit side ----


def pk_ndarray(fmt, shape, data=None, readonly=False):
    """A pepkit ndarray of `fmt` and `shape`, its memory set to `data` (bytes)."""
    out = c_void_p()
    if lib.pepkit_ndarray_new(fmt.encode(), len(shape), ssize_array(shape), b"C", 0, byref(out)) != 0:
        raise RuntimeError("pepkit_ndarray_new(%r, %r): %s" % (fmt, shape, last_error(lib)))
    if data:
        v = Buffer()
        assert lib.pepkit_getbuffer(out, byref(v), WRITABLE) == 0
        ctypes.memmove(v.buf, data, len(data))
        lib.pepkit_releasebuffer(byref(v))
    if readonly:
        mv, ro = c_void_p(), c_void_p()
        assert lib.pepkit_memoryview_new(out, byref(mv)) == 0
        assert lib.pepkit_memoryview_toreadonly(mv, byref(ro)) == 0
        lib.pepkit_decref(mv)
        lib.pepkit_decref(out)
        return ro
    return out


def pk_slice(o, slices):
    mv, s = c_void_p(), c_void_p()
    assert lib.pepkit_memoryview_new(o, byref(mv)) == 0
    arr = (Slice * len(slices))(*[Slice(*x) for x in slices])
    rc = lib.pepkit_memoryview_slice(mv, arr, len(slices), byref(s))
    lib.pepkit_decref(mv)
    assert rc == 0, last_error(lib)
    return s


def pk_view(o):
    """(buf, shape, strides, readonly, format, bytes in C order) of an exporter."""
    v = Buffer()
    assert lib.pepkit_getbuffer(o, byref(v), FULL_RO) == 0, last_error(lib)
    shape = tuple(v.shape[i] for i in range(v.ndim))
    strides = tuple(v.strides[i] for i in range(v.ndim))
    info = (v.buf or 0, shape, strides, bool(v.readonly), ctypes.string_at(v.format).decode(), v.itemsize)
    lib.pepkit_releasebuffer(byref(v))
    mv, data, n = c_void_p(), c_void_p(), c_size_t()
    assert lib.pepkit_memoryview_new(o, byref(mv)) == 0
    assert lib.pepkit_memoryview_tobytes(mv, b"C", byref(data), byref(n)) == 0
    raw = ctypes.string_at(data, n.value)
    lib.pepkit_free(data)
    lib.pepkit_decref(mv)
    return info + (raw,)


def numpy_dtype_of(fmt):
    """The dtype numpy reads from a memoryview of one `fmt` item (None if it refuses)."""
    o = pk_ndarray(fmt, [1])
    v = Buffer()
    assert lib.pepkit_getbuffer(o, byref(v), FULL_RO) == 0
    try:
        m = api.PyMemoryView_FromBuffer(byref(v))
        try:
            return np.frombuffer(m, dtype=None).dtype if False else np.asarray(m).dtype
        except Exception:
            return None
        finally:
            del m
    finally:
        lib.pepkit_releasebuffer(byref(v))
        lib.pepkit_decref(o)


def np_dtype(fmt):
    """The numpy dtype of a format's items, or None for opaque bytes (numpy
    cannot be asked: it crashes on some multi-field memoryviews)."""
    core = fmt.lstrip("@=<>!")
    if core in ("2f", "2d"):
        return np.dtype("c8" if core == "2f" else "c16")
    if core == "P":
        return np.dtype(np.uintp)
    if len(core) == 1 and core in "bBhHiIlLqQnNefd?":
        return numpy_dtype_of(fmt)
    return None


def numpy_dlpack_dtype(dtype):
    """numpy's own DLPack dtype for `dtype`, read from its capsule."""
    a = np.zeros(2, dtype)
    try:
        cap = a.__dlpack__(max_version=(1, 0))
    except Exception:
        return None
    t = DLManagedTensorVersioned.from_address(api.PyCapsule_GetPointer(cap, DLTENSOR_V))
    d = t.dl_tensor.dtype
    return (d.code, d.bits, d.lanes)


def arrow_format_of(pa_type):
    s = ArrowSchema()
    pa_type._export_to_c(ctypes.addressof(s))
    f = s.format.decode()
    s.release(ctypes.addressof(s))
    return f


def exports(o):
    return lib.pepkit_exports(o)


# -------------------------------------------------------------- formats ----

NUMERIC = "bBhHiIlLqQnNefd?P"
PREFIXES = ["", "@", "=", "<", ">", "!"]
NATIVE_PREFIX = "<" if sys.byteorder == "little" else ">"


def part_formats(r):
    import struct
    before = r.mark()
    for p in PREFIXES:
        for c in NUMERIC + "xcsp":
            fmt = p + c
            try:
                size = struct.calcsize(fmt)
            except struct.error:
                r.check(pk_to_dlpack(fmt) is None and pk_to_arrow(fmt) is None, "format %r refused as struct does" % fmt)
                continue
            dl, arrow = pk_to_dlpack(fmt), pk_to_arrow(fmt)
            if c not in NUMERIC:
                # Chars, strings, padding: no DLPack dtype; Arrow fixed-size binary.
                r.check(dl is None, "format %r has no DLPack dtype" % fmt, None, dl)
                r.equal("format %r to_arrow" % fmt, "w:%d" % size, arrow)
                continue
            # numpy reads no 'P' from a memoryview: the struct module's
            # unsigned pointer-sized integer is the reference there.
            dt = np.dtype("u%d" % size) if c == "P" else numpy_dtype_of(fmt)
            if not r.check(dt is not None and dt.itemsize == size, "numpy reads format %r" % fmt, size, dt):
                continue
            native = size == 1 or p in ("", "@", "=", NATIVE_PREFIX) or (p == "!" and sys.byteorder == "big")
            case = "format %r (numpy %s)" % (fmt, dt.str)
            r.equal(case + " byte order as numpy reads it", dt.isnative or size == 1, native)
            if not native:
                # DLPack and Arrow hold native numbers only (pyarrow's
                # from_numpy_dtype drops the byte order; pepkit refuses).
                r.check(dl is None and arrow is None, case + " non-native refused", None, (dl, arrow))
                continue
            dt = dt.newbyteorder("=")
            # numpy's own DLPack export of that dtype is the oracle.
            r.equal(case + " to_dlpack", numpy_dlpack_dtype(dt), dl)
            back = pk_from_dlpack(*dl) if dl else None
            r.check(back is not None and numpy_dtype_of(back) == dt, case + " from_dlpack", dt, back)
            # pyarrow's type for that dtype; Arrow's bool is bit-packed: refused.
            want = None if dt.kind == "b" else arrow_format_of(pa.from_numpy_dtype(dt))
            r.equal(case + " to_arrow", want, arrow)
            if arrow:
                back = pk_from_arrow(arrow)
                r.check(back is not None and numpy_dtype_of(back) == dt, case + " from_arrow", dt, back)
    # Two floats are the memory of a C complex: DLPack complex, Arrow binary.
    for fmt, dt in (("2f", "c8"), ("2d", "c16"), ("=2f", "c8"), (NATIVE_PREFIX + "2d", "c16")):
        r.equal("format %r to_dlpack" % fmt, numpy_dlpack_dtype(np.dtype(dt)), pk_to_dlpack(fmt))
        r.equal("format %r to_arrow" % fmt, "w:%d" % np.dtype(dt).itemsize, pk_to_arrow(fmt))
    # Several fields or repeats: no DLPack dtype, Arrow binary of calcsize bytes.
    for fmt in ("3s", "ih", "2i", "5p", "xi", "@hq", "<hq", "3e", "?b"):
        r.check(pk_to_dlpack(fmt) is None, "format %r has no DLPack dtype" % fmt)
        r.equal("format %r to_arrow" % fmt, "w:%d" % struct.calcsize(fmt), pk_to_arrow(fmt))
    # Every DLPack dtype numpy has, the other way.
    for code, bits_list in ((0, (8, 16, 32, 64)), (1, (8, 16, 32, 64)), (2, (16, 32, 64)), (6, (8,)), (5, (64, 128))):
        for bits in bits_list:
            fmt = pk_from_dlpack(code, bits)
            dt = np.dtype({0: "i", 1: "u", 2: "f", 6: "?", 5: "c"}[code] + ("" if code == 6 else str(bits // 8)))
            r.check(fmt is not None and pk_to_dlpack(fmt) == (code, bits, 1) and
                    (numpy_dtype_of(fmt) == dt or code == 5), "dlpack (%d, %d)" % (code, bits), dt, fmt)
    for code, bits, lanes in ((4, 16, 1), (2, 32, 4), (0, 12, 1), (3, 64, 1)):
        r.check(pk_from_dlpack(code, bits, lanes) is None, "dlpack (%d, %d, %d) refused" % (code, bits, lanes))
    # Every pyarrow primitive with a fixed width, the other way.
    for t in (pa.int8(), pa.uint8(), pa.int16(), pa.uint16(), pa.int32(), pa.uint32(), pa.int64(), pa.uint64(),
              pa.float16(), pa.float32(), pa.float64(), pa.binary(7)):
        f = arrow_format_of(t)
        fmt = pk_from_arrow(f)
        want = np.dtype("S7") if t == pa.binary(7) else t.to_pandas_dtype()
        r.check(fmt is not None and numpy_dtype_of(fmt) == np.dtype(want) and pk_to_arrow(fmt) == f,
                "arrow %s (%s)" % (t, f), want, fmt)
    for t in (pa.bool_(), pa.string(), pa.binary(), pa.date32(), pa.null()):
        r.check(pk_from_arrow(arrow_format_of(t)) is None, "arrow %s refused" % t)
    r.part("format mapping vs numpy and pyarrow", before)


# ------------------------------------------------------------- DLPack ----

DL_FORMATS = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "P", "e", "f", "d", "?", "2f", "2d",
              "=h", "=l", NATIVE_PREFIX + "I"]


def random_values(rng, dt, n):
    """n values of numpy dtype dt (no NaN), as an array."""
    if dt.kind == "b":
        return np.array([rng.random() < 0.5 for _ in range(n)], dtype=dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return np.array([rng.randint(int(info.min), int(info.max)) for _ in range(n)], dtype=dt)
    if dt.kind == "c":
        return np.array([complex(rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)) for _ in range(n)], dtype=dt)
    return np.array([rng.uniform(-1e3, 1e3) for _ in range(n)], dtype=dt)


def random_shape(rng, lo=0, hi=4):
    return [0 if rng.random() < 0.08 else rng.randint(1, 4) for _ in range(rng.randint(lo, hi))]


def random_slices(rng, ndim):
    return [(rng.choice([NONE, rng.randint(-5, 5)]), rng.choice([NONE, rng.randint(-5, 5)]),
             rng.choice([1, 1, 2, 3, -1, -2])) for _ in range(ndim)]


class PepkitTensor:
    """A pepkit exporter offered to numpy through __dlpack__."""

    def __init__(self, o, legacy):
        self.o, self.legacy = o, legacy
        self.calls = []

    def __dlpack_device__(self):
        return (1, 0)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        self.calls.append(max_version)
        if self.legacy or max_version is None or max_version[0] < 1:
            if not self.legacy:
                raise BufferError("test wants the versioned struct")
            p = c_void_p()
            if lib.pepkit_dlpack_export_legacy(self.o, 0, byref(p)) != 0:
                raise BufferError(last_error(lib))
            return api.PyCapsule_New(p, DLTENSOR, DL_DESTRUCTOR)
        p = c_void_p()
        if lib.pepkit_dlpack_export(self.o, 0, byref(p)) != 0:
            raise BufferError(last_error(lib))
        return api.PyCapsule_New(p, DLTENSOR_V, DL_DESTRUCTOR)


class LegacyOnly(PepkitTensor):
    # A producer from before max_version: numpy retries without it.
    def __dlpack__(self, stream=None):
        p = c_void_p()
        if lib.pepkit_dlpack_export_legacy(self.o, 0, byref(p)) != 0:
            raise BufferError(last_error(lib))
        return api.PyCapsule_New(p, DLTENSOR, DL_DESTRUCTOR)


def part_numpy_consumes(r, n):
    before = r.mark()
    for i in range(n):
        rng = r.rng
        fmt = rng.choice(DL_FORMATS)
        shape = random_shape(rng)
        dt = np_dtype(fmt)
        count = int(np.prod(shape)) if shape else 1
        vals = random_values(rng, dt, count)
        legacy = rng.random() < 0.3
        readonly = not legacy and rng.random() < 0.3
        base = pk_ndarray(fmt, shape, vals.tobytes(), readonly)
        view = pk_slice(base, random_slices(rng, len(shape))) if shape else base
        if view is not base:
            lib.pepkit_decref(base)
        case = "np.from_dlpack(pepkit %r shape %r %s%s) #%d" % (fmt, shape, "legacy" if legacy else "versioned",
                                                              " read-only" if readonly else "", i)
        try:
            buf, vshape, vstrides, vro, vfmt, itemsize, raw = pk_view(view)
            producer = LegacyOnly(view, True) if legacy else PepkitTensor(view, False)
            a = np.from_dlpack(producer)
            ok = (a.shape == vshape and (a.size == 0 or a.strides == vstrides or
                                         all(s == 1 for s in a.shape)) and
                  a.dtype.itemsize == itemsize and a.dtype.kind == dt.kind and a.tobytes() == raw and
                  (a.flags.writeable == (not vro and not legacy) or a.size == 0) and exports(view) == 1)
            if a.size:
                ok = ok and a.__array_interface__["data"][0] == buf
            # numpy marks arrays from legacy capsules read-only (they cannot say).
            r.check(ok, case, (vshape, vstrides, buf, not vro and not legacy), (a.shape, a.strides,
                                                                 a.__array_interface__["data"][0],
                                                                 a.flags.writeable))
            del a
            r.check(exports(view) == 0, case + ": export released when numpy drops the array", 0, exports(view))
        except Exception:
            r.crashed(case)
        lib.pepkit_decref(view)
    # An unconsumed capsule deletes its tensor in its destructor, once.
    o = pk_ndarray("d", [3])
    d0 = destructor_deletes[0]
    cap = PepkitTensor(o, False).__dlpack__(max_version=(1, 0))
    r.check(exports(o) == 1 and api.PyCapsule_GetName(cap) == DLTENSOR_V, "capsule holds an export")
    del cap
    r.check(exports(o) == 0 and destructor_deletes[0] == d0 + 1, "unconsumed capsule deleted", 0, exports(o))
    ro = pk_ndarray("d", [3], readonly=True)
    try:
        np.from_dlpack(LegacyOnly(ro, True))
        r.check(False, "legacy export of read-only memory refused")
    except BufferError:
        r.check(exports(ro) == 0, "legacy export of read-only memory refused")
    lib.pepkit_decref(ro)
    lib.pepkit_decref(o)
    r.part("numpy.from_dlpack on pepkit tensors", before)


NP_DTYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "?", "c8", "c16"]


def import_capsule(cap, legacy):
    """pepkit_dlpack_import(_legacy) of a capsule's tensor; renames it when taken."""
    name = DLTENSOR if legacy else DLTENSOR_V
    p = api.PyCapsule_GetPointer(cap, name)
    o = c_void_p()
    fn = lib.pepkit_dlpack_import_legacy if legacy else lib.pepkit_dlpack_import
    rc = fn(p, byref(o))
    if rc == 0:
        api.PyCapsule_SetName(cap, USED if legacy else USED_V)
        return o
    return None


def part_pepkit_consumes_numpy(r, n):
    before = r.mark()
    for i in range(n):
        rng = r.rng
        dt = np.dtype(rng.choice(NP_DTYPES))
        shape = random_shape(rng)
        a = random_values(rng, dt, int(np.prod(shape)) if shape else 1).reshape(shape)
        if shape:
            a = a[tuple(slice(None if s == NONE else s, None if e == NONE else e, st)
                        for s, e, st in random_slices(rng, len(shape)))]
        legacy = rng.random() < 0.3
        if not legacy and rng.random() < 0.3:
            a.flags.writeable = False
        case = "pepkit import of numpy %s %r strides %r %s #%d" % (dt.str, a.shape, a.strides,
                                                                 "legacy" if legacy else "versioned", i)
        try:
            refs = sys.getrefcount(a)
            cap = a.__dlpack__() if legacy else a.__dlpack__(max_version=(1, 0))
            o = import_capsule(cap, legacy)
            if not r.check(o is not None, case, "imported", last_error(lib)):
                continue
            del cap
            buf, shape_, strides, ro, fmt, itemsize, raw = pk_view(o)
            dl = pk_to_dlpack(fmt)
            ok = (shape_ == a.shape and (a.size == 0 or strides == a.strides or all(s == 1 for s in a.shape)) and
                  ro == (not a.flags.writeable) and itemsize == dt.itemsize and KDL.get(dl[0]) == dt.kind and
                  raw == a.tobytes() and (a.size == 0 or buf == a.__array_interface__["data"][0]) and
                  sys.getrefcount(a) == refs + 1)
            r.check(ok, case, (a.shape, a.strides, not a.flags.writeable, dt.str, refs + 1),
                    (shape_, strides, ro, fmt, sys.getrefcount(a)))
            lib.pepkit_decref(o)
            r.check(sys.getrefcount(a) == refs, case + ": numpy's deleter ran once", refs, sys.getrefcount(a))
        except Exception:
            r.crashed(case)
    # A second DLPack producer: pyarrow's (Arrow C++'s own DLPack export).
    for i in range(max(1, n // 4)):
        rng = r.rng
        dt = np.dtype(rng.choice(["i1", "u2", "i4", "u8", "f4", "f8"]))
        vals = random_values(rng, dt, rng.randint(0, 12))
        arr = pa.array(vals)
        if len(arr) > 1 and rng.random() < 0.5:
            start = rng.randint(0, len(arr) - 1)
            arr = arr[start:]
        case = "pepkit import of pyarrow.Array.__dlpack__ %s len %d offset %d" % (dt.str, len(arr), arr.offset)
        try:
            cap = arr.__dlpack__()
            name = api.PyCapsule_GetName(cap)
            o = import_capsule(cap, name == DLTENSOR)
            if not r.check(o is not None, case, "imported", last_error(lib)):
                continue
            del cap
            buf, shape_, strides, ro, fmt, itemsize, raw = pk_view(o)
            want_buf = arr.buffers()[1].address + arr.offset * dt.itemsize
            r.check(shape_ == (len(arr),) and raw == arr.to_numpy().tobytes() and
                    (len(arr) == 0 or buf == want_buf), case, (len(arr), want_buf), (shape_, buf))
            lib.pepkit_decref(o)
        except Exception:
            r.crashed(case)
    r.part("pepkit importing numpy's and pyarrow's DLPack capsules", before)


# -------------------------------------------------------------- Arrow ----

ARROW_FORMATS = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "P", "e", "f", "d", "3s", "c", "ih",
                 "2f"]


def arrow_of_pepkit(o):
    """pyarrow.Array._import_from_c of pepkit_arrow_export(o)."""
    s, a = ArrowSchema(), ArrowArray()
    if lib.pepkit_arrow_export(o, byref(s), byref(a)) != 0:
        raise BufferError(last_error(lib))
    return pa.Array._import_from_c(ctypes.addressof(a), ctypes.addressof(s))


def part_pyarrow_consumes(r, n):
    before = r.mark()
    for i in range(n):
        rng = r.rng
        fmt = rng.choice(ARROW_FORMATS)
        shape = random_shape(rng, 1, 4)
        dt = np_dtype(fmt)
        numeric = dt is not None and dt.kind in "iuf"
        count = int(np.prod(shape))
        size = ctypes.c_ssize_t()
        lib.pepkit_format_calcsize(fmt.encode(), byref(size))
        if numeric:
            raw_in = random_values(rng, dt, count).tobytes()
        else:
            raw_in = bytes(rng.randrange(256) for _ in range(count * size.value))
        o = pk_ndarray(fmt, shape, raw_in)
        rows = (rng.randint(0, 2), rng.randint(0, 5), 1)
        view = pk_slice(o, [rows])
        lib.pepkit_decref(o)
        buf, vshape, _, _, _, itemsize, raw = pk_view(view)
        case = "pa.Array._import_from_c(pepkit %r shape %r) #%d" % (fmt, vshape, i)
        try:
            arr = arrow_of_pepkit(view)
            arr.validate(full=True)
            item_type = pa.from_numpy_dtype(dt) if numeric else pa.binary(itemsize)
            nd = np.frombuffer(raw, dtype=dt if numeric else "S%d" % itemsize).reshape(vshape) if numeric else None
            ok = len(arr) == vshape[0] and exports(view) == 1 and arr.null_count == 0
            if len(vshape) == 1:
                ok = ok and arr.type == item_type and (len(arr) == 0 or arr.buffers()[1].address == buf)
                if numeric:
                    ok = ok and np.array_equal(arr.to_numpy(zero_copy_only=True), nd)
                else:
                    ok = ok and arr.to_pylist() == [raw[k:k + itemsize] for k in range(0, len(raw), itemsize)]
            else:
                want_type = pa.fixed_shape_tensor(item_type, list(vshape[1:]), permutation=list(range(len(vshape) - 1)))
                if numeric and nd.size:
                    ref = pa.FixedShapeTensorArray.from_numpy_ndarray(nd.copy())
                    want_type = ref.type
                    ok = ok and np.array_equal(arr.to_numpy_ndarray(), nd)
                    ok = ok and arr.storage.equals(ref.storage)
                ok = ok and arr.type == want_type and arr.type.shape == list(vshape[1:])
                ok = ok and (arr.storage.values.buffers()[1].address == buf or nd is None or nd.size == 0)
            r.check(ok, case, (vshape, str(item_type)), (len(arr), str(arr.type), exports(view)))
            del arr
            r.check(exports(view) == 0, case + ": released", 0, exports(view))
        except Exception:
            r.crashed(case)
        lib.pepkit_decref(view)
    r.part("pyarrow importing pepkit's Arrow exports", before)


def pepkit_of_arrow(arr):
    s, a = ArrowSchema(), ArrowArray()
    arr._export_to_c(ctypes.addressof(a), ctypes.addressof(s))
    o = c_void_p()
    rc = lib.pepkit_arrow_import(byref(s), byref(a), byref(o))
    return rc, o, s, a


PA_TYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]


def part_pepkit_consumes_pyarrow(r, n):
    before = r.mark()
    for i in range(n):
        rng = r.rng
        dt = np.dtype(rng.choice(PA_TYPES))
        tensor = rng.random() < 0.35
        if tensor:
            shape = [rng.randint(1, 5)] + [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
            nd = random_values(rng, dt, int(np.prod(shape))).reshape(shape)
            arr = pa.FixedShapeTensorArray.from_numpy_ndarray(nd)
            if len(arr) > 1 and rng.random() < 0.5:
                k = rng.randint(1, len(arr) - 1)
                arr, nd = arr[k:], nd[k:]
        else:
            # Built from Python values: pyarrow's allocation, not numpy's.
            vals = random_values(rng, dt, rng.randint(0, 30))
            arr = pa.array(vals.tolist(), type=pa.from_numpy_dtype(dt))
            nd = vals
            if len(arr) > 2 and rng.random() < 0.5:
                a0, b0 = sorted((rng.randint(0, len(arr)), rng.randint(0, len(arr))))
                arr, nd = arr[a0:b0], vals[a0:b0]
        case = "pepkit import of pyarrow %s len %d offset %d #%d" % (arr.type, len(arr), arr.offset, i)
        try:
            allocated = pa.total_allocated_bytes()
            rc, o, s, a = pepkit_of_arrow(arr)
            if not r.check(rc == 0, case, "imported", last_error(lib)):
                continue
            r.check(s.release is None or not s.release, case + ": moved", None, "release still set")
            buf, shape_, strides, ro, fmt, itemsize, raw = pk_view(o)
            storage = arr.storage.values if tensor else arr
            want_buf = storage.buffers()[1].address + (storage.offset + (arr.offset * int(np.prod(nd.shape[1:]))
                                                                           if tensor else 0)) * dt.itemsize
            ok = (shape_ == nd.shape and ro and raw == np.ascontiguousarray(nd).tobytes() and
                  np.dtype(numpy_dtype_of(fmt)) == dt and (nd.size == 0 or buf == want_buf))
            r.check(ok, case, (nd.shape, dt.str, want_buf), (shape_, fmt, buf))
            del arr, storage
            held = pa.total_allocated_bytes()
            lib.pepkit_decref(o)
            r.check(tensor or pa.total_allocated_bytes() <= held, case + ": release ran", held, pa.total_allocated_bytes())
            r.check(pa.total_allocated_bytes() <= allocated, case + ": nothing leaked", allocated,
                    pa.total_allocated_bytes())
        except Exception:
            r.crashed(case)
    # Refused: nulls, booleans, strings. The structs stay the caller's.
    for arr in (pa.array([1, None, 3]), pa.array([True, False]), pa.array(["a", "b"]),
                pa.array([1, 2, 3]).dictionary_encode()):
        allocated = pa.total_allocated_bytes()
        rc, o, s, a = pepkit_of_arrow(arr)
        ok = rc != 0 and o.value is None and bool(s.release) and bool(a.release)
        # Give them back to pyarrow, which releases them.
        back = pa.Array._import_from_c(ctypes.addressof(a), ctypes.addressof(s)) if ok else None
        r.check(ok and back.equals(arr), "refused %s: %s" % (arr.type, last_error(lib)))
    r.part("pepkit importing pyarrow's Arrow exports", before)


# ---------------------------------------------------------- nanoarrow ----


class PepkitArrow:
    """A pepkit exporter offered through the Arrow PyCapsule protocol."""

    def __init__(self, o):
        self.o = o

    def __arrow_c_array__(self, requested_schema=None):
        s = libc.malloc(ctypes.sizeof(ArrowSchema))
        a = libc.malloc(ctypes.sizeof(ArrowArray))
        if lib.pepkit_arrow_export(self.o, s, a) != 0:
            libc.free(s)
            libc.free(a)
            raise BufferError(last_error(lib))
        return (api.PyCapsule_New(s, ARROW_SCHEMA, ARROW_DESTRUCTOR),
                api.PyCapsule_New(a, ARROW_ARRAY, ARROW_DESTRUCTOR))


def part_nanoarrow(r, n):
    before = r.mark()
    if na is None:
        print("SKIPPED: nanoarrow is not installed")
        return
    for i in range(n):
        rng = r.rng
        fmt = rng.choice(["b", "B", "h", "H", "i", "I", "q", "Q", "f", "d", "3s"])
        shape = random_shape(rng, 1, 3)
        dt = np_dtype(fmt) or np.dtype("S%d" % int(fmt[0]))
        count = int(np.prod(shape))
        raw_in = (random_values(rng, dt, count).tobytes() if dt.kind in "iuf"
                  else bytes(rng.randrange(256) for _ in range(count * dt.itemsize)))
        o = pk_ndarray(fmt, shape, raw_in)
        buf, vshape, _, _, _, itemsize, raw = pk_view(o)
        case = "nanoarrow.c_array(pepkit %r shape %r) #%d" % (fmt, vshape, i)
        try:
            c = na.c_array(PepkitArrow(o))
            ok = c.length == vshape[0] and c.null_count == 0 and exports(o) == 1
            if len(vshape) == 1:
                ok = ok and (c.length == 0 or c.buffers[1] == buf)
                vals = na.Array(c).to_pylist()
                want = (np.frombuffer(raw, dt).tolist() if dt.kind in "iuf"
                        else [raw[k:k + itemsize] for k in range(0, len(raw), itemsize)])
                ok = ok and vals == want and c.schema.format == pk_to_arrow(fmt)
            else:
                width = int(np.prod(vshape[1:]))
                ok = ok and c.schema.format == "+w:%d" % width and c.n_children == 1
                ok = ok and c.schema.metadata[b"ARROW:extension:name"] == b"arrow.fixed_shape_tensor"
                ok = ok and c.child(0).length == vshape[0] * width
                ok = ok and (c.child(0).length == 0 or c.child(0).buffers[1] == buf)
            r.check(ok, case, vshape, (c.length, c.schema.format))
            del c
            r.check(exports(o) == 0, case + ": released", 0, exports(o))
        except Exception:
            r.crashed(case)
        lib.pepkit_decref(o)
    # nanoarrow as the producer: its own buffers.
    types = [(na.int8(), "i1"), (na.uint16(), "u2"), (na.int32(), "i4"), (na.int64(), "i8"), (na.float32(), "f4"),
             (na.float64(), "f8")]
    for i in range(n):
        rng = r.rng
        t, dts = rng.choice(types)
        dt = np.dtype(dts)
        vals = random_values(rng, dt, rng.randint(0, 20)).tolist()
        c = na.c_array(vals, t)
        case = "pepkit import of nanoarrow %s len %d #%d" % (dts, len(vals), i)
        try:
            sc, ac = c.__arrow_c_array__()
            sp = api.PyCapsule_GetPointer(sc, ARROW_SCHEMA)
            ap = api.PyCapsule_GetPointer(ac, ARROW_ARRAY)
            data = ArrowArray.from_address(ap).buffers[1]
            o = c_void_p()
            if not r.check(lib.pepkit_arrow_import(sp, ap, byref(o)) == 0, case, "imported", last_error(lib)):
                continue
            r.check(not ArrowArray.from_address(ap).release and not ArrowSchema.from_address(sp).release,
                    case + ": moved")
            del sc, ac
            buf, shape_, _, ro, fmt, _, raw = pk_view(o)
            r.check(shape_ == (len(vals),) and ro and np.frombuffer(raw, dt).tolist() == vals and
                    (not vals or buf == data), case, (len(vals), data), (shape_, buf))
            lib.pepkit_decref(o)
        except Exception:
            r.crashed(case)
    r.part("nanoarrow both ways", before)


def main():
    r = Report("test_interchange")
    part_formats(r)
    part_numpy_consumes(r, r.cases(1500))
    part_pepkit_consumes_numpy(r, r.cases(1500))
    part_pyarrow_consumes(r, r.cases(1000))
    part_pepkit_consumes_pyarrow(r, r.cases(1000))
    part_nanoarrow(r, r.cases(500))
    r.finish()


if __name__ == "__main__":
    main()
