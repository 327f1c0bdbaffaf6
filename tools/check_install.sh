#!/usr/bin/env bash
# Installs dictlog into a temporary prefix (`meson install`) and checks what a user of the
# installed package gets: the headers, the library, the `dictlog` tool, the JSON Schema and a
# dictlog.pc with which tests/consumer/main.cpp builds and runs through
# `pkg-config --cflags --libs dictlog` alone (with --static for a static library). Further
# arguments go to `meson setup`.
#
#   bash tools/check_install.sh [shared|static [MESON_OPTION...]]
#   bash tools/check_install.sh static -Dcurl=disabled   # see README: a static library
#   DICTLOG_INSTALL_FROM=build bash tools/check_install.sh shared   # install build/ (CI)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-shared}
shift $(($# > 0 ? 1 : 0))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
if [ -n "${DICTLOG_INSTALL_FROM:-}" ]; then
  # A build directory already built as a user would configure it (CI's first build, a
  # shared library): pointed at the temporary prefix and installed from there. Changing the
  # prefix and libdir recompiles nothing, so the library is not built once more.
  meson configure "$DICTLOG_INSTALL_FROM" --prefix="$prefix" --libdir=lib "$@" >/dev/null
  meson install -C "$DICTLOG_INSTALL_FROM" --quiet >/dev/null
else
  meson setup "$work/build" "$repo" --prefix="$prefix" --libdir=lib -Dtests=false \
    -Ddefault_library="$kind" "$@" >/dev/null
  ninja -C "$work/build" >/dev/null
  meson install -C "$work/build" --quiet
fi

for f in include/dictlog/dictlog.hpp include/dictlog/config_json.hpp bin/dictlog \
  share/dictlog/dictconfig.schema.json lib/pkgconfig/dictlog.pc; do
  if [ ! -e "$prefix/$f" ]; then
    echo "install: $f is missing under the prefix" >&2
    exit 1
  fi
done
# A prefix outside the loader's search path needs LD_LIBRARY_PATH (or ldconfig for /usr/local).
LD_LIBRARY_PATH=$prefix/lib "$prefix/bin/dictlog" --version >/dev/null

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
static=()
[ "$kind" = static ] && static=(--static)
flags=$(pkg-config --cflags --libs "${static[@]}" dictlog)
c++ -std=c++20 -o "$work/consumer" "$repo/tests/consumer/main.cpp" $flags
out=$(cd "$work" && LD_LIBRARY_PATH=$prefix/lib "$work/consumer" 2>&1)
if [ "$out" != "hello from a subproject 1" ]; then
  echo "installed consumer printed: $out" >&2
  exit 1
fi
echo "consumer (dictlog installed, $kind, pkg-config --cflags --libs dictlog): ok"
