// Header text as CPython 3.13's email package encodes it: code points, RFC 2047 encoded
// words (email/_encoded_words.py) and get_unstructured's reading of them.
#include "net/email_text.hpp"

#include <algorithm>

#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// _QByteMap.safe: what a "q" encoded word keeps as it is (a space becomes "_").
bool q_safe(unsigned char c) {
  return c == '-' || c == '!' || c == '*' || c == '+' || c == '/' || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// _QUOPRI_BODY_ENCODE_MAP's literal bytes: printable ASCII but "=", tab, CR and LF.
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
    std::size_t len = 0;
    const char32_t cp = decode_utf8(s, i, len);
    out += len ? cp : U'\uFFFD';  // Python's errors="replace"
    i += len ? len : 1;
  }
  return out;
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) append_utf8(c, out);
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

}  // namespace dictlog::detail
