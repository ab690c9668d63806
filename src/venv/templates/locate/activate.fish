# Relocatable: the env is this script's directory's parent, wherever it is now.
set -gx VIRTUAL_ENV (builtin realpath (status dirname)/..)
