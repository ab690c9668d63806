#!/usr/bin/env bash
# pepkit.h with a real dlpack.h and Arrow abi.h (the copies pyarrow ships in
# its include directory) included before it, after it, both, or neither; as C11
# and C++11 with -Werror. Every order must build, run, and print the same
# struct layouts (tests/interchange/include_order.c), so pepkit's declarations
# are ABI-identical to the originals.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_build lib
inc=""
while read -r py; do
  inc=$("$py" -c 'import pyarrow; print(pyarrow.get_include())' 2>/dev/null) && [ -f "$inc/arrow/c/abi.h" ] && break
  inc=""
done < <(pepkit_interchange_pythons)
orders=("")
if [ -n "$inc" ]; then
  orders+=("-DDLPACK_FIRST" "-DDLPACK_AFTER" "-DABI_FIRST" "-DABI_AFTER" "-DDLPACK_FIRST -DABI_AFTER"
           "-DABI_FIRST -DDLPACK_AFTER" "-DDLPACK_FIRST -DABI_FIRST" "-DDLPACK_AFTER -DABI_AFTER")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
reference=""
for order in "${orders[@]}"; do
  for lang in c c++; do
    if [ "$lang" = c ]; then comp="${CC:-cc} -std=c11 -x c"; else comp="${CXX:-c++} -std=c++11 -x c++"; fi
    name="$lang ${order:-(pepkit.h alone)}"
    # shellcheck disable=SC2086
    if $comp -Wall -Wextra -Wpedantic -Werror $order -Iinclude ${inc:+-I"$inc"} tests/interchange/include_order.c \
         -o "$tmp/io" -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release" && "$tmp/io" >"$tmp/out"; then
      if [ -z "$reference" ]; then reference=$(cat "$tmp/out"); fi
      if [ "$(cat "$tmp/out")" = "$reference" ]; then
        echo "ok: $name"; pass=$((pass + 1))
      else
        echo "FAILED: $name: layouts differ"; diff <(echo "$reference") "$tmp/out" | head; fail=$((fail + 1))
      fi
    else
      echo "FAILED: $name"; fail=$((fail + 1))
    fi
  done
done
if [ -z "$inc" ]; then
  echo "SKIPPED: no pyarrow include directory for dlpack_abi.h and abi.h (.ci/setup installs pyarrow)"
  skip=1
fi
pepkit_summary $pass $fail $skip
[ $fail -eq 0 ]
