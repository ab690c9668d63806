#!/usr/bin/env bash
# The committed include/pepkit.h equals a fresh cbindgen run.
cd "$(dirname "$0")/../.."
source tests/lib.sh
if make -s check-header; then pepkit_summary 1 0; else pepkit_summary 0 1; exit 1; fi
