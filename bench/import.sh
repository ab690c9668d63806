#!/usr/bin/env bash
# Import resolution: pepkit_find_spec_ex (bench/import_bench.c) against a
# Python loop calling importlib.util.find_spec, on the same 10,000 names over
# the same 20-entry path (bench/import_tree.py makes the tree: modules,
# packages, extension and sourceless files, namespace packages over 2-4
# entries, 20% missing names), with the interpreter's own extension suffixes.
# importlib keeps a per-directory listing cache (FileFinder) between calls, so
# its warm passes are its steady state; pepkit_find_spec_ex keeps no state
# between calls, and a pepkit_finder caches listings as importlib does.
# Both sides count their outcomes; the counts must agree.
# PEPKIT_BENCH_PYTHON picks the interpreter (default: pyenv's 3.11, else
# python3), PEPKIT_BENCH_RUNS the passes (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh
py=${PEPKIT_BENCH_PYTHON:-}
if [ -z "$py" ]; then
  py=$(pepkit_pythons | grep '/3\.11\.[0-9]*/' | tail -n1 || true)
  [ -n "$py" ] || py=$(command -v python3)
fi
runs=${PEPKIT_BENCH_RUNS:-5}
mkdir -p target/bench
cc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude -Ibench -o target/bench/import_bench bench/import_bench.c \
   -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release"
# /var/tmp: an ordinary disk (see bench/venv.sh on why not /tmp or /work).
dir=$(mktemp -d /var/tmp/pepkit-import-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$py" -S bench/import_tree.py make "$dir/tree"
mapfile -t ext < <("$py" -S -c 'import importlib.machinery as m; print("\n".join(m.EXTENSION_SUFFIXES))')
read -r cold warm py_counts < <("$py" -S bench/import_tree.py time "$dir/tree" "$runs")
read -r ours finder_cold finder_warm our_counts < <(target/bench/import_bench "$dir/tree" "$runs" "${ext[@]}")
py_counts=$(sed -e 's/SourceFileLoader/source/; s/SourcelessFileLoader/bytecode/; s/ExtensionFileLoader/extension/' <<<"$py_counts" | tr ' ' '\n' | sort | tr '\n' ' ')
our_counts=$(tr ' ' '\n' <<<"$our_counts" | sort | tr '\n' ' ')
echo "== import resolution: 10,000 names over a 20-entry path, $("$py" -V 2>&1) (ratio = pepkit / peer; < 1 is faster)"
awk -v o="$ours" -v fc="$finder_cold" -v fw="$finder_warm" -v c="$cold" -v w="$warm" 'BEGIN {
  printf "| %-52s | %12s | %9s |\n", "resolver", "10,000 names", "per name"
  printf "|%s|%s|%s|\n", "------------------------------------------------------", "--------------", "-----------"
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_find_spec_ex (no cache)", o, o * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_finder_find_spec, first pass (fills caches)", fc, fc * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_finder_find_spec, warm (median)", fw, fw * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "importlib.util.find_spec, first pass (fills caches)", c, c * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "importlib.util.find_spec, warm (median)", w, w * 1000 / 10000
  printf "ratio pepkit_find_spec_ex / importlib warm: %.2fx; / importlib first pass: %.2fx\n", o / w, o / c
  printf "ratio pepkit_finder warm / importlib warm: %.3fx; first passes: %.2fx\n", fw / w, fc / c
}'
if [ "$py_counts" != "$our_counts" ]; then
  echo "MISMATCH: importlib found $py_counts; pepkit found $our_counts"
  exit 1
fi
echo "outcomes agree: $our_counts"
