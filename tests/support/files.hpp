// Test support: reading files back line by line or a directory's files as a set, and the
// record-sequence checks of the multi-threaded tests (TempDir and slurp are in
// temp_dir.hpp).
#pragma once

#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

namespace dictlog::test {

// name -> contents: a directory's files, compared whole with what CPython leaves there.
using Files = std::map<std::string, std::string>;

// name -> contents of every regular file in `dir`.
inline Files files_in(const std::filesystem::path& dir) {
  Files out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[e.path().filename().string()] = slurp(e.path());
  }
  return out;
}

// Creates (or overwrites) `p` with `text`.
inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// The same, then sets its mtime to `mtime` (the rotating handlers read it).
inline void write_file(const std::filesystem::path& p, const std::string& text,
                       std::int64_t mtime) {
  write_file(p, text);
  timespec ts[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), ts, 0) == 0);
}

// The file's lines without their "\n"; a missing file has none.
inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// A positive integer from the environment, or `fallback`.
inline long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  long n = std::atol(v);
  return n > 0 ? n : fallback;
}

// Lines "t<thread> <n>" as the multi-threaded tests write them: how many times each
// (thread, n) occurs, and whether every thread's numbers appear in increasing order.
struct Sequences {
  std::map<std::pair<int, long>, int> seen;
  std::vector<std::string> malformed;
  bool in_order = true;

  void add_lines(const std::vector<std::string>& lines) {
    std::map<int, long> last;
    for (const auto& line : lines) {
      int t = -1;
      long n = -1;
      char tail = 0;
      if (std::sscanf(line.c_str(), "t%d %ld%c", &t, &n, &tail) != 2 || t < 0 || n < 0) {
        malformed.push_back(line);
        continue;
      }
      auto it = last.find(t);
      if (it != last.end() && n <= it->second) in_order = false;
      last[t] = n;
      ++seen[{t, n}];
    }
  }
  int count(int t, long n) const {
    auto it = seen.find({t, n});
    return it == seen.end() ? 0 : it->second;
  }
  long total() const {
    long s = 0;
    for (const auto& [k, c] : seen) s += c;
    return s;
  }
};

}  // namespace dictlog::test

// Failed CHECKs on file sets print them.
namespace doctest {
template <>
struct StringMaker<dictlog::test::Files> {
  static String convert(const dictlog::test::Files& f) {
    std::string s = "{";
    for (const auto& [k, v] : f) s += "\n  " + k + ": \"" + v + "\"";
    s += "\n}";
    return String(s.c_str());
  }
};
}  // namespace doctest
