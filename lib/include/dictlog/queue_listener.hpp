// QueueListener: a thread that takes records out of a queue and hands each to its handlers
// (Python's logging.handlers.QueueListener, with 3.14's start guard).
//
// The thread sleeps while the queue is empty (no busy polling; on a built-in queue it naps
// in 1 ms steps for the first 50 ms of an idle spell, see queue.hpp) and wakes when a
// record arrives.
// It takes every waiting record at once, passes each to every handler in order through
// handler->handle() (filters and the handler's lock; handler levels only count with
// respect_handler_level, as in Python), and flushes the handlers whenever the queue runs
// dry. With one handler, a FileHandler whose formatter is a plain Formatter (name,
// levelname, message and asctime fields, no widths) and no filter, a built-in queue's calls
// are written by the handler straight from the queue, with no LogRecord built: the same
// bytes, counts and order, at about 1,000 instructions a line (bench/README.md).
// stop() queues a sentinel, lets the thread finish everything queued before it, and
// joins it. dictlog::shutdown() (and normal exit) stops every running listener, draining
// its queue, before handlers are flushed and closed; records still waiting in the queue of
// a listener that was never started are then handled on the shutting-down thread.
//
//   auto q = std::make_shared<dictlog::Queue>();
//   dictlog::QueueListener listener(q, {std::make_shared<dictlog::FileHandler>("app.log")});
//   listener.start();
//   ...
//   listener.stop();   // or let shutdown() do it
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "dictlog/handler.hpp"
#include "dictlog/queue.hpp"

namespace dictlog {

namespace detail {
struct ListenerAccess;
}

// Thread-safety: start() and stop() may be called from any thread except the listener's
// own (stop() there throws RuntimeError "cannot join current thread"). A subclass that
// overrides prepare() or handle() must call stop() in its own destructor.
class QueueListener {
 public:
  QueueListener(std::shared_ptr<LogQueue> q, std::vector<std::shared_ptr<Handler>> handlers,
                bool respect_handler_level = false);
  // Stops the thread (draining the queue up to the sentinel).
  virtual ~QueueListener();
  QueueListener(const QueueListener&) = delete;
  QueueListener& operator=(const QueueListener&) = delete;

  // Starts the thread; records queued before are handled first. Throws
  // RuntimeError("Listener already started") if it is running (CPython 3.14).
  void start();
  // Enqueues the sentinel, waits until everything queued before it has been handled and
  // the thread has ended. Does nothing if the listener is not running.
  void stop();
  bool running() const;

  // CPython 3.14's `with listener:`: start() now (RuntimeError if it is running), stop()
  // when the scope ends, draining the queue.
  //   { auto running = listener.scope(); ... }
  class [[nodiscard]] Scope {
   public:
    explicit Scope(QueueListener& l) : l_(l) { l_.start(); }
    ~Scope() {
      try {
        l_.stop();
      } catch (...) {
        // Only from the listener's own thread, where no scope can end.
      }
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    QueueListener& l_;
  };
  Scope scope() { return Scope(*this); }

  std::shared_ptr<LogQueue> queue() const { return queue_; }
  const std::vector<std::shared_ptr<Handler>>& handlers() const { return handlers_; }
  bool respect_handler_level() const { return respect_handler_level_; }

  // Python's prepare: the record as the handlers will see it (identity by default).
  virtual void prepare(LogRecord& record) { (void)record; }
  // Python's handle: prepare, then handler->handle(record) for every handler (skipping
  // those whose level is above the record's when respect_handler_level is set).
  virtual void handle(LogRecord& record);
  // Python's enqueue_sentinel: puts queue_sentinel() (waiting for room in a full queue).
  virtual void enqueue_sentinel();
  // Python's dequeue(block): the next record (queue.get). A plain QueueListener takes every
  // waiting record in one step instead; a subclass's thread calls dequeue() per record,
  // unless it opts back in to batches with set_batched(true) (then dequeue is not called).
  virtual std::optional<LogRecord> dequeue(bool block) { return queue_->get(block); }

  virtual std::string_view class_name() const { return "QueueListener"; }

 protected:
  void set_batched(bool on) { batched_opt_in_ = on; }

 private:
  friend struct detail::ListenerAccess;
  enum class State { stopped, running, stopping };

  void monitor();
  void handle_guarded(LogRecord& record);
  void flush_handlers();
  // Handles every record waiting in the queue on the calling thread.
  void drain_now();
  // After shutdown(): waits for a stop in progress, then drains if the thread is gone.
  void after_shutdown();

  const std::shared_ptr<LogQueue> queue_;
  const std::vector<std::shared_ptr<Handler>> handlers_;
  const bool respect_handler_level_;
  bool batched_opt_in_ = false;

  std::mutex start_stop_mutex_;  // serialises start() and stop()
  mutable std::mutex state_mutex_;
  std::condition_variable state_cv_;
  State state_ = State::stopped;
  std::thread thread_;
  std::mutex drain_mutex_;
  int pins_ = 0;  // guarded by the registry's mutex: shutdown is using this listener
};

}  // namespace dictlog
