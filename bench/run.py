#!/usr/bin/env python3
"""Runs dictlog, spdlog and CPython through the same scenarios, interleaved, and prints
one markdown table of medians, min-max, ratios against dictlog and the noise.

    meson setup build-bench -Dbench=true --buildtype=release && ninja -C build-bench
    python3 bench/run.py                      # 5 repetitions, about 11-12 minutes on 2 cores
    python3 bench/run.py --quick              # 1 repetition, smaller counts
    python3 bench/run.py --output bench/results.md

Every program prints one JSON line per run (see bench/scenarios.hpp); the runner runs
repetition 1 of every scenario for every program, then repetition 2, and so on, rotating
the program order, so slow drifts of a shared machine fall on all three alike.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGS = ["dictlog", "spdlog", "cpython"]
# dictlog8192 (not run by default): dictlog with a bounded queue of 8192 that blocks when
# full, spdlog's setting.
LABEL = {"dictlog": "dictlog", "dictlog8192": "dictlog (8192, block)", "spdlog": "spdlog async",
         "cpython": "CPython 3.13"}
# Cases only some programs run (CPython has no bounded-queue variant here; the timer floor
# logs nothing, so one program's run of it is the floor for every column).
ONLY_PROGS = {"bounded": ("dictlog", "dictlog8192", "spdlog"), "floor": ("dictlog",),
              "json_queue": ("dictlog", "cpython"), "json_direct": ("dictlog", "cpython")}
# (j) runs bench_json and bench_json.py (python-json-logger's JsonFormatter, Debian's
# python3-pythonjsonlogger for CPython) on bench/json_lines.json, not the scenarios.
JSON_CONFIG = os.path.join(HERE, "json_lines.json")
LAT = [("lat_p50_ns", "p50"), ("lat_p90_ns", "p90"), ("lat_p99_ns", "p99"),
       ("lat_p999_ns", "p99.9"), ("lat_max_ns", "max"),
       ("lat_mean90_ns", "mean of the fastest 90%")]


def find_python():
    env = dict(os.environ, PYENV_VERSION="3.13.0")
    for cmd in (["python3"], [os.path.expanduser("~/.pyenv/versions/3.13.0/bin/python3")]):
        try:
            v = subprocess.run(cmd + ["-c", "import sys; print(sys.version_info[:2])"],
                               env=env, capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if v.returncode == 0 and v.stdout.strip() == "(3, 13)":
            return cmd, env
    return None, None


def cases(a):
    """(case id, title, scenario args, metrics); metrics: (json key, label, unit, better)."""
    lat = [(k, l, "ns", "lower") for k, l in LAT]
    b, r = str(a.bursts), str(a.records)
    out = [
        ("lat1", "(a) caller latency, 1 producer", ["latency", "--threads", "1", "--bursts", b],
         lat),
        ("lat4", "(a) caller latency, 4 producers", ["latency", "--threads", "4", "--bursts", b],
         lat),
        # Next to (a): the least a time-stamped call can measure with (a)'s timer and bursts.
        ("floor", "(i) timer floor: a noinline call, empty / reading the TSC / writing a minimal "
         "record (same timer and "
         "bursts as (a), 1 thread)", ["floor", "--threads", "1", "--bursts", b],
         [(k.replace("lat_", w + "_"), f"{name}, {l}", "ns", "-")
          for w, name in (("empty", "empty call"), ("stamp", "TSC read + store"),
                          ("record", "TSC + minimal record"),
                          ("pad64", "minimal record + 64 independent instructions"),
                          ("pad128", "minimal record + 128 independent instructions"))
          for k, l in LAT] + [("timer_overhead_ns", "timer alone (two reads)", "ns", "-")]),
    ]
    for t in (1, 2, 4):
        m = [("records_per_s", "records/s", "rate", "higher"),
             ("producer_seconds", "producers done", "s", "lower")]
        if t in (1, 4):
            m.append(("maxrss_kb", "(e) peak RSS", "kB", "lower"))
        out.append((f"tp{t}", f"(b) throughput, {t} producer{'s' if t > 1 else ''} x {r} "
                    "records total", ["throughput", "--threads", str(t), "--records", r], m))
    out += [
        ("disabled", "(c) disabled-level call", ["disabled"],
         [("ns_per_call", "per call", "ns", "lower")]),
        ("slow", f"(d) caller latency, 1 producer, {a.slow_ms} ms-per-record handler",
         ["slow", "--threads", "1", "--bursts", str(a.slow_bursts), "--slow-ms", str(a.slow_ms)],
         lat),
        ("memory", f"(e) memory, {a.parked} records parked in the queue",
         ["memory", "--records", str(a.parked)],
         [("bytes_per_record", "heap per record (incl. pipeline)", "B", "lower"),
          ("bytes_per_record_marginal", "heap per extra record", "B", "lower"),
          ("pipeline_bytes", "pipeline, empty queue", "B", "lower")]),
        ("idle", f"(g) idle consumer, {a.idle_ms / 1000:g} s after a few records",
         ["idle", "--idle-ms", str(a.idle_ms)],
         [("idle_cpu_ms_per_s", "consumer CPU per idle second", "ms", "lower"),
          ("idle_switches_per_s", "consumer context switches per idle second", "/s", "lower"),
          ("settle_cpu_ms", "consumer CPU, first 100 ms after the last write", "ms", "lower")]),
        ("bounded", f"(h) bounded queue of 8192 (block), {a.bounded_records} records, 2 "
         f"producers, {a.bounded_slow_us} us-per-record handler",
         ["bounded", "--threads", "2", "--records", str(a.bounded_records),
          "--slow-us", str(a.bounded_slow_us)],
         [("peak_heap_bytes", "peak heap over start (sampled every ms)", "B", "lower"),
          ("bound_bytes", "bound: the queue's documented size (dictlog: ceil(8192/64)+2 chunks of 64 slots; spdlog: 8193 slots)", "B", "-"),
          ("peak_over_bound", "peak heap / bound", "x", "lower"),
          ("run_growth_bytes", "heap growth after the pipeline started", "B", "lower"),
          ("maxrss_kb", "peak RSS", "kB", "lower"),
          ("queue_mean", "records in the queue, mean of samples", "n", "-")]),
    ]
    for cid, where in (("json_queue", "through the QueueHandler (its listener writes)"),
                       ("json_direct", "FileHandler on the calling thread")):
        out.append((cid, f"(j) JSON lines with two extras (python-json-logger's JsonFormatter), "
                    f"{where}, {a.json_records} records",
                    (["--queue"] if cid == "json_queue" else []) + ["--records", str(a.json_records)],
                    [("ns_per_record", "per record, first call to the file closed", "ns",
                      "lower")]))
    return out


def json_cmd(prog, base, args):
    """bench_json (dictlog) or bench_json.py (CPython) for one repetition of a (j) case."""
    if prog == "dictlog":
        return base + ["--config", JSON_CONFIG, "--reps", "1"] + args
    return base + [os.path.join(HERE, "bench_json.py"), JSON_CONFIG, "--reps", "1"] + args


def has_python_json_logger(py, env):
    code = ("import sys; sys.path.append('/usr/lib/python3/dist-packages'); "
            "import pythonjsonlogger.jsonlogger")
    return subprocess.run(py + ["-c", code], env=env, capture_output=True).returncode == 0


def run_json(cmd, env=None, timeout=600):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} -> exit {p.returncode}\n{p.stdout}{p.stderr}")
    return json.loads(lines[-1])


def callgrind_total(path):
    """The collected instruction count of one callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + path)


def callgrind(exe, tail, calls, tmp):
    """(instructions per call on the caller, per record on the consumer threads)."""
    log = os.path.join(tmp, "cg.log")
    base = ["valgrind", "--tool=callgrind", "-q"]
    args = exe + ["calls", "--calls", str(calls)] + tail + ["--file", log]
    out = os.path.join(tmp, "cg-caller.out")
    # Only inside bench_log_one, a noinline function around exactly one enabled call.
    run_json(base + ["--toggle-collect=bench_log_one", "--callgrind-out-file=" + out] + args)
    caller = callgrind_total(out) / calls
    out = os.path.join(tmp, "cg-thr.out")
    # Every instruction, split per thread; all threads but the main one are the consumer.
    run_json(base + ["--separate-threads=yes", "--callgrind-out-file=" + out] + args)
    files = sorted(glob.glob(out + "-*"))
    consumer = sum(callgrind_total(f) for f in files[1:]) / calls
    for f in glob.glob(os.path.join(tmp, "cg-*")):
        os.remove(f)
    return caller, consumer


def num(v):
    """About 3 significant digits, never in exponent form."""
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def scale(ref, unit):
    """(divisor, suffix) that shows values near `ref` in `unit` readably."""
    a = abs(ref)
    if unit == "ns":
        return (1000, " us") if a >= 10000 else (1, " ns")
    if unit == "rate":
        return (1e6, " M/s") if a >= 1e6 else (1e3, " k/s")
    if unit == "kB":
        return 1024, " MiB"
    if unit == "B":
        if a >= 1 << 20:
            return 1 << 20, " MiB"
        return (1024, " KiB") if a >= 10240 else (1, " B")
    if unit == "s":
        return 1, " s"
    if unit in ("ms", "/s"):
        return 1, " " + unit
    return 1, ""


def fmt_value(v, unit, ref=None):
    if v is None:
        return "-"
    d, suffix = scale(v if ref is None else ref, unit)
    if unit == "Ir" or (unit == "B" and d == 1):
        return f"{v:,.0f}" + suffix
    return num(v / d) + suffix


def cell(vals, unit):
    """median (min-max), min and max in the median's unit."""
    if not vals:
        return "n/a"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt_value(med, unit)
    d, _ = scale(med, unit)
    lo, hi = (f"{v / d:,.0f}" if unit == "Ir" or (unit == "B" and d == 1) else num(v / d)
              for v in (min(vals), max(vals)))
    return f"{fmt_value(med, unit)} ({lo}-{hi})"


def spread(vals):
    if len(vals) < 2 or min(vals) <= 0:
        return "-"
    return f"{max(vals) / min(vals):.2f}"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"),
                    help="meson build dir configured with -Dbench=true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="1 repetition, smaller counts")
    ap.add_argument("--only", default="", help="comma-separated case ids (lat1,tp4,...)")
    ap.add_argument("--progs", default=",".join(PROGS),
                    help="comma-separated, from dictlog,dictlog8192,spdlog,cpython")
    ap.add_argument("--output", help="also write the report (markdown) to this file")
    ap.add_argument("--json", help="append every raw result line to this file")
    ap.add_argument("--no-callgrind", action="store_true")
    a = ap.parse_args()
    a.bursts, a.records, a.slow_ms, a.slow_bursts, a.parked = 1000, 1000000, 10, 250, 8000
    a.disabled_calls, a.py_disabled_calls, a.cg_calls, a.cg_reps = 100000000, 1000000, 20000, 2
    # (h): 200k records at 25 us each take ~5 s per program, ~24 queuefuls.
    a.idle_ms, a.bounded_records, a.bounded_slow_us = 2000, 200000, 25
    a.json_records = 200000
    if a.quick:
        a.idle_ms, a.bounded_records, a.json_records = 1000, 50000, 20000
        a.reps, a.bursts, a.records, a.slow_bursts = 1, 200, 100000, 100
        a.disabled_calls, a.py_disabled_calls, a.cg_calls, a.cg_reps = 10000000, 200000, 5000, 1

    progs = [p for p in a.progs.split(",") if p]
    exes = {p: os.path.join(a.build, "bench", "bench_" + p) for p in ("dictlog", "spdlog")}
    cmds, envs, notes = {}, {}, []
    tail = {}  # arguments a program gets after the scenario's
    json_base = {"dictlog": [os.path.join(a.build, "bench", "bench_json")]}
    json_progs = {"dictlog", "cpython"}
    for p in ("dictlog", "spdlog"):
        if p in progs:
            if not os.access(exes[p], os.X_OK):
                sys.exit(f"{exes[p]} not found: meson setup {a.build} -Dbench=true "
                         f"--buildtype=release && ninja -C {a.build}")
            cmds[p], envs[p] = [exes[p]], None
    if "dictlog8192" in progs:
        if not os.access(exes["dictlog"], os.X_OK):
            sys.exit(f"{exes['dictlog']} not found")
        cmds["dictlog8192"], envs["dictlog8192"] = [exes["dictlog"]], None
        tail["dictlog8192"] = ["--maxsize", "8192"]
    if "cpython" in progs:
        py, env = find_python()
        if py is None:
            print("SKIP: CPython 3.13 not found; running without it", file=sys.stderr)
            progs.remove("cpython")
            notes.append("CPython 3.13 not found: its column is empty.")
        else:
            cmds["cpython"], envs["cpython"] = py + [os.path.join(HERE, "bench_cpython.py")], env
            json_base["cpython"] = py
            if not has_python_json_logger(py, env):
                print("SKIP: python-json-logger not found; (j) runs without CPython",
                      file=sys.stderr)
                notes.append("python-json-logger (python3-pythonjsonlogger) not found: (j) has "
                             "no CPython column.")
                json_progs.discard("cpython")

    only = set(filter(None, a.only.split(",")))
    todo = [c for c in cases(a) if not only or c[0] in only]
    results = {}  # (case, prog) -> list of JSON dicts
    tmp = tempfile.mkdtemp(prefix="dictlog-bench-")
    rawf = open(a.json, "a") if a.json else None
    started = time.time()
    try:
        for rep in range(a.reps):
            order = progs[rep % len(progs):] + progs[:rep % len(progs)]
            for cid, _, args, _ in todo:
                for p in order:
                    if p not in ONLY_PROGS.get(cid, progs):
                        continue
                    if cid.startswith("json"):
                        if p not in json_progs:
                            continue
                        r = run_json(json_cmd(p, json_base[p], args), envs[p])
                        r["ns_per_record"], r["lines_ok"], r["rep"] = r["ns_per_record"][0], True, rep
                        results.setdefault((cid, p), []).append(r)
                        if rawf:
                            rawf.write(json.dumps(r) + "\n")
                        print(f"rep {rep + 1}/{a.reps} {cid:9} {p:8} done "
                              f"({time.time() - started:.0f} s)", file=sys.stderr)
                        continue
                    extra = []
                    if cid == "disabled":
                        n = a.py_disabled_calls if p == "cpython" else a.disabled_calls
                        extra = ["--calls", str(n)]
                    cmd = cmds[p] + args + extra + tail.get(p, []) + ["--file", os.path.join(tmp, p + ".log")]
                    r = run_json(cmd, envs[p])
                    r["rep"] = rep
                    if not r.get("lines_ok", False):
                        notes.append(f"{p} {cid} rep {rep}: file has {r.get('lines')} lines, "
                                     "not every record")
                    results.setdefault((cid, p), []).append(r)
                    if rawf:
                        rawf.write(json.dumps(r) + "\n")
                    print(f"rep {rep + 1}/{a.reps} {cid:9} {p:8} done "
                          f"({time.time() - started:.0f} s)", file=sys.stderr)
        cg = {}
        if not a.no_callgrind and (not only or "callgrind" in only):
            if shutil.which("valgrind") is None:
                notes.append("valgrind not found: no callgrind rows.")
            else:
                for rep in range(a.cg_reps):
                    for p in ("dictlog", "dictlog8192", "spdlog"):
                        if p in progs:
                            exe = exes["dictlog" if p == "dictlog8192" else p]
                            cg.setdefault(p, []).append(
                                callgrind([exe], tail.get(p, []), a.cg_calls, tmp))
                            print(f"callgrind {p} rep {rep + 1} ({time.time() - started:.0f} s)",
                                  file=sys.stderr)
    finally:
        if rawf:
            rawf.close()
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.time() - started

    others = [p for p in progs if p != "dictlog"]
    head = ["case", "metric", "better"] + [LABEL[p] for p in progs]
    if "dictlog" in progs:
        head += [f"{LABEL[p]} / dictlog" for p in others]
    head += ["spread max/min (" + " / ".join(progs) + ")"]
    rows = []

    def add_row(title, label, unit, better, per_prog):
        row = [title, label, better]
        meds = {}
        for p in progs:
            vals = per_prog.get(p, [])
            row.append(cell(vals, unit))
            meds[p] = statistics.median(vals) if vals else None
        if "dictlog" in progs:
            for p in others:
                d, o = meds["dictlog"], meds[p]
                row.append(f"{o / d:.2f}" if d and o is not None else "n/a")
        row.append(" / ".join(spread(per_prog.get(p, [])) for p in progs))
        rows.append(row)

    for cid, title, _, metrics in todo:
        for key, label, unit, better in metrics:
            per_prog = {p: [r[key] for r in results.get((cid, p), []) if key in r]
                        for p in progs}
            add_row(title, label, unit, better, per_prog)
            title = ""
    if cg:
        add_row("(f) callgrind", "instructions per call, caller", "Ir", "lower",
                {p: [v[0] for v in cg.get(p, [])] for p in progs})
        add_row("", "instructions per record, consumer thread", "Ir", "lower",
                {p: [v[1] for v in cg.get(p, [])] for p in progs})

    lines = []
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    table = "\n".join(lines)

    cmdline = "python3 bench/run.py " + " ".join(sys.argv[1:])
    report = [
        f"Date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"Machine: {machine()}",
        f"Command: `{cmdline.strip()}` ({a.reps} repetitions, {elapsed:.0f} s)",
        "",
        "Cells: median (min-max, same unit) over the repetitions. Ratios: median of the other "
        "program / median of dictlog; for `better = lower` rows a ratio above 1 means "
        "dictlog is faster/smaller, for `higher` rows below 1 does. Spread: max/min of "
        "the repetitions, per program (1.00 = no noise).",
        "",
        table,
    ]
    if notes:
        report += ["", "Notes:"] + [f"- {n}" for n in notes]
    text = "\n".join(report) + "\n"
    print(text)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    return 1 if any("not every record" in n for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
