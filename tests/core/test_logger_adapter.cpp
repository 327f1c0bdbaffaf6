// LoggerAdapter against CPython 3.13's test_logging.LoggerAdapterTest, plus the C++ parts:
// process() rewriting fmt format strings, and what a call through an adapter allocates.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>

#include "dictlog/errors.hpp"
#include "dictlog/logger_adapter.hpp"
#include "dictlog/null_handler.hpp"
#include "support/capture.hpp"
#include "support/counting_new.hpp"
#include "support/scoped_globals.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::RecordingHandler;
using dictlog::test::ScopedGlobals;
using dictlog::test::StderrCapture;

namespace {

// test_logging's setUp: a recording handler on the root; with a format, also a handler
// keeping the formatted lines.
struct RootRecording {
  ScopedGlobals globals;
  std::shared_ptr<RecordingHandler> recording = std::make_shared<RecordingHandler>();
  std::shared_ptr<CaptureHandler> lines = std::make_shared<CaptureHandler>();
  explicit RootRecording(const char* format = nullptr) {
    root().add_handler(recording);
    if (format) {
      lines->set_formatter(std::make_shared<Formatter>(format));
      root().add_handler(lines);
    }
  }
};

// test_logging's PrefixAdapter.
class PrefixAdapter : public LoggerAdapter {
 public:
  PrefixAdapter(Logger& lg, std::string prefix) : LoggerAdapter(lg), prefix_(std::move(prefix)) {}
  PrefixAdapter(const LoggerAdapter& inner, std::string prefix)
      : LoggerAdapter(inner, {}), prefix_(std::move(prefix)) {}
  void process(AdapterCall& call) const override {
    call.set_msg(prefix_ + " " + std::string(call.msg()));
  }
  std::string_view class_name() const override { return "PrefixAdapter"; }

 private:
  std::string prefix_;
};

// The cookbook's connection adapter: a prefix, the adapter's extra, and the call's options
// as process() saw them.
class ConnAdapter : public LoggerAdapter {
 public:
  ConnAdapter(Logger& lg, int conn) : LoggerAdapter(lg, {{"conn", conn}}), conn_(conn) {}
  void process(AdapterCall& call) const override {
    LoggerAdapter::process(call);
    call.prefix(fmt::format("[conn {}] ", conn_));
    saw_exc_info = call.kwargs().exc_info;
    ++calls;
  }
  mutable std::atomic<bool> saw_exc_info{false};
  mutable std::atomic<int> calls{0};

 private:
  int conn_;
};

// A type fmt formats but dictlog may not copy: formatted at the call.
struct Point {
  int x, y;
};

}  // namespace

template <>
struct fmt::formatter<Point> : fmt::formatter<std::string_view> {
  auto format(const Point& p, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(fmt::format("({}, {})", p.x, p.y), ctx);
  }
};

TEST_CASE("exception() logs at ERROR with msg, args and the exception being handled") {
  RootRecording t;
  LoggerAdapter adapter(root());
  try {
    throw std::runtime_error("division by zero");
  } catch (...) {
    adapter.exception("testing exception: {}", 42);
  }
  auto records = t.recording->records();
  REQUIRE(records.size() == 1);
  const LogRecord& r = records[0];
  CHECK(r.levelno == ERROR);
  CHECK(r.msg() == "testing exception: {}");
  CHECK(r.args_repr() == "(42,)");
  CHECK(r.exc_text == "std::runtime_error: division by zero");
}

TEST_CASE("exception() sets exc_info on options passed too; outside a catch: NoneType") {
  RootRecording t;
  LoggerAdapter adapter(root());
  adapter.exception(Options(extra{{"dropped", 1}}), "exc_info test {}", 1);
  adapter.exception("exc_info test");
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].exc_text == "NoneType: None");
  CHECK(records[1].exc_text == "NoneType: None");
}

TEST_CASE("critical() records the level, msg, args and the adapter caller's location") {
  RootRecording t;
  LoggerAdapter adapter(root());
  const SourceLocation here = SourceLocation::current();
  adapter.critical("critical test! {}", "x");
  auto records = t.recording->records();
  REQUIRE(records.size() == 1);
  const LogRecord& r = records[0];
  CHECK(r.levelno == CRITICAL);
  CHECK(r.msg() == "critical test! {}");
  CHECK(r.args_repr() == "('x',)");
  CHECK(r.pathname == here.file_name());
  CHECK(r.func == here.function_name());
  CHECK(r.lineno == here.line() + 1);
}

TEST_CASE("every call form reports the adapter caller's location, changed message or not") {
  RootRecording t;
  LoggerAdapter plain(root());
  PrefixAdapter prefixed(root(), "p");
  std::string runtime = "runtime";
  const SourceLocation here = SourceLocation::current();
  plain.error("literal");
  plain.error(runtime);
  plain.log(ERROR, "args {}", 1);
  prefixed.error("literal");
  prefixed.error(runtime);
  prefixed.log(ERROR, "args {}", 1);
  prefixed.exception("exc {}", 1);
  auto records = t.recording->records();
  REQUIRE(records.size() == 7);
  for (std::size_t i = 0; i < records.size(); ++i) {
    CAPTURE(i);
    CHECK(records[i].pathname == here.file_name());
    CHECK(records[i].func == here.function_name());
    CHECK(records[i].lineno == here.line() + 1 + i);
  }
}

TEST_CASE("is_enabled_for follows logging.disable through the adapter") {
  ScopedGlobals globals;
  LoggerAdapter adapter(root());
  disable(33);
  CHECK_FALSE(adapter.is_enabled_for(32));
  CHECK(adapter.is_enabled_for(34));
}

TEST_CASE("has_handlers, levels and name are the logger's") {
  RootRecording t;
  LoggerAdapter adapter(root());
  CHECK(adapter.has_handlers());
  for (const auto& h : root().handlers()) root().remove_handler(h);
  CHECK_FALSE(root().has_handlers());
  CHECK_FALSE(adapter.has_handlers());

  Logger& lg = get_logger("adapter.levels");
  LoggerAdapter a(lg);
  CHECK(a.name() == "adapter.levels");
  CHECK(&a.logger() == &lg);
  a.set_level("ERROR");
  CHECK(lg.level() == ERROR);
  CHECK(a.get_effective_level() == ERROR);
  CHECK(a.repr() == "<LoggerAdapter adapter.levels (ERROR)>");
}

TEST_CASE("nested adapters: the outer process() runs first, the logger logs once") {
  RootRecording t;
  PrefixAdapter adapter(root(), "Adapter");
  PrefixAdapter adapter_adapter(adapter, "AdapterAdapter");
  CHECK(adapter.repr() == adapter_adapter.repr());
  CHECK(adapter_adapter.repr() == "<PrefixAdapter root (WARNING)>");
  CHECK(adapter_adapter.inner() == &adapter);
  CHECK(&adapter_adapter.logger() == &root());
  const SourceLocation here = SourceLocation::current();
  adapter_adapter.log(CRITICAL, "Adapters can be nested, {}.", "yo");
  auto records = t.recording->records();
  REQUIRE(records.size() == 1);
  const LogRecord& r = records[0];
  CHECK(r.levelno == CRITICAL);
  CHECK(r.msg() == "Adapter AdapterAdapter Adapters can be nested, {}.");
  CHECK(r.args_repr() == "('yo',)");
  CHECK(r.get_message() == "Adapter AdapterAdapter Adapters can be nested, yo.");
  CHECK(r.func == here.function_name());
  CHECK(r.lineno == here.line() + 1);
}

TEST_CASE("nested adapters: the inner adapter's extra replaces the outer's unless it merges") {
  RootRecording t;
  LoggerAdapter replacing(root(), {{"inner", 1}});
  LoggerAdapter merging(root(), {{"inner", 1}}, true);
  LoggerAdapter outer_r(replacing, {{"outer", 2}});
  LoggerAdapter outer_m(merging, {{"outer", 2}});
  outer_r.warning("r");
  outer_m.warning("m");
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].extra == dictlog::extra{{"inner", 1}});
  CHECK(records[1].extra == dictlog::extra{{"inner", 1}, {"outer", 2}});
}

TEST_CASE("the adapter's extra is in the record and in the formatted bytes") {
  RootRecording t("%(levelname)s:%(foo)s:%(message)s");
  LoggerAdapter adapter(root(), {{"foo", "1"}});
  adapter.critical("foo should be here");
  adapter.critical("and with args {}", 2);
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  REQUIRE(records[0].find_extra("foo"));
  CHECK(*records[0].find_extra("foo") == Value("1"));
  CHECK(t.lines->lines() ==
        std::vector<std::string>{"CRITICAL:1:foo should be here", "CRITICAL:1:and with args 2"});
}

TEST_CASE("extra is not merged by default: the call's extra is dropped") {
  RootRecording t;
  LoggerAdapter adapter(root());
  adapter.critical("foo should NOT be here", extra{{"foo", "nope"}});
  LoggerAdapter with_extra(root(), {{"bar", 1}});
  with_extra.critical("only bar", extra{{"foo", "nope"}});
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].find_extra("foo") == nullptr);
  CHECK(records[0].extra.empty());
  CHECK(records[1].extra == dictlog::extra{{"bar", 1}});
}

TEST_CASE("merge_extra: both extras are in the record") {
  RootRecording t;
  LoggerAdapter adapter(root(), {{"foo", "1"}}, true);
  adapter.critical("foo and bar should be here", extra{{"bar", "2"}});
  auto records = t.recording->records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].extra == dictlog::extra{{"foo", "1"}, {"bar", "2"}});
}

TEST_CASE("merge_extra: the call's value wins, the adapter's keys keep their places") {
  RootRecording t;
  LoggerAdapter adapter(root(), {{"a", 0}, {"foo", "1"}}, true);
  adapter.critical(Options(extra{{"bar", 2}, {"foo", "2"}}), "foo shall be {}", "min");
  LoggerAdapter empty(root(), {}, true);
  empty.critical("call's own", extra{{"c", 3}});
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].extra == dictlog::extra{{"a", 0}, {"foo", "2"}, {"bar", 2}});
  CHECK(records[1].extra == dictlog::extra{{"c", 3}});
}

TEST_CASE("an adapter extra that clashes with a record attribute raises KeyError") {
  RootRecording t;
  LoggerAdapter adapter(root(), {{"lineno", 1}});
  CHECK_THROWS_WITH_AS(adapter.error("x"), "Attempt to overwrite 'lineno' in LogRecord", KeyError);
}

TEST_CASE("process() changes message and extra; arguments still format into the new message") {
  RootRecording t("%(levelname)s conn=%(conn)s %(message)s");
  ConnAdapter adapter(root(), 7);
  std::string path = "/x";
  adapter.warning("served {} in {} ms", path, 3);
  adapter.warning("no args, {braces} kept");
  adapter.warning(std::string("runtime text"));
  adapter.error("point {:>10}", Point{1, 2});
  try {
    throw std::runtime_error("lost");
  } catch (...) {
    adapter.exception("dropped {}", "conn");
  }
  CHECK(adapter.saw_exc_info);
  CHECK(t.lines->lines() ==
        std::vector<std::string>{"WARNING conn=7 [conn 7] served /x in 3 ms",
                                 "WARNING conn=7 [conn 7] no args, {braces} kept",
                                 "WARNING conn=7 [conn 7] runtime text",
                                 "ERROR conn=7 [conn 7] point     (1, 2)",
                                 "ERROR conn=7 [conn 7] dropped conn\nstd::runtime_error: lost"});
  auto records = t.recording->records();
  REQUIRE(records.size() == 5);
  // The arguments are captured against the rewritten format, as Python keeps args.
  CHECK(records[0].msg() == "[conn 7] served {} in {} ms");
  CHECK(records[0].args_repr() == "('/x', 3)");
  CHECK(records[0].extra == dictlog::extra{{"conn", 7}});
}

TEST_CASE("prefix() doubles braces only when the call has arguments") {
  RootRecording t;
  struct Braces : LoggerAdapter {
    using LoggerAdapter::LoggerAdapter;
    void process(AdapterCall& call) const override { call.prefix("{id} "); }
  };
  Braces adapter(root());
  adapter.warning("n={}", 1);
  adapter.warning("plain");
  auto records = t.recording->records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].msg() == "{{id}} n={}");
  CHECK(records[0].get_message() == "{id} n=1");
  CHECK(records[1].get_message() == "{id} plain");
}

TEST_CASE("a rewritten format that does not fit the arguments goes to handle_error") {
  RootRecording t("%(message)s");
  PrefixAdapter adapter(root(), "{}");
  StderrCapture err;
  const SourceLocation here = SourceLocation::current();
  adapter.warning("Hello, {}!", "world");
  err.restore();
  CHECK(t.lines->lines().empty());
  // Python's handleError block, with the exception line for the traceback.
  CHECK(err.text() == fmt::format("--- Logging error ---\n"
                                  "ValueError: argument not found\n"
                                  "Logged from file test_logger_adapter.cpp, line {}\n"
                                  "Message: '{{}} Hello, {{}}!'\n"
                                  "Arguments: ('world',)\n",
                                  here.line() + 1));
}

TEST_CASE("a disabled level runs no process()") {
  RootRecording t;
  ConnAdapter adapter(root(), 1);
  adapter.debug("below WARNING {}", 1);
  adapter.info("below WARNING");
  CHECK(adapter.calls == 0);
  CHECK(t.recording->records().empty());
}

TEST_CASE("an adapter call allocates what the same logger call allocates") {
  Logger& lg = get_logger("adapter.alloc");
  lg.set_propagate(false);
  lg.add_handler(std::make_shared<NullHandler>());
  LoggerAdapter plain(lg);
  const extra ctx{{"conn", 7}};
  LoggerAdapter with_extra(lg, ctx);
  const Options ctx_options(ctx);
  std::atomic<long> n{0};
  auto count = [&](auto&& call) {
    n = 0;
    dictlog::test::t_alloc_counter = &n;
    dictlog::test::g_count_allocs = true;
    call();
    dictlog::test::g_count_allocs = false;
    dictlog::test::t_alloc_counter = nullptr;
    return n.load();
  };
  lg.warning("warm up {}", 0);  // the thread's first call gets its hazard record
  CHECK(count([&] { plain.warning("n={} s={}", 1, "short"); }) ==
        count([&] { lg.warning("n={} s={}", 1, "short"); }));
  CHECK(count([&] { plain.warning("literal"); }) == count([&] { lg.warning("literal"); }));
  CHECK(count([&] { with_extra.warning("n={}", 1); }) ==
        count([&] { lg.warning(ctx_options, "n={}", 1); }));
}
