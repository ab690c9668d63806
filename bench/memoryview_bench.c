/* pepkit's memoryview against CPython's on the same memory, in one process.
 * Each figure is a median; ratio = pepkit time / CPython time (< 1 faster). */
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include "bench.h"
#include "pepkit.h"

#define N_DOUBLES (1 << 20) /* 8 MiB of doubles */
#define RUNS 11

static void die(const char *what) {
    if (PyErr_Occurred()) PyErr_Print();
    fprintf(stderr, "bench: %s failed: %s\n", what, pepkit_last_error());
    exit(1);
}

/* The operations timed, each over one context. */
typedef struct {
    pepkit_object *pv, *pv2;
    PyObject *cv, *cv2;
    void *dst;
    size_t len;
    const void *src;
} ctx_t;

static void p_tobytes(void *c_) {
    ctx_t *c = c_;
    if (pepkit_memoryview_tobytes_into(c->pv, 'C', c->dst, c->len) != PEPKIT_OK) die("tobytes_into");
}
static void c_tobytes(void *c_) {
    ctx_t *c = c_;
    PyObject *b = PyObject_CallMethod(c->cv, "tobytes", NULL);
    if (!b) die("tobytes");
    Py_DECREF(b);
}
static void p_tobytes_owned(void *c_) {
    ctx_t *c = c_;
    uint8_t *out;
    size_t n;
    if (pepkit_memoryview_tobytes(c->pv, 'C', &out, &n) != PEPKIT_OK) die("tobytes");
    pepkit_free(out);
}
static void plain_memcpy(void *c_) {
    ctx_t *c = c_;
    memcpy(c->dst, c->src, c->len);
}
static void p_equal(void *c_) {
    ctx_t *c = c_;
    bool eq;
    if (pepkit_memoryview_equal(c->pv, c->pv2, &eq) != PEPKIT_OK || !eq) die("equal");
}
static void c_equal(void *c_) {
    ctx_t *c = c_;
    if (PyObject_RichCompareBool(c->cv, c->cv2, Py_EQ) != 1) die("==");
}
static void p_tolist(void *c_) {
    ctx_t *c = c_;
    char *text;
    size_t n;
    if (pepkit_memoryview_tolist(c->pv, &text, &n) != PEPKIT_OK) die("tolist");
    pepkit_free(text);
}
static void c_tolist(void *c_) {
    ctx_t *c = c_;
    PyObject *list = PyObject_CallMethod(c->cv, "tolist", NULL);
    if (!list) die("tolist");
    PyObject *text = PyObject_Repr(list);
    if (!text) die("repr");
    Py_DECREF(text);
    Py_DECREF(list);
}
static void p_cast(void *c_) {
    ctx_t *c = c_;
    for (int i = 0; i < 1000; i++) {
        pepkit_object *b = NULL, *d = NULL;
        pepkit_ssize shape[2] = {1024, 1024};
        if (pepkit_memoryview_cast(c->pv, "B", NULL, -1, &b) != PEPKIT_OK) die("cast B");
        if (pepkit_memoryview_cast(b, "d", shape, 2, &d) != PEPKIT_OK) die("cast d");
        pepkit_decref(d);
        pepkit_decref(b);
    }
}
static void c_cast(void *c_) {
    ctx_t *c = c_;
    for (int i = 0; i < 1000; i++) {
        PyObject *b = PyObject_CallMethod(c->cv, "cast", "s", "B");
        if (!b) die("cast B");
        PyObject *d = PyObject_CallMethod(b, "cast", "s(ii)", "d", 1024, 1024);
        if (!d) die("cast d");
        Py_DECREF(d);
        Py_DECREF(b);
    }
}

/* A view of `block` on both sides: pepkit's and CPython's, cast to `fmt`. */
static void views_of(void *block, size_t size, const char *fmt, pepkit_object **pv, PyObject **cv) {
    pepkit_object *raw = NULL;
    if (pepkit_memoryview_from_memory(block, (pepkit_ssize)size, PEPKIT_BUF_READ, &raw) != PEPKIT_OK) die("from_memory");
    if (pepkit_memoryview_cast(raw, fmt, NULL, -1, pv) != PEPKIT_OK) die("cast");
    pepkit_decref(raw);
    PyObject *craw = PyMemoryView_FromMemory(block, (Py_ssize_t)size, PyBUF_READ);
    if (!craw) die("PyMemoryView_FromMemory");
    *cv = PyObject_CallMethod(craw, "cast", "s", fmt);
    if (!*cv) die("cast");
    Py_DECREF(craw);
}

/* m[::2] on both sides. */
static void every_other(pepkit_object *pv, PyObject *cv, pepkit_object **ps, PyObject **cs) {
    pepkit_slice s = {PEPKIT_NONE, PEPKIT_NONE, 2};
    if (pepkit_memoryview_slice(pv, &s, 1, ps) != PEPKIT_OK) die("slice");
    PyObject *slice = PySlice_New(NULL, NULL, PyLong_FromLong(2));
    *cs = PyObject_GetItem(cv, slice);
    if (!*cs) die("m[::2]");
    Py_DECREF(slice);
}

int main(void) {
    Py_Initialize();
    printf("CPython %s; %d doubles (8 MiB); medians of %d runs\n\n", Py_GetVersion(), N_DOUBLES, RUNS);
    table_header();
    size_t size = (size_t)N_DOUBLES * sizeof(double);
    double *a = malloc(size), *b = malloc(size);
    for (size_t i = 0; i < N_DOUBLES; i++) a[i] = b[i] = (double)(i * 7919 % 1000003) / 7.0 - 50000.0;
    void *dst = malloc(size);
    memset(dst, 1, size);

    ctx_t c = {0};
    views_of(a, size, "d", &c.pv, &c.cv);
    views_of(b, size, "d", &c.pv2, &c.cv2);
    c.dst = dst;
    c.src = a;

    /* Strided tobytes: m[::2] of 1M doubles. */
    ctx_t s = c;
    every_other(c.pv, c.cv, &s.pv, &s.cv);
    s.len = size / 2;
    row("tobytes, m[::2] of 1M 'd' (4 MiB)", median_ms(RUNS, p_tobytes_owned, &s), median_ms(RUNS, c_tobytes, &s),
        "memoryview.tobytes()", "ms");
    /* Contiguous tobytes against memcpy of the same bytes. */
    c.len = size;
    row("tobytes_into, contiguous 8 MiB", median_ms(RUNS, p_tobytes, &c), median_ms(RUNS, plain_memcpy, &c),
        "memcpy of the same bytes", "ms");
    row("tobytes (owned), contiguous 8 MiB", median_ms(RUNS, p_tobytes_owned, &c), median_ms(RUNS, c_tobytes, &c),
        "memoryview.tobytes()", "ms");
    /* Equality of equal views. */
    row("==, equal 1M 'd'", median_ms(RUNS, p_equal, &c), median_ms(RUNS, c_equal, &c), "memoryview ==", "ms");
    ctx_t bytes_ctx = {0};
    views_of(a, size, "B", &bytes_ctx.pv, &bytes_ctx.cv);
    views_of(b, size, "B", &bytes_ctx.pv2, &bytes_ctx.cv2);
    row("==, equal 8M 'B'", median_ms(RUNS, p_equal, &bytes_ctx), median_ms(RUNS, c_equal, &bytes_ctx),
        "memoryview ==", "ms");
    ctx_t strided_eq = {0};
    every_other(c.pv, c.cv, &strided_eq.pv, &strided_eq.cv);
    every_other(c.pv2, c.cv2, &strided_eq.pv2, &strided_eq.cv2);
    row("==, equal m[::2] of 1M 'd'", median_ms(RUNS, p_equal, &strided_eq), median_ms(RUNS, c_equal, &strided_eq),
        "memoryview ==", "ms");
    /* tolist text against repr(m.tolist()). */
    row("tolist text, 1M 'd'", median_ms(5, p_tolist, &c), median_ms(5, c_tolist, &c), "repr(m.tolist())", "ms");
    ctx_t ints = {0};
    views_of(a, size, "i", &ints.pv, &ints.cv);
    row("tolist text, 2M 'i'", median_ms(5, p_tolist, &ints), median_ms(5, c_tolist, &ints), "repr(m.tolist())", "ms");
    /* Casts: 1000 x cast('B').cast('d', (1024, 1024)). */
    row("1000 x cast('B').cast('d', (1024, 1024))", median_ms(RUNS, p_cast, &c), median_ms(RUNS, c_cast, &c),
        "memoryview.cast", "ms");

    pepkit_object *pobjs[] = {c.pv, c.pv2, s.pv, bytes_ctx.pv, bytes_ctx.pv2, strided_eq.pv, strided_eq.pv2, ints.pv};
    for (size_t i = 0; i < sizeof pobjs / sizeof pobjs[0]; i++) pepkit_decref(pobjs[i]);
    PyObject *cobjs[] = {c.cv, c.cv2, s.cv, bytes_ctx.cv, bytes_ctx.cv2, strided_eq.cv, strided_eq.cv2, ints.cv};
    for (size_t i = 0; i < sizeof cobjs / sizeof cobjs[0]; i++) Py_DECREF(cobjs[i]);
    Py_Finalize();
    free(a);
    free(b);
    free(dst);
    return 0;
}
