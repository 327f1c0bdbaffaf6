// A formatter whose formatTime Python code could override: asctime is then a string of its
// own per record (" (own)" after it), which the allocation tests use to show that their
// count sees what the listener's thread allocates.
#pragma once

#include <optional>
#include <string>

#include "dictlog/formatter.hpp"
#include "dictlog/record.hpp"

namespace dictlog::test {

class OwnTimeFormatter : public Formatter {
 public:
  using Formatter::Formatter;
  std::string format_time(const LogRecord& r,
                          const std::optional<std::string>& datefmt) const override {
    return Formatter::format_time(r, datefmt) + " (own)";
  }
};

}  // namespace dictlog::test
