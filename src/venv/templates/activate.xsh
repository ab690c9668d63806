# pepkit's activation script for xonsh: "source <venv>/bin/activate.xsh";
# "deactivate" undoes it.

def _pepkit_deactivate(args=()):
    if "_OLD_VIRTUAL_PATH" in ${...}:
        $PATH = $_OLD_VIRTUAL_PATH
        del $_OLD_VIRTUAL_PATH
    if "_OLD_VIRTUAL_PYTHONHOME" in ${...}:
        $PYTHONHOME = $_OLD_VIRTUAL_PYTHONHOME
        del $_OLD_VIRTUAL_PYTHONHOME
    ${...}.pop("VIRTUAL_ENV", None)
    ${...}.pop("VIRTUAL_ENV_PROMPT", None)
    if "nondestructive" not in args:
        aliases.pop("deactivate", None)

_pepkit_deactivate(["nondestructive"])

__VENV_LOCATE__
$_OLD_VIRTUAL_PATH = $PATH.paths if hasattr($PATH, "paths") else list($PATH)
$PATH.insert(0, $VIRTUAL_ENV + "/" + __VENV_BIN_NAME__)
$VIRTUAL_ENV_PROMPT = __VENV_PROMPT__
if "PYTHONHOME" in ${...}:
    $_OLD_VIRTUAL_PYTHONHOME = $PYTHONHOME
    del $PYTHONHOME
aliases["deactivate"] = _pepkit_deactivate
del _pepkit_deactivate
