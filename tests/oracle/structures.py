"""Random array structures, built twice over the same memory: once as CPython's
own exporter (_testbuffer.ndarray) and once as a pepkit wrap of that ndarray's
allocation; plus the matching pepkit ndarray / bytes / bytearray exporters.

_testbuffer's memory (Modules/_testbuffer.c): ndbuf_new allocates
len(items) * itemsize bytes; buf = data + offset for ndim > 0 (for ndim 0 the
offset is only bounds-checked and buf = data). ND_PIL (init_suboffsets)
prepends shape[0] pointers, rounded up to a multiple of 8 bytes, to the data,
sets strides[0] = +-sizeof(char *), suboffsets = [s0, -1, ...], and for a
negative first stride points buf at the last pointer slot.
"""

import ctypes
import struct
from ctypes import byref, c_void_p

from pepkit_ctypes import (FULL_RO, RELEASE_FN, Buffer, Layout, api, describe,
                           ssize_array, outcome_of_status)

PTR = ctypes.sizeof(c_void_p)

# Every native format character of the struct module that has a value
# ('x' is padding: an ndarray of it has no items).
NATIVE_CHARS = "bBchHiIlLqQnNfd?Pe"
# A few more formats an exporter may have: byte-order prefixes, counts,
# strings, padding, several fields per item.
OTHER_FORMATS = ["@i", "<i", ">h", "=q", "!d", "<e", "3s", "5s", "ii", "3i", "hxi", "2Bq", "qqq", "@?"]
FORMATS = list(NATIVE_CHARS) + OTHER_FORMATS

ND_WRITABLE = 0x002
ND_FORTRAN = 0x004
ND_PIL = 0x010


def zero_item(fmt):
    """The item whose packed bytes are all zero (an ndarray initializer)."""
    values = struct.unpack(fmt, bytes(struct.calcsize(fmt)))
    return values[0] if len(values) == 1 else values


def random_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def contiguous_strides(shape, itemsize, fortran):
    strides = [0] * len(shape)
    step = itemsize
    dims = range(len(shape)) if fortran else reversed(range(len(shape)))
    for d in dims:
        strides[d] = step
        step *= shape[d]
    return strides


class Structure:
    """One random array description: format, shape, strides, offset, the
    number of items of memory, and _testbuffer flags."""

    def __init__(self, fmt, shape, strides, offset, nitems, writable, pil):
        self.fmt = fmt
        self.itemsize = struct.calcsize(fmt)
        self.shape = list(shape)
        self.strides = list(strides)
        self.offset = offset
        self.nitems = nitems
        self.writable = writable
        self.pil = pil

    def __repr__(self):
        return ("Structure(fmt=%r, shape=%r, strides=%r, offset=%r, nitems=%r, writable=%r, pil=%r)"
                % (self.fmt, self.shape, self.strides, self.offset, self.nitems, self.writable, self.pil))

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def flags(self):
        return (ND_WRITABLE if self.writable else 0) | (ND_PIL if self.pil else 0)

    @classmethod
    def random(cls, rng, pil=None, writable=None, formats=FORMATS, shape=None):
        """A random structure; `shape` fixes the shape (memory layout, format
        and flags stay random)."""
        fmt = rng.choice(formats)
        itemsize = struct.calcsize(fmt)
        if shape is not None:
            shape = list(shape)
            ndim = len(shape)
        else:
            ndim = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5])
            shape = [rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]) if rng.random() < 0.9 else 1
                     for _ in range(ndim)]
            if 0 in shape and rng.random() < 0.6:  # keep most arrays non-empty
                shape = [n or 1 for n in shape]
            if ndim and rng.random() < 0.05:  # now and then long rows
                shape[rng.randrange(ndim)] = rng.randint(20, 300)
        kind = rng.choice(["C", "F", "C", "strided", "strided", "permuted"])
        if kind in ("C", "F"):
            strides = contiguous_strides(shape, itemsize, kind == "F")
        elif kind == "permuted":
            # contiguous in some dimension order, some directions reversed
            order = list(range(ndim))
            rng.shuffle(order)
            strides = [0] * ndim
            step = itemsize
            for d in reversed(order):
                strides[d] = step
                step *= shape[d]
            strides = [s if rng.random() < 0.7 else -s for s in strides]
        else:
            strides = [itemsize * rng.choice([-7, -3, -2, -1, 0, 1, 1, 2, 3, 5]) for _ in range(ndim)]
        if 0 in shape:
            imin = imax = 0
        else:
            imin = sum((n - 1) * s for n, s in zip(shape, strides) if s <= 0)
            imax = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
        if ndim == 0:
            offset = 0  # _testbuffer ignores the offset of a scalar
        else:
            offset = -imin + itemsize * rng.choice([0, 0, 0, 1, 3])
        if ndim == 0:
            nitems = 1  # a scalar initializer is one item
        else:
            nitems = (offset + imax) // itemsize + 1 + rng.choice([0, 0, 1, 2])
        if writable is None:
            writable = rng.random() < 0.5
        if pil is None:
            pil = rng.random() < 0.3
        return cls(fmt, shape, strides, offset, nitems, writable, pil and ndim > 0)


def full_description(obj):
    """describe() of obj's PyBUF_FULL_RO export."""
    view = Buffer()
    api.PyObject_GetBuffer(obj, byref(view), FULL_RO)
    try:
        return describe(view)
    finally:
        api.PyBuffer_Release(byref(view))


def random_key(rng, shape):
    """A tuple of random slices, one per dimension (negative steps too)."""
    key = []
    for n in shape:
        if rng.random() < 0.35:
            key.append(slice(None))
            continue
        bound = lambda: rng.randint(-n - 1, n + 1) if rng.random() < 0.75 else None
        key.append(slice(bound(), bound(), rng.choice([1, 1, 2, 3, -1, -1, -2])))
    return tuple(key)


class Built:
    """A _testbuffer ndarray of a Structure, with its memory located.

    `full` is describe() of its PyBUF_FULL_RO export; `base`/`size` the
    allocation; `data`/`data_size` the part after PIL's pointer table.
    `sliced(key)` gives the same for `nd[key]` (_testbuffer slices every
    dimension, and for PIL arrays moves the suboffsets), over the same
    allocation."""

    def __init__(self, testbuffer, st, rng=None, contents=None):
        self.st = st
        self.key = None
        if st.ndim == 0:
            items = zero_item(st.fmt)
        else:
            items = [zero_item(st.fmt)] * st.nitems
        self.nd = testbuffer.ndarray(items, shape=st.shape, strides=st.strides, offset=st.offset,
                                     format=st.fmt, flags=st.flags)
        self.full = full_description(self.nd)
        full = self.full
        self.data_size = st.nitems * st.itemsize
        if st.pil:
            addsize = 8 * ((st.shape[0] * PTR + 7) // 8)
            back = (st.shape[0] - 1) * PTR if st.shape[0] > 0 and full["strides"][0] < 0 else 0
            self.base = full["buf"] - back
            self.size = self.data_size + addsize
            self.data = self.base + addsize
        else:
            self.base = full["buf"] - (st.offset if st.ndim > 0 else 0)
            self.size = self.data_size
            self.data = self.base
        if contents is None and rng is not None:
            contents = random_bytes(rng, self.data_size)
        if contents is not None:
            self.fill(contents)

    def __repr__(self):
        return repr(self.st) + ("" if self.key is None else "[%s]" % ", ".join(
            "%s:%s:%s" % (k.start, k.stop, k.step) for k in self.key).replace("None", ""))

    def sliced(self, key):
        child = Built.__new__(Built)
        child.__dict__.update(self.__dict__)
        child.parent = self
        child.key = key
        child.nd = self.nd[key]
        child.full = full_description(child.nd)
        return child

    def same_structure_as_wrap(self):
        """False for the one export a pepkit wrap cannot mirror: an empty
        slice of a PIL array whose suboffsets _testbuffer moved below zero
        (suboffsets[0] += strides[d] * start, start past the end). Its export
        keeps all-negative, non-NULL suboffsets, so it demands INDIRECT;
        pepkit_wrap_new stores all-negative suboffsets as none, the rule
        exporters must follow (PEP 3118 / reference section 1)."""
        sub = self.full["suboffsets"]
        return not (sub is not None and all(x < 0 for x in sub))

    def maybe_sliced(self, rng, p=0.4):
        """Itself, or (with probability p) a random slice of itself that a
        wrap can mirror."""
        if self.st.ndim == 0 or rng.random() >= p:
            return self
        child = self.sliced(random_key(rng, self.st.shape))
        return child if child.same_structure_as_wrap() else self

    def fill(self, contents):
        """Overwrites the array's data (never PIL's pointer table)."""
        assert len(contents) == self.data_size
        ctypes.memmove(self.data, contents, self.data_size)

    def data_bytes(self):
        return ctypes.string_at(self.data, self.data_size)

    def layout(self):
        """The pepkit_layout of the same memory; keep the result alive while
        it is used (it owns the arrays the struct points to)."""
        f = self.full
        arrays = [ssize_array(f["shape"]), ssize_array(f["strides"]), ssize_array(f["suboffsets"])]
        lay = Layout(
            base=self.base, size=self.size, offset=f["buf"] - self.base,
            format=f["format"], itemsize=f["itemsize"], ndim=f["ndim"],
            shape=arrays[0], strides=arrays[1], suboffsets=arrays[2], readonly=f["readonly"])
        return lay, arrays


class Releases:
    """Counts release callbacks per context number (one CFUNCTYPE for all)."""

    def __init__(self):
        self.counts = {}
        self.next_ctx = 1
        self.callback = RELEASE_FN(self._released)

    def _released(self, ctx):
        self.counts[ctx] = self.counts.get(ctx, 0) + 1

    def new_ctx(self):
        ctx = self.next_ctx
        self.next_ctx += 1
        self.counts[ctx] = 0
        return ctx


def wrap(lib, built, releases):
    """pepkit_wrap_new over a Built's memory: (status, obj, ctx)."""
    lay, _keep = built.layout()
    ctx = releases.new_ctx()
    out = c_void_p()
    status = lib.pepkit_wrap_new(byref(lay), releases.callback, ctx, byref(out))
    return status, out.value, ctx


def ndarray_pair(lib, testbuffer, fmt, shape, fortran, readonly):
    """A pepkit ndarray and a _testbuffer ndarray of the same shape, format and
    order (contents zero): (status, pepkit obj, ndarray)."""
    n = 1
    for x in shape:
        n *= x
    items = zero_item(fmt) if not shape else [zero_item(fmt)] * max(n, 1)
    flags = (ND_FORTRAN if fortran else 0) | (0 if readonly else ND_WRITABLE)
    nd = testbuffer.ndarray(items, shape=list(shape), format=fmt, flags=flags)
    out = c_void_p()
    status = lib.pepkit_ndarray_new(fmt.encode(), len(shape), ssize_array(list(shape)),
                                    b"F" if fortran else b"C", int(readonly), byref(out))
    return status, out.value, nd


def status_ok(lib, status, what):
    """Raises with pepkit's message when a setup call failed."""
    if status != 0:
        from pepkit_ctypes import last_error
        raise RuntimeError("%s failed: %s: %s" % (what, outcome_of_status(status), last_error(lib)))
