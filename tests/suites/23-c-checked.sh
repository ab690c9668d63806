#!/usr/bin/env bash
# The C tests (gcc ASan + UBSan, as 20-c-asan) against the library built with
# debug assertions and overflow checks (cargo profile `checked`,
# target/checked/libpepkit.a; mk/variants.mk): arithmetic that wraps quietly
# and unsafe preconditions (a slice from NULL) that release builds skip
# become failures here.
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_build c-tests-checked "the C tests against the checked library"
pass=0 fail=0
pepkit_run_c_tests target/c/checked
pepkit_summary $pass $fail
[ $fail -eq 0 ]
