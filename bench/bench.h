/* Timing helpers shared by the benchmarks: a monotonic clock, medians, and
 * the result row (pepkit's time, the peer's, and their ratio). */
#ifndef PEPKIT_BENCH_H
#define PEPKIT_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Median milliseconds over `runs` calls of fn(ctx) (runs <= 64). */
static double median_ms(int runs, void (*fn)(void *), void *ctx) {
    double samples[64];
    for (int r = 0; r < runs; r++) {
        double t0 = now_ns();
        fn(ctx);
        samples[r] = (now_ns() - t0) / 1e6;
    }
    return median(samples, runs);
}

static void table_header(void) {
    printf("| %-44s | %13s | %13s | %-28s | %7s |\n", "operation", "pepkit", "peer", "peer", "ratio");
    printf("|%s|%s|%s|%s|%s|\n", "----------------------------------------------", "---------------",
           "---------------", "------------------------------", "---------");
}

static void row(const char *what, double ours, double peer, const char *peer_name, const char *unit) {
    printf("| %-44s | %10.3f %-2s | %10.3f %-2s | %-28s | %6.2fx |\n", what, ours, unit, peer, unit, peer_name,
           ours / peer);
}

#endif
