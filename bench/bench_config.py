#!/usr/bin/env python3
"""CPython 3.13's dictConfig on bench_config's configuration (written by
`bench_config --handlers N --write FILE`). Usage: bench_config.py FILE [REPS]."""
import json
import logging.config
import os
import sys
import tempfile
import time

config_text = open(sys.argv[1]).read()
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
os.chdir(tempfile.mkdtemp(prefix="dictlog-bench-config-py-"))
ms = []
for _ in range(reps):
    config = json.loads(config_text)
    t0 = time.perf_counter()
    logging.config.dictConfig(config)
    ms.append((time.perf_counter() - t0) * 1000)
n = len(json.loads(config_text)["handlers"])
print(json.dumps({"program": "cpython", "handlers": n, "apply_ms": [round(x, 2) for x in ms]}))
