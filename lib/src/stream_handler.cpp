#include "dictlog/stream_handler.hpp"

#include <fmt/format.h>

namespace dictlog {

StreamHandler::StreamHandler(std::shared_ptr<Stream> stream, int level)
    : Handler(level), stream_(stream ? std::move(stream) : stderr_stream()) {}

void StreamHandler::emit(LogRecord& record) {
  std::string msg = format(record);
  msg += terminator;
  stream_->write(msg);
  stream_->flush();
}

void StreamHandler::flush() {
  std::lock_guard lock(this->lock());
  if (stream_) stream_->flush();
}

std::shared_ptr<Stream> StreamHandler::set_stream(std::shared_ptr<Stream> s) {
  std::lock_guard lock(this->lock());
  if (s == stream_) return nullptr;
  if (stream_) stream_->flush();
  auto old = std::move(stream_);
  stream_ = std::move(s);
  return old;
}

std::shared_ptr<Stream> StreamHandler::stream() const {
  std::lock_guard lock(this->lock());
  return stream_;
}

std::string StreamHandler::repr() const {
  std::string name = stream_ ? stream_->name() : "";
  if (!name.empty()) name += ' ';
  return fmt::format("<{} {}({})>", class_name(), name, get_level_name(level()));
}

}  // namespace dictlog
