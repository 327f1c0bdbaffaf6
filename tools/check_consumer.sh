#!/usr/bin/env bash
# Builds tests/consumer, a project that takes dictlog through `dependency('dictlog')` from a
# subprojects/dictlog.wrap, as our users do, and checks its output. The wrap is the
# [wrap-git] form the README shows, with this repository's path as its url: what is built
# is the committed HEAD (uncommitted changes are not in it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo"/tests/consumer/meson.build "$repo"/tests/consumer/main.cpp "$work"/
mkdir "$work/subprojects"
cat >"$work/subprojects/dictlog.wrap" <<WRAP
[wrap-git]
url = file://$repo
revision = head
depth = 1

[provide]
dependency_names = dictlog
WRAP
meson setup "$work/build" "$work" >/dev/null
ninja -C "$work/build" >/dev/null
out=$(cd "$work" && "$work/build/consumer" 2>&1)
if [ "$out" != "hello from a subproject 1" ]; then
  echo "consumer printed: $out" >&2
  exit 1
fi
echo "consumer (dictlog as a subproject from subprojects/dictlog.wrap): ok"
