// Test support: reading files back line by line, and the record-sequence checks of the
// multi-threaded tests (TempDir and slurp are in temp_dir.hpp).
#pragma once

#include "support/temp_dir.hpp"

#include <unistd.h>

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

namespace dictlog::test {

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
