#!/usr/bin/env python3
"""An OTLP/HTTP (JSON) logs receiver for the OTLPHandler tests (standard library only).

Usage: otlp_receiver.py --dir DIR [--answers 503,200] [--retry-after SECONDS] [--stall]
                        [--partial N] [--tls CERT KEY]

Listens on 127.0.0.1 on a free port and prints `PORT <n>` as its first line (flushed). Each
request is read (gzip bodies decoded), checked against OTLP's JSON mapping of
ExportLogsServiceRequest (opentelemetry-proto docs/specification.md and logs.proto: only
the fields the messages define, lowerCamelCase, 64-bit integers as strings, ids as hex,
exactly one value in an AnyValue) and written to DIR/<seq:04d>.json as
  {"path": ..., "headers": [[name, value], ...], "gzip": bool, "problems": [...],
   "request": the decoded body (null if it was not JSON), "status": the answer's code}
then answered: a request with problems gets 400 (as a collector answers a malformed one);
otherwise the next code of --answers (the last one repeats; default 200), with Retry-After
when --retry-after is given and the code is not 2xx; 200 answers carry
{"partialSuccess": {"rejectedLogRecords": "N"}} with --partial N. --stall never answers. --tls serves HTTPS with the PEM certificate and key.
Exits on SIGTERM or when stdin closes.
"""
import argparse
import gzip
import http.server
import json
import os
import re
import signal
import ssl
import sys
import threading

DIGITS = re.compile(r"-?[0-9]+")


def check_any(v, where, problems):
    if not isinstance(v, dict):
        problems.append(f"{where}: AnyValue must be an object")
        return
    if not v:
        return  # an empty AnyValue: no value (Python's None)
    if len(v) != 1:
        problems.append(f"{where}: AnyValue holds {sorted(v)}, not exactly one value")
        return
    (k, x), = v.items()
    if k == "stringValue":
        ok = isinstance(x, str)
    elif k == "boolValue":
        ok = isinstance(x, bool)
    elif k == "intValue":
        ok = isinstance(x, str) and DIGITS.fullmatch(x) and -2**63 <= int(x) < 2**63
    elif k == "doubleValue":
        ok = (isinstance(x, (int, float)) and not isinstance(x, bool)) or \
            x in ("NaN", "Infinity", "-Infinity")
    elif k == "arrayValue":
        ok = isinstance(x, dict) and set(x) <= {"values"} and isinstance(x.get("values", []), list)
        for i, item in enumerate(x.get("values", []) if ok else []):
            check_any(item, f"{where}.arrayValue.values[{i}]", problems)
    elif k == "kvlistValue":
        ok = isinstance(x, dict) and set(x) <= {"values"} and isinstance(x.get("values", []), list)
        if ok:
            check_attributes(x.get("values", []), f"{where}.kvlistValue.values", problems)
    elif k == "bytesValue":
        ok = isinstance(x, str)
    else:
        problems.append(f"{where}: unknown AnyValue field {k!r}")
        return
    if not ok:
        problems.append(f"{where}.{k}: wrong type {x!r}")


def check_attributes(attrs, where, problems):
    if not isinstance(attrs, list):
        problems.append(f"{where}: attributes must be a list")
        return
    for i, kv in enumerate(attrs):
        if not isinstance(kv, dict) or set(kv) - {"key", "value"} or \
                not isinstance(kv.get("key"), str):
            problems.append(f"{where}[{i}]: KeyValue must be {{key: str, value: AnyValue}}: {kv!r}")
            continue
        check_any(kv.get("value", {}), f"{where}[{i}].value", problems)


def check_fields(obj, allowed, where, problems):
    if not isinstance(obj, dict):
        problems.append(f"{where}: must be an object")
        return False
    for k in set(obj) - allowed:
        problems.append(f"{where}: unknown field {k!r}")
    return True


def check_request(req):
    problems = []
    if not check_fields(req, {"resourceLogs"}, "request", problems):
        return problems
    for r, rl in enumerate(req.get("resourceLogs", [])):
        w = f"resourceLogs[{r}]"
        if not check_fields(rl, {"resource", "scopeLogs", "schemaUrl"}, w, problems):
            continue
        res = rl.get("resource", {})
        if check_fields(res, {"attributes", "droppedAttributesCount"}, w + ".resource", problems):
            check_attributes(res.get("attributes", []), w + ".resource.attributes", problems)
        for s, sl in enumerate(rl.get("scopeLogs", [])):
            ws = f"{w}.scopeLogs[{s}]"
            if not check_fields(sl, {"scope", "logRecords", "schemaUrl"}, ws, problems):
                continue
            scope = sl.get("scope", {})
            if check_fields(scope, {"name", "version", "attributes", "droppedAttributesCount"},
                            ws + ".scope", problems) and not isinstance(scope.get("name", ""), str):
                problems.append(f"{ws}.scope.name: must be a string")
            for i, lr in enumerate(sl.get("logRecords", [])):
                wl = f"{ws}.logRecords[{i}]"
                if not check_fields(lr, {"timeUnixNano", "observedTimeUnixNano", "severityNumber",
                                         "severityText", "body", "attributes",
                                         "droppedAttributesCount", "flags", "traceId", "spanId",
                                         "eventName"}, wl, problems):
                    continue
                for k in ("timeUnixNano", "observedTimeUnixNano"):
                    if k in lr and not (isinstance(lr[k], str) and lr[k].isdigit()):
                        problems.append(f"{wl}.{k}: a fixed64 is a string of digits: {lr[k]!r}")
                sn = lr.get("severityNumber", 0)
                if not isinstance(sn, int) or isinstance(sn, bool) or not 0 <= sn <= 24:
                    problems.append(f"{wl}.severityNumber: {sn!r} is not a SeverityNumber")
                if not isinstance(lr.get("severityText", ""), str):
                    problems.append(f"{wl}.severityText: must be a string")
                if "body" in lr:
                    check_any(lr["body"], wl + ".body", problems)
                check_attributes(lr.get("attributes", []), wl + ".attributes", problems)
                for k, n in (("traceId", 32), ("spanId", 16)):
                    if k in lr and not re.fullmatch("[0-9a-fA-F]{%d}" % n, str(lr[k])):
                        problems.append(f"{wl}.{k}: must be {n} hex digits: {lr[k]!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--answers", default="200")
    ap.add_argument("--retry-after")
    ap.add_argument("--stall", action="store_true")
    ap.add_argument("--partial", type=int)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    opts = ap.parse_args()
    answers = [int(a) for a in opts.answers.split(",")]
    state = {"seq": 0}
    lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            zipped = self.headers.get("Content-Encoding") == "gzip"
            problems, request = [], None
            try:
                request = json.loads(gzip.decompress(data) if zipped else data)
            except Exception as e:  # noqa: BLE001 - any undecodable body is the finding
                problems.append(f"body: not (gzipped) JSON: {e}")
            if request is not None:
                problems += check_request(request)
            if self.headers.get("Content-Type") != "application/json":
                problems.append(f"Content-Type: {self.headers.get('Content-Type')!r}")
            with lock:
                state["seq"] += 1
                seq = state["seq"]
            code = 400 if problems else answers[min(seq - 1, len(answers) - 1)]
            record = {"path": self.path, "headers": [[k, v] for k, v in self.headers.items()],
                      "gzip": zipped, "problems": problems, "request": request, "status": code}
            tmp = os.path.join(opts.dir, f".{seq:04d}.tmp")
            with open(tmp, "w") as f:
                json.dump(record, f)
            os.rename(tmp, os.path.join(opts.dir, f"{seq:04d}.json"))
            if opts.stall:
                threading.Event().wait()
            body = b"{}"
            if code == 200 and opts.partial is not None:
                body = json.dumps({"partialSuccess": {"rejectedLogRecords": str(opts.partial),
                                                      "errorMessage": "test"}}).encode()
            elif problems:
                body = json.dumps({"code": 3, "message": "; ".join(problems)}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if opts.retry_after is not None and not 200 <= code < 300:
                self.send_header("Retry-After", opts.retry_after)
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*opts.tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
