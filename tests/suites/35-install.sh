#!/usr/bin/env bash
# make install into a staged DESTDIR: the versioned shared library with its
# SONAME links, the static library, the header and pepkit.pc; then a program
# built with pkg-config against the staged tree runs, with the shared library
# found through its SONAME and with the static one.
cd "$(dirname "$0")/../.."
source tests/lib.sh
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $1"; fi; }
make -s install PREFIX=/opt/pepkit DESTDIR="$stage" >/dev/null || { echo "make install failed"; pepkit_summary 0 1; exit 1; }
root=$stage/opt/pepkit
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
sover=$(awk -F. '{ print ($1 == 0) ? $1 "." $2 : $1 }' <<<"$version")
check "versioned library" "[ -f $root/lib/libpepkit.so.$version ]"
check "SONAME link" "[ \"\$(readlink $root/lib/libpepkit.so.$sover)\" = libpepkit.so.$version ]"
check "development link" "[ \"\$(readlink $root/lib/libpepkit.so)\" = libpepkit.so.$sover ]"
check "SONAME recorded" "readelf -d $root/lib/libpepkit.so.$version | grep -q 'SONAME.*libpepkit.so.$sover'"
check "static library" "[ -f $root/lib/libpepkit.a ]"
check "header" "cmp -s include/pepkit.h $root/include/pepkit.h"
check "pkg-config file" "grep -q '^Version: $version' $root/lib/pkgconfig/pepkit.pc"
cat > "$stage/use.c" <<'C'
#include <pepkit.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    pepkit_object *b = NULL;
    if (pepkit_bytes_new((const uint8_t *)"hi", 2, &b) != PEPKIT_OK) return 1;
    pepkit_decref(b);
    return strcmp(pepkit_version(), PEPKIT_VERSION_STRING) != 0;
}
C
if command -v pkg-config >/dev/null; then
  flags=$(PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage pkg-config --cflags --libs pepkit)
else
  flags="-I$root/include -L$root/lib -lpepkit"; echo "(pkg-config not installed: flags from the staged tree)"
fi
check "shared build" "cc -std=c11 -o $stage/use_shared $stage/use.c $flags -Wl,-rpath,$root/lib && $stage/use_shared"
check "linked by SONAME" "readelf -d $stage/use_shared | grep -q 'NEEDED.*libpepkit.so.$sover'"
check "static build" "cc -std=c11 -o $stage/use_static $stage/use.c -I$root/include $root/lib/libpepkit.a -lpthread -ldl -lm && $stage/use_static"
pepkit_summary $pass $fail
[ $fail -eq 0 ]
