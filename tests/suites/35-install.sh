#!/usr/bin/env bash
# make install into staged DESTDIRs, three layouts: the default directories,
# prefix=/opt/pk with libdir=.../lib64, and PREFIX=/opt/pepkit (the alias,
# with the names of old internal variables passed to prove they no longer
# collide). In each: the files and links (SONAME, RUNPATH, no debug info but a
# debuglink to a separate file), pkg-config consumers linked dynamically and
# with the static library (Libs.private enough), a CMake consumer project
# (tests/install/cmake: C on pepkit::pepkit, C++17 on pepkit::pepkit_static),
# man -l on both pages, each completion file in its shell; then the installed
# pyvenv run from a moved copy of the prefix with no LD_LIBRARY_PATH, and
# make uninstall leaving nothing behind (and a file it did not write alone).
cd "$(dirname "$0")/../.."
source tests/lib.sh
tmp=$(mktemp -d /tmp/pepkit-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $1"; fi; }
skipped() { skip=$((skip + 1)); echo "SKIPPED: $1"; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
sover=$(awk -F. '{ print ($1 == 0) ? $1 "." $2 : $1 }' <<<"$version")
pepkit_build lib
native=$(cat target/release/native-static-libs)
has_debug() { readelf -S "$1" 2>/dev/null | grep -q '\.debug_info'; }

cat >"$tmp/use.c" <<'C'
#include <pepkit.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    pepkit_object *b = NULL;
    if (pepkit_bytes_new((const uint8_t *)"hi", 2, &b) != PEPKIT_OK) return 1;
    pepkit_decref(b);
    printf("%s\n", pepkit_version());
    return strcmp(pepkit_version(), PEPKIT_VERSION_STRING) != 0;
}
C

# layout NAME PREFIX LIBDIR -- MAKE-ARGS...
layout() {
  local name=$1 prefix=$2 libdir=$3; shift 4
  local stage=$tmp/$name work=$tmp/$name.work root bindir
  mkdir -p "$stage" "$work"
  echo "== $name: make install $* DESTDIR=$stage"
  if ! make -s install "$@" DESTDIR="$stage" >"$tmp/$name.log" 2>&1; then
    fail=$((fail + 1)); echo "FAILED: $name: make install"; tail -n 20 "$tmp/$name.log"; return
  fi
  root=$stage$prefix; bindir=$prefix/bin
  local L=$stage$libdir
  check "$name: versioned library" "[ -f $L/libpepkit.so.$version ]"
  check "$name: SONAME link" "[ \"\$(readlink $L/libpepkit.so.$sover)\" = libpepkit.so.$version ]"
  check "$name: development link" "[ \"\$(readlink $L/libpepkit.so)\" = libpepkit.so.$sover ]"
  check "$name: SONAME recorded" "readelf -d $L/libpepkit.so.$version | grep -q 'SONAME.*\[libpepkit.so.$sover\]'"
  check "$name: static library" "[ -f $L/libpepkit.a ]"
  check "$name: headers" "(for h in pepkit.h pepkit.hpp pepkit_cdef.h; do cmp -s include/\$h $root/include/\$h || exit 1; done)"
  check "$name: pkg-config Version" "grep -qx 'Version: $version' $L/pkgconfig/pepkit.pc"
  check "$name: Libs.private is what rustc printed" "grep -qxF 'Libs.private: $native' $L/pkgconfig/pepkit.pc"
  check "$name: CMake package" "[ -f $L/cmake/pepkit/pepkitConfig.cmake ] && [ -f $L/cmake/pepkit/pepkitConfigVersion.cmake ]"
  check "$name: licences" "cmp -s LICENSE-MIT $root/share/doc/pepkit/LICENSE-MIT && cmp -s LICENSE-APACHE $root/share/doc/pepkit/LICENSE-APACHE"
  # No debug info in what is installed; it sits in a separate file named by
  # the binary's .gnu_debuglink, under $libdir/debug/<dir of the binary>.
  local bin dbg
  for bin in "$L/libpepkit.so.$version" "$root/bin/pyvenv" "$root/bin/pyfind"; do
    dbg=$stage$libdir/debug${bin#"$stage"}.debug
    check "$name: $(basename "$bin") has no debug info" "! has_debug $bin"
    check "$name: $(basename "$bin") debug file" "has_debug $dbg"
    check "$name: $(basename "$bin") debuglink" "readelf -p .gnu_debuglink $bin | grep -qF $(basename "$dbg")"
  done
  check "$name: libpepkit.a has no debug info" "! (cd $tmp && ar x $L/libpepkit.a \$(ar t $L/libpepkit.a | grep -m1 '^pepkit') && has_debug \$(ar t $L/libpepkit.a | grep -m1 '^pepkit'))"
  local rel; rel=$(realpath -m --relative-to="$bindir" "$libdir")
  for bin in pyvenv pyfind; do
    check "$name: $bin RUNPATH \$ORIGIN/$rel" "readelf -d $root/bin/$bin | grep -qF 'RUNPATH' && readelf -d $root/bin/$bin | grep -qF '[\$ORIGIN/$rel]'"
    check "$name: $bin --version" "[ \"\$($root/bin/$bin --version)\" = \"$bin $version\" ]"
  done

  # pkg-config consumers: the shared library (found by its SONAME), then the
  # static one with nothing but what Libs.private lists.
  local pc=(env PKG_CONFIG_PATH="$L/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage" pkg-config)
  local flags sflags
  flags=$("${pc[@]}" --cflags --libs pepkit)
  sflags=$("${pc[@]}" --cflags --static --libs pepkit | sed 's/-lpepkit\b/-l:libpepkit.a/')
  check "$name: pkg-config shared consumer" "cc -std=c11 -Wall -Werror -o $work/use_shared $tmp/use.c $flags -Wl,-rpath,$L && $work/use_shared >/dev/null"
  check "$name: linked by SONAME" "readelf -d $work/use_shared | grep -q 'NEEDED.*\[libpepkit.so.$sover\]'"
  check "$name: pkg-config static consumer" "cc -std=c11 -Wall -Werror -o $work/use_static $tmp/use.c $sflags && $work/use_static >/dev/null"
  check "$name: static consumer needs no libpepkit.so" "! readelf -d $work/use_static | grep -q 'NEEDED.*libpepkit'"
  # A fully static executable: rustc names the shared unwinder (-lgcc_s), whose
  # static twin is libgcc_eh (README, pkg-config).
  local fflags=${sflags//-lgcc_s/-lgcc_eh}
  check "$name: fully static consumer (-static, -lgcc_eh)" "cc -std=c11 -Wall -Werror -static -o $work/use_full_static $tmp/use.c $fflags 2>/dev/null && $work/use_full_static >/dev/null && ! readelf -d $work/use_full_static | grep -q NEEDED"

  # CMake consumer project against the staged prefix.
  if command -v cmake >/dev/null; then
    local b=$work/cmake-build hint=()
    # CMake searches <prefix>/lib64 only where the platform uses it (not on
    # Debian): there a user names the package directory, as here.
    [ "${libdir#"$prefix"/}" = lib ] || hint=(-Dpepkit_DIR="$L/cmake/pepkit")
    if cmake -S tests/install/cmake -B "$b" -DCMAKE_PREFIX_PATH="$root" "${hint[@]}" -DCMAKE_BUILD_TYPE=Release >"$b.log" 2>&1 &&
       cmake --build "$b" >>"$b.log" 2>&1; then
      pass=$((pass + 1))
      check "$name: CMake C consumer on pepkit::pepkit" "$b/use_c >/dev/null && readelf -d $b/use_c | grep -q 'NEEDED.*\[libpepkit.so.$sover\]'"
      check "$name: CMake C++17 consumer on pepkit::pepkit_static" "$b/use_cxx >/dev/null && ! readelf -d $b/use_cxx | grep -q 'NEEDED.*libpepkit'"
    else
      fail=$((fail + 1)); echo "FAILED: $name: CMake consumer"; tail -n 25 "$b.log"
    fi
    check "$name: find_package refuses pepkit 9.0" "! cmake -S tests/install/cmake -B $work/cmake-9 -DCMAKE_PREFIX_PATH=$root ${hint[*]} -DPEPKIT_WANT=9.0 >$work/cmake-9.log 2>&1 && grep -q 'pepkitConfig.cmake, version: $version' $work/cmake-9.log"
  else
    skipped "$name: CMake consumer (cmake not installed)"
  fi

  # Man pages render without warnings.
  local page
  for page in pyvenv pyfind; do
    if command -v man >/dev/null; then
      check "$name: man -l $page.1" "MANWIDTH=80 man -l $root/share/man/man1/$page.1 2>/dev/null | grep -q '^NAME' && [ -z \"\$(MANWIDTH=80 man --warnings -l $root/share/man/man1/$page.1 2>&1 >/dev/null)\" ]"
    else
      skipped "$name: man -l $page.1 (man not installed)"
    fi
  done

  # Each completion file loads in its shell and completes an option.
  check "$name: bash completion" "bash -c 'source $root/share/bash-completion/completions/pyvenv && COMP_WORDS=(pyvenv --pip e) COMP_CWORD=2 && _pepkit_pyvenv && [ \"\${COMPREPLY[*]}\" = ensurepip ] && source $root/share/bash-completion/completions/pyfind && complete -p pyfind >/dev/null'"
  if command -v zsh >/dev/null; then
    check "$name: zsh completion" "zsh -fc 'fpath=($root/share/zsh/site-functions \$fpath); autoload -Uz compinit && compinit -u -d $work/zcompdump && [[ \$_comps[pyvenv] == _pyvenv && \$_comps[pyfind] == _pyfind ]]' && zsh -n $root/share/zsh/site-functions/_pyvenv && zsh -n $root/share/zsh/site-functions/_pyfind"
  else
    skipped "$name: zsh completion (zsh not installed)"
  fi
  if command -v fish >/dev/null; then
    local fdir=$root/share/fish/vendor_completions.d
    check "$name: fish completion" "[ \"\$(fish --no-config -c 'source $fdir/pyvenv.fish; complete -C\"pyvenv --cle\"' | cut -f1)\" = --clear ] && fish --no-config -c 'source $fdir/pyfind.fish; complete -C\"pyfind --ve\"' | grep -q '^--venv'"
  else
    skipped "$name: fish completion (fish not installed)"
  fi
}

# uninstalled NAME MAKE-ARGS...: make uninstall leaves the staged tree empty.
uninstalled() {
  local name=$1; shift
  local stage=$tmp/$name
  check "$name: make uninstall" "make -s uninstall $* DESTDIR=$stage >/dev/null"
  check "$name: nothing left behind" "[ -z \"\$(find $stage -mindepth 1 -print -quit)\" ] || { find $stage -mindepth 1; false; }"
}

layout default /usr/local /usr/local/lib --
# Installing over an install keeps one manifest that still lists every directory.
check "default: install again over it" "make -s install DESTDIR=$tmp/default >/dev/null 2>&1"
uninstalled default

layout lib64 /opt/pk /opt/pk/lib64 -- prefix=/opt/pk libdir=/opt/pk/lib64
# A file install did not write stays, with the directories that hold it.
mkdir -p "$tmp/lib64/opt/pk/lib64/other" && echo keep >"$tmp/lib64/opt/pk/lib64/other/keep"
check "lib64: make uninstall" "make -s uninstall prefix=/opt/pk libdir=/opt/pk/lib64 DESTDIR=$tmp/lib64 >/dev/null"
check "lib64: only the foreign file is left" "[ \"\$(cd $tmp/lib64 && find . -mindepth 1 | sort | tr '\n' ' ')\" = './opt ./opt/pk ./opt/pk/lib64 ./opt/pk/lib64/other ./opt/pk/lib64/other/keep ' ]"

# Internal variables are PK_-prefixed: a makefile that still names an old one
# (TARGET, BUILD, LIBDIR, ...) after a merge would expand it to nothing.
undefined=$(make -n --warn-undefined-variables all c-tests cxx-tests examples install uninstall docs header check-header 2>&1 |
  grep -i 'undefined variable' | sort -u)
check "no makefile uses an undefined variable" "[ -z \"\$undefined\" ] || { echo \"\$undefined\"; false; }"

# PREFIX= with LIBDIR/TARGET/BUILD/SHARED set: none of them may reach the build.
layout alias /opt/pepkit /opt/pepkit/lib -- PREFIX=/opt/pepkit LIBDIR=/nonexistent TARGET=/nonexistent BUILD=/nonexistent SHARED=x STATIC=y

# The installed pyvenv from a moved copy of the prefix, no LD_LIBRARY_PATH.
if command -v python3 >/dev/null; then
  mkdir -p "$tmp/moved"
  cp -a "$tmp/alias/opt/pepkit" "$tmp/moved/elsewhere"
  check "moved prefix: pyvenv creates an env" "env -u LD_LIBRARY_PATH $tmp/moved/elsewhere/bin/pyvenv --without-pip --no-cache $tmp/moved/env && $tmp/moved/env/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix'"
  check "moved prefix: pyfind finds json in it" "env -u LD_LIBRARY_PATH $tmp/moved/elsewhere/bin/pyfind --venv $tmp/moved/env json | grep -q '^json: package source '"
else
  skipped "moved prefix (no python3)"
fi
uninstalled alias PREFIX=/opt/pepkit

pepkit_summary $pass $fail $skip
[ $fail -eq 0 ]
