"""Creation is all or nothing, and safe to race.

1. A `pyvenv` process (native pip, so there is a real window) is SIGKILLed at
   random moments; afterwards the path holds nothing or a whole, working env
   (its interpreter reports the env as sys.prefix, pip runs, the file set is a
   complete env's), never a broken one. The next creation sweeps the dead
   process's staging directory.
2. Several processes create the same env at once: all succeed and one whole
   working env remains, with no staging directories left.

usage: venv_kill.py PYVENV PYTHON...   (PEPKIT_SEED=n reproduces a run)
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PYVENV = os.path.abspath(sys.argv[1])
PYTHONS = sys.argv[2:]
passed = failed = 0
seed = int(os.environ.get("PEPKIT_SEED") or random.randrange(1 << 30))
rng = random.Random(seed)


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail)[:600] if detail else ""))


def files(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


def works(env):
    py = os.path.join(env, "bin", "python")
    r = subprocess.run([py, "-c", "import sys; print(sys.prefix)"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0 or r.stdout.decode().strip() != env:
        return "python: %r" % r.stdout[:300]
    r = subprocess.run([os.path.join(env, "bin", "pip"), "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"))
    if r.returncode != 0:
        return "pip: %r" % r.stdout[:300]
    return None


def leftovers(parent):
    return [n for n in os.listdir(parent) if ".pepkit-" in n]


def check(py, work):
    tag = py
    env = os.path.join(work, "env")
    t0 = time.monotonic()
    subprocess.check_call([PYVENV, "--python", py, env])
    duration = time.monotonic() - t0
    reference = files(env)
    shutil.rmtree(env)

    kills = 25
    outcomes = {"absent": 0, "whole": 0}
    bad = []
    for i in range(kills):
        delay = rng.uniform(0, duration * 1.3)
        p = subprocess.Popen([PYVENV, "--python", py, env], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not os.path.lexists(env):
            outcomes["absent"] += 1
        else:
            problem = works(env)
            got = files(env)
            if problem or got != reference:
                bad.append((round(delay, 4), problem, sorted(reference ^ got)[:5]))
            else:
                outcomes["whole"] += 1
            shutil.rmtree(env)
    report(not bad, "%s: %d SIGKILLs at random moments: %d left nothing, %d a whole working env"
           % (tag, kills, outcomes["absent"], outcomes["whole"]), bad)
    r = subprocess.run([PYVENV, "--python", py, env])
    report(r.returncode == 0 and not leftovers(work) and works(env) is None,
           "%s: the next creation works and sweeps dead staging dirs" % tag, leftovers(work))
    shutil.rmtree(env)

    racers = 4
    for rnd in range(3):
        procs = [subprocess.Popen([PYVENV, "--python", py, env], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(racers)]
        results = [(p.wait(), p.stdout.read().decode(errors="replace")) for p in procs]
        problem = works(env) if os.path.isdir(env) else "no env"
        report(all(rc == 0 for rc, _ in results) and problem is None and files(env) == reference
               and not leftovers(work),
               "%s: %d processes create the same env at once (round %d): one whole working env" % (tag, racers, rnd + 1),
               (results, problem, leftovers(work)))
        shutil.rmtree(env, ignore_errors=True)


def main():
    print("PEPKIT_SEED=%d" % seed)
    work = tempfile.mkdtemp(prefix="pepkit-venv-kill-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(work, ".cache-dir")
    try:
        for py in PYTHONS:
            check(py, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
