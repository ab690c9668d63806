#!/usr/bin/env bash
# examples/interchange.c checks its own results; its output must end with "ok".
out=$("$1") || { echo "$out"; exit 1; }
echo "$out"
[ "$(tail -n1 <<<"$out")" = ok ]
