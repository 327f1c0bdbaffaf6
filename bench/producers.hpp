// The producer side of the scenarios: each call timed on its own in bursts (with the
// floor of such a timer: calls that log nothing), records as fast as they go, and calls
// below the logger's level.
#pragma once

#include <cstdint>
#include <vector>

#include "common.hpp"

namespace bench {

// The burst pattern of (a), (d) and (i); its defaults are scenarios.hpp's burst_defaults.
struct Bursts {
  int threads;
  long bursts, burst, pause;
  explicit Bursts(const Args& a)
      : threads(static_cast<int>(a.num("threads"))),
        bursts(a.num("bursts")),
        burst(a.num("burst")),
        pause(a.num("pause-us")) {}
};

// Scenario (a)/(d)/(i): every `call(a, b)` timed on its own, in bursts of `burst` calls
// separated by `pause` microseconds, on `threads` producers; samples of all threads merged.
template <class Call>
Percentiles measure_latency(Call call, const Bursts& bs, long& calls) {
  const long bursts = bs.bursts, burst = bs.burst, pause = bs.pause;
  std::vector<std::vector<std::uint64_t>> per(static_cast<std::size_t>(bs.threads));
  // `call` by value: reaching it by reference would add a load inside the timed region.
  run_threads(bs.threads, [&, call](int ti) {
    auto& s = per[static_cast<std::size_t>(ti)];
    s.reserve(static_cast<std::size_t>(bursts * burst));
    int n = ti * 1000000;
    for (long b = 0; b < bursts; ++b) {
      for (long i = 0; i < burst; ++i, ++n) {
        std::uint64_t t0 = ticks();
        call(n, n % 997);
        std::uint64_t t1 = ticks();
        s.push_back(t1 - t0);
      }
      pause_us(pause);
    }
  });
  std::vector<std::uint64_t> all;
  for (auto& s : per) all.insert(all.end(), s.begin(), s.end());
  calls = static_cast<long>(all.size());
  return percentiles(all);
}

// Scenario (i), the floor of a time-stamped call under measure_latency's timer: a
// noinline call that does nothing, and one that reads the time stamp as dictlog's hot path
// does (lib/include/dictlog/detail/clock.hpp's clock_ticks(): __rdtsc() on x86, else the wall
// clock) and stores it and its arguments, the least a logger does before it hands a record on. The
// empty asm keeps the compiler from dropping a call it can see has no effect, or the
// arguments the caller computes (a clone without them would time less than (a) does);
// volatile keeps the stores; thread_local keeps producers from sharing (and racing on) a
// line.
struct FloorRecord {
  std::uint64_t stamp;
  int a, b;
};
inline thread_local volatile FloorRecord floor_record{};

__attribute__((noinline)) inline void floor_empty(int a, int b) {
  asm volatile("" ::"r"(a), "r"(b));
}

// The time stamp as dictlog's hot path reads it: no fence, unlike ticks().
inline std::uint64_t floor_now() {
#if BENCH_HAVE_TSC
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
#endif
}

__attribute__((noinline)) inline void floor_stamp(int a, int b) {
  floor_record.stamp = floor_now();
  floor_record.a = a;
  floor_record.b = b;
}

// floor_minimal_record: the same, storing what a minimal record of a call holds, as the
// fastest C++ loggers lay it out (one pointer to the call site's static data: format,
// file, line, level): its size, the time stamp, the call site, the logger, the thread,
// the two arguments, and the commit that publishes it. dictlog's record holds more (Python's thread
// name, file, function, line and format are stored per call, since they come from no static
// object).
struct FloorMinimalRecord {
  std::uint64_t size, stamp;
  const void *site, *logger, *thread;
  int a, b;
  std::uint64_t commit;
};
inline thread_local volatile FloorMinimalRecord floor_minimal{};
inline constexpr char floor_site[] = "request {} served in {} us";

__attribute__((noinline)) inline void floor_minimal_record(int a, int b) {
  volatile FloorMinimalRecord& r = floor_minimal;
  r.size = sizeof(FloorMinimalRecord);
  r.stamp = floor_now();
  r.site = floor_site;
  r.logger = floor_site + 2;  // any constant address will do
  r.thread = floor_site + 1;
  r.a = a;
  r.b = b;
  r.commit = r.commit + 1;
}

#if defined(__x86_64__)
#define BENCH_HAVE_PADDED_FLOOR 1
// floor_padded<N>: floor_minimal_record with N more instructions that depend on nothing
// (N / 8 groups of eight constants moved into registers), between the time stamp and the
// stores: what each further instruction of a call costs under this timer at the most a
// core can issue, the yardstick for a call that does more than the minimal record's 16.
template <int N>
__attribute__((noinline)) void floor_padded(int a, int b) {
  static_assert(N % 8 == 0);
  volatile FloorMinimalRecord& r = floor_minimal;
  r.size = sizeof(FloorMinimalRecord);
  r.stamp = floor_now();
  std::uint64_t x0, x1, x2, x3, x4, x5, x6, x7;
  for (int i = 0; i < N / 8; ++i)
    asm volatile(
        "mov $1, %0\n\tmov $2, %1\n\tmov $3, %2\n\tmov $4, %3\n\t"
        "mov $5, %4\n\tmov $6, %5\n\tmov $7, %6\n\tmov $8, %7"
        : "=r"(x0), "=r"(x1), "=r"(x2), "=r"(x3), "=r"(x4), "=r"(x5), "=r"(x6), "=r"(x7));
  r.site = floor_site;
  r.logger = floor_site + 2;
  // Uses the registers, so that no group is dropped (asm volatile also keeps them).
  r.thread = floor_site + (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 - 36);
  r.a = a;
  r.b = b;
  r.commit = r.commit + 1;
}
#else
#define BENCH_HAVE_PADDED_FLOOR 0
#endif

// Warm-up before timing: fills caches, creates per-thread state, lets the consumer start.
template <class Target>
long warm_up(Target& t, long n) {
  for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), 1);
  pause_us(20000);
  return n;
}

// Scenario (b): `total` records split over `threads` producers, as fast as they go; returns
// the producers' time in ns (the caller adds the drain).
template <class Target>
std::int64_t produce(Target& t, int threads, long total) {
  std::int64_t t0 = now_ns();
  run_threads(threads, [&](int ti) {
    long n = total / threads + (ti < total % threads ? 1 : 0);
    int base = ti * 10000000;
    for (long i = 0; i < n; ++i) t.log_one(base + static_cast<int>(i), static_cast<int>(i % 997));
  });
  return now_ns() - t0;
}

// Scenario (c): ns per call below the logger's level, averaged over a long loop.
template <class Target>
double disabled_call_ns(Target& t, long n) {
  for (long i = 0; i < n / 10; ++i) t.log_disabled(static_cast<int>(i), 1);
  std::int64_t t0 = now_ns();
  for (long i = 0; i < n; ++i) t.log_disabled(static_cast<int>(i), 1);
  return static_cast<double>(now_ns() - t0) / static_cast<double>(n);
}

}  // namespace bench
