#!/usr/bin/env bash
# venv, part 6: randomized differential tests of the text pepkit writes, for
# every CPython (tests/oracle/venv_random.py; the seed is printed,
# PEPKIT_SEED=n reproduces a run, PEPKIT_VENV_RANDOM_PROMPTS / _TREES scale it).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
export PEPKIT_VENV_RANDOM_PROMPTS=${PEPKIT_VENV_RANDOM_PROMPTS:-120} PEPKIT_VENV_RANDOM_TREES=${PEPKIT_VENV_RANDOM_TREES:-6}
"${pythons[-1]}" tests/oracle/venv_random.py target/c/examples/pyvenv "${pythons[@]}"
