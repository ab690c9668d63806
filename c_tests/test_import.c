/* Import resolution from C: pepkit_find_spec on a small tree (namespace
 * portions, packages, modules, extension and sourceless files, a non-UTF-8
 * entry, relative entries), and bad input: NULL for every pointer, malformed
 * names, entries that are missing or files, unreadable directories, bad
 * extension suffixes; module listing (iter_modules, walk_packages) and
 * module_name with theirs. Every failure returns its status with a message and
 * leaves the out-parameter alone; ASan and Valgrind stay clean. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

#define SPEC_SENTINEL ((pepkit_spec *)(uintptr_t)0x5a5a)
#define STRINGS_SENTINEL ((pepkit_strings *)(uintptr_t)0x5a5b)

static char root[256];

static void path_of(char *out, size_t size, const char *rel) {
    snprintf(out, size, "%s/%s", root, rel);
}

static void make_dir(const char *rel) {
    char p[512];
    path_of(p, sizeof p, rel);
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        perror(p);
        exit(2);
    }
}

static void make_file(const char *rel) {
    char p[512];
    path_of(p, sizeof p, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(p);
        exit(2);
    }
    close(fd);
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void build_tree(void) {
    snprintf(root, sizeof root, "/tmp/pepkit-import-test-XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    chmod(root, 0755); /* the unreadable-directory checks run as nobody */
    make_dir("e1");
    make_dir("e2");
    make_dir("e1/ns");
    make_dir("e2/ns");
    make_file("e2/ns/mod.py");
    make_dir("e2/pkg");
    make_file("e2/pkg/__init__.py");
    make_file("e2/pkg/sub.pyc");
    make_file("e1/m.py");
    make_file("e1/ext.abi3.so");
    make_file("e1/bc.pyc");
    make_file("e1/Case.py");
    make_dir("e1/both");
    make_file("e1/both/__init__.pyc");
    make_file("e1/both.py");
    make_file("not-a-dir");
    make_dir("e\xff\xfe");
    make_file("e\xff\xfe/u.py");
    make_dir("locked");
    make_file("locked/hid.py");
    make_dir("xonly");
    make_file("xonly/hid.py");
    make_dir("xonly/ns");
    make_dir("e1/lockns");
    make_dir("e1/lockns/inner");
}

static char *joined(const char *a, const char *b) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", a, b);
    return buf;
}

static void test_found(void) {
    char e1[512], e2[512], bad[512];
    path_of(e1, sizeof e1, "e1");
    path_of(e2, sizeof e2, "e2");
    path_of(bad, sizeof bad, "e\xff\xfe");
    const char *path[] = {e1, e2, bad};
    pepkit_spec *spec = NULL;
    pepkit_strings *locs = STRINGS_SENTINEL;

    /* A namespace package over two entries. */
    CHECK_OK(pepkit_find_spec("ns", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_NAMESPACE);
    CHECK(pepkit_spec_loader(spec) == PEPKIT_MODULE_NONE);
    CHECK(strcmp(pepkit_spec_name(spec), "ns") == 0);
    CHECK(pepkit_spec_origin(spec) == NULL);
    CHECK_OK(pepkit_spec_search_locations(spec, &locs));
    CHECK(pepkit_strings_len(locs) == 2);
    CHECK(strcmp(pepkit_strings_get(locs, 0), joined(e1, "ns")) == 0);
    CHECK(strcmp(pepkit_strings_get(locs, 1), joined(e2, "ns")) == 0);
    CHECK(pepkit_strings_get(locs, 2) == NULL);
    CHECK_MESSAGE("string index 2 out of range for a list of 2");
    pepkit_strings_free(locs);
    pepkit_spec_free(spec);

    CHECK_OK(pepkit_find_spec("ns.mod", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_SOURCE);
    CHECK(strcmp(pepkit_spec_origin(spec), joined(e2, "ns/mod.py")) == 0);
    locs = STRINGS_SENTINEL;
    CHECK_OK(pepkit_spec_search_locations(spec, &locs));
    CHECK(locs == NULL); /* a module: importlib's None */
    pepkit_spec_free(spec);

    /* A regular package, a sourceless submodule. */
    CHECK_OK(pepkit_find_spec("pkg", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_PACKAGE);
    CHECK(pepkit_spec_loader(spec) == PEPKIT_MODULE_SOURCE);
    CHECK(strcmp(pepkit_spec_origin(spec), joined(e2, "pkg/__init__.py")) == 0);
    CHECK_OK(pepkit_spec_search_locations(spec, &locs));
    CHECK(pepkit_strings_len(locs) == 1 && strcmp(pepkit_strings_get(locs, 0), joined(e2, "pkg")) == 0);
    pepkit_strings_free(locs);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_find_spec("pkg.sub", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_BYTECODE);
    pepkit_spec_free(spec);

    /* In one directory a package beats a module of the same name. */
    CHECK_OK(pepkit_find_spec("both", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_PACKAGE);
    CHECK(pepkit_spec_loader(spec) == PEPKIT_MODULE_BYTECODE);
    pepkit_spec_free(spec);

    /* Extension suffixes: the defaults, none, one given. */
    CHECK_OK(pepkit_find_spec("ext", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_EXTENSION);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_find_spec_ex("ext", path, 3, NULL, 0, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named 'ext'");
    CHECK(spec == SPEC_SENTINEL);
    {
        const char *ext[] = {".abi3.so"};
        CHECK_OK(pepkit_find_spec_ex("ext", path, 3, ext, 1, &spec));
        CHECK(strcmp(pepkit_spec_origin(spec), joined(e1, "ext.abi3.so")) == 0);
        pepkit_spec_free(spec);
    }
    {
        pepkit_strings *defaults = NULL;
        CHECK_OK(pepkit_default_extension_suffixes(&defaults));
        size_t n = pepkit_strings_len(defaults);
        CHECK(n >= 2);
        CHECK(n >= 2 && strcmp(pepkit_strings_get(defaults, n - 1), ".so") == 0);
        CHECK(n >= 2 && strcmp(pepkit_strings_get(defaults, n - 2), ".abi3.so") == 0);
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__)
        CHECK(strcmp(pepkit_strings_get(defaults, 0), ".cpython-313-x86_64-linux-gnu.so") == 0);
#endif
        pepkit_strings_free(defaults);
    }

    /* Case-sensitive; a non-UTF-8 entry; bytecode module. */
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_find_spec("case", path, 3, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
    CHECK_OK(pepkit_find_spec("Case", path, 3, &spec));
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_find_spec("u", path, 3, &spec));
    CHECK(strcmp(pepkit_spec_origin(spec), joined(bad, "u.py")) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_find_spec("bc", path, 3, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_BYTECODE);
    pepkit_spec_free(spec);

    /* Not found, with ModuleNotFoundError's messages. */
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_find_spec("m.x", path, 3, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("__path__ attribute not found on 'm' while trying to find 'm.x'");
    CHECK_STATUS(pepkit_find_spec("nope.x", path, 3, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named 'nope'");
    CHECK_STATUS(pepkit_find_spec("ns.nope", path, 3, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named 'ns.nope'");
    CHECK_STATUS(pepkit_find_spec("e1/m", path, 3, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_STATUS(pepkit_find_spec("m", path, 0, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_STATUS(pepkit_find_spec("m", NULL, 0, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
}

static void test_relative_entries(void) {
    char here[4096], cwd[4096];
    if (getcwd(here, sizeof here) == NULL || chdir(root) != 0 || getcwd(cwd, sizeof cwd) == NULL) {
        CHECK(!"chdir to the tree");
        return;
    }
    pepkit_spec *spec = NULL;
    const char *rel[] = {"./e1/"};
    CHECK_OK(pepkit_find_spec("m", rel, 1, &spec));
    char want[4200];
    snprintf(want, sizeof want, "%s/e1/m.py", cwd);
    CHECK(spec && strcmp(pepkit_spec_origin(spec), want) == 0);
    pepkit_spec_free(spec);
    if (chdir("e1") == 0) {
        const char *dot[] = {""};
        CHECK_OK(pepkit_find_spec("m", dot, 1, &spec));
        CHECK(spec && strcmp(pepkit_spec_origin(spec), want) == 0);
        pepkit_spec_free(spec);
        const char *dot2[] = {"."};
        CHECK_OK(pepkit_find_spec("m", dot2, 1, &spec));
        CHECK(spec && strcmp(pepkit_spec_origin(spec), want) == 0);
        pepkit_spec_free(spec);
    }
    CHECK(chdir(here) == 0);
}

static void test_bad_input(void) {
    char e1[512], missing[512], file[512];
    path_of(e1, sizeof e1, "e1");
    path_of(missing, sizeof missing, "missing");
    path_of(file, sizeof file, "not-a-dir");
    const char *path[] = {e1};
    pepkit_spec *spec = SPEC_SENTINEL;

    CHECK_STATUS(pepkit_find_spec(NULL, path, 1, &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("fullname must not be NULL");
    CHECK_STATUS(pepkit_find_spec("m", path, 1, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("out must not be NULL");
    CHECK_STATUS(pepkit_find_spec("m", NULL, 1, &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("path must not be NULL when its length is 1");
    {
        const char *holes[] = {e1, NULL};
        CHECK_STATUS(pepkit_find_spec("m", holes, 2, &spec), PEPKIT_ERR_NULL_ARGUMENT);
        CHECK_MESSAGE("path[1] must not be NULL");
    }
    CHECK_STATUS(pepkit_find_spec_ex("m", path, 1, NULL, 2, &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("ext_suffixes must not be NULL");
    {
        const char *empty[] = {""};
        CHECK_STATUS(pepkit_find_spec_ex("m", path, 1, empty, 1, &spec), PEPKIT_ERR_VALUE);
        CHECK_MESSAGE("must not be empty");
        const char *slash[] = {".so", "/x.so"};
        CHECK_STATUS(pepkit_find_spec_ex("m", path, 1, slash, 2, &spec), PEPKIT_ERR_VALUE);
        CHECK_MESSAGE("must not contain '/'");
        const char *null_item[] = {NULL};
        CHECK_STATUS(pepkit_find_spec_ex("m", path, 1, null_item, 1, &spec), PEPKIT_ERR_NULL_ARGUMENT);
        CHECK_MESSAGE("ext_suffixes[0] must not be NULL");
    }

    /* Malformed names. */
    CHECK_STATUS(pepkit_find_spec("", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("Empty module name");
    CHECK_STATUS(pepkit_find_spec("a..b", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("module name 'a..b' has an empty component");
    CHECK_STATUS(pepkit_find_spec("m.", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_find_spec(".m", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_MESSAGE("relative module name '.m'");
    CHECK_STATUS(pepkit_find_spec("..", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_find_spec(".", path, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_find_spec("\xff\xfe.x", path, 1, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named '\\xff\\xfe'");
    {
        char longname[8192];
        memset(longname, 'a', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        CHECK_STATUS(pepkit_find_spec(longname, path, 1, &spec), PEPKIT_ERR_NOT_FOUND);
    }

    /* Entries that do not exist, are files, or are empty strings elsewhere. */
    {
        const char *odd[] = {missing, file, "/dev/null", "/nonexistent/also"};
        CHECK_STATUS(pepkit_find_spec("m", odd, 4, &spec), PEPKIT_ERR_NOT_FOUND);
        CHECK_MESSAGE("No module named 'm'");
        const char *mixed[] = {missing, file, e1};
        CHECK_OK(pepkit_find_spec("m", mixed, 3, &spec));
        pepkit_spec_free(spec);
        spec = SPEC_SENTINEL;
    }
    CHECK(spec == SPEC_SENTINEL);

    /* The accessors with NULL. */
    pepkit_strings *locs = STRINGS_SENTINEL;
    CHECK(pepkit_spec_kind(NULL) == PEPKIT_MODULE_NONE);
    CHECK_MESSAGE("spec must not be NULL");
    CHECK(pepkit_spec_loader(NULL) == PEPKIT_MODULE_NONE);
    CHECK(pepkit_spec_name(NULL) == NULL);
    CHECK(pepkit_spec_origin(NULL) == NULL);
    CHECK_MESSAGE("spec must not be NULL");
    CHECK_STATUS(pepkit_spec_search_locations(NULL, &locs), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(locs == STRINGS_SENTINEL);
    CHECK_OK(pepkit_find_spec("ns", path, 1, &spec));
    CHECK_STATUS(pepkit_spec_search_locations(spec, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    pepkit_spec_free(spec);
    pepkit_spec_free(NULL);
    CHECK(pepkit_strings_len(NULL) == 0);
    CHECK_MESSAGE("list must not be NULL");
    CHECK(pepkit_strings_get(NULL, 0) == NULL);
    pepkit_strings_free(NULL);
    CHECK_STATUS(pepkit_default_extension_suffixes(NULL), PEPKIT_ERR_NULL_ARGUMENT);
}

/* A cached finder: the same answers, a new file seen after
 * pepkit_finder_invalidate_caches, bad arguments refused. */
static void test_finder(void) {
    char e1[512], e2[512];
    path_of(e1, sizeof e1, "e1");
    path_of(e2, sizeof e2, "e2");
    const char *path[] = {e1, e2};
    pepkit_finder *finder = NULL;
    pepkit_spec *spec = SPEC_SENTINEL;
    CHECK_OK(pepkit_finder_new(path, 2, NULL, 0, &finder));
    CHECK_OK(pepkit_finder_find_spec(finder, "ns", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_NAMESPACE);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_finder_find_spec(finder, "ext", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_EXTENSION);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_finder_find_spec(finder, "pkg.sub", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_BYTECODE);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_finder_find_spec(finder, "late", &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named 'late'");
    make_file("e2/late.py");
    CHECK_OK(pepkit_finder_invalidate_caches(finder));
    CHECK_OK(pepkit_finder_find_spec(finder, "late", &spec));
    CHECK(spec != SPEC_SENTINEL && strcmp(pepkit_spec_origin(spec), joined(e2, "late.py")) == 0);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_finder_find_spec(finder, "a..b", &spec), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_finder_find_spec(finder, NULL, &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_find_spec(finder, "m", NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_find_spec(NULL, "m", &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("finder must not be NULL");
    CHECK(spec == SPEC_SENTINEL);
    CHECK_STATUS(pepkit_finder_invalidate_caches(NULL), PEPKIT_ERR_NULL_ARGUMENT);
    pepkit_finder_free(finder);
    pepkit_finder_free(NULL);

    /* No extension suffixes: a non-NULL array of length 0. */
    const char *none[] = {".unused"};
    CHECK_OK(pepkit_finder_new(path, 2, none, 0, &finder));
    CHECK_STATUS(pepkit_finder_find_spec(finder, "ext", &spec), PEPKIT_ERR_NOT_FOUND);
    pepkit_finder_free(finder);
    finder = (pepkit_finder *)(uintptr_t)0x5a5c;
    CHECK_STATUS(pepkit_finder_new(path, 2, NULL, 1, &finder), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_new(NULL, 2, NULL, 0, &finder), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_new(path, 2, NULL, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    const char *empty[] = {""};
    CHECK_STATUS(pepkit_finder_new(path, 2, empty, 1, &finder), PEPKIT_ERR_VALUE);
    CHECK(finder == (pepkit_finder *)(uintptr_t)0x5a5c);
}

/* One finder shared by 4 threads, each resolving names while another
 * thread keeps invalidating its caches: every answer stays right. */
struct shared_finder {
    pepkit_finder *finder;
    int wrong;
    int stop;
};

static void *lookup_thread(void *p) {
    struct shared_finder *sf = p;
    static const char *names[] = {"ns", "ns.mod", "pkg", "pkg.sub", "m", "ext", "missing", "m.x"};
    static const pepkit_module_kind kinds[] = {PEPKIT_MODULE_NAMESPACE, PEPKIT_MODULE_SOURCE, PEPKIT_MODULE_PACKAGE,
                                               PEPKIT_MODULE_BYTECODE,  PEPKIT_MODULE_SOURCE, PEPKIT_MODULE_EXTENSION,
                                               PEPKIT_MODULE_NONE,      PEPKIT_MODULE_NONE};
    for (int i = 0; i < 2000; i++) {
        size_t k = (size_t)i % (sizeof names / sizeof *names);
        pepkit_spec *spec = NULL;
        pepkit_status st = pepkit_finder_find_spec(sf->finder, names[k], &spec);
        pepkit_module_kind got = st == PEPKIT_OK ? pepkit_spec_kind(spec) : PEPKIT_MODULE_NONE;
        if (got != kinds[k] || (st != PEPKIT_OK && st != PEPKIT_ERR_NOT_FOUND)) __atomic_add_fetch(&sf->wrong, 1, __ATOMIC_RELAXED);
        pepkit_spec_free(spec);
    }
    return NULL;
}

static void *invalidate_thread(void *p) {
    struct shared_finder *sf = p;
    while (!__atomic_load_n(&sf->stop, __ATOMIC_ACQUIRE)) {
        if (pepkit_finder_invalidate_caches(sf->finder) != PEPKIT_OK) __atomic_add_fetch(&sf->wrong, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_finder_threads(void) {
    char e1[512], e2[512];
    path_of(e1, sizeof e1, "e1");
    path_of(e2, sizeof e2, "e2");
    const char *path[] = {e1, e2};
    const char *ext[] = {".abi3.so", ".so"};
    struct shared_finder sf = {NULL, 0, 0};
    CHECK_OK(pepkit_finder_new(path, 2, ext, 2, &sf.finder));
    if (!sf.finder) return;
    pthread_t workers[4], inval;
    CHECK(pthread_create(&inval, NULL, invalidate_thread, &sf) == 0);
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&workers[i], NULL, lookup_thread, &sf) == 0);
    for (int i = 0; i < 4; i++) pthread_join(workers[i], NULL);
    __atomic_store_n(&sf.stop, 1, __ATOMIC_RELEASE);
    pthread_join(inval, NULL);
    CHECK(sf.wrong == 0);
    pepkit_finder_free(sf.finder);
}

static void write_text(const char *rel, const char *text) {
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

/* A hand-made base interpreter tree and env: pepkit_venv_sys_path follows
 * getpath's landmark from home, site's order and the .pth rules. */
static void test_venv_sys_path(void) {
    char cfg[1024], home_env[512];
    make_dir("base");
    make_dir("base/bin");
    make_dir("base/lib");
    make_dir("base/lib/python3.12");
    make_file("base/lib/python3.12/os.py");
    make_dir("base/lib/python3.12/lib-dynload");
    make_dir("base/lib/python3.12/site-packages");
    make_dir("env");
    make_dir("env/lib");
    make_dir("env/lib/python3.12");
    make_dir("env/lib/python3.12/site-packages");
    make_file("env/lib/python3.12/site-packages/envmod.py");
    write_text("env/lib/python3.12/site-packages/x.pth", "# comment\n\nimport foo\n../../../../e1\nmissing\n");
    snprintf(cfg, sizeof cfg, "home = %s/base/bin\ninclude-system-site-packages = true\nversion = 3.12.1\n", root);
    write_text("env/pyvenv.cfg", cfg);
    make_dir("noversion");
    write_text("noversion/pyvenv.cfg", "home = /nowhere/bin\n");
    make_dir("nohome");
    write_text("nohome/pyvenv.cfg", "version = 3.12.1\n");
    path_of(home_env, sizeof home_env, "home-without-local");
    setenv("HOME", home_env, 1);
    unsetenv("PYTHONUSERBASE");

    char env[512], p[512];
    path_of(env, sizeof env, "env");
    pepkit_venv *v = NULL;
    CHECK_OK(pepkit_venv_open(env, &v));
    if (!v) return;
    pepkit_strings *list = STRINGS_SENTINEL;
    CHECK_OK(pepkit_venv_sys_path(v, &list));
    const char *want[] = {"base/lib/python312.zip", "base/lib/python3.12", "base/lib/python3.12/lib-dynload",
                          "env/lib/python3.12/site-packages", "e1", "base/lib/python3.12/site-packages"};
    CHECK(pepkit_strings_len(list) == 6);
    for (size_t i = 0; i < 6 && i < pepkit_strings_len(list); i++) {
        path_of(p, sizeof p, want[i]);
        CHECK(strcmp(pepkit_strings_get(list, i), p) == 0);
    }
    pepkit_strings_free(list);
    CHECK_OK(pepkit_venv_pth_imports(v, &list));
    CHECK(pepkit_strings_len(list) == 4); /* site reads the env's .pth files twice */
    path_of(p, sizeof p, "env/lib/python3.12/site-packages/x.pth");
    CHECK(pepkit_strings_len(list) == 4 && strcmp(pepkit_strings_get(list, 0), p) == 0 &&
          strcmp(pepkit_strings_get(list, 1), "import foo") == 0 && strcmp(pepkit_strings_get(list, 3), "import foo") == 0);
    pepkit_strings_free(list);
    pepkit_spec *spec = NULL;
    CHECK_OK(pepkit_venv_find_spec(v, "os", &spec));
    path_of(p, sizeof p, "base/lib/python3.12/os.py");
    CHECK(spec && strcmp(pepkit_spec_origin(spec), p) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_venv_find_spec(v, "envmod", &spec));
    pepkit_spec_free(spec);

    /* A setuptools editable install: its finder's MAPPING is read, not run. */
    char finder[2048];
    make_dir("edsrc");
    make_dir("edsrc/edpkg");
    make_file("edsrc/edpkg/__init__.py");
    make_file("edsrc/edpkg/child.py");
    make_file("edsrc/edmod.py");
    snprintf(finder, sizeof finder,
             "import sys\nMAPPING: dict[str, str] = {'edpkg': '%s/edsrc/edpkg', 'edmod': '%s/edsrc/edmod'}\n"
             "NAMESPACES: dict[str, list[str]] = {}\n", root, root);
    write_text("env/lib/python3.12/site-packages/__editable___ed_0_1_finder.py", finder);
    write_text("env/lib/python3.12/site-packages/y.pth",
               "import __editable___ed_0_1_finder; __editable___ed_0_1_finder.install()\n");
    CHECK_OK(pepkit_venv_find_spec(v, "edpkg", &spec));
    path_of(p, sizeof p, "edsrc/edpkg/__init__.py");
    CHECK(spec && pepkit_spec_kind(spec) == PEPKIT_MODULE_PACKAGE && strcmp(pepkit_spec_origin(spec), p) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_venv_find_spec(v, "edpkg.child", &spec));
    path_of(p, sizeof p, "edsrc/edpkg/child.py");
    CHECK(spec && strcmp(pepkit_spec_origin(spec), p) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_venv_find_spec(v, "edmod", &spec));
    path_of(p, sizeof p, "edsrc/edmod.py");
    CHECK(spec && pepkit_spec_kind(spec) == PEPKIT_MODULE_SOURCE && strcmp(pepkit_spec_origin(spec), p) == 0);
    pepkit_spec_free(spec);
    pepkit_modules *mods = NULL;
    CHECK_OK(pepkit_venv_iter_modules(v, &mods));
    int has_envmod = 0;
    for (size_t i = 0; i < pepkit_modules_len(mods); i++) has_envmod |= strcmp(pepkit_modules_name(mods, i), "envmod") == 0;
    CHECK(has_envmod);
    pepkit_modules_free(mods);
    CHECK_OK(pepkit_venv_walk_packages(v, &mods));
    CHECK(pepkit_modules_len(mods) > 0);
    pepkit_modules_free(mods);
    /* A malformed finder is not read: the names are not found. */
    write_text("env/lib/python3.12/site-packages/__editable___ed_0_1_finder.py", "MAPPING = {'edpkg': \n");
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_venv_find_spec(v, "edpkg", &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
    path_of(p, sizeof p, "env/lib/python3.12/site-packages/y.pth");
    unlink(p);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_venv_find_spec(v, "nothere", &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_STATUS(pepkit_venv_find_spec(v, "", &spec), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_venv_find_spec(v, NULL, &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_find_spec(v, "os", NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_find_spec(NULL, "os", &spec), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(spec == SPEC_SENTINEL);
    list = STRINGS_SENTINEL;
    CHECK_STATUS(pepkit_venv_sys_path(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_MESSAGE("v must not be NULL");
    CHECK_STATUS(pepkit_venv_sys_path(v, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_pth_imports(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_pth_imports(v, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(list == STRINGS_SENTINEL);
    pepkit_venv_free(v);

    path_of(p, sizeof p, "nohome");
    CHECK_OK(pepkit_venv_open(p, &v));
    CHECK_STATUS(pepkit_venv_sys_path(v, &list), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("has no home key");
    pepkit_venv_free(v);
    path_of(p, sizeof p, "noversion");
    CHECK_OK(pepkit_venv_open(p, &v));
    CHECK_STATUS(pepkit_venv_sys_path(v, &list), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("cannot tell the Python version");
    pepkit_venv_free(v);
    CHECK(list == STRINGS_SENTINEL);
}

/* Directories that cannot be listed contribute nothing, as in importlib:
 * "locked" (mode 000) and "xonly" (mode 111: its files can be stat'ed but it
 * cannot be listed, so importlib's FileFinder sees it as empty), and a
 * namespace portion whose own directory is locked. Run by a user that
 * permissions apply to: as root, in a child that drops to nobody. */
static int unreadable_checks(void) {
    char locked[512], xonly[512], e1[512];
    path_of(locked, sizeof locked, "locked");
    path_of(xonly, sizeof xonly, "xonly");
    path_of(e1, sizeof e1, "e1");
    pepkit_spec *spec = SPEC_SENTINEL;
    const char *path[] = {locked, xonly};
    CHECK_STATUS(pepkit_find_spec("hid", path, 2, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("No module named 'hid'");
    CHECK_STATUS(pepkit_find_spec("ns", path, 2, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
    /* e1/lockns is listed by e1 (readable), so it is a portion; its own
     * contents cannot be listed, so nothing is found inside it. */
    const char *p1[] = {e1};
    CHECK_OK(pepkit_find_spec("lockns", p1, 1, &spec));
    CHECK(spec != SPEC_SENTINEL && pepkit_spec_kind(spec) == PEPKIT_MODULE_NAMESPACE);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_find_spec("lockns.inner", p1, 1, &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
    /* The cached finder lists nothing in them either. */
    pepkit_finder *finder = NULL;
    CHECK_OK(pepkit_finder_new(path, 2, NULL, 0, &finder));
    CHECK_STATUS(pepkit_finder_find_spec(finder, "hid", &spec), PEPKIT_ERR_NOT_FOUND);
    pepkit_finder_free(finder);
    CHECK_OK(pepkit_finder_new(p1, 1, NULL, 0, &finder));
    CHECK_STATUS(pepkit_finder_find_spec(finder, "lockns.inner", &spec), PEPKIT_ERR_NOT_FOUND);
    pepkit_finder_free(finder);
    CHECK(spec == SPEC_SENTINEL);
    return check_failed_count;
}

static void test_unreadable(void) {
    char p[512];
    path_of(p, sizeof p, "locked");
    chmod(p, 0);
    path_of(p, sizeof p, "xonly");
    chmod(p, 0111);
    path_of(p, sizeof p, "e1/lockns");
    chmod(p, 0);
    if (geteuid() != 0) {
        unreadable_checks();
    } else {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            /* Nobody: permissions apply. _exit skips the leak checkers'
             * exit hooks, which cannot trace a process that changed user. */
            if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
                fprintf(stderr, "SKIPPED: unreadable-directory checks: cannot drop to uid 65534: %s\n", strerror(errno));
                fflush(NULL);
                _exit(77);
            }
            int failed = unreadable_checks();
            fflush(NULL);
            _exit(failed ? 1 : 0);
        }
        int status = 0;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
            printf("SKIPPED: unreadable-directory checks (running as root and cannot drop privileges)\n");
        } else {
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
    path_of(p, sizeof p, "locked");
    chmod(p, 0755);
    path_of(p, sizeof p, "xonly");
    chmod(p, 0755);
    path_of(p, sizeof p, "e1/lockns");
    chmod(p, 0755);
}

/* pepkit_iter_modules, _walk_packages and _module_name on the tree, and
 * their bad input. */
static void test_listing(void) {
    char e1[512], e2[512];
    path_of(e1, sizeof e1, "e1");
    path_of(e2, sizeof e2, "e2");
    const char *path[] = {e1, e2};
    pepkit_modules *list = (pepkit_modules *)(uintptr_t)0x5a5c;
    static const char *const want_iter[][2] = {
        {"Case", "1"}, {"bc", "2"}, {"both", "4"}, {"ext", "3"}, {"lockns", "5"},
        {"m", "1"},    {"ns", "5"}, {"late", "1"}, {"pkg", "4"}, /* e2/late.py: test_finder made it */
    };
    CHECK_OK(pepkit_iter_modules(path, 2, NULL, 0, &list));
    CHECK(pepkit_modules_len(list) == sizeof want_iter / sizeof want_iter[0]);
    for (size_t i = 0; i < pepkit_modules_len(list) && i < sizeof want_iter / sizeof want_iter[0]; i++) {
        CHECK(strcmp(pepkit_modules_name(list, i), want_iter[i][0]) == 0);
        CHECK(pepkit_modules_kind(list, i) == atoi(want_iter[i][1]));
    }
    CHECK(strcmp(pepkit_modules_location(list, 8), e2) == 0);
    CHECK(pepkit_modules_name(list, 9) == NULL);
    CHECK_MESSAGE("module index 9 out of range for a list of 9");
    CHECK(pepkit_modules_kind(list, 9) == PEPKIT_MODULE_NONE);
    CHECK(pepkit_modules_location(list, 99) == NULL);
    pepkit_modules_free(list);

    static const char *const want_walk[] = {"Case", "bc", "both", "ext", "lockns", "lockns.inner",
                                            "m", "ns", "ns.mod", "late", "pkg", "pkg.sub"};
    CHECK_OK(pepkit_walk_packages(path, 2, NULL, 0, &list));
    CHECK(pepkit_modules_len(list) == sizeof want_walk / sizeof want_walk[0]);
    for (size_t i = 0; i < pepkit_modules_len(list) && i < sizeof want_walk / sizeof want_walk[0]; i++) {
        CHECK(strcmp(pepkit_modules_name(list, i), want_walk[i]) == 0);
    }
    CHECK(pepkit_modules_kind(list, 11) == PEPKIT_MODULE_BYTECODE);
    CHECK(strcmp(pepkit_modules_location(list, 11), joined(e2, "pkg")) == 0);
    pepkit_modules_free(list);

    /* No extension suffixes: ext.abi3.so is no module. */
    const char *none[] = {".nothing"};
    CHECK_OK(pepkit_iter_modules(path, 2, none, 0, &list));
    CHECK(pepkit_modules_len(list) == 8);
    pepkit_modules_free(list);

    pepkit_finder *finder = NULL;
    CHECK_OK(pepkit_finder_new(path, 2, NULL, 0, &finder));
    CHECK_OK(pepkit_finder_walk_packages(finder, &list));
    CHECK(pepkit_modules_len(list) == sizeof want_walk / sizeof want_walk[0]);
    pepkit_modules_free(list);
    CHECK_OK(pepkit_finder_iter_modules(finder, &list));
    CHECK(pepkit_modules_len(list) == 9);
    pepkit_modules_free(list);
    pepkit_finder_free(finder);

    char *name = (char *)(uintptr_t)0x5a5d;
    char file[1100];
    snprintf(file, sizeof file, "%s/pkg/sub.pyc", e2);
    CHECK_OK(pepkit_module_name(file, path, 2, &name));
    CHECK(strcmp(name, "pkg.sub") == 0);
    pepkit_free(name);
    snprintf(file, sizeof file, "%s/pkg/__init__.py", e2);
    CHECK_OK(pepkit_module_name_ex(file, path, 2, NULL, 0, &name));
    CHECK(strcmp(name, "pkg") == 0);
    pepkit_free(name);
    name = (char *)(uintptr_t)0x5a5d;
    snprintf(file, sizeof file, "%s/both.py", e1);
    CHECK_STATUS(pepkit_module_name(file, path, 2, &name), PEPKIT_ERR_NOT_FOUND);
    CHECK(strstr(pepkit_last_error(), "both/__init__.pyc") != NULL);
    CHECK_STATUS(pepkit_module_name("/elsewhere/x.py", path, 2, &name), PEPKIT_ERR_NOT_FOUND);
    CHECK_MESSAGE("'/elsewhere/x.py' is not under any entry of the path");
    CHECK_STATUS(pepkit_module_name("/elsewhere/x.txt", path, 2, &name), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_module_name("", path, 2, &name), PEPKIT_ERR_VALUE);
    CHECK(name == (char *)(uintptr_t)0x5a5d);

    /* Bad input: NULL for each pointer; the out-parameters stay as they were. */
    list = (pepkit_modules *)(uintptr_t)0x5a5c;
    CHECK_STATUS(pepkit_iter_modules(NULL, 2, NULL, 0, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_iter_modules(path, 2, NULL, 1, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_iter_modules(path, 2, NULL, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    const char *with_null[] = {e1, NULL};
    CHECK_STATUS(pepkit_walk_packages(with_null, 2, NULL, 0, &list), PEPKIT_ERR_NULL_ARGUMENT);
    const char *empty_suffix[] = {""};
    CHECK_STATUS(pepkit_walk_packages(path, 2, empty_suffix, 1, &list), PEPKIT_ERR_VALUE);
    CHECK_STATUS(pepkit_finder_iter_modules(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_walk_packages(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_iter_modules(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_venv_walk_packages(NULL, &list), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(list == (pepkit_modules *)(uintptr_t)0x5a5c);
    CHECK(pepkit_modules_len(NULL) == 0);
    CHECK(pepkit_modules_name(NULL, 0) == NULL);
    CHECK(pepkit_modules_kind(NULL, 0) == PEPKIT_MODULE_NONE);
    CHECK(pepkit_modules_location(NULL, 0) == NULL);
    pepkit_modules_free(NULL);
    CHECK_STATUS(pepkit_module_name(NULL, path, 2, &name), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_module_name(file, NULL, 2, &name), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_module_name(file, path, 2, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_module_name_ex(file, path, 2, NULL, 3, &name), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK(name == (char *)(uintptr_t)0x5a5d);
}

/* Writes a stored zip archive at rel with the given member names (empty
 * data; a name ending in '/' is a directory member). */
static void write_zip(const char *rel, const char *const *names, size_t n) {
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "wb");
    if (f == NULL) {
        perror(p);
        exit(2);
    }
    unsigned char central[4096];
    size_t clen = 0;
    uint32_t offsets[16];
    for (size_t i = 0; i < n && i < 16; i++) {
        uint16_t len = (uint16_t)strlen(names[i]);
        offsets[i] = (uint32_t)ftell(f);
        unsigned char local[30] = {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0};
        local[26] = (unsigned char)len;
        fwrite(local, 1, 30, f);
        fwrite(names[i], 1, len, f);
        unsigned char head[46] = {'P', 'K', 1, 2, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0};
        head[28] = (unsigned char)len;
        memcpy(head + 42, &offsets[i], 4); /* little-endian host */
        memcpy(central + clen, head, 46);
        memcpy(central + clen + 46, names[i], len);
        clen += 46 + len;
    }
    uint32_t cd_off = (uint32_t)ftell(f), cd_len = (uint32_t)clen;
    fwrite(central, 1, clen, f);
    unsigned char eocd[22] = {'P', 'K', 5, 6};
    eocd[8] = eocd[10] = (unsigned char)n;
    memcpy(eocd + 12, &cd_len, 4);
    memcpy(eocd + 16, &cd_off, 4);
    fwrite(eocd, 1, 22, f);
    fclose(f);
}

/* Zip archives on the path, and hostile ones. */
static void test_zip(void) {
    static const char *const members[] = {"zm.py", "zp/", "zp/__init__.py", "zp/inner.py", "zns/", "zns/x.py", "bad\n.py"};
    write_zip("a.zip", members, 7);
    char archive[512], sub[600];
    path_of(archive, sizeof archive, "a.zip");
    snprintf(sub, sizeof sub, "%s/zp", archive);
    const char *path[] = {archive};
    pepkit_spec *spec = SPEC_SENTINEL;
    CHECK_OK(pepkit_find_spec("zm", path, 1, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_SOURCE);
    CHECK(strcmp(pepkit_spec_origin(spec), joined(archive, "zm.py")) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_find_spec("zp.inner", path, 1, &spec));
    CHECK(strcmp(pepkit_spec_origin(spec), joined(archive, "zp/inner.py")) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_find_spec("zns", path, 1, &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_NAMESPACE);
    pepkit_spec_free(spec);
    const char *subpath[] = {sub};
    CHECK_OK(pepkit_find_spec("inner", subpath, 1, &spec)); /* a.zip/zp: a prefix in the archive */
    CHECK(strcmp(pepkit_spec_origin(spec), joined(archive, "zp/inner.py")) == 0);
    pepkit_spec_free(spec);
    pepkit_finder *finder = NULL;
    CHECK_OK(pepkit_finder_new(path, 1, NULL, 0, &finder));
    CHECK_OK(pepkit_finder_find_spec(finder, "zp", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_PACKAGE);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_finder_find_spec(finder, "late", &spec), PEPKIT_ERR_NOT_FOUND);
    /* Rewritten archive (another size): the finder reads it again. */
    static const char *const later[] = {"late.py", "zm.py"};
    write_zip("a.zip", later, 2);
    CHECK_OK(pepkit_finder_find_spec(finder, "late", &spec));
    pepkit_spec_free(spec);
    pepkit_finder_free(finder);

    /* Hostile: not a zip, a truncated one, and a sparse 80 MiB file whose
     * end record claims a 70 MiB central directory (over the limit). */
    spec = SPEC_SENTINEL;
    make_file("notzip.zip");
    char bad[512];
    path_of(bad, sizeof bad, "notzip.zip");
    const char *badpath[] = {bad, archive};
    CHECK_OK(pepkit_find_spec("late", badpath, 2, &spec));
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    path_of(bad, sizeof bad, "huge.zip");
    FILE *f = fopen(bad, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(ftruncate(fileno(f), 80L << 20) == 0);
        fseek(f, (80L << 20) - 22, SEEK_SET);
        unsigned char eocd[22] = {'P', 'K', 5, 6};
        uint32_t size = 70u << 20, off = 0;
        memcpy(eocd + 12, &size, 4);
        memcpy(eocd + 16, &off, 4);
        fwrite(eocd, 1, 22, f);
        fclose(f);
    }
    CHECK_STATUS(pepkit_find_spec("x", badpath, 1, &spec), PEPKIT_ERR_VALUE);
    CHECK(strstr(pepkit_last_error(), "larger than pepkit's limit") != NULL);
    CHECK(spec == SPEC_SENTINEL);
    unlink(bad);
}

/* The snapshot finder: answers from its snapshots until they are
 * invalidated or older than the interval; bad input. */
static void test_snapshot(void) {
    char e1[512], e2[512];
    path_of(e1, sizeof e1, "e1");
    path_of(e2, sizeof e2, "e2");
    const char *path[] = {e1, e2};
    pepkit_finder *finder = NULL;
    pepkit_spec *spec = SPEC_SENTINEL;
    CHECK_OK(pepkit_finder_new_snapshot(path, 2, NULL, 0, UINT64_MAX, &finder));
    CHECK_OK(pepkit_finder_find_spec(finder, "ns.mod", &spec));
    CHECK(strcmp(pepkit_spec_origin(spec), joined(e2, "ns/mod.py")) == 0);
    pepkit_spec_free(spec);
    CHECK_OK(pepkit_finder_find_spec(finder, "pkg.sub", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_BYTECODE);
    pepkit_spec_free(spec);
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_finder_find_spec(finder, "snap_new", &spec), PEPKIT_ERR_NOT_FOUND);
    make_file("e2/snap_new.py");
    /* The snapshot is trusted: still not there until invalidated. */
    CHECK_STATUS(pepkit_finder_find_spec(finder, "snap_new", &spec), PEPKIT_ERR_NOT_FOUND);
    CHECK(spec == SPEC_SENTINEL);
    CHECK_OK(pepkit_finder_invalidate_caches(finder));
    CHECK_OK(pepkit_finder_find_spec(finder, "snap_new", &spec));
    CHECK(strcmp(pepkit_spec_origin(spec), joined(e2, "snap_new.py")) == 0);
    pepkit_spec_free(spec);
    pepkit_finder_free(finder);
    /* Interval 0: every lookup compares the directory's mtime (a new
     * directory entry changes it, to the nanosecond on this file system). */
    CHECK_OK(pepkit_finder_new_snapshot(path, 2, NULL, 0, 0, &finder));
    spec = SPEC_SENTINEL;
    CHECK_STATUS(pepkit_finder_find_spec(finder, "snap_two", &spec), PEPKIT_ERR_NOT_FOUND);
    make_dir("e1/snap_two");
    CHECK_OK(pepkit_finder_find_spec(finder, "snap_two", &spec));
    CHECK(pepkit_spec_kind(spec) == PEPKIT_MODULE_NAMESPACE);
    pepkit_spec_free(spec);
    pepkit_finder_free(finder);
    finder = (pepkit_finder *)(uintptr_t)0x5a5e;
    CHECK_STATUS(pepkit_finder_new_snapshot(NULL, 1, NULL, 0, 0, &finder), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_new_snapshot(path, 2, NULL, 2, 0, &finder), PEPKIT_ERR_NULL_ARGUMENT);
    CHECK_STATUS(pepkit_finder_new_snapshot(path, 2, NULL, 0, 0, NULL), PEPKIT_ERR_NULL_ARGUMENT);
    const char *empty_suffix[] = {""};
    CHECK_STATUS(pepkit_finder_new_snapshot(path, 2, empty_suffix, 1, 0, &finder), PEPKIT_ERR_VALUE);
    CHECK(finder == (pepkit_finder *)(uintptr_t)0x5a5e);
}

int main(void) {
    build_tree();
    test_found();
    test_relative_entries();
    test_bad_input();
    test_finder();
    test_finder_threads();
    test_venv_sys_path();
    test_listing();
    test_zip();
    test_snapshot();
    test_unreadable();
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return check_summary("test_import");
}
