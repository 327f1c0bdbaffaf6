#!/usr/bin/env python3
"""samples/multiprocess.cpp with samples/multiprocess.json: four forked workers, one file.

Usage: multiprocess_sample_test.py MULTIPROCESS_EXE SAMPLES_DIR

Runs the sample in a temporary directory with 2000 records a worker and checks
multiprocess.log: the parent's two lines, then every worker's 2000 lines (and worker 3's
warning) once each, in the worker's order, each line whole and written by the process that
logged it (its pid differs from the parent's), and the summary line the program prints.

Then the differential: the same configuration with %(processName)s added to the format, run
by the sample and by the same program in CPython 3.13 (multiprocess_cookbook.py, the logging
cookbook's pattern), 200 records a worker. With the times cut off and each process id
replaced by its role (the parent, or the worker whose logger wrote the line, its padding
checked), every logger's lines are the same bytes in the same order in both files.
Exit 0 when all hold, 1 otherwise; 77 without CPython 3.13 (the first part still runs).
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from compare import find_cpython  # noqa: E402

LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\d+) +(\S+) +(\w+) +(.*)")
N = 2000


STAMPED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\d+)( *) (\S+) (\S+)( +.*)")
COOKBOOK_RECORDS = 200


def by_logger(path, problems, who):
    """Each logger's lines, time cut off and pid replaced by its role ('parent' or 'worker')."""
    lines = open(path, encoding="utf-8").read().splitlines()
    matches = [(line, STAMPED.fullmatch(line)) for line in lines]
    # The parent is who logged on "main"; not the file's first line: CPython's parent puts its
    # first record through a feeder thread, and a worker forked just after may write first.
    parent = next((m.group(1) for _, m in matches if m and m.group(4) == "main"), None)
    out = collections.defaultdict(list)
    for line, m in matches:
        if not m:
            problems.append(f"{who}: not a whole line: {line!r}")
            continue
        pid, pad, process_name, name, rest = m.groups()
        if len(pid) + len(pad) != max(7, len(pid)):
            problems.append(f"{who}: %(process)-7d padded wrongly: {line!r}")
        role = "parent" if pid == parent else "worker"
        out[name].append(f"{role} {process_name} {name}{rest}")
    return out


def differential(exe, samples, problems):
    cpython = find_cpython()
    if not cpython:
        return False
    with open(os.path.join(samples, "multiprocess.json"), encoding="utf-8") as f:
        config = json.load(f)
    fmt = config["formatters"]["detailed"]["format"]
    config["formatters"]["detailed"]["format"] = fmt.replace("%(process)-7d",
                                                             "%(process)-7d %(processName)s")
    cookbook = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multiprocess_cookbook.py")
    results = {}
    for who, cmd, env in [("dictlog", [os.path.abspath(exe)], None),
                          ("CPython", cpython + [cookbook], dict(os.environ, PYENV_VERSION="3.13.0"))]:
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "mp.json"), "w", encoding="utf-8") as f:
                json.dump(config, f)
            r = subprocess.run(cmd + ["mp.json", str(COOKBOOK_RECORDS)], cwd=tmp, env=env,
                               capture_output=True, text=True, timeout=120)
            if r.returncode != 0 or (who == "CPython" and r.stderr):
                problems.append(f"{who} exit {r.returncode}: {r.stderr}")
                continue
            results[who] = by_logger(os.path.join(tmp, "multiprocess.log"), problems, who)
    if len(results) == 2:
        before = len(problems)
        ours, theirs = results["dictlog"], results["CPython"]
        if sorted(ours) != sorted(theirs):
            problems.append(f"loggers: dictlog {sorted(ours)}, CPython {sorted(theirs)}")
        for name in sorted(theirs):
            if ours.get(name) != theirs[name]:
                a, b = ours.get(name, []), theirs[name]
                first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                             min(len(a), len(b)))
                problems.append(f"{name}: {len(a)} lines vs CPython's {len(b)}; first difference "
                                f"at {first}: {a[first:first + 1]} vs {b[first:first + 1]}")
        if len(problems) == before:
            print(f"same bytes as CPython 3.13's cookbook pattern: "
                  f"{sum(map(len, theirs.values()))} lines, {len(theirs)} loggers")
    return True


def main():
    exe, samples = sys.argv[1], os.path.abspath(sys.argv[2])
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([os.path.abspath(exe), os.path.join(samples, "multiprocess.json"),
                            str(N)], cwd=tmp, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f"FAIL exit {r.returncode}: {r.stderr}")
            return 1
        lines = open(os.path.join(tmp, "multiprocess.log")).read().splitlines()
    if r.stdout != f"--- 4 worker processes logged; this process wrote multiprocess.log " \
                   f"({len(lines)} lines)\n":
        problems.append(f"stdout: {r.stdout!r}")
    jobs, pids = collections.defaultdict(list), collections.defaultdict(set)
    for line in lines:
        m = LINE.fullmatch(line)
        if not m:
            problems.append(f"not a whole line: {line!r}")
            continue
        pid, name, level, msg = m.groups()
        pids[name].add(pid)
        j = re.fullmatch(rf"job (\d+) of {N} done", msg)
        if name.startswith("worker.") and j:
            jobs[name].append(int(j.group(1)))
    for w in range(1, 5):
        if jobs[f"worker.{w}"] != list(range(1, N + 1)):
            problems.append(f"worker.{w}: {len(jobs[f'worker.{w}'])} jobs, not 1..{N} in order")
        if len(pids[f"worker.{w}"]) != 1 or pids[f"worker.{w}"] & pids["main"]:
            problems.append(f"worker.{w}: pids {pids[f'worker.{w}']} (parent {pids['main']})")
    if len(lines) != 2 + 4 * N + 1:
        problems.append(f"{len(lines)} lines, want {2 + 4 * N + 1}")
    compared = differential(exe, samples, problems)
    for p in problems[:20]:
        print("FAIL", p)
    print(f"{'FAILED' if problems else 'OK'}: {len(lines)} lines, {len(problems)} problems")
    if problems:
        return 1
    if not compared:
        print("SKIP: the differential needs CPython 3.13 (PYENV_VERSION=3.13.0 python3)")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
