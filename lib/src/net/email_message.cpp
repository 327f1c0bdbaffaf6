// EmailMessage as CPython 3.13's email package writes it (contentmanager.py, quoprimime.py,
// _header_value_parser.py's _refold_parse_tree and _fold_as_ew, _encoded_words.py).
#include "net/email_message.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "net/email_text.hpp"

namespace dictlog::detail {

namespace {

constexpr long kMaxLen = 78;  // policy.default.max_line_length
constexpr long kChrome = 12;  // "=?utf-8?q?" + "?="

bool is_wsp(char32_t c) {
  return c == ' ' || c == '\t';
}

// One line of a folded header; only ASCII once encoded, so bytes are characters.
using Lines = std::vector<std::string>;

std::string steal_trailing_wsp(Lines& lines) {
  std::string wsp;
  if (!lines.empty() && !lines.back().empty() && is_wsp(lines.back().back())) {
    wsp = lines.back().back();
    lines.back().pop_back();
  }
  return wsp;
}

long room(const Lines& lines) {
  return kMaxLen - static_cast<long>(lines.back().size());
}

// _fold_as_ew: `text` as encoded words from the end of the last line, combined with the
// encoded word at `last_ew` (and what follows it) when there is one. Returns the new
// last_ew.
std::size_t fold_as_ew(std::u32string text, Lines& lines, std::optional<std::size_t> last_ew,
                       std::u32string leading_ws) {
  if (last_ew) {
    text = decode_unstructured(lines.back().substr(std::min(*last_ew, lines.back().size()))) + text;
    lines.back().resize(std::min(*last_ew, lines.back().size()));
  } else if (is_wsp(text[0])) {
    const char lead = static_cast<char>(text[0]);
    text.erase(0, 1);
    if (room(lines) == 0) lines.push_back(steal_trailing_wsp(lines));
    lines.back() += lead;
  }
  // CPython raises IndexError on a run of blanks longer than a line; dictlog keeps it.
  if (text.empty()) return last_ew.value_or(lines.back().size());
  std::string trailing;
  if (is_wsp(text.back())) {
    trailing = static_cast<char>(text.back());
    text.pop_back();
  }
  std::size_t new_last_ew = last_ew ? *last_ew : lines.back().size();
  while (!text.empty()) {
    const long remaining = room(lines);
    const long text_space = remaining - kChrome - static_cast<long>(leading_ws.size());
    if (text_space <= 0) {
      lines.push_back(" ");
      continue;
    }
    if (lines.size() > 1 && lines.back().size() == 1 && !leading_ws.empty()) {
      lines.back() += encoded_word(leading_ws);
      leading_ws.clear();
    }
    std::u32string word = text.substr(0, static_cast<std::size_t>(text_space));
    std::string enc = encoded_word(word);
    while (static_cast<long>(enc.size()) > remaining) {
      word.pop_back();
      enc = encoded_word(word);
    }
    lines.back() += enc;
    text.erase(0, word.size());
    leading_ws.clear();
    if (!text.empty()) {
      lines.push_back(" ");
      new_last_ew = 1;
    }
  }
  lines.back() += trailing;
  return new_last_ew;
}

// get_unstructured's tokens: runs of blanks (with any whitespace after the first blank,
// as get_fws's lstrip takes) and runs of anything else.
std::vector<std::pair<std::u32string, bool>> unstructured_tokens(const std::u32string& v) {
  std::vector<std::pair<std::u32string, bool>> out;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t j = i;
    const bool fws = is_wsp(v[i]);
    if (fws)
      while (j < v.size() && py_isspace(v[j])) ++j;
    else
      while (j < v.size() && !is_wsp(v[j])) ++j;
    out.emplace_back(v.substr(i, j - i), fws);
    i = j;
  }
  return out;
}

std::string join_lines(const Lines& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

}  // namespace

std::string fold_unstructured(std::string_view name, std::string_view utf8_value) {
  const std::u32string value = utf8_to_u32(utf8_value);
  Lines lines{std::string(name) + ":"};
  if (value.empty()) return join_lines(lines);
  lines.back() += ' ';
  std::u32string leading_ws;
  std::optional<std::size_t> last_ew;
  const long len = static_cast<long>(value.size());
  if (is_ascii(value) && !has_newline(value)) {
    if (len <= room(lines)) {
      lines.back() += u32_to_utf8(value);
      return join_lines(lines);
    }
    if (len + 1 <= kMaxLen && is_wsp(lines.back().back())) {
      lines.back().pop_back();
      lines.push_back(" " + u32_to_utf8(value));
      return join_lines(lines);
    }
  }
  // The token list does not fit (or needs encoding): its terminals one by one.
  auto tokens = unstructured_tokens(value);
  bool want_encoding = false;
  for (std::size_t i = 0; i < tokens.size();) {
    const auto& [tok, fws] = tokens[i];
    if (!want_encoding) want_encoding = has_newline(tok);
    if (!is_ascii(tok)) want_encoding = true;
    if (want_encoding) {
      last_ew = fold_as_ew(tok, lines, last_ew, leading_ws);
      leading_ws.clear();
      want_encoding = false;
      ++i;
      continue;
    }
    const long n = static_cast<long>(tok.size());
    if (n <= room(lines)) {
      lines.back() += u32_to_utf8(tok);
      ++i;
      continue;
    }
    leading_ws.clear();
    if (n + 1 <= kMaxLen) {
      std::string newline = steal_trailing_wsp(lines);
      if (!newline.empty() || fws) {
        lines.push_back(newline + u32_to_utf8(tok));
        for (char c : lines.back()) {
          if (!is_wsp(static_cast<unsigned char>(c))) break;
          leading_ws += static_cast<char32_t>(c);
        }
        last_ew.reset();
        ++i;
        continue;
      }
    }
    want_encoding = true;  // too long for any line: encoded words can be split
  }
  return join_lines(lines);
}

std::string fold_address(std::string_view name, std::string_view ascii_value) {
  std::string out = std::string(name) + ":";
  if (ascii_value.empty()) return out + "\r\n";
  const long len = static_cast<long>(ascii_value.size());
  if (len <= kMaxLen - static_cast<long>(out.size()) - 1)
    return out + " " + std::string(ascii_value) + "\r\n";
  if (len + 1 <= kMaxLen) return out + "\r\n " + std::string(ascii_value) + "\r\n";
  return out + " " + std::string(ascii_value) + "\r\n";
}

std::string email_date(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const long off = tm.tm_gmtoff / 60;
  const long a = off < 0 ? -off : off;
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} {}{:02d}{:02d}", kDays[tm.tm_wday],
                     tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, off < 0 ? '-' : '+', a / 60, a % 60);
}

std::string email_message(const EmailFields& f) {
  const EncodedBody body = encode_text(f.body);
  std::string out;
  out += fold_address("From", f.from);
  out += fold_address("To", f.to);
  out += fold_unstructured("Subject", f.subject);
  out += fold_unstructured("Date", f.date);
  out += "Content-Type: text/plain; charset=\"utf-8\"\r\n";
  out += "Content-Transfer-Encoding: " + body.cte + "\r\n";
  out += "MIME-Version: 1.0\r\n\r\n";
  // The generator's _write_lines: every "\n" becomes "\r\n".
  for (char c : body.payload) {
    if (c == '\n')
      out += "\r\n";
    else
      out += c;
  }
  return out;
}

}  // namespace dictlog::detail
