// Text encodings for email messages, as CPython 3.13's email package does them.
#include "net/email_text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "net/email_message.hpp"

namespace dictlog::detail {

namespace {

constexpr std::size_t kMaxLen = 78;
constexpr char kHex[] = "0123456789ABCDEF";

// _QByteMap.safe: what a "q" encoded word keeps as it is (a space becomes "_").
bool q_safe(unsigned char c) {
  return c == '-' || c == '!' || c == '*' || c == '+' || c == '/' || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// _QUOPRI_BODY_ENCODE_MAP's literal bytes: printable ASCII but "=", tab, CR and LF.
bool qp_body_safe(unsigned char c) {
  return (c >= ' ' && c <= '~' && c != '=') || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base64_decode(std::string_view s) {
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : s) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (v < 0) continue;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

// An encoded word at the start of `s` ("=?cs?q?text?="): its length and decoded bytes.
std::size_t parse_encoded_word(std::string_view s, std::string& decoded) {
  if (!s.starts_with("=?")) return 0;
  const std::size_t q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return 0;
  const char cte = static_cast<char>(s[q1 + 1] | 0x20);
  if (cte != 'q' && cte != 'b') return 0;
  const std::size_t end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos) return 0;
  const std::string_view text = s.substr(q1 + 3, end - q1 - 3);
  if (std::any_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; })) return 0;
  decoded.clear();
  if (cte == 'b') {
    decoded = base64_decode(text);
  } else {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '_') {
        decoded += ' ';
      } else if (text[i] == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                 hex_value(text[i + 2]) >= 0) {
        decoded += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
        i += 2;
      } else {
        decoded += text[i];
      }
    }
  }
  return end + 2;
}

}  // namespace

std::u32string utf8_to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    char32_t cp = n == 0 ? c : c & (0x3F >> n);
    bool ok = true;
    for (int k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    out += cp;
    i += static_cast<std::size_t>(n) + 1;
  }
  return out;
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool is_ascii(std::u32string_view s) {
  return std::all_of(s.begin(), s.end(), [](char32_t c) { return c < 0x80; });
}

bool has_newline(std::u32string_view s) {
  return s.find_first_of(U"\r\n") != std::u32string_view::npos;
}

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string encoded_word(std::u32string_view text) {
  const std::string bytes = u32_to_utf8(text);
  std::size_t qlen = 0;
  for (unsigned char c : bytes) qlen += (q_safe(c) || c == ' ') ? 1 : 3;
  const std::size_t blen = bytes.size() / 3 * 4 + (bytes.size() % 3 ? 4 : 0);
  if (static_cast<long>(qlen) - static_cast<long>(blen) < 5) {
    std::string q;
    for (unsigned char c : bytes) {
      if (c == ' ')
        q += '_';
      else if (q_safe(c))
        q += static_cast<char>(c);
      else
        q += {'=', kHex[c >> 4], kHex[c & 15]};
    }
    return "=?utf-8?q?" + q + "?=";
  }
  std::string b = b2a_base64(bytes);
  b.pop_back();
  return "=?utf-8?b?" + b + "?=";
}

std::u32string decode_unstructured(std::string_view text) {
  std::u32string out;
  bool last_was_ew = false;    // the token before the current blanks was an encoded word
  std::size_t pending_ws = 0;  // where the blanks after an encoded word start in `out`
  bool in_ws_after_ew = false;
  std::string decoded;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t') {
      std::size_t j = i;
      while (j < text.size() && py_isspace(static_cast<unsigned char>(text[j]))) ++j;
      in_ws_after_ew = last_was_ew;
      pending_ws = out.size();
      out += utf8_to_u32(text.substr(i, j - i));
      last_was_ew = false;
      i = j;
      continue;
    }
    if (std::size_t n = parse_encoded_word(text.substr(i), decoded)) {
      if (in_ws_after_ew) out.resize(pending_ws);  // EWWhiteSpaceTerminal: blanks dropped
      out += utf8_to_u32(decoded);
      last_was_ew = true;
      in_ws_after_ew = false;
      i += n;
      continue;
    }
    std::size_t j = i + 1;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' &&
           !(text.substr(j).starts_with("=?") && parse_encoded_word(text.substr(j), decoded)))
      ++j;
    out += utf8_to_u32(text.substr(i, j - i));
    last_was_ew = false;
    in_ws_after_ew = false;
    i = j;
  }
  return out;
}

std::string qp_body_encode(std::string_view bytes, std::size_t maxlinelen) {
  if (bytes.empty()) return {};
  std::string body;
  for (unsigned char c : bytes) {
    if (qp_body_safe(c))
      body += static_cast<char>(c);
    else
      body += {'=', kHex[c >> 4], kHex[c & 15]};
  }
  std::vector<std::string> encoded;
  const long maxlinelen1 = static_cast<long>(maxlinelen) - 1;
  // str.splitlines: only "\r\n", "\r" and "\n" are left after the translation.
  std::vector<std::string_view> lines;
  for (std::size_t i = 0; i < body.size();) {
    std::size_t j = body.find_first_of("\r\n", i);
    if (j == std::string::npos) {
      lines.push_back(std::string_view(body).substr(i));
      break;
    }
    lines.push_back(std::string_view(body).substr(i, j - i));
    i = j + ((body[j] == '\r' && j + 1 < body.size() && body[j + 1] == '\n') ? 2 : 1);
  }
  for (std::string_view line : lines) {
    long start = 0;
    const long laststart = static_cast<long>(line.size()) - 1 - static_cast<long>(maxlinelen);
    auto at = [&](long k) { return line[static_cast<std::size_t>(k)]; };
    auto sub = [&](long a, long b) {
      return std::string(line.substr(static_cast<std::size_t>(a), static_cast<std::size_t>(b - a)));
    };
    while (start <= laststart) {
      const long stop = start + maxlinelen1;
      if (at(stop - 2) == '=') {
        encoded.push_back(sub(start, stop - 1));
        start = stop - 2;
      } else if (at(stop - 1) == '=') {
        encoded.push_back(sub(start, stop));
        start = stop - 1;
      } else {
        encoded.push_back(sub(start, stop) + "=");
        start = stop;
      }
    }
    const long len = static_cast<long>(line.size());
    if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      const long room = start - laststart;
      const auto c = static_cast<unsigned char>(line.back());
      const std::string quoted{'=', kHex[c >> 4], kHex[c & 15]};
      std::string q = room >= 3   ? quoted
                      : room == 2 ? std::string(1, line.back()) + "=\n"
                                  : "=\n" + quoted;
      encoded.push_back(sub(start, len - 1) + q);
    } else {
      encoded.push_back(start < len ? sub(start, len) : std::string());
    }
  }
  if (body.back() == '\r' || body.back() == '\n') encoded.emplace_back();
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (i) out += '\n';
    out += encoded[i];
  }
  return out;
}

std::string b2a_base64(std::string_view bytes) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (bytes.size() - i == 1) {
    const unsigned v = byte(i) << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (bytes.size() - i == 2) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out + "\n";
}

EncodedBody encode_text(std::string_view utf8) {
  // bytes.splitlines(): "\r\n", "\r" and "\n" end a line.
  std::vector<std::string_view> lines;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t j = utf8.find_first_of("\r\n", i);
    if (j == std::string_view::npos) {
      lines.push_back(utf8.substr(i));
      break;
    }
    lines.push_back(utf8.substr(i, j - i));
    i = j + ((utf8[j] == '\r' && j + 1 < utf8.size() && utf8[j + 1] == '\n') ? 2 : 1);
  }
  auto body_of = [&](std::size_t n) {  // policy.default's linesep is "\n"
    std::string b;
    for (std::size_t k = 0; k < n && k < lines.size(); ++k) (b += lines[k]) += '\n';
    if (lines.empty()) b = "\n";
    return b;
  };
  const std::string normal = body_of(lines.size());
  std::size_t longest = 0;
  for (auto l : lines) longest = std::max(longest, l.size());
  if (longest <= kMaxLen) {
    const bool ascii = std::all_of(utf8.begin(), utf8.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    return {ascii ? "7bit" : "8bit", normal};
  }
  const std::string sniff = body_of(10);
  std::string sniff_qp = qp_body_encode(sniff, kMaxLen);
  if (sniff_qp.size() > b2a_base64(sniff).size()) {
    std::string data;
    const std::size_t per_line = kMaxLen / 4 * 3;
    for (std::size_t i = 0; i < normal.size(); i += per_line)
      data += b2a_base64(std::string_view(normal).substr(i, per_line));
    return {"base64", data};
  }
  if (lines.size() <= 10) return {"quoted-printable", sniff_qp};
  return {"quoted-printable", qp_body_encode(normal, kMaxLen)};
}

std::vector<std::string> get_addresses(std::string_view value) {
  std::vector<std::string> out;
  std::string cur, angle;
  bool in_quote = false, in_angle = false, had_angle = false;
  int comment = 0;
  auto finish = [&] {
    std::string a = had_angle ? angle : cur;
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    out.push_back(a);
    cur.clear();
    angle.clear();
    had_angle = false;
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_quote) {
      (in_angle ? angle : cur) += c;
      if (c == '\\' && i + 1 < value.size())
        (in_angle ? angle : cur) += value[++i];
      else if (c == '"')
        in_quote = false;
    } else if (comment) {
      comment += c == '(' ? 1 : c == ')' ? -1 : 0;
    } else if (c == '(') {
      comment = 1;
    } else if (c == '"') {
      in_quote = true;
      (in_angle ? angle : cur) += c;
    } else if (c == '<') {
      in_angle = had_angle = true;
      angle.clear();
    } else if (c == '>') {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      finish();
    } else if (in_angle) {
      if (c != ' ' && c != '\t') angle += c;
    } else {
      cur += c;
    }
  }
  finish();
  // getaddresses(strict=True): an empty element makes the whole header one empty address.
  if (std::any_of(out.begin(), out.end(), [](const std::string& a) { return a.empty(); }))
    return {std::string()};
  for (auto& a : out) std::erase_if(a, [](char c) { return c == ' ' || c == '\t'; });
  return out;
}

std::string bytes_repr(std::string_view bytes) {
  const bool dq =
      bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
  const char quote = dq ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (unsigned char c : bytes) {
    if (c == quote || c == '\\')
      (out += '\\') += static_cast<char>(c);
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20 || c >= 0x7F)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out + quote;
}

}  // namespace dictlog::detail
