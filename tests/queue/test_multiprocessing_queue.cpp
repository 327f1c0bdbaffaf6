// multiprocessing.Queue across fork(): worker processes put, the process that configured
// logging writes one file. Every field crosses; eight workers' records arrive once each and
// in order with no torn line; a writer that dies in the middle of a put (a claimed slot
// never committed, and a real SIGKILL) neither sticks the queue nor tears a record; a
// record too large for a slot is cut and counted.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#include "dictlog/multiprocessing_queue.hpp"
#include "queue/shared_ring.hpp"
#include "support/fork_sanitizers.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;

// Workers start no threads, but ThreadSanitizer is told not to end them if one does.
extern "C" const char* __tsan_default_options() {
  return "die_after_fork=0";
}

namespace {

int records_per_worker() {
  const char* n = std::getenv("DICTLOG_STRESS_RECORDS");
  return n ? std::atoi(n) : 100000;
}

// The child's exit status, or -1 if it has not ended within 120 s (then it is killed).
int wait_for(pid_t pid) {
  for (int i = 0; i < 12000; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

// The configuration a pre-fork server would have: a file written by the parent's listener
// behind a QueueHandler on a multiprocessing.Queue.
std::shared_ptr<MultiprocessingQueue> configure(const std::string& path, int maxsize,
                                                const char* overflow = "block") {
  auto cfg = nlohmann::ordered_json::parse(R"j({
    "version": 1,
    "formatters": {"f": {"format": "%(process)d %(processName)s %(message)s"}},
    "handlers": {
      "file": {"class": "logging.FileHandler", "filename": "", "formatter": "f"},
      "q": {"class": "logging.handlers.QueueHandler", "handlers": ["file"],
            "queue": {"()": "multiprocessing.Queue", "maxsize": 0}, ".": {"overflow": "block"}}
    },
    "root": {"level": "INFO", "handlers": ["q"]}
  })j");
  cfg["handlers"]["file"]["filename"] = path;
  cfg["handlers"]["q"]["queue"]["maxsize"] = maxsize;
  cfg["handlers"]["q"]["."]["overflow"] = overflow;
  config::dict_config(cfg);
  config::start_listeners();
  auto qh = get_handler_by_name<QueueHandler>("q");
  REQUIRE(qh);
  auto q = std::dynamic_pointer_cast<MultiprocessingQueue>(qh->queue());
  REQUIRE(q);
  return q;
}

// Lines "PID MainProcess wK I" per worker K: the I in order; any other line is torn.
struct Seen {
  std::map<int, std::vector<int>> by_worker;
  int torn = 0;
};
Seen read_lines(const std::string& path) {
  Seen s;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    long pid = 0;
    std::string process, w;
    int i = -1;
    if (!(f >> pid >> process >> w >> i) || w.size() < 2 || w[0] != 'w' || !f.eof()) {
      ++s.torn;
      continue;
    }
    s.by_worker[std::stoi(w.substr(1))].push_back(i);
  }
  return s;
}

bool consecutive_from_zero(const std::vector<int>& v) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != static_cast<int>(i)) return false;
  return true;
}

}  // namespace

TEST_CASE("a record crosses the shared queue with every field a handler reads") {
  MultiprocessingQueue q;
  LogRecord r = make_log_record({{"name", "app.db"},
                                 {"levelno", 40},
                                 {"levelname", "ERROR"},
                                 {"pathname", "/src/db.cpp"},
                                 {"lineno", 42},
                                 {"user", "alice"},
                                 {"ids", Value::list({1, 2.5, Value::dict({{"k", true}})})}});
  r.set_prepared("query failed: caf\xc3\xa9");
  r.exc_text = "std::runtime_error: timeout";
  r.stack_info = "Stack (most recent call last):\n  here";
  r.context = std::make_shared<const dictlog::extra>(dictlog::extra{{"request_id", "r-1"}});
  REQUIRE(q.put_nowait(LogRecord(r)));
  CHECK(q.qsize() == 1);
  auto got = q.get(false);
  REQUIRE(got);
  CHECK(got->name == "app.db");
  CHECK(got->levelno == 40);
  CHECK(got->levelname == "ERROR");
  CHECK(got->pathname == "/src/db.cpp");
  CHECK(got->lineno == 42);
  CHECK(got->created_ns == r.created_ns);
  CHECK(got->thread == r.thread);
  CHECK(got->thread_name == r.thread_name);
  CHECK(got->process == r.process);
  CHECK(got->get_message() == "query failed: caf\xc3\xa9");
  CHECK(got->exc_text == r.exc_text);
  CHECK(got->stack_info == r.stack_info);
  // The bound context travels as the record's attributes, first, as for_each_extra gives them.
  REQUIRE(got->extra.size() == 3);
  CHECK(got->extra[0] == std::pair<std::string, Value>{"request_id", "r-1"});
  CHECK(got->extra[1] == std::pair<std::string, Value>{"user", "alice"});
  CHECK(repr(got->extra[2].second) == "[1, 2.5, {'k': True}]");
  CHECK(!q.get(false));
  // The sentinel a listener's stop() puts is still the sentinel on the other side.
  REQUIRE(q.put_nowait(queue_sentinel()));
  CHECK(is_queue_sentinel(*q.get(false)));
}

TEST_CASE("a record larger than a slot is cut to fit, counted, and still whole") {
  MultiprocessingQueue q({.maxsize = 4, .slot_size = 256});
  LogRecord r = make_log_record({{"name", "big"}, {"levelno", 20}, {"levelname", "INFO"}});
  r.set_prepared(std::string(1000, 'x') + "\xc3\xa9");
  REQUIRE(q.put_nowait(std::move(r)));
  CHECK(q.truncated() == 1);
  auto got = q.get(false);
  REQUIRE(got);
  const std::string m = got->get_message();
  CHECK(m.ends_with("x [cut]"));
  CHECK(m.size() < 256);
  // Full: four slots.
  for (int i = 0; i < 4; ++i) CHECK(q.put_nowait(make_log_record({{"name", "n"}})));
  CHECK(!q.put_nowait(make_log_record({{"name", "n"}})));
  CHECK(q.qsize() == 4);
}

TEST_CASE("a slot claimed by a process that died before committing is skipped and counted") {
  MultiprocessingQueue q({.maxsize = 8});
  CHECK(q.put_nowait(make_log_record({{"name", "before"}})));
  SUBCASE("the dead writer reaped") {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      q.ring().claim_only(static_cast<std::uint32_t>(::getpid()));
      ::_exit(0);
    }
    REQUIRE(wait_for(pid) == 0);
    CHECK(q.put_nowait(make_log_record({{"name", "after"}})));
    std::vector<LogRecord> out;
    CHECK(q.get_batch(out, 10, false) == 2);
    REQUIRE(out.size() == 2);
    CHECK(out[0].name == "before");
    CHECK(out[1].name == "after");
    CHECK(q.abandoned() == 1);
  }
  SUBCASE("the dead writer a zombie, not reaped yet") {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      q.ring().claim_only(static_cast<std::uint32_t>(::getpid()));
      ::_exit(0);
    }
    for (int i = 0; i < 2000 && q.qsize() < 2; ++i)  // its claim, then ours
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(q.put_nowait(make_log_record({{"name", "after"}})));
    // Until it has ended the reader waits at its slot: "before", then nothing.
    std::vector<LogRecord> out;
    for (int i = 0; i < 2000 && out.size() < 2; ++i) {
      q.get_batch(out, 10, false);
      if (out.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(out.size() == 2);
    CHECK(out[1].name == "after");
    CHECK(q.abandoned() == 1);
    wait_for(pid);
  }
}

TEST_CASE("eight workers' records reach the parent's file once each, in order, none torn") {
  TempDir dir;
  const std::string path = dir.file("app.log");
  const int n = records_per_worker();
  auto q = configure(path, 1024);
  std::vector<pid_t> workers;
  for (int k = 0; k < 8; ++k) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      Logger& log = get_logger("worker");
      for (int i = 0; i < n; ++i) log.info("w{} {}", k, i);
      ::_exit(0);
    }
    workers.push_back(pid);
  }
  int hung = 0;
  std::vector<bool> killed;
  for (pid_t pid : workers) {
    const int status = wait_for(pid);
    hung += status == -1;
    killed.push_back(status == -1);
    if (status != -1) CHECK(status == 0);
  }
  shutdown();  // the listener drains what the workers put
  if (kRuntimeForkSafe) REQUIRE(hung == 0);
  Seen s = read_lines(path);
  CHECK(s.torn == 0);
  for (int k = 0; k < 8; ++k) {
    CAPTURE(k);
    // Under a sanitizer a worker forked while the parent's listener held the sanitizer's
    // allocator lock can hang in its first refill (seen under ASan); killed, it has logged
    // an ordered prefix. Every other worker logs all its records.
    if (!killed[k]) {
      CHECK(s.by_worker[k].size() == static_cast<std::size_t>(n));
    } else {
      MESSAGE("worker " << k << " hung in the sanitizer's runtime and was killed after "
                        << s.by_worker[k].size() << " records");
    }
    CHECK(consecutive_from_zero(s.by_worker[k]));
  }
  if (hung == 0) CHECK(q->abandoned() == 0);
}

TEST_CASE(
    "a worker killed while logging: others' records all there, its own a prefix, queue alive") {
  TempDir dir;
  const std::string path = dir.file("app.log");
  auto q = configure(path, 256);
  const pid_t victim = ::fork();
  REQUIRE(victim >= 0);
  if (victim == 0) {
    Logger& log = get_logger("worker");
    for (int i = 0;; ++i) log.info("w0 {}", i);
  }
  // Let it log for a while, through a full queue and back, then kill it mid-stream.
  for (int i = 0; i < 500 && slurp(path).size() < 200000; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(victim, SIGKILL);
  ::waitpid(victim, nullptr, 0);
  // Wait for the listener to catch up before the next fork (see support/fork_sanitizers.hpp).
  for (int i = 0; i < 500 && q->qsize() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const pid_t late = ::fork();
  REQUIRE(late >= 0);
  if (late == 0) {
    for (int i = 0; i < 1000; ++i) get_logger("worker").info("w1 {}", i);
    ::_exit(0);
  }
  const int status = wait_for(late);
  shutdown();
  if (kRuntimeForkSafe) REQUIRE(status == 0);
  Seen s = read_lines(path);
  CHECK(s.torn == 0);
  CHECK(s.by_worker[0].size() > 0);
  CHECK(consecutive_from_zero(s.by_worker[0]));  // what it put before dying, in order
  CHECK(q->abandoned() <= 1);                    // at most the put it died in
  if (status != -1) {
    CHECK(s.by_worker[1].size() == 1000);
    CHECK(consecutive_from_zero(s.by_worker[1]));
  } else {
    MESSAGE("the late worker hung under a sanitizer whose allocator is not fork-safe");
  }
}

namespace {

// Runs `body` in a forked child whose stderr goes to `err_path`; its exit status.
template <class Body>
int in_child(const std::string& err_path, Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::_exit(body() ? 0 : 1);
  }
  return wait_for(pid);
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a worker logging while the parent's listener is stopped is told once, counted") {
  TempDir dir;
  const std::string path = dir.file("app.log");
  auto q = configure(path, 64, "drop");
  auto qh = get_handler_by_name<QueueHandler>("q");
  qh->listener()->stop();
  const int status = in_child(dir.file("w0.err"), [&] {
    for (int i = 0; i < 10; ++i) get_logger("worker").info("w0 {}", i);
    const HandlerStats st = qh->stats();
    return st.dropped_queue_full == 10 && st.errors == 1;
  });
  if (kRuntimeForkSafe) REQUIRE(status == 0);
  const std::string err = slurp(dir.file("w0.err"));
  CHECK(count_of(err, "--- Logging error ---") == 1);
  CHECK(count_of(err, "the QueueListener of the process that reads it (pid " +
                          std::to_string(::getpid()) + ") has stopped") == 1);
  // The parent reads the workers' drops in its own handler's counts.
  CHECK(q->refused() == 10);
  CHECK(qh->stats().dropped_queue_full == 10);
  CHECK(q->qsize() == 0);  // nothing was left waiting for a reader that had stopped

  // Started again: the next worker's records flow, and the parent's file has only them.
  qh->listener()->start();
  const int status2 = in_child(dir.file("w1.err"), [&] {
    for (int i = 0; i < 5; ++i) get_logger("worker").info("w1 {}", i);
    return qh->stats().dropped_queue_full == 0;
  });
  shutdown();
  if (kRuntimeForkSafe) REQUIRE(status2 == 0);
  CHECK(slurp(dir.file("w1.err")).empty());
  Seen s = read_lines(path);
  CHECK(s.torn == 0);
  CHECK(s.by_worker.count(0) == 0);
  CHECK(s.by_worker[1] == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("with overflow block, a worker waits for a stopped listener to start again") {
  TempDir dir;
  const std::string path = dir.file("app.log");
  auto q = configure(path, 64, "block");
  auto qh = get_handler_by_name<QueueHandler>("q");
  qh->listener()->stop();
  const pid_t worker = ::fork();
  REQUIRE(worker >= 0);
  if (worker == 0) {
    for (int i = 0; i < 3; ++i) get_logger("worker").info("w2 {}", i);
    ::_exit(qh->stats().dropped_queue_full == 0 ? 0 : 1);
  }
  // The worker is held at its first put while nobody reads (no timing asserted: only that
  // nothing was written, then everything).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(q->qsize() == 0);
  CHECK(q->refused() == 0);
  qh->listener()->start();
  const int status = wait_for(worker);
  shutdown();
  if (kRuntimeForkSafe) REQUIRE(status == 0);
  Seen s = read_lines(path);
  CHECK(s.torn == 0);
  CHECK(s.by_worker[2] == std::vector<int>{0, 1, 2});
}
