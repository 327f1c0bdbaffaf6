// WatchedFileHandler: a FileHandler that notices when its file is renamed or deleted
// (logrotate, newsyslog) and reopens the path, as Python's logging.handlers class.
//
// Before each record it stats the path and compares device and inode with those of the
// open file; if they differ or the path is gone, it flushes, closes and reopens.
//
//   auto h = std::make_shared<dictlog::WatchedFileHandler>("/var/log/app.log");
//   dictlog::get_logger().add_handler(h);
//
// Python quirk kept: with delay the device and inode are only read on a reopen, so the
// second record always reopens the file once (which truncates it in mode "w").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dictlog/file_handler.hpp"

namespace dictlog {

class WatchedFileHandler : public FileHandler {
 public:
  // Python's WatchedFileHandler(filename, mode='a', encoding=None, delay=False,
  // errors=None).
  explicit WatchedFileHandler(std::string_view filename, std::string_view mode = "a",
                              std::optional<std::string> encoding = std::nullopt,
                              bool delay = false, std::optional<std::string> errors = std::nullopt);

  // Python's reopenIfNeeded: nothing while no file is open.
  void reopen_if_needed();
  void emit(LogRecord& record) override;
  std::string_view class_name() const override { return "WatchedFileHandler"; }

 private:
  void stat_stream();

  // Of the open file, as of the last open through this class; -1 before.
  std::int64_t dev_ = -1;
  std::int64_t ino_ = -1;
};

}  // namespace dictlog
