"""Hand an array made in C to Python and back, with no copy and no dangling
pointer, through the pepkit package (python/).

C makes and fills a pepkit ndarray; Python adopts that reference
(pepkit.Object.from_address), reads and writes it through a memoryview (and
numpy, when installed); C takes its own reference back (o.address), Python
drops everything, and C reads Python's write. The memoryview holds one pepkit
export and a reference to `o` (its `obj`), so it stays valid after Python
closes the object.

Usage: python share_with_python.py [path/to/libpepkit.so]
(uses the installed package, else the checkout's python/ with that library)
"""
import ctypes
import gc
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    import pepkit
except ImportError:
    lib = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "libpepkit.so")
    os.environ["PEPKIT_LIBRARY"] = os.path.abspath(lib)
    sys.path.insert(0, os.path.join(HERE, "..", "python"))
    import pepkit
from pepkit._lib import LIB, Buffer  # the C ABI, to play the C side

# --- C: a 2x3 int32 array owned by pepkit, filled through an export --------
shape = (ctypes.c_ssize_t * 2)(2, 3)
addr = ctypes.c_void_p()
assert LIB.pepkit_ndarray_new(b"i", 2, shape, b"C", 0, ctypes.byref(addr)) == 0
view = Buffer()
assert LIB.pepkit_getbuffer(addr, ctypes.byref(view), 0x11D) == 0  # PEPKIT_BUF_FULL
ints = ctypes.cast(view.buf, ctypes.POINTER(ctypes.c_int32))
for i in range(6):
    ints[i] = i * i
assert LIB.pepkit_releasebuffer(ctypes.byref(view)) == 0

# --- Python: adopt C's reference, read and write with no copy --------------
o = pepkit.Object.from_address(addr.value, steal=True)
m = memoryview(o)  # one pepkit export, for as long as m lives
print("python sees:", m.format, m.shape, m.tolist(), "| exports:", o.exports)
assert m.tolist() == [[0, 1, 4], [9, 16, 25]] and m.obj is o and not m.readonly
m[1, 2] = -7
try:
    import numpy
    a = numpy.asarray(o)
    a[0, 0] = 100  # numpy writes the same memory
    print("numpy sees:", a.tolist())
    del a
except ImportError:
    m[0, 0] = 100
print("pepkit.MemoryView of a sub-array:", o.view()[:, 1:].tolist())

# --- back to C: C takes a reference, Python lets go of everything ----------
c_ref = o.address
LIB.pepkit_incref(c_ref)
o.close()
print("after o.close() the memoryview still reads its export:", m.tolist())
del m
gc.collect()
assert LIB.pepkit_exports(c_ref) == 0 and LIB.pepkit_refcount(c_ref) == 1
view = Buffer()
assert LIB.pepkit_getbuffer(c_ref, ctypes.byref(view), 0x11D) == 0
ints = ctypes.cast(view.buf, ctypes.POINTER(ctypes.c_int32))
print("C sees python's writes:", ints[0], ints[5])
assert (ints[0], ints[5]) == (100, -7), "no copy: both sides share one block"
assert LIB.pepkit_releasebuffer(ctypes.byref(view)) == 0
LIB.pepkit_decref(c_ref)
print("share_with_python: ok (python %s)" % sys.version.split()[0])
