#!/usr/bin/env bash
# Installs the Debian packages dictlog needs, builds it, and runs the quick-start program
# (samples/quickstart.cpp): log lines appear on the terminal and in ./quickstart.log.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bash "$repo/tools/install_deps.sh"
if [ ! -f "$repo/build/build.ninja" ]; then
  meson setup "$repo/build" "$repo" >/dev/null
fi
ninja -C "$repo/build" >/dev/null
echo "--- build/samples/quickstart (terminal):"
"$repo/build/samples/quickstart"
echo "--- quickstart.log (the same records through a FileHandler, DEBUG and up):"
cat quickstart.log
