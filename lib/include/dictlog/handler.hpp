// Handler: where records go. The base of every handler, with Python's level, formatter,
// filters, lock, name and error reporting.
//
// Subclasses implement emit(). handle() runs the filters and then emit() under the
// handler's lock; an exception from emit (or from formatting) goes to handle_error, which
// prints Python's "--- Logging error ---" block to stderr. Nothing a handler does ever
// throws into the thread that logged.
//
//   auto h = std::make_shared<dictlog::StreamHandler>();
//   h->set_level(dictlog::INFO);
//   h->set_formatter(std::make_shared<dictlog::Formatter>("%(levelname)s %(message)s"));
//   dictlog::get_logger("app").add_handler(h);
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dictlog/filter.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/level.hpp"
#include "dictlog/record.hpp"

namespace dictlog {

namespace detail {
struct HandlerAccess;
}

// What one handler did with the records that reached it (Handler::stats(), and
// dictlog::stats() for every named handler). Each count is kept by the thread doing the
// work, with relaxed atomics: a logging call through a QueueHandler pays nothing for it
// (the listener counts the record when it takes it from the queue).
struct HandlerStats {
  // Records that passed the handler's filters and reached emit(). A QueueHandler counts a
  // record once its listener has taken it out of the queue (records still waiting are not
  // in the count yet).
  std::uint64_t emitted = 0;
  std::uint64_t filtered = 0;            // rejected by the handler's own filters
  std::uint64_t dropped_queue_full = 0;  // QueueHandler: not enqueued, the queue was full
  // SocketHandler: not sent, no connection (the peer refused or reset it, or the retry
  // back-off was running); Python drops these without a report.
  std::uint64_t dropped_peer_down = 0;
  // FileHandler and its subclasses: records in writes that failed (a full disk, EIO), in
  // whole or in part.
  std::uint64_t dropped_write_failed = 0;
  std::uint64_t errors = 0;  // failures reported through handle_error
  std::uint64_t dropped() const {
    return dropped_queue_full + dropped_peer_down + dropped_write_failed;
  }
  bool operator==(const HandlerStats&) const = default;
};

// Handlers are owned by std::shared_ptr (loggers, the registry and listeners share them).
// Thread-safety: every public member may be called from any thread. emit() runs with
// lock() held; flush() and close() take it themselves.
class Handler : public Filterer, public std::enable_shared_from_this<Handler> {
 public:
  explicit Handler(int level = NOTSET);
  virtual ~Handler();
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  int level() const { return level_.load(std::memory_order_relaxed); }
  void set_level(int level) { level_.store(level, std::memory_order_relaxed); }
  void set_level(std::string_view name) { set_level(check_level(name)); }

  std::shared_ptr<const Formatter> formatter() const;
  void set_formatter(std::shared_ptr<const Formatter> f);
  // formatter() != nullptr, without the lock and the reference count.
  bool has_formatter() const { return has_formatter_.load(std::memory_order_acquire); }
  // The record through this handler's formatter, or the default "%(message)s" one.
  std::string format(const LogRecord& record) const;
  // The formatter format() uses, for emit() (lock() held): no lock or reference count
  // per record, only a check that set_formatter has not run since the last call.
  const Formatter& emit_formatter() const {
    if (formatter_version_.load(std::memory_order_acquire) == emit_version_ && emit_formatter_)
        [[likely]]
      return *emit_formatter_;
    return emit_formatter_slow();
  }

  // Python's handle: filters, then emit under the lock. Returns whether the record passed
  // the filters. Never throws. Virtual so that a handler whose emit is thread-safe on its
  // own (QueueHandler) can skip the lock.
  virtual bool handle(LogRecord& record) noexcept;
  // handle() for each of `n` records one thread took out together (a QueueListener's
  // batch), in order, skipping those below level() when `respect_level`: one lock for the
  // run instead of one per record, when handle() is this class's own (plain_handle());
  // otherwise handle() for each. Other threads wait for the run (at most a batch).
  void handle_run(LogRecord* records, std::size_t n, bool respect_level) noexcept;
  virtual void emit(LogRecord& record) = 0;
  // For a consumer that holds lock() and takes queued calls without building their records
  // (QueueListener): writes the call `c` as handle() would write its record, counted as
  // emitted, when handle() is this class's own, no filter is set and emit_call() can write
  // it. False, with nothing written, when the call must become a LogRecord for handle().
  bool emit_call_locked(const detail::CallFields& c) noexcept;
  virtual void flush() {}
  // Marks the handler closed and drops its registered name. Subclasses that hold
  // resources override it and call Handler::close() last.
  virtual void close();
  bool closed() const { return closed_.load(std::memory_order_relaxed); }

  // shutdown() flushes before close() unless this is false (MemoryHandler's flushOnClose).
  virtual bool flush_on_close() const { return true; }

  // Python's handleError, for the exception being handled now: the "--- Logging error ---"
  // block on stderr (if raise_exceptions() is on). Never throws.
  void handle_error(const LogRecord& record) noexcept;

  // The name in the handler registry (dictConfig sets it to the handler's key).
  std::string name() const;
  void set_name(std::string name);

  std::recursive_mutex& lock() const { return lock_; }
  // Python's _at_fork_reinit, widened: called in the child of fork() (single-threaded,
  // the handler's locks already made new) to drop what belongs to the parent, which
  // writes it: buffered output, buffered records, a connection the two would share.
  // Subclasses that keep such state override it and call the base.
  virtual void at_fork_reinit() {}

  // This handler's counts so far (see HandlerStats).
  virtual HandlerStats stats() const;

  // Python's class name ("StreamHandler"), for repr and `dictlog tree`.
  virtual std::string_view class_name() const { return "Handler"; }
  // Python's repr: "<StreamHandler <stderr> (NOTSET)>".
  virtual std::string repr() const;

 protected:
  // For handlers that drop a record on purpose (HandlerStats says why).
  void count_dropped_peer_down() noexcept {
    dropped_peer_down_.fetch_add(1, std::memory_order_relaxed);
  }
  void count_dropped_write_failed(std::uint64_t records) noexcept {
    dropped_write_failed_.fetch_add(records, std::memory_order_relaxed);
  }
  // For a handle() override that runs the filters itself.
  void count_filtered() noexcept { filtered_.fetch_add(1, std::memory_order_relaxed); }
  // True when this object's handle() is Handler::handle, so handle_run may inline it: a
  // library class answers for its exact type only (a subclass may override handle()).
  virtual bool plain_handle() const { return false; }
  // emit() for the record of the queued call `c`, from the call's fields alone, lock()
  // held; false (nothing written) when this handler cannot, or not for this call.
  virtual bool emit_call(const detail::CallFields& c) {
    (void)c;
    return false;
  }

 private:
  friend struct detail::HandlerAccess;
  // handle()'s part under lock_: count, emit, and report what emit throws.
  void emit_counted(LogRecord& record) noexcept;
  // emit_formatter() after set_formatter, or with none set (the default Formatter).
  const Formatter& emit_formatter_slow() const;
  // emitted_ is only written under lock_ (a plain increment); the others by any thread.
  std::atomic<std::uint64_t> emitted_{0};
  std::atomic<std::uint64_t> filtered_{0};
  std::atomic<std::uint64_t> dropped_peer_down_{0};
  std::atomic<std::uint64_t> dropped_write_failed_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<int> level_;
  std::atomic<bool> closed_{false};
  mutable std::mutex formatter_mutex_;
  std::shared_ptr<const Formatter> formatter_;
  std::atomic<bool> has_formatter_{false};
  std::atomic<std::uint64_t> formatter_version_{0};  // bumped by set_formatter
  // emit_formatter()'s copy of formatter_ (lock_ held), and the version it was read at.
  mutable std::shared_ptr<const Formatter> emit_formatter_;
  mutable std::uint64_t emit_version_ = ~std::uint64_t{0};
  mutable std::recursive_mutex lock_;
  std::string name_;
};

// The named-handler registry (Python's getHandlerByName / getHandlerNames).
std::shared_ptr<Handler> get_handler_by_name(std::string_view name);
template <class H>
std::shared_ptr<H> get_handler_by_name(std::string_view name) {
  return std::dynamic_pointer_cast<H>(get_handler_by_name(name));
}
std::vector<std::string> get_handler_names();  // sorted

// Every named handler's counts (the names dict_config gave them), sorted by name. Reading
// them takes the registry's lock only; the logging threads are not disturbed.
std::vector<std::pair<std::string, HandlerStats>> stats();

// Python's logging.raiseExceptions: when false, handle_error and the "no handlers"
// message are silent.
bool raise_exceptions();
void set_raise_exceptions(bool on);

namespace detail {
// Every live handler, in creation order (Python's _handlerList).
std::vector<std::shared_ptr<Handler>> handlers_in_creation_order();
// "TypeName: message" for the exception being handled now, as Python's last traceback
// line shows it: dictlog errors by their Python name ("ValueError: ..."), others by their
// C++ type ("std::runtime_error: ..."); nested exceptions are chained as Python chains
// causes. "NoneType: None" when no exception is being handled.
std::string describe_current_exception();
}  // namespace detail

}  // namespace dictlog
