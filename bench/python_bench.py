"""pepkit for Python against numpy on the same calls: memoryview(o),
numpy.asarray(o) and numpy.from_dlpack(o) on a pepkit array vs the same on a
numpy array of the same shape. Median of 9 runs of N calls (the machine is
small and noisy); ratio = pepkit / numpy, target within 2x.

numpy.asarray(a) of an ndarray returns `a` itself, which no exporter can come
near; the row that compares like with like is asarray(memoryview(a)), a
buffer-protocol import of the same memory."""
import statistics
import sys
import timeit

import numpy

import pepkit

N = 20000
o = pepkit.ndarray("d", (64, 64))
a = numpy.zeros((64, 64))


def median_ns(stmt, glb):
    return statistics.median(timeit.repeat(stmt, globals=glb, number=N, repeat=9)) / N * 1e9


rows = [
    ("memoryview(o)", "memoryview(o)", "memoryview(a)"),
    ("numpy.asarray(o)", "numpy.asarray(o)", "numpy.asarray(memoryview(a))"),
    ("numpy.asarray(o) vs asarray(a)", "numpy.asarray(o)", "numpy.asarray(a)"),
    ("numpy.frombuffer(o)", "numpy.frombuffer(o)", "numpy.frombuffer(a)"),
    ("numpy.from_dlpack(o)", "numpy.from_dlpack(o)", "numpy.from_dlpack(a)"),
    ("o.view()[1:3, ::2]", "o.view()[1:3, ::2]", "a[1:3, ::2]"),
]
env = {"o": o, "a": a, "numpy": numpy}
print("python %s, numpy %s" % (sys.version.split()[0], numpy.__version__))
print("%-34s %12s %12s %8s" % ("call", "pepkit ns", "numpy ns", "ratio"))
for name, ours, theirs in rows:
    t_ours, t_theirs = median_ns(ours, env), median_ns(theirs, env)
    print("%-34s %12.0f %12.0f %8.2f" % (name, t_ours, t_theirs, t_ours / t_theirs))
