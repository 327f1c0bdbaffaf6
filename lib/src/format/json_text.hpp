// The text pieces of JsonFormatter: Python's json.dumps for the values a record holds,
// python-json-logger 4.x's format parsing, datetime.isoformat and str.splitlines.
#pragma once

#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/detail/text_out.hpp"
#include "dictlog/value.hpp"
#include "format/json_scan.hpp"

namespace dictlog::detail {

// json.dumps' keyword arguments that matter here. `indent` null: one line with ", " and
// ": "; else a newline before each item, `indent` repeated per depth, and "," at line ends.
struct JsonLayout {
  const std::string* indent = nullptr;
  bool ensure_ascii = true;
};

// A JSON string: `"`, `\` and control characters escaped as json does (\n, \u001b, ...),
// non-ASCII as \uXXXX (surrogate pairs past U+FFFF) when ensure_ascii. A byte that is not
// UTF-8 is written as the surrogate escape Python would hold for it (\udcNN), so the line
// stays valid JSON and loses nothing.
// Inline, with the scan: a line has several short strings, and a call to a function that
// also holds the escaping loop cost as much as the scan and copy themselves.
inline void append_json_string(std::string_view s, bool ensure_ascii, TextOut& out);
// None, bool, int, float (repr; NaN, Infinity, -Infinity), str, list, dict.
inline void append_json_value(const ValueView& v, const JsonLayout& layout, int depth,
                              TextOut& out);
// The parts of the two above that are not inline: a string from its first byte to escape
// (s[i]), a float, a list or dict.
void append_json_escaped(std::string_view s, std::size_t i, bool ensure_ascii, TextOut& out);
void append_float(double d, TextOut& out);
void append_json_container(const ValueView& v, const JsonLayout& layout, int depth, TextOut& out);
// What goes before an item of a container at `depth` (the container's depth + 1): nothing,
// ", ", or a newline and the indent.
void append_json_item_start(const JsonLayout& layout, int depth, bool first, TextOut& out);
// What closes a non-empty container whose items are at `depth`.
void append_json_close_line(const JsonLayout& layout, int depth, TextOut& out);

// 4.x's parse(): the fields of a `%`, `{` or `$` format, found as its regexes find them
// (`%\((.+?)\)`, `\{(.+?)\}`, and `$name` or `${name}` with `$$` skipped), in order.
std::vector<std::string> parse_json_fields(std::string_view fmt, char style);
// Style ",": the comma-separated names, stripped, empty ones dropped (none for no fmt).
std::vector<std::string> comma_json_fields(const std::optional<std::string>& fmt);
// datetime.fromtimestamp(created, tz=timezone.utc).isoformat(), into `out` (assigned: a
// string kept from line to line allocates once).
void iso_utc(double created, std::string& out);
// str.splitlines().
std::vector<std::string> split_lines(std::string_view s);

inline void append_json_string(std::string_view s, bool ensure_ascii, TextOut& out) {
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

inline void append_json_value(const ValueView& v, const JsonLayout& layout, int depth,
                              TextOut& out) {
  switch (v.index()) {
    case 0:
      out.put("null", 4);
      break;
    case 1:
      if (std::get<bool>(v))
        out.put("true", 4);
      else
        out.put("false", 5);
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
    default:
      append_json_container(v, layout, depth, out);
      break;
  }
}

}  // namespace dictlog::detail
