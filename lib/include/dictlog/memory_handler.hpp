// BufferingHandler and MemoryHandler: keep records in memory and pass them on in bursts,
// as Python's logging.handlers classes of the same names do.
//
// A MemoryHandler holds copies of the records it is given until the buffer reaches
// `capacity` or a record at `flush_level` or above arrives, then hands them all, in order,
// to its target's handle(): the target's filters apply but its level does not (Python
// quirk). Without a target the buffer is never cleared and grows without bound.
//
//   auto file = std::make_shared<dictlog::FileHandler>("app.log");
//   auto mem = std::make_shared<dictlog::MemoryHandler>(100, dictlog::ERROR, file);
//   dictlog::get_logger("app").add_handler(mem);  // DEBUG..WARNING wait for an ERROR
//
// Deviation from Python: an exception while flushing (a target filter that throws, say)
// does not reach the code that logged; like every dictlog handler error it goes through
// handle_error (Python lets Buffering/MemoryHandler errors propagate to the caller).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "dictlog/handler.hpp"
#include "dictlog/level.hpp"
#include "dictlog/record.hpp"

namespace dictlog {

// Python's BufferingHandler: emit() appends a copy of the record, then calls flush() when
// should_flush() says so. This base's flush() just empties the buffer; subclasses decide
// what flushing means. Thread-safety: the buffer is guarded by lock().
class BufferingHandler : public Handler {
 public:
  explicit BufferingHandler(long capacity);

  void emit(LogRecord& record) override;
  // Python's shouldFlush: the buffer holds `capacity` records or more.
  virtual bool should_flush(const LogRecord& record) const;
  void flush() override;
  // Flushes, then closes the base handler.
  void close() override;
  // The records buffered are the parent's: it flushes them.
  void at_fork_reinit() override;

  long capacity() const { return capacity_; }
  // A copy of the records waiting, oldest first.
  std::vector<LogRecord> buffer() const;
  std::size_t buffer_size() const;
  std::string_view class_name() const override { return "BufferingHandler"; }

 protected:
  long capacity_;
  std::vector<LogRecord> buffer_;  // guarded by lock()
};

// Python's MemoryHandler(capacity, flushLevel=ERROR, target=None, flushOnClose=True).
class MemoryHandler : public BufferingHandler {
 public:
  explicit MemoryHandler(long capacity, int flush_level = ERROR,
                         std::shared_ptr<Handler> target = nullptr, bool flush_on_close = true);

  // Full buffer, or a record at flush_level or above.
  bool should_flush(const LogRecord& record) const override;
  // With a target: every buffered record to target->handle(), then the buffer is cleared.
  // Without one: nothing, and the records stay.
  void flush() override;
  // Flushes if flush_on_close(), then drops the target. With flush_on_close false the
  // buffered records are never delivered.
  void close() override;
  bool flush_on_close() const override { return flush_on_close_; }

  std::shared_ptr<Handler> target() const;
  void set_target(std::shared_ptr<Handler> target);
  int flush_level() const;
  void set_flush_level(int level);
  std::string_view class_name() const override { return "MemoryHandler"; }

 private:
  int flush_level_;                  // guarded by lock()
  std::shared_ptr<Handler> target_;  // guarded by lock()
  bool flush_on_close_;
};

}  // namespace dictlog
