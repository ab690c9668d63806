"""Activates this virtual environment inside a running Python, as
virtualenv's activate_this.py does:

    exec(open(this_file).read(), {"__file__": this_file})

The env's site-packages goes first on sys.path (its .pth files processed),
sys.prefix becomes the env, and PATH, VIRTUAL_ENV and VIRTUAL_ENV_PROMPT are
set for child processes. The env is found from this file's own location.
"""
import os
import site
import sys

try:
    abs_file = os.path.abspath(__file__)
except NameError:
    raise AssertionError("You must use exec(open(this_file).read(), {'__file__': this_file})")

bin_dir = os.path.dirname(abs_file)
base = os.path.dirname(bin_dir)

os.environ["PATH"] = os.pathsep.join([bin_dir] + os.environ.get("PATH", "").split(os.pathsep))
os.environ["VIRTUAL_ENV"] = base
os.environ["VIRTUAL_ENV_PROMPT"] = __VENV_PROMPT__

prev_length = len(sys.path)
site.addsitedir(os.path.realpath(os.path.join(base, __VENV_SITE_PACKAGES__)))
sys.path[:] = sys.path[prev_length:] + sys.path[0:prev_length]

sys.real_prefix = sys.prefix
sys.prefix = base
