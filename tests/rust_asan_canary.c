/* The Rust-ASan canary (suite 24-c-rust-asan): a custom exporter that lies,
 * claiming two 8-byte items over an 8-byte block, then asks pepkit for the
 * second item. pepkit's Rust code reads it with a plain load, which only an
 * ASan-instrumented libpepkit reports: run against the rust-asan build this
 * program must die with a heap-buffer-overflow inside pepkit; if it prints
 * "canary: not detected" the Rust code is not instrumented (or the
 * runtimes do not agree) and the suite fails. */
#include <stdio.h>
#include <stdlib.h>
#include "pepkit.h"

static pepkit_ssize shape[1] = {2};
static pepkit_ssize strides[1] = {8};

static pepkit_status lying_getbuffer(void *self, pepkit_buffer *view, int flags) {
    (void)flags;
    view->buf = self;
    view->len = 16; /* the block has 8 */
    view->itemsize = 8;
    view->readonly = 1;
    view->ndim = 1;
    view->format = (char *)"q";
    view->shape = shape;
    view->strides = strides;
    return PEPKIT_OK;
}

int main(void) {
    long long *block = malloc(sizeof *block);
    if (!block) return 2;
    *block = 42;
    pepkit_exporter_vtable vt = {lying_getbuffer, NULL, NULL};
    pepkit_object *obj = NULL, *mv = NULL;
    if (pepkit_custom_new(&vt, block, &obj) != PEPKIT_OK) return 2;
    if (pepkit_memoryview_new(obj, &mv) != PEPKIT_OK) return 2;
    pepkit_ssize index = 1;
    pepkit_value value;
    pepkit_status st = pepkit_memoryview_get_item(mv, &index, 1, &value);
    printf("canary: not detected (status %d, value %lld)\n", (int)st, (long long)value.i);
    pepkit_decref(mv);
    pepkit_decref(obj);
    free(block);
    return 0;
}
