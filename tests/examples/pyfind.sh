#!/usr/bin/env bash
# examples/pyfind against importlib: the same tree, the same names, the same
# printed lines from every CPython on the machine (each with its own
# EXTENSION_SUFFIXES passed through -e).
set -u
pyfind=$(realpath "$1")
cd "$(dirname "$0")/../.."
source tests/lib.sh
dir=$(mktemp -d /tmp/pepkit-pyfind.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/a/ns/inner" "$dir/b/ns" "$dir/b/pkg" "$dir/c/ns" "$dir/a/ns2" "$dir/c/ns2"
: >"$dir/a/ns/inner/deep.py" ; : >"$dir/b/ns/mod.py" ; : >"$dir/b/pkg/__init__.py" ; : >"$dir/c/ns2/m.pyc"
: >"$dir/c/ns/__init__.py" ; : >"$dir/a/solo.py" ; : >"$dir/b/solo.abi3.so" ; : >"$dir/b/ext.abi3.so" ; : >"$dir/a/Case.py"
entries=("$dir/a" "$dir/b" "$dir/c")
# ns: portions in a and b, then a regular package in c, which wins.
names=(ns ns2 ns2.m ns.inner ns.mod pkg solo ext Case case pkg.missing solo.sub missing)
# The printed lines importlib gives, in pyfind's format.
expect='
import importlib.machinery as m, importlib.util as u, sys
names = sys.argv[1].split()
if len(sys.argv) > 2:
    sys.path[:] = sys.argv[2:]
L = {m.SourceFileLoader: "source", m.SourcelessFileLoader: "bytecode", m.ExtensionFileLoader: "extension"}
for n in names:
    try:
        s = u.find_spec(n)
    except (ModuleNotFoundError, AttributeError):  # 3.6: a module parent has no __path__
        s = None
    if s is None:
        print("%s: not found" % n)
        continue
    loc = s.submodule_search_locations
    kind = "namespace" if s.loader is None else ("package " + L[type(s.loader)] if loc is not None else L[type(s.loader)])
    origin = s.origin if s.loader is not None else None
    print("%s: %s %s" % (n, kind, origin))
    for p in (loc or []):
        print("  " + p)
'
rc=0
while read -r py; do
  mapfile -t ext < <("$py" -S -c 'import importlib.machinery as m; print("\n".join(m.EXTENSION_SUFFIXES))')
  flags=(); for s in "${ext[@]}"; do flags+=(-e "$s"); done
  want=$("$py" -S -c "$expect" "${names[*]}" "${entries[@]}")
  got=$(for n in "${names[@]}"; do "$pyfind" "${flags[@]}" "$n" "${entries[@]}" 2>/dev/null || echo "$n: not found"; done)
  if [ "$want" != "$got" ]; then
    echo "pyfind differs from importlib under $py:"; diff <(echo "$want") <(echo "$got"); rc=1
  fi
  # --venv: the env's import path and a stdlib package, as its interpreter sees them.
  rm -rf "$dir/env"
  "$py" -m venv --without-pip "$dir/env" || { echo "python -m venv failed under $py"; rc=1; continue; }
  want=$(HOME="$dir" "$dir/env/bin/python" -c 'import sys; print("\n".join(sys.path[1:]))')
  got=$(HOME="$dir" "$pyfind" --venv "$dir/env" --path | grep -v '^# ')
  if [ "$want" != "$got" ]; then echo "pyfind --venv --path differs under $py:"; diff <(echo "$want") <(echo "$got"); rc=1; fi
  want=$(cd "$dir" && HOME="$dir" "$dir/env/bin/python" -c "$expect" "json email.mime nothere")
  got=$(for n in json email.mime nothere; do HOME="$dir" "$pyfind" --venv "$dir/env" "$n" 2>/dev/null || echo "$n: not found"; done)
  if [ "$want" != "$got" ]; then echo "pyfind --venv differs under $py:"; diff <(echo "$want") <(echo "$got"); rc=1; fi
done < <(pepkit_pythons)
"$pyfind" ns "${entries[@]}"
"$pyfind" --venv "$dir/env" json
"$pyfind" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "pyfind without arguments should exit 2"; rc=1; }
"$pyfind" a..b "${entries[@]}" 2>/dev/null; [ $? -eq 2 ] || { echo "pyfind a..b should exit 2"; rc=1; }
# The command line: help, version, abbreviations and argparse-style errors.
"$pyfind" --help | head -n1 | grep -q '^usage: pyfind ' || { echo "pyfind --help: no usage line"; rc=1; }
[ "$("$pyfind" --he)" = "$("$pyfind" -h)" ] || { echo "pyfind --he differs from -h"; rc=1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ "$("$pyfind" --version)" = "pyfind $version" ] || { echo "pyfind --version: $("$pyfind" --version)"; rc=1; }
[ "$("$pyfind" --venv="$dir/env" json)" = "$("$pyfind" --ven "$dir/env" json)" ] || { echo "pyfind --venv=DIR differs from --ven DIR"; rc=1; }
[ "$("$pyfind" --ext=.abi3.so ext "${entries[@]}")" = "$("$pyfind" -e.abi3.so ext "${entries[@]}")" ] &&
  "$pyfind" --ext .abi3.so ext "${entries[@]}" | grep -q '^ext: extension ' || { echo "pyfind --ext/-e differ"; rc=1; }
# usage_error ARGS... EXPECTED-LINE: exit status 2 and argparse's last line.
usage_error() {
  local want=${*: -1} got status
  got=$("$pyfind" "${@:1:$#-1}" 2>&1 >/dev/null | tail -n1)
  status=$("$pyfind" "${@:1:$#-1}" >/dev/null 2>&1; echo $?)
  [ "$status" = 2 ] && [ "$got" = "$want" ] || { echo "pyfind ${*:1:$#-1}: [$status] $got (want [2] $want)"; rc=1; }
}
usage_error --foo json "pyfind: error: unrecognized arguments: --foo"
usage_error -e "pyfind: error: argument -e/--ext: expected one argument"
usage_error --venv "pyfind: error: argument --venv: expected one argument"
usage_error --path=1 "pyfind: error: argument --path: ignored explicit argument '1'"
usage_error --ve x json "pyfind: error: ambiguous option: --ve could match --version, --venv"
usage_error "pyfind: error: the following arguments are required: NAME"
exit $rc
