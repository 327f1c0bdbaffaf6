// StreamHandler: writes each formatted record and a terminator to a Stream, then flushes
// (Python's logging.StreamHandler).
//
//   auto h = std::make_shared<dictlog::StreamHandler>(dictlog::stdout_stream());
//   h->terminator = "\r\n";
#pragma once

#include <memory>
#include <string>
#include <typeinfo>

#include "dictlog/handler.hpp"
#include "dictlog/stream.hpp"

namespace dictlog {

class StreamHandler : public Handler {
 public:
  // nullptr means stderr, chosen at construction as Python does.
  explicit StreamHandler(std::shared_ptr<Stream> stream = nullptr, int level = NOTSET);

  // One write of message + terminator, then flush, under the handler's lock.
  void emit(LogRecord& record) override;
  void flush() override;
  // Python's setStream: flushes, swaps, returns the old stream (nullptr if `s` is the
  // current one).
  std::shared_ptr<Stream> set_stream(std::shared_ptr<Stream> s);
  std::shared_ptr<Stream> stream() const;

  // Appended to every record; set it before the handler is shared between threads.
  std::string terminator = "\n";

  std::string_view class_name() const override { return "StreamHandler"; }
  std::string repr() const override;

 protected:
  // For subclasses that open their stream later (FileHandler).
  struct NoStream {};
  StreamHandler(NoStream, int level) : Handler(level) {}
  std::shared_ptr<Stream> stream_;
  bool plain_handle() const override { return typeid(*this) == typeid(StreamHandler); }

 private:
  std::string line_;  // emit()'s buffer, under lock()
};

}  // namespace dictlog
