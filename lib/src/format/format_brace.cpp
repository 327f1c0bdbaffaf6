// `{` style: str.format(**values), parsed the way CPython's MarkupIterator parses, with
// StrFormatStyle.validate's checks.
#include <cstdio>
#include <limits>

#include "dictlog/detail/pystr.hpp"
#include "format/format_template.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

struct Markup {
  std::string_view literal;
  bool field = false;
  std::string_view name;
  std::string_view spec;
  char32_t conversion = 0;
  bool expand = false;
};

struct ParseError {
  std::string message;
};

// One step of MarkupIterator_next: false at the end of the string.
bool next_markup(std::string_view s, std::size_t& pos, Markup& m) {
  m = Markup{};
  std::size_t n = s.size();
  if (pos >= n) return false;
  std::size_t start = pos;
  char c = 0;
  bool markup = false;
  while (pos < n) {
    c = s[pos++];
    if (c == '{' || c == '}') {
      markup = true;
      break;
    }
  }
  bool at_end = pos >= n;
  std::size_t len = pos - start;
  if (c == '}' && markup && (at_end || s[pos] != '}'))
    throw ParseError{"Single '}' encountered in format string"};
  if (at_end && c == '{' && markup) throw ParseError{"Single '{' encountered in format string"};
  if (!at_end && markup) {
    if (s[pos] == c) {
      ++pos;
      markup = false;
    } else {
      --len;
    }
  }
  m.literal = s.substr(start, len);
  if (!markup) return true;
  m.field = true;
  // parse_field
  std::size_t name_start = pos;
  c = 0;
  while (pos < n) {
    c = s[pos++];
    if (c == '{') throw ParseError{"unexpected '{' in field name"};
    if (c == '[') {
      while (pos < n && s[pos] != ']') ++pos;
      continue;
    }
    if (c == '}' || c == ':' || c == '!') break;
  }
  if (c == '!' || c == ':') {
    m.name = s.substr(name_start, pos - 1 - name_start);
    if (c == '!') {
      if (pos >= n) throw ParseError{"end of string while looking for conversion specifier"};
      std::size_t clen;
      char32_t conv = decode_utf8(s, pos, clen);
      if (clen == 0) conv = 0xDC00 + static_cast<unsigned char>(s[pos]), clen = 1;
      m.conversion = conv;
      pos += clen;
      if (pos < n) {
        char d = s[pos++];
        if (d == '}') return true;
        if (d != ':') throw ParseError{"expected ':' after conversion specifier"};
      }
    }
    std::size_t spec_start = pos;
    int count = 1;
    while (pos < n) {
      char d = s[pos++];
      if (d == '{') {
        m.expand = true;
        ++count;
      } else if (d == '}') {
        if (--count == 0) {
          m.spec = s.substr(spec_start, pos - 1 - spec_start);
          return true;
        }
      }
    }
    throw ParseError{"unmatched '{' in format spec"};
  }
  if (c != '}') throw ParseError{"expected '}' before end of string"};
  m.name = s.substr(name_start, pos - 1 - name_start);
  return true;
}

bool is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Python's `$` also matches before one final "\n".
bool at_dollar(std::string_view s, std::size_t p) {
  return p == s.size() || (p + 1 == s.size() && s[p] == '\n');
}

// ^(\d+|\w+)(\.\w+|\[[^]]+\])*$
bool field_name_ok(std::string_view s) {
  std::size_t p = 0, n = s.size();
  while (p < n && is_word(static_cast<unsigned char>(s[p]))) ++p;
  if (p == 0) return false;
  for (;;) {
    if (at_dollar(s, p)) return true;
    if (s[p] == '.') {
      std::size_t q = p + 1;
      while (q < n && is_word(static_cast<unsigned char>(s[q]))) ++q;
      if (q == p + 1) return false;
      p = q;
    } else if (s[p] == '[') {
      std::size_t q = p + 1;
      while (q < n && s[q] != ']') ++q;
      if (q == p + 1 || q >= n) return false;
      p = q + 1;
    } else {
      return false;
    }
  }
}

// ^(.?[<>=^])?[+ -]?#?0?(\d+|{\w+})?[,_]?(\.(\d+|{\w+}))?[bcdefgnosx%]?$ (re.I)
bool spec_rest_ok(std::string_view s, std::size_t p) {
  std::size_t n = s.size();
  auto braced = [&](std::size_t& q) {
    if (q >= n || s[q] != '{') return false;
    std::size_t r = q + 1;
    while (r < n && is_word(static_cast<unsigned char>(s[r]))) ++r;
    if (r == q + 1 || r >= n || s[r] != '}') return false;
    q = r + 1;
    return true;
  };
  if (p < n && (s[p] == '+' || s[p] == ' ' || s[p] == '-')) ++p;
  if (p < n && s[p] == '#') ++p;
  if (p < n && s[p] == '0') ++p;
  if (p < n && is_digit(s[p])) {
    while (p < n && is_digit(s[p])) ++p;
  } else {
    braced(p);
  }
  if (p < n && (s[p] == ',' || s[p] == '_')) ++p;
  if (p < n && s[p] == '.') {
    std::size_t q = p + 1;
    if (q < n && is_digit(s[q])) {
      while (q < n && is_digit(s[q])) ++q;
      p = q;
    } else if (braced(q)) {
      p = q;
    }
  }
  if (p < n && std::string_view("bcdefgnosx%BCDEFGNOSX").find(s[p]) != std::string_view::npos)
    if (!at_dollar(s, p)) ++p;
  return at_dollar(s, p);
}

bool spec_ok(std::string_view s) {
  std::size_t n = s.size();
  auto align = [](char c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
  // `.?` is one code point other than a newline.
  if (n > 0 && s[0] != '\n') {
    std::size_t len = 1;
    if (static_cast<unsigned char>(s[0]) >= 0x80) {
      decode_utf8(s, 0, len);
      if (len == 0) len = 1;
    }
    if (len < n && align(s[len]) && spec_rest_ok(s, len + 1)) return true;
  }
  if (n > 0 && align(s[0]) && spec_rest_ok(s, 1)) return true;
  return spec_rest_ok(s, 0);
}

std::string repr_of(std::string_view s) {
  std::string out;
  append_str_repr(s, out);
  return out;
}

std::unique_ptr<BraceTemplate> compile(std::string_view fmt, int depth);

// CPython's get_integer: false ("Too many decimal digits in format string") past
// PY_SSIZE_T_MAX.
bool parse_index(std::string_view digits, std::int64_t& v) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  v = 0;
  for (char d : digits) {
    const int digit = d - '0';
    if (v > (kMax - digit) / 10) return false;
    v = v * 10 + digit;
  }
  return true;
}

std::unique_ptr<BraceField> compile_field(const Markup& m, int depth) {
  auto f = std::make_unique<BraceField>();
  std::string_view name = m.name;
  std::size_t i = 0;
  while (i < name.size() && name[i] != '.' && name[i] != '[') ++i;
  std::string_view first = name.substr(0, i);
  bool numeric = !first.empty();
  for (char c : first) numeric = numeric && is_digit(c);
  if (first.empty() || numeric) {
    f->ref.kind = FieldRef::by_index;
    f->ref.index = 0;
    if (numeric) {
      std::int64_t v = 0;
      f->too_many_digits = !parse_index(first, v);
      f->ref.index = static_cast<std::size_t>(v);
    }
  } else {
    f->ref = FieldRef::resolve(first);
  }
  // FieldNameIterator: errors surface only when the lookup reaches them.
  while (i < name.size()) {
    BraceAccessor a;
    char c = name[i++];
    if (c == '.') {
      std::size_t j = i;
      while (j < name.size() && name[j] != '.' && name[j] != '[') ++j;
      a.kind = BraceAccessor::attribute;
      a.name = std::string(name.substr(i, j - i));
      i = j;
    } else if (c == '[') {
      std::size_t j = name.find(']', i);
      if (j == std::string_view::npos) {
        f->accessors.push_back({BraceAccessor::error, "Missing ']' in format string", -1});
        break;
      }
      a.kind = BraceAccessor::item;
      a.name = std::string(name.substr(i, j - i));
      bool digits = !a.name.empty();
      for (char d : a.name) digits = digits && is_digit(d);
      std::int64_t v = 0;
      if (digits && !parse_index(a.name, v)) {
        // Raised when this accessor is reached, after the lookups before it (as CPython).
        f->accessors.push_back(
            {BraceAccessor::error, "Too many decimal digits in format string", -1});
        break;
      }
      if (digits) a.index = v;
      i = j + 1;
    } else {
      f->accessors.push_back(
          {BraceAccessor::error, "Only '.' or '[' may follow ']' in format field specifier", -1});
      break;
    }
    if (a.name.empty()) {
      f->accessors.push_back({BraceAccessor::error, "Empty attribute in format string", -1});
      break;
    }
    f->accessors.push_back(std::move(a));
  }
  f->conversion = m.conversion;
  if (m.expand) {
    if (depth - 1 <= 0)
      f->recursion_error = true;
    else
      f->nested = compile(m.spec, depth - 1);
  } else {
    f->spec = parse_brace_spec(m.spec);
  }
  return f;
}

std::unique_ptr<BraceTemplate> compile(std::string_view fmt, int depth) {
  auto t = std::make_unique<BraceTemplate>();
  std::size_t pos = 0;
  Markup m;
  try {
    while (next_markup(fmt, pos, m)) {
      BraceOp op;
      op.literal = std::string(m.literal);
      if (m.field) op.field = compile_field(m, depth);
      // Adjacent literals (an escaped brace splits them) merge into one.
      if (!op.field && !t->ops.empty() && !t->ops.back().field)
        t->ops.back().literal += op.literal;
      else
        t->ops.push_back(std::move(op));
    }
  } catch (const ParseError& e) {
    t->error = e.message;
  }
  return t;
}

void validate(std::string_view fmt) {
  std::size_t pos = 0;
  Markup m;
  bool fields = false;
  try {
    while (next_markup(fmt, pos, m)) {
      if (!m.field) continue;
      if (!m.name.empty()) {
        if (!field_name_ok(m.name))
          throw ParseError{"invalid field name/expression: " + repr_of(m.name)};
        fields = true;
      }
      if (m.conversion && m.conversion != 'r' && m.conversion != 's' && m.conversion != 'a') {
        std::string conv;
        append_utf8(m.conversion, conv);
        throw ParseError{"invalid conversion: " + repr_of(conv)};
      }
      if (!m.spec.empty() && !spec_ok(m.spec))
        throw ParseError{"bad specifier: " + repr_of(m.spec)};
    }
  } catch (const ParseError& e) {
    throw ValueError("invalid format: " + e.message);
  }
  if (!fields) throw ValueError("invalid format: no fields");
}

PyVal apply_accessor(const PyVal& v, const BraceAccessor& a) {
  if (a.kind == BraceAccessor::error) throw ValueError(a.name);
  if (a.kind == BraceAccessor::attribute) {
    if (v.is_int()) {
      if (a.name == "real" || a.name == "numerator") return PyVal::of_int(v.as_int());
      if (a.name == "imag") return PyVal::of_int(0);
      if (a.name == "denominator") return PyVal::of_int(1);
    } else if (v.kind == PyVal::floating) {
      if (a.name == "real") return v;
      if (a.name == "imag") {
        PyVal z;
        z.kind = PyVal::floating;
        return z;
      }
    }
    // Methods exist in Python but render as bound-method reprs with addresses: dictlog
    // reports them as missing.
    throw AttributeError(std::string("'") + type_name(v) + "' object has no attribute " +
                         repr_of(a.name));
  }
  switch (v.kind) {
    case PyVal::string: {
      if (a.index < 0) throw TypeError("string indices must be integers, not 'str'");
      std::size_t off = code_point_offset(v.s, static_cast<std::size_t>(a.index));
      if (off >= v.s.size()) throw IndexError("string index out of range");
      std::size_t end = code_point_offset(v.s.substr(off), 1);
      return PyVal::of_str(v.s.substr(off, end));
    }
    case PyVal::tuple:
      if (a.index < 0) throw TypeError("tuple indices must be integers or slices, not str");
      if (v.s == "()") throw IndexError("tuple index out of range");
      throw TypeError("dictlog cannot index record.args");
    case PyVal::list: {
      if (a.index < 0) throw TypeError("list indices must be integers or slices, not str");
      const auto& items = v.list_items->items;
      if (static_cast<std::size_t>(a.index) >= items.size())
        throw IndexError("list index out of range");
      return PyVal::of(items[static_cast<std::size_t>(a.index)].view());
    }
    case PyVal::dict: {
      // str.format passes an all-digit key as an int, which no str key equals. Python's
      // StrFormatStyle turns the KeyError into "Formatting field not found in record".
      if (a.index >= 0)
        throw ValueError("Formatting field not found in record: " + std::to_string(a.index));
      if (const Value* found = v.dict_items->find(a.name)) return PyVal::of(found->view());
      throw_not_found(a.name);
    }
    default:
      throw TypeError(std::string("'") + type_name(v) + "' object is not subscriptable");
  }
}

}  // namespace

std::unique_ptr<BraceTemplate> compile_brace(std::string_view fmt, bool validate_fmt) {
  if (validate_fmt) validate(fmt);
  return compile(fmt, 2);
}

void render_brace(const BraceTemplate& t, FieldSource& src, std::string& out) {
  for (const BraceOp& op : t.ops) {
    out += op.literal;
    if (!op.field) continue;
    const BraceField& f = *op.field;
    PyVal v;
    if (f.too_many_digits) throw ValueError("Too many decimal digits in format string");
    if (f.ref.kind == FieldRef::by_index) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "Replacement index %zu out of range for positional args tuple",
                    f.ref.index);
      throw IndexError(buf);
    }
    v = src.get(f.ref);
    for (const BraceAccessor& a : f.accessors) v = apply_accessor(v, a);
    std::string converted;
    if (f.conversion) {
      switch (f.conversion) {
        case 's':
          append_str(v, converted);
          break;
        case 'r':
          append_repr(v, converted);
          break;
        case 'a':
          append_repr(v, converted, true);
          break;
        default: {
          char buf[64];
          if (f.conversion > 32 && f.conversion < 127)
            std::snprintf(buf, sizeof buf, "Unknown conversion specifier %c",
                          static_cast<char>(f.conversion));
          else
            std::snprintf(buf, sizeof buf, "Unknown conversion specifier \\x%x",
                          static_cast<unsigned>(f.conversion));
          throw ValueError(buf);
        }
      }
      v = PyVal::of_str(converted);
    }
    if (f.recursion_error) throw ValueError("Max string recursion exceeded");
    if (f.nested) {
      std::string spec_text;
      render_brace(*f.nested, src, spec_text);
      render_brace_value(v, parse_brace_spec(spec_text), out);
    } else {
      render_brace_value(v, f.spec, out);
    }
  }
  if (t.error) throw ValueError(*t.error);
}

}  // namespace dictlog::detail
