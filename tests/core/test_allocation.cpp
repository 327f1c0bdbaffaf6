// Heap allocations on both sides of a QueueHandler -> Queue -> QueueListener pipeline,
// counted by replacing the global operator new for this executable.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <thread>

#include "dictlog/context.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/counting_new.hpp"
#include "support/temp_dir.hpp"

namespace {
// Counting is switched on globally; a thread's allocations count for its role.
enum Role { kUncounted, kCaller, kListener };
std::atomic<bool>& g_counting = dictlog::test::g_count_allocs;
std::atomic<long> g_counted[3];
void set_role(Role r) {
  dictlog::test::t_alloc_counter = r == kUncounted ? nullptr : &g_counted[r];
}
}  // namespace

using namespace dictlog;
using dictlog::test::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Last handler of the listener: marks the listener thread as counted and counts records.
class Marker : public Handler {
 public:
  void emit(LogRecord&) override {
    set_role(kListener);
    seen.fetch_add(1, std::memory_order_release);
  }
  std::atomic<long> seen{0};
};

struct Pipeline {
  TempDir dir;
  std::shared_ptr<Queue> q = std::make_shared<Queue>();
  std::shared_ptr<QueueHandler> qh = std::make_shared<QueueHandler>(q);
  std::shared_ptr<FileHandler> file;
  std::shared_ptr<Marker> marker = std::make_shared<Marker>();
  std::unique_ptr<QueueListener> listener;
  Logger& lg;

  explicit Pipeline(const char* name, bool start = true) : lg(get_logger(name)) {
    file = std::make_shared<FileHandler>((dir / "out.log").string(), "w");
    file->set_formatter(
        std::make_shared<Formatter>("%(asctime)s %(levelname)s %(name)s %(message)s"));
    listener =
        std::make_unique<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{file, marker});
    lg.set_level(DEBUG);
    lg.set_propagate(false);
    lg.add_handler(qh);
    if (start) listener->start();
  }
  ~Pipeline() {
    listener->stop();
    lg.remove_handler(qh);
  }
  void wait_for(long n) const {
    while (marker->seen.load(std::memory_order_acquire) < n) std::this_thread::sleep_for(1ms);
  }
};

// Arguments that fit detail::inline_arg_bytes: numbers and short strings.
void log_small(Logger& lg, int i) {
  static const std::string user = "alice";
  lg.info("user {} did {} in {} ms (try {}, ok={}, {})", user, std::string_view("login"), 3.25, i,
          true, "ok");
}

}  // namespace

TEST_CASE("the calling thread allocates nothing for a record whose arguments fit inline") {
  Pipeline p("alloc.caller", false);
  // Warm-up: this thread's name, chain slot and queue buffer are made once, and the buffer
  // grows to hold 4096 records with no listener, so that it holds the 2000 below even if
  // the listener is descheduled the whole time.
  for (int i = 0; i < 4096; ++i) log_small(p.lg, i);
  p.listener->start();
  p.wait_for(4096);

  set_role(kCaller);
  g_counted[kCaller] = 0;
  g_counting = true;
  for (int i = 0; i < 2000; ++i) log_small(p.lg, i);
  g_counting = false;
  long small = g_counted[kCaller].exchange(0);
  CHECK(small == 0);

  // This logger's only handler is the QueueHandler, so its calls go into the queue's
  // buffer for this thread, past the inline size too: the buffer holds the bytes.
  std::string big(detail::inline_arg_bytes + 1, 'x');
  g_counting = true;
  p.lg.info("big {}", big);
  g_counting = false;
  CHECK(g_counted[kCaller].exchange(0) == 0);
  // A record built at the call (a second handler: nothing is written straight into the
  // queue) keeps them inline up to that size, and past it on the heap: the limit is real.
  auto second = std::make_shared<NullHandler>();
  p.lg.add_handler(second);
  g_counting = true;
  for (int i = 0; i < 100; ++i) log_small(p.lg, i);
  g_counting = false;
  CHECK(g_counted[kCaller].exchange(0) == 0);
  g_counting = true;
  p.lg.info("big {}", big);
  g_counting = false;
  CHECK(g_counted[kCaller].exchange(0) > 0);
  p.lg.remove_handler(second);
  set_role(kUncounted);
  p.wait_for(6198);
}

TEST_CASE("a call with a bound context captures it with no allocation") {
  Pipeline p("alloc.context", false);
  auto scope = context::bind({{"request_id", "r-1234"}, {"user", 7}, {"retry", false}});
  for (int i = 0; i < 4096; ++i) log_small(p.lg, i);
  p.listener->start();
  p.wait_for(4096);

  set_role(kCaller);
  g_counted[kCaller] = 0;
  g_counting = true;
  for (int i = 0; i < 2000; ++i) log_small(p.lg, i);
  p.lg.info("a literal message");
  g_counting = false;
  CHECK(g_counted[kCaller].exchange(0) == 0);
  set_role(kUncounted);
  p.wait_for(6097);
}
