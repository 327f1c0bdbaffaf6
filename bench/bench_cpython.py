"""CPython's logging under the scenarios of bench/scenarios.hpp.

Logger "bench" -> QueueHandler(queue.Queue(-1)) -> QueueListener -> FileHandler with
Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"), the line the two C++ programs
write. Same command line and JSON output as bench_dictlog / bench_spdlog:

    python3 bench_cpython.py latency --threads 4 --file /tmp/x.log
"""

import json
import logging
import logging.handlers
import os
import queue
import resource
import sys
import threading
import time
import tracemalloc

FMT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class Throttle:
    """state 0: write at once; 1: sleep slow_ms per record; 2: hold until changed."""

    def __init__(self, slow_ms):
        self.state = 0
        self.slow_ms = slow_ms

    def wait(self):
        if self.state == 1:
            time.sleep(self.slow_ms / 1000)
        while self.state == 2:
            time.sleep(0.001)


class ThrottledFileHandler(logging.FileHandler):
    def __init__(self, path, throttle):
        super().__init__(path, mode="w", encoding="utf-8")
        self.throttle = throttle

    def emit(self, record):
        self.throttle.wait()
        super().emit(record)


class Target:
    def __init__(self, path, throttle=None):
        if throttle is None:
            self.file = logging.FileHandler(path, mode="w", encoding="utf-8")
        else:
            self.file = ThrottledFileHandler(path, throttle)
        self.file.setFormatter(logging.Formatter(FMT))
        self.queue = queue.Queue(-1)
        self.listener = logging.handlers.QueueListener(self.queue, self.file)
        self.logger = logging.getLogger("bench")
        self.logger.handlers.clear()
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(logging.handlers.QueueHandler(self.queue))
        self.listener.start()

    def drain(self):
        """Returns when the file holds every line: stop() joins after the queue is empty."""
        if self.listener._thread is not None:
            self.listener.stop()
        self.file.flush()


def parse(argv):
    if len(argv) < 2:
        sys.exit("usage: bench_cpython.py SCENARIO [--key value]...")
    kv = {}
    rest = argv[2:]
    for i in range(0, len(rest), 2):
        if not rest[i].startswith("--") or i + 1 >= len(rest):
            sys.exit("bad argument " + rest[i])
        kv[rest[i][2:]] = rest[i + 1]
    return argv[1], kv


def percentiles(samples):
    s = sorted(samples)
    n = len(s)

    def at(q):
        return float(s[min(int(q * n), n - 1)])

    n90 = max(1, n * 9 // 10)  # common.hpp's mean90: the mean of the fastest 90%
    return {"lat_p50_ns": at(0.5), "lat_p90_ns": at(0.9), "lat_p99_ns": at(0.99),
            "lat_p999_ns": at(0.999), "lat_max_ns": float(s[-1]),
            "lat_mean_ns": sum(s) / n, "lat_mean90_ns": sum(s[:n90]) / n90}


def run_threads(threads, body):
    go = threading.Barrier(threads + 1)

    def run(i):
        go.wait()
        body(i)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    go.wait()
    for t in ts:
        t.join()


def warm_up(t, n):
    info = t.logger.info
    for i in range(n):
        info("request %d served in %d us", i, 1)
    time.sleep(0.02)
    return n


def measure_latency(t, threads, bursts, burst, pause_us):
    per = [None] * threads

    def body(ti):
        clock = time.perf_counter_ns
        info = t.logger.info
        s = []
        n = ti * 1000000
        for _ in range(bursts):
            for _ in range(burst):
                t0 = clock()
                info("request %d served in %d us", n, n % 997)
                t1 = clock()
                s.append(t1 - t0)
                n += 1
            time.sleep(pause_us / 1e6)
        per[ti] = s

    run_threads(threads, body)
    return [v for s in per for v in s]


def timer_overhead_ns():
    clock = time.perf_counter_ns
    s = []
    for _ in range(20000):
        t0 = clock()
        t1 = clock()
        s.append(t1 - t0)
    s.sort()
    return float(s[len(s) // 2])


def maxrss_kb():
    """VmHWM: ru_maxrss would keep the forking runner's high-water mark across exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def other_threads_times():
    """(CPU ns, context switches, threads) of every thread but the main one: the
    listener's, as bench/process_stats.hpp reads them (schedstat: run time in ns)."""
    cpu = switches = threads = 0
    main_tid = os.getpid()
    for name in os.listdir("/proc/self/task"):
        tid = int(name)
        if tid == main_tid:
            continue
        threads += 1
        base = f"/proc/self/task/{tid}/"
        try:
            with open(base + "schedstat") as f:
                cpu += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            with open(base + "stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) * 1000000000 // os.sysconf("SC_CLK_TCK")
        with open(base + "status") as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    switches += int(line.split()[1])
    return cpu, switches, threads


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                return n
            n += b.count(b"\n")


def main():
    sc, kv = parse(sys.argv)

    def num(k, d):
        return int(kv.get(k, d))

    path = kv.get("file", "bench.log")
    out = {"prog": "cpython", "scenario": sc}
    logged = 0
    t = None
    if sc in ("latency", "slow"):
        threads = num("threads", 1)
        th = Throttle(num("slow-ms", 10))
        pause = num("pause-us", 100)
        overhead = timer_overhead_ns()
        t = Target(path, th if sc == "slow" else None)
        logged += warm_up(t, 200)
        if sc == "slow":
            th.state = 1
        samples = measure_latency(t, threads, num("bursts", 1000), num("burst", 20), pause)
        logged += len(samples)
        th.state = 0
        t.drain()
        out.update(threads=threads, calls=len(samples), pause_us=pause)
        out.update(percentiles(samples))
        out["timer_overhead_ns"] = overhead
    elif sc == "throughput":
        threads = num("threads", 1)
        records = num("records", 1000000)
        t = Target(path)
        logged += warm_up(t, 1000)

        def body(ti):
            info = t.logger.info
            n = records // threads + (1 if ti < records % threads else 0)
            base = ti * 10000000
            for i in range(n):
                info("request %d served in %d us", base + i, i % 997)

        t0 = time.perf_counter_ns()
        run_threads(threads, body)
        prod = time.perf_counter_ns() - t0
        t.drain()
        total = time.perf_counter_ns() - t0
        logged += records
        out.update(threads=threads, records=records, seconds=total / 1e9,
                   records_per_s=records * 1e9 / total, producer_seconds=prod / 1e9)
    elif sc == "disabled":
        n = num("calls", 1000000)
        t = Target(path)
        debug = t.logger.debug
        for i in range(n // 10):
            debug("request %d served in %d us", i, 1)
        t0 = time.perf_counter_ns()
        for i in range(n):
            debug("request %d served in %d us", i, 1)
        out.update(calls=n, ns_per_call=(time.perf_counter_ns() - t0) / n)
        t.drain()
    elif sc == "memory":
        n = num("records", 8000)
        th = Throttle(10)
        tracemalloc.start()
        h0 = tracemalloc.get_traced_memory()[0]
        t = Target(path, th)
        logged += warm_up(t, 100)
        th.state = 2
        t.logger.info("request %d served in %d us", 0, 0)
        logged += 1
        time.sleep(0.05)
        h1 = tracemalloc.get_traced_memory()[0]
        info = t.logger.info
        for i in range(n):
            info("request %d served in %d us", i, i % 997)
        logged += n
        time.sleep(0.05)  # as scenarios.hpp: background threads' answers count too
        h2 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        th.state = 0
        t.drain()
        out.update(records=n, pipeline_bytes=h1 - h0, bytes_per_record_marginal=(h2 - h1) / n,
                   bytes_per_record=(h2 - h0) / n)
    elif sc == "idle":
        # The listener's CPU while nothing is logged (see scenarios.hpp's "idle").
        n = num("records", 100)
        settle_ms, idle_ms = num("settle-ms", 100), num("idle-ms", 2000)
        t = Target(path)
        for i in range(n):
            t.logger.info("request %d served in %d us", i, i % 997)
        logged += n
        t0 = time.monotonic()
        while count_lines(path) < logged and time.monotonic() - t0 < 5:
            time.sleep(0.0002)
        written = count_lines(path) == logged
        w = time.monotonic()
        c0 = other_threads_times()
        time.sleep(max(0.0, w + settle_ms / 1000 - time.monotonic()))
        c1 = other_threads_times()
        p1, w1 = time.process_time_ns(), time.monotonic()
        time.sleep(idle_ms / 1000)
        p2, w2 = time.process_time_ns(), time.monotonic()
        c2 = other_threads_times()
        t.drain()
        idle_s = w2 - w1
        out.update(records=n, written_before_idle=written, threads_seen=c2[2],
                   settle_ms=settle_ms, settle_cpu_ms=(c1[0] - c0[0]) / 1e6,
                   settle_switches=c1[1] - c0[1], idle_seconds=idle_s,
                   idle_cpu_ms_per_s=(c2[0] - c1[0]) / 1e6 / idle_s,
                   idle_switches_per_s=(c2[1] - c1[1]) / idle_s,
                   idle_process_cpu_ms_per_s=(p2 - p1) / 1e6 / idle_s)
    else:
        sys.exit("unknown scenario " + sc)
    t.file.close()
    lines = count_lines(path)
    out.update(lines=lines, lines_ok=lines == logged,
               maxrss_kb=maxrss_kb())
    print(json.dumps(out), flush=True)
    if not kv.get("keep"):
        os.remove(path)
    return 0 if lines == logged else 1


if __name__ == "__main__":
    sys.exit(main())
