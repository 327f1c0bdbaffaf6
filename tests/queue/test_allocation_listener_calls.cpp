// Heap allocations on a QueueListener's thread when it writes lines straight from queued
// calls: an unbounded Queue() and one FileHandler, the bench's pipeline, where the listener
// builds no LogRecord (a plain %-format, and a JsonFormatter with scalar and string
// extras). test_allocation_listener.cpp counts the record path, which its second handler
// (the one that marks the listener thread) forces; here a filter marks the thread once and
// is removed before counting, so that the handler is alone and filterless again.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "dictlog/file_handler.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/counting_new.hpp"
#include "support/own_time_formatter.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using namespace std::chrono_literals;
using dictlog::test::OwnTimeFormatter;
using dictlog::test::slurp;
using dictlog::test::TempDir;

namespace {

std::atomic<long> g_listener_allocs{0};
// As test_allocation_listener.cpp: a buffer may still grow once; one per record is 20000.
constexpr long kOneOffAllocs = 10;

// The lines of a file that only grows, counted in the bytes added since the last call:
// the tests poll it every millisecond while the file grows to 30 MB.
class LineCount {
 public:
  explicit LineCount(std::filesystem::path p) : path_(std::move(p)) {}
  long operator()() {
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(read_));
    char buf[65536];
    while (in.read(buf, sizeof buf), in.gcount() > 0) {
      const auto n = static_cast<std::size_t>(in.gcount());
      lines_ += static_cast<long>(std::count(buf, buf + n, '\n'));
      read_ += n;
    }
    return lines_;
  }

 private:
  std::filesystem::path path_;
  std::size_t read_ = 0;
  long lines_ = 0;
};

// logger -> QueueHandler(Queue()) -> QueueListener -> FileHandler.
struct CallPipeline {
  TempDir dir;
  std::filesystem::path path = dir / "out.log";
  std::shared_ptr<FileHandler> file = std::make_shared<FileHandler>(path.string(), "w");
  std::shared_ptr<Queue> q = std::make_shared<Queue>();
  std::shared_ptr<QueueHandler> qh = std::make_shared<QueueHandler>(q);
  std::unique_ptr<QueueListener> listener;
  LineCount lines_in{path};
  Logger& lg;
  long logged = 0;

  CallPipeline(const char* name, std::shared_ptr<Formatter> f) : lg(get_logger(name)) {
    file->set_formatter(std::move(f));
    listener = std::make_unique<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{file});
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(qh);
    listener->start();
    // Runs on the listener's thread, once: the counter stays marked for good.
    FilterRef mark([](LogRecord&) {
      dictlog::test::t_alloc_counter = &g_listener_allocs;
      return true;
    });
    file->add_filter(mark);
    lg.info("mark");
    wait_lines(++logged);
    file->remove_filter(mark);
    REQUIRE_FALSE(file->has_filters());
  }
  ~CallPipeline() {
    listener->stop();
    lg.remove_handler(qh);
    file->close();
  }
  void wait_lines(long n) {
    for (int i = 0; i < 10000 && lines_in() < n; ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(lines_in() == n);
  }
  // `n` calls of `call(i)` in bursts of 1000, each written out before the next: the
  // listener's allocations over the last `counted` of them.
  template <class Call>
  long count(long warm, long counted, Call call) {
    auto run = [&](long n) {
      for (long i = 0; i < n; ++i) {
        call(i);
        if (++logged % 1000 == 0) wait_lines(logged);
      }
      wait_lines(logged);
    };
    run(warm);
    g_listener_allocs = 0;
    dictlog::test::g_count_allocs = true;
    run(counted);
    dictlog::test::g_count_allocs = false;
    return g_listener_allocs.exchange(0);
  }
};

JsonFormatterOptions json_options() {
  JsonFormatterOptions o;
  o.fmt = "%(asctime)s %(levelname)s %(name)s %(message)s";
  return o;
}

}  // namespace

TEST_CASE("lines written from queued calls with a %-format: no allocation per record") {
  CallPipeline p("alloc.calls.plain",
                 std::make_shared<Formatter>("%(asctime)s %(levelname)s %(name)s %(message)s"));
  const long allocs = p.count(5000, 20000, [&](long i) {
    p.lg.info("request {} served in {} us", static_cast<int>(i), static_cast<int>(i % 977));
  });
  MESSAGE("listener allocations over 20000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  CHECK(slurp(p.path).find(" INFO alloc.calls.plain request 19999 served in 459 us\n") !=
        std::string::npos);
}

TEST_CASE("lines of long messages from queued calls with a %-format: no allocation per record") {
  CallPipeline p("alloc.calls.plain_long",
                 std::make_shared<Formatter>("%(asctime)s %(levelname)s %(name)s %(message)s"));
  const std::string word(1500, 'w');
  const long allocs =
      p.count(2000, 20000, [&](long i) { p.lg.info("{} {}", word, static_cast<int>(i)); });
  MESSAGE("listener allocations over 20000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  CHECK(slurp(p.path).find(" INFO alloc.calls.plain_long " + word + " 19999\n") !=
        std::string::npos);
}

TEST_CASE("JSON lines from queued calls with scalar and string extras: no allocation per record") {
  CallPipeline p("alloc.calls.json", std::make_shared<JsonFormatter>(json_options()));
  const long allocs = p.count(5000, 20000, [&](long i) {
    p.lg.info({dictlog::extra{{"user", "alice"}, {"amount", 12.5}, {"n", i}}}, "paid {}",
              static_cast<int>(i));
  });
  MESSAGE("listener allocations over 20000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  CHECK(slurp(p.path).find(R"("name": "alloc.calls.json", "message": "paid 19999", )"
                           R"("user": "alice", "amount": 12.5, "n": 19999})"
                           "\n") != std::string::npos);
}

TEST_CASE(
    "JSON lines of messages longer than the listener's stack buffer: no allocation per "
    "record") {
  CallPipeline p("alloc.calls.json_long", std::make_shared<JsonFormatter>(json_options()));
  const std::string word(1500, 'w');
  const long allocs =
      p.count(2000, 20000, [&](long i) { p.lg.info("{} {}", word, static_cast<int>(i)); });
  MESSAGE("listener allocations over 20000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  CHECK(slurp(p.path).find("\"message\": \"" + word + " 19999\"}\n") != std::string::npos);
}

TEST_CASE("a JSON message past 64 KiB: its room is given back after each line") {
  // So that a rare giant message does not stay resident on the listener's thread.
  CallPipeline p("alloc.calls.json_giant", std::make_shared<JsonFormatter>(json_options()));
  const std::string word(100 * 1024, 'g');
  const long allocs =
      p.count(10, 100, [&](long i) { p.lg.info("{} {}", word, static_cast<int>(i)); });
  MESSAGE("listener allocations over 100 records: " << allocs);
  CHECK(allocs >= 100);
  CHECK(slurp(p.path).find("\"message\": \"" + word + " 99\"}\n") != std::string::npos);
}

TEST_CASE("JSON lines with a timestamp key and a key repeated: no allocation per record") {
  // The object built as python-json-logger's dict (a repeated key keeps its first place),
  // and the ISO time of each line.
  JsonFormatterOptions o = json_options();
  o.timestamp = "timestamp";
  CallPipeline p("alloc.calls.dict", std::make_shared<JsonFormatter>(o));
  const long allocs = p.count(2000, 20000, [&](long i) {
    p.lg.info({dictlog::extra{{"user", "alice"}, {"user", "bob"}}}, "n {}", static_cast<int>(i));
  });
  MESSAGE("listener allocations over 20000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  const std::string text = slurp(p.path);
  CHECK(text.find(R"("message": "n 19999", "user": "bob", "timestamp": ")") != std::string::npos);
  CHECK(text.find("+00:00\"}\n") != std::string::npos);
}

TEST_CASE("the count sees the listener's allocations: an overridden format_time allocates") {
  CallPipeline p("alloc.calls.own_time", std::make_shared<OwnTimeFormatter>(
                                             "%(asctime)s %(levelname)s %(name)s %(message)s"));
  const long allocs = p.count(1000, 2000, [&](long i) { p.lg.info("n {}", static_cast<int>(i)); });
  MESSAGE("listener allocations over 2000 records: " << allocs);
  CHECK(allocs >= 2000);
  CHECK(slurp(p.path).find(" (own) INFO alloc.calls.own_time n 1999\n") != std::string::npos);
}
