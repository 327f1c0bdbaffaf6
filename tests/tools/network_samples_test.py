#!/usr/bin/env python3
"""The network samples, which need a server and so have no NAME.expected: samples/syslog.json
(SysLogHandler over UDP), samples/smtp_alerts.json (SMTPHandler) and
samples/http_collector.json (HTTPHandler), each with its NAME.jsonl events.

Usage: network_samples_test.py DICTLOG_EXE [SAMPLES_DIR]

Each configuration is copied to a temporary directory with its handler's host and port
rewritten to 127.0.0.1 and the port of a server this test starts: a UDP socket it binds and
reads datagrams from (syslog), tests/support/smtp_recorder.py or http_recorder.py (started
through tests/compat/servers.py). Then `dictlog run` and CPython 3.13's dictConfig
(tests/compat/oracle.py) run it, each against a fresh server, as samples_test.py runs a
sample (compare.py's run_in_tmp: a fresh working directory, TZ=UTC). Both must exit 0 with
an empty stderr and print the same stdout and files (normalised as samples_test.py does),
and the server must have received the same bytes from both, once what depends on the
process or the clock is masked as the peer tests do: the pid in the syslog tag
`name[pid]:`; the Date header of a mail (smtp_peer_test.py); the record's volatile form
fields, Content-length and the Host port of a request (http_peer_test.py); and, in all of
them, timestamps like `2024-01-02 03:04:05,678` (compare.py).
Exit 0 when all match, 1 otherwise (with a diff), 77 with a "SKIP: ..." line when CPython
3.13 or python3-aiosmtpd is missing (1 when DICTLOG_REQUIRE_ALL=1 is set).
"""
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
sys.path.insert(0, os.path.join(HERE, "..", "net"))
import servers  # noqa: E402
from compare import diff, find_cpython, normalise, run_in_tmp  # noqa: E402
from http_peer_test import normalise as normalise_request  # noqa: E402
from samples_test import output  # noqa: E402

ORACLE = os.path.join(HERE, "..", "compat", "oracle.py")
SAMPLES = ("syslog", "smtp_alerts", "http_collector")
# handler class -> (server kind, the key holding its address, the address for a port)
PEERS = {
    "logging.handlers.SysLogHandler": ("syslog", "address", lambda port: ["127.0.0.1", port]),
    "logging.handlers.SMTPHandler": ("smtp", "mailhost", lambda port: ["127.0.0.1", port]),
    "logging.handlers.HTTPHandler": ("http", "host", lambda port: f"127.0.0.1:{port}"),
}
START_TIMEOUT = 30  # a recorder prints its port at once
QUIET = 1.0  # UDP: once the run has ended, its datagrams are queued; stop after this long idle
SYSLOG_PID = re.compile(rb"^(<\d+>[^\[\s]*)\[\d+\]:")


class Timeout(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds, what):
    """Bounds a wait that has no timeout of its own (a recorder's first line)."""
    def fire(signum, frame):
        raise Timeout(f"{what}: nothing within {seconds} s")
    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def peer_of(cfg):
    """(kind, handler dict, key, address maker) of the configuration's one network handler."""
    found = [(PEERS[h.get("class")], h) for h in cfg.get("handlers", {}).values()
             if h.get("class") in PEERS]
    if len(found) != 1:
        raise ValueError(f"expected one SysLogHandler, SMTPHandler or HTTPHandler, found "
                         f"{len(found)}")
    (kind, key, address), handler = found[0]
    return kind, handler, key, address


# --- what a server received, as bytes with the volatile parts masked ----------------------
class UdpServer:
    """A UDP socket on 127.0.0.1 (a free port) standing for a syslog collector."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def stop(self, samples):
        got = []
        self.sock.settimeout(QUIET)
        try:
            while True:
                data = self.sock.recv(65536)
                got.append(normalise(SYSLOG_PID.sub(rb"\1[#]:", data), samples))
        except socket.timeout:
            pass
        finally:
            self.sock.close()
        return got


class RecordingServer:
    """tests/support/KIND_recorder.py, started through tests/compat/servers.py."""

    def __init__(self, kind, work):
        self.kind = kind
        self.rec = servers.Recorder.__new__(servers.Recorder)  # kept, to stop it on a timeout
        try:
            with deadline(START_TIMEOUT, f"{kind}_recorder.py did not print its port"):
                self.rec.__init__({"kind": kind}, work)
        except Timeout:
            if hasattr(self.rec, "proc"):
                self.rec.proc.kill()
                self.rec.proc.wait()
            raise
        self.port = self.rec.port

    def stop(self, samples):
        mails = self.rec.stop()  # stops it; the smtp kind: envelope + DATA, Date masked
        if self.kind == "smtp":
            for m in mails:
                m["data"] = normalise(m["data"].encode("utf-8", "surrogateescape"), samples)
            return mails
        got = []  # http: each request's raw bytes (http_recorder.py keeps them)
        for name in sorted(n for n in os.listdir(self.rec.dir) if n.endswith(".json")):
            with open(os.path.join(self.rec.dir, name), encoding="utf-8") as f:
                raw, problems = normalise_request(json.load(f), self.port)
            got.append(normalise(raw.encode("latin-1"), samples) + "".join(
                f"\n<problem: {p}>" for p in problems))
        return got


def show(kind, received):
    """One text for a diff: each datagram, request or mail, with CR, NUL and the rest of the
    control characters made visible."""
    def visible(s):
        s = s.replace("\r", "\\r").replace("\x00", "\\x00")
        return re.sub(r"[\x01-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", s)
    out = []
    for i, item in enumerate(received, 1):
        if kind == "smtp":
            head = {k: v for k, v in item.items() if k != "data"}
            out.append(f"=== mail {i} {json.dumps(head, ensure_ascii=False)}\n" +
                       visible(item["data"]))
        else:
            out.append(f"=== {'datagram' if kind == 'syslog' else 'request'} {i}\n" +
                       visible(item))
    return "\n".join(out) + "\n"


# --- one sample ---------------------------------------------------------------------------
def load(samples, name):
    with open(os.path.join(samples, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def run_served(name, samples, cmd):
    """Runs cmd(config, events) against a fresh server; returns (kind, run, received)."""
    cfg = load(samples, name)
    kind, handler, key, address = peer_of(cfg)
    events = os.path.join(samples, name + ".jsonl")
    with tempfile.TemporaryDirectory(prefix="dictlog-netsample-") as work:
        server = UdpServer() if kind == "syslog" else RecordingServer(kind, work)
        try:
            handler[key] = address(server.port)
            config = os.path.join(work, name + ".json")
            with open(config, "w", encoding="utf-8") as f:
                json.dump(cfg, f, indent=2, ensure_ascii=False)
            run = run_in_tmp(cmd(config, events))
        finally:
            received = server.stop(samples)
        # A message naming the copied configuration names the sample's instead.
        run.stdout = run.stdout.replace(work.encode(), samples.encode())
        run.stderr = run.stderr.replace(work.encode(), samples.encode())
    return kind, run, received


def check(name, samples, dictlog, cpython):
    """Problems found (empty when dictlog and CPython agree), and a one-line summary."""
    results = {}
    for who, cmd in (("cpython", lambda c, e: cpython + [ORACLE, "run", c, e]),
                     ("dictlog", lambda c, e: [dictlog, "run", c, e])):
        results[who] = run_served(name, samples, cmd)
    (kind, py, got_py), (_, dl, got_dl) = results["cpython"], results["dictlog"]
    problems = []
    for who, run in (("cpython", py), ("dictlog", dl)):
        if run.status != 0 or run.stderr:
            problems.append(f"{who} exited {run.status}; stderr:\n" +
                            run.stderr.decode("utf-8", "replace"))
    a, b = output(py, samples), output(dl, samples)
    if a != b:
        problems.append(diff(name + " (stdout and files)", a, b))
    if not got_py:
        problems.append(f"the {kind} server received nothing from CPython")
    if got_py != got_dl:
        problems.append(f"the {kind} server received {len(got_py)} from CPython, "
                        f"{len(got_dl)} from dictlog:\n" +
                        diff(f"{name} ({kind} server)", show(kind, got_py), show(kind, got_dl)))
    # The sample as shipped (localhost, the standard port) must pass `dictlog check`.
    chk = run_in_tmp([dictlog, "check", os.path.join(samples, name + ".json")])
    if chk.status != 0 or chk.stdout or chk.stderr or chk.files:
        problems.append(f"dictlog check {name}.json: exit {chk.status}, wrote "
                        f"{sorted(chk.files)}; stderr:\n" + chk.stderr.decode("utf-8", "replace"))
    what = {"syslog": "datagrams", "smtp": "mails", "http": "requests"}[kind]
    first = ""
    if got_dl and kind == "smtp":
        subject = re.search(r"(?m)^Subject: ([^\r\n]*)", got_dl[0]["data"])
        first = (f"to {', '.join(got_dl[0]['rcpt_tos'])}, Subject: "
                 f"{subject.group(1) if subject else '?'}")
    elif got_dl:
        first = show(kind, got_dl[:1]).split("\n")[1]
    return problems, f"{len(got_dl)} {what} equal; first: {first[:120]}"


def aiosmtpd_missing():
    """Why smtp_recorder.py cannot run (as servers.py starts it), or None."""
    try:
        p = subprocess.run(servers.recorder_python("smtp") + ["-c", "import aiosmtpd"],
                           capture_output=True, timeout=START_TIMEOUT,
                           env={k: v for k, v in os.environ.items()
                                if not k.startswith("PYTHON")})
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"python3-aiosmtpd: {e}"
    return None if p.returncode == 0 else "python3-aiosmtpd is not installed"


def main():
    if len(sys.argv) not in (2, 3):
        print(next(l for l in __doc__.splitlines() if l.startswith("Usage:")), file=sys.stderr)
        return 2
    dictlog = os.path.abspath(sys.argv[1])
    samples = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                              os.path.join(HERE, "..", "..", "samples"))
    cpython = find_cpython()
    if cpython is None:
        print("SKIP: CPython 3.13 not found (PYENV_VERSION=3.13.0 python3 or "
              "~/.pyenv/versions/3.13.0/bin/python3)")
        return 77
    no_smtp = aiosmtpd_missing()
    failed = skipped = 0
    for name in SAMPLES:
        try:
            if no_smtp and peer_of(load(samples, name))[0] == "smtp":
                print(f"SKIP: {name}: {no_smtp}")
                skipped += 1
                continue
            problems, summary = check(name, samples, dictlog, cpython)
        except servers.Skip as e:
            print(f"SKIP: {name}: {e}")
            skipped += 1
            continue
        except (Timeout, OSError, RuntimeError, ValueError) as e:
            problems, summary = [f"{type(e).__name__}: {e}"], ""
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p.rstrip("\n").replace("\n", "\n  "))
        else:
            print(f"ok   {name}: {summary}")
    if failed:
        return 1
    return 77 if skipped else 0


if __name__ == "__main__":
    status = main()
    if status == 77 and os.environ.get("DICTLOG_REQUIRE_ALL") == "1":
        print("FAIL: skipped, and DICTLOG_REQUIRE_ALL=1 is set (CI installs every package)")
        status = 1
    sys.exit(status)
