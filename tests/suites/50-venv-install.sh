#!/usr/bin/env bash
# venv, the native wheel installer (issue 13 item 6): pyvenv --install and
# pepkit_venv_install_wheel against pip install --no-deps --no-index into a
# twin env, file for file, for the real wheels .ci/setup fetched (pure with
# console scripts, .data scripts/headers/data, a C extension, a namespace
# package) and wheels built here (GUI scripts, an upgrade, hostile ones),
# under CPython 3.11, 3.12, 3.13 and the system's; then Requires-Python:
# pip's accept/refuse against pepkit's for crafted specifiers and tqdm under
# every CPython 3.6+ (tests/oracle/venv_requires_python.py). No network.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
wheels=${PEPKIT_INSTALL_WHEELS:-$HOME/.cache/pepkit/install-wheels}
if [ ! -f "$wheels/.complete" ]; then
  echo "no wheels in $wheels (run .ci/setup): SKIPPED"; pepkit_summary 0 0 1; exit 0
fi
pepkit_need_pythons
picked=()
for p in "${pythons[@]}"; do
  case "$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" in
    3.11|3.12|3.13) picked+=("$p") ;;
  esac
done
[ ${#picked[@]} -gt 0 ] || { echo "no CPython 3.11-3.13: SKIPPED"; pepkit_summary 0 0 1; exit 0; }
total_p=0 total_f=0
for run in install requires_python; do
  if [ $run = install ]; then
    out=$("${picked[-1]}" tests/oracle/venv_install.py target/c/examples/pyvenv target/release/libpepkit.so "$wheels" "${picked[@]}" 2>&1)
  else
    out=$(PEPKIT_INSTALL_WHEELS=$wheels "${picked[-1]}" tests/oracle/venv_requires_python.py target/c/examples/pyvenv "${pythons[@]}" 2>&1)
  fi
  echo "$out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
  [ -n "$line" ] || { echo "venv_$run.py printed no summary"; line="0 passed, 1 failed"; }
  total_p=$(( total_p + ${line%% passed*} ))
  f=${line#*passed, }; total_f=$(( total_f + ${f%% failed*} ))
done
pepkit_summary "$total_p" "$total_f"
[ "$total_f" -eq 0 ]
