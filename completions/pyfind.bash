# bash completion for pyfind (pepkit)
_pepkit_pyfind() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --venv) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    -e | --ext) COMPREPLY=(); return ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W '-h --help --version -e --ext --venv --path' -- "$cur")
  else
    # NAME is a module name; later words are import path entries (directories).
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  fi
}
complete -o filenames -F _pepkit_pyfind pyfind
