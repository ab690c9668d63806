"""pepkit's PEP 517 build backend: a wheel holding the pure-Python package
and the libpepkit.so that `cargo build --release` makes from this checkout.

No third-party build dependency, so `pip install ./python` needs nothing but
pip and Rust. PEPKIT_PREBUILT=/path/libpepkit.so skips cargo (make wheel uses
it after building the library itself). The wheel's tag is py3-none-<platform>:
the package is pure Python over a C library with no Python ABI.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # python/
NAME = "pepkit"


def _crate_root() -> str:
    """The Rust crate: the checkout above python/, or rust/ in an sdist."""
    for cand in (os.path.dirname(HERE), os.path.join(HERE, "rust")):
        if os.path.isfile(os.path.join(cand, "Cargo.toml")) and os.path.isdir(os.path.join(cand, "src")):
            return cand
    raise RuntimeError("pepkit: cannot find the Rust crate (Cargo.toml) above %s" % HERE)


def _version() -> str:
    with open(os.path.join(_crate_root(), "Cargo.toml"), encoding="utf-8") as f:
        m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("pepkit: no version in Cargo.toml")
    return m.group(1)


def _library() -> str:
    pre = os.environ.get("PEPKIT_PREBUILT")
    if pre:
        return pre
    root = _crate_root()
    cargo = os.environ.get("CARGO", "cargo")
    env = dict(os.environ)
    # The Makefile builds with this set (ffi/artifact/build.rs writes the header there);
    # the same value keeps cargo's fingerprint, so a checkout that `make`
    # built is not rebuilt, and `make` does not rebuild after us.
    env.setdefault("PEPKIT_HEADER_OUT", os.path.join(root, "target", "include", "pepkit.h"))
    subprocess.run([cargo, "build", "--release", "--quiet"], cwd=root, check=True, stdout=sys.stderr, env=env)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    return os.path.join(target, "release", "libpepkit.so")


def _stripped(lib: str) -> bytes:
    """The library without its debug info (the release profile keeps line
    tables: 9 MB against 2), when binutils' strip is there; else as built."""
    strip = shutil.which("strip")
    if strip:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "libpepkit.so")
            if subprocess.run([strip, "--strip-debug", "-o", out, lib]).returncode == 0:
                with open(out, "rb") as f:
                    return f.read()
    with open(lib, "rb") as f:
        return f.read()


def _tag() -> str:
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "py3-none-" + plat


def _metadata(version: str) -> str:
    return (
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: PEP 3118 buffers, memoryview, venvs and "
        "PEP 420 import resolution from libpepkit, zero-copy\nRequires-Python: >=3.8\n" % (NAME, version)
    )


def _package_files() -> List[Tuple[str, str]]:
    """(archive name, path) of every file of the pure-Python package."""
    pkg = os.path.join(HERE, NAME)
    out = []
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py") or name == "py.typed":
            out.append(("%s/%s" % (NAME, name), os.path.join(pkg, name)))
    return out


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def _write_zip(zf: zipfile.ZipFile, arcname: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    version = _version()
    lib = _library()
    tag = _tag()
    dist_info = "%s-%s.dist-info" % (NAME, version)
    filename = "%s-%s-%s.whl" % (NAME, version, tag)
    os.makedirs(wheel_directory, exist_ok=True)
    files: List[Tuple[str, bytes, int]] = []
    for arcname, path in _package_files():
        with open(path, "rb") as f:
            files.append((arcname, f.read(), 0o644))
    files.append(("%s/libpepkit.so" % NAME, _stripped(lib), 0o755))
    files.append(("%s/METADATA" % dist_info, _metadata(version).encode(), 0o644))
    wheel_meta = "Wheel-Version: 1.0\nGenerator: pepkit_build\nRoot-Is-Purelib: false\nTag: %s\n" % tag
    files.append(("%s/WHEEL" % dist_info, wheel_meta.encode(), 0o644))
    files.append(("%s/top_level.txt" % dist_info, (NAME + "\n").encode(), 0o644))
    record = [_record_line(a, d) for a, d, _ in files] + ["%s/RECORD,," % dist_info]
    tmp = os.path.join(wheel_directory, filename + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for arcname, data, mode in files:
            _write_zip(zf, arcname, data, mode)
        _write_zip(zf, "%s/RECORD" % dist_info, ("\n".join(record) + "\n").encode())
    os.replace(tmp, os.path.join(wheel_directory, filename))
    return filename


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


# The Rust crate's files an sdist needs to build the library again.
_CRATE = ("Cargo.toml", "Cargo.lock", "src", "ffi")


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    version = _version()
    root = _crate_root()
    base = "%s-%s" % (NAME, version)
    filename = base + ".tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    tmp = os.path.join(sdist_directory, filename + ".part")
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for rel in ("pyproject.toml", "_backend/pepkit_build.py"):
            tf.add(os.path.join(HERE, rel), "%s/%s" % (base, rel), recursive=False)
        for arcname, path in _package_files():
            tf.add(path, "%s/%s" % (base, arcname), recursive=False)
        for rel in _CRATE:
            src = os.path.join(root, rel)
            if os.path.exists(src):
                tf.add(src, "%s/rust/%s" % (base, rel))
        pkg_info = _metadata(version).encode()
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        info.size = len(pkg_info)
        info.mode = 0o644
        tf.addfile(info, io.BytesIO(pkg_info))
    os.replace(tmp, os.path.join(sdist_directory, filename))
    return filename


if __name__ == "__main__":
    # python python/_backend/pepkit_build.py WHEEL_DIR: what `make wheel` runs.
    print(build_wheel(sys.argv[1] if len(sys.argv) > 1 else "dist"))
