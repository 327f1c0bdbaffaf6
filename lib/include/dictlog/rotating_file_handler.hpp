// RotatingFileHandler: a FileHandler that starts a new file when the current one would
// reach a size, keeping numbered backups, as Python's logging.handlers.RotatingFileHandler.
//
// With max_bytes 10 and backup_count 2, "app.log" is renamed "app.log.1" (and that one
// "app.log.2") before the record that would bring it to 10 bytes is written. The checks are
// Python's, quirks included: the record's length is counted in code points while the
// file's position is in bytes, an empty file never rolls, and backup_count 0 never
// truncates (the file is closed and reopened, nothing more).
//
//   auto h = std::make_shared<dictlog::RotatingFileHandler>("app.log", "a", 1 << 20, 5);
//   h->namer = [](const std::string& name) { return name + ".gz"; };
//   dictlog::get_logger().add_handler(h);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dictlog/file_handler.hpp"

namespace dictlog {

// Python's BaseRotatingHandler: emit() asks should_rollover(), maybe calls do_rollover(),
// then writes as a FileHandler; any error goes to handle_error.
//
// A rollover that fails with OSError (a rename refused, a full disk, a backup that cannot be
// removed) does not lose the record, as it does in Python: the error is reported once, the
// record is written to the current file (reopened in append mode if the rollover had closed
// it), and every later record tries the rollover again. Failures after the first are only
// counted; the rollover that succeeds again (or close()) ends the run with one more report
// saying how many failed. The current file grows past its limit meanwhile.
// namer and rotator are Python's attributes of the same names; set them before the handler
// is shared between threads (they are read under lock(), not guarded by it).
class BaseRotatingHandler : public FileHandler {
 public:
  // namer(default_name) -> the name a backup really gets ("app.log.1" -> "app.log.1.gz").
  std::function<std::string(const std::string&)> namer;
  // rotator(source, dest) moves the current file to its backup name (compress, copy...).
  std::function<void(const std::string&, const std::string&)> rotator;

  void emit(LogRecord& record) override;
  virtual bool should_rollover(const LogRecord& record) = 0;
  virtual void do_rollover() = 0;

  // Python's rotation_filename: namer(default_name) if set, else default_name.
  virtual std::string rotation_filename(const std::string& default_name) const;
  // Python's rotate: rotator(source, dest) if set, else a rename if source exists.
  virtual void rotate(const std::string& source, const std::string& dest) const;

 protected:
  BaseRotatingHandler(std::string_view filename, std::string_view mode,
                      std::optional<std::string> encoding, bool delay,
                      std::optional<std::string> errors);

  // Python's `os.path.exists(p) and not os.path.isfile(p)` (symlinks followed).
  static bool exists_but_not_regular(const std::string& path);
  static bool path_exists(const std::string& path);
  // os.remove / os.rename: throw OSError with Python's message on failure.
  static void remove_file(const std::string& path);
  static void rename_file(const std::string& source, const std::string& dest);

 public:
  void close() override;

 private:
  void end_rollover_failures(const LogRecord* now, const char* how);
  std::uint64_t failed_rollovers_ = 0;  // of the current failure run
  std::string first_failure_;           // its first error, for the report that ends it
};

class RotatingFileHandler : public BaseRotatingHandler {
 public:
  // Python's RotatingFileHandler(filename, mode='a', maxBytes=0, backupCount=0,
  // encoding=None, delay=False, errors=None). max_bytes > 0 forces mode "a".
  explicit RotatingFileHandler(std::string_view filename, std::string_view mode = "a",
                               std::int64_t max_bytes = 0, int backup_count = 0,
                               std::optional<std::string> encoding = std::nullopt,
                               bool delay = false,
                               std::optional<std::string> errors = std::nullopt);

  // Opens a delayed file; true if max_bytes > 0, the file is not empty and the position
  // plus the record's formatted length (code points, plus 1 for "\n") reaches max_bytes,
  // unless the path exists and is not a regular file. On a pipe, where Python's tell()
  // fails, every record fails with io.UnsupportedOperation, as in Python.
  bool should_rollover(const LogRecord& record) override;
  // Closes the file, shifts base.1..base.(n-1) up one, moves base to base.1, reopens
  // (unless delayed).
  void do_rollover() override;

  std::int64_t max_bytes() const { return max_bytes_; }
  int backup_count() const { return backup_count_; }
  std::string_view class_name() const override { return "RotatingFileHandler"; }

 private:
  std::int64_t max_bytes_;
  int backup_count_;
};

}  // namespace dictlog
