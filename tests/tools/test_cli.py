#!/usr/bin/env python3
"""Black-box tests of the dictlog command line (DESIGN.md, "The CLI contract").

Usage: test_cli.py DICTLOG_EXE. Each check runs the tool in a fresh temporary directory and
asserts exit status, stdout, stderr and the files left behind. Prints 'N passed, N failed'.
"""
import json
import os
import subprocess
import sys
import tempfile

EXE = os.path.abspath(sys.argv[1])
passed = failed = 0

GOOD = {
    "version": 1,
    "formatters": {"f": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "file": {"class": "logging.FileHandler", "filename": "out.log", "formatter": "f"},
        "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"]},
    },
    "root": {"level": "INFO", "handlers": ["q"]},
}
BAD = {
    "version": 1,
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "brief"},
        "file": {"class": "logging.FileHandler", "filename": "never.log", "level": "LOUD"},
    },
    "root": {"handlers": ["nope"]},
}


def run(args, files=None, stdin=None, timeout=60):
    with tempfile.TemporaryDirectory(prefix="dictlog-cli-") as tmp:
        for name, content in (files or {}).items():
            if isinstance(content, bytes):
                with open(os.path.join(tmp, name), "wb") as f:
                    f.write(content)
                continue
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
        before = set(os.listdir(tmp))
        p = subprocess.run([EXE] + args, cwd=tmp, input=stdin, capture_output=True, text=True,
                           timeout=timeout)
        left = {}
        for name in sorted(set(os.listdir(tmp)) - before):
            with open(os.path.join(tmp, name), encoding="utf-8", errors="replace") as f:
                left[name] = f.read()
        return p.returncode, p.stdout, p.stderr, left


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}\n  got:  {got!r}\n  want: {want!r}")


code, out, err, left = run(["--version"])
check("--version", (code, out.startswith("dictlog "), err), (0, True, ""))
code, out, err, left = run(["--help"])
check("--help", (code, out.startswith("usage: dictlog check [--format text|json] CONFIG")), (0, True))
code, out, err, left = run([])
check("no command: usage error", (code, err.splitlines()[0]), (2, "dictlog: missing command"))
code, out, err, left = run(["frobnicate", "x"])
check("unknown command", (code, "unknown command 'frobnicate'" in err), (2, True))
code, out, err, left = run(["check"])
check("check without CONFIG", code, 2)
code, out, err, left = run(["check", "missing.json"])
check("unreadable CONFIG", (code, err), (3, "missing.json: cannot open file\n"))

code, out, err, left = run(["check", "good.json"], {"good.json": GOOD})
check("check accepts, writes nothing", (code, out, err, left), (0, "", "", {}))
code, out, err, left = run(["check", "bad.json"], {"bad.json": BAD})
check("check lists every problem, writes nothing", (code, err.splitlines(), left), (1, [
    "bad.json: /handlers/console/formatter: no formatter named 'brief'",
    "bad.json: /handlers/file/level: Unknown level: 'LOUD' (a level is an integer or exactly a "
    "registered name such as 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')",
    "bad.json: /root/handlers/0: no handler named 'nope'",
], {}))
code, out, err, left = run(["check", "--format", "json", "bad.json"], {"bad.json": BAD})
check("check --format json: one object a line on stdout, for CI annotations",
      (code, [json.loads(l) for l in out.splitlines()], err, left), (1, [
          {"file": "bad.json", "pointer": "/handlers/console/formatter",
           "message": "no formatter named 'brief'"},
          {"file": "bad.json", "pointer": "/handlers/file/level",
           "message": "Unknown level: 'LOUD' (a level is an integer or exactly a registered name "
                      "such as 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')"},
          {"file": "bad.json", "pointer": "/root/handlers/0", "message": "no handler named 'nope'"},
      ], "", {}))
code, out, err, left = run(["check", "--format=json", "syntax.json"],
                           {"syntax.json": '{"version": 1,\n "x": ]'})
check("check --format=json: a syntax error has an empty pointer and its line and column",
      (code, json.loads(out)["pointer"], json.loads(out)["message"].startswith(
          "invalid JSON: line 2, column 7: ")), (1, "", True))
code, out, err, left = run(["check", "--format", "json", "good.json"], {"good.json": GOOD})
check("check --format json: nothing on a good file", (code, out, err), (0, "", ""))
code, out, err, left = run(["check", "--format", "yaml", "good.json"], {"good.json": GOOD})
check("check --format yaml: usage error", (code, err.splitlines()[0]),
      (2, "dictlog: --format is text or json, not 'yaml'"))
for command, mine, other in [("check", "--format json: each", "--stats: at the end"),
                             ("tree", "print the logger tree", "--format json: each"),
                             ("run", "--stats: at the end", "print the logger tree")]:
    code, out, err, left = run([command, "--help"])
    check(f"{command} --help: its own help", (code, mine in out, other in out), (0, True, False))
code, out, err, left = run(["help", "run"])
check("help run", (code, "--stats" in out), (0, True))

code, out, err, left = run(["check", "syntax.json"], {"syntax.json": '{"version": 1,\n "x": ]'})
check("check: JSON syntax error with line and column",
      (code, err.startswith("syntax.json: invalid JSON: line 2, column 7: ")), (1, True))

code, out, err, left = run(["run", "bad.json"], {"bad.json": BAD}, stdin='{"level":"INFO","msg":"x"}\n')
check("run: rejected config, one line, nothing logged", (code, out, err.count("\n"), left),
      (1, "", 1, {}))

events = "\n".join([
    '{"logger": "app", "level": "INFO", "msg": "first"}',
    '',
    '{"logger": "app", "level": "WARNING", "msg": "second", "extra": {"user": "u1"}}',
    '{"logger": "app", "level": "INFO", "msg": ',
    '{"logger": "app", "level": "INFO", "msg": "after"}',
]) + "\n"
code, out, err, left = run(["run", "good.json", "events.jsonl"], {"good.json": GOOD, "events.jsonl": events})
check("run: a malformed line names its number; the records around it are written",
      (code, err.startswith("events.jsonl:4: invalid JSON"), left.get("out.log")),
      (1, True, "INFO app first\nWARNING app second\nINFO app after\n"))
code, out, err, left = run(["run", "good.json"], {"good.json": GOOD},
                           stdin='{"level": 20, "msg": "from stdin"}\n')
check("run: events from stdin, listener drained at the end", (code, err, left.get("out.log")),
      (0, "", "INFO root from stdin\n"))
code, out, err, left = run(["run", "good.json", "-"], {"good.json": GOOD},
                           stdin='{"op": "config", "config": {"version": 1, "root": {"handlers": ["x"]}}}\n')
check("run: a rejected op:config is an error naming its line",
      (code, err), (1, "<stdin>:1: /root/handlers/0: no handler named 'x'\n"))

code, out, err, left = run(["run", "good.json"], {"good.json": GOOD},
                           stdin='{"level": 20, "msg": "kept"}\n{"level": 20, "msg": 1e400}\n')
check("run: a number out of range is a bad line, not a crash",
      (code, err.startswith("<stdin>:2: invalid JSON: "), left.get("out.log")),
      (1, True, "INFO root kept\n"))

# Hostile events: each is one error naming its line, never a crash; the records around it
# are written.
kept = b'{"level": 20, "msg": "kept"}\n'
for name, line, want in [
    ("invalid UTF-8", b'{"level": 20, "msg": "caf\xe9"}\n', "invalid JSON: "),
    ("a truncated line", b'{"level": 20, "msg": "tr\n', "invalid JSON: "),
    ("nesting 100,000 deep", b'{"level": 20, "msg": "x", "extra": {"a": ' + b"[" * 100000 +
     b"]" * 100000 + b"}}\n", "invalid JSON: "),
    ("a level out of range", b'{"level": 4294967296, "msg": "x"}\n', "'level' is out of range"),
    ("a NUL byte", b'{"level": 20, "msg": "x"}\x00\n', "invalid JSON: "),
]:
    code, out, err, left = run(["run", "good.json", "events.jsonl"],
                               {"good.json": GOOD, "events.jsonl": kept + line + kept})
    check("run: hostile event, " + name,
          (code, err.startswith("events.jsonl:2: " + want), err.count("\n"), left.get("out.log")),
          (1, True, 1, "INFO root kept\nINFO root kept\n"))

# A 100 MB message is logged whole.
code, out, err, left = run(["run", "good.json", "events.jsonl"],
                           {"good.json": GOOD,
                            "events.jsonl": b'{"level": 20, "msg": "' + b"m" * 100_000_000 + b'"}\n'},
                           timeout=600)  # a bound, not a speed check: TSan takes about a minute
check("run: a 100 MB message", (code, err, len(left.get("out.log", "")),
                                left.get("out.log", "")[:12]), (0, "", 100_000_011, "INFO root mm"))

# `dictlog tree` on a terminal: colours (ANSI SGR), unless NO_COLOR is set; piped: none.
def tree_on_terminal(env_extra):
    import pty
    with tempfile.TemporaryDirectory(prefix="dictlog-cli-") as tmp:
        with open(os.path.join(tmp, "good.json"), "w", encoding="utf-8") as f:
            json.dump(GOOD, f)
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env.update(env_extra)
        p = subprocess.Popen([EXE, "tree", "good.json"], cwd=tmp, stdout=slave,
                             stderr=subprocess.PIPE, env=env)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        p.wait(timeout=60)
        return p.returncode, out.decode("utf-8", "replace")


code, out = tree_on_terminal({})
check("tree on a terminal: coloured", (code, "\x1b[1mroot\x1b[0m" in out,
                                       "level=\x1b[32mINFO\x1b[0m" in out), (0, True, True))
code, out = tree_on_terminal({"NO_COLOR": "1"})
check("tree on a terminal with NO_COLOR: plain", (code, "\x1b[" in out), (0, False))
code, out, err, left = run(["tree", "good.json"], {"good.json": GOOD})
check("tree piped: plain", (code, "\x1b[" in out, out.startswith("root  level=INFO")),
      (0, False, True))

STATS = {
    "version": 1,
    "filters": {"only_app": {"name": "app"}},
    "handlers": {
        "file": {"class": "logging.FileHandler", "filename": "out.log", "filters": ["only_app"]},
        "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
              "queue": {"()": "queue.Queue", "maxsize": 0}},
    },
    "root": {"level": "DEBUG", "handlers": ["q"]},
}
code, out, err, left = run(["run", "--stats", "s.json"], {"s.json": STATS},
                           stdin='{"logger": "app", "level": 20, "msg": "i"}\n'
                                 '{"logger": "other", "level": 20, "msg": "o"}\n'
                                 '{"logger": "app.db", "level": 40, "msg": "e"}\n')
check("run --stats: one line per named handler once the queue is drained",
      (code, err.splitlines(), left.get("out.log")), (0, [
          "stats file: emitted=2 filtered=1 dropped_queue_full=0 dropped_peer_down=0 dropped_write_failed=0 errors=0",
          "stats q: emitted=3 filtered=0 dropped_queue_full=0 dropped_peer_down=0 dropped_write_failed=0 errors=0",
      ], "i\ne\n"))

code, out, err, left = run(["tree", "good.json"], {"good.json": GOOD})
tree = out.splitlines()
ZERO = "emitted=0 filtered=0 dropped_queue_full=0 dropped_peer_down=0 dropped_write_failed=0 errors=0"
check("tree: the root and its QueueHandler", (code, tree[:4]), (0, [
    "root  level=INFO disabled=no",
    "  handler 'q': QueueHandler level=NOTSET repr=<QueueHandler (NOTSET)>",
    "    counts " + ZERO,
    "    formatter (default) format='%(message)s'",
]))
check("tree: the listener's handler", (tree[6].startswith(
    "      handler 'file': FileHandler level=NOTSET repr=<FileHandler /"),
    tree[6].endswith("/out.log (NOTSET)>"), tree[7]), (True, True, "        counts " + ZERO))
check("tree: the queue and the listener", tree[4:6], [
    "    queue: queue.Queue maxsize=0 overflow=drop waiting=0 dropped=0",
    "    listener: QueueListener running=no respect_handler_level=no"])

JSON_FMT = {
    "version": 1,
    "formatters": {"j": {"()": "pythonjsonlogger.json.JsonFormatter",
                         "format": "{asctime} {message}", "style": "{", "prefix": "@",
                         "rename_fields": {"message": "msg"}, "static_fields": {"svc": [1]},
                         "reserved_attrs": ["msg"], "timestamp": "ts", "json_indent": 2,
                         "json_ensure_ascii": False, "exc_info_as_array": True}},
    "handlers": {"h": {"class": "logging.StreamHandler", "formatter": "j"}},
    "root": {"handlers": ["h"]},
}
code, out, err, left = run(["tree", "j.json"], {"j.json": JSON_FMT})
check("tree: a JsonFormatter's settings", (code, out.splitlines()[3]), (0,
      "    formatter JsonFormatter style={ format='{asctime} {message}' "
      "fields=['asctime', 'message'] prefix='@' rename_fields={'message': 'msg'} "
      "static_fields={'svc': [1]} reserved_attrs=['msg'] timestamp='ts' exc_info_as_array=yes "
      "json_indent='  ' json_ensure_ascii=no"))
bad_json = {"version": 1, "formatters": {"j": {
    "()": "pythonjsonlogger.jsonlogger.JsonFormatter", "rename_fields": ["a"],
    "json_serializer": "json.dumps"}}}
code, out, err, left = run(["check", "j.json"], {"j.json": bad_json})
check("check: a JsonFormatter's bad key is named by its pointer", (code, err.startswith(
    "j.json: /formatters/j/json_serializer: json_serializer names Python code")), (1, True))



def run_watch():
    """run --watch: a replaced CONFIG is applied while events are read, a rejected one is
    reported and ignored. Events are sent until the output shows the change (bounded)."""
    import select
    import time

    def config(prefix):
        return json.dumps({"version": 1, "formatters": {"f": {"format": prefix + " %(message)s"}},
                           "handlers": {"o": {"class": "logging.StreamHandler",
                                              "stream": "ext://sys.stdout", "formatter": "f"}},
                           "root": {"level": "INFO", "handlers": ["o"]}})

    with tempfile.TemporaryDirectory(prefix="dictlog-cli-") as tmp:
        path = os.path.join(tmp, "c.json")

        def replace(text):
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(path + ".tmp", path)

        replace(config("A"))
        p = subprocess.Popen([EXE, "run", "--watch", "c.json"], cwd=tmp, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)

        def until(prefix):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                p.stdin.write('{"level": "INFO", "msg": "probe"}\n')
                p.stdin.flush()
                if not select.select([p.stdout], [], [], deadline - time.monotonic())[0]:
                    break
                if p.stdout.readline().startswith(prefix):
                    return True
            return False

        seen_a = until("A ")
        replace('{"version": 2}')
        rejected = ""
        if select.select([p.stderr], [], [], 30)[0]:
            rejected = p.stderr.readline()
        replace(config("B"))
        seen_b = until("B ")
        p.stdin.close()
        p.wait(timeout=30)
        err = rejected + p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        return seen_a, seen_b, p.returncode, err


seen_a, seen_b, code, err = run_watch()
check("run --watch: a replaced CONFIG is applied", (seen_a, seen_b, code), (True, True, 0))
check("run --watch: a rejected CONFIG is one line in check's form", err,
      "c.json: /version: Unsupported version: 2 (the only version is 1)\n")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
