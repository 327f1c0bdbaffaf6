#include "queue/buffered_queue.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>
#include <variant>

#include "dictlog/detail/call_extras.hpp"
#include "dictlog/detail/clock.hpp"
#include "dictlog/detail/fence.hpp"
#include "dictlog/detail/thread_buffer.hpp"
#include "dictlog/formatter.hpp"  // CallFields
#include "dictlog/queue.hpp"      // is_queue_sentinel
#include "queue/queue_prepare.hpp"
#include "record/at_fork.hpp"

namespace dictlog::detail {

namespace {
std::atomic<std::uint64_t> g_next_queue_uid{1};
}  // namespace

constinit thread_local std::uint64_t t_last_uid = 0;
constinit thread_local ThreadBuffer* t_last_buffer = nullptr;

DirectSink::DirectSink() : uid_(g_next_queue_uid.fetch_add(1, std::memory_order_relaxed)) {}

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

BufferedQueue::BufferedQueue() : shared_buffer_(std::make_shared<ThreadBuffer>()) {}

BufferedQueue::~BufferedQueue() = default;

ThreadBuffer* BufferedQueue::own_buffer_slow() {
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

namespace {
template <class R>
EntryHeader* emplace_record(ThreadBuffer& b, R&& r, const QueuePreparer* prep) {
  EntryHeader* h = b.reserve(entry_size(kRecordEntry), EntryKind::record, prep);
  h->ticks = clock_ticks();
  new (record_of(h)) LogRecord(std::forward<R>(r));
  return h;
}
}  // namespace

// Never full: `block` does not matter.
bool BufferedQueue::push(LogRecord&& r, const QueuePreparer* prep, bool) {
  return push_impl(std::move(r), prep);
}

bool BufferedQueue::push_copy(const LogRecord& r, const QueuePreparer* prep, bool) {
  return push_impl(r, prep);
}

template <class R>
bool BufferedQueue::push_impl(R&& r, const QueuePreparer* prep) {
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

void BufferedQueue::wake_consumer(ThreadBuffer& b) {
  if (sleepers_.load(std::memory_order_relaxed) > 0 || b.waiting() == kWakeBacklog) {
    { std::lock_guard lock(mutex_); }  // a consumer between its check and its wait holds it
    not_empty_.notify_all();
  }
}

bool BufferedQueue::buffers_hold_records() const {
  for (const auto& b : buffers_)
    if (b->waiting() > 0) return true;
  return shared_buffer_->waiting() > 0;
}

namespace {
void set_created(LogRecord& r, std::int64_t created_ns) {
  r.created_ns = created_ns;
  r.relative_created = static_cast<double>(created_ns - start_time_ns()) / 1e6;
}

// What one drain has looked up for its calls, which mostly repeat a few call sites and
// levels: a level's name from the shared table, the lengths of the file and function names.
struct CallViews {
  bool have_level = false;
  int level = 0;
  std::string_view levelname;
  const char* file = nullptr;
  std::string_view pathname;
  const char* function = nullptr;
  std::string_view func;
};

// call and call_extra are the odd kinds: one test of a bit.
static_assert(static_cast<int>(EntryKind::call) == 1 &&
              static_cast<int>(EntryKind::call_extra) == 3 &&
              static_cast<int>(EntryKind::pad) % 2 == 0 &&
              static_cast<int>(EntryKind::record) % 2 == 0);
bool is_call(const EntryHeader& h) {
  return (static_cast<unsigned>(h.kind()) & 1) != 0;
}
// The call an entry of kind `call` or `call_extra` holds; its level is in the header, and
// its extras (call_extra) and arguments fill the rest of the entry (up to 7 bytes of
// padding after them, never read).
const DirectCall& call_of(const EntryHeader& h) {
  return *reinterpret_cast<const DirectCall*>(&h + 1);
}
const std::byte* extras_of(const EntryHeader& h) {
  return h.kind() == EntryKind::call_extra ? call_of(h).args() : nullptr;
}
const std::byte* args_of(const EntryHeader& h) {
  const std::byte* p = call_of(h).args();
  return h.kind() == EntryKind::call_extra ? p + call_extras_block_size(p) : p;
}
std::size_t arg_bytes(const EntryHeader& h) {
  return h.size() - static_cast<std::size_t>(args_of(h) - reinterpret_cast<const std::byte*>(&h));
}

// A decoded extra as the record keeps it.
Value to_value(const ValueView& v) {
  if (const auto* s = std::get_if<std::string_view>(&v)) return Value(*s);
  return std::visit(
      [](auto x) -> Value {
        using T = decltype(x);
        if constexpr (std::is_same_v<T, std::monostate>)
          return Value();
        else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> ||
                           std::is_same_v<T, double>)
          return Value(x);
        else
          return Value();  // never in a call's extras (call_extras_size)
      },
      v);
}

// The names of a call's level, file and function, looked up once per change.
void look_up(const EntryHeader& h, const DirectCall& c, CallViews& v) {
  if (!v.have_level || v.level != h.level) {
    v.levelname = interned_level_name(h.level);
    v.level = h.level;
    v.have_level = true;
  }
  if (c.file && c.file != v.file) v.pathname = v.file = c.file;
  if (c.function && c.function != v.function) v.func = v.function = c.function;
}

// Builds the record of a call entry, as LogRecord's constructor would have at the call.
void build_record(const EntryHeader& h, std::int64_t created_ns, CallViews& v, LogRecord& r) {
  const DirectCall& c = call_of(h);
  look_up(h, c, v);
  r.name = *c.name;
  r.levelno = h.level;
  r.levelname = v.levelname;
  if (c.file) r.pathname = v.pathname;
  if (c.function) r.func = v.func;
  r.lineno = c.line;
  set_created(r, created_ns);
  r.thread = c.thread->ident;
  r.thread_name = c.thread->name;
  r.process = current_process_id();
  r.set_msg(std::string_view(c.fmt, c.fmt_size));
  r.args().assign_raw(c.vt, args_of(h), arg_bytes(h));
  if (const std::byte* x = extras_of(h))
    for_each_call_extra(x, [&r](std::string_view k, ValueView v) {
      r.extra.emplace_back(std::string(k), to_value(v));
    });
}

// The fields a CallConsumer reads, for the same call.
CallFields call_fields(const EntryHeader& h, std::int64_t created_ns, CallViews& v) {
  const DirectCall& c = call_of(h);
  look_up(h, c, v);
  CallFields f;
  f.name = *c.name;
  f.levelname = v.levelname;
  if (c.file) f.pathname = v.pathname;
  if (c.function) f.func = v.func;
  f.msg = std::string_view(c.fmt, c.fmt_size);
  f.levelno = h.level;
  f.lineno = c.line;
  f.created_ns = created_ns;
  f.vt = c.vt;
  f.args = args_of(h);
  f.extras = extras_of(h);
  return f;
}
}  // namespace

void BufferedQueue::add_new_buffers() {
  std::lock_guard lock(mutex_);
  if (bufs_.empty()) bufs_.push_back(shared_buffer_.get());
  for (std::size_t i = bufs_.size() - 1; i < buffers_.size(); ++i)
    bufs_.push_back(buffers_[i].get());
  heads_.resize(bufs_.size(), nullptr);
}

std::size_t BufferedQueue::drain(std::vector<LogRecord>& out, std::size_t max,
                                 CallConsumer* calls) {
  add_new_buffers();
  for (std::size_t i = 0; i < bufs_.size(); ++i) heads_[i] = bufs_[i]->peek();
  const TickConverter clock;
  CallViews views;
  PrepareRun run;
  std::size_t n = 0;
  // The buffer with the oldest head, and the oldest head of the others: the picked buffer's
  // records older than that come next without looking at the others again (they change
  // only when a sentinel makes the drain look at every buffer once more).
  std::size_t pick = heads_.size();
  std::uint64_t others = 0;
  while (n < max) {
    if (pick == heads_.size() || !heads_[pick] || heads_[pick]->ticks >= others) {
      pick = heads_.size();
      for (std::size_t i = 0; i < heads_.size(); ++i)
        if (heads_[i] && (pick == heads_.size() || heads_[i]->ticks < heads_[pick]->ticks))
          pick = i;
      if (pick == heads_.size()) break;
      others = std::numeric_limits<std::uint64_t>::max();
      for (std::size_t i = 0; i < heads_.size(); ++i)
        if (i != pick && heads_[i]) others = std::min(others, heads_[i]->ticks);
    }
    EntryHeader* h = heads_[pick];
    ThreadBuffer& b = *bufs_[pick];
    if (calls && is_call(*h)) {
      // Straight to the consumer when the call's prepare would leave its message as it is.
      const std::int64_t created_ns = std::max(clock.to_ns(h->ticks), b.last_created_ns);
      if (h->prep) run.hold(h->prep);
      if ((!h->prep || h->prep->keeps_message_locked()) &&
          calls->take(call_fields(*h, created_ns, views))) {
        if (h->prep) h->prep->taken_locked();
        b.last_created_ns = created_ns;
        b.pop(h);
        heads_[pick] = b.peek();
        ++n;
        continue;
      }
    }
    // This entry and the rest become records: the consumer handles them after the calls it
    // took, so that none is taken after them.
    calls = nullptr;
    LogRecord& r = out.emplace_back();
    // A buffer's records never go back in time: a converted TSC reading can fall a few
    // dozen ns behind the wall-clock time of a record put before it (the conversion's
    // jitter, and a rate measured over a short span early on), and is then moved up to it.
    if (is_call(*h)) {
      build_record(*h, std::max(clock.to_ns(h->ticks), b.last_created_ns), views, r);
      b.last_created_ns = r.created_ns;
    } else {
      auto* src = record_of(h);
      r = std::move(*src);
      src->~LogRecord();
      if (!is_queue_sentinel(r)) {
        if (r.created_ns < b.last_created_ns) set_created(r, b.last_created_ns);
        b.last_created_ns = r.created_ns;
      }
    }
    const QueuePreparer* prep = h->prep;
    const bool call = is_call(*h);  // a sentinel is a whole record
    b.pop(h);
    heads_[pick] = b.peek();
    if (!call && is_queue_sentinel(r)) {
      // Records put before the sentinel may have become visible only after the buffers
      // were first looked at, some in buffers made since (a drain lasts as long as
      // producers keep it fed): look again, so the listener handles them before it ends.
      add_new_buffers();
      for (std::size_t i = 0; i < heads_.size(); ++i)
        if (!heads_[i]) heads_[i] = bufs_[i]->peek();
      pick = heads_.size();
    }
    if (!run.apply(prep, r)) {
      out.pop_back();  // reported; Python never enqueued it
      continue;
    }
    ++n;
  }
  return n;
}

std::size_t BufferedQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  return get_batch_impl(out, max, block, nullptr);
}

std::size_t BufferedQueue::get_batch_direct(std::vector<LogRecord>& out, std::size_t max,
                                            bool block, CallConsumer& calls) {
  return get_batch_impl(out, max, block, &calls);
}

std::size_t BufferedQueue::get_batch_impl(std::vector<LogRecord>& out, std::size_t max, bool block,
                                          CallConsumer* calls) {
  if (max == 0) return 0;
  for (;;) {
    std::size_t n;
    {
      std::lock_guard lock(consume_mutex_);
      n = drain(out, max, calls);
    }
    if (n > 0 || !block) return n;
    std::unique_lock lock(mutex_);
    wait_for_records(
        lock, not_empty_, [&] { return buffers_hold_records(); },
        [&](WaitPhase phase, int step) {
          if (phase == WaitPhase::nap) {
            buffer_nappers_.fetch_add(step, std::memory_order_relaxed);
          } else if (step > 0) {
            sleepers_.fetch_add(1, std::memory_order_seq_cst);
            heavy_fence();  // see after_commit
          } else {
            sleepers_.fetch_sub(1, std::memory_order_relaxed);
          }
        });
  }
}

std::optional<LogRecord> BufferedQueue::get(bool block) {
  std::vector<LogRecord> one;
  one.reserve(1);
  if (get_batch(one, 1, block) == 0) return std::nullopt;
  return std::move(one.front());
}

bool BufferedQueue::take_fork_locks(ForkLocks& locks) {
  return locks.take(consume_mutex_) && locks.take(mutex_) && locks.take(shared_mutex_) &&
         BuiltinQueue::take_fork_locks(locks);
}

void BufferedQueue::drop_after_fork() {
  auto empty = [](ThreadBuffer& b) {
    while (EntryHeader* h = b.peek()) {
      if (h->kind() == EntryKind::record) record_of(h)->~LogRecord();
      b.pop(h);
    }
  };
  auto mine = [](const std::shared_ptr<ThreadBuffer>& b) {
    return std::any_of(t_buffers.refs.begin(), t_buffers.refs.end(),
                       [&](const BufferRef& r) { return r.buffer == b; });
  };
  std::vector<std::shared_ptr<ThreadBuffer>> kept;
  for (auto& b : buffers_) {
    if (!mine(b) && b->owned.load(std::memory_order_acquire)) continue;
    empty(*b);
    kept.push_back(b);
  }
  buffers_ = std::move(kept);
  empty(*shared_buffer_);
  bufs_.clear();
  heads_.clear();
  sleepers_.store(0, std::memory_order_relaxed);
  buffer_nappers_.store(0, std::memory_order_relaxed);
  new (&not_empty_) std::condition_variable;
}

std::size_t BufferedQueue::qsize() const {
  std::lock_guard lock(mutex_);
  std::size_t n = shared_buffer_->waiting();
  for (const auto& b : buffers_) n += b->waiting();
  return n;
}

}  // namespace dictlog::detail
