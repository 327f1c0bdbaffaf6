// Bodies and addresses of email messages as CPython 3.13 makes them: set_content's
// transfer encoding (email/contentmanager.py, quoprimime.py, binascii), getaddresses, and
// the repr of the server's replies in smtplib's exceptions.
#include <algorithm>

#include <fmt/format.h>

#include "net/email_message.hpp"
#include "net/email_text.hpp"
#include "net/http_request.hpp"  // base64, shared with Basic auth

namespace dictlog::detail {

namespace {

constexpr std::size_t kMaxLen = 78;  // policy.default.max_line_length
constexpr char kHex[] = "0123456789ABCDEF";

bool qp_body_safe(unsigned char c) {
  return (c >= ' ' && c <= '~' && c != '=') || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

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
  return base64(bytes) + "\n";
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
