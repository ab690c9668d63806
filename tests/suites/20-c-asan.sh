#!/usr/bin/env bash
# The C tests built with -std=c11 -Wall -Wextra -Wpedantic -Werror under
# AddressSanitizer and UndefinedBehaviorSanitizer (static libpepkit.a).
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s c-tests >/dev/null || { echo "building the C tests failed"; pepkit_summary 0 1; exit 1; }
pass=0 fail=0
pepkit_run_c_tests target/c/asan
pepkit_summary $pass $fail
[ $fail -eq 0 ]
