#include "dictlog/rotating_file_handler.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "core/system_calls.hpp"
#include "dictlog/detail/pystr.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/stream.hpp"
#include "record/py_unicode.hpp"

namespace dictlog {

namespace {

// io.UnsupportedOperation, which Python raises for tell() on a pipe.
class UnsupportedOperation : public OSError {
 public:
  using OSError::OSError;
  const char* python_type() const noexcept override { return "io.UnsupportedOperation"; }
};

}  // namespace

BaseRotatingHandler::BaseRotatingHandler(std::string_view filename, std::string_view mode,
                                         std::optional<std::string> encoding, bool delay,
                                         std::optional<std::string> errors)
    : FileHandler(filename, mode, std::move(encoding), delay, std::move(errors)) {}

void BaseRotatingHandler::emit(LogRecord& record) {
  if (should_rollover(record)) {
    try {
      do_rollover();
      if (failed_rollovers_ > 0) end_rollover_failures(&record, "a rollover succeeded again");
    } catch (const OSError& e) {
      if (failed_rollovers_++ == 0) {
        first_failure_ = e.what();
        handle_error(record);
      }
      // The file was not rotated away (or its successor could not be made): keep writing
      // where the records went so far rather than lose this one.
      if (!stream_open()) open_stream(true);
    }
  }
  FileHandler::emit(record);
}

void BaseRotatingHandler::end_rollover_failures(const LogRecord* now, const char* how) {
  LogRecord r;
  if (now) {  // reported against the record whose rollover succeeded
    r.name = now->name;
    r.levelno = now->levelno;
    r.levelname = now->levelname;
    r.pathname = now->pathname;
    r.lineno = now->lineno;
  }
  r.set_msg_copy(fmt::format("<{} rollovers failed>", failed_rollovers_));
  try {
    throw OSError(
        fmt::format("{}: {} rollover(s) of '{}' failed (their records were written to "
                    "it instead) before {}",
                    first_failure_, failed_rollovers_, base_filename(), how));
  } catch (...) {
    handle_error(r);
  }
  failed_rollovers_ = 0;
}

void BaseRotatingHandler::close() {
  {
    std::lock_guard lock(this->lock());
    if (failed_rollovers_ > 0) end_rollover_failures(nullptr, "the handler was closed");
  }
  FileHandler::close();
}

std::string BaseRotatingHandler::rotation_filename(const std::string& default_name) const {
  return namer ? namer(default_name) : default_name;
}

void BaseRotatingHandler::rotate(const std::string& source, const std::string& dest) const {
  if (rotator) {
    rotator(source, dest);
  } else if (path_exists(source)) {
    // Python issue 18940: with delay the file may never have been created.
    rename_file(source, dest);
  }
}

bool BaseRotatingHandler::path_exists(const std::string& path) {
  struct stat st {};
  return detail::sys().stat(path.c_str(), &st) == 0;
}

bool BaseRotatingHandler::exists_but_not_regular(const std::string& path) {
  struct stat st {};
  return detail::sys().stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

void BaseRotatingHandler::remove_file(const std::string& path) {
  if (detail::sys().unlink(path.c_str()) != 0) detail::throw_os_error(errno, path);
}

void BaseRotatingHandler::rename_file(const std::string& source, const std::string& dest) {
  if (detail::sys().rename(source.c_str(), dest.c_str()) == 0) return;
  int err = errno;
  std::string m = "[Errno " + std::to_string(err) + "] " + std::strerror(err) + ": ";
  detail::append_str_repr(source, m);
  m += " -> ";
  detail::append_str_repr(dest, m);
  throw OSError(m);
}

RotatingFileHandler::RotatingFileHandler(std::string_view filename, std::string_view mode,
                                         std::int64_t max_bytes, int backup_count,
                                         std::optional<std::string> encoding, bool delay,
                                         std::optional<std::string> errors)
    // Rotation with "w" would truncate the previous run's log at every start.
    : BaseRotatingHandler(filename, max_bytes > 0 ? "a" : mode, std::move(encoding), delay,
                          std::move(errors)),
      max_bytes_(max_bytes),
      backup_count_(backup_count) {}

bool RotatingFileHandler::should_rollover(const LogRecord& record) {
  if (!stream_open()) open_stream();  // delay was set
  if (max_bytes_ <= 0) return false;
  std::int64_t pos;
  try {
    pos = tell();
  } catch (const OSError&) {
    throw UnsupportedOperation("underlying stream is not seekable");
  }
  // gh-116263: never roll an empty file.
  if (pos == 0) return false;
  // Python measures the formatted text in code points while pos is in bytes, and adds
  // "\n" whatever the terminator.
  std::size_t len = detail::count_code_points(format(record)) + 1;
  if (pos + static_cast<std::int64_t>(len) < max_bytes_) return false;
  // bpo-45401: never roll anything but a regular file.
  return !exists_but_not_regular(base_filename());
}

void RotatingFileHandler::do_rollover() {
  close_stream();
  if (backup_count_ > 0) {
    const std::string& base = base_filename();
    for (int i = backup_count_ - 1; i > 0; --i) {
      std::string sfn = rotation_filename(base + "." + std::to_string(i));
      std::string dfn = rotation_filename(base + "." + std::to_string(i + 1));
      // Python removes dfn first (for Windows); rename(2) replaces it atomically, so a
      // rename that fails leaves that backup in place.
      if (path_exists(sfn)) rename_file(sfn, dfn);
    }
    std::string dfn = rotation_filename(base + ".1");
    if (path_exists(dfn)) remove_file(dfn);
    rotate(base, dfn);
  }
  if (!delay()) open_stream();
}

}  // namespace dictlog
