#include <doctest/doctest.h>

#include "dictlog/errors.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/logger.hpp"
#include "support/capture.hpp"
#include "support/scoped_globals.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::ScopedGlobals;
using dictlog::test::StderrCapture;

namespace {
class Failing : public Handler {
 public:
  void emit(LogRecord&) override {
    throw TypeError("%d format: a real number is required, not str");
  }
  std::string_view class_name() const override { return "Failing"; }
};
}  // namespace

TEST_CASE("handle runs filters, then emit") {
  auto h = std::make_shared<CaptureHandler>();
  h->add_filter([](LogRecord& r) { return r.levelno >= WARNING; });
  LogRecord a = make_log_record({{"msg", "low"}, {"levelno", 10}});
  LogRecord b = make_log_record({{"msg", "high"}, {"levelno", 30}});
  CHECK_FALSE(h->handle(a));
  CHECK(h->handle(b));
  CHECK(h->lines() == std::vector<std::string>{"high"});
}

TEST_CASE("an emit error prints Python's logging error block and never throws") {
  auto h = std::make_shared<Failing>();
  LogRecord r =
      make_log_record({{"msg", "value %d"}, {"pathname", "/srv/app/t6.cpp"}, {"lineno", 5}});
  StderrCapture err;
  CHECK_NOTHROW(h->handle(r));
  err.restore();
  CHECK(err.text() ==
        "--- Logging error ---\n"
        "TypeError: %d format: a real number is required, not str\n"
        "Logged from file t6.cpp, line 5\n"
        "Message: 'value %d'\n"
        "Arguments: ()\n");
}

TEST_CASE("handle_error is silent when raise_exceptions is off") {
  ScopedGlobals globals;
  set_raise_exceptions(false);
  auto h = std::make_shared<Failing>();
  LogRecord r = make_log_record({{"msg", "x"}});
  StderrCapture err;
  h->handle(r);
  err.restore();
  CHECK(err.text().empty());
}

TEST_CASE("counts: emitted, filtered and errors per handler, and stats() by name") {
  ScopedGlobals globals;
  set_raise_exceptions(false);  // counted even when nothing is printed
  auto ok = std::make_shared<CaptureHandler>();
  ok->set_name("ok");
  ok->add_filter([](LogRecord& r) { return r.levelno >= WARNING; });
  auto failing = std::make_shared<Failing>();
  failing->set_name("failing");
  auto unnamed = std::make_shared<CaptureHandler>();
  for (int level : {10, 20, 30, 40, 50}) {
    LogRecord r = make_log_record({{"msg", "m"}, {"levelno", level}});
    ok->handle(r);
    failing->handle(r);
    unnamed->handle(r);
  }
  CHECK(ok->stats() == HandlerStats{.emitted = 3, .filtered = 2});
  CHECK(failing->stats() == HandlerStats{.emitted = 5, .errors = 5});
  CHECK(unnamed->stats().emitted == 5);
  auto all = stats();
  REQUIRE(all.size() == 2);  // named handlers only, sorted by name
  CHECK(all[0].first == "failing");
  CHECK(all[0].second == failing->stats());
  CHECK(all[1].first == "ok");
  CHECK(all[1].second.dropped() == 0);
  ok->close();  // a closed handler leaves the registry, and stats()
  failing->close();
  CHECK(stats().empty());
}

TEST_CASE("an error from a user exception type names the C++ type") {
  struct Boom : Handler {
    void emit(LogRecord&) override { throw std::runtime_error("disk gone"); }
  };
  auto h = std::make_shared<Boom>();
  LogRecord r = make_log_record({{"msg", "m"}});
  StderrCapture err;
  h->handle(r);
  err.restore();
  CHECK(err.text().find("\nstd::runtime_error: disk gone\n") != std::string::npos);
}

TEST_CASE("named handlers: registry by name, last wins, close drops its name") {
  auto a = std::make_shared<CaptureHandler>();
  auto b = std::make_shared<CaptureHandler>();
  a->set_name("console");
  CHECK(get_handler_by_name("console") == a);
  CHECK(get_handler_by_name<CaptureHandler>("console") == a);
  b->set_name("console");
  CHECK(get_handler_by_name("console") == b);
  // Python quirk: closing a handler deletes its name's entry even if another owns it now.
  a->close();
  CHECK(get_handler_by_name("console") == nullptr);
  CHECK(get_handler_by_name("nope") == nullptr);
  b->set_name("other");
  auto names = get_handler_names();
  CHECK(std::find(names.begin(), names.end(), "other") != names.end());
  CHECK(a->closed());
}

TEST_CASE("a destroyed handler leaves the registry") {
  {
    auto h = std::make_shared<CaptureHandler>();
    h->set_name("temp");
    CHECK(get_handler_by_name("temp") != nullptr);
  }
  CHECK(get_handler_by_name("temp") == nullptr);
}

TEST_CASE("repr shows the class and level name") {
  auto h = std::make_shared<CaptureHandler>(WARNING);
  CHECK(h->repr() == "<CaptureHandler (WARNING)>");
  h->set_level("DEBUG");
  CHECK(h->level() == DEBUG);
  CHECK_THROWS_AS(h->set_level("debug"), ValueError);
}

TEST_CASE("a handler without formatter uses %(message)s") {
  auto h = std::make_shared<CaptureHandler>();
  LogRecord r = make_log_record({{"msg", "plain"}, {"levelno", 20}});
  CHECK(h->format(r) == "plain");
  h->set_formatter(std::make_shared<Formatter>("%(levelno)s:%(message)s"));
  CHECK(h->format(r) == "20:plain");
}
