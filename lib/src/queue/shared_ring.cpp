// The ring's claim, commit, read and free steps, and the futex the idle reader sleeps on.
#include "queue/shared_ring.hpp"

#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/thread_name.hpp"

namespace dictlog::detail {

namespace {

struct Slot {
  std::atomic<std::uint64_t> state;
  std::uint32_t length;
  std::uint32_t unused;
  char* data() { return reinterpret_cast<char*>(this + 1); }
};
static_assert(sizeof(Slot) == SharedRing::kSlotHeader);

constexpr std::size_t kHeaderBytes = 256;

Slot& slot_at(const SharedRing* r, std::uint64_t pos) {
  auto* base = reinterpret_cast<char*>(const_cast<SharedRing*>(r)) + kHeaderBytes;
  return *reinterpret_cast<Slot*>(base + (pos % r->capacity) * r->slot_size);
}

constexpr std::uint64_t state(std::uint64_t pos, std::uint32_t pid) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pos)) << 32) | pid;
}

void futex_wake(std::atomic<std::uint32_t>* word) {
  // Not FUTEX_PRIVATE_FLAG: the waiter is in another process.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

}  // namespace

bool process_ended(std::int64_t pid) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  // A child killed but not yet reaped still answers kill(); its state says it is gone.
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
  std::FILE* f = std::fopen(path, "r");
  if (!f) return true;
  char buf[512];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* close = std::strrchr(buf, ')');  // the name may hold spaces and parentheses
  return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

SharedRing* SharedRing::create(std::size_t capacity, std::size_t slot_size) {
  const std::size_t bytes = kHeaderBytes + capacity * slot_size;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw OSError(std::string("multiprocessing.Queue: mmap of shared memory failed: ") +
                  std::strerror(errno));
  static_assert(sizeof(SharedRing) <= kHeaderBytes);
  auto* r = new (p) SharedRing{};
  r->capacity = capacity;
  r->slot_size = slot_size;
  r->owner = current_process_id();
  for (std::uint64_t i = 0; i < capacity; ++i) new (&slot_at(r, i)) Slot{{state(i, 0)}, 0, 0};
  return r;
}

void SharedRing::destroy(SharedRing* r) {
  ::munmap(r, kHeaderBytes + r->capacity * r->slot_size);
}

bool SharedRing::try_put(std::string_view bytes, std::uint32_t pid) {
  for (;;) {
    std::uint64_t pos = head.load(std::memory_order_acquire);
    Slot& s = slot_at(this, pos);
    std::uint64_t st = s.state.load(std::memory_order_acquire);
    const auto hi = static_cast<std::uint32_t>(st >> 32);
    const auto lo = static_cast<std::uint32_t>(st);
    const auto p32 = static_cast<std::uint32_t>(pos);
    if (hi == p32 && lo == 0) {
      if (!s.state.compare_exchange_weak(st, state(pos, pid), std::memory_order_acq_rel)) continue;
      std::uint64_t expected = pos;  // another writer may have moved head for us
      head.compare_exchange_strong(expected, pos + 1, std::memory_order_acq_rel);
      std::memcpy(s.data(), bytes.data(), bytes.size());
      s.length = static_cast<std::uint32_t>(bytes.size());
      s.state.store(state(pos + 1, 0), std::memory_order_release);
      if (reader_sleeping.load(std::memory_order_seq_cst) != 0) {
        reader_sleeping.store(0, std::memory_order_relaxed);
        wake.fetch_add(1, std::memory_order_seq_cst);
        futex_wake(&wake);
      }
      return true;
    }
    if (hi == p32) {
      // Claimed, head not moved yet (its claimant may have died right there): help.
      head.compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel);
      continue;
    }
    if (static_cast<std::int32_t>(hi - p32) < 0) return false;  // the last lap's: full
    // head moved on since we read it.
  }
}

void SharedRing::claim_only(std::uint32_t pid) {
  for (;;) {
    std::uint64_t pos = head.load(std::memory_order_acquire);
    std::uint64_t st = state(pos, 0);
    if (slot_at(this, pos).state.compare_exchange_strong(st, state(pos, pid))) {
      head.compare_exchange_strong(pos, pos + 1);
      return;
    }
  }
}

std::string_view SharedRing::peek() {
  for (;;) {
    const std::uint64_t pos = tail.load(std::memory_order_relaxed);
    Slot& s = slot_at(this, pos);
    const std::uint64_t st = s.state.load(std::memory_order_acquire);
    if (st == state(pos + 1, 0)) return {s.data(), s.length};
    const auto lo = static_cast<std::uint32_t>(st);
    if (static_cast<std::uint32_t>(st >> 32) != static_cast<std::uint32_t>(pos) || lo == 0)
      return {};  // not claimed yet: empty
    // Claimed, not committed: a writer copying now, or one that died doing it.
    for (int spin = 0; spin < 64; ++spin) {
      if (s.state.load(std::memory_order_acquire) != st) break;
      std::this_thread::yield();
    }
    if (s.state.load(std::memory_order_acquire) != st) continue;
    if (!process_ended(lo)) return {};
    abandoned.fetch_add(1, std::memory_order_relaxed);
    s.state.store(state(pos + capacity, 0), std::memory_order_release);
    tail.store(pos + 1, std::memory_order_relaxed);
  }
}

void SharedRing::release() {
  const std::uint64_t pos = tail.load(std::memory_order_relaxed);
  slot_at(this, pos).state.store(state(pos + capacity, 0), std::memory_order_release);
  tail.store(pos + 1, std::memory_order_release);
}

std::size_t SharedRing::size() const {
  const std::uint64_t h = head.load(std::memory_order_acquire);
  const std::uint64_t t = tail.load(std::memory_order_acquire);
  return h > t ? static_cast<std::size_t>(h - t) : 0;
}

void SharedRing::wait_for_put(int ms) {
  const std::uint32_t seen = wake.load(std::memory_order_seq_cst);
  reader_sleeping.store(1, std::memory_order_seq_cst);
  if (!peek().empty()) {
    reader_sleeping.store(0, std::memory_order_relaxed);
    return;
  }
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&wake), FUTEX_WAIT, seen, &ts, nullptr, 0);
  reader_sleeping.store(0, std::memory_order_relaxed);
}

}  // namespace dictlog::detail
