// The parts of http.client's request that HTTPHandler must reproduce to the byte: the
// host and port HTTPConnection takes from "host[:port]", the Host header putrequest
// writes, and the checks that make putrequest raise. Not installed.
//
//   auto peer = detail::parse_host("[::1]:8080", 80);     // host "::1", port 8080
//   detail::host_header(peer, "/log?x=1");                // "[::1]:8080"
#pragma once

#include <string>
#include <string_view>

namespace dictlog::detail {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  long port = 0;
  long default_port = 80;  // 443 for HTTPS: the Host header omits it
};

// HTTPConnection's _get_hostport and _validate_host: the port after the last ':' (outside
// brackets; empty means the default), brackets removed. Throws InvalidURL for a
// non-numeric port or control characters.
HostPort parse_host(std::string_view host, long default_port);

// The Host header's value putrequest writes for a request to `target`: the netloc of an
// absolute "http..." target, else the host (bracketed if IPv6, zone removed) with
// ":port" unless it is the default port. Throws ValueError for a non-ASCII host (CPython
// would encode it with IDNA).
std::string host_header(const HostPort& peer, std::string_view target);

// The URL libcurl connects to: scheme, host and port only (the request target is set
// separately, so libcurl cannot normalise it).
std::string connection_url(const HostPort& peer, bool secure);

// putrequest's checks of "METHOD target HTTP/1.1": InvalidURL for a control character or
// space in the target, UnicodeEncodeError (Python's message) for a non-ASCII character.
void check_request_line(std::string_view method, std::string_view target);

// Standard base64 with padding (Python's base64.b64encode).
std::string base64(std::string_view bytes);

}  // namespace dictlog::detail
