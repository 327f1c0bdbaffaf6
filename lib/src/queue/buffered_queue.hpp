// The queue behind Queue() and SimpleQueue(): unbounded, a buffer for every thread that
// puts into it (dictlog/detail/thread_buffer.hpp), which the consumer merges in time-stamp order
// (queue.hpp's class comment). It is the DirectSink a logger writes its calls into.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "dictlog/detail/direct_call.hpp"
#include "queue/builtin_queue.hpp"

namespace dictlog::detail {

struct EntryHeader;

class BufferedQueue final : public BuiltinQueue, public DirectSink {
 public:
  BufferedQueue();
  ~BufferedQueue() override;

  bool push(LogRecord&& r, const QueuePreparer* prep, bool block) override;
  bool push_copy(const LogRecord& r, const QueuePreparer* prep, bool block) override;
  std::optional<LogRecord> get(bool block) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) override;
  std::size_t get_batch_direct(std::vector<LogRecord>& out, std::size_t max, bool block,
                               CallConsumer& calls) override;
  std::size_t qsize() const override;
  std::size_t maxsize() const override { return 0; }

  // DirectSink's reserve_call and commit_call take a logging call into the calling
  // thread's buffer, to be prepared by the QueuePreparer given as tag when taken out.
  DirectSink* direct_sink() override { return this; }

  bool take_fork_locks(ForkLocks& locks) override;
  // Keeps the buffers of the forking thread and of threads that had ended, emptied; the
  // others belong to threads the child does not have, which may have left an entry
  // half-written: they are left out (and their memory with them).
  void drop_after_fork() override;

 private:
  ThreadBuffer* own_buffer_slow() override;
  void wake_consumer(ThreadBuffer& b) override;
  template <class R>
  bool push_impl(R&& r, const QueuePreparer* prep);
  // consume_mutex_ held.
  std::size_t drain(std::vector<LogRecord>& out, std::size_t max, CallConsumer* calls);
  std::size_t get_batch_impl(std::vector<LogRecord>& out, std::size_t max, bool block,
                             CallConsumer* calls);
  void add_new_buffers();
  bool buffers_hold_records() const;  // mutex_ held

  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::vector<std::shared_ptr<ThreadBuffer>>
      buffers_;  // under mutex_; grows (a forked child starts it again)
  // The buffer of threads that have none (their thread-local storage is being torn
  // down), shared under shared_mutex_.
  std::shared_ptr<ThreadBuffer> shared_buffer_;
  std::mutex shared_mutex_;
  // One consumer of the buffers at a time. Under it, the consumer's view of the buffers,
  // kept between drains so that a drain allocates nothing: shared_buffer_, then buffers_
  // in order, and the oldest entry of each.
  std::mutex consume_mutex_;
  std::vector<ThreadBuffer*> bufs_;
  std::vector<EntryHeader*> heads_;
};

}  // namespace dictlog::detail
