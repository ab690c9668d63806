"""A cffi consumer of include/pepkit_cdef.h (ABI mode, no compiler at import).

    python consumer.py CDEF PEPKIT_H LIBPEPKIT.so

Checks that ffi.cdef() takes the generated declarations whole, that every
constant equals the C compiler's value of the same macro in pepkit.h and
every struct has C's size and field offsets (a C program generated here
prints them), and that calls work through them: objects, a memoryview slice
with PEPKIT_NONE, an error status with its message, a wrap whose release
callback is a Python function. Ends with "N passed, N failed".
"""
import os
import re
import subprocess
import sys
import tempfile

import cffi

cdef_path, header_path, lib_path = sys.argv[1:4]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


ffi = cffi.FFI()
text = open(cdef_path).read()
ffi.cdef(text)  # raises on anything cffi cannot parse
lib = ffi.dlopen(lib_path)

# The C compiler's view of the same names: every constant, struct sizes and offsets.
names = re.findall(r"^#define (\w+) ", text, re.M)
structs = sorted(set(re.findall(r"^typedef struct (pepkit_\w+) \{", text, re.M)))
prog = ["#include <stddef.h>", "#include <stdio.h>", '#include "%s"' % os.path.abspath(header_path), "int main(void) {"]
for n in names:
    prog.append('  printf("const %s %%lld\\n", (long long)(%s));' % (n, n))
for s in structs:
    prog.append('  printf("size %s %%zu\\n", sizeof(%s));' % (s, s))
    for field, _ in ffi.typeof("struct " + s).fields:
        prog.append('  printf("offset %s.%s %%zu\\n", offsetof(%s, %s));' % (s, field, s, field))
prog += ["  return 0;", "}"]
with tempfile.TemporaryDirectory() as tmp:
    src, exe = os.path.join(tmp, "values.c"), os.path.join(tmp, "values")
    open(src, "w").write("\n".join(prog) + "\n")
    subprocess.check_call([os.environ.get("CC", "cc"), "-std=c11", "-o", exe, src])
    c_values = dict(line.rsplit(" ", 1) for line in subprocess.check_output([exe], text=True).splitlines())

check(len(names) >= 40, "%d constants in the cdef" % len(names))
# Every integer macro of pepkit.h made it (build/cdef.rs leaves out, with a
# warning, one it cannot evaluate).
header_macros = re.findall(r"^#define ((?:PEPKIT_|DLPACK_|ARROW_)\w+) +([^\"\n]+)$", open(header_path).read(), re.M)
for name, value in header_macros:
    if name not in ("PEPKIT_MUST_USE",) and not value.startswith("__attribute__"):
        check(name in names, "#define %s %s is missing from the cdef" % (name, value))
for n in names:
    check(getattr(lib, n) == int(c_values["const " + n]), "%s: cffi %r, C %s" % (n, getattr(lib, n), c_values["const " + n]))
check(len(structs) >= 6, "structs %s" % structs)
for s in structs:
    check(ffi.sizeof(s) == int(c_values["size " + s]), "sizeof(%s)" % s)
    for field, _ in ffi.typeof("struct " + s).fields:
        check(ffi.offsetof(s, field) == int(c_values["offset %s.%s" % (s, field)]), "offsetof(%s, %s)" % (s, field))
check(lib.PEPKIT_NONE == -(2 ** (8 * ffi.sizeof("ptrdiff_t") - 1)), "PEPKIT_NONE is PTRDIFF_MIN")

# Calls.
check(ffi.string(lib.pepkit_version()).decode() == open(header_path).read().split('PEPKIT_VERSION_STRING "')[1].split('"')[0],
      "pepkit_version() equals PEPKIT_VERSION_STRING")
data = bytes(range(10))
obj = ffi.new("pepkit_object **")
check(lib.pepkit_bytes_new(data, len(data), obj) == lib.PEPKIT_OK, "pepkit_bytes_new")
mv = ffi.new("pepkit_object **")
check(lib.pepkit_memoryview_new(obj[0], mv) == lib.PEPKIT_OK, "pepkit_memoryview_new")
sl = ffi.new("pepkit_slice *", {"start": lib.PEPKIT_NONE, "stop": lib.PEPKIT_NONE, "step": -3})
rev = ffi.new("pepkit_object **")
check(lib.pepkit_memoryview_slice(mv[0], sl, 1, rev) == lib.PEPKIT_OK, "pepkit_memoryview_slice")
out, n = ffi.new("char **"), ffi.new("size_t *")
check(lib.pepkit_memoryview_tolist(rev[0], out, n) == lib.PEPKIT_OK, "pepkit_memoryview_tolist")
check(ffi.string(out[0], n[0]).decode() == repr(list(data[::-3])), "tolist of m[::-3]")
lib.pepkit_free(out[0])
view = ffi.new("pepkit_buffer *")
check(lib.pepkit_getbuffer(obj[0], view, lib.PEPKIT_BUF_WRITABLE) == lib.PEPKIT_ERR_BUFFER, "bytes refuse WRITABLE")
check(b"not writable" in ffi.string(lib.pepkit_last_error()), "the message says why")
check(lib.pepkit_getbuffer(obj[0], view, lib.PEPKIT_BUF_FULL_RO) == lib.PEPKIT_OK and view.len == 10
      and ffi.string(view.format) == b"B", "a FULL_RO export")
check(lib.pepkit_releasebuffer(view) == lib.PEPKIT_OK and view.obj == ffi.NULL, "released")
for o in (rev, mv, obj):
    lib.pepkit_decref(o[0])

released = []
block = ffi.new("int32_t[6]", list(range(6)))
shape = ffi.new("pepkit_ssize[2]", [2, 3])
layout = ffi.new("pepkit_layout *", {"base": block, "size": ffi.sizeof(block), "format": ffi.new("char[]", b"i"),
                                     "itemsize": 4, "ndim": 2, "shape": shape, "readonly": 1})


@ffi.callback("void(void *)")
def on_release(ctx):
    released.append(int(ffi.cast("intptr_t", ctx)))


w = ffi.new("pepkit_object **")
check(lib.pepkit_wrap_new(layout, on_release, ffi.cast("void *", 7), w) == lib.PEPKIT_OK, "pepkit_wrap_new")
wm = ffi.new("pepkit_object **")
check(lib.pepkit_memoryview_new(w[0], wm) == lib.PEPKIT_OK, "memoryview of the wrap")
check(lib.pepkit_memoryview_tolist(wm[0], out, n) == lib.PEPKIT_OK and ffi.string(out[0]) == b"[[0, 1, 2], [3, 4, 5]]",
      "tolist of the wrap")
lib.pepkit_free(out[0])
lib.pepkit_decref(w[0])
check(released == [], "not released while a view holds it")
lib.pepkit_decref(wm[0])
check(released == [7], "released once, with its ctx")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
