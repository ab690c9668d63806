#!/usr/bin/env bash
# venv, part 1: pepkit's tree against `pythonX.Y -m venv --without-pip` for
# every CPython on the machine and every option, then the real interpreter's
# view of both environments (tests/oracle/venv_tree.py).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1 || { echo "building examples failed"; pepkit_summary 0 1; exit 1; }
mapfile -t pythons < <(pepkit_pythons)
if [ ${#pythons[@]} -eq 0 ]; then echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0; fi
driver=${pythons[-1]}
"$driver" tests/oracle/venv_tree.py target/c/examples/pyvenv "${pythons[@]}"
