/* pyfind: where `import NAME` would come from, without running Python.
 *
 *   pyfind [-e SUFFIX]... NAME [ENTRY...]
 *   pyfind --venv DIR NAME
 *   pyfind --venv DIR --path
 *   pyfind -h | --help | --version
 *
 * Options are parsed as argparse parses them (see cli.h): long ones may be
 * abbreviated, --venv=DIR and -e.so work, errors are "pyfind: error: ...".
 * Resolves NAME with sys.path = ENTRY... as importlib.util.find_spec does
 * (pepkit_find_spec_ex when -e gives the interpreter's extension suffixes,
 * in order; pepkit_find_spec with CPython 3.13's defaults otherwise), or in
 * the virtual environment DIR (pepkit_venv_find_spec: the import path its
 * interpreter would have, computed by pepkit_venv_sys_path), and prints
 *
 *   NAME: KIND [LOADER] ORIGIN
 *     LOCATION            (one line per submodule search location)
 *
 * KIND is source, bytecode, extension, package (LOADER: what its __init__
 * is) or namespace (ORIGIN: None). With --path, prints the env's import
 * path instead, one entry a line, then each .pth `import` line the
 * interpreter would run as "# FILE: LINE". Exits 0 when found, 1 when not
 * (the reason on stderr, as ModuleNotFoundError words it), 2 on bad usage
 * or an env pepkit cannot read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "pepkit.h"

static const char *kind_name(pepkit_module_kind k) {
    switch (k) {
    case PEPKIT_MODULE_SOURCE: return "source";
    case PEPKIT_MODULE_BYTECODE: return "bytecode";
    case PEPKIT_MODULE_EXTENSION: return "extension";
    case PEPKIT_MODULE_PACKAGE: return "package";
    case PEPKIT_MODULE_NAMESPACE: return "namespace";
    default: return "?";
    }
}

static void usage(FILE *f) {
    fprintf(f, "usage: pyfind [-h] [--version] [-e SUFFIX] NAME [ENTRY ...]\n"
               "       pyfind --venv DIR (NAME | --path)\n");
}

static void help(void) {
    usage(stdout);
    printf("\nWhere `import NAME` would come from (importlib.util.find_spec), without\n"
           "running Python.\n\n"
           "positional arguments:\n"
           "  NAME                  the module's full name (a.b.c)\n"
           "  ENTRY                 the import path (sys.path), in order\n\n"
           "options:\n"
           "  -h, --help            show this help message and exit\n"
           "  --version             show pyfind's version and exit\n"
           "  -e SUFFIX, --ext SUFFIX\n"
           "                        an extension-module suffix of the interpreter, in\n"
           "                        its order (repeat); default: CPython 3.13's\n"
           "  --venv DIR            resolve in the virtual environment DIR, with the\n"
           "                        import path its interpreter would have\n"
           "  --path                with --venv: print that import path, then the .pth\n"
           "                        import lines as \"# FILE: LINE\"\n\n"
           "Exits 0 when found, 1 when not (the reason on stderr), 2 on bad usage.\n");
}

enum { O_HELP, O_VERSION, O_EXT, O_VENV, O_PATH };
static const cli_option options[] = {
    [O_HELP] = {"-h", "--help", false, NULL},
    [O_VERSION] = {"--version", NULL, false, NULL},
    [O_EXT] = {"-e", "--ext", true, NULL},
    [O_VENV] = {"--venv", NULL, true, NULL},
    [O_PATH] = {"--path", NULL, false, NULL},
};
static const cli parser = {"pyfind", usage, options, sizeof options / sizeof options[0]};

static int print_spec(pepkit_spec *spec);

/* pyfind --venv DIR (NAME | --path) */
static int in_venv(const char *dir, const char *name, int want_path) {
    pepkit_venv *v = NULL;
    if (pepkit_venv_open(dir, &v) != PEPKIT_OK) {
        fprintf(stderr, "pyfind: %s\n", pepkit_last_error());
        return 2;
    }
    int rc = 0;
    if (want_path) {
        pepkit_strings *path = NULL, *imports = NULL;
        if (pepkit_venv_sys_path(v, &path) != PEPKIT_OK || pepkit_venv_pth_imports(v, &imports) != PEPKIT_OK) {
            fprintf(stderr, "pyfind: %s\n", pepkit_last_error());
            rc = 2;
        } else {
            for (size_t i = 0; i < pepkit_strings_len(path); i++) printf("%s\n", pepkit_strings_get(path, i));
            for (size_t i = 0; i + 1 < pepkit_strings_len(imports); i += 2)
                printf("# %s: %s\n", pepkit_strings_get(imports, i), pepkit_strings_get(imports, i + 1));
        }
        pepkit_strings_free(path);
        pepkit_strings_free(imports);
    } else {
        pepkit_spec *spec = NULL;
        pepkit_status st = pepkit_venv_find_spec(v, name, &spec);
        if (st == PEPKIT_OK) {
            rc = print_spec(spec);
        } else {
            fprintf(stderr, "pyfind: %s (%s)\n", pepkit_last_error(), pepkit_status_name(st));
            rc = st == PEPKIT_ERR_NOT_FOUND ? 1 : 2;
        }
    }
    pepkit_venv_free(v);
    return rc;
}

int main(int argc, char **argv) {
    /* Every word is an option, NAME or an ENTRY, so argc bounds each list. */
    const char **ext = calloc((size_t)argc, sizeof *ext);
    const char **pos = calloc((size_t)argc, sizeof *pos);
    const char **unknown = calloc((size_t)argc, sizeof *unknown);
    const char *venv = NULL;
    size_t n_ext = 0, npos = 0, nunknown = 0;
    int use_ext = 0, want_path = 0, only_positional = 0, rc = -1;
    if (!ext || !pos || !unknown) {
        fprintf(stderr, "pyfind: out of memory\n");
        rc = 2;
    }
    if (rc < 0 && cli_prescan(&parser, argc, argv)) rc = 2;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i], *explicit = NULL, *v = NULL;
        if (only_positional || !cli_is_option(&parser, a)) {
            pos[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        int o;
        if (a[1] == 'e' && a[2] != '\0') {  /* -eSUFFIX, as argparse takes it */
            o = O_EXT;
            explicit = a + 2;
        } else {
            o = cli_lookup(&parser, a, &explicit);
        }
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
        case O_VERSION: printf("pyfind %s\n", pepkit_version()); rc = 0; break;
        case O_EXT: ext[n_ext++] = v; use_ext = 1; break;
        case O_VENV: venv = v; break;
        case O_PATH: want_path = 1; break;
        }
    }
    if (rc < 0 && npos == 0 && !want_path) rc = cli_error(&parser, "the following arguments are required: NAME");
    if (rc < 0 && nunknown > 0) {
        usage(stderr);
        fprintf(stderr, "pyfind: error: unrecognized arguments:");
        for (size_t k = 0; k < nunknown; k++) fprintf(stderr, " %s", unknown[k]);
        fputc('\n', stderr);
        rc = 2;
    }
    if (rc < 0 && want_path && !venv) rc = cli_error(&parser, "argument --path: only with --venv DIR");
    if (rc < 0 && venv && use_ext) rc = cli_error(&parser, "argument -e/--ext: not allowed with argument --venv");
    if (rc < 0 && venv && npos > (want_path ? 0u : 1u))
        rc = cli_error(&parser, "unrecognized arguments: %s (--venv takes NAME or --path, no ENTRY)",
                       pos[want_path ? 0 : 1]);
    if (rc < 0 && venv) rc = in_venv(venv, want_path ? NULL : pos[0], want_path);
    if (rc < 0) {
        const char *name = pos[0];
        const char *const *path = pos + 1;
        pepkit_spec *spec = NULL;
        pepkit_status st = use_ext ? pepkit_find_spec_ex(name, path, npos - 1, ext, n_ext, &spec)
                                   : pepkit_find_spec(name, path, npos - 1, &spec);
        if (st != PEPKIT_OK) {
            fprintf(stderr, "pyfind: %s (%s)\n", pepkit_last_error(), pepkit_status_name(st));
            rc = st == PEPKIT_ERR_NOT_FOUND ? 1 : 2;
        } else {
            rc = print_spec(spec);
        }
    }
    free(ext);
    free(pos);
    free(unknown);
    return rc;
}

/* Prints the spec (see the top of this file) and frees it. */
static int print_spec(pepkit_spec *spec) {
    pepkit_module_kind kind = pepkit_spec_kind(spec);
    const char *origin = pepkit_spec_origin(spec);
    printf("%s: %s", pepkit_spec_name(spec), kind_name(kind));
    if (kind == PEPKIT_MODULE_PACKAGE) printf(" %s", kind_name(pepkit_spec_loader(spec)));
    printf(" %s\n", origin ? origin : "None");
    pepkit_strings *locations = NULL;
    if (pepkit_spec_search_locations(spec, &locations) == PEPKIT_OK && locations) {
        for (size_t j = 0; j < pepkit_strings_len(locations); j++) printf("  %s\n", pepkit_strings_get(locations, j));
        pepkit_strings_free(locations);
    }
    pepkit_spec_free(spec);
    return 0;
}
