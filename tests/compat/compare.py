#!/usr/bin/env python3
"""Differential compatibility suite: `dictlog run` against CPython 3.13's dictConfig.

Usage: compare.py --dictlog EXE --cases DIR [-k SUBSTRING] [-j JOBS] [-v]
       compare.py --oracle-only --cases DIR [-k SUBSTRING] [-v]

Each case is a folder holding config.json, events.jsonl and optionally meta.json
({"expect": "ok" | "reject" | "error", "about": "..."}; default "ok"). Both programs run in
fresh temporary working directories (cases write files with relative names) with TZ=UTC and
a UTF-8 locale. Compared after normalisation (see normalise()): exit status (both zero, or
both non-zero), stdout, stderr and every file written. `dictlog check` must agree with
CPython on whether the first configuration is accepted, and must write nothing.
Known disagreements are listed in xfail.txt ("case  reason"): they report XFAIL (or XPASS)
instead of failing. Exit 0 if nothing failed, 1 otherwise, 77 without CPython 3.13.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import servers

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 60


def find_cpython():
    env = dict(os.environ, PYENV_VERSION="3.13.0")
    home = os.path.expanduser("~")
    for cmd in (["python3"], [os.path.join(home, ".pyenv", "versions", "3.13.0", "bin", "python3")]):
        if not shutil.which(cmd[0]) and not os.path.exists(cmd[0]):
            continue
        try:
            out = subprocess.run(cmd + ["-c", "import sys; print(sys.version.split()[0])"],
                                 env=env, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "3.13.0":
            return cmd
    return None


def child_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("PYTHON") or k.startswith("LC_"):
            del env[k]
    env.update(TZ="UTC", LC_ALL="C.UTF-8", LANG="C.UTF-8", PYENV_VERSION="3.13.0",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


class Run:
    def __init__(self, status, stdout, stderr, files):
        self.status, self.stdout, self.stderr, self.files = status, stdout, stderr, files


def run_in_tmp(cmd):
    with tempfile.TemporaryDirectory(prefix="dictlog-compat-") as tmp:
        try:
            p = subprocess.run(cmd, cwd=tmp, env=child_env(), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=TIMEOUT)
            status, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            status, out, err = "timeout", e.stdout or b"", e.stderr or b""
        files = {}
        for root, _, names in os.walk(tmp):
            for n in names:
                path = os.path.join(root, n)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, tmp)] = f.read()
        return Run(status, out, err, files)


# --- normalisation -------------------------------------------------------------------------
DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d{3})?")
# datetime.isoformat() of an aware datetime (JsonFormatter's timestamp): microseconds when
# not zero, then the UTC offset.
ISO_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?(?:[+-]\d\d:\d\d|Z)")
# A JSON member holding a record attribute that depends on the clock or the process
# (JsonFormatter output, fields named in its format or left out of reserved_attrs).
JSON_VOLATILE = re.compile(r'("(?:created|msecs|relativeCreated|process|thread)": )'
                           r'(-?\d[\d.eE+-]*)')
MASK_DIGITS = re.compile(r"T<(.*?)>T", re.S)
MASK_ALL = re.compile(r"X<(.*?)>X", re.S)


def mask_digits(s):
    return re.sub(r"\d+", "#", s)


def normalise_error_blocks(lines):
    """Python's "--- Logging error ---" block carries a traceback and a call stack that a C++
    program cannot reproduce: keep its first line, the exception line (the last line before
    "Call stack:" / "Logged from file"), and its Message/Arguments lines."""
    out, i = [], 0
    while i < len(lines):
        if lines[i] != "--- Logging error ---":
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not (lines[j].startswith("Arguments: ") or lines[j].startswith(
                "Use the traceback above to help find the error.")):
            j += 1
        block = lines[i:j + 1]
        exc = "<no exception line>"
        for k, line in enumerate(block):
            if line == "Call stack:" or line.startswith("Logged from file "):
                exc = block[k - 1] if k > 1 else exc
                break
        tail = []
        for k, line in enumerate(block):
            if line.startswith("Message: ") or line.startswith("Unable to print the message"):
                tail = block[k:]
                break
        out += ["--- Logging error ---", "<traceback> " + exc] + tail
        i = j + 1
    return out


def normalise(data, case_dir):
    text = data.decode("utf-8", errors="backslashreplace")
    text = text.replace(case_dir + os.sep, "CASE/")
    text = MASK_ALL.sub("X<*>X", text)
    text = MASK_DIGITS.sub(lambda m: "T<" + mask_digits(m.group(1)) + ">T", text)
    text = ISO_DATETIME.sub(lambda m: mask_digits(m.group(0)), text)
    text = JSON_VOLATILE.sub(lambda m: m.group(1) + mask_digits(m.group(2)), text)
    text = DATETIME.sub(lambda m: mask_digits(m.group(0)), text)
    lines = normalise_error_blocks(text.split("\n"))
    return "\n".join(lines)


def normalise_stderr(data, case_dir, failed):
    """A failed run's reasons (a rejected config.json, each bad event line) are the tool's
    own: their wording is free (dictlog explains with JSON Pointers); only what they name
    (the file and event line) is compared."""
    text = normalise(data, case_dir)
    if not failed:
        return text
    lines = text.rstrip("\n").split("\n")
    for i, line in enumerate(lines):  # every bad event line (reading goes on after one)
        m = re.match(r"^(CASE/events\.jsonl:\d+): ", line)
        if m:
            lines[i] = m.group(1) + ": <reason>"
    if lines[-1].startswith("CASE/config.json: "):
        lines[-1] = "CASE/config.json: <reason>"
    return "\n".join(lines) + "\n"


# --- one case ------------------------------------------------------------------------------
def diff(label, a, b):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                        "cpython/" + label, "dictlog/" + label))


def load_meta(case):
    path = os.path.join(case, "meta.json")
    meta = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    meta.setdefault("expect", "ok")
    return meta


def check_oracle(case, meta, py):
    """A case must mean what its meta says to CPython, else the case itself is wrong."""
    exp = meta["expect"]
    err = py.stderr.decode("utf-8", "replace")
    last = err.rstrip("\n").split("\n")[-1] if err else ""
    if exp == "ok" and py.status != 0:
        return f"CPython exit {py.status}, expected 0: {last}"
    if exp == "reject" and (py.status == 0 or "config.json: " not in last):
        return f"CPython did not reject the configuration (exit {py.status}): {last}"
    if exp == "error" and (py.status == 0 or "events.jsonl:" not in last):
        return f"CPython did not report an event error (exit {py.status}): {last}"
    return None


def run_served(meta, case, command):
    """run_in_tmp(command(config, events)); with a `server` in meta, against a fresh
    recorder (servers.py), returning also what it received."""
    config = os.path.join(case, "config.json")
    events = os.path.join(case, "events.jsonl")
    spec = meta.get("server")
    if not spec:
        return run_in_tmp(command(config, events)), None
    with tempfile.TemporaryDirectory(prefix="dictlog-served-") as work:
        rec = servers.Recorder(spec, work)
        try:
            values = {"PORT": rec.port, "DEAD_PORT": servers.dead_port()}
            config, events = os.path.join(work, "config.json"), os.path.join(work, "events.jsonl")
            servers.substitute(os.path.join(case, "config.json"), config, values)
            servers.substitute(os.path.join(case, "events.jsonl"), events, values)
            run = run_in_tmp(command(config, events))
        finally:
            received = rec.stop()
        # Messages name the substituted files: name the case's instead.
        run.stdout = run.stdout.replace(work.encode(), case.encode())
        run.stderr = run.stderr.replace(work.encode(), case.encode())
        return run, received


def run_case(case, args):
    name = os.path.basename(case)
    meta = load_meta(case)
    try:
        return compare_case(case, meta, args)
    except servers.Skip as e:
        return name, "SKIP", str(e)


def compare_case(case, meta, args):
    name = os.path.basename(case)
    config = os.path.join(case, "config.json")
    oracle = args.python + [os.path.join(HERE, "oracle.py"), "run"]
    py, py_received = run_served(meta, case, lambda c, e: oracle + [c, e])
    if py.status == 77:  # the oracle lacks what the case needs (oracle.py: "SKIP: why")
        why = py.stderr.decode("utf-8", "replace").strip().split("\n")[-1]
        raise servers.Skip(why.removeprefix("SKIP: "))
    problem = check_oracle(case, meta, py)
    if problem:
        return name, "ERROR", problem + "\n" + py.stderr.decode("utf-8", "replace")
    if args.oracle_only:
        detail = ""
        if args.verbose:
            detail = "stdout:\n" + py.stdout.decode() + "stderr:\n" + py.stderr.decode()
            for f, b in sorted(py.files.items()):
                detail += f"file {f}:\n" + b.decode("utf-8", "replace")
        return name, "PASS", detail

    dl, dl_received = run_served(meta, case, lambda c, e: [args.dictlog, "run", c, e])
    report = servers.compare_received(py_received, dl_received)
    if dl.status == "timeout" or py.status == "timeout":
        report.append(f"timeout: cpython {py.status}, dictlog {dl.status}")
    elif (py.status == 0) != (dl.status == 0):
        report.append(f"exit status: cpython {py.status}, dictlog {dl.status}")
    failed = py.status != 0 and dl.status != 0
    for label, a, b in (("stdout", normalise(py.stdout, case), normalise(dl.stdout, case)),
                        ("stderr", normalise_stderr(py.stderr, case, failed),
                         normalise_stderr(dl.stderr, case, failed))):
        if a != b:
            report.append(diff(label, a, b))
    if meta["expect"] == "reject":
        # CPython may leave a rejected configuration half applied (files created); dictlog
        # validates first, so it must have written nothing at all.
        if dl.files:
            report.append("dictlog wrote files for a rejected configuration: " +
                          ", ".join(sorted(dl.files)))
    else:
        for f in sorted(set(py.files) | set(dl.files)):
            if f not in dl.files:
                report.append(f"file {f}: written by CPython only")
            elif f not in py.files:
                report.append(f"file {f}: written by dictlog only")
            else:
                a, b = normalise(py.files[f], case), normalise(dl.files[f], case)
                if a != b:
                    report.append(diff(f, a, b))

    # `dictlog check` must agree on the first configuration and have no side effects.
    chk, _ = run_served(meta, case, lambda c, e: [args.dictlog, "check", c])
    chk_err = chk.stderr.decode("utf-8", "replace")
    if meta["expect"] == "reject":
        bad = [l for l in chk_err.splitlines()
               if not l.split(": ", 1)[0].endswith(os.sep + "config.json")]
        if chk.status != 1 or not chk_err or bad:
            report.append(f"dictlog check: exit {chk.status}, expected 1 with "
                          f"'CONFIG: /pointer: problem' lines; stderr:\n{chk_err}")
    elif chk.status != 0 or chk_err or chk.stdout:
        report.append(f"dictlog check rejected a configuration CPython accepts (exit "
                      f"{chk.status}):\n{chk_err}")
    if chk.files:
        report.append("dictlog check wrote files: " + ", ".join(sorted(chk.files)))
    if meta["expect"] != "reject":
        tree, _ = run_served(meta, case, lambda c, e: [args.dictlog, "tree", c])
        if tree.status != 0 or not tree.stdout:
            report.append(f"dictlog tree failed (exit {tree.status}):\n" +
                          tree.stderr.decode("utf-8", "replace"))
    return name, ("FAIL" if report else "PASS"), "\n".join(report)


def load_xfail(path):
    xfail = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, reason = line.partition(" ")
                    xfail[name] = reason.strip()
    return xfail


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dictlog")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases"))
    ap.add_argument("--xfail", default=os.path.join(HERE, "xfail.txt"))
    ap.add_argument("--oracle-only", action="store_true")
    ap.add_argument("-k", dest="filter", default="")
    ap.add_argument("-j", dest="jobs", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("-v", dest="verbose", action="store_true")
    args = ap.parse_args()
    if not args.oracle_only and not args.dictlog:
        ap.error("--dictlog EXE is required (or --oracle-only)")
    args.python = find_cpython()
    if args.python is None:
        print("=" * 70 + "\nSKIP: CPython 3.13 not found (PYENV_VERSION=3.13.0 python3 or "
              "~/.pyenv/versions/3.13.0/bin/python3)\n" + "=" * 70)
        return 77
    if args.dictlog:
        args.dictlog = os.path.abspath(args.dictlog)
    cases = sorted(os.path.join(args.cases, d) for d in os.listdir(args.cases)
                   if args.filter in d and os.path.exists(os.path.join(args.cases, d, "config.json")))
    xfail = load_xfail(args.xfail)
    counts = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for name, verdict, detail in pool.map(lambda c: run_case(c, args), cases):
            if verdict == "SKIP" and os.environ.get("DICTLOG_REQUIRE_ALL"):
                verdict, detail = "FAIL", "skipped, and DICTLOG_REQUIRE_ALL is set: " + detail
            if name in xfail and verdict in ("FAIL", "PASS"):
                verdict = {"FAIL": "XFAIL", "PASS": "XPASS"}[verdict]
            counts[verdict] = counts.get(verdict, 0) + 1
            if verdict == "SKIP":
                print(f"SKIP {name}: {detail}")
            elif verdict in ("FAIL", "ERROR") or (verdict == "XFAIL" and args.verbose):
                print(f"{verdict} {name}\n{detail}\n")
            elif verdict == "XFAIL":
                print(f"XFAIL {name}: {xfail[name]}")
            elif verdict == "XPASS":
                print(f"XPASS {name} (listed in xfail.txt: {xfail[name]}; remove it)")
            elif args.verbose:
                print(f"{verdict} {name}" + (f"\n{detail}" if detail else ""))
    print(f"{len(cases)} cases: " + ", ".join(f"{v} {n}" for v, n in sorted(counts.items())))
    return 1 if counts.get("FAIL") or counts.get("ERROR") else 0


if __name__ == "__main__":
    sys.exit(main())
