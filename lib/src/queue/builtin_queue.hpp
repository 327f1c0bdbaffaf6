// The implementations behind dictlog::Queue and dictlog::SimpleQueue, as QueueHandler sees
// them: BoundedQueue (maxsize > 0, bounded_queue.hpp) and BufferedQueue (maxsize 0, per-thread
// buffers, buffered_queue.hpp). queue.hpp's class comment describes how each keeps its
// records; this header holds what the two share: the interface, and the consumer's wait on
// an empty queue.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "dictlog/record.hpp"

namespace dictlog {
class LogQueue;

namespace detail {
struct CallFields;
class DirectSink;
class ForkLocks;
class QueuePreparer;

// A consumer that takes queued logging calls straight from the queue's storage, without
// their LogRecord (QueueListener's direct path): take() writes the call, or returns false
// when it cannot; that call then becomes a record, as does every later one of the same
// get_batch_direct, so that the records the consumer handles after it stay in order.
class CallConsumer {
 public:
  virtual bool take(const CallFields& c) = 0;

 protected:
  ~CallConsumer() = default;
};

// Every member may be called from any thread at any time.
class BuiltinQueue {
 public:
  virtual ~BuiltinQueue();
  BuiltinQueue(const BuiltinQueue&) = delete;
  BuiltinQueue& operator=(const BuiltinQueue&) = delete;

  // Enqueues a record whose QueueHandler.prepare has not run yet: the consumer runs it
  // (`prep`, kept alive by adopt(); nullptr for a record put as it is) before handing the
  // record out. Returns false when the queue is full and !block.
  virtual bool push(LogRecord&& r, const QueuePreparer* prep, bool block) = 0;
  // The same with a copy of `r`, made straight into the queue's storage.
  virtual bool push_copy(const LogRecord& r, const QueuePreparer* prep, bool block) = 0;
  // Keeps a handler's preparer for as long as the queue lives: records it deferred may
  // outlive the handler.
  void adopt(std::shared_ptr<const QueuePreparer> prep);

  // LogQueue's consumer side, which Queue and SimpleQueue forward here.
  virtual std::optional<LogRecord> get(bool block) = 0;
  virtual std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) = 0;
  // get_batch(), offering each call whose deferred prepare leaves its message as it is to
  // `calls` first: returns the entries taken, those `calls` took and those in `out`.
  virtual std::size_t get_batch_direct(std::vector<LogRecord>& out, std::size_t max, bool block,
                                       CallConsumer& calls) {
    (void)calls;
    return get_batch(out, max, block);
  }
  virtual std::size_t qsize() const = 0;
  virtual std::size_t maxsize() const = 0;

  // Where a logger may write its calls (QueueHandler::direct_route), or nullptr: a bounded queue
  // takes none, as each record must count against maxsize when it is put.
  virtual DirectSink* direct_sink() { return nullptr; }

  // fork() (record/at_fork.hpp): the locks under which the queue is consistent, consumer's
  // first; in the child, dropping every record the parent had queued (the parent writes
  // them) and every trace of the parent's waiting consumer.
  virtual bool take_fork_locks(ForkLocks& locks);
  virtual void drop_after_fork() = 0;

 protected:
  // Every built-in queue is known to the fork participant (queue.cpp).
  BuiltinQueue();

 private:
  std::mutex preparers_mutex_;
  std::vector<std::shared_ptr<const QueuePreparer>> preparers_;
};

// Queue(maxsize)'s implementation.
std::unique_ptr<BuiltinQueue> make_builtin_queue(std::size_t maxsize);
// The implementation of `q` when it is a Queue or a SimpleQueue; nullptr for a custom queue.
BuiltinQueue* builtin_queue(LogQueue* q);

// The wait of a blocking get_batch on an empty queue (queue.hpp's class comment): naps of
// kNap for up to kNapWindow, during which a put wakes the consumer only once kWakeBacklog
// records wait, then a wait that any put ends.
inline constexpr std::chrono::milliseconds kNap{1};
inline constexpr std::chrono::milliseconds kNapWindow{50};
inline constexpr std::size_t kWakeBacklog = 512;

enum class WaitPhase { nap, sleep };

// Returns once ready() (checked with `lock` held) is true. announce(phase, +1) before a phase
// and announce(phase, -1) after it (with `lock` held) tell the producers how to wake it.
template <class Ready, class Announce>
void wait_for_records(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Ready ready,
                      Announce announce) {
  const auto deadline = std::chrono::steady_clock::now() + kNapWindow;
  announce(WaitPhase::nap, +1);
  while (!ready() && std::chrono::steady_clock::now() < deadline) cv.wait_for(lock, kNap);
  announce(WaitPhase::nap, -1);
  if (ready()) return;
  announce(WaitPhase::sleep, +1);
  while (!ready()) cv.wait(lock);
  announce(WaitPhase::sleep, -1);
}

}  // namespace detail
}  // namespace dictlog
