#!/usr/bin/env bash
# venv, part 1: pepkit's tree against `pythonX.Y -m venv --without-pip` for
# every CPython on the machine and every option, then the real interpreter's
# view of both environments (tests/oracle/venv_tree.py).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
driver=${pythons[-1]}
"$driver" tests/oracle/venv_tree.py target/c/examples/pyvenv "${pythons[@]}"
