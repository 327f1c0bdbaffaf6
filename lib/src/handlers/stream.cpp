#include "dictlog/stream.hpp"

#include <cstring>

#include <fmt/format.h>

#include "core/system_calls.hpp"
#include "dictlog/detail/pystr.hpp"
#include "dictlog/errors.hpp"

namespace dictlog {

namespace detail {

void throw_os_error(int err, std::string_view filename) {
  std::string msg = fmt::format("[Errno {}] {}", err, std::strerror(err));
  if (!filename.empty()) {
    msg += ": ";
    append_str_repr(filename, msg);
  }
  throw OSError(msg);
}

}  // namespace detail

void FdStream::write(std::string_view bytes) {
  if (int err = detail::write_all(fd_, bytes)) detail::throw_os_error(err);
}

void OStream::write(std::string_view bytes) {
  os_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!os_) throw OSError("[Errno 5] Input/output error");
}

void OStream::flush() {
  os_.flush();
  if (!os_) throw OSError("[Errno 5] Input/output error");
}

std::shared_ptr<Stream> stdout_stream() {
  static auto* s = new std::shared_ptr<Stream>(std::make_shared<FdStream>(1, "<stdout>"));
  return *s;
}

std::shared_ptr<Stream> stderr_stream() {
  static auto* s = new std::shared_ptr<Stream>(std::make_shared<FdStream>(2, "<stderr>"));
  return *s;
}

}  // namespace dictlog
