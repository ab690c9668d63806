/* Build a 3x4 float64 array in Fortran order, fill it through its export,
 * then walk a strided, reversed view of it and copy it out in C order.
 * Prints what it sees and exits non-zero if any value is wrong. */
#include <stdio.h>
#include <string.h>
#include "pepkit.h"

static int fail(const char *what, pepkit_status st) {
    fprintf(stderr, "%s failed: %s: %s\n", what, pepkit_status_name(st), pepkit_last_error());
    return 1;
}

int main(void) {
    pepkit_ssize shape[2] = {3, 4};
    pepkit_object *array = NULL;
    pepkit_status st = pepkit_ndarray_new("d", 2, shape, 'F', 0, &array);
    if (st != PEPKIT_OK) return fail("pepkit_ndarray_new", st);

    /* Export it writable with full structure and fill a[r][c] = 10r + c. */
    pepkit_buffer view;
    st = pepkit_getbuffer(array, &view, PEPKIT_BUF_FULL);
    if (st != PEPKIT_OK) return fail("pepkit_getbuffer", st);
    printf("exported: format %s, ndim %d, shape (%zd, %zd), strides (%zd, %zd), %zd bytes\n", view.format,
           view.ndim, view.shape[0], view.shape[1], view.strides[0], view.strides[1], view.len);
    for (pepkit_ssize r = 0; r < 3; r++) {
        for (pepkit_ssize c = 0; c < 4; c++) {
            pepkit_ssize idx[2] = {r, c};
            void *item;
            st = pepkit_buffer_get_pointer(&view, idx, 2, &item);
            if (st != PEPKIT_OK) return fail("pepkit_buffer_get_pointer", st);
            *(double *)item = (double)(10 * r + c);
        }
    }

    /* In memory (Fortran order) the first column comes first. */
    const double *raw = view.buf;
    printf("memory order: %g %g %g %g ...\n", raw[0], raw[1], raw[2], raw[3]);

    /* Copy out in C order: rows first. */
    double rows[12];
    st = pepkit_buffer_to_contiguous(rows, &view, (pepkit_ssize)sizeof rows, 'C');
    if (st != PEPKIT_OK) return fail("pepkit_buffer_to_contiguous", st);
    int bad = 0;
    for (int i = 0; i < 12; i++) bad |= rows[i] != (double)(10 * (i / 4) + i % 4);
    printf("C order:      ");
    for (int i = 0; i < 12; i++) printf("%g%s", rows[i], i == 11 ? "\n" : " ");

    /* Asking for a C-contiguous export of Fortran memory is refused, as in CPython. */
    pepkit_buffer c_view;
    st = pepkit_getbuffer(array, &c_view, PEPKIT_BUF_C_CONTIGUOUS);
    printf("C-contiguous request: %s (%s)\n", pepkit_status_name(st), pepkit_last_error());
    bad |= st != PEPKIT_ERR_BUFFER;

    printf("exports while walking: %zd\n", pepkit_exports(array));
    if (pepkit_releasebuffer(&view) != PEPKIT_OK) return fail("pepkit_releasebuffer", st);
    bad |= pepkit_exports(array) != 0;
    pepkit_decref(array);
    puts(bad ? "ndarray_walk: FAILED" : "ndarray_walk: ok");
    return bad;
}
