#!/usr/bin/env python3
"""SMTPHandler against a recording SMTP server, dictlog against CPython 3.13.

Usage: smtp_peer_test.py DICTLOG_EXE

The same configuration and events go once through `dictlog run` and once through CPython's
own SMTPHandler (tests/compat/oracle.py), each to its own tests/support/smtp_recorder.py
on 127.0.0.1. What the servers received must agree: envelope (MAIL FROM, RCPT TO), DATA
byte for byte once the Date header's value is masked (the only part that varies: the
clock), the login, TLS and SMTPUTF8; so must stdout, and the exception lines of stderr's
"--- Logging error ---" blocks. Then dictlog alone: a server that is down, that refuses
every recipient, a wrong password, a certificate it does not trust, a server that never
greets (bounded by the timeout). Exit 0 if all agree, 1 with a diff if not, 77 with
"SKIP: ..." without CPython 3.13, python3-aiosmtpd or openssl.
"""
import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
from compare import child_env, find_cpython  # noqa: E402

RECORDER = os.path.join(HERE, "..", "support", "smtp_recorder.py")
TIMEOUT = 60
UNICODE = "caf\u00e9 \u6f22\u5b57 \U0001F600"
LONG = "x" * 1200  # > 998: quoted-printable or base64, never 7bit/8bit


class Skip(Exception):
    pass


class Recorder:
    """smtp_recorder.py in its own directory; stopped by closing its stdin."""

    def __init__(self, python, env, directory, *args):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.proc = subprocess.Popen(python + [RECORDER, "--dir", directory, *args], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = []
        t = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(30)
        first = line[0] if line else ""
        if first.startswith("SKIP:"):
            self.stop()
            raise Skip(first.strip()[len("SKIP: "):])
        if not first.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the recorder did not start: {first!r} {self.proc.stderr.read()!r}")
        self.port = int(first.split()[1])

    def stop(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def messages(self):
        names = sorted(n for n in os.listdir(self.dir) if n.endswith(".json"))
        out = []
        for n in names:
            with open(os.path.join(self.dir, n), encoding="utf-8") as f:
                m = json.load(f)
            m["data"] = re.sub(r"\r\nDate: [^\r]*\r\n", "\r\nDate: <masked>\r\n", m["data"], 1)
            out.append(m)
        return out


def recorder_python(cpython):
    if os.path.exists("/usr/bin/python3"):
        return ["/usr/bin/python3"], dict(child_env(), PYTHONPATH="")
    return cpython, dict(child_env(), PYTHONPATH="/usr/lib/python3/dist-packages")


def config(port, **handler):
    h = {"class": "logging.handlers.SMTPHandler", "mailhost": ["127.0.0.1", port],
         "formatter": "plain"}
    h.update(handler)
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(levelname)s:%(name)s:%(message)s"}},
        "handlers": {"mail": h},
        "root": {"level": "DEBUG", "handlers": ["mail"]},
    }


def run(cmd, cfg, events, tmp, tag, env):
    path = os.path.join(tmp, f"{tag}.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    ev = os.path.join(tmp, f"{tag}.jsonl")
    with open(ev, "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    return subprocess.run(cmd + ["run", path, ev], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def exception_lines(stderr):
    """The exception line of each --- Logging error --- block."""
    out, lines = [], stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("Call stack:", "Logged from file")) and i > 0:
            out.append(lines[i - 1])
    return out


def diff(a, b, what):
    a = json.dumps(a, indent=1, ensure_ascii=False).splitlines()
    b = json.dumps(b, indent=1, ensure_ascii=False).splitlines()
    return "\n".join(difflib.unified_diff(a, b, f"cpython/{what}", f"dictlog/{what}", lineterm=""))


class Suite:
    def __init__(self, dictlog, cpython, tmp):
        self.dictlog, self.cpython, self.tmp = dictlog, cpython, tmp
        self.rpython, self.renv = recorder_python(cpython)
        self.failures = 0
        self.n = 0

    def recorder(self, tag, *args):
        self.n += 1
        return Recorder(self.rpython, self.renv, os.path.join(self.tmp, f"{self.n:02d}-{tag}"), *args)

    def report(self, name, problems, detail=""):
        if problems:
            self.failures += 1
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p)
        else:
            print(f"PASS {name}{detail}")

    def compare(self, name, handler, events, recorder_args=(), dictlog_env=None):
        results = {}
        oracle = self.cpython + [os.path.join(HERE, "..", "compat", "oracle.py")]
        for who, cmd, env in (("cpython", oracle, child_env()),
                              ("dictlog", [self.dictlog], dict(child_env(), **(dictlog_env or {})))):
            rec = self.recorder(f"{name}-{who}", *recorder_args)
            try:
                p = run(cmd, config(rec.port, **handler), events, self.tmp, f"{name}-{who}", env)
            finally:
                rec.stop()
            results[who] = (p, rec.messages())
        (pc, mc), (pd, md) = results["cpython"], results["dictlog"]
        problems = []
        if (pc.returncode == 0) != (pd.returncode == 0):
            problems.append(f"exit status: CPython {pc.returncode}, dictlog {pd.returncode}: "
                            f"{pc.stderr!r} / {pd.stderr!r}")
        if pc.stdout != pd.stdout:
            problems.append(diff(pc.stdout, pd.stdout, "stdout"))
        if exception_lines(pc.stderr) != exception_lines(pd.stderr):
            problems.append(diff(exception_lines(pc.stderr), exception_lines(pd.stderr), "stderr"))
        if not mc:
            problems.append(f"CPython's server received nothing: {pc.stderr!r}")
        if mc != md:
            problems.append(diff(mc, md, "messages"))
        self.report(name, problems, f": {len(md)} messages")
        return results

    def alone(self, name, handler, events, expect, recorder_args=(), port=None, env=None):
        rec = None if port else self.recorder(name, *recorder_args)
        try:
            p = run([self.dictlog], config(port or rec.port, **handler), events, self.tmp, name,
                    dict(child_env(), **(env or {})))
        finally:
            if rec:
                rec.stop()
        got = exception_lines(p.stderr)
        problems = []
        if "--- Logging error ---" not in p.stderr or not any(re.fullmatch(expect, g) for g in got):
            problems.append(f"expected an exception line matching {expect!r}; stderr:\n{p.stderr}")
        if rec and rec.messages():
            problems.append(f"the server received {len(rec.messages())} messages")
        self.report(name, problems, f": {got[0] if got else ''}")


def make_cert(tmp):
    os.makedirs(tmp, exist_ok=True)
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=TIMEOUT)
    return cert, key


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cpython = find_cpython()
    if cpython is None:
        print("SKIP: CPython 3.13.0 not found (PYENV_VERSION=3.13.0 python3)")
        return 77
    if not shutil.which("openssl"):
        print("SKIP: openssl is not installed (it makes the STARTTLS certificate)")
        return 77
    dictlog = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="dictlog-smtp-") as tmp:
        s = Suite(dictlog, cpython, tmp)
        try:
            cert, key = make_cert(tmp)
            other = make_cert(os.path.join(tmp, "other"))[0]  # trusted, but not the server's
            plain = [{"logger": "app", "level": "ERROR", "msg": "disk full"},
                     {"logger": "app.db", "level": "INFO", "msg": "two\nlines"}]
            s.compare("plain", {"fromaddr": "app@example.com", "toaddrs": "ops@example.com",
                                "subject": "app error"}, plain)
            s.compare("list", {"fromaddr": "App Server <app@example.com>",
                               "toaddrs": ["ops@example.com", "Dev Team <dev@example.com>",
                                           "gone@example.com"],
                               "subject": "a subject that is long enough to be folded by the "
                                          "email package at a blank, which it does"},
                      plain, ["--refuse", "gone@example.com"])
            s.compare("unicode", {"fromaddr": "app@example.com", "toaddrs": ["ops@example.com"],
                                  "subject": f"Alerte {UNICODE} " * 3},
                      [{"logger": "app", "level": "ERROR", "msg": UNICODE},
                       {"logger": "app", "level": "ERROR", "msg": f"{UNICODE} {LONG}"},
                       {"logger": "app", "level": "ERROR", "msg": "y" * 100 + "\n.leading dot"},
                       {"logger": "app", "level": "ERROR", "msg": "\u00e9" * 200}])
            tls = {"fromaddr": "app@example.com", "toaddrs": "ops@example.com",
                   "subject": "tls", "credentials": ["alice", "s3cret"], "secure": []}
            s.compare("starttls+auth", tls, plain, ["--starttls", cert, key, "--auth", "alice:s3cret"],
                      dictlog_env={"SSL_CERT_FILE": cert})

            one = [{"logger": "app", "level": "ERROR", "msg": "lost"}]
            base = {"fromaddr": "app@example.com", "toaddrs": "ops@example.com", "subject": "s",
                    "timeout": 2}
            s.alone("server-down", base, one,
                    r"ConnectionRefusedError: \[Errno 111\] Connection refused", port=free_port())
            s.alone("all-refused", dict(base, toaddrs=["a@example.com", "b@example.com"]), one,
                    r"smtplib\.SMTPRecipientsRefused: \{'a@example\.com': \(550, b'5\.1\.1 "
                    r"<a@example\.com>: Recipient address rejected'\), 'b@example\.com': \(550, "
                    r"b'5\.1\.1 <b@example\.com>: Recipient address rejected'\)\}",
                    ["--refuse", "a@example.com", "--refuse", "b@example.com"])
            s.alone("wrong-password", dict(tls, credentials=["alice", "wrong"]), one,
                    r"smtplib\.SMTPAuthenticationError: \(535, b'5\.7\.8 Authentication "
                    r"credentials invalid'\)", ["--starttls", cert, key, "--auth", "alice:s3cret"],
                    env={"SSL_CERT_FILE": cert})
            s.alone("untrusted-certificate", tls, one,
                    r"ssl\.SSLCertVerificationError: certificate verify failed: .*SSL_CERT_FILE.*",
                    ["--starttls", cert, key, "--auth", "alice:s3cret"],
                    env={"SSL_CERT_FILE": other})
            with socket.socket() as stalled:  # accepts (the backlog), never greets
                stalled.bind(("127.0.0.1", 0))
                stalled.listen(8)
                s.alone("no-greeting", dict(base, timeout=1), one, r"TimeoutError: timed out",
                        port=stalled.getsockname()[1])
        except Skip as e:
            print(f"SKIP: {e}")
            return 77
    return 1 if s.failures else 0


if __name__ == "__main__":
    status = main()
    if status == 77 and os.environ.get("DICTLOG_REQUIRE_ALL"):
        print("FAIL: skipped, and DICTLOG_REQUIRE_ALL is set (CI installs every package)")
        status = 1
    sys.exit(status)
