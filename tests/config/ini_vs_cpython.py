#!/usr/bin/env python3
"""dictlog's INI files (fileConfig) against CPython 3.13's logging.config.fileConfig.

Usage: ini_vs_cpython.py DICTLOG_EXE [CASES_DIR]

Each case is an INI file and events (the ones below, and each CASES_DIR/NAME/config.ini with
its events.jsonl; CASES_DIR defaults to tests/config/ini_cases): `dictlog run CASE.ini EVENTS` and CPython's fileConfig
followed by the same events (tests/compat/oracle.py) must exit alike and write the same
stdout, stderr (when both accept) and files, byte for byte. Where fileConfig accepts, the
JSON `dictlog convert CASE.ini` prints, applied by CPython's dictConfig through the same
oracle, must give fileConfig's bytes too (or differ as CONVERT_DIFFERS says, and why). The
cases are ours, and every configuration of CPython 3.13's own ConfigFileTest
(Lib/test/test_logging.py, read with ast, never imported). Cases CPython would execute code for run through dictlog only, which must
refuse them and create nothing. Exit 77 without CPython 3.13.
"""
import ast
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
from compare import child_env, find_cpython, run_in_tmp  # noqa: E402

ORACLE = os.path.join(HERE, "..", "compat", "oracle.py")
CASES_DIR = os.path.join(HERE, "ini_cases")

EVENTS = [("", "DEBUG", "root debug"), ("", "WARNING", "root warning"),
          ("app", "INFO", "app info"), ("app", "DEBUG", "app debug"),
          ("app.db", "ERROR", "app.db error"), ("compiler.parser", "INFO", "parser info"),
          ("compiler.parser", "DEBUG", "parser debug"), ("compiler", "ERROR", "compiler error"),
          ("compiler-hyphenated", "ERROR", "hyphenated error"), ("other", "ERROR", "other error")]

BASIC = """\
; a comment, and keys with spaces
[loggers]
keys = root , app

[handlers]
keys=console,file

[formatters]
keys=plain

[logger_root]
level=WARNING
handlers=console

[logger_app]
level: INFO
handlers=console,file
propagate=0
qualname=app

[handler_console]
class=StreamHandler
level=DEBUG
formatter=plain
args=(sys.stdout,)

[handler_file]
class=handlers.RotatingFileHandler
formatter=plain
args=('app.log', 'a', 100000, 2)

[formatter_plain]
format=%(levelname)s %(name)s: %(message)s
"""

CASES = [
    ("basic", BASIC),
    ("interpolation_and_default", BASIC.replace("[loggers]", "[DEFAULT]\nlogdir=.\nname = app\n\n[loggers]")
     .replace("args=('app.log',", "args=('%(logdir)s/%(name)s.log',")),
    ("percent_escaped", BASIC.replace("args=('app.log',", "args=('100%%.log',")),
    ("continuation_lines", BASIC.replace("format=%(levelname)s %(name)s: %(message)s",
                                         "format=%(levelname)s\n  %(name)s: %(message)s")),
    ("brace_style_and_defaults", BASIC.replace(
        "format=%(levelname)s %(name)s: %(message)s",
        "format={levelname} {user} {message}\nstyle={\ndefaults={'user': 'nobody'}")),
    ("kwargs", BASIC.replace("args=('app.log', 'a', 100000, 2)",
                             "args=('app.log',)\nkwargs={'encoding': 'utf-8', 'delay': True, 'maxBytes': 1_000}")),
    ("memory_target", BASIC.replace("keys=console,file", "keys=console,file,mem")
     .replace("handlers=console,file", "handlers=mem")
     + "\n[handler_mem]\nclass=handlers.MemoryHandler\nargs=(100, ERROR)\ntarget=file\n"),
    ("timed_and_dotted_class", BASIC.replace("class=handlers.RotatingFileHandler\n",
                                             "class=logging.handlers.TimedRotatingFileHandler\n")
     .replace("args=('app.log', 'a', 100000, 2)", "args=('app.log', 'midnight', 1, 3)")),
    ("propagate_default_and_level_number", BASIC.replace("propagate=0\n", "")
     .replace("level=DEBUG", "level=NOTSET")),
    ("empty_datefmt_and_no_formatter", BASIC.replace("formatter=plain\nargs=(sys.stdout,)",
                                                     "args=(sys.stdout,)")
     + "datefmt=\n"),
    # Both refuse.
    ("no_formatters_section", BASIC.replace("[formatters]\nkeys=plain\n", "")),
    ("root_not_in_keys", BASIC.replace("keys = root , app", "keys = app")),
    ("unknown_handler", BASIC.replace("handlers=console,file", "handlers=console,nope")),
    ("unknown_level", BASIC.replace("level: INFO", "level: LOUD")),
    ("missing_interpolation", BASIC.replace("args=('app.log',", "args=('%(nope)s.log',")),
    ("bad_percent", BASIC.replace("args=('app.log',", "args=('100%.log',")),
    ("duplicate_section", BASIC + "\n[handler_console]\nclass=StreamHandler\n"),
    ("duplicate_option", BASIC.replace("level=WARNING", "level=WARNING\nlevel=ERROR")),
    ("no_section_header", "keys=root\n" + BASIC),
    ("too_many_args", BASIC.replace("args=(sys.stdout,)", "args=(sys.stdout, 1, 2)")),
    ("bad_propagate", BASIC.replace("propagate=0", "propagate=no")),
    ("args_twice", BASIC.replace("args=(sys.stdout,)", "args=(sys.stdout,)\nkwargs={'stream': sys.stderr}")),
    ("missing_qualname", BASIC.replace("qualname=app\n", "")),
    ("logging_dot_name", BASIC.replace("args=(sys.stdout,)", "args=(sys.stdout,)\nkwargs={}")
     .replace("args=('app.log', 'a', 100000, 2)", "args=('app.log', 'a', 100000, logging.DEBUG)")),
]

# CPython would run code for these: dictlog alone, which must refuse and create nothing.
HOSTILE = [
    ("os_system", "args=(__import__('os').system('touch PWNED'),)"),
    ("eval_call", "args=(eval(\"open('PWNED', 'w')\"),)"),
    ("attribute_call", "args=(sys.stdout.write('x'),)"),
    ("lambda", "args=((lambda: open('PWNED', 'w'))(),)"),
    ("operator", "args=('a' + 'b',)"),
    ("subscript", "args=(sys.argv[0],)"),
    ("class_expression", None),
    # 20 references on each of 10 levels: 20^10 copies, which configparser would try to make.
    ("interpolation_bomb", "args=('%(l9)s',)"),
]


# Cases fileConfig accepts where dictConfig of `dictlog convert`'s JSON rightly gives other
# bytes: name -> why.
CONVERT_DIFFERS = {
}


def cpython_configs():
    """ConfigFileTest's configurations, read from CPython's own test file with ast."""
    base = subprocess.run(find_cpython() + ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                          capture_output=True, text=True, env=child_env(), timeout=60).stdout.strip()
    path = os.path.join(base, "test", "test_logging.py")
    if not os.path.exists(path):
        print(f"SKIP CPython's ConfigFileTest cases: no {path}")
        return []
    tree = ast.parse(open(path, encoding="utf-8").read())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ConfigFileTest")
    found = {}
    for st in cls.body:
        if not (isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)):
            continue
        name, v = st.targets[0].id, st.value
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            found[name] = v.value
        elif (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "replace"
              and isinstance(v.func.value, ast.Name) and v.func.value.id in found):
            found[name] = found[v.func.value.id].replace(*[a.value for a in v.args])
    out = []
    for name, text in found.items():
        if "[loggers]" not in text:
            continue
        if "{tempfile}" in text:
            text = text.replace("{tempfile}", "test.log").replace("{{", "{").replace("}}", "}")
        out.append(("cpython_" + name, text))
    return out


def table_vs_signatures():
    """ini_handler_classes.cpp's positional parameters are CPython's signatures, in order."""
    src = open(os.path.join(HERE, "..", "..", "lib", "src", "config", "ini_handler_classes.cpp")).read()
    table = {k: re.findall(r'"(\w+)"', v)
             for k, v in re.findall(r'\{"(logging\.[\w.]+)",\s*\{([^}]*)\}\}', src)}
    probe = ("import inspect, json, logging.handlers, sys\n"
             "print(json.dumps({n: [p for p in inspect.signature(eval(n, {'logging': logging}))"
             ".parameters] for n in json.loads(sys.argv[1])}))")
    r = subprocess.run(find_cpython() + ["-c", probe, json.dumps(sorted(table))], capture_output=True,
                       text=True, env=child_env(), timeout=60)
    real = json.loads(r.stdout)
    wrong = {n: (table[n], real[n]) for n in table if table[n] != real[n]}
    return len(table), wrong


def check_convert(dictlog, cpython, name, ini, events_path, file_config):
    """`dictlog convert` of a file fileConfig accepts, applied by CPython's dictConfig: the
    same bytes as fileConfig gave (file_config), unless CONVERT_DIFFERS says why not."""
    conv = subprocess.run([dictlog, "convert", ini], capture_output=True, timeout=60)
    if conv.returncode != 0:
        print(f"FAIL {name} convert: exit {conv.returncode}: {conv.stderr.decode().strip()}")
        return 1
    json_path = os.path.join(os.path.dirname(ini), "converted.json")
    with open(json_path, "wb") as f:
        f.write(conv.stdout)
    r = run_in_tmp(cpython + [ORACLE, "run", json_path, events_path])
    same = vars(r) == vars(file_config)
    why = CONVERT_DIFFERS.get(name)
    if why and same:
        print(f"FAIL {name} convert: listed as differing ({why}), but dictConfig gave "
              f"fileConfig's bytes: take it off CONVERT_DIFFERS")
        return 1
    if why:
        print(f"ok   {name} convert: differs as listed: {why}")
        return 0
    if not same:
        print(f"FAIL {name} convert: dictConfig of `dictlog convert`'s JSON is not fileConfig:\n"
              f"  dictConfig {vars(r)}\n  fileConfig {vars(file_config)}")
        return 1
    print(f"ok   {name} convert: dictConfig of its JSON gives fileConfig's bytes")
    return 0


def default_events():
    return "".join(json.dumps({"logger": lg, "level": lv, "msg": msg}) + "\n"
                   for lg, lv, msg in EVENTS)


def directory_cases(root):
    """NAME/config.ini and NAME/events.jsonl, read as bytes so CRLF files stay CRLF."""
    out = []
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        with open(os.path.join(root, name, "config.ini"), "rb") as f:
            text = f.read()
        with open(os.path.join(root, name, "events.jsonl"), "rb") as f:
            out.append((name, text, f.read()))
    return out


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    cases_dir = sys.argv[2] if len(sys.argv) == 3 else CASES_DIR
    dictlog = os.path.abspath(sys.argv[1])
    cpython = find_cpython()
    if not cpython:
        print("SKIP: no CPython 3.13 (PYENV_VERSION=3.13.0 python3)")
        return 77
    failed = checked = 0
    count, wrong = table_vs_signatures()
    checked += 1
    if wrong or count < 13:
        failed += 1
        print(f"FAIL positional parameters (ours, CPython's): {wrong} ({count} classes)")
    else:
        print(f"ok   positional parameters of {count} handler classes are CPython's signatures")
    with tempfile.TemporaryDirectory() as tmp:
        inline = [(n, t.encode(), default_events().encode()) for n, t in CASES + cpython_configs()]
        for name, text, events in inline + directory_cases(cases_dir):
            checked += 1
            case = os.path.join(tmp, name)
            os.mkdir(case)
            ini, events_path = os.path.join(case, "logging.ini"), os.path.join(case, "events.jsonl")
            with open(ini, "wb") as f:
                f.write(text)
            with open(events_path, "wb") as f:
                f.write(events)
            # Each in a fresh directory (run_in_tmp), which then holds only what it wrote.
            results = [run_in_tmp([dictlog, "run", ini, events_path]),
                       run_in_tmp(cpython + [ORACLE, "run", ini, events_path])]
            (ds, dout, derr, dfiles), (cs, cout, cerr, cfiles) = [
                (r.status, r.stdout, r.stderr, r.files) for r in results]
            if cs != 0:
                ok = ds == cs
                what = f"both refuse: dictlog: {derr.decode().strip()} | CPython: {cerr.decode().strip()}"
            else:
                ok = (ds, dout, derr, dfiles) == (cs, cout, cerr, cfiles)
                what = f"same output: {dout[:60]!r}..., files {sorted(dfiles)}"
            if ok:
                print(f"ok   {name}: {what}")
            else:
                failed += 1
                print(f"FAIL {name}:\n  dictlog {vars(results[0])}\n  cpython {vars(results[1])}")
            if cs == 0:
                checked += 1
                failed += check_convert(dictlog, cpython, name, ini, events_path, results[1])
        for name, args in HOSTILE:
            checked += 1
            text = (BASIC.replace("args=(sys.stdout,)", args) if args else
                    BASIC.replace("class=StreamHandler", "class=__import__('os').system('touch PWNED')"))
            if name == "interpolation_bomb":
                text = "[DEFAULT]\nl0=xxxxxxxxxx\n" + "".join(
                    f"l{i}={('%(l' + str(i - 1) + ')s') * 20}\n"
                    for i in range(1, 10)) + text
            ini = os.path.join(tmp, f"hostile-{name}.ini")
            with open(ini, "w") as f:
                f.write(text)
            r = run_in_tmp([dictlog, "check", ini])
            s, err, files = r.status, r.stderr, r.files
            created = "PWNED" in files or os.path.exists(os.path.join(tmp, "PWNED"))
            if s != 1 or created or ini.encode() not in err:
                failed += 1
                print(f"FAIL hostile {name}: exit {s}, PWNED created: {created}, {err!r}")
            else:
                print(f"ok   hostile {name}: refused, nothing run: {err.decode().strip()}")
    print(f"{checked - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
