// QueueHandler: hands records to a queue for a QueueListener thread to write (Python's
// logging.handlers.QueueHandler).
//
// The listener's handlers see exactly what CPython's would: a record whose msg and message
// are this handler's format of the original (traceback and stack included, so they appear
// once), with no args, exc_info, exc_text or stack_info. A plain QueueHandler on a built-in
// queue does that formatting late, on the thread that takes the record out of the queue:
// the logging thread only copies the captured record (times, thread, arguments by value)
// into a preallocated slot. The bytes written are the same either way.
//
//   auto q = std::make_shared<dictlog::Queue>();
//   auto qh = std::make_shared<dictlog::QueueHandler>(q);
//   auto listener = std::make_shared<dictlog::QueueListener>(
//       q, std::vector<std::shared_ptr<dictlog::Handler>>{file_handler});
//   listener->start();
//   dictlog::get_logger().add_handler(qh);
//
// When the queue is full, a record is dropped and reported the way CPython reports it
// (handle_error with queue.Full), unless set_overflow(Overflow::block) makes the logging
// thread wait for room instead (never on a listener's own thread, which would wait for
// itself). Every dropped record is counted in dropped().
//
// After dictlog::shutdown() has stopped the listeners, or once this handler is closed (a
// reconfiguration closes it before stopping its listener), a record put into a queue whose
// listener is stopped is written at once, on the logging thread, by that listener's
// handlers: late records (atexit, threads still logging through a replaced handler) are
// not lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "dictlog/detail/direct_call.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/queue.hpp"

namespace dictlog {

class QueueListener;
namespace detail {
class BuiltinQueue;
class QueuePreparer;
}  // namespace detail

// On an unbounded built-in queue, a logger whose records meet only this handler skips the
// LogRecord at the call: it writes the call's parts straight into the queue's buffer for
// this thread (direct_route), and the record is built when it is taken out.
class QueueHandler : public Handler, public detail::DirectCallTarget {
 public:
  enum class Overflow { drop, block };

  explicit QueueHandler(std::shared_ptr<LogQueue> q);
  ~QueueHandler() override;

  std::shared_ptr<LogQueue> queue() const { return queue_; }
  // Python's `listener` attribute: set by dict_config (or the application), else null.
  std::shared_ptr<QueueListener> listener() const;
  void set_listener(std::shared_ptr<QueueListener> l);

  void set_overflow(Overflow o) { overflow_.store(o, std::memory_order_relaxed); }
  Overflow overflow() const { return overflow_.load(std::memory_order_relaxed); }
  // Records not enqueued because the queue was full.
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Python's prepare: format(record) with this handler's formatter, then a copy whose msg
  // and message are that text and whose args, exc_info, exc_text and stack_info are gone.
  // Throws what the formatter throws.
  virtual LogRecord prepare(const LogRecord& record);
  // Python's enqueue: put_nowait (QueueFull when full), or put under Overflow::block.
  virtual void enqueue(LogRecord&& record);
  // enqueue(prepare(record)); errors go to handle_error. See the class comment for when
  // prepare runs on the consuming thread instead.
  void emit(LogRecord& record) override;
  // Handler::handle without the handler's lock when prepare is deferred: the queue is
  // thread-safe by itself, and concurrent callers should meet only on its short lock.
  bool handle(LogRecord& record) noexcept override;

  // emitted counts the records put on the call path (a subclass's) and those the listener
  // took out of the queue (the deferred path); dropped_queue_full is dropped().
  HandlerStats stats() const override;
  // In the child of fork(): the listener's handle is kept (its listener runs again).
  void at_fork_reinit() override;

  std::string_view class_name() const override { return "QueueHandler"; }

  detail::DirectRoute direct_route() override;
  void serve_late_call() override { serve_late(); }

 protected:
  // A subclass that overrides neither prepare nor enqueue may opt in to the deferred
  // prepare (a plain QueueHandler always uses it on a built-in queue).
  void set_defer_prepare(bool on) { defer_opt_in_ = on; }

 private:
  friend class detail::QueuePreparer;
  bool defer() const;
  void serve_if_late();
  [[gnu::noinline]] void serve_late();
  void count_drop(const LogRecord& record);
  void report_drop(const LogRecord& record);
  void emit_deferred(const LogRecord& record);

  const std::shared_ptr<LogQueue> queue_;
  detail::BuiltinQueue* const fast_;  // queue_'s implementation if it is a built-in queue
  const std::shared_ptr<detail::QueuePreparer> preparer_;
  std::atomic<Overflow> overflow_{Overflow::drop};
  std::atomic<std::uint64_t> dropped_{0};
  // The queue's refusal() has been reported since the last record it accepted.
  std::atomic<bool> told_refusal_{false};
  // Records the consumer prepared for this handler; written under the preparer's mutex.
  std::atomic<std::uint64_t> taken_{0};
  mutable std::atomic<signed char> exact_type_{-1};  // typeid(*this) == QueueHandler, cached
  bool defer_opt_in_ = false;
  mutable std::mutex listener_mutex_;
  std::shared_ptr<QueueListener> listener_;
};

}  // namespace dictlog
