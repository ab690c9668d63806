#!/usr/bin/env bash
# venv, part 7: interpreter facts are learned by at most one run of the
# interpreter and cached under $XDG_CACHE_HOME/pepkit, invalidated when the
# interpreter file changes (size or mtime), and not used with PEPKIT_NO_CACHE=1
# or --no-cache. A logging wrapper counts the interpreter's runs.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pyvenv=$PWD/target/c/examples/pyvenv
py=$(pepkit_pythons | tail -n1)
[ -n "$py" ] || { echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0; }
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
mkdir -p "$work/bin"
# The logging wrapper is a binary: a #! script is never cached (it may run
# another interpreter each time, as a pyenv shim does), checked at the end.
cat >"$work/wrapper.c" <<C
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    (void)argc;
    FILE *f = fopen("$work/runs", "a");
    if (f) { fputs("run\\n", f); fclose(f); }
    argv[0] = "$py";
    execv("$py", argv);
    return 127;
}
C
if ! ${CC:-cc} -o "$work/bin/python3" "$work/wrapper.c"; then echo "building the wrapper failed"; pepkit_summary 0 1; exit 1; fi
runs() { [ -f "$work/runs" ] && wc -l <"$work/runs" | tr -d ' ' || echo 0; }
mk() { rm -rf "$work/env"; "$pyvenv" --python "$work/bin/python3" --without-pip "$@" "$work/env" >/dev/null 2>&1; }

mk; check "the first creation runs the interpreter once" '[ "$(runs)" = 1 ]'
check "  ... and caches its facts under \$XDG_CACHE_HOME/pepkit" 'ls "$XDG_CACHE_HOME"/pepkit/interpreters/*.facts >/dev/null 2>&1'
mk; mk; check "later creations run no interpreter" '[ "$(runs)" = 1 ]'
check "  ... and still make a working env" '"$work/env/bin/python" -c "import sys; assert sys.prefix == \"$work/env\""'
touch -d '2001-01-01' "$work/bin/python3"
mk; check "a changed interpreter mtime invalidates the entry" '[ "$(runs)" = 2 ]'
printf 'grown' >>"$work/bin/python3"; touch -d '2001-01-01' "$work/bin/python3"
mk; check "a changed size with the same mtime invalidates it too" '[ "$(runs)" = 3 ]'
PEPKIT_NO_CACHE=1 mk; PEPKIT_NO_CACHE=1 mk; check "PEPKIT_NO_CACHE=1 runs it every time" '[ "$(runs)" = 5 ]'
mk --no-cache; check "--no-cache runs it every time" '[ "$(runs)" = 6 ]'
mk; check "with the cache back on, the entry is still good" '[ "$(runs)" = 6 ]'
echo garbage >"$(ls "$XDG_CACHE_HOME"/pepkit/interpreters/*.facts | head -n1)"
mk; check "a corrupt entry is relearned, not trusted" '[ "$(runs)" = 7 ] && [ -x "$work/env/bin/python" ]'
mk --facts-file "$(ls "$XDG_CACHE_HOME"/pepkit/interpreters/*.facts | head -n1)" --no-cache
check "--facts-file supplies the facts with no interpreter run" '[ "$(runs)" = 7 ] && [ -x "$work/env/bin/python" ]'
cat >"$work/bin/script" <<SH
#!/bin/sh
echo run >>"$work/runs"
exec "$work/bin/python3" "\$@"
SH
chmod +x "$work/bin/script"
before=$(runs)
for _ in 1 2; do rm -rf "$work/env"; "$pyvenv" --python "$work/bin/script" --without-pip "$work/env" >/dev/null 2>&1; done
check "a #! script interpreter is run each time, not cached" '[ "$(runs)" = $((before + 4)) ] && [ -x "$work/env/bin/python" ]'
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
