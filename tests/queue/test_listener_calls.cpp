// A listener whose one handler is a FileHandler takes the queued logging calls it can write
// from their fields straight from the queue, with no LogRecord built (BuiltinQueue::
// get_batch_direct). These tests hold it to the record path's results: bytes, order,
// levels, filters, the QueueHandler's formatter, and the counts; and a queued call's time
// stamp to the time it was made.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dictlog/detail/clock.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/capture.hpp"
#include "support/queue_pipeline.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;
using Pipeline = dictlog::test::QueuePipeline;

namespace {

std::shared_ptr<FileHandler> file_with(const TempDir& d, const std::string& name,
                                       const std::string& format, char style = '%',
                                       std::optional<std::string> datefmt = std::nullopt) {
  auto file = std::make_shared<FileHandler>((d.path() / name).string());
  file->set_formatter(std::make_shared<Formatter>(format, datefmt, style));
  return file;
}

}  // namespace

TEST_CASE("calls and records queued between them reach the file in the order they were logged") {
  // A call with a list in its extra is queued as a LogRecord: each one ends the batch's
  // direct run.
  TempDir d;
  Pipeline p("calls.order");
  auto file = file_with(d, "order.log", "%(message)s");
  QueueListener listener(p.queue, {file});
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    if (i % 7 == 3) {
      p.logger.info(extra{{"k", Value::list({i})}}, "record {}", i);
      expected += "record " + std::to_string(i) + "\n";
    } else {
      p.logger.info("call {}", i);
      expected += "call " + std::to_string(i) + "\n";
    }
  }
  listener.start();
  listener.stop();
  CHECK(slurp(d.path() / "order.log") == expected);
  CHECK(file->stats().emitted == 300);
  CHECK(p.handler->stats().emitted == 300);
}

TEST_CASE("a call's line has its record's bytes, in every style and with the formats it leaves") {
  TempDir d;
  struct Case {
    const char* format;
    char style;
    std::optional<std::string> datefmt;
    const char* line;  // for info("request {} served in {} us", 7, 1234) from "calls.bytes"
  };
  const Case cases[] = {
      {"%(asctime)s %(levelname)s %(name)s %(message)s", '%', "[day]",
       "[day] INFO calls.bytes request 7 served in 1234 us"},
      {"{levelname}|{name}|{message}", '{', std::nullopt,
       "INFO|calls.bytes|request 7 served in 1234 us"},
      {"$name: $message ($levelname)", '$', std::nullopt,
       "calls.bytes: request 7 served in 1234 us (INFO)"},
      // Widths and other attributes: the record's path, for the same bytes.
      {"{levelname:<8}{message}", '{', std::nullopt, "INFO    request 7 served in 1234 us"},
      {"%(levelno)d %(message)s", '%', std::nullopt, "20 request 7 served in 1234 us"},
      // A literal longer than 8 bytes, a logger name longer than 32 in another case below.
      {">> a literal of some length: %(message)s <<", '%', std::nullopt,
       ">> a literal of some length: request 7 served in 1234 us <<"},
  };
  int n = 0;
  for (const Case& c : cases) {
    CAPTURE(c.format);
    Pipeline p("calls.bytes");
    const std::string name = "bytes" + std::to_string(n++) + ".log";
    auto file = file_with(d, name, c.format, c.style, c.datefmt);
    QueueListener listener(p.queue, {file});
    p.logger.info("request {} served in {} us", 7, 1234);
    p.logger.info("no arguments: {} stays");
    listener.start();
    listener.stop();
    std::string second = c.line;
    second.replace(second.find("request 7 served in 1234 us"), 27, "no arguments: {} stays");
    CHECK(slurp(d.path() / name) == std::string(c.line) + "\n" + second + "\n");
  }
  const std::string long_name = "calls.bytes.a.logger.name.longer.than.thirty.two";
  Pipeline p(long_name);
  auto file = file_with(d, "long.log", "%(name)s|%(levelname)s|%(message)s");
  QueueListener listener(p.queue, {file});
  p.logger.error("x={}", -5);
  listener.start();
  listener.stop();
  CHECK(slurp(d.path() / "long.log") == long_name + "|ERROR|x=-5\n");
}

TEST_CASE("queued calls meet the handler's level, its filters and the QueueHandler's formatter") {
  TempDir d;
  SUBCASE("respect_handler_level skips the calls below the handler's level") {
    Pipeline p("calls.level");
    auto file = file_with(d, "level.log", "%(levelname)s %(message)s");
    file->set_level(WARNING);
    QueueListener listener(p.queue, {file}, true);
    for (int i = 0; i < 6; ++i) {
      if (i % 2)
        p.logger.warning("w{}", i);
      else
        p.logger.info("i{}", i);
    }
    listener.start();
    listener.stop();
    CHECK(slurp(d.path() / "level.log") == "WARNING w1\nWARNING w3\nWARNING w5\n");
    CHECK(file->stats().emitted == 3);
    CHECK(p.handler->stats().emitted == 6);  // taken out of the queue, all six
  }
  SUBCASE("without it, the handler's level is the logger's business, not the listener's") {
    Pipeline p("calls.nolevel");
    auto file = file_with(d, "nolevel.log", "%(levelname)s %(message)s");
    file->set_level(WARNING);
    QueueListener listener(p.queue, {file});
    p.logger.info("i{}", 0);
    p.logger.warning("w{}", 1);
    listener.start();
    listener.stop();
    CHECK(slurp(d.path() / "nolevel.log") == "INFO i0\nWARNING w1\n");
  }
  SUBCASE("a filter on the file sees every call as a record") {
    Pipeline p("calls.filter");
    auto file = file_with(d, "filter.log", "%(message)s");
    file->add_filter([](LogRecord& r) { return r.get_message() != "call 2"; });
    QueueListener listener(p.queue, {file});
    for (int i = 0; i < 4; ++i) p.logger.info("call {}", i);
    listener.start();
    listener.stop();
    CHECK(slurp(d.path() / "filter.log") == "call 0\ncall 1\ncall 3\n");
    CHECK(file->stats().filtered == 1);
  }
  SUBCASE("a QueueHandler with a formatter prepares the message the file then formats") {
    Pipeline p("calls.prepared");
    p.handler->set_formatter(std::make_shared<Formatter>("Q %(levelname)s %(message)s"));
    auto file = file_with(d, "prepared.log", "%(name)s: %(message)s");
    QueueListener listener(p.queue, {file});
    p.logger.info("call {}", 1);
    p.logger.error("call {}", 2);
    listener.start();
    listener.stop();
    CHECK(slurp(d.path() / "prepared.log") ==
          "calls.prepared: Q INFO call 1\ncalls.prepared: Q ERROR call 2\n");
  }
}

TEST_CASE("a listener that takes calls straight from the queue still writes those logged later") {
  // Started first: the calls arrive while the listener waits, a few at a time.
  TempDir d;
  Pipeline p("calls.live");
  auto file = file_with(d, "live.log", "%(message)s");
  QueueListener listener(p.queue, {file});
  listener.start();
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    p.logger.info("line {}", i);
    expected += "line " + std::to_string(i) + "\n";
  }
  listener.stop();
  CHECK(slurp(d.path() / "live.log") == expected);
  CHECK(file->stats().emitted == 5000);
}

TEST_CASE("a call queued without a record carries the wall-clock time at which it was made") {
  // Its stamp is a TSC reading taken on the logging thread and read as wall-clock time by
  // the listener (detail::TickClock); a record's is the wall clock itself. Calls 20 ms apart:
  // a stamp taken at another time than its own call's falls outside its window.
  Pipeline p("calls.time");
  auto recording = std::make_shared<dictlog::test::RecordingHandler>();
  QueueListener listener(p.queue, {recording});
  p.logger.info("first {}", 0);  // a thread's first call may take the record path
  std::vector<std::pair<std::int64_t, std::int64_t>> windows;
  for (int i = 1; i <= 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::int64_t before = detail::wall_clock_ns();
    p.logger.info("call {}", i);
    windows.emplace_back(before, detail::wall_clock_ns());
  }
  listener.start();
  listener.stop();
  const auto records = recording->records();
  REQUIRE(records.size() == 4);
  // The TSC's rate is measured since the library started: allow its error over a second.
  constexpr std::int64_t kSlack = 2'000'000;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    INFO("call " << i + 1);
    CHECK(records[i + 1].get_message() == "call " + std::to_string(i + 1));
    CHECK(records[i + 1].created_ns >= windows[i].first - kSlack);
    CHECK(records[i + 1].created_ns <= windows[i].second + kSlack);
  }
}
