"""pepkit.Object: one reference to a pepkit_object, and the factories."""
from __future__ import annotations

import ctypes
import importlib
import sys
import threading
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple, Type, TypeVar

from . import _lib, _native
from ._lib import LIB, Buffer, Layout

if TYPE_CHECKING:
    from ._memoryview import MemoryView

T = TypeVar("T", bound="Object")


def __dlpack__(self: "Object", *, stream: Any = None, max_version: Optional[Tuple[int, int]] = None,
               dl_device: Optional[Tuple[int, int]] = None, copy: Optional[bool] = None) -> Any:
    """Every __dlpack__ call the C fast path (ffi/src/python.rs) leaves to
    Python: positional arguments (a TypeError naming __dlpack__), a stream,
    a device, copy=True, values it cannot read, refused exports."""
    if stream is not None:
        raise BufferError("pepkit memory is on the CPU: stream must be None")
    if dl_device is not None and tuple(dl_device) != (1, 0):
        raise BufferError("pepkit can only export to the CPU (kDLCPU, 0), not %r" % (dl_device,))
    src = self
    if copy:
        from ._interchange import copy_of

        src = copy_of(self)
    return _native.dlpack_capsule(src, max_version is not None and tuple(max_version)[0] >= 1)


__dlpack__.__qualname__ = "Object.__dlpack__"

if TYPE_CHECKING:
    _ObjectBase = _native.ObjectBase
else:
    _ObjectBase = _native.make_base(__dlpack__)


class Object(_ObjectBase):
    """One reference to a pepkit object (ndarray, bytes, wrapped memory, ...).

    The reference is dropped by :meth:`close` (or ``with``), else when the
    Python object is collected. Exports (memoryviews, numpy arrays made from
    it) hold their own references, so closing never invalidates them.

    The buffer protocol, ``close``, ``__dlpack__`` and ``__dlpack_device__``
    come from the C base type (``_native``): ``memoryview(o)`` and
    ``numpy.asarray(o)`` take one pepkit export for exactly as long as the
    consumer's view lives, on every Python version.
    """

    __slots__ = ("__weakref__",)

    def __init__(self) -> None:
        raise TypeError("pepkit.Object cannot be made directly: use pepkit.ndarray, "
                        "pepkit.from_buffer or pepkit.Object.from_address")

    @classmethod
    def _own(cls: Type[T], ptr: int) -> T:
        """Wraps a new reference `ptr` (taken over: this object drops it)."""
        self = object.__new__(cls)
        self._ptr = ptr  # the C setter: set once, taking the reference over
        return self

    @classmethod
    def from_address(cls: Type[T], addr: int, *, steal: bool = False) -> T:
        """An Object for the pepkit_object at `addr` (a C pointer as an int).

        With ``steal=False`` a new reference is taken and the caller keeps
        its own; with ``steal=True`` the caller's reference is taken over.
        """
        if not isinstance(addr, int) or isinstance(addr, bool):
            raise TypeError("address must be an int, not %s" % type(addr).__name__)
        if addr == 0:
            raise ValueError("NULL pepkit_object address")
        if not 0 < addr < 1 << (8 * ctypes.sizeof(ctypes.c_void_p)):
            raise ValueError("address out of range: %#x" % addr)
        if not steal:
            LIB.pepkit_incref(addr)
        if cls is Object and LIB.pepkit_type_name(addr) == b"memoryview":
            from ._memoryview import MemoryView

            return MemoryView._own(addr)  # type: ignore[return-value]
        return cls._own(addr)

    # -- the reference ----------------------------------------------------
    @property
    def address(self) -> int:
        """The borrowed ``pepkit_object *`` as an int, valid while this object is open."""
        return self._checked()

    def _checked(self) -> int:
        ptr = self._ptr
        if not ptr:
            raise ValueError("operation on a closed pepkit object")
        return ptr

    def __copy__(self: T) -> T:
        """A new reference to the same pepkit object."""
        return type(self).from_address(self._checked())

    def __reduce_ex__(self, protocol: Any) -> Any:
        # The state is a C pointer, meaningless in another process (and a
        # plain copy of it would be dropped twice).
        raise TypeError("cannot pickle %r object" % type(self).__name__)

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return not self._ptr

    @property
    def refcount(self) -> int:
        """References to the pepkit object (this one, other holders, exports)."""
        return int(LIB.pepkit_refcount(self._checked()))

    @property
    def exports(self) -> int:
        """Live buffer exports of the pepkit object."""
        return int(LIB.pepkit_exports(self._checked()))

    @property
    def type_name(self) -> str:
        return (LIB.pepkit_type_name(self._checked()) or b"").decode()

    def __repr__(self) -> str:
        if self.closed:
            return "<pepkit.%s closed>" % type(self).__name__
        return "<pepkit.%s %s at %#x>" % (type(self).__name__, self.type_name, self._checked())

    # -- layout, read from one temporary export ---------------------------
    def _describe(self) -> Tuple[str, int, int, bool, Tuple[int, ...], Tuple[int, ...]]:
        view = Buffer()
        _lib.check(LIB.pepkit_getbuffer(self._checked(), ctypes.byref(view), _lib.BUF_FULL_RO))
        try:
            nd = view.ndim
            shape = tuple(view.shape[i] for i in range(nd)) if view.shape else ((view.len // view.itemsize,) if nd else ())
            strides = tuple(view.strides[i] for i in range(nd)) if view.strides else ()
            fmt = (view.format or b"B").decode()
            return fmt, view.itemsize, view.len, bool(view.readonly), shape, strides
        finally:
            LIB.pepkit_releasebuffer(ctypes.byref(view))

    @property
    def format(self) -> str:
        return self._describe()[0]

    @property
    def itemsize(self) -> int:
        return self._describe()[1]

    @property
    def nbytes(self) -> int:
        return self._describe()[2]

    @property
    def readonly(self) -> bool:
        return self._describe()[3]

    @property
    def shape(self) -> Tuple[int, ...]:
        return self._describe()[4]

    @property
    def strides(self) -> Tuple[int, ...]:
        return self._describe()[5]

    @property
    def ndim(self) -> int:
        return len(self._describe()[4])

    # -- handing the memory to Python -------------------------------------
    def export(self, writable: bool = False) -> memoryview:
        """``memoryview(o)``, zero-copy, refusing read-only memory when
        `writable` (BufferError, pepkit's message) as a PyBUF_WRITABLE
        request does. The export lives exactly as long as the memoryview
        and everything made from it (slices, numpy arrays)."""
        m = memoryview(self)
        if writable and m.readonly:
            m.release()
            view = Buffer()
            _lib.check(LIB.pepkit_getbuffer(self._checked(), ctypes.byref(view), _lib.BUF_FULL_RO | _lib.BUF_WRITABLE))
            LIB.pepkit_releasebuffer(ctypes.byref(view))
            raise BufferError("Object is not writable.")
        return m

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> Any:
        """numpy.asarray(o)'s answer where numpy asks ``__array__`` (it
        prefers the buffer protocol): a zero-copy array whose base (a
        memoryview) holds one export."""
        np: Any = sys.modules.get("numpy") or importlib.import_module("numpy")
        arr = np.asarray(memoryview(self))
        if dtype is not None:
            arr = arr.astype(dtype, copy=bool(copy))
        elif copy:
            arr = arr.copy()
        return arr

    # -- the Arrow PyCapsule interface (DLPack is the C type's) -------------
    def __arrow_c_schema__(self) -> Any:
        """An "arrow_schema" capsule: the Arrow type this object exports as."""
        from ._interchange import arrow_capsules

        schema, _array = arrow_capsules(self)
        return schema

    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]:
        """("arrow_schema", "arrow_array") capsules, zero-copy; the array holds
        one export until its consumer releases it. `requested_schema` is not
        honoured: pepkit never casts (the interface lets a producer ignore it)."""
        from ._interchange import arrow_capsules

        return arrow_capsules(self)

    def view(self) -> "MemoryView":
        """A pepkit.MemoryView of the whole object."""
        from ._memoryview import MemoryView

        return MemoryView(self)


def _shape_array(shape: Sequence[int]) -> "ctypes.Array[ctypes.c_ssize_t]":
    dims = list(shape)
    for d in dims:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError("shape must be a sequence of ints")
    if len(dims) > 64:
        raise ValueError("ndim %d exceeds the maximum of 64" % len(dims))
    for d in dims:
        if not -(1 << 63) <= d < (1 << 63):
            raise OverflowError("shape extent %d does not fit in Py_ssize_t" % d)
    return (ctypes.c_ssize_t * max(len(dims), 1))(*dims)


def ndarray(format: str, shape: Sequence[int], order: str = "C", readonly: bool = False) -> Object:
    """A new zero-filled array owned by pepkit (pepkit_ndarray_new)."""
    if isinstance(shape, int):
        shape = (shape,)
    if order not in ("C", "F"):
        raise ValueError("order must be 'C' or 'F', not %r" % (order,))
    dims = _shape_array(shape)
    out = ctypes.c_void_p()
    _lib.check(LIB.pepkit_ndarray_new(_lib.cstr(format, "format"), len(shape), dims, order.encode(), int(bool(readonly)), ctypes.byref(out)))
    return Object._own(int(out.value or 0))


def bytes_(data: bytes) -> Object:
    """A new immutable pepkit bytes object holding a copy of `data`."""
    data = bytes(data)
    out = ctypes.c_void_p()
    _lib.check(LIB.pepkit_bytes_new(data, len(data), ctypes.byref(out)))
    return Object._own(int(out.value or 0))


def bytearray_(data: bytes = b"") -> Object:
    """A new mutable pepkit bytearray holding a copy of `data`."""
    data = bytes(data)
    out = ctypes.c_void_p()
    _lib.check(LIB.pepkit_bytearray_new(data, len(data), ctypes.byref(out)))
    return Object._own(int(out.value or 0))


# -- from_buffer: a Python export lent to pepkit ------------------------------
_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(Buffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(Buffer)]
_release_buffer.restype = None

# Python exports pepkit holds, by key; the release callback ends them.
_held: Dict[int, Buffer] = {}
_held_lock = threading.Lock()
_next_key = [1]


def _make_release() -> Any:
    # Everything the callback uses is bound here, not looked up in module
    # globals, so it still works while the interpreter tears modules down.
    held, lock, release, byref = _held, _held_lock, _release_buffer, ctypes.byref

    def on_release(ctx: Optional[int]) -> None:
        # ctypes runs this with the GIL held (PyGILState_Ensure), on whichever
        # thread dropped pepkit's last reference and export, C threads too.
        with lock:
            view = held.pop(ctx or 0, None)
        if view is not None:
            release(byref(view))

    cb = _lib.RELEASE_FN(on_release)
    # C may call it at any time, even during interpreter shutdown: never
    # free the thunk (one per process).
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(cb))
    return cb


_on_release = _make_release()


def from_buffer(obj: Any, writable: bool = False) -> Object:
    """A pepkit object sharing the memory of any PEP 3118 exporter.

    The Python export is taken now (writable if `writable`, else as the
    exporter offers it) and released, with the GIL, when pepkit's last
    reference and export are gone, on whatever thread that happens.
    Exporters needing suboffsets are refused (BufferError).
    """
    if isinstance(obj, Object):
        ptr = obj._checked()
        LIB.pepkit_incref(ptr)
        return Object._own(ptr)
    return _wrap_export(obj, writable, ())


def _wrap_export(obj: Any, writable: bool, drop: Sequence[int]) -> Object:
    """from_buffer, leaving out the dimensions `drop` (each of extent 1):
    the same memory seen with fewer dimensions, as numpy's integer index."""
    view = Buffer()
    _get_buffer(obj, ctypes.byref(view), _lib.BUF_RECORDS_RO | (_lib.BUF_WRITABLE if writable else 0))
    try:
        nd, itemsize = view.ndim, view.itemsize
        shape = [view.shape[i] for i in range(nd)] if view.shape else []
        if view.strides:
            strides = [view.strides[i] for i in range(nd)]
        else:
            strides, step = [0] * nd, itemsize
            for i in reversed(range(nd)):
                strides[i] = step
                step *= shape[i]
        if drop:
            if any(shape[d] != 1 for d in drop):
                raise ValueError("only dimensions of extent 1 can be dropped")
            keep = [d for d in range(nd) if d not in drop]
            shape, strides, nd = [shape[d] for d in keep], [strides[d] for d in keep], len(keep)
        lo = hi = 0
        if all(shape):
            for n, s in zip(shape, strides):
                lo += min(0, (n - 1) * s)
                hi += max(0, (n - 1) * s)
            hi += itemsize
        layout = Layout()
        layout.base = (view.buf or 0) + lo
        layout.size = hi - lo
        layout.offset = -lo
        layout.format = view.format
        layout.itemsize = itemsize
        layout.ndim = nd
        layout.shape = (ctypes.c_ssize_t * max(nd, 1))(*shape)
        layout.strides = (ctypes.c_ssize_t * max(nd, 1))(*strides)
        layout.readonly = view.readonly
        with _held_lock:
            key = _next_key[0]
            _next_key[0] += 1
            _held[key] = view
        out = ctypes.c_void_p()
        status = LIB.pepkit_wrap_new(ctypes.byref(layout), _on_release, key, ctypes.byref(out))
        if status != _lib.OK:
            with _held_lock:
                _held.pop(key, None)
            raise _lib.error(status)
    except BaseException:
        _release_buffer(ctypes.byref(view))
        raise
    return Object._own(int(out.value or 0))
