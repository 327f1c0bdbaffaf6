// Full disks, failing writes, interrupted and short writes, failing opens and renames,
// injected through the system-call seam (support/system_call_faults.hpp) into handlers
// that write real files. What is checked is what a user sees: the bytes in the files and
// the "--- Logging error ---" report on stderr, with Python's OSError text.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "dictlog/file_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/watched_file_handler.hpp"
#include "support/capture.hpp"
#include "support/system_call_faults.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::SystemCallFaults;
using dictlog::test::TempDir;

namespace {

void emit(Handler& h, const std::string& msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", INFO}});
  h.handle(r);
}

// handle_error's report for a record made by emit().
std::string report(const std::string& error, const std::string& msg) {
  return "--- Logging error ---\n" + error + "\nLogged from file , line 0\nMessage: '" + msg +
         "'\nArguments: ()\n";
}

std::string path_of(const TempDir& d, const std::string& name) {
  return (d / name).string();
}

}  // namespace

TEST_CASE("a full disk is reported with Python's text, and writing resumes when it frees") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("full.log");
  SystemCallFaults faults;
  emit(*h, "before");
  StderrCapture err;
  faults.fail_writes(ENOSPC);
  emit(*h, "lost one");
  emit(*h, "lost two");
  faults.clear();
  emit(*h, "after");
  err.restore();
  // One report when the run starts, one when it ends with the count (Python reports every
  // record).
  CHECK(err.text() ==
        report("OSError: [Errno 28] No space left on device", "lost one") +
            report("OSError: [Errno 28] No space left on device: '" + path_of(d, "full.log") +
                       "': 2 records were not written (in whole or in part) before writing "
                       "succeeded again",
                   "<2 records not written>"));
  // Python keeps the failed bytes in its buffer and may write them later; dictlog drops
  // what it counted, so a record is never both counted as lost and written.
  CHECK(slurp("full.log") == "before\nafter\n");
  CHECK(h->stats().dropped_write_failed == 2);
  h->close();
}

TEST_CASE("a disk that fills within a record: the records after it start on lines of their own") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("torn.log");
  SystemCallFaults faults;
  emit(*h, "before");
  StderrCapture err;
  faults.space_left(4);
  emit(*h, "abcdefgh");  // "abcd" fits
  emit(*h, "lost");
  faults.clear();
  emit(*h, "after 1");
  emit(*h, "after 2");
  h->close();
  err.restore();
  CHECK(slurp("torn.log") == "before\nabcd\nafter 1\nafter 2\n");
  CHECK(h->stats().dropped_write_failed == 2);
  const std::string e = err.text();
  CHECK(e.find("Message: 'abcdefgh'") != std::string::npos);
  CHECK(e.find("2 records were not written") != std::string::npos);
}

TEST_CASE("a failure run that lasts until close is reported at close") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("closing.log");
  SystemCallFaults faults;
  StderrCapture err;
  faults.fail_writes(EIO);
  for (int i = 0; i < 100; ++i) emit(*h, "lost " + std::to_string(i));
  h->close();
  err.restore();
  const std::string e = err.text();
  CHECK(e.starts_with("--- Logging error ---\nOSError: [Errno 5] Input/output error\n"));
  CHECK(e.find("100 records were not written (in whole or in part) before the handler was "
               "closed") != std::string::npos);
  CHECK(dictlog::test::count_reports(e) == 2);
  CHECK(h->stats().dropped_write_failed == 100);
  CHECK(faults.writes() == 100);  // one attempt per record: no retry loop
}

TEST_CASE("EIO on a StreamHandler's descriptor is reported, and the next record is written") {
  TempDir d;
  int fd = ::open("stream.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  REQUIRE(fd > 2);
  auto h = std::make_shared<StreamHandler>(std::make_shared<FdStream>(fd, "stream.log"));
  SystemCallFaults faults;
  StderrCapture err;
  faults.fail_writes(EIO, 1);
  emit(*h, "failed");
  emit(*h, "written");
  err.restore();
  CHECK(err.text() == report("OSError: [Errno 5] Input/output error", "failed"));
  CHECK(slurp("stream.log") == "written\n");
  CHECK(faults.writes() == 2);
  ::close(fd);
}

TEST_CASE("an interrupted write is retried: every byte arrives, nothing is reported") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("eintr.log");
  SystemCallFaults faults;
  StderrCapture err;
  faults.fail_writes(EINTR, 3);
  emit(*h, "one");
  emit(*h, "two");
  err.restore();
  CHECK(err.text().empty());
  CHECK(slurp("eintr.log") == "one\ntwo\n");
  CHECK(faults.writes() == 5);  // three interrupted, then one per record
  h->close();
}

TEST_CASE("a short write is continued: every byte arrives, in order") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("short.log");
  SystemCallFaults faults;
  faults.short_writes(3);
  std::string expected;
  int calls = 0;
  for (int i = 0; i < 20; ++i) {
    std::string msg = "record " + std::to_string(i) + " caf\xc3\xa9";
    emit(*h, msg);
    expected += msg + "\n";
    calls += static_cast<int>((msg.size() + 1 + 2) / 3);
  }
  CHECK(slurp("short.log") == expected);
  CHECK(faults.writes() == calls);
  h->close();
}

TEST_CASE("on the listener, short and interrupted batch writes still deliver every record") {
  TempDir d;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  auto file = std::make_shared<FileHandler>(path_of(d, "listener.log"));
  QueueListener listener(q, {file});
  Logger& lg = get_logger("faults.listener");
  lg.set_propagate(false);
  lg.add_handler(qh);
  SystemCallFaults faults;
  faults.short_writes(4093);
  faults.fail_writes(EINTR, 7);
  StderrCapture err;
  listener.start();
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    lg.warning("record {}", i);
    expected += "record " + std::to_string(i) + "\n";
  }
  listener.stop();
  err.restore();
  CHECK(err.text().empty());
  CHECK(slurp(d / "listener.log") == expected);
  lg.remove_handler(qh);
}

TEST_CASE("on the listener, a failed batch is reported once and later records arrive") {
  TempDir d;
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  auto file = std::make_shared<FileHandler>(path_of(d, "batch.log"));
  Logger& lg = get_logger("faults.batch");
  lg.set_propagate(false);
  lg.add_handler(qh);
  SystemCallFaults faults;
  auto run = [&](const std::string& prefix, int n) {
    // Queued before start: the listener takes them in one batch.
    for (int i = 0; i < n; ++i) lg.warning("{} {}", prefix, i);
    QueueListener listener(q, {file});
    listener.start();
    listener.stop();
  };
  run("before", 3);
  StderrCapture err;
  faults.fail_writes(ENOSPC);
  run("lost", 5);
  faults.clear();
  run("after", 2);
  err.restore();
  std::string e = err.text();
  CHECK(e.starts_with("--- Logging error ---\nOSError: [Errno 28] No space left on device\n"));
  CHECK(e.find("Message: '<5 records written in one batch>'\n") != std::string::npos);
  // The second and last report ends the run, when the next batch is written.
  const auto second = e.find("--- Logging error ---", 1);
  REQUIRE(second != std::string::npos);
  CHECK(e.find("5 records were not written (in whole or in part) before writing succeeded "
               "again\n",
               second) != std::string::npos);
  CHECK(e.find("--- Logging error ---", second + 1) == std::string::npos);
  CHECK(slurp(d / "batch.log") == "before 0\nbefore 1\nbefore 2\nafter 0\nafter 1\n");
  lg.remove_handler(qh);
}

TEST_CASE("a failing open is reported with the path, and the next record opens the file") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("delayed.log", "a", std::nullopt, true);
  SystemCallFaults faults;
  StderrCapture err;
  faults.fail_opens(EACCES, 1);
  emit(*h, "refused");
  emit(*h, "opened");
  err.restore();
  CHECK(err.text() ==
        report("OSError: [Errno 13] Permission denied: '" + path_of(d, "delayed.log") + "'",
               "refused"));
  CHECK(slurp("delayed.log") == "opened\n");
  h->close();
}

TEST_CASE("a WatchedFileHandler whose reopen fails reports it and reopens at the next record") {
  TempDir d;
  auto h = std::make_shared<WatchedFileHandler>("w.log");
  SystemCallFaults faults;
  emit(*h, "one");
  std::filesystem::rename(d / "w.log", d / "w.log.old");  // as logrotate does
  StderrCapture err;
  faults.fail_opens(EMFILE, 1);
  emit(*h, "two");
  emit(*h, "three");
  err.restore();
  CHECK(err.text() ==
        report("OSError: [Errno 24] Too many open files: '" + path_of(d, "w.log") + "'", "two"));
  CHECK(slurp("w.log.old") == "one\n");
  CHECK(slurp("w.log") == "three\n");
  h->close();
}

TEST_CASE("a failing rename or reopen at rollover is reported once a run; no record is lost") {
  TempDir d;
  const std::string base = path_of(d, "r.log");
  auto h = std::make_shared<RotatingFileHandler>(base, "a", 6, 3);
  SystemCallFaults faults;
  StderrCapture err;
  emit(*h, "1111");
  faults.fail_renames(EACCES, 1);
  emit(*h, "2222");  // r.log -> r.log.1 fails: written to r.log all the same
  emit(*h, "3333");  // the rollover succeeds and ends the run
  faults.fail_renames(EIO, 1);
  emit(*h, "4444");  // r.log.1 -> r.log.2 fails first
  emit(*h, "5555");
  faults.fail_opens(ENOSPC, 1);
  emit(*h, "6666");  // renamed, then the new r.log cannot be created: reopened to append
  emit(*h, "7777");
  faults.fail_renames(EACCES);
  emit(*h, "8888");  // a run of three failures, reported once, then at close
  emit(*h, "9999");
  emit(*h, "0000");
  h->close();
  err.restore();
  const std::string refused = "[Errno 13] Permission denied: '" + base + "' -> '" + base + ".1'";
  const std::string io = "[Errno 5] Input/output error: '" + base + ".1' -> '" + base + ".2'";
  const std::string full = "[Errno 28] No space left on device: '" + base + "'";
  const std::string shift = "[Errno 13] Permission denied: '" + base + ".2' -> '" + base + ".3'";
  auto ended = [&](const std::string& first, int n, const std::string& how) {
    std::string r =
        report("OSError: " + first + ": " + std::to_string(n) + " rollover(s) of '" + base +
                   "' failed (their records were written to it instead) before " + how,
               "<" + std::to_string(n) + " rollovers failed>");
    // At close no record is at hand.
    if (how == "the handler was closed") r.replace(r.find("file ,"), 6, "file (unknown file),");
    return r;
  };
  CHECK(err.text() ==
        report("OSError: " + refused, "2222") + ended(refused, 1, "a rollover succeeded again") +
            report("OSError: " + io, "4444") + ended(io, 1, "a rollover succeeded again") +
            report("OSError: " + full, "6666") + ended(full, 1, "a rollover succeeded again") +
            report("OSError: " + shift, "8888") + ended(shift, 3, "the handler was closed"));
  CHECK(slurp(d / "r.log") == "7777\n8888\n9999\n0000\n");
  CHECK(slurp(d / "r.log.1") == "6666\n");
  CHECK(slurp(d / "r.log.2") == "5555\n");
  CHECK(slurp(d / "r.log.3") == "3333\n4444\n");  // the failed renames removed no backup
}
