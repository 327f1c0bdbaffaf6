// SourceLocation: where a logging call was written.
//
// std::source_location is not usable with clang 14 on libstdc++ 12, so dictlog uses the
// compiler builtins both compilers have. As a default argument, current() records the
// caller's file, function and line:
//
//   void note(dictlog::SourceLocation w = dictlog::SourceLocation::current());
#pragma once

#include <cstdint>

namespace dictlog {

struct SourceLocation {
  const char* file = "(unknown file)";
  const char* function = "(unknown function)";
  std::uint32_t line_ = 0;

  static constexpr SourceLocation current(const char* f = __builtin_FILE(),
                                          const char* fn = __builtin_FUNCTION(),
                                          std::uint32_t l = __builtin_LINE()) noexcept {
    return {f, fn, l};
  }
  constexpr const char* file_name() const noexcept { return file; }
  constexpr const char* function_name() const noexcept { return function; }
  constexpr std::uint32_t line() const noexcept { return line_; }
};

}  // namespace dictlog
