// Python's repr() of floats and strings.
#include "dictlog/detail/pystr.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "record/py_unicode.hpp"

namespace dictlog::detail {

void append_float_repr(double d, std::string& out) {
  char b[kFloatReprMax];
  out.append(b, write_float_repr(d, b));
}

char* write_float_repr(double d, char* w) {
  auto text = [w](std::string_view t) {
    std::memcpy(w, t.data(), t.size());
    return w + t.size();
  };
  if (std::isnan(d)) return text("nan");
  if (std::isinf(d)) return text(d < 0 ? "-inf" : "inf");
  return write_layout_repr(shortest_digits(d), w);
}

namespace {

// Most logged floats (amounts, durations, ratios) have a few decimals. For those the shortest
// round-trip digits are the integer n = d * 10^k for the smallest k at which n / 10^k gives d
// back: with n < 10^15 and 10^k exact, that division is correctly rounded, so the test is
// exact, and 10^-k is wider than d's ulp, so no other n of that length rounds to d. It costs
// a multiply and a divide per decimal instead of to_chars' general search; anything else
// (no such k up to 10^15, zero, huge or tiny values) returns false for to_chars.
bool few_decimals(double d, ShortestDigits& sd) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const double a = std::fabs(d);
  if (!(a >= 1e-5) || a >= 1e15) return false;
  for (int k = 0; k < 16; ++k) {
    const double scaled = a * kPow10[k];
    if (scaled >= 1e15) return false;
    const auto n = static_cast<std::uint64_t>(scaled + 0.5);
    if (static_cast<double>(n) / kPow10[k] != a) continue;
    char buf[24];
    const auto len = static_cast<int>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf);
    int kept = len;
    while (kept > 1 && buf[kept - 1] == '0') --kept;  // only k = 0 leaves trailing zeros
    std::memcpy(sd.digits, buf, static_cast<std::size_t>(kept));
    sd.ndigits = kept;
    sd.exp10 = len - 1 - k;
    sd.negative = d < 0;
    return true;
  }
  return false;
}

}  // namespace

ShortestDigits shortest_digits(double d) {
  ShortestDigits sd;
  if (few_decimals(d, sd)) return sd;
  // Scientific shortest round-trip form: "-1.2345e+06"; split into sign, digits, exponent.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  const char* p = buf;
  if (*p == '-') {
    sd.negative = true;
    ++p;
  }
  for (; p < res.ptr && *p != 'e'; ++p)
    if (*p != '.') sd.digits[sd.ndigits++] = *p;
  ++p;  // 'e'
  int sign = 1;
  if (*p == '-') sign = -1;
  ++p;
  int e = 0;
  for (; p < res.ptr; ++p) e = e * 10 + (*p - '0');
  sd.exp10 = sign * e;
  // to_chars never emits trailing zeros in the shortest form except for "0e+00".
  return sd;
}

void append_exponent(int e, std::string& out) {
  out += e < 0 ? "e-" : "e+";
  unsigned u = static_cast<unsigned>(e < 0 ? -e : e);
  if (u < 10) out += '0';
  char b[8];
  auto r = std::to_chars(b, b + sizeof b, u);
  out.append(b, r.ptr);
}

void layout_repr(const ShortestDigits& sd, std::string& out) {
  char b[kFloatReprMax];
  out.append(b, write_layout_repr(sd, b));
}

char* write_layout_repr(const ShortestDigits& sd, char* w) {
  // At most 17 digits, a sign, "0." and 3 zeros, or ".0", or "e-324": 24 bytes.
  auto put = [&w](const char* p, std::size_t n) {
    std::memcpy(w, p, n);
    w += n;
  };
  if (sd.negative) *w++ = '-';
  const char* digits = sd.digits;
  const auto n = static_cast<std::size_t>(sd.ndigits);
  const int e = sd.exp10;
  if (e < -4 || e >= 16) {
    *w++ = digits[0];
    if (n > 1) {
      *w++ = '.';
      put(digits + 1, n - 1);
    }
    *w++ = 'e';
    *w++ = e < 0 ? '-' : '+';
    const unsigned u = static_cast<unsigned>(e < 0 ? -e : e);
    if (u < 10) *w++ = '0';
    return std::to_chars(w, w + 8, u).ptr;
  }
  const int decpt = e + 1;  // digits before the point
  if (decpt <= 0) {
    put("0.0000", 2 + static_cast<std::size_t>(-decpt));
    put(digits, n);
  } else if (static_cast<std::size_t>(decpt) >= n) {
    put(digits, n);
    std::memset(w, '0', static_cast<std::size_t>(decpt) - n);
    w += static_cast<std::size_t>(decpt) - n;
    put(".0", 2);
  } else {
    put(digits, static_cast<std::size_t>(decpt));
    *w++ = '.';
    put(digits + decpt, n - static_cast<std::size_t>(decpt));
  }
  return w;
}

void append_str_repr(std::string_view s, std::string& out, bool ascii) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '\\':
          out += "\\\\";
          continue;
        case '\n':
          out += "\\n";
          continue;
        case '\r':
          out += "\\r";
          continue;
        case '\t':
          out += "\\t";
          continue;
        default:
          break;
      }
      if (c == static_cast<unsigned char>(quote)) {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        append_escape(c, out);
      } else {
        out += static_cast<char>(c);
      }
      continue;
    }
    std::size_t len = 0;
    char32_t cp = decode_utf8(s, i, len);
    if (len == 0) {
      // An undecodable byte: Python's surrogateescape shows it as a lone surrogate.
      append_escape(0xDC00 + c, out);
      ++i;
      continue;
    }
    if (ascii || !is_printable(cp))
      append_escape(cp, out);
    else
      out.append(s.substr(i, len));
    i += len;
  }
  out += quote;
}

void append_escape(char32_t cp, std::string& out) {
  char b[16];
  int n;
  if (cp < 0x100)
    n = std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned>(cp));
  else if (cp < 0x10000)
    n = std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(cp));
  else
    n = std::snprintf(b, sizeof b, "\\U%08x", static_cast<unsigned>(cp));
  out.append(b, static_cast<std::size_t>(n));
}

}  // namespace dictlog::detail
