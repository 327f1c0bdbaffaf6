"""Compat cases for python-json-logger's JsonFormatter (4.x semantics) and context events.

CPython's side is pjl_oracle.py: Debian's python-json-logger 2.0.1 brought to 4.x; its
docstring numbers the differences, cited here as "pjl (n)". make_cases.py calls add_all.
Note how dictConfig builds a formatter: with `()` every key is a constructor argument
(`format` is retried as `fmt`); with `class` only format, datefmt, style, validate and
defaults reach it and every other key is ignored.
"""

JSON = "pythonjsonlogger.json.JsonFormatter"
JSONLOGGER = "pythonjsonlogger.jsonlogger.JsonFormatter"
DICTLOG = "dictlog.JsonFormatter"
FMT = "%(levelname)s %(name)s %(message)s"

NESTED = {"ids": [1, [2, 3], []], "ctx": {"k": "v", "n": [True, None, 1.5], "e": {}},
          "deep": [[[{"a": []}]], {}]}
UNICODE = {"latin": "caf\u00e9", "cjk": "\u6f22\u5b57", "astral": "\U0001F600 \U00010348",
           "controls": "nul\u0000 soh\u0001 tab\t nl\n cr\r us\u001f del\u007f",
           "escapes": "q\"q b\\s sl/ \u2028\u2029", "cl\u00e9": ["\u0436", "\u2603"]}
NUMBERS = {"ints": [0, -5, 9007199254740993, -2**63, 2**63 - 1],
           "floats": [1e16, 0.1, -0.0, 1.5, 1e-7, 2.5e300, 100.0],
           "bools": [True, False], "none": None}


def jf(name=JSON, **kw):
    """A JsonFormatter built with `()` (keyword arguments)."""
    return dict({"()": name}, **kw)


def add_all(case, ev, base):
    def fcase(name, formatter, events, about, expect="ok"):
        case(name, base(formatter=formatter), events, expect=expect, about=about)

    def reject(name, formatter, about):
        fcase(name, formatter, [ev("", "ERROR", "must not appear")], about, expect="reject")

    basic = [ev("app", "INFO", "started"),
             ev("app.db", "WARNING", "slow query", {"ms": 12, "sql": "select 1"}),
             ev("", "ERROR", "caf\u00e9 \U0001F600 \"quoted\" back\\slash")]

    # --- the three names, by () and by class -------------------------------------------------
    for tag, name in (("json", JSON), ("jsonlogger", JSONLOGGER), ("dictlog", DICTLOG)):
        fcase(f"json_ctor_{tag}", jf(name, fmt=FMT), basic,
              f"pjl (2) {name} by `()`: fmt fields in order, then extras; ASCII-escaped JSON")
        fcase(f"json_class_{tag}", {"class": name, "format": FMT}, basic,
              f"pjl (2) {name} by `class`: dictConfig passes format/datefmt/style positionally")
    fcase("json_ctor_format_key", jf(format=FMT), basic,
          "dictConfig retries a `()` formatter's `format` as `fmt` after the TypeError")
    fcase("json_ctor_no_fmt", jf(), basic,
          "pjl (2) no fmt: `%` style's default format, so only message and the extras")
    fcase("json_class_ignores_json_keys",
          {"class": JSON, "format": FMT, "prefix": "P ", "rename_fields": {"name": "logger"},
           "static_fields": {"s": 1}, "timestamp": True, "json_indent": 2, "nosuch": 1},
          basic[:2], "with `class`, dictConfig passes only format/datefmt/style/validate/"
          "defaults: prefix, rename_fields, static_fields, timestamp, json_indent and unknown "
          "keys are ignored")
    fcase("json_class_fmt_key_ignored", {"class": JSON, "fmt": "%(levelname)s %(message)s"},
          basic[:2], "with `class` the key is `format`: `fmt` is ignored (default format)")
    fcase("json_class_defaults_style",
          {"class": DICTLOG, "format": "{levelname} {message}", "style": "{", "validate": True,
           "defaults": {"env": "prod"}}, basic[:2],
          "pjl (2)(4) `class` passes style, validate and defaults: defaults come first")

    # --- a typical application configuration -----------------------------------------------
    example = {"version": 1, "disable_existing_loggers": False,
               "formatters": {"json": {
                   "()": JSON, "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                   "datefmt": "%Y-%m-%dT%H:%M:%S",
                   "rename_fields": {"levelname": "level", "asctime": "time"},
                   "static_fields": {"service": "checkout", "version": 3},
                   "timestamp": "ts"}},
               "handlers": {"console": {"class": "logging.StreamHandler",
                                        "stream": "ext://sys.stdout", "formatter": "json"}},
               "loggers": {"app": {"level": "DEBUG", "handlers": ["console"],
                                   "propagate": False}},
               "root": {"level": "WARNING"}}
    case("json_example_config", example,
         [ev("app", "DEBUG", "cart loaded", {"items": 3, "user": {"id": 7, "tier": "gold"}}),
          ev("app.db", "INFO", "order placed", {"order": "A-17", "total": 19.99}),
          ev("other", "INFO", "below root level: not shown"),
          ev("other", "ERROR", "root has no handler: lastResort")],
         about="pjl (4) a typical JSON logging setup: renamed asctime/levelname, static "
               "fields, a timestamp key, nested extras")

    # --- field order and the keys -----------------------------------------------------------
    fcase("json_field_order",
          jf(fmt="%(levelname)s %(message)s", defaults={"env": "prod", "service": "d"},
             static_fields={"team": "core", "service": "s"}, timestamp=True),
          [ev("app", "INFO", "order", {"req": 1, "env": "extra-env", "team": "extra-team"}),
           ev("app", "INFO", "no extras")],
          "pjl (4) defaults, fmt fields, static_fields, extras, timestamp; a later value for "
          "an earlier key keeps the earlier position")
    fcase("json_defaults_field_in_fmt",
          jf(fmt="%(service)s %(message)s", defaults={"service": "dflt", "region": "eu"}),
          [ev("app", "INFO", "no service"), ev("app", "INFO", "service", {"service": "api"})],
          "pjl (4)(5) defaults are output keys, not record defaults: a fmt field absent from "
          "the record is null even when defaults has it")
    fcase("json_fmt_field_from_extra",
          jf(fmt="%(user)s %(message)s"),
          [ev("app", "INFO", "with user", {"extra1": 1, "user": "ann"})],
          "pjl (4) an extra named in fmt is output at the fmt position, not again as extra")
    fcase("json_missing_fields_null",
          jf(fmt="%(nosuch)s %(exc_info)s %(stack_info)s %(message)s %(user)s"),
          [ev("app", "INFO", "no user"), ev("app", "INFO", "user", {"user": "bob"})],
          "pjl (4) fmt fields missing from the record (and exc_info/stack_info None) are null")
    fcase("json_rename_every_key",
          jf(fmt="%(levelname)s %(message)s", defaults={"env": "prod"},
             static_fields={"svc": "api"}, timestamp="ts",
             rename_fields={"levelname": "level", "message": "msg", "env": "@env",
                            "svc": "service", "user": "usr", "ts": "@timestamp"}),
          [ev("app", "INFO", "renamed", {"user": "ann", "other": 1})],
          "pjl (4) rename_fields applies to defaults, fmt fields, static fields, extras and "
          "the timestamp key, each at its own position")
    rename = {"levelname": "level", "exc_info": "error", "nosuch": "gone"}
    fcase("json_rename_missing_dropped", jf(fmt="%(levelname)s %(message)s",
                                             rename_fields=rename),
          basic[:2], "pjl (4) rename targets absent from the output are left out")
    fcase("json_rename_keep_missing", jf(fmt="%(levelname)s %(message)s", rename_fields=rename,
                                          rename_fields_keep_missing=True, timestamp=True),
          basic[:2], "pjl (4) rename_fields_keep_missing appends absent targets as null, "
          "after the timestamp")
    fcase("json_static_fields",
          jf(fmt="%(message)s", static_fields={"app": "shop", "n": 2, "tags": ["a", "b"],
                                                "cfg": {"x": None, "y": [1.5, False]},
                                                "u": "\u00e9\U0001F600", "message": "static"}),
          basic[:1], "pjl (4)(5) static_fields of every JSON type, after fmt fields; a static "
          "`message` replaces the message at its position")
    fcase("json_reserved_attrs_custom",
          jf(fmt="%(message)s", reserved_attrs=["pathname", "filename", "module", "lineno",
                                                "funcName"]),
          [ev("app", "INFO", "record attrs", {"user": "ann"})],
          "pjl (4) reserved_attrs replaces the list: every other record attribute is output "
          "in LogRecord order (args [], exc_info/exc_text/stack_info null, taskName null), "
          "then the extras")
    fcase("json_reserved_attrs_message_last",
          jf(fmt="%(name)s", reserved_attrs=["args", "asctime", "created", "exc_info",
                                             "exc_text", "filename", "funcName", "levelname",
                                             "levelno", "lineno", "module", "msecs", "msg",
                                             "pathname", "process", "processName",
                                             "relativeCreated", "stack_info", "thread",
                                             "threadName", "taskName"]),
          [ev("app", "INFO", "message after extras", {"a": 1, "b": 2})],
          "pjl (4) `message` not reserved and not in fmt: an attribute set by format(), so "
          "after the extras")
    fcase("json_task_name_reserved", jf(fmt="%(message)s"), basic[:1],
          "pjl (1) taskName is reserved: no `taskName: null` on 3.12+ records")
    fcase("json_private_extras_skipped", jf(fmt="%(message)s"),
          [ev("app", "INFO", "private", {"_secret": 1, "__dunder": 2, "ok": 3, "a_b": 4})],
          "pjl (4) extras whose name starts with `_` are never output")
    fcase("json_volatile_fields",
          jf(fmt="%(created)f %(msecs)d %(relativeCreated)d %(process)d %(thread)d "
                 "%(processName)s %(threadName)s %(levelno)s %(message)s"),
          [ev("app", "INFO", "ids and times")],
          "pjl (4) raw record values: floats for created/msecs/relativeCreated, ints for "
          "process/thread/levelno (digits normalised by compare.py)")

    # --- values ----------------------------------------------------------------------------
    values = [ev("app", "INFO", "numbers", NUMBERS), ev("app", "INFO", "nested", NESTED),
              ev("app", "INFO", "unicode \u00e9 \U0001F600", UNICODE)]
    fcase("json_extras_types", jf(fmt="%(message)s"), values,
          "pjl (6) json.dumps of every JSON type: ints, floats (1e+16, 0.1, -0.0, 1e-07), "
          "bools, null, nesting, \\u escapes for non-ASCII (surrogate pairs) and controls")
    fcase("json_ensure_ascii_false", jf(fmt="%(message)s", json_ensure_ascii=False), values,
          "pjl (6) json_ensure_ascii false: UTF-8 as is, only controls, quote and "
          "backslash escaped")
    for tag, indent in (("2", 2), ("tab", "\t"), ("0", 0)):
        fcase(f"json_indent_{tag}", jf(fmt="%(levelname)s %(message)s", json_indent=indent),
              [ev("app", "INFO", "nested", NESTED), ev("app", "INFO", "flat")],
              f"pjl (6) json_indent {indent!r}: json.dumps layout (',' and ': ' separators, "
              "empty [] and {} inline)")
    fcase("json_prefix", jf(fmt="%(message)s", prefix="@cee: "), basic[:2],
          "pjl (7) prefix before the JSON text")

    # --- styles, validate ------------------------------------------------------------------
    fcase("json_style_percent_flags", jf(fmt="%(levelname)-8s %(name)10s %(message)r"), basic,
          "pjl (3) `%(name)` with flags, width and conversion: the field is the name")
    fcase("json_style_brace", jf(fmt="{levelname} {name} {message}", style="{"), basic,
          "pjl (3) `{` style fields")
    fcase("json_style_brace_spec", jf(fmt="{levelname:<8} {message!r} {name}", style="{"),
          basic[:2], "pjl (3) `{` style: the key is everything between the braces, spec "
          "included, so `levelname:<8` is a missing field (null)")
    fcase("json_style_dollar", jf(fmt="$levelname ${name} $$ $message", style="$"), basic,
          "pjl (3) `$` style: $name and ${name}; $$ is no field")
    fcase("json_style_comma", jf(fmt="levelname, name ,message,,", style=","), basic,
          "pjl (2)(3) `,` style: comma-separated names, stripped, empty ones dropped")
    fcase("json_style_comma_no_fmt", jf(style=","), basic[:2],
          "pjl (3) `,` style without fmt: no fields at all, only the extras")
    fcase("json_fmt_list", jf(fmt=["levelname", "message", "nosuch"], style="{",
                              validate=True), basic[:2],
          "pjl (2) fmt as a list of field names; style and validate are ignored")
    fcase("json_validate_false", jf(fmt="%(message", validate=False), basic[:2],
          "pjl (2)(3) validate false: an invalid `%` format is kept; it names no field")
    fcase("json_asctime_datefmt", jf(fmt="%(asctime)s %(message)s",
                                     datefmt="%Y-%m-%dT%H:%M:%S"), basic[:2],
          "pjl (4) asctime formatted with datefmt when fmt names it")
    fcase("json_asctime_default", jf(fmt="%(asctime)s %(message)s"), basic[:1],
          "pjl (4) asctime with the default time format (msecs after a comma)")
    fcase("json_timestamp_true", jf(fmt="%(message)s", timestamp=True), basic[:2],
          "pjl (4) timestamp true: key `timestamp`, UTC isoformat, last")
    fcase("json_timestamp_key", jf(fmt="%(message)s", timestamp="ts"), basic[:2],
          "pjl (4) timestamp as a string: that key")
    fcase("json_exc_stack_as_array",
          jf(fmt="%(levelname)s %(message)s", exc_info_as_array=True, stack_info_as_array=True,
             rename_fields={"exc_info": "error"}, rename_fields_keep_missing=True),
          basic[:2], "pjl (5) exc_info_as_array/stack_info_as_array accepted; no exception "
          "on these records, so the renamed exc_info is only the kept-missing null")

    # --- handlers --------------------------------------------------------------------------
    case("json_file_handler", {
        "version": 1, "formatters": {"j": jf(fmt="%(levelname)s %(message)s",
                                             json_ensure_ascii=False)},
        "handlers": {"file": {"class": "logging.FileHandler", "filename": "app.jsonl",
                              "encoding": "utf-8", "formatter": "j"}},
        "root": {"level": "DEBUG", "handlers": ["file"]}}, values,
        about="pjl (6) JSON lines into a FileHandler's file")
    case("json_via_queue", {
        "version": 1, "formatters": {"j": jf(DICTLOG, fmt="%(levelname)s %(message)s")},
        "handlers": {"q": {"class": "logging.handlers.QueueHandler", "handlers": ["out"]},
                     "out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                             "formatter": "j"}},
        "root": {"level": "DEBUG", "handlers": ["q"]}},
        [ev("app", "INFO", "queued", {"ids": [1, 2], "ctx": {"k": "v"}}),
         {"logger": "app", "level": "WARNING", "msg": "queued context",
          "context": {"req": "r1"}}],
        about="§7.13 the listener's handler formats the prepared record as JSON; extras and "
              "context cross the queue")

    # --- context events --------------------------------------------------------------------
    def cev(msg, context=None, extra=None, logger="app", level="INFO"):
        e = {"logger": logger, "level": level, "msg": msg}
        if context is not None:
            e["context"] = context
        if extra is not None:
            e["extra"] = extra
        return e

    ctx_events = [cev("context only", {"req": "r1", "user": "ann"}),
                  cev("context and extra", {"req": "r2", "user": "ann", "_hidden": 1},
                      {"n": 1, "user": "bob"}),
                  cev("extra only: context is per event", extra={"n": 2}),
                  cev("structured context", {"ids": [1, {"a": None}], "ok": True})]
    fcase("json_context", jf(fmt="%(levelname)s %(message)s"), ctx_events,
          "context event: context keys as extras first, then extra keys; an extra key equal "
          "to a context key replaces the value in the context key's place")
    fcase("context_plain_formatter", {"format": "%(message)s req=%(req)s user=%(user)s"},
          [cev("both", {"req": "r1", "user": "ann"}),
           cev("extra wins", {"req": "r2", "user": "ann"}, {"user": "bob"})],
          "context event: context values are record attributes for %-formats (§2.4)")
    fcase("json_context_clash", jf(fmt="%(message)s"),
          [cev("before"), cev("clash", {"message": "x"}), cev("never")],
          "context event: a context key clashing with the record is the extra KeyError (§2.4)",
          expect="error")

    # --- rejections ------------------------------------------------------------------------
    reject("json_reject_unknown_key", jf(fmt=FMT, nosuch=1),
           "pjl (2) `()`: an unknown key is an unexpected keyword argument")
    reject("json_reject_bad_style", jf(fmt=FMT, style="?"),
           "pjl (2) style not one of % { $ , -> ValueError")
    reject("json_reject_class_bad_style", {"class": JSONLOGGER, "format": FMT, "style": "?"},
           "pjl (2) `class` passes style: not one of % { $ , -> ValueError")
    reject("json_reject_unknown_style_no_validate", jf(fmt=FMT, style="x", validate=False),
           "pjl (3) with validate false an unknown style is kept, and parse() refuses it")
    reject("json_reject_rename_fields_list", jf(fmt=FMT, rename_fields=["levelname"]),
           "pjl (5) rename_fields must be a mapping (list -> TypeError)")
    reject("json_reject_rename_fields_string", jf(fmt=FMT, rename_fields="levelname"),
           "pjl (5) rename_fields must be a mapping (string -> TypeError)")
    reject("json_reject_static_fields_number", jf(fmt=FMT, static_fields=5),
           "pjl (5) static_fields must be a mapping (number -> TypeError)")
    reject("json_reject_reserved_attrs_number", jf(fmt=FMT, reserved_attrs=3),
           "pjl (4) reserved_attrs must be iterable")
    reject("json_reject_percent_invalid", jf(fmt="{message}"),
           "pjl (2) `%` style validated: no %(name) field -> ValueError")
    reject("json_reject_brace_no_fields", jf(fmt="plain", style="{"),
           "pjl (2) `{` style validated: invalid format: no fields")
    reject("json_reject_dollar_no_fields", jf(fmt="plain", style="$"),
           "pjl (2) `$` style validated: invalid format: no fields")
    reject("json_reject_fmt_number", jf(fmt=5),
           "pjl (2) fmt neither a string nor a list: construction fails")
    reject("json_reject_unknown_class", jf("pythonjsonlogger.json.NoSuchFormatter", fmt=FMT),
           "only JsonFormatter is registered under pythonjsonlogger.json")
