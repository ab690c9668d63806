/*
 * pyvenv: `python -m venv` as a C program over libpepkit.
 *
 *   pyvenv [options] ENV_DIR [ENV_DIR ...]
 *
 * Takes python -m venv's flags, plus --python, --force, --pip=native|ensurepip
 * and --no-cache. Exits 0, or prints "Error: ..." on stderr and exits 1
 * (usage errors exit 2, as argparse does).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pepkit.h"

static const char *prog = "pyvenv";

static void usage(FILE *f) {
    fprintf(f,
            "usage: %s [-h] [--system-site-packages] [--symlinks | --copies] [--clear]\n"
            "              [--upgrade] [--without-pip] [--prompt PROMPT] [--upgrade-deps]\n"
            "              [--without-scm-ignore-files] [--python PYTHON] [--force]\n"
            "              [--pip {native,ensurepip}] [--link-mode {hardlink,copy}]\n"
            "              [--no-cache] [--facts-file FILE] [--verbose]\n"
            "              ENV_DIR [ENV_DIR ...]\n",
            prog);
}

static void help(void) {
    usage(stdout);
    printf("\nCreates virtual Python environments in one or more target directories.\n\n"
           "positional arguments:\n"
           "  ENV_DIR               A directory to create the environment in.\n\n"
           "options:\n"
           "  -h, --help            show this help message and exit\n"
           "  --system-site-packages\n"
           "                        Give the virtual environment access to the system\n"
           "                        site-packages dir.\n"
           "  --symlinks            Try to use symlinks rather than copies, when symlinks\n"
           "                        are not the default for the platform.\n"
           "  --copies              Try to use copies rather than symlinks, even when\n"
           "                        symlinks are the default for the platform.\n"
           "  --clear               Delete the contents of the environment directory if it\n"
           "                        already exists, before environment creation.\n"
           "  --upgrade             Upgrade the environment directory to use this version\n"
           "                        of Python, assuming Python has been upgraded in-place.\n"
           "  --without-pip         Skips installing or upgrading pip in the virtual\n"
           "                        environment (pip is bootstrapped by default)\n"
           "  --prompt PROMPT       Provides an alternative prompt prefix for this\n"
           "                        environment.\n"
           "  --upgrade-deps        Upgrade core dependencies (pip) to the latest version\n"
           "                        in PyPI\n"
           "  --without-scm-ignore-files\n"
           "                        Skips adding SCM ignore files to the environment\n"
           "                        directory (Git is supported by default on 3.13+).\n"
           "  --python PYTHON       The base interpreter (default: python3 on PATH).\n"
           "  --force               Allow --clear to empty a directory that is not a\n"
           "                        virtual environment.\n"
           "  --pip {native,ensurepip}\n"
           "                        Install pip natively from the interpreter's bundled\n"
           "                        wheel (default) or by running ensurepip.\n"
           "  --link-mode {hardlink,copy}\n"
           "                        Native pip: hard-link files from pepkit's wheel cache\n"
           "                        (default; shared with other envs) or write copies.\n"
           "  --no-cache            Use neither the interpreter-facts nor the wheel cache.\n"
           "  --facts-file FILE     Interpreter facts from FILE (the cache's format)\n"
           "                        instead of running the interpreter.\n"
           "  --verbose             Print each step.\n\n"
           "Once an environment has been created, you may wish to activate it, e.g. by\n"
           "sourcing an activate script in its bin directory.\n");
}

static int usage_error(const char *msg, const char *arg) {
    usage(stderr);
    fprintf(stderr, "%s: error: %s%s\n", prog, msg, arg ? arg : "");
    return 2;
}

struct progress_ctx {
    const char *dir;
    bool verbose;
};

/* Steps are printed with --verbose; warnings ("warning: ...", e.g. a RECORD
 * entry of an old pip that would leave the env and was skipped) always. */
static void on_progress(void *ctx, const char *step) {
    const struct progress_ctx *p = ctx;
    if (p->verbose || strncmp(step, "warning: ", 9) == 0) fprintf(stderr, "pyvenv: %s: %s\n", p->dir, step);
}

/* argparse's negative-number pattern: ^-\d+$|^-\d*\.\d+$ */
static bool looks_negative(const char *s) {
    const char *p = s + 1;
    bool digits = false, dot = false;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digits = true;
        } else if (*p == '.' && !dot) {
            dot = true;
            digits = false;
        } else {
            return false;
        }
    }
    return digits;
}

/* Matches "--name" or "--name=value"; a prefix of a long option is accepted
 * when unambiguous, as argparse does, only for the exact names here. */
static const char *value_of(const char *arg, const char *name, int *i, int argc, char **argv, int *err) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=') return arg + n + 1;
    if (arg[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *err = 1;
        return NULL;
    }
    /* argparse takes a following word that starts with '-' for an option (unless
     * it is '-', a negative number, or has a space in it) and reports the value
     * as missing. */
    const char *next = argv[*i + 1];
    if (next[0] == '-' && next[1] != '\0' && !looks_negative(next) && !strchr(next, ' ')) {
        *err = 1;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

int main(int argc, char **argv) {
    pepkit_venv_options opts;
    if (pepkit_venv_options_init(&opts) != PEPKIT_OK) {
        fprintf(stderr, "Error: %s\n", pepkit_last_error());
        return 1;
    }
    bool saw_symlinks = false, saw_copies = false, verbose = false, only_positional = false;
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    if (!dirs) {
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    int ndirs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int err = 0;
        const char *v;
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            dirs[ndirs++] = a;
        } else if (strcmp(a, "--") == 0) {
            only_positional = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help();
            free(dirs);
            return 0;
        } else if (strcmp(a, "--system-site-packages") == 0) {
            opts.system_site_packages = true;
        } else if (strcmp(a, "--symlinks") == 0) {
            saw_symlinks = true;
            opts.symlinks = true;
        } else if (strcmp(a, "--copies") == 0) {
            saw_copies = true;
            opts.symlinks = false;
        } else if (strcmp(a, "--clear") == 0) {
            opts.clear = true;
        } else if (strcmp(a, "--upgrade") == 0) {
            opts.upgrade = true;
        } else if (strcmp(a, "--without-pip") == 0) {
            opts.with_pip = false;
        } else if (strcmp(a, "--upgrade-deps") == 0) {
            opts.upgrade_deps = true;
        } else if (strcmp(a, "--without-scm-ignore-files") == 0) {
            opts.scm_ignore_files = PEPKIT_VENV_SCM_NONE;
        } else if (strcmp(a, "--force") == 0) {
            opts.force = true;
        } else if (strcmp(a, "--no-cache") == 0) {
            opts.use_cache = false;
        } else if (strcmp(a, "--verbose") == 0) {
            verbose = true;
        } else if ((v = value_of(a, "--prompt", &i, argc, argv, &err)) || err) {
            if (err) { free(dirs); return usage_error("argument --prompt: expected one argument", NULL); }
            opts.prompt = v;
        } else if ((v = value_of(a, "--python", &i, argc, argv, &err)) || err) {
            if (err) { free(dirs); return usage_error("argument --python: expected one argument", NULL); }
            opts.python = v;
        } else if ((v = value_of(a, "--facts-file", &i, argc, argv, &err)) || err) {
            if (err) { free(dirs); return usage_error("argument --facts-file: expected one argument", NULL); }
            opts.facts_file = v;
        } else if ((v = value_of(a, "--link-mode", &i, argc, argv, &err)) || err) {
            if (err) { free(dirs); return usage_error("argument --link-mode: expected one argument", NULL); }
            if (strcmp(v, "hardlink") == 0) {
                opts.pip_link_mode = PEPKIT_VENV_LINK_HARDLINK;
            } else if (strcmp(v, "copy") == 0) {
                opts.pip_link_mode = PEPKIT_VENV_LINK_COPY;
            } else {
                free(dirs);
                return usage_error("argument --link-mode: invalid choice: ", v);
            }
        } else if ((v = value_of(a, "--pip", &i, argc, argv, &err)) || err) {
            if (err) { free(dirs); return usage_error("argument --pip: expected one argument", NULL); }
            if (strcmp(v, "native") == 0) {
                opts.pip_mode = PEPKIT_VENV_PIP_NATIVE;
            } else if (strcmp(v, "ensurepip") == 0) {
                opts.pip_mode = PEPKIT_VENV_PIP_ENSUREPIP;
            } else {
                free(dirs);
                return usage_error("argument --pip: invalid choice: ", v);
            }
        } else {
            free(dirs);
            return usage_error("unrecognized arguments: ", a);
        }
        if (saw_symlinks && saw_copies) {
            free(dirs);
            return usage_error("argument --copies: not allowed with argument --symlinks", NULL);
        }
    }
    if (ndirs == 0) {
        free(dirs);
        return usage_error("the following arguments are required: ENV_DIR", NULL);
    }
    if (opts.upgrade && opts.clear) {
        free(dirs);
        fprintf(stderr, "Error: you cannot supply --upgrade and --clear together.\n");
        return 1;
    }
    for (int d = 0; d < ndirs; d++) {
        struct progress_ctx ctx = {dirs[d], verbose};
        opts.progress = on_progress;
        opts.progress_ctx = &ctx;
        if (pepkit_venv_create(dirs[d], &opts) != PEPKIT_OK) {
            fprintf(stderr, "Error: %s\n", pepkit_last_error());
            free(dirs);
            return 1;
        }
    }
    free(dirs);
    return 0;
}
