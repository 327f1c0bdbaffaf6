#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/shutdown.hpp"
#include "support/capture.hpp"
#include "support/scoped_globals.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::ScopedGlobals;
using dictlog::test::StderrCapture;

namespace {
std::shared_ptr<CaptureHandler> capture(Logger& lg, int level = NOTSET,
                                        const char* fmt = "%(name)s:%(levelname)s:%(message)s") {
  auto h = std::make_shared<CaptureHandler>(level);
  h->set_formatter(std::make_shared<Formatter>(fmt));
  lg.add_handler(h);
  return h;
}
using Lines = std::vector<std::string>;
}  // namespace

TEST_CASE("get_logger returns one logger per name; '' and 'root' are the root") {
  CHECK(&get_logger("a.b") == &get_logger("a.b"));
  CHECK(&get_logger("") == &root());
  CHECK(&get_logger("root") == &root());
  CHECK(root().name() == "root");
  CHECK(root().level() == WARNING);
  CHECK(get_logger("fresh").level() == NOTSET);
  CHECK(get_logger("fresh").propagate());
  CHECK_FALSE(get_logger("fresh").disabled());
}

TEST_CASE("placeholders and parent fix-ups follow Python's Manager") {
  Logger& c = get_logger("p1.p2.c");
  CHECK(is_placeholder("p1"));
  CHECK(is_placeholder("p1.p2"));
  CHECK(c.parent() == &root());
  Logger& p1 = get_logger("p1");
  CHECK(c.parent() == &p1);
  CHECK_FALSE(is_placeholder("p1"));
  Logger& p2 = get_logger("p1.p2");
  CHECK(c.parent() == &p2);
  CHECK(p2.parent() == &p1);
  // "a..b" creates the placeholder "a." (not "a").
  get_logger("q..b");
  CHECK(is_placeholder("q."));
  CHECK(find_logger("q") == nullptr);
  CHECK_FALSE(is_placeholder("q"));
  // A leading dot hangs under the root; "root.x" makes a placeholder named "root".
  CHECK(get_logger(".lead").parent() == &root());
  get_logger("root.x");
  CHECK(is_placeholder("root"));
  CHECK(&get_logger("root") == &root());
  auto kids = p1.get_children();
  CHECK(kids.size() == 1);
  CHECK(kids[0] == &p2);
  CHECK(&p1.get_child("p2") == &p2);
  CHECK(&root().get_child("p1") == &p1);
}

TEST_CASE(
    "a logger made between an ancestor and its descendants gets the ancestor's level and "
    "handlers, and theirs stay as they were") {
  ScopedGlobals globals;
  Logger& top = get_logger("mid");
  top.set_level(INFO);
  auto h = capture(top);
  Logger& leaf = get_logger("mid.x.y.leaf");
  Logger& quiet = get_logger("mid.x.quiet");
  quiet.set_level(ERROR);
  // Only the new logger's own threshold and chain are made when it appears (not the whole
  // tree's): it has no level or handler of its own, so nothing below it changes.
  Logger& x = get_logger("mid.x");
  CHECK(leaf.parent() == &x);
  CHECK(quiet.parent() == &x);
  x.debug("x-debug");
  x.info("x-info");
  leaf.info("leaf-info");
  quiet.warning("quiet-warning");
  quiet.error("quiet-error");
  CHECK(h->lines() ==
        Lines{"mid.x:INFO:x-info", "mid.x.y.leaf:INFO:leaf-info", "mid.x.quiet:ERROR:quiet-error"});
  top.remove_handler(h);
}

TEST_CASE("effective level, and the cache follows every set_level") {
  Logger& a = get_logger("lv.a");
  Logger& b = get_logger("lv.a.b");
  CHECK(b.get_effective_level() == WARNING);
  CHECK_FALSE(b.is_enabled_for(INFO));
  a.set_level(DEBUG);
  CHECK(b.get_effective_level() == DEBUG);
  CHECK(b.is_enabled_for(DEBUG));
  b.set_level("ERROR");
  CHECK_FALSE(b.is_enabled_for(WARNING));
  CHECK(b.is_enabled_for(ERROR));
  b.set_level(NOTSET);
  a.set_level(NOTSET);
  CHECK(b.is_enabled_for(WARNING));
  CHECK_FALSE(b.is_enabled_for(INFO));
}

TEST_CASE("records propagate to ancestors' handlers, ignoring their levels and filters") {
  Logger& parent = get_logger("prop");
  Logger& child = get_logger("prop.child");
  child.set_level(DEBUG);
  parent.set_level(CRITICAL);
  parent.add_filter([](LogRecord&) { return false; });
  auto ph = capture(parent);
  auto ch = capture(child, INFO);
  child.debug("d {}", 1);
  child.info("i {}", 2);
  CHECK(ch->lines() == Lines{"prop.child:INFO:i 2"});
  CHECK(ph->lines() == Lines{"prop.child:DEBUG:d 1", "prop.child:INFO:i 2"});
  child.set_propagate(false);
  child.warning("w");
  CHECK(ph->lines().size() == 2);
  CHECK(ch->lines().back() == "prop.child:WARNING:w");
}

TEST_CASE("a logger's own filters apply to its records only") {
  Logger& lg = get_logger("flt");
  lg.set_level(DEBUG);
  auto h = capture(lg);
  lg.add_filter(std::make_shared<const Filter>("flt.sub"));
  lg.info("dropped by own filter");
  get_logger("flt.sub").info("kept");
  get_logger("flt.other").info("also kept: filters of ancestors do not apply");
  CHECK(h->lines() ==
        Lines{"flt.sub:INFO:kept", "flt.other:INFO:also kept: filters of ancestors do not apply"});
}

TEST_CASE("disabled loggers drop their records; disable() drops levels everywhere") {
  ScopedGlobals globals;
  Logger& lg = get_logger("dis");
  lg.set_level(DEBUG);
  auto h = capture(lg);
  lg.set_disabled(true);
  lg.critical("no");
  CHECK_FALSE(lg.is_enabled_for(CRITICAL));
  lg.set_disabled(false);
  disable(INFO);
  lg.info("no");
  lg.warning("yes");
  CHECK(disabled_level() == INFO);
  disable(NOTSET);
  lg.info("yes again");
  disable("WARNING");
  lg.warning("no");
  CHECK(h->lines() == Lines{"dis:WARNING:yes", "dis:INFO:yes again"});
}

TEST_CASE("messages: fmt with arguments, literal without, extra, custom levels") {
  Logger& lg = get_logger("msg");
  lg.set_level(DEBUG);
  auto h = std::make_shared<CaptureHandler>();
  h->set_formatter(std::make_shared<Formatter>("%(levelname)s %(message)s|%(sql)s", std::nullopt,
                                               '%', true, extra{{"sql", "-"}}));
  lg.add_handler(h);
  lg.info("took {} ms on {}", 12, std::string("db1"));
  lg.warning("slow query", extra{{"sql", "select 1"}});
  lg.error(extra{{"sql", "x"}}, "n={:03d}", 7);
  lg.log(25, "custom level {}", "L");
  std::string runtime = "runtime {braces} 100%";
  lg.info(runtime, extra{{"sql", nullptr}});
  lg.log_message(INFO, "from an event");
  CHECK(h->lines() == Lines{"INFO took 12 ms on db1|-", "WARNING slow query|select 1",
                            "ERROR n=007|x", "Level 25 custom level L|-",
                            "INFO runtime {braces} 100%|None", "INFO from an event|-"});
}

TEST_CASE("extra keys that clash raise KeyError to the caller") {
  Logger& lg = get_logger("clash");
  CHECK_THROWS_WITH_AS(lg.error("x", extra{{"lineno", 1}}),
                       "Attempt to overwrite 'lineno' in LogRecord", KeyError);
}

TEST_CASE("exception() renders the exception being handled after the message") {
  Logger& lg = get_logger("exc");
  auto h = capture(lg, NOTSET, "%(levelname)s:%(message)s");
  try {
    throw ValueError("bad value 7");
  } catch (...) {
    lg.exception("failed {}", 1);
  }
  try {
    try {
      throw std::runtime_error("inner");
    } catch (...) {
      std::throw_with_nested(std::logic_error("outer"));
    }
  } catch (...) {
    lg.exception("nested");
  }
  lg.exception("outside a catch");
  CHECK(h->lines() ==
        Lines{"ERROR:failed 1\nValueError: bad value 7",
              "ERROR:nested\nstd::runtime_error: inner\n\nThe above exception was the "
              "direct cause of the following exception:\n\n"
              "std::logic_error: outer",
              "ERROR:outside a catch\nNoneType: None"});
}

TEST_CASE("lastResort prints the bare message for a path with no handler at all") {
  Logger& lg = get_logger("lonely.child");
  StderrCapture err;
  lg.warning("to last resort {}", 1);
  lg.info("below WARNING: nothing");
  err.restore();
  CHECK(err.text() == "to last resort 1\n");
}

TEST_CASE("a handler skipped for its level still counts: no lastResort") {
  Logger& lg = get_logger("quiet");
  auto h = capture(lg, ERROR);
  StderrCapture err;
  lg.warning("goes nowhere");
  err.restore();
  CHECK(err.text().empty());
  CHECK(h->lines().empty());
}

TEST_CASE("without lastResort the manager says so once") {
  ScopedGlobals globals;
  set_last_resort(nullptr);
  StderrCapture err;
  get_logger("nolr").warning("one");
  get_logger("nolr2").warning("two");
  err.restore();
  CHECK(err.text() == "No handlers could be found for logger \"nolr\"\n");
}

TEST_CASE("many threads may log while another reconfigures") {
  Logger& lg = get_logger("mt");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  auto h = capture(lg, NOTSET, "%(threadName)s %(message)s");
  std::atomic<bool> stop{false};
  std::thread reconfig([&] {
    auto extra_handler = std::make_shared<CaptureHandler>();
    while (!stop) {
      lg.add_handler(extra_handler);
      get_logger("mt.child").set_level(INFO);
      lg.remove_handler(extra_handler);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&lg, t] {
      set_thread_name("w" + std::to_string(t));
      for (int i = 0; i < 2000; ++i) lg.info("{} {}", t, i);
    });
  for (auto& t : threads) t.join();
  stop = true;
  reconfig.join();
  auto lines = h->lines();
  CHECK(lines.size() == 8000);
  std::set<std::string> unique(lines.begin(), lines.end());
  CHECK(unique.size() == 8000);
  CHECK(unique.count("w3 3 1999") == 1);
}

TEST_CASE("shutdown flushes and closes every handler in reverse creation order") {
  struct Recorder : Handler {
    Recorder(std::vector<std::string>& log, std::string id) : log_(log), id_(std::move(id)) {}
    void emit(LogRecord&) override {}
    void flush() override { log_.push_back("flush " + id_); }
    void close() override {
      log_.push_back("close " + id_);
      Handler::close();
    }
    std::vector<std::string>& log_;
    std::string id_;
  };
  std::vector<std::string> log;
  auto first = std::make_shared<Recorder>(log, "first");
  auto second = std::make_shared<Recorder>(log, "second");
  shutdown();
  // Other handlers of this process were created earlier and come after these two.
  REQUIRE(log.size() == 4);
  CHECK(log == Lines{"flush second", "close second", "flush first", "close first"});
  CHECK(first->closed());
}

TEST_CASE("a handler removed during a call lives until the call returns, then is freed") {
  Logger& lg = get_logger("chain.life");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  struct Blocking : Handler {
    std::atomic<int> state{0};  // 1: inside emit, 2: may return
    void emit(LogRecord&) override {
      state = 1;
      while (state.load() != 2) std::this_thread::yield();
    }
  };
  auto h = std::make_shared<Blocking>();
  std::weak_ptr<Blocking> weak = h;
  lg.add_handler(h);
  std::thread t([&] { lg.info("held"); });
  while (h->state.load() != 1) std::this_thread::yield();
  lg.remove_handler(h);
  auto* raw = h.get();
  h.reset();
  CHECK_FALSE(weak.expired());  // the logging thread still uses the old chain
  raw->state = 2;
  t.join();
  CHECK(weak.expired());
}

TEST_CASE("handlers that log nest deeper than the per-thread chain slots") {
  Logger& lg = get_logger("chain.deep");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  struct Recursive : Handler {
    Logger* lg = nullptr;
    std::vector<int> depths;
    void emit(LogRecord& r) override {
      int d = static_cast<int>(r.lineno);  // lineno carries the depth here
      depths.push_back(d);
      if (d < 8)
        lg->log_message(INFO, "deeper", Options::none(),
                        SourceLocation{"f", "g", static_cast<std::uint32_t>(d + 1)});
    }
  };
  auto h = std::make_shared<Recursive>();
  h->lg = &lg;
  lg.add_handler(h);
  lg.log_message(INFO, "top", Options::none(), SourceLocation{"f", "g", 1});
  CHECK(h->depths == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
  lg.remove_handler(h);
}
