#include "dictlog/detail/clock.hpp"

#include <chrono>

#if DICTLOG_HAVE_TSC
#include <cpuid.h>
#endif

namespace dictlog::detail {

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
// Read once at load, like CPython's _startTime at import.
const std::int64_t g_start_ns = wall_clock_ns();
}  // namespace

std::int64_t start_time_ns() {
  return g_start_ns;
}

namespace {
bool invariant_tsc() {
#if DICTLOG_HAVE_TSC
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  return (d >> 8) & 1u;  // CPUID.80000007H:EDX[8]: the TSC runs at a constant rate
#else
  return false;
#endif
}
}  // namespace

std::atomic<int> g_ticks_are_tsc{0};

const TickSource& tick_source() {
  static const TickSource s = [] {
    TickSource t{invariant_tsc(), 0, wall_clock_ns()};
#if DICTLOG_HAVE_TSC
    if (t.tsc) t.t0 = __rdtsc();
#endif
    g_ticks_are_tsc.store(t.tsc ? 1 : 0, std::memory_order_relaxed);
    return t;
  }();
  return s;
}

std::uint64_t clock_ticks_slow() {
#if DICTLOG_HAVE_TSC
  if (tick_source().tsc) return __rdtsc();
#endif
  return static_cast<std::uint64_t>(wall_clock_ns());
}

namespace {
[[maybe_unused]] const bool g_decided = tick_source().tsc;  // at library load
}  // namespace

TickConverter::TickConverter() : tsc_(tick_source().tsc) {
  if (!tsc_) return;
#if DICTLOG_HAVE_TSC
  const TickSource& s = tick_source();
  t_now_ = __rdtsc();
  ns_now_ = wall_clock_ns();
  // Under a microsecond since the start, every tick is younger than the reads' jitter.
  if (t_now_ > s.t0 + 4096 && ns_now_ > s.ns0)
    ns_per_tick_ = static_cast<double>(ns_now_ - s.ns0) / static_cast<double>(t_now_ - s.t0);
#endif
}

}  // namespace dictlog::detail
