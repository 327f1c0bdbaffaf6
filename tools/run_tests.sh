#!/usr/bin/env bash
# The whole test suite: builds into build/ (if needed) and runs `meson test`.
# Extra arguments go to meson test (e.g. --suite unit, or a test name).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --werror >/dev/null
fi
ninja -C build
meson test -C build --print-errorlogs --num-processes 2 "$@"
