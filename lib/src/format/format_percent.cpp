// `%` style: Python's printf-style `str % mapping`, parsed once into operations.
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>

#include "format/format_template.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

bool is_word(unsigned char c) {
  // Python's \w is Unicode-aware; every non-ASCII byte is taken as part of a word here.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// %\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%] (re.I), anchored at i.
bool match_at(std::string_view s, std::size_t i) {
  std::size_t n = s.size();
  if (i + 1 >= n || s[i] != '%' || s[i + 1] != '(') return false;
  std::size_t p = i + 2;
  std::size_t start = p;
  while (p < n && is_word(static_cast<unsigned char>(s[p]))) ++p;
  if (p == start || p >= n || s[p] != ')') return false;
  ++p;
  while (p < n && (s[p] == '#' || s[p] == '0' || s[p] == '+' || s[p] == ' ' || s[p] == '-')) ++p;
  if (p < n && s[p] == '*')
    ++p;
  else
    while (p < n && is_digit(s[p])) ++p;
  if (p + 1 < n && s[p] == '.' && (s[p + 1] == '*' || is_digit(s[p + 1]))) {
    ++p;
    if (s[p] == '*')
      ++p;
    else
      while (p < n && is_digit(s[p])) ++p;
  }
  if (p >= n) return false;
  char c = static_cast<char>(s[p] | 0x20);
  return std::string_view("diouxefgcrsa").find(c) != std::string_view::npos || s[p] == '%';
}

}  // namespace

bool percent_validates(std::string_view fmt) {
  for (std::size_t i = fmt.find('%'); i != std::string_view::npos; i = fmt.find('%', i + 1))
    if (match_at(fmt, i)) return true;
  return false;
}

PercentFormat compile_percent(std::string_view s) {
  PercentFormat f;
  std::string lit;
  std::size_t n = s.size();
  std::size_t i = 0;
  auto flush = [&] {
    if (!lit.empty()) {
      PercentOp op;
      op.text = std::move(lit);
      f.ops.push_back(std::move(op));
      lit.clear();
    }
  };
  auto error = [&](std::string msg) {
    flush();
    PercentOp op;
    op.kind = PercentOp::error;
    op.text = std::move(msg);
    f.ops.push_back(std::move(op));
  };
  while (i < n) {
    if (s[i] != '%') {
      std::size_t j = s.find('%', i);
      if (j == std::string_view::npos) j = n;
      lit.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (i + 1 < n && s[i + 1] == '%') {
      lit += '%';
      i += 2;
      continue;
    }
    PercentOp op;
    op.kind = PercentOp::field;
    std::size_t p = i + 1;
    if (p < n && s[p] == '(') {
      int depth = 1;
      std::size_t key_start = ++p;
      while (p < n && depth > 0) {
        if (s[p] == ')')
          --depth;
        else if (s[p] == '(')
          ++depth;
        ++p;
      }
      if (depth > 0) {
        error("incomplete format key");
        return f;
      }
      op.has_key = true;
      op.ref = FieldRef::resolve(s.substr(key_start, p - 1 - key_start));
    }
    for (; p < n; ++p) {
      char c = s[p];
      if (c == '-')
        op.left = true;
      else if (c == '+')
        op.plus = true;
      else if (c == ' ')
        op.blank = true;
      else if (c == '#')
        op.alt = true;
      else if (c == '0')
        op.zero = true;
      else
        break;
    }
    auto number = [&](int& target, const char* too_big) -> bool {
      if (p < n && s[p] == '*') {
        ++p;
        return true;
      }
      if (p < n && is_digit(s[p])) {
        long long v = 0;
        while (p < n && is_digit(s[p])) {
          v = v * 10 + (s[p] - '0');
          if (v > INT_MAX) {
            error(too_big);
            return false;
          }
          ++p;
        }
        target = static_cast<int>(v);
      }
      return false;
    };
    std::size_t before = f.ops.size();
    op.width_star = number(op.width, "width too big");
    if (f.ops.size() != before) return f;
    if (p < n && s[p] == '.') {
      ++p;
      op.prec = 0;
      op.prec_star = number(op.prec, "precision too big");
      if (f.ops.size() != before) return f;
    }
    if (p < n && (s[p] == 'h' || s[p] == 'l' || s[p] == 'L')) ++p;
    if (p >= n) {
      op.incomplete = true;
      flush();
      f.ops.push_back(std::move(op));
      return f;
    }
    std::size_t len = 1;
    char32_t c = static_cast<unsigned char>(s[p]);
    if (c >= 0x80) {
      c = decode_utf8(s, p, len);
      if (len == 0) {
        c = 0xDC00 + static_cast<unsigned char>(s[p]);
        len = 1;
      }
    }
    op.conv = c;
    if (c >= 0x80 ||
        std::string_view("diouxXeEfFgGcrsa").find(static_cast<char>(c)) == std::string_view::npos) {
      op.unsupported = true;
      char buf[96];
      std::size_t index = count_code_points(s.substr(0, p));
      std::snprintf(buf, sizeof buf, "unsupported format character '%c' (0x%x) at index %zu",
                    (c >= 32 && c < 127) ? static_cast<char>(c) : '?', static_cast<unsigned>(c),
                    index);
      op.text = buf;
    }
    op.plain_str = op.has_key && c == 's' && !op.left && !op.plus && !op.blank && !op.alt &&
                   !op.zero && op.width < 0 && op.prec < 0 && !op.width_star && !op.prec_star;
    flush();
    f.ops.push_back(std::move(op));
    i = p + len;
  }
  flush();
  return f;
}

namespace {

// Python's getnextarg over a mapping (which is its own single operand) or a tuple.
struct ArgCursor {
  PercentArgs args;
  bool has_current = false;  // a %(key) operand, or the mapping itself
  PyVal current;
  std::ptrdiff_t idx = -2;  // CPython's argidx: -2 fresh, -1 used (non-tuple)
  std::size_t tuple_idx = 0;

  PyVal next() {
    if (args.mapping || has_current) {
      if (idx == -2) {
        idx = -1;
        if (has_current) return current;
        return args.mapping->mapping();
      }
      throw TypeError("not enough arguments for format string");
    }
    if (tuple_idx < args.count) return args.items[tuple_idx++];
    throw TypeError("not enough arguments for format string");
  }
};

int star_value(const PyVal& v) {
  if (!v.is_int()) throw TypeError("* wants int");
  std::int64_t x = v.as_int();
  if (x > INT_MAX || x < INT_MIN) throw OverflowError("Python int too large to convert to C int");
  return static_cast<int>(x);
}

std::string conv_text(char32_t c) {
  return std::string(1, static_cast<char>(c));
}

struct Flags {
  bool left, plus, blank, alt, zero;
  char32_t conv;
};

// Python's unicode_format_arg_output for numbers: sign, 0x prefix and padding.
void emit_number(const Flags& op, std::string_view body, int width, std::string& out) {
  char sign = 0;
  if (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) {
    sign = body[0];
    body.remove_prefix(1);
  } else if (op.plus) {
    sign = '+';
  } else if (op.blank) {
    sign = ' ';
  }
  std::string_view prefix;
  bool radix = op.alt && (op.conv == 'x' || op.conv == 'X' || op.conv == 'o');
  if (radix) {
    prefix = body.substr(0, 2);
    body.remove_prefix(2);
  }
  // Python counts code points; numbers are ASCII.
  std::size_t len = body.size() + prefix.size() + (sign ? 1 : 0);
  std::size_t w = width > 0 ? static_cast<std::size_t>(width) : 0;
  std::size_t pad = w > len ? w - len : 0;
  bool zero = op.zero && !op.left;
  if (!op.left && !zero) out.append(pad, ' ');
  if (sign) out += sign;
  out.append(prefix);
  if (zero) out.append(pad, '0');
  out.append(body);
  if (op.left) out.append(pad, ' ');
}

}  // namespace

void render_percent_value(const PercentOp& op, const PyVal& v, int width, int prec,
                          std::string& out) {
  bool left = op.left;
  if (width < 0) {
    left = true;
    width = width == INT_MIN ? INT_MAX : -width;
  }
  if (width > kMaxFieldWidth || prec > kMaxFieldWidth) throw_field_too_wide();
  Flags o{left, op.plus, op.blank, op.alt, op.zero, op.conv};
  switch (op.conv) {
    case 's':
    case 'r':
    case 'a': {
      std::size_t start = out.size();
      if (op.conv == 's')
        append_str(v, out);
      else
        append_repr(v, out, op.conv == 'a');
      if (prec >= 0) {
        std::size_t cut =
            code_point_offset(std::string_view(out).substr(start), static_cast<std::size_t>(prec));
        out.resize(start + cut);
      }
      if (width > 0) pad_since(out, start, static_cast<std::size_t>(width), left);
      return;
    }
    case 'c': {
      std::size_t start = out.size();
      if (v.is_int()) {
        std::int64_t x = v.as_int();
        if (x < 0 || x > 0x10FFFF) throw OverflowError("%c arg not in range(0x110000)");
        append_utf8(static_cast<char32_t>(x), out);
      } else if (v.kind == PyVal::string && count_code_points(v.s) == 1) {
        out.append(v.s);
      } else {
        throw TypeError("%c requires int or char");
      }
      if (width > 0) pad_since(out, start, static_cast<std::size_t>(width), left);
      return;
    }
    default:
      break;
  }
  // Scratch text reused across calls: the hot path allocates nothing once warm.
  __attribute__((tls_model("initial-exec"))) thread_local std::string scratch;
  scratch.clear();
  char c = static_cast<char>(op.conv);
  if (c == 'd' || c == 'i' || c == 'u' || c == 'o' || c == 'x' || c == 'X') {
    bool decimal = c == 'd' || c == 'i' || c == 'u';
    std::string& text = scratch;
    if (v.is_int() || (decimal && v.kind == PyVal::floating)) {
      bool neg;
      std::string digits;
      if (v.is_int()) {
        std::int64_t x = v.as_int();
        neg = x < 0;
        append_magnitude(magnitude(x), c == 'o' ? 8 : (decimal ? 10 : 16), c == 'X', digits);
      } else {
        if (std::isnan(v.d)) throw ValueError("cannot convert float NaN to integer");
        if (std::isinf(v.d)) throw OverflowError("cannot convert float infinity to integer");
        append_truncated(v.d, digits);
        neg = digits[0] == '-';
        if (neg) digits.erase(0, 1);
      }
      if (neg) text += '-';
      if (op.alt && !decimal) {
        text += '0';
        text += c == 'o' ? 'o' : c;
      }
      if (prec > 0 && digits.size() < static_cast<std::size_t>(prec))
        text.append(static_cast<std::size_t>(prec) - digits.size(), '0');
      text += digits;
    } else if (decimal) {
      throw TypeError("%" + conv_text(op.conv) + " format: a real number is required, not " +
                      type_name(v));
    } else {
      throw TypeError("%" + conv_text(op.conv) + " format: an integer is required, not " +
                      type_name(v));
    }
    emit_number(o, text, width, out);
    return;
  }
  // e E f F g G
  double d;
  if (v.kind == PyVal::floating)
    d = v.d;
  else if (v.is_int())
    d = static_cast<double>(v.as_int());
  else
    throw TypeError(std::string("must be real number, not ") + type_name(v));
  append_double(d, c, prec < 0 ? 6 : prec, op.alt, false, scratch);
  emit_number(o, scratch, width, out);
}

void render_percent(const PercentFormat& f, PercentArgs args, std::string& out) {
  ArgCursor cur;
  cur.args = args;
  for (const PercentOp& op : f.ops) {
    if (op.kind == PercentOp::literal) {
      out += op.text;
      continue;
    }
    if (op.kind == PercentOp::error) throw ValueError(op.text);
    if (op.plain_str && args.mapping) {
      args.mapping->append_str_of(op.ref, out);
      // The cursor as the general path leaves it: this key's operand used.
      cur.has_current = true;
      cur.idx = -1;
      continue;
    }
    if (op.has_key) {
      if (!args.mapping) throw TypeError("format requires a mapping");
      cur.current = args.mapping->get(op.ref);
      cur.has_current = true;
      cur.idx = -2;
    }
    int width = op.width < 0 ? 0 : op.width;
    int prec = op.prec;
    if (op.width_star) width = star_value(cur.next());
    if (op.prec_star) {
      prec = star_value(cur.next());
      if (prec < 0) prec = 0;
    }
    if (op.incomplete) throw ValueError("incomplete format");
    PyVal v = cur.next();
    if (op.unsupported) throw ValueError(op.text);
    render_percent_value(op, v, width, prec, out);
  }
  if (!args.mapping && cur.tuple_idx < args.count)
    throw TypeError("not all arguments converted during string formatting");
}

}  // namespace dictlog::detail
