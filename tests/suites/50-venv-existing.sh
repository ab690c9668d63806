#!/usr/bin/env bash
# venv, --allow-existing against `uv venv --allow-existing` (uv from PyPI,
# installed by .ci/setup): an existing env of one CPython re-made for
# another, and a non-empty directory that is no env, each twice at the same
# path (once by uv, once by pepkit). Both keep every file that was there,
# and the env's python, python3 and pyvenv.cfg name the new interpreter;
# without the flag pepkit does what python -m venv does (keeps the old links).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
pyvenv=$PWD/target/c/examples/pyvenv
uv=${PEPKIT_UV:-$HOME/.cache/pepkit/uv/bin/uv}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
if [ ! -x "$uv" ]; then echo "SKIPPED: $uv is missing (.ci/setup installs it)"; pepkit_summary 0 0 1; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" HOME="$work/home" UV_CACHE_DIR="$work/uv-cache" UV_NO_CONFIG=1 \
  UV_PYTHON_DOWNLOADS=never UV_OFFLINE=1
mkdir -p "$HOME"

# What an env's interpreters say, and what was kept: one line to compare.
facts_of() {  # env
  local e=$1 out="" n
  for n in python python3; do
    out+="$n=$("$e/bin/$n" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.prefix == sys.argv[1])' "$e" 2>&1)|"
  done
  out+="cfg=$(sed -n 's/^version\(_info\)\? = \([0-9]*\.[0-9]*\).*/\2/p' "$e/pyvenv.cfg" | head -n1)|"
  out+="kept=$(cat "$e/keep.txt" 2>/dev/null)$(ls "$e/keep-dir" 2>/dev/null)"
  echo "$out"
}

# setup: "env OLD" (a python -m venv env of OLD, plus files) or "dir" (files only).
prepare() {  # dir setup [old python]
  rm -rf "$1"; mkdir -p "$1"
  if [ "$2" = env ]; then "$3" -m venv --without-pip "$1" || return 1; fi
  echo mine >"$1/keep.txt"; mkdir -p "$1/keep-dir"; touch "$1/keep-dir/inner"
}

mapfile -t pys < <(pepkit_pythons)
n=${#pys[@]}
for ((i = 0; i < n; i++)); do
  new=${pys[i]}; old=${pys[(i + 1) % n]}
  [ "$old" = "$new" ] && continue
  nv=$("$new" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  ov=$("$old" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  [ "$nv" = "$ov" ] && continue
  env=$work/project/env
  for setup in env dir; do
    label="$ov -> $nv, existing $setup"
    prepare "$env" $setup "$old" || { bad "$label: setup"; continue; }
    if ! (cd "$work" && "$uv" venv -q --allow-existing -p "$new" "$env" >"$work/err" 2>&1); then
      bad "$label: uv failed: $(head -c 300 "$work/err")"; continue
    fi
    theirs=$(facts_of "$env")
    prepare "$env" $setup "$old"
    if ! "$pyvenv" --without-pip --allow-existing --python "$new" "$env" >"$work/err" 2>&1; then
      bad "$label: pyvenv failed: $(head -c 300 "$work/err")"; continue
    fi
    ours=$(facts_of "$env")
    want="python=$nv True|python3=$nv True|cfg=$nv|kept=mineinner"
    if [ "$ours" = "$theirs" ] && [ "$ours" = "$want" ]; then ok "$label: same as uv: $ours"
    else bad "$label: pepkit [$ours] uv [$theirs] want [$want]"; fi
  done
  # Without the flag: python -m venv's own behaviour, which keeps the old links.
  label="$ov -> $nv, existing env, no flag"
  links() { (cd "$env/bin" && for f in python*; do printf '%s>%s ' "$f" "$(readlink "$f")"; done); }
  prepare "$env" env "$old" && "$new" -m venv --without-pip "$env" >/dev/null 2>&1
  theirs=$(links)
  prepare "$env" env "$old" && "$pyvenv" --without-pip --python "$new" "$env" >/dev/null 2>&1
  ours=$(links)
  [ "$ours" = "$theirs" ] && ok "$label: links as python -m venv's: $ours" || bad "$label: pepkit [$ours], python -m venv [$theirs]"
done
pepkit_summary "$pass" "$fail"
[ "$fail" -eq 0 ]
