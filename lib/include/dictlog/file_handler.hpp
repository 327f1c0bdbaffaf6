// FileHandler: a StreamHandler writing to a file it opens itself (Python's
// logging.FileHandler).
//
// The path is made absolute against the working directory at construction. Each record
// is one write(2) of the encoded text; Python flushes after every record, so the bytes on
// disk are the same at every point. Encodings: utf-8 (default; "locale" is taken as
// utf-8), ascii and latin-1, with Python's `errors` handlers.
//
// On a QueueListener's thread a plain utf-8 FileHandler (not a subclass: rotation reads
// the file's size) collects its lines and writes them with one write(2) per 64 KiB, and
// whenever it is flushed: the listener flushes its handlers each time the queue runs dry
// and when it stops. The bytes are the same; they reach the file up to one batch later.
//
// A write that fails (a full disk, EIO) starts a failure run: its error is reported at once
// through handle_error (Python's text, "[Errno 28] No space left on device"), then the
// records of every write that fails after it are only counted (stats().dropped_write_failed),
// and the first write that succeeds again ends the run with one more report, saying how
// many records were not written (a batch that failed part-way counts whole, though its first
// lines may be on disk: the count errs on the side of loss). Python reports every record instead,
// and keeps the failed bytes buffered to write them later; dictlog drops what it counted, so a
// record is never both counted as lost and written. A write cut off part-way leaves half a line:
// the next write starts with a line break, so the records after it are whole lines.
//
//   auto h = std::make_shared<dictlog::FileHandler>("app.log", "a");
//   auto lazy = std::make_shared<dictlog::FileHandler>("rare.log", "a", std::nullopt, true);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "dictlog/stream_handler.hpp"

namespace dictlog {

class FileHandler : public StreamHandler {
 public:
  // Python's FileHandler(filename, mode='a', encoding=None, delay=False, errors=None).
  // Throws OSError when the file cannot be opened (unless delay), LookupError for an
  // unknown encoding, ValueError for an unknown errors handler or mode.
  explicit FileHandler(std::string_view filename, std::string_view mode = "a",
                       std::optional<std::string> encoding = std::nullopt, bool delay = false,
                       std::optional<std::string> errors = std::nullopt);
  ~FileHandler() override;

  // Opens the file if needed (never again after close() in mode "w"), then writes.
  void emit(LogRecord& record) override;
  void flush() override;
  void close() override;
  // The batch not yet written is the parent's.
  void at_fork_reinit() override;

  const std::string& base_filename() const { return base_filename_; }
  const std::string& mode() const { return mode_; }
  const std::string& encoding() const { return encoding_; }
  const std::string& errors() const { return errors_; }
  bool delay() const { return delay_; }

  std::string_view class_name() const override { return "FileHandler"; }
  std::string repr() const override;

  // Encodes UTF-8 text into this handler's encoding; throws UnicodeEncodeError under
  // "strict" with Python's message.
  std::string encode(std::string_view text) const;

 protected:
  bool stream_open() const { return fd_ >= 0; }
  // Opens base_filename() with mode() (in append mode whatever mode() says, when `append`:
  // the file was not rotated away and must not be truncated); throws OSError with Python's
  // text.
  void open_stream(bool append = false);
  // Flushes and closes the file (not the handler).
  void close_stream();
  // Byte position in the file (Python's stream.tell()).
  std::int64_t tell() const;
  int fileno() const { return fd_; }
  bool plain_handle() const override { return typeid(*this) == typeid(FileHandler); }
  bool emit_call(const detail::CallFields& c) override;

 private:
  std::string base_filename_;
  std::string mode_;
  std::string encoding_;
  std::string errors_;
  bool delay_;
  bool binary_ = false;
  int fd_ = -1;
  // The listener thread's batch (see the class comment), written by write_pending().
  bool write_pending();
  // Writes `text` (`records` whole records) as one attempt of a failure run (see the class
  // comment); `last` is the record errors are reported against (a batch's is renamed for
  // the report).
  bool write_records(std::string_view text, std::size_t records, LogRecord& last, bool batch);
  void end_failure_run(const char* how);
  std::uint64_t lost_in_run_ = 0;  // records of the failed writes of the current run
  int run_errno_ = 0;
  bool torn_ = false;  // the last failed write ended within a line
  bool batchable() const;
  // After a line was appended to the batch: where it came from, and the write when full.
  void batched(std::string_view name, int levelno, std::string_view levelname,
               std::string_view pathname, std::string_view func, std::uint32_t lineno);
  mutable signed char plain_ = -1;  // an exact FileHandler writing UTF-8 text; -1 unknown
  std::string pending_;
  std::size_t pending_records_ = 0;
  LogRecord pending_last_;  // for handle_error when the batch cannot be written
};

namespace detail {
// os.path.abspath: joined with the working directory and normalised, symlinks kept.
std::string abspath(std::string_view path);
}  // namespace detail

}  // namespace dictlog
