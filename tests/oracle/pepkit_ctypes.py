"""Shared ctypes bindings and harness for the CPython oracle tests.

One place for: loading libpepkit.so, the pepkit_buffer / Py_buffer structure
(one layout serves both), pepkit_layout, the PEPKIT_BUF_* flags and status
names, the prototypes of the pepkit functions and of the CPython C API
functions the oracle calls through ctypes.pythonapi, reading a filled buffer
into comparable Python values, and the seed / pass-fail bookkeeping every
script shares.

Runs on every CPython from 3.6 on: no syntax newer than 3.6.
"""

import ctypes
import faulthandler
import os
import random
import sys
import traceback
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_int,
                    c_int32, c_size_t, c_ssize_t, c_void_p)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Exit status of a script that cannot run on this interpreter (it prints
# "SKIPPED: <reason>" first); the suite counts it as skipped.
EXIT_SKIPPED = 77

# ---------------------------------------------------------------- flags ----

SIMPLE = 0
WRITABLE = 0x0001
FORMAT = 0x0004
ND = 0x0008
STRIDES = 0x0010 | ND
C_CONTIGUOUS = 0x0020 | STRIDES
F_CONTIGUOUS = 0x0040 | STRIDES
ANY_CONTIGUOUS = 0x0080 | STRIDES
INDIRECT = 0x0100 | STRIDES
CONTIG = ND | WRITABLE
CONTIG_RO = ND
STRIDED = STRIDES | WRITABLE
STRIDED_RO = STRIDES
RECORDS = STRIDES | WRITABLE | FORMAT
RECORDS_RO = STRIDES | FORMAT
FULL = INDIRECT | WRITABLE | FORMAT
FULL_RO = INDIRECT | FORMAT
READ = 0x100
WRITE = 0x200

# Every request constant of CPython's pybuffer.h.
REQUEST_CONSTANTS = [
    ("SIMPLE", SIMPLE), ("ND", ND), ("STRIDES", STRIDES),
    ("C_CONTIGUOUS", C_CONTIGUOUS), ("F_CONTIGUOUS", F_CONTIGUOUS),
    ("ANY_CONTIGUOUS", ANY_CONTIGUOUS), ("INDIRECT", INDIRECT),
    ("CONTIG", CONTIG), ("CONTIG_RO", CONTIG_RO), ("STRIDED", STRIDED),
    ("STRIDED_RO", STRIDED_RO), ("RECORDS", RECORDS),
    ("RECORDS_RO", RECORDS_RO), ("FULL", FULL), ("FULL_RO", FULL_RO),
]


def _request_matrix():
    """Every request constant with and without WRITABLE and FORMAT, once each."""
    seen = {}
    for name, value in REQUEST_CONSTANTS:
        for extra, suffix in ((0, ""), (WRITABLE, "|WRITABLE"), (FORMAT, "|FORMAT"),
                              (WRITABLE | FORMAT, "|WRITABLE|FORMAT")):
            seen.setdefault(value | extra, name + suffix)
    return sorted(seen.items())


# [(flags, name)]: 28 distinct request values.
REQUESTS = _request_matrix()


def flags_name(flags):
    for value, name in REQUESTS:
        if value == flags:
            return "%s (%#x)" % (name, flags)
    return {READ: "READ (0x100)", WRITE: "WRITE (0x200)"}.get(flags, "%#x" % flags)


# CPython 3.13 refuses PyBUF_READ / PyBUF_WRITE as a getbuffer request or a
# PyBuffer_FillInfo flag with SystemError (gh-114685); pepkit refuses them with
# PEPKIT_ERR_VALUE (it has no SystemError). Older CPythons accept them, so the
# comparison only runs from 3.13 on.
ACCESS_FLAGS_REFUSED = sys.version_info >= (3, 13)

# ------------------------------------------------------------- statuses ----

STATUS_NAMES = {
    0: "PEPKIT_OK", 1: "PEPKIT_ERR_BUFFER", 2: "PEPKIT_ERR_VALUE",
    3: "PEPKIT_ERR_TYPE", 4: "PEPKIT_ERR_INDEX",
    5: "PEPKIT_ERR_NOT_IMPLEMENTED", 6: "PEPKIT_ERR_OVERFLOW",
    7: "PEPKIT_ERR_NO_MEMORY", 8: "PEPKIT_ERR_OS", 9: "PEPKIT_ERR_NOT_FOUND",
    10: "PEPKIT_ERR_EXISTS", 11: "PEPKIT_ERR_SUBPROCESS",
    12: "PEPKIT_ERR_NULL_ARGUMENT", 13: "PEPKIT_ERR_PANIC",
}
OK, ERR_BUFFER, ERR_VALUE, ERR_TYPE, ERR_INDEX = 0, 1, 2, 3, 4
ERR_OVERFLOW = 6

# The CPython exception class each status stands for (SPEC, "Errors").
STATUS_EXCEPTION = {
    1: "BufferError", 2: "ValueError", 3: "TypeError", 4: "IndexError",
    5: "NotImplementedError", 6: "OverflowError", 7: "MemoryError",
}


def outcome_of_status(status):
    """pepkit's side of a comparison: "ok" or the exception class's name."""
    if status == OK:
        return "ok"
    return STATUS_EXCEPTION.get(status, STATUS_NAMES.get(status, "status %d" % status))


# ------------------------------------------------------------ structures ----


class Buffer(ctypes.Structure):
    """pepkit_buffer, which is exactly CPython's Py_buffer."""
    _fields_ = [
        ("buf", c_void_p), ("obj", c_void_p), ("len", c_ssize_t),
        ("itemsize", c_ssize_t), ("readonly", c_int), ("ndim", c_int),
        ("format", c_void_p), ("shape", POINTER(c_ssize_t)),
        ("strides", POINTER(c_ssize_t)), ("suboffsets", POINTER(c_ssize_t)),
        ("internal", c_void_p),
    ]


assert ctypes.sizeof(Buffer) == 10 * ctypes.sizeof(c_void_p)


class Layout(ctypes.Structure):
    """pepkit_layout."""
    _fields_ = [
        ("base", c_void_p), ("size", c_size_t), ("offset", c_ssize_t),
        ("format", c_char_p), ("itemsize", c_ssize_t), ("ndim", c_int),
        ("shape", POINTER(c_ssize_t)), ("strides", POINTER(c_ssize_t)),
        ("suboffsets", POINTER(c_ssize_t)), ("readonly", c_int),
    ]


RELEASE_FN = CFUNCTYPE(None, c_void_p)

# PEPKIT_NONE: an omitted slice bound (PTRDIFF_MIN).
NONE = -(1 << (8 * ctypes.sizeof(c_void_p) - 1))


class Slice(ctypes.Structure):
    """pepkit_slice."""
    _fields_ = [("start", c_ssize_t), ("stop", c_ssize_t), ("step", c_ssize_t)]

    @classmethod
    def of(cls, s):
        """From a Python slice."""
        f = lambda v: NONE if v is None else v
        return cls(f(s.start), f(s.stop), f(s.step))


class Value(ctypes.Structure):
    """pepkit_value."""
    _fields_ = [("kind", c_int), ("i", ctypes.c_int64), ("u", ctypes.c_uint64), ("f", ctypes.c_double),
                ("b", ctypes.c_bool), ("bytes", c_void_p), ("len", c_size_t)]


VALUE_INT, VALUE_UINT, VALUE_FLOAT, VALUE_BOOL, VALUE_BYTES = range(5)


def ssize_array(values):
    """A ctypes Py_ssize_t array holding `values` (None for None)."""
    if values is None:
        return None
    return (c_ssize_t * max(len(values), 1))(*values)


def _array(ptr, n):
    if not ptr:
        return None
    return tuple(ptr[i] for i in range(n))


def describe(view):
    """Every field of a filled buffer, as comparable values: pointers become
    addresses or None, format a bytes string or None, arrays tuples or None."""
    n = view.ndim
    return {
        "buf": view.buf, "len": view.len, "itemsize": view.itemsize,
        "readonly": view.readonly, "ndim": n,
        "format": ctypes.string_at(view.format) if view.format else None,
        "shape": _array(view.shape, n), "strides": _array(view.strides, n),
        "suboffsets": _array(view.suboffsets, n),
    }


def raw(view):
    """The 80 bytes of a buffer struct."""
    return ctypes.string_at(ctypes.addressof(view), ctypes.sizeof(view))


# ----------------------------------------------------------- the library ----


def library_path(argv=None):
    """The library: argv[1], else $PEPKIT_LIB, else target/release/libpepkit.so."""
    argv = sys.argv if argv is None else argv
    if len(argv) > 1 and argv[1]:
        return argv[1]
    return os.environ.get("PEPKIT_LIB") or os.path.join(REPO, "target", "release", "libpepkit.so")


def load_pepkit(path=None):
    lib = ctypes.CDLL(path or library_path())
    st = c_int32
    pbuf = POINTER(Buffer)
    obj = c_void_p
    protos = {
        "pepkit_last_error": (c_char_p, []),
        "pepkit_status_name": (c_char_p, [st]),
        "pepkit_getbuffer": (st, [obj, pbuf, c_int]),
        "pepkit_releasebuffer": (st, [pbuf]),
        "pepkit_buffer_is_contiguous": (c_int, [pbuf, c_char]),
        "pepkit_buffer_get_pointer": (st, [pbuf, POINTER(c_ssize_t), c_size_t, POINTER(c_void_p)]),
        "pepkit_buffer_to_contiguous": (st, [c_void_p, pbuf, c_ssize_t, c_char]),
        "pepkit_buffer_from_contiguous": (st, [pbuf, c_void_p, c_ssize_t, c_char]),
        "pepkit_buffer_fill_contiguous_strides": (st, [c_int, POINTER(c_ssize_t), POINTER(c_ssize_t), c_int, c_char]),
        "pepkit_buffer_fill_info": (st, [pbuf, obj, c_void_p, c_ssize_t, c_int, c_int]),
        "pepkit_incref": (None, [obj]),
        "pepkit_decref": (None, [obj]),
        "pepkit_refcount": (c_ssize_t, [obj]),
        "pepkit_exports": (c_ssize_t, [obj]),
        "pepkit_type_name": (c_char_p, [obj]),
        "pepkit_bytes_new": (st, [c_char_p, c_size_t, POINTER(obj)]),
        "pepkit_bytearray_new": (st, [c_char_p, c_size_t, POINTER(obj)]),
        "pepkit_ndarray_new": (st, [c_char_p, c_int, POINTER(c_ssize_t), c_char, c_int, POINTER(obj)]),
        "pepkit_wrap_new": (st, [POINTER(Layout), RELEASE_FN, c_void_p, POINTER(obj)]),
        "pepkit_format_calcsize": (st, [c_char_p, POINTER(c_ssize_t)]),
        "pepkit_free": (None, [c_void_p]),
        "pepkit_memoryview_new": (st, [obj, POINTER(obj)]),
        "pepkit_memoryview_from_buffer": (st, [pbuf, POINTER(obj)]),
        "pepkit_memoryview_from_memory": (st, [c_void_p, c_ssize_t, c_int, POINTER(obj)]),
        "pepkit_memoryview_buffer": (pbuf, [obj]),
        "pepkit_memoryview_len": (c_ssize_t, [obj]),
        "pepkit_memoryview_get_item": (st, [obj, POINTER(c_ssize_t), c_size_t, POINTER(Value)]),
        "pepkit_memoryview_set_item": (st, [obj, POINTER(c_ssize_t), c_size_t, POINTER(Value)]),
        "pepkit_memoryview_slice": (st, [obj, POINTER(Slice), c_size_t, POINTER(obj)]),
        "pepkit_memoryview_subview": (st, [obj, c_ssize_t, POINTER(obj)]),
        "pepkit_memoryview_assign": (st, [obj, POINTER(Slice), c_size_t, obj]),
        "pepkit_memoryview_cast": (st, [obj, c_char_p, POINTER(c_ssize_t), c_int, POINTER(obj)]),
        "pepkit_memoryview_toreadonly": (st, [obj, POINTER(obj)]),
        "pepkit_memoryview_tobytes": (st, [obj, c_char, POINTER(c_void_p), POINTER(c_size_t)]),
        "pepkit_memoryview_tobytes_into": (st, [obj, c_char, c_void_p, c_size_t]),
        "pepkit_memoryview_tolist": (st, [obj, POINTER(c_void_p), POINTER(c_size_t)]),
        "pepkit_memoryview_hex": (st, [obj, c_char_p, c_int, POINTER(c_void_p), POINTER(c_size_t)]),
        "pepkit_memoryview_equal": (st, [obj, obj, POINTER(ctypes.c_bool)]),
        "pepkit_memoryview_hash": (st, [obj, POINTER(c_ssize_t)]),
        "pepkit_memoryview_release": (st, [obj]),
        # import resolution (PEP 420)
        "pepkit_find_spec": (st, [c_char_p, POINTER(c_char_p), c_size_t, POINTER(c_void_p)]),
        "pepkit_find_spec_ex": (st, [c_char_p, POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t,
                                     POINTER(c_void_p)]),
        "pepkit_default_extension_suffixes": (st, [POINTER(c_void_p)]),
        "pepkit_spec_kind": (c_int32, [c_void_p]),
        "pepkit_spec_loader": (c_int32, [c_void_p]),
        "pepkit_spec_name": (c_char_p, [c_void_p]),
        "pepkit_spec_origin": (c_char_p, [c_void_p]),
        "pepkit_spec_search_locations": (st, [c_void_p, POINTER(c_void_p)]),
        "pepkit_spec_free": (None, [c_void_p]),
        "pepkit_strings_len": (c_size_t, [c_void_p]),
        "pepkit_strings_get": (c_char_p, [c_void_p, c_size_t]),
        "pepkit_strings_free": (None, [c_void_p]),
        "pepkit_finder_new": (st, [POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t, POINTER(c_void_p)]),
        "pepkit_finder_new_snapshot": (st, [POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t, ctypes.c_uint64,
                                            POINTER(c_void_p)]),
        "pepkit_finder_find_spec": (st, [c_void_p, c_char_p, POINTER(c_void_p)]),
        "pepkit_finder_invalidate_caches": (st, [c_void_p]),
        "pepkit_finder_free": (None, [c_void_p]),
        "pepkit_venv_open": (st, [c_char_p, POINTER(c_void_p)]),
        "pepkit_venv_free": (None, [c_void_p]),
        "pepkit_venv_sys_path": (st, [c_void_p, POINTER(c_void_p)]),
        "pepkit_venv_pth_imports": (st, [c_void_p, POINTER(c_void_p)]),
        "pepkit_venv_find_spec": (st, [c_void_p, c_char_p, POINTER(c_void_p)]),
        "pepkit_iter_modules": (st, [POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t, POINTER(c_void_p)]),
        "pepkit_walk_packages": (st, [POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t, POINTER(c_void_p)]),
        "pepkit_modules_len": (c_size_t, [c_void_p]),
        "pepkit_modules_name": (c_char_p, [c_void_p, c_size_t]),
        "pepkit_modules_kind": (c_int32, [c_void_p, c_size_t]),
        "pepkit_modules_location": (c_char_p, [c_void_p, c_size_t]),
        "pepkit_modules_free": (None, [c_void_p]),
        "pepkit_module_name_ex": (st, [c_char_p, POINTER(c_char_p), c_size_t, POINTER(c_char_p), c_size_t,
                                       POINTER(c_void_p)]),
        "pepkit_free": (None, [c_void_p]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def last_error(lib):
    return (lib.pepkit_last_error() or b"").decode("utf-8", "replace")


# ------------------------------------------------ import resolution (PEP 420) ----

# pepkit_module_kind values, by the names the oracle compares.
MODULE_KINDS = {0: None, 1: "source", 2: "bytecode", 3: "extension", 4: "package", 5: "namespace"}


def c_strings(items):
    """A ctypes array of C strings (bytes), and its length."""
    items = list(items)
    return (c_char_p * max(len(items), 1))(*items), len(items)


def strings_list(lib, handle):
    """The bytes of a pepkit_strings (freed here); None for NULL."""
    if not handle:
        return None
    try:
        return [lib.pepkit_strings_get(handle, i) for i in range(lib.pepkit_strings_len(handle))]
    finally:
        lib.pepkit_strings_free(handle)


def find_spec(lib, fullname, path, ext_suffixes=None):
    """pepkit_find_spec (ext_suffixes None: the defaults) or _ex: either
    ("ok", kind, loader, origin, locations) with bytes paths and None where
    importlib has None, or ("error", status name, message)."""
    entries, n = c_strings(path)
    out = c_void_p()
    if ext_suffixes is None:
        status = lib.pepkit_find_spec(fullname, entries, n, byref(out))
    else:
        ext, n_ext = c_strings(ext_suffixes)
        status = lib.pepkit_find_spec_ex(fullname, entries, n, ext, n_ext, byref(out))
    return _spec_result(lib, status, out, fullname)


def venv_specs(lib, v, names):
    """pepkit_venv_find_spec of each name in an open venv `v`: {name: (kind,
    origin) or ("namespace", locations) or a status name}."""
    specs = {}
    for name in names:
        out = c_void_p()
        status = lib.pepkit_venv_find_spec(v, name.encode(), byref(out))
        if status != 0:
            specs[name] = STATUS_NAMES.get(status)
            continue
        spec = out.value
        kind = MODULE_KINDS.get(lib.pepkit_spec_kind(spec))
        if kind == "namespace":
            locs = c_void_p()
            lib.pepkit_spec_search_locations(spec, byref(locs))
            specs[name] = (kind, strings_list(lib, locs.value))
        else:
            specs[name] = (kind, lib.pepkit_spec_origin(spec))
        lib.pepkit_spec_free(spec)
    return specs


def list_modules(lib, fn, path, ext_suffixes):
    """pepkit_iter_modules or pepkit_walk_packages (`fn`): a list of
    (name, kind, location) with bytes names, or ("error", status name, message)."""
    entries, n = c_strings(path)
    ext, n_ext = c_strings(ext_suffixes)
    out = c_void_p()
    status = getattr(lib, fn)(entries, n, ext, n_ext, byref(out))
    if status != 0:
        return ("error", STATUS_NAMES.get(status), last_error(lib))
    try:
        return [(lib.pepkit_modules_name(out, i), MODULE_KINDS.get(lib.pepkit_modules_kind(out, i)),
                 lib.pepkit_modules_location(out, i)) for i in range(lib.pepkit_modules_len(out))]
    finally:
        lib.pepkit_modules_free(out)


def module_name(lib, file, path, ext_suffixes):
    """pepkit_module_name_ex: ("ok", name bytes) or ("error", status name, message)."""
    entries, n = c_strings(path)
    ext, n_ext = c_strings(ext_suffixes)
    out = c_void_p()
    status = lib.pepkit_module_name_ex(file, entries, n, ext, n_ext, byref(out))
    if status != 0:
        return ("error", STATUS_NAMES.get(status), last_error(lib))
    try:
        return ("ok", ctypes.string_at(out.value))
    finally:
        lib.pepkit_free(out)


def finder_new(lib, path, ext_suffixes=None, snapshot_ms=None):
    """A pepkit_finder (its address) over `path` (bytes entries) with the
    given extension suffixes (None: the defaults), a snapshot finder when
    snapshot_ms is not None; free with pepkit_finder_free."""
    entries, n = c_strings(path)
    if snapshot_ms is not None:
        out = c_void_p()
        ext, n_ext = c_strings(ext_suffixes or [])
        status = lib.pepkit_finder_new_snapshot(entries, n, ext if ext_suffixes is not None else None, n_ext,
                                                snapshot_ms, byref(out))
        if status != 0:
            raise RuntimeError("pepkit_finder_new_snapshot: %s: %s" % (STATUS_NAMES.get(status), last_error(lib)))
        return out.value
    out = c_void_p()
    if ext_suffixes is None:
        status = lib.pepkit_finder_new(entries, n, None, 0, byref(out))
    else:
        ext, n_ext = c_strings(ext_suffixes)
        status = lib.pepkit_finder_new(entries, n, ext, n_ext, byref(out))
    if status != OK:
        raise RuntimeError("pepkit_finder_new: %s: %s" % (STATUS_NAMES.get(status), last_error(lib)))
    return out.value


def finder_find_spec(lib, finder, fullname):
    """pepkit_finder_find_spec, reported as find_spec reports."""
    out = c_void_p()
    status = lib.pepkit_finder_find_spec(finder, fullname, byref(out))
    return _spec_result(lib, status, out, fullname)


def _spec_result(lib, status, out, fullname):
    if status != OK:
        if out.value:
            return ("error", "out written on failure", STATUS_NAMES.get(status))
        return ("error", STATUS_NAMES.get(status, status), last_error(lib))
    spec = out.value
    try:
        locations = c_void_p()
        st = lib.pepkit_spec_search_locations(spec, byref(locations))
        if st != OK:
            return ("error", "search_locations: " + STATUS_NAMES.get(st, str(st)), last_error(lib))
        name = lib.pepkit_spec_name(spec)
        if name != fullname:
            return ("error", "name %r is not %r" % (name, fullname), "")
        return ("ok", MODULE_KINDS.get(lib.pepkit_spec_kind(spec)), MODULE_KINDS.get(lib.pepkit_spec_loader(spec)),
                lib.pepkit_spec_origin(spec), strings_list(lib, locations.value))
    finally:
        lib.pepkit_spec_free(spec)


# ------------------------------------------------------- the CPython side ----

api = ctypes.pythonapi


def _bind_cpython():
    pbuf = POINTER(Buffer)
    protos = {
        # Raise the Python exception CPython set (pythonapi is a PyDLL).
        "PyObject_GetBuffer": (c_int, [ctypes.py_object, pbuf, c_int]),
        "PyBuffer_Release": (None, [pbuf]),
        "PyBuffer_IsContiguous": (c_int, [pbuf, c_char]),
        "PyBuffer_GetPointer": (c_void_p, [pbuf, POINTER(c_ssize_t)]),
        "PyBuffer_ToContiguous": (c_int, [c_void_p, pbuf, c_ssize_t, c_char]),
        "PyBuffer_FromContiguous": (c_int, [pbuf, c_void_p, c_ssize_t, c_char]),
        "PyBuffer_FillContiguousStrides": (None, [c_int, POINTER(c_ssize_t), POINTER(c_ssize_t), c_int, c_char]),
        "PyBuffer_FillInfo": (c_int, [pbuf, c_void_p, c_void_p, c_ssize_t, c_int, c_int]),
        "PyMemoryView_FromBuffer": (ctypes.py_object, [pbuf]),
        "PyMemoryView_FromMemory": (ctypes.py_object, [c_void_p, c_ssize_t, c_int]),
    }
    missing = []
    for name, (restype, argtypes) in protos.items():
        try:
            fn = getattr(api, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.restype = restype
        fn.argtypes = argtypes
    return missing


MISSING_CPYTHON_API = _bind_cpython()


def cpython_getbuffer(obj, flags):
    """PyObject_GetBuffer(obj, flags): (view, "ok") or (None, exception name)."""
    view = Buffer()
    try:
        api.PyObject_GetBuffer(obj, byref(view), flags)
    except Exception as e:  # the exception class is the result
        return None, type(e).__name__
    return view, "ok"


def pepkit_getbuffer(lib, obj, flags):
    """pepkit_getbuffer(obj, flags): (view, "ok") or (view, exception name);
    the view is returned on failure too, to check that obj stayed NULL."""
    view = Buffer()
    view.obj = 0xdead  # must come back NULL on failure
    return view, outcome_of_status(lib.pepkit_getbuffer(obj, byref(view), flags))


def require_testbuffer():
    """_testbuffer, or a SKIPPED exit saying why not."""
    try:
        import _testbuffer
    except ImportError as e:
        skip("no _testbuffer module (%s)" % e)
    if MISSING_CPYTHON_API:
        skip("CPython API missing: %s" % ", ".join(MISSING_CPYTHON_API))
    return _testbuffer


def skip(reason):
    print("SKIPPED: %s" % reason)
    sys.stdout.flush()
    sys.exit(EXIT_SKIPPED)


# --------------------------------------------------------------- harness ----


def seed_and_scale():
    """The run's seed (PEPKIT_SEED, else random) and case multiplier
    (PEPKIT_ORACLE_SCALE, default 1)."""
    env = os.environ.get("PEPKIT_SEED")
    seed = int(env) if env else random.SystemRandom().randrange(1 << 32)
    scale = float(os.environ.get("PEPKIT_ORACLE_SCALE") or 1)
    return seed, scale


class Report:
    """Counts cases; prints the first mismatches in full and the summary line."""

    MAX_PRINTED = 20

    def __init__(self, name):
        self.name = name
        self.seed, self.scale = seed_and_scale()
        self.rng = random.Random(self.seed)
        self.passed = 0
        self.failed = 0
        faulthandler.enable()  # a crash in pepkit shows the Python stack of the case
        print("%s: python %s, seed %d (rerun with PEPKIT_SEED=%d), scale %g" % (
            name, sys.version.split()[0], self.seed, self.seed, self.scale))
        sys.stdout.flush()

    def cases(self, n):
        """A case count scaled by PEPKIT_ORACLE_SCALE."""
        return max(1, int(n * self.scale))

    def check(self, ok, case, cpython=None, pepkit=None, note=None):
        if ok:
            self.passed += 1
            return True
        self.failed += 1
        if self.failed <= self.MAX_PRINTED:
            print("MISMATCH (seed %d) %s" % (self.seed, case))
            print("    cpython: %r" % (cpython,))
            print("    pepkit:  %r" % (pepkit,))
            if note:
                print("    note:    %s" % note)
        elif self.failed == self.MAX_PRINTED + 1:
            print("(further mismatches not printed)")
        return False

    def equal(self, case, cpython, pepkit):
        return self.check(cpython == pepkit, case, cpython, pepkit)

    def crashed(self, case):
        """A Python exception inside the test's own code for one case."""
        self.check(False, case, "test raised", traceback.format_exc().strip().splitlines()[-1],
                   note=traceback.format_exc() if self.failed < 3 else None)

    def part(self, label, before):
        """Prints how many cases a part ran (`before` = (passed, failed) at its start)."""
        p, f = self.passed - before[0], self.failed - before[1]
        print("  %s: %d passed, %d failed" % (label, p, f))
        sys.stdout.flush()

    def mark(self):
        return (self.passed, self.failed)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)
