// dictlog::context: keys bound to a thread appear on its records, as the thread had them
// at the call, also when the record is formatted later on a listener's thread.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/context.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/capture.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;

namespace {

// A logger whose records go to a CaptureHandler formatting `fmt`.
struct Captured {
  Logger& lg;
  std::shared_ptr<CaptureHandler> h = std::make_shared<CaptureHandler>();
  Captured(const char* name, const char* fmt) : lg(get_logger(name)) {
    h->set_formatter(std::make_shared<Formatter>(fmt));
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(h);
  }
  ~Captured() { lg.remove_handler(h); }
};

// The same behind a QueueHandler, the capture on the listener's thread.
struct Queued {
  Logger& lg;
  std::shared_ptr<Queue> q = std::make_shared<Queue>();
  std::shared_ptr<QueueHandler> qh = std::make_shared<QueueHandler>(q);
  std::shared_ptr<CaptureHandler> h = std::make_shared<CaptureHandler>();
  QueueListener listener{q, {h}};
  Queued(const char* name, const char* fmt) : lg(get_logger(name)) {
    h->set_formatter(std::make_shared<Formatter>(fmt));
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(qh);
  }
  ~Queued() { lg.remove_handler(qh); }
};

}  // namespace

TEST_CASE("bound keys are record attributes until the scope ends; nested scopes restore") {
  Captured c("ctx.scopes", "%(message)s req=%(request_id)s user=%(user)s");
  {
    auto outer = context::bind({{"request_id", 42}, {"user", "alice"}});
    c.lg.info("start");
    {
      auto inner = context::bind({{"user", "bob"}});
      c.lg.info("inner {}", 1);
    }
    c.lg.info("after inner");
  }
  CHECK(context::current().empty());
  {
    dictlog::test::StderrCapture err;
    c.lg.info("unbound");  // %(request_id)s is no attribute now
    CHECK(err.text().find("ValueError: Formatting field not found in record: 'request_id'") !=
          std::string::npos);
  }
  auto lines = c.h->lines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "start req=42 user=alice");
  CHECK(lines[1] == "inner 1 req=42 user=bob");
  CHECK(lines[2] == "after inner req=42 user=alice");
}

TEST_CASE("a call's extra wins over the context for its record; the context key keeps its place") {
  Captured c("ctx.extra", "%(message)s %(k)s %(n)s");
  auto scope = context::bind({{"k", "ctx"}, {"n", 1}});
  c.lg.info("call", extra{{"k", "call"}});
  c.lg.info("plain");
  CHECK(c.h->lines() == std::vector<std::string>{"call call 1", "plain ctx 1"});

  // record.__dict__ (SocketHandler's pickle, HTTPHandler's form): context keys first.
  LogRecord r = make_log_record({{"msg", "m"}});
  r.context = context::current().shared();
  r.extra = {{"z", 0}, {"k", "call"}};
  std::string args;
  auto d = record_dict(r, args);
  std::vector<std::string> tail;
  for (std::size_t i = d.size() - 3; i < d.size(); ++i)
    tail.push_back(std::string(d[i].first) + "=" + str(d[i].second));
  CHECK(tail == std::vector<std::string>{"k=call", "n=1", "z=0"});
}

TEST_CASE("binding a key that names a record attribute throws Python's KeyError") {
  CHECK_THROWS_WITH_AS((void)context::bind({{"message", "x"}}),
                       "Attempt to overwrite 'message' in LogRecord", KeyError);
  CHECK_THROWS_AS((void)context::bind({{"levelname", "x"}}), KeyError);
  CHECK(context::current().empty());
}

TEST_CASE("the listener sees the context of the call, not the thread's context at format time") {
  Queued qd("ctx.queue", "%(message)s req=%(request_id)s");
  {
    auto a = context::bind({{"request_id", "A"}});
    qd.lg.info("first {}", 1);  // a format call: the direct path is not taken when bound
    qd.lg.info("literal");
  }
  // Bound again to a new value before the listener has run at all.
  auto b = context::bind({{"request_id", "B"}});
  qd.lg.info("second {}", 2);
  qd.listener.start();
  qd.listener.stop();
  CHECK(qd.h->lines() ==
        std::vector<std::string>{"first 1 req=A", "literal req=A", "second 2 req=B"});
}

TEST_CASE("attach hands a context to another thread; current() is a snapshot") {
  Captured c("ctx.attach", "%(message)s %(job)s");
  auto scope = context::bind({{"job", 7}});
  Context snap = context::current();
  {
    auto later = context::bind({{"job", 8}});  // does not change the snapshot
  }
  std::thread t([&] {
    CHECK(context::current().empty());
    auto s = context::attach(snap);
    c.lg.info("worker");
  });
  t.join();
  REQUIRE(snap.items().size() == 1);
  CHECK(c.h->lines() == std::vector<std::string>{"worker 7"});
}

TEST_CASE("8 threads, each with its own changing context, through one queue") {
  Queued qd("ctx.threads", "%(message)s %(worker)s %(step)s");
  qd.listener.start();
  constexpr int kThreads = 8, kSteps = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&qd, t] {
      auto w = context::bind({{"worker", t}});
      for (int i = 0; i < kSteps; ++i) {
        auto s = context::bind({{"step", i}});
        qd.lg.info("w{} s{}", t, i);
      }
    });
  for (auto& th : threads) th.join();
  qd.listener.stop();
  auto lines = qd.h->lines();
  REQUIRE(lines.size() == kThreads * kSteps);
  std::vector<int> next(kThreads, 0);
  for (const auto& l : lines) {
    int t = -1, i = -1, ct = -1, ci = -1;
    REQUIRE(std::sscanf(l.c_str(), "w%d s%d %d %d", &t, &i, &ct, &ci) == 4);
    CHECK(ct == t);
    CHECK(ci == i);
    CHECK(i == next[t]++);  // each thread's records in its order
  }
}
