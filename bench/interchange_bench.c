/* Interchange: a DLPack export + deleter and an Arrow export + release of
 * pepkit memory, against numpy's own `__dlpack__` + deleter and pyarrow's
 * `_export_to_c` + release on an array of the same shape, all in one process
 * (CPython embedded; numpy and pyarrow come from PYTHONPATH, set by
 * bench/interchange.sh). Nothing is copied on either side; ns per pair. */
#include <Python.h>
#include <stdint.h>
#include "bench.h"
#include "pepkit.h"

#define REPEATS 9
#define PAIRS 200000
#define PY_PAIRS 50000

static void die(const char *what) {
    fprintf(stderr, "bench: %s failed: %s\n", what, pepkit_last_error());
    if (PyErr_Occurred()) PyErr_Print();
    exit(1);
}

static double pepkit_dlpack(pepkit_object *obj) {
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PAIRS; i++) {
            DLManagedTensorVersioned *t;
            if (pepkit_dlpack_export(obj, 0, &t) != PEPKIT_OK) die("pepkit_dlpack_export");
            t->deleter(t);
        }
        runs[r] = (now_ns() - t0) / PAIRS;
    }
    return median(runs, REPEATS);
}

static double pepkit_arrow(pepkit_object *obj) {
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PAIRS; i++) {
            struct ArrowSchema s;
            struct ArrowArray a;
            if (pepkit_arrow_export(obj, &s, &a) != PEPKIT_OK) die("pepkit_arrow_export");
            a.release(&a);
            s.release(&s);
        }
        runs[r] = (now_ns() - t0) / PAIRS;
    }
    return median(runs, REPEATS);
}

/* numpy: a.__dlpack__(max_version=(1, 0)), then the consumer's part: take
 * the tensor out of the capsule and call its deleter. */
static double numpy_dlpack(PyObject *array) {
    PyObject *method = PyObject_GetAttrString(array, "__dlpack__");
    PyObject *args = PyTuple_New(0), *kwargs = Py_BuildValue("{s:(ii)}", "max_version", 1, 0);
    if (!method || !args || !kwargs) die("numpy __dlpack__ lookup");
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PY_PAIRS; i++) {
            PyObject *cap = PyObject_Call(method, args, kwargs);
            if (!cap) die("numpy __dlpack__");
            DLManagedTensorVersioned *t = PyCapsule_GetPointer(cap, "dltensor_versioned");
            if (!t) die("numpy capsule");
            PyCapsule_SetName(cap, "used_dltensor_versioned");
            t->deleter(t);
            Py_DECREF(cap);
        }
        runs[r] = (now_ns() - t0) / PY_PAIRS;
    }
    Py_DECREF(method);
    Py_DECREF(args);
    Py_DECREF(kwargs);
    return median(runs, REPEATS);
}

/* pyarrow: arr._export_to_c(array_addr, schema_addr), then both releases. */
static double pyarrow_export(PyObject *arr) {
    struct ArrowSchema s;
    struct ArrowArray a;
    PyObject *method = PyObject_GetAttrString(arr, "_export_to_c");
    PyObject *args = Py_BuildValue("(KK)", (unsigned long long)(uintptr_t)&a, (unsigned long long)(uintptr_t)&s);
    if (!method || !args) die("pyarrow _export_to_c lookup");
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PY_PAIRS; i++) {
            PyObject *res = PyObject_Call(method, args, NULL);
            if (!res) die("pyarrow _export_to_c");
            Py_DECREF(res);
            a.release(&a);
            s.release(&s);
        }
        runs[r] = (now_ns() - t0) / PY_PAIRS;
    }
    Py_DECREF(method);
    Py_DECREF(args);
    return median(runs, REPEATS);
}

int main(void) {
    Py_Initialize();
    PyObject *main_mod = PyImport_AddModule("__main__");
    PyObject *globals = PyModule_GetDict(main_mod);
    PyObject *res = PyRun_String(
        "import numpy as np, pyarrow as pa\n"
        "a1 = np.zeros(1000, 'f8')\n"
        "a2 = np.zeros((100, 10), 'f8')\n"
        "p1 = pa.array(a1)\n"
        "p2 = pa.FixedShapeTensorArray.from_numpy_ndarray(a2)\n",
        Py_file_input, globals, globals);
    if (!res) die("importing numpy and pyarrow");
    Py_DECREF(res);
    pepkit_ssize s1[1] = {1000}, s2[2] = {100, 10};
    pepkit_object *o1, *o2;
    if (pepkit_ndarray_new("d", 1, s1, 'C', 0, &o1) != PEPKIT_OK) die("ndarray");
    if (pepkit_ndarray_new("d", 2, s2, 'C', 0, &o2) != PEPKIT_OK) die("ndarray");
    PyObject *a1 = PyDict_GetItemString(globals, "a1"), *a2 = PyDict_GetItemString(globals, "a2");
    PyObject *p1 = PyDict_GetItemString(globals, "p1"), *p2 = PyDict_GetItemString(globals, "p2");
    table_header();
    double ours = pepkit_dlpack(o1), peer = numpy_dlpack(a1);
    row("DLPack export + deleter, 1000 f8", ours, peer, "numpy __dlpack__ + deleter", "ns");
    ours = pepkit_dlpack(o2), peer = numpy_dlpack(a2);
    row("DLPack export + deleter, 100x10 f8", ours, peer, "numpy __dlpack__ + deleter", "ns");
    ours = pepkit_arrow(o1), peer = pyarrow_export(p1);
    row("Arrow export + release, 1000 f8", ours, peer, "pyarrow _export_to_c+release", "ns");
    ours = pepkit_arrow(o2), peer = pyarrow_export(p2);
    row("Arrow export + release, 100x10 tensor", ours, peer, "pyarrow _export_to_c+release", "ns");
    printf("(peers include one Python method call each: that is how numpy and pyarrow export)\n");
    pepkit_decref(o1);
    pepkit_decref(o2);
    Py_Finalize();
    return 0;
}
