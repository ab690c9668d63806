/* memoryview: lifetimes (slices outliving their parent, release refused while
 * exported, every decref order, resize refused while a view lives), views of
 * views, casts, bytes and hex. Values are compared with what CPython 3.11
 * gives for the same operations (noted beside each). */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

static pepkit_object *bytearray_of(const char *text) {
    pepkit_object *obj = NULL;
    if (pepkit_bytearray_new((const uint8_t *)text, strlen(text), &obj) != PEPKIT_OK) abort();
    return obj;
}

static void test_lifetimes(void) {
    pepkit_object *ba = bytearray_of("abcdefgh");
    pepkit_object *m = NULL, *s = NULL;
    CHECK_OK(pepkit_memoryview_new(ba, &m));
    CHECK(strcmp(pepkit_type_name(m), "memoryview") == 0);
    CHECK(pepkit_exports(ba) == 1);
    /* bytearray(b"abcdefgh"); m = memoryview(ba); m.release() is fine;
     * ba resize while a view lives: BufferError */
    CHECK_STATUS(pepkit_bytearray_resize(ba, 3), PEPKIT_ERR_BUFFER);

    pepkit_slice sl = {2, 6, 2}; /* m[2:6:2] */
    CHECK_OK(pepkit_memoryview_slice(m, &sl, 1, &s));
    CHECK(pepkit_exports(ba) == 1); /* one managed export shared by both */
    CHECK_OK(pepkit_memoryview_release(m));
    CHECK_OK(pepkit_memoryview_release(m)); /* idempotent */
    CHECK(pepkit_memoryview_len(m) == -1);
    CHECK_MESSAGE("operation forbidden on released memoryview object");
    CHECK(pepkit_memoryview_buffer(m) == NULL);
    /* The slice outlives the released parent, and still pins the bytearray. */
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK_OK(pepkit_memoryview_tobytes(s, 'C', &bytes, &n));
    CHECK(n == 2 && memcmp(bytes, "ce", 2) == 0); /* b'ce' */
    pepkit_free(bytes);
    CHECK_STATUS(pepkit_bytearray_resize(ba, 3), PEPKIT_ERR_BUFFER);

    /* Exporting the slice: its release is refused until the export ends. */
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(s, &v, PEPKIT_BUF_FULL_RO));
    CHECK(v.obj == s && v.ndim == 1 && v.shape[0] == 2 && v.strides[0] == 2);
    CHECK_STATUS(pepkit_memoryview_release(s), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("memoryview has 1 exported buffer");
    /* Decref the slice while exported: the export keeps it alive. */
    pepkit_decref(s);
    CHECK(((char *)v.buf)[0] == 'c');
    CHECK_OK(pepkit_releasebuffer(&v));
    /* Now every view is gone: the bytearray can be resized again. */
    CHECK_OK(pepkit_bytearray_resize(ba, 3));
    CHECK(pepkit_exports(ba) == 0);
    pepkit_decref(m);
    pepkit_decref(ba);
}

static void test_decref_orders(void) {
    /* Base first, then views in both orders. */
    for (int order = 0; order < 4; order++) {
        pepkit_object *ba = bytearray_of("0123456789");
        pepkit_object *m = NULL, *s = NULL, *c = NULL;
        CHECK_OK(pepkit_memoryview_new(ba, &m));
        pepkit_slice sl = {PEPKIT_NONE, PEPKIT_NONE, -1};
        CHECK_OK(pepkit_memoryview_slice(m, &sl, 1, &s));
        pepkit_ssize shape[2] = {2, 5};
        CHECK_OK(pepkit_memoryview_cast(m, "B", shape, 2, &c));
        pepkit_object *objs[4] = {ba, m, s, c};
        int seq[4][4] = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}};
        for (int k = 0; k < 4; k++) {
            pepkit_object *o = objs[seq[order][k]];
            if (o == c) { /* the last views still read the right bytes */
                uint8_t *b = NULL;
                size_t n = 0;
                CHECK_OK(pepkit_memoryview_tobytes(c, 'F', &b, &n));
                CHECK(n == 10 && memcmp(b, "0516273849", 10) == 0); /* m.cast('B',(2,5)).tobytes('F') */
                pepkit_free(b);
            }
            pepkit_decref(o);
        }
    }
}

static void test_views_and_casts(void) {
    /* 24 bytes 0..23 as a 2x3 'i' (little-endian machine) */
    uint8_t data[24];
    for (int i = 0; i < 24; i++) data[i] = (uint8_t)i;
    pepkit_object *b = NULL, *m = NULL, *c = NULL, *t = NULL, *r = NULL;
    CHECK_OK(pepkit_bytes_new(data, 24, &b));
    CHECK_OK(pepkit_memoryview_new(b, &m));
    const pepkit_buffer *d = pepkit_memoryview_buffer(m);
    CHECK(d != NULL && d->obj == b && d->ndim == 1 && d->shape[0] == 24 && d->readonly == 1);
    CHECK(strcmp(d->format, "B") == 0 && d->strides[0] == 1);

    pepkit_ssize shape[2] = {2, 3};
    CHECK_OK(pepkit_memoryview_cast(m, "@i", shape, 2, &c));
    d = pepkit_memoryview_buffer(c);
    CHECK(d->ndim == 2 && d->itemsize == 4 && d->strides[0] == 12 && d->strides[1] == 4);
    CHECK(strcmp(d->format, "@i") == 0); /* the format is stored as given */
    CHECK(pepkit_memoryview_len(c) == 2);

    /* CPython's cast errors, in CPython's order. */
    pepkit_object *bad = NULL;
    CHECK_STATUS(pepkit_memoryview_cast(c, "d", NULL, -1, &bad), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("cannot cast between two non-byte formats");
    CHECK_STATUS(pepkit_memoryview_cast(c, "<i", NULL, -1, &bad), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("destination format must be a native single character format");
    CHECK_STATUS(pepkit_memoryview_cast(c, "B", shape, 2, &bad), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("cast must be 1D -> ND or ND -> 1D");
    pepkit_ssize five[1] = {5};
    CHECK_STATUS(pepkit_memoryview_cast(m, "i", five, 1, &bad), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("product(shape) * itemsize != buffer size");
    {
        pepkit_slice head = {0, 5, 1};
        pepkit_object *m5 = NULL;
        CHECK_OK(pepkit_memoryview_slice(m, &head, 1, &m5));
        CHECK_STATUS(pepkit_memoryview_cast(m5, "q", NULL, -1, &bad), PEPKIT_ERR_TYPE);
        CHECK_MESSAGE("length is not a multiple of itemsize");
        pepkit_decref(m5);
    }
    pepkit_ssize zero[1] = {0};
    CHECK_STATUS(pepkit_memoryview_cast(m, "B", zero, 1, &bad), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("elements of shape must be integers > 0");
    CHECK(bad == NULL);

    /* Transpose-like slice: c[:, ::-2] is not C-contiguous, so no cast. */
    pepkit_slice sl[2] = {{PEPKIT_NONE, PEPKIT_NONE, PEPKIT_NONE}, {PEPKIT_NONE, PEPKIT_NONE, -2}};
    CHECK_OK(pepkit_memoryview_slice(c, sl, 2, &t));
    d = pepkit_memoryview_buffer(t);
    CHECK(d->shape[0] == 2 && d->shape[1] == 2 && d->strides[1] == -8);
    CHECK(d->buf == (const uint8_t *)pepkit_memoryview_buffer(c)->buf + 8);
    CHECK_STATUS(pepkit_memoryview_cast(t, "B", NULL, -1, &bad), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("casts are restricted to C-contiguous views");
    uint8_t out[16];
    CHECK_OK(pepkit_memoryview_tobytes_into(t, 'C', out, 16));
    const uint8_t want[16] = {8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15};
    CHECK(memcmp(out, want, 16) == 0);
    CHECK_STATUS(pepkit_memoryview_tobytes_into(t, 'C', out, 15), PEPKIT_ERR_VALUE);

    /* Sub-view: t[1] is the 1-D row [5, 3]. */
    CHECK_OK(pepkit_memoryview_subview(t, -1, &r));
    d = pepkit_memoryview_buffer(r);
    CHECK(d->ndim == 1 && d->shape[0] == 2 && *(const int32_t *)d->buf == 0x17161514);
    pepkit_object *scalar = NULL;
    CHECK_OK(pepkit_memoryview_subview(r, 0, &scalar));
    CHECK(pepkit_memoryview_buffer(scalar)->ndim == 0 && pepkit_memoryview_len(scalar) == 1);
    CHECK_STATUS(pepkit_memoryview_subview(scalar, 0, &bad), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("invalid indexing of 0-dim memory");
    CHECK_STATUS(pepkit_memoryview_subview(r, 2, &bad), PEPKIT_ERR_INDEX);
    CHECK_MESSAGE("index out of bounds on dimension 1");

    /* hex with separators: memoryview(bytes(range(5))).hex(':', 2) */
    char *hex = NULL;
    size_t hex_len = 0;
    pepkit_slice first5 = {0, 5, 1};
    pepkit_object *five_bytes = NULL;
    CHECK_OK(pepkit_memoryview_slice(m, &first5, 1, &five_bytes));
    CHECK_OK(pepkit_memoryview_hex(five_bytes, ":", 2, &hex, &hex_len));
    CHECK(hex_len == 12 && strcmp(hex, "00:0102:0304") == 0);
    pepkit_free(hex);
    CHECK_OK(pepkit_memoryview_hex(t, NULL, 0, &hex, &hex_len));
    CHECK(hex_len == 32 && strcmp(hex, "08090a0b00010203141516170c0d0e0f") == 0);
    pepkit_free(hex);
    CHECK_STATUS(pepkit_memoryview_hex(t, "::", 1, &hex, &hex_len), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("sep must be length 1.");

    /* The memoryview's own exports follow memory_getbuf. */
    pepkit_buffer v;
    CHECK_STATUS(pepkit_getbuffer(c, &v, PEPKIT_BUF_WRITABLE), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("memoryview: underlying buffer is not writable");
    CHECK_STATUS(pepkit_getbuffer(t, &v, PEPKIT_BUF_ND), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("memoryview: underlying buffer is not C-contiguous");
    CHECK_STATUS(pepkit_getbuffer(c, &v, PEPKIT_BUF_FORMAT), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("cannot cast to unsigned bytes if the format flag is present");

    pepkit_object *objs[] = {scalar, five_bytes, r, t, c, m, b};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) pepkit_decref(objs[i]);
}

static void test_from_memory(void) {
    char block[6] = "hello";
    pepkit_object *mv = NULL;
    CHECK_OK(pepkit_memoryview_from_memory(block, 5, PEPKIT_BUF_READ, &mv));
    const pepkit_buffer *d = pepkit_memoryview_buffer(mv);
    CHECK(d->obj == NULL && d->readonly == 1 && d->len == 5 && d->buf == block);
    pepkit_decref(mv);
    CHECK_OK(pepkit_memoryview_from_memory(block, 5, PEPKIT_BUF_WRITE, &mv));
    CHECK(pepkit_memoryview_buffer(mv)->readonly == 0);
    pepkit_decref(mv);
    CHECK_STATUS(pepkit_memoryview_from_memory(block, 5, PEPKIT_BUF_FULL, &mv), PEPKIT_ERR_VALUE);

    /* from_buffer takes over an export and zeroes the struct. */
    pepkit_object *nd = NULL;
    pepkit_ssize shape[1] = {4};
    CHECK_OK(pepkit_ndarray_new("h", 1, shape, 'C', 0, &nd));
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(nd, &v, PEPKIT_BUF_FULL));
    CHECK_OK(pepkit_memoryview_from_buffer(&v, &mv));
    CHECK(v.obj == NULL && v.buf == NULL);
    CHECK(pepkit_exports(nd) == 1);
    pepkit_decref(nd); /* the view keeps it */
    d = pepkit_memoryview_buffer(mv);
    CHECK(d->len == 8 && strcmp(d->format, "h") == 0);
    pepkit_decref(mv);

    /* A fill_info view with self-pointers survives being taken over. */
    char four[4] = "wxyz";
    pepkit_buffer fi;
    CHECK_OK(pepkit_buffer_fill_info(&fi, NULL, four, 4, 1, PEPKIT_BUF_FULL_RO));
    CHECK_OK(pepkit_memoryview_from_buffer(&fi, &mv));
    memset(&fi, 0x55, sizeof fi); /* the old struct is gone */
    d = pepkit_memoryview_buffer(mv);
    CHECK(d->shape[0] == 4 && d->strides[0] == 1);
    pepkit_decref(mv);
}

static void test_bad_memoryview_input(void) {
    pepkit_object *b = NULL, *out = NULL;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"x", 1, &b));
    CHECK_STATUS(pepkit_memoryview_new(NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_new(b, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_from_buffer(NULL, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_from_memory(NULL, 1, PEPKIT_BUF_READ, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_release(b), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("expected a memoryview, got bytes");
    CHECK(pepkit_memoryview_len(b) == -1);
    CHECK(pepkit_memoryview_len(NULL) == -1);
    pepkit_slice sl = {0, 1, 0};
    pepkit_object *m = NULL;
    CHECK_OK(pepkit_memoryview_new(b, &m));
    CHECK_STATUS(pepkit_memoryview_slice(m, &sl, 1, &out), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("slice step cannot be zero");
    CHECK_STATUS(pepkit_memoryview_slice(m, NULL, 1, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_cast(m, NULL, NULL, -1, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_cast(m, "B", NULL, 1, &out), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_tobytes(m, 'X', NULL, NULL), PEPKIT_ERR_VALUE);
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK_STATUS(pepkit_memoryview_tobytes(m, 'C', NULL, &n), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_tobytes(m, 'C', &bytes, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(bytes == NULL && out == NULL);
    pepkit_decref(m);
    pepkit_decref(b);
}

int main(void) {
    test_lifetimes();
    test_decref_orders();
    test_views_and_casts();
    test_from_memory();
    test_bad_memoryview_input();
    return check_summary("test_memoryview");
}
