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
