# Relocatable: the env is this script's directory's parent. csh cannot name
# the file it is sourcing, but Linux lists it among the shell's open files;
# elsewhere the path the env was created at stands in.
set _pepkit_script = "`readlink /proc/$$/fd/* |& grep -x '.*/activate\.csh' | tail -n 1`"
if ( "$_pepkit_script" != "" ) then
    setenv VIRTUAL_ENV "$_pepkit_script:h:h"
else
    setenv VIRTUAL_ENV __VENV_DIR__
endif
unset _pepkit_script
