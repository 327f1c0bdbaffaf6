// A recursive-descent reader for the Python literals of fileConfig files (py_literal.hpp).
#include "config/py_literal.hpp"

#include <cctype>
#include <cstdint>
#include <map>
#include <vector>

#include "record/py_unicode.hpp"

namespace dictlog::config::detail {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxDepth = 100;

// Names vars(logging) gives eval that stand for numbers: the level names, and the port
// numbers of logging.handlers (as numbers: dictConfig leaves an ext:// inside a tuple such as
// SysLogHandler's address unresolved).
const std::map<std::string, int>& numbers() {
  static const std::map<std::string, int> m{{"CRITICAL", 50},
                                            {"FATAL", 50},
                                            {"ERROR", 40},
                                            {"WARNING", 30},
                                            {"WARN", 30},
                                            {"INFO", 20},
                                            {"DEBUG", 10},
                                            {"NOTSET", 0},
                                            {"handlers.DEFAULT_TCP_LOGGING_PORT", 9020},
                                            {"handlers.DEFAULT_UDP_LOGGING_PORT", 9021},
                                            {"handlers.DEFAULT_HTTP_LOGGING_PORT", 9022},
                                            {"handlers.DEFAULT_SOAP_LOGGING_PORT", 9023},
                                            {"handlers.SYSLOG_UDP_PORT", 514},
                                            {"handlers.SYSLOG_TCP_PORT", 514}};
  return m;
}

class Reader {
 public:
  explicit Reader(std::string_view t) : t_(t) {}

  Json whole() {
    Json v = expression(0);
    skip();
    if (i_ < t_.size()) fail(i_, "unexpected '" + std::string(1, t_[i_]) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) {
    throw PyLiteralError(at, what + " (dictlog reads Python literals here, never code)");
  }

  void skip() {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\\'))
      ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  // An expression, refusing whatever follows a value and would make it more than a literal.
  Json expression(std::size_t depth) {
    Json v = atom(depth);
    skip();
    if (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '(') fail(i_, "a call is not allowed");
      if (c == '.') fail(i_, "attribute access is not allowed");
      if (c == '[') fail(i_, "a subscript is not allowed");
      if (std::string_view("+-*/%@<>=!&|^~").find(c) != std::string_view::npos)
        fail(i_, "an operator is not allowed");
    }
    return v;
  }

  Json atom(std::size_t depth) {
    if (depth > kMaxDepth) fail(i_, "nesting too deep");
    skip();
    if (i_ >= t_.size()) fail(i_, "a value is missing");
    const char c = t_[i_];
    if (c == '(') return sequence(')', depth, true);
    if (c == '[') return sequence(']', depth, false);
    if (c == '{') return dict(depth);
    if (c == '\'' || c == '"' || prefixed_string()) return strings();
    if (i_ + 1 < t_.size() && std::isalpha(static_cast<unsigned char>(c)) &&
        (t_[i_ + 1] == '\'' || t_[i_ + 1] == '"' ||
         (i_ + 2 < t_.size() && std::isalpha(static_cast<unsigned char>(t_[i_ + 1])) &&
          (t_[i_ + 2] == '\'' || t_[i_ + 2] == '"'))))
      fail(i_, "bytes and f-strings are not allowed");
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')
      return number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return name();
    fail(i_, "unexpected '" + std::string(1, c) + "'");
  }

  // (...) is a tuple when empty or with a comma, else the value in parentheses.
  Json sequence(char close, std::size_t depth, bool tuple) {
    ++i_;
    Json a = Json::array();
    bool comma = false;
    while (!eat(close)) {
      if (!a.empty() && !comma) fail(i_, "expected ',' or '" + std::string(1, close) + "'");
      a.push_back(expression(depth + 1));
      comma = eat(',');
    }
    if (tuple && a.size() == 1 && !comma) return a[0];
    return a;
  }

  Json dict(std::size_t depth) {
    ++i_;
    Json o = Json::object();
    bool comma = true;
    while (!eat('}')) {
      if (!comma) fail(i_, "expected ',' or '}'");
      skip();
      const std::size_t at = i_;
      Json key = expression(depth + 1);
      if (!key.is_string()) fail(at, "a dict key must be a string here");
      if (!eat(':')) fail(i_, "expected ':'");
      o[key.get<std::string>()] = expression(depth + 1);
      comma = eat(',');
    }
    return o;
  }

  // One or more adjacent string literals, joined as Python joins them.
  Json strings() {
    const std::size_t start = i_;
    std::string out;
    do {
      out += string_literal();
      skip();
    } while (i_ < t_.size() && (t_[i_] == '\'' || t_[i_] == '"' || prefixed_string()));
    if (out.rfind("cfg://", 0) == 0 || out.rfind("ext://", 0) == 0)
      fail(start,
           "a string starting with cfg:// or ext:// (fileConfig keeps it as text; "
           "write the name itself, e.g. sys.stdout)");
    return out;
  }

  bool prefixed_string() const {
    return i_ + 1 < t_.size() && std::string_view("rRuU").find(t_[i_]) != std::string_view::npos &&
           (t_[i_ + 1] == '\'' || t_[i_ + 1] == '"');
  }

  std::string string_literal() {
    bool raw = false;
    if (std::string_view("rRuU").find(t_[i_]) != std::string_view::npos) {
      raw = t_[i_] == 'r' || t_[i_] == 'R';
      ++i_;
    }
    const char q = t_[i_];
    const bool triple = t_.substr(i_, 3) == std::string(3, q);
    const std::size_t open = i_;
    i_ += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (i_ >= t_.size()) fail(open, "a string is not closed");
      const char c = t_[i_];
      if (c == q && (!triple || t_.substr(i_, 3) == std::string(3, q))) {
        i_ += triple ? 3 : 1;
        return out;
      }
      if (c == '\n' && !triple) fail(open, "a string is not closed on its line");
      if (c == '\\' && !raw) {
        escape(out);
        continue;
      }
      if (c == '\\' && raw && i_ + 1 < t_.size()) out += t_[i_++];
      out += t_[i_++];
    }
  }

  void escape(std::string& out) {
    const std::size_t at = i_++;
    if (i_ >= t_.size()) fail(at, "a string is not closed");
    const char e = t_[i_++];
    if (e == '\n') return;  // a backslash at the end of a line joins it to the next
    static constexpr std::string_view kFrom = "\\'\"abfnrtv";
    static constexpr std::string_view kTo = "\\'\"\a\b\f\n\r\t\v";
    if (const auto k = kFrom.find(e); k != std::string_view::npos) {
      out += kTo[k];
      return;
    }
    if (e == 'x' || e == 'u' || e == 'U')
      return code_point(at, e == 'x' ? 2 : e == 'u' ? 4 : 8, out);
    if (e >= '0' && e <= '7') {
      unsigned v = static_cast<unsigned>(e - '0');
      for (int k = 0; k < 2 && i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '7'; ++k)
        v = v * 8 + static_cast<unsigned>(t_[i_++] - '0');
      dictlog::detail::append_utf8(v, out);
      return;
    }
    if (e == 'N') fail(at, "\\N{...} escapes are not read");
    out += '\\';  // Python keeps an unknown escape as it is
    out += e;
  }

  void code_point(std::size_t at, int digits, std::string& out) {
    if (i_ + static_cast<std::size_t>(digits) > t_.size()) fail(at, "a truncated escape");
    const std::string hex(t_.substr(i_, static_cast<std::size_t>(digits)));
    for (char h : hex)
      if (!std::isxdigit(static_cast<unsigned char>(h))) fail(at, "a truncated escape");
    const auto v = static_cast<char32_t>(std::stoul(hex, nullptr, 16));
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) fail(at, "an escape out of range");
    i_ += static_cast<std::size_t>(digits);
    dictlog::detail::append_utf8(v, out);
  }

  Json number() {
    const std::size_t start = i_;
    bool negative = false;
    while (i_ < t_.size() && (t_[i_] == '-' || t_[i_] == '+')) {
      negative = negative != (t_[i_] == '-');
      ++i_;
      skip();
    }
    std::size_t end = i_;
    while (end < t_.size() &&
           (std::isalnum(static_cast<unsigned char>(t_[end])) || t_[end] == '_' || t_[end] == '.' ||
            ((t_[end] == '-' || t_[end] == '+') && (t_[end - 1] == 'e' || t_[end - 1] == 'E'))))
      ++end;
    std::string s(t_.substr(i_, end - i_));
    if (s.empty()) fail(start, "an operator is not allowed");
    std::erase(s, '_');
    i_ = end;
    try {
      std::size_t used = 0;
      const bool based =
          s.size() > 2 && s[0] == '0' && std::isalpha(static_cast<unsigned char>(s[1]));
      if (based) {
        const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
        const int base = b == 'x' ? 16 : b == 'o' ? 8 : b == 'b' ? 2 : 0;
        if (base == 0) fail(start, "not a number");
        const unsigned long long v = std::stoull(s.substr(2), &used, base);
        if (used != s.size() - 2 || v > INT64_MAX) fail(start, "not a 64-bit integer");
        return negative ? -static_cast<long long>(v) : static_cast<long long>(v);
      }
      if (s.find_first_of(".eEjJ") == std::string::npos) {
        if (s.size() > 1 && s[0] == '0' && s.find_first_not_of('0') != std::string::npos)
          fail(start, "a leading zero in a decimal integer");
        const unsigned long long v = std::stoull(s, &used, 10);
        if (used != s.size() || v > INT64_MAX) fail(start, "not a 64-bit integer");
        return negative ? -static_cast<long long>(v) : static_cast<long long>(v);
      }
      if (s.find_first_of("jJ") != std::string::npos) fail(start, "a complex number");
      const double d = std::stod(s, &used);
      if (used != s.size()) fail(start, "not a number");
      return negative ? -d : d;
    } catch (const std::logic_error&) {
      fail(start, "not a number");
    }
  }

  Json name() {
    const std::size_t start = i_;
    std::string n;
    for (;;) {
      while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '_'))
        n += t_[i_++];
      if (i_ < t_.size() && t_[i_] == '.' && i_ + 1 < t_.size() &&
          (std::isalpha(static_cast<unsigned char>(t_[i_ + 1])) || t_[i_ + 1] == '_')) {
        n += t_[i_++];
        continue;
      }
      break;
    }
    if (n == "True") return true;
    if (n == "False") return false;
    if (n == "None") return nullptr;
    // tuple(), list() and dict() with nothing inside are empty literals (CPython's own
    // test_logging writes args=tuple()); any other call is code.
    if (n == "tuple" || n == "list" || n == "dict") {
      std::size_t k = i_;
      if (eat('(') && eat(')')) return n == "dict" ? Json::object() : Json::array();
      i_ = k;
    }
    skip();
    if (i_ < t_.size() && t_[i_] == '(') fail(start, "a call is not allowed: " + n + "(...)");
    // fileConfig evaluates in the logging module's namespace, which has no name `logging`:
    // DEBUG and handlers.X are how a file names them (logging.DEBUG is a NameError there).
    if (n.rfind("logging.", 0) == 0)
      fail(start,
           "NameError: name 'logging' is not defined (fileConfig reads names in the "
           "logging module: write " +
               n.substr(8) + ")");
    if (auto it = numbers().find(n); it != numbers().end()) return it->second;
    if (n.rfind("handlers.", 0) == 0) return "ext://logging." + n;
    if (n.find('.') == std::string::npos) {
      if (n == "lambda") fail(start, "a lambda is not allowed");
      fail(start, "the name '" + n +
                      "' is not one dictlog knows (level names, sys.stdout, "
                      "sys.stderr, handlers.*, or a registered dotted name)");
    }
    return "ext://" + n;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

}  // namespace

Json parse_py_literal(std::string_view text) {
  return Reader(text).whole();
}

}  // namespace dictlog::config::detail
