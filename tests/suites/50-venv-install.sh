#!/usr/bin/env bash
# venv, the native wheel installer (issue 13 item 6): pyvenv --install and
# pepkit_venv_install_wheel against pip install --no-deps --no-index into a
# twin env, file for file, for the real wheels .ci/setup fetched (pure with
# console scripts, .data scripts/headers/data, a C extension, a namespace
# package) and wheels built here (GUI scripts, an upgrade, hostile ones),
# under CPython 3.11, 3.12, 3.13 and the system's. No network.
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
"${picked[-1]}" tests/oracle/venv_install.py target/c/examples/pyvenv target/release/libpepkit.so "$wheels" "${picked[@]}"
