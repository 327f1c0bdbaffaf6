// What the rest of the process costs while producers log: the consumer threads' CPU and
// context switches, the whole process's CPU, and a sampler of the heap and the queue.
#pragma once

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "common.hpp"

namespace bench {

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

}  // namespace bench
