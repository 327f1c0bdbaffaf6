// OTLP's JSON mapping of a record, written straight into the batch's text (no JSON library:
// net/ sits below config/, the only layer that parses JSON).
#include "net/otlp_json.hpp"

#include <cmath>
#include <variant>

#include <fmt/format.h>

#include "dictlog/otlp_handler.hpp"
#include "net/email_text.hpp"

namespace dictlog::detail {

namespace {

void append_escaped(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
      }
    } else {
      out += ch;
    }
  }
  out += '"';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (hex_digit(c) < 0) return false;
  return true;
}

void append_key_value(std::string_view key, const ValueView& v, std::string& out) {
  out += "{\"key\":";
  append_otlp_string(key, out);
  out += ",\"value\":";
  append_otlp_any_value(v, out);
  out += '}';
}

void append_attribute(bool& first, std::string_view key, const ValueView& v, std::string& out) {
  if (!first) out += ',';
  first = false;
  append_key_value(key, v, out);
}

}  // namespace

void append_otlp_string(std::string_view s, std::string& out) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) {
      append_escaped(u32_to_utf8(utf8_to_u32(s)), out);
      return;
    }
  append_escaped(s, out);
}

void append_otlp_any_value(const ValueView& v, std::string& out) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "{}";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          fmt::format_to(std::back_inserter(out), "{{\"intValue\":\"{}\"}}", x);
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(x))
            out += "{\"doubleValue\":\"NaN\"}";
          else if (std::isinf(x))
            out += x > 0 ? "{\"doubleValue\":\"Infinity\"}" : "{\"doubleValue\":\"-Infinity\"}";
          else
            fmt::format_to(std::back_inserter(out), "{{\"doubleValue\":{}}}", x);
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          out += "{\"stringValue\":";
          append_otlp_string(x, out);
          out += '}';
        } else if constexpr (std::is_same_v<T, const ValueList*>) {
          out += "{\"arrayValue\":{\"values\":[";
          bool first = true;
          for (const Value& item : x->items) {
            if (!first) out += ',';
            first = false;
            append_otlp_any_value(item.view(), out);
          }
          out += "]}}";
        } else {
          out += "{\"kvlistValue\":{\"values\":[";
          bool first = true;
          for (const auto& [k, item] : x->items) append_attribute(first, k, item.view(), out);
          out += "]}}";
        }
      },
      v);
}

void append_otlp_log_record(const LogRecord& r, std::string_view body, std::int64_t observed_ns,
                            std::string& out) {
  fmt::format_to(std::back_inserter(out),
                 "{{\"timeUnixNano\":\"{}\",\"observedTimeUnixNano\":\"{}\",\"severityNumber\":{},"
                 "\"severityText\":",
                 r.created_ns, observed_ns, otlp_severity_number(r.levelno));
  append_otlp_string(r.levelname, out);
  out += ",\"body\":{\"stringValue\":";
  append_otlp_string(body, out);
  out += "},\"attributes\":[";
  bool first = true;
  append_attribute(first, "code.file.path", r.pathname, out);
  append_attribute(first, "code.function.name", r.func_name(), out);
  append_attribute(first, "code.line.number", std::int64_t{r.lineno}, out);
  append_attribute(first, "thread.id", static_cast<std::int64_t>(r.thread), out);
  append_attribute(first, "thread.name", r.thread_name, out);
  if (r.exc_text && *r.exc_text != "NoneType: None") {
    const std::string_view text = *r.exc_text;
    const auto colon = text.find(": ");
    append_attribute(first, "exception.type", text.substr(0, colon), out);
    append_attribute(first, "exception.message",
                     colon == text.npos ? std::string_view() : text.substr(colon + 2), out);
    append_attribute(first, "exception.stacktrace", text, out);
  }
  std::string_view trace_id, span_id;
  for_each_extra(r, [&](std::string_view key, const ValueView& v) {
    const auto* s = std::get_if<std::string_view>(&v);
    if (s && (key == "trace_id" || key == "otelTraceID") && is_hex(*s, 32)) {
      trace_id = *s;
    } else if (s && (key == "span_id" || key == "otelSpanID") && is_hex(*s, 16)) {
      span_id = *s;
    } else {
      append_attribute(first, key, v, out);
    }
  });
  out += ']';
  // An all-zero id is OTLP's "no id": sent as absent.
  if (!trace_id.empty() && trace_id.find_first_not_of('0') != trace_id.npos) {
    out += ",\"traceId\":";
    append_escaped(trace_id, out);
  }
  if (!span_id.empty() && span_id.find_first_not_of('0') != span_id.npos) {
    out += ",\"spanId\":";
    append_escaped(span_id, out);
  }
  out += '}';
}

std::string otlp_attributes(const dictlog::extra& attributes) {
  std::string out = "[";
  bool first = true;
  for (const auto& [k, v] : attributes) append_attribute(first, k, v.view(), out);
  out += ']';
  return out;
}

std::string otlp_request_body(std::string_view resource_attributes,
                              const std::vector<OTLPEncoded>& batch, std::size_t count) {
  std::string out = "{\"resourceLogs\":[{\"resource\":{\"attributes\":";
  out += resource_attributes;
  out += "},\"scopeLogs\":[";
  std::vector<bool> done(count, false);
  for (std::size_t i = 0; i < count; ++i) {
    if (done[i]) continue;
    if (i) out += ',';
    out += "{\"scope\":{\"name\":";
    append_otlp_string(batch[i].scope, out);
    out += "},\"logRecords\":[";
    const char* sep = "";
    for (std::size_t j = i; j < count; ++j) {
      if (done[j] || batch[j].scope != batch[i].scope) continue;
      done[j] = true;
      out += sep;
      out += batch[j].record;
      sep = ",";
    }
    out += "]}";
  }
  out += "]}]}";
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_otel_list(std::string_view text) {
  auto trim = [](std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == s.npos) return std::string_view();
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  };
  auto decode = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
        out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text.remove_prefix(comma == text.npos ? text.size() : comma + 1);
    const auto eq = item.find('=');
    if (eq == item.npos) continue;
    const auto key = trim(item.substr(0, eq));
    if (key.empty()) continue;
    out.emplace_back(decode(key), decode(trim(item.substr(eq + 1))));
  }
  return out;
}

std::uint64_t otlp_rejected_records(std::string_view response) {
  auto p = response.find("\"rejectedLogRecords\"");
  if (p == response.npos) return 0;
  p = response.find_first_of("0123456789", p + 20);
  std::uint64_t n = 0;
  while (p < response.size() && response[p] >= '0' && response[p] <= '9')
    n = n * 10 + static_cast<std::uint64_t>(response[p++] - '0');
  return n;
}

}  // namespace dictlog::detail
