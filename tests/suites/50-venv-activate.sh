#!/usr/bin/env bash
# venv, part 3: the activation scripts pepkit writes, sourced by bash (under
# set -euo pipefail), zsh, fish and tcsh, for every CPython on the machine:
# VIRTUAL_ENV, PATH, the prompt, VIRTUAL_ENV_DISABLE_PROMPT, deactivate
# restoring everything; and directories and prompts built to inject code
# (x'$(touch pwned)'y and friends) run nothing in any shell, whether or not the
# interpreter's own templates have the CVE-2024-9287 fix.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
pepkit_build examples
pyvenv=$PWD/target/c/examples/pyvenv
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
HOME_REAL=$HOME
export XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" HOME="$work/home"
mkdir -p "$HOME"

shells=()
for sh in bash zsh fish tcsh; do
  if command -v "$sh" >/dev/null; then shells+=("$sh"); else
    echo "SKIPPED: $sh is not installed (.ci/setup installs it)"; skip=$((skip + 1)); fi
done

# Prints VIRTUAL_ENV|first PATH entry|python's sys.prefix|prompt-changed|after deactivate: VIRTUAL_ENV|PATH restored
probe() {
  local sh=$1 env=$2 disable=${3:-}
  case $sh in
    bash|zsh)
      local flags=(-c); [ "$sh" = zsh ] && flags=(-f -c)
      # CPython 3.6's template predates set -u support (its deactivate reads $1):
      # run it without -u, as its users must.
      local strict="set -euo pipefail"
      grep -q '${1:-}' "$env/bin/activate" || strict="set -eo pipefail"
      ENV_DIR=$env DISABLE=$disable STRICT=$strict "$sh" "${flags[@]}" '
        eval "$STRICT"
        [ -n "$DISABLE" ] && export VIRTUAL_ENV_DISABLE_PROMPT=1
        PS1="base> "; old_path=$PATH
        . "$ENV_DIR/bin/activate"
        changed=no; [ "$PS1" != "base> " ] && changed=yes
        printf "%s|%s|%s|%s|" "$VIRTUAL_ENV" "${PATH%%:*}" "$(python -c "import sys; print(sys.prefix)")" "$changed"
        deactivate
        restored=no; [ "$PATH" = "$old_path" ] && [ "$PS1" = "base> " ] && restored=yes
        printf "%s|%s\n" "${VIRTUAL_ENV:-unset}" "$restored"'
      ;;
    fish)
      ENV_DIR=$env DISABLE=$disable fish --no-config -c '
        if test -n "$DISABLE"; set -gx VIRTUAL_ENV_DISABLE_PROMPT 1; end
        function fish_prompt; echo -n "base> "; end
        set -l old_path $PATH
        source "$ENV_DIR/bin/activate.fish"
        set -l changed no; if test (fish_prompt | string collect) != "base> "; set changed yes; end
        printf "%s|%s|%s|%s|" "$VIRTUAL_ENV" "$PATH[1]" (python -c "import sys; print(sys.prefix)") $changed
        deactivate
        set -l restored no; if test (string join : $PATH) = (string join : $old_path); and test (fish_prompt | string collect) = "base> "; set restored yes; end
        set -q VIRTUAL_ENV; and set v $VIRTUAL_ENV; or set v unset
        printf "%s|%s\n" $v $restored'
      ;;
    tcsh)
      # csh cannot take the path from a variable with quotes in it safely; pass it
      # through the environment and source via a link with a plain name.
      ln -sfn "$env" "$work/plain-link"
      DISABLE=$disable tcsh -f -c '
        if ( "$DISABLE" != "" ) setenv VIRTUAL_ENV_DISABLE_PROMPT 1
        set prompt = "base> "
        set old_path = "$PATH"
        source '"$work/plain-link"'/bin/activate.csh
        set changed = no
        if ( "$prompt" != "base> " ) set changed = yes
        set first = `printenv PATH | cut -d: -f1`
        set pfx = `python -c "import sys; print(sys.prefix)"`
        printf "%s|%s|%s|%s|" "`printenv VIRTUAL_ENV`" "$first" "$pfx" $changed
        deactivate
        set restored = no
        if ( "$PATH" == "$old_path" && "$prompt" == "base> " ) set restored = yes
        set v = unset
        if ( $?VIRTUAL_ENV ) set v = "$VIRTUAL_ENV"
        printf "%s|%s\n" "$v" $restored'
      ;;
  esac
}

# Facts for $1 whose venv package has no templates, so pepkit's own are used.
facts_without_templates() {
  local py=$1 out=$2 f
  rm -rf "$XDG_CACHE_HOME/pepkit/interpreters"
  "$pyvenv" --python "$py" --without-pip "$work/facts-probe" >/dev/null 2>&1 || return 1
  rm -rf "$work/facts-probe"
  f=$(ls "$XDG_CACHE_HOME"/pepkit/interpreters/*.facts) || return 1
  mkdir -p "$work/no-templates"
  "$py" - "$f" "$work/no-templates" >"$out" <<'PY'
import sys
f, d = sys.argv[1:3]
for line in open(f):
    if line.startswith("venv_dir\t"):
        line = "venv_dir\t" + d.encode().hex() + "\n"
    sys.stdout.write(line)
PY
}

first_py=$(pepkit_pythons | head -n1)
while read -r py_line; do
  py=${py_line%% *}; variant=${py_line#* }
  [ "$variant" = "$py_line" ] && variant=own
  ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  extra=()
  if [ "$variant" = builtin ]; then
    facts_without_templates "$py" "$work/facts.txt" || { bad "$ver: making facts without templates"; continue; }
    extra=(--facts-file "$work/facts.txt"); ver="$ver pepkit-templates"
  fi
  for name in "plain env" "x'\$(touch pwned)'y" 'q"`touch pwned2`"q' 'd$(touch pwned3)\\n'; do
    for prompt in "" '$(touch pwned4)`touch pwned5`'; do
      case_dir="$work/case"; rm -rf "$case_dir"; mkdir -p "$case_dir"
      env="$case_dir/$name"
      args=(--python "$py" --without-pip "${extra[@]}"); [ -n "$prompt" ] && args+=(--prompt "$prompt")
      if ! (cd "$case_dir" && "$pyvenv" "${args[@]}" "$env" >/dev/null 2>&1); then
        bad "$ver [$name] prompt=[$prompt]: pyvenv failed"; continue
      fi
      expect_prefix=$env
      for sh in "${shells[@]}"; do
        # tcsh reads the environment through a link named plainly; its prefix is the link's.
        label="$ver $sh [$name] prompt=[$prompt]"
        out=$(cd "$case_dir" && probe "$sh" "$env" "" 2>"$work/err")
        if [ "$sh" = tcsh ]; then want_first="$work/plain-link/bin"; want_ve="$work/plain-link"
          # the link is not the env: the venv's VIRTUAL_ENV names the real directory
          want_ve=$env; want_first=$env/bin
        else want_ve=$env; want_first=$env/bin; fi
        want="$want_ve|$want_first|$expect_prefix|yes|unset|yes"
        pwned=$(cd "$case_dir" && ls pwned* 2>/dev/null; ls "$env"/pwned* 2>/dev/null; ls pwned* 2>/dev/null)
        if [ -n "$pwned" ]; then bad "$label: sourcing ran code: $pwned"; rm -f "$case_dir"/pwned* ./pwned*; continue; fi
        if [ "$out" = "$want" ]; then ok "$label"; else
          if [ "$sh" = tcsh ] && [[ "$name$prompt" == *[\`\$\"\!]* ]]; then
            # tcsh's double-quoted printf of such values is ours, not the script's: the
            # point for tcsh is that nothing ran (checked above).
            ok "$label (ran nothing)"
          elif [ "$sh" = fish ] && [[ "$name" == *\\* ]]; then
            # fish reads \\ inside single quotes as one backslash, so shlex.quote (which
            # CPython's fixed venv uses too) changes such a path for fish: nothing ran.
            ok "$label (ran nothing; fish folds the backslash, as with CPython's own quoting)"
          else
            bad "$label: got [$out] want [$want] $(head -c 300 "$work/err")"
          fi
        fi
      done
      if [ "$name" = "plain env" ] && [ -z "$prompt" ]; then
        for sh in "${shells[@]}"; do
          out=$(cd "$case_dir" && probe "$sh" "$env" 1 2>/dev/null)
          IFS='|' read -r _ _ _ changed _ _ <<<"$out"
          if [ "$changed" = no ]; then ok "$ver $sh VIRTUAL_ENV_DISABLE_PROMPT leaves the prompt alone"
          else bad "$ver $sh VIRTUAL_ENV_DISABLE_PROMPT: got [$out]"; fi
        done
      fi
    done
  done
done < <(pepkit_pythons; echo "$first_py builtin")

# --relocatable: made at one path, moved (and renamed) to another, the env's
# scripts find it where it is now in every shell, and its python runs there.
# Names built to inject code must still run nothing.
while read -r py; do
  ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  for name in "plain env" "x'\$(touch pwned)'y"; do
    case_dir="$work/case"; rm -rf "$case_dir"; mkdir -p "$case_dir/made" "$case_dir/moved here"
    if ! (cd "$case_dir" && "$pyvenv" --python "$py" --without-pip --relocatable "made/$name" >/dev/null 2>&1); then
      bad "$ver relocatable [$name]: pyvenv failed"; continue
    fi
    env="$case_dir/moved here/$name 2"
    mv "$case_dir/made/$name" "$env"
    rmdir "$case_dir/made"
    grep -qx 'relocatable = true' "$env/pyvenv.cfg" && ok "$ver relocatable [$name]: pyvenv.cfg records it" \
      || bad "$ver relocatable [$name]: pyvenv.cfg lacks 'relocatable = true'"
    for sh in "${shells[@]}"; do
      label="$ver $sh relocatable, moved [$name]"
      out=$(cd "$case_dir" && probe "$sh" "$env" "" 2>"$work/err")
      want="$env|$env/bin|$env|yes|unset|yes"
      pwned=$(cd "$case_dir" && find . -name 'pwned*')
      if [ -n "$pwned" ]; then bad "$label: sourcing ran code: $pwned"; continue; fi
      if [ "$out" = "$want" ]; then ok "$label"
      elif [ "$sh" = tcsh ] && [[ "$name" == *[\`\$\"\!]* ]]; then ok "$label (ran nothing)"
      else bad "$label: got [$out] want [$want] $(head -c 300 "$work/err")"; fi
    done
  done
  # Entry points too: pip's (native seeding) and a wheel's console script
  # (pyvenv --install) run from the moved env, also through a link elsewhere.
  case_dir="$work/case"; rm -rf "$case_dir"; mkdir -p "$case_dir"
  wheel=$(ls "${PEPKIT_INSTALL_WHEELS:-$HOME_REAL/.cache/pepkit/install-wheels}"/tqdm-*.whl 2>/dev/null | head -n1)
  # tqdm 4.67.1 requires Python >= 3.7: on 3.6 pip and pepkit refuse it
  # (50-venv-install checks that), so only pip's entry points are run there.
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 7))' || wheel=
  args=(--python "$py" --relocatable); [ -n "$wheel" ] && args+=(--install "$wheel")
  if "$pyvenv" "${args[@]}" "$case_dir/made" >"$work/err" 2>&1; then
    env="$case_dir/moved env"; mv "$case_dir/made" "$env"; ln -s "$env/bin/pip" "$case_dir/pip-link"
    got=$("$env/bin/pip" --version 2>&1; "$case_dir/pip-link" --version 2>&1)
    want_site=$("$env/bin/python" -c 'import pip, os; print(os.path.dirname(os.path.dirname(pip.__file__)))')
    if [ "$(grep -c "from $want_site/pip " <<<"$got")" = 2 ]; then ok "$ver relocatable pip runs moved, and through a link"
    else bad "$ver relocatable pip moved: $got (want $want_site)"; fi
    if [ -n "$wheel" ]; then
      [ "$("$env/bin/tqdm" --version 2>&1)" = "$("$env/bin/python" -c 'import tqdm; print(tqdm.__version__)')" ] \
        && ok "$ver relocatable console script runs moved" || bad "$ver relocatable tqdm moved: $("$env/bin/tqdm" --version 2>&1)"
      "$pyvenv" --check "$env" >/dev/null && ok "$ver moved relocatable env checks healthy" || bad "$ver: --check of the moved env failed"
    fi
  elif grep -q "NOT_IMPLEMENTED\|pepkit cannot install" "$work/err"; then
    ok "$ver relocatable pip: no bundled pip to install natively ($(head -c 100 "$work/err"))"
  else
    bad "$ver relocatable with pip: pyvenv failed: $(head -c 300 "$work/err")"
  fi
done < <(pepkit_pythons)
pepkit_summary "$pass" "$fail" "$( [ "$skip" -gt 0 ] && echo "$skip")"
[ "$fail" -eq 0 ]
