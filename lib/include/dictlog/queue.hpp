// Queues of log records: Python's queue.Queue and queue.SimpleQueue, and LogQueue, the
// interface a custom queue implements, for QueueHandler and QueueListener.
//
// An unbounded queue (maxsize 0) gives every thread that puts into it a buffer of its own:
// a put is written there with no lock and no write to a line another producer writes, and
// the consumer takes the records of all buffers, merged in time-stamp order. A thread's
// records keep their order; records of different threads are ordered by the TSC reading of
// their put (or call), which can differ from the order in which the puts completed by the
// few ns two threads raced. A buffer starts at 64 KiB and, when the consumer falls behind,
// the thread links a twice as big one, up to 1 MiB a segment, prefaulted so that later
// records meet no page fault. It takes every segment, the first one included, from a
// process-wide pool in which a background thread, dictlog-pool (started when a thread
// first puts into an unbounded queue), keeps one prefaulted segment of each size ready, so
// that growth costs the logging thread no page fault; only when none is ready does the
// thread allocate and fault one in itself. The consumer gives a segment it has emptied
// back to the pool, which holds at most two per size, 64 KiB to 1 MiB (~4 MiB in all), and
// frees the rest. A thread that ends leaves its buffer to the next thread that puts. A waiting call
// takes ~120 bytes plus its encoded arguments (a whole LogRecord, ~560, when it was put as a
// record), in segments that may be half empty.
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

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "dictlog/detail/direct_call.hpp"
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
  // waits for at least one. The default calls get() up to `max` times; built-in queues
  // hand over whole chunks of 64 records in one step, until `max` is reached or passed.
  virtual std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true);
  // Records waiting now (a snapshot).
  virtual std::size_t qsize() const = 0;
  // 0 = unbounded.
  virtual std::size_t maxsize() const { return 0; }
  bool empty() const { return qsize() == 0; }
  bool full() const { return maxsize() > 0 && qsize() >= maxsize(); }
  // Python's class name, for repr and configuration messages.
  virtual std::string_view class_name() const = 0;
};

// Python's QueueListener._sentinel: the record stop() enqueues to end the listener's loop.
// A custom consumer of a queue a listener also uses should pass it on untouched.
LogRecord queue_sentinel();
bool is_queue_sentinel(const LogRecord& r);

namespace detail {
class QueuePreparer;
struct QueueChunk;
struct ThreadBuffer;
struct ConsumerScratch;

// The storage behind Queue and SimpleQueue: a linked list of fixed-size chunks of record
// slots under one mutex, recycled through a free list.
class ChunkedQueue : public LogQueue, public DirectSink {
 public:
  explicit ChunkedQueue(std::size_t maxsize);
  ~ChunkedQueue() override;
  ChunkedQueue(const ChunkedQueue&) = delete;
  ChunkedQueue& operator=(const ChunkedQueue&) = delete;

  bool put_nowait(LogRecord&& r) override { return push(std::move(r), nullptr, false); }
  void put(LogRecord&& r) override { push(std::move(r), nullptr, true); }
  std::optional<LogRecord> get(bool block = true) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true) override;
  std::size_t qsize() const override;
  std::size_t maxsize() const override { return maxsize_; }

  // Enqueues a record whose QueueHandler.prepare has not run yet: the consumer runs it
  // (`prep`, kept alive by adopt()) before handing the record out. Returns false when the
  // queue is full and !block.
  bool push(LogRecord&& r, const QueuePreparer* prep, bool block);
  // The same with a copy of `r`, made straight into the slot.
  bool push_copy(const LogRecord& r, const QueuePreparer* prep, bool block);
  void adopt(std::shared_ptr<const QueuePreparer> prep);

  // For an unbounded queue, DirectSink's reserve_call and commit_call take a logging call
  // into the calling thread's buffer, to be prepared by the QueuePreparer given as tag
  // when taken out; commit_call reports shutdown() (queue_shut_down()).

 private:
  QueueChunk* new_chunk_locked();
  template <class R>
  bool push_impl(R&& r, const QueuePreparer* prep, bool block);
  // get_batch's wait on an empty queue: the naps of the class comment, then a plain wait.
  void wait_not_empty(std::unique_lock<std::mutex>& lock);
  void recycle(QueueChunk* chain);
  // Moves the records of a detached chain into out (running deferred prepares) and
  // recycles the chunks.
  std::size_t unload(QueueChunk* chain, std::vector<LogRecord>& out);

  // The per-thread buffers of an unbounded queue.
  ThreadBuffer* own_buffer_slow() override;
  bool push_buffered(LogRecord&& r, const QueuePreparer* prep);
  bool push_buffered(const LogRecord& r, const QueuePreparer* prep);
  template <class R>
  bool push_buffered_impl(R&& r, const QueuePreparer* prep);
  void wake_consumer(ThreadBuffer& b) override;
  std::size_t drain_buffers(std::vector<LogRecord>& out, std::size_t max);
  bool buffers_hold_records() const;  // mutex_ held
  std::size_t get_batch_buffered(std::vector<LogRecord>& out, std::size_t max, bool block);

  const std::size_t maxsize_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  QueueChunk* head_ = nullptr;
  QueueChunk* tail_ = nullptr;
  QueueChunk* free_ = nullptr;
  std::size_t free_count_ = 0;
  std::size_t pool_chunks_ = 0;  // free chunks kept for reuse
  std::size_t count_ = 0;
  int get_waiters_ = 0;
  int put_waiters_ = 0;
  int nappers_ = 0;           // get_batch callers in a timed nap: woken by the clock, not by put
  std::size_t wake_backlog_;  // records that wake a napping consumer early
  std::vector<std::shared_ptr<const QueuePreparer>> preparers_;

  std::vector<std::shared_ptr<ThreadBuffer>> buffers_;  // under mutex_
  // The buffer of threads that have none (their thread-local storage is being torn
  // down), shared under shared_mutex_.
  std::shared_ptr<ThreadBuffer> shared_buffer_;
  std::mutex shared_mutex_;
  std::mutex consume_mutex_;                  // one consumer of the buffers at a time
  std::unique_ptr<ConsumerScratch> scratch_;  // under consume_mutex_
};
}  // namespace detail

// Python's queue.Queue(maxsize=0): FIFO, bounded when maxsize > 0.
class Queue : public detail::ChunkedQueue {
 public:
  explicit Queue(std::size_t maxsize = 0) : ChunkedQueue(maxsize) {}
  std::string_view class_name() const override { return "queue.Queue"; }
};

// Python's queue.SimpleQueue: FIFO, unbounded.
class SimpleQueue : public detail::ChunkedQueue {
 public:
  SimpleQueue() : ChunkedQueue(0) {}
  std::string_view class_name() const override { return "queue.SimpleQueue"; }
};

}  // namespace dictlog
