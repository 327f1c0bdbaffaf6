#include "dictlog/shutdown.hpp"

#include <cstdlib>
#include <mutex>
#include <vector>

#include "dictlog/detail/direct_call.hpp"
#include "dictlog/detail/segment_pool.hpp"
#include "dictlog/handler.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace {

struct Hooks {
  std::mutex mutex;
  std::vector<std::function<void()>> hooks;
};
Hooks& hooks() {
  static auto* h = new Hooks;  // leaked: used from atexit
  return *h;
}

// Registered at load so it runs after everything main() does, like Python's atexit hook.
const int g_at_fork = [] {
  detail::add_fork_participant(
      detail::ForkRank::core,
      {[](detail::ForkLocks& locks) { return locks.take(hooks().mutex); }, [] {}});
  return 0;
}();

const int g_atexit = [] { return std::atexit([] { shutdown(); }); }();

}  // namespace

void shutdown() {
  // Before the hooks stop any listener, so that whoever puts a record from now on checks
  // for a stopped consumer after its put (detail::queue_shut_down()).
  detail::g_queue_shut_down.store(true, std::memory_order_seq_cst);
  std::vector<std::function<void()>> to_run;
  {
    std::lock_guard lock(hooks().mutex);
    to_run = hooks().hooks;
  }
  for (auto it = to_run.rbegin(); it != to_run.rend(); ++it) (*it)();

  auto handlers = detail::handlers_in_creation_order();
  for (auto it = handlers.rbegin(); it != handlers.rend(); ++it) {
    Handler& h = **it;
    try {
      std::lock_guard lock(h.lock());
      if (h.flush_on_close()) h.flush();
      h.close();
    } catch (...) {
      // Python ignores OSError/ValueError here; nothing else a handler throws should stop
      // the others from closing either.
    }
  }
  // The listeners are stopped: nothing needs a spare segment ready any more.
  detail::SegmentPool::instance().stop();
}

namespace detail {
std::atomic<bool> g_queue_shut_down{false};

void add_shutdown_hook(std::function<void()> hook) {
  std::lock_guard lock(hooks().mutex);
  hooks().hooks.push_back(std::move(hook));
}
}  // namespace detail

}  // namespace dictlog
