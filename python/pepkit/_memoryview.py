"""pepkit.MemoryView: memoryview over pepkit's C memoryview, with numpy's
N-d slicing, sub-views, N-d assignment and every struct format in tolist."""
from __future__ import annotations

import ctypes
import operator
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

from . import _lib
from ._lib import LIB, NONE, Slice, Value
from ._object import Object, _wrap_export, from_buffer

_Key = Union[int, slice, "tuple[Union[int, slice], ...]", "ellipsis"]
_FLOATS = {"nan": float("nan"), "inf": float("inf")}
_INTEGER_FORMATS = set("bBhHiIlLqQnNP")
_NATIVE = set("cbBhHiIlLqQnNfd?eP")
_SSIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_ssize_t) - 1)) - 1
_SSIZE_MIN = -_SSIZE_MAX - 1


def _index_array(index: Sequence[int]) -> "ctypes.Array[ctypes.c_ssize_t]":
    """Indices as a C array; ctypes would silently wrap one beyond ssize_t."""
    for i in index:
        if not _SSIZE_MIN <= i <= _SSIZE_MAX:
            raise IndexError("cannot fit 'int' into an index-sized integer")
    return (ctypes.c_ssize_t * max(len(index), 1))(*index)


def _new(fn: Any, *args: Any) -> int:
    out = ctypes.c_void_p()
    _lib.check(fn(*args, ctypes.byref(out)))
    return int(out.value or 0)


def _bound(v: Optional[int]) -> int:
    if v is None:
        return int(NONE)
    n: int = operator.index(v)
    # Python clamps huge bounds; so does pepkit once they fit in ptrdiff_t.
    return max(NONE + 1, min(n, -(NONE + 1)))


def _slices(keys: Sequence[slice]) -> "ctypes.Array[Slice]":
    arr = (Slice * max(len(keys), 1))()
    for i, k in enumerate(keys):
        step = None if k.step is None else operator.index(k.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        arr[i].start, arr[i].stop = _bound(k.start), _bound(k.stop)
        arr[i].step = _bound(step)
    return arr


class _Exporter:
    """An Object for any buffer-like value, closed after use."""

    def __init__(self, value: Any) -> None:
        self.temp: Optional[Object] = None
        if isinstance(value, Object):
            self.ptr = value._checked()
        else:
            self.temp = from_buffer(value)
            self.ptr = self.temp._checked()

    def __enter__(self) -> int:
        return self.ptr

    def __exit__(self, *exc: object) -> None:
        if self.temp is not None:
            self.temp.close()


class MemoryView(Object):
    """``memoryview`` with pepkit's extensions, over any buffer.

    ``MemoryView(x)`` views a pepkit Object (sharing its memory) or any
    PEP 3118 exporter (its Python export held until the last view made from
    it goes).
    """

    __slots__ = ("_source", "_nd")
    _source: Any
    _nd: Optional[int]  # ndim, fixed for the life of a view

    def __init__(self, obj: Any) -> None:
        if isinstance(obj, MemoryView):
            src: Any = obj._source
        else:
            src = obj
        self._nd = None
        with _Exporter(obj) as ptr:
            self._ptr = _new(LIB.pepkit_memoryview_new, ptr)
        self._source = src

    def _derive(self, ptr: int) -> "MemoryView":
        mv = MemoryView._own(ptr)
        mv._source = getattr(self, "_source", None)
        mv._nd = None
        return mv

    # -- the descriptor -------------------------------------------------
    def _buf(self) -> "_lib.Buffer":
        p = LIB.pepkit_memoryview_buffer(self._checked())
        if not p:
            raise ValueError(_lib.last_error() or "operation forbidden on released memoryview object")
        buf: _lib.Buffer = p.contents
        return buf

    @property
    def obj(self) -> Any:
        self._buf()
        return getattr(self, "_source", None)

    @property
    def format(self) -> str:
        return (self._buf().format or b"B").decode()

    @property
    def itemsize(self) -> int:
        return int(self._buf().itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._buf().len)

    @property
    def readonly(self) -> bool:
        return bool(self._buf().readonly)

    @property
    def ndim(self) -> int:
        return int(self._buf().ndim)

    @property
    def shape(self) -> Tuple[int, ...]:
        b = self._buf()
        return tuple(b.shape[i] for i in range(b.ndim))

    @property
    def strides(self) -> Tuple[int, ...]:
        b = self._buf()
        return tuple(b.strides[i] for i in range(b.ndim))

    @property
    def suboffsets(self) -> Tuple[int, ...]:
        b = self._buf()
        return tuple(b.suboffsets[i] for i in range(b.ndim)) if b.suboffsets else ()

    def _contiguous(self, order: str) -> bool:
        # memoryview's own flags (init_flags in memoryobject.c): 0-d is both;
        # 1-D asks shape 1 or a unit stride; N-d is PyBuffer_IsContiguous,
        # which calls anything empty contiguous and skips extents <= 1.
        b = self._buf()
        if b.ndim == 0:
            return True
        if b.ndim == 1:
            return bool(b.shape[0] == 1 or b.strides[0] == b.itemsize)
        if b.suboffsets:
            return False
        if b.len == 0:
            return True
        shape, strides = self.shape, self.strides
        dims = range(b.ndim - 1, -1, -1) if order == "C" else range(b.ndim)
        expect = b.itemsize
        for d in dims:
            if shape[d] > 1 and strides[d] != expect:
                return False
            expect *= shape[d]
        return True

    @property
    def c_contiguous(self) -> bool:
        return self._contiguous("C")

    @property
    def f_contiguous(self) -> bool:
        return self._contiguous("F")

    @property
    def contiguous(self) -> bool:
        return self._contiguous("C") or self._contiguous("F")

    def __len__(self) -> int:
        n = LIB.pepkit_memoryview_len(self._checked())
        if n < 0:
            raise _exc_from_last()
        if self._buf().ndim == 0:
            raise TypeError("0-dim memory has no length")
        return int(n)

    def __repr__(self) -> str:
        if self.closed or not LIB.pepkit_memoryview_buffer(self._ptr):
            return "<released pepkit.MemoryView at %#x>" % id(self)
        return "<pepkit.MemoryView format=%r shape=%r at %#x>" % (self.format, self.shape, id(self))

    # -- items and views ------------------------------------------------
    def _get_item(self, index: Sequence[int]) -> Any:
        idx = _index_array(index)
        v = Value()
        _lib.check(LIB.pepkit_memoryview_get_item(self._checked(), idx, len(index), ctypes.byref(v)))
        if v.kind == _lib.VALUE_INT:
            return int(v.i)
        if v.kind == _lib.VALUE_UINT:
            return int(v.u)
        if v.kind == _lib.VALUE_FLOAT:
            return float(v.f)
        if v.kind == _lib.VALUE_BOOL:
            return bool(v.b)
        return ctypes.string_at(v.bytes, v.len) if v.len else b""

    def _slice(self, keys: Sequence[slice]) -> "MemoryView":
        arr = _slices(keys)
        return self._derive(_new(LIB.pepkit_memoryview_slice, self._checked(), arr, len(keys)))

    def _subview(self, index: int) -> "MemoryView":
        _index_array((index,))
        return self._derive(_new(LIB.pepkit_memoryview_subview, self._checked(), index))

    def _resolve(self, key: Any) -> Tuple[Optional["MemoryView"], Optional[List[int]], List[slice]]:
        """(view, item index, slices): leading integers select sub-views; an
        integer after a slice drops its dimension (numpy's basic indexing)."""
        if isinstance(key, tuple):
            keys = list(key)
        else:
            keys = [key]
        nd = self._buf().ndim
        ellipsis = any(k is Ellipsis for k in keys)
        if ellipsis:
            # numpy's rule: one Ellipsis stands for every dimension not named.
            at = [i for i, k in enumerate(keys) if k is Ellipsis]
            if len(at) > 1:
                raise IndexError("an index can only have a single ellipsis ('...')")
            fill = [slice(None)] * max(nd - (len(keys) - 1), 0)
            keys = keys[: at[0]] + fill + keys[at[0] + 1:]
            if not keys:
                return self, None, []
        ints: List[int] = []
        slices: List[slice] = []
        later: List[Tuple[int, int]] = []  # (position among the slices, index): ints after a slice
        for k in keys:
            if isinstance(k, slice):
                slices.append(k)
                continue
            try:
                i = operator.index(k)
            except TypeError:
                raise TypeError("memoryview: invalid slice key") from None
            if slices or later:
                later.append((len(slices), i))
                slices.append(slice(None))  # placeholder, made i:i+1 below
            else:
                ints.append(i)
        if not slices and len(ints) == nd and not ellipsis:
            return None, ints, []  # an item (with an Ellipsis, numpy gives a 0-dim view)
        if not slices and len(ints) > nd:
            raise TypeError("cannot index %d-dimension view with %d-element tuple" % (nd, len(ints)))
        view = self
        for i in ints:
            view = view._subview(i)
        if not later:
            return view, None, slices
        # An integer after a slice (numpy: m[1:3, 2]): slice that dimension
        # to i:i+1, then see the same memory without it.
        shape = view.shape
        if len(slices) > len(shape):
            raise IndexError("too many indices: %d-dimension view indexed with %d" % (len(shape), len(keys)))
        for pos, i in later:
            n = shape[pos]
            j = i + n if i < 0 else i
            if not 0 <= j < n:
                raise IndexError("index out of bounds on dimension %d" % (len(ints) + pos + 1))
            slices[pos] = slice(j, j + 1)
        unit = view._slice(slices)
        # The chain of owners: result -> wrap -> Python export of m -> m's
        # managed buffer -> one pepkit export of `unit` -> this view's export.
        m = unit.export(writable=not unit.readonly)
        wrapped = _wrap_export(m, not unit.readonly, [pos for pos, _ in later])
        result = MemoryView(wrapped)
        wrapped.close()
        result._source = getattr(self, "_source", None)
        return result, None, []

    def __getitem__(self, key: _Key) -> Any:
        if type(key) is int:  # the common case, m[i] on 1-D, without the descriptor
            nd = getattr(self, "_nd", None)
            if nd is None:
                nd = self._nd = self._buf().ndim
            if nd == 1:
                return self._get_item((key,))
        b = self._buf()
        if key is Ellipsis:
            return self
        if isinstance(key, tuple) and len(key) == 0:
            if b.ndim == 0:
                return self._get_item([])
            if b.ndim == 1:
                return self
            raise TypeError("memoryview: invalid slice key")
        if b.ndim == 0 and not isinstance(key, tuple):
            raise TypeError("invalid indexing of 0-dim memory")
        view, index, slices = self._resolve(key)
        if index is not None:
            return self._get_item(index)
        assert view is not None
        return view._slice(slices) if slices else view

    def __setitem__(self, key: _Key, value: Any) -> None:
        b = self._buf()
        if b.readonly:
            raise TypeError("cannot modify read-only memory")
        if key is Ellipsis or (isinstance(key, tuple) and len(key) == 0):
            if b.ndim == 0:
                self._set_item([], value)
                return
            view, slices = self, []  # type: Tuple[MemoryView, List[slice]]
        else:
            if b.ndim == 0:
                raise TypeError("invalid indexing of 0-dim memory")
            v, index, slices = self._resolve(key)
            if index is not None:
                self._set_item(index, value)
                return
            assert v is not None
            view = v
        arr = _slices(slices)
        with _Exporter(value) as src:
            _lib.check(LIB.pepkit_memoryview_assign(view._checked(), arr, len(slices), src))

    def _set_item(self, index: Sequence[int], value: Any) -> None:
        try:
            v, keep = self._to_value(value)
        except (TypeError, ValueError):
            self._get_item(index)  # memoryview checks the index first
            raise
        idx = _index_array(index)
        _lib.check(LIB.pepkit_memoryview_set_item(self._checked(), idx, len(index), ctypes.byref(v)))
        del keep

    def _to_value(self, value: Any) -> Tuple[Value, Any]:
        """The tagged value for `value` (and what must live during the call)."""
        fmt = self.format.lstrip("@")
        v = Value()
        keep: Any = None
        if fmt == "?":
            v.kind, v.b = _lib.VALUE_BOOL, bool(value)
        elif isinstance(value, (bytes, bytearray)):
            keep = (ctypes.c_uint8 * max(len(value), 1)).from_buffer_copy(bytes(value) or b"\0")
            v.kind, v.bytes, v.len = _lib.VALUE_BYTES, keep, len(value)
        elif isinstance(value, float):
            v.kind, v.f = _lib.VALUE_FLOAT, value
        else:
            try:
                n = operator.index(value)
            except TypeError:
                if hasattr(value, "__float__") and fmt in ("f", "d", "e"):
                    v.kind, v.f = _lib.VALUE_FLOAT, float(value)
                else:
                    raise TypeError("memoryview: invalid type for format '%s'" % self.format) from None
            else:
                if -(1 << 63) <= n < (1 << 63):
                    v.kind, v.i = _lib.VALUE_INT, n
                elif 0 <= n < (1 << 64):
                    v.kind, v.u = _lib.VALUE_UINT, n
                elif fmt in ("f", "d", "e"):
                    v.kind, v.f = _lib.VALUE_FLOAT, float(n)  # OverflowError as CPython for huge ints
                elif fmt in _INTEGER_FORMATS:
                    raise ValueError("memoryview: invalid value for format '%s'" % self.format)
                else:
                    raise TypeError("memoryview: invalid type for format '%s'" % self.format)
        return v, keep

    def __iter__(self) -> Iterator[Any]:
        b = self._buf()
        if b.ndim == 0:
            raise TypeError("invalid indexing of 0-dim memory")
        for i in range(len(self)):
            yield self[i]

    # -- whole-view operations -------------------------------------------
    def tolist(self) -> Any:
        if self.format.lstrip("@") in _NATIVE:
            # CPython's own tolist over a zero-copy export gives the same
            # values (the oracle suites check it) without parsing any text.
            m = self.export()
            try:
                return m.tolist()
            except NotImplementedError:
                pass  # a format this CPython's memoryview cannot read ('e' before 3.12)
            finally:
                m.release()
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        _lib.check(LIB.pepkit_memoryview_tolist(self._checked(), ctypes.byref(out), ctypes.byref(n)))
        text = _lib.take_string(out.value, n.value).decode("utf-8")
        # repr() text of literals only (pepkit escapes every byte), plus
        # Python's float spellings nan and inf.
        return eval(text, {"__builtins__": {}}, dict(_FLOATS))

    def tobytes(self, order: Optional[str] = "C") -> bytes:
        if order is None:
            order = "C"
        if order not in ("C", "F", "A"):
            raise ValueError("order must be 'C', 'F' or 'A'")
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        _lib.check(LIB.pepkit_memoryview_tobytes(self._checked(), order.encode(), ctypes.byref(out), ctypes.byref(n)))
        return _lib.take_string(out.value, n.value)

    def hex(self, sep: Optional[Union[str, bytes]] = None, bytes_per_sep: int = 1) -> str:
        if isinstance(sep, str):
            sep = _lib.cstr(sep, "sep")
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        _lib.check(LIB.pepkit_memoryview_hex(self._checked(), sep, bytes_per_sep, ctypes.byref(out), ctypes.byref(n)))
        return _lib.take_string(out.value, n.value).decode("ascii")

    def cast(self, format: str, shape: Optional[Sequence[int]] = None) -> "MemoryView":
        if shape is None:
            dims, nd = None, -1
        else:
            shape = list(shape)
            for d in shape:
                if not _SSIZE_MIN <= operator.index(d) <= _SSIZE_MAX:
                    raise OverflowError("Python int too large to convert to C ssize_t")
            dims, nd = (ctypes.c_ssize_t * max(len(shape), 1))(*shape), len(shape)
        return self._derive(_new(LIB.pepkit_memoryview_cast, self._checked(), _lib.cstr(format, "format"), dims, nd))

    def toreadonly(self) -> "MemoryView":
        return self._derive(_new(LIB.pepkit_memoryview_toreadonly, self._checked()))

    def release(self) -> None:
        if not self.closed:
            _lib.check(LIB.pepkit_memoryview_release(self._ptr))

    def __enter__(self) -> "MemoryView":
        self._buf()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        try:
            exporter = _Exporter(other)
        except (TypeError, BufferError, ValueError):
            return NotImplemented
        with exporter as ptr:
            out = ctypes.c_bool()
            _lib.check(LIB.pepkit_memoryview_equal(self._checked(), ptr, ctypes.byref(out)))
            return bool(out.value)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        out = ctypes.c_ssize_t()
        _lib.check(LIB.pepkit_memoryview_hash(self._checked(), ctypes.byref(out)))
        return int(out.value)


def _exc_from_last() -> BaseException:
    msg = _lib.last_error()
    return ValueError(msg) if "released" in msg else TypeError(msg)
