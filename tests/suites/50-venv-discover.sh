#!/usr/bin/env bash
# Interpreter discovery against `uv python find` (uv 0.13.8 from PyPI,
# installed by .ci/setup): tests/oracle/venv_discover.py makes machine
# layouts (PATH directories with true, lying, dangling and unrunnable
# interpreter names; uv's managed folder with and without minor-version
# links) and asks both tools for a table of requests; then `pyvenv --python
# REQUEST` must build the env on the interpreter uv names for it.
# PEPKIT_SEED reproduces a run, PEPKIT_ORACLE_SCALE multiplies the scenarios.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
pyvenv=$PWD/target/c/examples/pyvenv
uv=${PEPKIT_UV:-$HOME/.cache/pepkit/uv/bin/uv}
if [ ! -x "$uv" ]; then echo "SKIPPED: $uv is missing (.ci/setup installs it)"; pepkit_summary 0 0 1; exit 0; fi
export PEPKIT_SEED=${PEPKIT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
out=$(python3 tests/oracle/venv_discover.py "$pyvenv" "$uv" "${pythons[@]}" 2>&1)
rc=$?
grep -v '^scenario ' <<<"$out"
read -r pass fail < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' <<<"$out" | tail -n1)
pass=${pass:-0} fail=${fail:-0}
[ $rc -eq 0 ] || [ "$fail" -gt 0 ] || fail=1

# --python REQUEST at creation: the env's interpreter is the one uv finds.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/managed" "$work/home" "$work/cwd"
for py in "${pythons[@]}"; do
  mm=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  [ -e "$work/bin/python$mm" ] || ln -s "$(readlink -f "$py")" "$work/bin/python$mm"
done
run_env() {
  (cd "$work/cwd" && env -i HOME="$work/home" PATH="$work/bin" UV_PYTHON_INSTALL_DIR="$work/managed" \
    UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 UV_CACHE_DIR="$work/uv-cache" XDG_CACHE_HOME="$work/cache" \
    PYENV_ROOT="$work/no-pyenv" "$@")
}
for link in "$work"/bin/python3.*; do
  req=${link##*/python}
  want=$(run_env "$uv" python find "$req" 2>&1)
  rm -rf "$work/env"
  if ! err=$(run_env "$pyvenv" --without-pip --python "$req" "$work/env" 2>&1); then
    fail=$((fail + 1)); echo "FAIL --python $req: $err"; continue
  fi
  got=$("$work/env/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.prefix == sys.argv[1])' "$work/env")
  home=$(sed -n 's/^home = //p' "$work/env/pyvenv.cfg")
  if [ "$got" = "$req True" ] && [ "$home" = "$(dirname "$want")" ]; then
    pass=$((pass + 1)); echo "ok   --python $req: env on $want"
  else
    fail=$((fail + 1)); echo "FAIL --python $req: env python says '$got', home '$home', uv finds '$want'"
  fi
done
# A shim (a #! script choosing the interpreter at each run, as pyenv's do):
# after the choice changes, both tools name the new interpreter (pepkit does
# not cache what a script ran).
if [ ${#pythons[@]} -ge 2 ]; then
  mkdir -p "$work/shims"
  printf '#!/bin/sh\nread -r p <%s\nexec "$p" "$@"\n' "$work/selected" >"$work/shims/python3"
  chmod +x "$work/shims/python3"
  for py in "${pythons[0]}" "${pythons[-1]}"; do
    readlink -f "$py" >"$work/selected"
    want=$("$py" -c 'import sys; print(sys.executable)')
    want=$(readlink -f "$want")
    got=$(cd "$work/cwd" && env -i HOME="$work/home" PATH="$work/shims" UV_PYTHON_INSTALL_DIR="$work/managed" \
      XDG_CACHE_HOME="$work/cache" PYENV_ROOT="$work/no-pyenv" "$pyvenv" --find-python 3 2>&1)
    theirs=$(run_env /usr/bin/env PATH="$work/shims" "$uv" python find 3 2>&1)
    if [ "$got" = "$want" ] && [ "$theirs" = "$want" ]; then
      pass=$((pass + 1)); echo "ok   a shim now running $py: both name $want"
    else
      fail=$((fail + 1)); echo "FAIL a shim now running $py: pepkit '$got', uv '$theirs', want '$want'"
    fi
  done
fi
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
