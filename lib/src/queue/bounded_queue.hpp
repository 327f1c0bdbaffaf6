// The queue behind Queue(maxsize) with maxsize > 0: Python's maxsize exactly, in
// preallocated chunks of record slots under one mutex (queue.hpp's class comment).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "queue/builtin_queue.hpp"

namespace dictlog::detail {

class BoundedQueue final : public BuiltinQueue {
 public:
  explicit BoundedQueue(std::size_t maxsize);
  ~BoundedQueue() override;

  bool push(LogRecord&& r, const QueuePreparer* prep, bool block) override;
  bool push_copy(const LogRecord& r, const QueuePreparer* prep, bool block) override;
  std::optional<LogRecord> get(bool block) override;
  std::size_t get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) override;
  std::size_t qsize() const override;
  std::size_t maxsize() const override { return maxsize_; }

  bool take_fork_locks(ForkLocks& locks) override;
  // Chunks a consumer had taken out (and was preparing) stay with that consumer's thread,
  // which the child does not have: count_ starts again from zero.
  void drop_after_fork() override;

 private:
  struct Chunk;

  template <class R>
  bool push_impl(R&& r, const QueuePreparer* prep, bool block);
  Chunk* new_chunk_locked();
  // Moves the records of a detached chain into `out` (running deferred prepares) and
  // recycles the chunks.
  std::size_t unload(Chunk* chain, std::vector<LogRecord>& out);
  // Gives a chain's chunks back to the free list (or frees them past pool_chunks_), and
  // the records they held back to maxsize.
  void recycle(Chunk* chain);

  const std::size_t maxsize_;
  const std::size_t wake_backlog_;  // records that wake a napping consumer early
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  Chunk* head_ = nullptr;
  Chunk* tail_ = nullptr;
  Chunk* free_ = nullptr;
  std::size_t free_count_ = 0;
  std::size_t pool_chunks_ = 0;  // free chunks kept for reuse
  // Records in slots, taken ones included until unload has given their chunks back.
  std::size_t count_ = 0;
  int get_waiters_ = 0;
  int put_waiters_ = 0;
  int nappers_ = 0;  // get_batch callers in a timed nap: woken by the clock, not by put
};

}  // namespace dictlog::detail
