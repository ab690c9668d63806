/* Interchange: a pepkit ndarray handed to a DLPack consumer, and an Arrow
 * array (made here as any Arrow producer would) taken in by pepkit, both
 * without copying. Prints what it sees; exits non-zero if anything is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pepkit.h"

static int fail(const char *what, pepkit_status st) {
    fprintf(stderr, "%s failed: %s: %s\n", what, pepkit_status_name(st), pepkit_last_error());
    return 1;
}

/* A DLPack consumer: reads a float32 tensor through its element strides, then
 * gives it back by calling its deleter (exactly once, as DLPack requires). */
static double consume(DLManagedTensorVersioned *t) {
    const DLTensor *x = &t->dl_tensor;
    double sum = 0;
    if (x->dtype.code == kDLFloat && x->dtype.bits == 32 && x->ndim == 2) {
        const float *base = (const float *)((const char *)x->data + x->byte_offset);
        for (int64_t i = 0; i < x->shape[0]; i++)
            for (int64_t j = 0; j < x->shape[1]; j++) sum += base[i * x->strides[0] + j * x->strides[1]];
    }
    t->deleter(t);
    return sum;
}

/* An Arrow producer's int64 array with a release callback that counts. */
static int released;
static int64_t values[5] = {10, 20, 30, 40, 50};
static const void *buffers[2] = {NULL, values};
static void release_schema(struct ArrowSchema *s) { s->release = NULL; }
static void release_array(struct ArrowArray *a) {
    released++;
    a->release = NULL;
}

int main(void) {
    /* 1. A 2x3 float32 pepkit array, filled through a writable export. */
    pepkit_ssize shape[2] = {2, 3};
    pepkit_object *array = NULL;
    pepkit_status st = pepkit_ndarray_new("f", 2, shape, 'C', 0, &array);
    if (st != PEPKIT_OK) return fail("pepkit_ndarray_new", st);
    pepkit_buffer view;
    if ((st = pepkit_getbuffer(array, &view, PEPKIT_BUF_SIMPLE | PEPKIT_BUF_WRITABLE)) != PEPKIT_OK)
        return fail("pepkit_getbuffer", st);
    for (int k = 0; k < 6; k++) ((float *)view.buf)[k] = (float)(k + 1);
    if ((st = pepkit_releasebuffer(&view)) != PEPKIT_OK) return fail("pepkit_releasebuffer", st);

    /* 2. Handed to a DLPack consumer: the tensor holds one export until its deleter runs. */
    DLManagedTensorVersioned *tensor = NULL;
    if ((st = pepkit_dlpack_export(array, 0, &tensor)) != PEPKIT_OK) return fail("pepkit_dlpack_export", st);
    printf("DLPack %u.%u tensor: ndim %d, shape (%lld, %lld), exports while held: %zd\n", tensor->version.major,
           tensor->version.minor, tensor->dl_tensor.ndim, (long long)tensor->dl_tensor.shape[0],
           (long long)tensor->dl_tensor.shape[1], pepkit_exports(array));
    double sum = consume(tensor);
    printf("consumer's sum: %g, exports after its deleter: %zd\n", sum, pepkit_exports(array));
    int ok = sum == 21.0 && pepkit_exports(array) == 0;
    pepkit_decref(array);

    /* 3. An Arrow array taken in: pepkit moves both structs (their release
     * becomes NULL) and releases the array when its object is freed. */
    struct ArrowSchema schema = {"l", "", NULL, 0, 0, NULL, NULL, release_schema, NULL};
    struct ArrowArray arrow = {4, 0, 1, 2, 0, buffers, NULL, NULL, release_array, NULL};
    pepkit_object *taken = NULL;
    if ((st = pepkit_arrow_import(&schema, &arrow, &taken)) != PEPKIT_OK) return fail("pepkit_arrow_import", st);
    pepkit_object *mv = NULL;
    char *text = NULL;
    size_t len = 0;
    if ((st = pepkit_memoryview_new(taken, &mv)) != PEPKIT_OK) return fail("pepkit_memoryview_new", st);
    if ((st = pepkit_memoryview_tolist(mv, &text, &len)) != PEPKIT_OK) return fail("pepkit_memoryview_tolist", st);
    printf("Arrow array (offset 1) as a pepkit %s: %s, read-only %d\n", pepkit_type_name(taken), text,
           pepkit_memoryview_buffer(mv)->readonly);
    ok = ok && strcmp(text, "[20, 30, 40, 50]") == 0 && arrow.release == NULL && released == 0;
    pepkit_free(text);
    pepkit_decref(mv);
    pepkit_decref(taken);
    printf("Arrow release ran %d time(s)\n", released);
    ok = ok && released == 1;
    puts(ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
