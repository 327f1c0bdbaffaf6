#!/usr/bin/env python3
"""The README's first command's program and the C++-only sample, run as a newcomer runs them.

Usage: sample_programs_test.py QUICKSTART_EXE SETUP_IN_CODE_EXE SAMPLES_DIR

quickstart (samples/quickstart.cpp with samples/quickstart.json, three threads behind a
QueueHandler): the console gets the 9 INFO-and-up records (in an order the threads decide),
quickstart.log the 15 records of DEBUG and up with times and thread names, and the last
line printed counts them, as the README shows. setup_in_code: the console and
setup_in_code.log hold what samples/setup_in_code.cpp logs, byte for byte once times are
cut. Exit 0 when all hold, 1 otherwise.
"""
import os
import re
import subprocess
import sys
import tempfile

STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.M)

QUICKSTART_CONSOLE = sorted(
    ["INFO     app: service starting with CONFIG", "INFO     app: service stopping",
     "WARNING  app.db: slow query: 1200 ms"] +
    [f"INFO     app.http: GET /orders/{w * 10 + r} 200" for w in (1, 2, 3) for r in (1, 2)])
QUICKSTART_FILE = sorted(
    ["INFO     MainThread [app] service starting with CONFIG (request=-)",
     "INFO     MainThread [app] service stopping (request=-)",
     "WARNING  worker-2 [app.db] slow query: 1200 ms (request=r-22)"] +
    [f"INFO     worker-{w} [app.http] GET /orders/{w * 10 + r} 200 (request=r-{w}{r})"
     for w in (1, 2, 3) for r in (1, 2)] +
    [f"DEBUG    worker-{w} [app.http] headers parsed (request=r-{w}{r})"
     for w in (1, 2, 3) for r in (1, 2)])
SUMMARY = ("--- records went to the console above (INFO and up) and to quickstart.log "
           "(15 lines, DEBUG and up, with times and thread names)")

SETUP_CONSOLE = """INFO     app: service starting
WARNING  app.db: slow query: 1200 ms
ERROR    root: root logger: request 42 failed
std::runtime_error: connection reset
"""
SETUP_FILE = """INFO [app] service starting (user=alice)
DEBUG [app] debug goes to the file only (user=-)
WARNING [app.db] slow query: 1200 ms (user=-)
ERROR [root] root logger: request 42 failed (user=-)
std::runtime_error: connection reset
"""


def run(cmd, tmp):
    r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def main():
    quickstart, setup_in_code = map(os.path.abspath, sys.argv[1:3])
    config = os.path.join(os.path.abspath(sys.argv[3]), "quickstart.json")
    problems = []

    def check(name, got, want):
        if got != want:
            problems.append(f"{name}:\n  got:  {got!r}\n  want: {want!r}")

    with tempfile.TemporaryDirectory() as tmp:
        code, out, err = run([quickstart, config], tmp)
        lines = out.splitlines()
        check("quickstart exit and stderr", (code, err), (0, ""))
        check("quickstart summary", lines[-1:], [SUMMARY])
        check("quickstart console", sorted(l.replace(config, "CONFIG") for l in lines[:-1]),
              QUICKSTART_CONSOLE)
        with open(os.path.join(tmp, "quickstart.log"), encoding="utf-8") as f:
            text = f.read()
        check("quickstart.log times", len(STAMP.findall(text)), 15)
        check("quickstart.log", sorted(STAMP.sub("", text).replace(config, "CONFIG")
                                       .splitlines()), QUICKSTART_FILE)
    with tempfile.TemporaryDirectory() as tmp:
        code, out, err = run([setup_in_code], tmp)
        check("setup_in_code exit and stderr", (code, err), (0, ""))
        check("setup_in_code console", out, SETUP_CONSOLE)
        with open(os.path.join(tmp, "setup_in_code.log"), encoding="utf-8") as f:
            check("setup_in_code.log", STAMP.sub("", f.read()), SETUP_FILE)
    for p in problems:
        print("FAIL", p)
    print(f"{'FAILED' if problems else 'OK'}: quickstart and setup_in_code, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
