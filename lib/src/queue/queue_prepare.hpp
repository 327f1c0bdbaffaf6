// Internals of QueueHandler's deferred prepare and of the queue layer's shutdown.
//
// A plain QueueHandler feeding a built-in queue does not format on the logging thread: it
// copies the captured record into the queue with a pointer to its QueuePreparer, and
// whoever takes the record out (normally the listener thread) runs the formatting then.
// The result is the record QueueHandler::prepare would have produced at the call.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "dictlog/detail/direct_call.hpp"  // queue_shut_down()
#include "dictlog/record.hpp"

namespace dictlog {
class QueueHandler;
class LogQueue;
class QueueListener;

namespace detail {

// The part of Python's QueueHandler.prepare after self.format(): a record whose msg and
// message are the formatted text, with no args, exc_info, exc_text or stack_info.
void finish_prepare(LogRecord& r, std::string formatted);

// Shared by a QueueHandler and the queues it feeds, so that records queued by a handler
// that has since been destroyed are still prepared safely (with the default format).
class QueuePreparer {
 public:
  explicit QueuePreparer(QueueHandler* owner) : owner_(owner) {}
  // Prepares `r` in place; false if formatting failed (reported through the handler's
  // handle_error, and the record is dropped, as Python's emit drops it).
  bool apply(LogRecord& r) const;
  // apply() with mutex() already held: a consumer preparing a run of records from one
  // handler locks once for the run.
  bool apply_locked(LogRecord& r) const;
  std::mutex& mutex() const { return mutex_; }
  // With mutex() held: whether apply_locked() leaves a call's message as it is (no
  // formatter on the handler), so that a consumer may write the call without its record;
  // taken_locked() then counts it as apply_locked() would have.
  bool keeps_message_locked() const;
  void taken_locked() const;
  void detach();

 private:
  mutable std::mutex mutex_;
  QueueHandler* owner_;
};

// The deferred prepares of the records a consumer takes out in one go: a preparer's lock is
// taken once for each run of records of the same handler, not once per record.
class PrepareRun {
 public:
  // False when `r` failed to prepare (reported): Python never enqueued it, it is dropped.
  bool apply(const QueuePreparer* prep, LogRecord& r) {
    if (!prep) return true;
    hold(prep);
    return prep->apply_locked(r);
  }
  // Holds prep's lock (and no other preparer's).
  void hold(const QueuePreparer* prep) {
    if (prep != held_) {
      if (lock_) lock_.unlock();
      lock_ = std::unique_lock<std::mutex>(prep->mutex());
      held_ = prep;
    }
  }
  void release() {
    if (lock_) lock_.unlock();
    held_ = nullptr;
  }

 private:
  const QueuePreparer* held_ = nullptr;
  std::unique_lock<std::mutex> lock_;
};

// Called by a QueueHandler after it put a record into `q` once shutdown() has run: if the
// queue's listener has been stopped, the records waiting in `q` are handled now, on this
// thread, by that listener's handlers. `hint` is the handler's own listener, if set.
void serve_after_shutdown(const LogQueue* q, QueueListener* hint);

}  // namespace detail
}  // namespace dictlog
