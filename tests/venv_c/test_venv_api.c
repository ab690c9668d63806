/*
 * The venv C API from C: options, creation errors (each leaves nothing
 * behind), inspection, locate, NULL for every pointer.
 *
 *   test_venv_api PYTHON WORKDIR
 *
 * Prints one line per check and "N passed, N failed".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pepkit.h"

static int passed, failed;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (cond) {                                        \
            passed++;                                      \
            printf("ok   ");                               \
        } else {                                           \
            failed++;                                      \
            printf("FAIL (%s:%d) ", __FILE__, __LINE__);   \
        }                                                  \
        printf(__VA_ARGS__);                               \
        printf("\n");                                      \
    } while (0)

#define CHECK_STATUS(call, want, what)                                                         \
    do {                                                                                       \
        pepkit_status st_ = (call);                                                            \
        CHECK(st_ == (want), "%s -> %s (%s)", what, pepkit_status_name(st_), pepkit_last_error()); \
    } while (0)

static char work[2048];
static const char *python;

static char *path(const char *rel) {
    static char buf[8][4096];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", work, rel);
    return buf[i];
}

static bool exists(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0;
}

static void write_text(const char *p, const char *text) {
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool file_is(const char *p, const char *text) {
    char buf[256] = {0};
    FILE *f = fopen(p, "r");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(text) && memcmp(buf, text, n) == 0;
}

static int steps_seen;
static bool saw_done;
static void progress(void *ctx, const char *step) {
    int *count = ctx;
    (*count)++;
    steps_seen++;
    if (strcmp(step, "done") == 0) saw_done = true;
}

static pepkit_venv_options opts(void) {
    pepkit_venv_options o;
    if (pepkit_venv_options_init(&o) != PEPKIT_OK) abort();
    o.python = python;
    o.with_pip = false;
    return o;
}

static void test_options(void) {
    CHECK_STATUS(pepkit_venv_options_init(NULL), PEPKIT_ERR_NULL_ARGUMENT, "options_init(NULL)");
    pepkit_venv_options o;
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS(pepkit_venv_options_init(&o), PEPKIT_OK, "options_init");
    CHECK(o.struct_size == sizeof o && o.symlinks && o.with_pip && !o.clear && !o.force && o.python == NULL &&
              o.prompt == NULL && o.pip_mode == PEPKIT_VENV_PIP_NATIVE && o.scm_ignore_files == PEPKIT_VENV_SCM_AUTO &&
              o.use_cache && o.progress == NULL && o.cachedir_tag && !o.relocatable && !o.allow_existing &&
              o.activators == 0,
          "options_init fills python -m venv's CLI defaults");
    /* The symbol (the macro bypassed) fills version 1 only: a v1-sized
     * caller has no room for more. */
    const size_t v1 = offsetof(pepkit_venv_options, relocatable);
    memset(&o, 0xAB, sizeof o);
    CHECK_STATUS((pepkit_venv_options_init)(&o), PEPKIT_OK, "options_init symbol");
    const unsigned char *tail = (const unsigned char *)&o + v1;
    bool untouched = true;
    for (size_t k = 0; k < sizeof o - v1; k++) untouched = untouched && tail[k] == 0xAB;
    CHECK(o.struct_size == v1 && o.symlinks && untouched, "  ... writes version 1's %zu bytes, nothing after", v1);
    CHECK_STATUS(pepkit_venv_options_init_sized(&o, sizeof o - 1), PEPKIT_ERR_VALUE, "options_init_sized(size - 1)");
    CHECK_STATUS(pepkit_venv_options_init_sized(NULL, sizeof o), PEPKIT_ERR_NULL_ARGUMENT, "options_init_sized(NULL)");
    /* A version-1 caller's struct is accepted, its missing fields defaulted. */
    o = opts();
    o.struct_size = v1;
    CHECK_STATUS(pepkit_venv_create(path("v1"), &o), PEPKIT_OK, "create with version 1's struct_size");
    CHECK(exists(path("v1/pyvenv.cfg")) && exists(path("v1/CACHEDIR.TAG")), "  ... made the env, with v2's defaults");
    o = opts();
    o.activators = 16;
    CHECK_STATUS(pepkit_venv_create(path("never"), &o), PEPKIT_ERR_VALUE, "create with activators bit 16");
    CHECK(!exists(path("never")), "  ... created nothing");
    /* Only the size of a published version is accepted: 9, 10 and 12 end
     * inside the `python` pointer, and copying them once put half a pointer
     * over the default and crashed. */
    const size_t bad_sizes[] = {0, 1, 9, 10, 12, v1 - 1, v1 + 1, sizeof o - 1, sizeof o + 1, (size_t)1 << 20, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        o = opts();
        o.struct_size = bad_sizes[i];
        char what[96], size_text[32], accepted[32];
        snprintf(what, sizeof what, "create with struct_size %zu", bad_sizes[i]);
        snprintf(size_text, sizeof size_text, "struct_size is %zu,", bad_sizes[i]);
        snprintf(accepted, sizeof accepted, "accepts only %zu or %zu", v1, sizeof o);
        CHECK_STATUS(pepkit_venv_create(path("never"), &o), PEPKIT_ERR_VALUE, what);
        CHECK(strstr(pepkit_last_error(), size_text) && strstr(pepkit_last_error(), accepted),
              "  ... the message names the size and the accepted one: %s", pepkit_last_error());
        CHECK(!exists(path("never")), "  ... created nothing");
    }
    o = opts();
    o.pip_mode = 7;
    CHECK_STATUS(pepkit_venv_create(path("never"), &o), PEPKIT_ERR_VALUE, "create with pip_mode 7");
    o = opts();
    o.scm_ignore_files = 9;
    CHECK_STATUS(pepkit_venv_create(path("never"), &o), PEPKIT_ERR_VALUE, "create with scm_ignore_files 9");
    CHECK(!exists(path("never")), "  ... created nothing");
}

static void test_create_errors(void) {
    pepkit_venv_options o = opts();
    CHECK_STATUS(pepkit_venv_create(NULL, &o), PEPKIT_ERR_NULL_ARGUMENT, "create(NULL, opts)");
    CHECK_STATUS(pepkit_venv_create("", &o), PEPKIT_ERR_VALUE, "create(\"\", opts)");
    CHECK_STATUS(pepkit_venv_create(path("a:b"), &o), PEPKIT_ERR_VALUE, "create with ':' in the path");
    CHECK(!exists(path("a:b")), "  ... created nothing");
    CHECK(strstr(pepkit_last_error(), "PATH separator") != NULL, "  ... message names the PATH separator");

    o.python = "/nonexistent/bin/python3";
    CHECK_STATUS(pepkit_venv_create(path("nopy"), &o), PEPKIT_ERR_NOT_FOUND, "create with a missing interpreter path");
    CHECK(!exists(path("nopy")), "  ... created nothing");
    o.python = "pepkit-no-such-python-3.99";
    CHECK_STATUS(pepkit_venv_create(path("nopy"), &o), PEPKIT_ERR_NOT_FOUND, "create with an interpreter not on PATH");
    CHECK(!exists(path("nopy")), "  ... created nothing");

    o = opts();
    o.upgrade = true;
    o.clear = true;
    CHECK_STATUS(pepkit_venv_create(path("uc"), &o), PEPKIT_ERR_VALUE, "upgrade together with clear");
    CHECK(!exists(path("uc")), "  ... created nothing");

    /* A file where the env directory must go. */
    write_text(path("afile"), "data\n");
    o = opts();
    CHECK_STATUS(pepkit_venv_create(path("afile"), &o), PEPKIT_ERR_VALUE, "a file where the env must go");
    CHECK(file_is(path("afile"), "data\n"), "  ... the file is untouched");
    /* A file where a directory inside the env must go. */
    mkdir(path("badbin"), 0755);
    write_text(path("badbin/bin"), "not a dir\n");
    CHECK_STATUS(pepkit_venv_create(path("badbin"), &o), PEPKIT_ERR_VALUE, "a file where bin/ must go");
    CHECK(strstr(pepkit_last_error(), "Unable to create directory") != NULL, "  ... CPython's message");

    /* A non-empty directory that is not a venv: clear refuses without force. */
    mkdir(path("project"), 0755);
    write_text(path("project/precious.txt"), "keep me\n");
    o = opts();
    o.clear = true;
    CHECK_STATUS(pepkit_venv_create(path("project"), &o), PEPKIT_ERR_EXISTS, "clear a non-venv dir without force");
    CHECK(file_is(path("project/precious.txt"), "keep me\n") && !exists(path("project/pyvenv.cfg")),
          "  ... every file untouched, nothing added");
    o.force = true;
    CHECK_STATUS(pepkit_venv_create(path("project"), &o), PEPKIT_OK, "clear a non-venv dir with force");
    CHECK(!exists(path("project/precious.txt")) && exists(path("project/pyvenv.cfg")), "  ... cleared and created");

    /* Clearing never follows a symlink out of the env. */
    mkdir(path("outside"), 0755);
    write_text(path("outside/victim.txt"), "outside\n");
    o = opts();
    CHECK_STATUS(pepkit_venv_create(path("linked"), &o), PEPKIT_OK, "create an env");
    if (symlink(path("outside"), path("linked/lib/escape")) != 0) perror("symlink");
    o.clear = true;
    CHECK_STATUS(pepkit_venv_create(path("linked"), &o), PEPKIT_OK, "clear an env holding a link to outside");
    CHECK(file_is(path("outside/victim.txt"), "outside\n") && !exists(path("linked/lib/escape")),
          "  ... the link is gone, its target untouched");
}

static void test_unwritable_parent(void) {
    /* Root ignores directory permissions: drop to nobody in a child. */
    chmod(work, 0755); /* nobody must be able to reach it */
    mkdir(path("ro"), 0755);
    chmod(path("ro"), 0555);
    fflush(stdout); /* the child must not print the parent's buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        }
        pepkit_venv_options o = opts();
        o.use_cache = false;
        /* nobody may not be able to run an interpreter under /root: the system's is world-readable. */
        if (getuid() == 65534 && access(python, X_OK) != 0) o.python = "/usr/bin/python3";
        pepkit_status st = pepkit_venv_create(path("ro/env"), &o);
        printf("     (child: %s: %s)\n", pepkit_status_name(st), pepkit_last_error());
        fflush(stdout);
        _exit(st == PEPKIT_ERR_OS ? 0 : (st == PEPKIT_ERR_NOT_FOUND ? 4 : 1));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unwritable parent -> PEPKIT_ERR_OS (child exit %d)",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(!exists(path("ro/env")), "  ... created nothing");
    /* A directory of one's own in a parent one cannot write (a pre-made /opt/venv):
     * nothing can be staged beside it, so pepkit fills (and clears) it in place. */
    if (geteuid() == 0) {
        chmod(path("ro"), 0755);
        mkdir(path("ro/owned"), 0755);
        if (chown(path("ro/owned"), 65534, 65534) != 0) perror("chown");
        chmod(path("ro"), 0555);
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
            pepkit_venv_options o = opts();
            o.use_cache = false;
            if (access(python, X_OK) != 0) o.python = "/usr/bin/python3";
            pepkit_status st = pepkit_venv_create(path("ro/owned"), &o);
            if (st == PEPKIT_OK) {
                o.clear = true;
                st = pepkit_venv_create(path("ro/owned"), &o);
            }
            printf("     (child: %s: %s)\n", pepkit_status_name(st), pepkit_last_error());
            fflush(stdout);
            _exit(st == PEPKIT_OK ? 0 : 1);
        }
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && exists(path("ro/owned/pyvenv.cfg")),
              "own empty dir in an unwritable parent: created and cleared in place");
    }
    /* Missing parents are made, as os.makedirs does, and removed again on failure. */
    pepkit_venv_options o = opts();
    o.python = "/nonexistent/python3";
    CHECK_STATUS(pepkit_venv_create(path("deep/er/env"), &o), PEPKIT_ERR_NOT_FOUND, "missing interpreter, missing parents");
    CHECK(!exists(path("deep")), "  ... no parent left behind");
    chmod(path("ro"), 0755);
}

static void test_inspect(void) {
    pepkit_venv_options o = opts();
    int count = 0;
    o.progress = progress;
    o.progress_ctx = &count;
    o.prompt = "it's mine";
    o.system_site_packages = true;
    CHECK_STATUS(pepkit_venv_create(path("env"), &o), PEPKIT_OK, "create with a prompt and a progress callback");
    CHECK(count > 3 && saw_done, "  ... progress called %d times, ending with done", count);

    FILE *cfgf = fopen(path("env/pyvenv.cfg"), "a");
    if (cfgf) {
        fputs("  CUSTOM-key =  first one \ncustom-key=last one\nno equals sign here\n", cfgf);
        fclose(cfgf);
    }
    pepkit_venv *v = NULL;
    CHECK_STATUS(pepkit_venv_open(NULL, &v), PEPKIT_ERR_NULL_ARGUMENT, "open(NULL)");
    CHECK_STATUS(pepkit_venv_open(path("env"), NULL), PEPKIT_ERR_NULL_ARGUMENT, "open(dir, NULL)");
    CHECK_STATUS(pepkit_venv_open(path("no-env-here"), &v), PEPKIT_ERR_NOT_FOUND, "open a missing env");
    CHECK(v == NULL, "  ... out not written");
    CHECK_STATUS(pepkit_venv_open(path("env"), &v), PEPKIT_OK, "open");
    if (!v) return;
    const char *s = NULL;
    CHECK_STATUS(pepkit_venv_get(v, "home", &s), PEPKIT_OK, "get home");
    CHECK(s && s[0] == '/', "  ... home = %s", s ? s : "(null)");
    s = NULL;
    CHECK_STATUS(pepkit_venv_get(v, "  Include-System-Site-Packages ", &s), PEPKIT_OK, "get is case-insensitive");
    CHECK(s && strcmp(s, "true") == 0, "  ... = %s", s ? s : "(null)");
    s = NULL;
    CHECK_STATUS(pepkit_venv_get(v, "Custom-Key", &s), PEPKIT_OK, "get a key written twice");
    CHECK(s && strcmp(s, "last one") == 0, "  ... the last line wins, as in site.py: %s", s ? s : "(null)");
    s = NULL;
    CHECK_STATUS(pepkit_venv_get(v, "no-such-key", &s), PEPKIT_ERR_NOT_FOUND, "get a missing key");
    CHECK(s == NULL, "  ... out not written");
    CHECK_STATUS(pepkit_venv_get(NULL, "home", &s), PEPKIT_ERR_NULL_ARGUMENT, "get(NULL, ...)");
    CHECK_STATUS(pepkit_venv_get(v, NULL, &s), PEPKIT_ERR_NULL_ARGUMENT, "get(v, NULL, ...)");
    CHECK_STATUS(pepkit_venv_get(v, "home", NULL), PEPKIT_ERR_NULL_ARGUMENT, "get(v, key, NULL)");
    s = NULL;
    CHECK_STATUS(pepkit_venv_site_packages(v, &s), PEPKIT_OK, "site_packages");
    struct stat st;
    CHECK(s && strstr(s, "/lib/python3.") && stat(s, &st) == 0 && S_ISDIR(st.st_mode), "  ... %s is a directory",
          s ? s : "(null)");
    CHECK_STATUS(pepkit_venv_site_packages(NULL, &s), PEPKIT_ERR_NULL_ARGUMENT, "site_packages(NULL)");
    const char *d = NULL, *cfg = NULL;
    CHECK_STATUS(pepkit_venv_dir(v, &d, &cfg), PEPKIT_OK, "dir");
    CHECK(d && cfg && strcmp(d, path("env")) == 0 && strcmp(cfg, path("env/pyvenv.cfg")) == 0, "  ... %s", d ? d : "");
    bool sys_site = false;
    CHECK_STATUS(pepkit_venv_system_site_packages(v, &sys_site), PEPKIT_OK, "system_site_packages");
    CHECK(sys_site, "  ... true");
    pepkit_venv_free(v);
    pepkit_venv_free(NULL);

    pepkit_venv *w = NULL;
    CHECK_STATUS(pepkit_venv_locate(path("env/bin/python"), &w), PEPKIT_OK, "locate from env/bin/python");
    if (w) {
        CHECK_STATUS(pepkit_venv_dir(w, &d, NULL), PEPKIT_OK, "dir of the located env");
        CHECK(strcmp(d, path("env")) == 0, "  ... %s", d);
        pepkit_venv_free(w);
        w = NULL;
    }
    CHECK_STATUS(pepkit_venv_locate(python, &w), PEPKIT_ERR_NOT_FOUND, "locate from the base interpreter");
    CHECK(w == NULL, "  ... out not written");
    CHECK_STATUS(pepkit_venv_locate(NULL, &w), PEPKIT_ERR_NULL_ARGUMENT, "locate(NULL)");
    /* A pyvenv.cfg without home does not count, as for the interpreter. */
    mkdir(path("nohome"), 0755);
    mkdir(path("nohome/bin"), 0755);
    write_text(path("nohome/pyvenv.cfg"), "version = 3.11.0\n");
    CHECK_STATUS(pepkit_venv_locate(path("nohome/bin/python"), &w), PEPKIT_ERR_NOT_FOUND, "locate: cfg without home");
}

/* Issue 13: pepkit_venv_check and its report (a healthy env, one broken
 * link, the errors, NULL for every pointer). Runs after test_inspect, which
 * made env/. */
static void test_check(void) {
    pepkit_venv_report *r = NULL;
    CHECK_STATUS(pepkit_venv_check(NULL, &r), PEPKIT_ERR_NULL_ARGUMENT, "check(NULL, &r)");
    CHECK(r == NULL, "  ... out not written");
    CHECK_STATUS(pepkit_venv_check(path("env"), NULL), PEPKIT_ERR_NULL_ARGUMENT, "check(env, NULL)");
    CHECK_STATUS(pepkit_venv_check("", &r), PEPKIT_ERR_VALUE, "check(\"\")");
    CHECK_STATUS(pepkit_venv_check(path("no-such-env"), &r), PEPKIT_ERR_NOT_FOUND, "check of a missing dir");
    CHECK_STATUS(pepkit_venv_check(path("nohome/bin"), &r), PEPKIT_ERR_NOT_FOUND, "check of a dir without pyvenv.cfg");
    CHECK(r == NULL, "  ... out not written");
    CHECK(pepkit_venv_report_len(NULL) == 0, "report_len(NULL) is 0 (%s)", pepkit_last_error());
    CHECK(pepkit_venv_report_kind(NULL, 0) == PEPKIT_VENV_PROBLEM_NONE, "report_kind(NULL) is NONE");
    CHECK(pepkit_venv_report_message(NULL, 0) == NULL, "report_message(NULL) is NULL");
    CHECK(pepkit_venv_report_path(NULL, 0) == NULL, "report_path(NULL) is NULL");
    pepkit_venv_report_free(NULL);

    CHECK_STATUS(pepkit_venv_check(path("env"), &r), PEPKIT_OK, "check a healthy env");
    CHECK(r && pepkit_venv_report_len(r) == 0, "  ... no problems (%zu; first: %s)", r ? pepkit_venv_report_len(r) : 0,
          r && pepkit_venv_report_len(r) ? pepkit_venv_report_message(r, 0) : "-");
    CHECK(pepkit_venv_report_kind(r, 0) == PEPKIT_VENV_PROBLEM_NONE && strstr(pepkit_last_error(), "out of range"),
          "  ... kind of index 0 is NONE: %s", pepkit_last_error());
    CHECK(pepkit_venv_report_message(r, 0) == NULL && pepkit_venv_report_path(r, 0) == NULL,
          "  ... message and path of index 0 are NULL");
    pepkit_venv_report_free(r);
    r = NULL;

    CHECK(symlink("/nonexistent/pepkit-target", path("env/bin/dead")) == 0, "a dangling link in env/bin");
    CHECK_STATUS(pepkit_venv_check(path("env"), &r), PEPKIT_OK, "check the env with it");
    size_t n = r ? pepkit_venv_report_len(r) : 0;
    CHECK(n == 1, "  ... one problem (%zu)", n);
    if (n == 1) {
        const char *p = pepkit_venv_report_path(r, 0), *m = pepkit_venv_report_message(r, 0);
        CHECK(pepkit_venv_report_kind(r, 0) == PEPKIT_VENV_PROBLEM_DANGLING_LINK, "  ... a dangling link");
        CHECK(p && strcmp(p, path("env/bin/dead")) == 0, "  ... at %s", p ? p : "(null)");
        CHECK(m && strstr(m, "/nonexistent/pepkit-target") && !strchr(m, '\n'), "  ... one line naming the target: %s",
              m ? m : "(null)");
    }
    pepkit_venv_report_free(r);
    unlink(path("env/bin/dead"));
}

/* Issue 13: pepkit_find_python (NULL for every pointer, errors leave *out
 * alone, a path, a request searched on a PATH of the interpreter's own
 * directory). The oracle against uv is tests/suites/50-venv-discover.sh. */
static void test_find_python(void) {
    char *found = (char *)"untouched";
    CHECK_STATUS(pepkit_find_python(NULL, &found), PEPKIT_ERR_NULL_ARGUMENT, "find_python(NULL, &out)");
    CHECK_STATUS(pepkit_find_python("3", NULL), PEPKIT_ERR_NULL_ARGUMENT, "find_python(\"3\", NULL)");
    CHECK_STATUS(pepkit_find_python("", &found), PEPKIT_ERR_VALUE, "find_python(\"\")");
    CHECK_STATUS(pepkit_find_python("2.7", &found), PEPKIT_ERR_VALUE, "find_python(\"2.7\"): before 3.6");
    CHECK(strcmp(found, "untouched") == 0, "  ... out not written");

    CHECK_STATUS(pepkit_find_python(python, &found), PEPKIT_OK, "find_python(PYTHON)");
    bool by_path = found && strcmp(found, "untouched") != 0 && found[0] == '/';
    CHECK(by_path, "  ... an absolute sys.executable: %s", by_path ? found : "-");
    if (by_path) pepkit_free(found);

    /* PATH = the interpreter's directory, no managed or pyenv folder. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", python);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = '\0';
    const char *old_path = getenv("PATH");
    char *saved = old_path ? strdup(old_path) : NULL;
    setenv("PATH", dir, 1);
    setenv("UV_PYTHON_INSTALL_DIR", path("no-managed"), 1);
    setenv("PYENV_ROOT", path("no-pyenv"), 1);
    found = (char *)"untouched";
    CHECK_STATUS(pepkit_find_python("3", &found), PEPKIT_OK, "find_python(\"3\") with PATH = its directory");
    char want[4200];
    snprintf(want, sizeof want, "%s/python3", dir);
    bool ok = strcmp(found, "untouched") != 0;
    CHECK(ok && strcmp(found, want) == 0, "  ... %s (want %s)", ok ? found : "-", want);
    if (ok) pepkit_free(found);
    found = (char *)"untouched";
    CHECK_STATUS(pepkit_find_python("3.99", &found), PEPKIT_ERR_NOT_FOUND, "find_python(\"3.99\")");
    CHECK(strstr(pepkit_last_error(), dir) != NULL, "  ... the message names PATH: %s", pepkit_last_error());
    CHECK(strcmp(found, "untouched") == 0, "  ... out not written");
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    unsetenv("UV_PYTHON_INSTALL_DIR");
    unsetenv("PYENV_ROOT");
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PYTHON WORKDIR\n", argv[0]);
        return 2;
    }
    python = argv[1];
    snprintf(work, sizeof work, "%s", argv[2]);
    test_options();
    test_create_errors();
    test_unwritable_parent();
    test_inspect();
    test_check();
    test_find_python();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
