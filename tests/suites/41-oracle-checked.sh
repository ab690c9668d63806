#!/usr/bin/env bash
# The oracle suites (40-oracle-buffer, 45-oracle-import) once more, against
# the library built with debug assertions and overflow checks
# (target/checked/libpepkit.so, cargo profile `checked`; mk/variants.mk),
# through their PEPKIT_LIB parameter. Counts are the two suites' added up.
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_build lib-checked "the checked library"
export PEPKIT_LIB=$PWD/target/checked/libpepkit.so
pass=0 fail=0 skip=0
for suite in tests/suites/40-oracle-buffer.sh tests/suites/45-oracle-import.sh; do
  out=$(bash "$suite" 2>&1)
  rc=$?
  echo "$out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed}")
  f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"${line:-0 passed, 1 failed}")
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "$suite exited $rc"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
done
pepkit_summary $pass $fail $skip
[ $fail -eq 0 ]
