#!/usr/bin/env python3
"""The samples are tests: each samples/NAME.json with NAME.jsonl events and a NAME.expected
output is run by `dictlog run` and by CPython 3.13's dictConfig (tests/compat/oracle.py),
and both must print exactly NAME.expected after the compat suite's normalisation (times,
process and thread ids masked).

Usage: samples_test.py DICTLOG_EXE [SAMPLES_DIR] [--update]
  --update rewrites each NAME.expected from dictlog's output (review the diff).
Exit 0 when every sample matches, 1 otherwise; CPython's half is skipped, with a SKIP line,
when CPython 3.13 is not found (a failure under DICTLOG_REQUIRE_ALL=1).
"""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
from compare import diff, find_cpython, normalise, run_in_tmp  # noqa: E402

ORACLE = os.path.join(HERE, "..", "compat", "oracle.py")


def output(run, samples):
    """stdout, then each file the run wrote, as one normalised text."""
    text = normalise(run.stdout, samples)
    for name in sorted(run.files):
        text += f"--- {name}\n" + normalise(run.files[name], samples)
    return text


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    update = "--update" in sys.argv
    dictlog = os.path.abspath(args[0])
    samples = os.path.abspath(args[1] if len(args) > 1 else
                              os.path.join(HERE, "..", "..", "samples"))
    cpython = find_cpython()
    failed = checked = 0
    for expected_path in sorted(glob.glob(os.path.join(samples, "*.expected"))):
        base = expected_path[:-len(".expected")]
        name = os.path.basename(base)
        config, events = base + ".json", base + ".jsonl"
        with open(expected_path, encoding="utf-8") as f:
            expected = f.read()
        runs = [("dictlog", [dictlog, "run", config, events])]
        if cpython:
            runs.append(("cpython", cpython + [ORACLE, "run", config, events]))
        # The same configuration in the other forms, where a sample has them, prints the same.
        for form in (".yaml", ".ini"):
            if not os.path.exists(base + form):
                continue
            probe = run_in_tmp([dictlog, "check", base + form])
            if b"reads no YAML" in probe.stderr:  # built with -Dyaml=disabled
                print(f"SKIP {name} ({form[1:]}): this dictlog has no yaml-cpp")
                continue
            runs.append((f"dictlog, {form[1:]}", [dictlog, "run", base + form, events]))
        for who, cmd in runs:
            run = run_in_tmp(cmd)
            got = output(run, samples)
            checked += 1
            if who == "dictlog" and update:
                with open(expected_path, "w", encoding="utf-8") as f:
                    f.write(got)
                expected = got
            if run.status != 0 or got != expected:
                failed += 1
                print(f"FAIL {name} ({who}): exit {run.status}")
                print(run.stderr.decode("utf-8", "replace"))
                print(diff(name, expected, got))
            else:
                print(f"ok   {name} ({who})")
    if not cpython:
        print("SKIP: CPython 3.13 not found: samples checked against dictlog only")
        if os.environ.get("DICTLOG_REQUIRE_ALL") == "1":
            failed += 1
    if checked == 0:
        print("FAIL: no sample has a .expected file")
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
