// Test support: the reference record of python-logging.md §3.6, which the formatter tests
// render and compare with CPython's bytes for the same record.
#pragma once

#include "dictlog/record.hpp"

namespace dictlog::test {

// app.mod, INFO, "hello {}" with "w", line 42 of /srv/app/mod.py in handler(), created
// 1700000000.5 (2023-11-14 22:13:20.500 UTC), relativeCreated 1234.5678, MainThread,
// process 4242.
inline LogRecord reference_record() {
  LogRecord r;
  r.name = "app.mod";
  r.levelno = 20;
  r.levelname = "INFO";
  r.pathname = "/srv/app/mod.py";
  r.func = "handler";
  r.lineno = 42;
  r.created_ns = 1700000000'500000000;
  r.relative_created = 1234.5678;
  r.thread = 140234567890;
  r.thread_name = "MainThread";
  r.process = 4242;
  r.set_msg("hello {}");
  r.capture_args("w");
  return r;
}

}  // namespace dictlog::test
