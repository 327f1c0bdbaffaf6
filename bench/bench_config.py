#!/usr/bin/env python3
"""CPython 3.13's dictConfig on bench_config's configuration, written by
`bench_config --handlers N --write FILE` or `bench_config --loggers N --write FILE`.

Usage: bench_config.py FILE [REPS] [--tree]
  without --tree: the file applied REPS times; prints {"handlers": N, "apply_ms": [...]}.
  --tree (a --loggers file): json.loads timed, the file applied to a fresh tree and then
  REPS times to the tree it made, then getLogger of 1,000 new names; prints what
  bench_config --loggers prints."""
import json
import logging
import logging.config
import os
import statistics
import sys
import tempfile
import time

args = [a for a in sys.argv[1:] if a != "--tree"]
tree = "--tree" in sys.argv[1:]
config_text = open(args[0]).read()
reps = int(args[1]) if len(args) > 1 else 5
os.chdir(tempfile.mkdtemp(prefix="dictlog-bench-config-py-"))
if not tree:
    ms = []
    for _ in range(reps):
        config = json.loads(config_text)
        t0 = time.perf_counter()
        logging.config.dictConfig(config)
        ms.append((time.perf_counter() - t0) * 1000)
    n = len(json.loads(config_text)["handlers"])
    print(json.dumps({"program": "cpython", "handlers": n, "apply_ms": [round(x, 2) for x in ms]}))
    sys.exit(0)

t0 = time.perf_counter()
config = json.loads(config_text)
parse_ms = (time.perf_counter() - t0) * 1000
ms = []
for _ in range(reps + 1):
    c = json.loads(config_text)  # dictConfig changes what it is given
    t0 = time.perf_counter()
    logging.config.dictConfig(c)
    ms.append((time.perf_counter() - t0) * 1000)
us = []
for i in range(1000):
    t0 = time.perf_counter()
    logging.getLogger("app.m%d.new%d" % (i % 7, i))
    us.append((time.perf_counter() - t0) * 1e6)
print(json.dumps({"program": "cpython", "loggers": len(config["loggers"]),
                  "parse_ms": round(parse_ms, 2), "apply_ms": [round(x, 2) for x in ms],
                  "new_logger_us": round(statistics.median(us), 2)}))
