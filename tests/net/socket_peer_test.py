#!/usr/bin/env python3
"""SocketHandler and DatagramHandler against CPython's own receiver.

Usage: socket_peer_test.py DICTLOG_EXE

For each transport (TCP, UDP) a receiver written with CPython 3.13's standard library, as
the logging cookbook's LogRecordStreamHandler (read the 4-byte length and the pickle,
pickle.loads, logging.makeLogRecord, format with a Formatter), listens on 127.0.0.1:0.
The same configuration and events go once through `dictlog run` and once through
CPython's own handler (tests/compat/oracle.py); what the receiver got must agree: the
formatted lines, the keys of the record dict in order, the type of every value, and the
values that do not depend on the process or the clock (name, levelno, msg, args, extra
keys, ...). Exit 0 if they agree, 1 if not, 77 (with a "SKIP: ..." line) without CPython
3.13.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
from compare import child_env, find_cpython  # noqa: E402

TIMEOUT = 60

# Runs under CPython 3.13: argv = tcp|udp COUNT. Prints the port, then one JSON line per
# record received.
RECEIVER = r'''
import json, logging, pickle, socket, socketserver, struct, sys, threading

FMT = ("%(name)s|%(levelname)s|%(levelno)d|%(message)s|%(msg)s|%(args)s|%(user)s|%(n)s|"
       "%(ratio)s|%(flag)s|%(nothing)s|%(exc_text)s|%(stack_info)s|%(taskName)s|"
       "%(processName)s|%(threadName)s")
formatter = logging.Formatter(FMT, defaults={"user": "-", "n": "-", "ratio": "-", "flag": "-",
                                             "nothing": "-"})
STABLE = ("name", "msg", "args", "levelname", "levelno", "exc_info", "exc_text", "stack_info",
          "taskName", "processName", "threadName", "user", "n", "ratio", "flag", "nothing",
          "unicode", "ids", "ctx")
lock = threading.Lock()
seen = []
done = threading.Event()
count = int(sys.argv[2])

def got(obj):
    record = logging.makeLogRecord(obj)
    out = {"line": formatter.format(record), "keys": list(obj),
           "types": {k: type(v).__name__ for k, v in obj.items()},
           "values": {k: obj[k] for k in STABLE if k in obj}}
    with lock:
        seen.append(out)
        print(json.dumps(out), flush=True)
        if len(seen) >= count:
            done.set()

class LogRecordStreamHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            chunk = self.connection.recv(4)
            if len(chunk) < 4:
                break
            slen = struct.unpack(">L", chunk)[0]
            chunk = self.connection.recv(slen)
            while len(chunk) < slen:
                chunk = chunk + self.connection.recv(slen - len(chunk))
            got(pickle.loads(chunk))

if sys.argv[1] == "tcp":
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), LogRecordStreamHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
else:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    def serve():
        while True:
            data = sock.recv(65536)
            slen = struct.unpack(">L", data[:4])[0]
            assert slen == len(data) - 4, (slen, len(data))
            got(pickle.loads(data[4:]))
    threading.Thread(target=serve, daemon=True).start()
if not done.wait(30):
    print(json.dumps({"timeout": len(seen)}), flush=True)
'''

EVENTS = [
    {"logger": "net", "level": "DEBUG", "msg": "debug net"},
    {"logger": "net.db", "level": "INFO", "msg": "with extra",
     "extra": {"user": "bob", "n": 3, "ratio": 0.25, "flag": True, "nothing": None}},
    {"logger": "", "level": "WARNING", "msg": "root 100% literal %s"},
    {"logger": "net", "level": "ERROR", "msg": "unicode caf\u00e9 \U0001F600",
     "extra": {"unicode": "\u00e9t\u00e9", "n": -70000}},
    {"logger": "net", "level": 25, "msg": "custom level"},
    {"logger": "net", "level": "CRITICAL", "msg": "big", "extra": {"n": 2 ** 40}},
    {"logger": "net", "level": "INFO", "msg": "structured",
     "extra": {"ids": [1, [2, 3], []], "ctx": {"k": "v", "n": [True, None, 1.5e16, -0.0],
                                             "\u00e9": {"deep": ["\u2603"]}}}},
    # A bound context's keys are record attributes, before the call's extras; an extra of
    # the same name wins and keeps the context key's place.
    {"logger": "net", "level": "INFO", "msg": "with context",
     "context": {"request_id": "r-1", "user": "ctx", "ids": [1, 2]},
     "extra": {"user": "bob", "n": 1}},
]


def config(cls, port, tmp, queued):
    c = {
        "version": 1,
        "formatters": {"plain": {"format": "%(levelname)s:%(name)s:%(message)s"},
                       "timed": {"format": "%(asctime)s %(message)s"}},
        "handlers": {
            # Formatters run first, so CPython's record carries `message`, which makePickle
            # removes, and `asctime`, which it keeps.
            "console": {"class": "logging.StreamHandler", "formatter": "plain",
                        "stream": "ext://sys.stdout"},
            "timed": {"class": "logging.FileHandler", "formatter": "timed",
                      "filename": os.path.join(tmp, "timed.log")},
            "peer": {"class": cls, "host": "127.0.0.1", "port": port},
        },
        "root": {"level": "DEBUG", "handlers": ["console", "timed", "peer"]},
    }
    if queued:
        # QueueHandler.prepare formats with its own formatter (asctime included) and the
        # listener's SocketHandler pickles the prepared copy.
        c["handlers"] = {"q": {"class": "logging.handlers.QueueHandler", "formatter": "timed",
                               "handlers": ["peer"]}, "peer": c["handlers"]["peer"]}
        c["root"]["handlers"] = ["q"]
    return c


TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")


def mask_time(v):
    """The value with asctime-shaped timestamps replaced (a queued record's msg has one)."""
    return json.loads(TIME.sub("<time>", json.dumps(v, ensure_ascii=False)))


def run_once(sender, transport, cls, cpython, tmp, tag, queued):
    recv = subprocess.Popen(cpython + ["-c", RECEIVER, transport, str(len(EVENTS))],
                            env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        port = int(recv.stdout.readline())
        cfg = os.path.join(tmp, f"{tag}.json")
        with open(cfg, "w") as f:
            json.dump(config(cls, port, tmp, queued), f)
        events = os.path.join(tmp, "events.jsonl")
        with open(events, "w") as f:
            for ev in EVENTS:
                f.write(json.dumps(ev) + "\n")
        p = subprocess.run(sender + ["run", cfg, events], env=child_env(), capture_output=True,
                           timeout=TIMEOUT)
        out, _ = recv.communicate(timeout=TIMEOUT)
    finally:
        if recv.poll() is None:
            recv.kill()
            recv.wait()
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    return p, records


def compare(transport, cls, dictlog, cpython, tmp, queued=False):
    oracle = cpython + [os.path.join(HERE, "..", "compat", "oracle.py")]
    p_cpy, cpy = run_once(oracle, transport, cls, cpython, tmp, "cpython", queued)
    p_dl, dl = run_once([dictlog], transport, cls, cpython, tmp, "dictlog", queued)
    problems = []
    if p_cpy.returncode != 0 or p_dl.returncode != 0:
        problems.append(f"exit status: CPython {p_cpy.returncode}, dictlog {p_dl.returncode}; "
                        f"stderr: {p_cpy.stderr!r} / {p_dl.stderr!r}")
    if p_cpy.stdout != p_dl.stdout:
        problems.append(f"stdout differs: {p_cpy.stdout!r} / {p_dl.stdout!r}")
    if p_cpy.stderr != p_dl.stderr:
        problems.append(f"stderr differs: {p_cpy.stderr!r} / {p_dl.stderr!r}")
    if len(cpy) != len(EVENTS):
        problems.append(f"the receiver got {len(cpy)} records from CPython, expected {len(EVENTS)}")
    if len(dl) != len(cpy):
        problems.append(f"the receiver got {len(dl)} records from dictlog, {len(cpy)} from CPython")
    for i, (a, b) in enumerate(zip(cpy, dl)):
        for what in ("line", "keys", "types", "values"):
            if mask_time(a.get(what)) != mask_time(b.get(what)):
                problems.append(f"record {i} {what}:\n  CPython {a.get(what)!r}\n  dictlog {b.get(what)!r}")
    name = f"{cls} over {transport.upper()}" + (" behind a QueueHandler" if queued else "")
    if problems:
        print(f"FAIL {name}")
        for p in problems:
            print("  " + p)
        return False
    print(f"PASS {name}: {len(dl)} records, keys {dl[0]['keys'] if dl else []}")
    return True


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cpython = find_cpython()
    if cpython is None:
        print("SKIP: CPython 3.13.0 not found (PYENV_VERSION=3.13.0 python3)")
        return 77
    dictlog = os.path.abspath(sys.argv[1])
    ok = True
    with tempfile.TemporaryDirectory(prefix="dictlog-peer-") as tmp:
        ok &= compare("tcp", "logging.handlers.SocketHandler", dictlog, cpython, tmp)
        ok &= compare("udp", "logging.handlers.DatagramHandler", dictlog, cpython, tmp)
        ok &= compare("tcp", "logging.handlers.SocketHandler", dictlog, cpython, tmp, queued=True)
    return 0 if ok else 1


if __name__ == "__main__":
    status = main()
    if status == 77 and os.environ.get("DICTLOG_REQUIRE_ALL"):
        print("FAIL: skipped, and DICTLOG_REQUIRE_ALL is set (CI installs every package)")
        status = 1
    sys.exit(status)
