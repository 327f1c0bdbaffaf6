#!/usr/bin/env bash
# Fuzzes the configuration loader (tests/fuzz/fuzz_config.cpp) and the format parsers
# (tests/fuzz/fuzz_format.cpp) with libFuzzer under AddressSanitizer +
# UndefinedBehaviorSanitizer (clang). The loader is seeded with every compat case's
# config.json; first every input in tests/fuzz/regressions/ runs once (each was a crash
# once), then the fuzzer runs for SECONDS (default 120); the format target then runs for
# FORMAT_SECONDS (default 60), seeded with every sample's and compat case's format strings.
# Exits non-zero on any crash, leak, hang or sanitizer report; the input that caused it is
# left in build-fuzz/artifacts/ (or build-fuzz/artifacts-format/).
#
#   bash tools/fuzz.sh [SECONDS [FORMAT_SECONDS]]
#   build-fuzz/tests/fuzz/fuzz_config FILE   # replays one input
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-120}
format_seconds=${2:-60}
build=build-fuzz

if [ ! -f "$build/build.ninja" ]; then
  # Only the fuzz target is needed: no tests, no CLI, no network handlers.
  CXX=clang++ meson setup "$build" -Dfuzz=true -Dtests=false -Dtools=false -Dcurl=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
fi
ninja -C "$build" -j2 tests/fuzz/fuzz_config tests/fuzz/fuzz_format
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

# The format target: seeds are the "format" strings of the compat cases and samples, each
# behind a first byte that picks its style.
rm -rf "$build/corpus-format" "$build/artifacts-format"
mkdir -p "$build/corpus-format" "$build/artifacts-format"
python3 - "$build/corpus-format" tests/compat/cases samples <<'PY'
import json, os, sys
out, roots = sys.argv[1], sys.argv[2:]
seen = set()
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get("format"), str):
            style = v.get("style", "%")
            if style in ("%", "{", "$"):
                yield style, v["format"], v.get("datefmt")
        for x in v.values():
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
for root in roots:
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".json"):
                continue
            try:
                data = json.load(open(os.path.join(d, f), encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for style, fmt, datefmt in walk(data):
                body = fmt + ("\0" + datefmt if isinstance(datefmt, str) else "")
                seed = bytes([b"%{$".index(style.encode()) | 4]) + body.encode("utf-8", "replace")
                if seed not in seen:
                    seen.add(seed)
                    open(os.path.join(out, "seed%05d" % len(seen)), "wb").write(seed)
print("fuzz: %d format seeds" % len(seen))
PY
fformat=$root/$build/tests/fuzz/fuzz_format
status=0
"$fformat" -max_total_time="$format_seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -dict="$root/tests/fuzz/format.dict" \
  -artifact_prefix="$root/$build/artifacts-format/" "$root/$build/corpus-format" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: format target FAILED (exit $status); reproducer(s):" >&2
  ls -1 "$root/$build/artifacts-format/" >&2
  exit 1
fi
echo "fuzz: format target: no crash, leak or hang in ${format_seconds}s"
