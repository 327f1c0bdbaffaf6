// MultiprocessingQueue: Python's multiprocessing.Queue for processes made by fork(), the
// logging cookbook's "logging to a single file from multiple processes": workers put, the
// process that made the queue writes.
//
// The queue lives in shared memory mapped when it is made, so children forked afterwards
// (workers, and workers of workers) share it. A QueueHandler on it puts each prepared record
// (the formatted message, level, logger name, times, process and thread identity, exception
// text, extras and context) into one fixed-size slot; only the process that made the queue
// takes records out, so its QueueListener writes every worker's records through its own
// handlers. In a child the listener is not started again for this queue (for an in-process
// queue it is), and get() there finds nothing.
//
// Each slot is claimed by one atomic step that records the claiming process, written, then
// committed by a second: a reader never sees half a record. A slot whose writer died between
// the two (SIGKILL in the middle of a put) is found by the reader, which checks that the
// claimant has ended, skips the slot and counts it in abandoned(): the queue never sticks. A
// record larger than a slot is cut (its message first) to fit and counted in truncated().
// The queue is bounded (`maxsize`, default 8192 slots of 2 KiB): when it is full put_nowait
// fails (QueueHandler drops and counts, or blocks with "overflow": "block"). Records put
// before the reader's listener starts wait for it. Once that listener has stopped, puts
// from other processes are refused (a blocking put waits for it to start again), and once
// the process that reads it has ended (checked every 100 ms) every put fails and a blocked
// put gives up with QueueFull: nothing waits for a reader that will not come. A QueueHandler
// reports such an outage once (refusal() says why) and counts each record it drops; the
// reading process sees the drops of every process in its own QueueHandler's stats().
//
//   auto q = std::make_shared<dictlog::MultiprocessingQueue>();   // before fork()
//   dictlog::get_logger().add_handler(std::make_shared<dictlog::QueueHandler>(q));
//   dictlog::QueueListener listener(q, {file_handler});
//   listener.start();
//   if (fork() == 0) { dictlog::get_logger("worker").info("hello"); _exit(0); }
//
// In a configuration: "queue": {"()": "multiprocessing.Queue", "maxsize": 10000}.
//
// Thread-safety: any thread of any process sharing the queue may put at any time; get and
// get_batch serialise among the threads of the reading process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "dictlog/queue.hpp"

namespace dictlog {

struct MultiprocessingQueueOptions {
  // Slots: records that may wait. Python's maxsize <= 0 means unbounded; a shared queue
  // cannot grow, so 0 means this default.
  std::size_t maxsize = 8192;
  // Bytes a slot holds, its header included (at least 256).
  std::size_t slot_size = 2048;
};

namespace detail {
struct SharedRing;
}

class MultiprocessingQueue : public LogQueue {
 public:
  // Maps the shared memory (maxsize * slot_size bytes, touched only as it is used). Throws
  // OSError when mmap fails, ValueError for a slot_size under 256.
  explicit MultiprocessingQueue(MultiprocessingQueueOptions options = {});
  ~MultiprocessingQueue() override;
  MultiprocessingQueue(const MultiprocessingQueue&) = delete;
  MultiprocessingQueue& operator=(const MultiprocessingQueue&) = delete;

  bool put_nowait(LogRecord&& r) override;
  // Waits while the queue is full or its listener is stopped; gives up (throws QueueFull,
  // as Python's put with a timeout) once the reading process has ended.
  void put(LogRecord&& r) override;
  std::optional<LogRecord> get(bool block = true) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block = true) override;
  std::size_t qsize() const override;
  std::size_t maxsize() const override;
  bool read_by_owner_only() const override { return true; }
  void set_listening(bool listening) override;
  std::string refusal() const override;
  std::uint64_t dropped_elsewhere() const override;
  std::string_view class_name() const override { return "multiprocessing.Queue"; }

  // Records other processes could not put (full or refused), seen from any process.
  std::uint64_t refused() const;
  // Slots skipped because their writer died in the middle of a put.
  std::uint64_t abandoned() const;
  // Records cut to fit a slot.
  std::uint64_t truncated() const;
  // The process that made the queue, the only one that reads it.
  std::int64_t owner() const;
  // The shared ring itself, for white-box tests.
  detail::SharedRing& ring() { return *ring_; }

 private:
  enum class Put { done, full, refused };
  Put try_put(const LogRecord& r);
  std::optional<LogRecord> take_one();
  bool reader_gone() const;
  bool refusing() const;
  MultiprocessingQueueOptions options_;
  detail::SharedRing* ring_;
  std::mutex read_mutex_;
};

}  // namespace dictlog
