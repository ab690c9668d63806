/* Status names, version, last-error behaviour; the header included twice. */
#include "pepkit.h"
#include "pepkit.h"
#include <stdlib.h>
#include "check.h"

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"x.y.z\" taken from Cargo.toml"
#endif

int main(void) {
    /* Version: header macros, the library and Cargo.toml agree. */
    CHECK(strcmp(pepkit_version(), PEPKIT_VERSION_STRING) == 0);
    CHECK(strcmp(PEPKIT_VERSION_STRING, EXPECTED_VERSION) == 0);
    {
        char composed[64];
        snprintf(composed, sizeof composed, "%d.%d.%d", PEPKIT_VERSION_MAJOR, PEPKIT_VERSION_MINOR,
                 PEPKIT_VERSION_PATCH);
        CHECK(strcmp(composed, PEPKIT_VERSION_STRING) == 0);
    }

    /* SPEC's status numbers. */
    CHECK(PEPKIT_OK == 0 && PEPKIT_ERR_BUFFER == 1 && PEPKIT_ERR_VALUE == 2 && PEPKIT_ERR_TYPE == 3);
    CHECK(PEPKIT_ERR_INDEX == 4 && PEPKIT_ERR_NOT_IMPLEMENTED == 5 && PEPKIT_ERR_OVERFLOW == 6);
    CHECK(PEPKIT_ERR_NO_MEMORY == 7 && PEPKIT_ERR_OS == 8 && PEPKIT_ERR_NOT_FOUND == 9);
    CHECK(PEPKIT_ERR_EXISTS == 10 && PEPKIT_ERR_SUBPROCESS == 11 && PEPKIT_ERR_NULL_ARGUMENT == 12);
    CHECK(PEPKIT_ERR_PANIC == 13);
    CHECK(strcmp(pepkit_status_name(PEPKIT_OK), "PEPKIT_OK") == 0);
    CHECK(strcmp(pepkit_status_name(PEPKIT_ERR_BUFFER), "PEPKIT_ERR_BUFFER") == 0);
    CHECK(strcmp(pepkit_status_name(PEPKIT_ERR_PANIC), "PEPKIT_ERR_PANIC") == 0);
    CHECK(strcmp(pepkit_status_name(PEPKIT_ERR_NULL_ARGUMENT), "PEPKIT_ERR_NULL_ARGUMENT") == 0);
    CHECK(strcmp(pepkit_status_name(14), "PEPKIT_ERR_UNKNOWN") == 0);
    CHECK(strcmp(pepkit_status_name(-1), "PEPKIT_ERR_UNKNOWN") == 0);

    /* SPEC's buffer constants (the ABI test checks them against Python.h too). */
    CHECK(PEPKIT_BUF_SIMPLE == 0 && PEPKIT_BUF_FULL_RO == 284 && PEPKIT_BUF_FULL == 285);
    CHECK(PEPKIT_BUF_READ == 0x100 && PEPKIT_BUF_WRITE == 0x200 && PEPKIT_BUF_MAX_NDIM == 64);
    CHECK(sizeof(pepkit_buffer) == 10 * sizeof(void *));

    /* The last error: never NULL, empty at first, set by a failure, kept by
     * a success, per thread. */
    CHECK(pepkit_last_error() != NULL && pepkit_last_error()[0] == '\0');
    pepkit_ssize size = -1;
    CHECK_STATUS(pepkit_format_calcsize("z", &size), PEPKIT_ERR_VALUE);
    CHECK(size == -1); /* out-param untouched on failure */
    CHECK_MESSAGE("bad char in struct format");
    CHECK_OK(pepkit_format_calcsize("<i", &size));
    CHECK(size == 4);
    CHECK(pepkit_last_error() != NULL);

    /* pepkit_set_error returns its status and keeps nothing on its own. */
    CHECK(pepkit_set_error(PEPKIT_ERR_TYPE, "unused") == PEPKIT_ERR_TYPE);
    CHECK(pepkit_set_error(PEPKIT_ERR_TYPE, NULL) == PEPKIT_ERR_TYPE);

    /* pepkit_free accepts NULL and malloc'd memory of pepkit's (none yet
     * returned by this part of the API; NULL must be a no-op). */
    pepkit_free(NULL);
    pepkit_decref(NULL);
    pepkit_incref(NULL);
    return check_summary("test_basics");
}
