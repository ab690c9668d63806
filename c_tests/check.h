/* A minimal test harness for pepkit's C tests: CHECK macros that count, and a
 * summary line "name: N passed, N failed" that tests/run_suites.sh adds up. */
#ifndef PEPKIT_CHECK_H
#define PEPKIT_CHECK_H

#include <stdio.h>
#include <string.h>
#include "pepkit.h"

static int check_passed_count;
static int check_failed_count;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed_count++;                                                \
        } else {                                                                 \
            check_failed_count++;                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

/* Checks that `expr` returns status `want`; on a mismatch prints both names and
 * pepkit_last_error(). */
#define CHECK_STATUS(expr, want)                                                 \
    do {                                                                         \
        pepkit_status check_got_ = (expr);                                       \
        if (check_got_ == (want)) {                                              \
            check_passed_count++;                                                \
        } else {                                                                 \
            check_failed_count++;                                                \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: %s)\n", \
                    __FILE__, __LINE__, #expr, pepkit_status_name(check_got_),   \
                    pepkit_status_name(want), pepkit_last_error());              \
        }                                                                        \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, PEPKIT_OK)

/* Checks that the last error message contains `needle`. */
#define CHECK_MESSAGE(needle)                                                    \
    do {                                                                         \
        const char *check_msg_ = pepkit_last_error();                            \
        if (check_msg_ != NULL && strstr(check_msg_, (needle)) != NULL) {        \
            check_passed_count++;                                                \
        } else {                                                                 \
            check_failed_count++;                                                \
            fprintf(stderr, "%s:%d: last error \"%s\" lacks \"%s\"\n", __FILE__, \
                    __LINE__, check_msg_ ? check_msg_ : "(null)", (needle));     \
        }                                                                        \
    } while (0)

static int check_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed_count, check_failed_count);
    return check_failed_count == 0 ? 0 : 1;
}

#endif
