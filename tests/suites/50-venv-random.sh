#!/usr/bin/env bash
# venv, part 6: randomized differential tests of the text pepkit writes, for
# every CPython (tests/oracle/venv_random.py; the seed is printed,
# PEPKIT_SEED=n reproduces a run, PEPKIT_VENV_RANDOM_PROMPTS / _TREES scale it).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1 || { echo "building examples failed"; pepkit_summary 0 1; exit 1; }
mapfile -t pythons < <(pepkit_pythons)
if [ ${#pythons[@]} -eq 0 ]; then echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0; fi
export PEPKIT_VENV_RANDOM_PROMPTS=${PEPKIT_VENV_RANDOM_PROMPTS:-120} PEPKIT_VENV_RANDOM_TREES=${PEPKIT_VENV_RANDOM_TREES:-6}
"${pythons[-1]}" tests/oracle/venv_random.py target/c/examples/pyvenv "${pythons[@]}"
