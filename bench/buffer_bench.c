/* pepkit's buffer protocol against CPython's, in one process: libpython is
 * embedded beside libpepkit so both run on the same machine state.
 * Reports medians and ratios (pepkit time / peer time; < 1 means faster). */
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "pepkit.h"

#define REPEATS 11
#define PAIRS 1000000

static void die(const char *what) {
    fprintf(stderr, "bench: %s failed: %s\n", what, pepkit_last_error());
    exit(1);
}

/* ns per getbuffer+release pair, median over REPEATS runs. */
static double time_pepkit_pairs(pepkit_object *obj, int flags) {
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PAIRS; i++) {
            pepkit_buffer v;
            if (pepkit_getbuffer(obj, &v, flags) != PEPKIT_OK) die("pepkit_getbuffer");
            if (pepkit_releasebuffer(&v) != PEPKIT_OK) die("pepkit_releasebuffer");
        }
        runs[r] = (now_ns() - t0) / PAIRS;
    }
    return median(runs, REPEATS);
}

static double time_python_pairs(PyObject *obj, int flags) {
    double runs[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < PAIRS; i++) {
            Py_buffer v;
            if (PyObject_GetBuffer(obj, &v, flags) != 0) die("PyObject_GetBuffer");
            PyBuffer_Release(&v);
        }
        runs[r] = (now_ns() - t0) / PAIRS;
    }
    return median(runs, REPEATS);
}

static pepkit_buffer *copy_view;
static void *copy_src;
static size_t copy_len;
static void do_pepkit(void *dst) {
    if (pepkit_buffer_to_contiguous(dst, copy_view, copy_view->len, 'C') != PEPKIT_OK) die("to_contiguous");
}
static void do_python(void *dst) {
    if (PyBuffer_ToContiguous(dst, (Py_buffer *)copy_view, copy_view->len, 'C') != 0) die("PyBuffer_ToContiguous");
}
static void do_memcpy(void *dst) {
    memcpy(dst, copy_src, copy_len);
}

static void bench_copy(const char *what, pepkit_ssize ndim, pepkit_ssize *shape, pepkit_ssize *strides,
                       unsigned char *block, size_t block_size) {
    pepkit_layout layout = {block, block_size, 0, "d", 8, (int)ndim, shape, strides, NULL, 1};
    pepkit_object *obj;
    if (pepkit_wrap_new(&layout, NULL, NULL, &obj) != PEPKIT_OK) die("pepkit_wrap_new");
    pepkit_buffer view;
    if (pepkit_getbuffer(obj, &view, PEPKIT_BUF_FULL_RO) != PEPKIT_OK) die("pepkit_getbuffer");
    size_t len = (size_t)view.len;
    unsigned char *dst = malloc(len), *dst2 = malloc(len);
    memset(dst, 1, len);
    memset(dst2, 2, len);
    copy_view = &view;
    copy_src = block;
    copy_len = len;
    double ours = median_ms(9, do_pepkit, dst);
    double python = median_ms(9, do_python, dst2);
    double plain = median_ms(9, do_memcpy, dst2);
    do_python(dst2); /* the memcpy runs overwrote CPython's output */
    if (memcmp(dst, dst2, len) != 0) {
        fprintf(stderr, "bench: pepkit and CPython copies differ for %s\n", what);
        exit(1);
    }
    char label[96];
    snprintf(label, sizeof label, "to_contiguous %s", what);
    row(label, ours, python, "PyBuffer_ToContiguous", "ms");
    row(label, ours, plain, "memcpy of the same bytes", "ms");
    if (pepkit_releasebuffer(&view) != PEPKIT_OK) die("pepkit_releasebuffer");
    pepkit_decref(obj);
    free(dst);
    free(dst2);
}

int main(void) {
    Py_Initialize();
    printf("CPython %s, %d pairs x %d runs per figure, medians\n\n", Py_GetVersion(), PAIRS, REPEATS);
    table_header();

    /* getbuffer + release: the same kind of object on both sides. */
    static const unsigned char data[512] = {0};
    pepkit_object *pb, *pba, *pnd;
    if (pepkit_bytes_new(data, sizeof data, &pb) != PEPKIT_OK) die("bytes");
    if (pepkit_bytearray_new(data, sizeof data, &pba) != PEPKIT_OK) die("bytearray");
    pepkit_ssize shape[2] = {8, 8};
    if (pepkit_ndarray_new("d", 2, shape, 'C', 0, &pnd) != PEPKIT_OK) die("ndarray");
    PyObject *b = PyBytes_FromStringAndSize((const char *)data, sizeof data);
    PyObject *ba = PyByteArray_FromStringAndSize((const char *)data, sizeof data);
    PyObject *mv_raw = PyMemoryView_FromObject(ba);
    PyObject *mv = PyObject_CallMethod(mv_raw, "cast", "s(ii)", "d", 8, 8);
    if (!b || !ba || !mv) { PyErr_Print(); return 1; }
    row("getbuffer+release bytes, SIMPLE", time_pepkit_pairs(pb, PEPKIT_BUF_SIMPLE),
        time_python_pairs(b, PyBUF_SIMPLE), "bytes", "ns");
    row("getbuffer+release bytearray, FULL", time_pepkit_pairs(pba, PEPKIT_BUF_FULL),
        time_python_pairs(ba, PyBUF_FULL), "bytearray", "ns");
    row("getbuffer+release 8x8 'd' array, FULL_RO", time_pepkit_pairs(pnd, PEPKIT_BUF_FULL_RO),
        time_python_pairs(mv, PyBUF_FULL_RO), "memoryview.cast('d',(8,8))", "ns");

    /* to_contiguous of 64 MiB of strided doubles. */
    size_t block_size = (size_t)128 << 20;
    unsigned char *block = malloc(block_size);
    for (size_t i = 0; i < block_size; i++) block[i] = (unsigned char)(i * 131 + 7);
    pepkit_ssize n1[1] = {(pepkit_ssize)(block_size / 16)}, s1[1] = {16};
    bench_copy("64 MiB, 1-D stride 16", 1, n1, s1, block, block_size);
    pepkit_ssize n2[2] = {4096, 2048}, s2[2] = {2 * 2048 * 8, 8};
    bench_copy("64 MiB, 2-D every other row", 2, n2, s2, block, block_size);
    pepkit_ssize n3[2] = {2048, 4096}, s3[2] = {8, 2048 * 8 * 2};
    bench_copy("64 MiB, 2-D transposed", 2, n3, s3, block, block_size);
    free(block);

    Py_DECREF(mv);
    Py_DECREF(mv_raw);
    Py_DECREF(ba);
    Py_DECREF(b);
    pepkit_decref(pb);
    pepkit_decref(pba);
    pepkit_decref(pnd);
    Py_Finalize();
    return 0;
}
