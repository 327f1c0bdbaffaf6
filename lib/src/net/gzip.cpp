// gzip through zlib's deflate with a gzip wrapper (windowBits 16 + 15).
#include "net/gzip.hpp"

#include "dictlog/errors.hpp"

#ifdef DICTLOG_HAVE_ZLIB
#include <zlib.h>
#endif

namespace dictlog::detail {

#ifdef DICTLOG_HAVE_ZLIB

bool have_gzip() {
  return true;
}

std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw OSError("gzip: zlib could not start");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  // deflateBound leaves room for the whole stream, so one call must end it.
  if (rc != Z_STREAM_END) throw OSError("gzip: zlib could not compress the body");
  return out;
}

#else

bool have_gzip() {
  return false;
}

std::string gzip(std::string_view) {
  throw ValueError("gzip: this build of dictlog lacks zlib");
}

#endif

}  // namespace dictlog::detail
