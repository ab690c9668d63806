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
# The same tests under Valgrind, against the shared library (no sanitizers).
skip=0
if command -v valgrind >/dev/null; then
  plain=target/c/venv/test_venv_api_plain
  if cc -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -D_GNU_SOURCE -Iinclude -o "$plain" \
      tests/venv_c/test_venv_api.c -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release" -lpthread; then
    py=$(pepkit_pythons | tail -n1)
    dir=$(mktemp -d "$work/vg.XXXX")
    echo "--- valgrind, $py"
    if XDG_CACHE_HOME="$work/cache" valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite "$plain" "$py" "$dir" >"$work/vg.log" 2>&1; then
      pass=$((pass + 1)); echo "ok   test_venv_api under valgrind: no errors, no definite leaks"
    else
      fail=$((fail + 1)); echo "FAIL test_venv_api under valgrind"; grep -v '^ok ' "$work/vg.log" | head -40
    fi
  else
    fail=$((fail + 1)); echo "FAIL compiling test_venv_api.c without sanitizers"
  fi
else
  skip=1; echo "valgrind is not installed: SKIPPED (.ci/setup installs it)"
fi
pepkit_summary "$pass" "$fail" "$( [ "$skip" -gt 0 ] && echo "$skip")"
[ "$fail" -eq 0 ]
