// RotatingFileHandler against CPython 3.13's behaviour (reference §7.2-7.3), on real files.
// Every expected file set below is what CPython 3.13.0 leaves after the same steps.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dictlog/errors.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "support/capture.hpp"
#include "support/files.hpp"

using namespace dictlog;
namespace fs = std::filesystem;
using dictlog::test::Files;
using dictlog::test::files_in;
using dictlog::test::TempDir;
using dictlog::test::write_file;

namespace {

void log(Handler& h, const char* msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", INFO}});
  h.handle(r);
}

}  // namespace

TEST_CASE("rolls before the record that would reach max_bytes; backups shift up") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("t.log"), "a", 10, 2);
  log(*h, "aaaa");
  CHECK(files_in(dir.path()) == Files{{"t.log", "aaaa\n"}});
  log(*h, "bbbb");  // 5 + 5 >= 10
  CHECK(files_in(dir.path()) == Files{{"t.log", "bbbb\n"}, {"t.log.1", "aaaa\n"}});
  log(*h, "c");  // 5 + 2 < 10
  CHECK(files_in(dir.path()) == Files{{"t.log", "bbbb\nc\n"}, {"t.log.1", "aaaa\n"}});
  log(*h, "xxxxxxxxxxxxxxxxxxxx");  // longer than max_bytes: rolls, then written whole
  CHECK(files_in(dir.path()) == Files{{"t.log", "xxxxxxxxxxxxxxxxxxxx\n"},
                                      {"t.log.1", "bbbb\nc\n"},
                                      {"t.log.2", "aaaa\n"}});
  log(*h, "dd");
  log(*h, "ee");
  CHECK(files_in(dir.path()) == Files{{"t.log", "dd\nee\n"},
                                      {"t.log.1", "xxxxxxxxxxxxxxxxxxxx\n"},
                                      {"t.log.2", "bbbb\nc\n"}});
  h->close();
}

TEST_CASE("the record's length counts code points while the position counts bytes") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("u.log"), "a", 10, 1);
  log(*h, "\xc3\xa9\xc3\xa9");
  log(*h, "\xc3\xa9\xc3\xa9\xc3\xa9");  // 5 bytes written + 4 code points < 10: no roll
  CHECK(files_in(dir.path()) == Files{{"u.log", "\xc3\xa9\xc3\xa9\n\xc3\xa9\xc3\xa9\xc3\xa9\n"}});
  log(*h, "a");  // 12 + 2 >= 10
  CHECK(files_in(dir.path()) ==
        Files{{"u.log", "a\n"}, {"u.log.1", "\xc3\xa9\xc3\xa9\n\xc3\xa9\xc3\xa9\xc3\xa9\n"}});
  h->close();
}

TEST_CASE("an empty file never rolls, however long the record") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("e.log"), "a", 3, 1);
  log(*h, "longer than three");
  CHECK(files_in(dir.path()) == Files{{"e.log", "longer than three\n"}});
  h->close();
}

TEST_CASE("backup_count 0 closes and reopens but never truncates") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("z.log"), "a", 5, 0);
  log(*h, "aaaa");
  log(*h, "bbbb");
  log(*h, "cc");
  CHECK(files_in(dir.path()) == Files{{"z.log", "aaaa\nbbbb\ncc\n"}});
  h->close();
}

TEST_CASE("max_bytes > 0 forces append mode; max_bytes 0 keeps 'w'") {
  TempDir dir;
  write_file(dir / "w.log", "old\n");
  auto a = std::make_shared<RotatingFileHandler>(dir.file("w.log"), "w", 100);
  log(*a, "new");
  a->close();
  CHECK(files_in(dir.path()) == Files{{"w.log", "old\nnew\n"}});
  auto w = std::make_shared<RotatingFileHandler>(dir.file("w.log"), "w");
  log(*w, "new");
  w->close();
  CHECK(files_in(dir.path()) == Files{{"w.log", "new\n"}});
}

TEST_CASE("closed in mode w it reopens and truncates (FileHandler would drop records)") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("w.log"), "w");
  log(*h, "a");
  h->close();
  log(*h, "b");  // should_rollover opens the missing stream, whatever the mode
  h->close();
  CHECK(files_in(dir.path()) == Files{{"w.log", "b\n"}});
}

TEST_CASE("namer and rotator decide backup names and how the file moves") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("n.log"), "a", 6, 3);
  h->namer = [](const std::string& n) { return n + ".gz"; };
  h->rotator = [](const std::string& src, const std::string& dst) {
    std::ifstream in(src, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::ofstream(dst, std::ios::binary) << "Z" << ss.str();
    fs::remove(src);
  };
  for (const char* m : {"1111", "2222", "3333", "4444", "5555"}) log(*h, m);
  CHECK(files_in(dir.path()) == Files{{"n.log", "5555\n"},
                                      {"n.log.1.gz", "Z4444\n"},
                                      {"n.log.2.gz", "Z3333\n"},
                                      {"n.log.3.gz", "Z2222\n"}});
  h->close();
}

TEST_CASE("a failing rollover is reported and the record written to the current file") {
  // Python loses the record (dictlog keeps it: see BaseRotatingHandler).
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("f.log"), "a", 6, 1);
  h->rotator = [](const std::string&, const std::string&) {
    throw OSError("[Errno 13] Permission denied");
  };
  log(*h, "1111");
  dictlog::test::StderrCapture err;
  log(*h, "2222");
  log(*h, "3333");
  h->close();
  err.restore();
  CHECK(err.text() ==
        "--- Logging error ---\n"
        "OSError: [Errno 13] Permission denied\n"
        "Logged from file , line 0\n"
        "Message: '2222'\n"
        "Arguments: ()\n"
        "--- Logging error ---\n"
        "OSError: [Errno 13] Permission denied: 2 rollover(s) of '" +
            dir.file("f.log") +
            "' failed (their records were written to it instead) before the handler was "
            "closed\n"
            "Logged from file (unknown file), line 0\n"
            "Message: '<2 rollovers failed>'\n"
            "Arguments: ()\n");
  CHECK(files_in(dir.path()) == Files{{"f.log", "1111\n2222\n3333\n"}});
}

TEST_CASE("delay: no file until the first record, then rotation as usual") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("d.log"), "a", 6, 1, std::nullopt, true);
  CHECK(files_in(dir.path()).empty());
  log(*h, "1111");
  log(*h, "2222");
  CHECK(files_in(dir.path()) == Files{{"d.log", "2222\n"}, {"d.log.1", "1111\n"}});
  h->close();
}

TEST_CASE("a FIFO cannot tell its position: every record fails as in Python") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "p").c_str(), 0600) == 0);
  int reader = ::open((dir / "p").c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  auto h = std::make_shared<RotatingFileHandler>(dir.file("p"), "a", 1, 1);
  dictlog::test::StderrCapture err;
  log(*h, "1111");
  err.restore();
  CHECK(err.text() ==
        "--- Logging error ---\n"
        "io.UnsupportedOperation: underlying stream is not seekable\n"
        "Logged from file , line 0\n"
        "Message: '1111'\n"
        "Arguments: ()\n");
  char buf[16];
  CHECK(::read(reader, buf, sizeof buf) == -1);  // nothing was written
  CHECK(files_in(dir.path()).count("p.1") == 0);
  h->close();
  ::close(reader);
}

TEST_CASE("class name and repr are Python's") {
  TempDir dir;
  auto h = std::make_shared<RotatingFileHandler>(dir.file("r.log"), "a", 0, 0, std::nullopt, true);
  CHECK(h->class_name() == "RotatingFileHandler");
  CHECK(h->repr() == "<RotatingFileHandler " + dir.file("r.log") + " (NOTSET)>");
}
