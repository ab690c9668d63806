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
