#!/usr/bin/env bash
# venv, health check and patch-release upgrade (issue 13): pepkit_venv_check
# and `pyvenv --check` on envs broken on purpose, `pyvenv --upgrade` onto
# another patch release of the base, each against the real interpreters and
# the kernel (tests/oracle/venv_check.py).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
driver=${pythons[-1]}
"$driver" tests/oracle/venv_check.py target/c/examples/pyvenv "${pythons[@]}"
