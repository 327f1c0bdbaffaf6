// Lazy formatting (the record's arguments captured at the call, formatted on the thread
// that takes the record out of the queue) writes the bytes eager formatting writes, for
// every formatter style and for records with extra, exceptions and non-ASCII text.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/detail/clock.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "support/capture.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;

namespace {

// Not a plain QueueHandler, so it prepares at the call, as CPython does.
class EagerQueueHandler : public QueueHandler {
 public:
  using QueueHandler::QueueHandler;
};

struct Style {
  char style;
  const char* fmt;
};

// Every attribute a record carries from the call, and the user's `extra` key (with a
// default for the records that have none).
const Style kStyles[] = {
    {'%',
     "%(asctime)s,%(msecs)03d|%(created)f|%(relativeCreated)d|%(levelname)-8s|%(levelno)d|"
     "%(name)s|%(pathname)s|%(filename)s|%(module)s|%(funcName)s|%(lineno)d|%(thread)d|"
     "%(threadName)s|%(process)d|%(processName)s|%(user)s|%(message)r|%(message)s"},
    {'{',
     "{asctime},{msecs:03.0f}|{created:f}|{relativeCreated:.0f}|{levelname:<8}|{levelno}|"
     "{name}|{pathname}|{filename}|{module}|{funcName}|{lineno}|{thread}|{threadName}|"
     "{process}|{processName}|{user!r}|{message!r}|{message:>30}"},
    {'$',
     "${asctime}|$created|$levelname|$levelno|$name|$filename|$module|$funcName|$lineno|"
     "$threadName|$process|$user|$message"},
};

// The calls, made on a named thread; every kind of argument the capture stores.
void log_everything(Logger& lg) {
  set_thread_name("wörker");
  lg.info("plain text, {braces} and 100% kept");
  lg.info("ints {} {:+d} {:#x} {:>6}", 42, -7, 255u, static_cast<short>(3));
  lg.warning("floats {} {:.3f} {:e} {}", 0.1, 2.0 / 3.0, 1e20, -0.0f);
  lg.error("text {} {}? {} {} {}", std::string("naïve café"), "日本語", std::string_view("✓"), 'c',
           true);
  lg.info(dictlog::extra{{"user", "zoë"}, {"n", 3}}, "with extra {}", "é");
  lg.warning("literal with non-ASCII: Grüße, 你好, emoji 🎉", dictlog::extra{{"user", "ü"}});
  try {
    throw std::runtime_error("disk fülle ✗");
  } catch (...) {
    lg.exception("failed {} times: {}", 3, "ä");
  }
  Options o;
  o.stack_info = true;
  lg.critical(o, "with stack {}", 1);
  lg.debug("pointer-free scalars {} {} {}", 1ull << 63, static_cast<signed char>(-1), 1.5f);
}

}  // namespace

TEST_CASE("lazy and eager formatting give the same bytes, for %, { and $ styles") {
  for (const Style& st : kStyles) {
    CAPTURE(st.style);
    auto f = std::make_shared<Formatter>(st.fmt, std::nullopt, st.style, true,
                                         dictlog::extra{{"user", "-"}});
    auto lazy_q = std::make_shared<Queue>();
    auto eager_q = std::make_shared<Queue>();
    auto lazy = std::make_shared<QueueHandler>(lazy_q);
    auto eager = std::make_shared<EagerQueueHandler>(eager_q);
    auto direct = std::make_shared<CaptureHandler>();
    lazy->set_formatter(f);
    eager->set_formatter(f);
    direct->set_formatter(f);
    Logger& lg = get_logger(std::string("lazy.") + st.style);
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(lazy);
    lg.add_handler(eager);
    lg.add_handler(direct);
    std::thread t([&] { log_everything(lg); });
    t.join();

    // What a listener's handler writes: the prepared record's message.
    Formatter out("%(message)s");
    std::vector<std::string> from_lazy, from_eager;
    while (auto r = lazy_q->get(false)) from_lazy.push_back(out.format(*r));
    while (auto r = eager_q->get(false)) from_eager.push_back(out.format(*r));
    std::vector<std::string> from_direct = direct->lines();
    REQUIRE(from_direct.size() == 9);
    CHECK(from_lazy == from_direct);
    CHECK(from_eager == from_direct);
    // The inputs did reach the output: a guard against comparing empty strings.
    CHECK(from_direct[3].find("naïve café") != std::string::npos);
    CHECK(from_direct[3].find("wörker") != std::string::npos);
    CHECK(from_direct[4].find("zoë") != std::string::npos);
    CHECK(from_direct[6].find("\nstd::runtime_error: disk fülle ✗") != std::string::npos);
    CHECK(from_direct[7].find("\nStack (most recent call last):") != std::string::npos);
    lg.remove_handler(lazy);
    lg.remove_handler(eager);
    lg.remove_handler(direct);
  }
}

// A logger whose only handler is a plain QueueHandler on an unbounded queue: its calls go
// into the queue's per-thread buffer as parts, not as records, and the record is built
// when the queue hands it out. Compared with the same calls through a plain handler.
TEST_CASE("a call written straight into the queue's thread buffer gives the record's bytes") {
  // Every attribute but the times, which differ between the two runs; %(args)s shows the
  // captured arguments (the queue handler's formatter sees the record before prepare).
  auto f = std::make_shared<Formatter>(
      "%(levelname)s|%(levelno)d|%(name)s|%(pathname)s|%(filename)s|%(module)s|%(funcName)s|"
      "%(lineno)d|%(thread)d|%(threadName)s|%(process)d|%(processName)s|%(user)s|%(args)s|"
      "%(message)r",
      std::nullopt, '%', true, dictlog::extra{{"user", "-"}});
  auto q = std::make_shared<Queue>();
  auto lazy = std::make_shared<QueueHandler>(q);
  auto direct = std::make_shared<CaptureHandler>();
  lazy->set_formatter(f);
  direct->set_formatter(f);
  Logger& lg = get_logger("lazy.direct");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  auto run = [&](const std::shared_ptr<Handler>& h) {
    lg.add_handler(h);
    std::thread t([&] {
      log_everything(lg);
      log_everything(lg);  // the second time the thread has its buffer and hazard record
    });
    t.join();
    lg.remove_handler(h);
  };
  const std::int64_t before = detail::wall_clock_ns();
  run(lazy);
  const std::int64_t after = detail::wall_clock_ns();
  run(direct);

  Formatter out("%(message)s");
  std::vector<std::string> from_lazy;
  std::vector<std::int64_t> created;
  while (auto r = q->get(false)) {
    from_lazy.push_back(out.format(*r));
    created.push_back(r->created_ns);
  }
  std::vector<std::string> from_direct = direct->lines();
  REQUIRE(from_direct.size() == 18);
  CHECK(from_lazy == from_direct);
  CHECK(from_direct[1].find("(42, -7, 255, 3)") != std::string::npos);
  // The TSC reading of the call, read as wall-clock time, falls within the run (with the
  // clock reads' jitter) and never goes back within one thread.
  for (std::size_t i = 0; i < created.size(); ++i) {
    CAPTURE(i);
    CHECK(created[i] >= before - 1000);
    CHECK(created[i] <= after + 1000);
    if (i > 0) CHECK(created[i] >= created[i - 1]);
  }
}
