#!/usr/bin/env python3
"""CPython 3.13 + python-json-logger (Debian's python3-pythonjsonlogger) on what bench_json
does: bench/json_lines.json applied with dictConfig, then N calls of
    log.info("order %d placed", i, extra={"user": "alice", "amount": 12.5})
timed until the file is closed holding every line; --queue puts the QueueHandler in front.

Usage: bench_json.py CONFIG [--queue] [--records N] [--reps R]   (prints one JSON line)"""
import argparse
import json
import logging
import logging.config
import os
import sys
import tempfile
import time

sys.path.append("/usr/lib/python3/dist-packages")  # Debian's pythonjsonlogger, after ours
import pythonjsonlogger.jsonlogger  # noqa: E402,F401  (fails here, not inside dictConfig)

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("--queue", action="store_true")
ap.add_argument("--records", type=int, default=200000)
ap.add_argument("--reps", type=int, default=5)
a = ap.parse_args()
text = open(a.config).read()
os.chdir(tempfile.mkdtemp(prefix="dictlog-bench-json-py-"))
ns, first = [], None
for _ in range(a.reps):
    config = json.loads(text)
    if a.queue:
        config["loggers"]["bench"]["handlers"] = ["queue"]
    else:
        del config["handlers"]["queue"]
    logging.config.dictConfig(config)
    if a.queue:
        logging.getHandlerByName("queue").listener.start()
    log = logging.getLogger("bench")
    t0 = time.perf_counter()
    for i in range(a.records):
        log.info("order %d placed", i, extra={"user": "alice", "amount": 12.5})
    if a.queue:
        logging.getHandlerByName("queue").listener.stop()
    logging.config.dictConfig({"version": 1})  # closes the file
    elapsed = time.perf_counter() - t0
    with open("bench-json.log") as f:
        lines = f.read().splitlines()
    if len(lines) != a.records:
        sys.exit(f"bench_json.py: {len(lines)} lines written of {a.records}")
    ns.append(elapsed * 1e9 / a.records)
    first = first or lines[0]
print(json.dumps({"program": "cpython", "queue": a.queue, "records": a.records,
                  "ns_per_record": [round(x, 1) for x in ns], "first_line": first}))
