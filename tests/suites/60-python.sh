#!/usr/bin/env bash
# The Python package (python/): for every CPython 3.8+ on the machine, a fresh
# env made by pepkit's own pyvenv (native pip), the package installed into it
# (the wheel `make wheel` wrote; on the newest interpreter `pip install ./python`
# through the build backend instead), then pytest on python/tests. numpy
# and pyarrow, which .ci/setup fetches for every version, are required (a
# missing wheel fails the version rather than skipping its zero-copy tests);
# the lifetime tests run once more under PYTHONMALLOC=debug; mypy --strict
# checks the package and the tests on the interpreter that has mypy. No network:
# test dependencies come from target/python-wheels (see .ci/setup).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build wheel
pepkit_build examples
pepkit_need_pythons
export PEPKIT_SEED=${PEPKIT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "python: seed $PEPKIT_SEED (rerun with PEPKIT_SEED=$PEPKIT_SEED)"
wheels=$PWD/target/python-wheels
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0

# Adds pytest's "N passed, N failed, N skipped" from output $1 to the totals.
count_pytest() {
  local line p f s e
  line=$(grep -E '[0-9]+ (passed|failed|skipped|errors?|deselected).* in [0-9.]+s' <<<"$1" | tail -n1)
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  e=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  [ -n "$line" ] || f=1
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + s))
  echo "    $p passed, $((f + e)) failed, $s skipped"
}

# The newest interpreter (by version, not list order) installs from source.
newest=$(for py in "${pythons[@]}"; do
  "$py" -c 'import sys; print("%d %d %d" % sys.version_info[:3])' 2>/dev/null | sed "s|\$| $py|"
done | sort -n -k1,1 -k2,2 -k3,3 | tail -n1 | cut -d' ' -f4-)
for py in "${pythons[@]}"; do
  ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' || { echo "python $ver ($py): below 3.8, not supported"; continue; }
  tag=cp${ver/./}
  env=$work/env-$tag-$RANDOM
  echo "python $ver ($py)"
  if [ ! -d "$wheels/$tag" ] || ! ls "$wheels/$tag"/pytest-*.whl >/dev/null 2>&1; then
    echo "    SKIPPED: no test wheels in $wheels/$tag (run .ci/setup)"; skipped=$((skipped + 1)); continue
  fi
  if ! out=$(target/c/examples/pyvenv --python "$py" "$env" 2>&1); then
    echo "    pyvenv failed: $out"; failed=$((failed + 1)); continue
  fi
  if [ "$py" = "$newest" ]; then
    what="pip install ./python"
    out=$("$env/bin/python" -m pip install -q --no-index ./python 2>&1)
  else
    what="pip install the wheel"
    out=$("$env/bin/python" -m pip install -q --no-index --find-links target/wheels pepkit 2>&1)
  fi
  rc=$?
  deps=(pytest numpy pyarrow)
  ls "$wheels/$tag"/mypy-*.whl >/dev/null 2>&1 && deps+=(mypy)
  [ $rc -eq 0 ] && { out=$("$env/bin/python" -m pip install -q --no-index --find-links "$wheels/$tag" "${deps[@]}" 2>&1); rc=$?; }
  if [ $rc -ne 0 ]; then
    echo "    $what or test dependencies failed:"; sed 's/^/    | /' <<<"$out" | tail -20
    failed=$((failed + 1)); continue
  fi
  passed=$((passed + 1))
  echo "    $what: ok (with ${deps[*]})"
  # Run from outside the checkout, so `import pepkit` is the installed one.
  out=$(cd "$work" && "$env/bin/python" -m pytest -q -rs -p no:cacheprovider "$OLDPWD/python/tests" 2>&1)
  rc=$?
  count_pytest "$out"
  [ $rc -eq 0 ] || sed 's/^/    | /' <<<"$out" | tail -60
  grep -E '^SKIPPED' <<<"$out" | sed -E 's/^SKIPPED \[([0-9]+)\] [^ ]*: /\1 skipped: /' | sort | uniq | sed 's/^/    /' | head -5
  # The newest, and 3.8, whose buffer slots are written into the type by hand.
  if [ "$py" = "$newest" ] || [ "$ver" = 3.8 ]; then
    echo "  lifetime tests under PYTHONMALLOC=debug"
    out=$(cd "$work" && PYTHONMALLOC=debug "$env/bin/python" -X dev -m pytest -q -p no:cacheprovider \
      "$OLDPWD/python/tests/test_objects.py" "$OLDPWD/python/tests/test_numpy.py" \
      "$OLDPWD/python/tests/test_interchange.py" 2>&1)
    rc=$?
    count_pytest "$out"
    [ $rc -eq 0 ] || sed 's/^/    | /' <<<"$out" | tail -40
  fi
  if [[ " ${deps[*]} " == *" mypy "* ]]; then
    echo "  mypy --strict on the package and the tests"
    if out=$(cd "$work" && "$env/bin/python" -m mypy --strict --no-incremental --cache-dir=/dev/null \
        "$OLDPWD/python/pepkit" "$OLDPWD/python/tests" 2>&1); then
      passed=$((passed + 1)); echo "    $out"
    else
      failed=$((failed + 1)); sed 's/^/    | /' <<<"$out" | tail -30
    fi
  fi
done
pepkit_summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
