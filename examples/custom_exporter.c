/* An exporter written in C, as a CPython type with bf_getbuffer and
 * bf_releasebuffer: a matrix struct that describes its own memory (a 3x3
 * float64 block inside a 3x4 allocation, so rows are padded and the strides
 * are not C-contiguous), counts its live exports, and is freed by pepkit
 * through `dealloc` when its last reference goes.
 *
 * pepkit applies CPython's request rules to what getbuffer describes, so a
 * consumer asking for C-contiguous memory is refused exactly as CPython would
 * refuse it. Exits non-zero on any unexpected answer. */
#include <stdio.h>
#include <stdlib.h>
#include "pepkit.h"

struct matrix {
    double cells[3][4]; /* 3 rows of 3 values plus one padding column */
    pepkit_ssize shape[2];
    pepkit_ssize strides[2];
    int exports;
    int *freed; /* set by dealloc so main can see it ran */
};

/* Describes everything; pepkit narrows it to the request (or refuses). */
static pepkit_status matrix_getbuffer(void *self, pepkit_buffer *view, int flags) {
    struct matrix *m = self;
    (void)flags;
    view->buf = m->cells;
    view->itemsize = sizeof(double);
    view->len = 9 * (pepkit_ssize)sizeof(double);
    view->readonly = 0;
    view->ndim = 2;
    view->format = "d";
    view->shape = m->shape;     /* must stay valid until releasebuffer: */
    view->strides = m->strides; /* they live in the object itself */
    m->exports++;
    return PEPKIT_OK;
}

static void matrix_releasebuffer(void *self, pepkit_buffer *view) {
    struct matrix *m = self;
    (void)view;
    m->exports--;
}

static void matrix_dealloc(void *self) {
    struct matrix *m = self;
    *m->freed = 1;
    free(m);
}

int main(void) {
    int freed = 0, bad = 0;
    struct matrix *m = calloc(1, sizeof *m);
    if (!m) return 1;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) m->cells[r][c] = r + c / 10.0;
    m->shape[0] = m->shape[1] = 3;
    m->strides[0] = sizeof m->cells[0];
    m->strides[1] = sizeof(double);
    m->freed = &freed;

    /* The vtable is copied; `m` belongs to pepkit from here on (dealloc). */
    pepkit_exporter_vtable vt = {matrix_getbuffer, matrix_releasebuffer, matrix_dealloc};
    pepkit_object *obj = NULL;
    if (pepkit_custom_new(&vt, m, &obj) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_custom_new: %s\n", pepkit_last_error());
        free(m); /* refused: dealloc will never run, m is still ours */
        return 1;
    }

    pepkit_buffer view;
    if (pepkit_getbuffer(obj, &view, PEPKIT_BUF_RECORDS) != PEPKIT_OK) return 1;
    printf("RECORDS export: shape (%zd, %zd), strides (%zd, %zd), live exports %d\n", view.shape[0],
           view.shape[1], view.strides[0], view.strides[1], m->exports);
    bad |= m->exports != 1 || view.strides[0] != 32;
    if (pepkit_releasebuffer(&view) != PEPKIT_OK) return 1;
    bad |= m->exports != 0;

    /* Padded rows are not C-contiguous: refused as CPython refuses it. */
    pepkit_status st = pepkit_getbuffer(obj, &view, PEPKIT_BUF_C_CONTIGUOUS);
    printf("C_CONTIGUOUS request: %s (%s)\n", pepkit_status_name(st), pepkit_last_error());
    bad |= st != PEPKIT_ERR_BUFFER || m->exports != 0;

    /* A memoryview reads it like any other exporter. */
    pepkit_object *mv = NULL;
    char *text = NULL;
    size_t n = 0;
    if (pepkit_memoryview_new(obj, &mv) != PEPKIT_OK || pepkit_memoryview_tolist(mv, &text, &n) != PEPKIT_OK)
        return 1;
    printf("tolist: %s\n", text);
    pepkit_free(text);
    pepkit_decref(mv);

    pepkit_decref(obj); /* the last reference: dealloc runs */
    printf("dealloc ran: %s\n", freed ? "yes" : "no");
    return bad || !freed;
}
