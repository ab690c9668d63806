/*
 * pyvenv: `python -m venv` as a C program over libpepkit.
 *
 *   pyvenv [options] ENV_DIR [ENV_DIR ...]
 *
 * Takes python -m venv's flags, parsed as its argparse parser parses them
 * (see cli.h), plus --python, --force, --pip=native|ensurepip, --link-mode,
 * --no-cache, --facts-file, --verbose, --version, --install WHEEL and
 * --ignore-requires-python. Exits 0, or prints
 * "Error: ..." on stderr and exits 1 (usage errors exit 2, as argparse does).
 *
 *   pyvenv --check ENV_DIR [ENV_DIR ...]
 *
 * creates nothing: it checks each env (pepkit_venv_check) and prints, on
 * stdout, "ENV_DIR: ok" for a healthy one, else one "ENV_DIR: message" line
 * per problem; an ENV_DIR that is no env is "Error: ..." on stderr. Exits 0
 * only when every env is healthy, else 1.
 *
 *   pyvenv --find-python REQUEST
 *
 * creates nothing: prints the interpreter REQUEST names (a path, a command,
 * or a request such as 3.12 or pypy3, see pepkit_find_python) and exits 0,
 * or "Error: ..." and exits 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pepkit.h"

static const char *prog = "pyvenv";

static void usage(FILE *f) {
    fprintf(f,
            "usage: %s [-h] [--system-site-packages] [--symlinks | --copies] [--clear]\n"
            "              [--upgrade] [--without-pip] [--prompt PROMPT] [--upgrade-deps]\n"
            "              [--without-scm-ignore-files] [--python PYTHON] [--force]\n"
            "              [--pip {native,ensurepip}] [--link-mode {hardlink,copy}]\n"
            "              [--no-cache] [--facts-file FILE] [--relocatable]\n"
            "              [--allow-existing] [--no-cachedir-tag]\n"
            "              [--activators LIST] [--verbose] [--version]\n"
            "              [--check] [--install WHEEL] [--ignore-requires-python]\n"
            "              [--find-python REQUEST]\n"
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
           "  --python PYTHON       The base interpreter (default: python3 on PATH): a\n"
           "                        path, a command, or a request such as 3.12,\n"
           "                        3.12.1, python3.12, cpython@3.12 or pypy3, found as\n"
           "                        `uv python find` finds it (and in pyenv's versions).\n"
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
           "  --relocatable         Activation and entry-point scripts find the env from\n"
           "                        their own location, so it keeps working when moved.\n"
           "  --allow-existing      In an existing directory, keep what is there but\n"
           "                        replace interpreter links left by an earlier env.\n"
           "  --no-cachedir-tag     Do not write CACHEDIR.TAG (written by default so\n"
           "                        backup tools skip the env).\n"
           "  --activators LIST     Also write these activation scripts, comma-separated:\n"
           "                        nushell, xonsh, powershell, python (activate_this.py),\n"
           "                        or all.\n"
           "  --verbose             Print each step.\n"
           "  --version             show pyvenv's version and exit\n"
           "  --check               Create nothing: check each environment's health and\n"
           "                        print its problems (exit 1 if any).\n"
           "  --install WHEEL       Install WHEEL (repeatable) into each env as\n"
           "                        `pip install --no-deps --no-index WHEEL` would; an\n"
           "                        existing env (without --clear/--upgrade) is not\n"
           "                        re-created first.\n"
           "  --ignore-requires-python\n"
           "                        Install wheels whose Requires-Python excludes the\n"
           "                        env's interpreter (refused without it, as pip does).\n"
           "  --find-python REQUEST Print the interpreter REQUEST names (as for --python)\n"
           "                        and exit.\n\n"
           "Once an environment has been created, you may wish to activate it, e.g. by\n"
           "sourcing an activate script in its bin directory.\n");
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

/* The options in the order python -m venv's parser declares them (argparse
 * lists ambiguous matches in that order), then pyvenv's own. */
enum {
    O_HELP, O_SYSTEM_SITE, O_SYMLINKS, O_COPIES, O_CLEAR, O_UPGRADE, O_WITHOUT_PIP, O_PROMPT, O_UPGRADE_DEPS,
    O_WITHOUT_SCM, O_PYTHON, O_FORCE, O_PIP, O_LINK_MODE, O_NO_CACHE, O_FACTS_FILE, O_RELOCATABLE,
    O_ALLOW_EXISTING, O_NO_CACHEDIR_TAG, O_ACTIVATORS, O_VERBOSE, O_VERSION,
    O_CHECK, O_INSTALL, O_IGNORE_REQUIRES_PYTHON, O_FIND_PYTHON
};
static const char *const pip_choices[] = {"native", "ensurepip", NULL};
static const char *const link_choices[] = {"hardlink", "copy", NULL};
static const cli_option options[] = {
    [O_HELP] = {"-h", "--help", false, NULL},
    [O_SYSTEM_SITE] = {"--system-site-packages", NULL, false, NULL},
    [O_SYMLINKS] = {"--symlinks", NULL, false, NULL},
    [O_COPIES] = {"--copies", NULL, false, NULL},
    [O_CLEAR] = {"--clear", NULL, false, NULL},
    [O_UPGRADE] = {"--upgrade", NULL, false, NULL},
    [O_WITHOUT_PIP] = {"--without-pip", NULL, false, NULL},
    [O_PROMPT] = {"--prompt", NULL, true, NULL},
    [O_UPGRADE_DEPS] = {"--upgrade-deps", NULL, false, NULL},
    [O_WITHOUT_SCM] = {"--without-scm-ignore-files", NULL, false, NULL},
    [O_PYTHON] = {"--python", NULL, true, NULL},
    [O_FORCE] = {"--force", NULL, false, NULL},
    [O_PIP] = {"--pip", NULL, true, pip_choices},
    [O_LINK_MODE] = {"--link-mode", NULL, true, link_choices},
    [O_NO_CACHE] = {"--no-cache", NULL, false, NULL},
    [O_FACTS_FILE] = {"--facts-file", NULL, true, NULL},
    [O_RELOCATABLE] = {"--relocatable", NULL, false, NULL},
    [O_ALLOW_EXISTING] = {"--allow-existing", NULL, false, NULL},
    [O_NO_CACHEDIR_TAG] = {"--no-cachedir-tag", NULL, false, NULL},
    [O_ACTIVATORS] = {"--activators", NULL, true, NULL},
    [O_VERBOSE] = {"--verbose", NULL, false, NULL},
    [O_VERSION] = {"--version", NULL, false, NULL},
    [O_CHECK] = {"--check", NULL, false, NULL},
    [O_INSTALL] = {"--install", NULL, true, NULL},
    [O_IGNORE_REQUIRES_PYTHON] = {"--ignore-requires-python", NULL, false, NULL},
    [O_FIND_PYTHON] = {"--find-python", NULL, true, NULL},
};
/* --activators: a comma-separated list of names, each one bit. */
static int parse_activators(const char *list, uint32_t *bits) {
    static const struct { const char *name; uint32_t bit; } names[] = {
        {"nushell", PEPKIT_VENV_ACTIVATE_NUSHELL}, {"xonsh", PEPKIT_VENV_ACTIVATE_XONSH},
        {"powershell", PEPKIT_VENV_ACTIVATE_POWERSHELL}, {"python", PEPKIT_VENV_ACTIVATE_THIS},
        {"all", PEPKIT_VENV_ACTIVATE_ALL},
    };
    *bits = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        bool known = false;
        for (size_t k = 0; k < sizeof names / sizeof names[0] && !known; k++) {
            if (strlen(names[k].name) == len && strncmp(p, names[k].name, len) == 0) {
                *bits |= names[k].bit;
                known = true;
            }
        }
        if (!known) return -1;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

/* --check: each env's problems on stdout ("DIR: message"), "DIR: ok" when
 * healthy; 0 only when all are healthy. */
static int check_envs(const char **dirs, int ndirs) {
    int status = 0;
    for (int d = 0; d < ndirs; d++) {
        pepkit_venv_report *r = NULL;
        if (pepkit_venv_check(dirs[d], &r) != PEPKIT_OK) {
            fprintf(stderr, "Error: %s\n", pepkit_last_error());
            status = 1;
            continue;
        }
        size_t n = pepkit_venv_report_len(r);
        if (n == 0) printf("%s: ok\n", dirs[d]);
        for (size_t i = 0; i < n; i++) printf("%s: %s\n", dirs[d], pepkit_venv_report_message(r, i));
        if (n) status = 1;
        pepkit_venv_report_free(r);
    }
    return status;
}

static const cli parser = {"pyvenv", usage, options, sizeof options / sizeof options[0]};

int main(int argc, char **argv) {
    pepkit_venv_options opts;
    if (pepkit_venv_options_init(&opts) != PEPKIT_OK) {
        fprintf(stderr, "Error: %s\n", pepkit_last_error());
        return 1;
    }
    bool verbose = false, only_positional = false, check = false, ignore_requires_python = false;
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    if (!dirs) {
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    int ndirs = 0;
    /* --install WHEEL, in order. */
    const char **wheels = calloc((size_t)argc, sizeof *wheels);
    int nwheels = 0, wheel_link = -1;
    if (!wheels) {
        free(dirs);
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    /* argparse reports unrecognized arguments after the required ones, all at once. */
    const char **unknown = calloc((size_t)argc, sizeof *unknown);
    int nunknown = 0, seen_link = -1, rc = -1;
    if (!unknown) {
        free(dirs);
        free(wheels);
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    if (cli_prescan(&parser, argc, argv)) rc = 2;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i], *explicit = NULL, *v = NULL;
        if (only_positional || !cli_is_option(&parser, a)) {
            dirs[ndirs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        int o = cli_lookup(&parser, a, &explicit);
        int taken = cli_take(&parser, o, explicit, &i, argc, argv, &v);
        if (taken == CLI_UNKNOWN) {
            unknown[nunknown++] = a;
            continue;
        }
        if (taken != 0) {
            rc = taken;
            break;
        }
        switch (o) {
        case O_HELP: help(); rc = 0; break;
        case O_VERSION: printf("%s %s\n", prog, pepkit_version()); rc = 0; break;
        case O_SYSTEM_SITE: opts.system_site_packages = true; break;
        case O_SYMLINKS: opts.symlinks = true; break;
        case O_COPIES: opts.symlinks = false; break;
        case O_CLEAR: opts.clear = true; break;
        case O_UPGRADE: opts.upgrade = true; break;
        case O_WITHOUT_PIP: opts.with_pip = false; break;
        case O_PROMPT: opts.prompt = v; break;
        case O_UPGRADE_DEPS: opts.upgrade_deps = true; break;
        case O_WITHOUT_SCM: opts.scm_ignore_files = PEPKIT_VENV_SCM_NONE; break;
        case O_PYTHON: opts.python = v; break;
        case O_FORCE: opts.force = true; break;
        case O_PIP: opts.pip_mode = strcmp(v, "native") == 0 ? PEPKIT_VENV_PIP_NATIVE : PEPKIT_VENV_PIP_ENSUREPIP; break;
        case O_LINK_MODE:
            opts.pip_link_mode = strcmp(v, "hardlink") == 0 ? PEPKIT_VENV_LINK_HARDLINK : PEPKIT_VENV_LINK_COPY;
            break;
        case O_NO_CACHE: opts.use_cache = false; break;
        case O_FACTS_FILE: opts.facts_file = v; break;
        case O_RELOCATABLE: opts.relocatable = true; break;
        case O_ALLOW_EXISTING: opts.allow_existing = true; break;
        case O_NO_CACHEDIR_TAG: opts.cachedir_tag = false; break;
        case O_ACTIVATORS:
            if (parse_activators(v, &opts.activators) != 0)
                rc = cli_error(&parser, "argument --activators: invalid choice: '%s' (choose from nushell, xonsh, "
                               "powershell, python, all, comma-separated)", v);
            break;
        case O_VERBOSE: verbose = true; break;
        case O_CHECK: check = true; break;
        case O_INSTALL: wheels[nwheels++] = v; break;
        case O_IGNORE_REQUIRES_PYTHON: ignore_requires_python = true; break;
        /* Needs no ENV_DIR: answers and exits. */
        case O_FIND_PYTHON: {
            char *found = NULL;
            if (pepkit_find_python(v, &found) != PEPKIT_OK) {
                fprintf(stderr, "Error: %s\n", pepkit_last_error());
                rc = 1;
            } else {
                printf("%s\n", found);
                pepkit_free(found);
                rc = 0;
            }
            break;
        }
        }
        if (o == O_LINK_MODE) wheel_link = opts.pip_link_mode;
        /* --symlinks and --copies are a mutually exclusive group: the second
         * one seen is the one argparse names. */
        if (o == O_SYMLINKS || o == O_COPIES) {
            if (seen_link >= 0 && seen_link != o)
                rc = cli_error(&parser, "argument %s: not allowed with argument %s", options[o].name,
                               options[seen_link].name);
            seen_link = o;
        }
    }
    if (rc < 0 && ndirs == 0) rc = cli_error(&parser, "the following arguments are required: ENV_DIR");
    if (rc < 0 && nunknown > 0) {
        usage(stderr);
        fprintf(stderr, "%s: error: unrecognized arguments:", prog);
        for (int k = 0; k < nunknown; k++) fprintf(stderr, " %s", unknown[k]);
        fputc('\n', stderr);
        rc = 2;
    }
    free(unknown);
    if (rc >= 0) {
        free(dirs);
        free(wheels);
        return rc;
    }
    if (check) {
        int status = check_envs(dirs, ndirs);
        free(dirs);
        free(wheels);
        return status;
    }
    if (opts.upgrade && opts.clear) {
        free(dirs);
        free(wheels);
        fprintf(stderr, "Error: you cannot supply --upgrade and --clear together.\n");
        return 1;
    }
    pepkit_wheel_options wopts;
    if (pepkit_wheel_options_init(&wopts) != PEPKIT_OK) {
        fprintf(stderr, "Error: %s\n", pepkit_last_error());
        free(dirs);
        free(wheels);
        return 1;
    }
    /* Wheels are copied as pip does unless --link-mode says otherwise. */
    if (wheel_link >= 0) wopts.link_mode = wheel_link;
    wopts.use_cache = opts.use_cache;
    if (ignore_requires_python) wopts.flags |= PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON;
    for (int d = 0; d < ndirs && rc < 0; d++) {
        struct progress_ctx ctx = {dirs[d], verbose};
        opts.progress = on_progress;
        opts.progress_ctx = &ctx;
        /* With --install, an existing env is installed into as it is (no
         * re-creation) unless --clear or --upgrade asks for one. */
        bool exists = false;
        if (nwheels > 0 && !opts.clear && !opts.upgrade) {
            size_t n = strlen(dirs[d]) + sizeof "/pyvenv.cfg";
            char *cfg = malloc(n);
            if (cfg) {
                snprintf(cfg, n, "%s/pyvenv.cfg", dirs[d]);
                FILE *f = fopen(cfg, "r");
                if (f) {
                    exists = true;
                    fclose(f);
                }
                free(cfg);
            }
        }
        if (!exists && pepkit_venv_create(dirs[d], &opts) != PEPKIT_OK) {
            fprintf(stderr, "Error: %s\n", pepkit_last_error());
            rc = 1;
        }
        wopts.progress = on_progress;
        wopts.progress_ctx = &ctx;
        for (int w = 0; w < nwheels && rc < 0; w++) {
            if (pepkit_venv_install_wheel(dirs[d], wheels[w], &wopts) != PEPKIT_OK) {
                fprintf(stderr, "Error: %s\n", pepkit_last_error());
                rc = 1;
            }
        }
    }
    free(dirs);
    free(wheels);
    return rc < 0 ? 0 : rc;
}
