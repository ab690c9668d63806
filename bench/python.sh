#!/usr/bin/env bash
# pepkit for Python (bench/python_bench.py) in an env made by pyvenv with the
# wheel and numpy (from target/python-wheels, see .ci/setup), on the newest
# CPython that has numpy wheels there.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
echo "== pepkit for Python: memoryview(o), numpy.asarray(o), numpy.from_dlpack(o) vs the same on a numpy array"
make -s wheel examples >/dev/null
py="" tag="" best=0
for p in $(pepkit_pythons); do
  v=$("$p" -c 'import sys; print("%d%02d %d%d" % (sys.version_info[:2] * 2))' 2>/dev/null) || continue
  t=cp${v#* }
  [ "${v% *}" -gt "$best" ] && ls target/python-wheels/"$t"/numpy-*.whl >/dev/null 2>&1 && { py=$p; tag=$t; best=${v% *}; }
done
[ -n "$py" ] || { echo "SKIPPED: no numpy wheel in target/python-wheels (run .ci/setup)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/c/examples/pyvenv --python "$py" "$work/env" >/dev/null
"$work/env/bin/python" -m pip install -q --no-index --find-links target/wheels \
  --find-links "target/python-wheels/$tag" pepkit numpy
(cd "$work" && "$work/env/bin/python" "$OLDPWD/bench/python_bench.py")
