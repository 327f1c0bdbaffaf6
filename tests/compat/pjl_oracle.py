"""python-json-logger 4.x's JsonFormatter for the compat oracle, built on Debian's 2.0.1.

The only python-json-logger on the machine (and in CI) is Debian's python3-pythonjsonlogger
2.0.1. Its jsonlogger.py is pure Python and is loaded here by file path, so dist-packages is
never put on CPython 3.13's sys.path. JsonFormatter below subclasses 2.0.1's and brings it to
the 4.x behaviour that dictlog follows (python-json-logger 4.x: core.py, json.py,
defaults.py). What 4.x does differently, and this module therefore redefines:

1. RESERVED_ATTRS also holds `taskName` (records have it since 3.12): 2.0.1 would print
   `"taskName": null` on every record as an extra.
2. The constructor is 4.x's: `fmt, datefmt, style, validate` positional, every other
   setting keyword-only; logging.Formatter.__init__ is not called. `style` `%`, `{`, `$`
   builds logging's own style object (fmt None gives its default format) and runs its
   validate() when `validate` is true; `,` (or any style with `validate` false) keeps the
   string; anything else is `ValueError("Style must be one of: '%{$,'")`. A list `fmt` is
   the list of field names (style and validate ignored). Any other `fmt` leaves no field
   list, so construction fails with AttributeError, as in 4.x.
3. parse() reads the fields per style: `%(name)`; `{...}` (everything between the braces,
   format spec and conversion included: `{levelname:<8}` names the field `levelname:<8`);
   `$name` / `${name}` with `$$` skipped; `,` splits on commas, strips, drops empty items;
   fmt None with `,` gives no fields; a style left as an unknown string (validate false) is
   `ValueError("Style 'x' is not supported")` at construction. 2.0.1 read `(name)` in every
   style.
4. add_fields() in 4.x order: `defaults`, then the fmt fields (missing from the record:
   null), then `static_fields`, then exc_info/stack_info, then the record's extras (not
   reserved, not fmt fields, not starting with `_`), then the timestamp (`true`: key
   `timestamp`, a string: that key; an aware UTC datetime). A later key that is already
   present replaces the value and keeps the first position (dict semantics). rename_fields
   applies to every one of those keys (2.0.1: fmt fields only); with
   rename_fields_keep_missing, every rename target still absent is appended as null (4.x
   otherwise leaves absent fields out).
5. `defaults` (accepted but unused by 2.0.1's logging.Formatter path), `static_fields`,
   `rename_fields_keep_missing`, `exc_info_as_array`, `stack_info_as_array` (formatException
   / formatStack split into lines) exist. rename_fields and static_fields are copied key by
   key at construction, so a value that is no mapping fails there (TypeError), as in 4.x.
6. The default encoder is 4.x's JsonEncoder: datetime/date/time isoformat(), exceptions as
   `Name: text`, tracebacks, enums by value, bytes as url-safe base64, dataclasses as dicts,
   classes by name, anything else str(). json_default/json_encoder/json_serializer are
   taken as given (4.x does not import dotted strings as 2.0.1 does).
7. serialize_log_record() is `prefix + json` (2.0.1 used `%s%s`, so a non-string prefix
   printed instead of failing).

What stays 2.0.1's because 4.x is the same: format() (message, asctime only when a field
is named asctime, exc_info/stack_info), jsonify_log_record() (json_serializer with default,
cls, indent, ensure_ascii). Not modelled: a dict `msg` (4.2 copies it and sets message to
""); events always carry a string msg.
"""
import base64
import dataclasses
import datetime
import enum
import importlib.util
import json as _json
import logging
import os
import re
import types

DEBIAN_JSONLOGGER = "/usr/lib/python3/dist-packages/pythonjsonlogger/jsonlogger.py"
MODULE_NAMES = ("pythonjsonlogger", "pythonjsonlogger.json", "pythonjsonlogger.jsonlogger")


class Missing(RuntimeError):
    """A configuration names python-json-logger, and Debian's 2.0.1 is not installed."""


def _load_v2(path):
    spec = importlib.util.spec_from_file_location("_dictlog_compat_pjl201", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_v2 = _load_v2(DEBIAN_JSONLOGGER) if os.path.exists(DEBIAN_JSONLOGGER) else None

RESERVED_ATTRS = sorted(list(_v2.RESERVED_ATTRS if _v2 else ()) + ["taskName"])

_PERCENT_FIELD = re.compile(r"%\((.+?)\)")
_BRACE_FIELD = re.compile(r"\{(.+?)\}")
_DOLLAR_FIELD = re.compile(r"\$(?:\$|\{(?P<braced>.+?)\}|(?P<named>[_a-z][_a-z0-9]*))",
                           re.IGNORECASE)

if _v2 is not None:

    class JsonEncoder(_v2.JsonEncoder):
        """4.x's defaults for what json cannot encode (2.0.1: str() for all but dates)."""

        def default(self, o):
            if isinstance(o, (datetime.date, datetime.time)):
                return self.format_datetime_obj(o)
            if isinstance(o, BaseException):
                return f"{type(o).__name__}: {o}"
            if isinstance(o, types.TracebackType):
                return super().default(o)
            if isinstance(o, enum.Enum):
                return o.value
            if isinstance(o, enum.EnumMeta):
                return [member.value for member in o]
            if isinstance(o, (bytes, bytearray)):
                return base64.urlsafe_b64encode(o).decode("utf8")
            if dataclasses.is_dataclass(o) and not isinstance(o, type):
                return dataclasses.asdict(o)
            if isinstance(o, type):
                return o.__name__
            try:
                return _json.JSONEncoder.default(self, o)
            except TypeError:
                return str(o)

    class JsonFormatter(_v2.JsonFormatter):
        """python-json-logger 4.x's pythonjsonlogger.json.JsonFormatter (see the module doc)."""

        def __init__(self, fmt=None, datefmt=None, style="%", validate=True, *, prefix="",
                     rename_fields=None, rename_fields_keep_missing=False, static_fields=None,
                     reserved_attrs=None, timestamp=False, defaults=None,
                     exc_info_as_array=False, stack_info_as_array=False, json_default=None,
                     json_encoder=None, json_serializer=_json.dumps, json_indent=None,
                     json_ensure_ascii=True):
            if fmt is None or isinstance(fmt, str):
                if style in logging._STYLES:
                    style_obj = logging._STYLES[style][0](fmt)
                    if validate:
                        style_obj.validate()
                    self._style, self._fmt = style_obj, style_obj._fmt
                elif style == "," or not validate:
                    self._style, self._fmt = style, fmt
                else:
                    raise ValueError("Style must be one of: '%{$,'")
                self._required_fields = self.parse()
            elif isinstance(fmt, (list, tuple)):
                self._style, self._fmt = "__sequence__", str(fmt)
                self._required_fields = list(fmt)
            self.datefmt = datefmt
            self.prefix = prefix
            self.rename_fields = {} if rename_fields is None else {
                k: rename_fields[k] for k in rename_fields}
            self.static_fields = {} if static_fields is None else {
                k: static_fields[k] for k in static_fields}
            self.rename_fields_keep_missing = rename_fields_keep_missing
            self.reserved_attrs = set(RESERVED_ATTRS if reserved_attrs is None else reserved_attrs)
            self.timestamp = timestamp
            self._skip_fields = set(self._required_fields) | self.reserved_attrs
            self.defaults = {} if defaults is None else defaults
            self.exc_info_as_array = exc_info_as_array
            self.stack_info_as_array = stack_info_as_array
            self.json_default = json_default
            self.json_encoder = json_encoder
            self.json_serializer = json_serializer
            self.json_indent = json_indent
            self.json_ensure_ascii = json_ensure_ascii
            if not json_encoder and not json_default:
                self.json_encoder = JsonEncoder

        def parse(self):
            if self._fmt is None:
                return []
            if isinstance(self._style, str):
                if self._style == ",":
                    return [f.strip() for f in self._fmt.split(",") if f.strip()]
                raise ValueError(f"Style {self._style!r} is not supported")
            if isinstance(self._style, logging.StringTemplateStyle):
                return [m.group("braced") or m.group("named")
                        for m in _DOLLAR_FIELD.finditer(self._fmt)
                        if m.group("braced") or m.group("named")]
            if isinstance(self._style, logging.StrFormatStyle):
                return _BRACE_FIELD.findall(self._fmt)
            return _PERCENT_FIELD.findall(self._fmt)

        def _renamed(self, key):
            return self.rename_fields.get(key, key)

        def add_fields(self, log_record, record, message_dict):
            for key, value in self.defaults.items():
                log_record[self._renamed(key)] = value
            for field in self._required_fields:
                log_record[self._renamed(field)] = record.__dict__.get(field)
            for source in (self.static_fields, message_dict):
                for key, value in source.items():
                    log_record[self._renamed(key)] = value
            for key, value in record.__dict__.items():
                if key not in self._skip_fields and not (
                        isinstance(key, str) and key.startswith("_")):
                    log_record[self._renamed(key)] = value
            if self.timestamp:
                key = self.timestamp if isinstance(self.timestamp, str) else "timestamp"
                log_record[self._renamed(key)] = datetime.datetime.fromtimestamp(
                    record.created, tz=datetime.timezone.utc)
            if self.rename_fields_keep_missing:
                for target in self.rename_fields.values():
                    if target not in log_record:
                        log_record[target] = None

        def serialize_log_record(self, log_record):
            return self.prefix + self.jsonify_log_record(log_record)

        def formatException(self, ei):
            text = logging.Formatter.formatException(self, ei)
            return text.splitlines() if self.exc_info_as_array else text

        def formatStack(self, stack_info):
            text = logging.Formatter.formatStack(self, stack_info)
            return text.splitlines() if self.stack_info_as_array else text


def available():
    return _v2 is not None


class _MissingModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise Missing(f"python-json-logger is not installed ({DEBIAN_JSONLOGGER} is missing: "
                      "install Debian's python3-pythonjsonlogger)")


def install(modules):
    """Registers pythonjsonlogger, pythonjsonlogger.json, pythonjsonlogger.jsonlogger and
    dictlog (for dictlog.JsonFormatter) in `modules` (sys.modules). Without Debian's file,
    they are stand-ins whose every attribute raises Missing."""
    names = MODULE_NAMES + ("dictlog",)
    made = {n: (types.ModuleType(n) if available() else _MissingModule(n)) for n in names}
    if available():
        for n in names:
            made[n].JsonFormatter, made[n].JsonEncoder = JsonFormatter, JsonEncoder
            made[n].RESERVED_ATTRS = RESERVED_ATTRS
        made["pythonjsonlogger"].json = made["pythonjsonlogger.json"]
        made["pythonjsonlogger"].jsonlogger = made["pythonjsonlogger.jsonlogger"]
    modules.update(made)
