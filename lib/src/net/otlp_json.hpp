// The OTLP/HTTP JSON encoding of records (opentelemetry-proto's ExportLogsServiceRequest as
// its JSON mapping spells it: lowerCamelCase keys, 64-bit integers as strings, trace and
// span ids as hex), and the OTEL_* environment lists. For OTLPHandler; not installed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dictlog/record.hpp"
#include "dictlog/value.hpp"

namespace dictlog::detail {

// A JSON string of `s`; bytes that are not UTF-8 become U+FFFD (receivers reject invalid
// UTF-8 in a protobuf string).
void append_otlp_string(std::string_view s, std::string& out);
// An AnyValue: {} for None, boolValue, intValue (a string), doubleValue ("NaN",
// "Infinity" and "-Infinity" as strings), stringValue, arrayValue, kvlistValue.
void append_otlp_any_value(const ValueView& v, std::string& out);

// One record as a LogRecord object; `body` is its text, `observed_ns` when it was emitted.
void append_otlp_log_record(const LogRecord& r, std::string_view body, std::int64_t observed_ns,
                            std::string& out);

// A record waiting for its batch: its scope (the logger's name) and its LogRecord object.
struct OTLPEncoded {
  std::string scope;
  std::string record;
};
// The request body: {"resourceLogs":[{"resource":{"attributes":RESOURCE},"scopeLogs":[one
// per scope, in the order each first appears, its records in their order]}]}.
// `resource_attributes` is a JSON array of KeyValue objects.
std::string otlp_request_body(std::string_view resource_attributes,
                              const std::vector<OTLPEncoded>& batch, std::size_t count);
// The JSON array of KeyValue objects for the resource.
std::string otlp_attributes(const dictlog::extra& attributes);

// "k=v,k2=v2" as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES write it (keys and
// values trimmed and %-decoded, items without '=' skipped).
std::vector<std::pair<std::string, std::string>> parse_otel_list(std::string_view text);
// partialSuccess.rejectedLogRecords of a response body (0 when absent).
std::uint64_t otlp_rejected_records(std::string_view response);

}  // namespace dictlog::detail
