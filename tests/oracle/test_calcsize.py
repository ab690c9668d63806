"""Oracle (d): pepkit_format_calcsize equals struct.calcsize.

Thousands of random valid formats (every prefix @=<>! and none, counts
including 0 and multi-digit ones, whitespace between items, every format
character including x s p ? e and n N P where the mode allows them) must give
struct's size; thousands of random invalid or borderline ones (bad
characters, n/N/P with a standard prefix, a count without a character, a
prefix not at the start, whitespace inside a count, huge counts) must be
rejected exactly when struct rejects them, with the same class: struct.error
"total struct size too long" is PEPKIT_ERR_OVERFLOW, every other struct.error
PEPKIT_ERR_VALUE.

Formats are passed to struct as bytes (accepted by every CPython 3) and to
pepkit as the same C string; formats with a NUL byte are not generated (a C
string ends there, where CPython 3.12+ refuses "embedded null character").

Usage: test_calcsize.py [path/to/libpepkit.so]   (or PEPKIT_LIB=...)
"""

import struct
from ctypes import byref, c_ssize_t

from pepkit_ctypes import ERR_OVERFLOW, ERR_VALUE, Report, load_pepkit, outcome_of_status

PREFIXES = ["", "@", "=", "<", ">", "!"]
NATIVE_ONLY = "nNP"
CHARS = "xcbB?hHiIlLqQnNefdspP"
SPACES = " \t\n\r\x0b\x0c"


def expected(fmt):
    try:
        return struct.calcsize(fmt)
    except struct.error as e:
        return "OverflowError" if "too long" in str(e) else "ValueError"


def actual(lib, fmt):
    out = c_ssize_t(-12345)
    status = lib.pepkit_format_calcsize(fmt, byref(out))
    if status == 0:
        return out.value
    return outcome_of_status(status)


def random_count(rng):
    r = rng.random()
    if r < 0.45:
        return ""
    if r < 0.55:
        return "0"
    if r < 0.85:
        return str(rng.randint(1, 9))
    if r < 0.97:
        return str(rng.randint(10, 999))
    return str(rng.randint(1000, 10 ** 7))


def random_valid(rng):
    prefix = rng.choice(PREFIXES)
    chars = CHARS if prefix in ("", "@") else "".join(c for c in CHARS if c not in NATIVE_ONLY)
    parts = [prefix]
    for _ in range(rng.randint(0, 7)):
        if rng.random() < 0.3:
            parts.append("".join(rng.choice(SPACES) for _ in range(rng.randint(1, 2))))
        parts.append(random_count(rng) + rng.choice(chars))
    if rng.random() < 0.2:
        parts.append(rng.choice(SPACES))
    return "".join(parts).encode("latin-1")


def random_invalid(rng):
    """A valid format with one defect (or a borderline that struct may accept)."""
    fmt = random_valid(rng).decode("latin-1")
    kind = rng.randrange(8)
    if kind == 0:  # a bad character somewhere
        bad = rng.choice("azAZ%$#()[]{}:;,.-+/\\|'\"`~^&*_" + "".join(map(chr, range(1, 32))) + "\x7f\x80\xe9\xff")
        pos = rng.randint(0, len(fmt))
        return (fmt[:pos] + bad + fmt[pos:]).encode("latin-1")
    if kind == 1:  # a native-only char under a standard prefix
        return (rng.choice("=<>!") + random_count(rng) + rng.choice(NATIVE_ONLY) + fmt.lstrip("@=<>!")).encode("latin-1")
    if kind == 2:  # a count with no character after it
        return (fmt + rng.choice(["", " "]) + str(rng.randint(0, 99))).encode("latin-1")
    if kind == 3:  # a prefix that is not the first character
        pos = rng.randint(1, max(1, len(fmt)))
        return (fmt[:pos] + rng.choice("@=<>!") + fmt[pos:] + "i").encode("latin-1")
    if kind == 4:  # whitespace inside a count
        return (fmt + "%d%s%d%s" % (rng.randint(1, 9), rng.choice(SPACES), rng.randint(0, 9), rng.choice("bih"))).encode("latin-1")
    if kind == 5:  # huge counts: near and past Py_ssize_t
        big = rng.choice([2 ** 63 - 1, 2 ** 63, 2 ** 62, 2 ** 61 + 1, 2 ** 64 + 5, 10 ** 19, 10 ** 30,
                          (2 ** 63 - 1) // 8, (2 ** 63 - 1) // 2 + 1, 2 ** 63 - 2])
        big += rng.choice([0, 0, -1, 1])
        return (fmt + str(big) + rng.choice("xbcsphiqd")).encode("latin-1")
    if kind == 6:  # two huge items that only overflow together
        half = 2 ** 62 + rng.randint(-2, 2)
        return ("%s%dx%dx" % (rng.choice(PREFIXES), half, half)).encode()
    # a lone prefix, a prefix then only whitespace, or nothing at all
    return rng.choice(["", "@", "<", " ", "<  ", "!\t", "=" + rng.choice(SPACES)]).encode()


def main():
    report = Report("oracle calcsize")
    lib = load_pepkit()
    rng = report.rng
    for label, gen, n in (("(d) calcsize of valid formats", random_valid, 15000),
                          ("(d) calcsize of invalid or borderline formats", random_invalid, 15000)):
        mark = report.mark()
        for _ in range(report.cases(n)):
            fmt = gen(rng)
            report.equal("calcsize(%r)" % (fmt,), expected(fmt), actual(lib, fmt))
        report.part(label, mark)
    report.finish()


if __name__ == "__main__":
    main()
