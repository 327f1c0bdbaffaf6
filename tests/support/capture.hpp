// Test support: handlers that keep what they are given (lines, records), and a guard for
// fd 2.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "dictlog/handler.hpp"

#ifdef DOCTEST_LIBRARY_INCLUDED
// Failed CHECKs on line lists print the lines.
namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string s = "{";
    for (const auto& x : v) s += "\n  \"" + x + "\"";
    s += "\n}";
    return String(s.c_str());
  }
};
}  // namespace doctest
#endif

namespace dictlog::test {

// Keeps each record's formatted text, in order; thread-safe.
class CaptureHandler : public Handler {
 public:
  explicit CaptureHandler(int level = NOTSET) : Handler(level) {}
  void emit(LogRecord& r) override {
    std::string line = format(r);
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string_view class_name() const override { return "CaptureHandler"; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Keeps a copy of each record it is given, unformatted (test_logging's RecordingHandler):
// for tests that assert record attributes rather than text; thread-safe.
class RecordingHandler : public Handler {
 public:
  explicit RecordingHandler(int level = NOTSET) : Handler(level) {}
  void emit(LogRecord& r) override {
    std::lock_guard lock(mutex_);
    records_.push_back(r);
  }
  std::vector<LogRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::string_view class_name() const override { return "RecordingHandler"; }

 private:
  mutable std::mutex mutex_;
  std::vector<LogRecord> records_;
};

// Sends fd 2 to a temporary file for its lifetime; text() reads what was written.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    char name[] = "/tmp/dictlog-stderr-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    saved_ = ::dup(2);
    ::dup2(fd_, 2);
  }
  ~StderrCapture() {
    restore();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::string text() {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
  }

 private:
  int fd_ = -1;
  int saved_ = -1;
  std::string path_;
};

// How many handle_error reports ("--- Logging error ---" blocks) `text` holds.
inline std::size_t count_reports(const std::string& text) {
  std::size_t n = 0;
  for (auto at = text.find("--- Logging error ---"); at != std::string::npos;
       at = text.find("--- Logging error ---", at + 1))
    ++n;
  return n;
}

}  // namespace dictlog::test
