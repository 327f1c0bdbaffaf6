// http.client's host parsing, Host header and request-line checks.
#include "net/http_request.hpp"

#include <charconv>

#include <fmt/format.h>

#include "dictlog/errors.hpp"
#include "dictlog/http_handler.hpp"
#include "dictlog/value.hpp"

namespace dictlog::detail {

namespace {

// http.client's _contains_disallowed_url_pchar_re: [\x00-\x20\x7f].
std::size_t find_disallowed(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7f) return i;
  }
  return std::string_view::npos;
}

void check_control(std::string_view s) {
  const std::size_t i = find_disallowed(s);
  if (i == std::string_view::npos) return;
  throw InvalidURL(fmt::format("URL can't contain control characters. {} (found at least {})",
                               repr(ValueView(s)), repr(ValueView(s.substr(i, 1)))));
}

// _strip_ipv6_iface: "[fe80::1%eth0]" -> "[fe80::1]".
std::string strip_iface(std::string_view s) {
  const auto pct = s.find('%');
  if (pct == std::string_view::npos) return std::string(s);
  return std::string(s.substr(0, pct)) + "]";
}

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.';
}

// urlsplit(url).netloc.
std::string_view netloc_of(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (char c : url.substr(0, colon))
    if (!is_scheme_char(c)) return {};
  std::string_view rest = url.substr(colon + 1);
  if (!rest.starts_with("//")) return {};
  rest.remove_prefix(2);
  std::string_view netloc = rest.substr(0, rest.find_first_of("/?#"));
  if ((netloc.find('[') == std::string_view::npos) != (netloc.find(']') == std::string_view::npos))
    throw ValueError("Invalid IPv6 URL");
  return netloc;
}

// One UTF-8 sequence at s[i] as a code point (a stray byte stands for itself).
char32_t decode(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  const int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  char32_t cp = n == 0 ? b : (b & (0x3F >> n));
  for (int k = 0; k < n && i < s.size(); ++k) cp = (cp << 6) | (s[i++] & 0x3F);
  return cp;
}

}  // namespace

HostPort parse_host(std::string_view host, long default_port) {
  HostPort out;
  out.default_port = default_port;
  out.port = default_port;
  const auto i = host.rfind(':');
  const auto j = host.rfind(']');
  if (i != std::string_view::npos && (j == std::string_view::npos || i > j)) {
    std::string_view digits = host.substr(i + 1);
    if (!digits.empty()) {
      long port = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits[0] == '-')
        throw InvalidURL(fmt::format("nonnumeric port: '{}'", digits));
      out.port = port;
    }
    host = host.substr(0, i);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  out.host = std::string(host);
  check_control(out.host);
  return out;
}

std::string host_header(const HostPort& peer, std::string_view target) {
  if (target.starts_with("http")) {
    std::string_view netloc = netloc_of(target);
    if (!netloc.empty()) return strip_iface(netloc);
  }
  for (char c : peer.host)
    if (static_cast<unsigned char>(c) >= 0x80)
      throw ValueError(
          "HTTPHandler needs an ASCII host name (write an internationalised name "
          "in its xn-- form): " +
          repr(ValueView(std::string_view(peer.host))));
  std::string h = peer.host;
  if (h.find(':') != std::string::npos) {
    if (h.front() != '[') h = "[" + h + "]";
    h = strip_iface(h);
  }
  if (peer.port == peer.default_port) return h;
  return h + ":" + std::to_string(peer.port);
}

std::string connection_url(const HostPort& peer, bool secure) {
  std::string host;
  if (peer.host.find(':') != std::string::npos) {
    host = "[";
    for (char c : peer.host) host += c == '%' ? std::string("%25") : std::string(1, c);
    host += "]";
  } else {
    host = peer.host;
  }
  return fmt::format("{}://{}:{}/", secure ? "https" : "http", host, peer.port);
}

void check_request_line(std::string_view method, std::string_view target) {
  check_control(target);
  const std::string line = fmt::format("{} {} HTTP/1.1", method, target);
  std::size_t start = 0, end = 0, pos = 0;
  char32_t first = 0;
  for (std::size_t i = 0; i < line.size(); ++pos) {
    const char32_t cp = decode(line, i);
    if (cp < 0x80) {
      if (end) break;
      continue;
    }
    if (!end) start = pos, first = cp;
    end = pos + 1;
  }
  if (!end) return;
  if (end - start == 1) {
    const char* f = first < 0x100 ? "\\x{:02x}" : first < 0x10000 ? "\\u{:04x}" : "\\U{:08x}";
    throw UnicodeEncodeError(fmt::format(
        "'ascii' codec can't encode character '{}' in position {}: ordinal not in range(128)",
        fmt::format(fmt::runtime(f), static_cast<std::uint32_t>(first)), start));
  }
  throw UnicodeEncodeError(fmt::format(
      "'ascii' codec can't encode characters in position {}-{}: ordinal not in range(128)", start,
      end - 1));
}

std::string base64(std::string_view bytes) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += digits[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace dictlog::detail
