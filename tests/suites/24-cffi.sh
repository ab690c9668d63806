#!/usr/bin/env bash
# include/pepkit_cdef.h (generated with the header, kept fresh by 00-header)
# through cffi: ffi.cdef() takes it whole, constants and struct layouts equal
# the C compiler's, and calls work (tests/cffi/consumer.py), under every
# CPython on the machine that has cffi (.ci/setup installs Debian's python3-cffi).
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_build lib
pass=0 fail=0 skip=0 ran=0
while read -r py; do
  if ! "$py" -c 'import cffi' 2>/dev/null; then continue; fi
  ran=$((ran + 1))
  out=$("$py" tests/cffi/consumer.py include/pepkit_cdef.h include/pepkit.h target/release/libpepkit.so 2>&1)
  rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed}"); f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"${line:-0 failed}")
  if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then f=$((f + 1)); fi
  echo "$("$py" -V 2>&1) ($py): $p passed, $f failed"
  [ "$f" -eq 0 ] || echo "$out" | tail -n 20 | sed 's/^/    | /'
  pass=$((pass + p)); fail=$((fail + f))
done < <(pepkit_pythons)
[ $ran -gt 0 ] || { echo "SKIPPED: no CPython with cffi"; skip=1; }
pepkit_summary $pass $fail $skip
[ $fail -eq 0 ]
