#!/usr/bin/env bash
# venv, part 5: creation killed at random moments (SIGKILL) leaves nothing or a
# whole working env; racing creators end with one working env
# (tests/oracle/venv_kill.py; PEPKIT_SEED=n reproduces a run). Runs with the
# newest pyenv CPython and the system's python3.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1 || { echo "building examples failed"; pepkit_summary 0 1; exit 1; }
mapfile -t all < <(pepkit_pythons)
if [ ${#all[@]} -eq 0 ]; then echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0; fi
newest=$(for p in "${all[@]}"; do echo "$("$p" -c 'import sys; print("%03d %s" % (sys.version_info[1], sys.executable))')"; done | sort | tail -n1 | cut -d' ' -f2-)
pick=("$newest")
[ "${all[-1]}" != "$newest" ] && pick+=("${all[-1]}")
"${all[-1]}" tests/oracle/venv_kill.py target/c/examples/pyvenv "${pick[@]}"
