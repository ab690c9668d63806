#!/usr/bin/env bash
# The C tests built with -std=c11 -Wall -Wextra -Wpedantic -Werror under
# AddressSanitizer and UndefinedBehaviorSanitizer (static libpepkit.a).
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s c-tests >/dev/null || { echo "building the C tests failed"; pepkit_summary 0 1; exit 1; }
pass=0 fail=0
for t in target/c/asan/test_*; do
  if ! nm "$t" | grep -q __asan_init; then echo "$t is not linked with ASan"; fail=$((fail + 1)); continue; fi
  out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t" 2>&1)
  rc=$?
  echo "$out" | tail -n 20
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  [ -z "$line" ] && p=0 f=1
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "$t exited $rc"
  pass=$((pass + p)); fail=$((fail + f))
done
pepkit_summary $pass $fail
[ $fail -eq 0 ]
