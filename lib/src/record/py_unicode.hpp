// Small Unicode and number-text helpers behind Python's str(), repr() and format(): Python
// counts widths and precisions in code points, so UTF-8 text is measured and cut that way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dictlog::detail {

// The code point at s[i], setting len to its byte length; len = 0 for an invalid sequence.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& len);
void append_utf8(char32_t cp, std::string& out);
// Code points in s; an invalid byte counts as one (Python's surrogate escape).
std::size_t count_code_points(std::string_view s);
// Byte offset of the n-th code point (s.size() if there are fewer).
std::size_t code_point_offset(std::string_view s, std::size_t n);
// Python's str.isprintable for one code point (an approximation of the Unicode tables:
// controls, separators other than ' ', format characters and private use are not).
bool is_printable(char32_t cp);
// "\xNN", "\uNNNN" or "\UNNNNNNNN".
void append_escape(char32_t cp, std::string& out);

// The shortest round-trip digits of a finite double: value = 0.d1d2... * 10^(exp10 + 1).
struct ShortestDigits {
  char digits[24];
  int ndigits = 0;
  int exp10 = 0;  // exponent of the first digit
  bool negative = false;
};
ShortestDigits shortest_digits(double d);
// Python's repr() layout of shortest digits (fixed iff -4 <= exp10 < 16).
void layout_repr(const ShortestDigits& sd, std::string& out);
// The same written at w (room for kFloatReprMax bytes); returns the end.
char* write_layout_repr(const ShortestDigits& sd, char* w);
// "e+05", "e-10", "e+300".
void append_exponent(int e, std::string& out);

}  // namespace dictlog::detail
