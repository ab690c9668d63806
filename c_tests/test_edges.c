/* Edge cases of issue 8 that need no memory limit, so they run under ASan,
 * Valgrind and the debug-assertions build:
 * - item 6: an empty view whose slicing moved `buf` to exactly NULL must
 *   work everywhere (pepkit never makes a slice from a NULL pointer);
 * - item 8: resizing an exported bytearray to its current length is a no-op
 *   that succeeds, as PyByteArray_Resize (checked against CPython by
 *   tests/oracle/test_resize.py). */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

/* ndarray(shape (1, 0, 15), 'B') sliced [-MAX:-MAX:-MAX] on every dimension:
 * the shift is -16 bytes, and a zero-byte array's memory sits at the
 * dangling address 16, so the view's buf is NULL. */
static void test_null_buf_view(void) {
    pepkit_object *nd = NULL, *mv = NULL, *sl = NULL;
    pepkit_ssize shape[3] = {1, 0, 15};
    CHECK_OK(pepkit_ndarray_new("B", 3, shape, 'C', 1, &nd));
    CHECK_OK(pepkit_memoryview_new(nd, &mv));
    pepkit_slice s = {-PTRDIFF_MAX, -PTRDIFF_MAX, -PTRDIFF_MAX};
    pepkit_slice all[3] = {s, s, s};
    CHECK_OK(pepkit_memoryview_slice(mv, all, 3, &sl));
    const pepkit_buffer *d = pepkit_memoryview_buffer(sl);
    CHECK(d != NULL);
    if (d == NULL) return;
    /* The case the issue found: buf is exactly NULL (no slice may be made of it). */
    CHECK(d->buf == NULL);
    CHECK(d->len == 0 && d->shape[0] == 0 && d->shape[1] == 0 && d->shape[2] == 0);

    pepkit_ssize h = 7;
    CHECK_OK(pepkit_memoryview_hash(sl, &h)); /* hash(b'') */
    CHECK(h == 0);
    uint8_t *bytes = NULL;
    size_t n = 9;
    CHECK_OK(pepkit_memoryview_tobytes(sl, 'C', &bytes, &n));
    CHECK(bytes != NULL && n == 0);
    pepkit_free(bytes);
    CHECK_OK(pepkit_memoryview_tobytes(sl, 'F', &bytes, &n));
    pepkit_free(bytes);
    CHECK_OK(pepkit_memoryview_tobytes_into(sl, 'A', NULL, 0));
    char *text = NULL;
    CHECK_OK(pepkit_memoryview_hex(sl, ":", 2, &text, &n));
    CHECK(text != NULL && n == 0 && text[0] == '\0');
    pepkit_free(text);
    CHECK_OK(pepkit_memoryview_tolist(sl, &text, &n));
    CHECK(text != NULL && strcmp(text, "[]") == 0);
    pepkit_free(text);
    bool eq = false;
    CHECK_OK(pepkit_memoryview_equal(sl, sl, &eq));
    CHECK(eq);
    CHECK_OK(pepkit_memoryview_equal(sl, mv, &eq)); /* shapes (0,0,0) vs (1,0,15) */
    CHECK(!eq);
    pepkit_object *copy = NULL, *sub = NULL;
    CHECK_OK(pepkit_memoryview_new(sl, &copy));
    CHECK_OK(pepkit_memoryview_equal(sl, copy, &eq));
    CHECK(eq);
    CHECK_STATUS(pepkit_memoryview_assign(copy, NULL, 0, sl), PEPKIT_ERR_TYPE);
    {
        /* The same slice of a writable array: assigning nothing to nothing. */
        pepkit_object *wnd = NULL, *wmv = NULL, *wsl = NULL;
        CHECK_OK(pepkit_ndarray_new("B", 3, shape, 'C', 0, &wnd));
        CHECK_OK(pepkit_memoryview_new(wnd, &wmv));
        CHECK_OK(pepkit_memoryview_slice(wmv, all, 3, &wsl));
        const pepkit_buffer *wd = pepkit_memoryview_buffer(wsl);
        CHECK(wd != NULL && wd->buf == NULL);
        CHECK_OK(pepkit_memoryview_assign(wsl, NULL, 0, sl));
        CHECK_OK(pepkit_memoryview_assign(wsl, all, 3, wsl));
        pepkit_decref(wsl);
        pepkit_decref(wmv);
        pepkit_decref(wnd);
    }
    CHECK_STATUS(pepkit_memoryview_subview(sl, 0, &sub), PEPKIT_ERR_INDEX);
    pepkit_ssize idx[3] = {0, 0, 0};
    pepkit_value v;
    CHECK_STATUS(pepkit_memoryview_get_item(sl, idx, 3, &v), PEPKIT_ERR_INDEX);

    /* The buffer helpers on the view's own export of NULL. */
    pepkit_buffer view;
    CHECK_OK(pepkit_getbuffer(sl, &view, PEPKIT_BUF_FULL_RO));
    CHECK(view.buf == NULL && view.len == 0);
    CHECK(pepkit_buffer_is_contiguous(&view, 'C') == 1);
    CHECK_OK(pepkit_buffer_to_contiguous(NULL, &view, 0, 'F'));
    CHECK_STATUS(pepkit_buffer_from_contiguous(&view, NULL, 0, 'C'), PEPKIT_ERR_TYPE);
    pepkit_object *from = NULL;
    CHECK_OK(pepkit_memoryview_from_buffer(&view, &from));
    CHECK_OK(pepkit_memoryview_hash(from, &h));
    CHECK(h == 0);
    pepkit_decref(from);

    pepkit_decref(copy);
    pepkit_decref(sl);
    pepkit_decref(mv);
    pepkit_decref(nd);
}

static void test_resize_to_same_length(void) {
    pepkit_object *ba = NULL, *mv = NULL;
    CHECK_OK(pepkit_bytearray_new((const uint8_t *)"abc", 3, &ba));
    pepkit_buffer view;
    CHECK_OK(pepkit_getbuffer(ba, &view, PEPKIT_BUF_SIMPLE));
    /* b = bytearray(b'abc'); m = memoryview(b); b[:] = b'xyz' works;
     * b[:] = b'ab' raises BufferError. */
    CHECK_OK(pepkit_bytearray_resize(ba, 3));
    CHECK(view.len == 3 && memcmp(view.buf, "abc", 3) == 0);
    CHECK_STATUS(pepkit_bytearray_resize(ba, 2), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("Existing exports of data: object cannot be re-sized");
    CHECK_STATUS(pepkit_bytearray_resize(ba, 4), PEPKIT_ERR_BUFFER);
    CHECK(pepkit_exports(ba) == 1);
    CHECK_OK(pepkit_releasebuffer(&view));

    /* Through a memoryview too, and at length 0. */
    CHECK_OK(pepkit_bytearray_resize(ba, 0));
    CHECK_OK(pepkit_memoryview_new(ba, &mv));
    CHECK_OK(pepkit_bytearray_resize(ba, 0));
    CHECK_STATUS(pepkit_bytearray_resize(ba, 1), PEPKIT_ERR_BUFFER);
    pepkit_decref(mv);
    CHECK(pepkit_exports(ba) == 0);
    CHECK_OK(pepkit_bytearray_resize(ba, 1));
    pepkit_decref(ba);
}

int main(void) {
    test_null_buf_view();
    test_resize_to_same_length();
    return check_summary("test_edges");
}
