#include "dictlog/memory_handler.hpp"

#include <mutex>
#include <utility>

namespace dictlog {

BufferingHandler::BufferingHandler(long capacity) : capacity_(capacity) {}

void BufferingHandler::emit(LogRecord& record) {
  buffer_.push_back(record);
  if (should_flush(record)) flush();
}

bool BufferingHandler::should_flush(const LogRecord&) const {
  return static_cast<long>(buffer_.size()) >= capacity_;
}

void BufferingHandler::flush() {
  std::lock_guard lock(this->lock());
  buffer_.clear();
}

void BufferingHandler::at_fork_reinit() {
  buffer_.clear();
  Handler::at_fork_reinit();
}

void BufferingHandler::close() {
  try {
    flush();
  } catch (...) {
    Handler::close();
    throw;
  }
  Handler::close();
}

std::vector<LogRecord> BufferingHandler::buffer() const {
  std::lock_guard lock(this->lock());
  return buffer_;
}

std::size_t BufferingHandler::buffer_size() const {
  std::lock_guard lock(this->lock());
  return buffer_.size();
}

MemoryHandler::MemoryHandler(long capacity, int flush_level, std::shared_ptr<Handler> target,
                             bool flush_on_close)
    : BufferingHandler(capacity),
      flush_level_(flush_level),
      target_(std::move(target)),
      flush_on_close_(flush_on_close) {}

bool MemoryHandler::should_flush(const LogRecord& record) const {
  return static_cast<long>(buffer_.size()) >= capacity_ || record.levelno >= flush_level_;
}

void MemoryHandler::flush() {
  std::lock_guard lock(this->lock());
  if (!target_) return;
  // Taken out first so a target that logs back into this handler cannot append to the
  // vector being walked; Python would deliver such records in this same pass.
  std::vector<LogRecord> batch;
  batch.swap(buffer_);
  auto target = target_;
  for (LogRecord& r : batch) target->handle(r);
}

void MemoryHandler::close() {
  try {
    if (flush_on_close_) flush();
  } catch (...) {
    std::lock_guard lock(this->lock());
    target_ = nullptr;
    BufferingHandler::close();
    throw;
  }
  std::lock_guard lock(this->lock());
  target_ = nullptr;
  BufferingHandler::close();
}

std::shared_ptr<Handler> MemoryHandler::target() const {
  std::lock_guard lock(this->lock());
  return target_;
}

void MemoryHandler::set_target(std::shared_ptr<Handler> target) {
  std::lock_guard lock(this->lock());
  target_ = std::move(target);
}

int MemoryHandler::flush_level() const {
  std::lock_guard lock(this->lock());
  return flush_level_;
}

void MemoryHandler::set_flush_level(int level) {
  std::lock_guard lock(this->lock());
  flush_level_ = level;
}

}  // namespace dictlog
