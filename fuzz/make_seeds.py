#!/usr/bin/env python3
"""Writes the seed corpora of the archive targets (wheel_archive and the
zip/editable half of import_parsers) into fuzz/corpus/: a few small real
zips made with the standard library's zipfile, fixed timestamps so a rerun
gives the same bytes. Rerun after changing it: python3 fuzz/make_seeds.py"""
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2020, 2, 2, 0, 0, 0)


def make_zip(members, compression=zipfile.ZIP_DEFLATED, comment=b""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = compression
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else 0o644 << 16
            z.writestr(info, data)
        z.comment = comment
    return buf.getvalue()


def pip_like_wheel():
    """A tiny wheel laid out as pip's: a package, dist-info, RECORD."""
    files = [
        ("pip/__init__.py", b'__version__ = "0.0"\n'),
        ("pip/__main__.py", b"import sys\nsys.exit(0)\n"),
        ("pip/_internal/__init__.py", b""),
        ("pip-0.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: pip\nVersion: 0.0\n"),
        ("pip-0.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nGenerator: seed\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ("pip-0.0.dist-info/entry_points.txt", b"[console_scripts]\npip = pip._internal.cli.main:main\n"),
    ]
    record = "".join("%s,,\n" % name for name, _ in files) + "pip-0.0.dist-info/RECORD,,\n"
    return make_zip(files + [("pip-0.0.dist-info/RECORD", record.encode())])


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    wheel = pip_like_wheel()
    stored = make_zip([("a.py", b"x = 1\n"), ("pkg/", b""), ("pkg/b.txt", b"hello " * 20)], zipfile.ZIP_STORED)
    packed = make_zip([("big.txt", b"0" * 4000), ("c.py", b"print(1)\n")], comment=b"seed comment")
    write("wheel_archive", "pip-like-wheel", wheel)
    write("wheel_archive", "stored", stored)
    write("wheel_archive", "deflated-comment", packed)
    write("wheel_archive", "empty-zip", make_zip([]))
    # import_parsers: an even first byte is a zip for parse_zip_index, an odd
    # one an editable finder module for parse_editable_finder.
    write("import_parsers", "zip-wheel", b"\x00" + wheel)
    write("import_parsers", "zip-stored", b"\x00" + stored)
    write("import_parsers", "zip-prefixed", b"\x00" + b"#!/usr/bin/env python3\n" + packed)
    write("import_parsers", "finder", b"\x01" + (
        b"import sys\n"
        b"MAPPING: dict[str, str] = {'proj': '/src/proj/proj', 'other': '/src/o\\xe9'}\n"
        b"NAMESPACES: dict[str, list[str]] = {'ns': ['/src/ns']}\n"
        b"PATH_PLACEHOLDER = '__editable__.proj-0.1.finder' + '.__path_hook__'\n"))
    write("import_parsers", "finder-old", b"\x01" + b"MAPPING = {'a': \"/x/a\"}\n")


if __name__ == "__main__":
    main()
