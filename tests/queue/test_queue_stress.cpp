#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/shutdown.hpp"
#include "support/capture.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::CaptureHandler;
using dictlog::test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Test order matters in this file: the last test calls dictlog::shutdown(), which is final
// for the queue layer (records are then handled on the logging thread).

namespace {

// DICTLOG_STRESS_RECORDS: records per thread (the sanitizer runs use fewer).
long records_per_thread() {
  const char* env = std::getenv("DICTLOG_STRESS_RECORDS");
  return env && *env ? std::atol(env) : 200000;
}

// Checks that `path` holds lines "t<thread> <n>" in which each thread's numbers run
// 0, 1, 2, ... with no gap or repeat; returns how many each thread has.
std::vector<long> check_per_thread_sequences(const fs::path& path, int threads) {
  std::ifstream in(path, std::ios::binary);
  std::vector<long> next(static_cast<std::size_t>(threads), 0);
  std::string line;
  long bad = 0;
  while (std::getline(in, line)) {
    int t = -1;
    long n = -1;
    if (std::sscanf(line.c_str(), "t%d %ld", &t, &n) != 2 || t < 0 || t >= threads ||
        n != next[static_cast<std::size_t>(t)]) {
      if (++bad <= 5) FAIL_CHECK("unexpected line: " << line);
      continue;
    }
    ++next[static_cast<std::size_t>(t)];
  }
  CHECK(bad == 0);
  return next;
}

}  // namespace

TEST_CASE("a process that exits with a running listener still writes every record") {
  TempDir d;
  fs::path path = d.path() / "exit.log";
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto q = std::make_shared<Queue>();
    auto qh = std::make_shared<QueueHandler>(q);
    auto file = std::make_shared<FileHandler>(path.string());
    auto* listener = new QueueListener(q, {file});  // never stopped by the program
    listener->start();
    Logger& lg = get_logger("stress.exit");
    lg.set_level(INFO);
    lg.set_propagate(false);
    lg.add_handler(qh);
    for (long i = 0; i < 20000; ++i) lg.info("t0 {}", i);
    std::exit(0);  // atexit: dictlog::shutdown() stops the listener, draining the queue
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto counts = check_per_thread_sequences(path, 1);
  CHECK(counts[0] == 20000);
}

TEST_CASE("8 threads through QueueHandler, listener and FileHandler: every record once, in order") {
  TempDir d;
  const long each = records_per_thread();
  constexpr int kThreads = 8;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  auto file = std::make_shared<FileHandler>((d.path() / "stress.log").string());
  auto listener = std::make_shared<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{file});
  listener->start();
  Logger& lg = get_logger("stress.main");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  lg.add_handler(qh);
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (long i = 0; i < each; ++i) lg.info("t{} {}", t, i);
    });
  for (auto& p : producers) p.join();
  listener->stop();
  file->close();
  CHECK(qh->dropped() == 0);
  auto counts = check_per_thread_sequences(d.path() / "stress.log", kThreads);
  for (long c : counts) CHECK(c == each);
  lg.remove_handler(qh);
}

TEST_CASE("bounded queue with Overflow::block under 4 producers loses nothing") {
  TempDir d;
  const long each = std::max(1L, records_per_thread() / 10);
  constexpr int kThreads = 4;
  auto q = std::make_shared<Queue>(256);
  auto qh = std::make_shared<QueueHandler>(q);
  qh->set_overflow(QueueHandler::Overflow::block);
  auto file = std::make_shared<FileHandler>((d.path() / "blocked.log").string());
  QueueListener listener(q, {file});
  listener.start();
  Logger& lg = get_logger("stress.block");
  lg.set_propagate(false);
  lg.add_handler(qh);
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (long i = 0; i < each; ++i) lg.warning("t{} {}", t, i);
    });
  for (auto& p : producers) p.join();
  listener.stop();
  file->close();
  CHECK(qh->dropped() == 0);
  auto counts = check_per_thread_sequences(d.path() / "blocked.log", kThreads);
  for (long c : counts) CHECK(c == each);
  lg.remove_handler(qh);
}

TEST_CASE("shutdown under load: every call that returned is written; later records too") {
  TempDir d;
  constexpr int kThreads = 4;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  auto file = std::make_shared<FileHandler>((d.path() / "shutdown.log").string());
  auto listener = std::make_shared<QueueListener>(q, std::vector<std::shared_ptr<Handler>>{file});
  qh->set_listener(listener);
  listener->start();
  Logger& lg = get_logger("stress.shutdown");
  lg.set_level(INFO);
  lg.set_propagate(false);
  lg.add_handler(qh);

  // A listener nobody started (as dict_config leaves it): shutdown handles its records.
  auto idle_q = std::make_shared<Queue>();
  auto idle_sink = std::make_shared<CaptureHandler>();
  QueueListener idle(idle_q, {idle_sink});
  idle_q->put(make_log_record({{"msg", "waiting since before shutdown"}}));

  std::atomic<bool> stop{false};
  std::atomic<int> past_shutdown{0};
  std::atomic<bool> shut{false};
  std::vector<std::atomic<long>> returned(kThreads);
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      long i = 0;
      int after = 0;
      while (!stop.load()) {
        lg.info("t{} {}", t, i);
        returned[static_cast<std::size_t>(t)].store(++i);
        if (shut.load() && ++after == 100) ++past_shutdown;
      }
    });
  std::this_thread::sleep_for(50ms);
  shutdown();
  shut = true;
  CHECK_FALSE(listener->running());
  CHECK(idle_sink->lines() == std::vector<std::string>{"waiting since before shutdown"});
  // Let every producer log at least 100 records after shutdown() returned.
  while (past_shutdown.load() < kThreads) std::this_thread::sleep_for(1ms);
  stop = true;
  for (auto& p : producers) p.join();

  auto counts = check_per_thread_sequences(d.path() / "shutdown.log", kThreads);
  for (int t = 0; t < kThreads; ++t)
    CHECK(counts[static_cast<std::size_t>(t)] == returned[static_cast<std::size_t>(t)].load());

  // One more, from this thread: written by the time the call returns.
  lg.info("t0 {}", returned[0].load());
  counts = check_per_thread_sequences(d.path() / "shutdown.log", kThreads);
  CHECK(counts[0] == returned[0].load() + 1);
  CHECK(q->empty());
  lg.remove_handler(qh);
}
