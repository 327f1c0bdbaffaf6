#!/usr/bin/env python3
"""dictlog's YAML reader against PyYAML's yaml.safe_load under CPython 3.13.

Usage: yaml_vs_pyyaml.py DICTLOG_EXE

For every case below, `dictlog convert CASE.yaml` must print the document safe_load makes,
with the same types (1 is not 1.0 is not True), values and key order; where safe_load fails,
dictlog must fail too; where safe_load makes what JSON cannot hold (a datetime, a non-string
key, infinity), dictlog refuses, and the case says so. Then a few configurations are run
end to end: `dictlog run CASE.yaml EVENTS` against CPython's dictConfig(yaml.safe_load(...))
(tests/compat/oracle.py) on the same events, byte for byte; where dictConfig refuses one,
both must refuse, and dictlog must name the value's YAML line:column and JSON Pointer.
PyYAML is Debian's python3-yaml (pure Python under 3.13). Exit 77 without CPython 3.13 or
python3-yaml.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
from compare import child_env, find_cpython, run_in_tmp  # noqa: E402

DEBIAN_YAML = "/usr/lib/python3/dist-packages/yaml"

# (name, YAML text, None if both agree, or why dictlog refuses what safe_load accepts)
CASES = [
    ("bools_yaml11", "a: [yes, No, TRUE, off, On, n, y, 'yes', true, False]\n", None),
    ("nulls", "a: [~, null, Null, NULL, '', 'null']\nb:\nc: !!null ''\n", None),
    ("ints", "a: [0, 7, -7, +7, 010, 0x1F, 0b101, 1_000, 1:30, -1:00, 0o7, 08, 9223372036854775807]\n", None),
    ("floats", "a: [1.5, -0.5, .5, 1., 1.0e+3, 1.0e3, 1e3, 1_0.5, 1:30.5, 6.8523015e+5]\n", None),
    ("strings", "a: ['q', \"d\\tq\", plain text, 'it''s', \"\\u00e9\", é, '#x', 12abc, 1.2.3]\n", None),
    ("block_scalars", "a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\nc: |-\n  kept\n", None),
    ("tags", "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool 'yes'\ne: ! 12\n"
     "f: ! '12'\ng: !  yes\nh: [! 1.5, '! 2']\n", None),
    ("anchors", "base: &b {level: INFO, handlers: [h]}\nx: *b\ny: [*b, *b]\n", None),
    ("merge", "base: &b {a: 1, b: 2}\nother: &o {b: 3, c: 4}\nm: {<<: *b, c: 5}\nn: {<<: [*b, *o], d: 6}\n", None),
    ("duplicate_keys", "a: 1\nb: 2\na: 3\n", None),
    ("order", "z: 1\na: 2\nm: 3\n", None),
    ("flow_and_nested", "a: {b: [1, {c: [x, y]}], d: {}}\ne: []\n", None),
    ("document_marker", "---\nversion: 1\n...\n", None),
    ("comments", "# top\nversion: 1 # trailing\n", None),
    ("empty", "", None),
    ("two_documents", "a: 1\n---\nb: 2\n", None),
    ("python_tag", "a: !!python/object/apply:os.system ['id']\n", None),
    ("local_tag", "a: !mytag 1\n", None),
    ("bad_indent", "a:\n  b: 1\n c: 2\n", None),
    ("unclosed", "a: [1, 2\n", None),
    ("tab_indent", "a:\n\tb: 1\n", None),
    ("undefined_alias", "a: *nope\n", None),
    ("value_key", "a: =\n", None),
    ("nul_byte", "a: b\x00c\n", None),
    ("lone_comma", ",\n", None),
    ("comma_after_document", "a: 1\n,\n", None),
    ("control_char", "a: b\x07c\n", None),
    ("timestamp", "a: 2024-01-31\n", "a timestamp is a datetime to safe_load"),
    ("int_key", "loggers:\n  10: {level: INFO}\n", "an int key"),
    ("bool_key", "on: 1\n", "a bool key (on is True in YAML 1.1)"),
    ("infinity", "a: .inf\n", "infinity has no JSON form"),
    ("big_int", "a: 99999999999999999999\n", "an int beyond 64 bits"),
    ("binary", "a: !!binary aGk=\n", "bytes"),
    ("long_string_bomb", "a: &a " + "x" * 4000 + "\n"
     + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
               for i in range(5)),
     "an alias bomb of bytes: 59,049 copies of 4,000 bytes, under the cap of values"),
    ("alias_bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
               for i in range(8)),
     "an alias bomb: 10^9 values once expanded"),
]

# Configurations run end to end: YAML file, events, and None where both accept, or where
# dictConfig refuses it: the line:column and JSON Pointer dictlog must name.
RUNS = [
    ("console", """\
# what a Python service keeps in logging.yaml
version: 1
disable_existing_loggers: no
formatters:
  brief: &fmt
    format: '%(levelname)s:%(name)s:%(message)s'
  detailed:
    <<: *fmt
    datefmt: '%H:%M'
handlers:
  console:
    class: logging.StreamHandler
    formatter: brief
    stream: ext://sys.stdout
loggers:
  app:
    level: INFO
    handlers: [console]
    propagate: off
root:
  level: WARNING
  handlers: [console]
""", [("app", "INFO", "shown"), ("app", "DEBUG", "hidden"), ("other", "WARNING", "root")], None),
    ("queue", """\
version: 1
handlers:
  file: {class: logging.FileHandler, filename: app.log, formatter: f}
  q:
    class: logging.handlers.QueueHandler
    handlers: [file]
formatters: {f: {format: '{levelname} {name} {message}', style: '{'}}
root: {level: DEBUG, handlers: [q]}
""", [("a.b", "INFO", "one"), ("a", "ERROR", "two")], None),
    # safe_load reads these; dictConfig itself refuses them.
    ("unknown_level", """\
version: 1
handlers:
  console: {class: logging.StreamHandler, stream: ext://sys.stdout}
loggers:
  app:
    level: LOUD
    handlers: [console]
""", [("app", "ERROR", "never")], ("6:12", "/loggers/app/level")),
    ("unknown_handler_class", """\
version: 1
handlers:
  console:
    class: myapp.NoSuchHandler
root: {level: INFO, handlers: [console]}
""", [("", "ERROR", "never")], ("4:12", "/handlers/console/class")),
    ("missing_formatter", """\
version: 1
formatters:
  plain: {format: '%(message)s'}
handlers:
  console:
    class: logging.StreamHandler
    formatter: plan
root:
  handlers: [console]
""", [("", "ERROR", "never")], ("7:16", "/handlers/console/formatter")),
    ("unknown_formatter_class", """\
version: 1
formatters:
  plain:
    format: '%(message)s'
    class: myapp.NoSuchFormatter
handlers:
  console: {class: logging.StreamHandler, formatter: plain}
root: {handlers: [console]}
""", [("", "ERROR", "never")], ("5:12", "/formatters/plain/class")),
    ("missing_handler", """\
version: 1
handlers:
  console: {class: logging.StreamHandler}
loggers:
  app: {handlers: [console, nope]}
""", [("app", "ERROR", "never")], ("5:29", "/loggers/app/handlers/1")),
]

PY_SIDE = r"""
import datetime, json, sys
sys.path.insert(0, sys.argv[1])
import yaml
out = {}
for name, text in json.loads(sys.stdin.read()):
    try:
        doc = yaml.safe_load(text)
    except Exception as e:
        out[name] = {"error": type(e).__name__ + ": " + str(e).splitlines()[0]}
        continue
    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    raise TypeError("key %r" % (k,))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif not (v is None or isinstance(v, (bool, int, float, str))):
            raise TypeError(type(v).__name__)
        elif isinstance(v, int) and not isinstance(v, bool) and not -2**63 <= v < 2**63:
            raise TypeError("big int")
        elif isinstance(v, float) and v != v or v in (float("inf"), float("-inf")):
            raise TypeError("inf/nan")
    sizes = {}
    def size(v):
        # Values and bytes of text once shared objects (aliases) are copied, as JSON must;
        # memoised by identity.
        if not isinstance(v, (dict, list)):
            return 1, len(v) if isinstance(v, str) else 0
        if id(v) not in sizes:
            items = list(v.items()) if isinstance(v, dict) else [(None, x) for x in v]
            n, b = 1, 0
            for k, x in items:
                xn, xb = size(x)
                n, b = n + xn, b + xb + (len(k) if isinstance(k, str) else 0)
            sizes[id(v)] = n, b
        return sizes[id(v)]
    try:
        n, b = size(doc)
        if n > 100000 or b > 32 << 20:
            raise TypeError("%d values, %d bytes once aliases are copied" % (n, b))
        walk(doc)
    except (TypeError, RecursionError) as e:
        out[name] = {"nonjson": str(e)}
        continue
    out[name] = {"doc": doc}
print(json.dumps(out))
"""


def typed(v):
    """A value with its types spelled out, so 1, 1.0 and True differ and key order counts."""
    if isinstance(v, dict):
        return ["dict", [[k, typed(x)] for k, x in v.items()]]
    if isinstance(v, list):
        return ["list", [typed(x) for x in v]]
    return [type(v).__name__, v]


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    dictlog = os.path.abspath(sys.argv[1])
    cpython = find_cpython()
    if not cpython:
        print("SKIP: no CPython 3.13 (PYENV_VERSION=3.13.0 python3)")
        return 77
    if not os.path.isdir(DEBIAN_YAML):
        print("SKIP: no PyYAML (apt-get install python3-yaml)")
        return 77
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.yaml")
        with open(probe, "w") as f:
            f.write("version: 1\n")
        r = subprocess.run([dictlog, "check", probe], capture_output=True, text=True, timeout=60)
        if "reads no YAML" in r.stderr:
            # A build without yaml-cpp (-Dyaml=disabled): the file is refused, saying why.
            ok = r.returncode == 1 and "libyaml-cpp-dev" in r.stderr
            print(("SKIP: this dictlog was built without yaml-cpp; it refuses YAML saying so: "
                   if ok else "FAIL without yaml-cpp: ") + r.stderr.strip())
            return 77 if ok else 1
        failed += check_positions(tmp, dictlog)
        # Only the yaml package joins CPython's path, not the rest of dist-packages.
        path_dir = os.path.join(tmp, "path")
        os.mkdir(path_dir)
        os.symlink(DEBIAN_YAML, os.path.join(path_dir, "yaml"))
        py = subprocess.run(cpython + ["-c", PY_SIDE, path_dir],
                            input=json.dumps([[n, t] for n, t, _ in CASES]),
                            capture_output=True, text=True, env=child_env(), timeout=120)
        if py.returncode != 0:
            print(f"FAIL the PyYAML side: {py.stderr.strip()}")
            return 1
        want = json.loads(py.stdout)
        for name, text, refusal in CASES:
            path = os.path.join(tmp, name + ".yaml")
            with open(path, "w") as f:
                f.write(text)
            ours = subprocess.run([dictlog, "convert", path], capture_output=True, text=True,
                                  timeout=60)
            w = want[name]
            if "doc" in w:
                if refusal:
                    print(f"FAIL {name}: safe_load made a JSON value, but the case expects "
                          f"a refusal ({refusal})")
                    failed += 1
                elif ours.returncode != 0:
                    print(f"FAIL {name}: dictlog refused: {ours.stderr.strip()}")
                    failed += 1
                elif typed(json.loads(ours.stdout)) != typed(w["doc"]):
                    print(f"FAIL {name}:\n  safe_load {json.dumps(w['doc'])}\n"
                          f"  dictlog   {json.dumps(json.loads(ours.stdout))}")
                    failed += 1
                else:
                    print(f"ok   {name}")
                continue
            what = w.get("error") or f"not JSON ({w['nonjson']})"
            if ours.returncode == 0:
                print(f"FAIL {name}: safe_load gives {what}; dictlog accepted it")
                failed += 1
            elif "nonjson" in w and not refusal:
                print(f"FAIL {name}: safe_load makes {w['nonjson']}, not listed as a refusal")
                failed += 1
            else:
                print(f"ok   {name}: both refuse (safe_load: {what}; dictlog: "
                      f"{ours.stderr.strip()})")
        failed += run_end_to_end(tmp, dictlog, cpython, path_dir)
    print(f"{len(CASES) + len(RUNS) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


def check_positions(tmp, dictlog):
    """A rejected value is reported with its YAML line and column, and its JSON Pointer."""
    path = os.path.join(tmp, "positions.yaml")
    with open(path, "w") as f:
        f.write("version: 1\nhandlers:\n  console:\n    class: logging.StreamHandler\n"
                "    level: LOUD\n  file:\n    class: logging.FileHandler\n")
    r = subprocess.run([dictlog, "check", path], capture_output=True, text=True, timeout=60)
    want = [f"{path}:7:5: /handlers/file: ", f"{path}:5:12: /handlers/console/level: "]
    lines = r.stderr.splitlines()
    if r.returncode != 1 or len(lines) != 2 or not all(
            any(line.startswith(w) for line in lines) for w in want):
        print(f"FAIL positions: want lines starting {want}, got {lines}")
        return 1
    print(f"ok   positions: {lines}")
    return 0


def run_end_to_end(tmp, dictlog, cpython, path_dir):
    failed = 0
    oracle = os.path.join(HERE, "..", "compat", "oracle.py")
    for name, text, events, refusal in RUNS:
        case = os.path.join(tmp, "run-" + name)
        os.mkdir(case)
        yaml_path, json_path = os.path.join(case, "logging.yaml"), os.path.join(case, "config.json")
        events_path = os.path.join(case, "events.jsonl")
        with open(yaml_path, "w") as f:
            f.write(text)
        with open(events_path, "w") as f:
            for logger, level, msg in events:
                f.write(json.dumps({"logger": logger, "level": level, "msg": msg}) + "\n")
        # CPython's dictConfig(yaml.safe_load(f)), through the compat suite's oracle.
        conv = subprocess.run(
            cpython + ["-c", "import json,sys; sys.path.insert(0, sys.argv[1]); import yaml; "
                       "print(json.dumps(yaml.safe_load(open(sys.argv[2]))))", path_dir, yaml_path],
            capture_output=True, text=True, env=child_env(), timeout=60, check=True)
        with open(json_path, "w") as f:
            f.write(conv.stdout)
        # Each in a fresh directory (run_in_tmp), which then holds only what it wrote.
        ours = run_in_tmp([dictlog, "run", yaml_path, events_path])
        theirs = run_in_tmp(cpython + [oracle, "run", json_path, events_path])
        if refusal:
            # Both refuse; dictlog says where, in the YAML file and in the document.
            where = f"{yaml_path}:{refusal[0]}: {refusal[1]}: "
            err = ours.stderr.decode()
            if theirs.status == 0 or ours.status != theirs.status or not err.startswith(where):
                print(f"FAIL run {name}: want both to refuse, dictlog's message starting "
                      f"{where!r}:\n  dictlog {vars(ours)}\n  cpython {vars(theirs)}")
                failed += 1
            else:
                print(f"ok   run {name}: both refuse: dictlog: {err.strip()} | CPython: "
                      f"{theirs.stderr.decode().strip()}")
        elif vars(ours) != vars(theirs):
            print(f"FAIL run {name}:\n  dictlog {vars(ours)}\n  cpython {vars(theirs)}")
            failed += 1
        else:
            print(f"ok   run {name}: stdout {ours.stdout!r}, files {sorted(ours.files)}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
