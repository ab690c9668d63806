# Shared shell helpers for tests/suites/*.sh and bench/.

# Every CPython 3.6+ on the machine, one path per line: pyenv's versions, then
# the system's python3 (Debian's). PEPKIT_PYTHONS overrides the list.
pepkit_pythons() {
  if [ -n "${PEPKIT_PYTHONS:-}" ]; then tr ' ' '\n' <<<"$PEPKIT_PYTHONS"; return; fi
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for p in "$root"/versions/3.*/bin/python3; do
    [ -x "$p" ] && echo "$p"
  done | sort -V
  for p in /usr/bin/python3; do
    [ -x "$p" ] && echo "$p"
  done
}

# The status line every suite ends with.
pepkit_summary() { echo "$1 passed, $2 failed${3:+, $3 skipped}"; }

# Builds make target $1 quietly. If that fails, prints "building ${2:-$1} failed" and
# a failing status line, and exits the calling suite.
pepkit_build() {
  make --no-print-directory -s "$1" >/dev/null 2>&1 && return
  echo "building ${2:-$1} failed"; pepkit_summary 0 1; exit 1
}

# Reads every CPython (pepkit_pythons) into the array `pythons`. If there are
# none, prints a skipped status line and exits the calling suite.
pepkit_need_pythons() {
  mapfile -t pythons < <(pepkit_pythons)
  [ ${#pythons[@]} -gt 0 ] && return
  echo "no CPython found: SKIPPED"; pepkit_summary 0 0 1; exit 0
}

# Runs oracle scripts under every CPython and prints the suite's summary:
#   pepkit_oracle_suite LABEL "PYTHON FLAGS" SCRIPT...
# Each script gets the library path as its argument and ends with
# "N passed, N failed" (exit 77 after "SKIPPED: reason" to be skipped). One
# seed for the whole run (printed; PEPKIT_SEED= reproduces it);
# PEPKIT_ORACLE_SCALE multiplies case counts, PEPKIT_LIB overrides the
# library, PEPKIT_PYTHONS the interpreters. Returns non-zero on any failure.
pepkit_oracle_suite() {
  local label=$1 pyflags=$2; shift 2
  local scripts=("$@")
  local lib=${PEPKIT_LIB:-$PWD/target/release/libpepkit.so}
  export PEPKIT_SEED=${PEPKIT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
  echo "$label: library $lib, seed $PEPKIT_SEED (rerun with PEPKIT_SEED=$PEPKIT_SEED), scale ${PEPKIT_ORACLE_SCALE:-1}"
  local passed=0 failed=0 skipped=0
  if [ ! -f "$lib" ]; then
    echo "FAILED: $lib does not exist (run 'make lib' first)"
    pepkit_summary 0 1 0
    return 1
  fi
  local pythons py version script name start out rc secs reason line p f
  mapfile -t pythons < <(pepkit_pythons)
  [ ${#pythons[@]} -gt 0 ] || { echo "SKIPPED: no CPython found"; skipped=$((skipped + 1)); }
  for py in "${pythons[@]}"; do
    # shellcheck disable=SC2086
    version=$("$py" $pyflags -c 'import sys, platform
assert platform.python_implementation() == "CPython" and sys.version_info >= (3, 6)
print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
    if [ -z "$version" ]; then
      echo "SKIPPED: $py: not a working CPython 3.6+"
      skipped=$((skipped + ${#scripts[@]}))
      continue
    fi
    for script in "${scripts[@]}"; do
      name=$(basename "$script" .py)
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      out=$("$py" $pyflags "$script" "$lib" 2>&1)
      rc=$?
      secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
      if [ "$rc" -eq 77 ]; then
        reason=$(grep -m1 '^SKIPPED: ' <<<"$out" | sed 's/^SKIPPED: //')
        echo "SKIPPED: $py: $name: ${reason:-skipped}"
        skipped=$((skipped + 1))
        continue
      fi
      line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
      p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed}")
      f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"${line:-0 failed}")
      if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
        f=$((f + 1))  # crashed or printed no summary: count it
      fi
      passed=$((passed + p)); failed=$((failed + f))
      echo "python $version ($py) $name: $p passed, $f failed, rc=$rc, ${secs}s"
      if [ "$f" -ne 0 ]; then
        sed 's/^/    | /' <<<"$out" | tail -n 60
      else
        grep -E '^  ' <<<"$out" | sed 's/^/    /'
      fi
    done
  done
  pepkit_summary "$passed" "$failed" "$skipped"
  [ "$failed" -eq 0 ]
}

# The interpreters .ci/setup gave numpy, pyarrow and nanoarrow (the peers of
# the interchange oracle), one path per line: the venvs under
# ${PEPKIT_CI_VENVS:-~/.cache/pepkit-ci}/interchange-*. PEPKIT_INTERCHANGE_PYTHONS
# overrides the list.
pepkit_interchange_pythons() {
  if [ -n "${PEPKIT_INTERCHANGE_PYTHONS:-}" ]; then tr ' ' '\n' <<<"$PEPKIT_INTERCHANGE_PYTHONS"; return; fi
  local p
  for p in "${PEPKIT_CI_VENVS:-$HOME/.cache/pepkit-ci}"/interchange-*/bin/python; do
    [ -x "$p" ] && echo "$p"
  done | sort -V
}

# Runs the C test binaries $1/test_* (linked with gcc's ASan and UBSan) and
# adds their counts to the caller's `pass` and `fail`; a binary that is not
# ASan-linked, prints no count or exits non-zero counts as a failure.
pepkit_run_c_tests() {
  local t out rc line p f
  for t in "$1"/test_*; do
    if ! nm "$t" | grep -q __asan_init; then echo "$t is not linked with ASan"; fail=$((fail + 1)); continue; fi
    out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t" 2>&1)
    rc=$?
    echo "$out" | tail -n 20
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    [ -z "$line" ] && p=0 f=1
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "$t exited $rc"
    pass=$((pass + p)); fail=$((fail + f))
  done
}
