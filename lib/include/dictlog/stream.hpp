// Stream: what a StreamHandler writes to (Python's file-like object).
//
// stdout_stream() and stderr_stream() write straight to file descriptors 1 and 2, one
// write(2) per record: Python flushes after every record, so nothing is held back either
// way. OStream adapts any std::ostream. Writes that fail throw dictlog::OSError with
// Python's text ("[Errno 28] No space left on device"), which the handler reports through
// handle_error.
//
//   auto h = std::make_shared<dictlog::StreamHandler>(dictlog::stdout_stream());
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace dictlog {

class Stream {
 public:
  virtual ~Stream() = default;
  virtual void write(std::string_view bytes) = 0;
  virtual void flush() {}
  // The `name` Python's repr shows: "<stderr>", a path, or "" for none.
  virtual std::string name() const { return ""; }
};

// Writes to a file descriptor it does not own, retrying short writes and EINTR.
class FdStream : public Stream {
 public:
  FdStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  void write(std::string_view bytes) override;
  std::string name() const override { return name_; }
  int fileno() const { return fd_; }

 private:
  int fd_;
  std::string name_;
};

// Writes to a std::ostream the caller keeps alive (a std::ostringstream in tests).
class OStream : public Stream {
 public:
  explicit OStream(std::ostream& os, std::string name = "") : os_(os), name_(std::move(name)) {}
  void write(std::string_view bytes) override;
  void flush() override;
  std::string name() const override { return name_; }

 private:
  std::ostream& os_;
  std::string name_;
};

// Python's sys.stdout / sys.stderr (ext://sys.stdout, ext://sys.stderr in configurations).
std::shared_ptr<Stream> stdout_stream();
std::shared_ptr<Stream> stderr_stream();

namespace detail {
// Throws OSError("[Errno N] text"), with ": 'filename'" when one is given.
[[noreturn]] void throw_os_error(int err, std::string_view filename = {});
}  // namespace detail

}  // namespace dictlog
