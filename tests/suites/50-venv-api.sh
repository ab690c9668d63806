#!/usr/bin/env bash
# venv, part 2: the C API from C (ASan + UBSan): options, every creation error
# leaving nothing behind, inspection and locate, NULL for every pointer.
# Runs tests/venv_c/test_venv_api.c once per CPython on the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
make --no-print-directory -s lib >/dev/null 2>&1 || { echo "building the library failed"; pepkit_summary 0 1; exit 1; }
bin=target/c/venv/test_venv_api
mkdir -p "$(dirname "$bin")"
if ! cc -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -D_GNU_SOURCE \
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
    -Iinclude -o "$bin" tests/venv_c/test_venv_api.c target/release/libpepkit.a -lpthread -ldl -lm; then
  echo "compiling test_venv_api.c failed"; pepkit_summary 0 1; exit 1
fi
pass=0 fail=0
work=$(mktemp -d)
chmod 755 "$work"  # the unwritable-parent check runs as nobody, who must reach it
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
while read -r py; do
  dir=$(mktemp -d "$work/run.XXXX")
  echo "--- $py"
  out=$(XDG_CACHE_HOME="$work/cache" "$bin" "$py" "$dir" 2>&1)
  rc=$?
  grep -v '^ok ' <<<"$out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed}")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 passed, 1 failed}")
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  pass=$((pass + p)); fail=$((fail + f))
done < <(pepkit_pythons)
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
