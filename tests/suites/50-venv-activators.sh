#!/usr/bin/env bash
# venv, the activators python -m venv does not write (--activators): nushell's
# activate.nu (overlay use / deactivate) and xonsh's activate.xsh (source /
# deactivate) in the real shells, and activate_this.py exec'd by every
# CPython, against virtualenv's own activate_this.py at the same path (3.8+;
# virtualenv no longer makes older envs). Each for an env at the path it was
# made at and for a relocatable one moved elsewhere, with directory names and
# prompts built to inject code. The shells and virtualenv come from .ci/setup
# (nushell from the npm registry, xonsh and virtualenv from PyPI).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pepkit_need_pythons
pyvenv=$PWD/target/c/examples/pyvenv
tools=${PEPKIT_CI_VENVS:-$HOME/.cache/pepkit-ci}
nu=$tools/nushell/package/bin/nu xonsh=$tools/shells/bin/xonsh virtualenv=$tools/shells/bin/virtualenv
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" HOME="$work/home"
mkdir -p "$HOME"
have() { [ -x "$1" ] && return 0; echo "SKIPPED: $1 is missing (.ci/setup installs it)"; skip=$((skip + 1)); return 1; }
have_nu=0 have_xonsh=0 have_virtualenv=0
have "$nu" && have_nu=1
have "$xonsh" && have_xonsh=1
have "$virtualenv" && have_virtualenv=1

# Each probe prints VIRTUAL_ENV|first PATH entry|python's sys.prefix|VIRTUAL_ENV_PROMPT|after deactivate: VIRTUAL_ENV set?|PATH restored?
probe_nu() {  # env
  # overlay use takes a path fixed at parse time: a script with the path as a raw string.
  ENV_DIR=$1 python3 - "$work/probe.nu" <<'PY'
import os, sys
d = os.environ["ENV_DIR"] + "/bin/activate.nu"
h = "#"
while ("'" + h) in d:
    h += "#"
open(sys.argv[1], "w").write("""let old_path = ($env.PATH | str join ':')
overlay use r%s'%s'%s
let pfx = (^python -c 'import sys; print(sys.prefix)' | str trim)
print -n $"($env.VIRTUAL_ENV)|($env.PATH | first)|($pfx)|($env.VIRTUAL_ENV_PROMPT)|"
deactivate
let restored = if (($env.PATH | str join ':') == $old_path) { 'yes' } else { 'no' }
print $"('VIRTUAL_ENV' in $env)|($restored)"
""" % (h, d, h))
PY
  "$nu" --no-config-file "$work/probe.nu"
}
probe_xonsh() {  # env
  ENV_DIR=$1 "$xonsh" --no-rc -c '
old_path = list($PATH)
source @($ENV_DIR + "/bin/activate.xsh")
pfx = $(python -c "import sys; print(sys.prefix)").strip()
print($VIRTUAL_ENV + "|" + $PATH[0] + "|" + pfx + "|" + $VIRTUAL_ENV_PROMPT + "|", end="")
deactivate
print(str("VIRTUAL_ENV" in ${...}).lower() + "|" + ("yes" if list($PATH) == old_path else "no"))'
}

# activate_this.py exec'd by the base interpreter: what it changed, with the
# env's path written as <ENV> (so two envs at one path compare equal).
this_probe() {  # python env
  ENV_DIR=$2 "$1" -I -c '
import json, os, sys
env = os.environ["ENV_DIR"]
f = os.path.join(env, "bin", "activate_this.py")
before = list(sys.path)
exec(open(f).read(), {"__file__": f})
import pepkit_probe_mod
def show(p):
    return p.replace(os.path.realpath(env), "<ENV>").replace(env, "<ENV>")
print(json.dumps({
    "prefix": show(sys.prefix), "real_prefix": sys.real_prefix == sys.base_prefix,
    "added": [show(p) for p in sys.path if p not in before],
    "first": show(sys.path[0]), "module": show(pepkit_probe_mod.__file__),
    "VIRTUAL_ENV": show(os.environ["VIRTUAL_ENV"]), "PATH0": show(os.environ["PATH"].split(os.pathsep)[0]),
    "prompt": os.environ.get("VIRTUAL_ENV_PROMPT"),
}, sort_keys=True))'
}

# A site-packages module and a .pth entry, so activate_this has something to find.
seed_site() {  # env python
  local sp
  sp=$("$2" -c 'import sys; print("lib/python%d.%d/site-packages" % sys.version_info[:2])')
  mkdir -p "$1/$sp/extra_dir"
  echo 'X = 1' >"$1/$sp/pepkit_probe_mod.py"
  echo 'extra_dir' >"$1/$sp/probe.pth"
}

while read -r py; do
  ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  for name in "plain env" "x'\$(touch pwned)'y#'##"; do
    for mode in fixed relocatable; do
      case_dir="$work/case"; rm -rf "$case_dir"; mkdir -p "$case_dir/made" "$case_dir/moved to"
      args=(--python "$py" --without-pip --activators nushell,xonsh,python --prompt "p'\$(touch pwned2)")
      [ $mode = relocatable ] && args+=(--relocatable)
      if ! (cd "$case_dir" && "$pyvenv" "${args[@]}" "made/$name" >"$work/err" 2>&1); then
        bad "$ver $mode [$name]: pyvenv failed: $(head -c 300 "$work/err")"; continue
      fi
      env="$case_dir/made/$name"
      if [ $mode = relocatable ]; then env="$case_dir/moved to/$name"; mv "$case_dir/made/$name" "$env"; fi
      seed_site "$env" "$py"
      want="$env|$env/bin|$env|p'\$(touch pwned2)|false|yes"
      for sh in nu xonsh; do
        [ $sh = nu ] && [ $have_nu = 0 ] && continue
        [ $sh = xonsh ] && [ $have_xonsh = 0 ] && continue
        out=$(cd "$case_dir" && "probe_$sh" "$env" 2>"$work/err")
        label="$ver $sh $mode [$name]"
        if [ -n "$(cd "$case_dir" && find . -name 'pwned*')" ]; then bad "$label: sourcing ran code"; continue; fi
        [ "$out" = "$want" ] && ok "$label" || bad "$label: got [$out] want [$want] $(head -c 300 "$work/err")"
      done
      out=$(this_probe "$py" "$env" 2>"$work/err")
      label="$ver activate_this.py $mode [$name]"
      # Without a virtualenv to compare with, what virtualenv documents.
      sp="<ENV>/lib/python$ver/site-packages"
      want=$(SP=$sp python3 -c 'import json, os; sp = os.environ["SP"]
print(json.dumps({"prefix": "<ENV>", "real_prefix": True, "added": [sp, sp + "/extra_dir"], "first": sp,
  "module": sp + "/pepkit_probe_mod.py", "VIRTUAL_ENV": "<ENV>", "PATH0": "<ENV>/bin",
  "prompt": "p\u0027$(touch pwned2)"}, sort_keys=True))')
      [ "$out" = "$want" ] && ok "$label" || bad "$label: got [$out] want [$want] $(head -c 300 "$work/err")"
      # The peer: virtualenv's activate_this.py in an env at the same path.
      if [ $have_virtualenv = 1 ] && [ $mode = fixed ] && [ "${ver#3.}" -ge 8 ]; then
        rm -rf "$env"
        if "$virtualenv" -q --no-seed --no-periodic-update --activators python --prompt "p'\$(touch pwned2)" \
            -p "$py" "$env" >"$work/err" 2>&1; then
          seed_site "$env" "$py"
          theirs=$(this_probe "$py" "$env" 2>&1)
          [ "$out" = "$theirs" ] && ok "$label = virtualenv's" || bad "$label: pepkit [$out] virtualenv [$theirs]"
        else
          bad "$label: virtualenv failed: $(head -c 300 "$work/err")"
        fi
      fi
    done
  done
done < <(pepkit_pythons)

# PowerShell: CPython's own Activate.ps1 where it has one; asked of an
# interpreter that has none (3.6, 3.7), a clear refusal that leaves nothing.
while read -r py; do
  ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  env="$work/ps-$ver"
  if "$pyvenv" --python "$py" --without-pip --activators powershell "$env" >"$work/err" 2>&1; then
    [ -f "$env/bin/Activate.ps1" ] && ok "$ver powershell: Activate.ps1" || bad "$ver powershell: no Activate.ps1"
  elif grep -q "ships no Activate.ps1 template" "$work/err" && [ ! -e "$env" ]; then
    ok "$ver powershell: refused, nothing made ($(head -c 120 "$work/err"))"
  else
    bad "$ver powershell: $(head -c 300 "$work/err")"
  fi
done < <(pepkit_pythons)
pepkit_summary "$pass" "$fail" "$( [ "$skip" -gt 0 ] && echo "$skip")"
[ "$fail" -eq 0 ]
