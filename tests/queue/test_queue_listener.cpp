#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/capture.hpp"
#include "support/deque_queue.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::DequeQueue;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Lines = std::vector<std::string>;
using Handlers = std::vector<std::shared_ptr<Handler>>;

namespace {

LogRecord rec(const std::string& text, int level = INFO) {
  return make_log_record({{"msg", text}, {"levelno", level}, {"levelname", get_level_name(level)}});
}

template <class F>
bool wait_until(F f, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!f()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Counts records and flushes, and remembers which came first.
class EventHandler : public Handler {
 public:
  explicit EventHandler(int level = NOTSET) : Handler(level) {}
  void emit(LogRecord& r) override {
    std::lock_guard lock(m_);
    events_.push_back("emit " + r.get_message());
  }
  void flush() override {
    std::lock_guard lock(m_);
    events_.push_back("flush");
  }
  Lines events() const {
    std::lock_guard lock(m_);
    return events_;
  }

 private:
  mutable std::mutex m_;
  Lines events_;
};

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

TEST_CASE("records reach every handler, in order, with exact bytes through a FileHandler") {
  TempDir d;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  auto file = std::make_shared<FileHandler>((d.path() / "app.log").string());
  file->set_formatter(std::make_shared<Formatter>("%(levelname)s:%(name)s:%(message)s"));
  auto cap = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {file, cap});
  listener.start();
  Logger& lg = get_logger("ql.order");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  lg.add_handler(qh);
  for (int i = 0; i < 1000; ++i) lg.info("record {} of {}", i, 1000);
  lg.warning("caf\u00e9 {}", "\u2713");
  listener.stop();
  std::string expected;
  Lines lines;
  for (int i = 0; i < 1000; ++i) {
    expected += "INFO:ql.order:record " + std::to_string(i) + " of 1000\n";
    lines.push_back("record " + std::to_string(i) + " of 1000");
  }
  expected += "WARNING:ql.order:caf\u00e9 \u2713\n";
  lines.push_back("caf\u00e9 \u2713");
  CHECK(slurp(d.path() / "app.log") == expected);
  CHECK(cap->lines() == lines);
  lg.remove_handler(qh);
}

TEST_CASE("handler levels are ignored unless respect_handler_level") {
  for (bool respect : {false, true}) {
    CAPTURE(respect);
    auto q = std::make_shared<Queue>();
    auto errors_only = std::make_shared<CaptureHandler>(ERROR);
    auto all = std::make_shared<CaptureHandler>();
    QueueListener listener(q, {errors_only, all}, respect);
    CHECK(listener.respect_handler_level() == respect);
    q->put(rec("info", INFO));
    q->put(rec("error", ERROR));
    listener.start();
    listener.stop();
    CHECK(all->lines() == Lines{"info", "error"});
    CHECK(errors_only->lines() == (respect ? Lines{"error"} : Lines{"info", "error"}));
  }
}

TEST_CASE("handler filters still apply") {
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  h->add_filter([](LogRecord& r) { return r.get_message() != "secret"; });
  QueueListener listener(q, {h});
  listener.start();
  q->put(rec("a"));
  q->put(rec("secret"));
  q->put(rec("b"));
  listener.stop();
  CHECK(h->lines() == Lines{"a", "b"});
}

TEST_CASE("a lone FileHandler takes a batch as one run, with its level, filters and handle()") {
  // Queued before start(), the records reach the listener as one batch.
  struct CountingFileHandler : FileHandler {
    using FileHandler::FileHandler;
    bool handle(LogRecord& r) noexcept override {
      ++handled;
      return FileHandler::handle(r);
    }
    int handled = 0;
  };
  TempDir d;
  for (int kind = 0; kind < 3; ++kind) {
    CAPTURE(kind);
    auto q = std::make_shared<Queue>();
    const auto path = (d.path() / ("run" + std::to_string(kind) + ".log")).string();
    std::shared_ptr<FileHandler> file;
    auto counting = std::make_shared<CountingFileHandler>(path);
    if (kind == 2)
      file = counting;
    else
      file = std::make_shared<FileHandler>(path);
    file->set_level(WARNING);
    file->set_formatter(std::make_shared<Formatter>("%(levelname)s %(message)s"));
    if (kind == 1) file->add_filter([](LogRecord& r) { return r.get_message() != "w3"; });
    for (int i = 0; i < 6; ++i)
      q->put(rec((i % 2 ? "w" : "i") + std::to_string(i), i % 2 ? WARNING : INFO));
    QueueListener listener(q, {file}, true);
    listener.start();
    // Handled before stop(): a batch holding the sentinel goes record by record.
    CHECK(wait_until([&] { return file->stats().emitted + file->stats().filtered == 3; }));
    listener.stop();
    CHECK(slurp(path) ==
          (kind == 1 ? "WARNING w1\nWARNING w5\n" : "WARNING w1\nWARNING w3\nWARNING w5\n"));
    CHECK(file->stats().emitted == (kind == 1 ? 2 : 3));
    CHECK(file->stats().filtered == (kind == 1 ? 1 : 0));
    if (kind == 2) CHECK(counting->handled == 3);
  }
}

TEST_CASE("start while running raises RuntimeError; stop twice, or before start, does nothing") {
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {h});
  CHECK_FALSE(listener.running());
  listener.stop();  // never started
  listener.start();
  CHECK(listener.running());
  try {
    listener.start();
    FAIL("no exception");
  } catch (const RuntimeError& e) {
    CHECK(std::string(e.what()) == "Listener already started");
    CHECK(std::string(e.python_type()) == "RuntimeError");
  }
  q->put(rec("one"));
  listener.stop();
  CHECK_FALSE(listener.running());
  listener.stop();
  CHECK(h->lines() == Lines{"one"});
  // A stopped listener can start again, as in Python.
  q->put(rec("two"));
  listener.start();
  listener.stop();
  CHECK(h->lines() == Lines{"one", "two"});
  CHECK(q->empty());
}

TEST_CASE("a scope starts the listener and stops it at its end, draining (3.14's with)") {
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {h});
  {
    auto running = listener.scope();
    CHECK(listener.running());
    q->put(rec("inside"));
    try {
      auto again = listener.scope();  // already started: 3.14's RuntimeError
      FAIL("no exception");
    } catch (const RuntimeError& e) {
      CHECK(std::string(e.what()) == "Listener already started");
    }
    CHECK(listener.running());  // the failed scope did not stop it
  }
  CHECK_FALSE(listener.running());
  CHECK(h->lines() == Lines{"inside"});
}

TEST_CASE("counts: a bounded drop queue behind a slow handler, and a filter") {
  auto q = std::make_shared<Queue>(10);
  auto qh = std::make_shared<QueueHandler>(q);
  qh->add_filter([](LogRecord& r) { return r.get_message() != "secret"; });
  auto slow = std::make_shared<CaptureHandler>();
  slow->add_filter([](LogRecord& r) { return r.get_message() != "x7"; });
  StderrCapture err;  // each drop prints CPython's queue.Full report
  // No listener yet: the queue holds 10 records, the next 20 are dropped.
  for (int i = 0; i < 30; ++i) {
    LogRecord r = rec("x" + std::to_string(i));
    qh->handle(r);
  }
  LogRecord secret = rec("secret");
  qh->handle(secret);
  HandlerStats before = qh->stats();
  CHECK(before.dropped_queue_full == 20);
  CHECK(before.filtered == 1);
  CHECK(before.errors == 20);  // the queue.Full reports
  CHECK(before.emitted == 0);  // counted when the listener takes them
  QueueListener listener(q, {slow});
  listener.start();
  listener.stop();
  err.restore();
  HandlerStats after = qh->stats();
  CHECK(after.emitted == 10);
  CHECK(after.dropped() == 20);
  HandlerStats target = slow->stats();
  CHECK(target.emitted == 9);
  CHECK(target.filtered == 1);
  CHECK(target.dropped() == 0);
  CHECK(target.errors == 0);
  CHECK(slow->lines().size() == 9);
}

TEST_CASE("records queued before start are handled after it, before later ones") {
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {h});
  for (int i = 0; i < 100; ++i) q->put(rec("early " + std::to_string(i)));
  std::this_thread::sleep_for(10ms);
  CHECK(h->lines().empty());
  listener.start();
  q->put(rec("late"));
  listener.stop();
  Lines lines = h->lines();
  REQUIRE(lines.size() == 101);
  CHECK(lines.front() == "early 0");
  CHECK(lines[99] == "early 99");
  CHECK(lines.back() == "late");
}

TEST_CASE("stop drains everything queued before it") {
  auto q = std::make_shared<Queue>(50);  // bounded: the sentinel waits for room
  auto h = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {h});
  listener.start();
  for (int i = 0; i < 5000; ++i) q->put(rec(std::to_string(i)));
  listener.stop();
  Lines lines = h->lines();
  REQUIRE(lines.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(lines[static_cast<std::size_t>(i)] == std::to_string(i));
}

// A listener's drain of an unbounded queue goes on while producers keep it fed; a thread that
// starts putting meanwhile gets a buffer the drain has not looked at yet. The formatter below
// holds the drain at its first record (prepare runs there) while such a thread puts its records
// and the sentinel follows in the first buffer, behind a record the drain has seen: stop must
// still hand over every record.
TEST_CASE("stop hands over the records of a thread that began putting during a drain") {
  struct HoldingFormatter : Formatter {
    mutable std::atomic<bool> entered{false}, release{false};
    std::string format(const LogRecord& r) const override {
      if (!entered.exchange(true))
        while (!release.load()) std::this_thread::sleep_for(1ms);
      return Formatter::format(r);
    }
  };
  auto q = std::make_shared<Queue>();
  auto fmt = std::make_shared<HoldingFormatter>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(fmt);
  auto h = std::make_shared<CaptureHandler>();
  auto listener = std::make_shared<QueueListener>(q, Handlers{h});
  auto& log = get_logger("drain.late");
  log.set_level(DEBUG);
  log.set_propagate(false);
  log.add_handler(qh);
  log.info("first {}", 0);  // this thread's buffer: in the drain from its start
  log.info("first {}", 1);
  listener->start();
  REQUIRE(wait_until([&] { return fmt->entered.load(); }));
  std::thread([&] {
    for (int i = 0; i < 50; ++i) log.info("late {}", i);
  }).join();
  // stop() puts the sentinel into this thread's buffer, then waits for the listener.
  std::thread releaser([&] {
    wait_until([&] { return q->qsize() == 52; });
    fmt->release = true;
  });
  listener->stop();
  releaser.join();
  log.remove_handler(qh);
  Lines lines = h->lines();
  CHECK(q->qsize() == 0);
  REQUIRE(lines.size() == 52);
  CHECK(lines[0] == "first 0");
  CHECK(lines[1] == "first 1");
  for (int i = 0; i < 50; ++i)
    CHECK(lines[static_cast<std::size_t>(i + 2)] == fmt::format("late {}", i));
}

TEST_CASE("handlers are flushed when the queue runs dry, after the records of the batch") {
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<EventHandler>();
  QueueListener listener(q, {h});
  q->put(rec("a"));
  q->put(rec("b"));
  listener.start();
  REQUIRE(wait_until([&] { return h->events().size() >= 3; }));
  CHECK(h->events() == Lines{"emit a", "emit b", "flush"});
  q->put(rec("c"));
  REQUIRE(wait_until([&] { return h->events().size() >= 5; }));
  CHECK(h->events() == Lines{"emit a", "emit b", "flush", "emit c", "flush"});
  listener.stop();
}

TEST_CASE("an idle listener sleeps and wakes promptly when a record arrives") {
  auto q = std::make_shared<Queue>();
  std::atomic<long> seen{0};
  struct Counter : Handler {
    std::atomic<long>* n;
    explicit Counter(std::atomic<long>* c) : n(c) {}
    void emit(LogRecord&) override { ++*n; }
  };
  QueueListener listener(q, {std::make_shared<Counter>(&seen)});
  listener.start();
  std::this_thread::sleep_for(20ms);
  double cpu0 = cpu_seconds();
  std::this_thread::sleep_for(300ms);
  double idle_cpu = cpu_seconds() - cpu0;
  CHECK(idle_cpu < 0.05);  // a spinning thread would burn ~0.3 s here

  std::vector<double> latencies;
  for (int i = 0; i < 20; ++i) {
    long before = seen.load();
    auto t0 = std::chrono::steady_clock::now();
    q->put(rec("ping"));
    while (seen.load() == before) std::this_thread::yield();
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    std::this_thread::sleep_for(5ms);
  }
  std::sort(latencies.begin(), latencies.end());
  MESSAGE("median wake-up latency " << latencies[latencies.size() / 2] << " ms");
  // The median, not the maximum: a loaded CI machine may deschedule any single wake-up.
  CHECK(latencies[latencies.size() / 2] < 5.0);
  listener.stop();
}

TEST_CASE("a slow handler does not slow the producers") {
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  struct Slow : Handler {
    std::mutex m;
    Lines lines;
    void emit(LogRecord& r) override {
      std::this_thread::sleep_for(10ms);
      std::lock_guard lock(m);
      lines.push_back(r.get_message());
    }
    std::size_t count() {
      std::lock_guard lock(m);
      return lines.size();
    }
  };
  auto slow = std::make_shared<Slow>();
  QueueListener listener(q, {slow});
  listener.start();
  Logger& lg = get_logger("ql.slow");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  lg.add_handler(qh);
  constexpr int kThreads = 2, kEach = 50;
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) lg.info("t{} n{}", t, i);
    });
  for (auto& p : producers) p.join();
  // All 100 calls returned while the handler, at 10 ms a record, had seen only a few.
  std::size_t handled_when_done = slow->count();
  CHECK(handled_when_done < 50);
  listener.stop();
  REQUIRE(slow->lines.size() == kThreads * kEach);
  std::vector<int> next(kThreads, 0);
  for (const auto& line : slow->lines) {
    int t = 0, i = 0;
    REQUIRE(std::sscanf(line.c_str(), "t%d n%d", &t, &i) == 2);
    CHECK(i == next[static_cast<std::size_t>(t)]++);
  }
  lg.remove_handler(qh);
}

TEST_CASE("a handler that throws is reported and the listener carries on") {
  auto q = std::make_shared<Queue>();
  struct Throwing : Handler {
    void emit(LogRecord& r) override {
      if (r.get_message() == "bad") throw OSError("disk on fire");
    }
  };
  auto h = std::make_shared<CaptureHandler>();
  QueueListener listener(q, {std::make_shared<Throwing>(), h});
  StderrCapture cap;
  listener.start();
  LogRecord r = rec("bad");
  r.lineno = 7;
  r.pathname = "/src/app.cpp";
  q->put(std::move(r));
  q->put(rec("good"));
  listener.stop();
  cap.restore();
  CHECK(h->lines() == Lines{"bad", "good"});
  CHECK(cap.text() ==
        "--- Logging error ---\nOSError: disk on fire\nLogged from file app.cpp, line 7\n"
        "Message: 'bad'\nArguments: ()\n");
}

TEST_CASE("stop from a handler on the listener thread raises instead of deadlocking") {
  auto q = std::make_shared<Queue>();
  std::shared_ptr<QueueListener> listener;
  std::string error;
  struct Stopper : Handler {
    std::shared_ptr<QueueListener>* l;
    std::string* err;
    void emit(LogRecord&) override {
      try {
        (*l)->stop();
      } catch (const RuntimeError& e) {
        *err = e.what();
      }
    }
  };
  auto h = std::make_shared<Stopper>();
  h->l = &listener;
  h->err = &error;
  listener = std::make_shared<QueueListener>(q, Handlers{h});
  listener->start();
  q->put(rec("x"));
  listener->stop();
  CHECK(error == "cannot join current thread");
}

TEST_CASE("a listener serves a user-implemented queue, fed by a QueueHandler") {
  auto q = std::make_shared<DequeQueue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(std::make_shared<Formatter>("[%(name)s] %(message)s"));
  auto h = std::make_shared<CaptureHandler>();
  h->set_formatter(std::make_shared<Formatter>("%(levelname)s %(message)s"));
  QueueListener listener(q, {h});
  CHECK(listener.queue() == q);
  CHECK(listener.handlers().size() == 1);
  CHECK(listener.class_name() == "QueueListener");
  listener.start();
  Logger& lg = get_logger("ql.custom");
  lg.set_propagate(false);
  lg.add_handler(qh);
  lg.warning("w {}", 1);
  lg.error("e");
  listener.stop();
  CHECK(h->lines() == Lines{"WARNING [ql.custom] w 1", "ERROR [ql.custom] e"});
  CHECK(q->empty());
  lg.remove_handler(qh);
}

TEST_CASE("a subclass can prepare records for its handlers") {
  struct Upper : QueueListener {
    using QueueListener::QueueListener;
    ~Upper() override { stop(); }
    void prepare(LogRecord& r) override {
      std::string m = r.get_message();
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      r.set_msg_copy(m);
    }
  };
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  Upper listener(q, {h});
  listener.start();
  q->put(rec("quiet"));
  listener.stop();
  CHECK(h->lines() == Lines{"QUIET"});
}

TEST_CASE("a subclass's dequeue is what the thread takes records through") {
  // Python's recipe for a listener that reads its own queue: here it skips every other record.
  struct EveryOther : QueueListener {
    using QueueListener::QueueListener;
    ~EveryOther() override { stop(); }
    std::optional<LogRecord> dequeue(bool block) override {
      auto r = QueueListener::dequeue(block);
      if (r && !is_queue_sentinel(*r) && (calls++ % 2 == 1)) r->set_msg_copy("(skipped)");
      return r;
    }
    int calls = 0;
  };
  auto q = std::make_shared<Queue>();
  auto h = std::make_shared<CaptureHandler>();
  EveryOther listener(q, {h});
  for (const char* m : {"a", "b", "c"}) q->put(rec(m));
  listener.start();
  q->put(rec("d"));
  listener.stop();
  CHECK(h->lines() == Lines{"a", "(skipped)", "c", "(skipped)"});
  CHECK(listener.calls == 4);
}

TEST_CASE("a FileHandler on the listener batches its writes; a failed batch is reported once") {
  TempDir d;
  auto q = std::make_shared<Queue>();
  auto fh = std::make_shared<FileHandler>((d.path() / "batched.log").string());
  fh->set_formatter(std::make_shared<Formatter>("%(levelname)s %(message)s"));
  QueueListener listener(q, {fh});
  for (int i = 0; i < 3000; ++i) q->put(rec("line " + std::to_string(i)));
  listener.start();
  listener.stop();
  std::string want;
  for (int i = 0; i < 3000; ++i) want += "INFO line " + std::to_string(i) + "\n";
  CHECK(slurp(d.path() / "batched.log") == want);

  // /dev/full fails every write with ENOSPC: one report for the batch, not one per record.
  auto full = std::make_shared<FileHandler>("/dev/full");
  QueueListener failing(q, {full});
  StderrCapture err;
  for (int i = 0; i < 10; ++i) q->put(rec("lost"));
  failing.start();
  failing.stop();
  err.restore();
  std::string text = err.text();
  CHECK(text.find("[Errno 28] No space left on device") != std::string::npos);
  CHECK(text.find("<10 records written in one batch>") != std::string::npos);
  CHECK(text.find("--- Logging error ---") == text.rfind("--- Logging error ---"));
}
