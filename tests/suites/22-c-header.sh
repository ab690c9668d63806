#!/usr/bin/env bash
# The header as C++11 (-Werror, included twice, built and run), and ABI
# identity with Py_buffer/PyBUF_* checked against every CPython's Python.h.
cd "$(dirname "$0")/../.."
source tests/lib.sh
make -s lib >/dev/null || exit 1
mkdir -p target/c
pass=0 fail=0 skip=0
if ${CXX:-c++} -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -o target/c/header_cxx c_tests/header_cxx.cpp \
     -Ltarget/release -lpepkit -Wl,-rpath,"$PWD/target/release" && target/c/header_cxx; then
  echo "ok: pepkit.h as C++11"; pass=$((pass + 1))
else
  echo "FAILED: pepkit.h as C++11"; fail=$((fail + 1))
fi
while read -r py; do
  inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
  if [ -z "$inc" ] || [ ! -f "$inc/Python.h" ]; then
    echo "SKIPPED: $py has no Python.h"; skip=$((skip + 1)); continue
  fi
  if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude -I"$inc" -fsyntax-only c_tests/abi_python.c; then
    echo "ok: ABI identity with $("$py" -V 2>&1) ($inc)"; pass=$((pass + 1))
  else
    echo "FAILED: ABI identity with $py"; fail=$((fail + 1))
  fi
done < <(pepkit_pythons)
pepkit_summary $pass $fail $skip
[ $fail -eq 0 ]
