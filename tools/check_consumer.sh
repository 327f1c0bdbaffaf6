#!/usr/bin/env bash
# Builds tests/consumer with this checkout as its subprojects/dictlog and checks its output:
# proves that `dependency('dictlog')` works for a parent project.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo"/tests/consumer/meson.build "$repo"/tests/consumer/main.cpp "$work"/
mkdir "$work/subprojects"
ln -s "$repo" "$work/subprojects/dictlog"
meson setup "$work/build" "$work" >/dev/null
ninja -C "$work/build" >/dev/null
out=$("$work/build/consumer" 2>&1)
if [ "$out" != "hello from a subproject 1" ]; then
  echo "consumer printed: $out" >&2
  exit 1
fi
echo "consumer (dictlog as a subproject): ok"
