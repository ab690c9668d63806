#!/usr/bin/env bash
# venv, part 4: pip in environments pepkit makes, for every CPython on the
# machine: the native installer (pip --version, installing a wheel built
# locally, uninstalling it, the same files as python -m venv less bytecode)
# and the ensurepip mode (the same files as python -m venv). No network.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1 || { echo "building examples failed"; pepkit_summary 0 1; exit 1; }
mapfile -t pythons < <(pepkit_pythons)
if [ ${#pythons[@]} -eq 0 ]; then echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0; fi
"${pythons[-1]}" tests/oracle/venv_pip.py target/c/examples/pyvenv "${pythons[@]}"
