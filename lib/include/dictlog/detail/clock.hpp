// The time stamp of a call taken on the logging thread, read as wall-clock time later.
//
// Reading the wall clock (clock_gettime through the vDSO) costs ~25 ns here, the TSC ~10:
// a call that is handed to a queue without a LogRecord stores clock_ticks(), and the
// thread that builds the record converts it with a TickConverter. With an invariant TSC
// the ticks are TSC counts; without one (or off x86) they are wall-clock ns already.
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define DICTLOG_HAVE_TSC 1
#else
#define DICTLOG_HAVE_TSC 0
#endif

namespace dictlog::detail {

// Wall-clock ns since the epoch (what LogRecord's constructor stores in created_ns):
// CLOCK_REALTIME through the vDSO. The coarse clock would be cheaper but ticks in
// milliseconds or worse, and msecs must be exact.
std::int64_t wall_clock_ns();

// Start of the library's clock (relativeCreated's zero), in ns since the epoch.
std::int64_t start_time_ns();

struct TickSource {
  bool tsc;          // ticks are TSC counts
  std::uint64_t t0;  // a TSC reading ...
  std::int64_t ns0;  // ... and the wall clock at the same moment
};
const TickSource& tick_source();

// 1 once tick_source() has found an invariant TSC: the call reads a plain flag, not a
// guarded static. 0 (not decided yet, or no TSC) takes the out-of-line path.
extern std::atomic<int> g_ticks_are_tsc;
std::uint64_t clock_ticks_slow();

inline std::uint64_t clock_ticks() {
#if DICTLOG_HAVE_TSC
  if (g_ticks_are_tsc.load(std::memory_order_relaxed) == 1) [[likely]]
    return __rdtsc();
#endif
  return clock_ticks_slow();
}

// Reads both clocks once; to_ns() then maps ticks taken before that moment to wall-clock
// ns: now minus the ticks' age, at the TSC rate measured since the library started. The
// error is at most the age times the rate's relative error, and the rate is measured over
// a span longer than any age, so it stays within the clock reads' own jitter.
class TickConverter {
 public:
  TickConverter();
  std::int64_t to_ns(std::uint64_t ticks) const {
    if (!tsc_ || ticks >= t_now_) return tsc_ ? ns_now_ : static_cast<std::int64_t>(ticks);
    return ns_now_ - static_cast<std::int64_t>(static_cast<double>(t_now_ - ticks) * ns_per_tick_);
  }

 private:
  bool tsc_;
  std::uint64_t t_now_ = 0;
  std::int64_t ns_now_ = 0;
  double ns_per_tick_ = 0;
};

}  // namespace dictlog::detail
