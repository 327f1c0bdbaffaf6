// Python's text renderings of scalars, shared by values, records and formatters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dictlog::detail {

// repr(float) == str(float): the shortest round-trip digits, laid out as Python does
// ("1.5", "100.0", "1e+20", "1e-05", "inf", "nan", "-0.0").
void append_float_repr(double d, std::string& out);
// The same written at w, which has room for kFloatReprMax bytes; returns the end.
inline constexpr std::size_t kFloatReprMax = 32;
char* write_float_repr(double d, char* w);

// repr(str): quotes chosen as Python chooses them, escapes for \\ \n \r \t, control and
// non-printable characters. With `ascii` (Python's ascii()), every non-ASCII code point is
// escaped as \xNN, \uNNNN or \U00NNNNNN. Input is UTF-8; invalid bytes are shown as
// Python shows surrogate escapes (\udcNN).
void append_str_repr(std::string_view s, std::string& out, bool ascii = false);

}  // namespace dictlog::detail
