// HTTPHandler: each record, as a url-encoded form, to a web server (Python's
// logging.handlers.HTTPHandler).
//
// The request is the one CPython 3.13 sends, byte for byte: for GET the record's
// attributes are appended to `url` as a query string ('?' or '&'), for POST they are the
// body with Content-type and Content-length headers; Host (with the port when it is not
// the scheme's default), Accept-Encoding: identity and, with credentials, a Basic
// Authorization header, in http.client's order and spelling. The record is not formatted:
// the server gets its attributes (map_log_record), as a Python server would.
//
// Where CPython is lossy, dictlog does better:
// - every request is bounded by `timeout` (CPython sets none: a stalled server blocks the
//   logging thread forever); past it the record goes to handle_error as TimeoutError;
// - a non-2xx answer goes to handle_error as urllib's HTTPError ("HTTP Error 500:
//   Internal Server Error"); CPython ignores the status;
// - one connection is kept alive between records (CPython opens one per record); the
//   request bytes are the same, and close() releases it.
//
//   auto h = std::make_shared<dictlog::HTTPHandler>("logs.example.com:8080", "/ingest", "POST");
//   h->timeout = 2.5;
//   dictlog::get_logger("app").add_handler(h);
//
// Built only when Meson found libcurl (the `curl` feature); without it, a configuration
// naming logging.handlers.HTTPHandler is rejected.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/handler.hpp"

namespace dictlog {

// urllib.error.HTTPError: the server answered with a status outside 2xx. Python's URLError
// is an OSError, so this is one too.
class HTTPError : public OSError {
 public:
  HTTPError(long code, const std::string& reason);
  long code() const { return code_; }
  const char* python_type() const noexcept override { return "urllib.error.HTTPError"; }

 private:
  long code_;
};

// http.client.InvalidURL: a host with a non-numeric port, or control characters in the
// host or the url.
class InvalidURL : public Error {
 public:
  using Error::Error;
  const char* python_type() const noexcept override { return "http.client.InvalidURL"; }
};

// Thread-safety: as every Handler (emit runs under the handler's lock, so records are sent
// one at a time over the one connection). `timeout` is a setting: set it before the
// handler is shared between threads.
class HTTPHandler : public Handler {
 public:
  // What Python's `context` (an ssl.SSLContext) decides, for secure=true. The defaults are
  // those of Python's default context: the peer's certificate is checked against OpenSSL's
  // default trust store, which the SSL_CERT_FILE and SSL_CERT_DIR environment variables
  // replace, and its name against host. The variables are read when the handler makes its
  // libcurl handle (at the first record, and the first after close()); CPython reads them
  // at every record.
  struct TLSOptions {
    // A PEM file of trusted certificates; when set, SSL_CERT_FILE is not read.
    std::string ca_file;
    // A directory of hashed certificates (c_rehash); when set, SSL_CERT_DIR is not read.
    std::string ca_path;
    // False accepts any certificate (Python's CERT_NONE): for tests only.
    bool verify_peer = true;
    // False accepts a certificate issued to another name (check_hostname=False).
    bool verify_host = true;
    // A client certificate (PEM) and its key (PEM; empty: the key is in cert_file).
    std::string cert_file;
    std::string key_file;
  };
  using Credentials = std::pair<std::string, std::string>;  // user, password

  // Python's HTTPHandler(host, url, method, secure, credentials, context). `host` may end in
  // ":port"; `method` is GET or POST in any case. Throws ValueError as CPython does: a method
  // other than GET or POST, or a context without secure. Nothing is opened here.
  HTTPHandler(std::string host, std::string url, std::string_view method = "GET",
              bool secure = false, std::optional<Credentials> credentials = std::nullopt,
              std::optional<TLSOptions> context = std::nullopt);
  ~HTTPHandler() override;

  // Sends one request and waits for the answer; a failure reaches handle_error.
  void emit(LogRecord& record) override;
  // Releases the connection; a later record opens a new one.
  void close() override;
  // The kept connection is the parent's: forgotten (not shut down, which could send on
  // it), so the child's next record connects anew.
  void at_fork_reinit() override;

  // Python's mapLogRecord: the (name, str(value)) pairs sent for `record`, by default its
  // attributes in the order of CPython's record.__dict__, then its extra keys.
  virtual std::vector<std::pair<std::string, std::string>> map_log_record(
      const LogRecord& record) const;

  const std::string& host() const { return host_; }
  const std::string& url() const { return url_; }
  const std::string& method() const { return method_; }
  bool secure() const { return secure_; }
  const std::optional<Credentials>& credentials() const { return credentials_; }
  const std::optional<TLSOptions>& context() const { return context_; }

  // Seconds one record may take, connecting included. 0 (or less) sets no limit of its
  // own, as CPython (libcurl still gives up connecting after 300 s). In a configuration:
  // ".": {"timeout": 2.5}.
  double timeout = 10.0;

  std::string_view class_name() const override { return "HTTPHandler"; }

 private:
  struct Connection;  // the libcurl handle, kept between records
  std::string host_;
  std::string url_;
  std::string method_;
  bool secure_;
  std::optional<Credentials> credentials_;
  std::optional<TLSOptions> context_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace dictlog
