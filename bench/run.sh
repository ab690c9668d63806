#!/usr/bin/env bash
# make bench: every benchmark, each reporting ratios against its peer measured
# in the same run. Figures are medians; the machine is small and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
mkdir -p target/bench
# The buffer benchmark embeds a CPython with its shared library (pyenv 3.11 if
# present, else the newest found).
py=""
for candidate in $(pepkit_pythons); do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null &&
     "$candidate-config" --embed --ldflags >/dev/null 2>&1; then py=$candidate; break; fi
done
[ -n "$py" ] || py=$(pepkit_pythons | tail -n1)
cflags=$("$py-config" --includes)
ldflags=$("$py-config" --embed --ldflags)
libdir=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
for bench in buffer_bench memoryview_bench; do
  cc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude -Ibench $cflags -o target/bench/$bench bench/$bench.c \
     -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release" -Wl,-rpath,"$libdir" $ldflags
done
echo "== buffer protocol: pepkit vs CPython (ratio = pepkit / peer; < 1 is faster)"
target/bench/buffer_bench
echo
echo "== memoryview: pepkit vs CPython on the same memory"
target/bench/memoryview_bench
for extra in bench/*.sh; do
  [ "$extra" = bench/run.sh ] && continue
  echo
  bash "$extra"
done
