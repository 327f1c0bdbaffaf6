// WatchedFileHandler against CPython 3.13's behaviour (reference §7.1), on real files.
// Every expected file set below is what CPython 3.13.0 leaves after the same steps.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dictlog/watched_file_handler.hpp"
#include "support/capture.hpp"
#include "support/files.hpp"

using namespace dictlog;
namespace fs = std::filesystem;
using dictlog::test::Files;
using dictlog::test::files_in;
using dictlog::test::TempDir;

namespace {

void log(Handler& h, const char* msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", INFO}});
  h.handle(r);
}

}  // namespace

TEST_CASE("a renamed or deleted file is reopened by path before the next record") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir.file("r.log"));
  log(*h, "1");
  fs::rename(dir.file("r.log"), dir.file("r.log.old"));
  log(*h, "2");
  fs::remove(dir.file("r.log"));
  log(*h, "3");
  log(*h, "4");
  CHECK(files_in(dir.path()) == Files{{"r.log", "3\n4\n"}, {"r.log.old", "1\n"}});
  h->close();
  // A closed handler in mode "a" reopens on the next record, as FileHandler does.
  log(*h, "5");
  log(*h, "6");
  CHECK(files_in(dir.path()) == Files{{"r.log", "3\n4\n5\n6\n"}, {"r.log.old", "1\n"}});
  h->close();
}

TEST_CASE("an unchanged file is not reopened: mode w keeps every record") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir.file("w.log"), "w");
  for (const char* m : {"a", "b", "c"}) log(*h, m);
  CHECK(files_in(dir.path()) == Files{{"w.log", "a\nb\nc\n"}});
  h->close();
}

TEST_CASE("delay quirk: the second record always reopens once (mode w truncates)") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir.file("w.log"), "w", std::nullopt, true);
  CHECK(files_in(dir.path()).empty());
  for (const char* m : {"a", "b", "c"}) log(*h, m);
  CHECK(files_in(dir.path()) == Files{{"w.log", "b\nc\n"}});
  h->close();
}

TEST_CASE("class name and repr are Python's") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir.file("x.log"), "a", std::nullopt, true);
  CHECK(h->class_name() == "WatchedFileHandler");
  CHECK(h->repr() == "<WatchedFileHandler " + dir.file("x.log") + " (NOTSET)>");
}
