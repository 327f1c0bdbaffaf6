#include <doctest/doctest.h>

#include <sstream>

#include "dictlog/errors.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/stream_handler.hpp"
#include "support/capture.hpp"

using namespace dictlog;
using dictlog::test::StderrCapture;

namespace {
LogRecord rec(const char* msg, int level = INFO) {
  return make_log_record({{"msg", msg},
                          {"levelno", level},
                          {"levelname", get_level_name(level)},
                          {"name", "app"},
                          {"pathname", "/src/app.cpp"},
                          {"lineno", 9}});
}
}  // namespace

TEST_CASE("StreamHandler writes the message and the terminator, then flushes") {
  std::ostringstream os;
  auto h = std::make_shared<StreamHandler>(std::make_shared<OStream>(os));
  h->set_formatter(std::make_shared<Formatter>("%(levelname)s:%(name)s:%(message)s"));
  auto r = rec("hello");
  h->handle(r);
  h->terminator = "\r\n";
  auto r2 = rec("crlf", WARNING);
  h->handle(r2);
  h->terminator = "";
  auto r3 = rec("none");
  h->handle(r3);
  CHECK(os.str() == "INFO:app:hello\nWARNING:app:crlf\r\nINFO:app:none");
}

TEST_CASE("StreamHandler defaults to stderr, chosen at construction") {
  auto h = std::make_shared<StreamHandler>();
  CHECK(h->stream() == stderr_stream());
  CHECK(h->repr() == "<StreamHandler <stderr> (NOTSET)>");
  StderrCapture err;
  auto r = rec("to stderr");
  h->handle(r);
  err.restore();
  CHECK(err.text() == "to stderr\n");
  auto out = std::make_shared<StreamHandler>(stdout_stream(), WARNING);
  CHECK(out->repr() == "<StreamHandler <stdout> (WARNING)>");
}

TEST_CASE("set_stream swaps and returns the old stream, nullptr for the same one") {
  std::ostringstream a, b;
  auto sa = std::make_shared<OStream>(a);
  auto sb = std::make_shared<OStream>(b);
  auto h = std::make_shared<StreamHandler>(sa);
  CHECK(h->set_stream(sa) == nullptr);
  CHECK(h->set_stream(sb) == sa);
  auto r = rec("to b");
  h->handle(r);
  CHECK(a.str().empty());
  CHECK(b.str() == "to b\n");
}

TEST_CASE("a closed StreamHandler keeps writing, as Python's does") {
  std::ostringstream os;
  auto h = std::make_shared<StreamHandler>(std::make_shared<OStream>(os));
  h->close();
  auto r = rec("after close");
  h->handle(r);
  CHECK(os.str() == "after close\n");
}

TEST_CASE("a failing stream goes through handle_error and other handlers still get the record") {
  std::ostringstream bad, good;
  bad.setstate(std::ios::badbit);
  auto failing = std::make_shared<StreamHandler>(std::make_shared<OStream>(bad));
  auto working = std::make_shared<StreamHandler>(std::make_shared<OStream>(good));
  Logger& lg = get_logger("failing.stream");
  lg.add_handler(failing);
  lg.add_handler(working);
  StderrCapture err;
  CHECK_NOTHROW(lg.warning("still delivered"));
  err.restore();
  lg.remove_handler(failing);  // the streams die with this scope
  lg.remove_handler(working);
  CHECK(good.str() == "still delivered\n");
  CHECK(err.text().rfind("--- Logging error ---\nOSError: [Errno 5] Input/output error\n", 0) == 0);
  CHECK(err.text().find("Message: 'still delivered'\nArguments: ()\n") != std::string::npos);
}

TEST_CASE("NullHandler swallows records and counts as a handler") {
  Logger& lg = get_logger("lib.quiet");
  lg.add_handler(std::make_shared<NullHandler>());
  StderrCapture err;
  lg.error("nobody hears this");
  err.restore();
  CHECK(err.text().empty());
  CHECK(NullHandler().repr() == "<NullHandler (NOTSET)>");
}
