# Relocatable: the env is this script's directory's parent, wherever it is now.
import os.path as _pepkit_path
$VIRTUAL_ENV = _pepkit_path.dirname(_pepkit_path.dirname(_pepkit_path.abspath(__file__)))
del _pepkit_path
