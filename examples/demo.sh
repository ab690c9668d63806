#!/usr/bin/env bash
# make demo: the C example, then a venv made with the machine's python3 whose
# interpreter maps a pepkit array into a memoryview with no copy.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== C: build an ndarray, export it, walk it"
target/c/examples/ndarray_walk
python=$(command -v python3)
env_dir=target/demo/venv
echo
echo "== venv: $env_dir from $python"
rm -rf "$env_dir"
mkdir -p target/demo
"$python" -m venv --without-pip "$env_dir"
"$env_dir/bin/python" -c 'import sys; print("venv prefix:", sys.prefix, "| base:", sys.base_prefix)'
echo
echo "== Python: share a pepkit buffer with the venv's interpreter"
"$env_dir/bin/python" examples/share_with_python.py target/release/libpepkit.so
