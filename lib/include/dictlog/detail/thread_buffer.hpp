// The per-thread buffers of an unbounded queue, and the inline fast paths of
// detail::DirectSink that write into them: the logger's inline call path (logger.hpp,
// Logger::log_direct) and the unbounded queue (queue/buffered_queue.cpp) both include
// this, so that a logging call reaches its thread's buffer with no call through a vtable
// and none into the library. Public only for that: applications do not use it. It sits
// below the logger: records, the clock, fences and the segment pool, nothing of the queue
// layer (a QueuePreparer is only an address here).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "dictlog/detail/clock.hpp"
#include "dictlog/detail/direct_call.hpp"
#include "dictlog/detail/fence.hpp"
#include "dictlog/detail/segment_pool.hpp"
#include "dictlog/record.hpp"

namespace dictlog::detail {

class QueuePreparer;  // the tag of a queue's entries; only its address is kept here

// A buffer is a chain of segments; each segment is a ring of bytes holding variable-size
// entries, written by one producer and read by one consumer at a time. Positions only
// grow; `committed` (producer) and `consumed` (consumer) publish them. A producer whose
// segment is full links a bigger one (from the pool of segment_pool.hpp) and never
// touches the old one again; the consumer gives a segment back to that pool once it is
// empty and linked past.

// 24 bytes, entries 8-aligned: a call with two ints is 88 bytes (112 with a 32-byte header
// at 16), and a backlog's memory is faulted in page by page, so its size per entry is its
// cost. The kind sits in the size's low bits, which alignment leaves free.
struct alignas(8) EntryHeader {
  std::uint32_t size_kind;    // the whole entry's size (a multiple of 8) | its kind
  int level;                  // a call's (DirectCall)
  const QueuePreparer* prep;  // whoever prepares the record when it is taken out
  std::uint64_t ticks;        // when it was put (detail::clock_ticks)

  std::uint32_t size() const { return size_kind & ~std::uint32_t{7}; }
  EntryKind kind() const { return static_cast<EntryKind>(size_kind & 7); }
  void set(std::size_t size, EntryKind kind) {
    size_kind = static_cast<std::uint32_t>(size) | static_cast<std::uint32_t>(kind);
  }
};
static_assert(sizeof(EntryHeader) == 24);
constexpr std::size_t entry_size(std::size_t n) {
  return (n + alignof(EntryHeader) - 1) & ~(alignof(EntryHeader) - 1);
}
// A record entry's LogRecord, after its header at the record's own alignment: the entry
// is entry_size(kRecordEntry) bytes.
inline constexpr std::size_t kRecordEntry =
    sizeof(EntryHeader) + alignof(LogRecord) - alignof(EntryHeader) + sizeof(LogRecord);
inline LogRecord* record_of(EntryHeader* h) {
  const auto at = reinterpret_cast<std::uintptr_t>(h + 1);
  return reinterpret_cast<LogRecord*>((at + alignof(LogRecord) - 1) & ~(alignof(LogRecord) - 1));
}

struct ThreadBuffer {
  // The first segment comes from the pool too, prefaulted: the pool's spare, or one a
  // drained buffer gave back.
  ThreadBuffer() : write_seg(SegmentPool::instance().take(kFirstSegment)), read_seg(write_seg) {
    set_write_limit();
  }
  ~ThreadBuffer() {
    // The queue is going away: destroy what nobody took.
    while (EntryHeader* h = peek()) {
      if (h->kind() == EntryKind::record) record_of(h)->~LogRecord();
      pop(h);
    }
    delete read_seg;
  }
  ThreadBuffer(const ThreadBuffer&) = delete;
  ThreadBuffer& operator=(const ThreadBuffer&) = delete;

  // Producer side. Room for an entry of `size` bytes (from entry_size()), its header filled
  // in; visible to the consumer after commit(). The common case is a pointer bump within
  // the room last known free; reserve_slow wraps, pads, learns what the consumer freed,
  // or grows.
  EntryHeader* reserve(std::size_t size, EntryKind kind, const QueuePreparer* prep) {
    std::byte* p = write_ptr;
    if (static_cast<std::size_t>(write_limit - p) < size) [[unlikely]]
      return reserve_slow(size, kind, prep);
    write_ptr = p + size;
    write_pos += size;
    auto* h = reinterpret_cast<EntryHeader*>(p);
    h->set(size, kind);
    h->prep = prep;
    return h;
  }
  [[gnu::noinline]] EntryHeader* reserve_slow(std::size_t size, EntryKind kind,
                                              const QueuePreparer* prep) {
    Segment* s = write_seg;
    std::uint64_t pos = write_pos;
    std::size_t tail = s->cap - (pos & (s->cap - 1));
    std::size_t need = size <= tail ? size : tail + size;  // pad to the end, then wrap
    if (pos + need - consumed_seen > s->cap) {
      consumed_seen = s->consumed.load(std::memory_order_acquire);
      if (pos + need - consumed_seen > s->cap) {
        grow(size);
        s = write_seg;
        pos = write_pos;
        need = size;
      }
    }
    if (need != size) {
      EntryHeader* pad = s->at(pos);
      pad->set(tail, EntryKind::pad);
      pos += tail;
    }
    EntryHeader* h = s->at(pos);
    h->set(size, kind);
    h->prep = prep;
    write_pos = pos + size;
    set_write_limit();
    return h;
  }
  // write_ptr at write_pos; write_limit where the segment's lap ends or, before that, where
  // the consumer had last been seen to leave unread bytes.
  void set_write_limit() {
    const std::size_t cap = write_seg->cap;
    const std::size_t off = write_pos & (cap - 1);
    const std::uint64_t end = std::min(write_pos - off + cap, consumed_seen + cap);
    write_ptr = write_seg->data + off;
    write_limit = write_ptr + (end - write_pos);
  }
  void commit() {
    write_seg->committed.store(write_pos, std::memory_order_release);
    pushed.store(pushed.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  void grow(std::size_t size) {
    std::size_t cap = std::min(write_seg->cap * 2, kMaxSegment);
    while (cap < 2 * size) cap *= 2;
    Segment* fresh = SegmentPool::instance().take(cap);
    Segment* old = write_seg;
    write_seg = fresh;
    write_pos = 0;
    consumed_seen = 0;
    old->next.store(fresh, std::memory_order_release);  // the producer's last touch of `old`
  }

  // Consumer side (consume_mutex_ held). The oldest entry, or nullptr.
  EntryHeader* peek() {
    for (;;) {
      Segment* s = read_seg;
      if (read_pos < s->committed.load(std::memory_order_acquire)) {
        EntryHeader* h = s->at(read_pos);
        if (h->kind() != EntryKind::pad) return h;
        read_pos += h->size();
        continue;
      }
      Segment* n = s->next.load(std::memory_order_acquire);
      if (!n) return nullptr;
      // Everything committed to `s` was committed before `next` was set.
      if (read_pos < s->committed.load(std::memory_order_acquire)) continue;
      read_seg = n;
      read_pos = 0;
      SegmentPool::instance().give_back(s);
    }
  }
  void pop(const EntryHeader* h) {
    read_pos += h->size();
    read_seg->consumed.store(read_pos, std::memory_order_release);
    popped.store(popped.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  std::size_t waiting() const {
    return static_cast<std::size_t>(pushed.load(std::memory_order_acquire) -
                                    popped.load(std::memory_order_acquire));
  }

  // Written by the producer only.
  alignas(64) Segment* write_seg;
  std::byte* write_ptr;
  std::byte* write_limit;
  std::uint64_t write_pos = 0;
  std::uint64_t consumed_seen = 0;
  std::atomic<bool> owned{true};  // a live thread writes here
  // Read by the consumer's wait: apart from the producer's other state, so that the reads
  // do not take that line away from the producer.
  alignas(64) std::atomic<std::uint64_t> pushed{0};
  // Written by the consumer only.
  alignas(64) Segment* read_seg;
  std::uint64_t read_pos = 0;
  std::atomic<std::uint64_t> popped{0};
  std::int64_t last_created_ns = 0;  // of the last record taken out
};

// The buffer this thread used last, and the uid of its sink (buffered_queue.cpp keeps the
// rest of the thread's buffers). Initial-exec: one %fs-relative load, not a __tls_get_addr call;
// constinit: no check for a dynamic initializer at every use. Not hidden: a logging call
// inlined into the application reads them (Logger::log_args).
#define DICTLOG_TLS __attribute__((tls_model("initial-exec"))) constinit thread_local
extern DICTLOG_TLS std::uint64_t t_last_uid;
extern DICTLOG_TLS ThreadBuffer* t_last_buffer;
#undef DICTLOG_TLS

inline ThreadBuffer* DirectSink::own_buffer() {
  if (t_last_uid == uid_) [[likely]]
    return t_last_buffer;
  return own_buffer_slow();
}

inline DirectSink::Reserved DirectSink::reserve_call(int level, std::size_t arg_size,
                                                     const void* tag, std::uint64_t ticks,
                                                     EntryKind kind) {
  ThreadBuffer* b = own_buffer();
  if (!b) [[unlikely]]
    return {};
  EntryHeader* h = b->reserve(entry_size(sizeof(EntryHeader) + sizeof(DirectCall) + arg_size), kind,
                              static_cast<const QueuePreparer*>(tag));
  h->level = level;
  h->ticks = ticks;
  return {reinterpret_cast<DirectCall*>(h + 1), b};
}

// After a record became visible: wake a sleeping consumer (or a napping one that has let
// a backlog build up). The light fence pairs with the heavy one a consumer makes after
// announcing its sleep: either it sees this record, or this thread sees it asleep. It also
// orders the record before the caller's next load (QueueHandler reads its closed flag),
// pairing with the heavy fence made before a sentinel is put (buffered_queue.cpp, push_impl).
inline void DirectSink::after_commit(ThreadBuffer& b) {
  light_fence();
  if (sleepers_.load(std::memory_order_relaxed) > 0 ||
      buffer_nappers_.load(std::memory_order_relaxed) > 0) [[unlikely]]
    wake_consumer(b);
}

inline bool DirectSink::commit_call(const Reserved& r) {
  r.buffer->commit();
  after_commit(*r.buffer);
  return queue_shut_down();
}

}  // namespace dictlog::detail
