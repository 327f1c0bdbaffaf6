#!/usr/bin/env python3
"""samples/multiprocess.cpp with samples/multiprocess.json: four forked workers, one file.

Usage: multiprocess_sample_test.py MULTIPROCESS_EXE SAMPLES_DIR

Runs the sample in a temporary directory with 2000 records a worker and checks
multiprocess.log: the parent's two lines, then every worker's 2000 lines (and worker 3's
warning) once each, in the worker's order, each line whole and written by the process that
logged it (its pid differs from the parent's), and the summary line the program prints.
Exit 0 when all hold, 1 otherwise.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\d+) +(\S+) +(\w+) +(.*)")
N = 2000


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
    for p in problems[:20]:
        print("FAIL", p)
    print(f"{'FAILED' if problems else 'OK'}: {len(lines)} lines, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
