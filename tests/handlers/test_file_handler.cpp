#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "dictlog/watched_file_handler.hpp"
#include "support/capture.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;
namespace fs = std::filesystem;

namespace {
void emit(Handler& h, const char* msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", 20}});
  h.handle(r);
}
}  // namespace

namespace {
// Python's way to change a formatter: override format() alone.
struct TaggedJson : JsonFormatter {
  std::string format(const LogRecord& r) const override {
    return "tag " + JsonFormatter::format(r);
  }
};
struct TaggedText : Formatter {
  std::string format(const LogRecord& r) const override { return "tag " + Formatter::format(r); }
};
}  // namespace

TEST_CASE(
    "formatters write in place when format() is theirs; a subclass overriding format() alone "
    "is called through it") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("app.log");
  auto json = std::make_shared<JsonFormatter>();
  h->set_formatter(json);
  LogRecord r = make_log_record({{"msg", "a \"q\""}, {"levelno", 20}, {"user", "u"}});
  h->handle(r);
  h->set_formatter(std::make_shared<TaggedJson>());
  h->handle(r);
  h->set_formatter(std::make_shared<TaggedText>());
  h->handle(r);
  h->close();
  CHECK(json->formats_in_place());
  CHECK_FALSE(TaggedJson().formats_in_place());
  CHECK_FALSE(TaggedText().formats_in_place());
  const std::string line = R"({"message": "a \"q\"", "user": "u"})";
  CHECK(json->format(r) == line);
  CHECK(slurp("app.log") == line + "\ntag " + line + "\ntag a \"q\"\n");
}

TEST_CASE("mode a appends, mode w truncates") {
  TempDir d;
  { std::ofstream("app.log") << "old\n"; }
  auto a = std::make_shared<FileHandler>("app.log");
  emit(*a, "appended");
  a->close();
  CHECK(slurp("app.log") == "old\nappended\n");
  auto w = std::make_shared<FileHandler>("app.log", "w");
  emit(*w, "fresh");
  w->close();
  CHECK(slurp("app.log") == "fresh\n");
}

TEST_CASE("the path is made absolute against the working directory, lexically") {
  TempDir d;
  fs::create_directory("sub");
  auto h = std::make_shared<FileHandler>("sub/../fa.log");
  CHECK(h->base_filename() == (fs::current_path() / "fa.log").string());
  CHECK(h->repr() == "<FileHandler " + h->base_filename() + " (NOTSET)>");
  CHECK(detail::abspath("/a/./b//c/../d") == "/a/b/d");
  CHECK(detail::abspath("/..") == "/");
}

TEST_CASE("delay opens the file on the first record") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("lazy.log", "a", std::nullopt, true);
  CHECK_FALSE(fs::exists("lazy.log"));
  emit(*h, "now");
  CHECK(slurp("lazy.log") == "now\n");
}

TEST_CASE("after close, mode a reopens and mode w drops records") {
  TempDir d;
  auto a = std::make_shared<FileHandler>("a.log", "a");
  emit(*a, "one");
  a->close();
  emit(*a, "two");
  a->close();
  CHECK(slurp("a.log") == "one\ntwo\n");
  auto w = std::make_shared<FileHandler>("w.log", "w");
  emit(*w, "one");
  w->close();
  emit(*w, "lost");
  CHECK(slurp("w.log") == "one\n");
}

TEST_CASE("encodings and error handlers follow Python") {
  TempDir d;
  auto utf8 = std::make_shared<FileHandler>("u.log", "w");
  emit(*utf8, "caf\xc3\xa9 \xe2\x82\xac");
  auto repl = std::make_shared<FileHandler>("r.log", "w", "ascii", false, "replace");
  emit(*repl, "caf\xc3\xa9");
  auto bsr = std::make_shared<FileHandler>("b.log", "w", "ascii", false, "backslashreplace");
  emit(*bsr, "caf\xc3\xa9 \xe2\x82\xac");
  auto latin = std::make_shared<FileHandler>("l.log", "w", "latin-1");
  emit(*latin, "caf\xc3\xa9");
  auto xml = std::make_shared<FileHandler>("x.log", "w", "ascii", false, "xmlcharrefreplace");
  emit(*xml, "\xe2\x82\xac");
  auto ign = std::make_shared<FileHandler>("i.log", "w", "ascii", false, "ignore");
  emit(*ign, "caf\xc3\xa9!");
  CHECK(slurp("u.log") == "caf\xc3\xa9 \xe2\x82\xac\n");
  CHECK(slurp("r.log") == "caf?\n");
  CHECK(slurp("b.log") == "caf\\xe9 \\u20ac\n");
  CHECK(slurp("l.log") == "caf\xe9\n");
  CHECK(slurp("x.log") == "&#8364;\n");
  CHECK(slurp("i.log") == "caf!\n");
  CHECK_THROWS_WITH_AS(FileHandler("e.log", "a", "klingon"), "unknown encoding: klingon",
                       LookupError);
}

TEST_CASE("an unencodable record is lost through handle_error, nothing partial is written") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("s.log", "w", "ascii");
  StderrCapture err;
  emit(*h, "ok");
  emit(*h, "caf\xc3\xa9");
  err.restore();
  CHECK(slurp("s.log") == "ok\n");
  CHECK(err.text().find("UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9' in "
                        "position 3: ordinal not in range(128)\n") != std::string::npos);
}

TEST_CASE("a binary mode handler fails every record, as Python's") {
  TempDir d;
  auto h = std::make_shared<FileHandler>("bin.log", "wb");
  StderrCapture err;
  emit(*h, "x");
  err.restore();
  CHECK(slurp("bin.log").empty());
  CHECK(err.text().find("TypeError: a bytes-like object is required, not 'str'") !=
        std::string::npos);
}

TEST_CASE("a missing directory is an OSError at construction, or at the first record with delay") {
  TempDir d;
  CHECK_THROWS_WITH_AS(FileHandler("no/such/dir.log"),
                       ("[Errno 2] No such file or directory: '" +
                        (fs::current_path() / "no/such/dir.log").string() + "'")
                           .c_str(),
                       OSError);
  auto h = std::make_shared<FileHandler>("no/such/dir.log", "a", std::nullopt, true);
  StderrCapture err;
  emit(*h, "x");
  err.restore();
  CHECK(err.text().find("OSError: [Errno 2] No such file or directory") != std::string::npos);
}

TEST_CASE("a full disk goes through handle_error and logging goes on to other handlers") {
  TempDir d;
  auto full = std::make_shared<FileHandler>("/dev/full", "a");
  auto ok = std::make_shared<FileHandler>("ok.log", "a");
  Logger& lg = get_logger("diskfull");
  lg.add_handler(full);
  lg.add_handler(ok);
  StderrCapture err;
  lg.warning("first");
  lg.warning("second");
  full->close();  // ends the failure run: its count is reported
  err.restore();
  lg.remove_handler(full);
  CHECK(slurp("ok.log") == "first\nsecond\n");
  std::string e = err.text();
  // The run's first failure is reported with the record, its end with the count.
  CHECK(e.find("OSError: [Errno 28] No space left on device\n") != std::string::npos);
  CHECK(e.find("Message: 'first'") != std::string::npos);
  CHECK(e.find("Message: 'second'") == std::string::npos);
  CHECK(e.find("'/dev/full': 2 records were not written (in whole or in part) before the handler "
               "was closed") != std::string::npos);
  CHECK(full->stats().dropped_write_failed == 2);
}

namespace {
// "rN" padded to 29 characters, as the CPython run below logs it.
LogRecord padded(int i) {
  std::string m = "r" + std::to_string(i);
  m.resize(29, '.');
  return make_log_record({{"msg", m}, {"levelno", INFO}});
}
std::vector<std::string> names_and_lines(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    out.push_back(f.filename().string() + ":");
    std::istringstream in(dictlog::test::slurp(f));
    for (std::string line; std::getline(in, line);) out.push_back(line.substr(0, 2));
  }
  return out;
}
}  // namespace

// What CPython 3.13 leaves (run by hand with the same records): FileHandler writes on into
// the deleted file (nothing to see), RotatingFileHandler starts a new file at its next
// rollover (no backup: the file to rename is gone), WatchedFileHandler reopens at once.
TEST_CASE(
    "the log file deleted while logging: FileHandler, RotatingFileHandler and WatchedFileHandler "
    "as CPython") {
  using Lines = std::vector<std::string>;
  auto run = [](std::shared_ptr<Handler> h, const TempDir& d) {
    for (int i : {1, 2}) {
      LogRecord r = padded(i);
      h->handle(r);
    }
    std::filesystem::remove(d / "app.log");
    for (int i : {3, 4, 5, 6}) {
      LogRecord r = padded(i);
      h->handle(r);
    }
    h->close();
    return names_and_lines(d.path());
  };
  StderrCapture err;
  {
    TempDir d;
    CHECK(run(std::make_shared<FileHandler>("app.log"), d) == Lines{});
  }
  {
    TempDir d;
    CHECK(run(std::make_shared<RotatingFileHandler>("app.log", "a", 100, 2), d) ==
          Lines{"app.log:", "r4", "r5", "r6"});
  }
  {
    TempDir d;
    CHECK(run(std::make_shared<WatchedFileHandler>("app.log"), d) ==
          Lines{"app.log:", "r3", "r4", "r5", "r6"});
  }
  err.restore();
  CHECK(err.text() == "");
}

// CPython 3.13 with the same records (run by hand, as root and as another user alike): a
// renamed file keeps FileHandler's records (the descriptor follows it); RotatingFileHandler
// writes one more there, then its rollover finds no file to rename and starts a new one;
// WatchedFileHandler opens a new file at once. Made read-only (chmod 0444), a file that is
// open stays writable: the handlers go on as if nothing happened.
TEST_CASE("the log file renamed or made read-only while logging: the three handlers as CPython") {
  using Lines = std::vector<std::string>;
  auto run = [](std::shared_ptr<Handler> h, const TempDir& d, bool rename) {
    for (int i : {1, 2}) {
      LogRecord r = padded(i);
      h->handle(r);
    }
    if (rename)
      std::filesystem::rename(d / "app.log", d / "moved.log");
    else
      std::filesystem::permissions(d / "app.log", std::filesystem::perms::owner_read |
                                                      std::filesystem::perms::group_read |
                                                      std::filesystem::perms::others_read);
    for (int i : {3, 4, 5, 6}) {
      LogRecord r = padded(i);
      h->handle(r);
    }
    h->close();
    return names_and_lines(d.path());
  };
  auto file = [] { return std::make_shared<FileHandler>("app.log"); };
  auto rotating = [] { return std::make_shared<RotatingFileHandler>("app.log", "a", 100, 2); };
  auto watched = [] { return std::make_shared<WatchedFileHandler>("app.log"); };
  StderrCapture err;
  for (bool rename : {true, false}) {
    CAPTURE(rename);
    {
      TempDir d;
      CHECK(run(file(), d, rename) ==
            (rename ? Lines{"moved.log:", "r1", "r2", "r3", "r4", "r5", "r6"}
                    : Lines{"app.log:", "r1", "r2", "r3", "r4", "r5", "r6"}));
    }
    {
      TempDir d;
      CHECK(run(rotating(), d, rename) ==
            (rename ? Lines{"app.log:", "r4", "r5", "r6", "moved.log:", "r1", "r2", "r3"}
                    : Lines{"app.log:", "r4", "r5", "r6", "app.log.1:", "r1", "r2", "r3"}));
    }
    {
      TempDir d;
      CHECK(run(watched(), d, rename) ==
            (rename ? Lines{"app.log:", "r3", "r4", "r5", "r6", "moved.log:", "r1", "r2"}
                    : Lines{"app.log:", "r1", "r2", "r3", "r4", "r5", "r6"}));
    }
  }
  err.restore();
  CHECK(err.text() == "");
}
