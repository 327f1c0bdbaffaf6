// Heap allocations on a QueueListener's thread in steady state, on its record path: none
// for a FileHandler or a StreamHandler with a %-style format (issue 6) or a JsonFormatter,
// counted by replacing the global operator new for this executable. test_allocation.cpp
// counts the calling thread, test_allocation_listener_calls.cpp the listener's call path.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "dictlog/file_handler.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/stream_handler.hpp"
#include "support/counting_new.hpp"
#include "support/own_time_formatter.hpp"
#include "support/temp_dir.hpp"

namespace {
// Only threads that marked themselves count, and only while counting is on.
std::atomic<bool>& g_counting = dictlog::test::g_count_allocs;
std::atomic<long> g_listener_allocs{0};
}  // namespace

using namespace dictlog;
using namespace std::chrono_literals;
using dictlog::test::OwnTimeFormatter;
using dictlog::test::slurp;
using dictlog::test::TempDir;

namespace {

constexpr const char* kFormat = "%(asctime)s %(levelname)s %(name)s %(message)s";
// Steady state, not zero: a buffer may still grow once (a batch larger than any of the
// warm-up, seen under ASan's slower clock), but one allocation per record would be 10000.
constexpr long kOneOffAllocs = 10;

// Last handler of the listener: marks the listener thread as counted and counts records.
class Marker : public Handler {
 public:
  void emit(LogRecord&) override {
    dictlog::test::t_alloc_counter = &g_listener_allocs;
    seen.fetch_add(1, std::memory_order_release);
  }
  std::atomic<long> seen{0};
};

// logger -> QueueHandler(Queue()) -> QueueListener -> {handler, Marker}, the pipeline of
// bench/ (scenario f).
struct Pipeline {
  std::shared_ptr<Queue> q;
  std::shared_ptr<QueueHandler> qh;
  std::shared_ptr<Marker> marker = std::make_shared<Marker>();
  std::unique_ptr<QueueListener> listener;
  Logger& lg;
  long burst;
  long logged = 0;
  dictlog::extra extra;  // each call's, when not empty
  std::string word;      // when not empty, each message is "<word> <i>"

  // A bounded queue by default: its consumer side (chunks handed over whole) allocates
  // nothing itself, so every allocation counted is the prepare's or the handlers'.
  Pipeline(const char* name, std::shared_ptr<Handler> h, std::size_t maxsize = 8192,
           long burst_size = 500)
      : q(std::make_shared<Queue>(maxsize)),
        qh(std::make_shared<QueueHandler>(q)),
        lg(get_logger(name)),
        burst(burst_size) {
    listener = std::make_unique<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{h, marker});
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(qh);
    listener->start();
  }
  ~Pipeline() {
    listener->stop();
    lg.remove_handler(qh);
  }
  // Bursts, each handled before the next: the listener's batches stay within the capacity
  // it reserved (and within the queue), so what is counted is per record.
  void log(long n) {
    for (long i = 0; i < n; ++i) {
      if (!word.empty())
        lg.info("{} {}", word, static_cast<int>(i));
      else if (!extra.empty())
        lg.info(Options(extra), "request {} served in {} us", static_cast<int>(i),
                static_cast<int>(i % 977));
      else
        lg.info("request {} served in {} us", static_cast<int>(i), static_cast<int>(i % 977));
      if (++logged % burst == 0) wait();
    }
    wait();
  }
  void wait() const {
    while (marker->seen.load(std::memory_order_acquire) < logged) std::this_thread::sleep_for(1ms);
  }
  // The listener's allocations over `n` records, after `warm` records of warm-up (buffers
  // grown, this second's asctime rendered, the thread named).
  long count(long warm, long n) {
    log(warm);
    g_listener_allocs = 0;
    g_counting = true;
    log(n);
    g_counting = false;
    return g_listener_allocs.exchange(0);
  }
};

// `warm` and then `n` records through a Pipeline to a FileHandler with formatter `f`:
// checks that the listener allocated at most kOneOffAllocs times over the last `n` and that
// every line was written, and returns the file's text.
std::string run_to_file(const char* name, std::shared_ptr<Formatter> f, long warm, long n,
                        dictlog::extra extra = {}, std::size_t maxsize = 8192, long burst = 500,
                        std::string word = {}) {
  TempDir dir;
  auto file = std::make_shared<FileHandler>((dir / "out.log").string(), "w");
  file->set_formatter(std::move(f));
  long allocs;
  {
    Pipeline p(name, file, maxsize, burst);
    p.extra = std::move(extra);
    p.word = std::move(word);
    allocs = p.count(warm, n);
  }
  MESSAGE("listener allocations over " << n << " records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  file->close();
  // Every record was written (the batch buffer flushed whenever the queue ran dry).
  std::string text = slurp(dir / "out.log");
  CHECK(std::count(text.begin(), text.end(), '\n') == warm + n);
  return text;
}

}  // namespace

TEST_CASE("a FileHandler behind a QueueListener: no allocation per record in steady state") {
  const std::string text =
      run_to_file("alloc.listener.file", std::make_shared<Formatter>(kFormat), 5000, 10000);
  CHECK(text.find(" INFO alloc.listener.file request 9999 served in 229 us\n") !=
        std::string::npos);
}

TEST_CASE("records of 1.5 KB messages behind a QueueListener: no allocation per record") {
  // The messages are formatted into the listener's text arena, batch after batch of
  // varying size: it keeps the chunks its larger batches need.
  const std::string word(1500, 'w');
  const std::string text = run_to_file("alloc.listener.long", std::make_shared<Formatter>(kFormat),
                                       5000, 10000, {}, 8192, 500, word);
  CHECK(text.find(" INFO alloc.listener.long " + word + " 9999\n") != std::string::npos);
}

TEST_CASE("a StreamHandler behind a QueueListener: no allocation per record in steady state") {
  TempDir dir;
  int fd = ::open((dir / "out.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  auto stream = std::make_shared<StreamHandler>(std::make_shared<FdStream>(fd, "out.log"));
  stream->set_formatter(std::make_shared<Formatter>(kFormat));
  long allocs;
  {
    Pipeline p("alloc.listener.stream", stream);
    allocs = p.count(5000, 10000);
  }
  ::close(fd);
  MESSAGE("listener allocations over 10000 records: " << allocs);
  CHECK(allocs <= kOneOffAllocs);
  std::string text = slurp(dir / "out.log");
  CHECK(std::count(text.begin(), text.end(), '\n') == 15000);
}

TEST_CASE("a JsonFormatter behind a QueueListener, records with extras: no allocation per record") {
  // The record path (the Marker makes two handlers): the line built from the LogRecord,
  // with a timestamp key and an extra that repeats another's key.
  JsonFormatterOptions o;
  o.fmt = kFormat;
  o.timestamp = "timestamp";
  const std::string text =
      run_to_file("alloc.listener.json", std::make_shared<JsonFormatter>(o), 5000, 10000,
                  dictlog::extra{{"user", "alice"}, {"amount", 12.5}, {"user", "bob"}});
  CHECK(text.find(R"("message": "request 9999 served in 229 us", "user": "bob", "amount": 12.5, )"
                  R"("timestamp": ")") != std::string::npos);
}

TEST_CASE("the bench's pipeline, an unbounded Queue(): no allocation per record") {
  // The consumer of the per-thread buffers keeps its scratch between batches, and the
  // buffer it reads was grown during the warm-up.
  run_to_file("alloc.listener.unbounded", std::make_shared<Formatter>(kFormat), 6000, 20000, {}, 0,
              2000);
}

TEST_CASE("the count sees the listener's allocations: an overridden format_time allocates") {
  TempDir dir;
  auto file = std::make_shared<FileHandler>((dir / "out.log").string(), "w");
  file->set_formatter(std::make_shared<OwnTimeFormatter>(kFormat));
  long allocs;
  {
    Pipeline p("alloc.listener.own_time", file);
    allocs = p.count(1000, 1000);
  }
  CHECK(allocs >= 1000);
  file->close();
  CHECK(slurp(dir / "out.log").find(" (own) INFO alloc.listener.own_time request 999 ") !=
        std::string::npos);
}
