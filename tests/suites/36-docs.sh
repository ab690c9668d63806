#!/usr/bin/env bash
# make docs: Doxygen HTML from pepkit.h, pepkit.hpp and docs/*.md with no
# warning (docs/Doxyfile fails on one), a page per area plus the conventions,
# every C function of pepkit.h and every field of the plain-data structs in it.
cd "$(dirname "$0")/../.."
source tests/lib.sh
if ! command -v doxygen >/dev/null; then echo "SKIPPED: doxygen not installed"; pepkit_summary 0 0 1; exit 0; fi
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $1"; fi; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
check "make docs without warnings" "make -s docs >$log 2>&1 && ! grep -qiE 'warning|error' $log || { cat $log | head -30; false; }"
html=target/docs/html
for page in index conventions objects memoryview_page venv_page import_page cxx install_page; do
  check "page $page" "[ -s $html/$page.html ]"
done
# Each function in pepkit.h has its documented entry on the header's page.
missing=$(grep -vE '^\s*(\*|/\*)' include/pepkit.h | grep -oE '\bpepkit_[a-z_]+\(' | grep -oE 'pepkit_[a-z_]+' | sort -u |
  while read -r fn; do grep -q "id=\"[^\"]*\"[^>]*>.*$fn\|<td class=\"memname\">.*$fn" $html/pepkit_8h.html || echo "$fn"; done)
check "every function documented on pepkit_8h.html" "[ -z \"$missing\" ] || { echo \"missing: $missing\"; false; }"
check "pepkit_slice fields" "grep -q 'The first index' $html/structpepkit__slice.html"
check "pepkit_value fields" "grep -q 'The value of a PEPKIT_VALUE_UINT' $html/structpepkit__value.html"
check "pepkit_venv_options fields" "grep -q 'progress_ctx' $html/structpepkit__venv__options.html"
check "C++ classes" "[ -s $html/classpepkit_1_1memoryview.html ] && [ -s $html/classpepkit_1_1error.html ]"
pepkit_summary $pass $fail
[ $fail -eq 0 ]
