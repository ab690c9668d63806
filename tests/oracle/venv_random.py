"""Randomized differential tests of the text pepkit writes (PEPKIT_SEED=n
reproduces a run).

A. Many random prompts (quotes, backslashes, control characters, non-ASCII,
   invisible characters): pyvenv.cfg's `prompt = ...` line must be the
   interpreter's own repr() of the prompt (computed by that interpreter).
B. Random directory names and prompts: the whole tree must equal
   `python -m venv --without-pip`'s. For interpreters whose venv quotes
   template values (CVE-2024-9287 fix) any name is fair; for older ones names
   are drawn without the characters their templates would execute (pepkit
   deliberately differs there; see 50-venv-activate).

usage: venv_random.py PYVENV PYTHON...
"""
import hashlib
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile

PYVENV = os.path.abspath(sys.argv[1])
PYTHONS = sys.argv[2:]
seed = int(os.environ.get("PEPKIT_SEED") or random.randrange(1 << 30))
rng = random.Random(seed)
passed = failed = 0
N_PROMPTS = int(os.environ.get("PEPKIT_VENV_RANDOM_PROMPTS", "300"))
N_TREES = int(os.environ.get("PEPKIT_VENV_RANDOM_TREES", "12"))

POOL = (list("abcxyzABC019 _-.,;=+@%~^&*()[]{}<>?|#") + ["'", '"', "$", "`", "\\", "!"]
        + ["\t", "\n", "\r", "\x01", "\x1b", "\x7f", "\x85", "\xa0", "\xad", "é", "ß", "ÿ", "λ", "中", "😀",
           "\u200b", "\u2028", "\u3000", "\ufeff", "\u00e9\u0301"])
NAME_SAFE = list("abcxyzABC019 _-.,;=+@%~^&*()[]{}<>?|#'") + ["é", "ß", "λ", "中", "😀"]
NAME_ANY = NAME_SAFE + ['"', "$", "`", "\\", "!", "$(touch pwned)"]


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail)[:600] if detail else ""))


def rand_char(pool):
    # Now and then any code point (but surrogates, which a command line cannot carry).
    if pool is POOL and rng.random() < 0.15:
        while True:
            c = rng.choice([rng.randrange(0x100, 0x3000), rng.randrange(0x3000, 0x30000), rng.randrange(0xe0000, 0x110000)])
            if not 0xd800 <= c < 0xe000:
                return chr(c)
    return rng.choice(pool)


def rand_text(pool, lo, hi):
    return "".join(rand_char(pool) for _ in range(rng.randint(lo, hi)))


def snapshot(root):
    out = {".": ("d", stat.S_IMODE(os.lstat(root).st_mode), None)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", None, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), None)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("f", stat.S_IMODE(st.st_mode), hashlib.sha256(f.read()).hexdigest())
    return out


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}


def prompts_for(py, work):
    ver = tuple(int(x) for x in subprocess.check_output(
        [py, "-c", "import sys; print('%d %d' % sys.version_info[:2])"]).split())
    if ver < (3, 8):
        return 0  # no prompt line before 3.8
    prompts = [rand_text(POOL, 1, 12) for _ in range(N_PROMPTS)]
    prompts = [p for p in prompts if p != "."]
    with open(os.path.join(work, "prompts.json"), "w", encoding="utf-8") as f:
        json.dump(prompts, f)
    reprs = json.loads(subprocess.check_output(
        [py, "-I", "-c", "import json,sys; print(json.dumps([repr(p) for p in json.load(open(sys.argv[1], encoding='utf-8'))]))",
         os.path.join(work, "prompts.json")]))
    env = os.path.join(work, "p-env")
    bad = []
    for p, want in zip(prompts, reprs):
        shutil.rmtree(env, ignore_errors=True)
        r = subprocess.run([PYVENV, "--python", py, "--without-pip", "--prompt=" + p, env],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=clean_env())
        if r.returncode != 0:
            bad.append((p, "pyvenv failed: %s" % r.stdout[-200:]))
            continue
        with open(os.path.join(env, "pyvenv.cfg"), encoding="utf-8") as f:
            lines = [l for l in f.read().split("\n") if l.startswith("prompt = ")]
        if lines != ["prompt = " + want]:
            bad.append((p, lines, want))
    shutil.rmtree(env, ignore_errors=True)
    report(not bad, "%s: %d random prompts: pyvenv.cfg has the interpreter's repr()" % (py, len(prompts)), bad[:3])
    if not bad:
        print("ok   %s: %d random prompts checked" % (py, len(prompts)))
    return len(prompts)


def trees_for(py, work):
    patched = subprocess.check_output(
        [py, "-I", "-c", "import venv, inspect; print('shlex.quote' in inspect.getsource(venv))"]).strip() == b"True"
    pool = NAME_ANY if patched else NAME_SAFE
    bad = []
    for i in range(N_TREES):
        name = rand_text(pool, 1, 10).strip() or "x"
        if name in (".", "..") or "/" in name:
            name = "n" + name.replace("/", "_")
        prompt = rand_text(pool + [" "], 1, 8) if rng.random() < 0.5 else None
        env = os.path.join(work, "t", name)
        results = []
        for tool in ("python", "pepkit"):
            shutil.rmtree(os.path.join(work, "t"), ignore_errors=True)
            os.makedirs(os.path.join(work, "t"))
            extra = ["--prompt", prompt] if prompt is not None else []
            cmd = ([py, "-m", "venv", "--without-pip"] if tool == "python"
                   else [PYVENV, "--python", py, "--without-pip"]) + extra + [env]
            r = subprocess.run(cmd, cwd=os.path.join(work, "t"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=clean_env())
            results.append(snapshot(env) if r.returncode == 0 else ("error", r.stdout[-300:]))
        both_fail = all(isinstance(x, tuple) for x in results)  # e.g. argparse refusing "--prompt -x"
        if results[0] != results[1] and not both_fail:
            a, b = results
            diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)] if isinstance(a, dict) and isinstance(b, dict) else results
            bad.append((name, prompt, diff[:4]))
    shutil.rmtree(os.path.join(work, "t"), ignore_errors=True)
    report(not bad, "%s: %d random env names and prompts: trees identical to python -m venv's" % (py, N_TREES), bad[:3])
    if not bad:
        print("ok   %s: %d random env names%s and prompts: trees identical" % (
            py, N_TREES, "" if patched else " (template-safe characters)"))


def main():
    print("PEPKIT_SEED=%d" % seed)
    work = tempfile.mkdtemp(prefix="pepkit-venv-random-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(work, "cache")
    try:
        for py in PYTHONS:
            prompts_for(py, work)
            trees_for(py, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
