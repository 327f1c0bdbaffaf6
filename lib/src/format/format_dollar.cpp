// `$` style: string.Template.substitute with Template's default pattern.
#include <cstdio>

#include "format/format_template.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

bool id_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool id_char(char c) {
  return id_start(c) || (c >= '0' && c <= '9');
}

// str.splitlines boundaries.
bool line_break_at(std::string_view s, std::size_t i, std::size_t& len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  len = 1;
  if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e) return true;
  if (c == '\r') {
    if (i + 1 < s.size() && s[i + 1] == '\n') len = 2;
    return true;
  }
  if (c >= 0x80) {
    std::size_t l;
    char32_t cp = decode_utf8(s, i, l);
    if (l && (cp == 0x85 || cp == 0x2028 || cp == 0x2029)) {
      len = l;
      return true;
    }
  }
  return false;
}

// Template._invalid's "line %d, col %d" for the placeholder starting at byte `at`.
std::string invalid_message(std::string_view s, std::size_t at) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < at;) {
    std::size_t len;
    if (line_break_at(s, i, len) && i + len <= at) {
      // splitlines(keepends) on s[:at]: a break ending exactly at `at` still ends a line,
      // but the column is then counted from the start of that (last, non-empty) line.
      if (i + len < at) {
        ++line;
        line_start = i + len;
      }
      i += len;
    } else {
      i += len ? len : 1;
    }
  }
  std::size_t col = count_code_points(s.substr(line_start, at - line_start));
  char buf[96];
  std::snprintf(buf, sizeof buf, "Invalid placeholder in string: line %zu, col %zu", line, col);
  return buf;
}

}  // namespace

DollarFormat compile_dollar(std::string_view s, bool validate) {
  DollarFormat f;
  std::string lit;
  bool fields = false;
  auto push_field = [&](std::string_view name) {
    DollarOp op;
    op.literal = std::move(lit);
    lit.clear();
    op.is_field = true;
    op.ref = FieldRef::resolve(name);
    f.ops.push_back(std::move(op));
    fields = true;
  };
  std::size_t i = 0, n = s.size();
  while (i < n) {
    if (s[i] != '$') {
      std::size_t j = s.find('$', i);
      if (j == std::string_view::npos) j = n;
      lit.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    std::size_t p = i + 1;
    if (p < n && s[p] == '$') {
      lit += '$';
      i = p + 1;
      continue;
    }
    if (p < n && id_start(s[p])) {
      std::size_t q = p;
      while (q < n && id_char(s[q])) ++q;
      push_field(s.substr(p, q - p));
      i = q;
      continue;
    }
    if (p < n && s[p] == '{' && p + 1 < n && id_start(s[p + 1])) {
      std::size_t q = p + 1;
      while (q < n && id_char(s[q])) ++q;
      if (q < n && s[q] == '}') {
        push_field(s.substr(p + 1, q - p - 1));
        i = q + 1;
        continue;
      }
    }
    if (validate) throw ValueError("invalid format: bare '$' not allowed");
    DollarOp op;
    op.literal = std::move(lit);
    lit.clear();
    op.error = invalid_message(s, p);
    f.ops.push_back(std::move(op));
    i = p;
  }
  if (!lit.empty()) {
    DollarOp op;
    op.literal = std::move(lit);
    f.ops.push_back(std::move(op));
  }
  if (validate && !fields) throw ValueError("invalid format: no fields");
  return f;
}

void render_dollar(const DollarFormat& f, FieldSource& src, std::string& out) {
  for (const DollarOp& op : f.ops) {
    out += op.literal;
    if (op.error) throw ValueError(*op.error);
    if (op.is_field) append_str(src.get(op.ref), out);
  }
}

}  // namespace dictlog::detail
