// OTLPHandler's options completed from the OpenTelemetry SDK environment variables
// (opentelemetry-specification, "Environment Variable Specification" and the OTLP
// exporter's), and the severity numbers of Python's levels.
#include <cctype>
#include <cstdlib>
#include <string>

#include "dictlog/errors.hpp"
#include "dictlog/otlp_handler.hpp"
#include "net/gzip.hpp"
#include "net/otlp_json.hpp"

namespace dictlog {

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

bool has_key(const dictlog::extra& e, std::string_view key) {
  for (const auto& kv : e)
    if (kv.first == key) return true;
  return false;
}

}  // namespace

int otlp_severity_number(int levelno) {
  // OpenTelemetry's ranges: TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20,
  // FATAL 21-24; Python's level N0 is the range's first number, N1 and N2 the next two,
  // N3..N9 its last (as opentelemetry-sdk's _std_to_otel).
  if (levelno <= 0) return 0;
  if (levelno < 10) return levelno < 4 ? levelno : 4;
  const int band = levelno >= 50 ? 4 : levelno / 10 - 1;
  const int step = levelno >= 50 ? levelno - 50 : levelno % 10;
  return 5 + 4 * band + (step < 3 ? step : 3);
}

namespace detail {

// The options as OTLPHandler uses them: what is unset taken from the environment.
OTLPOptions resolve_otlp_options(OTLPOptions o) {
  if (!o.endpoint) {
    if (const char* e = env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) {
      o.endpoint = e;
    } else if (const char* base = env("OTEL_EXPORTER_OTLP_ENDPOINT")) {
      std::string b = base;
      if (!b.ends_with('/')) b += '/';
      o.endpoint = b + "v1/logs";
    } else {
      o.endpoint = "http://localhost:4318/v1/logs";
    }
  }
  if (!o.endpoint->starts_with("http://") && !o.endpoint->starts_with("https://"))
    throw ValueError("OTLPHandler: endpoint must be an http:// or https:// URL, not '" +
                     *o.endpoint + "'");
  if (o.max_batch == 0) throw ValueError("OTLPHandler: max_batch must be at least 1");
  if (o.max_queue == 0) throw ValueError("OTLPHandler: max_queue must be at least 1");
  if (o.max_attempts < 1) throw ValueError("OTLPHandler: max_attempts must be at least 1");
  if (!o.timeout) {
    const char* t = env("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT");
    if (!t) t = env("OTEL_EXPORTER_OTLP_TIMEOUT");
    char* end = nullptr;
    const double ms = t ? std::strtod(t, &end) : 0;
    o.timeout = (t && *end == '\0' && ms > 0) ? ms / 1000 : 10.0;
  }
  if (!o.gzip) {
    const char* c = env("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION");
    if (!c) c = env("OTEL_EXPORTER_OTLP_COMPRESSION");
    o.gzip = c && std::string_view(c) == "gzip";
  }
  if (*o.gzip && !have_gzip())
    throw ValueError("OTLPHandler: gzip needs zlib, which this build of dictlog lacks");

  // Headers: the environment's first, a name given in the options replacing it.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const char* name : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"})
    if (const char* h = env(name))
      for (auto& kv : parse_otel_list(h)) headers.push_back(std::move(kv));
  auto same_name = [](const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    return true;
  };
  for (auto& kv : o.headers) {
    std::erase_if(headers, [&](const auto& h) { return same_name(h.first, kv.first); });
    headers.push_back(std::move(kv));
  }
  o.headers = std::move(headers);

  // Resource: the options', then OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES.
  if (!has_key(o.resource, "service.name")) {
    if (const char* s = env("OTEL_SERVICE_NAME")) o.resource.emplace_back("service.name", s);
  }
  if (const char* attrs = env("OTEL_RESOURCE_ATTRIBUTES"))
    for (auto& [k, v] : parse_otel_list(attrs))
      if (!has_key(o.resource, k)) o.resource.emplace_back(k, Value(std::move(v)));
  if (!has_key(o.resource, "service.name"))
    o.resource.emplace_back("service.name", "unknown_service");
  if (!has_key(o.resource, "telemetry.sdk.name"))
    o.resource.emplace_back("telemetry.sdk.name", "dictlog");
  if (!has_key(o.resource, "telemetry.sdk.language"))
    o.resource.emplace_back("telemetry.sdk.language", "cpp");
  return o;
}

}  // namespace detail

}  // namespace dictlog
