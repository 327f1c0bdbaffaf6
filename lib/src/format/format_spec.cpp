// Python's format-spec mini-language (3.13) for str, int, bool, float and None.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "format/format_template.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

bool is_align(char32_t c) {
  return c == '<' || c == '>' || c == '=' || c == '^';
}

std::string char_text(char32_t c) {
  if (c > 32 && c < 128) return std::string(1, static_cast<char>(c));
  char b[16];
  std::snprintf(b, sizeof b, "\\x%x", static_cast<unsigned>(c));
  return b;
}

[[noreturn]] void unknown_code(char32_t type, const PyVal& v) {
  throw ValueError("Unknown format code '" + char_text(type) + "' for object of type '" +
                   type_name(v) + "'");
}

void check_spec(const BraceSpec& s, const PyVal& v, char32_t type) {
  switch (s.error) {
    case BraceSpec::none:
      break;
    case BraceSpec::invalid:
      throw ValueError("Invalid format specifier '" + s.raw + "' for object of type '" +
                       type_name(v) + "'");
    case BraceSpec::missing_precision:
      throw ValueError("Format specifier missing precision");
    case BraceSpec::comma_and_underscore:
      throw ValueError("Cannot specify both ',' and '_'.");
  }
  if (!s.grouping) return;
  switch (type) {
    case 'd':
    case 'e':
    case 'f':
    case 'g':
    case 'E':
    case 'G':
    case '%':
    case 'F':
    case 0:
      return;
    case 'b':
    case 'o':
    case 'x':
    case 'X':
      if (s.grouping == '_') return;
      break;
    default:
      break;
  }
  throw ValueError(std::string("Cannot specify '") + s.grouping + "' with '" + char_text(type) +
                   "'.");
}

void append_fill(std::string& out, char32_t fill, std::size_t n) {
  if (fill < 0x80) {
    out.append(n, static_cast<char>(fill));
    return;
  }
  for (std::size_t i = 0; i < n; ++i) append_utf8(fill, out);
}

// Digits grouped from the right (CPython's InsertThousandsGrouping), zero-extended to
// min_width when zero padding applies.
void append_grouped(std::string& out, std::string_view digits, std::ptrdiff_t min_width, int group,
                    char sep) {
  std::string rev;
  std::ptrdiff_t remaining = static_cast<std::ptrdiff_t>(digits.size());
  std::size_t pos = digits.size();
  bool use_sep = false;
  for (;;) {
    std::ptrdiff_t l = std::min<std::ptrdiff_t>(
        group, std::max<std::ptrdiff_t>(std::max(remaining, min_width), 1));
    std::ptrdiff_t zeros = std::max<std::ptrdiff_t>(0, l - remaining);
    std::ptrdiff_t chars = std::max<std::ptrdiff_t>(0, std::min(remaining, l));
    if (use_sep) rev += sep;
    for (std::ptrdiff_t k = 0; k < chars; ++k) rev += digits[--pos];
    rev.append(static_cast<std::size_t>(zeros), '0');
    use_sep = true;
    remaining -= chars;
    min_width -= group;
    if (remaining <= 0 && min_width <= 0) break;
    min_width -= 1;
  }
  out.append(rev.rbegin(), rev.rend());
}

struct Layout {
  char32_t fill;
  char align;
};

Layout resolve_layout(const BraceSpec& s, char default_align) {
  Layout l{s.fill, s.align ? s.align : default_align};
  if (s.zero && !s.fill_given) {
    l.fill = '0';
    if (!s.align && default_align == '>') l.align = '=';
  }
  return l;
}

// calc_number_widths + fill: [lpad][sign][prefix][spad][digits][remainder][rpad].
void emit_number(std::string& out, bool negative, std::string_view prefix, std::string_view digits,
                 std::string_view remainder, const BraceSpec& s, int group) {
  Layout l = resolve_layout(s, '>');
  char sign = 0;
  if (s.sign == '+')
    sign = negative ? '-' : '+';
  else if (s.sign == ' ')
    sign = negative ? '-' : ' ';
  else if (negative)
    sign = '-';
  std::ptrdiff_t non_digit = (sign ? 1 : 0) + static_cast<std::ptrdiff_t>(prefix.size()) +
                             static_cast<std::ptrdiff_t>(count_code_points(remainder));
  std::ptrdiff_t min_width = (l.fill == '0' && l.align == '=') ? s.width - non_digit : 0;
  thread_local std::string grouped;
  grouped.clear();
  if (!digits.empty()) {
    if (group)
      append_grouped(grouped, digits, min_width, group, s.grouping);
    else
      grouped.assign(digits);
  }
  std::ptrdiff_t total = non_digit + static_cast<std::ptrdiff_t>(grouped.size());
  std::ptrdiff_t pad = s.width > total ? s.width - total : 0;
  std::ptrdiff_t lpad = 0, spad = 0, rpad = 0;
  if (l.align == '>')
    lpad = pad;
  else if (l.align == '^')
    lpad = pad / 2, rpad = pad - pad / 2;
  else if (l.align == '=')
    spad = pad;
  else
    rpad = pad;
  append_fill(out, l.fill, static_cast<std::size_t>(lpad));
  if (sign) out += sign;
  out.append(prefix);
  append_fill(out, l.fill, static_cast<std::size_t>(spad));
  out += grouped;
  out.append(remainder);
  append_fill(out, l.fill, static_cast<std::size_t>(rpad));
}

void format_string(std::string_view text, const BraceSpec& s, std::string& out) {
  if (s.sign)
    throw ValueError(s.sign == ' ' ? "Space not allowed in string format specifier"
                                   : "Sign not allowed in string format specifier");
  if (s.no_neg_0)
    throw ValueError("Negative zero coercion (z) not allowed in string format specifier");
  if (s.alt) throw ValueError("Alternate form (#) not allowed in string format specifier");
  if (s.align == '=') throw ValueError("'=' alignment not allowed in string format specifier");
  Layout l = resolve_layout(s, '<');
  if (s.prec >= 0) text = text.substr(0, code_point_offset(text, static_cast<std::size_t>(s.prec)));
  std::ptrdiff_t len = static_cast<std::ptrdiff_t>(count_code_points(text));
  std::ptrdiff_t pad = s.width > len ? s.width - len : 0;
  std::ptrdiff_t lpad = l.align == '>' ? pad : (l.align == '^' ? pad / 2 : 0);
  append_fill(out, l.fill, static_cast<std::size_t>(lpad));
  out.append(text);
  append_fill(out, l.fill, static_cast<std::size_t>(pad - lpad));
}

void format_float(double d, const BraceSpec& s, char32_t type, std::string& out) {
  int prec = s.prec;
  bool add_dot_0 = false;
  char t;
  std::string_view suffix;
  switch (type) {
    case 0:
      add_dot_0 = true;
      t = prec < 0 ? 'r' : 'g';
      break;
    case 'n':
      t = 'g';
      break;
    case '%':
      t = 'f';
      d *= 100;
      suffix = "%";
      break;
    default:
      t = static_cast<char>(type);
      break;
  }
  if (prec < 0) prec = 6;
  thread_local std::string text;
  text.clear();
  append_double(d, t, prec, s.alt, add_dot_0, text);
  text += suffix;
  bool negative = !text.empty() && text[0] == '-';
  std::string_view body(text);
  if (negative) body.remove_prefix(1);
  if (negative && s.no_neg_0) {
    bool zero = true;
    for (char c : body) {
      if (c == 'e' || c == 'E') break;
      if (c >= '1' && c <= '9') zero = false;
    }
    if (zero) negative = false;
  }
  std::size_t ndigits = 0;
  while (ndigits < body.size() && body[ndigits] >= '0' && body[ndigits] <= '9') ++ndigits;
  int group = s.grouping ? 3 : 0;
  emit_number(out, negative, {}, body.substr(0, ndigits), body.substr(ndigits), s, group);
}

void format_int(const PyVal& v, const BraceSpec& s, char32_t type, std::string& out) {
  std::int64_t x = v.as_int();
  if (s.prec >= 0) throw ValueError("Precision not allowed in integer format specifier");
  if (s.no_neg_0)
    throw ValueError("Negative zero coercion (z) not allowed in integer format specifier");
  if (type == 'c') {
    if (s.sign) throw ValueError("Sign not allowed with integer format specifier 'c'");
    if (s.alt) throw ValueError("Alternate form (#) not allowed with integer format specifier 'c'");
    if (x < 0 || x > 0x10FFFF) throw OverflowError("%c arg not in range(0x110000)");
    std::string ch;
    append_utf8(static_cast<char32_t>(x), ch);
    emit_number(out, false, {}, {}, ch, s, 0);
    return;
  }
  int base = 10;
  std::string_view prefix;
  switch (type) {
    case 'b':
      base = 2, prefix = "0b";
      break;
    case 'o':
      base = 8, prefix = "0o";
      break;
    case 'x':
      base = 16, prefix = "0x";
      break;
    case 'X':
      base = 16, prefix = "0X";
      break;
    default:
      break;
  }
  if (!s.alt) prefix = {};
  thread_local std::string digits;
  digits.clear();
  append_magnitude(magnitude(x), base, type == 'X', digits);
  int group = 0;
  if (s.grouping) group = (base == 10) ? 3 : 4;
  emit_number(out, x < 0, prefix, digits, {}, s, group);
}

}  // namespace

BraceSpec parse_brace_spec(std::string_view spec) {
  BraceSpec s;
  s.raw = std::string(spec);
  s.empty = spec.empty();
  if (spec.empty()) return s;
  std::vector<char32_t> cp;
  for (std::size_t i = 0; i < spec.size();) {
    std::size_t len;
    char32_t c = decode_utf8(spec, i, len);
    if (len == 0) c = 0xDC00 + static_cast<unsigned char>(spec[i]), len = 1;
    cp.push_back(c);
    i += len;
  }
  std::size_t n = cp.size(), p = 0;
  if (n >= 2 && is_align(cp[1])) {
    s.fill = cp[0];
    s.fill_given = true;
    s.align = static_cast<char>(cp[1]);
    p = 2;
  } else if (n >= 1 && is_align(cp[0])) {
    s.align = static_cast<char>(cp[0]);
    p = 1;
  }
  if (p < n && (cp[p] == ' ' || cp[p] == '+' || cp[p] == '-')) s.sign = static_cast<char>(cp[p++]);
  if (p < n && cp[p] == 'z') s.no_neg_0 = true, ++p;
  if (p < n && cp[p] == '#') s.alt = true, ++p;
  if (!s.fill_given && p < n && cp[p] == '0') s.zero = true, ++p;
  auto digits = [&](int& target) -> int {
    int count = 0;
    long long v = 0;
    while (p < n && cp[p] >= '0' && cp[p] <= '9') {
      v = v * 10 + (cp[p] - '0');
      if (v > 0x7fffffff) v = 0x7fffffff;
      ++p, ++count;
    }
    if (count) target = static_cast<int>(v);
    return count;
  };
  digits(s.width);
  if (p < n && cp[p] == ',') s.grouping = ',', ++p;
  if (p < n && cp[p] == '_') {
    if (s.grouping) {
      s.error = BraceSpec::comma_and_underscore;
      return s;
    }
    s.grouping = '_', ++p;
  }
  if (s.grouping == '_' && p < n && cp[p] == ',') {
    s.error = BraceSpec::comma_and_underscore;
    return s;
  }
  if (p < n && cp[p] == '.') {
    ++p;
    if (digits(s.prec) == 0) {
      s.error = BraceSpec::missing_precision;
      return s;
    }
  }
  if (n - p > 1) {
    s.error = BraceSpec::invalid;
    return s;
  }
  if (n - p == 1) s.type = cp[p];
  return s;
}

void throw_field_too_wide() {
  throw ValueError("a field's width or precision is beyond dictlog's limit of " +
                   std::to_string(kMaxFieldWidth) + " (each record would be that long)");
}

void check_field_widths(const CompiledFormat& f) {
  for (const PercentOp& op : f.percent.ops)
    if (op.kind == PercentOp::field && (op.width > kMaxFieldWidth || op.prec > kMaxFieldWidth))
      throw_field_too_wide();
  if (f.brace)
    for (const BraceOp& op : f.brace->ops)
      if (op.field && !op.field->nested &&
          (op.field->spec.width > kMaxFieldWidth || op.field->spec.prec > kMaxFieldWidth))
        throw_field_too_wide();
}

void render_brace_value(const PyVal& v, const BraceSpec& s, std::string& out) {
  if (s.width > kMaxFieldWidth || s.prec > kMaxFieldWidth) throw_field_too_wide();
  if (s.empty) {
    append_str(v, out);
    return;
  }
  switch (v.kind) {
    case PyVal::string: {
      char32_t type = s.type ? s.type : 's';
      check_spec(s, v, type);
      if (type != 's') unknown_code(type, v);
      format_string(v.s, s, out);
      return;
    }
    case PyVal::integer:
    case PyVal::boolean: {
      char32_t type = s.type ? s.type : 'd';
      check_spec(s, v, type);
      switch (type) {
        case 'b':
        case 'c':
        case 'd':
        case 'o':
        case 'x':
        case 'X':
        case 'n':
          format_int(v, s, type, out);
          return;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case '%':
          format_float(static_cast<double>(v.as_int()), s, type, out);
          return;
        default:
          unknown_code(type, v);
      }
    }
    case PyVal::floating: {
      char32_t type = s.type;
      check_spec(s, v, type);
      switch (type) {
        case 0:
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'n':
        case '%':
          format_float(v.d, s, type, out);
          return;
        default:
          unknown_code(type, v);
      }
    }
    default:
      throw TypeError(std::string("unsupported format string passed to ") + type_name(v) +
                      ".__format__");
  }
}

}  // namespace dictlog::detail
