#include <doctest/doctest.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <latch>
#include <new>
#include <sstream>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/capture.hpp"
#include "support/deque_queue.hpp"
#include "support/temp_dir.hpp"

// Counts heap allocations made by one thread while it asks for it.
namespace {
thread_local bool t_counting = false;
thread_local long t_allocations = 0;
}  // namespace
// Out of line, so that the compiler does not pair the malloc and free across the two.
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (t_counting) ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::DequeQueue;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

Logger& fresh_logger(const char* name) {
  Logger& lg = get_logger(name);
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  return lg;
}

std::shared_ptr<Formatter> make_fmt(const char* f) {
  return std::make_shared<Formatter>(f);
}

// A QueueHandler subclass: it does not opt in to the deferred prepare, so it prepares at
// the call, as CPython does.
class EagerQueueHandler : public QueueHandler {
 public:
  using QueueHandler::QueueHandler;
};

// Remembers on which threads it formatted.
class ThreadNotingFormatter : public Formatter {
 public:
  using Formatter::Formatter;
  std::string format(const LogRecord& r) const override {
    {
      std::lock_guard lock(m_);
      threads_.push_back(std::this_thread::get_id());
    }
    return Formatter::format(r);
  }
  std::vector<std::thread::id> threads() const {
    std::lock_guard lock(m_);
    return threads_;
  }

 private:
  mutable std::mutex m_;
  mutable std::vector<std::thread::id> threads_;
};

std::vector<LogRecord> drain(LogQueue& q) {
  std::vector<LogRecord> out;
  while (auto r = q.get(false)) out.push_back(std::move(*r));
  return out;
}

}  // namespace

TEST_CASE("the listener's handlers see CPython's prepared record; the traceback appears once") {
  TempDir d;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(make_fmt("QH[%(levelname)s] %(message)s"));
  auto fh = std::make_shared<FileHandler>((d.path() / "out.log").string());
  fh->set_formatter(make_fmt(
      "OUT<%(levelname)s> %(message)s|%(msg)s|%(name)s|%(exc_text)s|%(exc_info)s|%(stack_info)s"));
  QueueListener listener(q, {fh});
  Logger& lg = fresh_logger("qh.prep");
  lg.add_handler(qh);
  lg.debug("text {} {}", "a", 5);
  try {
    throw ValueError("bad");
  } catch (...) {
    lg.exception("failed");
  }
  listener.start();
  listener.stop();
  // CPython 3.13 prints the same, with a Python traceback in place of "ValueError: bad".
  CHECK(slurp(d.path() / "out.log") ==
        "OUT<DEBUG> QH[DEBUG] text a 5|QH[DEBUG] text a 5|qh.prep|None|None|None\n"
        "OUT<ERROR> QH[ERROR] failed\nValueError: bad|QH[ERROR] failed\nValueError: bad|"
        "qh.prep|None|None|None\n");
  lg.remove_handler(qh);
}

TEST_CASE("the deferred prepare runs on the consuming thread and gives the eager bytes") {
  const char* qh_format =
      "%(asctime)s.%(msecs)03d %(created)f %(relativeCreated)d %(threadName)s %(thread)d "
      "%(process)d %(name)s %(levelname)s %(levelno)s %(filename)s %(module)s %(funcName)s "
      "%(lineno)d %(message)s";
  auto lazy_fmt = std::make_shared<ThreadNotingFormatter>(qh_format);
  auto eager_fmt = std::make_shared<ThreadNotingFormatter>(qh_format);
  auto lazy_q = std::make_shared<Queue>();
  auto eager_q = std::make_shared<Queue>();
  auto lazy = std::make_shared<QueueHandler>(lazy_q);
  auto eager = std::make_shared<EagerQueueHandler>(eager_q);
  lazy->set_formatter(lazy_fmt);
  eager->set_formatter(eager_fmt);
  Logger& lg = fresh_logger("qh.lazy");
  lg.add_handler(lazy);
  lg.add_handler(eager);

  std::thread::id worker_id;
  std::thread worker([&] {
    set_thread_name("worker-7");
    worker_id = std::this_thread::get_id();
    std::string big(200, 'b');  // past the inline buffer
    lg.info("plain text with {braces} and 100%");
    lg.warning("user {} took {:.3f} s, ok={}", std::string("bob"), 1.23456, true);
    lg.error("big {} {}", big, -7);
    try {
      throw std::runtime_error("disk full");
    } catch (...) {
      lg.exception("failed {}", 3);
    }
    Options o;
    o.stack_info = true;
    lg.critical(o, "with stack {}", 1);
  });
  worker.join();
  std::this_thread::sleep_for(5ms);  // a different second or millisecond must not matter

  Formatter target("%(asctime)s|%(message)s|%(msg)s|%(exc_text)s|%(stack_info)s|%(threadName)s");
  std::vector<std::string> from_lazy, from_eager;
  for (auto& r : drain(*lazy_q)) {
    CHECK(r.args().empty());
    from_lazy.push_back(target.format(r));
  }
  for (auto& r : drain(*eager_q)) from_eager.push_back(target.format(r));
  REQUIRE(from_lazy.size() == 5);
  CHECK(from_lazy == from_eager);
  CHECK(from_lazy[0].find("worker-7") != std::string::npos);
  CHECK(from_lazy[3].find("\nstd::runtime_error: disk full|") != std::string::npos);

  for (auto id : lazy_fmt->threads()) CHECK(id == std::this_thread::get_id());
  for (auto id : eager_fmt->threads()) CHECK(id == worker_id);
  CHECK(lazy_fmt->threads().size() == 5);
  CHECK(eager_fmt->threads().size() == 5);
  lg.remove_handler(lazy);
  lg.remove_handler(eager);
}

TEST_CASE("a filter on the QueueHandler can read the message") {
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(make_fmt("%(levelname)s:%(message)s"));
  qh->add_filter([](LogRecord& r) { return r.get_message().find("keep") != std::string::npos; });
  Logger& lg = fresh_logger("qh.filter");
  lg.add_handler(qh);
  lg.info("keep {}", 1);
  lg.info("drop {}", 2);
  lg.info("keep {} too", std::string(150, 'k'));
  auto rs = drain(*q);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].get_message() == "INFO:keep 1");
  CHECK(rs[0].msg() == "INFO:keep 1");
  CHECK(rs[1].get_message() == "INFO:keep " + std::string(150, 'k') + " too");
  lg.remove_handler(qh);
}

TEST_CASE("a format error in the deferred prepare goes to handle_error and drops the record") {
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(make_fmt("%(foo)s %(message)s"));
  Logger& lg = fresh_logger("qh.fmterr");
  lg.add_handler(qh);
  int line = __LINE__ + 1;
  lg.warning("x {}", 1);
  std::vector<LogRecord> rs;
  std::string err;
  {
    StderrCapture cap;
    rs = drain(*q);
    cap.restore();
    err = cap.text();
  }
  CHECK(rs.empty());
  CHECK(err ==
        "--- Logging error ---\n"
        "ValueError: Formatting field not found in record: 'foo'\n"
        "Logged from file test_queue_handler.cpp, line " +
            std::to_string(line) +
            "\n"
            "Message: 'x {}'\nArguments: (1,)\n");
  CHECK(qh->dropped() == 0);
  lg.remove_handler(qh);
}

TEST_CASE("a full queue drops the record, counts it and reports queue.Full") {
  for (int eager_kind = 0; eager_kind < 2; ++eager_kind) {
    CAPTURE(eager_kind);
    auto q = std::make_shared<Queue>(2);
    std::shared_ptr<QueueHandler> qh =
        eager_kind ? std::make_shared<EagerQueueHandler>(q) : std::make_shared<QueueHandler>(q);
    CHECK(qh->overflow() == QueueHandler::Overflow::drop);
    Logger& lg = fresh_logger("qh.full");
    lg.add_handler(qh);
    std::string err;
    int line = 0;
    {
      StderrCapture cap;
      lg.warning("r0");
      lg.warning("r1");
      for (int i = 0; i < 3; ++i) {
        line = __LINE__ + 1;
        lg.warning("two {}", "x");
      }
      cap.restore();
      err = cap.text();
    }
    std::string block =
        "--- Logging error ---\nqueue.Full\nLogged from file test_queue_handler.cpp, line " +
        std::to_string(line) + "\nMessage: 'two {}'\nArguments: ('x',)\n";
    CHECK(err == block + block + block);
    CHECK(qh->dropped() == 3);
    auto rs = drain(*q);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].get_message() == "r0");
    CHECK(rs[1].get_message() == "r1");
    lg.remove_handler(qh);
  }
}

TEST_CASE("Overflow::block makes the caller wait for room instead of dropping") {
  auto q = std::make_shared<Queue>(1);
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_overflow(QueueHandler::Overflow::block);
  Logger& lg = fresh_logger("qh.block");
  lg.add_handler(qh);
  constexpr int kCount = 200;
  std::atomic<int> logged{0};
  StderrCapture cap;
  std::thread producer([&] {
    for (int i = 0; i < kCount; ++i) {
      lg.info("n{}", i);
      ++logged;
    }
  });
  std::this_thread::sleep_for(20ms);
  CHECK(logged.load() <= 2);  // waiting for room, not dropping
  for (int i = 0; i < kCount; ++i) {
    auto r = q->get();
    REQUIRE(r);
    CHECK(r->get_message() == "n" + std::to_string(i));
    if (i % 50 == 0) std::this_thread::sleep_for(1ms);
  }
  producer.join();
  cap.restore();
  CHECK(cap.text() == "");
  CHECK(qh->dropped() == 0);
  CHECK(q->empty());
  lg.remove_handler(qh);
}

TEST_CASE("queue(), listener() and the Python names") {
  auto q = std::make_shared<SimpleQueue>();
  auto qh = std::make_shared<QueueHandler>(q);
  CHECK(qh->queue() == q);
  CHECK(qh->listener() == nullptr);
  auto l = std::make_shared<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{});
  qh->set_listener(l);
  CHECK(qh->listener() == l);
  CHECK(qh->class_name() == "QueueHandler");
  CHECK(qh->repr() == "<QueueHandler (NOTSET)>");
  CHECK_THROWS_AS(QueueHandler(nullptr), ValueError);
}

TEST_CASE("a custom queue receives records already prepared at the call") {
  auto q = std::make_shared<DequeQueue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(make_fmt("%(name)s/%(message)s"));
  Logger& lg = fresh_logger("qh.custom");
  lg.add_handler(qh);
  lg.info("v={}", 3);
  REQUIRE(q->qsize() == 1);
  const LogRecord& r = q->front();
  CHECK(r.has_message());
  CHECK(r.args().empty());
  CHECK(r.msg() == "qh.custom/v=3");
  CHECK(r.get_message() == "qh.custom/v=3");
  lg.remove_handler(qh);
}

namespace {
class CountingHandler : public Handler {
 public:
  void emit(LogRecord& r) override {
    r.get_message();
    ++count;
  }
  std::atomic<long> count{0};
};
}  // namespace

TEST_CASE("logging through a QueueHandler allocates nothing on the calling thread") {
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_formatter(make_fmt("%(asctime)s %(levelname)s %(name)s: %(message)s"));
  auto sink = std::make_shared<CountingHandler>();
  QueueListener listener(q, {sink});
  Logger& lg = fresh_logger("qh.alloc");
  lg.add_handler(qh);
  std::string user = "alice";
  auto log_some = [&](int n) {
    for (int i = 0; i < n; ++i)
      lg.info("user {} did {} in {} ms (try {})", user, std::string_view("login"), 3.25, i);
  };
  // Warm-up: the thread's name, level names, and the queue's pool of chunks grow once.
  log_some(3000);
  listener.start();
  while (sink->count.load() < 3000) std::this_thread::sleep_for(1ms);

  t_allocations = 0;
  t_counting = true;
  log_some(2000);
  t_counting = false;
  CHECK(t_allocations == 0);

  listener.stop();
  CHECK(sink->count.load() == 5000);
  lg.remove_handler(qh);
}

TEST_CASE("a call queued without a record carries its thread's ident and the name it had then") {
  // The logger's only handler is a QueueHandler on an unbounded queue: calls after a
  // thread's first go into its buffer with one pointer to an interned (ident, name) pair,
  // which set_thread_name must replace.
  auto q = std::make_shared<Queue>();
  Logger& lg = fresh_logger("qh.identity");
  lg.add_handler(std::make_shared<QueueHandler>(q));
  std::uint64_t idents[2] = {};
  std::latch both_running(2);
  auto work = [&](int t) {
    idents[t] = static_cast<std::uint64_t>(pthread_self());
    both_running.arrive_and_wait();  // live together: two idents, one name
    set_thread_name("first");
    for (int i = 0; i < 3; ++i) lg.info("{} {}", t, i);
    set_thread_name("second-" + std::to_string(t));
    for (int i = 3; i < 6; ++i) lg.info("{} {}", t, i);
    set_thread_name("first");  // a name taken before: its pair again
    lg.info("{} {}", t, 6);
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  std::vector<LogRecord> out;
  while (q->get_batch(out, 1000, false) > 0) {
  }
  REQUIRE(out.size() == 14);
  REQUIRE(idents[0] != idents[1]);
  for (const LogRecord& r : out) {
    const std::string m = r.get_message();
    const int t = m[0] - '0', i = m[2] - '0';
    CAPTURE(m);
    CHECK(r.thread == idents[t]);
    CHECK(r.thread_name == (i < 3 || i == 6 ? "first" : "second-" + std::to_string(t)));
  }
}
