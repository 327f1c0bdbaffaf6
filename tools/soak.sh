#!/usr/bin/env bash
# The soak: MINUTES (default 30) of 4 threads at 1000 records/s each through a QueueHandler
# into a RotatingFileHandler (maxBytes 256 KiB), a TimedRotatingFileHandler rolling over every
# second and a SocketHandler to a local receiver (tests/soak/soak.cpp). Fails if RSS grows by
# more than 10 % after the warm-up, if a descriptor or thread leaks, or if any destination's
# record count differs from the count logged. The figures are in docs/RELIABILITY.md.
#
#   bash tools/soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
if [ ! -f build/build.ninja ]; then
  meson setup build --werror >/dev/null
fi
ninja -C build tests/soak
DICTLOG_SOAK_SECONDS=$((minutes * 60)) meson test -C build --setup soak --suite soak --verbose
