"""The C ABI of libpepkit, declared once for ctypes.

Only this module names C symbols (and _native, the slot functions of the C
type). Every other module calls ``LIB.<name>`` and
turns a status into an exception with :func:`check`.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any, Dict, Optional, Type

c_ssize = ctypes.c_ssize_t  # pepkit_ssize is ptrdiff_t, the same width on every ABI we ship
PTR = ctypes.c_void_p

# PEPKIT_BUF_* (CPython's PyBUF_* values)
BUF_SIMPLE = 0
BUF_WRITABLE = 1
BUF_FORMAT = 4
BUF_ND = 8
BUF_STRIDES = 16 | BUF_ND
BUF_INDIRECT = 256 | BUF_STRIDES
BUF_RECORDS_RO = BUF_STRIDES | BUF_FORMAT
BUF_FULL_RO = BUF_INDIRECT | BUF_FORMAT
BUF_READ = 0x100
BUF_WRITE = 0x200
NONE: int = -(2 ** (8 * ctypes.sizeof(ctypes.c_void_p) - 1))  # PEPKIT_NONE = PTRDIFF_MIN

VALUE_INT, VALUE_UINT, VALUE_FLOAT, VALUE_BOOL, VALUE_BYTES = 0, 1, 2, 3, 4
MODULE_NONE, MODULE_SOURCE, MODULE_BYTECODE, MODULE_EXTENSION, MODULE_PACKAGE, MODULE_NAMESPACE = range(6)


class Buffer(ctypes.Structure):
    """pepkit_buffer: exactly the layout of CPython's Py_buffer."""

    _fields_ = [
        ("buf", PTR), ("obj", PTR), ("len", c_ssize), ("itemsize", c_ssize),
        ("readonly", ctypes.c_int), ("ndim", ctypes.c_int), ("format", ctypes.c_char_p),
        ("shape", ctypes.POINTER(c_ssize)), ("strides", ctypes.POINTER(c_ssize)),
        ("suboffsets", ctypes.POINTER(c_ssize)), ("internal", PTR),
    ]


class Layout(ctypes.Structure):
    _fields_ = [
        ("base", PTR), ("size", ctypes.c_size_t), ("offset", c_ssize), ("format", ctypes.c_char_p),
        ("itemsize", c_ssize), ("ndim", ctypes.c_int), ("shape", ctypes.POINTER(c_ssize)),
        ("strides", ctypes.POINTER(c_ssize)), ("suboffsets", ctypes.POINTER(c_ssize)),
        ("readonly", ctypes.c_int),
    ]


class Slice(ctypes.Structure):
    _fields_ = [("start", c_ssize), ("stop", c_ssize), ("step", c_ssize)]


class Value(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int), ("i", ctypes.c_int64), ("u", ctypes.c_uint64), ("f", ctypes.c_double),
        ("b", ctypes.c_bool), ("bytes", ctypes.POINTER(ctypes.c_uint8)), ("len", ctypes.c_size_t),
    ]


RELEASE_FN = ctypes.CFUNCTYPE(None, PTR)
PROGRESS_FN = ctypes.CFUNCTYPE(None, PTR, ctypes.c_char_p)


class VenvOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t), ("python", ctypes.c_char_p), ("system_site_packages", ctypes.c_bool),
        ("clear", ctypes.c_bool), ("force", ctypes.c_bool), ("symlinks", ctypes.c_bool),
        ("upgrade", ctypes.c_bool), ("with_pip", ctypes.c_bool), ("upgrade_deps", ctypes.c_bool),
        ("pip_mode", ctypes.c_int32), ("scm_ignore_files", ctypes.c_int32), ("pip_link_mode", ctypes.c_int32),
        ("prompt", ctypes.c_char_p), ("progress", PROGRESS_FN), ("progress_ctx", PTR),
        ("use_cache", ctypes.c_bool), ("facts_file", ctypes.c_char_p),
        # Version 2.
        ("relocatable", ctypes.c_bool), ("allow_existing", ctypes.c_bool), ("cachedir_tag", ctypes.c_bool),
        ("activators", ctypes.c_uint32),
    ]


# pepkit_venv_options.activators bits, by pepkit.venv.create's names.
ACTIVATORS = {"nushell": 1, "xonsh": 2, "powershell": 4, "python": 8}


def _find_library() -> str:
    override = os.environ.get("PEPKIT_LIBRARY")
    if override:
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "libpepkit.so")


LIB = ctypes.CDLL(_find_library())

_P = ctypes.POINTER
_OUT = _P(PTR)
_SIGS: Dict[str, Any] = {
    "pepkit_last_error": ([], ctypes.c_char_p),
    "pepkit_status_name": ([ctypes.c_int32], ctypes.c_char_p),
    "pepkit_version": ([], ctypes.c_char_p),
    "pepkit_getbuffer": ([PTR, _P(Buffer), ctypes.c_int], ctypes.c_int32),
    "pepkit_releasebuffer": ([_P(Buffer)], ctypes.c_int32),
    "pepkit_incref": ([PTR], None),
    "pepkit_decref": ([PTR], None),
    "pepkit_refcount": ([PTR], c_ssize),
    "pepkit_exports": ([PTR], c_ssize),
    "pepkit_type_name": ([PTR], ctypes.c_char_p),
    "pepkit_free": ([PTR], None),
    "pepkit_bytes_new": ([ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int32),
    "pepkit_bytearray_new": ([ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int32),
    "pepkit_ndarray_new": ([ctypes.c_char_p, ctypes.c_int, _P(c_ssize), ctypes.c_char, ctypes.c_int, _OUT], ctypes.c_int32),
    "pepkit_wrap_new": ([_P(Layout), RELEASE_FN, PTR, _OUT], ctypes.c_int32),
    "pepkit_format_calcsize": ([ctypes.c_char_p, _P(c_ssize)], ctypes.c_int32),
    "pepkit_memoryview_new": ([PTR, _OUT], ctypes.c_int32),
    "pepkit_memoryview_buffer": ([PTR], _P(Buffer)),
    "pepkit_memoryview_len": ([PTR], c_ssize),
    "pepkit_memoryview_slice": ([PTR, _P(Slice), ctypes.c_size_t, _OUT], ctypes.c_int32),
    "pepkit_memoryview_subview": ([PTR, c_ssize, _OUT], ctypes.c_int32),
    "pepkit_memoryview_cast": ([PTR, ctypes.c_char_p, _P(c_ssize), ctypes.c_int, _OUT], ctypes.c_int32),
    "pepkit_memoryview_toreadonly": ([PTR, _OUT], ctypes.c_int32),
    "pepkit_memoryview_tobytes": ([PTR, ctypes.c_char, _OUT, _P(ctypes.c_size_t)], ctypes.c_int32),
    "pepkit_memoryview_tobytes_into": ([PTR, ctypes.c_char, PTR, ctypes.c_size_t], ctypes.c_int32),
    "pepkit_memoryview_hex": ([PTR, ctypes.c_char_p, ctypes.c_int, _OUT, _P(ctypes.c_size_t)], ctypes.c_int32),
    "pepkit_memoryview_release": ([PTR], ctypes.c_int32),
    "pepkit_memoryview_get_item": ([PTR, _P(c_ssize), ctypes.c_size_t, _P(Value)], ctypes.c_int32),
    "pepkit_memoryview_set_item": ([PTR, _P(c_ssize), ctypes.c_size_t, _P(Value)], ctypes.c_int32),
    "pepkit_memoryview_tolist": ([PTR, _OUT, _P(ctypes.c_size_t)], ctypes.c_int32),
    "pepkit_memoryview_equal": ([PTR, PTR, _P(ctypes.c_bool)], ctypes.c_int32),
    "pepkit_memoryview_hash": ([PTR, _P(c_ssize)], ctypes.c_int32),
    "pepkit_memoryview_assign": ([PTR, _P(Slice), ctypes.c_size_t, PTR], ctypes.c_int32),
    "pepkit_venv_options_init_sized": ([_P(VenvOptions), ctypes.c_size_t], ctypes.c_int32),
    "pepkit_venv_create": ([ctypes.c_char_p, _P(VenvOptions)], ctypes.c_int32),
    "pepkit_venv_open": ([ctypes.c_char_p, _OUT], ctypes.c_int32),
    "pepkit_venv_get": ([PTR, ctypes.c_char_p, _P(ctypes.c_char_p)], ctypes.c_int32),
    "pepkit_venv_site_packages": ([PTR, _P(ctypes.c_char_p)], ctypes.c_int32),
    "pepkit_venv_dir": ([PTR, _P(ctypes.c_char_p), _P(ctypes.c_char_p)], ctypes.c_int32),
    "pepkit_venv_system_site_packages": ([PTR, _P(ctypes.c_bool)], ctypes.c_int32),
    "pepkit_venv_free": ([PTR], None),
    "pepkit_venv_check": ([ctypes.c_char_p, _OUT], ctypes.c_int32),
    "pepkit_venv_report_len": ([PTR], ctypes.c_size_t),
    "pepkit_venv_report_kind": ([PTR, ctypes.c_size_t], ctypes.c_int32),
    "pepkit_venv_report_message": ([PTR, ctypes.c_size_t], ctypes.c_char_p),
    "pepkit_venv_report_path": ([PTR, ctypes.c_size_t], ctypes.c_char_p),
    "pepkit_venv_report_free": ([PTR], None),
    "pepkit_venv_sys_path": ([PTR, _OUT], ctypes.c_int32),
    "pepkit_venv_find_spec": ([PTR, ctypes.c_char_p, _OUT], ctypes.c_int32),
    "pepkit_find_spec": ([ctypes.c_char_p, _P(ctypes.c_char_p), ctypes.c_size_t, _OUT], ctypes.c_int32),
    "pepkit_spec_kind": ([PTR], ctypes.c_int32),
    "pepkit_spec_loader": ([PTR], ctypes.c_int32),
    "pepkit_spec_name": ([PTR], ctypes.c_char_p),
    "pepkit_spec_origin": ([PTR], ctypes.c_char_p),
    "pepkit_spec_search_locations": ([PTR, _OUT], ctypes.c_int32),
    "pepkit_spec_free": ([PTR], None),
    "pepkit_strings_len": ([PTR], ctypes.c_size_t),
    "pepkit_strings_get": ([PTR, ctypes.c_size_t], ctypes.c_char_p),
    "pepkit_strings_free": ([PTR], None),
}
for _name, (_args, _res) in _SIGS.items():
    _fn = getattr(LIB, _name)
    _fn.argtypes = _args
    _fn.restype = _res

OK = 0
# pepkit status -> the Python exception CPython raises in the same case.
EXCEPTIONS: Dict[int, Type[BaseException]] = {
    1: BufferError, 2: ValueError, 3: TypeError, 4: IndexError, 5: NotImplementedError,
    6: OverflowError, 7: MemoryError, 8: OSError, 9: FileNotFoundError, 10: FileExistsError,
    11: OSError, 12: ValueError, 13: RuntimeError,
}


def cstr(value: Any, what: str = "argument") -> bytes:
    """`value` (str as UTF-8, bytes, or a path) as a C string. An embedded NUL
    would silently cut the string short in C, so it is refused as os.* does."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogateescape")
    elif isinstance(value, bytes):
        data = value
    else:
        data = os.fsencode(value)
    if b"\0" in data:
        raise ValueError("embedded null byte in %s" % what)
    return data


def cpath(value: Any) -> bytes:
    """A path as the C API takes it: os.fsencode, no NUL."""
    return cstr(os.fsencode(value), "path")


def last_error() -> str:
    msg = LIB.pepkit_last_error()
    return msg.decode("utf-8", "replace") if msg else ""


def error(status: int, *, not_found: Optional[Type[BaseException]] = None) -> BaseException:
    """The exception for a failed call's status, with pepkit's message."""
    cls = EXCEPTIONS.get(status, RuntimeError)
    if status == 9 and not_found is not None:
        cls = not_found
    return cls(last_error())


def check(status: int, *, not_found: Optional[Type[BaseException]] = None) -> None:
    if status != OK:
        raise error(status, not_found=not_found)


def take_string(ptr: Optional[int], length: Optional[int] = None) -> bytes:
    """Copies and frees a string pepkit returned as owned."""
    if not ptr:
        return b""
    try:
        return ctypes.string_at(ptr, length) if length is not None else ctypes.string_at(ptr)
    finally:
        LIB.pepkit_free(ptr)


def strings(lst: Optional[int]) -> "list[str]":
    """Copies and frees a pepkit_strings list as str paths (os.fsdecode)."""
    if not lst:
        return []
    try:
        return [os.fsdecode(LIB.pepkit_strings_get(lst, i)) for i in range(LIB.pepkit_strings_len(lst))]
    finally:
        LIB.pepkit_strings_free(lst)
