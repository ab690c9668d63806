/* Interchange: DLPack and the Arrow C Data Interface, both ways.
 *
 * Round trips pepkit -> DLPack -> pepkit and pepkit -> Arrow -> pepkit for
 * every mappable format on random shapes and slices (zero-size, length-1 and
 * negative-stride dimensions), with the memory compared byte for byte and the
 * export counts back to zero afterwards; foreign tensors and arrays made here
 * with counting deleters and releases (each must run exactly once, also when
 * the last reference drops on another thread, and never when an import is
 * refused); and bad input. PEPKIT_SEED=n reproduces a run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}
static int rnd_in(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }

static int little_endian(void) {
    uint16_t one = 1;
    return *(uint8_t *)&one == 1;
}

/* ---- format mapping ---- */

struct dl_case {
    const char *format;
    int code, bits; /* code -1: refused */
};

static void test_format_to_dlpack(void) {
    const struct dl_case cases[] = {
        {"b", kDLInt, 8}, {"B", kDLUInt, 8}, {"h", kDLInt, 16}, {"H", kDLUInt, 16},
        {"i", kDLInt, 32}, {"I", kDLUInt, 32}, {"l", kDLInt, (int)(8 * sizeof(long))},
        {"L", kDLUInt, (int)(8 * sizeof(long))}, {"=l", kDLInt, 32}, {"=L", kDLUInt, 32},
        {"q", kDLInt, 64}, {"Q", kDLUInt, 64}, {"n", kDLInt, (int)(8 * sizeof(size_t))},
        {"N", kDLUInt, (int)(8 * sizeof(size_t))}, {"P", kDLUInt, (int)(8 * sizeof(void *))},
        {"e", kDLFloat, 16}, {"f", kDLFloat, 32}, {"d", kDLFloat, 64}, {"?", kDLBool, 8},
        {"2f", kDLComplex, 64}, {"2d", kDLComplex, 128}, {"@i", kDLInt, 32}, {"=q", kDLInt, 64},
        {"c", -1, 0}, {"3s", -1, 0}, {"p", -1, 0}, {"x", -1, 0}, {"ih", -1, 0}, {"2i", -1, 0},
        {"", -1, 0}, {"z", -1, 0}, {"<n", -1, 0}, {"3e", -1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        DLDataType dt = {99, 99, 99};
        pepkit_status st = pepkit_format_to_dlpack(cases[k].format, &dt);
        if (cases[k].code < 0) {
            CHECK(st == PEPKIT_ERR_VALUE);
            CHECK(dt.code == 99 && dt.bits == 99); /* untouched on failure */
        } else {
            CHECK_OK(st);
            CHECK(dt.code == cases[k].code && dt.bits == cases[k].bits && dt.lanes == 1);
            char *back = NULL;
            CHECK_OK(pepkit_format_from_dlpack(dt, &back));
            pepkit_ssize a = 0, b = 0;
            CHECK_OK(pepkit_format_calcsize(cases[k].format, &a));
            CHECK(back != NULL && pepkit_format_calcsize(back, &b) == PEPKIT_OK && a == b);
            pepkit_free(back);
        }
    }
    /* Byte order: the machine's own order is fine, the other one is refused. */
    const char *native = little_endian() ? "<i" : ">i", *foreign = little_endian() ? ">i" : "<i";
    DLDataType dt;
    CHECK_OK(pepkit_format_to_dlpack(native, &dt));
    CHECK_STATUS(pepkit_format_to_dlpack(foreign, &dt), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("native byte order");
    CHECK_STATUS(pepkit_format_to_dlpack(little_endian() ? "!d" : "<d", &dt), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_format_to_dlpack("ih", &dt), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("no DLPack dtype");
    CHECK_STATUS(pepkit_format_to_dlpack(NULL, &dt), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_format_to_dlpack("i", NULL), PEPKIT_ERR_NULL_ARGUMENT);

    char *s = NULL;
    DLDataType bad[] = {{kDLFloat, 32, 4}, {kDLBfloat, 16, 1}, {kDLInt, 12, 1}, {kDLInt, 128, 1},
                        {kDLBool, 16, 1}, {kDLComplex, 32, 1}, {kDLOpaqueHandle, 64, 1}, {42, 8, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CHECK_STATUS(pepkit_format_from_dlpack(bad[k], &s), PEPKIT_ERR_VALUE);
        CHECK(s == NULL);
    }
    CHECK_STATUS(pepkit_format_from_dlpack(bad[0], NULL), PEPKIT_ERR_NULL_ARGUMENT);
}

struct arrow_case {
    const char *format, *arrow; /* arrow NULL: refused */
};

static void test_format_arrow(void) {
    char wl[8];
    snprintf(wl, sizeof wl, "%s", sizeof(long) == 8 ? "l" : "i");
    const struct arrow_case cases[] = {
        {"b", "c"}, {"B", "C"}, {"h", "s"}, {"H", "S"}, {"i", "i"}, {"I", "I"}, {"l", wl},
        {"=l", "i"}, {"q", "l"}, {"Q", "L"}, {"n", "l"}, {"N", "L"}, {"P", "L"}, {"e", "e"},
        {"f", "f"}, {"d", "g"}, {"c", "w:1"}, {"3s", "w:3"}, {"5p", "w:5"}, {"ih", "w:6"},
        {"2f", "w:8"}, {"x", "w:1"}, {"?", NULL}, {"", NULL}, {"y", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *out = NULL;
        pepkit_status st = pepkit_format_to_arrow(cases[k].format, &out);
        if (cases[k].arrow == NULL) {
            CHECK(st == PEPKIT_ERR_VALUE && out == NULL);
        } else {
            CHECK_OK(st);
            CHECK(out != NULL && strcmp(out, cases[k].arrow) == 0);
            if (out && strcmp(out, cases[k].arrow) != 0)
                fprintf(stderr, "  %s -> %s, expected %s\n", cases[k].format, out, cases[k].arrow);
            char *back = NULL;
            pepkit_ssize a = 0, b = 0;
            CHECK_OK(pepkit_format_from_arrow(out, &back));
            CHECK(pepkit_format_calcsize(back, &b) == PEPKIT_OK &&
                  pepkit_format_calcsize(cases[k].format, &a) == PEPKIT_OK && a == b);
            pepkit_free(back);
            pepkit_free(out);
        }
    }
    char *out = NULL;
    CHECK_STATUS(pepkit_format_to_arrow("?", &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("bits");
    CHECK_STATUS(pepkit_format_to_arrow(little_endian() ? ">h" : "<h", &out), PEPKIT_ERR_VALUE);
    const char *refused[] = {"b", "u", "z", "+w:3", "w:", "w:0", "w:x", "w:-1", "tdD", "n", ""};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        CHECK_STATUS(pepkit_format_from_arrow(refused[k], &out), PEPKIT_ERR_VALUE);
        CHECK(out == NULL);
    }
    CHECK_OK(pepkit_format_from_arrow("w:12", &out));
    CHECK(out && strcmp(out, "12s") == 0);
    pepkit_free(out);
    CHECK_STATUS(pepkit_format_from_arrow(NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_format_to_arrow("i", NULL), PEPKIT_ERR_NULL_ARGUMENT);
}

/* ---- random arrays ---- */

static const char *dl_formats[] = {"b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N",
                                   "P", "e", "f", "d", "?", "2f", "2d", "=h", "=l", "@Q"};
static const char *arrow_formats[] = {"b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n",
                                      "N", "P", "e", "f", "d", "2f", "c", "3s", "ih", "5p", "x"};
#define NFMT(a) (sizeof(a) / sizeof((a)[0]))

/* A new C-ordered ndarray of random extents (0..4), filled with random bytes. */
static pepkit_object *random_ndarray(const char *format, int ndim, pepkit_ssize *shape) {
    for (int d = 0; d < ndim; d++) shape[d] = rnd_in(0, 9) == 0 ? 0 : rnd_in(1, 4);
    pepkit_object *arr = NULL;
    if (pepkit_ndarray_new(format, ndim, shape, 'C', 0, &arr) != PEPKIT_OK) return NULL;
    pepkit_buffer v;
    if (pepkit_getbuffer(arr, &v, PEPKIT_BUF_SIMPLE | PEPKIT_BUF_WRITABLE) == PEPKIT_OK) {
        for (pepkit_ssize i = 0; i < v.len; i++) ((uint8_t *)v.buf)[i] = (uint8_t)rnd();
        (void)pepkit_releasebuffer(&v);
    }
    return arr;
}

/* Whether two exporters show the same memory the same way. */
static int same_view(pepkit_object *a, pepkit_object *b, int check_format) {
    pepkit_buffer va, vb;
    if (pepkit_getbuffer(a, &va, PEPKIT_BUF_FULL_RO) != PEPKIT_OK) return 0;
    if (pepkit_getbuffer(b, &vb, PEPKIT_BUF_FULL_RO) != PEPKIT_OK) {
        (void)pepkit_releasebuffer(&va);
        return 0;
    }
    int same = va.ndim == vb.ndim && va.itemsize == vb.itemsize && va.len == vb.len;
    int empty = 0;
    for (int d = 0; same && d < va.ndim; d++) {
        same = va.shape[d] == vb.shape[d];
        if (va.shape[d] == 0) empty = 1;
        if (same && va.shape[d] > 1) same = va.strides[d] == vb.strides[d];
    }
    if (same && !empty) same = va.buf == vb.buf;
    if (same && check_format) {
        DLDataType x, y;
        same = pepkit_format_to_dlpack(va.format, &x) == PEPKIT_OK &&
               pepkit_format_to_dlpack(vb.format, &y) == PEPKIT_OK && x.code == y.code && x.bits == y.bits;
    }
    (void)pepkit_releasebuffer(&vb);
    (void)pepkit_releasebuffer(&va);
    /* And the bytes, through memoryviews (a different path from the pointers). */
    pepkit_object *ma = NULL, *mb = NULL;
    uint8_t *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    if (same && pepkit_memoryview_new(a, &ma) == PEPKIT_OK && pepkit_memoryview_new(b, &mb) == PEPKIT_OK &&
        pepkit_memoryview_tobytes(ma, 'C', &ba, &la) == PEPKIT_OK &&
        pepkit_memoryview_tobytes(mb, 'C', &bb, &lb) == PEPKIT_OK)
        same = la == lb && (la == 0 || memcmp(ba, bb, la) == 0);
    else
        same = 0;
    pepkit_free(ba);
    pepkit_free(bb);
    pepkit_decref(ma);
    pepkit_decref(mb);
    return same;
}

static int dl_checks_out(const DLTensor *t, pepkit_object *src) {
    pepkit_buffer v;
    if (pepkit_getbuffer(src, &v, PEPKIT_BUF_FULL_RO) != PEPKIT_OK) return 0;
    int ok = t->ndim == v.ndim && t->data == v.buf && t->byte_offset == 0 && t->device.device_type == kDLCPU &&
             t->device.device_id == 0 && t->dtype.lanes == 1 && (int)t->dtype.bits == 8 * (int)v.itemsize;
    for (int d = 0; ok && d < v.ndim; d++)
        ok = t->shape[d] == v.shape[d] && t->strides[d] * v.itemsize == v.strides[d];
    (void)pepkit_releasebuffer(&v);
    return ok;
}

#define ROUNDS 400

static void test_dlpack_round_trips(void) {
    int cases = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const char *format = dl_formats[rnd() % NFMT(dl_formats)];
        int ndim = rnd_in(0, 4);
        pepkit_ssize shape[4];
        pepkit_object *arr = random_ndarray(format, ndim, shape), *mv = NULL, *view = NULL;
        CHECK(arr != NULL);
        if (arr == NULL) continue;
        CHECK_OK(pepkit_memoryview_new(arr, &mv));
        /* Random slices: negative steps, length-1 and empty results. */
        pepkit_slice sl[4];
        for (int d = 0; d < ndim; d++) {
            static const int steps[] = {1, 1, 2, 3, -1, -2};
            sl[d].step = steps[rnd() % 6];
            sl[d].start = rnd_in(0, 3) == 0 ? PEPKIT_NONE : rnd_in(-5, 5);
            sl[d].stop = rnd_in(0, 3) == 0 ? PEPKIT_NONE : rnd_in(-5, 5);
        }
        if (ndim > 0) {
            CHECK_OK(pepkit_memoryview_slice(mv, sl, (size_t)ndim, &view));
        } else {
            view = mv;
            pepkit_incref(view);
        }
        int legacy = rnd() % 3 == 0;
        pepkit_object *back = NULL;
        if (legacy) {
            DLManagedTensor *t = NULL;
            CHECK_OK(pepkit_dlpack_export_legacy(view, 0, &t));
            if (t == NULL) goto done;
            CHECK(dl_checks_out(&t->dl_tensor, view));
            CHECK(pepkit_exports(view) == 1);
            CHECK_OK(pepkit_dlpack_import_legacy(t, &back));
        } else {
            DLManagedTensorVersioned *t = NULL;
            CHECK_OK(pepkit_dlpack_export(view, 0, &t));
            if (t == NULL) goto done;
            CHECK(t->version.major == 1 && t->flags == 0 && t->manager_ctx == (void *)view);
            CHECK(dl_checks_out(&t->dl_tensor, view));
            CHECK_OK(pepkit_dlpack_import(t, &back));
        }
        CHECK(back != NULL && same_view(view, back, 1));
        pepkit_decref(back); /* runs pepkit's own deleter: the export ends */
        CHECK(pepkit_exports(view) == 0);
        cases++;
    done:
        pepkit_decref(view);
        pepkit_decref(mv);
        CHECK(pepkit_exports(arr) == 0 && pepkit_refcount(arr) == 1);
        pepkit_decref(arr);
    }
    printf("dlpack round trips: %d\n", cases);
}

/* Reads the Arrow metadata value for `key` into buf (NUL-terminated). */
static int arrow_meta(const char *meta, const char *key, char *buf, size_t cap) {
    if (meta == NULL) return 0;
    int32_t n, kl, vl;
    memcpy(&n, meta, 4);
    meta += 4;
    for (int32_t i = 0; i < n; i++) {
        memcpy(&kl, meta, 4);
        const char *k = meta + 4;
        memcpy(&vl, k + kl, 4);
        const char *v = k + kl + 4;
        if ((size_t)kl == strlen(key) && memcmp(k, key, (size_t)kl) == 0 && (size_t)vl < cap) {
            memcpy(buf, v, (size_t)vl);
            buf[vl] = 0;
            return 1;
        }
        meta = v + vl;
    }
    return 0;
}

static void test_arrow_round_trips(void) {
    int cases = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const char *format = arrow_formats[rnd() % NFMT(arrow_formats)];
        int ndim = rnd_in(1, 4);
        pepkit_ssize shape[4];
        pepkit_object *arr = random_ndarray(format, ndim, shape), *mv = NULL, *view = NULL;
        CHECK(arr != NULL);
        if (arr == NULL) continue;
        /* Rows a:b of a C-ordered array stay C-contiguous. */
        CHECK_OK(pepkit_memoryview_new(arr, &mv));
        pepkit_slice rows = {rnd_in(0, 2), rnd_in(0, 5), 1};
        CHECK_OK(pepkit_memoryview_slice(mv, &rows, 1, &view));
        if (view == NULL) goto done;
        struct ArrowSchema schema;
        struct ArrowArray array;
        CHECK_OK(pepkit_arrow_export(view, &schema, &array));
        pepkit_buffer v;
        CHECK_OK(pepkit_getbuffer(view, &v, PEPKIT_BUF_FULL_RO));
        char *want = NULL;
        CHECK_OK(pepkit_format_to_arrow(format, &want));
        CHECK(array.length == v.shape[0] && array.null_count == 0 && array.offset == 0);
        if (ndim == 1) {
            CHECK(strcmp(schema.format, want) == 0 && schema.n_children == 0 && array.n_buffers == 2);
            CHECK(array.buffers[0] == NULL && array.buffers[1] == v.buf);
        } else {
            pepkit_ssize width = 1;
            char fmt[32], meta[256], expect[256] = "{\"shape\":[";
            for (int d = 1; d < ndim; d++) {
                width *= v.shape[d];
                snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "%s%ld", d > 1 ? "," : "",
                         (long)v.shape[d]);
            }
            strcat(expect, "],\"permutation\":[");
            for (int d = 1; d < ndim; d++)
                snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "%s%d", d > 1 ? "," : "", d - 1);
            strcat(expect, "]}");
            snprintf(fmt, sizeof fmt, "+w:%ld", (long)width);
            CHECK(strcmp(schema.format, fmt) == 0 && schema.n_children == 1);
            CHECK(strcmp(schema.children[0]->format, want) == 0 && strcmp(schema.children[0]->name, "item") == 0);
            CHECK(arrow_meta(schema.metadata, "ARROW:extension:name", meta, sizeof meta) &&
                  strcmp(meta, "arrow.fixed_shape_tensor") == 0);
            CHECK(arrow_meta(schema.metadata, "ARROW:extension:metadata", meta, sizeof meta) &&
                  strcmp(meta, expect) == 0);
            CHECK(array.n_buffers == 1 && array.n_children == 1 && array.children[0]->length == v.shape[0] * width);
            CHECK(array.children[0]->buffers[1] == v.buf);
        }
        pepkit_free(want);
        (void)pepkit_releasebuffer(&v);
        CHECK(pepkit_exports(view) == 1);
        pepkit_object *back = NULL;
        CHECK_OK(pepkit_arrow_import(&schema, &array, &back));
        CHECK(schema.release == NULL && array.release == NULL); /* moved */
        CHECK(pepkit_exports(view) == 1);
        CHECK(back != NULL && same_view(view, back, 0));
        pepkit_buffer bv;
        CHECK(pepkit_getbuffer(back, &bv, PEPKIT_BUF_WRITABLE) == PEPKIT_ERR_BUFFER); /* Arrow is immutable */
        pepkit_decref(back);
        CHECK(pepkit_exports(view) == 0);
        cases++;
    done:
        pepkit_decref(view);
        pepkit_decref(mv);
        CHECK(pepkit_exports(arr) == 0 && pepkit_refcount(arr) == 1);
        pepkit_decref(arr);
    }
    printf("arrow round trips: %d\n", cases);
}

/* ---- pepkit's exports: release without importing, refusals ---- */

static void test_export_release_and_refusals(void) {
    pepkit_ssize shape[2] = {3, 4};
    pepkit_object *ro = NULL, *f = NULL, *be = NULL, *rec = NULL, *b = NULL;
    CHECK_OK(pepkit_ndarray_new("d", 2, shape, 'C', 1, &ro));
    DLManagedTensorVersioned *t = NULL;
    CHECK_OK(pepkit_dlpack_export(ro, 0, &t));
    CHECK(t && (t->flags & DLPACK_FLAG_BITMASK_READ_ONLY) && !(t->flags & DLPACK_FLAG_BITMASK_IS_COPIED));
    CHECK(pepkit_exports(ro) == 1);
    t->deleter(t);
    CHECK(pepkit_exports(ro) == 0);
    DLManagedTensor *lt = NULL;
    CHECK_STATUS(pepkit_dlpack_export_legacy(ro, 0, &lt), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("read-only");
    CHECK(lt == NULL && pepkit_exports(ro) == 0);
    CHECK_STATUS(pepkit_dlpack_export(ro, PEPKIT_BUF_WRITABLE, &t), PEPKIT_ERR_BUFFER);

    /* Fortran order: DLPack takes it; Arrow needs C order. */
    CHECK_OK(pepkit_ndarray_new("i", 2, shape, 'F', 0, &f));
    CHECK_OK(pepkit_dlpack_export(f, 0, &t));
    CHECK(t && t->dl_tensor.strides[0] == 1 && t->dl_tensor.strides[1] == 3);
    if (t) t->deleter(t);
    struct ArrowSchema s;
    struct ArrowArray a;
    struct ArrowSchema s0;
    memset(&s, 0xAB, sizeof s);
    memset(&s0, 0xAB, sizeof s0);
    CHECK_STATUS(pepkit_arrow_export(f, &s, &a), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("C-contiguous");
    CHECK(memcmp(&s, &s0, sizeof s) == 0); /* nothing written on failure */
    CHECK(pepkit_exports(f) == 0);

    CHECK_OK(pepkit_ndarray_new(little_endian() ? ">i" : "<i", 2, shape, 'C', 0, &be));
    CHECK_STATUS(pepkit_dlpack_export(be, 0, &t), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("native byte order");
    CHECK_STATUS(pepkit_arrow_export(be, &s, &a), PEPKIT_ERR_VALUE);
    CHECK_OK(pepkit_ndarray_new("ih", 1, shape, 'C', 0, &rec));
    CHECK_STATUS(pepkit_dlpack_export(rec, 0, &t), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("no DLPack dtype");
    CHECK_OK(pepkit_ndarray_new("?", 1, shape, 'C', 0, &b));
    CHECK_STATUS(pepkit_arrow_export(b, &s, &a), PEPKIT_ERR_VALUE);
    CHECK(pepkit_exports(be) == 0 && pepkit_exports(rec) == 0 && pepkit_exports(b) == 0);

    /* Byte strides not a multiple of the itemsize; suboffsets. */
    static int32_t mem[16];
    static uint8_t *rows[2];
    pepkit_ssize shp[2] = {2, 2}, str[2] = {6, 4}, sub[2] = {0, -1}, pstr[2] = {sizeof(void *), 4};
    pepkit_layout lay = {mem, sizeof mem, 0, "i", 4, 2, shp, str, NULL, 0};
    pepkit_object *w = NULL, *pil = NULL, *zero = NULL;
    CHECK_OK(pepkit_wrap_new(&lay, NULL, NULL, &w));
    CHECK_STATUS(pepkit_dlpack_export(w, 0, &t), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("not a multiple of the itemsize");
    rows[0] = (uint8_t *)mem;
    rows[1] = (uint8_t *)(mem + 4);
    pepkit_layout plai = {rows, sizeof rows, 0, "i", 4, 2, shp, pstr, sub, 0};
    CHECK_OK(pepkit_wrap_new(&plai, NULL, NULL, &pil));
    CHECK_STATUS(pepkit_dlpack_export(pil, 0, &t), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("suboffsets");
    CHECK_STATUS(pepkit_arrow_export(pil, &s, &a), PEPKIT_ERR_BUFFER);
    CHECK(pepkit_exports(w) == 0 && pepkit_exports(pil) == 0);
    /* 0-dim: DLPack yes, Arrow no. */
    CHECK_OK(pepkit_ndarray_new("f", 0, NULL, 'C', 0, &zero));
    CHECK_OK(pepkit_dlpack_export(zero, 0, &t));
    CHECK(t && t->dl_tensor.ndim == 0);
    if (t) t->deleter(t);
    CHECK_STATUS(pepkit_arrow_export(zero, &s, &a), PEPKIT_ERR_BUFFER);

    /* Misaligned data for Arrow: a wrap one byte into the block. */
    pepkit_ssize n3[1] = {3};
    pepkit_layout mis = {mem, sizeof mem, 1, "i", 4, 1, n3, NULL, NULL, 1};
    pepkit_object *m = NULL;
    CHECK_OK(pepkit_wrap_new(&mis, NULL, NULL, &m));
    CHECK_STATUS(pepkit_arrow_export(m, &s, &a), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("aligned");

    /* An N-d export whose child array is moved out and released after its parent. */
    CHECK_OK(pepkit_arrow_export(ro, &s, &a));
    struct ArrowArray child = *a.children[0];
    a.children[0]->release = NULL;
    struct ArrowSchema cs = *s.children[0];
    s.children[0]->release = NULL;
    a.release(&a);
    s.release(&s);
    CHECK(a.release == NULL && s.release == NULL && pepkit_exports(ro) == 1);
    child.release(&child);
    cs.release(&cs);
    CHECK(pepkit_exports(ro) == 0);

    CHECK_STATUS(pepkit_dlpack_export(NULL, 0, &t), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_export(ro, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_export_legacy(NULL, 0, &lt), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_export_legacy(f, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_arrow_export(NULL, &s, &a), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_arrow_export(ro, NULL, &a), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_arrow_export(ro, &s, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(pepkit_exports(ro) == 0);
    pepkit_object *all[] = {ro, f, be, rec, b, w, pil, zero, m};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) pepkit_decref(all[k]);
}

/* ---- foreign tensors ---- */

static atomic_int deleted;
static _Atomic(pthread_t *) deleter_thread_slot;
static pthread_t deleter_thread;

static void count_delete(DLManagedTensorVersioned *self) {
    (void)self;
    deleter_thread = pthread_self();
    atomic_store(&deleter_thread_slot, &deleter_thread);
    atomic_fetch_add(&deleted, 1);
}
static void count_delete_legacy(DLManagedTensor *self) {
    (void)self;
    atomic_fetch_add(&deleted, 1);
}

static int32_t tdata[64];
static int64_t tshape[3] = {2, 3, 4};

static DLManagedTensorVersioned make_tensor(void) {
    DLManagedTensorVersioned t;
    memset(&t, 0, sizeof t);
    t.version.major = 1;
    t.version.minor = 1;
    t.deleter = count_delete;
    t.dl_tensor.data = tdata;
    t.dl_tensor.device.device_type = kDLCPU;
    t.dl_tensor.ndim = 3;
    t.dl_tensor.dtype.code = kDLInt;
    t.dl_tensor.dtype.bits = 32;
    t.dl_tensor.dtype.lanes = 1;
    t.dl_tensor.shape = tshape;
    t.dl_tensor.strides = NULL;
    return t;
}

static void *drop_on_thread(void *obj) {
    pepkit_decref((pepkit_object *)obj);
    return NULL;
}

static void test_dlpack_import(void) {
    for (int i = 0; i < 64; i++) tdata[i] = i;
    DLManagedTensorVersioned t = make_tensor();
    t.flags = DLPACK_FLAG_BITMASK_READ_ONLY;
    t.dl_tensor.byte_offset = 8;
    pepkit_object *obj = NULL;
    atomic_store(&deleted, 0);
    CHECK_OK(pepkit_dlpack_import(&t, &obj));
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL_RO));
    CHECK(v.buf == (void *)(tdata + 2) && v.readonly == 1 && v.ndim == 3 && strcmp(v.format, "i") == 0);
    CHECK(v.strides[0] == 48 && v.strides[1] == 16 && v.strides[2] == 4 && v.len == 96);
    CHECK(strcmp(pepkit_type_name(obj), "wrap") == 0);
    pepkit_buffer w;
    CHECK_STATUS(pepkit_getbuffer(obj, &w, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    pepkit_decref(obj);
    CHECK(atomic_load(&deleted) == 0); /* the export keeps it */
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK(atomic_load(&deleted) == 1);

    /* Element strides, negative ones included. */
    t = make_tensor();
    int64_t neg[3] = {-12, 4, -1};
    t.dl_tensor.strides = neg;
    t.dl_tensor.data = tdata + 23;
    CHECK_OK(pepkit_dlpack_import(&t, &obj));
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL_RO));
    CHECK(v.strides[0] == -48 && v.strides[1] == 16 && v.strides[2] == -4 && v.readonly == 0);
    CHECK(((int32_t *)v.buf)[0] == 23);
    (void)pepkit_releasebuffer(&v);
    pepkit_decref(obj);
    CHECK(atomic_load(&deleted) == 2);

    /* The last reference dropped on another thread runs the deleter there. */
    t = make_tensor();
    CHECK_OK(pepkit_dlpack_import(&t, &obj));
    pthread_t th;
    CHECK(pthread_create(&th, NULL, drop_on_thread, obj) == 0);
    pthread_join(th, NULL);
    CHECK(atomic_load(&deleted) == 3);
    CHECK(atomic_load(&deleter_thread_slot) != NULL && pthread_equal(deleter_thread, th));

    /* A NULL deleter is allowed. */
    t = make_tensor();
    t.deleter = NULL;
    CHECK_OK(pepkit_dlpack_import(&t, &obj));
    pepkit_decref(obj);

    /* Legacy: writable, deleter once. */
    DLManagedTensor lt;
    memset(&lt, 0, sizeof lt);
    lt.dl_tensor = make_tensor().dl_tensor;
    lt.deleter = count_delete_legacy;
    CHECK_OK(pepkit_dlpack_import_legacy(&lt, &obj));
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL));
    (void)pepkit_releasebuffer(&v);
    pepkit_decref(obj);
    CHECK(atomic_load(&deleted) == 4);

    /* Refusals: the deleter is never called, the tensor stays ours. */
    struct {
        const char *what;
        int status;
    } bad[] = {
        {"version", PEPKIT_ERR_BUFFER}, {"cuda", PEPKIT_ERR_BUFFER}, {"ndim65", PEPKIT_ERR_VALUE},
        {"ndim-1", PEPKIT_ERR_VALUE}, {"negshape", PEPKIT_ERR_VALUE}, {"bigshape", PEPKIT_ERR_OVERFLOW},
        {"bigstride", PEPKIT_ERR_OVERFLOW}, {"lanes", PEPKIT_ERR_VALUE}, {"bits12", PEPKIT_ERR_VALUE},
        {"bfloat", PEPKIT_ERR_VALUE}, {"nulldata", PEPKIT_ERR_NULL_ARGUMENT}, {"nullshape", PEPKIT_ERR_NULL_ARGUMENT},
        {"offset", PEPKIT_ERR_OVERFLOW}, {"wrap", PEPKIT_ERR_VALUE},
    };
    int64_t big[3] = {INT64_MAX / 2, 4, 4}, negs[3] = {2, -3, 4}, bigstr[3] = {INT64_MAX / 2, 1, 1};
    int64_t wrapstr[3] = {-(INT64_MAX / 4), 1, 1}; /* reaches below address 0 */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        t = make_tensor();
        const char *w = bad[k].what;
        if (!strcmp(w, "version")) t.version.major = 2;
        if (!strcmp(w, "cuda")) t.dl_tensor.device.device_type = kDLCUDA;
        if (!strcmp(w, "ndim65")) t.dl_tensor.ndim = 65;
        if (!strcmp(w, "ndim-1")) t.dl_tensor.ndim = -1;
        if (!strcmp(w, "negshape")) t.dl_tensor.shape = negs;
        if (!strcmp(w, "bigshape")) t.dl_tensor.shape = big;
        if (!strcmp(w, "bigstride")) t.dl_tensor.strides = bigstr;
        if (!strcmp(w, "lanes")) t.dl_tensor.dtype.lanes = 4;
        if (!strcmp(w, "bits12")) t.dl_tensor.dtype.bits = 12;
        if (!strcmp(w, "bfloat")) t.dl_tensor.dtype.code = kDLBfloat, t.dl_tensor.dtype.bits = 16;
        if (!strcmp(w, "nulldata")) t.dl_tensor.data = NULL;
        if (!strcmp(w, "nullshape")) t.dl_tensor.shape = NULL;
        if (!strcmp(w, "offset")) t.dl_tensor.byte_offset = UINT64_MAX;
        if (!strcmp(w, "wrap")) t.dl_tensor.strides = wrapstr;
        obj = (pepkit_object *)0x1;
        pepkit_status st = pepkit_dlpack_import(&t, &obj);
        CHECK(st == bad[k].status);
        if (st != bad[k].status) fprintf(stderr, "  %s: %s (%s)\n", w, pepkit_status_name(st), pepkit_last_error());
        CHECK(obj == (pepkit_object *)0x1);
    }
    CHECK(atomic_load(&deleted) == 4);
    t = make_tensor();
    t.dl_tensor.device.device_type = kDLCUDA;
    CHECK_STATUS(pepkit_dlpack_import(&t, &obj), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("CUDA");
    /* Empty tensors may have NULL data. */
    t = make_tensor();
    int64_t empty[3] = {2, 0, 4};
    t.dl_tensor.shape = empty;
    t.dl_tensor.data = NULL;
    CHECK_OK(pepkit_dlpack_import(&t, &obj));
    pepkit_decref(obj);
    CHECK(atomic_load(&deleted) == 5);
    CHECK_STATUS(pepkit_dlpack_import(NULL, &obj), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_import(&t, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_import_legacy(NULL, &obj), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_dlpack_import_legacy(&lt, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(atomic_load(&deleted) == 5);
}

/* ---- foreign Arrow arrays ---- */

static atomic_int schema_released, array_released;
static int64_t adata[32];
static const void *abuffers[2];
static char ameta[128];

static void rel_schema(struct ArrowSchema *s) {
    atomic_fetch_add(&schema_released, 1);
    s->release = NULL;
}
static void rel_array(struct ArrowArray *a) {
    atomic_fetch_add(&array_released, 1);
    a->release = NULL;
}

static void make_arrow(struct ArrowSchema *s, struct ArrowArray *a, const char *format) {
    memset(s, 0, sizeof *s);
    memset(a, 0, sizeof *a);
    s->format = format;
    s->name = "";
    s->release = rel_schema;
    abuffers[0] = NULL;
    abuffers[1] = adata;
    a->length = 10;
    a->offset = 3;
    a->n_buffers = 2;
    a->buffers = abuffers;
    a->release = rel_array;
}

static void test_arrow_import(void) {
    for (int i = 0; i < 32; i++) adata[i] = i * 10;
    struct ArrowSchema s;
    struct ArrowArray a;
    pepkit_object *obj = NULL;
    atomic_store(&schema_released, 0);
    atomic_store(&array_released, 0);
    make_arrow(&s, &a, "l");
    CHECK_OK(pepkit_arrow_import(&s, &a, &obj));
    CHECK(s.release == NULL && a.release == NULL);
    CHECK(atomic_load(&schema_released) == 1 && atomic_load(&array_released) == 0);
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL_RO));
    CHECK(v.buf == (void *)(adata + 3) && v.shape[0] == 10 && v.readonly == 1 && strcmp(v.format, "q") == 0);
    /* The last drop on another thread releases the array there, once. */
    pthread_t th;
    CHECK(pthread_create(&th, NULL, drop_on_thread, obj) == 0);
    pthread_join(th, NULL);
    CHECK(atomic_load(&array_released) == 0);
    (void)pepkit_releasebuffer(&v);
    CHECK(atomic_load(&array_released) == 1 && atomic_load(&schema_released) == 1);

    /* A fixed_shape_tensor made by hand: rows of 2x2 int64, offset 1 row. */
    static struct ArrowSchema child_s;
    static struct ArrowArray child_a;
    static struct ArrowSchema *cs[1] = {&child_s};
    static struct ArrowArray *ca[1] = {&child_a};
    static const void *pbuf[1] = {NULL};
    const char *name = "ARROW:extension:name", *ext = "arrow.fixed_shape_tensor", *json = "{\"shape\": [2, 2]}";
    int32_t n = 2, len;
    char *p = ameta;
    memcpy(p, &n, 4), p += 4;
    len = (int32_t)strlen(name), memcpy(p, &len, 4), p += 4, memcpy(p, name, (size_t)len), p += len;
    len = (int32_t)strlen(ext), memcpy(p, &len, 4), p += 4, memcpy(p, ext, (size_t)len), p += len;
    len = 24, memcpy(p, &len, 4), p += 4, memcpy(p, "ARROW:extension:metadata", 24), p += 24;
    len = (int32_t)strlen(json), memcpy(p, &len, 4), p += 4, memcpy(p, json, (size_t)len);
    make_arrow(&s, &a, "+w:4");
    s.metadata = ameta;
    s.n_children = 1;
    s.children = cs;
    make_arrow(&child_s, &child_a, "l");
    child_a.length = 16;
    child_a.offset = 2;
    a.length = 3;
    a.offset = 1;
    a.n_buffers = 1;
    a.buffers = pbuf;
    a.n_children = 1;
    a.children = ca;
    CHECK_OK(pepkit_arrow_import(&s, &a, &obj));
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL_RO));
    CHECK(v.ndim == 3 && v.shape[0] == 3 && v.shape[1] == 2 && v.shape[2] == 2 && v.buf == (void *)(adata + 6));
    (void)pepkit_releasebuffer(&v);
    pepkit_decref(obj);
    CHECK(atomic_load(&array_released) == 2 && atomic_load(&schema_released) == 2);

    /* Refusals: both structs stay the caller's, untouched. */
    const char *cases[] = {"nulls", "unknown-nulls", "bool", "utf8", "dict", "nbuf", "neglen", "misaligned",
                           "released", "bigoffset", "nulldata", "badmeta", "perm", "shortchild"};
    static struct ArrowSchema dict;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *w = cases[k];
        make_arrow(&s, &a, "l");
        if (!strcmp(w, "nulls")) a.null_count = 1, abuffers[0] = adata;
        if (!strcmp(w, "unknown-nulls")) a.null_count = -1, abuffers[0] = adata;
        if (!strcmp(w, "bool")) s.format = "b";
        if (!strcmp(w, "utf8")) s.format = "u", a.n_buffers = 3;
        if (!strcmp(w, "dict")) s.dictionary = &dict;
        if (!strcmp(w, "nbuf")) a.n_buffers = 1;
        if (!strcmp(w, "neglen")) a.length = -1;
        if (!strcmp(w, "misaligned")) abuffers[1] = (const char *)adata + 1;
        if (!strcmp(w, "released")) a.release = NULL;
        if (!strcmp(w, "bigoffset")) a.offset = INT64_MAX / 4;
        if (!strcmp(w, "nulldata")) abuffers[1] = NULL;
        if (!strcmp(w, "badmeta") || !strcmp(w, "perm") || !strcmp(w, "shortchild")) {
            const char *j = !strcmp(w, "badmeta") ? "{\"shape\": [2, -2]}" :
                            !strcmp(w, "perm")    ? "{\"shape\": [2, 2], \"permutation\": [1, 0]}" : json;
            char *q = ameta + 4 + 4 + strlen(name) + 4 + strlen(ext) + 4 + 24;
            len = (int32_t)strlen(j), memcpy(q, &len, 4), memcpy(q + 4, j, (size_t)len);
            s.format = "+w:4", s.metadata = ameta, s.n_children = 1, s.children = cs;
            make_arrow(&child_s, &child_a, "l");
            child_a.length = !strcmp(w, "shortchild") ? 11 : 16;
            a.length = 3, a.offset = 0, a.n_buffers = 1, a.buffers = pbuf, a.n_children = 1, a.children = ca;
        }
        obj = (pepkit_object *)0x1;
        struct ArrowSchema s0 = s;
        struct ArrowArray a0 = a;
        pepkit_status st = pepkit_arrow_import(&s, &a, &obj);
        CHECK(st != PEPKIT_OK && obj == (pepkit_object *)0x1);
        if (st == PEPKIT_OK) fprintf(stderr, "  arrow import of %s was accepted\n", w);
        CHECK(memcmp(&s, &s0, sizeof s) == 0 && memcmp(&a, &a0, sizeof a) == 0);
    }
    CHECK(atomic_load(&array_released) == 2 && atomic_load(&schema_released) == 2);
    make_arrow(&s, &a, "l");
    a.null_count = 2;
    CHECK_STATUS(pepkit_arrow_import(&s, &a, &obj), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("nulls");
    CHECK_STATUS(pepkit_arrow_import(NULL, &a, &obj), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_arrow_import(&s, NULL, &obj), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_arrow_import(&s, &a, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(s.release != NULL && a.release != NULL);
}

int main(void) {
    const char *env = getenv("PEPKIT_SEED");
    unsigned long seed = env ? strtoul(env, NULL, 10) : (unsigned long)time(NULL);
    rng_state = seed;
    printf("test_interchange: seed %lu (rerun with PEPKIT_SEED=%lu)\n", seed, seed);
    test_format_to_dlpack();
    test_format_arrow();
    test_dlpack_round_trips();
    test_arrow_round_trips();
    test_export_release_and_refusals();
    test_dlpack_import();
    test_arrow_import();
    return check_summary("test_interchange");
}
