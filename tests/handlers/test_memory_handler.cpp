// BufferingHandler and MemoryHandler against CPython 3.13's behaviour (reference §7.10-7.11);
// the expected values were produced by running the same steps with CPython 3.13.0.
#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <thread>

#include "dictlog/logger.hpp"
#include "dictlog/memory_handler.hpp"
#include "dictlog/shutdown.hpp"
#include "support/capture.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::StderrCapture;
using Lines = std::vector<std::string>;

namespace {
LogRecord rec(const char* msg, int level = INFO) {
  return make_log_record({{"msg", msg}, {"levelno", level}});
}
}  // namespace

TEST_CASE("capacity 3 flushes on the 3rd record, in order, bypassing the target's level") {
  auto target = std::make_shared<CaptureHandler>(CRITICAL);
  target->set_formatter(std::make_shared<Formatter>("%(name)s:%(levelname)s:%(message)s"));
  auto mem = std::make_shared<MemoryHandler>(3, ERROR, target);
  Logger& lg = get_logger("mem.capacity");
  lg.set_level(1);
  lg.set_propagate(false);
  lg.add_handler(mem);

  lg.debug("one");
  lg.info("two {}", 2);
  CHECK(target->lines().empty());
  CHECK(mem->buffer_size() == 2);
  lg.debug("three");
  CHECK(target->lines() ==
        Lines{"mem.capacity:DEBUG:one", "mem.capacity:INFO:two 2", "mem.capacity:DEBUG:three"});
  CHECK(mem->buffer_size() == 0);
  lg.remove_handler(mem);
}

TEST_CASE("a record at flush_level flushes everything buffered before it") {
  auto target = std::make_shared<CaptureHandler>();
  target->set_formatter(std::make_shared<Formatter>("%(levelname)s:%(message)s"));
  auto mem = std::make_shared<MemoryHandler>(100, WARNING, target);
  Logger& lg = get_logger("mem.level");
  lg.set_level(1);
  lg.set_propagate(false);
  lg.add_handler(mem);

  lg.info("a");
  lg.debug("b");
  CHECK(target->lines().empty());
  lg.warning("c");
  CHECK(target->lines() == Lines{"INFO:a", "DEBUG:b", "WARNING:c"});
  lg.error("d");  // above flush_level on an empty buffer: delivered at once
  CHECK(target->lines() == Lines{"INFO:a", "DEBUG:b", "WARNING:c", "ERROR:d"});
  CHECK(mem->flush_level() == WARNING);
  lg.remove_handler(mem);
}

TEST_CASE("the default flush_level is ERROR") {
  auto target = std::make_shared<CaptureHandler>();
  auto mem2 = std::make_shared<MemoryHandler>(100);
  CHECK(mem2->flush_level() == ERROR);
  mem2->set_target(target);
  LogRecord w = rec("w", WARNING);
  LogRecord e = rec("e", ERROR);
  mem2->handle(w);
  CHECK(target->lines().empty());
  mem2->handle(e);
  CHECK(target->lines() == Lines{"w", "e"});
}

TEST_CASE("the target's filters apply to flushed records") {
  auto target = std::make_shared<CaptureHandler>();
  target->add_filter([](LogRecord& r) { return r.msg() != "drop"; });
  auto mem = std::make_shared<MemoryHandler>(3, ERROR, target);
  for (const char* m : {"a", "drop", "c"}) {
    LogRecord r = rec(m);
    mem->handle(r);
  }
  CHECK(target->lines() == Lines{"a", "c"});
}

TEST_CASE("without a target the buffer is never cleared; set_target + flush delivers it") {
  auto mem = std::make_shared<MemoryHandler>(2);
  for (const char* m : {"0", "1", "2", "3", "4"}) {
    LogRecord r = rec(m);
    mem->handle(r);
  }
  CHECK(mem->buffer_size() == 5);
  CHECK(mem->target() == nullptr);
  auto target = std::make_shared<CaptureHandler>();
  mem->set_target(target);
  mem->flush();
  CHECK(target->lines() == Lines{"0", "1", "2", "3", "4"});
  CHECK(mem->buffer_size() == 0);
}

TEST_CASE("buffered records are copies that keep their arguments") {
  auto target = std::make_shared<CaptureHandler>();
  auto mem = std::make_shared<MemoryHandler>(10, ERROR, target);
  {
    LogRecord r = make_log_record({{"levelno", INFO}});
    r.set_msg("n={} s={}");
    std::string s = "temp";
    r.capture_args(42, s);
    mem->handle(r);
    s = "changed";
  }
  mem->flush();
  CHECK(target->lines() == Lines{"n=42 s=temp"});
}

TEST_CASE("close flushes when flush_on_close, then drops the target") {
  auto target = std::make_shared<CaptureHandler>();
  auto mem = std::make_shared<MemoryHandler>(10, ERROR, target);
  CHECK(mem->flush_on_close());
  LogRecord r = rec("x");
  mem->handle(r);
  mem->close();
  CHECK(target->lines() == Lines{"x"});
  CHECK(mem->target() == nullptr);
  CHECK(mem->buffer_size() == 0);
  CHECK(mem->closed());
}

TEST_CASE("flush_on_close false: close loses the buffer, the target never sees it") {
  auto target = std::make_shared<CaptureHandler>();
  auto mem = std::make_shared<MemoryHandler>(10, ERROR, target, false);
  CHECK_FALSE(mem->flush_on_close());
  LogRecord r = rec("x");
  mem->handle(r);
  mem->close();
  CHECK(target->lines().empty());
  CHECK(mem->target() == nullptr);
  CHECK(mem->buffer_size() == 1);  // as in Python: kept, but with nowhere to go
}

TEST_CASE("BufferingHandler just empties its buffer at capacity") {
  auto b = std::make_shared<BufferingHandler>(2);
  LogRecord r = rec("x");
  b->handle(r);
  CHECK(b->buffer_size() == 1);
  CHECK(b->buffer().at(0).msg() == "x");
  b->handle(r);
  CHECK(b->buffer_size() == 0);
  b->handle(r);
  b->close();
  CHECK(b->buffer_size() == 0);
  CHECK(b->closed());
}

TEST_CASE("class names and repr are Python's") {
  auto m = std::make_shared<MemoryHandler>(2);
  auto b = std::make_shared<BufferingHandler>(2);
  CHECK(m->repr() == "<MemoryHandler (NOTSET)>");
  CHECK(b->repr() == "<BufferingHandler (NOTSET)>");
}

TEST_CASE("an error while flushing goes to handle_error, never to the caller (deviation)") {
  auto target = std::make_shared<CaptureHandler>();
  target->add_filter([](LogRecord&) -> bool { throw std::runtime_error("filter broke"); });
  auto mem = std::make_shared<MemoryHandler>(1, ERROR, target);
  LogRecord r = make_log_record(
      {{"msg", "boom"}, {"levelno", INFO}, {"pathname", "/a/m.cpp"}, {"lineno", 7}});
  StderrCapture err;
  CHECK_NOTHROW(mem->handle(r));
  err.restore();
  CHECK(err.text() ==
        "--- Logging error ---\n"
        "std::runtime_error: filter broke\n"
        "Logged from file m.cpp, line 7\n"
        "Message: 'boom'\n"
        "Arguments: ()\n");
  CHECK(target->lines().empty());
  CHECK(mem->buffer_size() == 0);
}

TEST_CASE("records from many threads are each delivered once") {
  auto target = std::make_shared<CaptureHandler>();
  auto mem = std::make_shared<MemoryHandler>(7, CRITICAL, target);
  Logger& lg = get_logger("mem.threads");
  lg.set_level(1);
  lg.set_propagate(false);
  lg.add_handler(mem);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&lg, t] {
      for (int i = 0; i < 250; ++i) lg.info("t{} i{}", t, i);
    });
  for (auto& th : threads) th.join();
  mem->close();
  auto lines = target->lines();
  CHECK(lines.size() == 1000);
  std::set<std::string> unique(lines.begin(), lines.end());
  CHECK(unique.size() == 1000);
  CHECK(unique.count("t3 i249") == 1);
  lg.remove_handler(mem);
}

// Last: shutdown() closes every live handler in the process.
TEST_CASE("shutdown flushes a flush_on_close handler and skips one without") {
  auto kept_target = std::make_shared<CaptureHandler>();
  auto sent_target = std::make_shared<CaptureHandler>();
  auto kept = std::make_shared<MemoryHandler>(10, ERROR, kept_target, false);
  auto sent = std::make_shared<MemoryHandler>(10, ERROR, sent_target);
  LogRecord a = rec("kept");
  LogRecord b = rec("sent");
  kept->handle(a);
  sent->handle(b);
  shutdown();
  CHECK(kept_target->lines().empty());
  CHECK(sent_target->lines() == Lines{"sent"});
}
