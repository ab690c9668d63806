# Relocatable: the env is this script's directory's parent, wherever it is now.
const pepkit_venv = (path self | path dirname | path dirname)
