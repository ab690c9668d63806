#!/usr/bin/env bash
# Interchange export + release against numpy's and pyarrow's own, in one
# process embedding the CPython of an interchange venv (.ci/setup makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
echo "== interchange: DLPack and Arrow export + release, pepkit vs numpy / pyarrow"
venv_py=$(pepkit_interchange_pythons | tail -n1)
if [ -z "$venv_py" ]; then echo "SKIPPED: no interpreter with numpy and pyarrow (.ci/setup makes them)"; exit 0; fi
base=$("$venv_py" -c 'import sys; print(sys.base_prefix)')
ver=$("$venv_py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
config="$base/bin/python$ver-config"
site=$("$venv_py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
libdir=$("$venv_py" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
mkdir -p target/bench
# shellcheck disable=SC2046
cc -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-function -Iinclude -Ibench $("$config" --includes) -o target/bench/interchange_bench \
   bench/interchange_bench.c -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release" -Wl,-rpath,"$libdir" \
   $("$config" --embed --ldflags)
PYTHONPATH="$site" target/bench/interchange_bench
