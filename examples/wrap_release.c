/* Lending your own memory to pepkit with pepkit_wrap_new: a heap block of
 * 2x3 int32 values, exported as a 2-D array. pepkit calls the release
 * callback exactly once, when the last reference and the last export are gone
 * (here: after the memoryview made from it is dropped), and that is where the
 * block is freed. Exits non-zero if the callback runs early, late or twice. */
#include <stdio.h>
#include <stdlib.h>
#include "pepkit.h"

struct block {
    int32_t *data;
    int releases; /* how many times pepkit released it: must end at 1 */
};

/* Runs on whichever thread drops the last reference or export. */
static void release_block(void *ctx) {
    struct block *b = ctx;
    free(b->data);
    b->data = NULL;
    b->releases++;
    printf("release callback: block freed\n");
}

int main(void) {
    struct block b = {malloc(6 * sizeof(int32_t)), 0};
    if (!b.data) return 1;
    for (int i = 0; i < 6; i++) b.data[i] = i * i;

    /* The layout is borrowed for the call only; the memory until release. */
    pepkit_ssize shape[2] = {2, 3};
    pepkit_layout layout = {
        .base = b.data, .size = 6 * sizeof(int32_t), .offset = 0, .format = "i",
        .itemsize = sizeof(int32_t), .ndim = 2, .shape = shape, .strides = NULL,
        .suboffsets = NULL, .readonly = 1,
    };
    pepkit_object *arr = NULL, *mv = NULL;
    if (pepkit_wrap_new(&layout, release_block, &b, &arr) != PEPKIT_OK) {
        /* Refused: the callback will never run and the memory is still ours. */
        fprintf(stderr, "pepkit_wrap_new: %s\n", pepkit_last_error());
        free(b.data);
        return 1;
    }
    if (pepkit_memoryview_new(arr, &mv) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_memoryview_new: %s\n", pepkit_last_error());
        pepkit_decref(arr);
        return 1;
    }
    char *list = NULL;
    size_t n = 0;
    if (pepkit_memoryview_tolist(mv, &list, &n) == PEPKIT_OK) {
        printf("as a list: %s\n", list);
        pepkit_free(list);
    }

    pepkit_decref(arr); /* our reference: the memoryview's export still holds one */
    printf("after decref of the array: %d release(s)\n", b.releases);
    int early = b.releases != 0;
    pepkit_decref(mv); /* the last holder: now the callback runs */
    printf("after decref of the view: %d release(s)\n", b.releases);
    return early || b.releases != 1 || b.data != NULL;
}
