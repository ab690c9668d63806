"""Medians of installing each wheel into a fresh env: pepkit, uv, pip.

    install_bench.py PYVENV UV PYTHON WHEEL_DIR
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PYVENV, UV, PY, WHEELS = sys.argv[1:5]
RUNS = int(os.environ.get("PEPKIT_BENCH_RUNS", "7"))
minor = "cp%d%d" % tuple(int(x) for x in subprocess.check_output([PY, "-c", "import sys; print(*sys.version_info[:2])"]).split())
wheels = sorted(w for w in os.listdir(WHEELS) if w.endswith(".whl") and ("-cp" not in w or "-%s-" % minor in w))
tmp = tempfile.mkdtemp(prefix="pepkit-bench-install-")
template = os.path.join(tmp, "template")
subprocess.run([PYVENV, "--python", PY, template], check=True)
env = os.path.join(tmp, "e")
uv_cache = os.path.join(tmp, "uv-cache")


def tools(paths):
    py_env = os.path.join(env, "bin/python")
    return {
        "pepkit": [PYVENV] + sum((["--install", p] for p in paths), []) + [env],
        "pepkit-link": [PYVENV, "--link-mode", "hardlink"] + sum((["--install", p] for p in paths), []) + [env],
        "uv": [UV, "pip", "install", "-q", "--no-deps", "--offline", "--cache-dir", uv_cache, "--python", py_env] + paths,
        "pip": [py_env, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-index", "--no-compile"] + paths,
    }


def once(cmd):
    shutil.rmtree(env, ignore_errors=True)
    shutil.copytree(template, env, symlinks=True)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


cases = [(w.split("-")[0], [os.path.join(WHEELS, w)]) for w in wheels]
cases.append(("all %d" % len(wheels), [os.path.join(WHEELS, w) for w in wheels]))
print("pepkit copies files as pip does by default; pepkit-link hard-links them from its cache as uv does by default")
print("%-30s %9s %9s %9s %9s %10s %10s %10s" % ("wheel", "pepkit", "pk-link", "uv", "pip", "pepkit/uv", "link/uv", "pepkit/pip"))
try:
    for name, paths in cases:
        cmds = tools(paths)
        once(cmds["uv"])  # both caches warmed, as they are in use
        once(cmds["pepkit-link"])
        med = {}
        for tool in ("pepkit", "pepkit-link", "uv", "pip"):
            med[tool] = statistics.median(once(cmds[tool]) for _ in range(RUNS))
        print("%-30s %7.1fms %7.1fms %7.1fms %7.1fms %10.2f %10.2f %10.2f" % (
            name, med["pepkit"] * 1e3, med["pepkit-link"] * 1e3, med["uv"] * 1e3, med["pip"] * 1e3,
            med["pepkit"] / med["uv"], med["pepkit-link"] / med["uv"], med["pepkit"] / med["pip"]))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
