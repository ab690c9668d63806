#!/usr/bin/env bash
# Import resolution: pepkit_find_spec_ex (bench/import_bench.c) against a
# Python loop calling importlib.util.find_spec, on the same 10,000 names over
# the same 20-entry path (bench/import_tree.py makes the tree: modules,
# packages, extension and sourceless files, namespace packages over 2-4
# entries, 20% missing names), with the interpreter's own extension suffixes.
# importlib keeps a per-directory listing cache (FileFinder) between calls, so
# its warm passes are its steady state; pepkit_find_spec_ex keeps no state
# between calls, and a pepkit_finder caches listings as importlib does.
# Both sides count their outcomes; the counts must agree. A snapshot finder
# (pepkit_finder_new_snapshot, revalidating at most once a second) is timed
# beside them, and pepkit_walk_packages (and a snapshot finder's kept walk)
# against pkgutil.walk_packages (which
# imports every package it lists; run with -B so no __pycache__ is written
# into the tree), whose module counts must agree too.
# Then the same over the tree zipped, one archive per entry (bench/import_tree.py
# zip): pepkit's zip lookups and listing against zipimport's, in the same run.
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
# The same tree zipped: zip lookups against zipimport.
"$py" -S bench/import_tree.py zip "$dir/tree" "$dir/ztree"
mapfile -t ext < <("$py" -S -c 'import importlib.machinery as m; print("\n".join(m.EXTENSION_SUFFIXES))')
# bench_tree LABEL TREE: both sides on one tree, the table and the ratios.
bench_tree() {
local label=$1 tree=$2 stateless_runs=$3 cold warm py_counts ours finder_cold finder_warm snap_warm our_walk snap_walk snap0_walk our_listed our_ns our_counts
local walk_cold walk_warm py_listed
read -r cold warm py_counts < <("$py" -S bench/import_tree.py time "$tree" "$runs")
read -r ours finder_cold finder_warm snap_warm our_walk snap_walk snap0_walk our_listed our_ns our_counts < <(PEPKIT_BENCH_STATELESS_RUNS=$stateless_runs target/bench/import_bench "$tree" "$runs" "${ext[@]}")
read -r walk_cold walk_warm py_listed < <("$py" -S -B bench/import_tree.py walk "$tree" "$runs")
py_counts=$(sed -e 's/SourceFileLoader/source/; s/SourcelessFileLoader/bytecode/; s/ExtensionFileLoader/extension/' <<<"$py_counts" | tr ' ' '\n' | sort | tr '\n' ' ')
our_counts=$(tr ' ' '\n' <<<"$our_counts" | grep -v '=0$' | sort | tr '\n' ' ')
echo "== import resolution ($label): 10,000 names over a 20-entry path, $("$py" -V 2>&1) (ratio = pepkit / peer; < 1 is faster)"
awk -v o="$ours" -v fc="$finder_cold" -v fw="$finder_warm" -v sw="$snap_warm" -v c="$cold" -v w="$warm" 'BEGIN {
  printf "| %-52s | %12s | %9s |\n", "resolver", "10,000 names", "per name"
  printf "|%s|%s|%s|\n", "------------------------------------------------------", "--------------", "-----------"
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_find_spec_ex (no cache)", o, o * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_finder_find_spec, first pass (fills caches)", fc, fc * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "pepkit_finder_find_spec, warm (median)", fw, fw * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "snapshot finder (1 s interval), warm (median)", sw, sw * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "importlib.util.find_spec, first pass (fills caches)", c, c * 1000 / 10000
  printf "| %-52s | %9.1f ms | %6.2f us |\n", "importlib.util.find_spec, warm (median)", w, w * 1000 / 10000
  printf "ratio pepkit_find_spec_ex / importlib warm: %.2fx; / importlib first pass: %.2fx\n", o / w, o / c
  printf "ratio pepkit_finder warm / importlib warm: %.3fx; first passes: %.2fx\n", fw / w, fc / c
  printf "ratio snapshot finder warm / importlib warm: %.3fx (%.1fx faster)\n", sw / w, w / sw
}'
if [ "$py_counts" != "$our_counts" ]; then
  echo "MISMATCH: importlib found $py_counts; pepkit found $our_counts"
  return 1
fi
echo "outcomes agree: $our_counts"
echo "== listing ($label): pepkit_walk_packages against pkgutil.walk_packages over the same 20 entries"
awk -v p="$our_walk" -v s="$snap_walk" -v z="$snap0_walk" -v c="$walk_cold" -v w="$walk_warm" -v pl="$our_listed" -v pn="$our_ns" -v yl="$py_listed" 'BEGIN {
  printf "| %-52s | %9.1f ms | %6d modules (+%d namespace) |\n", "pepkit_walk_packages (median)", p, pl, pn
  printf "| %-52s | %9.1f ms | %6d modules (+%d namespace) |\n", "snapshot finder walk (1 s interval), warm (median)", s, pl, pn
  printf "| %-52s | %9.1f ms | %6d modules (+%d namespace) |\n", "snapshot walk, 0 s interval (a stat a directory)", z, pl, pn
  printf "| %-52s | %9.1f ms | %6d modules |\n", "pkgutil.walk_packages, first walk (imports packages)", c, yl
  printf "| %-52s | %9.1f ms | %6d modules |\n", "pkgutil.walk_packages, later walks (median)", w, yl
  printf "ratio pepkit_walk_packages / pkgutil first walk: %.3fx (%.1fx faster); / later walks: %.3fx (%.1fx faster)\n", p / c, c / p, p / w, w / p
  printf "ratio snapshot finder walk warm / pkgutil later walks: %.3fx (%.1fx faster); revalidated each walk: %.3fx (%.1fx faster)\n", s / w, w / s, z / w, w / z
}'
if [ "$our_listed" != "$py_listed" ]; then
  echo "MISMATCH: pkgutil listed $py_listed modules; pepkit $our_listed"
  return 1
fi
}
bench_tree directories "$dir/tree" "$runs"
# One stateless pass over the archives: each lookup reads all 20 indexes (~25 s a pass).
bench_tree "zip archives, zipimport" "$dir/ztree" 1
