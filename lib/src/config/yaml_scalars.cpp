// PyYAML's resolver, int and float constructors and reader checks (see yaml_scalars.hpp).
#include "config/yaml_scalars.hpp"

#include <cctype>
#include <cstdio>
#include <limits>
#include <regex>
#include <stdexcept>
#include <string_view>

#include "record/py_unicode.hpp"

namespace dictlog::config::detail {

namespace {

using Json = nlohmann::ordered_json;

// PyYAML's implicit resolvers (yaml/resolver.py), in its order.
const std::regex& bool_re() {
  static const std::regex r(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|"
      "Off|OFF");
  return r;
}
const std::regex& float_re() {
  static const std::regex r(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|"
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  return r;
}
const std::regex& int_re() {
  static const std::regex r(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
      "[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return r;
}
const std::regex& timestamp_re() {
  static const std::regex r(
      "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
      "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
      "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
  return r;
}

}  // namespace

std::string yaml_resolve(const std::string& v) {
  if (v.empty()) return "null";
  const char c = v[0];
  if (std::string_view("yYnNtTfFoO").find(c) != std::string_view::npos &&
      std::regex_match(v, bool_re()))
    return "bool";
  if (std::string_view("-+0123456789.").find(c) != std::string_view::npos &&
      std::regex_match(v, float_re()))
    return "float";
  if (std::string_view("-+0123456789").find(c) != std::string_view::npos &&
      std::regex_match(v, int_re()))
    return "int";
  if (v == "<<") return "merge";
  if (v == "~" || v == "null" || v == "Null" || v == "NULL") return "null";
  if (std::string_view("0123456789").find(c) != std::string_view::npos &&
      std::regex_match(v, timestamp_re()))
    return "timestamp";
  if (v == "=") return "value";
  return "str";
}

namespace {

// Digits separated by ':' in base 60 (1:30 is 90), as PyYAML's sexagesimal numbers.
template <class T, class Part>
T base60(const std::string& v, Part part) {
  T out = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = v.find(':', start);
    out = out * 60 + part(v.substr(start, colon - start));
    if (colon == std::string::npos) return out;
    start = colon + 1;
  }
}

}  // namespace

Json yaml_int(std::string v) {
  std::erase(v, '_');
  bool negative = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.erase(0, 1);
  }
  try {
    unsigned long long n = 0;
    std::size_t used = 0;
    if (v.empty()) throw std::invalid_argument("empty");
    if (v == "0") {
      n = 0;
      used = 1;
    } else if (v.rfind("0b", 0) == 0) {
      n = std::stoull(v.substr(2), &used, 2), used += 2;
    } else if (v.rfind("0x", 0) == 0) {
      n = std::stoull(v.substr(2), &used, 16), used += 2;
    } else if (v[0] == '0') {
      n = std::stoull(v, &used, 8);
    } else if (v.find(':') != std::string::npos) {
      n = base60<unsigned long long>(v, [](const std::string& p) { return std::stoull(p); });
      used = v.size();
    } else {
      n = std::stoull(v, &used, 10);
    }
    if (used != v.size()) throw std::invalid_argument("digits");
    if (n > static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
      throw std::out_of_range("big");
    const auto s = static_cast<long long>(n);
    return negative ? Json(-s) : Json(s);
  } catch (const std::out_of_range&) {
    throw std::invalid_argument("an integer beyond 64 bits");
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("not an integer");
  }
}

Json yaml_float(std::string v) {
  std::erase(v, '_');
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = 1;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    sign = v[0] == '-' ? -1 : 1;
    v.erase(0, 1);
  }
  // PyYAML makes .inf 1e300 * 1e300 and .nan its quotient; JSON holds neither.
  if (v == ".inf" || v == ".nan") throw std::invalid_argument("infinity and NaN have no JSON form");
  try {
    if (v.find(':') != std::string::npos)
      return sign * base60<double>(v, [](const std::string& p) { return std::stod(p); });
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument("digits");
    return sign * d;
  } catch (const std::out_of_range&) {
    throw std::invalid_argument("a float beyond double's range");
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("not a float");
  }
}

namespace {

// PyYAML's reader refuses a character outside YAML's printable set before parsing, and
// reads the file as UTF-8. yaml-cpp 0.7 does neither, and loops forever on some input with a
// NUL in it, so the check comes first, with PyYAML's message.
bool printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

std::optional<std::string> yaml_unacceptable(const std::string& text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 0;
    const char32_t c = dictlog::detail::decode_utf8(text, i, len);
    std::string at = "line " + std::to_string(line) + ", column " + std::to_string(column);
    if (len == 0) return "invalid YAML: " + at + ": not UTF-8";
    if (!printable(c)) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "#x%04x", static_cast<unsigned>(c));
      return "invalid YAML: " + at + ": unacceptable character " + hex +
             ": special characters are not allowed";
    }
    i += len;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::nullopt;
}

}  // namespace dictlog::config::detail
