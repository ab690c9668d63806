"""DLPack (from_dlpack) and the Arrow PyCapsule interface (__arrow_c_schema__,
__arrow_c_array__, from_arrow) over pepkit's C API. The DLPack export,
__dlpack__, belongs to the C type (_native, ffi/src/python.rs).

Capsules follow the protocols' rules: a DLPack capsule is named "dltensor"
(legacy) or "dltensor_versioned"; a consumer that takes the tensor renames it
"used_..." and its destructor then leaves the tensor alone, else the
destructor calls the tensor's deleter. Arrow capsules ("arrow_schema",
"arrow_array") own a heap struct: the destructor calls its `release` unless
a consumer moved it out (release NULL), then frees the struct.

The Arrow destructors run inside the capsule's deallocation, so they take the
capsule as a raw address (no new reference to a dying object) and read its
fields with ctypes instead of calling the C API, which could see an
exception pending in the interpreter and misreport it.
"""
from __future__ import annotations

import ctypes
from typing import Any, Optional, Tuple

from . import _lib
from ._lib import LIB
from ._object import Object

c_void_p = ctypes.c_void_p


_RELEASE = ctypes.CFUNCTYPE(None, c_void_p)


class ArrowSchema(ctypes.Structure):
    _fields_ = [
        ("format", c_void_p), ("name", c_void_p), ("metadata", c_void_p), ("flags", ctypes.c_int64),
        ("n_children", ctypes.c_int64), ("children", c_void_p), ("dictionary", c_void_p),
        ("release", _RELEASE), ("private_data", c_void_p),
    ]


class ArrowArray(ctypes.Structure):
    _fields_ = [
        ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
        ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", c_void_p),
        ("children", c_void_p), ("dictionary", c_void_p), ("release", _RELEASE), ("private_data", c_void_p),
    ]


for _name, _args in {
    "pepkit_dlpack_import": [c_void_p, ctypes.POINTER(c_void_p)],
    "pepkit_dlpack_import_legacy": [c_void_p, ctypes.POINTER(c_void_p)],
    "pepkit_arrow_export": [c_void_p, c_void_p, c_void_p],
    "pepkit_arrow_import": [c_void_p, c_void_p, ctypes.POINTER(c_void_p)],
}.items():
    getattr(LIB, _name).argtypes = _args
    getattr(LIB, _name).restype = ctypes.c_int32

_libc = ctypes.CDLL(None)
_malloc = _libc.malloc
_malloc.argtypes = [ctypes.c_size_t]
_malloc.restype = c_void_p
_free = _libc.free
_free.argtypes = [c_void_p]
_free.restype = None

_PTR = ctypes.sizeof(c_void_p)
_CAP_POINTER = 2 * _PTR  # PyCapsule: PyObject_HEAD, then pointer, name
_CAP_NAME = 3 * _PTR

_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.argtypes = [c_void_p, c_void_p, c_void_p]
_capsule_new.restype = ctypes.py_object
_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.argtypes = [ctypes.py_object]
_capsule_name.restype = ctypes.c_char_p
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_pointer.restype = c_void_p
_capsule_set_name = ctypes.pythonapi.PyCapsule_SetName
_capsule_set_name.argtypes = [ctypes.py_object, c_void_p]
_capsule_set_name.restype = ctypes.c_int

# Capsule names must outlive every capsule: static C strings, never freed.
_NAMES = {}
for _n in (b"dltensor", b"dltensor_versioned", b"used_dltensor", b"used_dltensor_versioned",
           b"arrow_schema", b"arrow_array"):
    _buf = ctypes.create_string_buffer(_n)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_buf))
    _NAMES[_n] = ctypes.addressof(_buf)


def _immortal(cb: Any) -> Any:
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(cb))  # C may call it until the process ends
    return cb


def _capsule_fields(cap: Optional[int], _from: Any = c_void_p.from_address, _str: Any = ctypes.string_at) -> Tuple[int, bytes]:
    """(pointer, name) of a capsule, read from its struct."""
    ptr = _from((cap or 0) + _CAP_POINTER).value or 0
    name = _from((cap or 0) + _CAP_NAME).value
    return ptr, _str(name) if name else b""


def _arrow_destructor(struct_t: Any) -> Any:
    """Releases the struct unless a consumer moved it out, then frees it."""
    def destroy(cap: Optional[int], fields: Any = _capsule_fields, free: Any = _free) -> None:
        ptr, _ = fields(cap)
        if ptr:
            st = struct_t.from_address(ptr)
            if st.release:
                st.release(ptr)
            free(ptr)
    return _immortal(ctypes.CFUNCTYPE(None, c_void_p)(destroy))


_ARROW_SCHEMA = _arrow_destructor(ArrowSchema)
_ARROW_ARRAY = _arrow_destructor(ArrowArray)


def _fnptr(cb: Any) -> int:
    return int(ctypes.cast(cb, c_void_p).value or 0)


# -- DLPack (the export side, __dlpack__, is the C type's: _native) -------
def copy_of(obj: Object) -> Object:
    """A new C-contiguous pepkit ndarray holding a copy of `obj` (__dlpack__(copy=True))."""
    from ._object import ndarray

    fmt, _, _, _, shape, _ = obj._describe()
    new = ndarray(fmt, shape)
    with new.view() as dst, obj.view() as src:
        dst[...] = src
    return new


def from_dlpack(x: Any) -> Object:
    """A pepkit object over the memory of any DLPack producer (numpy, torch,
    a pepkit Object...), zero-copy: the producer's deleter runs when pepkit's
    last reference and export are gone."""
    if hasattr(x, "__dlpack_device__"):
        dev = tuple(x.__dlpack_device__())
        if dev[0] not in (1, 3, 11, 13):  # CPU, CUDA host, ROCm host, CUDA managed
            raise BufferError("pepkit reads CPU memory only; the producer is on device %r" % (dev,))
    try:
        cap = x.__dlpack__(max_version=(1, 0))
    except TypeError:
        cap = x.__dlpack__()  # a producer older than the max_version keyword
    name = _capsule_name(cap)
    out = c_void_p()
    if name == b"dltensor_versioned":
        ptr = _capsule_pointer(cap, name)
        _lib.check(LIB.pepkit_dlpack_import(ptr, ctypes.byref(out)))
        _capsule_set_name(cap, _NAMES[b"used_dltensor_versioned"])
    elif name == b"dltensor":
        ptr = _capsule_pointer(cap, name)
        _lib.check(LIB.pepkit_dlpack_import_legacy(ptr, ctypes.byref(out)))
        _capsule_set_name(cap, _NAMES[b"used_dltensor"])
    else:
        raise BufferError("not a DLPack capsule: %r" % (name,))
    return Object._own(int(out.value or 0))


# -- Arrow ----------------------------------------------------------------
def _alloc(t: Any) -> int:
    p = _malloc(ctypes.sizeof(t))
    if not p:
        raise MemoryError("cannot allocate an Arrow struct")
    ctypes.memset(p, 0, ctypes.sizeof(t))
    return int(p)


def arrow_capsules(obj: Object) -> Tuple[Any, Any]:
    schema, array = _alloc(ArrowSchema), _alloc(ArrowArray)
    status = LIB.pepkit_arrow_export(obj._checked(), schema, array)
    if status:
        _free(schema)
        _free(array)
        raise _lib.error(status)
    try:
        s_cap = _capsule_new(schema, _NAMES[b"arrow_schema"], _fnptr(_ARROW_SCHEMA))
    except BaseException:
        ArrowSchema.from_address(schema).release(schema)
        ArrowArray.from_address(array).release(array)
        _free(schema)
        _free(array)
        raise
    try:
        a_cap = _capsule_new(array, _NAMES[b"arrow_array"], _fnptr(_ARROW_ARRAY))
    except BaseException:
        ArrowArray.from_address(array).release(array)
        _free(array)
        raise
    return s_cap, a_cap


def from_arrow(x: Any) -> Object:
    """A read-only pepkit object over an Arrow array (anything with
    ``__arrow_c_array__``: pyarrow, nanoarrow, polars...), zero-copy; the
    array is released when pepkit's last reference and export are gone."""
    if not hasattr(x, "__arrow_c_array__"):
        raise TypeError("from_arrow needs an object with __arrow_c_array__, not %s" % type(x).__name__)
    s_cap, a_cap = x.__arrow_c_array__()
    schema = _capsule_pointer(s_cap, b"arrow_schema")
    array = _capsule_pointer(a_cap, b"arrow_array")
    out = c_void_p()
    # Moves both structs (their release becomes NULL, so the producer's
    # capsule destructors only free the memory); on failure both stay theirs.
    _lib.check(LIB.pepkit_arrow_import(schema, array, ctypes.byref(out)))
    return Object._own(int(out.value or 0))
