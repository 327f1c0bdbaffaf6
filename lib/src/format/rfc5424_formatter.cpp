// RFC 5424's HEADER, STRUCTURED-DATA and MSG around a Formatter's output (see the header).
#include "dictlog/rfc5424_formatter.hpp"

#include <unistd.h>

#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "dictlog/errors.hpp"
#include "dictlog/record.hpp"

namespace dictlog {

namespace {

// PRINTUSASCII (%d33-126), what HOSTNAME, APP-NAME, MSGID and SD-NAME are made of.
bool printusascii(char c) {
  return c >= 33 && c <= 126;
}

// A header field: `fallback` when empty, else checked against RFC 5424's limits.
std::string header_field(std::string value, std::size_t max, const char* what) {
  if (value.empty()) return "-";
  for (char c : value)
    if (!printusascii(c))
      throw ValueError(
          fmt::format("RFC 5424's {} is printable ASCII without spaces: '{}' is "
                      "not",
                      what, value));
  if (value.size() > max)
    throw ValueError(fmt::format("RFC 5424's {} is at most {} characters: '{}' has {}", what, max,
                                 value, value.size()));
  return value;
}

std::string program_name() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// An SD-NAME (PARAM-NAME): printable ASCII but '=', ' ', ']', '"', at most 32.
std::string param_name(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (out.size() == 32) break;
    out += printusascii(c) && c != '=' && c != ']' && c != '"' ? c : '_';
  }
  return out.empty() ? "_" : out;
}

void append_param_value(std::string_view v, std::string& out) {
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
}

void append_timestamp(std::int64_t ns, bool utc, std::string& out) {
  const std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  const auto micros = static_cast<long>((ns / 1000) % 1'000'000);
  std::tm tm{};
  if (utc)
    ::gmtime_r(&secs, &tm);
  else
    ::localtime_r(&secs, &tm);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 micros);
  if (utc) {
    out += 'Z';
    return;
  }
  const long off = tm.tm_gmtoff / 60;
  fmt::format_to(std::back_inserter(out), "{}{:02}:{:02}", off < 0 ? '-' : '+',
                 (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

}  // namespace

RFC5424Formatter::RFC5424Formatter(RFC5424Options options)
    : Formatter(options.format, std::nullopt, options.style), options_(std::move(options)) {
  options_.app_name =
      header_field(options_.app_name.empty() ? program_name() : options_.app_name, 48, "APP-NAME");
  options_.hostname =
      header_field(options_.hostname.empty() ? host_name() : options_.hostname, 255, "HOSTNAME");
  options_.msgid = header_field(options_.msgid, 32, "MSGID");
  if (!options_.sd_id.empty()) {
    for (char c : options_.sd_id)
      if (!printusascii(c) || c == '=' || c == ']' || c == '"')
        throw ValueError(
            fmt::format("RFC 5424's SD-ID is printable ASCII without '=', ' ', "
                        "']' or '\"': '{}' is not",
                        options_.sd_id));
    if (options_.sd_id.size() > 32)
      throw ValueError(
          fmt::format("RFC 5424's SD-ID is at most 32 characters: '{}'", options_.sd_id));
  }
}

void RFC5424Formatter::format_to(const LogRecord& record, std::string& out) const {
  out += "1 ";
  append_timestamp(record.created_ns, options_.utc, out);
  fmt::format_to(std::back_inserter(out), " {} {} {} {} ", options_.hostname, options_.app_name,
                 record.process, options_.msgid);
  const std::size_t sd = out.size();
  if (!options_.sd_id.empty()) {
    for_each_extra(record, [&](std::string_view key, const ValueView& value) {
      if (out.size() == sd) out += "[" + options_.sd_id;
      out += ' ';
      out += param_name(key);
      out += "=\"";
      append_param_value(str(value), out);
      out += '"';
    });
  }
  out += out.size() == sd ? "-" : "]";
  std::string msg;
  Formatter::format_to(record, msg);
  if (msg.empty()) return;  // MSG is optional, and so is the space before it
  out += ' ';
  bool ascii = true;
  for (char c : msg) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  using Bom = RFC5424Options::Bom;
  if (options_.bom == Bom::always || (options_.bom == Bom::automatic && !ascii))
    out += "\xEF\xBB\xBF";
  out += msg;
}

}  // namespace dictlog
