"""Whole-process medians of venv creators; see bench/venv.sh."""
import os
import shutil
import statistics
import subprocess
import sys
import time

py, pyvenv, tools = sys.argv[1:4]
runs = int(os.environ.get("PEPKIT_BENCH_RUNS", "15"))
root = os.path.abspath(os.environ.get("PEPKIT_BENCH_DIR", "target/bench/envs"))
os.makedirs(root, exist_ok=True)
uv = os.path.join(tools, "uv")
virtualenv = os.path.join(tools, "virtualenv")
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def median_ms(make_cmd, n=runs):
    times = []
    for i in range(n + 1):  # the first run warms caches and is dropped
        env = os.path.join(root, "env")
        shutil.rmtree(env, ignore_errors=True)
        cmd = make_cmd(env)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, **quiet)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit("bench command failed: %s" % " ".join(cmd))
        if i:
            times.append(dt * 1000)
    shutil.rmtree(os.path.join(root, "env"), ignore_errors=True)
    return statistics.median(times)


def table(title, rows, targets):
    print(title)
    base = rows[0][1]
    print("  %-34s %9.1f ms" % rows[0])
    for name, ms in rows[1:]:
        target = targets.get(name)
        print("  %-34s %9.1f ms   pepkit/peer = %.3f%s" % (
            name, ms, base / ms, "  (target <= %s: %s)" % (target, "met" if base / ms <= target else "NOT met")
            if target else ""))


ver = subprocess.check_output([py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]).decode().strip()
print("venv benchmarks: CPython %s (%s), %d runs each, envs in %s" % (ver, py, runs, root))
rows = [
    ("pepkit pyvenv --without-pip", median_ms(lambda e: [pyvenv, "--python", py, "--without-pip", e])),
    ("python -m venv --without-pip", median_ms(lambda e: [py, "-m", "venv", "--without-pip", e])),
    ("uv venv", median_ms(lambda e: [uv, "venv", "-q", "-p", py, e])),
    ("virtualenv --no-seed", median_ms(lambda e: [virtualenv, "-q", "--no-seed", "--no-periodic-update", "-p", py, e])),
]
table("without pip:", rows, {"python -m venv --without-pip": 0.1, "uv venv": 0.5})
cold_ms = median_ms(lambda e: [pyvenv, "--python", py, "--without-pip", "--no-cache", e])
print("  %-34s %9.1f ms   (no facts cache: one interpreter run each time)" % ("pepkit pyvenv --no-cache", cold_ms))
slow_runs = max(3, runs // 3)
rows = [
    ("pepkit pyvenv (native pip)", median_ms(lambda e: [pyvenv, "--python", py, e])),
    ("python -m venv", median_ms(lambda e: [py, "-m", "venv", e], n=slow_runs)),
    ("uv venv --seed --offline", median_ms(lambda e: [uv, "venv", "-q", "--seed", "--offline", "-p", py, e])),
]
table("with pip:", rows, {"python -m venv": 0.05, "uv venv --seed --offline": 1.0})
copy_ms = median_ms(lambda e: [pyvenv, "--python", py, "--link-mode=copy", e])
print("  %-34s %9.1f ms   (private copies instead of hard links from the wheel cache)"
      % ("pepkit pyvenv --link-mode=copy", copy_ms))
# Beyond python -m venv: a relocatable env against a plain one and against
# uv's relocatable envs; what the extra activators add.
rows = [
    ("pepkit pyvenv --relocatable", median_ms(lambda e: [pyvenv, "--python", py, "--relocatable", e])),
    ("pepkit pyvenv (native pip)", median_ms(lambda e: [pyvenv, "--python", py, e])),
    ("uv venv --seed --relocatable", median_ms(
        lambda e: [uv, "venv", "-q", "--seed", "--offline", "--relocatable", "-p", py, e])),
]
table("relocatable, with pip:", rows, {"uv venv --seed --relocatable": 1.0})
extra_ms = median_ms(lambda e: [pyvenv, "--python", py, "--relocatable", "--activators", "nushell,xonsh,python", e])
print("  %-34s %9.1f ms   (three more activation scripts)" % ("pepkit --relocatable --activators", extra_ms))
