// gzip (RFC 1952) of a request body, for OTLPHandler's `gzip` option. Not installed.
#pragma once

#include <string>
#include <string_view>

namespace dictlog::detail {

// Whether this build has zlib (without it, gzip() throws ValueError).
bool have_gzip();
// The gzip member of `data` at zlib's default level.
std::string gzip(std::string_view data);

}  // namespace dictlog::detail
