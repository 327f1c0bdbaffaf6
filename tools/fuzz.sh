#!/usr/bin/env bash
# Fuzzes, with libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer (clang):
#   config  the configuration loader (tests/fuzz/fuzz_config.cpp), seeded with every compat
#           case's config.json;
#   format  the three format-string parsers and formatting (tests/fuzz/fuzz_format.cpp),
#           seeded with every format string of the compat cases and samples;
#   events  the `dictlog run` event reader (tests/fuzz/fuzz_events.cpp), seeded with every
#           events file of the compat cases and samples;
#   files   the YAML and INI readers (tests/fuzz/fuzz_files.cpp), seeded with every .yaml and
#           .ini sample.
# First every input in tests/fuzz/regressions/ runs once through its target (each was a crash
# once). Exits non-zero on any crash, leak, hang or sanitizer report; the input that caused it
# is left in build-fuzz/artifacts-TARGET/ (add it to tests/fuzz/regressions/ once fixed).
#
#   bash tools/fuzz.sh [CONFIG_S [FORMAT_S [EVENTS_S [FILES_S]]]]   (120 60 60 60)
#   bash tools/fuzz.sh --long [RUNS [TARGET...]]   # a campaign: RUNS executions (10 million)
#                                      # of each TARGET (all four); figures in build-fuzz/long.txt
#   build-fuzz/tests/fuzz/fuzz_config FILE   # replays one input
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
long=0
# An input that runs longer than this is a hang. A campaign runs for an hour or more on a
# machine that also does other work: a stall of 10 s (seen once, in a free() of a 15 ms
# input) would end it, so it allows a minute.
timeout=10
if [ "${1:-}" = "--long" ]; then
  long=1
  timeout=60
  runs=${2:-10000000}
  shift $(($# < 2 ? $# : 2))
  targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=(config format events files)
else
  config_seconds=${1:-120}
  format_seconds=${2:-60}
  events_seconds=${3:-60}
  files_seconds=${4:-60}
fi
build=build-fuzz

if [ ! -f "$build/build.ninja" ]; then
  # Only the fuzz targets are needed: no tests, no CLI, no network handlers. Optimised: the
  # sanitizers' checks stay, and the targets run several times faster than at -O0.
  CXX=clang++ meson setup "$build" -Dfuzz=true -Dtests=false -Dtools=false -Dcurl=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" -j2 tests/fuzz/fuzz_config tests/fuzz/fuzz_format tests/fuzz/fuzz_events \
  tests/fuzz/fuzz_files

# The seed corpora are made from the compat cases and samples, not kept twice in the tree;
# what the fuzzer adds to them stays in build-fuzz/corpus-TARGET for the next local run.
mkdir -p "$build/corpus-config" "$build/corpus-format" "$build/corpus-events" \
  "$build/corpus-files"
# YAML and INI seeds behind the byte that picks the form (0: YAML, 1: INI).
shopt -s nullglob
for f in samples/*.yaml samples/*.ini; do
  case $f in
    *.yaml) pick='\x00' ;;
    *) pick='\x01' ;;
  esac
  name=${f//\//_}
  { printf "$pick"; cat "$f"; } >"$build/corpus-files/$name"
done
shopt -u nullglob
for c in tests/compat/cases/*/config.json; do
  name=${c%/config.json}
  cp "$c" "$build/corpus-config/${name##*/}.json"
done
for e in tests/compat/cases/*/events.jsonl samples/*.jsonl; do
  name=${e%.jsonl}
  name=${name%/events}
  cp "$e" "$build/corpus-events/${name##*/}.jsonl"
done
# Format seeds: each case's and sample's "format" strings, behind a first byte that picks
# the style.
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
PY

# The targets create their scratch directories (for files that configurations name) under
# TMPDIR; keeping it in the build tree means a crashed run leaves nothing elsewhere.
rm -rf "$build/tmp"
mkdir -p "$build/tmp"
export TMPDIR=$root/$build/tmp
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# Every input in tests/fuzz/regressions/ was a crash once: each runs again through its
# target (format-*: the format target, events-*: the event reader, the rest: the loader).
shopt -s nullglob
declare -A replay=()
for r in "$root"/tests/fuzz/regressions/*; do
  case ${r##*/} in
    format-*) replay[format]+="$r"$'\n' ;;
    events-*) replay[events]+="$r"$'\n' ;;
    files-*) replay[files]+="$r"$'\n' ;;
    *) replay[config]+="$r"$'\n' ;;
  esac
done
for t in "${!replay[@]}"; do
  mapfile -t inputs <<<"${replay[$t]%$'\n'}"
  echo "fuzz: replaying ${#inputs[@]} regression inputs through $t"
  if ! "$build/tests/fuzz/fuzz_$t" "${inputs[@]}" >"$build/regressions-$t.log" 2>&1; then
    cat "$build/regressions-$t.log" >&2
    echo "fuzz: FAILED: a regression input fails again" >&2
    exit 1
  fi
done

# fuzz TARGET LIMIT: runs one target for LIMIT (-max_total_time=S or -runs=N).
fuzz() {
  local target=$1 limit=$2 status=0
  local fuzzer=$root/$build/tests/fuzz/fuzz_$target
  local artifacts=$root/$build/artifacts-$target
  local log=$root/$build/$target.log
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  echo "fuzz: $target ($limit) over $(ls "$build/corpus-$target" | wc -l) corpus inputs"
  # -entropic=0: clang 14's entropic schedule spends most of its time updating feature
  # frequencies for these targets (~100k features), a few executions a second.
  "$fuzzer" "$limit" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 -entropic=0 \
    -dict="$root/tests/fuzz/$target.dict" -artifact_prefix="$artifacts/" \
    "$root/$build/corpus-$target" >"$log" 2>&1 || status=$?
  grep -E "cov:" "$log" | tail -1 || true
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" || true
  if [ "$status" -ne 0 ]; then
    # On a loaded machine a stall can push one quick input past -timeout. A real hang
    # repeats: a timeout whose input runs within the limit when replayed is only reported.
    local real=0 a
    for a in "$artifacts"/*; do
      case ${a##*/} in
        timeout-*) "$fuzzer" -timeout="$timeout" "$a" >/dev/null 2>&1 || real=1 ;;
        *) real=1 ;;
      esac
    done
    if [ "$real" -eq 0 ] && ls "$artifacts"/timeout-* >/dev/null 2>&1; then
      echo "fuzz: $target: a timeout that does not repeat (machine stall?), not a failure:" >&2
      ls -1 "$artifacts" >&2
      return 0
    fi
    tail -40 "$log" >&2
    echo "fuzz: $target FAILED (exit $status); reproducer(s):" >&2
    ls -1 "$artifacts" >&2
    return 1
  fi
  echo "fuzz: $target: no crash, leak or hang"
}

if [ "$long" -eq 1 ]; then
  for t in "${targets[@]}"; do
    start=$(date +%s)
    fuzz "$t" "-runs=$runs" 2>&1 | tee -a "$build/long.txt"
    echo "fuzz: $t: $(( $(date +%s) - start )) s" | tee -a "$build/long.txt"
  done
else
  fuzz config "-max_total_time=$config_seconds"
  fuzz format "-max_total_time=$format_seconds"
  fuzz events "-max_total_time=$events_seconds"
  fuzz files "-max_total_time=$files_seconds"
fi
