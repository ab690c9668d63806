#!/usr/bin/env bash
# venv, hostile existing environments: RECORD entries with '..', absolute
# paths, symlinked directories at every depth, symlinked files, a symlinked
# bin/, lib/, site-packages, include/, pyvenv.cfg and env directory, under
# re-run, --upgrade and --clear, with both path resolvers; a sentinel tree
# beside each env must not change (tests/oracle/venv_hostile_fs.py).
# PEPKIT_PYVENV runs it against another build's pyvenv.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
"${pythons[-1]}" tests/oracle/venv_hostile_fs.py "${PEPKIT_PYVENV:-target/c/examples/pyvenv}" "${pythons[@]}"
