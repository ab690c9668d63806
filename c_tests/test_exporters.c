/* Exporters and the buffer protocol: what each kind exports, the request
 * rules, lifetimes (release callbacks, decref while exported), resize. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

static int release_calls;
static void count_release(void *ctx) {
    release_calls++;
    free(ctx);
}

static void test_bytes(void) {
    const uint8_t data[] = {1, 2, 3, 4, 5};
    pepkit_object *b = NULL;
    CHECK_OK(pepkit_bytes_new(data, sizeof data, &b));
    CHECK(b != NULL);
    CHECK(strcmp(pepkit_type_name(b), "bytes") == 0);
    CHECK(pepkit_refcount(b) == 1);

    pepkit_buffer view;
    memset(&view, 0, sizeof view);
    CHECK_OK(pepkit_getbuffer(b, &view, PEPKIT_BUF_FULL_RO));
    CHECK(view.obj == b);
    CHECK(view.len == 5 && view.itemsize == 1 && view.ndim == 1 && view.readonly == 1);
    CHECK(view.format != NULL && strcmp(view.format, "B") == 0);
    CHECK(view.shape != NULL && view.shape[0] == 5);
    CHECK(view.strides != NULL && view.strides[0] == 1);
    CHECK(view.suboffsets == NULL);
    CHECK(memcmp(view.buf, data, 5) == 0 && view.buf != (void *)data);
    CHECK(pepkit_refcount(b) == 2 && pepkit_exports(b) == 1);
    CHECK_OK(pepkit_releasebuffer(&view));
    CHECK(view.obj == NULL);
    CHECK(pepkit_refcount(b) == 1 && pepkit_exports(b) == 0);

    /* Writable request on bytes: BufferError, as CPython's bytes. */
    view.obj = (pepkit_object *)&view; /* garbage that must be reset */
    CHECK_STATUS(pepkit_getbuffer(b, &view, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("Object is not writable.");
    CHECK(view.obj == NULL);

    /* FillInfo semantics: FORMAT without ND succeeds with shape NULL. */
    CHECK_OK(pepkit_getbuffer(b, &view, PEPKIT_BUF_FORMAT));
    CHECK(view.ndim == 1 && view.shape == NULL && view.strides == NULL);
    CHECK(view.format != NULL && strcmp(view.format, "B") == 0);
    CHECK_OK(pepkit_releasebuffer(&view));

    /* Zero-length bytes from a NULL pointer. */
    pepkit_object *empty = NULL;
    CHECK_OK(pepkit_bytes_new(NULL, 0, &empty));
    CHECK_OK(pepkit_getbuffer(empty, &view, PEPKIT_BUF_SIMPLE));
    CHECK(view.len == 0 && view.buf != NULL);
    CHECK_OK(pepkit_releasebuffer(&view));
    pepkit_decref(empty);
    pepkit_decref(b);
}

static void test_bytearray_resize(void) {
    pepkit_object *ba = NULL;
    CHECK_OK(pepkit_bytearray_new((const uint8_t *)"abc", 3, &ba));
    CHECK(strcmp(pepkit_type_name(ba), "bytearray") == 0);
    pepkit_buffer view;
    CHECK_OK(pepkit_getbuffer(ba, &view, PEPKIT_BUF_CONTIG));
    CHECK(view.readonly == 0 && view.len == 3);
    ((char *)view.buf)[0] = 'x';

    CHECK_STATUS(pepkit_bytearray_resize(ba, 10), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("Existing exports of data: object cannot be re-sized");
    CHECK(view.len == 3 && view.shape[0] == 3);
    CHECK_OK(pepkit_releasebuffer(&view));

    CHECK_OK(pepkit_bytearray_resize(ba, 6));
    CHECK_OK(pepkit_getbuffer(ba, &view, PEPKIT_BUF_FULL));
    CHECK(view.len == 6 && view.shape[0] == 6);
    CHECK(memcmp(view.buf, "xbc\0\0\0", 6) == 0);
    CHECK_OK(pepkit_releasebuffer(&view));
    CHECK_OK(pepkit_bytearray_resize(ba, 0));
    CHECK_OK(pepkit_getbuffer(ba, &view, PEPKIT_BUF_FULL));
    CHECK(view.len == 0 && view.buf != NULL);
    CHECK_OK(pepkit_releasebuffer(&view));
    CHECK_OK(pepkit_bytearray_resize(ba, 2));

    /* Only a bytearray can be resized. */
    pepkit_object *b = NULL;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"x", 1, &b));
    CHECK_STATUS(pepkit_bytearray_resize(b, 4), PEPKIT_ERR_TYPE);
    pepkit_decref(b);
    pepkit_decref(ba);
}

static void test_ndarray(void) {
    pepkit_ssize shape[3] = {2, 3, 4};
    pepkit_object *c = NULL, *f = NULL;
    CHECK_OK(pepkit_ndarray_new("d", 3, shape, 'C', 0, &c));
    CHECK_OK(pepkit_ndarray_new("<h", 3, shape, 'F', 1, &f));

    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(c, &v, PEPKIT_BUF_RECORDS));
    CHECK(v.itemsize == 8 && v.len == 2 * 3 * 4 * 8 && v.ndim == 3);
    CHECK(v.strides[0] == 96 && v.strides[1] == 32 && v.strides[2] == 8);
    CHECK(strcmp(v.format, "d") == 0);
    {
        /* Zero-filled. */
        int zero = 1;
        for (pepkit_ssize i = 0; i < v.len; i++) zero &= ((unsigned char *)v.buf)[i] == 0;
        CHECK(zero);
    }
    CHECK_OK(pepkit_releasebuffer(&v));

    /* Fortran array: F request works, C request fails, no-strides fails. */
    CHECK_OK(pepkit_getbuffer(f, &v, PEPKIT_BUF_F_CONTIGUOUS | PEPKIT_BUF_FORMAT));
    CHECK(v.strides[0] == 2 && v.strides[1] == 4 && v.strides[2] == 12 && v.readonly == 1);
    CHECK(strcmp(v.format, "<h") == 0);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK_STATUS(pepkit_getbuffer(f, &v, PEPKIT_BUF_C_CONTIGUOUS), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("not C-contiguous");
    CHECK_STATUS(pepkit_getbuffer(f, &v, PEPKIT_BUF_ND), PEPKIT_ERR_BUFFER);
    CHECK_STATUS(pepkit_getbuffer(f, &v, PEPKIT_BUF_WRITABLE | PEPKIT_BUF_STRIDES), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("ndarray is not writable");
    CHECK_OK(pepkit_getbuffer(f, &v, PEPKIT_BUF_ANY_CONTIGUOUS));
    CHECK(v.format == NULL);
    CHECK_OK(pepkit_releasebuffer(&v));

    /* ndarray rules: FORMAT without ND fails; SIMPLE gives ndim 1, no shape. */
    CHECK_STATUS(pepkit_getbuffer(c, &v, PEPKIT_BUF_FORMAT), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("cannot cast to unsigned bytes if the format flag is present");
    CHECK_OK(pepkit_getbuffer(c, &v, PEPKIT_BUF_SIMPLE));
    CHECK(v.ndim == 1 && v.shape == NULL && v.strides == NULL && v.format == NULL && v.itemsize == 8);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK(pepkit_exports(c) == 0 && pepkit_exports(f) == 0);

    /* 0-dim and 64-dim arrays. */
    pepkit_object *scalar = NULL;
    CHECK_OK(pepkit_ndarray_new("Q", 0, NULL, 'C', 0, &scalar));
    CHECK_OK(pepkit_getbuffer(scalar, &v, PEPKIT_BUF_FULL));
    CHECK(v.ndim == 0 && v.shape == NULL && v.strides == NULL && v.len == 8);
    CHECK_OK(pepkit_releasebuffer(&v));
    pepkit_decref(scalar);
    pepkit_ssize ones[64];
    for (int i = 0; i < 64; i++) ones[i] = 1;
    ones[63] = 3;
    pepkit_object *deep = NULL;
    CHECK_OK(pepkit_ndarray_new("i", 64, ones, 'F', 0, &deep));
    CHECK_OK(pepkit_getbuffer(deep, &v, PEPKIT_BUF_C_CONTIGUOUS));
    CHECK(v.ndim == 64 && v.len == 12);
    CHECK_OK(pepkit_releasebuffer(&v));
    pepkit_decref(deep);

    pepkit_decref(c);
    pepkit_decref(f);
}

static void test_wrap_lifetime(void) {
    /* A 4x4 block of int32, exported as the transposed 2x... view: every
     * second column, reversed rows. */
    int32_t *block = malloc(16 * sizeof(int32_t));
    for (int i = 0; i < 16; i++) block[i] = i;
    pepkit_ssize shape[2] = {4, 2};
    pepkit_ssize strides[2] = {-16, 8};
    pepkit_layout layout = {block, 16 * sizeof(int32_t), 12 * 4, "i", 4, 2, shape, strides, NULL, 0};
    pepkit_object *w = NULL;
    release_calls = 0;
    CHECK_OK(pepkit_wrap_new(&layout, count_release, block, &w));
    CHECK(strcmp(pepkit_type_name(w), "wrap") == 0);

    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(w, &v, PEPKIT_BUF_FULL));
    CHECK(v.buf == (void *)(block + 12) && v.len == 32);
    /* The caller's arrays are copied: changing them changes nothing. */
    shape[0] = 99;
    CHECK(v.shape[0] == 4 && v.strides[0] == -16);
    pepkit_ssize idx[2] = {1, 1};
    void *p = NULL;
    CHECK_OK(pepkit_buffer_get_pointer(&v, idx, 2, &p));
    CHECK(*(int32_t *)p == 10);

    /* Drop the owner's reference while exported: memory stays valid. */
    pepkit_buffer copy = v;
    pepkit_decref(w);
    CHECK(release_calls == 0);
    CHECK(*(int32_t *)v.buf == 12);
    CHECK_OK(pepkit_releasebuffer(&copy)); /* releasing a copy is fine */
    CHECK(release_calls == 1);
    /* The original struct still names the object, now freed: releasing it
     * would be a double release; a zeroed view is a no-op. */
    memset(&v, 0, sizeof v);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK(release_calls == 1);

    /* Released exactly once with no exports at all, and NULL release_fn. */
    int32_t local[4] = {1, 2, 3, 4};
    pepkit_ssize n = 4;
    pepkit_layout l2 = {local, sizeof local, 0, "i", 4, 1, &n, NULL, NULL, 1};
    CHECK_OK(pepkit_wrap_new(&l2, NULL, NULL, &w));
    CHECK_STATUS(pepkit_getbuffer(w, &v, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    pepkit_decref(w);
}

static void test_double_release(void) {
    pepkit_object *b = NULL;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"ab", 2, &b));
    pepkit_buffer v, copy;
    CHECK_OK(pepkit_getbuffer(b, &v, PEPKIT_BUF_SIMPLE));
    copy = v;
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK_OK(pepkit_releasebuffer(&v)); /* obj is NULL now: no-op */
    CHECK_STATUS(pepkit_releasebuffer(&copy), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("no live exports");
    CHECK(pepkit_refcount(b) == 1 && pepkit_exports(b) == 0);
    pepkit_decref(b);
}

/* A custom exporter: a 2x3 matrix of uint16 exported in full; counts calls. */
typedef struct {
    uint16_t data[6];
    pepkit_ssize shape[2];
    pepkit_ssize strides[2];
    int gets, releases, deallocs;
    int fail_next;
} matrix;

static int deallocs_seen;

static pepkit_status matrix_getbuffer(void *self, pepkit_buffer *view, int flags) {
    matrix *m = self;
    (void)flags;
    if (m->fail_next) {
        m->fail_next = 0;
        return pepkit_set_error(PEPKIT_ERR_VALUE, "matrix is busy");
    }
    m->gets++;
    view->buf = m->data;
    view->len = sizeof m->data;
    view->itemsize = 2;
    view->readonly = 0;
    view->ndim = 2;
    view->format = (char *)"H";
    view->shape = m->shape;
    view->strides = m->strides;
    view->internal = &m->gets;
    return PEPKIT_OK;
}

static void matrix_releasebuffer(void *self, pepkit_buffer *view) {
    matrix *m = self;
    if (view->internal == &m->gets) m->releases++;
}

static void matrix_dealloc(void *self) {
    deallocs_seen++;
    free(self);
}

static pepkit_status bytes_like_getbuffer(void *self, pepkit_buffer *view, int flags) {
    return pepkit_buffer_fill_info(view, NULL, self, 4, 1, flags);
}

static void test_custom(void) {
    matrix *m = calloc(1, sizeof *m);
    for (int i = 0; i < 6; i++) m->data[i] = (uint16_t)(i * 10);
    m->shape[0] = 2; m->shape[1] = 3;
    m->strides[0] = 2; m->strides[1] = 4; /* Fortran order */
    pepkit_exporter_vtable vt = {matrix_getbuffer, matrix_releasebuffer, matrix_dealloc};
    pepkit_object *obj = NULL;
    deallocs_seen = 0;
    CHECK_OK(pepkit_custom_new(&vt, m, &obj));

    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL));
    CHECK(v.obj == obj && v.ndim == 2 && strcmp(v.format, "H") == 0);
    pepkit_ssize idx[2] = {1, 2};
    void *p;
    CHECK_OK(pepkit_buffer_get_pointer(&v, idx, 2, &p));
    CHECK(*(uint16_t *)p == 50);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK(m->gets == 1 && m->releases == 1);

    /* pepkit narrows the full description: no FORMAT, and C order refused
     * (after which the exporter's releasebuffer undoes its getbuffer). */
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_F_CONTIGUOUS));
    CHECK(v.format == NULL && v.strides != NULL);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK_STATUS(pepkit_getbuffer(obj, &v, PEPKIT_BUF_CONTIG_RO), PEPKIT_ERR_BUFFER);
    CHECK(v.obj == NULL);
    CHECK(m->gets == 3 && m->releases == 3 && pepkit_exports(obj) == 0);

    /* A failing callback's status and message reach the caller. */
    m->fail_next = 1;
    CHECK_STATUS(pepkit_getbuffer(obj, &v, PEPKIT_BUF_FULL), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("matrix is busy");
    CHECK(pepkit_exports(obj) == 0 && pepkit_refcount(obj) == 1);

    pepkit_decref(obj);
    CHECK(deallocs_seen == 1);

    /* An exporter that answers requests itself with fill_info. */
    static char four[4] = {'w', 'x', 'y', 'z'};
    pepkit_exporter_vtable vt2 = {bytes_like_getbuffer, NULL, NULL};
    CHECK_OK(pepkit_custom_new(&vt2, four, &obj));
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_SIMPLE));
    CHECK(v.len == 4 && v.shape == NULL && v.format == NULL && v.buf == four);
    CHECK_OK(pepkit_releasebuffer(&v));
    /* fill_info's shape/strides point at the view's own fields: they must
     * point at the caller's struct, not at a copy pepkit made. */
    CHECK_OK(pepkit_getbuffer(obj, &v, PEPKIT_BUF_STRIDES));
    CHECK(v.shape == &v.len && v.strides == &v.itemsize && v.shape[0] == 4);
    CHECK_OK(pepkit_releasebuffer(&v));
    CHECK_STATUS(pepkit_getbuffer(obj, &v, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("Object is not writable.");
    CHECK(pepkit_exports(obj) == 0);
    pepkit_decref(obj);
}

int main(void) {
    test_bytes();
    test_bytearray_resize();
    test_ndarray();
    test_wrap_lifetime();
    test_double_release();
    test_custom();
    CHECK(release_calls == 1);
    return check_summary("test_exporters");
}
