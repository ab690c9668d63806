"""pepkit for Python against numpy on the same calls: memoryview(o),
numpy.asarray(o) and numpy.from_dlpack(o) on a pepkit array vs the same on a
numpy array of the same shape. Best of 7 runs of N calls; ratio = pepkit / numpy."""
import sys
import timeit

import numpy

import pepkit

N = 20000
o = pepkit.ndarray("d", (64, 64))
a = numpy.zeros((64, 64))
mv = memoryview if sys.version_info >= (3, 12) else None


def best(stmt, glb):
    return min(timeit.repeat(stmt, globals=glb, number=N, repeat=7)) / N * 1e9


rows = [
    ("memoryview(o)" if mv else "o.export()", "memoryview(o)" if mv else "o.export()", "memoryview(a)"),
    ("numpy.asarray(o)", "numpy.asarray(o)", "numpy.asarray(memoryview(a))"),
    ("numpy.asarray(o) vs asarray(a)", "numpy.asarray(o)", "numpy.asarray(a)"),
    ("numpy.from_dlpack(o)", "numpy.from_dlpack(o)", "numpy.from_dlpack(a)"),
    ("o.view()[1:3, ::2]", "o.view()[1:3, ::2]", "a[1:3, ::2]"),
]
env = {"o": o, "a": a, "numpy": numpy, "memoryview": memoryview}
print("python %s, numpy %s" % (sys.version.split()[0], numpy.__version__))
print("%-34s %12s %12s %8s" % ("call", "pepkit ns", "numpy ns", "ratio"))
for name, ours, theirs in rows:
    t_ours, t_theirs = best(ours, env), best(theirs, env)
    print("%-34s %12.0f %12.0f %8.1f" % (name, t_ours, t_theirs, t_ours / t_theirs))
