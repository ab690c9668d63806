#!/usr/bin/env bash
# The import-resolution oracle, under every CPython on the machine
# (pepkit_pythons in tests/lib.sh):
#   test_find_spec.py      pepkit_find_spec and pepkit_finder against
#                          importlib.util.find_spec on random trees
#   test_venv_sys_path.py  pepkit_venv_sys_path, _pth_imports and _find_spec
#                          against the sys.path of envs made by python -m venv
# The scripts run with -S so no site hook (a .pth meta-path finder) stands
# between importlib and the tree.
# One seed for the whole run (printed; PEPKIT_SEED= reproduces it),
# PEPKIT_ORACLE_SCALE multiplies the case counts, PEPKIT_LIB overrides the
# library, PEPKIT_PYTHONS the interpreters.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh

lib=${PEPKIT_LIB:-$PWD/target/release/libpepkit.so}
export PEPKIT_SEED=${PEPKIT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "oracle-import: library $lib, seed $PEPKIT_SEED (rerun with PEPKIT_SEED=$PEPKIT_SEED), scale ${PEPKIT_ORACLE_SCALE:-1}"

passed=0 failed=0 skipped=0
if [ ! -f "$lib" ]; then
  echo "FAILED: $lib does not exist (run 'make lib' first)"
  pepkit_summary 0 1 0
  exit 1
fi

scripts=(tests/oracle/test_find_spec.py tests/oracle/test_venv_sys_path.py)
mapfile -t pythons < <(pepkit_pythons)
[ ${#pythons[@]} -gt 0 ] || { echo "SKIPPED: no CPython found"; skipped=$((skipped + 1)); }

for py in "${pythons[@]}"; do
  version=$("$py" -S -c 'import sys, platform
assert platform.python_implementation() == "CPython" and sys.version_info >= (3, 6)
print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
  if [ -z "$version" ]; then
    echo "SKIPPED: $py: not a working CPython 3.6+"
    skipped=$((skipped + ${#scripts[@]}))
    continue
  fi
  for script in "${scripts[@]}"; do
    name=$(basename "$script" .py)
    start=$(date +%s.%N)
    out=$("$py" -S "$script" "$lib" 2>&1)
    rc=$?
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ "$rc" -eq 77 ]; then
      reason=$(grep -m1 '^SKIPPED: ' <<<"$out" | sed 's/^SKIPPED: //')
      echo "SKIPPED: $py: $name: ${reason:-skipped}"
      skipped=$((skipped + 1))
      continue
    fi
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed}")
    f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"${line:-0 failed}")
    if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
      f=$((f + 1))  # crashed or printed no summary: count it
    fi
    passed=$((passed + p)); failed=$((failed + f))
    echo "python $version ($py) $name: $p passed, $f failed, rc=$rc, ${secs}s"
    if [ "$f" -ne 0 ]; then
      sed 's/^/    | /' <<<"$out" | tail -n 60
    else
      grep -E '^  ' <<<"$out" | sed 's/^/    /'
    fi
  done
done

pepkit_summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
