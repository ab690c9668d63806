#!/usr/bin/env bash
# Runs fuzz targets (already built by `make fuzz-build`) for SECONDS each:
#   fuzz/run.sh SECONDS [TARGET...]      (default: every fuzz_targets/*.rs)
# Each run starts from the committed seeds (fuzz/corpus/<target>/) plus a
# working corpus: fuzz/target/corpus/<target>/ (kept between runs), or a
# fresh temp dir when FUZZ_FRESH=1 (the smoke suite: a run depends on the
# seeds and the seed only). Crashes go to fuzz/artifacts/<target>/.
# PEPKIT_SEED= fixes libFuzzer's seed (printed either way). Prints, per
# target, "fuzz <target>: N executions in S s: ok|FAILED", the log's tail on
# failure, and exits non-zero if any target failed.
set -u
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}; shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || for f in fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
bin_dir=target/x86_64-unknown-linux-gnu/release
seed=${PEPKIT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "fuzz: seed $seed (rerun with PEPKIT_SEED=$seed), ${seconds}s per target"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Allocations beyond 512 MiB fail (as under a tight RLIMIT_AS) instead of
# succeeding slowly: pepkit must turn them into PEPKIT_ERR_NO_MEMORY, and an
# infallible one aborts, which libFuzzer reports as a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=512:detect_leaks=1}
failed=0
for t in "${targets[@]}"; do
  if [ ! -x "$bin_dir/$t" ]; then
    echo "fuzz $t: not built ($bin_dir/$t): FAILED"; failed=$((failed + 1)); continue
  fi
  if [ "${FUZZ_FRESH:-0}" = 1 ]; then work=$scratch/corpus-$t; else work=target/corpus/$t; fi
  mkdir -p "$work" "artifacts/$t" "$scratch/tmp-$t"
  log=$scratch/$t.log
  start=$(date +%s)
  # TMPDIR: targets that need files (pth) make them there; removed with scratch.
  TMPDIR=$scratch/tmp-$t "$bin_dir/$t" -max_total_time="$seconds" -timeout=30 -seed="$seed" \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" "$work" "corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#')
  secs=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $t: ${execs:-0} executions in ${secs}s: ok"
  else
    echo "fuzz $t: ${execs:-0} executions in ${secs}s: FAILED (rc=$rc)"
    grep -E 'panicked at|ERROR: |SUMMARY|Test unit written|^ +left|^ +right|assertion' "$log" | head -n 20 | sed 's/^/    | /'
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ]
