#!/usr/bin/env python3
"""CPython's side of the compatibility suite: `dictlog run` written with logging.config.

Usage: oracle.py run CONFIG [EVENTS]   (CONFIG.ini/.conf/.cfg: fileConfig's INI)

Must run under CPython 3.13. Behaves as `dictlog run` (see tools/dictlog.cpp and
tests/compat/README.md): applies CONFIG with logging.config.dictConfig, starts the listener
of every QueueHandler, then reads JSON Lines events from EVENTS (or stdin):

  {"logger": "a.b", "level": "INFO" | 20, "msg": "literal text", "extra": {...},
   "context": {...}}                          context: see log_event
  {"op": "config", "config": {...}}           another dictConfig, then start new listeners
  {"op": "drain"}                             stop (draining) and restart running listeners
  {"op": "add_level_name", "level": 25, "name": "NOTICE"}

At end of input every started listener is stopped (draining), then logging.shutdown().
python-json-logger's JsonFormatter is python-json-logger 4.x as pjl_oracle.py rebuilds it on
Debian's 2.0.1, registered as pythonjsonlogger, pythonjsonlogger.json,
pythonjsonlogger.jsonlogger and dictlog (dictlog.JsonFormatter). Without Debian's file, a
configuration that names one of them ends the run with a "SKIP: ..." line on stderr and
exit status 77.
Exit status: 0 ok, 1 configuration rejected or bad event, 2 usage, 3 unreadable file,
77 a configuration needs what is not installed.
"""
import json
import logging
import logging.config
import logging.handlers
import sys

import pjl_oracle

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_IO, EXIT_SKIP = 0, 1, 2, 3, 77
EVENT_KEYS = {"logger", "level", "msg", "extra", "context"}

started = []  # every listener this process started, in start order


class EventError(Exception):
    pass


class Skip(Exception):
    pass


def skip_if_missing(e):
    """A configuration failed because python-json-logger is not installed: not a verdict."""
    while e is not None:
        if isinstance(e, pjl_oracle.Missing):
            raise Skip(str(e))
        e = e.__cause__ or e.__context__


def one_line(e):
    text = f"{type(e).__name__}: {e}"
    cause = e.__cause__ or e.__context__
    while cause is not None:
        text += f" <- {type(cause).__name__}: {cause}"
        cause = cause.__cause__ or cause.__context__
    return text.replace("\n", "\\n")


def start_new_listeners():
    for name in sorted(logging.getHandlerNames()):
        h = logging.getHandlerByName(name)
        if isinstance(h, logging.handlers.QueueHandler):
            listener = getattr(h, "listener", None)
            if listener is not None and getattr(listener, "_thread", None) is None:
                listener.start()
                started.append(listener)


def stop_listeners():
    for listener in started:
        if getattr(listener, "_thread", None) is not None:
            listener.stop()


def parse_level(v):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise EventError("'level' must be a level name or an integer")
    if isinstance(v, str):
        mapping = logging.getLevelNamesMapping()
        if v not in mapping:
            raise EventError(f"unknown level name {v!r}")
        return mapping[v]
    return v


def log_event(ev):
    for k in ev:
        if k not in EVENT_KEYS:
            raise EventError(f"unknown key {k!r}")
    name = ev.get("logger", "")
    if not isinstance(name, str):
        raise EventError("'logger' must be a string")
    if "level" not in ev:
        raise EventError("missing 'level'")
    level = parse_level(ev["level"])
    if "msg" not in ev or not isinstance(ev["msg"], str):
        raise EventError("'msg' must be a string")
    extra = ev.get("extra")
    if extra is not None:
        if not isinstance(extra, dict):
            raise EventError("'extra' must be an object")
    # dictlog binds per-thread context values that become record attributes; CPython has no
    # such thing. Their meaning here: extras, context keys first, then the event's own extra
    # keys (an extra key equal to a context key keeps the context key's place).
    context = ev.get("context")
    if context is not None:
        if not isinstance(context, dict):
            raise EventError("'context' must be an object")
        extra = {**context, **(extra or {})}
    logger = logging.getLogger(None if name in ("", "root") else name)
    try:
        logger.log(level, ev["msg"], extra=extra)
    except Exception as e:  # e.g. KeyError for an extra key clashing with the record
        raise EventError(one_line(e)) from e


def op_event(ev):
    op = ev["op"]
    if op == "config":
        if set(ev) != {"op", "config"} or not isinstance(ev["config"], dict):
            raise EventError("'config' op needs exactly a 'config' object")
        try:
            logging.config.dictConfig(ev["config"])
        except Exception as e:
            skip_if_missing(e)
            raise EventError(one_line(e)) from e
        start_new_listeners()
    elif op == "drain":
        if set(ev) != {"op"}:
            raise EventError("'drain' op takes no arguments")
        for listener in started:
            if getattr(listener, "_thread", None) is not None:
                listener.stop()
                listener.start()
    elif op == "add_level_name":
        if set(ev) != {"op", "level", "name"}:
            raise EventError("'add_level_name' op needs 'level' and 'name'")
        lv, nm = ev["level"], ev["name"]
        if isinstance(lv, bool) or not isinstance(lv, int) or not isinstance(nm, str):
            raise EventError("'add_level_name' needs an integer level and a string name")
        logging.addLevelName(lv, nm)
    else:
        raise EventError(f"unknown op {op!r}")


def run(config_path, events_path):
    try:
        with open(config_path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"{config_path}: {e.strerror}", file=sys.stderr)
        return EXIT_IO
    try:
        if config_path.endswith((".ini", ".conf", ".cfg")):
            # fileConfig's INI, as `dictlog run` picks it by the extension.
            logging.config.fileConfig(config_path)
        else:
            config = json.loads(text)
            logging.config.dictConfig(config)
    except Exception as e:
        skip_if_missing(e)
        print(f"{config_path}: {one_line(e)}", file=sys.stderr)
        return EXIT_PROBLEM
    start_new_listeners()

    status = EXIT_OK
    try:
        stream = open(events_path, encoding="utf-8") if events_path else sys.stdin
    except OSError as e:
        print(f"{events_path}: {e.strerror}", file=sys.stderr)
        status = EXIT_IO
        stream = None
    label = events_path or "<stdin>"
    if stream is not None:
        with stream:
            for lineno, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    try:
                        ev = json.loads(line)
                    except ValueError as e:
                        raise EventError(f"invalid JSON: {e}") from e
                    if not isinstance(ev, dict):
                        raise EventError("an event must be a JSON object")
                    if "op" in ev:
                        op_event(ev)
                    else:
                        log_event(ev)
                except EventError as e:
                    print(f"{label}:{lineno}: {e}", file=sys.stderr)
                    status = EXIT_PROBLEM
    stop_listeners()
    logging.shutdown()
    return status


def main(argv):
    if len(argv) in (2, 3) and argv[0] == "run":
        pjl_oracle.install(sys.modules)
        try:
            return run(argv[1], argv[2] if len(argv) == 3 else None)
        except Skip as e:
            print(f"SKIP: {e}", file=sys.stderr)
            return EXIT_SKIP
    print("usage: oracle.py run CONFIG [EVENTS]", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # atexit's logging.shutdown() already ran through main; skip it and the daemon threads.
    import os
    os._exit(code)
