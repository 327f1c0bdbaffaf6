"""Recording servers for compat cases whose handlers talk to a peer (HTTPHandler, SMTPHandler).

A case's meta.json may say {"server": {"kind": "http" | "smtp", "args": [...]}}. Then each
program (CPython's oracle, `dictlog run`, `dictlog check`) gets a fresh recorder,
tests/support/<kind>_recorder.py --dir DIR ARGS, on 127.0.0.1; `${PORT}` in config.json and
events.jsonl becomes its port inside a string, "${PORT_NUMBER}" (quotes included) the bare
number, and `${DEAD_PORT}` / "${DEAD_PORT_NUMBER}" a port nothing listens on. What the
recorder received is compared after normalising what depends on the program rather than the
handler: times, ids, source locations, the Host port and the lengths those change, the Date
header of a mail.
"""
import json
import os
import re
import socket
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
START_TIMEOUT = 20

# Record attributes whose values depend on the clock, the process or the caller's source.
VOLATILE = {"created", "msecs", "relativeCreated", "thread", "process", "pathname", "filename",
            "module", "lineno", "funcName", "asctime"}


def dead_port():
    """A port on 127.0.0.1 that was just free: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recorder_python(kind):
    # aiosmtpd is Debian's python3-aiosmtpd: Debian's own interpreter has it.
    if kind == "smtp" and os.path.exists("/usr/bin/python3"):
        return ["/usr/bin/python3"]
    return [sys.executable]


class Recorder:
    """One recording server, started for one program run."""

    def __init__(self, spec, workdir):
        self.kind = spec["kind"]
        self.dir = os.path.join(workdir, f"{self.kind}-received")
        os.makedirs(self.dir, exist_ok=True)
        script = os.path.join(SUPPORT, f"{self.kind}_recorder.py")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        self.proc = subprocess.Popen(recorder_python(self.kind) + [script, "--dir", self.dir] +
                                     spec.get("args", []), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            err = self.proc.communicate(timeout=START_TIMEOUT)[1]
            if self.proc.returncode == 77:
                raise Skip(line.strip() or err.strip())
            raise RuntimeError(f"{script} did not start: {line!r} {err}")
        self.port = int(line.split()[1])

    def stop(self):
        """Stops the server; returns what it received, normalised, in order."""
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        got = []
        for name in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, name), encoding="utf-8") as f:
                rec = json.load(f)
            got.append(NORMALISE[self.kind](rec))
        return got


class Skip(Exception):
    pass


def substitute(src, dst, values):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace('"${' + k + '_NUMBER}"', str(v)).replace("${" + k + "}", str(v))
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)


def _form(text):
    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True)
    return [[k, "#" if k in VOLATILE else v] for k, v in pairs]


def normalise_http(rec):
    path, _, query = rec["path"].partition("?")
    headers = []
    for name, value in rec["headers"]:
        if name.lower() == "host":
            value = re.sub(r":\d+$", ":#", value)
        elif name.lower() == "content-length":
            value = "#"
        headers.append([name, value])
    body = rec.get("body", "")
    ctype = dict((n.lower(), v) for n, v in rec["headers"]).get("content-type", "")
    return {"method": rec["method"], "path": path, "query": _form(query), "headers": headers,
            "body": _form(body) if "urlencoded" in ctype else body}


def normalise_smtp(rec):
    data = re.sub(r"(?m)^Date: .*\r?$", "Date: #", rec["data"])
    out = {k: rec.get(k) for k in ("mail_from", "rcpt_tos", "auth_user", "tls", "smtputf8")}
    out["data"] = data
    return out


NORMALISE = {"http": normalise_http, "smtp": normalise_smtp}


def compare_received(a, b):
    """Lines describing how two recorders' lists differ ([] when equal)."""
    if a == b:
        return []
    out = [f"the server received {len(a)} requests from CPython, {len(b)} from dictlog"]
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            out.append(f"request {i}:\n  cpython {json.dumps(x, ensure_ascii=False)}\n"
                       f"  dictlog {json.dumps(y, ensure_ascii=False)}")
    return out
