// The request of an OTLP export, and its answer read as the exporter needs it.
#include "net/otlp_post.hpp"

#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "dictlog/http_handler.hpp"

namespace dictlog::detail {

namespace {

constexpr std::size_t kMaxAnswer = 64 * 1024;

struct Reading {
  OTLPAnswer* answer;
  std::string status_line;
};

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == s.npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<Reading*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    r->status_line = trim(line);
    r->answer->retry_after.reset();
  } else if (line.size() > 12 && strncasecmp(line.data(), "retry-after:", 12) == 0) {
    const std::string value(trim(line.substr(12)));
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    if (!value.empty() && *end == '\0' && seconds >= 0) {
      r->answer->retry_after = seconds;
    } else if (const std::time_t when = curl_getdate(value.c_str(), nullptr); when >= 0) {
      const double left = std::difftime(when, std::time(nullptr));
      r->answer->retry_after = left > 0 ? left : 0.0;
    }
  }
  return size * n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < kMaxAnswer) body->append(data, std::min(size * n, kMaxAnswer - body->size()));
  return size * n;
}

// "HTTP/1.1 503 Service Unavailable" -> "Service Unavailable".
std::string reason_of(std::string_view status_line) {
  for (int field = 0; field < 2; ++field) {
    const auto sp = status_line.find(' ');
    status_line.remove_prefix(sp == status_line.npos ? status_line.size() : sp + 1);
  }
  return std::string(trim(status_line));
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

}  // namespace

OTLPAnswer otlp_post(CurlEasy& curl, const OTLPOptions& options, const std::string& body,
                     double timeout) {
  OTLPAnswer answer;
  Reading reading{&answer, {}};
  CURL* h = curl.get();
  CurlHeaders headers;
  headers.append("Content-Type: application/json");
  if (options.gzip.value_or(false)) headers.append("Content-Encoding: gzip");
  headers.append("Expect:");  // no 100-continue round trip before each batch
  for (const auto& [k, v] : options.headers) headers.append(k + ": " + v);
  curl_easy_setopt(h, CURLOPT_URL, options.endpoint->c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &reading);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer.body);
  const long ms = timeout > 0 ? std::max(1L, static_cast<long>(timeout * 1000)) : 0L;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  // The collector's CA, as the OTLP exporter's environment names it.
  const char* ca = env("OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE");
  if (!ca) ca = env("OTEL_EXPORTER_OTLP_CERTIFICATE");
  if (!ca) ca = env("SSL_CERT_FILE");
  if (ca) curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  if (const char* dir = env("SSL_CERT_DIR")) curl_easy_setopt(h, CURLOPT_CAPATH, dir);

  const CURLcode code = curl.perform_code();
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);  // `headers` dies with this call
  try {
    if (code != CURLE_OK) throw_curl_error(h, code, curl.error_text());
    answer.status = curl.response_code();
    if (answer.status < 200 || answer.status > 299)
      throw HTTPError(answer.status, reason_of(reading.status_line));
  } catch (...) {
    answer.error = std::current_exception();
  }
  return answer;
}

}  // namespace dictlog::detail
