#!/usr/bin/env bash
# Rust unit and integration tests; the counts of every test binary added up.
cd "$(dirname "$0")/../.."
source tests/lib.sh
log=$(mktemp)
cargo test --release 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
fail=$(grep -oE '; [0-9]+ failed' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
[ "$rc" -ne 0 ] && [ "${fail:-0}" -eq 0 ] && fail=1
pepkit_summary "${pass:-0}" "${fail:-0}"
[ "$rc" -eq 0 ]
