// One libcurl easy handle, and libcurl's errors as the Python exceptions CPython's
// handlers raise for the same failure. Only HTTPHandler and SMTPHandler use it; it is
// built only when Meson found libcurl (DICTLOG_HAVE_CURL).
//
//   detail::CurlEasy c;
//   curl_easy_setopt(c.get(), CURLOPT_URL, "http://127.0.0.1:8080/log");
//   c.perform();   // throws ConnectionRefusedError, TimeoutError or OSError
#pragma once

#include <curl/curl.h>

#include <string>

namespace dictlog::detail {

// Thread-safety: one handle per thread at a time, as libcurl's; any number of handles.
class CurlEasy {
 public:
  // curl_global_init runs once, the first time any handle is made (it is not thread-safe
  // in libcurl before 7.84, so it happens under a std::call_once). Throws OSError when
  // libcurl cannot make a handle.
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  CURL* get() const { return h_; }
  // curl_easy_perform; a failure is thrown as Python's exception for it.
  void perform();
  // The response code of the last transfer (HTTP status or SMTP reply code).
  long response_code() const;
  // curl_easy_perform without the throw, for a caller that maps some failures itself
  // (then throw_curl_error(get(), code, error_text()) for the rest).
  CURLcode perform_code();
  // libcurl's words about the last failure ("" when it gave none).
  const char* error_text() const { return error_; }

 private:
  CURL* h_;
  char error_[CURL_ERROR_SIZE] = {};
};

// A header list freed with its owner.
class CurlHeaders {
 public:
  CurlHeaders() = default;
  ~CurlHeaders();
  CurlHeaders(const CurlHeaders&) = delete;
  CurlHeaders& operator=(const CurlHeaders&) = delete;
  void append(const std::string& line);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// Throws the exception CPython raises for what `code` reports: ConnectionRefusedError
// "[Errno 111] Connection refused" when the peer refused, TimeoutError "timed out" when
// the timeout passed, OSError "[Errno -2] Name or service not known" when the name did not
// resolve, OSError with the errno when the system gave one, else OSError with
// libcurl's own words. `detail` is curl's error buffer (may be empty).
[[noreturn]] void throw_curl_error(CURL* h, CURLcode code, const char* detail);

}  // namespace dictlog::detail
