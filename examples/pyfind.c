/* pyfind: where `import NAME` would come from, without running Python.
 *
 *   pyfind [-e SUFFIX]... NAME [ENTRY...]
 *
 * Resolves NAME with sys.path = ENTRY... as importlib.util.find_spec does
 * (pepkit_find_spec_ex when -e gives the interpreter's extension suffixes,
 * in order; pepkit_find_spec with CPython 3.13's defaults otherwise) and
 * prints
 *
 *   NAME: KIND [LOADER] ORIGIN
 *     LOCATION            (one line per submodule search location)
 *
 * KIND is source, bytecode, extension, package (LOADER: what its __init__
 * is) or namespace (ORIGIN: None). Exits 0 when found, 1 when not (the
 * reason on stderr, as ModuleNotFoundError words it), 2 on bad usage. */
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
    fprintf(stderr, "usage: pyfind [-e SUFFIX]... NAME [ENTRY...]\n");
    return 2;
}

int main(int argc, char **argv) {
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
