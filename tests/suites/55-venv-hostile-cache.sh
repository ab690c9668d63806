#!/usr/bin/env bash
# venv, hostile input (issue 8, items 3 and 4): poisoned facts-cache entries,
# a poisoned wheel cache and zip bombs fed to pyvenv as the bundled pip wheel.
# Each case checks that nothing outside the env changed, that the env is whole
# or absent and that a refusal says why; the driver prints the peak RSS of
# installing a 1 GiB bomb and how many hostile inputs it tried. It runs on one
# CPython (the newest pyenv one with ensurepip, else the system's): the cases
# are about pepkit, not about the interpreter. Disk: ~80 MB at most, for the
# 64 MiB streamed member.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
py=
for p in "${pythons[@]}"; do
  [ -n "$py" ] && [ "$p" = /usr/bin/python3 ] && continue
  "$p" -I -c 'import ensurepip' >/dev/null 2>&1 && py=$p
done
[ -n "$py" ] || { echo "no CPython with ensurepip: SKIPPED"; pepkit_summary 0 0 1; exit 0; }
echo "interpreter: $py"
"$py" tests/oracle/venv_hostile_cache.py target/c/examples/pyvenv "$py"
