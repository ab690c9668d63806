"""The C type behind pepkit.Object, made at import with PyType_FromSpec.

There is no extension module to compile: ctypes hands CPython a type spec
whose buffer slots, finaliser and methods are functions of libpepkit
(ffi/src/python.rs). So ``memoryview(o)``, ``numpy.asarray(o)`` and any
other PEP 3118 consumer call pepkit's getbuffer directly with their own
request flags, and the consumer's ``Py_buffer`` holds a reference to ``o``
and one pepkit export until ``PyBuffer_Release`` ends both: lifetime-exact
on every version, with nothing written into CPython's objects.

libpepkit never links libpython: the CPython functions and objects its slot
functions use are registered once, here, by address. What this assumes of
CPython is its stable ABI: the layouts of PyType_Spec, PyType_Slot,
PyMethodDef, PyGetSetDef and Py_buffer, slot numbers, ``id(x)`` being the
object's address, and instance data starting at ``object.__basicsize__``.

CPython 3.8 does not take buffer slots in a spec (bpo-40724: it writes them
over the type's reference count), so there the two pointers go into the
heap type's own PyBufferProcs, after checks that fail the import rather than
write anywhere unexpected. Free-threaded builds are refused: the slots rely
on the GIL to order a getbuffer and a close.
"""
from __future__ import annotations

import ctypes
import sys
import sysconfig
from ctypes import POINTER, Structure, c_char_p, c_int, c_size_t, c_ssize_t, c_uint, c_void_p, py_object
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

from . import _lib

if sysconfig.get_config_var("Py_GIL_DISABLED"):
    raise ImportError("pepkit: free-threaded CPython builds are not supported "
                      "(pepkit.Object's buffer slots rely on the GIL)")

_api = ctypes.pythonapi
# The library's slot functions, by address, and the fallback's capsule maker,
# which runs with the GIL held and raises (PyDLL checks the exception).
_C = _lib.LIB
_PYLIB = ctypes.PyDLL(_lib.LIB._name)


def _addr(fn: Any) -> int:
    return int(ctypes.cast(fn, c_void_p).value or 0)


class _TypeSlot(Structure):
    _fields_ = [("slot", c_int), ("pfunc", c_void_p)]


class _TypeSpec(Structure):
    _fields_ = [("name", c_char_p), ("basicsize", c_int), ("itemsize", c_int), ("flags", c_uint),
                ("slots", POINTER(_TypeSlot))]


class _MethodDef(Structure):
    _fields_ = [("ml_name", c_char_p), ("ml_meth", c_void_p), ("ml_flags", c_int), ("ml_doc", c_char_p)]


class _GetSetDef(Structure):
    _fields_ = [("name", c_char_p), ("get", c_void_p), ("set", c_void_p), ("doc", c_char_p), ("closure", c_void_p)]


# In the order of pepkit_python_functions (ffi/src/python.rs).
_FUNCTIONS = (
    "Py_IncRef", "Py_DecRef", "PyErr_SetString", "PyErr_Occurred", "PyErr_Clear", "PyErr_Fetch", "PyErr_Restore",
    "PyCapsule_New",
    "PyCapsule_IsValid", "PyCapsule_GetPointer", "PyLong_AsLong", "PyLong_FromVoidPtr", "PyLong_AsVoidPtr",
    "PyTuple_Size", "PyTuple_GetItem", "PyTuple_New", "PyTuple_SetItem", "PyDict_New", "PyDict_SetItem",
    "PyObject_Call", "PyUnicode_CompareWithASCIIString",
)


class _Functions(Structure):
    _fields_ = [(name, c_void_p) for name in _FUNCTIONS]


class _Api(Structure):
    """pepkit_python_api."""

    _fields_ = [
        ("struct_size", c_size_t), ("slot_offset", c_ssize_t), ("functions", _Functions),
        ("none", c_void_p), ("py_false", c_void_p), ("exceptions", c_void_p * 16), ("closed_error", c_void_p),
        ("dlpack_device", c_void_p), ("dlpack_fallback", c_void_p), ("dlpack_keywords", c_void_p * 4),
    ]


_Py_bf_getbuffer, _Py_bf_releasebuffer, _Py_tp_methods, _Py_tp_getset, _Py_tp_finalize = 1, 2, 64, 73, 80
# Py_TPFLAGS_DEFAULT (HAVE_VERSION_TAG), BASETYPE, HAVE_FINALIZE; IMMUTABLETYPE
# (3.10+) so that Python code cannot rebind the C slots and methods.
_TPFLAGS = (1 << 18) | (1 << 10) | (1 << 0) | ((1 << 8) if sys.version_info >= (3, 10) else 0)
_METH_NOARGS, _METH_FASTCALL_KEYWORDS = 0x4, 0x80 | 0x2
_SLOT_SIZE = 2 * ctypes.sizeof(c_void_p)  # struct Slot: object, owned

# Everything C points at (the spec, its tables and strings, the registered
# objects) must outlive every instance: kept here until the process ends.
_KEEP: List[Any] = []


def _register(dlpack_fallback: Any) -> None:
    api = _Api()
    api.struct_size = ctypes.sizeof(_Api)
    api.slot_offset = object.__basicsize__
    for name in _FUNCTIONS:
        setattr(api.functions, name, _addr(getattr(_api, name)))
    api.none, api.py_false = id(None), id(False)
    for status, cls in _lib.EXCEPTIONS.items():
        api.exceptions[status] = id(cls)
    api.closed_error = id(ValueError)
    device = (1, 0)  # kDLCPU, device 0
    keywords = tuple(sys.intern(k) for k in ("stream", "max_version", "dl_device", "copy"))
    _KEEP.extend([api, device, keywords, dlpack_fallback])
    api.dlpack_device, api.dlpack_fallback = id(device), id(dlpack_fallback)
    for i, k in enumerate(keywords):
        api.dlpack_keywords[i] = id(k)
    _C.pepkit_python_init.argtypes = [POINTER(_Api)]
    _C.pepkit_python_init.restype = c_int
    if _C.pepkit_python_init(ctypes.byref(api)) != 0:
        raise ImportError("pepkit: the package and its libpepkit disagree on pepkit_python_api "
                          "(they come from different builds)")


_DLPACK_DOC = (b"__dlpack__($self, /, *, stream=None, max_version=None, dl_device=None, copy=None)\n--\n\n"
               b"A DLPack capsule holding one export of this object: versioned (\"dltensor_versioned\") "
               b"when the consumer passes max_version >= (1, 0), legacy (\"dltensor\") otherwise. "
               b"Zero-copy unless copy=True.")


def make_base(dlpack_fallback: Any) -> type:
    """The C base type of pepkit.Object. `dlpack_fallback(self, *args,
    **kwargs)` answers the __dlpack__ calls the C fast path leaves to Python."""
    _register(dlpack_fallback)
    methods = (_MethodDef * 4)(
        _MethodDef(b"close", _addr(_C.pepkit_python_close), _METH_NOARGS,
                   b"close($self, /)\n--\n\nDrops this reference (idempotent). Live exports keep the memory."),
        _MethodDef(b"__dlpack__", _addr(_C.pepkit_python_dlpack), _METH_FASTCALL_KEYWORDS, _DLPACK_DOC),
        _MethodDef(b"__dlpack_device__", _addr(_C.pepkit_python_dlpack_device), _METH_NOARGS,
                   b"__dlpack_device__($self, /)\n--\n\n(1, 0): kDLCPU, device 0."),
        _MethodDef(None, None, 0, None))
    getset = (_GetSetDef * 2)(
        _GetSetDef(b"_ptr", _addr(_C.pepkit_python_get_ptr), _addr(_C.pepkit_python_set_ptr),
                   b"The pepkit_object address, 0 once closed (set once, taking over a reference).", None),
        _GetSetDef(None, None, None, None, None))
    buffer_in_spec = sys.version_info >= (3, 9)
    slots = [(_Py_tp_methods, ctypes.addressof(methods)), (_Py_tp_getset, ctypes.addressof(getset)),
             (_Py_tp_finalize, _addr(_C.pepkit_python_finalize))]
    if buffer_in_spec:
        slots += [(_Py_bf_getbuffer, _addr(_C.pepkit_python_getbuffer)),
                  (_Py_bf_releasebuffer, _addr(_C.pepkit_python_releasebuffer))]
    table = (_TypeSlot * (len(slots) + 1))(*[_TypeSlot(s, p) for s, p in slots], _TypeSlot(0, None))
    name = ctypes.create_string_buffer(b"pepkit._ObjectBase")  # 3.8-3.11 keep tp_name pointing here
    spec = _TypeSpec(ctypes.cast(name, c_char_p), object.__basicsize__ + _SLOT_SIZE, 0, _TPFLAGS, table)
    _KEEP.extend([methods, getset, table, name, spec])
    from_spec = _api.PyType_FromSpec
    from_spec.argtypes = [POINTER(_TypeSpec)]
    from_spec.restype = py_object
    base: type = from_spec(ctypes.byref(spec))
    if not buffer_in_spec:
        _set_buffer_procs_38(base)
    _KEEP.append(base)
    return base


# CPython 3.8's PyHeapTypeObject ends with as_buffer (2 words), then ht_name,
# ht_slots, ht_qualname and ht_cached_keys.
_HEAP_TAIL_38 = 2 + 4


def _set_buffer_procs_38(tp: type) -> None:
    """CPython 3.8 only (end-of-life: its layout no longer changes). A heap
    type's tp_as_buffer points at the PyBufferProcs inside its own
    PyHeapTypeObject; fill it before any subclass copies it."""
    ptr = ctypes.sizeof(c_void_p)
    base = id(tp)

    def word(offset: int) -> int:
        return int(c_void_p.from_address(base + offset).value or 0)

    # PyTypeObject: PyVarObject (PyObject_HEAD + ob_size), tp_name,
    # tp_basicsize, tp_itemsize, then 14 more words up to tp_as_buffer.
    head = object.__basicsize__ + ptr
    ok = (c_ssize_t.from_address(base + head + ptr).value == tp.__basicsize__
          and c_ssize_t.from_address(base + head + 2 * ptr).value == tp.__itemsize__
          and ctypes.string_at(word(head)) == b"pepkit._ObjectBase")
    procs = word(head + 17 * ptr) if ok else 0
    heap_type_size = int(getattr(type, "__basicsize__"))  # sizeof(PyHeapTypeObject)
    ok = ok and procs == base + heap_type_size - _HEAP_TAIL_38 * ptr
    ok = ok and word(procs - base) == 0 and word(procs - base + ptr) == 0
    if not ok:
        raise ImportError("pepkit: unexpected type layout on CPython 3.8")
    c_void_p.from_address(procs).value = _addr(_C.pepkit_python_getbuffer)
    c_void_p.from_address(procs + ptr).value = _addr(_C.pepkit_python_releasebuffer)


_capsule = _PYLIB.pepkit_python_dlpack_capsule
_capsule.argtypes = [py_object, c_int]
_capsule.restype = py_object


def dlpack_capsule(obj: Any, versioned: bool) -> Any:
    """A DLPack capsule of `obj` (a pepkit.Object): the C fast path's own
    capsule maker, for the calls the fallback settles."""
    return _capsule(obj, int(versioned))


if TYPE_CHECKING:
    class ObjectBase:
        """What the C type gives pepkit.Object (for the type checker)."""

        _ptr: int

        def close(self) -> None: ...

        def __dlpack__(self, *, stream: Any = None, max_version: Optional[Tuple[int, int]] = None,
                       dl_device: Optional[Tuple[int, int]] = None, copy: Optional[bool] = None) -> Any: ...

        def __dlpack_device__(self) -> Tuple[int, int]: ...

        if sys.version_info >= (3, 12):
            def __buffer__(self, flags: int) -> memoryview: ...

            def __release_buffer__(self, view: memoryview) -> None: ...
