#!/usr/bin/env bash
# Every example built (-Werror) and run; each checks its own results. The
# Python example runs under every CPython 3.8+ on the machine.
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s examples >/dev/null || { echo "building the examples failed"; pepkit_summary 0 1; exit 1; }
pass=0 fail=0
run() {
  local name=$1; shift
  if out=$("$@" 2>&1); then pass=$((pass + 1)); echo "ok: $name"
  else fail=$((fail + 1)); echo "FAILED: $name"; echo "$out" | tail -n 15; fi
}
run ndarray_walk target/c/examples/ndarray_walk
for example in target/c/examples/*; do
  case "$(basename "$example")" in ndarray_walk) ;; *) [ -x "tests/examples/$(basename "$example").sh" ] &&
    run "$(basename "$example")" "tests/examples/$(basename "$example").sh" "$example" ;; esac
done
while read -r py; do
  # The Python package (python/) supports 3.8+.
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null || continue
  run "share_with_python.py under $("$py" -V 2>&1)" "$py" examples/share_with_python.py target/release/libpepkit.so
done < <(pepkit_pythons)
pepkit_summary $pass $fail
[ $fail -eq 0 ]
