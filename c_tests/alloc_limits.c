/* The allocation-failure suite: every call whose cost grows with its input,
 * driven past what memory allows, must return PEPKIT_ERR_NO_MEMORY (or the
 * class CPython raises when it is another: OverflowError past Py_ssize_t,
 * ValueError, TypeError, NotImplementedError) with a short message, change
 * nothing, and leave the process able to make the next call.
 *
 * Each case runs in a forked child that first builds its inputs, then limits
 * its address space (RLIMIT_AS) to what it already has plus HEADROOM, so no
 * case can exhaust the machine, and finally makes the calls. The parent
 * checks the child's exit status: an abort, a crash, a hang (alarm) or a
 * failed check is a failed case.
 *
 * Not built with AddressSanitizer (nor run under Valgrind): ASan reserves
 * terabytes of shadow address space at start-up and maps more as it goes, so
 * RLIMIT_AS would break ASan itself, and both tools replace malloc with one
 * whose failure behaviour is not the system's. tests/suites/23-c-alloc-limits.sh
 * runs the plain build, linked with libpepkit.so. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

/* What each child may allocate beyond what it holds when it sets its limit. */
#define HEADROOM ((size_t)256 << 20)
#define MiB ((size_t)1 << 20)
/* A hang is a failure too: no case needs more than this many seconds. */
#define CASE_SECONDS 60

/* Caps this process's address space at its current size plus HEADROOM. */
static void limit_memory(void) {
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL || fscanf(f, "%lu", &pages) != 1) {
        fprintf(stderr, "cannot read /proc/self/statm\n");
        _exit(3);
    }
    fclose(f);
    rlim_t now = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
    struct rlimit lim = {now + HEADROOM, now + HEADROOM};
    if (setrlimit(RLIMIT_AS, &lim) != 0) {
        perror("setrlimit");
        _exit(3);
    }
}

/* The process lives on: a small call after the failed one must work. */
static void still_alive(void) {
    pepkit_object *b = NULL, *mv = NULL;
    char *text = NULL;
    size_t n = 0;
    CHECK_OK(pepkit_bytes_new((const uint8_t *)"ok", 2, &b));
    CHECK_OK(pepkit_memoryview_new(b, &mv));
    CHECK_OK(pepkit_memoryview_tolist(mv, &text, &n));
    CHECK(text != NULL && strcmp(text, "[111, 107]") == 0);
    pepkit_free(text);
    pepkit_decref(mv);
    pepkit_decref(b);
}

/* A failure's message says what happened and stays short whatever the input. */
#define CHECK_SHORT_MESSAGE(needle)                                              \
    do {                                                                         \
        CHECK_MESSAGE(needle);                                                   \
        CHECK(strlen(pepkit_last_error()) < 400);                                \
    } while (0)

static int cases_passed, cases_failed;

static void run_case(const char *name, void (*body)(void)) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        cases_failed++;
        return;
    }
    if (pid == 0) {
        alarm(CASE_SECONDS);
        body();
        still_alive();
        if (check_failed_count != 0) {
            check_summary(name);
        }
        fflush(stdout);
        fflush(stderr);
        _exit(check_failed_count == 0 ? 0 : 1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        cases_passed++;
        printf("ok   %s\n", name);
    } else {
        cases_failed++;
        if (WIFSIGNALED(status)) {
            printf("FAIL %s: killed by signal %d (%s)\n", name, WTERMSIG(status), strsignal(WTERMSIG(status)));
        } else {
            printf("FAIL %s: exit status %d\n", name, WEXITSTATUS(status));
        }
    }
}

/* A memoryview of `nitems` items of `format` all read from one item of
 * `item_bytes` zero bytes (stride 0): a huge view over a tiny block. */
static pepkit_object *stride0_view(const char *format, size_t item_bytes, pepkit_ssize nitems, int readonly) {
    /* A block of its own, zero-filled; freed when the child exits. */
    unsigned char *block = calloc(1, item_bytes);
    if (block == NULL) {
        _exit(3);
    }
    pepkit_ssize shape[1] = {nitems};
    pepkit_ssize strides[1] = {0};
    pepkit_layout layout = {block, item_bytes, 0, format, (pepkit_ssize)item_bytes, 1, shape, strides, NULL, readonly};
    pepkit_object *wrap = NULL, *mv = NULL;
    CHECK_OK(pepkit_wrap_new(&layout, NULL, NULL, &wrap));
    CHECK_OK(pepkit_memoryview_new(wrap, &mv));
    pepkit_decref(wrap);
    return mv;
}

/* A memoryview of a new zero-filled 1-D ndarray. */
static pepkit_object *ndarray_view(const char *format, pepkit_ssize n, int readonly) {
    pepkit_object *nd = NULL, *mv = NULL;
    pepkit_ssize shape[1] = {n};
    CHECK_OK(pepkit_ndarray_new(format, 1, shape, 'C', readonly, &nd));
    CHECK_OK(pepkit_memoryview_new(nd, &mv));
    pepkit_decref(nd);
    return mv;
}

static pepkit_object *reversed(pepkit_object *mv) {
    pepkit_slice rev = {PEPKIT_NONE, PEPKIT_NONE, -1};
    pepkit_object *out = NULL;
    CHECK_OK(pepkit_memoryview_slice(mv, &rev, 1, &out));
    return out;
}

/* A format of `spaces` blanks then `tail`: long, but of a tiny item. */
static char *long_format(size_t spaces, const char *tail) {
    char *f = malloc(spaces + strlen(tail) + 1);
    if (f == NULL) {
        _exit(3);
    }
    memset(f, ' ', spaces);
    strcpy(f + spaces, tail);
    return f;
}

#define SENTINEL ((void *)(uintptr_t)0x5a5a)

/* --- item 2: equality without a value vector per item ------------------- */

static void equal_many_fields(void) {
    /* 10^8 values per item: a vector of them would need gigabytes. */
    pepkit_object *a = ndarray_view("100000000?", 1, 1);
    pepkit_object *b = ndarray_view("100000000?", 1, 1);
    pepkit_object *c = ndarray_view("100000000B", 1, 1);
    limit_memory();
    bool eq = false;
    CHECK_OK(pepkit_memoryview_equal(a, b, &eq));
    CHECK(eq);
    /* Different formats compare value by value: False == 0. */
    eq = false;
    CHECK_OK(pepkit_memoryview_equal(a, c, &eq));
    CHECK(eq);
    pepkit_decref(a);
    pepkit_decref(b);
    pepkit_decref(c);
}

static void ndarray_huge_item(void) {
    limit_memory();
    pepkit_object *nd = SENTINEL;
    pepkit_ssize one[1] = {1};
    CHECK_STATUS(pepkit_ndarray_new("3000000000?", 1, one, 'C', 1, &nd), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK(nd == SENTINEL);
}

static void get_item_many_fields(void) {
    pepkit_object *a = ndarray_view("100000000?", 1, 1);
    limit_memory();
    pepkit_value v;
    pepkit_ssize i[1] = {0};
    CHECK_STATUS(pepkit_memoryview_get_item(a, i, 1, &v), PEPKIT_ERR_NOT_IMPLEMENTED);
    CHECK_SHORT_MESSAGE("values per item");
    pepkit_decref(a);
}

/* --- item 2: hex, hash and tobytes of a huge stride-0 view -------------- */

static void hex_stride0(void) {
    pepkit_object *mv = stride0_view("B", 1, (pepkit_ssize)1 << 40, 1);
    limit_memory();
    char *text = SENTINEL;
    size_t n = 7;
    CHECK_STATUS(pepkit_memoryview_hex(mv, NULL, 0, &text, &n), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK_STATUS(pepkit_memoryview_hex(mv, ":", -3, &text, &n), PEPKIT_ERR_NO_MEMORY);
    CHECK(text == SENTINEL && n == 7);
    pepkit_decref(mv);
}

static void hash_stride0(void) {
    pepkit_object *mv = stride0_view("B", 1, (pepkit_ssize)1 << 40, 1);
    limit_memory();
    pepkit_ssize h = 7;
    CHECK_STATUS(pepkit_memoryview_hash(mv, &h), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK(h == 7);
    pepkit_decref(mv);
}

static void tobytes_stride0(void) {
    pepkit_object *mv = stride0_view("B", 1, (pepkit_ssize)1 << 40, 1);
    limit_memory();
    uint8_t *bytes = SENTINEL;
    size_t n = 7;
    CHECK_STATUS(pepkit_memoryview_tobytes(mv, 'C', &bytes, &n), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK(bytes == SENTINEL && n == 7);
    /* Into caller memory: the length must match, nothing is allocated. */
    uint8_t small[4] = {9, 9, 9, 9};
    CHECK_STATUS(pepkit_memoryview_tobytes_into(mv, 'C', small, sizeof small), PEPKIT_ERR_VALUE);
    CHECK(small[0] == 9);
    pepkit_decref(mv);
}

static void noncontiguous_copies(void) {
    /* 300 MiB that is not C-contiguous reversed: hash and hex need its
     * C-order bytes, a copy larger than the headroom. */
    pepkit_object *mv = ndarray_view("B", (pepkit_ssize)(300 * MiB), 1);
    pepkit_object *rev = reversed(mv);
    limit_memory();
    pepkit_ssize h = 7;
    CHECK_STATUS(pepkit_memoryview_hash(rev, &h), PEPKIT_ERR_NO_MEMORY);
    CHECK(h == 7);
    char *text = SENTINEL;
    size_t n = 7;
    CHECK_STATUS(pepkit_memoryview_hex(rev, NULL, 0, &text, &n), PEPKIT_ERR_NO_MEMORY);
    CHECK(text == SENTINEL);
    pepkit_decref(rev);
    pepkit_decref(mv);
}

/* --- item 2: tolist bounded before it grows ----------------------------- */

/* Limits memory, then expects tolist of `mv` to fail with NO_MEMORY and a
 * short message containing `needle`, writing nothing; drops `mv`. */
static void expect_tolist_no_memory(pepkit_object *mv, const char *needle) {
    limit_memory();
    char *text = SENTINEL;
    size_t n = 7;
    CHECK_STATUS(pepkit_memoryview_tolist(mv, &text, &n), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE(needle);
    CHECK(text == SENTINEL && n == 7);
    pepkit_decref(mv);
}

static void tolist_empty_huge(void) {
    /* shape (2**63-1, 0, 2**63-1): zero bytes, but its list is 2**63-1 "[]"s. */
    pepkit_object *nd = NULL, *mv = NULL;
    pepkit_ssize shape[3] = {INTPTR_MAX, 0, INTPTR_MAX};
    CHECK_OK(pepkit_ndarray_new("B", 3, shape, 'C', 1, &nd));
    CHECK_OK(pepkit_memoryview_new(nd, &mv));
    pepkit_decref(nd);
    expect_tolist_no_memory(mv, "does not fit in memory");
}

static void tolist_stride0(void) {
    expect_tolist_no_memory(stride0_view("d", 8, (pepkit_ssize)1 << 40, 1), "cannot allocate");
}

static void tolist_grows_past_limit(void) {
    /* 2**26 doubles: "0.0, " each, about 320 MiB of text; the bound before
     * writing fits, growth does not. */
    expect_tolist_no_memory(stride0_view("d", 8, (pepkit_ssize)1 << 26, 1), "cannot allocate");
}

static void tolist_huge_item(void) {
    /* One 100 MB 's' item: its repr is b'\x00...' at 4 bytes per byte. */
    expect_tolist_no_memory(ndarray_view("100000000s", 1, 1), "cannot allocate");
}

/* --- item 2: assignment stages through a fallible copy ------------------ */

static void assign_staging(void) {
    pepkit_object *mv = ndarray_view("B", (pepkit_ssize)(300 * MiB), 0);
    pepkit_object *rev = reversed(mv);
    pepkit_ssize first[1] = {0};
    pepkit_value one = {PEPKIT_VALUE_UINT, 0, 1, 0, false, NULL, 0};
    CHECK_OK(pepkit_memoryview_set_item(mv, first, 1, &one));
    limit_memory();
    CHECK_STATUS(pepkit_memoryview_assign(mv, NULL, 0, rev), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    /* A failed call changes nothing. */
    pepkit_value v;
    CHECK_OK(pepkit_memoryview_get_item(mv, first, 1, &v));
    CHECK(v.kind == PEPKIT_VALUE_UINT && v.u == 1);
    pepkit_decref(rev);
    pepkit_decref(mv);
}

/* --- formats: long ones are copied fallibly and never echoed whole ------ */

static void wrap_long_format(void) {
    char *format = long_format(300 * MiB, "B");
    unsigned char block[1] = {0};
    pepkit_ssize shape[1] = {1};
    pepkit_layout layout = {block, 1, 0, format, 1, 1, shape, NULL, NULL, 1};
    limit_memory();
    pepkit_object *w = SENTINEL;
    CHECK_STATUS(pepkit_wrap_new(&layout, NULL, NULL, &w), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK(w == SENTINEL);
    /* Its size needs no copy. */
    pepkit_ssize size = 0;
    CHECK_OK(pepkit_format_calcsize(format, &size));
    CHECK(size == 1);
    free(format);
}

static void ndarray_long_format(void) {
    char *format = long_format(200 * MiB, "B");
    pepkit_ssize shape[1] = {4};
    limit_memory();
    pepkit_object *nd = NULL;
    /* The array's own copy of a 200 MiB format fits the headroom once. */
    CHECK_OK(pepkit_ndarray_new(format, 1, shape, 'C', 1, &nd));
    pepkit_decref(nd);
    free(format);
}

static void bad_long_format(void) {
    char *format = long_format(200 * MiB, "z");
    pepkit_ssize shape[1] = {1};
    limit_memory();
    pepkit_object *nd = SENTINEL;
    CHECK_STATUS(pepkit_ndarray_new(format, 1, shape, 'C', 1, &nd), PEPKIT_ERR_VALUE);
    CHECK_SHORT_MESSAGE("bad char in struct format");
    CHECK_MESSAGE("bytes)");
    pepkit_ssize size = 0;
    CHECK_STATUS(pepkit_format_calcsize(format, &size), PEPKIT_ERR_VALUE);
    CHECK_SHORT_MESSAGE("bad char in struct format");
    CHECK(nd == SENTINEL && size == 0);
    free(format);
}

static void calcsize_huge_repeats(void) {
    limit_memory();
    pepkit_ssize size = 0;
    /* struct.calcsize: past Py_ssize_t is "total struct size too long". */
    CHECK_STATUS(pepkit_format_calcsize("9223372036854775807q", &size), PEPKIT_ERR_OVERFLOW);
    CHECK_SHORT_MESSAGE("total struct size too long");
    CHECK_STATUS(pepkit_format_calcsize("99999999999999999999999b", &size), PEPKIT_ERR_OVERFLOW);
    CHECK_OK(pepkit_format_calcsize("9223372036854775807x", &size));
    CHECK(size == INTPTR_MAX);
}

/* --- a callback's message is kept at a bounded length ------------------- */

static char *huge_message;

static pepkit_status refusing_getbuffer(void *self, pepkit_buffer *view, int flags) {
    (void)self;
    (void)view;
    (void)flags;
    return pepkit_set_error(PEPKIT_ERR_BUFFER, huge_message);
}

static void callback_long_message(void) {
    huge_message = long_format(300 * MiB, "!");
    memcpy(huge_message, "refused:", 8);
    pepkit_exporter_vtable vt = {refusing_getbuffer, NULL, NULL};
    pepkit_object *custom = NULL, *mv = SENTINEL;
    CHECK_OK(pepkit_custom_new(&vt, NULL, &custom));
    limit_memory();
    CHECK_STATUS(pepkit_memoryview_new(custom, &mv), PEPKIT_ERR_BUFFER);
    CHECK_MESSAGE("refused:");
    CHECK(strlen(pepkit_last_error()) < 20000);
    CHECK(mv == SENTINEL);
    pepkit_decref(custom);
    free(huge_message);
}

/* --- creation, shapes, resize ------------------------------------------- */

static void ndarray_huge_shapes(void) {
    limit_memory();
    pepkit_object *nd = SENTINEL;
    pepkit_ssize big[1] = {(pepkit_ssize)1 << 40};
    CHECK_STATUS(pepkit_ndarray_new("B", 1, big, 'C', 0, &nd), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    pepkit_ssize over[2] = {(pepkit_ssize)1 << 62, 4};
    CHECK_STATUS(pepkit_ndarray_new("B", 2, over, 'C', 0, &nd), PEPKIT_ERR_OVERFLOW);
    CHECK_STATUS(pepkit_ndarray_new("d", 1, big, 'F', 0, &nd), PEPKIT_ERR_NO_MEMORY);
    pepkit_ssize many[64];
    for (int i = 0; i < 64; i++) {
        many[i] = 2;
    }
    CHECK_STATUS(pepkit_ndarray_new("B", 64, many, 'C', 0, &nd), PEPKIT_ERR_OVERFLOW);
    CHECK(nd == SENTINEL);
}

static void bytearray_resize_huge(void) {
    pepkit_object *ba = NULL;
    CHECK_OK(pepkit_bytearray_new((const uint8_t *)"abc", 3, &ba));
    limit_memory();
    CHECK_STATUS(pepkit_bytearray_resize(ba, (size_t)1 << 40), PEPKIT_ERR_NO_MEMORY);
    CHECK_SHORT_MESSAGE("cannot allocate");
    CHECK_STATUS(pepkit_bytearray_resize(ba, SIZE_MAX), PEPKIT_ERR_OVERFLOW);
    pepkit_buffer view;
    CHECK_OK(pepkit_getbuffer(ba, &view, PEPKIT_BUF_SIMPLE));
    CHECK(view.len == 3 && memcmp(view.buf, "abc", 3) == 0);
    CHECK_OK(pepkit_releasebuffer(&view));
    pepkit_decref(ba);
}

/* --- calls that need no memory stay cheap on huge views ----------------- */

static void huge_views_without_copies(void) {
    pepkit_object *mv = stride0_view("B", 1, (pepkit_ssize)1 << 40, 0);
    pepkit_object *other = stride0_view("B", 1, (pepkit_ssize)1 << 40, 1);
    limit_memory();
    /* Slices and sub-views only describe. */
    pepkit_slice s = {1, PEPKIT_NONE, 1 << 20};
    pepkit_object *sl = NULL, *sub = NULL, *cast = NULL, *again = NULL;
    CHECK_OK(pepkit_memoryview_slice(mv, &s, 1, &sl));
    CHECK(pepkit_memoryview_len(sl) == ((pepkit_ssize)1 << 20));
    CHECK_OK(pepkit_memoryview_subview(mv, -1, &sub));
    /* memoryview(m) and getbuffer of a view: no copy either. */
    CHECK_OK(pepkit_memoryview_new(mv, &again));
    pepkit_buffer view;
    CHECK_OK(pepkit_getbuffer(again, &view, PEPKIT_BUF_FULL_RO));
    CHECK(view.len == ((pepkit_ssize)1 << 40) && view.strides[0] == 0);
    /* CPython: casts need a C-contiguous view (a stride of 0 is not). */
    CHECK_STATUS(pepkit_memoryview_cast(mv, "B", NULL, -1, &cast), PEPKIT_ERR_TYPE);
    CHECK(cast == NULL);
    /* The buffer helpers copy into caller memory of the right size only. */
    uint8_t small[8] = {0};
    CHECK_STATUS(pepkit_buffer_to_contiguous(small, &view, sizeof small, 'C'), PEPKIT_ERR_VALUE);
    CHECK_OK(pepkit_releasebuffer(&view));
    const pepkit_buffer *desc = pepkit_memoryview_buffer(mv);
    CHECK(desc != NULL);
    uint8_t seven = 7;
    CHECK_OK(pepkit_buffer_from_contiguous(desc, &seven, 1, 'C'));
    /* Equality stops at the first difference: the items differ at once. */
    bool eq = true;
    CHECK_OK(pepkit_memoryview_equal(mv, other, &eq));
    CHECK(!eq);
    /* Assigning a view that is not C-contiguous (stride 0) to itself stages
     * a C-order copy of all 2^40 bytes first: NO_MEMORY, nothing changed. */
    CHECK_STATUS(pepkit_memoryview_assign(mv, NULL, 0, mv), PEPKIT_ERR_NO_MEMORY);
    pepkit_decref(again);
    pepkit_decref(sub);
    pepkit_decref(sl);
    pepkit_decref(other);
    pepkit_decref(mv);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    run_case("equal: 10^8 '?' fields per item, streamed", equal_many_fields);
    run_case("ndarray_new: one 3e9-byte item -> NO_MEMORY", ndarray_huge_item);
    run_case("get_item: 10^8 values per item -> NOT_IMPLEMENTED before unpacking", get_item_many_fields);
    run_case("hex: 2^40-item stride-0 view -> NO_MEMORY", hex_stride0);
    run_case("hash: 2^40-item stride-0 view -> NO_MEMORY", hash_stride0);
    run_case("tobytes: 2^40-item stride-0 view -> NO_MEMORY", tobytes_stride0);
    run_case("hash/hex: 300 MiB reversed view -> NO_MEMORY", noncontiguous_copies);
    run_case("tolist: shape (2^63-1, 0, 2^63-1) -> NO_MEMORY", tolist_empty_huge);
    run_case("tolist: 2^40 doubles -> NO_MEMORY", tolist_stride0);
    run_case("tolist: 2^26 doubles, growth past the limit -> NO_MEMORY", tolist_grows_past_limit);
    run_case("tolist: one 10^8-byte 's' item -> NO_MEMORY", tolist_huge_item);
    run_case("assign: 300 MiB staging copy -> NO_MEMORY", assign_staging);
    run_case("wrap_new: 300 MiB format -> NO_MEMORY", wrap_long_format);
    run_case("ndarray_new: 200 MiB format copied once", ndarray_long_format);
    run_case("ndarray_new/calcsize: 200 MiB bad format, short message", bad_long_format);
    run_case("calcsize: huge repeats", calcsize_huge_repeats);
    run_case("custom getbuffer: 300 MiB error message, kept short", callback_long_message);
    run_case("ndarray_new: huge shapes", ndarray_huge_shapes);
    run_case("bytearray_resize: 2^40 and SIZE_MAX", bytearray_resize_huge);
    run_case("slice/subview/cast/getbuffer/helpers on 2^40-item views", huge_views_without_copies);
    printf("alloc_limits: %d passed, %d failed\n", cases_passed, cases_failed);
    return cases_failed == 0 ? 0 : 1;
}
