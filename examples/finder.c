/* Many import lookups over one path with a cached pepkit_finder (importlib's
 * FileFinder cache): each directory is listed once and re-listed only when
 * its modification time changes, or after pepkit_finder_invalidate_caches.
 *
 *   finder [ENTRY...]   look up a few names over the given sys.path entries;
 *                       without arguments, over a small tree it makes in /tmp
 *
 * Without arguments it checks its answers (and that a module added later is
 * found after invalidate_caches) and exits non-zero on a wrong one. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, clock_gettime under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pepkit.h"

static const char *kinds[] = {"none", "source", "bytecode", "extension", "package", "namespace"};

/* Looks `name` up; prints the answer; returns its kind (PEPKIT_MODULE_NONE when not found). */
static pepkit_module_kind lookup(const pepkit_finder *f, const char *name) {
    pepkit_spec *spec = NULL;
    pepkit_status st = pepkit_finder_find_spec(f, name, &spec);
    if (st != PEPKIT_OK) {
        printf("  %-12s %s\n", name, pepkit_last_error());
        return PEPKIT_MODULE_NONE;
    }
    pepkit_module_kind k = pepkit_spec_kind(spec);
    const char *origin = pepkit_spec_origin(spec); /* borrowed from spec */
    printf("  %-12s %-9s %s\n", name, kinds[k], origin ? origin : "(namespace)");
    pepkit_spec_free(spec); /* a spec is independent of the finder */
    return k;
}

static int write_file(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    return f && fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    const char *names[] = {"app", "app.util", "plugins", "late"};
    char tmpl[] = "/tmp/pepkit-finder.XXXXXX", cmd[4200];
    const char *root = NULL;
    const char *const *path = (const char *const *)argv + 1;
    size_t npath = (size_t)argc - 1;
    if (argc == 1) {
        if (!(root = mkdtemp(tmpl))) return 1;
        snprintf(cmd, sizeof cmd, "mkdir -p %s/app %s/plugins", root, root);
        if (system(cmd) != 0 || write_file(root, "app/__init__.py") || write_file(root, "app/util.py")) return 1;
        path = &root;
        npath = 1;
    }
    /* NULL suffixes: pepkit_find_spec's defaults (CPython 3.13's). The path
     * strings are copied, so they are borrowed for this call only. */
    pepkit_finder *f = NULL;
    if (pepkit_finder_new(path, npath, NULL, 0, &f) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_finder_new: %s\n", pepkit_last_error());
        return 1;
    }
    int bad = 0;
    printf("first lookups (directories listed):\n");
    pepkit_module_kind k[4];
    for (int i = 0; i < 4; i++) k[i] = lookup(f, names[i]);
    bad |= root && (k[0] != PEPKIT_MODULE_PACKAGE || k[1] != PEPKIT_MODULE_SOURCE ||
                    k[2] != PEPKIT_MODULE_NAMESPACE || k[3] != PEPKIT_MODULE_NONE);

    /* Warm: 100000 lookups from the cache. */
    clock_t t0 = clock();
    for (int i = 0; i < 100000; i++) {
        pepkit_spec *s = NULL;
        if (pepkit_finder_find_spec(f, names[i % 2], &s) == PEPKIT_OK) pepkit_spec_free(s);
    }
    printf("100000 cached lookups: %.1f ms\n", (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC);

    if (root) {
        /* A module added within the directory's timestamp granularity can go
         * unseen (as with importlib): invalidate_caches makes sure. */
        if (write_file(root, "late.py")) bad = 1;
        if (pepkit_finder_invalidate_caches(f) != PEPKIT_OK) bad = 1;
        printf("after adding late.py and invalidate_caches:\n");
        bad |= lookup(f, "late") != PEPKIT_MODULE_SOURCE;
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        if (system(cmd) != 0) bad = 1;
    }
    pepkit_finder_free(f);
    return bad;
}
