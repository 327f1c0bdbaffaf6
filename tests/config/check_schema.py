"""Validates every samples/*.json against config_schema/dictconfig.schema.json, and checks
that the schema rejects structural errors. Needs python3-jsonschema (Debian)."""
import glob
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))

try:
    import jsonschema
except ImportError:
    # pyenv's python may lack it; Debian's python3 has python3-jsonschema.
    for other in ("/usr/bin/python3",):
        if os.path.exists(other) and os.path.realpath(other) != os.path.realpath(sys.executable):
            sys.exit(subprocess.call([other, __file__]))
    print("SKIP: python3-jsonschema not found (apt-get install python3-jsonschema)")
    sys.exit(77)

with open(os.path.join(root, "config_schema", "dictconfig.schema.json")) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
jsonschema.Draft202012Validator.check_schema(schema)

failed = 0
samples = sorted(glob.glob(os.path.join(root, "samples", "*.json")))
for path in samples:
    with open(path) as f:
        errors = list(validator.iter_errors(json.load(f)))
    for e in errors:
        print(f"FAIL {os.path.relpath(path, root)}: /{'/'.join(map(str, e.path))}: {e.message}")
    failed += bool(errors)

must_reject = [
    {},                                                   # no version
    {"version": 2},
    {"version": "1"},
    {"version": 1, "handlers": {"h": {"filters": 5}}},    # name list must be a list or str
    {"version": 1, "formatters": {"f": {"style": "#"}}},
    {"version": 1, "loggers": {"a": {"handlers": [1]}}},
]
for doc in must_reject:
    if validator.is_valid(doc):
        print(f"FAIL schema accepted {json.dumps(doc)}")
        failed += 1

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

print(f"{len(samples) + len(must_reject) + accepted - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
