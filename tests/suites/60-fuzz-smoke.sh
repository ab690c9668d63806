#!/usr/bin/env bash
# A short run of every fuzz target (fuzz/fuzz_targets/*.rs, libFuzzer under
# AddressSanitizer with debug assertions and overflow checks) from the
# committed seeds: `make fuzz-smoke`, FUZZ_SMOKE_SECONDS each (default 15).
# Prints each target's execution count; one target is one test. SKIPPED
# (counted as skipped) where there is no nightly toolchain or no cargo-fuzz.
# PEPKIT_SEED= reproduces a run's mutations.
cd "$(dirname "$0")/../.."
source tests/lib.sh
targets=()
for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "*** SKIPPED: no nightly toolchain (cargo +nightly): ${#targets[@]} fuzz targets not run ***"
  pepkit_summary 0 0 "${#targets[@]}"; exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "*** SKIPPED: cargo-fuzz is not installed (.ci/setup installs it): ${#targets[@]} fuzz targets not run ***"
  pepkit_summary 0 0 "${#targets[@]}"; exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
if ! make --no-print-directory -s fuzz-build >"$log" 2>&1; then
  tail -n 30 "$log"; echo "building the fuzz targets failed"; pepkit_summary 0 "${#targets[@]}"; exit 1
fi
echo "fuzz targets built in $(( $(date +%s) - start ))s"
FUZZ_FRESH=1 fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-15}" "${targets[@]}" | tee "$log"
pass=$(grep -cE '^fuzz [a-z0-9_]+: .*: ok$' "$log")
fail=$(( ${#targets[@]} - pass ))
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
