#!/usr/bin/env bash
# The committed include/pepkit.h (and pepkit_cdef.h) equal a fresh cbindgen
# run, and every macro pepkit.h defines is PEPKIT_-prefixed (or DLPack's or
# Arrow's own, under their guards), so none clashes with a user's; the one
# function-like macro is named after the pepkit_ function it stands for.
cd "$(dirname "$0")/../.."
source tests/lib.sh
pass=0 fail=0
if make -s check-header; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
stray=$(grep -hoE '^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' include/pepkit.h include/pepkit_cdef.h \
  | awk '{print $NF}' | grep -vE '^(PEPKIT_|PEPKIT_H$|DLPACK_|ARROW_|pepkit_venv_options_init$|pepkit_wheel_options_init$)' | sort -u)
if [ -z "$stray" ]; then pass=$((pass + 1)); else
  echo "macros without the PEPKIT_ prefix in the public headers (a pub const in src/ that cbindgen exported?):"
  echo "$stray"; fail=$((fail + 1)); fi
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
