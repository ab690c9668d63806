/* pyfind: where `import NAME` would come from, without running Python.
 *
 *   pyfind [-e SUFFIX]... NAME [ENTRY...]
 *   pyfind --venv DIR NAME
 *   pyfind --venv DIR --path
 *
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

static int usage(void) {
    fprintf(stderr, "usage: pyfind [-e SUFFIX]... NAME [ENTRY...]\n"
                    "       pyfind --venv DIR NAME\n"
                    "       pyfind --venv DIR --path\n");
    return 2;
}

static int print_spec(pepkit_spec *spec);

/* pyfind --venv DIR (NAME | --path) */
static int in_venv(const char *dir, const char *name) {
    pepkit_venv *v = NULL;
    if (pepkit_venv_open(dir, &v) != PEPKIT_OK) {
        fprintf(stderr, "pyfind: %s\n", pepkit_last_error());
        return 2;
    }
    int rc = 0;
    if (strcmp(name, "--path") == 0) {
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
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("pyfind %s\n", pepkit_version());
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--venv") == 0) {
        if (argc != 4) return usage();
        return in_venv(argv[2], argv[3]);
    }
    const char **ext = calloc((size_t)argc, sizeof *ext);
    size_t n_ext = 0;
    int use_ext = 0, i = 1;
    if (!ext) return 2;
    for (; i < argc && strcmp(argv[i], "-e") == 0; i += 2) {
        if (i + 1 >= argc) {
            free(ext);
            return usage();
        }
        ext[n_ext++] = argv[i + 1];
        use_ext = 1;
    }
    if (i >= argc) {
        free(ext);
        return usage();
    }
    const char *name = argv[i++];
    const char *const *path = (const char *const *)(argv + i);
    size_t npath = (size_t)(argc - i);

    pepkit_spec *spec = NULL;
    pepkit_status st = use_ext ? pepkit_find_spec_ex(name, path, npath, ext, n_ext, &spec)
                               : pepkit_find_spec(name, path, npath, &spec);
    free(ext);
    if (st != PEPKIT_OK) {
        fprintf(stderr, "pyfind: %s (%s)\n", pepkit_last_error(), pepkit_status_name(st));
        return st == PEPKIT_ERR_NOT_FOUND ? 1 : 2;
    }
    return print_spec(spec);
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
