/* Threads: several threads export and release shared objects at once, while
 * another resizes the shared bytearray whenever it can and references come
 * and go. Export counts must return to 0, each release callback and dealloc
 * must run exactly once, and every export must be self-consistent. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"

#define THREADS 4
#define ROUNDS 100000

enum { BYTES, BYTEARRAY, NDARRAY, WRAP, CUSTOM, MEMORYVIEW, KINDS };
static pepkit_object *shared[KINDS];
static atomic_int wrap_released, custom_deallocs, bad_exports, failed_calls;
static atomic_int resizes_done, resizes_refused, stop_resizer;
static char custom_data[16] = "custom exporter";

static void on_release(void *ctx) {
    (void)ctx;
    atomic_fetch_add(&wrap_released, 1);
}
static pepkit_status custom_get(void *self, pepkit_buffer *view, int flags) {
    return pepkit_buffer_fill_info(view, NULL, self, 16, 1, flags);
}
static void custom_dealloc(void *self) {
    (void)self;
    atomic_fetch_add(&custom_deallocs, 1);
}

static void *exporter_thread(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    static const int requests[] = {PEPKIT_BUF_SIMPLE, PEPKIT_BUF_FULL_RO, PEPKIT_BUF_RECORDS_RO, PEPKIT_BUF_ND};
    for (int i = 0; i < ROUNDS; i++) {
        int kind = (int)((seed + (unsigned)i) % KINDS);
        int flags = requests[(seed / 7 + (unsigned)i) % 4];
        pepkit_object *obj = shared[kind];
        pepkit_incref(obj);
        pepkit_buffer view;
        if (pepkit_getbuffer(obj, &view, flags) != PEPKIT_OK) {
            atomic_fetch_add(&failed_calls, 1);
            pepkit_decref(obj);
            continue;
        }
        if (view.obj != obj || (view.shape != NULL && view.ndim == 1 && view.shape[0] * view.itemsize != view.len))
            atomic_fetch_add(&bad_exports, 1);
        if (kind == BYTEARRAY && view.len > 0 && ((unsigned char *)view.buf)[0] != 0xAB)
            atomic_fetch_add(&bad_exports, 1);
        if (pepkit_releasebuffer(&view) != PEPKIT_OK || view.obj != NULL) atomic_fetch_add(&failed_calls, 1);
        if (kind == MEMORYVIEW && i % 16 == 0) {
            /* Views of the shared memoryview, made and read concurrently. */
            pepkit_slice rev = {PEPKIT_NONE, PEPKIT_NONE, -1};
            pepkit_object *s = NULL;
            uint8_t out[64];
            if (pepkit_memoryview_slice(obj, &rev, 1, &s) != PEPKIT_OK ||
                pepkit_memoryview_tobytes_into(s, 'C', out, 64) != PEPKIT_OK || out[63] != 0xCD)
                atomic_fetch_add(&failed_calls, 1);
            pepkit_decref(s);
        }
        pepkit_decref(obj);
    }
    return NULL;
}

static void *resizer_thread(void *arg) {
    (void)arg;
    size_t n = 1;
    while (!atomic_load(&stop_resizer)) {
        n = n % 64 + 1;
        pepkit_status st = pepkit_bytearray_resize(shared[BYTEARRAY], n);
        if (st == PEPKIT_OK) {
            atomic_fetch_add(&resizes_done, 1);
        } else if (st == PEPKIT_ERR_BUFFER) {
            atomic_fetch_add(&resizes_refused, 1);
        } else {
            atomic_fetch_add(&failed_calls, 1);
        }
    }
    return NULL;
}

int main(void) {
    static unsigned char block[256];
    pepkit_ssize n = 256;
    pepkit_layout layout = {block, sizeof block, 0, "B", 1, 1, &n, NULL, NULL, 0};
    pepkit_ssize shape[2] = {8, 8};
    const unsigned char ab = 0xAB;
    pepkit_exporter_vtable vt = {custom_get, NULL, custom_dealloc};
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"shared", 6, &shared[BYTES]));
    CHECK_OK(pepkit_bytearray_new(&ab, 1, &shared[BYTEARRAY]));
    CHECK_OK(pepkit_ndarray_new("i", 2, shape, 'C', 0, &shared[NDARRAY]));
    CHECK_OK(pepkit_wrap_new(&layout, on_release, NULL, &shared[WRAP]));
    CHECK_OK(pepkit_custom_new(&vt, custom_data, &shared[CUSTOM]));
    /* A memoryview of a 64-byte bytearray whose first byte is 0xCD. */
    unsigned char cd[64] = {0xCD};
    pepkit_object *pinned = NULL;
    CHECK_OK(pepkit_bytearray_new(cd, sizeof cd, &pinned));
    CHECK_OK(pepkit_memoryview_new(pinned, &shared[MEMORYVIEW]));

    pthread_t threads[THREADS], resizer;
    for (int t = 0; t < THREADS; t++)
        CHECK(pthread_create(&threads[t], NULL, exporter_thread, (void *)(uintptr_t)(t * 13 + 1)) == 0);
    CHECK(pthread_create(&resizer, NULL, resizer_thread, NULL) == 0);
    for (int t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    atomic_store(&stop_resizer, 1);
    CHECK(pthread_join(resizer, NULL) == 0);

    CHECK(atomic_load(&bad_exports) == 0);
    CHECK(atomic_load(&failed_calls) == 0);
    CHECK(atomic_load(&resizes_done) + atomic_load(&resizes_refused) > 0);
    for (int k = 0; k < KINDS; k++) {
        CHECK(pepkit_exports(shared[k]) == 0);
        CHECK(pepkit_refcount(shared[k]) == 1);
    }
    /* The memoryview pinned its bytearray throughout; released, it lets go. */
    CHECK_STATUS(pepkit_bytearray_resize(pinned, 1), PEPKIT_ERR_BUFFER);
    CHECK_OK(pepkit_memoryview_release(shared[MEMORYVIEW]));
    CHECK_OK(pepkit_bytearray_resize(pinned, 1));
    pepkit_decref(pinned);

    /* The bytearray kept its first byte through every resize. */
    pepkit_buffer v;
    CHECK_OK(pepkit_getbuffer(shared[BYTEARRAY], &v, PEPKIT_BUF_SIMPLE));
    CHECK(v.len >= 1 && ((unsigned char *)v.buf)[0] == 0xAB);
    CHECK_OK(pepkit_releasebuffer(&v));

    /* Drop the last references from another thread: callbacks run once, there. */
    CHECK(atomic_load(&wrap_released) == 0 && atomic_load(&custom_deallocs) == 0);
    for (int k = 0; k < KINDS; k++) pepkit_decref(shared[k]);
    CHECK(atomic_load(&wrap_released) == 1);
    CHECK(atomic_load(&custom_deallocs) == 1);
    printf("threads: %d exporters x %d rounds; bytearray resized %d times, refused %d times\n", THREADS,
           ROUNDS, atomic_load(&resizes_done), atomic_load(&resizes_refused));
    return check_summary("test_threads");
}
