#!/usr/bin/env bash
# venv, part 4: pip in environments pepkit makes, for every CPython on the
# machine: the native installer (pip --version, installing a wheel built
# locally, uninstalling it, the same files as python -m venv less bytecode)
# and the ensurepip mode (the same files as python -m venv). No network.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
"${pythons[-1]}" tests/oracle/venv_pip.py target/c/examples/pyvenv "${pythons[@]}"
