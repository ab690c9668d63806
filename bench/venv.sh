#!/usr/bin/env bash
# Benchmarks pepkit's pyvenv against its peers, in one run, as whole-process
# medians: without pip against `python -m venv --without-pip`, `uv venv` and
# `virtualenv --no-seed`; with pip (native) against `python -m venv` and
# `uv venv --seed --offline`. Prints ratios (pepkit / peer; lower is better).
#
# uv and virtualenv are installed from PyPI into a bench-only env under
# target/bench/tools (made once). PEPKIT_BENCH_PYTHON picks the interpreter
# (default: the newest pyenv 3.11, else python3); PEPKIT_BENCH_RUNS the runs
# per command (default 15); PEPKIT_BENCH_DIR where envs are made (default: a
# fresh directory under /var/tmp, an ordinary disk; on this project's build
# machines /work and /tmp are watched and every written file costs ~0.4 ms
# there, which says nothing about the tools).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh
make --no-print-directory -s examples >/dev/null 2>&1
py=${PEPKIT_BENCH_PYTHON:-}
if [ -z "$py" ]; then
  py=$(pepkit_pythons | grep '/3\.11\.[0-9]*/' | tail -n1 || true)
  [ -n "$py" ] || py=$(command -v python3)
fi
tools=target/bench/tools
if [ ! -x "$tools/bin/uv" ] || [ ! -x "$tools/bin/virtualenv" ]; then
  echo "installing uv and virtualenv into $tools (bench only)..."
  rm -rf "$tools"
  "$py" -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check uv virtualenv
fi
export UV_CACHE_DIR=$PWD/target/bench/uv-cache
export VIRTUALENV_OVERRIDE_APP_DATA=$PWD/target/bench/virtualenv-data
export XDG_CACHE_HOME=$PWD/target/bench/xdg-cache
# uv --seed --offline needs pip in its cache: one online seeded run fills it.
if [ ! -d "$UV_CACHE_DIR" ]; then
  "$tools/bin/uv" venv -q --seed -p "$py" target/bench/uv-warm >/dev/null 2>&1 || true
  rm -rf target/bench/uv-warm
fi
if [ -z "${PEPKIT_BENCH_DIR:-}" ]; then
  PEPKIT_BENCH_DIR=$(mktemp -d /var/tmp/pepkit-bench.XXXXXX)
  trap 'rm -rf "$PEPKIT_BENCH_DIR"' EXIT
fi
export PEPKIT_BENCH_DIR
"$py" bench/venv_bench.py "$py" "$PWD/target/c/examples/pyvenv" "$PWD/$tools/bin"
