// WatchedFileHandler against CPython 3.13's behaviour (reference §7.1), on real files.
// Every expected file set below is what CPython 3.13.0 leaves after the same steps.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
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

using namespace dictlog;
namespace fs = std::filesystem;
using Files = std::map<std::string, std::string>;

namespace {

// A fresh directory per test, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dictlog-wfh-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  // name -> contents of every regular file in the directory.
  Files files() const {
    Files out;
    for (const auto& e : fs::directory_iterator(path_)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out[e.path().filename().string()] = ss.str();
    }
    return out;
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

void log(Handler& h, const char* msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", INFO}});
  h.handle(r);
}

}  // namespace

#ifdef DOCTEST_LIBRARY_INCLUDED
namespace doctest {
template <>
struct StringMaker<Files> {
  static String convert(const Files& f) {
    std::string s = "{";
    for (const auto& [k, v] : f) s += "\n  " + k + ": \"" + v + "\"";
    s += "\n}";
    return String(s.c_str());
  }
};
}  // namespace doctest
#endif

TEST_CASE("a renamed or deleted file is reopened by path before the next record") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir / "r.log");
  log(*h, "1");
  fs::rename(dir / "r.log", dir / "r.log.old");
  log(*h, "2");
  fs::remove(dir / "r.log");
  log(*h, "3");
  log(*h, "4");
  CHECK(dir.files() == Files{{"r.log", "3\n4\n"}, {"r.log.old", "1\n"}});
  h->close();
  // A closed handler in mode "a" reopens on the next record, as FileHandler does.
  log(*h, "5");
  log(*h, "6");
  CHECK(dir.files() == Files{{"r.log", "3\n4\n5\n6\n"}, {"r.log.old", "1\n"}});
  h->close();
}

TEST_CASE("an unchanged file is not reopened: mode w keeps every record") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir / "w.log", "w");
  for (const char* m : {"a", "b", "c"}) log(*h, m);
  CHECK(dir.files() == Files{{"w.log", "a\nb\nc\n"}});
  h->close();
}

TEST_CASE("delay quirk: the second record always reopens once (mode w truncates)") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir / "w.log", "w", std::nullopt, true);
  CHECK(dir.files().empty());
  for (const char* m : {"a", "b", "c"}) log(*h, m);
  CHECK(dir.files() == Files{{"w.log", "b\nc\n"}});
  h->close();
}

TEST_CASE("class name and repr are Python's") {
  TempDir dir;
  auto h = std::make_shared<WatchedFileHandler>(dir / "x.log", "a", std::nullopt, true);
  CHECK(h->class_name() == "WatchedFileHandler");
  CHECK(h->repr() == "<WatchedFileHandler " + (dir / "x.log") + " (NOTSET)>");
}
