#!/usr/bin/env bash
# Fuzzes the configuration loader (tests/fuzz/fuzz_config.cpp) with libFuzzer under
# AddressSanitizer + UndefinedBehaviorSanitizer (clang), seeded with every compat case's
# config.json. First every input in tests/fuzz/regressions/ runs once (each was a crash once),
# then the fuzzer runs for SECONDS (default 120). Exits non-zero on any crash, leak, hang or
# sanitizer report; the input that caused it is left in build-fuzz/artifacts/.
#
#   bash tools/fuzz.sh [SECONDS]
#   build-fuzz/tests/fuzz/fuzz_config FILE   # replays one input
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-120}
build=build-fuzz

if [ ! -f "$build/build.ninja" ]; then
  # Only the fuzz target is needed: no tests, no CLI, no network handlers.
  CXX=clang++ meson setup "$build" -Dfuzz=true -Dtests=false -Dtools=false -Dcurl=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
fi
ninja -C "$build" -j2 tests/fuzz/fuzz_config
fuzzer=$root/$build/tests/fuzz/fuzz_config

# The seed corpus is made from the compat cases, not kept twice in the tree; what the
# fuzzer adds to it stays in build-fuzz/corpus for the next local run.
rm -rf "$build/artifacts"
mkdir -p "$build/corpus" "$build/artifacts"
for c in tests/compat/cases/*/config.json; do
  name=${c%/config.json}
  cp "$c" "$build/corpus/${name##*/}.json"
done
# The target creates its scratch directory (for files that configurations name) under
# TMPDIR; keeping it in the build tree means a crashed run leaves nothing elsewhere.
rm -rf "$build/tmp"
mkdir -p "$build/tmp"
export TMPDIR=$root/$build/tmp
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

shopt -s nullglob
regressions=("$root"/tests/fuzz/regressions/*)
if [ ${#regressions[@]} -gt 0 ]; then
  echo "fuzz: replaying ${#regressions[@]} regression inputs"
  if ! "$fuzzer" "${regressions[@]}" >"$build/regressions.log" 2>&1; then
    cat "$build/regressions.log" >&2
    echo "fuzz: FAILED: a regression input fails again" >&2
    exit 1
  fi
fi

echo "fuzz: ${seconds}s over $(ls "$build/corpus" | wc -l) corpus inputs"
status=0
# -entropic=0: clang 14's entropic schedule spends ~99% of the time updating feature
# frequencies for this target (~100k features), about 12 executions a second instead of 1000.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -entropic=0 \
  -dict="$root/tests/fuzz/config.dict" -artifact_prefix="$root/$build/artifacts/" \
  "$root/$build/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  # On a loaded machine a stall can push one quick input past -timeout. A real hang
  # repeats: a timeout whose input runs within the limit when replayed is only reported.
  real=0
  for a in "$root/$build/artifacts/"*; do
    case ${a##*/} in
      timeout-*) "$fuzzer" -timeout=10 "$a" >/dev/null 2>&1 || real=1 ;;
      *) real=1 ;;
    esac
  done
  if [ "$real" -eq 0 ] && ls "$root/$build/artifacts/"timeout-* >/dev/null 2>&1; then
    echo "fuzz: a timeout that does not repeat (machine stall?), not a failure:" >&2
    ls -1 "$root/$build/artifacts/" >&2
    exit 0
  fi
  echo "fuzz: FAILED (exit $status); reproducer(s):" >&2
  ls -1 "$root/$build/artifacts/" >&2
  exit 1
fi
echo "fuzz: no crash, leak or hang in ${seconds}s"
