// HTTPHandler: http.client's request bytes, sent through one kept-alive libcurl handle.
#include "dictlog/http_handler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "net/curl.hpp"
#include "net/http_request.hpp"
#include "net/url_encode.hpp"

namespace dictlog {

namespace {

// The record's __dict__ (record_dict), each value as str() renders it: urlencode's view.
std::vector<std::pair<std::string, std::string>> record_form_items(const LogRecord& record) {
  std::string args_text;
  std::vector<std::pair<std::string, std::string>> d;
  for (const auto& [key, value] : record_dict(record, args_text)) {
    // Python's exc_info is a (type, value, traceback) tuple whose repr has addresses.
    if (key == "exc_info")
      d.emplace_back(key, "None");
    else
      d.emplace_back(key, str(value));
  }
  return d;
}

// libcurl's header callback: keeps the last status line ("HTTP/1.1 500 Internal ...").
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) *static_cast<std::string*>(user) = line;
  return size * n;
}

// The answer's body is not wanted (CPython does not read it either).
std::size_t discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

// http.client's reason: the status line split on whitespace twice, the rest stripped.
std::string reason_of(std::string_view status_line) {
  auto skip_field = [&] {
    auto p = status_line.find_first_not_of(" \t");
    status_line.remove_prefix(p == std::string_view::npos ? status_line.size() : p);
    p = status_line.find_first_of(" \t");
    status_line.remove_prefix(p == std::string_view::npos ? status_line.size() : p);
  };
  skip_field();  // HTTP/1.1
  skip_field();  // 500
  auto b = status_line.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = status_line.find_last_not_of(" \t\r\n");
  return std::string(status_line.substr(b, e - b + 1));
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

}  // namespace

HTTPError::HTTPError(long code, const std::string& reason)
    : OSError(fmt::format("HTTP Error {}: {}", code, reason)), code_(code) {}

struct HTTPHandler::Connection {
  detail::CurlEasy easy;
  std::string status_line;
};

HTTPHandler::HTTPHandler(std::string host, std::string url, std::string_view method, bool secure,
                         std::optional<Credentials> credentials, std::optional<TLSOptions> context)
    : host_(std::move(host)),
      url_(std::move(url)),
      method_(method),
      secure_(secure),
      credentials_(std::move(credentials)),
      context_(std::move(context)) {
  for (char& c : method_)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (method_ != "GET" && method_ != "POST") throw ValueError("method must be GET or POST");
  if (!secure_ && context_) throw ValueError("context parameter only makes sense with secure=True");
}

HTTPHandler::~HTTPHandler() = default;

std::vector<std::pair<std::string, std::string>> HTTPHandler::map_log_record(
    const LogRecord& record) const {
  return record_form_items(record);
}

void HTTPHandler::emit(LogRecord& record) {
  // CPython's order: the connection object (host parsing), the data, the request line.
  const detail::HostPort peer = detail::parse_host(host_, secure_ ? 443 : 80);
  const std::string data = detail::url_encode(map_log_record(record));
  const bool post = method_ == "POST";
  std::string target = url_;
  if (!post) target += (target.find('?') != std::string::npos ? '&' : '?') + data;
  if (target.empty()) target = "/";
  detail::check_request_line(method_, target);

  detail::CurlHeaders headers;
  headers.append("Host: " + detail::host_header(peer, target));
  headers.append("Accept-Encoding: identity");
  if (post) {
    headers.append("Content-type: application/x-www-form-urlencoded");
    headers.append("Content-length: " + std::to_string(data.size()));
  }
  if (credentials_)  // a pair is truthy even when both are empty, as Python's tuple
    headers.append("Authorization: Basic " +
                   detail::base64(credentials_->first + ":" + credentials_->second));
  // libcurl's own headers, which http.client does not send.
  headers.append("Accept:");
  headers.append("User-Agent:");
  headers.append("Expect:");

  if (!conn_) {
    auto c = std::make_unique<Connection>();
    CURL* h = c->easy.get();
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // http.client ignores http_proxy and friends
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c->status_line);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if (secure_) {
      // Python's default context reads SSL_CERT_FILE / SSL_CERT_DIR through OpenSSL;
      // libcurl does not, so they are passed on here.
      const TLSOptions tls = context_.value_or(TLSOptions{});
      const char* ca_file = !tls.ca_file.empty() ? tls.ca_file.c_str() : env("SSL_CERT_FILE");
      const char* ca_path = !tls.ca_path.empty() ? tls.ca_path.c_str() : env("SSL_CERT_DIR");
      if (ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
      if (ca_path) curl_easy_setopt(h, CURLOPT_CAPATH, ca_path);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.verify_peer ? 1L : 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.verify_host ? 2L : 0L);
      if (!tls.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert_file.c_str());
      if (!tls.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key_file.c_str());
    }
    conn_ = std::move(c);
  }
  CURL* h = conn_->easy.get();
  curl_easy_setopt(h, CURLOPT_URL, detail::connection_url(peer, secure_).c_str());
  curl_easy_setopt(h, CURLOPT_REQUEST_TARGET, target.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (post) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, data.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }
  // libcurl's 0 means no limit, as CPython's None; a positive timeout is at least 1 ms.
  const long ms = timeout > 0 ? static_cast<long>(std::max(1.0, std::ceil(timeout * 1000))) : 0L;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  conn_->status_line.clear();
  conn_->easy.perform();
  const long code = conn_->easy.response_code();
  if (code < 200 || code > 299) throw HTTPError(code, reason_of(conn_->status_line));
}

void HTTPHandler::at_fork_reinit() {
  (void)conn_.release();  // leaked on purpose: its cleanup would talk on the parent's socket
  Handler::at_fork_reinit();
}

void HTTPHandler::close() {
  {
    std::lock_guard lock(this->lock());
    conn_.reset();
  }
  Handler::close();
}

}  // namespace dictlog
