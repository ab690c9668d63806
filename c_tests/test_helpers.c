/* The buffer helpers on hand-built views with known answers (the oracle tests
 * compare them with CPython's PyBuffer_* on random ones). */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

/* A view over `data` as an ndim-2 int16 array with the given shape/strides. */
static pepkit_buffer view2(int16_t *first, pepkit_ssize *shape, pepkit_ssize *strides) {
    pepkit_buffer v;
    memset(&v, 0, sizeof v);
    v.buf = first;
    v.itemsize = 2;
    v.len = shape[0] * shape[1] * 2;
    v.ndim = 2;
    v.format = (char *)"h";
    v.shape = shape;
    v.strides = strides;
    return v;
}

static void test_contiguity(void) {
    int16_t data[12];
    pepkit_ssize shape[2] = {3, 4}, c[2] = {8, 2}, f[2] = {2, 6}, odd[2] = {16, 4};
    pepkit_buffer v = view2(data, shape, c);
    CHECK(pepkit_buffer_is_contiguous(&v, 'C') == 1);
    CHECK(pepkit_buffer_is_contiguous(&v, 'F') == 0);
    CHECK(pepkit_buffer_is_contiguous(&v, 'A') == 1);
    v.strides = f;
    CHECK(pepkit_buffer_is_contiguous(&v, 'C') == 0 && pepkit_buffer_is_contiguous(&v, 'F') == 1);
    v.strides = odd;
    v.shape[0] = 1; /* bpo-22445: the stride of an extent-1 dimension is ignored */
    v.len = 8;
    odd[1] = 2;
    CHECK(pepkit_buffer_is_contiguous(&v, 'C') == 1);
    v.strides = NULL; /* NULL strides: C, and F when only one extent > 1 */
    CHECK(pepkit_buffer_is_contiguous(&v, 'F') == 1);
    shape[0] = 3;
    v.len = 24;
    CHECK(pepkit_buffer_is_contiguous(&v, 'F') == 0);
    pepkit_ssize sub[2] = {-1, -1};
    v.strides = c;
    v.suboffsets = sub; /* any suboffsets: never contiguous */
    CHECK(pepkit_buffer_is_contiguous(&v, 'C') == 0);
    v.suboffsets = NULL;
    shape[0] = 0;
    v.len = 0; /* empty: always contiguous */
    v.strides = odd;
    CHECK(pepkit_buffer_is_contiguous(&v, 'F') == 1 && pepkit_buffer_is_contiguous(&v, 'C') == 1);
    CHECK(pepkit_buffer_is_contiguous(&v, 'X') == -1);
    CHECK_MESSAGE("order must be 'C', 'F' or 'A'");
}

static void test_copies(void) {
    /* 3x4 matrix, C order, values r*10+c; view the transposed, reversed one. */
    int16_t data[12];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) data[r * 4 + c] = (int16_t)(r * 10 + c);
    pepkit_ssize shape[2] = {4, 3}, strides[2] = {-2, 8}; /* column-major, columns reversed */
    pepkit_buffer v = view2(data + 3, shape, strides);
    int16_t out[12];
    CHECK_OK(pepkit_buffer_to_contiguous(out, &v, 24, 'C'));
    const int16_t want_c[12] = {3, 13, 23, 2, 12, 22, 1, 11, 21, 0, 10, 20};
    CHECK(memcmp(out, want_c, sizeof out) == 0);
    CHECK_OK(pepkit_buffer_to_contiguous(out, &v, 24, 'F'));
    const int16_t want_f[12] = {3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20};
    CHECK(memcmp(out, want_f, sizeof out) == 0);
    CHECK_OK(pepkit_buffer_to_contiguous(out, &v, 24, 'A')); /* not contiguous: C */
    CHECK(memcmp(out, want_c, sizeof out) == 0);
    CHECK_STATUS(pepkit_buffer_to_contiguous(out, &v, 22, 'C'), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("len != view->len");

    /* from_contiguous writes back through the same strides; a short source
     * fills only its whole items. */
    int16_t src[12];
    for (int i = 0; i < 12; i++) src[i] = (int16_t)(100 + i);
    CHECK_OK(pepkit_buffer_from_contiguous(&v, src, 24, 'F'));
    CHECK(data[3] == 100 && data[2] == 101 && data[0] == 103 && data[7] == 104 && data[8] == 111);
    for (int i = 0; i < 12; i++) data[i] = 0;
    CHECK_OK(pepkit_buffer_from_contiguous(&v, src, 5, 'C'));
    CHECK(data[3] == 100 && data[7] == 101 && data[11] == 0 && data[2] == 0);
    v.readonly = 1;
    CHECK_STATUS(pepkit_buffer_from_contiguous(&v, src, 24, 'C'), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("cannot modify read-only memory");

    /* get_pointer: bounds-checked, explicit count. */
    pepkit_ssize idx[2] = {3, 2};
    void *p = NULL;
    v.readonly = 0;
    CHECK_OK(pepkit_buffer_get_pointer(&v, idx, 2, &p));
    CHECK(p == (void *)(data + 8));
    idx[0] = 4;
    CHECK_STATUS(pepkit_buffer_get_pointer(&v, idx, 2, &p), PEPKIT_ERR_INDEX);
    CHECK_MESSAGE("out of bounds on dimension 1");
    idx[0] = -1;
    CHECK_STATUS(pepkit_buffer_get_pointer(&v, idx, 2, &p), PEPKIT_ERR_INDEX);
    CHECK_STATUS(pepkit_buffer_get_pointer(&v, idx, 1, &p), PEPKIT_ERR_TYPE);
}

static void test_suboffsets(void) {
    /* PIL style: two rows reached through a pointer array. */
    int32_t row0[3] = {1, 2, 3}, row1[3] = {4, 5, 6};
    int32_t *rows[2] = {row0, row1};
    pepkit_ssize shape[2] = {2, 3}, strides[2] = {sizeof(void *), 4}, sub[2] = {0, -1};
    pepkit_buffer v;
    memset(&v, 0, sizeof v);
    v.buf = rows;
    v.len = 24;
    v.itemsize = 4;
    v.ndim = 2;
    v.shape = shape;
    v.strides = strides;
    v.suboffsets = sub;
    int32_t out[6];
    CHECK_OK(pepkit_buffer_to_contiguous(out, &v, 24, 'F'));
    const int32_t want[6] = {1, 4, 2, 5, 3, 6};
    CHECK(memcmp(out, want, sizeof out) == 0);
    pepkit_ssize idx[2] = {1, 2};
    void *p;
    CHECK_OK(pepkit_buffer_get_pointer(&v, idx, 2, &p));
    CHECK(p == (void *)&row1[2]);
    const int32_t src[6] = {9, 8, 7, 6, 5, 4};
    CHECK_OK(pepkit_buffer_from_contiguous(&v, src, 24, 'C'));
    CHECK(row0[0] == 9 && row0[2] == 7 && row1[0] == 6 && row1[2] == 4);
    CHECK(pepkit_buffer_is_contiguous(&v, 'A') == 0);
}

static void test_fill(void) {
    pepkit_ssize shape[3] = {2, 3, 4}, strides[3] = {0, 0, 0};
    CHECK_OK(pepkit_buffer_fill_contiguous_strides(3, shape, strides, 8, 'C'));
    CHECK(strides[0] == 96 && strides[1] == 32 && strides[2] == 8);
    CHECK_OK(pepkit_buffer_fill_contiguous_strides(3, shape, strides, 8, 'F'));
    CHECK(strides[0] == 8 && strides[1] == 16 && strides[2] == 48);
    CHECK_OK(pepkit_buffer_fill_contiguous_strides(0, NULL, NULL, 1, 'C'));
    pepkit_ssize huge[2] = {PTRDIFF_MAX / 2, 4};
    CHECK_STATUS(pepkit_buffer_fill_contiguous_strides(2, huge, strides, 8, 'F'), PEPKIT_ERR_OVERFLOW);
    CHECK(strides[0] == 8 && strides[1] == 16); /* untouched on failure */

    char bytes[5] = "abcd";
    pepkit_buffer v;
    memset(&v, 0, sizeof v);
    CHECK_OK(pepkit_buffer_fill_info(&v, NULL, bytes, 4, 0, PEPKIT_BUF_FULL));
    CHECK(v.buf == bytes && v.len == 4 && v.itemsize == 1 && v.ndim == 1 && v.readonly == 0);
    CHECK(strcmp(v.format, "B") == 0 && v.shape == &v.len && v.strides == &v.itemsize);
    CHECK(v.suboffsets == NULL && v.internal == NULL && v.obj == NULL);
    CHECK_OK(pepkit_buffer_fill_info(&v, NULL, bytes, 4, 1, PEPKIT_BUF_SIMPLE));
    CHECK(v.format == NULL && v.shape == NULL && v.strides == NULL && v.readonly == 1);
    CHECK_STATUS(pepkit_buffer_fill_info(&v, NULL, bytes, 4, 1, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("Object is not writable.");
    CHECK_STATUS(pepkit_buffer_fill_info(&v, NULL, bytes, 4, 0, PEPKIT_BUF_READ), PEPKIT_ERR_VALUE);

    /* With an object: a new reference, released with the view. */
    pepkit_object *owner = NULL;
    CHECK_OK(pepkit_bytes_new(NULL, 0, &owner));
    CHECK_OK(pepkit_buffer_fill_info(&v, owner, bytes, 4, 1, PEPKIT_BUF_SIMPLE));
    CHECK(v.obj == owner && pepkit_refcount(owner) == 2);
    v.obj = NULL;
    pepkit_decref(owner);
    pepkit_decref(owner);
}

static void test_calcsize(void) {
    struct { const char *fmt; pepkit_ssize size; } ok[] = {
        {"B", 1}, {"", 0}, {"@d", 8}, {"bd", 16}, {"<bd", 9}, {"!3h", 6}, {"=?e", 3},
        {"2s 3p", 5}, {"x i", 8}, {"P", (pepkit_ssize)sizeof(void *)}, {"n N", 16},
        {"T", -1}, {"<P", -1}, {"3", -1}, {"i<", -1},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pepkit_ssize got = -7;
        pepkit_status st = pepkit_format_calcsize(ok[i].fmt, &got);
        if (ok[i].size >= 0) {
            CHECK(st == PEPKIT_OK && got == ok[i].size);
        } else {
            CHECK(st == PEPKIT_ERR_VALUE && got == -7);
        }
    }
    pepkit_ssize got = 0;
    CHECK_STATUS(pepkit_format_calcsize("99999999999999999999999q", &got), PEPKIT_ERR_OVERFLOW);
    CHECK_MESSAGE("total struct size too long");
}

int main(void) {
    test_contiguity();
    test_copies();
    test_suboffsets();
    test_fill();
    test_calcsize();
    return check_summary("test_helpers");
}
