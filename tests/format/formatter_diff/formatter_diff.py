#!/usr/bin/env python3
"""Differential test: dictlog's Formatter against CPython 3.13's logging.Formatter.

Usage: formatter_diff.py FORMAT_CASES_BINARY
Generates the cases (cases.py), computes CPython 3.13's output or exception for each one in
a CPython 3.13 subprocess, runs the C++ program on the same cases, and prints every
mismatch with both sides. Exit 0 if all match, 1 otherwise, 77 (skip) without CPython 3.13.
Both sides run with TZ=UTC.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def find_cpython():
    env = dict(os.environ, PYENV_VERSION="3.13.0")
    candidates = [["python3"]]
    home = os.path.expanduser("~")
    candidates.append([os.path.join(home, ".pyenv", "versions", "3.13.0", "bin", "python3")])
    for cmd in candidates:
        if not shutil.which(cmd[0]) and not os.path.exists(cmd[0]):
            continue
        try:
            out = subprocess.run(cmd + ["-c", "import sys; print(sys.version.split()[0])"],
                                 env=env, capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == "3.13.0":
            return cmd
    return None


# Runs inside CPython 3.13: compute the reference results.
CPYTHON_SIDE = r'''
import json, logging, sys, time
from unittest import mock

def value(v):
    t = v[0]
    if t == "int": return int(v[1])
    if t == "float": return float(v[1])
    if t == "str": return v[1]
    if t == "bool": return v[1]
    return None

def mapping(pairs):
    return None if pairs is None else {k: value(v) for k, v in pairs}

def make_record(r):
    with mock.patch("time.time_ns", return_value=r["created_ns"]):
        rec = logging.LogRecord(r["name"], r["levelno"], r["pathname"], r["lineno"], r["msg"],
                                (), None, func=r["funcName"], sinfo=r["stack_info"])
    rec.levelname = r["levelname"]
    rec.relativeCreated = float(r["relativeCreated"])
    rec.thread = r["thread"]
    rec.threadName = r["threadName"]
    rec.processName = r["processName"]
    rec.process = r["process"]
    rec.taskName = None
    rec.exc_text = r["exc_text"]
    for k, v in (mapping(r["extra"]) or {}).items():
        setattr(rec, k, v)
    return rec

def run(c):
    try:
        f = logging.Formatter(c["fmt"], c["datefmt"], c["style"], c["validate"],
                              defaults=mapping(c["defaults"]))
        if c["utc"]:
            f.converter = time.gmtime
        if "default_msec_format" in c:
            f.default_msec_format = c["default_msec_format"]
        if "default_time_format" in c:
            f.default_time_format = c["default_time_format"]
        rec = make_record(c["record"])
        out = f.format(rec)
        if c.get("twice"):
            out += "\n--\n" + f.format(rec)
        return {"id": c["id"], "ok": out}
    except Exception as e:
        return {"id": c["id"], "error": [type(e).__name__, str(e)]}

cases = json.load(open(sys.argv[1], encoding="utf-8"))
json.dump([run(c) for c in cases], sys.stdout, ensure_ascii=True)
'''


def describe(result):
    if result is None:
        return None
    return result["ok"] if "ok" in result else ("raise",) + tuple(result["error"])


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    cpython = find_cpython()
    if cpython is None:
        print("SKIP: CPython 3.13 not found (PYENV_VERSION=3.13.0 python3 or "
              "~/.pyenv/versions/3.13.0/bin/python3)")
        return 77
    sys.path.insert(0, HERE)
    import cases as case_module
    cases = case_module.generate()
    env = dict(os.environ, TZ="UTC", PYENV_VERSION="3.13.0")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(cases, fh, ensure_ascii=True)
        script = os.path.join(tmp, "cpython_side.py")
        with open(script, "w", encoding="utf-8") as fh:
            fh.write(CPYTHON_SIDE)
        ref = subprocess.run(cpython + [script, path], env=env, capture_output=True, text=True)
        if ref.returncode != 0:
            print("CPython side failed:\n" + ref.stderr)
            return 1
        ours = subprocess.run([binary, path], env=env, capture_output=True, text=True,
                              errors="replace")
        if ours.returncode != 0:
            print("format_cases failed (%d):\n%s" % (ours.returncode, ours.stderr))
            return 1
    expected = {r["id"]: r for r in json.loads(ref.stdout)}
    actual = {r["id"]: r for r in json.loads(ours.stdout)}
    styles = {}
    for c in cases:
        styles[c["style"]] = styles.get(c["style"], 0) + 1
    print("%d formatter/record cases (%s)" % (
        len(cases), ", ".join("%r: %d" % kv for kv in sorted(styles.items()))))
    mismatches = 0
    for c in cases:
        e, a = expected[c["id"]], actual.get(c["id"])
        if a is None or e.get("ok") != a.get("ok") or e.get("error") != a.get("error"):
            mismatches += 1
            print("MISMATCH case %d: style=%r fmt=%r datefmt=%r validate=%r utc=%r%s" % (
                c["id"], c["style"], c["fmt"], c["datefmt"], c["validate"], c["utc"],
                "".join(" %s=%r" % (k, c[k]) for k in ("default_msec_format",
                                                       "default_time_format", "defaults")
                        if c.get(k) is not None)))
            print("  cpython: %r" % (describe(e),))
            print("  dictlog: %r" % (describe(a),))
    print("%d of %d cases match CPython 3.13" % (len(cases) - mismatches, len(cases)))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
