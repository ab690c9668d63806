#!/usr/bin/env bash
# Every example (C and C++) built (-Werror) and run; each checks its own
# results. The Python example runs under every CPython 3.8+ on the machine.
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s examples >/dev/null || { echo "building the examples failed"; pepkit_summary 0 1; exit 1; }
pass=0 fail=0
run() {
  local name=$1; shift
  if out=$("$@" 2>&1); then pass=$((pass + 1)); echo "ok: $name"
  else fail=$((fail + 1)); echo "FAILED: $name"; echo "$out" | tail -n 15; fi
}
# An example with a script in tests/examples/ is checked by it; every other
# one checks its own results and exits non-zero on a wrong one.
for example in target/c/examples/*; do
  name=$(basename "$example")
  if [ -x "tests/examples/$name.sh" ]; then run "$name" "tests/examples/$name.sh" "$example"
  else run "$name" "$example"; fi
done
while read -r py; do
  # The Python package (python/) supports 3.8+.
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null || continue
  run "share_with_python.py under $("$py" -V 2>&1)" "$py" examples/share_with_python.py target/release/libpepkit.so
done < <(pepkit_pythons)
pepkit_summary $pass $fail
[ $fail -eq 0 ]
