// The text pieces of JsonFormatter: Python's json.dumps for the values a record holds,
// python-json-logger 4.x's format parsing, datetime.isoformat and str.splitlines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/detail/text_out.hpp"
#include "dictlog/value.hpp"

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
void append_json_string(std::string_view s, bool ensure_ascii, TextOut& out);
// None, bool, int, float (repr; NaN, Infinity, -Infinity), str, list, dict.
void append_json_value(const ValueView& v, const JsonLayout& layout, int depth, TextOut& out);
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
// datetime.fromtimestamp(created, tz=timezone.utc).isoformat().
std::string iso_utc(double created);
// str.splitlines().
std::vector<std::string> split_lines(std::string_view s);

}  // namespace dictlog::detail
