#include "dictlog/watched_file_handler.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "core/system_calls.hpp"
#include "dictlog/stream.hpp"

namespace dictlog {

WatchedFileHandler::WatchedFileHandler(std::string_view filename, std::string_view mode,
                                       std::optional<std::string> encoding, bool delay,
                                       std::optional<std::string> errors)
    : FileHandler(filename, mode, std::move(encoding), delay, std::move(errors)) {
  stat_stream();
}

void WatchedFileHandler::stat_stream() {
  if (!stream_open()) return;
  struct stat st {};
  if (detail::sys().fstat(fileno(), &st) == 0) {
    dev_ = static_cast<std::int64_t>(st.st_dev);
    ino_ = static_cast<std::int64_t>(st.st_ino);
  }
}

void WatchedFileHandler::reopen_if_needed() {
  if (!stream_open()) return;
  // One stat by path, then fstat of the new descriptor: a file swapped in between is
  // caught on the next record (Python issue 14632).
  struct stat st {};
  bool reopen = true;
  if (detail::sys().stat(base_filename().c_str(), &st) == 0)
    reopen = static_cast<std::int64_t>(st.st_dev) != dev_ ||
             static_cast<std::int64_t>(st.st_ino) != ino_;
  else if (errno != ENOENT)  // only FileNotFoundError means "gone"; others fail the record
    detail::throw_os_error(errno, base_filename());
  if (!reopen) return;
  flush();
  close_stream();
  open_stream();
  stat_stream();
}

void WatchedFileHandler::emit(LogRecord& record) {
  reopen_if_needed();
  FileHandler::emit(record);
}

}  // namespace dictlog
