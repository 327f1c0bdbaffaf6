// One OTLP/HTTP request: a body POSTed through a kept libcurl handle, and what came back.
// For OTLPHandler's export thread; not installed.
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "dictlog/otlp_handler.hpp"
#include "net/curl.hpp"

namespace dictlog::detail {

struct OTLPAnswer {
  long status = 0;                    // 0: no answer (refused, reset, timed out)
  std::exception_ptr error;           // Python's exception for the failure, if any
  std::optional<double> retry_after;  // seconds, from a Retry-After header
  std::string body;                   // the first 64 KiB of the answer
  // 429, 502, 503, 504 and no answer at all are worth another try; nothing else is.
  bool retryable() const {
    return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
  }
};

// POSTs `body` (already gzipped when options.gzip) to options.endpoint within `timeout`
// seconds. Never throws: a failure is in the answer.
OTLPAnswer otlp_post(CurlEasy& curl, const OTLPOptions& options, const std::string& body,
                     double timeout);

}  // namespace dictlog::detail
