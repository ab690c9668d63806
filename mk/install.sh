#!/bin/sh
# mk/install.sh install|uninstall -- called by `make install` / `make uninstall`
# (mk/install.mk), which pass the GNU directory variables, DESTDIR and the
# build's PK_* facts in the environment.
#
# install writes every file under $DESTDIR and records it (without DESTDIR) in
# $datarootdir/pepkit/install-manifest.txt, one "f PATH", "l PATH" (a symlink)
# or "d PATH" (a directory install created) a line. uninstall removes exactly
# the f and l entries, then the d entries it can (empty ones, deepest first),
# then the manifest.
set -eu

mode=${1:?usage: install.sh install|uninstall}
manifest=$datarootdir/pepkit/install-manifest.txt
dest() { printf '%s%s' "$DESTDIR" "$1"; }

# The path from directory $1 to $2, both absolute (for RUNPATH and CMake).
relpath() { realpath -m --relative-to="$1" "$2"; }

for d in "$prefix" "$exec_prefix" "$bindir" "$libdir" "$includedir" "$datarootdir" "$mandir" \
    "$docdir" "$pkgconfigdir" "$cmakedir" "$debugdir" "$bashcompdir" "$zshcompdir" "$fishcompdir"; do
  case $d in
    /*) ;;
    *) echo "install.sh: '$d' is not an absolute directory" >&2; exit 1 ;;
  esac
done

if [ "$mode" = uninstall ]; then
  m=$(dest "$manifest")
  [ -f "$m" ] || { echo "nothing to uninstall: $m does not exist" >&2; exit 1; }
  list=$(cat "$m")
  # Files and links first (the manifest is one of them), then directories
  # deepest first; a directory holding something install did not write stays.
  printf '%s\n' "$list" | while read -r kind path; do
    case $path in
      /*..* | /*/./* ) echo "install.sh: skipping '$path'" >&2 ;;
      /*) case $kind in f | l) rm -f "$(dest "$path")" ;; esac ;;
      *) echo "install.sh: skipping '$path' (not absolute)" >&2 ;;
    esac
  done
  printf '%s\n' "$list" | sed -n 's/^d //p' | sort -r | while read -r path; do
    case $path in /*..*) ;; /*) rmdir "$(dest "$path")" 2>/dev/null || true ;; esac
  done
  echo "removed what $manifest listed"
  exit 0
fi

[ "$mode" = install ] || { echo "usage: install.sh install|uninstall" >&2; exit 2; }

work=$PK_BUILD/install
rm -rf "$work"
mkdir -p "$work"
entries=$work/manifest
: >"$entries"
# Directories an earlier install created stay recorded as ours.
if [ -f "$(dest "$manifest")" ]; then grep '^d ' "$(dest "$manifest")" >>"$entries" || true; fi

# mkdir -p that records each directory it creates.
mkdirs() {
  if [ "$1" = / ]; then
    mkdir -p "$(dest /)"  # DESTDIR itself is not ours to record
  elif [ ! -d "$(dest "$1")" ]; then
    mkdirs "$(dirname "$1")"
    mkdir "$(dest "$1")"
    echo "d $1" >>"$entries"
  fi
}
# put MODE SRC DIR [NAME]: install one file, recorded.
put() {
  mkdirs "$3"
  target=$3/${4:-$(basename "$2")}
  install -m "$1" "$2" "$(dest "$target")"
  echo "f $target" >>"$entries"
}
link() {
  ln -sfn "$1" "$(dest "$2")"
  echo "l $2" >>"$entries"
}
# Splits debug info off binary $1 into $2 (kept) and leaves $1 stripped with a
# .gnu_debuglink to it, so gdb finds it under $debugdir.
split_debug() {
  objcopy --only-keep-debug "$1" "$2"
  chmod 0644 "$2"
  objcopy --strip-debug --strip-unneeded "$1"
  objcopy --add-gnu-debuglink="$2" "$1"
}
# sub NAME VALUE: replaces @NAME@ by VALUE (escaped for sed) on stdin.
sub() { sed -e "s|@$1@|$(printf '%s' "$2" | sed 's/[\\|&]/\\&/g')|g"; }

# Shared library: versioned file, SONAME link, development link.
so=libpepkit.so.$PK_VERSION
cp "$PK_OUT/libpepkit.so" "$work/$so"
split_debug "$work/$so" "$work/$so.debug"
put 0755 "$work/$so" "$libdir"
link "$so" "$libdir/libpepkit.so.$PK_SOVER"
link "libpepkit.so.$PK_SOVER" "$libdir/libpepkit.so"
put 0644 "$work/$so.debug" "$debugdir$libdir"

# Static library without debug info (it is most of the archive's size).
objcopy --strip-debug --enable-deterministic-archives "$PK_OUT/libpepkit.a" "$work/libpepkit.a"
put 0644 "$work/libpepkit.a" "$libdir"

# The C header, the C++ layer, and the declarations for cffi's ffi.cdef().
for f in pepkit.h pepkit.hpp pepkit_cdef.h; do put 0644 "include/$f" "$includedir"; done

# pkg-config and CMake: the libraries a static link needs, as rustc printed them.
native=$(cat "$PK_NATIVE_LIBS_FILE")
[ -n "$native" ] || { echo "install.sh: $PK_NATIVE_LIBS_FILE is empty (run make lib)" >&2; exit 1; }
# Directories under ${prefix}/${exec_prefix} are written relative to them so
# that pkg-config --define-prefix can relocate the file.
# pcdir DIR VAR...: DIR written as ${VAR}/rest for the first VAR it lies under.
pcdir() {
  d=$1; shift
  for var in "$@"; do
    eval "base=\$$var"
    case $d in
      "$base") printf '${%s}' "$var"; return ;;
      "$base"/*) printf '${%s}%s' "$var" "${d#"$base"}"; return ;;
    esac
  done
  printf '%s' "$d"
}
sub prefix "$prefix" <pepkit.pc.in | sub exec_prefix "$(pcdir "$exec_prefix" prefix)" |
  sub libdir "$(pcdir "$libdir" exec_prefix prefix)" | sub includedir "$(pcdir "$includedir" prefix)" |
  sub VERSION "$PK_VERSION" | sub LIBS_PRIVATE "$native" >"$work/pepkit.pc"
put 0644 "$work/pepkit.pc" "$pkgconfigdir"

cmake_libs=$(printf '%s\n' $native | sed -n 's/^-l//p' | paste -sd ';' -)
for f in pepkitConfig.cmake pepkitConfigVersion.cmake; do
  sub VERSION "$PK_VERSION" <"cmake/$f.in" | sub SOVER "$PK_SOVER" |
    sub REL_LIBDIR "$(relpath "$cmakedir" "$libdir")" |
    sub REL_INCLUDEDIR "$(relpath "$cmakedir" "$includedir")" |
    sub NATIVE_LIBS "$cmake_libs" >"$work/$f"
  put 0644 "$work/$f" "$cmakedir"
done

# The tools find the library through a RUNPATH relative to themselves, so a
# moved prefix keeps working.
rpath="\$ORIGIN/$(relpath "$bindir" "$libdir")"
for tool in pyvenv pyfind; do
  ${CC:-cc} -std=c11 -O2 -g -Iinclude -o "$work/$tool" "examples/$tool.c" -L"$PK_OUT" -lpepkit \
    -Wl,--enable-new-dtags,-rpath,"$rpath"
  split_debug "$work/$tool" "$work/$tool.debug"
  put 0755 "$work/$tool" "$bindir"
  put 0644 "$work/$tool.debug" "$debugdir$bindir"
  put 0644 "man/$tool.1" "$mandir/man1"
  put 0644 "completions/$tool.bash" "$bashcompdir" "$tool"
  put 0644 "completions/_$tool" "$zshcompdir"
  put 0644 "completions/$tool.fish" "$fishcompdir"
done

for f in LICENSE-MIT LICENSE-APACHE README.md CHANGELOG.md; do
  [ ! -f "$f" ] || put 0644 "$f" "$docdir"
done

mkdirs "$(dirname "$manifest")"
echo "f $manifest" >>"$entries"
sort -u "$entries" >"$(dest "$manifest")"
echo "installed $(grep -c '^[fl] ' "$(dest "$manifest")") files and links under $DESTDIR$prefix (manifest: $manifest)"
