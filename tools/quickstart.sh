#!/usr/bin/env bash
# Installs the Debian packages dictlog needs, builds it, and runs the quick-start service
# (samples/quickstart.cpp), which loads samples/quickstart.json: a QueueHandler in front of
# the console and quickstart.log (written in the repository's top directory).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bash "$repo/tools/install_deps.sh"
if [ ! -f "$repo/build/build.ninja" ]; then
  meson setup "$repo/build" "$repo" >/dev/null
fi
ninja -C "$repo/build" >/dev/null
cd "$repo"
build/samples/quickstart samples/quickstart.json
echo "--- quickstart.log:"
cat quickstart.log
