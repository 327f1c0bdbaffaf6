// The text pieces of JsonFormatter: json.dumps (default separators, allow_nan) over dictlog
// values, python-json-logger 4.x's format parsing, isoformat and splitlines.
#include "format/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

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

}  // namespace

void append_float(double d, TextOut& out) {
  // json's float.__repr__, with its own names for the values JSON has no literal for.
  if (std::isnan(d))
    put(out, "NaN");
  else if (std::isinf(d))
    put(out, d > 0 ? "Infinity" : "-Infinity");
  else
    out.commit(write_float_repr(d, out.room(kFloatReprMax)));
}

void append_json_escaped(std::string_view s, std::size_t i, bool ensure_ascii, TextOut& out) {
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

void append_json_container(const ValueView& v, const JsonLayout& layout, int depth, TextOut& out) {
  if (const auto* list = std::get_if<const ValueList*>(&v)) {
    const auto& items = (*list)->items;
    put(out, "[");
    for (std::size_t i = 0; i < items.size(); ++i) {
      append_json_item_start(layout, depth + 1, i == 0, out);
      append_json_value(items[i].view(), layout, depth + 1, out);
    }
    if (!items.empty()) append_json_close_line(layout, depth + 1, out);
    put(out, "]");
    return;
  }
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

void iso_utc(double created, std::string& out) {
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
  out.assign(buf, static_cast<std::size_t>(n));
  out.append("+00:00");
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
