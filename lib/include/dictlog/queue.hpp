// Queues of log records: Python's queue.Queue and queue.SimpleQueue, and LogQueue, the
// interface a custom queue implements, for QueueHandler and QueueListener.
//
// An unbounded queue (maxsize 0) gives every thread that puts into it a buffer of its own:
// a put is written there with no lock and no write to a line another producer writes, and
// the consumer takes the records of all buffers, merged in time-stamp order. A thread's
// records keep their order; records of different threads are ordered by the TSC reading of
// their put (or call), which can differ from the order in which the puts completed by the
// few ns two threads raced. A buffer starts at 64 KiB and, when the consumer falls behind,
// the thread links a twice as big one, up to 256 KiB a segment, prefaulted so that later
// records meet no page fault. It takes every segment, the first one included, from a
// process-wide pool in which a background thread, dictlog-pool (started when a thread
// first puts into an unbounded queue), keeps one prefaulted segment ready of each size a
// buffer has reached and of the next size up, so that growth costs the logging thread no
// page fault; only when none is ready does the thread allocate and fault one in itself.
// The consumer gives a segment it has emptied back to the pool, which holds at most eight
// per size, 64 KiB to 256 KiB (3.5 MiB in all), and frees the rest. A thread that ends leaves
// its buffer to the next thread that puts. A waiting call takes 80 bytes plus its encoded
// arguments (88 for two ints; a whole LogRecord, ~650, when it was put as a record), in
// segments that may be half empty.
//
// A bounded queue keeps Python's maxsize exactly: its records go into chunks of 64 slots
// (a slot is a LogRecord, ~540 bytes) under one short lock, and a record counts against
// maxsize until the consumer has moved it out. Its memory is therefore at most
// ceil(maxsize / 64) + 2 chunks, all preallocated for maxsize <= 16256, so a full queue
// blocks or drops and never allocates. (A consumer's batch, e.g. QueueListener's, is
// memory of its own.)
//
// Either way a consumer takes every waiting record in one step (get_batch). A blocking
// get_batch on an empty queue first naps: timed waits of 1 ms for up to 50 ms, during which
// a put does not wake it (a futex wake is a system call, microseconds on the logging
// thread) unless 512 records (half a bounded queue) are waiting. Only after 50 ms without
// records does it sleep until a put wakes it, so an idle consumer costs no CPU and a busy
// program's logging threads never make the system call.
//
//   auto q = std::make_shared<dictlog::Queue>();          // unbounded, like queue.Queue()
//   auto small = std::make_shared<dictlog::Queue>(1000);  // put_nowait fails when full
//   auto h = std::make_shared<dictlog::QueueHandler>(q);
//   dictlog::QueueListener listener(q, {file_handler});
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/record.hpp"

namespace dictlog {

// Python's queue.Full and queue.Empty, for the "--- Logging error ---" report of a record
// that did not fit.
class QueueFull : public Error {
 public:
  QueueFull() : Error("") {}
  const char* python_type() const noexcept override { return "queue.Full"; }
};
class QueueEmpty : public Error {
 public:
  QueueEmpty() : Error("") {}
  const char* python_type() const noexcept override { return "_queue.Empty"; }
};

// What QueueHandler puts into and QueueListener takes out of. Implement it for a custom
// queue; every member may be called from any thread at any time.
class LogQueue {
 public:
  virtual ~LogQueue() = default;

  // Python's put_nowait: false (instead of raising queue.Full) when the queue is full.
  virtual bool put_nowait(LogRecord&& r) = 0;
  // Python's put(block=True): waits while the queue is full.
  virtual void put(LogRecord&& r) = 0;
  // Python's get(block): the oldest record; without block, nullopt when empty.
  virtual std::optional<LogRecord> get(bool block = true) = 0;
  // Appends waiting records, oldest first, to `out` and returns how many; with block,
  // waits for at least one. The default calls get() up to `max` times; a built-in queue
  // takes them in one step (a bounded one in whole chunks of 64, until `max` is reached
  // or passed).
  virtual std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true);
  // Records waiting now (a snapshot).
  virtual std::size_t qsize() const = 0;
  // 0 = unbounded.
  virtual std::size_t maxsize() const { return 0; }
  bool empty() const { return qsize() == 0; }
  bool full() const { return maxsize() > 0 && qsize() >= maxsize(); }
  // Python's class name, for repr and configuration messages.
  virtual std::string_view class_name() const = 0;
  // True for a queue shared between processes that only the process which made it reads
  // (MultiprocessingQueue): a listener on it is not started again in a forked child.
  virtual bool read_by_owner_only() const { return false; }
  // Told by a QueueListener on this queue: true once it has started, false before it stops
  // (before its sentinel is put). A queue other processes put into refuses their puts while
  // its listener is stopped, rather than keep records nobody will read.
  virtual void set_listening(bool /*listening*/) {}
  // Why a put from this process fails for a reason other than a full queue (nobody reads
  // it), or empty. A QueueHandler reports this reason once per outage, not once per record.
  virtual std::string refusal() const { return {}; }
  // Records other processes could not put into this queue (it was full, or refused them):
  // the reading process adds them to its QueueHandler's dropped_queue_full.
  virtual std::uint64_t dropped_elsewhere() const { return 0; }
};

// Python's QueueListener._sentinel: the record stop() enqueues to end the listener's loop.
// A custom consumer of a queue a listener also uses should pass it on untouched.
LogRecord queue_sentinel();
bool is_queue_sentinel(const LogRecord& r);

namespace detail {
class BuiltinQueue;
struct QueueAccess;
}  // namespace detail

// Python's queue.Queue(maxsize=0): FIFO, bounded when maxsize > 0. Neither copied nor moved:
// a QueueHandler and a QueueListener refer to it (through a shared_ptr) while they live.
class Queue : public LogQueue {
 public:
  explicit Queue(std::size_t maxsize = 0);
  ~Queue() override;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  bool put_nowait(LogRecord&& r) override;
  void put(LogRecord&& r) override;
  std::optional<LogRecord> get(bool block = true) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true) override;
  std::size_t qsize() const override;
  std::size_t maxsize() const override;
  std::string_view class_name() const override { return "queue.Queue"; }

 private:
  // The bounded or the unbounded queue of the class comment. A QueueHandler reaches it
  // directly (detail::QueueAccess), to put records whose prepare it defers.
  friend struct detail::QueueAccess;
  const std::unique_ptr<detail::BuiltinQueue> impl_;
};

// Python's queue.SimpleQueue: FIFO, unbounded; the same queue as Queue().
class SimpleQueue : public LogQueue {
 public:
  SimpleQueue();
  ~SimpleQueue() override;
  SimpleQueue(const SimpleQueue&) = delete;
  SimpleQueue& operator=(const SimpleQueue&) = delete;

  bool put_nowait(LogRecord&& r) override;
  void put(LogRecord&& r) override;
  std::optional<LogRecord> get(bool block = true) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true) override;
  std::size_t qsize() const override;
  std::string_view class_name() const override { return "queue.SimpleQueue"; }

 private:
  friend struct detail::QueueAccess;
  const std::unique_ptr<detail::BuiltinQueue> impl_;
};

}  // namespace dictlog
