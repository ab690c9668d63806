/* A C consumer: a bytes object, a memoryview of it, its tolist. */
#include <pepkit.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    pepkit_object *b = NULL, *mv = NULL;
    char *list = NULL;
    size_t n = 0;
    int rc = 1;
    if (strcmp(pepkit_version(), PEPKIT_VERSION_STRING) != 0) return 1;
    if (pepkit_bytes_new((const uint8_t *)"\x01\x02\x03", 3, &b) != PEPKIT_OK) goto out;
    if (pepkit_memoryview_new(b, &mv) != PEPKIT_OK) goto out;
    if (pepkit_memoryview_tolist(mv, &list, &n) != PEPKIT_OK) goto out;
    rc = strcmp(list, "[1, 2, 3]") != 0;
    printf("%s\n", list);
out:
    if (rc) fprintf(stderr, "use_c: %s\n", pepkit_last_error());
    pepkit_free(list);
    pepkit_decref(mv);
    pepkit_decref(b);
    return rc;
}
