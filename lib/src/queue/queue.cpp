#include "dictlog/queue.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <new>

#include "core/segment_pool.hpp"
#include "core/thread_buffer.hpp"
#include "dictlog/detail/direct_call.hpp"
#include "queue/queue_prepare.hpp"
#include "record/clock.hpp"
#include "record/fence.hpp"

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

namespace {
std::atomic<std::uint64_t> g_next_queue_uid{1};
}  // namespace

constinit thread_local std::uint64_t t_last_uid = 0;
constinit thread_local ThreadBuffer* t_last_buffer = nullptr;

DirectSink::DirectSink(bool buffered)
    : buffered_(buffered), uid_(g_next_queue_uid.fetch_add(1, std::memory_order_relaxed)) {}

namespace {

// This thread's buffers, one per queue it put into; the last one used is cached in plain
// initial-exec TLS for the logging call. When the thread ends its buffers are handed back.
struct BufferRef {
  std::uint64_t uid;
  std::shared_ptr<ThreadBuffer> buffer;
};
__attribute__((tls_model("initial-exec"))) thread_local bool t_buffers_gone = false;

struct ThreadBuffers {
  std::vector<BufferRef> refs;
  ~ThreadBuffers() {
    t_buffers_gone = true;
    t_last_uid = 0;
    t_last_buffer = nullptr;
    for (auto& r : refs) r.buffer->owned.store(false, std::memory_order_release);
  }
};
thread_local ThreadBuffers t_buffers;

}  // namespace

ThreadBuffer* ChunkedQueue::own_buffer_slow() {
  if (t_buffers_gone) return nullptr;
  auto& refs = t_buffers.refs;
  // Forget buffers of queues that are gone (only this thread and no queue hold them).
  std::erase_if(refs, [](const BufferRef& r) { return r.buffer.use_count() == 1; });
  ThreadBuffer* found = nullptr;
  for (auto& r : refs)
    if (r.uid == uid_) found = r.buffer.get();
  if (!found) {
    std::shared_ptr<ThreadBuffer> b;
    {
      std::lock_guard lock(mutex_);
      for (auto& c : buffers_) {
        bool expected = false;
        if (c->owned.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
          b = c;  // left by a thread that ended: its records stay ahead of ours
          break;
        }
      }
      if (!b) {
        b = std::make_shared<ThreadBuffer>();
        buffers_.push_back(b);
      }
    }
    found = b.get();
    refs.push_back({uid_, std::move(b)});
  }
  t_last_uid = uid_;
  t_last_buffer = found;
  return found;
}

template <class R>
static EntryHeader* emplace_record(ThreadBuffer& b, R&& r, const QueuePreparer* prep) {
  EntryHeader* h =
      b.reserve(round16(sizeof(EntryHeader) + sizeof(LogRecord)), EntryKind::record, prep);
  h->ticks = clock_ticks();
  new (h + 1) LogRecord(std::forward<R>(r));
  return h;
}

template <class R>
bool ChunkedQueue::push_buffered_impl(R&& r, const QueuePreparer* prep) {
  // A listener is being stopped, after its QueueHandler was closed or shutdown() began:
  // a producer that put a record this consumer will not see reads that flag, and serves
  // its records itself (QueueHandler, after_commit).
  if (is_queue_sentinel(r)) heavy_fence();
  if (ThreadBuffer* own = own_buffer()) [[likely]] {
    emplace_record(*own, std::forward<R>(r), prep);
    own->commit();
    after_commit(*own);
    return true;
  }
  {
    std::lock_guard lock(shared_mutex_);
    emplace_record(*shared_buffer_, std::forward<R>(r), prep);
    shared_buffer_->commit();
  }
  after_commit(*shared_buffer_);
  return true;
}

bool ChunkedQueue::push_buffered(LogRecord&& r, const QueuePreparer* prep) {
  return push_buffered_impl(std::move(r), prep);
}

bool ChunkedQueue::push_buffered(const LogRecord& r, const QueuePreparer* prep) {
  return push_buffered_impl(r, prep);
}

void ChunkedQueue::wake_consumer(ThreadBuffer& b) {
  if (sleepers_.load(std::memory_order_relaxed) > 0 || b.waiting() == wake_backlog_) {
    { std::lock_guard lock(mutex_); }  // a consumer between its check and its wait holds it
    not_empty_.notify_all();
  }
}

bool ChunkedQueue::buffers_hold_records() const {
  for (const auto& b : buffers_)
    if (b->waiting() > 0) return true;
  return shared_buffer_->waiting() > 0;
}

namespace {
void set_created(LogRecord& r, std::int64_t created_ns) {
  r.created_ns = created_ns;
  r.relative_created = static_cast<double>(created_ns - start_time_ns()) / 1e6;
}

// Builds the record of a DirectCall, as LogRecord's constructor would have at the call.
void build_record(const DirectCall& c, std::int64_t created_ns, LogRecord& r) {
  SourceLocation where{c.file, c.function, c.line};
  r.name = c.name;
  r.levelno = c.level;
  r.levelname = interned_level_name(c.level);
  if (where.file_name()) r.pathname = where.file_name();
  if (where.function_name()) r.func = where.function_name();
  r.lineno = where.line();
  set_created(r, created_ns);
  r.thread = c.thread;
  r.thread_name = c.thread_name;
  r.process = current_process_id();
  r.set_msg(std::string_view(c.fmt, c.fmt_size));
  r.args().assign_raw(c.vt, c.args(), c.arg_size);
}
}  // namespace

// The consumer's view of the buffers, kept between drains so that a drain allocates
// nothing (consume_mutex_).
struct ConsumerScratch {
  std::vector<ThreadBuffer*> bufs;
  std::vector<EntryHeader*> heads;
};

std::size_t ChunkedQueue::drain_buffers(std::vector<LogRecord>& out, std::size_t max) {
  // consume_mutex_ is held. The buffer list only grows, under mutex_.
  if (!scratch_) scratch_ = std::make_unique<ConsumerScratch>();
  auto& bufs = scratch_->bufs;
  auto& heads = scratch_->heads;
  // Adds the buffers created since the list was last looked at: bufs is the shared buffer,
  // then buffers_ in order, which only ever grows at its end.
  auto add_new_buffers = [&] {
    std::lock_guard lock(mutex_);
    if (bufs.empty()) bufs.push_back(shared_buffer_.get());
    for (std::size_t i = bufs.size() - 1; i < buffers_.size(); ++i)
      bufs.push_back(buffers_[i].get());
    heads.resize(bufs.size(), nullptr);
  };
  add_new_buffers();
  for (std::size_t i = 0; i < bufs.size(); ++i) heads[i] = bufs[i]->peek();
  const TickConverter clock;
  const QueuePreparer* held = nullptr;
  std::unique_lock<std::mutex> hold;
  std::size_t n = 0;
  while (n < max) {
    std::size_t pick = heads.size();
    for (std::size_t i = 0; i < heads.size(); ++i)
      if (heads[i] && (pick == heads.size() || heads[i]->ticks < heads[pick]->ticks)) pick = i;
    if (pick == heads.size()) break;
    EntryHeader* h = heads[pick];
    ThreadBuffer& b = *bufs[pick];
    LogRecord& r = out.emplace_back();
    // A buffer's records never go back in time: a converted TSC reading can fall a few
    // dozen ns behind the wall-clock time of a record put before it (the conversion's
    // jitter, and a rate measured over a short span early on), and is then moved up to it.
    if (h->kind == EntryKind::call) {
      build_record(*reinterpret_cast<const DirectCall*>(h + 1),
                   std::max(clock.to_ns(h->ticks), b.last_created_ns), r);
      b.last_created_ns = r.created_ns;
    } else {
      auto* src = reinterpret_cast<LogRecord*>(h + 1);
      r = std::move(*src);
      src->~LogRecord();
      if (!is_queue_sentinel(r)) {
        if (r.created_ns < b.last_created_ns) set_created(r, b.last_created_ns);
        b.last_created_ns = r.created_ns;
      }
    }
    const QueuePreparer* prep = h->prep;
    b.pop(h);
    heads[pick] = b.peek();
    if (is_queue_sentinel(r)) {
      // Records put before the sentinel may have become visible only after the buffers
      // were first looked at, some in buffers made since (a drain lasts as long as
      // producers keep it fed): look again, so the listener handles them before it ends.
      add_new_buffers();
      for (std::size_t i = 0; i < heads.size(); ++i)
        if (!heads[i]) heads[i] = bufs[i]->peek();
    }
    if (prep && prep != held) {
      if (hold) hold.unlock();
      hold = std::unique_lock<std::mutex>(prep->mutex());
      held = prep;
    }
    if (prep && !prep->apply_locked(r)) {
      out.pop_back();  // reported; Python never enqueued it
      continue;
    }
    ++n;
  }
  return n;
}

std::size_t ChunkedQueue::get_batch_buffered(std::vector<LogRecord>& out, std::size_t max,
                                             bool block) {
  for (;;) {
    std::size_t n;
    {
      std::lock_guard lock(consume_mutex_);
      n = drain_buffers(out, max);
    }
    if (n > 0 || !block) return n;
    std::unique_lock lock(mutex_);
    auto deadline = std::chrono::steady_clock::now() + kNapWindow;
    buffer_nappers_.fetch_add(1, std::memory_order_relaxed);
    while (!buffers_hold_records() && std::chrono::steady_clock::now() < deadline)
      not_empty_.wait_for(lock, kNap);
    buffer_nappers_.fetch_sub(1, std::memory_order_relaxed);
    if (buffers_hold_records()) continue;
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    heavy_fence();  // see after_commit
    while (!buffers_hold_records()) not_empty_.wait(lock);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
  }
}

ChunkedQueue::ChunkedQueue(std::size_t maxsize)
    : DirectSink(maxsize == 0),
      maxsize_(maxsize),
      wake_backlog_(maxsize ? std::clamp<std::size_t>(maxsize / 2, 1, kWakeBacklog)
                            : kWakeBacklog) {
  if (buffered_) {
    shared_buffer_ = std::make_shared<ThreadBuffer>();
    return;
  }
  // A bounded queue gets its slots now, so that the first records allocate nothing either.
  // maxsize records in slots touch at most this many chunks: the partly read head and
  // the partly written tail each add one.
  std::size_t chunks = (maxsize + QueueChunk::capacity - 1) / QueueChunk::capacity + 2;
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
  if (buffered_) return push_buffered(std::forward<R>(r), prep);
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
  if (buffered_) {
    std::vector<LogRecord> one;
    one.reserve(1);
    if (get_batch_buffered(one, 1, block) == 0) return std::nullopt;
    return std::move(one.front());
  }
  for (;;) {
    std::unique_lock lock(mutex_);
    if (!head_) {
      if (!block) return std::nullopt;
      ++get_waiters_;
      not_empty_.wait(lock, [&] { return head_ != nullptr; });
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
  if (buffered_) return get_batch_buffered(out, max, block);
  for (;;) {
    QueueChunk* chain;
    {
      std::unique_lock lock(mutex_);
      if (!head_) {
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
    }
    // count_ still includes the records taken until unload has moved them out and given
    // the chunks back: a bounded queue never holds more than maxsize records in slots, so
    // it never grows past the chunks it preallocated.
    std::size_t n = unload(chain, out);
    if (n > 0 || !block) return n;  // all of them failed to prepare: wait again
  }
}

void ChunkedQueue::wait_not_empty(std::unique_lock<std::mutex>& lock) {
  auto deadline = std::chrono::steady_clock::now() + kNapWindow;
  while (!head_ && std::chrono::steady_clock::now() < deadline) {
    ++nappers_;
    not_empty_.wait_for(lock, kNap);
    --nappers_;
  }
  if (head_) return;
  ++get_waiters_;
  not_empty_.wait(lock, [&] { return head_ != nullptr; });
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
  std::size_t records = 0;
  for (QueueChunk* c = chain; c; c = c->next) {
    records += c->write - c->read;
    c->read = c->write = 0;
  }
  {
    std::lock_guard lock(mutex_);
    count_ -= records;
    if (records > 0 && put_waiters_ > 0) not_full_.notify_all();
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
  if (buffered_) {
    std::size_t n = shared_buffer_->waiting();
    for (const auto& b : buffers_) n += b->waiting();
    return n;
  }
  return count_;
}

}  // namespace detail
}  // namespace dictlog
