/*
 * cli.h: the part of Python's argparse that pyvenv and pyfind mirror, so
 * that they take and refuse flags as `python -m venv` does:
 *
 *  - a long option may be abbreviated to any unique prefix ("--clea"); an
 *    exact name wins over longer names it is a prefix of ("--upgrade");
 *  - "ambiguous option: --up could match --upgrade, --upgrade-deps" (in the
 *    order the options are declared, as argparse lists them), checked for
 *    every word before anything else is done (cli_prescan);
 *  - "--name=value" and "--name value"; a following word that looks like an
 *    option (not "-" nor a negative number) is "expected one argument";
 *  - a flag given "=value": "ignored explicit argument 'value'";
 *  - a value outside `choices`: "invalid choice: 'x' (choose from 'a', 'b')".
 *
 * Errors go to stderr after the usage, as "PROG: error: MESSAGE", and the
 * caller exits 2. Header-only: each tool is one .c file plus this.
 */
#ifndef PEPKIT_EXAMPLES_CLI_H
#define PEPKIT_EXAMPLES_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct cli_option {
    const char *name;           /* "--clear", or a short "-e" (exact only) */
    const char *alias;          /* a second spelling ("--ext" for "-e"), or NULL */
    bool takes_value;           /* one argument, as nargs=None */
    const char *const *choices; /* NULL-terminated allowed values, or NULL */
} cli_option;

typedef struct cli {
    const char *prog;
    void (*usage)(FILE *);
    const cli_option *options;
    size_t noptions;
} cli;

/* The option as argparse names it in messages: "--prompt", "-e/--ext". */
static const char *cli_name(const cli_option *o, char *buf, size_t size) {
    snprintf(buf, size, "%s%s%s", o->name, o->alias ? "/" : "", o->alias ? o->alias : "");
    return buf;
}

/* Prints the usage and "PROG: error: ..." on stderr; returns 2 (the exit status). */
static int cli_error(const cli *c, const char *fmt, ...) {
    va_list ap;
    c->usage(stderr);
    fprintf(stderr, "%s: error: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

/* argparse's negative-number pattern: ^-\d+$|^-\d*\.\d+$ */
static bool cli_looks_negative(const char *s) {
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

/* A flag given "--flag=x": argparse's error. Returns 2. */
static int cli_no_value(const cli *c, const cli_option *opt, const char *explicit) {
    char name[64];
    return cli_error(c, "argument %s: ignored explicit argument '%s'", cli_name(opt, name, sizeof name), explicit);
}

enum { CLI_UNKNOWN = -1, CLI_ERROR = -2 };

/* Which option `arg` names (arg starts with '-'): its index, CLI_UNKNOWN, or
 * CLI_ERROR after printing an ambiguity. `*explicit` gets the text after '='
 * or NULL. */
static int cli_lookup(const cli *c, const char *arg, const char **explicit) {
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    *explicit = eq ? eq + 1 : NULL;
    for (size_t i = 0; i < c->noptions; i++) {
        const char *names[2] = {c->options[i].name, c->options[i].alias};
        for (int k = 0; k < 2; k++) {
            if (names[k] && strlen(names[k]) == n && strncmp(names[k], arg, n) == 0) return (int)i;
        }
    }
    if (strncmp(arg, "--", 2) != 0 || n <= 2) return CLI_UNKNOWN;
    int found = CLI_UNKNOWN, count = 0;
    for (size_t i = 0; i < c->noptions; i++) {
        const char *names[2] = {c->options[i].name, c->options[i].alias};
        for (int k = 0; k < 2; k++) {
            if (names[k] && strncmp(names[k], "--", 2) == 0 && strncmp(names[k], arg, n) == 0) {
                if (count++ == 0) found = (int)i;
            }
        }
    }
    if (count <= 1) return found;
    c->usage(stderr);
    fprintf(stderr, "%s: error: ambiguous option: %s could match", c->prog, arg);
    const char *sep = " ";
    for (size_t i = 0; i < c->noptions; i++) {
        const char *names[2] = {c->options[i].name, c->options[i].alias};
        for (int k = 0; k < 2; k++) {
            if (names[k] && strncmp(names[k], "--", 2) == 0 && strncmp(names[k], arg, n) == 0) {
                fprintf(stderr, "%s%s", sep, names[k]);
                sep = ", ";
            }
        }
    }
    fputc('\n', stderr);
    return CLI_ERROR;
}

/* Whether argparse takes `arg` for an option rather than a value or a
 * positional: it starts with '-' (and is not "-"), and it names an option
 * (exactly, before an '=', or as a prefix), or else it is neither a
 * negative number nor a word with a space in it. */
static bool cli_is_option(const cli *c, const char *arg) {
    if (arg[0] != '-' || arg[1] == '\0') return false;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t i = 0; i < c->noptions; i++) {
        const char *names[2] = {c->options[i].name, c->options[i].alias};
        for (int k = 0; k < 2; k++) {
            if (!names[k]) continue;
            if (strlen(names[k]) == n && strncmp(names[k], arg, n) == 0) return true;
            if (strncmp(arg, "--", 2) == 0 && n > 2 && strncmp(names[k], "--", 2) == 0 &&
                strncmp(names[k], arg, n) == 0)
                return true;
        }
    }
    return !cli_looks_negative(arg) && !strchr(arg, ' ');
}

/* argparse classifies every word before acting on any, so an ambiguous
 * abbreviation is reported even after -h or where a value was expected
 * ("--prompt --s"). Returns 2 after printing that error, else 0. Words after
 * "--" are positional and not looked at. */
static int cli_prescan(const cli *c, int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *explicit;
        if (strncmp(argv[i], "--", 2) == 0 && cli_lookup(c, argv[i], &explicit) == CLI_ERROR) return 2;
    }
    return 0;
}

/* Takes the value of option `opt` from `explicit` or the next word; checks
 * choices. Returns the value, or NULL after printing the error. */
static const char *cli_value(const cli *c, const cli_option *opt, const char *explicit, int *i, int argc,
                             char **argv) {
    char spelled[64];
    cli_name(opt, spelled, sizeof spelled);
    const char *v = explicit;
    if (!v) {
        if (*i + 1 >= argc || cli_is_option(c, argv[*i + 1])) {
            cli_error(c, "argument %s: expected one argument", spelled);
            return NULL;
        }
        v = argv[++*i];
    }
    if (opt->choices) {
        for (const char *const *ch = opt->choices; *ch; ch++)
            if (strcmp(*ch, v) == 0) return v;
        c->usage(stderr);
        fprintf(stderr, "%s: error: argument %s: invalid choice: '%s' (choose from", c->prog, spelled, v);
        for (const char *const *ch = opt->choices; *ch; ch++)
            fprintf(stderr, "%s'%s'", ch == opt->choices ? " " : ", ", *ch);
        fprintf(stderr, ")\n");
        return NULL;
    }
    return v;
}

/* After cli_lookup gave `o` (with `explicit`) for argv[*i]: CLI_UNKNOWN for an
 * argument to collect for the "unrecognized arguments" error, 2 after printing
 * argparse's error (ambiguity, missing or bad value, a value given to a flag),
 * else 0 with the option's value (if it takes one) in *value. */
static int cli_take(const cli *c, int o, const char *explicit, int *i, int argc, char **argv, const char **value) {
    if (o == CLI_ERROR) return 2;
    if (o == CLI_UNKNOWN) return CLI_UNKNOWN;
    if (c->options[o].takes_value) return (*value = cli_value(c, &c->options[o], explicit, i, argc, argv)) ? 0 : 2;
    return explicit ? cli_no_value(c, &c->options[o], explicit) : 0;
}

#endif /* PEPKIT_EXAMPLES_CLI_H */
