/* memoryview from C: the Python expressions on the right, done with pepkit.
 *
 *   data = bytearray(range(12))
 *   m = memoryview(data)
 *   m[::3].tolist()                  -> [0, 3, 6, 9]
 *   g = m.cast("B", (3, 4))          -> a 3x4 grid over the same bytes
 *   g.tolist()
 *   m[0:4] = bytes([100, 101, 102, 103])
 *   m[8:12] = m[0:4]                 (assign from another view)
 *   m.tobytes(), g[2][3]
 *
 * Prints each result and exits non-zero if one differs from what Python gives. */
#include <stdio.h>
#include <string.h>
#include "pepkit.h"

static int failed;
#define TRY(call)                                                                                \
    do {                                                                                         \
        pepkit_status st_ = (call);                                                              \
        if (st_ != PEPKIT_OK) {                                                                  \
            fprintf(stderr, "%s: %s: %s\n", #call, pepkit_status_name(st_), pepkit_last_error()); \
            failed = 1;                                                                          \
            goto out;                                                                            \
        }                                                                                        \
    } while (0)

/* Prints repr(m.tolist()) and compares it with `want`. */
static int show(const char *label, pepkit_object *m, const char *want) {
    char *text = NULL;
    size_t len = 0;
    pepkit_status st = pepkit_memoryview_tolist(m, &text, &len);
    if (st != PEPKIT_OK) {
        fprintf(stderr, "%s: %s\n", label, pepkit_last_error());
        return 1;
    }
    int bad = strcmp(text, want) != 0;
    printf("%-22s %s%s\n", label, text, bad ? "   <-- expected something else" : "");
    pepkit_free(text); /* tolist's string is ours: freed with pepkit_free */
    return bad;
}

int main(void) {
    uint8_t init[12];
    for (int i = 0; i < 12; i++) init[i] = (uint8_t)i;
    const uint8_t patch[4] = {100, 101, 102, 103};
    /* Every object below is a new reference, released at `out`. */
    pepkit_object *data = NULL, *m = NULL, *every3 = NULL, *grid = NULL, *head = NULL,
                  *src = NULL, *row = NULL;
    uint8_t *bytes = NULL;
    size_t nbytes = 0;

    TRY(pepkit_bytearray_new(init, sizeof init, &data));
    TRY(pepkit_memoryview_new(data, &m));

    pepkit_slice step3 = {PEPKIT_NONE, PEPKIT_NONE, 3};
    TRY(pepkit_memoryview_slice(m, &step3, 1, &every3));
    failed |= show("m[::3]", every3, "[0, 3, 6, 9]");

    pepkit_ssize shape[2] = {3, 4};
    TRY(pepkit_memoryview_cast(m, "B", shape, 2, &grid));
    failed |= show("m.cast('B', (3, 4))", grid, "[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]");

    /* m[0:4] = bytes(...): the source is any exporter of the same structure. */
    pepkit_slice first4 = {0, 4, PEPKIT_NONE}, last4 = {8, 12, PEPKIT_NONE};
    TRY(pepkit_bytes_new(patch, sizeof patch, &src));
    TRY(pepkit_memoryview_assign(m, &first4, 1, src));
    /* m[8:12] = m[0:4]: from another view of the same memory. */
    TRY(pepkit_memoryview_slice(m, &first4, 1, &head));
    TRY(pepkit_memoryview_assign(m, &last4, 1, head));
    failed |= show("after the assignments", m, "[100, 101, 102, 103, 4, 5, 6, 7, 100, 101, 102, 103]");

    /* The grid sees the same bytes: g[2] is the last row. */
    TRY(pepkit_memoryview_subview(grid, 2, &row));
    failed |= show("g[2]", row, "[100, 101, 102, 103]");
    pepkit_ssize at[2] = {2, 3};
    pepkit_value v;
    TRY(pepkit_memoryview_get_item(grid, at, 2, &v));
    printf("%-22s %llu\n", "g[2, 3]", (unsigned long long)v.u);
    failed |= v.kind != PEPKIT_VALUE_UINT || v.u != 103;

    /* Writes through the view land in the bytearray. */
    TRY(pepkit_memoryview_tobytes(m, 'C', &bytes, &nbytes));
    failed |= nbytes != 12 || bytes[0] != 100 || bytes[4] != 4;

    /* A wrong assignment is refused and changes nothing. */
    pepkit_slice three = {0, 3, PEPKIT_NONE};
    if (pepkit_memoryview_assign(m, &three, 1, src) != PEPKIT_ERR_VALUE) failed = 1;
    printf("%-22s %s\n", "m[0:3] = 4 bytes", pepkit_last_error());
out:
    pepkit_free(bytes);
    pepkit_decref(row);
    pepkit_decref(head);
    pepkit_decref(src);
    pepkit_decref(grid);
    pepkit_decref(every3);
    pepkit_decref(m); /* NULL is fine for pepkit_decref */
    pepkit_decref(data);
    return failed;
}
