#!/usr/bin/env bash
# The C tests (gcc ASan + UBSan on the C side) against a libpepkit.a whose
# Rust code is itself AddressSanitizer-instrumented (nightly
# -Zsanitizer=address, target/rust-asan; mk/variants.mk), so a bad access
# inside pepkit is caught where it happens, not only at libc's interceptors.
# First a canary (tests/rust_asan_canary.c) proves the instrumentation is
# live and gcc's runtime serves it: it must die with a heap-buffer-overflow
# in pepkit's Rust code. SKIPPED, loudly, without a nightly toolchain.
cd "$(dirname "$0")/../.."
source tests/lib.sh
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "*** SKIPPED: no nightly toolchain (cargo +nightly): the Rust-ASan build cannot be made ***"
  pepkit_summary 0 0 1; exit 0
fi
pepkit_build c-tests-rust-asan "the Rust-ASan library and the C tests"
pass=0 fail=0
out=$(ASAN_OPTIONS=detect_leaks=0 target/c/rust-asan/canary 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'heap-buffer-overflow' <<<"$out" && grep -qE ' in .*pepkit' <<<"$out"; then
  echo "canary: ASan caught the canary's overflow inside pepkit's Rust code"
  pass=$((pass + 1))
else
  echo "canary: NOT caught (rc=$rc): the Rust code is not instrumented or the ASan runtimes disagree"
  tail -n 20 <<<"$out" | sed 's/^/    | /'
  fail=$((fail + 1))
fi
pepkit_run_c_tests target/c/rust-asan
pepkit_summary $pass $fail
[ $fail -eq 0 ]
