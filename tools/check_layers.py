#!/usr/bin/env python3
"""Fails when a file of the library includes a header of a layer above its own.

Usage: check_layers.py [LIB_SRC_DIR]   (default: lib/src beside this script's folder)

The layers, lowest first, are the folders of lib/src (docs/ARCHITECTURE.md). A file in
lib/src/<layer>/ may include private headers of its own layer and of the layers below
("dictlog/detail/fence.hpp"), and public headers (lib/include/dictlog/) whose concept belongs
to those layers; PUBLIC below says which layer each public header belongs to, and it
is checked as well: a public header may only include public headers of its layer or below.
It also fails on a file of lib/ longer than MAX_LINES: a file is read in one sitting.
Exit 0 when every include points down, 1 with one line per offending include otherwise.
"""
import os
import re
import sys

LAYERS = ["record", "format", "core", "handlers", "net", "queue", "config"]

PUBLIC = {
    "record": ["level", "value", "record", "thread_name", "errors", "source_location",
               "detail/capture", "detail/pystr", "detail/text_out", "detail/name_filter",
               "detail/fence", "detail/clock", "detail/call_extras"],
    "format": ["formatter", "json_formatter", "rfc5424_formatter", "filter"],
    "core": ["handler", "logger", "logger_adapter", "shutdown", "context", "detail/direct_call",
             "detail/chain", "detail/segment_pool", "detail/thread_buffer"],
    "handlers": ["stream", "stream_handler", "file_handler", "rotating_file_handler",
                 "timed_rotating_file_handler", "watched_file_handler", "memory_handler",
                 "null_handler"],
    "net": ["socket_handler", "syslog_handler", "http_handler", "smtp_handler", "otlp_handler",
            "detail/net"],
    "queue": ["queue", "queue_handler", "queue_listener", "crash_handler", "multiprocessing_queue"],
    "config": ["config", "config_json", "registry", "watch", "dictlog"],
}
PUBLIC_LAYER = {f"dictlog/{h}.hpp": layer for layer, hs in PUBLIC.items() for h in hs}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of(header):
    """The layer of an included dictlog header, None for a system or third-party one."""
    if header in PUBLIC_LAYER:
        return PUBLIC_LAYER[header]
    top = header.split("/", 1)[0]
    if top in LAYERS and "/" in header:
        return top
    if top == "dictlog":
        return "unknown"
    return None


MAX_LINES = 450


def check(path, own, rel, problems):
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    if len(lines) > MAX_LINES:
        problems.append(f"{rel}: {len(lines)} lines, more than {MAX_LINES}; split it by concept")
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        target = layer_of(m.group(1))
        if target is None:
            continue
        if target == "unknown":
            problems.append(f"{rel}:{n}: {m.group(1)} is a public header that "
                            "tools/check_layers.py does not place in a layer (PUBLIC)")
        elif LAYERS.index(target) > LAYERS.index(own):
            problems.append(f"{rel}:{n}: {own} includes {m.group(1)}, of the higher "
                            f"layer {target}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "lib", "src")
    src = os.path.abspath(src)
    include = os.path.join(os.path.dirname(src), "include")
    root = os.path.dirname(os.path.dirname(src))
    problems, count = [], 0
    for entry in sorted(os.listdir(src)):
        folder = os.path.join(src, entry)
        if not os.path.isdir(folder):
            continue
        if entry not in LAYERS:
            problems.append(f"lib/src/{entry}: a folder that is no layer (LAYERS)")
            continue
        for dirpath, _, names in os.walk(folder):
            for name in sorted(names):
                if name.endswith((".cpp", ".hpp")):
                    path = os.path.join(dirpath, name)
                    check(path, entry, os.path.relpath(path, root), problems)
                    count += 1
    for header, layer in sorted(PUBLIC_LAYER.items()):
        path = os.path.join(include, header)
        if not os.path.exists(path):
            problems.append(f"lib/include/{header}: listed in PUBLIC but missing")
            continue
        check(path, layer, os.path.relpath(path, root), problems)
        count += 1
    for dirpath, _, names in os.walk(os.path.join(include, "dictlog")):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), include)
            if rel.endswith(".hpp") and rel not in PUBLIC_LAYER:
                problems.append(f"lib/include/{rel}: public header not in PUBLIC")
    for p in problems:
        print(p)
    print(f"layers: {count} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
