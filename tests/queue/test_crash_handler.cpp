// install_crash_handler(): a child process (this binary again, run with --crash-child, so
// that it starts fresh, without doctest's signal handlers or a sanitizer's view of a forked
// multi-threaded parent) logs through QueueHandler -> QueueListener -> FileHandler from two
// threads, then crashes or is stopped; the parent reads the file and the exit status.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/crash_handler.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;
using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DICTLOG_TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DICTLOG_TEST_SANITIZER 1
#endif
#endif

namespace {

constexpr int kRecords = 100000;  // in all, half from each thread

enum class End { null_dereference, abort, raise_sigterm, parent_kills };

std::string g_marker;  // the application's own handler writes it

void application_handler(int sig) {
  int fd = ::open(g_marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, "app handler ran\n", 16);
    ::close(fd);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // delivered when this handler returns
}

// The child's whole life: it never returns.
[[noreturn]] void child(const std::string& log_path, End end, int app_signal, int ready_fd) {
  auto q = std::make_shared<Queue>();
  auto file = std::make_shared<FileHandler>(log_path);
  // Leaked: the process ends by a signal, never by returning.
  auto* listener = new QueueListener(q, {file});
  listener->start();
  auto& root = get_logger();
  root.set_level(INFO);
  root.add_handler(std::make_shared<QueueHandler>(q));
  if (app_signal) ::signal(app_signal, application_handler);
  install_crash_handler();

  std::atomic<int> done{0};
  for (int t = 0; t < 2; ++t)
    std::thread([t, &done] {
      auto& log = get_logger("app");
      for (int i = 0; i < kRecords / 2; ++i) log.info("t{} {}", t, i);
      done.fetch_add(1);
      for (;;) std::this_thread::sleep_for(1s);  // still alive when the signal comes
    }).detach();
  while (done.load() < 2) std::this_thread::sleep_for(1ms);

  switch (end) {
    case End::null_dereference: {
      volatile int* volatile p = nullptr;  // opaque, so no compiler turns it into a trap
      *p = 1;
      break;
    }
    case End::abort:
      std::abort();
    case End::raise_sigterm:
      ::raise(SIGTERM);
      break;
    case End::parent_kills:
      (void)!::write(ready_fd, "r", 1);
      break;
  }
  for (int i = 0; i < 60; ++i) std::this_thread::sleep_for(1s);
  ::_exit(99);
}

struct Outcome {
  int status = 0;
  bool ended = false;
  std::string log;
};

// Runs the child and waits for it, for at most a minute (then kills it).
Outcome run(const TempDir& dir, End end, int app_signal = 0) {
  const std::string log_path = dir.file("app.log");
  const std::string marker = dir.file("marker");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const std::string args[] = {"--crash-child",
                              std::to_string(static_cast<int>(end)),
                              log_path,
                              marker,
                              std::to_string(app_signal),
                              std::to_string(ready[1])};
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    const char* argv[] = {"test_crash_handler", args[0].c_str(), args[1].c_str(), args[2].c_str(),
                          args[3].c_str(),      args[4].c_str(), args[5].c_str(), nullptr};
    // The fatal-signal drain is documented as not async-signal-safe (the watchdog bounds
    // it); ThreadSanitizer would report each allocation it makes in the child's output.
    const char* tsan = std::getenv("TSAN_OPTIONS");
    std::string opts = std::string(tsan ? tsan : "") + " report_signal_unsafe=0";
    ::setenv("TSAN_OPTIONS", opts.c_str(), 1);
    ::execv("/proc/self/exe", const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(ready[1]);
  Outcome out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  if (end == End::parent_kills) {
    char c = 0;
    // The child writes once it has logged everything, or closes the pipe by dying.
    pollfd pfd{ready[0], POLLIN, 0};
    if (::poll(&pfd, 1, 60'000) == 1 && ::read(ready[0], &c, 1) == 1) ::kill(pid, SIGTERM);
  }
  ::close(ready[0]);
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid, &out.status, WNOHANG);
    if (r == pid) {
      out.ended = true;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (!out.ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  out.log = slurp(log_path);
  return out;
}

// Every record once, then the signal line last.
void check_log(const std::string& log, const std::string& signal_line) {
  std::vector<std::vector<int>> seen(2, std::vector<int>(kRecords / 2, 0));
  std::istringstream in(log);
  std::string line, last;
  int records = 0, other = 0, signal_lines = 0;
  while (std::getline(in, line)) {
    int t = -1, i = -1;
    char tail = 0;
    if (std::sscanf(line.c_str(), "t%d %d%c", &t, &i, &tail) == 2 && t >= 0 && t < 2 && i >= 0 &&
        i < kRecords / 2) {
      ++seen[t][i];
      ++records;
    } else if (line == signal_line) {
      ++signal_lines;
    } else {
      ++other;
    }
    last = line;
  }
  int once = 0;
  for (const auto& v : seen)
    for (int n : v) once += n == 1;
  MESSAGE("records written: " << records << " of " << kRecords << ", each once: " << once
                              << ", signal line: " << signal_lines);
  CHECK(records == kRecords);
  CHECK(once == kRecords);
  CHECK(other == 0);
  CHECK(signal_lines == 1);
  CHECK(last == signal_line);
}

void check_signalled(const Outcome& out, int sig) {
  REQUIRE(out.ended);
  CHECK(WIFSIGNALED(out.status));
  if (WIFSIGNALED(out.status)) CHECK(WTERMSIG(out.status) == sig);
  if (WIFEXITED(out.status)) MESSAGE("child exited with status " << WEXITSTATUS(out.status));
}

bool skip_under_sanitizer(const char* what) {
#ifdef DICTLOG_TEST_SANITIZER
  MESSAGE("skipped: " << std::string(what)
                      << ": the sanitizer runtime handles SIGSEGV itself (reports and exits)");
  return true;
#else
  (void)what;
  return false;
#endif
}

}  // namespace

TEST_CASE("a null dereference writes every queued record, the signal line, then dies of SIGSEGV") {
  if (skip_under_sanitizer("null dereference")) return;
  TempDir dir;
  auto out = run(dir, End::null_dereference);
  check_signalled(out, SIGSEGV);
  check_log(out.log, "Fatal signal 11 (SIGSEGV)");
}

TEST_CASE("abort() writes every queued record, the signal line, then dies of SIGABRT") {
  TempDir dir;
  auto out = run(dir, End::abort);
  check_signalled(out, SIGABRT);
  check_log(out.log, "Fatal signal 6 (SIGABRT)");
}

TEST_CASE("raise(SIGTERM) writes every queued record, the signal line, then dies of SIGTERM") {
  TempDir dir;
  auto out = run(dir, End::raise_sigterm);
  check_signalled(out, SIGTERM);
  check_log(out.log, "Terminating on signal 15 (SIGTERM)");
}

TEST_CASE("SIGTERM from another process: the same") {
  TempDir dir;
  auto out = run(dir, End::parent_kills);
  check_signalled(out, SIGTERM);
  check_log(out.log, "Terminating on signal 15 (SIGTERM)");
}

TEST_CASE("the application's SIGSEGV handler installed before still runs, after the drain") {
  if (skip_under_sanitizer("chained SIGSEGV handler")) return;
  TempDir dir;
  auto out = run(dir, End::null_dereference, SIGSEGV);
  check_signalled(out, SIGSEGV);
  check_log(out.log, "Fatal signal 11 (SIGSEGV)");
  CHECK(slurp(dir / "marker") == "app handler ran\n");
}

TEST_CASE("the application's SIGTERM handler installed before still runs, after the drain") {
  TempDir dir;
  auto out = run(dir, End::parent_kills, SIGTERM);
  check_signalled(out, SIGTERM);
  check_log(out.log, "Terminating on signal 15 (SIGTERM)");
  CHECK(slurp(dir / "marker") == "app handler ran\n");
}

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--crash-child") {
    g_marker = argv[4];
    child(argv[3], static_cast<End>(std::atoi(argv[2])), std::atoi(argv[5]), std::atoi(argv[6]));
  }
  doctest::Context context(argc, argv);
  return context.run();
}

TEST_CASE("install_crash_handler() installs once") {
  // In a child too: the handlers stay for the rest of the process.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    bool first = install_crash_handler();
    bool second = install_crash_handler();
    ::_exit(first && !second ? 0 : 1);
  }
  int status = 0;
  bool ended = false;
  for (int i = 0; i < 6000 && !ended; ++i) {
    ended = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!ended) std::this_thread::sleep_for(10ms);
  }
  if (!ended) ::kill(pid, SIGKILL);
  REQUIRE(ended);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
