#!/usr/bin/env python3
"""SysLogHandler and RFC5424Formatter against a real rsyslogd (Debian's rsyslog).

Usage: rsyslog_test.py DICTLOG_EXE

Starts rsyslogd unprivileged in the foreground with a configuration of its own (imudp and
imtcp on free 127.0.0.1 ports, NUL accepted as a TCP frame end as CPython's handler sends
it, every message written to a file through a template printing the fields rsyslog parsed),
and a Unix socket read with the same parsers (imuxsock), runs `dictlog run` with six
SysLogHandlers (RFC 5424 and CPython's format, each over UDP, over TCP, RFC 5424 with octet
counting, and over the Unix socket), then stops rsyslogd and compares
what it parsed, field by field, with what was logged. Then rsyslogd is stopped and started
again while `dictlog run` logs over TCP from standard input: the records logged while it was
down arrive after the restart from SysLogHandler's backlog, in order, none dropped, the
outage reported once. Exit 77 without rsyslogd.
"""
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TEMPLATE = ("%PRI%|%TIMESTAMP:::date-rfc3339%|%HOSTNAME%|%APP-NAME%|%PROCID%|%MSGID%|"
            "%STRUCTURED-DATA%|%msg%\\n")
SEVERITY = {"INFO": 6, "WARNING": 4, "ERROR": 3}
BOM = "\ufeff"

EVENTS = [
    ("INFO", "hello", {"user": 'al"ice', "path": "C:\\x]", "n": 3}),
    ("WARNING", "plain ascii", {}),
    ("ERROR", "two\nlines caf\u00e9", {}),
]


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    dictlog = os.path.abspath(sys.argv[1])
    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(rsyslogd):
        print("SKIP: no rsyslogd (apt-get install rsyslog)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
        out = os.path.join(tmp, "received.log")
        with open(os.path.join(tmp, "rsyslog.conf"), "w") as f:
            f.write(f'global(workDirectory="{tmp}")\n'
                    'module(load="imudp")\n'
                    'module(load="imtcp" AddtlFrameDelimiter="0")\n'
                    # A log socket of our own, read with the parsers imudp and imtcp use
                    # (not imuxsock's local one), so RFC 5424's header is parsed too.
                    'module(load="imuxsock" SysSock.Use="off")\n'
                    f'input(type="imuxsock" Socket="{tmp}/log.sock" CreatePath="on" '
                    'UseSpecialParser="off" ParseHostname="on")\n'
                    f'input(type="imudp" address="127.0.0.1" port="{udp}")\n'
                    f'input(type="imtcp" address="127.0.0.1" port="{tcp}")\n'
                    f'template(name="fields" type="string" string="{TEMPLATE}")\n'
                    f'if $fromhost-ip == "127.0.0.1" then action(type="omfile" file="{out}" '
                    'template="fields")\n')

        def start():
            d = subprocess.Popen([rsyslogd, "-n", "-f", os.path.join(tmp, "rsyslog.conf"),
                                  "-i", os.path.join(tmp, "rsyslogd.pid")],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if not wait_for(lambda: accepts(tcp), 10):
                stop(d)
                raise RuntimeError("rsyslogd did not listen within 10 s")
            return d

        def stop(d):
            d.send_signal(signal.SIGTERM)
            try:
                d.wait(timeout=10)
            except subprocess.TimeoutExpired:
                d.kill()
                d.wait()

        daemon = [start()]
        try:
            failed = run(dictlog, tmp, udp, tcp, out)
            failed += restart(dictlog, tmp, tcp, out, daemon, start, stop)
        finally:
            stop(daemon[0])
    print(f"{'FAILED' if failed else 'OK'}: {failed} problems")
    return 1 if failed else 0


def restart(dictlog, tmp, tcp, out, daemon, start, stop):
    """rsyslogd stopped and started again while dictlog logs over TCP: records logged while
    it was down wait in SysLogHandler's backlog and arrive, in order, once it is back."""
    config = {
        "version": 1,
        "formatters": {"rfc5424": {"()": "dictlog.RFC5424Formatter", "app_name": "restart",
                                   "sd_id": ""}},
        "handlers": {"tcp": {"class": "logging.handlers.SysLogHandler",
                             "address": ["127.0.0.1", tcp], "socktype": "ext://socket.SOCK_STREAM",
                             "formatter": "rfc5424",
                             ".": {"octet_counting": True, "retry_start": 0.05}}},
        "root": {"level": "INFO", "handlers": ["tcp"]},
    }
    with open(os.path.join(tmp, "restart.json"), "w") as f:
        json.dump(config, f)
    received = lambda: [line.split("|", 7)[7] for line in  # noqa: E731
                        (open(out, encoding="utf-8").read().splitlines()
                         if os.path.exists(out) else []) if line.split("|")[3] == "restart"]
    p = subprocess.Popen([dictlog, "run", "--stats", "restart.json", "-"], cwd=tmp,
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def log(i):
        p.stdin.write(json.dumps({"level": "INFO", "msg": f"m{i}"}) + "\n")
        p.stdin.flush()

    for i in range(3):
        log(i)
    wait_for(lambda: len(received()) >= 3, 10)
    up = len(received())
    stop(daemon[0])
    for i in range(3, 7):
        log(i)
    time.sleep(0.3)  # the records reach the handler while nothing listens
    daemon[0] = start()
    time.sleep(0.2)  # past the retry time
    log(7)
    _, err = p.communicate(timeout=60)
    wait_for(lambda: len(received()) >= 8, 10)
    got = received()
    stats = re.search(r"stats tcp: .*dropped_peer_down=(\d+).*errors=(\d+)", err)
    failed = 0
    for what, value, want in [
            ("records received before the stop", up, 3),
            ("every record once, in order, the backlog after the restart", got,
             [f"m{i}" for i in range(8)]),
            ("dictlog run exit", p.returncode, 0),
            ("dropped, and reports (one for the outage)",
             stats and (stats.group(1), stats.group(2)), ("0", "1"))]:
        if value != want:
            failed += 1
            print(f"FAIL restart: {what}: got {value!r}, want {want!r} (stderr: {err[-500:]})")
    print(f"restart: {len(got)} records across the restart")
    return failed


def run(dictlog, tmp, udp, tcp, out):
    syslog = {"class": "logging.handlers.SysLogHandler"}
    stream = "ext://socket.SOCK_STREAM"
    config = {
        "version": 1,
        "formatters": {
            "rfc5424": {"()": "dictlog.RFC5424Formatter", "app_name": "billing",
                        "hostname": "web-3", "msgid": "ID47", "sd_id": "meta@32473"},
            "python": {"format": "%(name)s: %(message)s"},
        },
        "handlers": {
            "r_udp": dict(syslog, address=["127.0.0.1", udp], formatter="rfc5424"),
            "r_tcp": dict(syslog, address=["127.0.0.1", tcp], socktype=stream,
                          formatter="rfc5424", **{".": {"octet_counting": True}}),
            "p_udp": dict(syslog, address=["127.0.0.1", udp], formatter="python"),
            "p_tcp": dict(syslog, address=["127.0.0.1", tcp], socktype=stream,
                          formatter="python"),
            "r_unix": dict(syslog, address=os.path.join(tmp, "log.sock"), formatter="rfc5424"),
            "p_unix": dict(syslog, address=os.path.join(tmp, "log.sock"), formatter="python"),
        },
        "loggers": {name: {"handlers": [name], "level": "INFO", "propagate": False}
                    for name in ("r_udp", "r_tcp", "r_unix", "p_udp", "p_tcp", "p_unix")},
    }
    with open(os.path.join(tmp, "logging.json"), "w") as f:
        json.dump(config, f)
    with open(os.path.join(tmp, "events.jsonl"), "w") as f:
        for logger in config["loggers"]:
            for level, msg, extra in EVENTS:
                f.write(json.dumps({"logger": logger, "level": level, "msg": msg,
                                    "extra": extra}) + "\n")
    start = time.time()
    r = subprocess.run([dictlog, "run", "logging.json", "events.jsonl"], cwd=tmp,
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="UTC"))
    end = time.time()
    if r.returncode != 0:
        print(f"FAIL dictlog run: exit {r.returncode}: {r.stderr}")
        return 1
    # CPython's format over TCP: rsyslog ends a frame at the LF inside the third message too.
    expected_lines = 3 + 3 + 3 + 3 + 4 + 3
    wait_for(lambda: os.path.exists(out) and
             open(out, encoding="utf-8").read().count("\n") >= expected_lines, 10)
    lines = open(out, encoding="utf-8").read().splitlines() if os.path.exists(out) else []
    by_app = {}
    for line in lines:
        f = line.split("|", 7)
        by_app.setdefault((f[3], f[2] == "web-3"), []).append(f)
    failed = 0

    def check(what, got, want):
        nonlocal failed
        if got != want:
            failed += 1
            print(f"FAIL {what}: rsyslog parsed {got!r}, logged {want!r}")

    # RFC 5424: every field as logged; one record per message, the newline kept (#012 is
    # rsyslog's escape of a control character), the BOM before non-ASCII text.
    rfc = by_app.get(("billing", True), [])
    check("RFC 5424 records (UDP, TCP with octet counting, Unix socket)", len(rfc), 9)
    # The two inputs are read by separate threads: rsyslog may interleave them, so each
    # record is matched to its event by its MSG, and every event must come once per transport.
    def event_of(f):
        for event in EVENTS:
            if f[7] == (BOM if not event[1].isascii() else "") + event[1].replace("\n", "#012"):
                return event
        return None

    check("events received (each once over UDP, TCP and the Unix socket)",
          sorted(EVENTS.index(e) if e else -1 for e in map(event_of, rfc)),
          sorted(list(range(len(EVENTS))) * 3))
    pids = set()
    for f in rfc:
        if event_of(f) is None:
            continue
        level, msg, extra = event_of(f)
        check(f"PRI of {msg!r}", f[0], str(8 + SEVERITY[level]))
        t = datetime.datetime.fromisoformat(f[1]).timestamp()
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", f[1]) or \
                not start - 1 <= t <= end + 1:
            check("TIMESTAMP (RFC 3339, microseconds, offset, within the run)", f[1], "now")
        check("APP-NAME", f[3], "billing")
        check("MSGID", f[5], "ID47")
        pids.add(f[4])
        sd = "-" if not extra else "[meta@32473 " + " ".join(
            f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34)).replace("]", chr(92) + "]")}"'
            for k, v in extra.items()) + "]"
        check(f"STRUCTURED-DATA of {msg!r}", f[6], sd)
        want = (BOM if not msg.isascii() else "") + msg.replace("\n", "#012")
        check(f"MSG of {msg!r}", f[7], want)
    check("PROCID (the dictlog process, one for all)", len(pids) == 1 and pids.pop().isdigit(),
          True)
    # CPython's format: rsyslog reads it as RFC 3164, the logger name as the tag.
    for name in ("p_udp", "p_tcp", "p_unix"):
        got = [f for f in by_app.get((name, False), [])]
        want = [(str(8 + SEVERITY[lv]), " " + m) for lv, m, _ in EVENTS]
        if name == "p_tcp":  # NUL framing: the LF inside a message ends a frame as well
            want[2:] = [(want[2][0], " two")]
        rows = [(f[0], f[7]) for f in got if f[7] != "lines caf\u00e9"]
        check(f"CPython-format records over {name[2:]}", sorted(rows),
              sorted((p, m.replace("\n", "#012")) for p, m in want))
    print(f"rsyslog parsed {len(lines)} lines: RFC 5424 {len(rfc)}, CPython's format "
          f"{sum(len(v) for k, v in by_app.items() if not k[1])}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
