#!/usr/bin/env python3
"""Writes the case folders of the compatibility suite into cases/ (one folder per case).

Usage: make_cases.py [OUTDIR]     (default: cases/ next to this script; it is emptied first)

Each case: config.json, events.jsonl, meta.json ({"expect": "ok"|"reject"|"error",
"about": "what it proves, with the reference section"}). The generated folders are
committed; re-run this script after editing it. See README.md for the event format and the
T<...>T / X<...>X masks used for time-, pid- and source-dependent fields.
"""
import json
import os
import shutil
import sys

import json_cases
import served_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {}

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def case(name, config, events=(), expect="ok", about="", server=None):
    assert name not in CASES, name
    meta = {"expect": expect, "about": about}
    if server:
        meta["server"] = server  # a recorder the runs talk to (servers.py)
    CASES[name] = (config, list(events), meta)


def ev(logger, level, msg, extra=None):
    e = {"logger": logger, "level": level, "msg": msg}
    if extra is not None:
        e["extra"] = extra
    return e


def each_level(logger, tag=""):
    return [ev(logger, lv, f"{lv.lower()} {logger or 'root'}{tag}") for lv in LEVELS]


def op_config(cfg):
    return {"op": "config", "config": cfg}


STD_FMT = "%(levelname)s:%(name)s:%(message)s"


def out_handler(formatter="f", level=None, stream="ext://sys.stdout", **kw):
    h = {"class": "logging.StreamHandler", "stream": stream}
    if formatter:
        h["formatter"] = formatter
    if level is not None:
        h["level"] = level
    h.update(kw)
    return h


def base(fmt=STD_FMT, root_level="DEBUG", formatter=None, handler=None, **top):
    """stdout handler 'out' with formatter 'f' on the root."""
    cfg = {"version": 1,
           "formatters": {"f": formatter if formatter is not None else {"format": fmt}},
           "handlers": {"out": handler if handler is not None else out_handler()},
           "root": {"level": root_level, "handlers": ["out"]}}
    cfg.update(top)
    return cfg


def fmt_case(name, formatter, events=None, about="", expect="ok"):
    case(name, base(formatter=formatter),
         events if events is not None else [ev("app.mod", "INFO", "hello w")],
         expect=expect, about=about)


def reject(name, config, about, events=None):
    case(name, config, events if events is not None else [ev("", "ERROR", "must not appear")],
         expect="reject", about=about)


# =============================================================================================
# CPython's own test_logging.py ConfigDictTest configurations (built-in classes only)
# =============================================================================================
def cpython_tests():
    form1 = {"form1": {"format": "%(levelname)s ++ %(message)s"}}
    hand1 = {"class": "logging.StreamHandler", "formatter": "form1", "level": "NOTSET",
             "stream": "ext://sys.stdout"}
    config0 = {"version": 1, "formatters": form1, "handlers": {"hand1": dict(hand1)},
               "root": {"level": "WARNING", "handlers": ["hand1"]}}
    config1 = {"version": 1, "formatters": form1, "handlers": {"hand1": dict(hand1)},
               "loggers": {"compiler.parser": {"level": "DEBUG", "handlers": ["hand1"]}},
               "root": {"level": "WARNING"}}
    config1a = {"version": 1, "formatters": form1, "handlers": {"hand1": dict(hand1)},
                "loggers": {"compiler.parser": {"level": "DEBUG"}},
                "root": {"level": "WARNING", "handlers": ["hand1"]}}
    case("cpy_config0", config0, [ev("", "INFO", "1"), ev("", "ERROR", "2")],
         about="test_logging config0: root WARNING, stdout handler")
    case("cpy_config1", config1, [ev("compiler.parser", "INFO", "1"),
                                  ev("compiler.parser", "ERROR", "2"), ev("", "ERROR", "3")],
         about="test_logging config1: a sub-parser logger with its own handler")
    cfg = json.loads(json.dumps(config1).replace("ext://sys.stdout", "ext://sys.stdbout"))
    reject("cpy_config2", cfg, "test_logging config2: ext://sys.stdbout cannot be resolved")
    cfg = json.loads(json.dumps(config1).replace('"NOTSET"', '"NTOSET"'))
    reject("cpy_config2a", cfg, "test_logging config2a: misspelt handler level")
    cfg = json.loads(json.dumps(config1).replace('"WARNING"', '"WRANING"'))
    reject("cpy_config2b", cfg, "test_logging config2b: misspelt root level")
    cfg = json.loads(json.dumps(config1))
    cfg["handlers"]["hand1"]["formatter"] = "misspelled_name"
    reject("cpy_config3", cfg, "test_logging config3: unknown formatter name")
    cfg = json.loads(json.dumps(config1))
    cfg["handlers"]["hand1"]["9"] = "invalid parameter name"
    reject("cpy_config6", cfg, "test_logging config6 (built-in class): key '9' is no identifier")
    config7 = {"version": 1, "formatters": form1, "handlers": {"hand1": dict(hand1)},
               "loggers": {"compiler.lexer": {"level": "DEBUG", "handlers": ["hand1"]}},
               "root": {"level": "WARNING"}}
    case("cpy_config7", config1,
         [ev("compiler.parser", "INFO", "1"), ev("compiler.parser", "ERROR", "2"),
          op_config(config7), ev("compiler.parser", "ERROR", "disabled: not shown"),
          ev("compiler.lexer", "INFO", "3"), ev("compiler.lexer", "ERROR", "4")],
         about="test_config7_ok: config7 disables compiler.parser (§8.10)")
    config8 = {"version": 1, "disable_existing_loggers": False, "formatters": form1,
               "handlers": {"hand1": dict(hand1)},
               "loggers": {"compiler": {"level": "DEBUG", "handlers": ["hand1"]},
                           "compiler.lexer": {}},
               "root": {"level": "WARNING"}}
    case("cpy_config8", config1,
         [ev("compiler.parser", "INFO", "1"), ev("compiler.parser", "ERROR", "2"),
          op_config(config8), ev("compiler.parser", "INFO", "3"),
          ev("compiler.parser", "ERROR", "4"), ev("compiler.lexer", "INFO", "5"),
          ev("compiler.lexer", "ERROR", "6")],
         about="test_config_8_ok: disable_existing_loggers false keeps compiler.parser")
    config8a = dict(config8, disable_existing_loggers=True)
    case("cpy_config8a", config1a,
         [ev("compiler.parser", "INFO", "1"), ev("compiler.parser", "ERROR", "2"),
          ev("compiler-hyphenated", "CRITICAL", "3"), op_config(config8a),
          ev("compiler.parser", "INFO", "4"), ev("compiler.parser", "ERROR", "5"),
          ev("compiler.lexer", "INFO", "6"), ev("compiler.lexer", "ERROR", "7"),
          ev("compiler-hyphenated", "CRITICAL", "will not appear")],
         about="test_config_8a_ok: compiler.parser is a child of configured compiler (reset, "
               "not disabled); compiler-hyphenated is disabled (issue #11424)")
    config9 = {"version": 1, "formatters": form1,
               "handlers": {"hand1": dict(hand1, level="WARNING")},
               "loggers": {"compiler.parser": {"level": "WARNING", "handlers": ["hand1"]}},
               "root": {"level": "NOTSET"}}
    config9a = {"version": 1, "incremental": True, "handlers": {"hand1": {"level": "WARNING"}},
                "loggers": {"compiler.parser": {"level": "INFO"}}}
    config9b = {"version": 1, "incremental": True, "handlers": {"hand1": {"level": "INFO"}},
                "loggers": {"compiler.parser": {"level": "INFO"}}}
    case("cpy_config9", config9,
         [ev("compiler.parser", "INFO", "1"), op_config(config9a),
          ev("compiler.parser", "INFO", "2"), op_config(config9b),
          ev("compiler.parser", "INFO", "3")],
         about="test_config_9_ok: incremental handler and logger levels (§8.11)")
    config10 = {"version": 1, "formatters": form1,
                "filters": {"filt1": {"name": "compiler.parser"}},
                "handlers": {"hand1": dict(hand1, filters=["filt1"])},
                "loggers": {"compiler.parser": {"level": "DEBUG", "filters": ["filt1"]}},
                "root": {"level": "WARNING", "handlers": ["hand1"]}}
    case("cpy_config10", config10,
         [ev("compiler.parser", "WARNING", "1"), ev("compiler", "WARNING", "2"),
          ev("compiler.lexer", "WARNING", "3"), ev("compiler.parser.codegen", "ERROR", "4")],
         about="test_config_10_ok: name filters on a handler and a logger")
    config11 = {"version": 1, "true_formatters": form1, "handler_configs": {"hand1": dict(hand1)},
                "formatters": "cfg://true_formatters",
                "handlers": {"hand1": "cfg://handler_configs[hand1]"},
                "loggers": {"compiler.parser": {"level": "DEBUG", "handlers": ["hand1"]}},
                "root": {"level": "WARNING"}}
    case("cpy_config11", config11,
         [ev("compiler.parser", "INFO", "1"), ev("compiler.parser", "ERROR", "2")],
         about="test_config11_ok: sections given as cfg:// references")
    config12 = {k: v for k, v in config11.items() if k != "version"}
    reject("cpy_config12", config12, "test_config12_failure: no version key")
    reject("cpy_config13", dict(config11, version=2), "test_config13_failure: version 2")
    config14 = {"version": 1, "formatters": form1,
                "handlers": {"hand1": dict(hand1, **{".": {"foo": "bar", "terminator": "!\n"}})},
                "root": {"level": "WARNING", "handlers": ["hand1"]}}
    case("cpy_config14", config14, [ev("", "WARNING", "Exclamation")],
         about="test_config14_ok: '.' properties (terminator)")
    config15 = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler",
                                                    "filename": "x.log", "encoding": "utf-8"}},
                "root": {"handlers": ["file"]}}
    case("cpy_config15", config15,
         [ev("", "WARNING", "one"), op_config(config15), ev("", "WARNING", "two")],
         about="test_config15_ok: the same FileHandler config applied twice")
    config16 = {"version": 1,
                "formatters": {"form1": {"format": "%(message)s ++ %(customfield)s",
                                         "defaults": {"customfield": "defaultvalue"}}},
                "handlers": {"hand1": dict(hand1)},
                "root": {"level": "WARNING", "handlers": ["hand1"]}}
    case("cpy_config16", config16,
         [ev("", "WARNING", "Hello"),
          ev("", "WARNING", "Hello", {"customfield": "customvalue"})],
         about="test_config16_ok: formatter defaults; the record wins (§3.5)")
    config18 = {"version": 1,
                "handlers": {"console": {"class": "logging.StreamHandler", "level": "DEBUG",
                                         "stream": "ext://sys.stdout"},
                             "buffering": {"class": "logging.handlers.MemoryHandler",
                                           "capacity": 5, "target": "console",
                                           "level": "DEBUG", "flushLevel": "ERROR"}},
                "loggers": {"mymodule": {"level": "DEBUG", "handlers": ["buffering"],
                                         "propagate": "true"}}}
    case("cpy_config18", config18,
         [ev("mymodule", "DEBUG", "d1"), ev("mymodule", "INFO", "i1"),
          ev("mymodule", "ERROR", "e1 flushes"), ev("mymodule", "INFO", "i2")],
         about="test_config18_ok: MemoryHandler flushLevel as a name (3.13 _checkLevel)")
    bad_format = {"version": 1,
                  "formatters": {"mySimpleFormatter": {
                      "format": "%(asctime)s (%(name)s) %(levelname)s: %(message)s",
                      "style": "$"}},
                  "handlers": {"fileGlobal": {"class": "logging.StreamHandler", "level": "DEBUG",
                                              "formatter": "mySimpleFormatter"},
                               "bufferGlobal": {"class": "logging.handlers.MemoryHandler",
                                                "capacity": 5, "formatter": "mySimpleFormatter",
                                                "target": "fileGlobal", "level": "DEBUG"}},
                  "loggers": {"mymodule": {"level": "DEBUG", "handlers": ["bufferGlobal"],
                                           "propagate": "true"}}}
    reject("cpy_bad_format", bad_format, "test_bad_format: %-format with style $")
    good = json.loads(json.dumps(bad_format))
    good["formatters"]["mySimpleFormatter"]["format"] = (
        "T<${asctime}>T (${name}) ${levelname}: ${message}")
    good["handlers"]["fileGlobal"]["stream"] = "ext://sys.stdout"
    case("cpy_bad_format_dollar", good,
         [ev("mymodule", "DEBUG", "a"), ev("mymodule", "INFO", "b")],
         about="test_bad_format_with_dollar_style: $ style, memory handler flushed at shutdown")
    for i, f in enumerate([None, 1]):
        reject(f"cpy_invalid_filter_{i}",
               {"version": 1, "root": {"level": "DEBUG", "filters": [f]}},
               "test_invalid_type_raises: a filter entry that is not a name")
    qcfg = {"version": 1,
            "handlers": {"h1": {"class": "logging.FileHandler", "filename": "cqh.log"},
                         "ah": {"class": "logging.handlers.QueueHandler", "handlers": ["h1"]}},
            "root": {"level": "DEBUG", "handlers": ["ah"]}}
    case("cpy_config_queue_handler", qcfg,
         [ev("", "DEBUG", "foo"), ev("", "INFO", "bar"), ev("", "WARNING", "baz")],
         about="test_config_queue_handler: deferred QueueHandler feeding a FileHandler")
    for qn, q in (("none", None), ("int", 4), ("empty", ""), ("foo", "foo")):
        for ln, lsp in (("none", None), ("int", 4), ("empty", ""), ("bar", "bar")):
            if q is None and lsp is None:
                continue
            cfg = json.loads(json.dumps(qcfg))
            if q is not None:
                cfg["handlers"]["ah"]["queue"] = q
            if lsp is not None:
                cfg["handlers"]["ah"]["listener"] = lsp
            reject(f"cpy_queue_bad_q{qn}_l{ln}", cfg,
                   "test_config_queue_handler failure matrix: Unable to configure handler 'ah' "
                   "(§8.14)")
    c90195 = {"version": 1, "disable_existing_loggers": False,
              "handlers": {"console": {"level": "DEBUG", "class": "logging.StreamHandler",
                                       "stream": "ext://sys.stdout"}},
              "loggers": {"a": {"level": "DEBUG", "handlers": ["console"]}}}
    c90195b = {k: v for k, v in c90195.items() if k != "disable_existing_loggers"}
    case("cpy_gh90195", {"version": 1, "disable_existing_loggers": False},
         [ev("a", "WARNING", "a exists, lastResort"), op_config(c90195), ev("a", "INFO", "1"),
          op_config({"version": 1}), ev("a", "CRITICAL", "disabled"), op_config(c90195b),
          ev("a", "INFO", "re-enabled since named")],
         about="test_90195: a named logger is re-enabled (§8.10)")


# =============================================================================================
# §8.1-8.2 entry and top level
# =============================================================================================
def entry():
    for name, v in (("int", 1), ("float", 1.0), ("true", True)):
        case(f"version_{name}", dict(base(), version=v), [ev("x", "INFO", f"version {v!r}")],
             about="§8.1 version equal to 1 (1, 1.0, true) is accepted (§9.1)")
    for name, v in (("string", "1"), ("two", 2), ("false", False), ("null", None),
                    ("float", 1.5)):
        reject(f"reject_version_{name}", dict(base(), version=v), "§8.1 Unsupported version")
    cfg = base()
    del cfg["version"]
    reject("reject_version_missing", cfg, "§8.1 dictionary doesn't specify a version")
    case("top_unknown_keys_ignored", dict(base(), extra_stuff={"a": [1, 2]}, comment="hi"),
         [ev("x", "INFO", "unknown top-level keys are ignored")],
         about="§8.2 other top-level keys are ignored")
    case("top_empty_sections", {"version": 1, "formatters": {}, "filters": {}, "handlers": {},
                                "loggers": {}},
         [ev("x", "WARNING", "lastResort prints this"), ev("x", "INFO", "not this")],
         about="§8.2 empty sections; §5.9 lastResort (WARNING, bare message on stderr)")
    case("top_incremental_false", dict(base(), incremental=False), [ev("x", "DEBUG", "d")],
         about="§8.1 incremental false")
    case("top_incremental_zero_truthiness", dict(base(), incremental=0),
         [ev("x", "DEBUG", "incremental 0 is falsy")], about="§8.1 incremental popped, truthiness")


# =============================================================================================
# §3 and §8.4 formatters
# =============================================================================================
def formatters():
    pct = [
        ("levelno_03d", "%(levelno)03d"), ("name_left", "[%(name)-10s]"),
        ("name_right", "[%(name)10s]"), ("name_prec", "%(name).3s"), ("lineno_sign", "%(levelno)+d"),
        ("hex_oct", "%(levelno)x %(levelno)o %(levelno)#x %(levelno)X %(levelno)#o"),
        ("exp_float", "%(levelno)e %(levelno)5.1f %(levelno)g %(levelno)E"),
        ("repr_ascii", "%(name)r %(name)a %(message)r"), ("percent_escape", "100%% %(message)s"),
        ("char", "%(levelno)c|"), ("star_less", "%(levelname)-8s|%(message)s"),
        ("upper_conv", "%(levelno)D"), ("levelno_i_u", "%(levelno)i %(levelno)u"),
        ("space_flag", "[% d]" .replace("% d", "%(levelno) d")),
        ("zero_pad_str", "%(levelname)08s"), ("message_twice", "%(message)s/%(message)s"),
        ("threadname", "%(threadName)s %(processName)s"),
        ("taskname", "%(taskName)s"), ("stack_exc_none", "%(exc_info)s %(exc_text)s %(stack_info)s"),
        ("args_msg", "%(args)s %(msg)s"),
        ("pid_tid", "pid=T<%(process)d>T tid=T<%(thread)d>T"),
        ("time_fields", "T<%(created)f %(msecs)03d %(relativeCreated)d>T"),
        ("time_created_s", "T<%(created)s %(msecs)s>T"),
        ("source_fields", "X<%(pathname)s %(filename)s %(module)s %(funcName)s %(lineno)d>X!"),
    ]
    for n, f in pct:
        fmt_case(f"fmt_pct_{n}", {"format": f},
                 [ev("app.mod", "INFO", "hello w"), ev("app.mod", 25, "custom 25"),
                  ev("", "ERROR", "it's \"q\"")],
                 about="§3.2/§3.6 %-style conversions and flags")
    fmt_case("fmt_pct_emit_error_missing", {"format": "%(message)s %(nosuch)s"},
             about="§3.5 missing key -> Formatting field not found (logging error block)")
    fmt_case("fmt_pct_emit_error_d_on_str", {"format": "%(message)s %(name)d"},
             about="§3.2 validates, fails at emit: %d with a str")
    fmt_case("fmt_pct_emit_error_extra_d", {"format": "%(message)s %d"},
             about="§3.2 pass-but-fail-at-emit: not enough arguments")
    fmt_case("fmt_pct_uses_time_quirk", {"format": "%%(asctime)s %(message)s"},
             about="§3.9 usesTime is a substring test")
    fmt_case("fmt_pct_asctime_default", {"format": "T<%(asctime)s>T %(message)s"},
             about="§3.9 default time format with ,msecs")
    fmt_case("fmt_pct_asctime_generic", {"format": "%(asctime)s %(message)s"},
             about="§3.9 default time format (masked by the comparator)")
    for n, d in (("iso", "%Y-%m-%dT%H:%M:%S"), ("hm", "%H:%M"), ("literal_f", "%H:%M:%S.%f"),
                 ("words", "%a %b %d %j %p %y"), ("empty", ""), ("percent", "%% %Y")):
        fmt_case(f"fmt_datefmt_{n}", {"format": "T<%(asctime)s>T|%(message)s", "datefmt": d},
                 about="§3.9 datefmt through strftime, no msecs; '' = default")
    brace = [
        ("specs", "{levelno:03d} {name:^11} {name!s:*^12} {levelno:+} {name[0]} {name!r}"),
        ("align", "[{levelname:<8}][{levelname:>8}][{levelname:^9}]"),
        ("numbers", "{levelno:x} {levelno:#o} {levelno:b} {levelno:.2f} {levelno:e} {levelno:%}"),
        ("nested_width", "{levelno:{levelno}d}|"), ("equals", "{levelno:=+10.2f}"),
        ("grouping", "{levelno:,} {levelno:_}"), ("message_only", "{message}"),
        ("escape", "{{literal}} {message}"), ("created", "T<{created:.2f} {msecs:03.0f}>T"),
        ("asctime", "T<{asctime}>T {message}"), ("conv_a", "{message!a}"),
        ("float_g", "{levelno:g} {levelno:G} {levelno:n}"),
    ]
    for n, f in brace:
        fmt_case(f"fmt_brace_{n}", {"format": f, "style": "{"},
                 [ev("app.mod", "INFO", "hello w"), ev("app.mod", "WARNING", "caf\u00e9")],
                 about="§3.3/§3.7 {-style with format specs")
    fmt_case("fmt_brace_index_emit_error", {"format": "{0} {message}", "style": "{"},
             about="§3.3 {0} validates but fails at emit (IndexError)")
    fmt_case("fmt_brace_type_emit_error", {"format": "{name:d}", "style": "{"},
             about="§3.7 a type code that does not fit raises at emit")
    fmt_case("fmt_brace_missing", {"format": "{message} {nosuch}", "style": "{"},
             about="§3.5 missing key in {-style")
    dollar = [
        ("basic", "${levelname}:$name:${message} $$ ${created}".replace("${created}", "T<${created}>T")),
        ("adjacent", "${levelname}x$name-${message}"), ("asctime", "T<$asctime>T $message"),
        ("levelno", "$levelno/$message"),
    ]
    for n, f in dollar:
        fmt_case(f"fmt_dollar_{n}", {"format": f, "style": "$"},
                 about="§3.4/§3.8 $-style: str() values, $$ escape")
    fmt_case("fmt_dollar_missing", {"format": "$message $nosuch", "style": "$"},
             about="§3.5 missing key in $-style")
    fmt_case("fmt_defaults_pct", {"format": "%(message)s [%(user)s] %(n)05.1f",
                                  "defaults": {"user": "nobody", "n": 2.5}},
             [ev("a", "INFO", "x"), ev("a", "INFO", "y", {"user": "ann", "n": 7})],
             about="§3.5 defaults, record wins")
    fmt_case("fmt_defaults_brace", {"format": "{message} [{user:>6}]", "style": "{",
                                    "defaults": {"user": "nobody"}},
             [ev("a", "INFO", "x"), ev("a", "INFO", "y", {"user": "ann"})], about="§3.5 defaults {")
    fmt_case("fmt_defaults_dollar", {"format": "$message [$user]", "style": "$",
                                     "defaults": {"user": None}},
             [ev("a", "INFO", "x"), ev("a", "INFO", "y", {"user": True})],
             about="§3.5 defaults $ (None, True rendered by str)")
    fmt_case("fmt_defaults_cannot_override_record", {"format": "%(message)s %(name)s",
                                                     "defaults": {"name": "dflt"}},
             about="§3.5 record attributes win over defaults")
    fmt_case("fmt_absent_format", {}, about="§8.4 no format -> %(message)s")
    fmt_case("fmt_empty_format_brace", {"format": "", "style": "{"},
             about="§3.1 falsy fmt -> the style default {message}")
    fmt_case("fmt_null_format_dollar", {"format": None, "style": "$"},
             about="§3.1 null fmt -> ${message}")
    fmt_case("fmt_fmt_key_ignored", {"fmt": "IGNORED %(message)s"},
             about="§8.4 'fmt' key is ignored without ()")
    fmt_case("fmt_other_keys_ignored", {"format": "%(message)s!", "foo": 1, "bar": [1]},
             about="§8.4 other keys ignored")
    fmt_case("fmt_class_formatter", {"class": "logging.Formatter", "format": "C %(message)s"},
             about="§8.4 class logging.Formatter")
    fmt_case("fmt_factory_format_retry", {"()": "logging.Formatter", "format": "F %(message)s"},
             about="§8.4 () with 'format' retried as 'fmt'")
    fmt_case("fmt_factory_fmt", {"()": "logging.Formatter", "fmt": "{message}?", "style": "{"},
             about="§8.12 () with fmt/style kwargs")
    fmt_case("fmt_factory_ext", {"()": "ext://logging.Formatter", "fmt": "E %(message)s"},
             about="§8.12 () converted: ext:// works for ()")
    fmt_case("fmt_validate_false_pct", {"format": "no fields here", "validate": False},
             about="§8.4 validate false: a format without fields is accepted")
    fmt_case("fmt_validate_false_brace", {"format": "{message} {{x}}", "style": "{",
                                          "validate": False}, about="§8.4 validate false {")
    fmt_case("fmt_validate_zero", {"format": "plain", "validate": 0},
             about="§8.4 validate raw truthiness (0)")
    fmt_case("fmt_validate_string_truthy", {"format": "%(message)s", "validate": "no"},
             about="§8.4 validate 'no' is truthy: validation runs and passes")
    fmt_case("fmt_dot_ignored_without_factory",
             {"format": "T<%(asctime)s>T %(message)s",
              ".": {"default_msec_format": "%s.%03d"}},
             about="§8.4 a formatter without () ignores the '.' key")
    fmt_case("fmt_dot_default_msec_format",
             {"()": "logging.Formatter", "fmt": "T<%(asctime)s>T %(message)s",
              ".": {"default_msec_format": "%s.%03d"}},
             about="§8.12 '.' on a () formatter: default_msec_format")
    fmt_case("fmt_dot_default_time_format",
             {"()": "logging.Formatter", "fmt": "T<%(asctime)s>T %(message)s",
              ".": {"default_time_format": "%H:%M", "default_msec_format": None}},
             about="§8.12 '.' default_time_format; default_msec_format null drops msecs")
    for n, f, st in (("pct_no_field", "hello", "%"), ("pct_bad_conv", "%(message)z", "%"),
                     ("brace_no_field", "hello {}", "{"), ("brace_bad_conv", "{message!z}", "{"),
                     ("brace_bad_spec", "{message:z.2f}", "{"), ("brace_unbalanced", "{message",
                                                                  "{"),
                     ("brace_single_close", "x } {message}", "{"),
                     ("brace_bad_name", "{a b}", "{"),
                     ("dollar_bare", "$ ${message}", "$"), ("dollar_no_field", "$$message", "$"),
                     ("dollar_digit", "$1 ${message}", "$"), ("pct_in_dollar", "%(message)s", "$"),
                     ("brace_in_pct", "{message}", "%")):
        reject(f"reject_fmt_{n}", base(formatter={"format": f, "style": st}),
               "§3.2-3.4 format validation: Unable to configure formatter 'f'")
    reject("reject_fmt_bad_style", base(formatter={"format": "%(message)s", "style": "#"}),
           "§3.1 Style must be one of: %,{,$")
    reject("reject_fmt_class_ext", base(formatter={"class": "ext://logging.Formatter"}),
           "§8.4 formatter class does not accept ext:// (§9.7)")
    reject("reject_fmt_class_missing_module", base(formatter={"class": "nosuchmod.Formatter"}),
           "§8.4 formatter class: ModuleNotFoundError")
    reject("reject_fmt_factory_unknown_kw", base(formatter={"()": "logging.Formatter",
                                                            "colour": "red"}),
           "§8.12 () with an unexpected keyword")
    fmt_case("fmt_defaults_not_dict", {"format": "%(message)s %(a)s", "defaults": 5},
             about="§3.1 CPython accepts non-mapping defaults; every emit fails (TypeError)")


# =============================================================================================
# §1 levels
# =============================================================================================
def levels():
    for n, lv in (("names", "INFO"), ("int", 20), ("warn_alias", "WARN"), ("fatal_alias", "FATAL"),
                  ("notset", "NOTSET"), ("true", True), ("negative", -5), ("huge", 1000),
                  ("zero", 0), ("custom_int", 25)):
        cfg = base(root_level=lv)
        evs = [ev("a", l, f"at {l}") for l in LEVELS + [5, 15, 25, 45, 60]]
        case(f"level_root_{n}", cfg, evs, about="§1.2 any int, exact names, aliases, true")
    for n, lv in (("lowercase", "warning"), ("padded", " INFO"), ("digits", "10"),
                  ("float", 10.0), ("null_handler_level", None)):
        if n == "null_handler_level":
            case("level_handler_null_is_unset", base(handler=out_handler(level=None)),
                 [ev("a", "DEBUG", "handler level null = NOTSET")],
                 about="§8.5 handler level null is not applied")
            continue
        reject(f"reject_level_root_{n}", base(root_level=lv), "§1.2 _checkLevel rejects")
        cfg = base(handler=out_handler(level=lv))
        reject(f"reject_level_handler_{n}", cfg, "§1.2 handler level rejected")
        cfg = base()
        cfg["loggers"] = {"a": {"level": lv}}
        reject(f"reject_level_logger_{n}", cfg, "§1.2 logger level rejected")
    case("level_event_levels", base(), [ev("a", lv, f"event level {lv}")
                                        for lv in ("WARN", "FATAL", 5, 0, 55, -1, "NOTSET")],
         about="§1.3/§1.5 levelname of unnamed levels is 'Level N'")
    case("level_custom_name", {"version": 1},
         [{"op": "add_level_name", "level": 25, "name": "NOTICE"},
          op_config(base(root_level="NOTICE")),
          ev("a", "INFO", "below"), ev("a", "NOTICE", "notice by name"), ev("a", 25, "by number"),
          ev("a", 26, "26")],
         about="§1.4 custom level names are usable in a later configuration")
    case("level_custom_rename", {"version": 1},
         [{"op": "add_level_name", "level": 30, "name": "WARN2"}, op_config(base()),
          ev("a", "WARNING", "WARNING still maps to 30"), ev("a", "WARN2", "by new name")],
         about="§1.4 renaming a level keeps the old name->level entry")
    case("level_handler_threshold", base(handler=out_handler(level="ERROR")), each_level("a"),
         about="§1.7 handler runs iff levelno >= level")
    case("level_handler_int", base(handler=out_handler(level=35)), each_level("a"),
         about="§1.2 handler level int")
    case("level_logger_effective", dict(base(root_level="ERROR"), loggers={
        "a": {"level": "INFO"}, "a.b.c": {"level": 0}}),
        each_level("a.b.c") + each_level("a.x") + each_level("z"),
        about="§6.4 effective level: first non-zero walking up")


# =============================================================================================
# §6 hierarchy, propagation, lastResort
# =============================================================================================
def hierarchy():
    def h(fmt):
        return {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                "formatter": fmt}

    cfg = {"version": 1,
           "formatters": {"r": {"format": "root:%(name)s:%(message)s"},
                          "a": {"format": "a:%(name)s:%(message)s"},
                          "b": {"format": "a.b:%(name)s:%(message)s"}},
           "handlers": {"hr": h("r"), "ha": h("a"), "hb": h("b")},
           "loggers": {"a": {"handlers": ["ha"], "level": "DEBUG"},
                       "a.b": {"handlers": ["hb"]}},
           "root": {"handlers": ["hr"], "level": "WARNING"}}
    case("hier_propagation", cfg, each_level("a.b.c") + each_level("a") + each_level("ab"),
         about="§6.8 records walk up the tree, each handler once")
    c2 = json.loads(json.dumps(cfg))
    c2["loggers"]["a.b"]["propagate"] = False
    case("hier_propagate_false", c2, each_level("a.b.c") + each_level("a.b"),
         about="§6.8 propagate false stops after the logger")
    c3 = json.loads(json.dumps(cfg))
    c3["loggers"]["a.b"]["propagate"] = "false"
    case("hier_propagate_string_false_truthy", c3, each_level("a.b"),
         about="§9.2 propagate 'false' is a truthy string")
    c4 = json.loads(json.dumps(cfg))
    c4["loggers"]["a.b"]["propagate"] = 0
    case("hier_propagate_zero", c4, each_level("a.b"), about="§8.8 propagate 0")
    c5 = json.loads(json.dumps(cfg))
    c5["loggers"]["a"]["level"] = "CRITICAL"
    c5["loggers"]["a"]["filters"] = ["fx"]
    c5["filters"] = {"fx": {"name": "nomatch"}}
    c5["loggers"]["a.b"]["level"] = "DEBUG"
    case("hier_ancestor_level_filters_ignored", c5, each_level("a.b"),
         about="§6.8/§9.13 ancestors' level and filters are ignored on propagation")
    case("hier_placeholders", dict(base(), loggers={"p.q.r": {"level": "INFO"},
                                                    "p": {"level": "ERROR"}}),
         each_level("p.q.r") + each_level("p.q") + each_level("p.q.r.s"),
         about="§6.2/6.3 placeholders and fix-ups")
    case("hier_odd_names", dict(base(), loggers={"a..b": {"level": "ERROR"},
                                                 ".lead": {"level": "ERROR"},
                                                 "root.x": {"level": "ERROR"}}),
         each_level("a..b") + each_level(".lead") + each_level("root.x") + each_level("a."),
         about="§6.2 quirks: a..b, .lead, root.x")
    case("hier_root_names", dict(base(), loggers={"root": {"level": "ERROR"}}),
         each_level("root") + each_level("") + [ev("", "ERROR", "root via empty name")],
         about="§8.8/§9.10 loggers key 'root' is the root")
    case("hier_empty_name_logger_key", dict(base(), loggers={"": {"level": "CRITICAL"}}),
         each_level("x"), about="§8.8 loggers key '' is the root")
    case("hier_root_key_propagate", dict(base(), loggers={"root": {"level": "INFO",
                                                                   "propagate": False}}),
         each_level("x"), about="§9.10 root via 'loggers' accepts propagate")
    case("last_resort_no_handlers", {"version": 1, "root": {"level": "DEBUG"}},
         each_level("a"), about="§5.9 lastResort: WARNING and up, bare message, stderr")
    case("last_resort_handler_skipped_for_level",
         base(handler=out_handler(level="CRITICAL")), each_level("a"),
         about="§5.9 a handler skipped for level still counts: nothing on stderr")
    case("last_resort_propagate_false", dict(base(), loggers={"iso": {"propagate": False}}),
         each_level("iso"), about="§5.9 propagate false and no handler -> lastResort")
    case("last_resort_disabled_logger", dict(base(), loggers={"off": {"level": "DEBUG"}}),
         [op_config({"version": 1, "handlers": {}, "loggers": {}}), ev("off", "ERROR", "x")],
         about="§6.7 disabled logger drops; root closed handlers... lastResort")
    case("hier_null_handler", {"version": 1,
                               "handlers": {"n": {"class": "logging.NullHandler"}},
                               "root": {"handlers": ["n"]}},
         each_level("a"), about="§5.8 NullHandler suppresses lastResort")
    case("hier_default_stream_stderr", {"version": 1, "formatters": {"f": {"format": "E:%(message)s"}},
                                        "handlers": {"e": {"class": "logging.StreamHandler",
                                                           "formatter": "f"}},
                                        "root": {"handlers": ["e"], "level": "INFO"}},
         each_level("a"), about="§5.6 StreamHandler without stream writes to stderr")
    case("hier_ext_stderr", base(handler=out_handler(stream="ext://sys.stderr")),
         each_level("a"), about="§8.13 ext://sys.stderr")
    case("hier_same_handler_twice", dict(base(), loggers={"a": {"handlers": ["out"]}}),
         [ev("a", "INFO", "twice: a and root")], about="§6.8 one handler on two loggers")
    case("hier_handler_list_dupes", dict(base(), loggers={"a": {"handlers": ["out", "out"],
                                                                "propagate": False}}),
         [ev("a", "INFO", "handler listed twice")], about="§8.8 addHandler skips duplicates")


# =============================================================================================
# §8.5-8.7 handlers
# =============================================================================================
def handlers():
    reject("reject_handler_no_class", base(handler={"stream": "ext://sys.stdout"}),
           "§8.5 missing class")
    reject("reject_handler_unknown_class", base(handler={"class": "logging.NoSuchHandler"}),
           "§8.5 class does not resolve")
    reject("reject_handler_class_not_class", base(handler={"class": "sys.maxsize"}),
           "§8.5 non-class class")
    reject("reject_handler_bad_identifier", base(handler=out_handler(**{"my-key": 1})),
           "§8.5 Not a valid Python identifier")
    reject("reject_handler_unexpected_kw", base(handler=out_handler(colour="red")),
           "§8.5 unexpected keyword argument")
    reject("reject_handler_missing_filename", base(handler={"class": "logging.FileHandler"}),
           "§8.5 FileHandler missing filename")
    reject("reject_handler_unknown_formatter", base(handler=out_handler(formatter="nope")),
           "§8.5 Unable to set formatter")
    reject("reject_handler_unknown_filter", base(handler=out_handler(filters=["nope"])),
           "§8.5 Unable to add filter")
    reject("reject_handler_rotating_maxbytes_string",
           base(handler={"class": "logging.handlers.RotatingFileHandler", "filename": "r.log",
                         "maxBytes": "100"}), "§8.5 no kwarg coercion")
    reject("reject_handler_strm_retry", base(handler={"class": "logging.FileHandler",
                                                      "filename": "x.log", "stream": "x"}),
           "§8.5 'stream' TypeError retried as strm, second error shown")
    case("handler_stream_plain_string", base(handler={"class": "logging.StreamHandler",
                                                      "stream": "stdout", "formatter": "f"}),
         [ev("a", "INFO", "each emit fails")],
         about="§8.5 no kwarg checks: a str stream is accepted, every emit fails (AttributeError)")
    reject("reject_handler_section_not_dict", dict(base(), handlers={"out": 5}),
           "§8.5 a handler config that is not an object")
    reject("reject_logger_unknown_handler", dict(base(), loggers={"a": {"handlers": ["nope"]}}),
           "§8.8 Unable to add handler")
    reject("reject_root_unknown_handler", dict(base(), root={"handlers": ["nope"]}),
           "§8.9 Unable to configure root logger")
    reject("reject_logger_unknown_filter", dict(base(), loggers={"a": {"filters": ["nope"]}}),
           "§8.8 Unable to add filter")
    reject("reject_logger_cfg_handler_name", dict(base(), loggers={
        "a": {"handlers": ["cfg://handlers.out"]}}), "§8.8/§9.5 name lists are not converted")
    reject("reject_logger_handlers_string_chars", dict(base(), loggers={"a": {"handlers": "out"}}),
           "§8.8 a string is iterated per character: Unable to add handler 'o'")
    case("handler_string_list_chars", {
        "version": 1, "formatters": {"f": {"format": "%(message)s"}},
        "handlers": {"a": out_handler(), "b": out_handler(formatter=None)},
        "loggers": {"x": {"handlers": "ab", "propagate": False}}},
        [ev("x", "WARNING", "both a and b")], about="§8.8 'ab' adds handlers 'a' and 'b'")
    case("handler_delay_string_truthy", base(handler={"class": "logging.FileHandler",
                                                      "filename": "d.log", "delay": "false",
                                                      "formatter": "f"}),
         [], about="§8.5 'delay':'false' is truthy: no file without records")
    case("handler_dot_terminator", base(handler=out_handler(**{".": {"terminator": " <EOL>\n"}})),
         [ev("a", "INFO", "one"), ev("a", "INFO", "two")], about="§8.12 '.' terminator")
    case("handler_dot_not_converted", base(handler=out_handler(**{
        ".": {"terminator": "ext://sys.stdout\n"}})), [ev("a", "INFO", "x")],
        about="§8.12 '.' values are not converted")
    case("handler_factory", base(handler={"()": "logging.StreamHandler",
                                          "stream": "ext://sys.stdout", "formatter": "f"}),
         [ev("a", "INFO", "via ()")], about="§8.12 handler built with ()")
    case("handler_factory_ext", base(handler={"()": "ext://logging.StreamHandler",
                                              "stream": "ext://sys.stdout", "formatter": "f"}),
         [ev("a", "INFO", "via () ext")], about="§8.12 () with ext://")
    case("handler_class_ext", base(handler={"class": "ext://logging.StreamHandler",
                                            "stream": "ext://sys.stdout", "formatter": "f"}),
         [ev("a", "INFO", "class via ext")], about="§8.5 class ext:// works for handlers")
    case("handler_level_zero_applied", base(handler=out_handler(level=0)), each_level("a"),
         about="§8.5 level 0 applied (not None)")
    case("handler_filters_name", dict(base(handler=out_handler(filters=["fa"])),
                                      filters={"fa": {"name": "a.b"}}),
         [ev(n, "INFO", n) for n in ("a.b", "a.b.c", "a", "a.bc", "a.", "a..b", "x")],
         about="§4.1 Filter('a.b')")
    case("handler_filters_dot_name", dict(base(handler=out_handler(filters=["fa"])),
                                          filters={"fa": {"name": "a."}}),
         [ev(n, "INFO", n) for n in ("a.", "a..b", "a", "a.b", "ab")],
         about="§4.1 Filter('a.')")
    case("handler_filters_prefix", dict(base(handler=out_handler(filters=["fa"])),
                                        filters={"fa": {"name": "a"}}),
         [ev(n, "INFO", n) for n in ("a", "a.bc", "a.", "a..b", "ab", "b.a.b")],
         about="§4.1 Filter('a')")
    case("handler_filters_empty_name", dict(base(handler=out_handler(filters=["fa", "fb"])),
                                            filters={"fa": {}, "fb": {"name": ""}}),
         [ev(n, "INFO", n) for n in ("a", "b.c")], about="§4.1 empty name passes all")
    case("handler_filter_other_keys", dict(base(handler=out_handler(filters=["fa"])),
                                           filters={"fa": {"name": "a", "junk": [1]}}),
         [ev(n, "INFO", n) for n in ("a", "b")], about="§4.4 other filter keys ignored")
    case("handler_filter_factory", dict(base(handler=out_handler(filters=["fa"])),
                                        filters={"fa": {"()": "logging.Filter", "name": "a"}}),
         [ev(n, "INFO", n) for n in ("a", "b")], about="§4.4 filter via ()")
    case("handler_filter_chain", dict(base(handler=out_handler(filters=["fa", "fb"])),
                                      filters={"fa": {"name": "a"}, "fb": {"name": "a.b"}}),
         [ev(n, "INFO", n) for n in ("a", "a.b", "a.b.c")], about="§4.2 first false wins")
    case("logger_filter_not_on_propagated", dict(
        base(), filters={"fa": {"name": "nomatch"}},
        loggers={"a": {"filters": ["fa"], "level": "DEBUG"}}),
        [ev("a", "INFO", "dropped by a's filter"), ev("a.b", "INFO", "child passes")],
        about="§4.3 logger filters apply only to its own records")
    reject("reject_filter_unknown_factory", dict(base(), filters={"fa": {"()": "nosuch.Filter"}}),
           "§4.4 filter factory does not resolve")
    case("handler_two_streams", {"version": 1,
                                 "formatters": {"o": {"format": "OUT %(message)s"},
                                                "e": {"format": "ERR %(message)s"}},
                                 "handlers": {"o": out_handler("o"),
                                              "e": out_handler("e", stream="ext://sys.stderr",
                                                               level="ERROR")},
                                 "root": {"handlers": ["o", "e"], "level": "DEBUG"}},
         each_level("svc"), about="§5.6 stdout and stderr handlers")
    reject("reject_handler_chain_abc", {
        "version": 1,
        "handlers": {"a": {"class": "logging.handlers.MemoryHandler", "capacity": 1,
                           "target": "b"},
                     "b": {"class": "logging.handlers.MemoryHandler", "capacity": 1,
                           "target": "c"},
                     "c": out_handler(formatter=None)},
        "root": {"handlers": ["a"]}},
        "§8.7 deferral retried once: chain a->b->c fails by name order (§9.8)")
    case("handler_chain_cba", {
        "version": 1,
        "handlers": {"c": {"class": "logging.handlers.MemoryHandler", "capacity": 1,
                           "target": "b"},
                     "b": {"class": "logging.handlers.MemoryHandler", "capacity": 1,
                           "target": "a"},
                     "a": out_handler(formatter=None)},
        "root": {"handlers": ["c"]}},
        [ev("x", "WARNING", "through c, b, a")], about="§8.7 chain c->b->a works")
    for n, h in (("socket_refused", {"class": "logging.handlers.SocketHandler",
                                     "host": "127.0.0.1", "port": 9}),
                 ("datagram", {"class": "logging.handlers.DatagramHandler",
                               "host": "127.0.0.1", "port": 9}),
                 ("syslog_udp_list_address", {"class": "logging.handlers.SysLogHandler",
                                              "address": ["127.0.0.1", 9]}),
                 ("buffering", {"class": "logging.handlers.BufferingHandler",
                                "capacity": 2})):
        case(f"handler_silent_{n}", {"version": 1, "handlers": {"h": h},
                                     "root": {"handlers": ["h"], "level": "DEBUG"}},
             each_level("net"),
             about="§7.5-7.10/§9.24 accepted; records vanish silently (connection refused, "
                   "UDP, or a buffer without a target); no lastResort")
    reject("reject_memory_unknown_target", {
        "version": 1, "handlers": {"m": {"class": "logging.handlers.MemoryHandler",
                                         "capacity": 1, "target": "nope"}}},
        "§8.6 Unable to set target handler (KeyError)")
    reject("reject_memory_bad_flushlevel", {
        "version": 1, "handlers": {"m": {"class": "logging.handlers.MemoryHandler",
                                         "capacity": 1, "flushLevel": "error"}}},
        "§8.6 flushLevel through _checkLevel (3.13)")
    reject("reject_memory_no_capacity", {
        "version": 1, "handlers": {"m": {"class": "logging.handlers.MemoryHandler"}}},
        "§8.5 MemoryHandler missing capacity")


# =============================================================================================
# §7.10-7.11 memory handlers
# =============================================================================================
def memory():
    def mem(**kw):
        return {"version": 1, "formatters": {"f": {"format": "M %(levelname)s %(message)s"}},
                "handlers": {"z_out": out_handler(), "a_mem": dict(
                    {"class": "logging.handlers.MemoryHandler", "target": "z_out"}, **kw)},
                "root": {"handlers": ["a_mem"], "level": "DEBUG"}}
    def mem(**kw):
        return {"version": 1, "formatters": {"f": {"format": "M %(levelname)s %(message)s"}},
                "handlers": {"z_out": out_handler(), "a_mem": dict(
                    {"class": "logging.handlers.MemoryHandler", "target": "z_out"}, **kw),
                    "direct": out_handler(formatter=None)},
                "loggers": {"direct": {"handlers": ["direct"], "propagate": False}},
                "root": {"handlers": ["a_mem"], "level": "DEBUG"}}
    # A direct line after each buffered record shows when the buffer is flushed.
    evs = []
    for i, lv in enumerate(["DEBUG", "INFO", "INFO", "WARNING", "DEBUG", "ERROR", "INFO",
                            "DEBUG"]):
        evs += [ev("m", lv, f"{i}"), ev("direct", "INFO", f"-- after {i}")]
    case("mem_capacity_3", mem(capacity=3), evs, about="§7.11 capacity flushes on 3rd record")
    case("mem_flushlevel_default_error", mem(capacity=100), evs,
         about="§7.11 default flushLevel ERROR; rest flushed at shutdown")
    case("mem_flushlevel_warning", mem(capacity=100, flushLevel="WARNING"), evs,
         about="§8.6 flushLevel by name")
    case("mem_flushlevel_int", mem(capacity=100, flushLevel=15), evs,
         about="§8.6 flushLevel int")
    case("mem_flush_on_close_false", mem(capacity=100, flushOnClose=False), evs,
         about="§7.11 flushOnClose false loses the buffer at shutdown")
    c = mem(capacity=2)
    c["handlers"]["z_out"]["level"] = "CRITICAL"
    case("mem_target_level_bypassed", c, evs, about="§7.11/§9.17 target level bypassed")
    c = mem(capacity=2)
    c["handlers"]["z_out"]["filters"] = ["only_keep"]
    c["filters"] = {"only_keep": {"name": "keep"}}
    case("mem_target_filters_apply", c,
         [ev("keep", "INFO", "k1"), ev("drop", "INFO", "d1"), ev("keep.x", "INFO", "k2"),
          ev("drop", "INFO", "d2")], about="§7.11 target filters apply")
    c = mem(capacity=2)
    c["handlers"]["a_mem"]["level"] = "INFO"
    c["handlers"]["a_mem"]["formatter"] = "f"
    case("mem_own_level", c, evs, about="§7.11 the MemoryHandler's own level filters input")
    c = {"version": 1, "handlers": {"m": {"class": "logging.handlers.MemoryHandler",
                                          "capacity": 2}},
         "root": {"handlers": ["m"], "level": "DEBUG"}}
    case("mem_no_target", c, evs, about="§7.11 no target: nothing written")
    c = {"version": 1, "formatters": {"f": {"format": "%(name)s %(message)s"}},
         "handlers": {"out": out_handler(),
                      "b_mem": {"class": "logging.handlers.MemoryHandler", "capacity": 50,
                                "target": "out"},
                      "a_mem": {"class": "logging.handlers.MemoryHandler", "capacity": 50,
                                "target": "out"}},
         "loggers": {"a": {"handlers": ["a_mem"]}, "b": {"handlers": ["b_mem"]}}}
    case("mem_shutdown_reverse_creation_order", c,
         [ev("a", "WARNING", "a1"), ev("b", "WARNING", "b1"), ev("a", "WARNING", "a2")],
         about="§8.3/§5.10 handlers built in sorted order; shutdown flushes in reverse creation "
               "order (b_mem first)")
    c = mem(capacity=100)
    case("mem_reconfigure_flushes", c,
         evs[:6] + [op_config(base(fmt="NEW %(message)s")), ev("m", "INFO", "after")],
         about="§8.3 a new configuration closes (flushes) old handlers")
    c = mem(capacity=2)
    c["handlers"]["a_mem"]["capacity"] = 0
    case("mem_capacity_zero", c, evs[:6], about="§7.10 capacity 0: every record flushes")


# =============================================================================================
# §8.8-8.10 loggers, root, disable_existing_loggers
# =============================================================================================
def loggers():
    old = dict(base(fmt="OLD %(name)s %(message)s"),
               loggers={"a": {"level": "DEBUG"}, "a.b": {"level": "DEBUG"}, "ax": {},
                        "keep": {"level": "INFO"}})
    new_base = base(fmt="NEW %(name)s %(message)s")

    def probe():
        return [ev(n, "ERROR", f"{n} after") for n in ("a", "a.b", "a.b.c", "ax", "keep", "zz")]

    pre = [ev(n, "ERROR", f"{n} before") for n in ("a", "a.b", "a.b.c", "ax", "keep", "zz")]
    case("del_default_true", old, pre + [op_config(dict(new_base, loggers={"a": {}}))] + probe(),
         about="§8.10 default: unmentioned existing loggers disabled; a.b child of a reset")
    case("del_false", old, pre + [op_config(dict(new_base, disable_existing_loggers=False))]
         + probe(), about="§8.10 false keeps existing loggers")
    case("del_string_false_truthy", old,
         pre + [op_config(dict(new_base, disable_existing_loggers="false"))] + probe(),
         about="§9.2 'false' is truthy: disables")
    case("del_zero_reenables", old,
         pre + [op_config(dict(new_base, loggers={"a": {}})),
                op_config(dict(new_base, disable_existing_loggers=0))] + probe(),
         about="§8.10/§9.12 a falsy value re-enables disabled loggers")
    case("del_child_reset_stays_disabled", old,
         pre + [op_config(dict(new_base, loggers={"keep": {}})),
                op_config(dict(new_base, loggers={"a": {"level": "DEBUG"}}))] + probe(),
         about="§9.12 a disabled child of a configured logger is reset but stays disabled")
    case("del_ax_not_child_of_a", old,
         pre + [op_config(dict(new_base, loggers={"a": {"level": "ERROR"}}))] + probe(),
         about="§8.10 ax is no child of a")
    case("del_children_handlers_cleared", dict(base(fmt="OLD %(name)s %(message)s"), loggers={
        "p": {"level": "DEBUG"}, "p.c": {"level": "DEBUG", "handlers": ["out"],
                                         "propagate": False}}),
         [ev("p.c", "INFO", "before")] +
         [op_config(dict(new_base, loggers={"p": {"level": "INFO"}}))] +
         [ev("p.c", "DEBUG", "reset level"), ev("p.c", "INFO", "propagates")],
         about="§8.10 child loggers: level NOTSET, handlers removed, propagate True")
    case("del_event_created_loggers", base(),
         [ev("made.by.event", "ERROR", "exists now"), ev("made", "ERROR", "parent too"),
          op_config(dict(new_base, loggers={"made": {}})),
          ev("made.by.event", "ERROR", "child of configured: still on"),
          ev("made", "ERROR", "configured")],
         about="§8.10 loggers created by logging calls count as existing")
    case("del_placeholder_only", base(),
         [ev("ph.x.y", "ERROR", "creates placeholders ph, ph.x"),
          op_config(dict(new_base, loggers={"ph.x": {}})),
          ev("ph.x.y", "ERROR", "child of ph.x"), ev("ph", "ERROR", "ph was a placeholder")],
         about="§8.10 placeholders are in the existing list")
    case("logger_absent_keys_keep", base(),
         [op_config(dict(base(), loggers={"k": {"level": "ERROR", "propagate": False,
                                                "handlers": ["out"]}})),
          ev("k", "WARNING", "below ERROR"),
          op_config(dict(base(), loggers={"k": {}})),
          ev("k", "WARNING", "level kept"), ev("k", "ERROR", "propagate kept false")],
         about="§8.8/§9.11 absent keys keep old values")
    fl = dict(base(), filters={"fa": {"name": "k"}, "fb": {"name": "k.sub"}})
    case("logger_filters_accumulate", fl,
         [op_config(dict(fl, loggers={"k": {"filters": ["fa"]}})), ev("k", "ERROR", "k passes fa"),
          op_config(dict(fl, loggers={"k": {"filters": ["fb"]}})),
          ev("k", "ERROR", "k fails old fb... both filters now")],
         about="§8.8/§9.11 logger filters accumulate across configurations")
    case("logger_handlers_replaced", dict(base(), loggers={"r": {"handlers": ["out"],
                                                                 "propagate": False}}),
         [ev("r", "ERROR", "once")] +
         [op_config(dict(base(fmt="2 %(message)s"), loggers={"r": {"handlers": ["out"],
                                                                   "propagate": False}}))] +
         [ev("r", "ERROR", "once, new handler")],
         about="§8.8 all handlers removed then listed ones added")
    case("logger_json_order", {"version": 1, "formatters": {"f": {"format": "%(name)s %(message)s"}},
                               "handlers": {"out": out_handler()},
                               "loggers": {"z": {"handlers": ["out"], "level": "DEBUG"},
                                           "a": {"handlers": ["out"], "level": "DEBUG"}}},
         [ev("z", "DEBUG", "z"), ev("a", "DEBUG", "a")], about="§8.3 loggers in JSON order")
    case("root_empty_skipped", base(),
         [ev("x", "INFO", "before"), op_config({"version": 1, "root": {},
                                                "disable_existing_loggers": False}),
          ev("x", "INFO", "root {} skipped: old closed handler still writes")],
         about="§8.9/§9.9 root {} is skipped; the closed StreamHandler keeps writing")
    case("root_level_only", base(), [op_config({"version": 1, "root": {"level": "ERROR"}}),
                                     ev("x", "WARNING", "w"), ev("x", "ERROR", "e")],
         about="§8.9 non-incremental root: handlers removed even when the key is absent")
    case("root_handlers_emptied", base(),
         [op_config(dict(base(), root={"handlers": []})), ev("x", "WARNING", "lastResort")],
         about="§8.9 root handlers [] removes them")


# =============================================================================================
# §8.11 incremental
# =============================================================================================
def incremental():
    start = dict(base(handler=out_handler(level="ERROR")), loggers={"a": {"level": "ERROR"}})
    case("inc_handler_level", start,
         [op_config({"version": 1, "incremental": True, "handlers": {"out": {"level": "INFO"}}}),
          ev("", "INFO", "root now reaches INFO handler")], about="§8.11 handler level")
    case("inc_handler_level_zero_ignored", start,
         [op_config({"version": 1, "incremental": True, "handlers": {"out": {"level": 0}}}),
          ev("", "INFO", "not shown: 0 ignored"), ev("", "ERROR", "shown")],
         about="§8.11/§9.3 incremental handler level 0 ignored")
    case("inc_handler_level_notset_applied", start,
         [op_config({"version": 1, "incremental": True,
                     "handlers": {"out": {"level": "NOTSET"}}}),
          ev("", "INFO", "shown: NOTSET applied")], about="§8.11 'NOTSET' applied")
    case("inc_logger_level_propagate", start,
         [op_config({"version": 1, "incremental": True,
                     "loggers": {"a": {"level": "DEBUG", "propagate": False,
                                       "handlers": ["ignored"]}}}),
          ev("a", "INFO", "a: propagate false, lastResort? no: INFO"),
          ev("a", "WARNING", "a lastResort")],
         about="§8.11 loggers: level, propagate; handlers ignored")
    case("inc_root_level", start,
         [op_config({"version": 1, "incremental": True, "root": {"level": "ERROR",
                                                                 "handlers": ["x"]}}),
          ev("", "WARNING", "below"), ev("", "ERROR", "shown")], about="§8.11 root level only")
    case("inc_formatters_ignored", start,
         [op_config({"version": 1, "incremental": True,
                     "formatters": {"f": {"format": "BAD %(nosuch)s"}},
                     "filters": {"x": {"name": "q"}}, "disable_existing_loggers": True}),
          ev("a", "ERROR", "formatter unchanged, a not disabled")],
         about="§8.11 formatters, filters, disable_existing_loggers ignored")
    case("inc_logger_reenabled", start,
         [op_config(base()), ev("a", "ERROR", "a disabled"),
          op_config({"version": 1, "incremental": True, "loggers": {"a": {}}}),
          ev("a", "ERROR", "a enabled again")], about="§8.11 disabled = False")
    case("inc_unknown_handler", start,
         [ev("", "ERROR", "before"),
          op_config({"version": 1, "incremental": True, "handlers": {"nope": {"level": 10}}}),
          ev("", "ERROR", "never read")], expect="error",
         about="§8.11 No handler found with name 'nope' (config op fails: event error)")
    reject("reject_incremental_first_unknown_handler",
           {"version": 1, "incremental": True, "handlers": {"nope": {"level": 10}}},
           "§8.11 unknown handler in an incremental first config")
    case("inc_first_config", {"version": 1, "incremental": True, "root": {"level": "DEBUG"}},
         [ev("x", "INFO", "nothing configured: no output"), ev("x", "WARNING", "lastResort")],
         about="§8.11 incremental first configuration")


# =============================================================================================
# §8.12-8.13 () . cfg:// ext://
# =============================================================================================
def conversion():
    c = dict(base(), levels={"main": "INFO", "list": ["DEBUG", "ERROR"]},
             formats={"nested": {"x y": "{x y} %(message)s", "7": "seven %(message)s"}})
    c["root"]["level"] = "cfg://levels.main"
    case("cfg_level", c, each_level("a"), about="§8.13 cfg://levels.main")
    c2 = json.loads(json.dumps(c))
    c2["root"]["level"] = "cfg://levels.list[1]"
    case("cfg_list_index", c2, each_level("a"), about="§8.13 digit index on a list")
    c3 = json.loads(json.dumps(c))
    c3["formatters"]["f"] = {"format": "cfg://formats.nested[x y]"}
    case("cfg_key_with_space", c3, [ev("a", "INFO", "m")], about="§8.13 3.13 [x y] key")
    c4 = json.loads(json.dumps(c))
    c4["formatters"]["f"] = {"format": "cfg://formats[nested][x y]"}
    case("cfg_bracket_chain", c4, [ev("a", "INFO", "m")], about="§8.13 [a][b]")
    c5 = json.loads(json.dumps(c))
    c5["root"]["level"] = "cfg://levels[main]"
    case("cfg_bracket_key", c5, each_level("a"), about="§8.13 [word] on a dict")
    for n, ref, about in (("missing", "cfg://nosuch", "KeyError"),
                          ("bang", "cfg://!", "Unable to convert '!'"),
                          ("bad_tail", "cfg://levels.main!", "Unable to convert at '!'"),
                          ("index_out_of_range", "cfg://levels.list[5]", "IndexError"),
                          ("spaced_index_on_list", "cfg://levels.list[ 0 ]",
                           "string key on a list"),
                          ("negative_index", "cfg://levels.list[-1]", "string key on a list"),
                          ("digit_key_on_dict", "cfg://formats.nested[7]",
                           "digit index on a dict looks up an int: KeyError 7")):
        cc = json.loads(json.dumps(c))
        cc["root"]["level"] = ref
        reject(f"reject_cfg_{n}", cc, "§8.13 " + about)
    c6 = json.loads(json.dumps(c))
    c6["handlers"]["out"] = "cfg://hdefs.one"
    c6["hdefs"] = {"one": out_handler()}
    case("cfg_handler_section", c6, [ev("a", "INFO", "handler from cfg")],
         about="§8.13 a handler config given as cfg://")
    c7 = json.loads(json.dumps(base()))
    c7["handlers"]["out"]["level"] = "cfg://root.level"
    case("cfg_root_relative", c7, each_level("a"), about="§8.13 rooted at the top level")
    c8 = base(fmt="http://x %(message)s CFG://y")
    case("cfg_other_prefixes_untouched", c8, [ev("a", "INFO", "m")],
         about="§8.13 http:// and CFG:// are left alone")
    c9 = base(handler=out_handler(), fmt="ext://sys.stdout")
    reject("reject_ext_format_string", c9,
           "§8.13 ext:// in a format string converts to sys.stdout (not a str)")
    reject("reject_ext_unknown", base(handler=out_handler(stream="ext://sys.nonexistent")),
           "§8.13 Cannot resolve 'sys.nonexistent'")
    reject("reject_ext_whitespace", base(handler=out_handler(stream="ext:// sys.stdout")),
           "§8.13 no whitespace strip")
    c10 = base()
    c10["handlers"]["out"]["stream"] = "cfg://streams.o"
    c10["streams"] = {"o": "ext://sys.stdout"}
    case("cfg_to_ext", c10, [ev("a", "INFO", "cfg -> ext")],
         about="§8.13 a cfg:// result is converted again (ext://)")
    c11 = base()
    c11["handlers"]["hold"] = out_handler()
    c11["handlers"]["out"]["formatter"] = "cfg://fname"
    c11["fname"] = "f"
    case("cfg_formatter_name", c11, [ev("a", "INFO", "formatter name via cfg")],
         about="§8.5 the formatter name is converted (popped through conversion)")
    c12 = {"version": 1, "handlers": {"out": {"()": "ext://logging.StreamHandler",
                                              "stream": "ext://sys.stdout"}},
           "root": {"handlers": ["out"]}}
    case("ext_factory_top", c12, [ev("", "WARNING", "ext factory")], about="§8.12 () ext://")


# =============================================================================================
# §2.4 extra and events
# =============================================================================================
def extras():
    c = base(fmt="%(message)s|%(user)s|%(n)s|%(f)s|%(b)s|%(z)s")
    case("extra_scalars", c, [ev("a", "INFO", "m", {"user": "ann", "n": 3, "f": 1.0, "b": False,
                                                     "z": None}),
                              ev("a", "INFO", "m", {"user": "caf\u00e9", "n": -7, "f": 0.1,
                                                    "b": True, "z": 1e20})],
         about="§2.4 extra values rendered by str()")
    c = base(fmt="%(message)s|%(n)05d|%(f).3f|%(f)r|%(user)r")
    case("extra_specs", c, [ev("a", "INFO", "m", {"user": "ann's", "n": 3, "f": 2.5}),
                            ev("a", "INFO", "m", {"user": "x\"y", "n": 12345678, "f": 1e-7})],
         about="§3.6 specs on extra values")
    c = base(fmt="{message}|{n:>5}|{f:.2e}|{user!r}", )
    c["formatters"]["f"]["style"] = "{"
    case("extra_brace", c, [ev("a", "INFO", "m", {"user": "u", "n": 3, "f": 1234.5})],
         about="§3.7 extra in {-style")
    case("extra_missing_field_error", base(fmt="%(message)s %(user)s"),
         [ev("a", "INFO", "has user", {"user": "x"}), ev("a", "INFO", "lacks user")],
         about="§3.5 a record without the field -> logging error")
    for key in ("msg", "message", "asctime", "levelname", "name"):
        case(f"extra_clash_{key}", base(),
             [ev("a", "INFO", "before"), ev("a", "INFO", "clash", {key: "x"}),
              ev("a", "INFO", "never")], expect="error",
             about="§2.4 extra key clashing with the record raises to the caller")
    case("extra_clash_disabled_level_ok", base(root_level="ERROR"),
         [ev("a", "INFO", "not enabled: no record, no clash", {"msg": "x"}),
          ev("a", "ERROR", "after")], about="§2.4 the clash check runs only for enabled levels")
    nested = {"ids": [1, 2, 3], "ctx": {"k": "v", "n": [True, None, 1.5]},
              "floats": [1e16, -0.0, 0.1, 1e-7, 2.5e300], "big": [9007199254740993, -2**63],
              "uni": {"cl\u00e9": ["\u0436", "\u2603 \U0001F600", "it's", "q\"q"]},
              "deep": [[[{"a": []}]], {}], "empty": []}
    c = base(fmt="%(message)s|%(ids)s|%(ctx)s|%(floats)s|%(big)s|%(uni)s|%(deep)s|%(empty)s")
    case("extra_structured_str", c, [ev("a", "INFO", "m", nested)],
         about="§2.4 list and dict extras rendered by str(), nested, unicode, floats")
    c = base(fmt="%(message)s|%(ctx)r|%(uni)a|%(ids)20s|%(ids)-12r|")
    case("extra_structured_percent", c, [ev("a", "INFO", "m", nested)],
         about="§3.6 r, a and width on list and dict extras")
    c = base(fmt="{message}|{ids!r}|{ctx[k]}|{ids[1]}|{ctx[n]}|{ctx[n][2]:.3f}|{uni!a}|{deep[0][0][0]}")
    c["formatters"]["f"]["style"] = "{"
    case("extra_structured_brace", c, [ev("a", "INFO", "m", nested)],
         about="§3.7 indexing into list and dict extras, conversions")
    c = base(fmt="$message|$ctx|${ids}")
    c["formatters"]["f"]["style"] = "$"
    case("extra_structured_dollar", c, [ev("a", "INFO", "m", nested)],
         about="§3.8 list and dict extras in $-style")
    for n, f, style in (("d", "%(message)s %(ids)d", "%"), ("spec", "{message} {ids:>9}", "{"),
                        ("index", "{message} {ids[x]}", "{"), ("range", "{message} {ids[9]}", "{"),
                        ("key", "{message} {ctx[zz]}", "{"), ("intkey", "{message} {ctx[0]}", "{")):
        c = base(formatter={"format": f, "style": style, "validate": style != "{"} if style != "{"
                 else {"format": f, "style": style})
        case(f"extra_structured_error_{n}", c,
             [ev("a", "INFO", "m", nested), ev("a", "INFO", "after", nested)],
             about="§3.5 the type errors Python raises for list and dict operands -> logging error")
    c = base(formatter={"format": "%(message)s|%(ctx)s|%(ids)s",
                        "defaults": {"ctx": {"d": [1, {"e": None}]}, "ids": []}})
    case("extra_structured_defaults", c, [ev("a", "INFO", "defaults"),
                                          ev("a", "INFO", "given", {"ids": [0]})],
         about="§3.9 formatter defaults may be lists and dicts")
    case("msg_literal_percent", base(), [ev("a", "INFO", "100% %s %(x)s {} {0}"),
                                         ev("a", "INFO", "tab\there\nnewline")],
         about="§2.3 no args: the message is used literally")
    case("msg_unicode", base(fmt="%(message)s|%(message)r|%(message)a"),
         [ev("a", "INFO", "caf\u00e9 \u2603 \U0001F600")], about="§3.6 r/a conversions")


def events_errors():
    good = base()
    lines = {
        "bad_json": '{"logger": "a", "level": "INFO", "msg": ',
        "not_object": '[1, 2]',
        "level_bool": '{"level": true, "msg": "x"}',
        "level_float": '{"level": 20.0, "msg": "x"}',
        "level_unknown": '{"level": "info", "msg": "x"}',
        "msg_missing": '{"level": "INFO"}',
        "msg_number": '{"level": "INFO", "msg": 5}',
        "logger_number": '{"logger": 5, "level": "INFO", "msg": "x"}',
        "extra_list": '{"level": "INFO", "msg": "x", "extra": [1]}',
        "unknown_key": '{"level": "INFO", "msg": "x", "lvl": 1}',
        "unknown_op": '{"op": "explode"}',
        "config_not_object": '{"op": "config", "config": 5}',
        "level_missing": '{"msg": "x"}',
    }
    for n, line in lines.items():
        case(f"event_error_{n}", good,
             [ev("a", "INFO", "first"), "", ev("a", "INFO", "second"), line,
              ev("a", "INFO", "never")], expect="error",
             about="a malformed event line is reported with its line number; earlier records "
                   "are written")
    case("event_config_rejected_midway", good,
         [ev("a", "INFO", "before"), op_config({"version": 2}), ev("a", "INFO", "never")],
         expect="error", about="a rejected {op: config}: error naming the line")
    case("event_root_names", good, [ev("", "INFO", "empty"), ev("root", "INFO", "root"),
                                    {"level": "INFO", "msg": "absent"}],
         about="logger absent/''/'root' is the root")


# =============================================================================================
# §5.7, §7.1-7.4 file handlers
# =============================================================================================
def files():
    def fh(cls="logging.FileHandler", **kw):
        return dict({"class": cls, "formatter": "f"}, **kw)
    case("file_mode_a", base(handler=fh(filename="a.log")), each_level("f"),
         about="§5.7 FileHandler default mode a")
    case("file_mode_w", base(handler=fh(filename="w.log", mode="w")), each_level("f"),
         about="§5.7 mode w")
    case("file_delay_no_records", base(handler=fh(filename="never.log", delay=True)), [],
         about="§5.7 delay: no file without records")
    case("file_delay_with_records", base(handler=fh(filename="late.log", delay=True)),
         each_level("f"), about="§5.7 delay: opened on first emit")
    case("file_subdir_normalised", base(handler=fh(filename="sub/../fa.log")), each_level("f"),
         about="§5.7 abspath normalises sub/..")
    reject("reject_file_missing_dir", base(handler=fh(filename="nodir/x.log")),
           "§5.7 opening a file in a missing directory fails at configuration")
    case("file_missing_dir_delay", base(handler=fh(filename="nodir/x.log", delay=True)),
         [ev("a", "INFO", "open fails at emit"), ev("a", "INFO", "never")], expect="error",
         about="§5.7 delay: the open in FileHandler.emit is outside the try: the "
               "FileNotFoundError reaches the logging call")
    case("file_encoding_ascii_error", base(handler=fh(filename="asc.log", encoding="ascii")),
         [ev("a", "INFO", "plain"), ev("a", "INFO", "caf\u00e9"), ev("a", "INFO", "after")],
         about="§5.7 unencodable record -> handleError, strict")
    case("file_encoding_ascii_replace", base(handler=fh(filename="asc.log", encoding="ascii",
                                                        errors="replace")),
         [ev("a", "INFO", "caf\u00e9 \u2603")], about="§5.7 errors=replace")
    case("file_encoding_ascii_backslash", base(handler=fh(filename="asc.log", encoding="ascii",
                                                          errors="backslashreplace")),
         [ev("a", "INFO", "caf\u00e9 \u2603")], about="§5.7 errors=backslashreplace")
    case("file_encoding_latin1", base(handler=fh(filename="l1.log", encoding="latin-1")),
         [ev("a", "INFO", "caf\u00e9")], about="§5.7 latin-1")
    case("file_encoding_utf8", base(handler=fh(filename="u8.log", encoding="utf-8")),
         [ev("a", "INFO", "caf\u00e9 \u2603 \U0001F600")], about="§5.7 utf-8")
    reject("reject_file_unknown_encoding", base(handler=fh(filename="x.log", encoding="klingon")),
           "§5.7 LookupError: unknown encoding")
    reject("reject_file_bad_mode", base(handler=fh(filename="x.log", mode="q")),
           "§5.7 invalid mode")
    case("file_closed_mode_a_reopens",
         dict(base(handler=fh(filename="a.log")), loggers={"old": {"handlers": ["out"],
                                                                   "propagate": False}}),
         [ev("old", "INFO", "first"),
          op_config(dict(base(), disable_existing_loggers=False)),
          ev("old", "INFO", "after close: reopens (mode a)")],
         about="§5.7/§9.9 a closed mode-a FileHandler left on a logger reopens")
    case("file_closed_mode_w_drops",
         dict(base(handler=fh(filename="w.log", mode="w")),
              loggers={"old": {"handlers": ["out"], "propagate": False}}),
         [ev("old", "INFO", "first"),
          op_config(dict(base(), disable_existing_loggers=False)),
          ev("old", "INFO", "after close: dropped (mode w)")],
         about="§5.7 a closed mode-w FileHandler drops records")
    case("file_two_handlers_same_file", {
        "version": 1, "formatters": {"a": {"format": "A %(message)s"},
                                     "b": {"format": "B %(message)s"}},
        "handlers": {"a": fh(filename="s.log", formatter="a"),
                     "b": fh(filename="s.log", formatter="b")},
        "root": {"handlers": ["a", "b"], "level": "INFO"}}, each_level("x"),
        about="§5.7 two handlers appending to one file")
    rot = "logging.handlers.RotatingFileHandler"
    case("rot_trace", base(fmt="%(message)s", handler=fh(rot, filename="r.log", maxBytes=10,
                                                        backupCount=2)),
         [ev("a", "INFO", m) for m in ("aaaa", "bbbb", "c", "d" * 20, "ee", "ffffff", "g")],
         about="§7.3 rotation trace (maxBytes 10, backupCount 2)")
    case("rot_backup_zero", base(fmt="%(message)s", handler=fh(rot, filename="r.log",
                                                              maxBytes=10)),
         [ev("a", "INFO", m) for m in ("aaaa", "bbbb", "cccc")],
         about="§7.3 backupCount 0 never truncates")
    case("rot_mode_w_forced_a", base(fmt="%(message)s", handler=fh(rot, filename="r.log",
                                                                  mode="w", maxBytes=100)),
         [ev("a", "INFO", "x")], about="§7.3 maxBytes>0 forces mode a")
    case("rot_no_maxbytes", base(fmt="%(message)s", handler=fh(rot, filename="r.log",
                                                              backupCount=3)),
         [ev("a", "INFO", "x" * 50) for _ in range(3)], about="§7.3 maxBytes 0 never rolls")
    case("rot_unicode_len", base(fmt="%(message)s", handler=fh(rot, filename="r.log",
                                                              maxBytes=12, backupCount=5,
                                                              encoding="utf-8")),
         [ev("a", "INFO", m) for m in ("\u00e9\u00e9\u00e9\u00e9", "\u00e9\u00e9\u00e9",
                                       "ab", "\u2603\u2603", "z")],
         about="§7.3 len counts code points, pos counts bytes")
    case("rot_delay", base(fmt="%(message)s", handler=fh(rot, filename="r.log", maxBytes=8,
                                                        backupCount=1, delay=True)),
         [ev("a", "INFO", m) for m in ("1234", "5678", "9")], about="§7.3 delayed open")
    case("watched_basic", base(handler=fh("logging.handlers.WatchedFileHandler",
                                          filename="wf.log")), each_level("w"),
         about="§7.1 WatchedFileHandler writes like FileHandler")
    case("watched_delay", base(handler=fh("logging.handlers.WatchedFileHandler",
                                          filename="wf.log", delay=True)), each_level("w"),
         about="§7.1 delay quirk (reopen on 2nd emit is invisible in content)")
    tr = "logging.handlers.TimedRotatingFileHandler"
    for when in ("S", "m", "H", "d", "midnight", "W0", "w6"):
        case(f"timed_when_{when}", base(fmt="%(message)s",
                                        handler=fh(tr, filename="t.log", when=when,
                                                   backupCount=2)),
             [ev("a", "INFO", "no rollover within the run")],
             about="§7.4 accepted when values (upper-cased)")
    for when in ("W7", "W", "X", "W10"):
        reject(f"reject_timed_when_{when}", base(handler=fh(tr, filename="t.log", when=when)),
               "§7.4 invalid when")
    reject("reject_timed_attime_string", base(handler=fh(tr, filename="t.log", when="midnight",
                                                         atTime="10:00")),
           "§7.4 atTime string fails for MIDNIGHT")


# =============================================================================================
# §7.13-7.14, §8.14 queue handlers
# =============================================================================================
def queues():
    def qcfg(qh=None, out_level=None, out_fmt="OUT<%(levelname)s> %(message)s", extra_h=None,
             root_level="DEBUG"):
        q = {"class": "logging.handlers.QueueHandler", "handlers": ["out"]}
        q.update(qh or {})
        c = {"version": 1,
             "formatters": {"o": {"format": out_fmt}, "q": {"format": "QH[%(levelname)s] %(message)s"}},
             "handlers": {"out": out_handler("o", level=out_level), "q": q},
             "root": {"handlers": ["q"], "level": root_level}}
        if extra_h:
            c["handlers"].update(extra_h)
        return c
    evs = each_level("qa")
    case("queue_basic", qcfg(), evs, about="§8.14 QueueHandler + listener, started by run")
    case("queue_double_format", qcfg({"formatter": "q"}), evs,
         about="§7.13 prepare formats with the QH formatter; targets format again")
    case("queue_target_level_ignored", qcfg(out_level="ERROR"), evs,
         about="§7.14/§9.16 target levels ignored by default")
    case("queue_respect_handler_level", qcfg({"respect_handler_level": True}, out_level="ERROR"),
         evs, about="§7.14 respect_handler_level")
    case("queue_respect_handler_level_truthy_string",
         qcfg({"respect_handler_level": "yes"}, out_level="ERROR"), evs,
         about="§8.14 respect_handler_level passed raw (truthy string)")
    case("queue_respect_false", qcfg({"respect_handler_level": False}, out_level="ERROR"), evs,
         about="§7.14 respect_handler_level false")
    case("queue_own_level_filters", dict(qcfg({"level": "WARNING", "filters": ["fq"]}),
                                         filters={"fq": {"name": "qa"}}),
         evs + each_level("qb"), about="§8.14 level/filters apply to the QueueHandler")
    case("queue_queue_string", qcfg({"queue": "queue.Queue"}), evs,
         about="§8.14 queue as a dotted class name")
    case("queue_queue_dict", qcfg({"queue": {"()": "queue.Queue", "maxsize": 100}}), evs,
         about="§8.14 queue as a dict with ()")
    case("queue_queue_simple", qcfg({"queue": "queue.SimpleQueue"}), evs,
         about="§8.14 queue.SimpleQueue by name")
    case("queue_listener_class", qcfg({"listener": "logging.handlers.QueueListener"}), evs,
         about="§8.14 listener as a class name")
    case("queue_two_targets", qcfg({"handlers": ["out", "err"]}, extra_h={
        "err": out_handler("o", stream="ext://sys.stderr")}), evs,
        about="§7.14 listener feeds every target in order")
    case("queue_no_handlers", qcfg({"handlers": []}), evs,
         about="§8.14 handlers optional: records vanish")
    case("queue_handlers_absent", {"version": 1, "handlers": {"q": {
        "class": "logging.handlers.QueueHandler"}}, "root": {"handlers": ["q"]}}, evs,
        about="§8.14 no handlers key (3.13)")
    case("queue_deferred", {"version": 1, "formatters": {"o": {"format": "D %(message)s"}},
                            "handlers": {"a_q": {"class": "logging.handlers.QueueHandler",
                                                 "handlers": ["z_out"]},
                                         "z_out": out_handler("o")},
                            "root": {"handlers": ["a_q"], "level": "INFO"}}, evs,
         about="§8.7/§8.14 QueueHandler deferred until its target is built")
    case("queue_to_file", dict(qcfg({"handlers": ["file"]}), ), evs, about="")
    CASES.pop("queue_to_file")
    fc = qcfg({"handlers": ["file"]}, extra_h={"file": {"class": "logging.FileHandler",
                                                        "filename": "q.log", "formatter": "o"}})
    fc["root"]["handlers"] = ["q", "out"]
    fc["handlers"]["out"]["formatter"] = None
    case("queue_file_and_direct_stdout", fc, evs,
         about="§8.14 queued records to a file, direct ones to stdout (no ordering race)")
    case("queue_extra_and_defaults", qcfg({"formatter": "q"}, out_fmt="%(message)s %(user)s"),
         [ev("qa", "INFO", "m", {"user": "ann"})],
         about="§7.13 the prepared copy keeps extra attributes")
    case("queue_structured_extras", qcfg(out_fmt="%(message)s %(ids)s %(ctx)r"),
         [ev("qa", "INFO", "m", {"ids": [1, [2, 3]], "ctx": {"k": {"n": None}}})],
         about="§7.13 list and dict extras cross the queue and render on the listener")
    case("queue_drain_then_direct", dict(qcfg(), loggers={"direct": {
        "handlers": ["out"], "propagate": False}}),
        evs + [{"op": "drain"}] + each_level("direct"),
        about="drain op: queued records reach stdout before direct ones")
    case("queue_reconfigure", qcfg(),
         evs + [{"op": "drain"}, op_config(qcfg({"formatter": "q"}))] + each_level("qz"),
         about="§8.3 a new configuration with a new QueueHandler; new listener started")
    case("queue_memory_target", {
        "version": 1, "formatters": {"o": {"format": "%(levelname)s %(message)s"}},
        "handlers": {"q": {"class": "logging.handlers.QueueHandler", "handlers": ["mem"]},
                     "mem": {"class": "logging.handlers.MemoryHandler", "capacity": 3,
                             "target": "out"},
                     "out": out_handler("o")},
        "root": {"handlers": ["q"], "level": "DEBUG"}}, evs,
        about="§8.7 QueueHandler -> MemoryHandler -> stream (double deferral)")
    case("queue_emit_error_in_target", qcfg(out_fmt="%(message)s %(nosuch)s"), evs[:2],
         about="§5.5 a target's error in the listener thread -> logging error block")
    for n, q in (("int", 5), ("null", None), ("list", [1]), ("dict_no_factory", {"maxsize": 5}),
                 ("not_callable", "sys.maxsize"), ("empty", ""), ("ext_stream_obj",
                                                                  "ext://sys.stdout"),
                 ("unknown_module", "nosuch.Queue")):
        reject(f"reject_queue_{n}", qcfg({"queue": q}), "§8.14 Invalid queue specifier")
    for n, lsp in (("handler_class", "logging.StreamHandler"),
                   ("dict_result_not_callable", {"()": "logging.handlers.QueueListener"}),
                   ("int", 3), ("dict_no_factory", {"x": 1}), ("list", ["a"])):
        reject(f"reject_listener_{n}", qcfg({"listener": lsp}), "§8.14 Invalid listener specifier")
    reject("reject_queue_dict_factory_ext", qcfg({"queue": {"()": "ext://queue.Queue"}}),
           "§8.13/§9.6 QueueHandler queue dict contents are not converted: () ext:// fails")
    reject("reject_listener_dict_factory_ext",
           qcfg({"listener": {"()": "ext://logging.handlers.QueueListener"}}),
           "§8.13/§9.6 listener dict contents are not converted")
    reject("reject_queue_unknown_handler", qcfg({"handlers": ["nope"]}),
           "§8.14 KeyError for an unknown required handler")
    reject("reject_queue_cfg_handler", qcfg({"handlers": ["cfg://handlers.out"]}),
           "§8.14 cfg:// in handlers fails")
    reject("reject_queue_unknown_kw", qcfg({"foo": 1}),
           "§8.14 QueueHandler.__init__() got an unexpected keyword argument 'foo'")
    reject("reject_queue_chain_by_name_order", {
        "version": 1,
        "handlers": {"a": {"class": "logging.handlers.QueueHandler", "handlers": ["b"]},
                     "b": {"class": "logging.handlers.QueueHandler", "handlers": ["c"]},
                     "c": out_handler(formatter=None)}},
        "§8.7 QueueHandler chains fail like MemoryHandler chains")
    case("queue_handlers_string_chars", {
        "version": 1, "formatters": {"o": {"format": "%(message)s"}},
        "handlers": {"q": {"class": "logging.handlers.QueueHandler", "handlers": "o"},
                     "o": out_handler("o")},
        "root": {"handlers": ["q"]}}, [ev("", "WARNING", "via 'o' iterated")],
        about="§8.14 a string handlers value is iterated per character")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases")
    for section in (cpython_tests, entry, formatters, levels, hierarchy, handlers, memory,
                    loggers, incremental, conversion, extras, events_errors, files, queues):
        section()
    served_cases.add_all(case, ev, base)
    json_cases.add_all(case, ev, base)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for name, (config, events, meta) in sorted(CASES.items()):
        d = os.path.join(out, name)
        os.makedirs(d)
        with open(os.path.join(d, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(d, "events.jsonl"), "w", encoding="utf-8") as f:
            for e in events:
                f.write((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n")
        with open(os.path.join(d, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
            f.write("\n")
    kinds = {}
    for _, _, meta in CASES.values():
        kinds[meta["expect"]] = kinds.get(meta["expect"], 0) + 1
    print(f"{len(CASES)} cases in {out}: {kinds}")


if __name__ == "__main__":
    main()
