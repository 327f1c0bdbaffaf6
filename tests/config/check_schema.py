"""Validates every samples/*.json and every compat case CPython accepts against
config_schema/dictconfig.schema.json; checks that the schema rejects structural errors and,
per built-in class, unknown or missing constructor keys, as dictlog's loader (argument 1:
the dictlog tool) and CPython 3.13 do; and that each class's keys and defaults in the schema
are its constructor's in CPython 3.13 (inspect.signature). Needs python3-jsonschema."""
import glob
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))

try:
    import jsonschema
except ImportError:
    # pyenv's python may lack it; Debian's python3 has python3-jsonschema.
    for other in ("/usr/bin/python3",):
        if os.path.exists(other) and os.path.realpath(other) != os.path.realpath(sys.executable):
            sys.exit(subprocess.call([other, __file__] + sys.argv[1:]))
    print("SKIP: python3-jsonschema not found (apt-get install python3-jsonschema)")
    sys.exit(77)

with open(os.path.join(root, "config_schema", "dictconfig.schema.json")) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
jsonschema.Draft202012Validator.check_schema(schema)

failed = 0
samples = sorted(glob.glob(os.path.join(root, "samples", "*.json")))
# A YAML configuration is the document yaml.safe_load makes of it: the same schema applies.
yaml_samples = sorted(glob.glob(os.path.join(root, "samples", "*.yaml")))
try:
    import yaml
except ImportError:
    print(f"SKIP {len(yaml_samples)} YAML samples: no PyYAML (apt-get install python3-yaml)")
    yaml_samples = []
for path in samples + yaml_samples:
    with open(path) as f:
        doc = yaml.safe_load(f) if path.endswith(".yaml") else json.load(f)
        errors = list(validator.iter_errors(doc))
    for e in errors:
        print(f"FAIL {os.path.relpath(path, root)}: /{'/'.join(map(str, e.path))}: {e.message}")
    failed += bool(errors)


def handler(**keys):
    return {"version": 1, "handlers": {"h": keys}}


must_reject = [
    {},                                                   # no version
    {"version": 2},
    {"version": "1"},
    {"version": 1, "handlers": {"h": {"filters": 5}}},    # name list must be a list or str
    {"version": 1, "formatters": {"f": {"style": "#"}}},
    {"version": 1, "loggers": {"a": {"handlers": [1]}}},
]
# A built-in class's keys are its constructor's: CPython raises TypeError on any other, and
# on a missing required one. Each of these is also rejected by dictlog's loader and by
# CPython 3.13's dictConfig (checked below when they are at hand).
must_reject_class = [
    handler(**{"class": "logging.FileHandler", "filename": "a.log", "comment": "a note"}),
    handler(**{"class": "logging.FileHandler"}),
    handler(**{"class": "logging.StreamHandler", "filename": "a.log"}),
    handler(**{"class": "logging.handlers.RotatingFileHandler", "filename": "a.log",
               "maxBytes": "1MB"}),
    handler(**{"class": "logging.handlers.TimedRotatingFileHandler", "filename": "a.log",
               "rotate": "daily"}),
    handler(**{"class": "logging.handlers.MemoryHandler", "flushLevel": "ERROR"}),
    handler(**{"class": "logging.handlers.QueueHandler", "maxsize": 10}),
    handler(**{"class": "logging.handlers.SocketHandler", "host": "localhost"}),
    handler(**{"class": "logging.handlers.SysLogHandler", "ident": "app"}),
    handler(**{"class": "logging.handlers.SMTPHandler", "mailhost": "localhost",
               "fromaddr": "a@example.com", "toaddrs": ["b@example.com"]}),
    handler(**{"class": "logging.handlers.HTTPHandler", "host": "localhost:8080"}),
    handler(**{"class": "logging.NullHandler", "stream": "ext://sys.stdout"}),
]
must_accept = [
    dict(handler(**{"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}),
         **{"$schema": "https://dictlog.invalid/config_schema/dictconfig.schema.json",
            "comment": "top-level keys dictConfig does not know are ignored"}),
    dict(handler(**{"class": "logging.handlers.RotatingFileHandler", "filename": "a.log",
                    "maxBytes": "cfg://limits.bytes", "backupCount": 2}),
         limits={"bytes": 1000}),
    handler(**{"class": "logging.handlers.QueueHandler",
               "queue": {"()": "queue.Queue", "maxsize": 10}, "handlers": [],
               ".": {"overflow": "block"}}),
    handler(**{"()": "logging.StreamHandler", "level": "INFO"}),
]
# dictlog's own handler classes: their keys are the loader's (CPython has no such class).
OTLP = "dictlog.handlers.OTLPHandler"
dictlog_reject = [
    handler(**{"class": OTLP, "endpoint": "http://127.0.0.1:9/v1/logs", "batch": 10}),
    handler(**{"class": OTLP, "endpoint": "http://127.0.0.1:9/v1/logs", "max_batch": 0}),
    handler(**{"class": OTLP, "endpoint": "http://127.0.0.1:9/v1/logs", "headers": {"a": 1}}),
]
dictlog_accept = [
    handler(**{"class": OTLP, "endpoint": "http://127.0.0.1:9/v1/logs",
               "headers": {"Authorization": "Bearer x"}, "resource": {"service.name": "s"},
               "timeout": 2, "max_batch": 10, "flush_interval": 0.5, "max_queue": 100,
               "gzip": False, "retry_initial": 0.1, "retry_max": 1, "max_attempts": 2,
               "shutdown_timeout": 0.1}),
]
for doc in must_reject + must_reject_class + dictlog_reject:
    if validator.is_valid(doc):
        print(f"FAIL schema accepted {json.dumps(doc)}")
        failed += 1
for doc in must_accept + dictlog_accept:
    for e in list(validator.iter_errors(doc))[:1]:
        print(f"FAIL schema rejected {json.dumps(doc)}: /{'/'.join(map(str, e.path))}: {e.message}")
        failed += 1


def loader_accepts(doc):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "config.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        return subprocess.run([dictlog, "check", path], cwd=d, capture_output=True,
                              timeout=60).returncode == 0


dictlog = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
if dictlog:
    for doc in must_reject_class + dictlog_reject:
        if loader_accepts(doc):
            print(f"FAIL dictlog's loader accepted {json.dumps(doc)}")
            failed += 1
    for doc in must_accept + dictlog_accept:
        if not loader_accepts(doc):
            print(f"FAIL dictlog's loader rejected {json.dumps(doc)}")
            failed += 1
else:
    print("SKIP the loader's side: no dictlog tool given (built with -Dtools=disabled?)")

# CPython 3.13 itself: each built-in class's constructor keys and defaults are the schema's,
# and dictConfig rejects must_reject_class and accepts must_accept.
CPYTHON_SIDE = r"""
import inspect, json, logging.config, os, sys, tempfile
req = json.load(sys.stdin)
out = {"signatures": {}, "accepts": []}
for name in req["classes"]:
    mod, cls = name.rsplit(".", 1)
    c = getattr(__import__(mod, fromlist=["_"]), cls)
    params = {}
    for p in list(inspect.signature(c.__init__).parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        d = p.default
        params[p.name] = None if d is p.empty else {"default": list(d) if isinstance(d, tuple) else d}
    out["signatures"][name] = params
for doc in req["docs"]:
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        try:
            logging.config.dictConfig(doc)
            out["accepts"].append(True)
        except Exception:
            out["accepts"].append(False)
        logging.config.dictConfig({"version": 1})
        os.chdir("/")
print(json.dumps(out))
"""
sys.path.insert(0, os.path.join(root, "tests", "compat"))
from compare import find_cpython  # noqa: E402

cpython = find_cpython()
classes = schema["$defs"]["handlerClasses"]
names = [a["if"]["properties"]["class"]["const"] for a in schema["$defs"]["handler"]["allOf"]]
assert [a["then"]["$ref"].rsplit("/", 1)[1] for a in schema["$defs"]["handler"]["allOf"]] == list(classes)
# CPython's classes; dictlog's own (dictlog.handlers.*) are held to the loader above.
cpython_classes = [(n, short) for n, short in zip(names, classes) if not n.startswith("dictlog.")]
names = [n for n, _ in cpython_classes]
# dictConfig takes these out of a handler's keys itself (3.12+); the rest are the
# constructor's.
by_dict_config = {"logging.handlers.QueueHandler": {"listener", "handlers", "respect_handler_level"}}
if cpython:
    docs = must_reject_class + must_accept
    got = json.loads(subprocess.run(
        cpython + ["-c", CPYTHON_SIDE], input=json.dumps({"classes": names, "docs": docs}),
        capture_output=True, text=True, timeout=120, env=dict(os.environ, PYENV_VERSION="3.13.0"),
        check=True).stdout)
    for name, short in cpython_classes:
        props = classes[short]["properties"]
        # level: Handler.__init__'s, which NullHandler inherits; dictConfig sets it apart.
        sig = {k: v for k, v in got["signatures"][name].items() if k != "level"}
        ours = {k: v for k, v in props.items() if k not in by_dict_config.get(name, ())}
        if set(ours) != set(sig):
            print(f"FAIL {name}: schema keys {sorted(ours)}, CPython's {sorted(sig)}")
            failed += 1
            continue
        for k, d in sig.items():
            if name == "logging.handlers.QueueHandler" and k == "queue":
                continue  # required by the constructor, made by dictConfig when absent
            if (d is None) != (k in classes[short].get("required", [])) or (
                    d is not None and props[k].get("default", "<none>") != d["default"]):
                print(f"FAIL {name}.{k}: schema default {props[k].get('default', '<required>')}"
                      f", CPython's {d['default'] if d else '<required>'}")
                failed += 1
    for doc, ok in zip(docs, got["accepts"]):
        if ok != (doc in must_accept):
            print(f"FAIL CPython 3.13 {'accepted' if ok else 'rejected'} {json.dumps(doc)}")
            failed += 1
else:
    print("SKIP the CPython 3.13 side (constructor keys and defaults, must_reject_class): "
          "no CPython 3.13 (PYENV_VERSION=3.13.0 python3)")

# Every compat case CPython accepts (tests/compat/cases, meta "ok" or "error") validates,
# except the known disagreements of xfail.txt.
cases_dir = os.path.join(root, "tests", "compat", "cases")
with open(os.path.join(root, "tests", "compat", "xfail.txt")) as f:
    xfail = {line.split()[0] for line in f if line.strip() and not line.startswith("#")}
accepted = 0
for case in sorted(os.listdir(cases_dir)):
    meta_path = os.path.join(cases_dir, case, "meta.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    if meta.get("expect", "ok") == "reject" or case in xfail:
        continue
    accepted += 1
    with open(os.path.join(cases_dir, case, "config.json")) as f:
        errors = list(validator.iter_errors(json.load(f)))
    for e in errors[:1]:
        print(f"FAIL compat case {case}: /{'/'.join(map(str, e.path))}: {e.message}")
    failed += bool(errors)

checked = (len(samples) + len(yaml_samples) + len(must_reject) +
           3 * len(must_reject_class + must_accept) + 2 * len(dictlog_reject + dictlog_accept) +
           accepted)
print(f"{checked} documents and {len(classes)} classes checked, {failed} failed")
sys.exit(1 if failed else 0)
