#include "dictlog/queue_listener.hpp"

#include <unistd.h>

#include <algorithm>
#include <new>
#include <typeinfo>
#include <utility>

#include "core/listener_thread.hpp"
#include "core/system_calls.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/shutdown.hpp"
#include "queue/builtin_queue.hpp"
#include "queue/queue_prepare.hpp"
#include "queue/text_arena.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace detail {

// Every live listener, for shutdown() and for records logged after it. Leaked: listeners
// may be destroyed during static destruction.
struct ListenerRegistry {
  std::mutex mutex;
  std::condition_variable unpinned;
  std::vector<QueueListener*> all;
};

struct ListenerAccess {
  static ListenerRegistry& registry() {
    static auto* r = new ListenerRegistry;
    return *r;
  }
  static int& pins(QueueListener& l) { return l.pins_; }
  static const LogQueue* queue(const QueueListener& l) { return l.queue_.get(); }
  static void drain_now(QueueListener& l) { l.drain_now(); }
  static void after_shutdown(QueueListener& l) { l.after_shutdown(); }

  // Pins the listeners (under the registry lock) so that they outlive the caller's use
  // without holding the lock meanwhile: a listener's thread may need it to finish.
  static std::vector<QueueListener*> pin(const LogQueue* only) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    std::vector<QueueListener*> out;
    for (QueueListener* l : reg.all)
      if (!only || l->queue_.get() == only) {
        ++l->pins_;
        out.push_back(l);
        if (only) break;
      }
    return out;
  }
  static void unpin(const std::vector<QueueListener*>& ls) {
    auto& reg = registry();
    {
      std::lock_guard lock(reg.mutex);
      for (QueueListener* l : ls) --l->pins_;
    }
    reg.unpinned.notify_all();
  }

  // fork(): no start, stop or drain is half done in the child. There, the parent's threads
  // are gone; a listener that was running starts a thread of its own on its queue, which
  // the queue participant (below this one) has emptied of the parent's records.
  static bool prepare_fork(ForkLocks& locks) {
    auto& reg = registry();
    if (!locks.take(reg.mutex)) return false;
    for (QueueListener* l : reg.all)
      if (!locks.take(l->start_stop_mutex_) || !locks.take(l->drain_mutex_) ||
          !locks.take(l->state_mutex_))
        return false;
    return true;
  }
  static void after_fork_child() {
    auto& reg = registry();
    new (&reg.unpinned) std::condition_variable;
    for (QueueListener* l : reg.all) {
      new (&l->thread_) std::thread;  // the parent's: not joinable here, nor to be destroyed
      new (&l->state_cv_) std::condition_variable;
      l->pins_ = 0;
      const bool was_running =
          std::exchange(l->state_, QueueListener::State::stopped) != QueueListener::State::stopped;
      // A queue read only by its owner: the parent's listener keeps reading it.
      if (!was_running || l->queue_->read_by_owner_only()) continue;
      try {
        l->start();
      } catch (...) {
        // No thread: shutdown() handles the queue's records on the exiting thread.
      }
    }
  }

  static void shutdown_hook() {
    // shutdown() has set queue_shut_down() already, before any sentinel: a record put
    // after a listener drained is then seen by its producer (QueueHandler::emit checks
    // the flag after putting), which drains it.
    auto ls = pin(nullptr);
    for (QueueListener* l : ls) {
      try {
        l->stop();
      } catch (...) {
        // stop() from a listener's own thread: that thread ends when its handler returns.
      }
    }
    // Records put after a sentinel, and those of listeners that were never started.
    for (QueueListener* l : ls) l->drain_now();
    unpin(ls);
  }
};

namespace {
std::once_flag g_hook_once;

const int g_at_fork = [] {
  add_fork_participant(ForkRank::listeners,
                       {&ListenerAccess::prepare_fork, &ListenerAccess::after_fork_child});
  return 0;
}();

void report_listener_error() {
  std::string text = "Exception in QueueListener thread:\n" + describe_current_exception() + "\n";
  detail::write_all(2, text);
}

// Records taken per step: enough to amortise the hand-over, small enough that handlers
// are flushed regularly under a steady flow. The batch's records stay allocated for the
// listener's life (512 x sizeof(LogRecord), 312 KiB; 4096 held 2.4 MiB and took no fewer
// instructions per record) and a batch this size stays in the L2 cache while it is written.
constexpr std::size_t kBatch = 512;

// A listener's one handler as the consumer of its queue's calls: the handler writes a call
// from its fields (Handler::emit_call_locked) under its lock, taken at the batch's first call
// and kept until release(), after the batch.
class HandlerCalls final : public CallConsumer {
 public:
  HandlerCalls(Handler& h, bool respect_level)
      : handler_(h), respect_level_(respect_level), lock_(h.lock(), std::defer_lock) {}
  bool take(const CallFields& c) override {
    // Taken and not written, as handle_run skips the record.
    if (respect_level_ && c.levelno < handler_.level()) return true;
    if (!lock_.owns_lock()) lock_.lock();
    return handler_.emit_call_locked(c);
  }
  void release() {
    if (lock_.owns_lock()) lock_.unlock();
  }

 private:
  Handler& handler_;
  bool respect_level_;
  std::unique_lock<std::recursive_mutex> lock_;
};

// The built-in queue behind `q` when the listener may take calls from it directly: a Queue
// or SimpleQueue of exactly that class (a subclass may override get_batch).
BuiltinQueue* direct_queue(LogQueue& q) {
  const std::type_info& t = typeid(q);
  return t == typeid(Queue) || t == typeid(SimpleQueue) ? builtin_queue(&q) : nullptr;
}
}  // namespace

void serve_after_shutdown(const LogQueue* q, QueueListener* hint) {
  if (hint && ListenerAccess::queue(*hint) == q) {
    ListenerAccess::after_shutdown(*hint);
    return;
  }
  auto ls = ListenerAccess::pin(q);
  for (QueueListener* l : ls) ListenerAccess::after_shutdown(*l);
  ListenerAccess::unpin(ls);
}

}  // namespace detail

QueueListener::QueueListener(std::shared_ptr<LogQueue> q,
                             std::vector<std::shared_ptr<Handler>> handlers,
                             bool respect_handler_level)
    : queue_(std::move(q)),
      handlers_(std::move(handlers)),
      respect_handler_level_(respect_handler_level) {
  if (!queue_) throw ValueError("QueueListener needs a queue");
  std::call_once(detail::g_hook_once,
                 [] { detail::add_shutdown_hook(&detail::ListenerAccess::shutdown_hook); });
  auto& reg = detail::ListenerAccess::registry();
  std::lock_guard lock(reg.mutex);
  reg.all.push_back(this);
}

QueueListener::~QueueListener() {
  try {
    stop();
  } catch (...) {
  }
  auto& reg = detail::ListenerAccess::registry();
  std::unique_lock lock(reg.mutex);
  std::erase(reg.all, this);
  reg.unpinned.wait(lock, [&] { return pins_ == 0; });
  lock.unlock();
  if (thread_.joinable()) thread_.detach();  // destroyed from its own thread
}

void QueueListener::start() {
  std::lock_guard guard(start_stop_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    if (state_ != State::stopped) throw RuntimeError("Listener already started");
    state_ = State::running;
  }
  try {
    thread_ = std::thread([this] { monitor(); });
  } catch (...) {
    std::lock_guard lock(state_mutex_);
    state_ = State::stopped;
    throw;
  }
  queue_->set_listening(true);
}

void QueueListener::stop() {
  if (detail::current_listener() == this) throw RuntimeError("cannot join current thread");
  std::lock_guard guard(start_stop_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    if (state_ != State::running) return;
    state_ = State::stopping;
  }
  // Before the sentinel: another process's put either lands before it, and is written, or
  // is refused and counted there.
  queue_->set_listening(false);
  try {
    enqueue_sentinel();
  } catch (...) {
    queue_->set_listening(true);
    std::lock_guard lock(state_mutex_);
    state_ = State::running;
    throw;
  }
  thread_.join();
  {
    std::lock_guard lock(state_mutex_);
    state_ = State::stopped;
  }
  state_cv_.notify_all();
}

bool QueueListener::running() const {
  std::lock_guard lock(state_mutex_);
  return state_ != State::stopped;
}

void QueueListener::handle(LogRecord& record) {
  prepare(record);
  for (const auto& h : handlers_)
    if (!respect_handler_level_ || record.levelno >= h->level()) h->handle(record);
}

void QueueListener::enqueue_sentinel() {
  queue_->put(queue_sentinel());
}

void QueueListener::handle_guarded(LogRecord& record) {
  try {
    handle(record);
  } catch (...) {
    detail::report_listener_error();
  }
}

void QueueListener::flush_handlers() {
  for (const auto& h : handlers_) {
    try {
      h->flush();
    } catch (...) {
      // Python's listener never flushes; a failing flush must not end the thread.
    }
  }
}

void QueueListener::monitor() {
  detail::set_current_listener(this);
  std::vector<LogRecord> batch;
  batch.reserve(detail::kBatch);
  bool unflushed = false;
  const bool batched = batched_opt_in_ || typeid(*this) == typeid(QueueListener);
  // The prepared messages of the batch in hand; the records die with batch.clear().
  detail::TextArena arena;
  // One handler, and this class's own prepare() and handle(): calls it can write from their
  // fields go to it from the queue's storage, with no LogRecord built (the rest of the
  // batch, from the first call it cannot write, comes as records).
  detail::BuiltinQueue* direct = nullptr;
  std::optional<detail::HandlerCalls> direct_calls;
  if (batched && handlers_.size() == 1 && typeid(*this) == typeid(QueueListener) &&
      (direct = detail::direct_queue(*queue_)))
    direct_calls.emplace(*handlers_.front(), respect_handler_level_);
  detail::HandlerCalls* const calls = direct_calls ? &*direct_calls : nullptr;
  for (;;) {
    batch.clear();
    arena.reset();
    std::size_t n = 0;
    try {
      // Poll first while handlers hold unflushed output: an empty queue means flush now.
      if (calls) {
        detail::BatchArenaScope scope(&arena);
        n = direct->get_batch_direct(batch, detail::kBatch, !unflushed, *calls);
      } else if (batched) {
        detail::BatchArenaScope scope(&arena);
        n = queue_->get_batch(batch, detail::kBatch, !unflushed);
      } else if (auto r = dequeue(!unflushed)) {
        batch.push_back(std::move(*r));
        n = 1;
      }
    } catch (...) {
      if (calls) calls->release();
      detail::report_listener_error();
      break;
    }
    if (calls) calls->release();
    if (n == 0) {
      if (unflushed) flush_handlers();
      unflushed = false;
      continue;
    }
    bool sentinel = false;
    // One handler, and this class's own prepare() and handle(): the handler takes the batch
    // as one run, under one lock.
    if (batched && handlers_.size() == 1 && typeid(*this) == typeid(QueueListener) &&
        std::none_of(batch.begin(), batch.end(), is_queue_sentinel)) {
      handlers_.front()->handle_run(batch.data(), batch.size(), respect_handler_level_);
      unflushed = true;
      continue;
    }
    // Records taken in the same step as the sentinel are handled too: they were put while
    // stop() ran and would otherwise wait for a restart that may never come.
    for (LogRecord& r : batch) {
      if (is_queue_sentinel(r))
        sentinel = true;
      else
        handle_guarded(r);
    }
    unflushed = true;
    if (sentinel) break;
  }
  batch.clear();
  if (unflushed) flush_handlers();
  detail::set_current_listener(nullptr);
}

void QueueListener::drain_now() {
  std::lock_guard guard(drain_mutex_);
  // Marks this thread as the listener's meanwhile: a handler that logs into the same queue
  // neither blocks on it nor drains recursively; the loop below picks those records up.
  struct Mark {
    const void* prev = detail::current_listener();
    explicit Mark(const QueueListener* l) { detail::set_current_listener(l); }
    ~Mark() { detail::set_current_listener(prev); }
  } mark(this);
  std::vector<LogRecord> batch;
  detail::TextArena arena;  // as in monitor()
  bool any = false;
  for (;;) {
    batch.clear();
    arena.reset();
    try {
      detail::BatchArenaScope scope(&arena);
      if (queue_->get_batch(batch, detail::kBatch, false) == 0) break;
    } catch (...) {
      detail::report_listener_error();
      break;
    }
    for (LogRecord& r : batch)
      if (!is_queue_sentinel(r)) handle_guarded(r);
    any = true;
  }
  if (any) flush_handlers();
}

void QueueListener::after_shutdown() {
  if (detail::current_listener() == this) return;  // the thread itself: it handles what it puts
  {
    std::unique_lock lock(state_mutex_);
    state_cv_.wait(lock, [&] { return state_ != State::stopping; });
    if (state_ == State::running) return;  // restarted: the thread will get the record
  }
  drain_now();
}

}  // namespace dictlog
