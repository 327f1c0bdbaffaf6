// The segments of an unbounded queue's per-thread buffers (queue/buffered_queue.cpp), and
// the process-wide pool that keeps prefaulted ones ready, so that a producer whose buffer
// grows does not allocate and fault in the new segment on the logging thread.
//
// A producer takes every segment of its buffer from the pool, the first one (when a thread
// first puts into a queue) and each growth, under a short mutex, and allocates one itself
// only when none is ready (it never waits). The pool's one background thread, the
// provisioner, keeps one spare ready of every capacity a buffer has reached so far and of
// the next one up (64 KiB and 128 KiB at first; at most 64, 128 and 256 KiB), so a growth
// finds its segment there, while a process whose buffers stay small holds 192 KiB of
// spares. The producer wakes it only when it took a capacity never taken before, a 256 KiB
// segment, or found none: a futex wake costs the logging thread tens of us on a VM, so the
// smaller spares it took are replaced at the provisioner's next round. The consumer gives
// an emptied segment back while the pool holds fewer than kMaxSpares of its capacity (it is
// already faulted in: a backlog that keeps moving reuses its segments instead of having
// fresh ones allocated and faulted in), and deletes it otherwise.
//
// The pool holds at most kMaxSpares segments per capacity, so at most
// 8 * (64 + 128 + 256) KiB = 3.5 MiB (448 KiB once the provisioner is done), and none until
// a thread first puts into an unbounded queue: the provisioner starts then, kPoolNice nice
// steps below that thread (at most 19). The pool lives until the process ends; its thread
// until dictlog::shutdown() (stop()), after which producers allocate their segments
// themselves.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>

namespace dictlog::detail {

struct EntryHeader;

constexpr std::size_t kFirstSegment = 64 * 1024;
// How much nicer than the thread that starts it the provisioner runs.
constexpr int kPoolNice = 10;
// Growth past this adds segments of this size. Small enough that a backlog's memory stays
// near its entries' (a parked 88-byte call costs 117 bytes with the segments and spares
// around it, bench (e)'s marginal figure; ~480 for a 128-byte one with segments up to
// 1 MiB) and prefaulting one costs a few tens of us; large enough that a producer takes one
// from the pool only every ~3,000 calls.
constexpr std::size_t kMaxSegment = 256 * 1024;

// A ring of bytes, written by one producer and read by one consumer at a time.
struct Segment {
  explicit Segment(std::size_t c)
      : cap(c), data(static_cast<std::byte*>(::operator new (c, std::align_val_t{64}))) {
    // Fault every page in now, not one every few dozen records later.
    for (std::size_t i = 0; i < cap; i += 4096) static_cast<volatile std::byte*>(data)[i] = {};
  }
  ~Segment() { ::operator delete (data, std::align_val_t{64}); }
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  EntryHeader* at(std::uint64_t pos) const {
    return reinterpret_cast<EntryHeader*>(data + (pos & (cap - 1)));
  }

  const std::size_t cap;  // a power of two
  std::byte* const data;
  alignas(64) std::atomic<std::uint64_t> committed{0};
  alignas(64) std::atomic<std::uint64_t> consumed{0};
  std::atomic<Segment*> next{nullptr};
};

class SegmentPool {
 public:
  static constexpr std::size_t kMaxSpares = 8;

  // The process's pool: never destroyed, so that threads still logging during static
  // destruction can use it.
  static SegmentPool& instance();

  // Producer: a prefaulted, empty segment of capacity `cap` (a power of two).
  Segment* take(std::size_t cap);
  // Consumer: a segment no producer writes to any more and whose entries are all taken.
  void give_back(Segment* s);

  // For tests: spares of capacity `cap` held now; takes served by a spare so far; has the
  // provisioner (if started) make every capacity it keeps ready now, and waits for it.
  std::size_t spares(std::size_t cap);
  std::size_t served();
  std::size_t taken();  // every take so far, served by a spare or not
  void refill_and_wait();
  // Ends the provisioner (dictlog::shutdown()): joins it, so no thread of dictlog's is left.
  void stop();

 private:
  static constexpr std::size_t kClasses = 3;  // kFirstSegment .. kMaxSegment
  static_assert(kFirstSegment << (kClasses - 1) == kMaxSegment);

  SegmentPool() = default;
  static std::size_t class_of(std::size_t cap);  // kClasses for a capacity not pooled
  void provision();                              // the provisioner's loop

  struct Class {
    std::array<Segment*, kMaxSpares> spares{};
    std::size_t count = 0;
  };
  // The first capacity up to the one above top_ with no spare, or kClasses.
  std::size_t missing() const;

  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable ready_;
  std::array<Class, kClasses> classes_;
  std::size_t served_ = 0;
  std::size_t taken_ = 0;
  std::size_t top_ = 0;     // the largest class any producer has taken
  bool started_ = false;    // the provisioner was started (or failed to start)
  bool no_thread_ = false;  // it failed to start or was stopped: producers allocate
  bool stopping_ = false;   // stop() asks the provisioner to return
  std::thread thread_;
  bool running_ = false;  // the provisioner has work to do
};

}  // namespace dictlog::detail
