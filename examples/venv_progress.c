/* Creating a virtual environment with a progress callback.
 *
 *   venv_progress [ENV_DIR [PYTHON]]
 *
 * Creates ENV_DIR (default: a fresh directory under /tmp, removed afterwards)
 * from PYTHON (default: python3 on PATH) without pip, printing each step
 * pepkit reports with the time since the start, then opens the env and
 * prints what pyvenv.cfg says. Exits non-zero if a step is missing. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, clock_gettime under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pepkit.h"

struct progress {
    struct timespec start;
    int steps;
    int saw_done;
};

/* `step` is borrowed for the call; ctx is progress_ctx, passed through. */
static void on_step(void *ctx, const char *step) {
    struct progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - p->start.tv_sec) * 1e3 + (double)(now.tv_nsec - p->start.tv_nsec) / 1e6;
    printf("  %7.1f ms  %s\n", ms, step);
    p->steps++;
    p->saw_done |= strcmp(step, "done") == 0;
}

int main(int argc, char **argv) {
    char tmpl[] = "/tmp/pepkit-venv-example.XXXXXX", env[4096], cmd[4200];
    const char *tmp = NULL;
    if (argc > 1) {
        snprintf(env, sizeof env, "%s", argv[1]);
    } else {
        if (!(tmp = mkdtemp(tmpl))) return 1;
        snprintf(env, sizeof env, "%s/env", tmp);
    }
    pepkit_venv_options opts;
    if (pepkit_venv_options_init(&opts) != PEPKIT_OK) return 1; /* python -m venv's defaults */
    struct progress p = {.steps = 0};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    opts.python = argc > 2 ? argv[2] : NULL; /* NULL: python3 on PATH */
    opts.with_pip = false;
    opts.progress = on_step;
    opts.progress_ctx = &p;

    printf("creating %s:\n", env);
    int bad = 0;
    if (pepkit_venv_create(env, &opts) != PEPKIT_OK) {
        fprintf(stderr, "pepkit_venv_create: %s\n", pepkit_last_error());
        bad = 1;
    } else {
        pepkit_venv *v = NULL;
        const char *home = NULL, *version = NULL, *site = NULL; /* owned by v */
        if (pepkit_venv_open(env, &v) != PEPKIT_OK || pepkit_venv_get(v, "home", &home) != PEPKIT_OK ||
            pepkit_venv_get(v, "version", &version) != PEPKIT_OK ||
            pepkit_venv_site_packages(v, &site) != PEPKIT_OK) {
            fprintf(stderr, "reading the env back: %s\n", pepkit_last_error());
            bad = 1;
        } else {
            printf("home = %s\nversion = %s\nsite-packages: %s\n", home, version, site);
        }
        pepkit_venv_free(v); /* NULL is fine */
        bad |= p.steps < 3 || !p.saw_done;
    }
    if (tmp) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
        if (system(cmd) != 0) bad = 1;
    }
    return bad;
}
