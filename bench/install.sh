#!/usr/bin/env bash
# The native wheel installer (issue 13 item 6): medians of installing the
# real wheels .ci/setup fetched into a fresh env, with `pyvenv --install`
# against `uv pip install --no-deps --offline` and `pip install --no-deps
# --no-index --no-compile` (neither pepkit nor uv compiles by default) of
# the same files, each timed as a whole process; pepkit both copying (pip's
# way, its default) and hard-linking from its cache (uv's default). Ratio =
# pepkit / peer.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1
wheels=${PEPKIT_INSTALL_WHEELS:-$HOME/.cache/pepkit/install-wheels}
uv=${PEPKIT_UV:-$HOME/.cache/pepkit/uv/bin/uv}
py=$(pepkit_pythons | grep '3\.12' | tail -n1 || true)
echo "== wheel install: pyvenv --install vs uv pip install and pip install (ratio = pepkit / peer; < 1 is faster)"
if [ ! -f "$wheels/.complete" ] || [ -z "$py" ]; then echo "no wheels or no CPython 3.12 (run .ci/setup): skipped"; exit 0; fi
"$py" bench/install_bench.py target/c/examples/pyvenv "$uv" "$py" "$wheels"
