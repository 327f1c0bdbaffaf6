// config::watch: the watched file replaced by rename, edited in place, made invalid (the
// running configuration kept, every problem reported), deleted and re-created; polling;
// SIGHUP; and 4 threads logging through a QueueHandler during 20 reloads.
//
// Every wait is for a condition, bounded by kTimeout; nothing asserts on timing.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/dictlog.hpp"
#include "support/capture.hpp"
#include "support/files.hpp"

using namespace dictlog;
using dictlog::config::Problem;
using dictlog::config::ReloadOutcome;
using dictlog::test::read_lines;
using dictlog::test::Sequences;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;
using dictlog::test::write_file;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kTimeout = 20s;  // generous: sanitizer builds on a loaded machine

// A configuration sending logger "app" to the file `log` (relative to the working
// directory, which TempDir makes the test's own).
std::string file_config(const std::string& log) {
  return R"J({"version": 1, "disable_existing_loggers": false,
  "formatters": {"plain": {"format": "%(message)s"}},
  "handlers": {"h": {"class": "logging.FileHandler", "filename": ")J" +
         log + R"J(", "formatter": "plain"}},
  "loggers": {"app": {"level": "INFO", "handlers": ["h"], "propagate": false}}})J";
}

// Writes logging.json and applies it, as a program does before it starts watching.
void apply_file(const std::string& text) {
  write_file("logging.json", text);
  config::dict_config_file("logging.json");
}

// Writes `text` to a temporary file and renames it over `path`, as editors do.
void replace_file(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  write_file(tmp, text);
  fs::rename(tmp, path);
}

// What the callbacks saw, and waiting for it.
struct Recorder {
  std::mutex m;
  std::condition_variable cv;
  std::vector<ReloadOutcome> outcomes;
  std::vector<std::string> problem_lines;

  config::WatchOptions options() {
    config::WatchOptions o;
    o.on_reload = [this](const ReloadOutcome& r) {
      std::lock_guard lock(m);
      outcomes.push_back(r);
      cv.notify_all();
    };
    o.on_problem = [this](const std::string& file, const Problem& p) {
      std::lock_guard lock(m);
      problem_lines.push_back(config::problem_line(file, p));
    };
    return o;
  }
  // The n-th outcome (1-based), once there is one; fails the test after kTimeout.
  ReloadOutcome wait_for(std::size_t n) {
    std::unique_lock lock(m);
    const bool got = cv.wait_for(lock, kTimeout, [&] { return outcomes.size() >= n; });
    REQUIRE_MESSAGE(got, "no reload number " << n << " within the timeout");
    return outcomes[n - 1];
  }
  std::size_t count() {
    std::lock_guard lock(m);
    return outcomes.size();
  }
};

void log_and_flush(const std::string& msg) {
  get_logger("app").info(msg);
  for (const auto& h : get_logger("app").handlers()) h->flush();
}

}  // namespace

TEST_CASE("a file replaced by rename or edited in place is re-applied") {
  TempDir d;
  apply_file(file_config("a.log"));
  Recorder rec;
  auto w = config::watch("logging.json", rec.options());
  CHECK(w.active());
  CHECK(w.uses_inotify());

  replace_file("logging.json", file_config("b.log"));
  CHECK(rec.wait_for(1).applied());
  log_and_flush("after rename");
  CHECK(slurp(d / "b.log") == "after rename\n");

  write_file("logging.json", file_config("c.log"));  // truncated and rewritten in place
  CHECK(rec.wait_for(2).applied());
  log_and_flush("after edit");
  CHECK(slurp(d / "c.log") == "after edit\n");

  // The same content again is no reload: the next outcome is the next real change's.
  write_file("logging.json", file_config("c.log"));
  replace_file("logging.json", file_config("d.log"));
  CHECK(rec.wait_for(3).applied());
  log_and_flush("after no-op");
  CHECK(slurp(d / "d.log") == "after no-op\n");
  CHECK(slurp(d / "c.log") == "after edit\n");

  // Deleted, then re-created: nothing is reported for the missing file.
  fs::remove("logging.json");
  write_file("logging.json", file_config("e.log"));
  CHECK(rec.wait_for(4).applied());
  log_and_flush("after re-creation");
  CHECK(slurp(d / "e.log") == "after re-creation\n");
  CHECK(rec.count() == 4);
  CHECK(rec.problem_lines.empty());
}

TEST_CASE("an invalid file keeps the running configuration and reports every problem") {
  TempDir d;
  apply_file(file_config("good.log"));
  Recorder rec;
  auto w = config::watch("logging.json", rec.options());

  replace_file("logging.json", "{\"version\": 1,\n \"handlers\": {");
  auto bad_json = rec.wait_for(1);
  REQUIRE(bad_json.problems.size() == 1);
  CHECK(bad_json.file == "logging.json");
  CHECK(bad_json.problems[0].pointer == "");
  CHECK(bad_json.problems[0].message ==
        "invalid JSON: line 2, column 15: syntax error while parsing object key - unexpected "
        "end of input; expected string literal");
  log_and_flush("kept after bad JSON");

  replace_file("logging.json", R"J({"version": 1,
    "handlers": {"h": {"class": "logging.NoSuchHandler"},
                 "g": {"class": "logging.FileHandler", "filename": "x.log", "level": "LOUD"}},
    "loggers": {"app": {"handlers": ["h", "g"]}}})J");
  auto rejected = rec.wait_for(2);
  CHECK_FALSE(rejected.applied());
  std::vector<std::string> lines;
  for (const auto& p : rejected.problems) lines.push_back(config::problem_line("logging.json", p));
  // Every problem, in the order dict_config finds them (handlers in sorted name order).
  CHECK(lines ==
        std::vector<std::string>{
            "logging.json: /handlers/g/level: Unknown level: 'LOUD' (a level is an integer or "
            "exactly a registered name such as 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')",
            "logging.json: /handlers/h/class: 'logging.NoSuchHandler' is not a registered "
            "handler class (dictlog resolves class names only through its registry: see "
            "dictlog::config::register_handler)"});
  log_and_flush("kept after rejection");
  CHECK(slurp(d / "good.log") == "kept after bad JSON\nkept after rejection\n");
  CHECK_FALSE(fs::exists(d / "x.log"));
  {
    std::lock_guard lock(rec.m);
    std::vector<std::string> expected{config::problem_line("logging.json", bad_json.problems[0])};
    expected.insert(expected.end(), lines.begin(), lines.end());
    CHECK(rec.problem_lines == expected);
  }

  replace_file("logging.json", file_config("fixed.log"));
  CHECK(rec.wait_for(3).applied());
  log_and_flush("fixed");
  CHECK(slurp(d / "fixed.log") == "fixed\n");
}

TEST_CASE("without on_problem, problems go to stderr in dictlog check's form") {
  TempDir d;
  apply_file(file_config("good.log"));
  StderrCapture err;
  Recorder rec;
  auto options = rec.options();
  options.on_problem = nullptr;
  auto w = config::watch("logging.json", options);
  replace_file("logging.json", R"J({"version": 2})J");
  CHECK_FALSE(rec.wait_for(1).applied());
  w.stop();
  CHECK_FALSE(w.active());
  err.restore();
  CHECK(err.text() == "logging.json: /version: Unsupported version: 2 (the only version is 1)\n");
}

TEST_CASE("polling sees a change where inotify is not used") {
  TempDir d;
  apply_file(file_config("a.log"));
  Recorder rec;
  auto options = rec.options();
  options.inotify = false;
  options.poll_interval = 10ms;
  auto w = config::watch("logging.json", options);
  CHECK_FALSE(w.uses_inotify());
  replace_file("logging.json", file_config("b.log"));
  CHECK(rec.wait_for(1).applied());
  log_and_flush("polled");
  CHECK(slurp(d / "b.log") == "polled\n");
}

namespace {
volatile std::sig_atomic_t previous_handler_calls = 0;
extern "C" void previous_handler(int) {
  previous_handler_calls = previous_handler_calls + 1;
}
}  // namespace

TEST_CASE("SIGHUP re-applies the file, unchanged, and chains to the previous handler") {
  TempDir d;
  apply_file(file_config("a.log"));
  struct sigaction before {};
  before.sa_handler = previous_handler;
  sigemptyset(&before.sa_mask);
  struct sigaction saved {};
  REQUIRE(::sigaction(SIGHUP, &before, &saved) == 0);
  {
    Recorder rec;
    auto options = rec.options();
    options.sighup = true;
    auto w = config::watch("logging.json", options);
    REQUIRE(::raise(SIGHUP) == 0);
    CHECK(rec.wait_for(1).applied());
    CHECK(previous_handler_calls == 1);
    // A moved-from handle is inactive; the moved-to one still watches.
    config::Watcher moved = std::move(w);
    CHECK_FALSE(w.active());
    CHECK(moved.active());
    moved.reload();
    CHECK(rec.wait_for(2).applied());
  }
  // The last watcher with sighup gone, the previous handler is SIGHUP's handler again.
  struct sigaction now {};
  REQUIRE(::sigaction(SIGHUP, nullptr, &now) == 0);
  CHECK((now.sa_flags & SA_SIGINFO) == 0);
  CHECK((now.sa_handler == previous_handler));
  ::sigaction(SIGHUP, &saved, nullptr);
}

TEST_CASE("4 threads logging through a QueueHandler during 20 reloads lose nothing") {
  constexpr int kThreads = 4, kReloads = 20;
  TempDir d;
  // A bounded queue that blocks when full keeps the backlog each reload drains small, so
  // the test takes as long under a sanitizer's slower listener (nothing is dropped).
  auto config_text = [](int k) {
    const std::string q = k % 2 ? "qb" : "qa";
    return R"J({"version": 1, "disable_existing_loggers": false,
      "formatters": {"plain": {"format": "%(message)s"}},
      "handlers": {
        "file": {"class": "logging.FileHandler", "filename": "c)J" +
           std::to_string(k) + R"J(.log", "formatter": "plain"},
        ")J" +
           q + R"J(": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
          "queue": {"()": "queue.Queue", "maxsize": 1000}, ".": {"overflow": "block"}}},
      "loggers": {"app": {"level": "INFO", "propagate": false, "handlers": [")J" +
           q + R"J("]}}})J";
  };
  apply_file(config_text(0));
  config::start_listeners();
  Recorder rec;
  auto w = config::watch("logging.json", rec.options());

  std::atomic<bool> stop{false};
  std::vector<std::atomic<long>> returned(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto& log = get_logger("app");
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        log.info("t{} {}", t, i);
        returned[static_cast<std::size_t>(t)].store(i + 1);
        // Paced: unpaced producers outrun a file and grow the queue without bound.
        if (i % 100 == 99) std::this_thread::sleep_for(1ms);
      }
    });
  for (int k = 1; k <= kReloads; ++k) {
    replace_file("logging.json", config_text(k));
    CHECK(rec.wait_for(static_cast<std::size_t>(k)).applied());
  }
  stop = true;
  for (auto& th : threads) th.join();
  w.stop();
  config::stop_listeners();

  Sequences s;
  for (int k = 0; k <= kReloads; ++k)
    s.add_lines(read_lines(d / ("c" + std::to_string(k) + ".log")));
  CHECK(s.malformed.empty());
  CHECK(s.in_order);
  long expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    const long n = returned[static_cast<std::size_t>(t)].load();
    CHECK(n > 0);
    expected += n;
    long wrong = 0;
    for (long i = 0; i < n; ++i) wrong += s.count(t, i) != 1;
    CHECK_MESSAGE(wrong == 0, "thread " << t << ": " << wrong << " records not written once");
  }
  CHECK(s.total() == expected);
}
