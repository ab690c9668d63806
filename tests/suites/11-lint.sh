#!/usr/bin/env bash
# The code's own rules, checked by the compiler and clippy rather than by
# review: the whole workspace (both crates and their tests) clippy-clean with
# warnings as errors, every public item of the safe crate and the C skin
# documented, every unsafe block with its SAFETY reason and every public
# unsafe fn with a "# Safety" section (crate attributes in src/lib.rs and
# ffi/src/lib.rs turn these on), rustdoc links resolving, and the safe crate
# packaging on its own: a Rust dependent builds neither the C library nor the
# header.
cd "$(dirname "$0")/../.."
source tests/lib.sh
passed=0 failed=0

check() {
  local what=$1; shift
  local log
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    echo "ok   $what"; passed=$((passed + 1))
  else
    echo "FAIL $what"; sed 's/^/     /' "$log" | tail -n 40; failed=$((failed + 1))
  fi
  rm -f "$log"
}

check "cargo clippy --workspace --all-targets -D warnings" \
  cargo clippy --release --workspace --all-targets -- -D warnings
check "rustdoc of pepkit and pepkit-ffi with -D warnings" \
  env RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps -p pepkit -p pepkit-ffi
# The package's file list is what crates.io would get: no build script, no
# C sources, nothing of ffi/ (the safe crate stands alone).
check "cargo package -p pepkit (packs and builds the safe crate alone)" \
  cargo package -p pepkit --allow-dirty
files=$(cargo package -p pepkit --list --allow-dirty 2>/dev/null)
check "the packaged safe crate is src/ and its texts: no build script, nothing of ffi/, include/, tests/" \
  bash -c '! grep -vE "^(src/|Cargo\.(toml|toml\.orig|lock)$|\.cargo_vcs_info\.json$|README\.md$|CHANGELOG\.md$|LICENSE-)" <<<"$1"' _ "$files"
check "cbindgen is nowhere in the safe crate's dependency tree" \
  bash -c '! cargo tree -p pepkit -e all --prefix none | grep -q "^cbindgen "'
pepkit_summary "$passed" "$failed"
[ "$failed" -eq 0 ]
