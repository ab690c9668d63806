#!/usr/bin/env bash
# The allocation-failure suite (c_tests/alloc_limits.c): every call whose cost
# grows with its input, in a forked child under RLIMIT_AS, must return
# NO_MEMORY (or CPython's class) and leave the process able to go on. Plain
# build, linked with libpepkit.so: ASan's shadow reservations cannot live
# under RLIMIT_AS.
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_build alloc-limits "the allocation-failure suite"
# An abort's backtrace is noise here: the case's FAIL line names it.
out=$(RUST_BACKTRACE=0 target/c/plain/alloc_limits 2>&1)
rc=$?
echo "$out" | tail -n 40
line=$(grep -E '^alloc_limits: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
[ -z "$line" ] && p=0 f=1
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "alloc_limits exited $rc"
pepkit_summary "$p" "$f"
[ "$f" -eq 0 ]
