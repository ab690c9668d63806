#!/usr/bin/env bash
# The interchange oracle: tests/oracle/test_interchange.py drives numpy,
# pyarrow and nanoarrow against libpepkit.so through ctypes (DLPack both ways,
# the Arrow C Data Interface both ways, the format mapping), under each
# interpreter .ci/setup gave those packages (pepkit_interchange_pythons in
# tests/lib.sh). One seed for the run (PEPKIT_SEED= reproduces it);
# PEPKIT_ORACLE_SCALE multiplies the case counts.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
mapfile -t peers < <(pepkit_interchange_pythons)
if [ ${#peers[@]} -eq 0 ]; then
  echo "SKIPPED: no interpreter with numpy, pyarrow and nanoarrow (.ci/setup makes them)"
  pepkit_summary 0 0 1
  exit 0
fi
pepkit_build lib
# numpy warns that legacy capsules are deprecated; the legacy path is tested on purpose.
export PYTHONWARNINGS=ignore::DeprecationWarning
PEPKIT_PYTHONS="${peers[*]}" pepkit_oracle_suite oracle-interchange "" tests/oracle/test_interchange.py
