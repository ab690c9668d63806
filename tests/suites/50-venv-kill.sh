#!/usr/bin/env bash
# venv, part 5: creation killed at random moments (SIGKILL) leaves nothing or a
# whole working env; racing creators end with one working env
# (tests/oracle/venv_kill.py; PEPKIT_SEED=n reproduces a run). Runs with the
# newest pyenv CPython and the system's python3.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
newest=$(for p in "${pythons[@]}"; do echo "$("$p" -c 'import sys; print("%03d %s" % (sys.version_info[1], sys.executable))')"; done | sort | tail -n1 | cut -d' ' -f2-)
pick=("$newest")
[ "${pythons[-1]}" != "$newest" ] && pick+=("${pythons[-1]}")
"${pythons[-1]}" tests/oracle/venv_kill.py target/c/examples/pyvenv "${pick[@]}"
