#include "queue/bounded_queue.hpp"

#include <algorithm>
#include <array>

#include "queue/queue_prepare.hpp"
#include "record/at_fork.hpp"

namespace dictlog::detail {

namespace {
struct Slot {
  LogRecord record;
  const QueuePreparer* prep = nullptr;
};

// Chunks kept for reuse: enough for a queue that holds 4096 records between batches. A
// bounded queue keeps (and preallocates) every chunk it can fill, up to kMaxPoolChunks
// (16384 records), so that under Overflow::block it never allocates.
constexpr std::size_t kPoolChunks = 64;
constexpr std::size_t kMaxPoolChunks = 256;
}  // namespace

// 64 slots of ~500 bytes: big enough that a busy queue rarely changes chunks, small enough
// that an idle one holds little memory.
struct BoundedQueue::Chunk {
  static constexpr std::size_t capacity = 64;
  std::array<Slot, capacity> slots;
  std::size_t read = 0;
  std::size_t write = 0;
  Chunk* next = nullptr;
};

namespace {
template <class C>
void delete_chain(C* c) {
  while (c) {
    C* next = c->next;
    delete c;
    c = next;
  }
}
}  // namespace

BoundedQueue::BoundedQueue(std::size_t maxsize)
    : maxsize_(maxsize), wake_backlog_(std::clamp<std::size_t>(maxsize / 2, 1, kWakeBacklog)) {
  // The slots are allocated now, so that the first records allocate nothing either.
  // maxsize records in slots touch at most this many chunks: the partly read head and
  // the partly written tail each add one.
  std::size_t chunks = (maxsize + Chunk::capacity - 1) / Chunk::capacity + 2;
  chunks = std::min(chunks, kMaxPoolChunks);
  pool_chunks_ = std::max(chunks, kPoolChunks);
  for (std::size_t i = 0; i < chunks; ++i) {
    auto* c = new Chunk;
    c->next = free_;
    free_ = c;
    ++free_count_;
  }
}

BoundedQueue::~BoundedQueue() {
  delete_chain(head_);
  delete_chain(free_);
}

BoundedQueue::Chunk* BoundedQueue::new_chunk_locked() {
  Chunk* c = free_;
  if (c) {
    free_ = c->next;
    --free_count_;
    c->next = nullptr;
  } else {
    c = new Chunk;  // growth only: the pool is empty
  }
  return c;
}

bool BoundedQueue::push(LogRecord&& r, const QueuePreparer* prep, bool block) {
  return push_impl(std::move(r), prep, block);
}

bool BoundedQueue::push_copy(const LogRecord& r, const QueuePreparer* prep, bool block) {
  return push_impl(r, prep, block);
}

template <class R>
bool BoundedQueue::push_impl(R&& r, const QueuePreparer* prep, bool block) {
  std::unique_lock lock(mutex_);
  if (count_ >= maxsize_) {
    if (!block) return false;
    ++put_waiters_;
    not_full_.wait(lock, [&] { return count_ < maxsize_; });
    --put_waiters_;
  }
  if (!tail_ || tail_->write == Chunk::capacity) {
    Chunk* c = new_chunk_locked();
    if (tail_)
      tail_->next = c;
    else
      head_ = c;
    tail_ = c;
  }
  Slot& s = tail_->slots[tail_->write++];
  s.record = std::forward<R>(r);
  s.prep = prep;
  ++count_;
  bool wake = get_waiters_ > 0 || (nappers_ > 0 && count_ == wake_backlog_);
  lock.unlock();
  if (wake) not_empty_.notify_one();
  return true;
}

std::optional<LogRecord> BoundedQueue::get(bool block) {
  for (;;) {
    std::unique_lock lock(mutex_);
    if (!head_) {
      if (!block) return std::nullopt;
      ++get_waiters_;
      not_empty_.wait(lock, [&] { return head_ != nullptr; });
      --get_waiters_;
    }
    Chunk* c = head_;
    Slot& s = c->slots[c->read++];
    LogRecord r = std::move(s.record);
    const QueuePreparer* prep = s.prep;
    s.prep = nullptr;
    --count_;
    Chunk* done = nullptr;
    if (c->read == c->write && (c->write == Chunk::capacity || c == tail_)) {
      head_ = c->next;
      if (!head_) tail_ = nullptr;
      c->next = nullptr;
      done = c;
    }
    bool wake = put_waiters_ > 0;
    lock.unlock();
    if (wake) not_full_.notify_one();
    if (done) recycle(done);
    if (prep && !prep->apply(r)) continue;  // reported; Python never enqueued it
    return r;
  }
}

std::size_t BoundedQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  if (max == 0) return 0;
  for (;;) {
    Chunk* chain;
    {
      std::unique_lock lock(mutex_);
      if (!head_) {
        if (!block) return 0;
        wait_for_records(
            lock, not_empty_, [&] { return head_ != nullptr; },
            [&](WaitPhase phase, int step) {
              (phase == WaitPhase::nap ? nappers_ : get_waiters_) += step;
            });
      }
      // Whole chunks change hands; the records are moved out after the lock is released.
      chain = head_;
      Chunk* last = head_;
      std::size_t taken = last->write - last->read;
      while (taken < max && last->next) {
        last = last->next;
        taken += last->write - last->read;
      }
      head_ = last->next;
      last->next = nullptr;
      if (!head_) tail_ = nullptr;
    }
    // count_ still includes the records taken until unload has moved them out and given
    // the chunks back: the queue never holds more than maxsize records in slots, so it
    // never grows past the chunks it preallocated.
    std::size_t n = unload(chain, out);
    if (n > 0 || !block) return n;  // all of them failed to prepare: wait again
  }
}

std::size_t BoundedQueue::unload(Chunk* chain, std::vector<LogRecord>& out) {
  std::size_t n = 0;
  PrepareRun run;
  for (Chunk* c = chain; c; c = c->next) {
    for (std::size_t i = c->read; i < c->write; ++i) {
      Slot& s = c->slots[i];
      const QueuePreparer* prep = s.prep;
      s.prep = nullptr;
      if (!run.apply(prep, s.record)) {
        s.record = LogRecord();
        continue;
      }
      out.push_back(std::move(s.record));
      ++n;
    }
  }
  run.release();
  recycle(chain);
  return n;
}

void BoundedQueue::recycle(Chunk* chain) {
  Chunk* surplus = nullptr;
  std::size_t records = 0;
  for (Chunk* c = chain; c; c = c->next) {
    records += c->write - c->read;
    c->read = c->write = 0;
  }
  {
    std::lock_guard lock(mutex_);
    count_ -= records;
    if (records > 0 && put_waiters_ > 0) not_full_.notify_all();
    while (chain) {
      Chunk* next = chain->next;
      if (free_count_ < pool_chunks_) {
        chain->next = free_;
        free_ = chain;
        ++free_count_;
      } else {
        chain->next = surplus;
        surplus = chain;
      }
      chain = next;
    }
  }
  delete_chain(surplus);
}

bool BoundedQueue::take_fork_locks(ForkLocks& locks) {
  return locks.take(mutex_) && BuiltinQueue::take_fork_locks(locks);
}

void BoundedQueue::drop_after_fork() {
  // The parent's blocked producers are not in the child, but the condition variables still
  // count them as waiters: a notify on the copies would wait for them forever.
  get_waiters_ = put_waiters_ = nappers_ = 0;
  new (&not_empty_) std::condition_variable;
  new (&not_full_) std::condition_variable;
  for (Chunk* c = head_; c; c = c->next)
    for (std::size_t i = c->read; i < c->write; ++i) c->slots[i] = Slot{};
  Chunk* chain = head_;
  head_ = tail_ = nullptr;
  if (chain) recycle(chain);
  count_ = 0;
}

std::size_t BoundedQueue::qsize() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace dictlog::detail
