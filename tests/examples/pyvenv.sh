#!/usr/bin/env bash
# examples/pyvenv's command line against argparse: the same error line and
# exit status as `python -m venv` for the flags they share (under every
# CPython; the cases involving flags older venvs lack under 3.13+), and as an argparse parser
# declaring pyvenv's own options the same way for the rest. Only invocations
# that fail before creating anything are compared; --help and --version too.
set -u
pyvenv=$(realpath "$1")
cd "$(dirname "$0")/../.."
root=$PWD
source tests/lib.sh
dir=$(mktemp -d /tmp/pepkit-pyvenv-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
rc=0 compared=0

# pyvenv's options as an argparse parser would declare them (same order, so
# ambiguous matches are listed in the same order).
parser='
import argparse, sys
p = argparse.ArgumentParser(prog="pyvenv")
p.add_argument("dirs", metavar="ENV_DIR", nargs="+")
p.add_argument("--system-site-packages", action="store_true")
g = p.add_mutually_exclusive_group()
g.add_argument("--symlinks", action="store_true")
g.add_argument("--copies", action="store_true")
p.add_argument("--clear", action="store_true")
p.add_argument("--upgrade", action="store_true")
p.add_argument("--without-pip", action="store_true")
p.add_argument("--prompt")
p.add_argument("--upgrade-deps", action="store_true")
p.add_argument("--without-scm-ignore-files", action="store_true")
p.add_argument("--python")
p.add_argument("--force", action="store_true")
p.add_argument("--pip", choices=["native", "ensurepip"])
p.add_argument("--link-mode", choices=["hardlink", "copy"])
p.add_argument("--no-cache", action="store_true")
p.add_argument("--facts-file")
p.add_argument("--relocatable", action="store_true")
p.add_argument("--allow-existing", action="store_true")
p.add_argument("--no-cachedir-tag", action="store_true")
p.add_argument("--activators")
p.add_argument("--verbose", action="store_true")
p.add_argument("--version", action="version", version="pyvenv")
p.add_argument("--check", action="store_true")  # issue 13: appended
p.add_argument("--install", action="append")
p.add_argument("--ignore-requires-python", action="store_true")
p.add_argument("--find-python")
p.parse_args()
sys.exit(3)  # parsed: pyvenv would go on to create the env
'

# last_error CMD...: "STATUS LAST-STDERR-LINE" of one run.
last_error() {
  local err status
  err=$("$@" 2>&1 >/dev/null)
  status=$?
  printf '%s %s' "$status" "$(tail -n1 <<<"$err")"
}

# compare LABEL "STATUS LINE" ARGS...
compare() {
  local label=$1 want=$2 got; shift 2
  got=$(last_error "$pyvenv" "$@")
  compared=$((compared + 1))
  if [ "$got" != "$want" ]; then
    echo "pyvenv $* ($label):"
    echo "  want: $want"
    echo "  got:  $got"
    rc=1
  fi
}

# Shared with python -m venv (errors raised before anything is created). The
# first list reads the same under every CPython 3.6+; the second involves
# flags only 3.13's venv has all of (--upgrade-deps, --without-scm-ignore-files).
common_cases=(
  "--s e1" "--sy e1" "--pro" "--prompt" "--prompt -x e1" "--clear=1 e1" "--symlinks --cop e1"
  "--copies --sym e1" "--foo" "--foo e1 --bar" "-x e1" "--syst=x e1" "" "--without-p=1 e1"
  "--h=x" "--prompt --s e1" "-h --s" "--clear=1 --s e1" "--pro --foo e1"
)
full_cases=("--clea --up e1" "--with e1" "--up e1" "--upgr --cle e1")
n_py=0 n_full=0
while read -r py; do
  cases=("${common_cases[@]}")
  if "$py" -m venv --help 2>/dev/null | grep -q -- --without-scm-ignore-files; then
    cases+=("${full_cases[@]}"); n_full=$((n_full + 1))
  fi
  n_py=$((n_py + 1))
  for args in "${cases[@]}"; do
    # shellcheck disable=SC2086
    want=$(last_error "$py" -m venv $args | sed 's/ venv: / pyvenv: /')
    [ "${want%% *}" != 0 ] || { echo "python -m venv $args succeeded under $py: not an error case"; rc=1; continue; }
    # shellcheck disable=SC2086
    compare "python -m venv under $py" "$want" $args
  done
  # A word with a space is a value even when it starts with '-'; "-5" too.
  for prompt in "-a b" "-5"; do
    want=$(last_error "$py" -m venv --prompt "$prompt" --upgrade --clear e1)
    compare "python -m venv under $py" "$want" --prompt "$prompt" --upgrade --clear e1
  done
  rm -rf "$dir"/e1
done < <(pepkit_pythons)
[ $n_full -gt 0 ] || echo "SKIPPED: no CPython whose venv has --without-scm-ignore-files (3.13+): $((${#full_cases[@]})) cases not compared"
[ $n_py -gt 0 ] || echo "SKIPPED: no CPython"

# pyvenv's own options against the same declarations in argparse.
own_cases=(
  "--pip=foo e1" "--pi x e1" "--p e1" "--pip" "--link-mode copyy e1" "--l e1" "--no-c=1 e1"
  "--ver e1" "--facts-file" "--pyth -x e1" "--pip ensurepip --link-mode=hard e1" "--f e1"
  "--a e1" "--activators" "--reloc=1 e1" "--no-cachedir-tag=x e1" "--al e1 --foo"
)
py=$(pepkit_pythons | tail -n1)
if [ -n "$py" ]; then
  for args in "${own_cases[@]}"; do
    # shellcheck disable=SC2086
    want=$(last_error "$py" -c "$parser" $args)
    [ "${want%% *}" = 2 ] || { echo "argparse accepted $args: not an error case"; rc=1; continue; }
    # shellcheck disable=SC2086
    compare "argparse under $py" "$want" $args
  done
fi

# --help, its abbreviation, --version.
"$pyvenv" --help | head -n1 | grep -q '^usage: pyvenv ' || { echo "pyvenv --help: no usage line"; rc=1; }
[ "$("$pyvenv" --he)" = "$("$pyvenv" -h)" ] || { echo "pyvenv --he differs from -h"; rc=1; }
want=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" 2>/dev/null | head -n1)
[ "$("$pyvenv" --version)" = "pyvenv $want" ] || { echo "pyvenv --version: $("$pyvenv" --version)"; rc=1; }
[ ! -e "$dir/e1" ] || { echo "an error case created e1"; rc=1; }
echo "pyvenv: $compared command lines compared with argparse"
exit $rc
