// The scenarios, shared by both C++ programs: one function each, and a table of them
// (name -> function, with the defaults of its --keys) that run_main looks the command
// line's scenario up in. bench/README.md says what each one measures; bench/run.py reads
// the JSON line's keys, so a key renamed here is a row lost there.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common.hpp"
#include "process_stats.hpp"
#include "producers.hpp"

namespace bench {

// What a scenario reads and writes: its arguments, the Target's setup (built before it
// runs, which it may change before it builds its Target), the JSON line, and how many
// records the file must hold at the end.
struct Run {
  const Args& args;
  Setup setup;
  Json out;
  long logged = 0;
};

// --key -> value, where the command line does not give it.
using Defaults = std::vector<std::pair<std::string, std::string>>;

inline Defaults operator+(Defaults a, const Defaults& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Every scenario's: the file the consumer writes, dictlog's queue bound (0: unbounded),
// and --keep (any value keeps the file).
inline const Defaults common_defaults = {{"file", "bench.log"}, {"maxsize", "0"}, {"keep", ""}};
// The burst pattern of (a), (d) and (i) (Bursts), so that they share it.
inline const Defaults burst_defaults = {
    {"threads", "1"}, {"bursts", "1000"}, {"burst", "20"}, {"pause-us", "100"}};

// (a) caller-side latency; (d) the same with a 10 ms-per-record consumer.
template <class Target>
void latency_bursts(Run& r, bool slow) {
  Bursts bs(r.args);
  Throttle th;
  if (slow) {
    th.slow_ms = r.args.num("slow-ms");
    r.setup.throttle = &th;
  }
  double overhead = timer_overhead_ns();
  Target t(r.setup);
  r.logged += warm_up(t, 200);
  if (slow) th.state.store(1);
  long calls = 0;
  Percentiles p = measure_latency([&t](int a, int b) { t.log_one(a, b); }, bs, calls);
  r.logged += calls;
  th.state.store(0);  // the backlog of (d) drains at full speed
  t.drain();
  r.out.add("threads", bs.threads).add("calls", calls).add("pause_us", bs.pause);
  r.out.add("lat", p).add("timer_overhead_ns", overhead);
}

template <class Target>
void latency(Run& r) {
  latency_bursts<Target>(r, false);
}

template <class Target>
void slow(Run& r) {
  latency_bursts<Target>(r, true);
}

// (i) no logger: (a)'s timer, bursts and pauses around floor_empty, floor_stamp and
// floor_minimal_record. Nothing is logged, so no file is written (a missing file counts as
// 0 lines in run_main).
inline void timer_floor(Run& r) {
  Bursts bs(r.args);
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
  Percentiles record = measure_latency([](int a, int b) { floor_minimal_record(a, b); }, bs, calls);
  r.out.add("threads", bs.threads).add("calls", calls).add("pause_us", bs.pause);
  r.out.add("empty", empty).add("stamp", stamp).add("record", record);
#if BENCH_HAVE_PADDED_FLOOR
  for (int i = 0; i < 200; ++i) {
    floor_padded<64>(i, 1);
    floor_padded<128>(i, 1);
  }
  Percentiles pad64 = measure_latency([](int a, int b) { floor_padded<64>(a, b); }, bs, calls);
  Percentiles pad128 = measure_latency([](int a, int b) { floor_padded<128>(a, b); }, bs, calls);
  r.out.add("pad64", pad64).add("pad128", pad128);
#endif
  r.out.add("timer_overhead_ns", overhead);
}

// (b) end-to-end: the clock stops when the consumer has written and flushed every line.
template <class Target>
void throughput(Run& r) {
  int threads = static_cast<int>(r.args.num("threads"));
  long records = r.args.num("records");
  Target t(r.setup);
  r.logged += warm_up(t, 1000);
  std::int64_t t0 = now_ns();
  std::int64_t prod = produce(t, threads, records);
  t.drain();
  std::int64_t total = now_ns() - t0;
  r.logged += records;
  r.out.add("threads", threads).add("records", records);
  r.out.add("seconds", static_cast<double>(total) / 1e9);
  r.out.add("records_per_s", static_cast<double>(records) * 1e9 / static_cast<double>(total));
  r.out.add("producer_seconds", static_cast<double>(prod) / 1e9);
}

// (c) a call below the logger's level.
template <class Target>
void disabled(Run& r) {
  long n = r.args.num("calls");
  Target t(r.setup);
  r.out.add("calls", n).add("ns_per_call", disabled_call_ns(t, n));
  t.drain();
}

// (e) heap per record parked in the queue, the pipeline's fixed cost included.
template <class Target>
void memory(Run& r) {
  long n = r.args.num("records");
  Throttle th;
  r.setup.throttle = &th;
  std::size_t h0 = heap_in_use();
  Target t(r.setup);
  r.logged += warm_up(t, 100);
  th.state.store(2);
  t.log_one(0, 0);  // the consumer takes this one and holds
  ++r.logged;
  pause_us(50000);
  std::size_t h1 = heap_in_use();
  for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
  r.logged += n;
  // As before h1: what background threads allocate in answer to the records (dictlog's
  // segment pool refilling its spares) is part of their cost.
  pause_us(50000);
  std::size_t h2 = heap_in_use();
  th.state.store(0);
  t.drain();
  r.out.add("records", n);
  r.out.add("pipeline_bytes", static_cast<long>(h1) - static_cast<long>(h0));
  r.out.add(
      "bytes_per_record_marginal",
      static_cast<double>(static_cast<long>(h2) - static_cast<long>(h1)) / static_cast<double>(n));
  r.out.add("bytes_per_record", static_cast<double>(static_cast<long>(h2) - static_cast<long>(h0)) /
                                    static_cast<double>(n));
}

// The consumer's CPU while nothing is logged: a few records, written, then --idle-ms of
// silence. The first --settle-ms are reported apart (dictlog's listener naps in 1 ms timed
// waits for 50 ms before it blocks).
template <class Target>
void idle(Run& r) {
  long n = r.args.num("records");
  long settle_ms = r.args.num("settle-ms"), idle_ms = r.args.num("idle-ms");
  Target t(r.setup);
  for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
  r.logged += n;
  t.request_flush();
  std::int64_t t0 = now_ns();
  while (count_lines(r.setup.file) < r.logged && now_ns() - t0 < 5000000000) pause_us(200);
  bool written = count_lines(r.setup.file) == r.logged;
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
  r.out.add("records", n).add("written_before_idle", written).add("threads_seen", c2.threads);
  r.out.add("settle_ms", settle_ms)
      .add("settle_cpu_ms", static_cast<double>(c1.cpu_ns - c0.cpu_ns) / 1e6);
  r.out.add("settle_switches", c1.switches - c0.switches);
  r.out.add("idle_seconds", idle_s);
  r.out.add("idle_cpu_ms_per_s", static_cast<double>(c2.cpu_ns - c1.cpu_ns) / 1e6 / idle_s);
  r.out.add("idle_switches_per_s", static_cast<double>(c2.switches - c1.switches) / idle_s);
  r.out.add("idle_process_cpu_ms_per_s", static_cast<double>(p2 - p1) / 1e6 / idle_s);
}

// A bounded queue (dictlog: --maxsize, default 8192 here, blocking when full; spdlog: its
// 8192) in front of a handler paced to one record per --slow-us: the producers outrun it,
// so the queue stays full and they block. The heap is sampled every ms.
template <class Target>
void bounded(Run& r) {
  int threads = static_cast<int>(r.args.num("threads"));
  long records = r.args.num("records");
  Throttle th;
  th.slow_us = r.args.num("slow-us");
  r.setup.throttle = &th;
  std::size_t h0 = heap_in_use();
  Target t(r.setup);
  r.logged += warm_up(t, 100);  // starts the consumer and its buffers
  std::size_t h1 = heap_in_use();
  Sampler s([&t] { return t.queue_size(); });
  th.state.store(3);
  std::int64_t t0 = now_ns();
  std::int64_t prod = produce(t, threads, records);
  r.logged += records;
  th.state.store(0);  // the last queueful drains at full speed
  s.forget_queue();
  t.drain();
  std::int64_t total = now_ns() - t0;
  s.stop();
  // The queue's documented size; the peak is the whole pipeline's heap (the consumer's
  // batch and the file's buffer too), so run_growth_bytes is what must stay near 0.
  long slot = Target::slot_bytes(), bound = Target::bound_bytes(r.setup.maxsize);
  long peak = static_cast<long>(std::max(s.peak_heap(), h1)) - static_cast<long>(h0);
  r.out.add("threads", threads).add("records", records).add("slow_us", th.slow_us);
  r.out.add("maxsize", r.setup.maxsize).add("slot_bytes", slot).add("bound_bytes", bound);
  r.out.add("seconds", static_cast<double>(total) / 1e9);
  r.out.add("records_per_s", static_cast<double>(records) * 1e9 / static_cast<double>(total));
  r.out.add("producer_seconds", static_cast<double>(prod) / 1e9);
  r.out.add("pipeline_bytes", static_cast<long>(h1) - static_cast<long>(h0));
  r.out.add("peak_heap_bytes", peak);
  r.out.add("run_growth_bytes", peak - (static_cast<long>(h1) - static_cast<long>(h0)));
  // The mean next to the peak tells a passing peak from memory that stays allocated.
  r.out.add("mean_heap_bytes", s.mean_heap() - static_cast<double>(h0));
  r.out.add("peak_over_bound", static_cast<double>(peak) / static_cast<double>(bound));
  r.out.add("queue_max", s.queue_max()).add("queue_mean", s.queue_mean());
  r.out.add("samples", s.samples());
}

// (f) for callgrind: `calls` enabled calls, nothing else timed.
template <class Target>
void calls(Run& r) {
  long n = r.args.num("calls");
  Target t(r.setup);
  for (long i = 0; i < n; ++i) t.log_one(static_cast<int>(i), static_cast<int>(i % 997));
  r.logged += n;
  t.drain();
  r.out.add("calls", n);
}

struct Scenario {
  const char* name;
  void (*run)(Run&);
  Defaults defaults;
};

template <class Target>
const Scenario* find_scenario(const std::string& name) {
  static const Scenario table[] = {
      {"latency", latency<Target>, burst_defaults},
      {"slow", slow<Target>, burst_defaults + Defaults{{"slow-ms", "10"}}},
      {"floor", timer_floor, burst_defaults},
      {"throughput", throughput<Target>, {{"threads", "1"}, {"records", "1000000"}}},
      {"disabled", disabled<Target>, {{"calls", "100000000"}}},
      {"memory", memory<Target>, {{"records", "8000"}}},
      {"idle", idle<Target>, {{"records", "100"}, {"settle-ms", "100"}, {"idle-ms", "2000"}}},
      {"bounded",
       bounded<Target>,
       {{"threads", "2"}, {"records", "200000"}, {"maxsize", "8192"}, {"slow-us", "25"}}},
      {"calls", calls<Target>, {{"calls", "20000"}}},
  };
  for (const Scenario& s : table)
    if (name == s.name) return &s;
  return nullptr;
}

// Runs the command line's scenario. Prints one JSON line; returns the exit code.
template <class Target>
int run_main(const char* prog, int argc, char** argv) {
  Args args(argc, argv);
  const Scenario* sc = find_scenario<Target>(args.scenario());
  for (const auto& [k, v] : sc ? sc->defaults + common_defaults : common_defaults)
    args.set_default(k, v);
  Run r{args, {}, {}, 0};
  r.setup.file = args.str("file");
  r.setup.maxsize = args.num("maxsize");
  std::remove(r.setup.file.c_str());
  if (!sc) {
    std::fprintf(stderr, "unknown scenario %s\n", args.scenario().c_str());
    return 2;
  }
  r.out.add("prog", prog).add("scenario", args.scenario());
  sc->run(r);
  long lines = std::max(count_lines(r.setup.file), 0L);  // -1: no file
  r.out.add("lines", lines).add("lines_ok", lines == r.logged).add("maxrss_kb", maxrss_kb());
  r.out.print();
  if (!args.str("keep").empty()) return 0;
  std::remove(r.setup.file.c_str());
  return lines == r.logged ? 0 : 1;
}

}  // namespace bench
