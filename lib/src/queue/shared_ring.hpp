// The shared-memory ring under MultiprocessingQueue: fixed slots, each claimed by one CAS
// that names the claiming process, then committed; one reading process. Not installed.
//
// A slot's state word is (position << 32 | pid), the position cut to 32 bits (equal only
// for positions 2^32 apart, never both live): (p, 0) free for position p; (p, pid) claimed
// for p by process pid; (p + 1, 0) committed, readable; the reader frees it as
// (p + capacity, 0), the next lap's position. head (the next position to claim) is advanced
// by the claimant or, if it died first, by the next writer that finds the slot claimed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dictlog::detail {

struct SharedRing {
  std::uint64_t capacity;
  std::uint64_t slot_size;
  std::int64_t owner;  // the reading process
  alignas(64) std::atomic<std::uint64_t> head;
  alignas(64) std::atomic<std::uint64_t> tail;
  alignas(64) std::atomic<std::uint32_t> wake;  // a futex word the reader sleeps on
  std::atomic<std::uint32_t> reader_sleeping;
  std::atomic<std::uint64_t> abandoned;
  std::atomic<std::uint64_t> truncated;
  // The reader's QueueListener: 0 not started yet (puts wait for it), 1 reading, 2 stopped
  // (other processes' puts are refused).
  std::atomic<std::uint32_t> listener;
  // Records other processes could not put: the queue full, or nobody reading it.
  std::atomic<std::uint64_t> refused;

  // Maps a ring of `capacity` slots of `slot_size` bytes, shared with children forked
  // later, owned by this process. Throws OSError when mmap fails.
  static SharedRing* create(std::size_t capacity, std::size_t slot_size);
  static void destroy(SharedRing* ring);

  // Bytes a record may take in a slot.
  std::size_t payload() const { return slot_size - kSlotHeader; }
  // Copies `bytes` (at most payload()) into a slot for process `pid` and commits it; false
  // when every slot is taken.
  bool try_put(std::string_view bytes, std::uint32_t pid);
  // The oldest committed record's bytes, valid until release(); empty when none is ready.
  // Skips (and counts) a slot whose claimant has ended without committing.
  std::string_view peek();
  void release();
  std::size_t size() const;
  // Claims the next slot for `pid` and leaves it uncommitted: what a writer killed between
  // the two steps leaves behind (for tests).
  void claim_only(std::uint32_t pid);
  // Sleeps until a put may have made a record ready (at most `ms`).
  void wait_for_put(int ms);

  static constexpr std::size_t kSlotHeader = 16;  // state + length
};

// Whether process `pid` has ended (gone, or a zombie not yet reaped).
bool process_ended(std::int64_t pid);

}  // namespace dictlog::detail
