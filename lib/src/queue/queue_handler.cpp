#include "dictlog/queue_handler.hpp"

#include <new>
#include <typeinfo>

#include "core/listener_thread.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/queue_listener.hpp"
#include "queue/builtin_queue.hpp"
#include "queue/queue_prepare.hpp"
#include "queue/text_arena.hpp"

namespace dictlog {

namespace detail {

void finish_prepare(LogRecord& r, std::string formatted) {
  r.args().clear();
  r.exc_text.reset();
  r.exc_formatted = false;
  r.stack_info.reset();
  r.message_set = true;  // prepare formats, as Python's does with a Formatter
  r.set_prepared(std::move(formatted));
}

bool QueuePreparer::apply(LogRecord& r) const {
  // Held while formatting, so the handler cannot be destroyed meanwhile (detach waits).
  std::lock_guard lock(mutex_);
  return apply_locked(r);
}

bool QueuePreparer::keeps_message_locked() const {
  return !owner_ || !owner_->has_formatter();
}

void QueuePreparer::taken_locked() const {
  if (owner_)
    owner_->taken_.store(owner_->taken_.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
}

bool QueuePreparer::apply_locked(LogRecord& r) const {
  taken_locked();
  try {
    // Without a formatter, and with no traceback or stack to append, the text is the
    // message itself: it is moved, not formatted again and copied.
    if (!r.exc_text && !r.stack_info && keeps_message_locked()) {
      // A listener taking a batch keeps the text in the batch's arena: no allocation.
      if (TextArena* arena = batch_arena()) {
        prepare_in(r, *arena);
        r.exc_formatted = false;
        r.message_set = true;
        return true;
      }
      finish_prepare(r, r.take_message());
      return true;
    }
    static const auto* default_formatter = new Formatter();
    std::string text = owner_ ? owner_->format(r) : default_formatter->format(r);
    finish_prepare(r, std::move(text));
    return true;
  } catch (...) {
    if (owner_) owner_->handle_error(r);
    return false;
  }
}

void QueuePreparer::detach() {
  std::lock_guard lock(mutex_);
  owner_ = nullptr;
}

}  // namespace detail

QueueHandler::QueueHandler(std::shared_ptr<LogQueue> q)
    : queue_(std::move(q)),
      fast_(detail::builtin_queue(queue_.get())),
      preparer_(std::make_shared<detail::QueuePreparer>(this)) {
  if (!queue_) throw ValueError("QueueHandler needs a queue");
  if (fast_) fast_->adopt(preparer_);
}

QueueHandler::~QueueHandler() {
  preparer_->detach();
}

std::shared_ptr<QueueListener> QueueHandler::listener() const {
  std::lock_guard lock(listener_mutex_);
  return listener_;
}

void QueueHandler::set_listener(std::shared_ptr<QueueListener> l) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(l);
}

HandlerStats QueueHandler::stats() const {
  HandlerStats s = Handler::stats();
  s.emitted += taken_.load(std::memory_order_relaxed);
  s.dropped_queue_full = dropped() + queue_->dropped_elsewhere();
  return s;
}

void QueueHandler::at_fork_reinit() {
  new (&listener_mutex_) std::mutex;
  Handler::at_fork_reinit();
}

LogRecord QueueHandler::prepare(const LogRecord& record) {
  std::string text = format(record);
  LogRecord r(record);
  detail::finish_prepare(r, std::move(text));
  return r;
}

void QueueHandler::enqueue(LogRecord&& record) {
  if (overflow() == Overflow::block && !detail::on_listener_thread())
    queue_->put(std::move(record));
  else if (!queue_->put_nowait(std::move(record)))
    throw QueueFull();
}

bool QueueHandler::defer() const {
  if (defer_opt_in_) return true;
  signed char exact = exact_type_.load(std::memory_order_relaxed);
  if (exact < 0) [[unlikely]] {
    // A subclass may override prepare or enqueue, which must then run here, at the call.
    exact = typeid(*this) == typeid(QueueHandler) ? 1 : 0;
    exact_type_.store(exact, std::memory_order_relaxed);
  }
  return exact == 1;
}

void QueueHandler::count_drop(const LogRecord& record) {
  dropped_.fetch_add(1, std::memory_order_relaxed);
  try {
    throw QueueFull();
  } catch (...) {
    report_drop(record);
  }
}

// A full queue is reported for each record, as CPython does; a queue that refuses records
// because nobody reads it (its reader's listener stopped) once per outage.
void QueueHandler::report_drop(const LogRecord& record) {
  std::string why = queue_->refusal();
  if (why.empty()) {
    handle_error(record);
    return;
  }
  if (told_refusal_.exchange(true, std::memory_order_relaxed)) return;  // counted in dropped_
  try {
    throw OSError(why);
  } catch (...) {
    handle_error(record);
  }
}

// A record put after shutdown(), or after this handler was closed (a reconfiguration
// replaced it: its listener is being stopped), may have landed behind the listener's
// sentinel; it is then written here, by the listener's handlers. The closed flag is set
// before the listener's stop enqueues its sentinel, under the queue's lock, so a put that
// comes after the sentinel sees it.
inline void QueueHandler::serve_if_late() {
  if (detail::queue_shut_down() || closed()) [[unlikely]]
    serve_late();
}

void QueueHandler::serve_late() {
  detail::serve_after_shutdown(queue_.get(), listener().get());
}

void QueueHandler::emit_deferred(const LogRecord& record) {
  bool block = overflow() == Overflow::block && !detail::on_listener_thread();
  if (!fast_->push_copy(record, preparer_.get(), block)) count_drop(record);
  serve_if_late();
}

bool QueueHandler::handle(LogRecord& record) noexcept {
  if (!fast_ || !defer()) return Handler::handle(record);
  if (has_filters()) {
    try {
      if (!filter(record)) {
        count_filtered();
        return false;
      }
    } catch (...) {
      handle_error(record);
      return false;
    }
  }
  try {
    emit_deferred(record);
  } catch (...) {
    handle_error(record);
  }
  return true;
}

detail::DirectRoute QueueHandler::direct_route() {
  detail::DirectSink* sink = fast_ ? fast_->direct_sink() : nullptr;
  if (!sink || !defer()) return {};
  return {sink, preparer_.get()};
}

void QueueHandler::emit(LogRecord& record) {
  if (fast_ && defer()) {
    emit_deferred(record);
    return;
  }
  try {
    enqueue(prepare(record));
  } catch (const QueueFull&) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    report_drop(record);
    return;
  } catch (...) {
    handle_error(record);
    return;
  }
  if (told_refusal_.load(std::memory_order_relaxed)) [[unlikely]]
    told_refusal_.store(false, std::memory_order_relaxed);
  serve_if_late();
}

}  // namespace dictlog
