// The text pieces of JsonFormatter: json.dumps (default separators, allow_nan) over dictlog
// values, python-json-logger 4.x's format parsing, isoformat and splitlines.
#include "format/json_text.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dictlog/detail/pystr.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The end of `.+?` from s[from] up to the first `close`, on one line (Python's `.` does
// not match a newline); npos when there is none.
std::size_t lazy_until(std::string_view s, std::size_t from, char close) {
  if (from >= s.size() || s[from] == '\n') return std::string_view::npos;
  for (std::size_t k = from + 1; k < s.size(); ++k) {
    if (s[k] == close) return k;
    if (s[k] == '\n') return std::string_view::npos;
  }
  return std::string_view::npos;
}

bool is_name_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void put(TextOut& out, std::string_view s) {
  out.put(s.data(), s.size());
}

void append_u(unsigned cp, TextOut& out) {
  char* w = out.room(6);
  w[0] = '\\';
  w[1] = 'u';
  for (int k = 0; k < 4; ++k) w[2 + k] = kHex[(cp >> (12 - 4 * k)) & 0xF];
  out.commit(w + 6);
}

template <class T>
std::uint64_t load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__SSE2__)
// The bytes of x json.dumps does not copy unchanged, one bit per byte: below
// 0x20 or from 0x80 (as signed bytes, both below 0x20), 0x7f, '"' and '\\'.
inline unsigned special_mask(__m128i x) {
  const __m128i m = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}

// The end of the run from s[i] of bytes json.dumps copies unchanged, tested 16 bytes at a
// time, the last ones by a load that overlaps bytes already tested; a run shorter than 16
// bytes as two overlapping loads of 8 (or 4). Every load stays inside the text.
inline std::size_t plain_run_end(std::string_view s, std::size_t i) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n - i >= 16) {
    for (; i + 16 <= n; i += 16)
      if (const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))))
        return i + static_cast<std::size_t>(std::countr_zero(m));
    if (i == n) return n;
    const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)));
    return m ? n - 16 + static_cast<std::size_t>(std::countr_zero(m)) : n;
  }
  // Shorter: its bytes, some twice. No flag: the run goes to the end; else the byte loop
  // finds the first special byte from i.
  if (n - i >= 8) {
    const __m128i x =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + i)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8)));
    if (!special_mask(x)) return n;
  } else if (n - i >= 4) {
    // Each word twice: a lane left zero would read as a control character.
    const int first = static_cast<int>(load<std::uint32_t>(p + i));
    const int last = static_cast<int>(load<std::uint32_t>(p + n - 4));
    const __m128i x = _mm_set_epi32(last, first, last, first);
    if (!special_mask(x)) return n;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
  }
  return i;
}
#else
// Bytes in each lane of a 64-bit word, for testing 8 bytes at once.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;

// The high bit of each zero byte of x. Only the lowest flag is exact (a byte above a zero
// byte may be flagged through the borrow); the lowest is all that is read of it.
constexpr std::uint64_t zero_bytes(std::uint64_t x) {
  return (x - kOnes) & ~x & kHighs;
}

// The high bit of each byte of x that json.dumps does not copy unchanged: < 0x20 (the
// borrow trick again), >= 0x7f (0x7f, or the high bit), '"' or '\\'. The lowest flag of
// each mask is exact, so the lowest of their union is.
constexpr std::uint64_t special_bytes(std::uint64_t x) {
  return ((x - kOnes * 0x20) & ~x & kHighs) | (x & kHighs) | zero_bytes(x ^ (kOnes * 0x7f)) |
         zero_bytes(x ^ (kOnes * '"')) | zero_bytes(x ^ (kOnes * '\\'));
}

// The end of the run from s[i] of bytes json.dumps copies unchanged, tested 8 bytes at a
// time, the last ones by a word that overlaps bytes already tested (a byte loop over the
// tail cost more than the words).
inline std::size_t plain_run_end(std::string_view s, std::size_t i) {
  const char* p = s.data();
  const std::size_t n = s.size();
  for (; i + 8 <= n; i += 8)
    if (const std::uint64_t m = special_bytes(load<std::uint64_t>(p + i)))
      return i + static_cast<std::size_t>(std::countr_zero(m) / 8);
  if (i == n) return n;
  constexpr std::uint64_t kPad = kOnes * 'a';
  if (n >= 8) {
    // The last word; its bytes before i (tested above, or before this run) read as plain,
    // so that no flag of theirs can carry into the run's.
    const auto before = 8 * static_cast<unsigned>(8 - (n - i));
    const std::uint64_t low = (std::uint64_t{1} << before) - 1;
    const std::uint64_t x = (load<std::uint64_t>(p + n - 8) & ~low) | (kPad & low);
    const std::uint64_t m = special_bytes(x);
    return m ? n - 8 + static_cast<std::size_t>(std::countr_zero(m) / 8) : n;
  }
  // Shorter than a word: all its bytes, overlapping, padded with a plain byte. No flag: the
  // whole text is plain; else the byte loop finds the first special byte from i.
  std::uint64_t x;
  if (n >= 4)
    x = load<std::uint32_t>(p) | load<std::uint32_t>(p + n - 4) << 32;
  else if (n >= 2)
    x = load<std::uint16_t>(p) | load<std::uint16_t>(p + n - 2) << 16 | (kPad << 32);
  else
    x = static_cast<unsigned char>(p[0]) | (kPad << 8);
  if (!special_bytes(x)) return n;
  for (; i < n; ++i) {
    const char c = p[i];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
  }
  return i;
}

#endif

void append_float(double d, TextOut& out) {
  // json's float.__repr__, with its own names for the values JSON has no literal for.
  if (std::isnan(d))
    put(out, "NaN");
  else if (std::isinf(d))
    put(out, d > 0 ? "Infinity" : "-Infinity");
  else
    out.commit(write_float_repr(d, out.room(kFloatReprMax)));
}

// append_json_string for a text with something to escape at s[i]: apart, so that the
// usual case's frame saves none of the registers this loop needs.
[[gnu::noinline]] void append_json_escaped(std::string_view s, std::size_t i, bool ensure_ascii,
                                           TextOut& out) {
  put(out, "\"");
  out.put(s.data(), i);
  while (i < s.size()) {
    // Most text is printable ASCII that json.dumps copies as it is: one append per run,
    // not one per byte (the byte loop was a third of the listener's work per JSON line).
    const std::size_t run = plain_run_end(s, i);
    if (run > i) {
      out.put(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          put(out, "\\\"");
          break;
        case '\\':
          put(out, "\\\\");
          break;
        case '\n':
          put(out, "\\n");
          break;
        case '\r':
          put(out, "\\r");
          break;
        case '\t':
          put(out, "\\t");
          break;
        case '\b':
          put(out, "\\b");
          break;
        case '\f':
          put(out, "\\f");
          break;
        default:
          // ensure_ascii escapes everything outside ' '..'~' (DEL too); otherwise only
          // the controls.
          if (c < 0x20 || (c == 0x7f && ensure_ascii))
            append_u(c, out);
          else
            out.put(s.data() + i, 1);
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = decode_utf8(s, i, len);
    if (len == 0) {  // not UTF-8: Python's surrogate escape of the byte
      append_u(0xDC00 + c, out);
      ++i;
      continue;
    }
    if (!ensure_ascii) {
      out.put(s.data() + i, len);
    } else if (cp > 0xFFFF) {
      unsigned v = static_cast<unsigned>(cp) - 0x10000;
      append_u(0xD800 + (v >> 10), out);
      append_u(0xDC00 + (v & 0x3FF), out);
    } else {
      append_u(static_cast<unsigned>(cp), out);
    }
    i += len;
  }
  put(out, "\"");
}

}  // namespace

void append_json_string(std::string_view s, bool ensure_ascii, TextOut& out) {
  const std::size_t i = plain_run_end(s, 0);
  if (i != s.size()) [[unlikely]] {
    append_json_escaped(s, i, ensure_ascii, out);
    return;
  }
  // Nothing to escape, the usual case: one copy between the quotes.
  char* w = out.room(s.size() + 2);
  w[0] = '"';
  if (s.size() <= 32)
    copy_short(w + 1, s.data(), s.size());
  else
    std::memcpy(w + 1, s.data(), s.size());
  w[s.size() + 1] = '"';
  out.commit(w + s.size() + 2);
}

void append_json_item_start(const JsonLayout& layout, int depth, bool first, TextOut& out) {
  if (!layout.indent) {
    if (!first) put(out, ", ");
    return;
  }
  if (!first) put(out, ",");
  put(out, "\n");
  for (int i = 0; i < depth; ++i) put(out, *layout.indent);
}

void append_json_close_line(const JsonLayout& layout, int depth, TextOut& out) {
  if (!layout.indent) return;
  put(out, "\n");
  for (int i = 0; i + 1 < depth; ++i) put(out, *layout.indent);
}

void append_json_value(const ValueView& v, const JsonLayout& layout, int depth, TextOut& out) {
  switch (v.index()) {
    case 0:
      put(out, "null");
      break;
    case 1:
      put(out, std::get<bool>(v) ? "true" : "false");
      break;
    case 2: {
      char* w = out.room(24);
      out.commit(std::to_chars(w, w + 24, std::get<std::int64_t>(v)).ptr);
      break;
    }
    case 3:
      append_float(std::get<double>(v), out);
      break;
    case 4:
      append_json_string(std::get<std::string_view>(v), layout.ensure_ascii, out);
      break;
    case 5: {
      const auto& items = std::get<const ValueList*>(v)->items;
      put(out, "[");
      for (std::size_t i = 0; i < items.size(); ++i) {
        append_json_item_start(layout, depth + 1, i == 0, out);
        append_json_value(items[i].view(), layout, depth + 1, out);
      }
      if (!items.empty()) append_json_close_line(layout, depth + 1, out);
      put(out, "]");
      break;
    }
    default: {
      const auto& items = std::get<const ValueDict*>(v)->items;
      put(out, "{");
      for (std::size_t i = 0; i < items.size(); ++i) {
        append_json_item_start(layout, depth + 1, i == 0, out);
        append_json_string(items[i].first, layout.ensure_ascii, out);
        put(out, ": ");
        append_json_value(items[i].second.view(), layout, depth + 1, out);
      }
      if (!items.empty()) append_json_close_line(layout, depth + 1, out);
      put(out, "}");
      break;
    }
  }
}

std::vector<std::string> parse_json_fields(std::string_view fmt, char style) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < fmt.size(); ++i) {
    if (style != '$') {
      bool opens = style == '%' ? fmt[i] == '%' && fmt[i + 1] == '(' : fmt[i] == '{';
      if (!opens) continue;
      std::size_t start = style == '%' ? i + 2 : i + 1;
      std::size_t end = lazy_until(fmt, start, style == '%' ? ')' : '}');
      if (end == std::string_view::npos) continue;
      out.emplace_back(fmt.substr(start, end - start));
      i = end;
      continue;
    }
    if (fmt[i] != '$') continue;
    const char next = fmt[i + 1];
    std::size_t end = std::string_view::npos;
    if (next == '$') {
      ++i;
    } else if (next == '{' && (end = lazy_until(fmt, i + 2, '}')) != std::string_view::npos) {
      out.emplace_back(fmt.substr(i + 2, end - i - 2));
      i = end;
    } else if (is_name_start(next)) {
      end = i + 2;
      while (end < fmt.size() && (is_name_start(fmt[end]) || (fmt[end] >= '0' && fmt[end] <= '9')))
        ++end;
      out.emplace_back(fmt.substr(i + 1, end - i - 1));
      i = end - 1;
    }
  }
  return out;
}

std::vector<std::string> comma_json_fields(const std::optional<std::string>& fmt) {
  std::vector<std::string> out;
  if (!fmt) return out;
  std::string_view s = *fmt;
  const char* ws = " \t\n\r\v\f";
  for (;;) {
    std::size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    std::size_t b = item.find_first_not_of(ws);
    if (b != std::string_view::npos)
      out.emplace_back(item.substr(b, item.find_last_not_of(ws) - b + 1));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string iso_utc(double created) {
  // CPython's _PyTime conversion: the fraction's microseconds rounded half to even (the
  // default rounding mode), carried into the seconds; none shown when zero.
  double whole = 0;
  double us = std::nearbyint(std::modf(created, &whole) * 1e6);
  if (us >= 1e6) us -= 1e6, whole += 1;
  if (us < 0) us += 1e6, whole -= 1;
  std::time_t t = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (us != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(us));
  return std::string(buf, static_cast<std::size_t>(n)) + "+00:00";
}

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0, i = 0;
  auto byte = [&s](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  while (i < s.size()) {
    const unsigned c = byte(i);
    std::size_t brk = 0;  // bytes of the line break at i
    if (c == '\r')
      brk = byte(i + 1) == '\n' ? 2 : 1;
    else if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
      brk = 1;
    else if (c == 0xC2 && byte(i + 1) == 0x85)
      brk = 2;  // U+0085
    else if (c == 0xE2 && byte(i + 1) == 0x80 && (byte(i + 2) & 0xFE) == 0xA8)
      brk = 3;  // U+2028, U+2029
    if (!brk) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(start, i - start));
    i += brk;
    start = i;
  }
  if (start < s.size()) out.emplace_back(s.substr(start));
  return out;
}

}  // namespace dictlog::detail
