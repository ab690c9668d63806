# fish completion for pyfind (pepkit)
complete -c pyfind -s h -l help -d 'Show the help message and exit'
complete -c pyfind -l version -d 'Print the version and exit'
complete -c pyfind -s e -l ext -x -d 'An extension-module suffix of the interpreter'
complete -c pyfind -l venv -x -a '(__fish_complete_directories)' -d 'Resolve inside this virtual environment'
complete -c pyfind -l path -d 'Print the environment import path (with --venv)'
