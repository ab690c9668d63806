/* The import benchmark's pepkit side: pepkit_find_spec_ex on every name of
 * names.txt over the entries of entries.txt, with the extension suffixes
 * given on the command line (the interpreter's EXTENSION_SUFFIXES).
 *   import_bench DIR RUNS SUFFIX...
 * and then pepkit_finder_find_spec with one cached finder and with one
 * snapshot finder (pepkit_finder_new_snapshot, 1 s interval), and
 * pepkit_walk_packages over the entries. Prints the median milliseconds of
 * RUNS stateless passes, the finder's first pass, the median of RUNS warm
 * finder passes, the median of RUNS warm snapshot passes, the median walk,
 * the median warm walks of a snapshot finder (1 s and 0 s intervals), and
 * the number of modules it listed (namespace packages apart), and the count
 * of each outcome, in import_tree.py's words so the two sides can be
 * compared. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pepkit.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char **read_lines(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char **lines = NULL;
    size_t cap = 0, len = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t got;
    while ((got = getline(&line, &linecap, f)) > 0) {
        if (line[got - 1] == '\n') line[got - 1] = '\0';
        if (!line[0]) continue;
        if (len == cap) {
            cap = cap ? cap * 2 : 1024;
            lines = realloc(lines, cap * sizeof *lines);
            if (!lines) exit(2);
        }
        lines[len++] = strdup(line);
    }
    free(line);
    fclose(f);
    *n = len;
    return lines;
}

struct ctx {
    char **names;
    size_t nnames;
    const char *const *entries;
    size_t nentries;
    const char *const *ext;
    size_t next;
    size_t counts[6];
    pepkit_finder *finder; /* NULL: the stateless pepkit_find_spec_ex */
};

static void pass(void *p) {
    struct ctx *c = p;
    memset(c->counts, 0, sizeof c->counts);
    for (size_t i = 0; i < c->nnames; i++) {
        pepkit_spec *spec = NULL;
        pepkit_status st = c->finder ? pepkit_finder_find_spec(c->finder, c->names[i], &spec)
                                     : pepkit_find_spec_ex(c->names[i], c->entries, c->nentries, c->ext, c->next, &spec);
        if (st == PEPKIT_OK) {
            c->counts[pepkit_spec_kind(spec)]++;
            pepkit_spec_free(spec);
        } else if (st == PEPKIT_ERR_NOT_FOUND) {
            c->counts[0]++;
        } else {
            fprintf(stderr, "%s: %s: %s\n", c->names[i], pepkit_status_name(st), pepkit_last_error());
            exit(1);
        }
    }
}

static double median_pass(struct ctx *c, int runs) {
    double samples[64];
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        pass(c);
        samples[r] = now_ms() - t0;
    }
    qsort(samples, (size_t)runs, sizeof *samples, cmp_double);
    return samples[runs / 2];
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: import_bench DIR RUNS SUFFIX...\n");
        return 2;
    }
    char path[4096];
    struct ctx c;
    memset(&c, 0, sizeof c);
    snprintf(path, sizeof path, "%s/names.txt", argv[1]);
    c.names = read_lines(path, &c.nnames);
    snprintf(path, sizeof path, "%s/entries.txt", argv[1]);
    size_t ne;
    char **entries = read_lines(path, &ne);
    c.entries = (const char *const *)entries;
    c.nentries = ne;
    c.ext = (const char *const *)(argv + 3);
    c.next = (size_t)(argc - 3);
    int runs = atoi(argv[2]);
    if (runs < 1 || runs > 64) runs = 5;
    /* The stateless function, then a cached finder (its first pass fills the
     * caches and is timed apart, as importlib's is). */
    /* PEPKIT_BENCH_STATELESS_RUNS: fewer stateless passes where each is slow
     * (over zip archives every lookup reads every archive's index). */
    const char *stateless_env = getenv("PEPKIT_BENCH_STATELESS_RUNS");
    int stateless_runs = stateless_env ? atoi(stateless_env) : runs;
    if (stateless_runs < 1 || stateless_runs > 64) stateless_runs = runs;
    double stateless = median_pass(&c, stateless_runs);
    size_t counts[6];
    memcpy(counts, c.counts, sizeof counts);
    if (pepkit_finder_new(c.entries, c.nentries, c.ext, c.next, &c.finder) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_finder_new: %s\n", pepkit_last_error());
        return 1;
    }
    double t0 = now_ms();
    pass(&c);
    double first = now_ms() - t0;
    double warm = median_pass(&c, runs);
    pepkit_finder_free(c.finder);
    if (memcmp(counts, c.counts, sizeof counts) != 0) {
        fprintf(stderr, "the finder's outcomes differ from pepkit_find_spec_ex's\n");
        return 1;
    }
    if (pepkit_finder_new_snapshot(c.entries, c.nentries, c.ext, c.next, 1000, &c.finder) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_finder_new_snapshot: %s\n", pepkit_last_error());
        return 1;
    }
    pass(&c);
    double snapshot = median_pass(&c, runs);
    pepkit_finder_free(c.finder);
    if (memcmp(counts, c.counts, sizeof counts) != 0) {
        fprintf(stderr, "the snapshot finder's outcomes differ from pepkit_find_spec_ex's\n");
        return 1;
    }
    double walks[64];
    size_t listed = 0, namespaces = 0;
    for (int r = 0; r < runs; r++) {
        pepkit_modules *list = NULL;
        double t0 = now_ms();
        if (pepkit_walk_packages(c.entries, c.nentries, c.ext, c.next, &list) != PEPKIT_OK) {
            fprintf(stderr, "pepkit_walk_packages: %s\n", pepkit_last_error());
            return 1;
        }
        walks[r] = now_ms() - t0;
        listed = namespaces = 0;
        for (size_t i = 0; i < pepkit_modules_len(list); i++) {
            if (pepkit_modules_kind(list, i) == PEPKIT_MODULE_NAMESPACE) namespaces++;
            else listed++;
        }
        pepkit_modules_free(list);
    }
    qsort(walks, (size_t)runs, sizeof *walks, cmp_double);
    /* The walk of a snapshot finder, warm: with a 1 s interval its first
     * walk is kept and answered again while fresh; with a 0 s interval each
     * walk revalidates it by one stat of every directory and archive it read
     * (the lists must not change). */
    double snap_walks[2][64];
    const unsigned intervals[2] = {1000, 0};
    for (int k = 0; k < 2; k++) {
        if (pepkit_finder_new_snapshot(c.entries, c.nentries, c.ext, c.next, intervals[k], &c.finder) != PEPKIT_OK) {
            fprintf(stderr, "pepkit_finder_new_snapshot: %s\n", pepkit_last_error());
            return 1;
        }
        for (int r = 0; r <= runs; r++) {
            pepkit_modules *list = NULL;
            double t0 = now_ms();
            if (pepkit_finder_walk_packages(c.finder, &list) != PEPKIT_OK) {
                fprintf(stderr, "pepkit_finder_walk_packages: %s\n", pepkit_last_error());
                return 1;
            }
            double t = now_ms() - t0;
            if (r > 0) snap_walks[k][r - 1] = t;
            size_t n = pepkit_modules_len(list);
            pepkit_modules_free(list);
            if (n != listed + namespaces) {
                fprintf(stderr, "the snapshot finder's walk listed %zu, pepkit_walk_packages %zu\n", n, listed + namespaces);
                return 1;
            }
        }
        pepkit_finder_free(c.finder);
        qsort(snap_walks[k], (size_t)runs, sizeof *snap_walks[k], cmp_double);
    }
    printf("%.3f %.3f %.3f %.3f %.3f %.3f %.3f %zu %zu bytecode=%zu extension=%zu missing=%zu namespace=%zu package=%zu source=%zu\n",
           stateless, first, warm, snapshot, walks[runs / 2], snap_walks[0][runs / 2], snap_walks[1][runs / 2], listed, namespaces, c.counts[2], c.counts[3], c.counts[0],
           c.counts[5], c.counts[4], c.counts[1]);
    for (size_t i = 0; i < c.nnames; i++) free(c.names[i]);
    free(c.names);
    for (size_t i = 0; i < ne; i++) free(entries[i]);
    free(entries);
    return 0;
}
