#!/usr/bin/env bash
# make demo: the C example, then a venv made by pepkit's pyvenv with the
# machine's python3, into which the pepkit package is installed to hand a
# C-made array to Python and back with no copy.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== C: build an ndarray, export it, walk it"
target/c/examples/ndarray_walk
python=$(command -v python3)
env_dir=target/demo/venv
echo
echo "== venv: pyvenv $env_dir (base: $python, pip from its bundled wheel)"
mkdir -p target/demo
start=$(date +%s%N)
target/c/examples/pyvenv --clear --python "$python" "$env_dir"
echo "created in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$env_dir/bin/python" -c 'import sys; print("venv prefix:", sys.prefix, "| base:", sys.base_prefix)'
"$env_dir/bin/pip" --version
echo
echo "== Python: pip install ./python into the venv, then share a pepkit array with it"
"$env_dir/bin/python" -m pip install -q --no-index ./python
"$env_dir/bin/python" examples/share_with_python.py
