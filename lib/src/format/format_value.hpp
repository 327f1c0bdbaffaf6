// A value as the three format styles see it, and the number renderings Python's `%` and
// format() share (PyOS_double_to_string's 'e' 'f' 'g' 'r' modes, integer digits).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dictlog/errors.hpp"
#include "dictlog/value.hpp"

namespace dictlog::detail {

using dictlog::AttributeError;
using dictlog::OverflowError;

// One formatting operand. `tuple` and `mapping` are record.args and the whole values dict;
// `list` and `dict` a structured value (`list_items`/`dict_items` point to it). For those four
// `s` holds the (already rendered) repr, which is also their str().
struct PyVal {
  enum Kind : std::uint8_t { none, boolean, integer, floating, string, tuple, mapping, list, dict };
  Kind kind = none;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string_view s;
  const ValueList* list_items = nullptr;
  const ValueDict* dict_items = nullptr;

  static PyVal of(const ValueView& v);
  static PyVal of_int(std::int64_t v) {
    PyVal p;
    p.kind = integer;
    p.i = v;
    return p;
  }
  static PyVal of_str(std::string_view v) {
    PyVal p;
    p.kind = string;
    p.s = v;
    return p;
  }
  bool is_int() const { return kind == integer || kind == boolean; }
  std::int64_t as_int() const { return kind == boolean ? (b ? 1 : 0) : i; }
};

// Python's type(v).__name__.
const char* type_name(const PyVal& v);
// str(v), repr(v), ascii(v), appended.
void append_str(const PyVal& v, std::string& out);
void append_repr(const PyVal& v, std::string& out, bool ascii = false);

// PyOS_double_to_string: type one of e E f F g G r; sign '-' included; "inf"/"nan"
// (upper-cased for E F G). add_dot_0 is format()'s no-type rule ("12.0", "1e+16").
void append_double(double d, char type, int precision, bool alt, bool add_dot_0, std::string& out);
// int(d) for a finite d, in decimal (exact, also beyond 64 bits).
void append_truncated(double d, std::string& out);
// |v| in base 2, 8, 10 or 16.
void append_magnitude(std::uint64_t mag, int base, bool upper, std::string& out);
inline std::uint64_t magnitude(std::int64_t v) {
  return v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
}

// Pads the text appended since `start` to `width` code points: on the left unless
// left_align, with `fill`.
void pad_since(std::string& out, std::size_t start, std::size_t width, bool left_align,
               char fill = ' ');

}  // namespace dictlog::detail
