"""Share one pepkit array with Python, no copy: C fills it, Python reads and
writes it through a real memoryview, C sees Python's write.

Usage: python share_with_python.py [path/to/libpepkit.so]
"""
import ctypes
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
lib_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "libpepkit.so")
pepkit = ctypes.CDLL(lib_path)


class Buffer(ctypes.Structure):
    """pepkit_buffer, which has exactly Py_buffer's layout."""
    _fields_ = [
        ("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p), ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
        ("strides", ctypes.POINTER(ctypes.c_ssize_t)), ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
        ("internal", ctypes.c_void_p),
    ]


PEPKIT_BUF_FULL = 0x118 | 0x1 | 0x4
pepkit.pepkit_ndarray_new.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_ssize_t),
                                      ctypes.c_char, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
pepkit.pepkit_getbuffer.argtypes = [ctypes.c_void_p, ctypes.POINTER(Buffer), ctypes.c_int]
pepkit.pepkit_releasebuffer.argtypes = [ctypes.POINTER(Buffer)]
pepkit.pepkit_decref.argtypes = [ctypes.c_void_p]
pepkit.pepkit_exports.argtypes = [ctypes.c_void_p]
pepkit.pepkit_exports.restype = ctypes.c_ssize_t
pepkit.pepkit_last_error.restype = ctypes.c_char_p
from_buffer = ctypes.pythonapi.PyMemoryView_FromBuffer
from_buffer.argtypes = [ctypes.POINTER(Buffer)]
from_buffer.restype = ctypes.py_object


def check(status, what):
    if status != 0:
        raise SystemExit("%s failed (%d): %s" % (what, status, pepkit.pepkit_last_error().decode()))


# C side: a 2x3 int32 array owned by pepkit, exported writable.
shape = (ctypes.c_ssize_t * 2)(2, 3)
array = ctypes.c_void_p()
check(pepkit.pepkit_ndarray_new(b"i", 2, shape, b"C", 0, ctypes.byref(array)), "pepkit_ndarray_new")
view = Buffer()
check(pepkit.pepkit_getbuffer(array, ctypes.byref(view), PEPKIT_BUF_FULL), "pepkit_getbuffer")
ints = ctypes.cast(view.buf, ctypes.POINTER(ctypes.c_int32))
for i in range(6):
    ints[i] = i * i

# Python side: a real memoryview over the same memory.
m = from_buffer(ctypes.byref(view))
print("python sees:", m.format, m.shape, m.strides, m.tolist())
assert m.tolist() == [[0, 1, 4], [9, 16, 25]]
assert m.obj is None, "PyMemoryView_FromBuffer borrows the memory"
flat = m.cast("B").cast("i")
flat[5] = -7
print("C sees python's write:", ints[5])
assert ints[5] == -7, "no copy: both sides share one block"
print("exports held by the view:", pepkit.pepkit_exports(array))

# Python's views must go before the export that backs them.
flat.release()
m.release()
check(pepkit.pepkit_releasebuffer(ctypes.byref(view)), "pepkit_releasebuffer")
assert pepkit.pepkit_exports(array) == 0
pepkit.pepkit_decref(array)
print("share_with_python: ok (python %s)" % sys.version.split()[0])
