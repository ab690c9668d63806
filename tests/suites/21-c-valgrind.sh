#!/usr/bin/env bash
# The same C tests, not sanitized, linked with libpepkit.so, under Valgrind:
# no errors, no bytes definitely or indirectly lost.
cd "$(dirname "$0")/../.."
source tests/lib.sh
if ! command -v valgrind >/dev/null; then echo "SKIPPED: valgrind is not installed"; pepkit_summary 0 0 1; exit 0; fi
make -s c-tests >/dev/null || { echo "building the C tests failed"; pepkit_summary 0 1; exit 1; }
pass=0 fail=0
for t in target/c/plain/test_*; do
  out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$t" 2>&1)
  rc=$?
  echo "$out" | tail -n 20
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  [ -z "$line" ] && p=0 f=1
  [ "$rc" -ne 0 ] && { echo "$t: valgrind exit $rc"; f=$((f + 1)); }
  pass=$((pass + p)); fail=$((fail + f))
done
pepkit_summary $pass $fail
[ $fail -eq 0 ]
