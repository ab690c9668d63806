/* memoryview: lifetimes (slices outliving their parent, release refused while
 * exported, every decref order, resize refused while a view lives), views of
 * views, casts, bytes and hex. Values are compared with what CPython 3.11
 * gives for the same operations (noted beside each). */
#include <math.h>
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

static pepkit_object *view_of_bytes(const void *data, size_t n, const char *format, pepkit_ssize *shape,
                                    int ndim) {
    pepkit_object *b = NULL, *m = NULL, *c = NULL;
    if (pepkit_bytes_new(data, n, &b) != PEPKIT_OK || pepkit_memoryview_new(b, &m) != PEPKIT_OK) abort();
    pepkit_decref(b);
    if (pepkit_memoryview_cast(m, format, shape, ndim, &c) != PEPKIT_OK) abort();
    pepkit_decref(m);
    return c;
}

static void test_items_and_text(void) {
    /* memoryview(struct.pack('4d', 1.5, -0.0, 1e16, float('nan'))).cast('d', (2, 2)) */
    double d[4] = {1.5, -0.0, 1e16, NAN};
    pepkit_ssize shape[2] = {2, 2};
    pepkit_object *m = view_of_bytes(d, sizeof d, "d", shape, 2);
    char *text = NULL;
    size_t n = 0;
    CHECK_OK(pepkit_memoryview_tolist(m, &text, &n));
    CHECK(strcmp(text, "[[1.5, -0.0], [1e+16, nan]]") == 0 && n == strlen(text));
    pepkit_free(text);
    pepkit_value v;
    pepkit_ssize idx[2] = {-1, 0};
    CHECK_OK(pepkit_memoryview_get_item(m, idx, 2, &v));
    CHECK(v.kind == PEPKIT_VALUE_FLOAT && v.f == 1e16);
    CHECK_STATUS(pepkit_memoryview_get_item(m, idx, 1, &v), PEPKIT_ERR_NOT_IMPLEMENTED);
    CHECK_MESSAGE("sub-views are not implemented");
    idx[0] = 2;
    CHECK_STATUS(pepkit_memoryview_get_item(m, idx, 2, &v), PEPKIT_ERR_INDEX);
    CHECK_MESSAGE("index out of bounds on dimension 1");
    /* NaN != NaN on the typed path, even for the same view (3.11 has no identity shortcut). */
    bool eq = true;
    CHECK_OK(pepkit_memoryview_equal(m, m, &eq));
    CHECK(eq == false);
    pepkit_ssize hash = 0;
    CHECK_STATUS(pepkit_memoryview_hash(m, &hash), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("hashing is restricted to formats 'B', 'b' or 'c'");
    pepkit_decref(m);

    /* Beyond CPython: non-native formats read as struct does. */
    unsigned char be[6] = {0x01, 0x02, 0xff, 0xfe, 0x00, 0x7f};
    pepkit_object *b = NULL, *w = NULL;
    pepkit_ssize three = 3;
    pepkit_layout lay = {be, 6, 0, ">h", 2, 1, &three, NULL, NULL, 1};
    CHECK_OK(pepkit_wrap_new(&lay, NULL, NULL, &b));
    CHECK_OK(pepkit_memoryview_new(b, &w));
    CHECK_OK(pepkit_memoryview_tolist(w, &text, &n));
    CHECK(strcmp(text, "[258, -2, 127]") == 0); /* struct.unpack('>3h', ...) */
    pepkit_free(text);
    pepkit_ssize i1 = 1;
    CHECK_OK(pepkit_memoryview_get_item(w, &i1, 1, &v));
    CHECK(v.kind == PEPKIT_VALUE_INT && v.i == -2);
    pepkit_decref(w);
    pepkit_decref(b);

    /* Items: memoryview's checks ('B' range, '?' truth, 'c' one byte). */
    pepkit_object *ba = bytearray_of("abc"), *mb = NULL, *mc = NULL;
    CHECK_OK(pepkit_memoryview_new(ba, &mb));
    pepkit_value big = {PEPKIT_VALUE_INT, 256, 0, 0, false, NULL, 0};
    pepkit_ssize zero = 0;
    CHECK_STATUS(pepkit_memoryview_set_item(mb, &zero, 1, &big), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("memoryview: invalid value for format 'B'");
    pepkit_value f = {PEPKIT_VALUE_FLOAT, 0, 0, 1.0, false, NULL, 0};
    CHECK_STATUS(pepkit_memoryview_set_item(mb, &zero, 1, &f), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("memoryview: invalid type for format 'B'");
    pepkit_value x = {PEPKIT_VALUE_UINT, 0, 120, 0, false, NULL, 0};
    CHECK_OK(pepkit_memoryview_set_item(mb, &zero, 1, &x));
    CHECK_OK(pepkit_memoryview_cast(mb, "c", NULL, -1, &mc));
    CHECK_OK(pepkit_memoryview_tolist(mc, &text, &n));
    CHECK(strcmp(text, "[b'x', b'b', b'c']") == 0);
    pepkit_free(text);
    pepkit_value two = {PEPKIT_VALUE_BYTES, 0, 0, 0, false, (const uint8_t *)"zz", 2};
    CHECK_STATUS(pepkit_memoryview_set_item(mc, &zero, 1, &two), PEPKIT_ERR_VALUE);
    two.len = 1;
    CHECK_OK(pepkit_memoryview_set_item(mc, &zero, 1, &two));
    /* Hash: a bytearray's views are unhashable even read-only. */
    pepkit_object *ro = NULL;
    CHECK_OK(pepkit_memoryview_toreadonly(mb, &ro));
    CHECK_STATUS(pepkit_memoryview_hash(mb, &hash), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("cannot hash writable memoryview object");
    CHECK_STATUS(pepkit_memoryview_hash(ro, &hash), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("unhashable type: 'bytearray'");
    CHECK_STATUS(pepkit_memoryview_set_item(ro, &zero, 1, &x), PEPKIT_ERR_TYPE);
    CHECK_MESSAGE("cannot modify read-only memory");
    /* Slice assignment, overlapping: m[1:] = m[:2] on b"zbc" gives b"zzb". */
    pepkit_slice tail = {1, PEPKIT_NONE, PEPKIT_NONE}, head = {PEPKIT_NONE, 2, PEPKIT_NONE};
    pepkit_object *front = NULL;
    CHECK_OK(pepkit_memoryview_slice(mb, &head, 1, &front));
    CHECK_OK(pepkit_memoryview_assign(mb, &tail, 1, front));
    CHECK_OK(pepkit_memoryview_tobytes(mb, 'C', (uint8_t **)&text, &n));
    CHECK(n == 3 && memcmp(text, "zzb", 3) == 0);
    pepkit_free(text);
    CHECK_STATUS(pepkit_memoryview_assign(mb, &head, 1, mb), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("lvalue and rvalue have different structures");
    CHECK_STATUS(pepkit_memoryview_assign(mc, NULL, 0, mb), PEPKIT_ERR_VALUE); /* 'c' vs 'B' */
    /* Equality: 'c' b'z' != 'B' 122, but bytes compare equal to 'B'. */
    CHECK_OK(pepkit_memoryview_equal(mc, mb, &eq));
    CHECK(eq == false);
    pepkit_object *zzb = NULL;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"zzb", 3, &zzb));
    CHECK_OK(pepkit_memoryview_equal(mb, zzb, &eq));
    CHECK(eq == true);
    /* Hash of an immutable exporter's view equals hash(b"zzb") with PYTHONHASHSEED=0. */
    pepkit_object *mz = NULL;
    CHECK_OK(pepkit_memoryview_new(zzb, &mz));
    CHECK_OK(pepkit_memoryview_hash(mz, &hash));
    pepkit_ssize again = 0;
    CHECK_OK(pepkit_memoryview_release(mz));
    CHECK_OK(pepkit_memoryview_hash(mz, &again)); /* cached: still answered */
    /* PYTHONHASHSEED=0 python3.11 -c 'print(hash(b"zzb"))' */
    CHECK(again == hash && hash == (pepkit_ssize)8324600617560192183LL);
    CHECK_OK(pepkit_memoryview_equal(mz, mz, &eq));
    CHECK(eq == true); /* a released view equals itself */
    CHECK_OK(pepkit_memoryview_equal(mz, zzb, &eq));
    CHECK(eq == false);
    pepkit_object *objs[] = {mz, zzb, front, ro, mc, mb, ba};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) pepkit_decref(objs[i]);
}

static void test_null_arguments_of_items(void) {
    pepkit_object *b = NULL, *m = NULL;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"ab", 2, &b));
    CHECK_OK(pepkit_memoryview_new(b, &m));
    pepkit_value v;
    pepkit_ssize i = 0;
    char *text = NULL;
    size_t n = 0;
    bool eq = false;
    pepkit_ssize h = 0;
    CHECK_STATUS(pepkit_memoryview_get_item(NULL, &i, 1, &v), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_get_item(m, NULL, 1, &v), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_get_item(m, &i, 1, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_set_item(m, &i, 1, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_tolist(m, NULL, &n), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_tolist(m, &text, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_hex(m, NULL, 1, NULL, &n), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_equal(NULL, m, &eq), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_equal(m, NULL, &eq), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_equal(m, m, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_hash(m, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_hash(b, &h), PEPKIT_ERR_TYPE);
    CHECK_STATUS(pepkit_memoryview_assign(m, NULL, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_toreadonly(m, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_subview(m, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_memoryview_tobytes_into(m, 'C', NULL, 2), PEPKIT_ERR_NULL_ARGUMENT);
    pepkit_value bad = {99, 0, 0, 0, false, NULL, 0};
    CHECK_STATUS(pepkit_memoryview_set_item(m, &i, 1, &bad), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("unknown pepkit_value kind 99");
    CHECK(text == NULL && n == 0 && h == 0);
    /* Every operation on a released view is refused, except the documented ones. */
    CHECK_OK(pepkit_memoryview_release(m));
    CHECK_STATUS(pepkit_memoryview_get_item(m, &i, 1, &v), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_memoryview_tolist(m, &text, &n), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_memoryview_hash(m, &h), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_memoryview_toreadonly(m, &b), PEPKIT_ERR_VALUE);
    pepkit_buffer view;
    CHECK_STATUS(pepkit_getbuffer(m, &view, PEPKIT_BUF_SIMPLE), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("operation forbidden on released memoryview object");
    pepkit_decref(m);
    pepkit_decref(b);
}

/* An exporter with a format struct cannot read (ctypes' "T{...}"). */
static int32_t odd_data[2] = {7, 7};
static pepkit_ssize odd_shape[1] = {2};
static pepkit_status odd_getbuffer(void *self, pepkit_buffer *view, int flags) {
    (void)self;
    (void)flags;
    view->buf = odd_data;
    view->len = 8;
    view->itemsize = 4;
    view->readonly = 1;
    view->ndim = 1;
    view->format = (char *)"T{<i:x:}";
    view->shape = odd_shape;
    return PEPKIT_OK;
}

static void test_unreadable_format_and_64_dims(void) {
    pepkit_exporter_vtable vt = {odd_getbuffer, NULL, NULL};
    pepkit_object *odd = NULL, *m = NULL;
    CHECK_OK(pepkit_custom_new(&vt, NULL, &odd));
    CHECK_OK(pepkit_memoryview_new(odd, &m));
    bool eq = true;
    CHECK_OK(pepkit_memoryview_equal(m, m, &eq));
    CHECK(eq == false); /* CPython: an unparseable format is never equal, even a == a */
    char *text = NULL;
    size_t n = 0;
    CHECK_STATUS(pepkit_memoryview_tolist(m, &text, &n), PEPKIT_ERR_NOT_IMPLEMENTED);
    CHECK_MESSAGE("memoryview: format T{<i:x:} not supported");
    uint8_t *bytes = NULL;
    CHECK_OK(pepkit_memoryview_tobytes(m, 'C', &bytes, &n)); /* any format has bytes */
    CHECK(n == 8 && memcmp(bytes, odd_data, 8) == 0);
    pepkit_free(bytes);
    pepkit_decref(m);
    pepkit_decref(odd);

    /* 64 dimensions: two of extent 2, the rest 1. */
    pepkit_ssize shape[64];
    for (int i = 0; i < 64; i++) shape[i] = 1;
    shape[0] = 2;
    shape[63] = 2;
    pepkit_object *nd = NULL, *mv = NULL, *sub = NULL, *flat = NULL;
    CHECK_OK(pepkit_ndarray_new("b", 64, shape, 'C', 0, &nd));
    CHECK_OK(pepkit_memoryview_new(nd, &mv));
    pepkit_ssize idx[64] = {0};
    idx[0] = 1;
    idx[63] = -1;
    pepkit_value v = {PEPKIT_VALUE_INT, -5, 0, 0, false, NULL, 0};
    CHECK_OK(pepkit_memoryview_set_item(mv, idx, 64, &v));
    CHECK_OK(pepkit_memoryview_subview(mv, 1, &sub));
    CHECK(pepkit_memoryview_buffer(sub)->ndim == 63);
    pepkit_ssize four[1] = {4};
    CHECK_OK(pepkit_memoryview_cast(mv, "b", four, 1, &flat));
    CHECK_OK(pepkit_memoryview_tolist(flat, &text, &n));
    CHECK(strcmp(text, "[0, 0, 0, -5]") == 0);
    pepkit_free(text);
    CHECK_OK(pepkit_memoryview_tolist(mv, &text, &n));
    CHECK(n > 2 * 64 && strstr(text, "[[[[") == text && strstr(text, "-5]") != NULL);
    pepkit_free(text);
    pepkit_decref(flat);
    pepkit_decref(sub);
    pepkit_decref(mv);
    pepkit_decref(nd);
}

int main(void) {
    test_unreadable_format_and_64_dims();
    test_items_and_text();
    test_null_arguments_of_items();
    test_lifetimes();
    test_decref_orders();
    test_views_and_casts();
    test_from_memory();
    test_bad_memoryview_input();
    return check_summary("test_memoryview");
}
