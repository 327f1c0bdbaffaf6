#include "dictlog/stream_handler.hpp"

#include <typeinfo>

#include <fmt/format.h>

namespace dictlog {

namespace {
// The longest line whose buffer emit() keeps for the next record.
constexpr std::size_t kKeptLine = 64 * 1024;
}  // namespace

StreamHandler::StreamHandler(std::shared_ptr<Stream> stream, int level)
    : Handler(level), stream_(stream ? std::move(stream) : stderr_stream()) {}

void StreamHandler::emit(LogRecord& record) {
  const Formatter& fm = emit_formatter();
  // Into a buffer kept between records (lock() is held): no allocation once it has grown.
  line_.clear();
  if (fm.formats_in_place())
    fm.format_to(record, line_);
  else
    line_ = fm.format(record);  // a subclass may override format() alone
  line_ += terminator;
  stream_->write(line_);
  if (line_.capacity() > kKeptLine) std::string().swap(line_);
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
