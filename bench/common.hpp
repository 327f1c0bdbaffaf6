// Shared measuring code for bench_dictlog and bench_spdlog: command line, clock,
// percentiles, memory counters, the JSON result line, and what a Target is built from.
//
// Both programs run the same scenarios (scenarios.hpp) through a `Target`
// (bench_dictlog.cpp and bench_spdlog.cpp define one), so the only thing that differs
// between them is the library under the log call:
//
//   struct Target {
//     explicit Target(const Setup&);      // logger "bench" -> queue -> consumer -> file
//     void log_one(int a, int b);         // one enabled INFO call, through a noinline function
//     void log_disabled(int a, int b);    // one DEBUG call, below the logger's level
//     void drain();                       // returns when the file holds every line
//     void request_flush();               // asks the consumer to write what it holds
//     long queue_size() const;            // records waiting in the queue now
//     static long slot_bytes();           // bytes of one preallocated queue slot
//     static long bound_bytes(long maxsize);  // the queue's documented size at that bound
//   };
#pragma once

#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <latch>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
#else
#define BENCH_HAVE_TSC 0
#endif

namespace bench {

// `prog SCENARIO --key value ...`; every value is kept as text. A key the command line
// does not give takes the value set_default gave it (the scenario table's defaults).
class Args {
 public:
  Args(int argc, char** argv) {
    if (argc < 2) throw std::runtime_error("usage: prog SCENARIO [--key value]...");
    scenario_ = argv[1];
    for (int i = 2; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0 || i + 1 >= argc) throw std::runtime_error("bad argument " + k);
      kv_[k.substr(2)] = argv[++i];
    }
  }
  const std::string& scenario() const { return scenario_; }
  // Keeps a value the command line gave.
  void set_default(const std::string& k, const std::string& v) { kv_.emplace(k, v); }
  long num(const std::string& k) const { return std::stol(str(k)); }
  const std::string& str(const std::string& k) const {
    auto it = kv_.find(k);
    // A scenario that reads a key its table row has no default for is a bug of this file.
    if (it == kv_.end()) throw std::logic_error("no value or default for --" + k);
    return it->second;
  }

 private:
  std::string scenario_;
  std::map<std::string, std::string> kv_;
};

// Ticks of the TSC (x86) or of steady_clock, and their length in ns, calibrated once
// against steady_clock. lfence keeps the read from moving across the timed call.
inline std::uint64_t ticks() {
#if BENCH_HAVE_TSC
  _mm_lfence();
  std::uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline double ns_per_tick() {
  static const double v = [] {
#if BENCH_HAVE_TSC
    std::int64_t n0 = now_ns();
    std::uint64_t t0 = ticks();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::int64_t n1 = now_ns();
    std::uint64_t t1 = ticks();
    return static_cast<double>(n1 - n0) / static_cast<double>(t1 - t0);
#else
    return 1.0;
#endif
  }();
  return v;
}

// Sleeps about `us` microseconds (the pause between bursts lets the consumer run).
inline void pause_us(long us) {
  if (us <= 0) return;
  timespec ts{us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

// mean90: the mean of the fastest 90%. The timer reads in steps (~10 ns on the AMD of
// README.md), so a p50 moves a whole step at once or not at all; calls of one length fall
// into two neighbouring steps in proportion to where it lies between them, so the mean
// of the bulk, which no pause or preemption reaches, follows the length in between.
struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0, mean90 = 0;
};

// Nearest-rank percentiles of tick samples, in ns.
inline Percentiles percentiles(std::vector<std::uint64_t>& s) {
  Percentiles p;
  if (s.empty()) return p;
  std::sort(s.begin(), s.end());
  const double k = ns_per_tick();
  auto at = [&](double q) {
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(s.size()));
    return static_cast<double>(s[std::min(i, s.size() - 1)]) * k;
  };
  p.p50 = at(0.50), p.p90 = at(0.90), p.p99 = at(0.99), p.p999 = at(0.999);
  p.max = static_cast<double>(s.back()) * k;
  double sum = 0, sum90 = 0;
  const std::size_t n90 = std::max<std::size_t>(1, s.size() * 9 / 10);
  for (std::size_t i = 0; i < s.size(); ++i) {
    sum += static_cast<double>(s[i]);
    if (i < n90) sum90 += static_cast<double>(s[i]);
  }
  p.mean = sum / static_cast<double>(s.size()) * k;
  p.mean90 = sum90 / static_cast<double>(n90) * k;
  return p;
}

// The cost of the two clock reads around an empty call, subtracted by nobody: reported so
// the reader can judge how much of a p50 is the clock.
inline double timer_overhead_ns() {
  std::vector<std::uint64_t> s(20000);
  for (auto& v : s) {
    std::uint64_t t0 = ticks();
    std::uint64_t t1 = ticks();
    v = t1 - t0;
  }
  return percentiles(s).p50;
}

// Peak resident set of this process image, in kB: VmHWM, because getrusage's ru_maxrss
// keeps the high-water mark of the parent that forked us (the runner) across exec.
inline long maxrss_kb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  long kb = -1;
  if (f) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %ld", &kb) == 1) break;
    std::fclose(f);
  }
  if (kb < 0) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    kb = ru.ru_maxrss;
  }
  return kb;
}

// Bytes the allocator has handed out and not taken back (all threads' arenas).
inline std::size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

inline long count_lines(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return -1;
  static char buf[1 << 16];
  long n = 0;
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) n += std::count(buf, buf + got, '\n');
  std::fclose(f);
  return n;
}

// One flat JSON object on one line; keys are added in order.
class Json {
 public:
  Json& add(const std::string& k, const std::string& v) {
    item(k) += "\"" + v + "\"";
    return *this;
  }
  Json& add(const std::string& k, const char* v) { return add(k, std::string(v)); }
  Json& add(const std::string& k, double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    item(k) += b;
    return *this;
  }
  Json& add(const std::string& k, long v) {
    item(k) += std::to_string(v);
    return *this;
  }
  Json& add(const std::string& k, int v) { return add(k, static_cast<long>(v)); }
  Json& add(const std::string& k, bool v) {
    item(k) += v ? "true" : "false";
    return *this;
  }
  Json& add(const std::string& k, const Percentiles& p) {
    add(k + "_p50_ns", p.p50).add(k + "_p90_ns", p.p90).add(k + "_p99_ns", p.p99);
    add(k + "_p999_ns", p.p999).add(k + "_max_ns", p.max).add(k + "_mean_ns", p.mean);
    return add(k + "_mean90_ns", p.mean90);
  }
  void print() const {
    std::printf("{%s}\n", body_.c_str());
    std::fflush(stdout);
  }

 private:
  std::string& item(const std::string& k) {
    if (!body_.empty()) body_ += ", ";
    body_ += "\"" + k + "\": ";
    return body_;
  }
  std::string body_;
};

// Runs `threads` producers that start together; `body(thread_index)` does the work.
template <class F>
void run_threads(int threads, F body) {
  std::latch go(threads + 1);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      go.arrive_and_wait();
      body(t);
    });
  go.arrive_and_wait();
  for (auto& th : ts) th.join();
}

// A consumer-side brake: the handler (sink) behind the queue calls wait() before writing.
// state 0: write at once; 1: sleep slow_ms per record (scenario d); 2: hold every record
// until the state changes (scenario e parks records in the queue); 3: pace the consumer
// to one record per slow_us microseconds on average (scenario bounded). 3 sleeps to
// absolute deadlines in steps of at least 500 us, because one nanosleep costs ~60-100 us
// here whatever it asks for; only the single consumer thread calls wait().
struct Throttle {
  std::atomic<int> state{0};
  long slow_ms = 10;
  long slow_us = 25;
  mutable std::chrono::steady_clock::time_point next{};
  void wait() const {
    int s = state.load(std::memory_order_acquire);
    if (s == 1) std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms));
    if (s == 3) {
      auto now = std::chrono::steady_clock::now();
      if (next < now - std::chrono::milliseconds(5)) next = now;  // no burst after a stall
      next += std::chrono::microseconds(slow_us);
      if (next - now > std::chrono::microseconds(500)) std::this_thread::sleep_until(next);
    }
    while (s == 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s = state.load(std::memory_order_acquire);
    }
  }
};

struct Setup {
  std::string file;
  Throttle* throttle = nullptr;  // null: the plain file handler/sink, with no brake
  long maxsize = 0;              // dictlog's queue bound (0: unbounded); spdlog's is 8192
};

}  // namespace bench
