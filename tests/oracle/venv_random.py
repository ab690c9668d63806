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
import json
import os
import shutil
import subprocess
import sys

from venv_harness import Harness, changed_keys, clean_env, snapshot

H = Harness(detail_limit=600, seeded=True)
PYVENV, rng, report = H.pyvenv, H.rng, H.report
N_PROMPTS = int(os.environ.get("PEPKIT_VENV_RANDOM_PROMPTS", "300"))
N_TREES = int(os.environ.get("PEPKIT_VENV_RANDOM_TREES", "12"))

POOL = (list("abcxyzABC019 _-.,;=+@%~^&*()[]{}<>?|#") + ["'", '"', "$", "`", "\\", "!"]
        + ["\t", "\n", "\r", "\x01", "\x1b", "\x7f", "\x85", "\xa0", "\xad", "é", "ß", "ÿ", "λ", "中", "😀",
           "\u200b", "\u2028", "\u3000", "\ufeff", "\u00e9\u0301"])
NAME_SAFE = list("abcxyzABC019 _-.,;=+@%~^&*()[]{}<>?|#'") + ["é", "ß", "λ", "中", "😀"]
NAME_ANY = NAME_SAFE + ['"', "$", "`", "\\", "!", "$(touch pwned)"]


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
    report(not bad, "%s: %d random prompts: pyvenv.cfg has the interpreter's repr()" % (py, len(prompts)), bad[:3],
           ok_name="%s: %d random prompts checked" % (py, len(prompts)))
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
            diff = changed_keys(a, b) if isinstance(a, dict) and isinstance(b, dict) else results
            bad.append((name, prompt, diff[:4]))
    shutil.rmtree(os.path.join(work, "t"), ignore_errors=True)
    report(not bad, "%s: %d random env names and prompts: trees identical to python -m venv's" % (py, N_TREES), bad[:3],
           ok_name="%s: %d random env names%s and prompts: trees identical" % (
               py, N_TREES, "" if patched else " (template-safe characters)"))


def check(py, work):
    prompts_for(py, work)
    trees_for(py, work)


if __name__ == "__main__":
    sys.exit(H.main("pepkit-venv-random-", check))
