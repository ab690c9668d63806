#!/usr/bin/env bash
# include/pepkit.hpp: its test (c_tests/test_hpp.cpp, C++17, -Werror) under
# AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer, linked
# with libpepkit.a and the native libraries rustc lists for it.
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s cxx-tests >/dev/null 2>&1 || { echo "building the C++ test failed"; make -s cxx-tests 2>&1 | tail -n 20; pepkit_summary 0 1; exit 1; }
t=target/c/cxx/test_hpp
if ! nm "$t" | grep -q __asan_init; then echo "$t is not linked with ASan"; pepkit_summary 0 1; exit 1; fi
out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t" 2>&1)
rc=$?
echo "$out" | tail -n 20
line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
[ -z "$line" ] && p=0 f=1
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "$t exited $rc"
pepkit_summary "$p" "$f"
[ "$f" -eq 0 ]
