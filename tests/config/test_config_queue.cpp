// QueueHandlers built by dict_config: the listener it attaches, the `queue`, `listener` and
// `handlers` keys and their rejections (reference §8.14), overflow policies, and records
// through configured listeners under load, reconfiguration and shutdown.
//
// Test order matters: the last test calls dictlog::shutdown(), which is final for the
// queue layer (records are then handled on the logging thread).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#include "support/capture.hpp"
#include "support/files.hpp"

using namespace dictlog;
using dictlog::config::ConfigError;
using dictlog::test::read_lines;
using dictlog::test::Sequences;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// `text` with every @DIR@ replaced by `dir` (JSON-escaped, inside a JSON string).
std::string with_dir(std::string text, const fs::path& dir) {
  std::string quoted = nlohmann::json(dir.string()).dump();
  std::string escaped = quoted.substr(1, quoted.size() - 2);
  for (std::size_t p = text.find("@DIR@"); p != std::string::npos;
       p = text.find("@DIR@", p + escaped.size()))
    text.replace(p, 5, escaped);
  return text;
}

// Applies configuration text, as a file would give it.
void configure(const std::string& text, const fs::path& dir) {
  config::dict_config(nlohmann::ordered_json::parse(with_dir(text, dir)), "test.json");
}

std::shared_ptr<QueueHandler> queue_handler(const char* name) {
  auto qh = get_handler_by_name<QueueHandler>(name);
  REQUIRE_MESSAGE(qh, "no QueueHandler named " << name);
  return qh;
}

// A handler that sleeps per record and keeps the messages, in order.
class SlowHandler : public dictlog::test::CaptureHandler {
 public:
  explicit SlowHandler(int delay_ms) : delay_(delay_ms) {}
  void emit(LogRecord& r) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_));
    CaptureHandler::emit(r);
  }
  std::string_view class_name() const override { return "SlowHandler"; }

 private:
  int delay_;
};

// An application's queue class: a queue.Queue that counts what is put into it.
class CountingQueue : public LogQueue {
 public:
  explicit CountingQueue(std::size_t maxsize) : inner_(maxsize) {}
  bool put_nowait(LogRecord&& r) override {
    count(r);
    return inner_.put_nowait(std::move(r));
  }
  void put(LogRecord&& r) override {
    count(r);
    inner_.put(std::move(r));
  }
  std::optional<LogRecord> get(bool block) override { return inner_.get(block); }
  std::size_t qsize() const override { return inner_.qsize(); }
  std::size_t maxsize() const override { return inner_.maxsize(); }
  std::string_view class_name() const override { return "tests.CountingQueue"; }
  int records_put() const { return puts_.load(); }

 private:
  void count(const LogRecord& r) {
    if (!is_queue_sentinel(r)) ++puts_;
  }
  Queue inner_;
  std::atomic<int> puts_{0};
};

// An application's listener class: counts the records it handles.
class CountingListener : public QueueListener {
 public:
  using QueueListener::QueueListener;
  ~CountingListener() override { stop(); }
  void handle(LogRecord& r) override {
    ++handled_;
    QueueListener::handle(r);
  }
  std::string_view class_name() const override { return "tests.CountingListener"; }
  int handled() const { return handled_.load(); }

 private:
  std::atomic<int> handled_{0};
};

void register_test_classes() {
  static std::once_flag once;
  std::call_once(once, [] {
    config::register_handler("tests.SlowHandler", [](config::Args& a) {
      int delay = static_cast<int>(a.get_int("delay_ms").value_or(10));
      if (a.dry()) return std::shared_ptr<Handler>();
      return std::shared_ptr<Handler>(std::make_shared<SlowHandler>(delay));
    });
    config::register_queue("tests.CountingQueue", [](config::Args& a) {
      auto maxsize = a.get_int("maxsize").value_or(0);
      if (a.dry()) return std::shared_ptr<LogQueue>();
      return std::shared_ptr<LogQueue>(
          std::make_shared<CountingQueue>(static_cast<std::size_t>(maxsize)));
    });
    config::register_listener(
        "tests.CountingListener",
        [](std::shared_ptr<LogQueue> q, std::vector<std::shared_ptr<Handler>> hs,
           bool rhl) -> std::shared_ptr<QueueListener> {
          return std::make_shared<CountingListener>(std::move(q), std::move(hs), rhl);
        });
  });
}

const char* const kTwoFiles = R"J({
  "version": 1,
  "disable_existing_loggers": false,
  "formatters": {"m": {"format": "%(levelname)s %(message)s"}},
  "handlers": {
    "a_errors": {"class": "logging.FileHandler", "filename": "@DIR@/errors.log",
                 "formatter": "m", "level": "ERROR"},
    "b_all": {"class": "logging.FileHandler", "filename": "@DIR@/all.log", "formatter": "m"},
    "q": {"class": "logging.handlers.QueueHandler", "handlers": ["b_all", "a_errors"]@RHL@}
  },
  "loggers": {"listen": {"level": "DEBUG", "handlers": ["q"], "propagate": false}}
})J";

std::string two_files(const char* rhl) {
  std::string t = kTwoFiles;
  t.replace(t.find("@RHL@"), 5, rhl);
  return t;
}

}  // namespace

TEST_CASE(
    "dict_config attaches a listener that is not started and feeds the named handlers in "
    "their order") {
  TempDir d;
  configure(two_files(R"J(, "respect_handler_level": true)J"), d.path());
  auto qh = queue_handler("q");
  auto listener = qh->listener();
  REQUIRE(listener);
  CHECK_FALSE(listener->running());
  CHECK(listener->queue() == qh->queue());
  REQUIRE(listener->handlers().size() == 2);
  // The order of the `handlers` key, not the (sorted) order in which they were built.
  CHECK(listener->handlers()[0] == get_handler_by_name("b_all"));
  CHECK(listener->handlers()[1] == get_handler_by_name("a_errors"));
  CHECK(listener->respect_handler_level());
  CHECK(config::listeners() == std::vector<std::shared_ptr<QueueListener>>{listener});

  auto& log = get_logger("listen");
  log.info("first");
  log.error("second");
  // Not started: the records wait in the queue, nothing is written.
  CHECK(qh->queue()->qsize() == 2);
  CHECK(slurp(d / "all.log").empty());

  config::start_listeners();
  CHECK(listener->running());
  config::start_listeners();  // a running listener is left alone
  CHECK(listener->running());
  log.warning("third");
  config::stop_listeners();
  CHECK_FALSE(listener->running());
  CHECK(slurp(d / "all.log") == "INFO first\nERROR second\nWARNING third\n");
  // respect_handler_level: the ERROR handler gets only what its level lets through.
  CHECK(slurp(d / "errors.log") == "ERROR second\n");
}

TEST_CASE("without respect_handler_level the listener ignores its handlers' levels, as CPython") {
  TempDir d;
  configure(two_files(""), d.path());
  auto listener = queue_handler("q")->listener();
  REQUIRE(listener);
  CHECK_FALSE(listener->respect_handler_level());
  config::start_listeners();
  get_logger("listen").info("info");
  get_logger("listen").error("error");
  config::stop_listeners();
  CHECK(slurp(d / "all.log") == "INFO info\nERROR error\n");
  CHECK(slurp(d / "errors.log") == "INFO info\nERROR error\n");
}

TEST_CASE("the QueueHandler's own level, formatter and filters apply before the queue") {
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "formatters": {"qh": {"format": "QH[%(levelname)s] %(message)s"},
                   "out": {"format": "OUT<%(levelname)s> %(message)s"}},
    "filters": {"only_app": {"name": "app"}},
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/out.log", "formatter": "out"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"], "level": "INFO",
            "formatter": "qh", "filters": ["only_app"]}
    },
    "root": {"level": "DEBUG", "handlers": ["q"]}
  })J",
            d.path());
  config::start_listeners();
  get_logger("app").debug("below the QueueHandler's level");
  get_logger("app").info("kept");
  get_logger("other").warning("filtered out");
  config::stop_listeners();
  // Formatted twice, as CPython: the QueueHandler's text becomes the record's message.
  CHECK(slurp(d / "out.log") == "OUT<INFO> QH[INFO] kept\n");
}

namespace {

struct Rejection {
  const char* what;
  const char* handlers;  // the "handlers" section beside "file"
  const char* pointer;
  const char* message;  // a part of the problem's message
};

const char* const kQH = R"J("class": "logging.handlers.QueueHandler")J";

}  // namespace

TEST_CASE(
    "every queue, listener and handlers rejection names its JSON Pointer and changes "
    "nothing") {
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "keep": {"class": "logging.FileHandler", "filename": "@DIR@/keep.log"},
      "kq": {"class": "logging.handlers.QueueHandler", "handlers": ["keep"]}
    },
    "loggers": {"app.keep": {"level": "DEBUG", "handlers": ["kq"], "propagate": false}}
  })J",
            d.path());
  config::start_listeners();
  auto keep = get_handler_by_name("keep");
  auto kq = queue_handler("kq");
  auto listener = kq->listener();
  REQUIRE(listener);
  REQUIRE(listener->running());

  const std::string q = kQH;
  const Rejection cases[] = {
      // queue
      {"a name that is not a class", R"J("q": {@QH@, "queue": "sys.maxsize"})J",
       "/handlers/q/queue", "Invalid queue specifier 'sys.maxsize'"},
      {"an empty name", R"J("q": {@QH@, "queue": ""})J", "/handlers/q/queue", "Empty module name"},
      {"an unregistered queue class", R"J("q": {@QH@, "queue": "queue.LifoQueue"})J",
       "/handlers/q/queue", "'queue.LifoQueue' is not a registered queue class"},
      {"a handler class", R"J("q": {@QH@, "queue": "logging.StreamHandler"})J", "/handlers/q/queue",
       "Invalid queue specifier 'logging.StreamHandler'"},
      {"an object without ()", R"J("q": {@QH@, "queue": {"maxsize": 5}})J", "/handlers/q/queue",
       "Invalid queue specifier {'maxsize': 5}"},
      {"ext:// inside the queue object", R"J("q": {@QH@, "queue": {"()": "ext://queue.Queue"}})J",
       "/handlers/q/queue/()", "'ext://queue.Queue' is not a registered queue class"},
      {"a value inside the queue object is not converted",
       R"J("q": {@QH@, "queue": {"()": "queue.Queue", "maxsize": "ext://sys.maxsize"}})J",
       "/handlers/q/queue/maxsize", "'maxsize' must be an integer"},
      {"an unknown queue argument", R"J("q": {@QH@, "queue": {"()": "queue.Queue", "bogus": 1}})J",
       "/handlers/q/queue/bogus", "queue.Queue() got an unexpected keyword argument 'bogus'"},
      {"a queue argument that is no identifier",
       R"J("q": {@QH@, "queue": {"()": "queue.Queue", "max-size": 5}})J",
       "/handlers/q/queue/max-size", "Not a valid Python identifier: 'max-size'"},
      {"SimpleQueue takes no maxsize",
       R"J("q": {@QH@, "queue": {"()": "queue.SimpleQueue", "maxsize": 5}})J",
       "/handlers/q/queue/maxsize", "unexpected keyword argument 'maxsize'"},
      {"ext:// to the queue class", R"J("q": {@QH@, "queue": "ext://queue.Queue"})J",
       "/handlers/q/queue", "is the queue class, not a queue"},
      {"ext:// to a stream", R"J("q": {@QH@, "queue": "ext://sys.stderr"})J", "/handlers/q/queue",
       "Invalid queue specifier: ext://sys.stderr is a stream"},
      {"a number", R"J("q": {@QH@, "queue": 5})J", "/handlers/q/queue",
       "Invalid queue specifier 5"},
      {"null", R"J("q": {@QH@, "queue": null})J", "/handlers/q/queue",
       "Invalid queue specifier None"},
      {"a list", R"J("q": {@QH@, "queue": [1]})J", "/handlers/q/queue",
       "Invalid queue specifier [1]"},
      // listener
      {"a listener that is a handler class",
       R"J("q": {@QH@, "listener": "logging.StreamHandler"})J", "/handlers/q/listener",
       "Invalid listener specifier 'logging.StreamHandler'"},
      {"an unregistered listener", R"J("q": {@QH@, "listener": "nope.Listener"})J",
       "/handlers/q/listener", "Cannot resolve 'nope.Listener'"},
      {"a listener object",
       R"J("q": {@QH@, "listener": {"()": "logging.handlers.QueueListener"}})J",
       "/handlers/q/listener",
       "Invalid listener specifier {'()': 'logging.handlers.QueueListener'}"},
      {"a listener number", R"J("q": {@QH@, "listener": 5})J", "/handlers/q/listener",
       "Invalid listener specifier 5"},
      {"a null listener", R"J("q": {@QH@, "listener": null})J", "/handlers/q/listener",
       "Invalid listener specifier None"},
      {"ext:// to a stream as listener", R"J("q": {@QH@, "listener": "ext://sys.stderr"})J",
       "/handlers/q/listener", "Invalid listener specifier 'sys.stderr'"},
      // handlers
      {"an unknown handler", R"J("q": {@QH@, "handlers": ["file", "nope"]})J",
       "/handlers/q/handlers/1", "no handler named 'nope'"},
      {"a string is iterated per character", R"J("q": {@QH@, "handlers": "file"})J",
       "/handlers/q/handlers", "no handler named 'f'"},
      {"names are not converted", R"J("q": {@QH@, "handlers": ["cfg://handlers.file"]})J",
       "/handlers/q/handlers/0", "no handler named 'cfg://handlers.file'"},
      {"a name that is not a string", R"J("q": {@QH@, "handlers": [1]})J", "/handlers/q/handlers/0",
       "expected a handler name, not 1"},
      {"itself", R"J("q": {@QH@, "handlers": ["q"]})J", "/handlers/q/handlers/0",
       "handler 'q' is not configured yet"},
      {"a chain built in the wrong name order",
       R"J("a_q": {@QH@, "handlers": ["b_q"]}, "b_q": {@QH@, "handlers": ["file"]})J",
       "/handlers/a_q/handlers/0", "handler 'b_q' is not configured yet"},
      // the QueueHandler's own keys
      {"an unknown QueueHandler argument", R"J("q": {@QH@, "handlers": ["file"], "foo": 1})J",
       "/handlers/q/foo", "QueueHandler() got an unexpected keyword argument 'foo'"},
      {"() builds no listener",
       R"J("q": {"()": "logging.handlers.QueueHandler", "handlers": ["file"]})J",
       "/handlers/q/handlers", "unexpected keyword argument 'handlers'"},
      {"() takes no listener",
       R"J("q": {"()": "logging.handlers.QueueHandler", "listener": "logging.handlers.QueueListener"})J",
       "/handlers/q/listener", "unexpected keyword argument 'listener'"},
      {"an unknown overflow policy",
       R"J("q": {@QH@, "handlers": ["file"], ".": {"overflow": "wait"}})J",
       "/handlers/q/./overflow", "overflow must be \"drop\""},
  };

  int n = 0;
  for (const auto& c : cases) {
    CAPTURE(c.what);
    std::string handlers = c.handlers;
    for (auto p = handlers.find("@QH@"); p != std::string::npos; p = handlers.find("@QH@"))
      handlers.replace(p, 4, q);
    const std::string text = R"J({"version": 1, "disable_existing_loggers": false,
      "handlers": {"file": {"class": "logging.FileHandler", "filename": "@DIR@/rejected.log"},
                   )J" + handlers +
                             R"J(},
      "root": {"handlers": ["file"]}})J";
    bool threw = false;
    try {
      configure(text, d.path());
    } catch (const ConfigError& e) {
      threw = true;
      REQUIRE(e.problems().size() == 1);
      CHECK(e.problems()[0].pointer == c.pointer);
      CHECK_MESSAGE(e.problems()[0].message.find(c.message) != std::string::npos,
                    e.problems()[0].message);
      CHECK(std::string(e.what()).find(c.pointer) != std::string::npos);
    }
    CHECK(threw);
    // Untouched: nothing of the rejected file was built, the old handlers and listener run on.
    CHECK_FALSE(fs::exists(d / "rejected.log"));
    CHECK(get_handler_by_name("keep") == keep);
    CHECK(keep->name() == "keep");
    CHECK_FALSE(keep->closed());
    CHECK(queue_handler("kq")->listener() == listener);
    CHECK(listener->running());
    CHECK(config::listeners() == std::vector<std::shared_ptr<QueueListener>>{listener});
    get_logger("app.keep").info("still logging {}", n++);
  }
  config::stop_listeners();
  auto lines = read_lines(d / "keep.log");
  REQUIRE(lines.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    CHECK(lines[static_cast<std::size_t>(i)] == "still logging " + std::to_string(i));
}

TEST_CASE("queue forms: absent, class names, an object with maxsize") {
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/forms.log"},
      "absent": {"class": "logging.handlers.QueueHandler", "handlers": ["file"]},
      "queue": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
                "queue": "queue.Queue"},
      "simple": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
                 "queue": "queue.SimpleQueue"},
      "bounded": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
                  "queue": {"()": "queue.Queue", "maxsize": 5}}
    },
    "loggers": {"forms": {"level": "DEBUG", "propagate": false,
                          "handlers": ["absent", "queue", "simple", "bounded"]}}
  })J",
            d.path());
  for (const char* name : {"absent", "queue"}) {
    CAPTURE(name);
    auto qh = queue_handler(name);
    CHECK(dynamic_cast<Queue*>(qh->queue().get()) != nullptr);
    CHECK(qh->queue()->class_name() == "queue.Queue");
    CHECK(qh->queue()->maxsize() == 0);
  }
  auto simple = queue_handler("simple");
  CHECK(dynamic_cast<SimpleQueue*>(simple->queue().get()) != nullptr);
  CHECK(simple->queue()->maxsize() == 0);
  auto bounded = queue_handler("bounded");
  CHECK(bounded->queue()->class_name() == "queue.Queue");
  CHECK(bounded->queue()->maxsize() == 5);
  // Each handler has its own queue and listener.
  CHECK(config::listeners().size() == 4);
  CHECK(queue_handler("absent")->queue() != queue_handler("queue")->queue());

  config::start_listeners();
  get_logger("forms").info("through four queues");
  config::stop_listeners();
  CHECK(slurp(d / "forms.log") ==
        "through four queues\nthrough four queues\nthrough four queues\nthrough four queues\n");
}

TEST_CASE(
    "queue ext:// to an application's queue, an application's queue class and listener "
    "class") {
  register_test_classes();
  auto shared = std::make_shared<Queue>(100);
  config::register_object("tests.shared_queue", std::shared_ptr<LogQueue>(shared));
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/custom.log"},
      "ext": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
              "queue": "ext://tests.shared_queue"},
      "counted": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
                  "queue": {"()": "tests.CountingQueue", "maxsize": 7},
                  "listener": "tests.CountingListener", "respect_handler_level": true}
    },
    "loggers": {"custom.ext": {"level": "DEBUG", "propagate": false, "handlers": ["ext"]},
                "custom.counted": {"level": "DEBUG", "propagate": false, "handlers": ["counted"]}}
  })J",
            d.path());
  auto ext = queue_handler("ext");
  CHECK(ext->queue() == shared);
  REQUIRE(ext->listener());
  CHECK(ext->listener()->queue() == shared);
  CHECK(ext->listener()->class_name() == "QueueListener");

  auto counted = queue_handler("counted");
  auto* cq = dynamic_cast<CountingQueue*>(counted->queue().get());
  REQUIRE(cq);
  CHECK(cq->maxsize() == 7);
  auto* cl = dynamic_cast<CountingListener*>(counted->listener().get());
  REQUIRE(cl);
  CHECK(cl->queue() == counted->queue());
  CHECK(cl->handlers() == std::vector<std::shared_ptr<Handler>>{get_handler_by_name("file")});
  CHECK(cl->respect_handler_level());

  get_logger("custom.ext").info("via the application's queue");
  CHECK(shared->qsize() == 1);
  config::start_listeners();
  for (int i = 0; i < 3; ++i) get_logger("custom.counted").info("counted {}", i);
  config::stop_listeners();
  CHECK(cq->records_put() == 3);
  CHECK(cl->handled() == 3);
  auto lines = read_lines(d / "custom.log");
  CHECK(std::count(lines.begin(), lines.end(), "via the application's queue") == 1);
  std::vector<std::string> counted_lines;
  for (const auto& l : lines)
    if (l.rfind("counted ", 0) == 0) counted_lines.push_back(l);
  CHECK(counted_lines == std::vector<std::string>{"counted 0", "counted 1", "counted 2"});
}

namespace {
const char* const kBounded = R"J({
  "version": 1, "disable_existing_loggers": false,
  "handlers": {
    "file": {"class": "logging.FileHandler", "filename": "@DIR@/bounded.log"},
    "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
          "queue": {"()": "queue.Queue", "maxsize": 2}@DOT@}
  },
  "loggers": {"bounded": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
})J";
std::string bounded(const char* dot) {
  std::string t = kBounded;
  t.replace(t.find("@DOT@"), 5, dot);
  return t;
}
}  // namespace

TEST_CASE("a full bounded queue drops, reports through handle_error and counts by default") {
  TempDir d;
  configure(bounded(""), d.path());
  auto qh = queue_handler("q");
  CHECK(qh->overflow() == QueueHandler::Overflow::drop);
  std::string err;
  {
    StderrCapture cap;
    for (int i = 0; i < 5; ++i) get_logger("bounded").info("record {}", i);
    cap.restore();
    err = cap.text();
  }
  CHECK(qh->dropped() == 3);
  CHECK(qh->queue()->qsize() == 2);
  CHECK(dictlog::test::count_reports(err) == 3);
  CHECK(err.find("queue.Full") != std::string::npos);
  CHECK_MESSAGE(err.find("Message: 'record {}'\nArguments: (2,)\n") != std::string::npos, err);
  config::start_listeners();
  config::stop_listeners();
  CHECK(slurp(d / "bounded.log") == "record 0\nrecord 1\n");
}

TEST_CASE("overflow block from the . key makes the producer wait until the listener runs") {
  TempDir d;
  configure(bounded(R"J(, ".": {"overflow": "block"})J"), d.path());
  auto qh = queue_handler("q");
  CHECK(qh->overflow() == QueueHandler::Overflow::block);
  constexpr int kRecords = 50;
  std::atomic<int> returned{0};
  std::thread producer([&] {
    for (int i = 0; i < kRecords; ++i) {
      get_logger("bounded").info("record {}", i);
      returned.fetch_add(1);
    }
  });
  // The queue fills; nobody takes from it, so at most the two that fitted can have returned.
  while (qh->queue()->qsize() < 2) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  CHECK(returned.load() <= 2);
  CHECK(qh->dropped() == 0);
  config::start_listeners();
  producer.join();
  config::stop_listeners();
  CHECK(returned.load() == kRecords);
  CHECK(qh->dropped() == 0);
  auto lines = read_lines(d / "bounded.log");
  REQUIRE(lines.size() == kRecords);
  for (int i = 0; i < kRecords; ++i)
    CHECK(lines[static_cast<std::size_t>(i)] == "record " + std::to_string(i));
}

TEST_CASE("8 threads through a configured QueueHandler: every record once, each thread in order") {
  const long per_thread = dictlog::test::env_long("DICTLOG_STRESS_RECORDS", 200000);
  constexpr int kThreads = 8;
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/stress.log"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"]}
    },
    "loggers": {"stress": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
  })J",
            d.path());
  config::start_listeners();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, per_thread] {
      auto& log = get_logger("stress");
      for (long i = 0; i < per_thread; ++i) log.info("t{} {}", t, i);
    });
  for (auto& th : threads) th.join();
  config::stop_listeners();

  Sequences s;
  s.add_lines(read_lines(d / "stress.log"));
  CHECK(s.malformed.empty());
  CHECK(s.in_order);
  CHECK(s.total() == kThreads * per_thread);
  long missing_or_repeated = 0;
  for (int t = 0; t < kThreads; ++t)
    for (long i = 0; i < per_thread; ++i)
      if (s.count(t, i) != 1) ++missing_or_repeated;
  CHECK(missing_or_repeated == 0);
  CHECK(queue_handler("q")->dropped() == 0);
}

TEST_CASE("producers do not wait for a slow handler behind the listener") {
  register_test_classes();
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "formatters": {"m": {"format": "%(message)s"}},
    "handlers": {
      "slow": {"class": "tests.SlowHandler", "delay_ms": 10, "formatter": "m"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["slow"]}
    },
    "loggers": {"slow": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
  })J",
            d.path());
  auto slow = get_handler_by_name<SlowHandler>("slow");
  REQUIRE(slow);
  config::start_listeners();
  constexpr int kThreads = 4, kPerThread = 50;
  {
    // Holding the slow handler's lock stops its emit altogether: if producers waited for it,
    // they would never finish.
    std::lock_guard hold(slow->lock());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([t] {
        for (int i = 0; i < kPerThread; ++i) get_logger("slow").info("t{} {}", t, i);
      });
    for (auto& th : threads) th.join();
    CHECK(slow->lines().empty());
  }
  config::stop_listeners();
  auto lines = slow->lines();
  CHECK(lines.size() == kThreads * kPerThread);
  Sequences s;
  s.add_lines(lines);
  CHECK(s.malformed.empty());
  CHECK(s.in_order);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) CHECK(s.count(t, i) == 1);
}

TEST_CASE("reconfiguring while 4 threads log loses no accepted record and writes none twice") {
  constexpr int kThreads = 4, kConfigs = 20;
  TempDir d;
  const char* const kConfig = R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/c@N@.log"},
      "@Q@": {"class": "logging.handlers.QueueHandler", "handlers": ["file"], @QUEUE@}
    },
    "loggers": {"reconf": {"level": "DEBUG", "propagate": false, "handlers": ["@Q@"]}}
  })J";
  auto config_text = [&](int k) {
    std::string t = kConfig;
    auto sub = [&](const std::string& from, const std::string& to) {
      for (auto p = t.find(from); p != std::string::npos; p = t.find(from, p + to.size()))
        t.replace(p, from.size(), to);
    };
    sub("@N@", std::to_string(k));
    sub("@Q@", k % 2 ? "qb" : "qa");
    sub("@QUEUE@", k % 2 ? R"J("queue": {"()": "queue.Queue", "maxsize": 10000},
                             ".": {"overflow": "block"})J"
                         : R"J("queue": "queue.SimpleQueue")J");
    return t;
  };
  std::vector<std::shared_ptr<QueueHandler>> built;  // every QueueHandler, replaced or not
  configure(config_text(0), d.path());
  built.push_back(queue_handler("qa"));
  config::start_listeners();

  std::atomic<bool> stop{false};
  std::vector<std::atomic<long>> returned(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto& log = get_logger("reconf");
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        log.info("t{} {}", t, i);
        returned[static_cast<std::size_t>(t)].store(i + 1);
        // Paced: unpaced producers outrun a file and grow the queues without bound.
        if (i % 100 == 99) std::this_thread::sleep_for(1ms);
      }
    });
  for (int k = 1; k < kConfigs; ++k) {
    std::this_thread::sleep_for(5ms);
    configure(config_text(k), d.path());
    built.push_back(queue_handler(k % 2 ? "qb" : "qa"));
    // Records wait in the new queue meanwhile, so the next configuration has a backlog to
    // drain while the producers go on logging.
    std::this_thread::sleep_for(5ms);
    config::start_listeners();
  }
  std::this_thread::sleep_for(10ms);
  stop = true;
  for (auto& th : threads) th.join();
  config::stop_listeners();

  Sequences s;
  std::string per_file;
  for (int k = 0; k < kConfigs; ++k) {
    auto lines = read_lines(d / ("c" + std::to_string(k) + ".log"));
    per_file += " c" + std::to_string(k) + ":" + std::to_string(lines.size());
    s.add_lines(lines);
  }
  CHECK(s.malformed.empty());
  long expected = 0, missing = 0, repeated = 0;
  for (int t = 0; t < kThreads; ++t) {
    const long n = returned[static_cast<std::size_t>(t)].load();
    CHECK(n > 0);
    expected += n;
    long first_missing = -1, missing_here = 0;
    for (long i = 0; i < n; ++i) {
      int c = s.count(t, i);
      if (c == 0 && first_missing < 0) first_missing = i;
      if (c == 0) ++missing_here;
      if (c > 1) ++repeated;
    }
    missing += missing_here;
    INFO("thread " << t << ": " << n << " returned, " << missing_here << " missing, first "
                   << first_missing);
  }
  // Records left behind in the queues of replaced QueueHandlers, after their listeners
  // drained and stopped.
  std::size_t stranded = 0;
  for (const auto& qh : built) stranded += qh->queue()->qsize();
  INFO("lines per file:" << per_file);
  INFO(missing << " missing, " << stranded << " left in replaced queues");
  CHECK(repeated == 0);
  CHECK(s.total() + missing == expected);
  // A thread that took the old chain just before the switch puts into the old queue; the
  // old QueueHandler is closed before its listener stops, so such a late record is written
  // by that thread: nothing is left behind.
  CHECK(stranded == 0);
  CHECK(missing == 0);
}

namespace {

// Holds the thread whose record it filters until opened: that thread has passed the logger
// and is inside the QueueHandler, before its put.
class GateFilter : public Filter {
 public:
  bool filter(LogRecord&) const override {
    std::unique_lock lock(mutex_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    return true;
  }
  void wait_entered() const {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void open() const {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  mutable bool entered_ = false;
  mutable bool open_ = false;
};

}  // namespace

// The race the reconfiguration test can only sample, made deterministic with a filter that
// holds a logging thread inside the old QueueHandler while the new configuration applies.
TEST_CASE("a record inside a replaced QueueHandler while its listener drains is still written") {
  auto gate = std::make_shared<GateFilter>();
  config::register_filter("tests.Gate", [gate](config::Args& a) -> std::shared_ptr<const Filter> {
    if (a.dry()) return nullptr;
    return gate;
  });
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "filters": {"gate": {"()": "tests.Gate"}},
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/old.log"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"], "filters": ["gate"]}
    },
    "loggers": {"gated": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
  })J",
            d.path());
  auto old = queue_handler("q");
  config::start_listeners();
  std::thread late([] { get_logger("gated").info("in flight during the reconfiguration"); });
  gate->wait_entered();
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/new.log"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"]}
    },
    "loggers": {"gated": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
  })J",
            d.path());
  config::start_listeners();
  gate->open();
  late.join();  // info() has returned
  config::stop_listeners();
  CHECK(old->queue()->qsize() == 0);
  CHECK(slurp(d / "old.log") + slurp(d / "new.log") == "in flight during the reconfiguration\n");
}

// Last: shutdown() is final for the queue layer.
TEST_CASE("shutdown while producers log writes every record whose call returned before it") {
  constexpr int kThreads = 4;
  TempDir d;
  configure(R"J({
    "version": 1, "disable_existing_loggers": false,
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "@DIR@/shutdown.log"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"]}
    },
    "loggers": {"down": {"level": "DEBUG", "propagate": false, "handlers": ["q"]}}
  })J",
            d.path());
  auto file = get_handler_by_name("file");
  REQUIRE(file);
  config::start_listeners();
  std::atomic<bool> stop{false};
  std::vector<std::atomic<long>> returned(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto& log = get_logger("down");
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        log.info("t{} {}", t, i);
        returned[static_cast<std::size_t>(t)].store(i + 1);
      }
    });
  for (auto& r : returned)
    while (r.load() < 1000) std::this_thread::sleep_for(1ms);
  std::vector<long> before(kThreads);
  for (int t = 0; t < kThreads; ++t)
    before[static_cast<std::size_t>(t)] = returned[static_cast<std::size_t>(t)].load();
  dictlog::shutdown();
  std::vector<long> at_end(kThreads);
  for (int t = 0; t < kThreads; ++t)
    at_end[static_cast<std::size_t>(t)] = returned[static_cast<std::size_t>(t)].load();
  // Producers go on logging after shutdown for a while.
  for (int t = 0; t < kThreads; ++t)
    while (returned[static_cast<std::size_t>(t)].load() < at_end[static_cast<std::size_t>(t)] + 100)
      std::this_thread::sleep_for(1ms);
  stop = true;
  for (auto& th : threads) th.join();
  get_logger("down").info("after shutdown");
  file->flush();

  auto lines = read_lines(d / "shutdown.log");
  Sequences s;
  s.add_lines(lines);
  long before_total = 0, missing = 0, repeated = 0;
  for (int t = 0; t < kThreads; ++t) {
    before_total += before[static_cast<std::size_t>(t)];
    for (long i = 0; i < before[static_cast<std::size_t>(t)]; ++i)
      if (s.count(t, i) != 1) ++missing;
  }
  for (const auto& [k, c] : s.seen)
    if (c > 1) ++repeated;
  CHECK(missing == 0);
  CHECK(repeated == 0);
  CHECK(static_cast<long>(lines.size()) >= before_total);
  // The one record logged after shutdown (and after every producer ended) is written too.
  REQUIRE(s.malformed.size() == 1);
  CHECK(s.malformed[0] == "after shutdown");
}
