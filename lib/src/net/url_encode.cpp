// quote_plus and urlencode as urllib.parse has them.
#include "net/url_encode.hpp"

namespace dictlog::detail {

namespace {

// urllib.parse's _ALWAYS_SAFE: RFC 3986's unreserved characters.
bool always_safe(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '~';
}

void quote_plus_to(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (always_safe(c)) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
}

}  // namespace

std::string quote_plus(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  quote_plus_to(out, s);
  return out;
}

std::string url_encode(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out;
  for (const auto& [key, value] : items) {
    if (!out.empty()) out += '&';
    quote_plus_to(out, key);
    out += '=';
    quote_plus_to(out, value);
  }
  return out;
}

}  // namespace dictlog::detail
