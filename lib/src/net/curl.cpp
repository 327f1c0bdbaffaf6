// libcurl's handle, header list and errors.
#include "net/curl.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "dictlog/errors.hpp"

namespace dictlog::detail {

CurlEasy::CurlEasy() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  h_ = curl_easy_init();
  if (!h_) throw OSError("libcurl could not make a handle (curl_easy_init failed)");
  curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, error_);
  // A handler runs in threads that are not ours: libcurl must not raise SIGPIPE or use
  // signals for its timeouts.
  curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
}

CurlEasy::~CurlEasy() {
  curl_easy_cleanup(h_);
}

void CurlEasy::perform() {
  error_[0] = '\0';
  CURLcode rc = curl_easy_perform(h_);
  if (rc != CURLE_OK) throw_curl_error(h_, rc, error_);
}

CURLcode CurlEasy::perform_code() {
  error_[0] = '\0';
  return curl_easy_perform(h_);
}

long CurlEasy::response_code() const {
  long code = 0;
  curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

CurlHeaders::~CurlHeaders() {
  curl_slist_free_all(list_);
}

void CurlHeaders::append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_, line.c_str());
  if (!next) throw OSError("[Errno 12] Cannot allocate memory");
  list_ = next;
}

void throw_curl_error(CURL* h, CURLcode code, const char* detail) {
  long os_errno = 0;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
  if (code == CURLE_OPERATION_TIMEDOUT) throw TimeoutError("timed out");
  // getaddrinfo's failure, as Python's socket.create_connection reports it (net.cpp too).
  if (code == CURLE_COULDNT_RESOLVE_HOST)
    throw OSError(fmt::format("[Errno {}] {}", EAI_NONAME, ::gai_strerror(EAI_NONAME)));
  if (code == CURLE_COULDNT_CONNECT && (os_errno == ECONNREFUSED || os_errno == 0))
    throw ConnectionRefusedError(
        fmt::format("[Errno {}] {}", ECONNREFUSED, std::strerror(ECONNREFUSED)));
  if (os_errno != 0)
    throw OSError(
        fmt::format("[Errno {}] {}", os_errno, std::strerror(static_cast<int>(os_errno))));
  std::string text = (detail && *detail) ? detail : curl_easy_strerror(code);
  throw OSError(fmt::format("libcurl: {}", text));
}

}  // namespace dictlog::detail
