#!/usr/bin/env bash
# Runs every suite in tests/suites/ (in name order) and adds up their counts.
# Each suite prints its own "N passed, N failed[, N skipped]" as its last such
# line and exits non-zero when anything failed. PEPKIT_SUITES="10-cargo 20-c"
# runs only the named ones.
set -u
cd "$(dirname "$0")/.."
total_pass=0 total_fail=0 total_skip=0 failed_suites=()
for suite in tests/suites/*.sh; do
  name=$(basename "$suite" .sh)
  if [ -n "${PEPKIT_SUITES:-}" ] && ! grep -qw -- "$name" <<<"$PEPKIT_SUITES"; then continue; fi
  echo "=== suite $name"
  log=$(mktemp)
  start=$(date +%s)
  bash "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
  rm -f "$log"
  p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"${line:-0 passed}")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 failed}")
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
  if [ -z "$line" ]; then f=1; echo "suite $name printed no 'N passed, N failed' line"; fi
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] && failed_suites+=("$name")
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + ${s:-0}))
  echo "=== suite $name: rc=$rc, $(( $(date +%s) - start ))s"
done
echo
[ ${#failed_suites[@]} -eq 0 ] || echo "failed suites: ${failed_suites[*]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ ${#failed_suites[@]} -eq 0 ]
