/* Bad input from C: NULL for every pointer argument, impossible layouts,
 * unknown formats, bad orders. Each call must return its documented status,
 * leave out-parameters alone and keep ASan/Valgrind clean. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

static pepkit_status noop_getbuffer(void *self, pepkit_buffer *view, int flags) {
    return pepkit_buffer_fill_info(view, NULL, self, 1, 1, flags);
}

static int never_called;
static void must_not_run(void *ctx) {
    (void)ctx;
    never_called++;
}

#define SENTINEL ((pepkit_object *)(uintptr_t)0x5a5a)

static void test_null_arguments(void) {
    pepkit_object *out = SENTINEL;
    pepkit_buffer view;
    memset(&view, 0, sizeof view);
    pepkit_ssize shape[1] = {4};
    unsigned char mem[8] = {0};
    pepkit_layout layout = {mem, sizeof mem, 0, "B", 1, 1, shape, NULL, NULL, 0};
    pepkit_exporter_vtable vt = {noop_getbuffer, NULL, NULL};

    CHECK_STATUS(pepkit_bytes_new(NULL, 3, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("data must not be NULL");
    CHECK_STATUS(pepkit_bytes_new(mem, 3, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_bytearray_new(NULL, 1, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_bytearray_new(mem, 1, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_bytearray_resize(NULL, 1), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_ndarray_new("B", 1, NULL, 'C', 0, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_ndarray_new("B", 1, shape, 'C', 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_wrap_new(NULL, NULL, NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_wrap_new(&layout, must_not_run, NULL, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_custom_new(NULL, NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_custom_new(&vt, NULL, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    {
        pepkit_exporter_vtable empty = {NULL, NULL, NULL};
        CHECK_STATUS(pepkit_custom_new(&empty, NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
        CHECK_MESSAGE("getbuffer");
    }
    CHECK(out == SENTINEL);

    view.obj = SENTINEL;
    CHECK_STATUS(pepkit_getbuffer(NULL, &view, PEPKIT_BUF_SIMPLE), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(view.obj == NULL);
    pepkit_object *b = NULL;
    CHECK_OK(pepkit_bytes_new(mem, 4, &b));
    CHECK_STATUS(pepkit_getbuffer(b, NULL, PEPKIT_BUF_SIMPLE), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_releasebuffer(NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(pepkit_refcount(b) == 1 && pepkit_exports(b) == 0);

    CHECK(pepkit_refcount(NULL) == -1);
    CHECK_MESSAGE("obj must not be NULL");
    CHECK(pepkit_exports(NULL) == -1);
    CHECK(pepkit_type_name(NULL) == NULL);

    CHECK(pepkit_buffer_is_contiguous(NULL, 'C') == -1);
    void *p = NULL;
    pepkit_ssize idx[1] = {0};
    CHECK_OK(pepkit_getbuffer(b, &view, PEPKIT_BUF_FULL_RO));
    CHECK_STATUS(pepkit_buffer_get_pointer(NULL, idx, 1, &p), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_get_pointer(&view, NULL, 1, &p), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_get_pointer(&view, idx, 1, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(p == NULL);
    unsigned char dst[4];
    CHECK_STATUS(pepkit_buffer_to_contiguous(NULL, &view, 4, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_to_contiguous(dst, NULL, 4, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_from_contiguous(NULL, dst, 4, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_from_contiguous(&view, NULL, 4, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    pepkit_ssize strides[1] = {77};
    CHECK_STATUS(pepkit_buffer_fill_contiguous_strides(1, NULL, strides, 1, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_buffer_fill_contiguous_strides(1, shape, NULL, 1, 'C'), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(strides[0] == 77);
    CHECK_STATUS(pepkit_buffer_fill_info(NULL, NULL, mem, 1, 0, 0), PEPKIT_ERR_NULL_ARGUMENT);
    {
        pepkit_buffer v2;
        memset(&v2, 0, sizeof v2);
        CHECK_STATUS(pepkit_buffer_fill_info(&v2, NULL, NULL, 4, 0, 0), PEPKIT_ERR_NULL_ARGUMENT);
        CHECK(v2.len == 0);
    }
    pepkit_ssize size = 5;
    CHECK_STATUS(pepkit_format_calcsize(NULL, &size), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_format_calcsize("B", NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(size == 5);
    CHECK_OK(pepkit_releasebuffer(&view));
    pepkit_decref(b);
}

static void test_bad_layouts(void) {
    unsigned char mem[64];
    pepkit_object *out = SENTINEL;
    pepkit_ssize shape[65];
    for (int i = 0; i < 65; i++) shape[i] = 1;

    /* ndim 65 */
    pepkit_layout l = {mem, sizeof mem, 0, "B", 1, 65, shape, NULL, NULL, 0};
    CHECK_STATUS(pepkit_wrap_new(&l, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("must not exceed 64");
    CHECK_STATUS(pepkit_ndarray_new("B", 65, shape, 'C', 0, &out), PEPKIT_ERR_VALUE);
    l.ndim = -1;
    CHECK_STATUS(pepkit_wrap_new(&l, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);

    /* negative shape */
    pepkit_ssize neg[2] = {2, -3};
    l.ndim = 2;
    l.shape = neg;
    CHECK_STATUS(pepkit_wrap_new(&l, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("negative extent -3 in dimension 2");
    CHECK_STATUS(pepkit_ndarray_new("i", 2, neg, 'F', 0, &out), PEPKIT_ERR_VALUE);

    /* a shape whose byte size overflows */
    pepkit_ssize big[2] = {PTRDIFF_MAX / 4, 8};
    l.shape = big;
    CHECK_STATUS(pepkit_wrap_new(&l, must_not_run, NULL, &out), PEPKIT_ERR_OVERFLOW);
    CHECK_MESSAGE("overflows");
    CHECK_STATUS(pepkit_ndarray_new("d", 2, big, 'C', 0, &out), PEPKIT_ERR_OVERFLOW);
    pepkit_ssize huge1[1] = {PTRDIFF_MAX};
    CHECK_STATUS(pepkit_ndarray_new("B", 1, huge1, 'C', 0, &out), PEPKIT_ERR_NO_MEMORY);

    /* strides reaching outside the block, each direction */
    pepkit_ssize s8[1] = {8}, st_over[1] = {10}, st_neg[1] = {-8}; /* 8 items 10 apart: byte 70 */
    pepkit_layout l1 = {mem, sizeof mem, 0, "B", 1, 1, s8, st_over, NULL, 0};
    CHECK_STATUS(pepkit_wrap_new(&l1, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("outside the block");
    l1.strides = st_neg; /* offset 0, going backwards */
    CHECK_STATUS(pepkit_wrap_new(&l1, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    l1.offset = 56; /* now fits: items at 56, 48, ..., 0 */
    pepkit_object *ok = NULL;
    CHECK_OK(pepkit_wrap_new(&l1, must_not_run, NULL, &ok));
    pepkit_decref(ok);
    never_called = 0;
    l1.offset = 64; /* one past the end with items: outside */
    CHECK_STATUS(pepkit_wrap_new(&l1, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    l1.offset = -1;
    CHECK_STATUS(pepkit_wrap_new(&l1, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    /* An itemsize that pokes past the end by one byte. */
    pepkit_ssize s1[1] = {8};
    pepkit_layout l2 = {mem, sizeof mem, 0, "Q", 8, 1, s1, NULL, NULL, 0};
    l2.offset = 1;
    CHECK_STATUS(pepkit_wrap_new(&l2, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    /* Empty arrays reach nothing: any offset inside [0, size] is fine. */
    pepkit_ssize zero[2] = {0, 5};
    pepkit_layout l3 = {mem, sizeof mem, 64, "d", 8, 2, zero, NULL, NULL, 0};
    CHECK_OK(pepkit_wrap_new(&l3, NULL, NULL, &ok));
    pepkit_decref(ok);
    /* NULL base with a size. */
    pepkit_layout l4 = {NULL, 8, 0, "B", 1, 1, s1, NULL, NULL, 0};
    CHECK_STATUS(pepkit_wrap_new(&l4, must_not_run, NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);

    /* unknown formats and itemsize mismatch */
    pepkit_layout l5 = {mem, sizeof mem, 0, "Z", 1, 1, s1, NULL, NULL, 0};
    CHECK_STATUS(pepkit_wrap_new(&l5, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("bad char in struct format");
    l5.format = "i";
    CHECK_STATUS(pepkit_wrap_new(&l5, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("itemsize 1 does not match the size 4");
    l5.format = "0s";
    l5.itemsize = 0;
    CHECK_STATUS(pepkit_wrap_new(&l5, must_not_run, NULL, &out), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_ndarray_new("<P", 1, s1, 'C', 0, &out), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_ndarray_new("", 1, s1, 'C', 0, &out), PEPKIT_ERR_VALUE);

    /* bad order characters */
    CHECK_STATUS(pepkit_ndarray_new("B", 1, s1, 'X', 0, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("order must be");
    CHECK_STATUS(pepkit_ndarray_new("B", 1, s1, 'A', 0, &out), PEPKIT_ERR_VALUE);
    CHECK(out == SENTINEL);
    CHECK(never_called == 0);
}

static void test_bad_views(void) {
    pepkit_object *nd = NULL;
    pepkit_ssize shape[2] = {2, 3};
    CHECK_OK(pepkit_ndarray_new("h", 2, shape, 'C', 0, &nd));
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(nd, &v, PEPKIT_BUF_FULL));
    unsigned char out[12];
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &v, 12, 'Z'), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_buffer_from_contiguous(&v, out, 12, 'z'), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &v, -1, 'C'), PEPKIT_ERR_VALUE);
    pepkit_ssize st[2];
    CHECK_STATUS(pepkit_buffer_fill_contiguous_strides(2, shape, st, 2, 'Q'), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_buffer_fill_contiguous_strides(65, shape, st, 2, 'C'), PEPKIT_ERR_VALUE);

    /* A caller-made view that lies about its size is refused, not walked. */
    pepkit_buffer lie = v;
    lie.len = 1000;
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &lie, 1000, 'C'), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("invalid buffer");
    lie = v;
    lie.ndim = 70;
    CHECK(pepkit_buffer_is_contiguous(&lie, 'C') == -1);
    lie = v;
    lie.itemsize = 0;
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &lie, 12, 'C'), PEPKIT_ERR_VALUE);
    pepkit_ssize negative[2] = {-2, -3};
    lie = v;
    lie.shape = negative;
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &lie, 12, 'C'), PEPKIT_ERR_VALUE);

    /* Request flags meant for memoryview_from_memory are not requests. */
    pepkit_buffer w;
    CHECK_STATUS(pepkit_getbuffer(nd, &w, PEPKIT_BUF_READ), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_getbuffer(nd, &w, PEPKIT_BUF_WRITE), PEPKIT_ERR_VALUE);
    CHECK(pepkit_exports(nd) == 1);
    CHECK_OK(pepkit_releasebuffer(&v));
    pepkit_decref(nd);
}

int main(void) {
    test_null_arguments();
    test_bad_layouts();
    test_bad_views();
    return check_summary("test_bad_input");
}
