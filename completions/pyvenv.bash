# bash completion for pyvenv (pepkit)
_pepkit_pyvenv() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --pip) mapfile -t COMPREPLY < <(compgen -W 'native ensurepip' -- "$cur"); return ;;
    --link-mode) mapfile -t COMPREPLY < <(compgen -W 'hardlink copy' -- "$cur"); return ;;
    --python) mapfile -t COMPREPLY < <(compgen -c -- "$cur"); return ;;
    --facts-file|--install) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --prompt) COMPREPLY=(); return ;;
    --activators) mapfile -t COMPREPLY < <(compgen -W 'nushell xonsh powershell python all' -- "$cur"); return ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W '-h --help --version --system-site-packages --symlinks
      --copies --clear --upgrade --without-pip --prompt --upgrade-deps
      --without-scm-ignore-files --python --force --pip --link-mode --no-cache
      --facts-file --relocatable --allow-existing --no-cachedir-tag --activators
      --verbose --check --install --ignore-requires-python
      --find-python' -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  fi
}
complete -o filenames -F _pepkit_pyvenv pyvenv
