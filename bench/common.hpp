// Shared measurement code for bench_dictlog and bench_spdlog: command line, clock,
// percentiles, memory counters and the JSON result line.
//
// Both programs run the same scenario code (run_main, at the end) through a `Target`
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
//   };
#pragma once

#include <dirent.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
#else
#define BENCH_HAVE_TSC 0
#endif

namespace bench {

// `prog SCENARIO --key value ...`; every value is kept as text.
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
  long num(const std::string& k, long def) const {
    auto it = kv_.find(k);
    return it == kv_.end() ? def : std::stol(it->second);
  }
  std::string str(const std::string& k, const std::string& def) const {
    auto it = kv_.find(k);
    return it == kv_.end() ? def : it->second;
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

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
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
  double sum = 0;
  for (auto v : s) sum += static_cast<double>(v);
  p.mean = sum / static_cast<double>(s.size()) * k;
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
    return add(k + "_p999_ns", p.p999).add(k + "_max_ns", p.max).add(k + "_mean_ns", p.mean);
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

// The burst pattern of (a), (d) and (i), read once so that they share its defaults.
struct Bursts {
  int threads;
  long bursts, burst, pause;
  explicit Bursts(const Args& a)
      : threads(static_cast<int>(a.num("threads", 1))),
        bursts(a.num("bursts", 1000)),
        burst(a.num("burst", 20)),
        pause(a.num("pause-us", 100)) {}
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
// does (lib/src/record/clock.hpp's clock_ticks(): __rdtsc() on x86, else the wall clock) and
// stores it and its arguments, the least a logger does before it hands a record on. The
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

// CPU time and context switches of every thread of this process but the main one, i.e.
// the consumer (dictlog's listener, spdlog's worker) and whatever else the library runs.
// schedstat's first field is the thread's run time in ns; stat's utime+stime (10 ms ticks)
// is the fallback where the kernel has no schedstat.
struct TaskTimes {
  std::int64_t cpu_ns = 0;
  long switches = 0;  // voluntary + involuntary: how often the threads went to sleep
  int threads = 0;
};

inline TaskTimes other_threads_times() {
  TaskTimes t;
  const long self = static_cast<long>(getpid());
  DIR* d = opendir("/proc/self/task");
  if (!d) return t;
  while (dirent* e = readdir(d)) {
    char* end;
    long tid = std::strtol(e->d_name, &end, 10);
    if (*end || tid <= 0 || tid == self) continue;
    ++t.threads;
    char path[96], line[512];
    std::snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", tid);
    long long run_ns = -1;
    if (std::FILE* f = std::fopen(path, "r")) {
      if (std::fscanf(f, "%lld", &run_ns) != 1) run_ns = -1;
      std::fclose(f);
    }
    if (run_ns < 0) {
      std::snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
      if (std::FILE* f = std::fopen(path, "r")) {
        if (std::fgets(line, sizeof line, f)) {
          // Fields 14 and 15, counted after the ")" that ends the thread's name.
          const char* p = std::strrchr(line, ')');
          unsigned long ut = 0, st = 0;
          if (p && std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                               &st) == 2)
            run_ns = static_cast<long long>(ut + st) * (1000000000LL / sysconf(_SC_CLK_TCK));
        }
        std::fclose(f);
      }
    }
    if (run_ns > 0) t.cpu_ns += run_ns;
    std::snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
    if (std::FILE* f = std::fopen(path, "r")) {
      long v;
      while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
            std::sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
          t.switches += v;
      std::fclose(f);
    }
  }
  closedir(d);
  return t;
}

// user + system CPU of the whole process, in ns (the main thread included).
inline std::int64_t process_cpu_ns() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& v) { return std::int64_t{v.tv_sec} * 1000000 + v.tv_usec; };
  return (us(ru.ru_utime) + us(ru.ru_stime)) * 1000;
}

// Samples the heap in use and a queue's length every millisecond on its own thread, for
// the peak of a run that allocates on other threads.
class Sampler {
 public:
  template <class F>
  explicit Sampler(F queue_size)
      : thread_([this, queue_size] {
          while (!stop_.load(std::memory_order_acquire)) {
            long q = 0;
            {
              std::lock_guard lock(queue_mutex_);
              if (!queue_gone_) q = queue_size();
            }
            sample(q);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        }) {}
  ~Sampler() { stop(); }
  // From now on the queue is not asked (spdlog's drain destroys its pool); the heap still is.
  void forget_queue() {
    std::lock_guard lock(queue_mutex_);
    queue_gone_ = true;
  }
  void stop() {
    if (!thread_.joinable()) return;
    stop_.store(true, std::memory_order_release);
    thread_.join();
  }
  std::size_t peak_heap() const { return peak_heap_; }
  double mean_heap() const { return n_ ? heap_sum_ / static_cast<double>(n_) : 0; }
  long queue_max() const { return queue_max_; }
  double queue_mean() const { return n_ ? queue_sum_ / static_cast<double>(n_) : 0; }
  long samples() const { return n_; }

 private:
  void sample(long q) {
    std::size_t h = heap_in_use();
    peak_heap_ = std::max(peak_heap_, h);
    heap_sum_ += static_cast<double>(h);
    queue_max_ = std::max(queue_max_, q);
    queue_sum_ += static_cast<double>(q);
    ++n_;
  }
  std::atomic<bool> stop_{false};
  std::mutex queue_mutex_;
  bool queue_gone_ = false;
  std::size_t peak_heap_ = 0;
  long queue_max_ = 0, n_ = 0;
  double queue_sum_ = 0, heap_sum_ = 0;
  std::thread thread_;  // last: starts after the counters exist
};

struct Setup {
  std::string file;
  Throttle* throttle = nullptr;  // null: the plain file handler/sink, with no brake
  long maxsize = 0;              // dictlog's queue bound (0: unbounded); spdlog's is 8192
};

// The scenarios, shared by both C++ programs. Prints one JSON line; returns the exit code.
template <class Target>
int run_main(const char* prog, int argc, char** argv) {
  Args args(argc, argv);
  const std::string& sc = args.scenario();
  Setup setup;
  setup.file = args.str("file", "bench.log");
  setup.maxsize = args.num("maxsize", 0);
  std::remove(setup.file.c_str());
  Json out;
  out.add("prog", prog).add("scenario", sc);
  long logged = 0;

  if (sc == "latency" || sc == "slow") {
    // (a) caller-side latency; (d) the same with a 10 ms-per-record consumer.
    Bursts bs(args);
    Throttle th;
    th.slow_ms = args.num("slow-ms", 10);
    if (sc == "slow") setup.throttle = &th;
    double overhead = timer_overhead_ns();
    Target t(setup);
    logged += warm_up(t, 200);
    if (sc == "slow") th.state.store(1);
    long calls = 0;
    Percentiles p = measure_latency([&t](int a, int b) { t.log_one(a, b); }, bs, calls);
    logged += calls;
    th.state.store(0);  // the backlog of (d) drains at full speed
    t.drain();
    out.add("threads", bs.threads).add("calls", calls).add("pause_us", bs.pause);
    out.add("lat", p).add("timer_overhead_ns", overhead);
  } else if (sc == "floor") {
    // (i) no logger: (a)'s timer, bursts and pauses around floor_empty, floor_stamp and
    // floor_minimal_record.
    // Nothing is logged, so no file is written (a missing file counts as 0 lines below).
    Bursts bs(args);
    double overhead = timer_overhead_ns();
    for (int i = 0; i < 200; ++i) {  // (a)'s warm-up count
      floor_empty(i, 1);
      floor_stamp(i, 1);
      floor_minimal_record(i, 1);
    }
    long calls = 0;
    // Lambdas, not function pointers: each measure_latency then calls its function directly.
    Percentiles empty = measure_latency([](int a, int b) { floor_empty(a, b); }, bs, calls);
    Percentiles stamp = measure_latency([](int a, int b) { floor_stamp(a, b); }, bs, calls);
    Percentiles record =
        measure_latency([](int a, int b) { floor_minimal_record(a, b); }, bs, calls);
    out.add("threads", bs.threads).add("calls", calls).add("pause_us", bs.pause);
    out.add("empty", empty).add("stamp", stamp).add("record", record);
    out.add("timer_overhead_ns", overhead);
  } else if (sc == "throughput") {
    // (b) end-to-end: the clock stops when the consumer has written and flushed every line.
    int threads = static_cast<int>(args.num("threads", 1));
    long records = args.num("records", 1000000);
    Target t(setup);
    logged += warm_up(t, 1000);
    std::int64_t t0 = now_ns();
    std::int64_t prod = produce(t, threads, records);
    t.drain();
    std::int64_t total = now_ns() - t0;
    logged += records;
    out.add("threads", threads).add("records", records);
    out.add("seconds", static_cast<double>(total) / 1e9);
    out.add("records_per_s", static_cast<double>(records) * 1e9 / static_cast<double>(total));
    out.add("producer_seconds", static_cast<double>(prod) / 1e9);
  } else if (sc == "disabled") {
    // (c) a call below the logger's level.
    long n = args.num("calls", 100000000);
    Target t(setup);
    out.add("calls", n).add("ns_per_call", disabled_call_ns(t, n));
    t.drain();
  } else if (sc == "memory") {
    // (e) heap per record parked in the queue, the pipeline's fixed cost included.
    long n = args.num("records", 8000);
    Throttle th;
    setup.throttle = &th;
    std::size_t h0 = heap_in_use();
    Target t(setup);
    logged += warm_up(t, 100);
    th.state.store(2);
    t.log_one(0, 0);  // the consumer takes this one and holds
    ++logged;
    pause_us(50000);
    std::size_t h1 = heap_in_use();
    for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
    logged += n;
    std::size_t h2 = heap_in_use();
    th.state.store(0);
    t.drain();
    out.add("records", n);
    out.add("pipeline_bytes", static_cast<long>(h1) - static_cast<long>(h0));
    out.add("bytes_per_record_marginal",
            static_cast<double>(static_cast<long>(h2) - static_cast<long>(h1)) /
                static_cast<double>(n));
    out.add("bytes_per_record", static_cast<double>(static_cast<long>(h2) - static_cast<long>(h0)) /
                                    static_cast<double>(n));
  } else if (sc == "idle") {
    // The consumer's CPU while nothing is logged: a few records, written, then --idle-ms
    // of silence. The first --settle-ms are reported apart (dictlog's listener naps in
    // 1 ms timed waits for 50 ms before it blocks).
    long n = args.num("records", 100);
    long settle_ms = args.num("settle-ms", 100), idle_ms = args.num("idle-ms", 2000);
    Target t(setup);
    for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
    logged += n;
    t.request_flush();
    std::int64_t t0 = now_ns();
    while (count_lines(setup.file) < logged && now_ns() - t0 < 5000000000) pause_us(200);
    bool written = count_lines(setup.file) == logged;
    std::int64_t w = now_ns();
    TaskTimes c0 = other_threads_times();
    std::this_thread::sleep_until(
        std::chrono::steady_clock::time_point(std::chrono::nanoseconds(w + settle_ms * 1000000)));
    TaskTimes c1 = other_threads_times();
    std::int64_t p1 = process_cpu_ns(), w1 = now_ns();
    std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms));
    std::int64_t p2 = process_cpu_ns(), w2 = now_ns();
    TaskTimes c2 = other_threads_times();
    t.drain();
    double idle_s = static_cast<double>(w2 - w1) / 1e9;
    out.add("records", n).add("written_before_idle", written).add("threads_seen", c2.threads);
    out.add("settle_ms", settle_ms)
        .add("settle_cpu_ms", static_cast<double>(c1.cpu_ns - c0.cpu_ns) / 1e6);
    out.add("settle_switches", c1.switches - c0.switches);
    out.add("idle_seconds", idle_s);
    out.add("idle_cpu_ms_per_s", static_cast<double>(c2.cpu_ns - c1.cpu_ns) / 1e6 / idle_s);
    out.add("idle_switches_per_s", static_cast<double>(c2.switches - c1.switches) / idle_s);
    out.add("idle_process_cpu_ms_per_s", static_cast<double>(p2 - p1) / 1e6 / idle_s);
  } else if (sc == "bounded") {
    // A bounded queue (dictlog: --maxsize, default 8192 here, blocking when full; spdlog:
    // its 8192) in front of a handler paced to one record per --slow-us: the producers
    // outrun it, so the queue stays full and they block. The heap is sampled every ms.
    int threads = static_cast<int>(args.num("threads", 2));
    long records = args.num("records", 200000);
    setup.maxsize = args.num("maxsize", 8192);
    Throttle th;
    th.slow_us = args.num("slow-us", 25);
    setup.throttle = &th;
    std::size_t h0 = heap_in_use();
    Target t(setup);
    logged += warm_up(t, 100);  // starts the consumer and its buffers
    std::size_t h1 = heap_in_use();
    Sampler s([&t] { return t.queue_size(); });
    th.state.store(3);
    std::int64_t t0 = now_ns();
    std::int64_t prod = produce(t, threads, records);
    logged += records;
    th.state.store(0);  // the last queueful drains at full speed
    s.forget_queue();
    t.drain();
    std::int64_t total = now_ns() - t0;
    s.stop();
    // The queue's documented size; the peak is the whole pipeline's heap (the consumer's
    // batch and the file's buffer too), so run_growth_bytes is what must stay near 0.
    long slot = Target::slot_bytes(), bound = Target::bound_bytes(setup.maxsize);
    long peak = static_cast<long>(std::max(s.peak_heap(), h1)) - static_cast<long>(h0);
    out.add("threads", threads).add("records", records).add("slow_us", th.slow_us);
    out.add("maxsize", setup.maxsize).add("slot_bytes", slot).add("bound_bytes", bound);
    out.add("seconds", static_cast<double>(total) / 1e9);
    out.add("records_per_s", static_cast<double>(records) * 1e9 / static_cast<double>(total));
    out.add("producer_seconds", static_cast<double>(prod) / 1e9);
    out.add("pipeline_bytes", static_cast<long>(h1) - static_cast<long>(h0));
    out.add("peak_heap_bytes", peak);
    out.add("run_growth_bytes", peak - (static_cast<long>(h1) - static_cast<long>(h0)));
    // The mean next to the peak tells a passing peak from memory that stays allocated.
    out.add("mean_heap_bytes", s.mean_heap() - static_cast<double>(h0));
    out.add("peak_over_bound", static_cast<double>(peak) / static_cast<double>(bound));
    out.add("queue_max", s.queue_max()).add("queue_mean", s.queue_mean());
    out.add("samples", s.samples());
  } else if (sc == "calls") {
    // (f) for callgrind: `calls` enabled calls, nothing else timed.
    long n = args.num("calls", 20000);
    Target t(setup);
    for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
    logged += n;
    t.drain();
    out.add("calls", n);
  } else {
    std::fprintf(stderr, "unknown scenario %s\n", sc.c_str());
    return 2;
  }
  long lines = std::max(count_lines(setup.file), 0L);  // -1: no file
  out.add("lines", lines).add("lines_ok", lines == logged).add("maxrss_kb", maxrss_kb());
  out.print();
  if (!args.str("keep", "").empty()) return 0;
  std::remove(setup.file.c_str());
  return lines == logged ? 0 : 1;
}

}  // namespace bench
