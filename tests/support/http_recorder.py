#!/usr/bin/env python3
"""A recording HTTP server for the network handlers' tests (standard library only).

Usage: http_recorder.py --dir DIR [--tls CERT KEY] [--mode ok|500|stall] [--auth USER:PASS]

Listens on 127.0.0.1 on a free port and prints `PORT <n>` as its first line of stdout
(flushed). Every request it reads is written to DIR/<seq:04d>.json (seq counts from 1, in
the order requests were read; the file appears complete, by rename) as

  {"method": "POST", "path": "/log", "query": "a=1" (the raw text after '?', or ""),
   "headers": [[name, value], ...] (in order, as sent), "body": text, "raw": the whole
   request's bytes}

with body and raw decoded as latin-1, so that every byte survives. Then it answers:
  ok     200 with an empty body (keep-alive: HTTP/1.1 with Content-Length)
  500    500 Internal Server Error
  stall  nothing: the connection stays open until the recorder exits
With --auth, a request without "Authorization: Basic base64(USER:PASS)" gets 401 first.
--tls serves HTTPS with the PEM certificate and key. Exits on SIGTERM or when stdin closes.
Works under any python3 >= 3.11.
"""
import argparse
import base64
import http.server
import json
import os
import signal
import ssl
import sys
import threading


class Tee:
    """A read-only stream that keeps every byte read through it."""

    def __init__(self, raw):
        self.raw = raw
        self.seen = bytearray()

    def readline(self, size=-1):
        data = self.raw.readline(size)
        self.seen += data
        return data

    def read(self, size=-1):
        data = self.raw.read(size)
        self.seen += data
        return data

    def __getattr__(self, name):
        return getattr(self.raw, name)


def make_handler(opts, state):
    expected_auth = None
    if opts.auth:
        expected_auth = "Basic " + base64.b64encode(opts.auth.encode("utf-8")).decode("ascii")

    class Recorder(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.rfile = Tee(self.rfile)
            self.start = 0

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def record(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            raw = bytes(self.rfile.seen[self.start:])
            self.start = len(self.rfile.seen)
            path, _, query = self.path.partition("?")
            entry = {"method": self.command, "path": path, "query": query,
                     "headers": [[k, v] for k, v in self.headers.items()],
                     "body": body.decode("latin-1"), "raw": raw.decode("latin-1")}
            with state["lock"]:
                state["seq"] += 1
                name = os.path.join(opts.dir, "%04d.json" % state["seq"])
            with open(name + ".tmp", "w", encoding="utf-8") as f:
                json.dump(entry, f)
            os.replace(name + ".tmp", name)

        def answer(self, code, extra=()):
            self.send_response(code)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def serve(self):
            self.record()
            if expected_auth is not None and self.headers.get("Authorization") != expected_auth:
                self.answer(401, [("WWW-Authenticate", 'Basic realm="recorder"')])
            elif opts.mode == "ok":
                self.answer(200)
            elif opts.mode == "500":
                self.answer(500)
            else:
                state["stop"].wait()
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_HEAD = serve

    return Recorder


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--mode", choices=["ok", "500", "stall"], default="ok")
    p.add_argument("--auth", metavar="USER:PASS")
    opts = p.parse_args()
    os.makedirs(opts.dir, exist_ok=True)

    state = {"lock": threading.Lock(), "seq": 0, "stop": threading.Event()}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(opts, state))
    server.daemon_threads = True
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls[0], opts.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop(*_):
        state["stop"].set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()
    sys.stdout.flush()
    # The stdin watcher may still block in read(): leave without waiting for it (a normal
    # exit would abort on the lock that read holds).
    os._exit(0)


if __name__ == "__main__":
    main()
