#!/usr/bin/env bash
# The import-resolution oracle, under every CPython on the machine
# (pepkit_pythons in tests/lib.sh):
#   test_find_spec.py      pepkit_find_spec and pepkit_finder against
#                          importlib.util.find_spec on random trees
#   test_find_spec_zip.py  the same over zip archives (zipimport) mixed with
#                          directories
#   test_venv_sys_path.py  pepkit_venv_sys_path, _pth_imports and _find_spec
#                          against the sys.path of envs made by python -m venv
#   test_listing.py        pepkit_iter_modules, _walk_packages, _module_name
#                          against pkgutil and importlib on random trees
#   test_editable.py       pepkit_venv_find_spec on editable installs made by
#                          pip install -e (setuptools, hatchling; wheels from
#                          .ci/setup), against the env's interpreter
# The scripts run with -S so no site hook (a .pth meta-path finder) stands
# between importlib and the tree.
# One seed for the whole run (printed; PEPKIT_SEED= reproduces it),
# PEPKIT_ORACLE_SCALE multiplies the case counts, PEPKIT_LIB overrides the
# library, PEPKIT_PYTHONS the interpreters.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
pepkit_oracle_suite oracle-import "-S" tests/oracle/test_find_spec.py tests/oracle/test_find_spec_zip.py \
    tests/oracle/test_venv_sys_path.py \
    tests/oracle/test_listing.py tests/oracle/test_editable.py
