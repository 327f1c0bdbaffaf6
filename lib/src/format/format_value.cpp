// Rendering of format operands: str/repr and Python's float and integer text.
#include "format/format_value.hpp"

#include <charconv>
#include <cmath>

#include "dictlog/detail/pystr.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

PyVal PyVal::of(const ValueView& v) {
  PyVal p;
  switch (v.index()) {
    case 0:
      break;
    case 1:
      p.kind = boolean;
      p.b = std::get<bool>(v);
      break;
    case 2:
      p.kind = integer;
      p.i = std::get<std::int64_t>(v);
      break;
    case 3:
      p.kind = floating;
      p.d = std::get<double>(v);
      break;
    case 4:
      p.kind = string;
      p.s = std::get<std::string_view>(v);
      break;
    case 5:
      p.kind = list;
      p.list_items = std::get<const ValueList*>(v);
      p.s = p.list_items->repr;
      break;
    default:
      p.kind = dict;
      p.dict_items = std::get<const ValueDict*>(v);
      p.s = p.dict_items->repr;
      break;
  }
  return p;
}

const char* type_name(const PyVal& v) {
  switch (v.kind) {
    case PyVal::none:
      return "NoneType";
    case PyVal::boolean:
      return "bool";
    case PyVal::integer:
      return "int";
    case PyVal::floating:
      return "float";
    case PyVal::string:
      return "str";
    case PyVal::tuple:
      return "tuple";
    case PyVal::mapping:
    case PyVal::dict:
      return "dict";
    case PyVal::list:
      return "list";
  }
  return "object";
}

namespace {

void append_int(std::int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void append_str(const PyVal& v, std::string& out) {
  switch (v.kind) {
    case PyVal::none:
      out += "None";
      break;
    case PyVal::boolean:
      out += v.b ? "True" : "False";
      break;
    case PyVal::integer:
      append_int(v.i, out);
      break;
    case PyVal::floating:
      append_float_repr(v.d, out);
      break;
    default:
      out.append(v.s);
      break;
  }
}

void append_repr(const PyVal& v, std::string& out, bool ascii) {
  if (v.kind == PyVal::string) {
    append_str_repr(v.s, out, ascii);
  } else if (v.kind >= PyVal::tuple && ascii) {
    // The repr is already rendered; ascii() escapes what remains non-ASCII.
    for (std::size_t i = 0; i < v.s.size();) {
      std::size_t len = 1;
      char32_t cp = static_cast<unsigned char>(v.s[i]);
      if (cp >= 0x80) {
        cp = decode_utf8(v.s, i, len);
        if (len == 0) {
          cp = 0xDC00 + static_cast<unsigned char>(v.s[i]);
          len = 1;
        }
        append_escape(cp, out);
      } else {
        out += v.s[i];
      }
      i += len;
    }
  } else {
    append_str(v, out);
  }
}

void append_magnitude(std::uint64_t mag, int base, bool upper, std::string& out) {
  char buf[72];
  auto r = std::to_chars(buf, buf + sizeof buf, mag, base);
  if (upper)
    for (char* p = buf; p < r.ptr; ++p)
      if (*p >= 'a' && *p <= 'f') *p = static_cast<char>(*p - 'a' + 'A');
  out.append(buf, r.ptr);
}

void append_truncated(double d, std::string& out) {
  double t = std::trunc(d);
  if (t == 0) {
    out += '0';
    return;
  }
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, t, std::chars_format::fixed, 0);
  out.append(buf, r.ptr);
}

namespace {

struct Digits {
  std::string_view digits;  // no trailing zeros (except zero itself: "0")
  int exp10;                // exponent of the first digit
  bool negative;
};

// Digits of d rounded to n significant digits, trailing zeros dropped (dtoa mode 2).
Digits significant_digits(double d, int n, std::string& buf) {
  buf.resize(static_cast<std::size_t>(n) + 32);
  auto r =
      std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific, n - 1);
  Digits out{};
  const char* p = buf.data();
  if (*p == '-') {
    out.negative = true;
    ++p;
  }
  std::size_t w = 0;
  for (; p < r.ptr && *p != 'e'; ++p)
    if (*p != '.') buf[w++] = *p;
  ++p;
  int sign = *p == '-' ? -1 : 1;
  ++p;
  int e = 0;
  for (; p < r.ptr; ++p) e = e * 10 + (*p - '0');
  out.exp10 = sign * e;
  while (w > 1 && buf[w - 1] == '0') --w;
  out.digits = std::string_view(buf.data(), w);
  return out;
}

// format_float_short's layout for 'g' and 'r'.
void layout(const Digits& sd, char type, int precision, bool alt, bool add_dot_0,
            std::string& out) {
  int digits_len = static_cast<int>(sd.digits.size());
  int decpt = sd.exp10 + 1;
  // dtoa reports zero as "0" with the point after it.
  if (digits_len == 1 && sd.digits[0] == '0') decpt = 1;
  int vdigits_end = digits_len;
  bool use_exp = false;
  if (type == 'g') {
    if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision)) use_exp = true;
    if (alt) vdigits_end = precision;
  } else {  // 'r'
    if (decpt <= -4 || decpt > 16) use_exp = true;
  }
  int exp = 0;
  if (use_exp) {
    exp = decpt - 1;
    decpt = 1;
  }
  int vdigits_start = decpt <= 0 ? decpt - 1 : 0;
  if (!use_exp && add_dot_0)
    vdigits_end = vdigits_end > decpt ? vdigits_end : decpt + 1;
  else
    vdigits_end = vdigits_end > decpt ? vdigits_end : decpt;

  std::size_t begin = out.size();
  if (sd.negative) out += '-';
  std::string_view digits = sd.digits;
  if (decpt <= 0) {
    out.append(static_cast<std::size_t>(decpt - vdigits_start), '0');
    out += '.';
    out.append(static_cast<std::size_t>(-decpt), '0');
  }
  if (0 < decpt && decpt <= digits_len) {
    out.append(digits.substr(0, static_cast<std::size_t>(decpt)));
    out += '.';
    out.append(digits.substr(static_cast<std::size_t>(decpt)));
  } else {
    out.append(digits);
  }
  if (digits_len < decpt) {
    out.append(static_cast<std::size_t>(decpt - digits_len), '0');
    out += '.';
    out.append(static_cast<std::size_t>(vdigits_end - decpt), '0');
  } else if (vdigits_end > digits_len) {
    out.append(static_cast<std::size_t>(vdigits_end - digits_len), '0');
  }
  if (out.size() > begin && out.back() == '.' && !alt) out.pop_back();
  if (use_exp) append_exponent(exp, out);
}

}  // namespace

void append_double(double d, char type, int precision, bool alt, bool add_dot_0, std::string& out) {
  bool upper = type == 'E' || type == 'F' || type == 'G';
  char lower = upper ? static_cast<char>(type - 'A' + 'a') : type;
  if (std::isnan(d)) {
    out += upper ? "NAN" : "nan";
    return;
  }
  if (std::isinf(d)) {
    if (d < 0) out += '-';
    out += upper ? "INF" : "inf";
    return;
  }
  std::size_t begin = out.size();
  switch (lower) {
    case 'f':
    case 'e': {
      char small[128];
      std::string big;
      char* first = small;
      char* last = small + sizeof small;
      if (precision > 90 || (lower == 'f' && std::fabs(d) >= 1e20)) {
        big.resize(static_cast<std::size_t>(precision) + 400);
        first = big.data();
        last = first + big.size();
      }
      auto r = std::to_chars(
          first, last, d, lower == 'f' ? std::chars_format::fixed : std::chars_format::scientific,
          precision);
      std::string_view text(first, static_cast<std::size_t>(r.ptr - first));
      if (alt && precision == 0) {
        if (lower == 'f') {
          out.append(text);
          out += '.';
        } else {
          auto e = text.find('e');
          out.append(text.substr(0, e));
          out += '.';
          out.append(text.substr(e));
        }
      } else {
        out.append(text);
      }
      break;
    }
    case 'g': {
      int p = precision == 0 ? 1 : precision;
      std::string buf;
      layout(significant_digits(d, p, buf), 'g', p, alt, add_dot_0, out);
      break;
    }
    default: {  // 'r'
      ShortestDigits sd = shortest_digits(d);
      layout(Digits{std::string_view(sd.digits, static_cast<std::size_t>(sd.ndigits)), sd.exp10,
                    sd.negative},
             'r', 0, alt, add_dot_0, out);
      break;
    }
  }
  if (upper)
    for (std::size_t i = begin; i < out.size(); ++i)
      if (out[i] == 'e') out[i] = 'E';
}

void pad_since(std::string& out, std::size_t start, std::size_t width, bool left_align, char fill) {
  std::size_t have = count_code_points(std::string_view(out).substr(start));
  if (have >= width) return;
  if (left_align)
    out.append(width - have, fill);
  else
    out.insert(start, width - have, fill);
}

}  // namespace dictlog::detail
