#include "dictlog/queue.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "dictlog/detail/queue_prepare.hpp"

namespace dictlog {

namespace {
// Recognised by the address of its name, which no logger can share.
constexpr std::string_view kSentinelName = "<QueueListener sentinel>";
}  // namespace

LogRecord queue_sentinel() {
  LogRecord r;
  r.name = kSentinelName;
  r.levelname = "None";
  return r;
}

bool is_queue_sentinel(const LogRecord& r) {
  return r.name.data() == kSentinelName.data();
}

std::size_t LogQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  std::size_t n = 0;
  while (n < max) {
    auto r = get(block && n == 0);
    if (!r) break;
    out.push_back(std::move(*r));
    ++n;
  }
  return n;
}

namespace detail {

struct QueueSlot {
  LogRecord record;
  const QueuePreparer* prep = nullptr;
};

// 64 slots of ~500 bytes: big enough that a busy queue rarely changes chunks, small enough
// that an idle one holds little memory.
struct QueueChunk {
  static constexpr std::size_t capacity = 64;
  std::array<QueueSlot, capacity> slots;
  std::size_t read = 0;
  std::size_t write = 0;
  QueueChunk* next = nullptr;
};

namespace {
// Chunks kept for reuse: enough for a queue that holds 4096 records between batches. A
// bounded queue keeps (and preallocates) every chunk it can fill, up to kMaxPoolChunks
// (16384 records), so that under Overflow::block it never allocates.
constexpr std::size_t kPoolChunks = 64;
constexpr std::size_t kMaxPoolChunks = 256;

void delete_chain(QueueChunk* c) {
  while (c) {
    QueueChunk* next = c->next;
    delete c;
    c = next;
  }
}
}  // namespace

namespace {
using namespace std::chrono_literals;
constexpr auto kNap = 1ms;
constexpr auto kNapWindow = 50ms;
constexpr std::size_t kWakeBacklog = 512;
}  // namespace

ChunkedQueue::ChunkedQueue(std::size_t maxsize)
    : maxsize_(maxsize),
      wake_backlog_(maxsize ? std::clamp<std::size_t>(maxsize / 2, 1, kWakeBacklog)
                            : kWakeBacklog) {
  // A bounded queue gets its slots now, so that the first records allocate nothing either.
  std::size_t chunks =
      maxsize ? (maxsize + QueueChunk::capacity - 1) / QueueChunk::capacity + 1 : 1;
  chunks = std::min(chunks, kMaxPoolChunks);
  pool_chunks_ = std::max(chunks, kPoolChunks);
  for (std::size_t i = 0; i < chunks; ++i) {
    auto* c = new QueueChunk;
    c->next = free_;
    free_ = c;
    ++free_count_;
  }
}

ChunkedQueue::~ChunkedQueue() {
  delete_chain(head_);
  delete_chain(free_);
}

QueueChunk* ChunkedQueue::new_chunk_locked() {
  QueueChunk* c = free_;
  if (c) {
    free_ = c->next;
    --free_count_;
    c->next = nullptr;
  } else {
    c = new QueueChunk;  // growth only: the pool is empty
  }
  return c;
}

bool ChunkedQueue::push(LogRecord&& r, const QueuePreparer* prep, bool block) {
  return push_impl(std::move(r), prep, block);
}

bool ChunkedQueue::push_copy(const LogRecord& r, const QueuePreparer* prep, bool block) {
  return push_impl(r, prep, block);
}

template <class R>
bool ChunkedQueue::push_impl(R&& r, const QueuePreparer* prep, bool block) {
  std::unique_lock lock(mutex_);
  if (maxsize_ && count_ >= maxsize_) {
    if (!block) return false;
    ++put_waiters_;
    not_full_.wait(lock, [&] { return count_ < maxsize_; });
    --put_waiters_;
  }
  if (!tail_ || tail_->write == QueueChunk::capacity) {
    QueueChunk* c = new_chunk_locked();
    if (tail_)
      tail_->next = c;
    else
      head_ = c;
    tail_ = c;
  }
  QueueSlot& s = tail_->slots[tail_->write++];
  s.record = std::forward<R>(r);
  s.prep = prep;
  ++count_;
  bool wake = get_waiters_ > 0 || (nappers_ > 0 && count_ == wake_backlog_);
  lock.unlock();
  if (wake) not_empty_.notify_one();
  return true;
}

void ChunkedQueue::adopt(std::shared_ptr<const QueuePreparer> prep) {
  std::lock_guard lock(mutex_);
  if (std::find(preparers_.begin(), preparers_.end(), prep) == preparers_.end())
    preparers_.push_back(std::move(prep));
}

std::optional<LogRecord> ChunkedQueue::get(bool block) {
  for (;;) {
    std::unique_lock lock(mutex_);
    if (count_ == 0) {
      if (!block) return std::nullopt;
      ++get_waiters_;
      not_empty_.wait(lock, [&] { return count_ > 0; });
      --get_waiters_;
    }
    QueueChunk* c = head_;
    QueueSlot& s = c->slots[c->read++];
    LogRecord r = std::move(s.record);
    const QueuePreparer* prep = s.prep;
    s.prep = nullptr;
    --count_;
    QueueChunk* done = nullptr;
    if (c->read == c->write && (c->write == QueueChunk::capacity || c == tail_)) {
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

std::size_t ChunkedQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  if (max == 0) return 0;
  for (;;) {
    QueueChunk* chain;
    {
      std::unique_lock lock(mutex_);
      if (count_ == 0) {
        if (!block) return 0;
        wait_not_empty(lock);
      }
      // Whole chunks change hands; the records are moved out after the lock is released.
      chain = head_;
      QueueChunk* last = head_;
      std::size_t taken = last->write - last->read;
      while (taken < max && last->next) {
        last = last->next;
        taken += last->write - last->read;
      }
      head_ = last->next;
      last->next = nullptr;
      if (!head_) tail_ = nullptr;
      count_ -= taken;
      if (put_waiters_ > 0) not_full_.notify_all();
    }
    std::size_t n = unload(chain, out);
    if (n > 0 || !block) return n;  // all of them failed to prepare: wait again
  }
}

void ChunkedQueue::wait_not_empty(std::unique_lock<std::mutex>& lock) {
  auto deadline = std::chrono::steady_clock::now() + kNapWindow;
  while (count_ == 0 && std::chrono::steady_clock::now() < deadline) {
    ++nappers_;
    not_empty_.wait_for(lock, kNap);
    --nappers_;
  }
  if (count_ > 0) return;
  ++get_waiters_;
  not_empty_.wait(lock, [&] { return count_ > 0; });
  --get_waiters_;
}

std::size_t ChunkedQueue::unload(QueueChunk* chain, std::vector<LogRecord>& out) {
  std::size_t n = 0;
  // One lock per run of records from the same handler, not one per record.
  const QueuePreparer* held = nullptr;
  std::unique_lock<std::mutex> hold;
  for (QueueChunk* c = chain; c; c = c->next) {
    for (std::size_t i = c->read; i < c->write; ++i) {
      QueueSlot& s = c->slots[i];
      const QueuePreparer* prep = s.prep;
      s.prep = nullptr;
      if (prep && prep != held) {
        if (hold) hold.unlock();
        hold = std::unique_lock<std::mutex>(prep->mutex());
        held = prep;
      }
      if (prep && !prep->apply_locked(s.record)) {
        s.record = LogRecord();
        continue;
      }
      out.push_back(std::move(s.record));
      ++n;
    }
  }
  if (hold) hold.unlock();
  recycle(chain);
  return n;
}

void ChunkedQueue::recycle(QueueChunk* chain) {
  QueueChunk* surplus = nullptr;
  for (QueueChunk* c = chain; c; c = c->next) c->read = c->write = 0;
  {
    std::lock_guard lock(mutex_);
    while (chain) {
      QueueChunk* next = chain->next;
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

std::size_t ChunkedQueue::qsize() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace detail
}  // namespace dictlog
