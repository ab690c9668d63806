#!/usr/bin/env bash
# The buffer oracle: tests/oracle/test_*.py compare libpepkit.so with every
# CPython on the machine (pepkit_pythons in tests/lib.sh) through ctypes:
#   test_getbuffer.py  (a) the getbuffer request matrix
#   test_helpers.py    (b) the PyBuffer_* helpers
#   test_memoryview.py (c) pepkit exports read back through PyMemoryView_FromBuffer
#   test_calcsize.py   (d) pepkit_format_calcsize vs struct.calcsize
#   test_mv_ops.py     pepkit's memoryview vs CPython's: random chains of
#                      operations (hashes under PYTHONHASHSEED=0)
#   test_resize.py     pepkit_bytearray_resize vs PyByteArray_Resize, exported or not
# Runs after `make lib`. One seed for the whole run (printed; PEPKIT_SEED=
# reproduces it), PEPKIT_ORACLE_SCALE multiplies the case counts, PEPKIT_LIB
# overrides the library, PEPKIT_PYTHONS the interpreters. An interpreter or a
# script that cannot run (no _testbuffer, a missing C API, not a CPython 3.6+)
# is reported as "SKIPPED: <python>: <reason>" and counted as skipped.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
# The memoryview hash equals CPython's only under PYTHONHASHSEED=0.
export PYTHONHASHSEED=0
pepkit_oracle_suite oracle-buffer "" tests/oracle/test_getbuffer.py tests/oracle/test_helpers.py \
  tests/oracle/test_memoryview.py tests/oracle/test_calcsize.py tests/oracle/test_mv_ops.py \
  tests/oracle/test_resize.py
