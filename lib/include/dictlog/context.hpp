// Context: key/values bound to the calling thread for a scope, carried by every record
// logged on that thread meanwhile, through queues and onto other threads.
//
// A service binds what identifies the work in hand (a request id, a user, a tenant) once,
// where the work starts; every record logged below gets those keys as record attributes,
// as if each call had passed them in `extra`: `%(request_id)s` in a format, a field of a
// JsonFormatter line, an item of SocketHandler's pickled dict and HTTPHandler's form.
//
//   void serve(const Request& req) {
//     auto scope = dictlog::context::bind({{"request_id", req.id}, {"user", req.user}});
//     log.info("start");                 // request_id and user are on the record
//     {
//       auto inner = dictlog::context::bind({{"step", "auth"}});
//       log.info("checking token");      // request_id, user, step
//     }
//     log.info("done");                  // request_id, user again
//   }
//
// A record captures the context of its call when it is made: a QueueListener that formats
// it later, on its own thread, sees the values the calling thread had at that moment,
// whatever that thread has bound since. Capturing is a reference count on an immutable
// snapshot (the bind made it), so a call allocates nothing for it, however many keys are
// bound; a thread with nothing bound pays nothing at all for the feature.
//
// The keys follow Python's rule for `extra`: a key that names a record attribute (`msg`,
// `message`, `asctime`, `levelname`, ...) throws KeyError at bind(). An inner bind of a key
// the outer scope bound replaces its value until the inner scope ends. A call's own
// `extra` of the same key wins over the context for that record (the key keeps its place:
// `{**context, **extra}` in Python terms).
//
// Handing work to another thread (a pool): take `current()` on the submitting thread and
// `attach()` it in the task.
//
//   auto ctx = dictlog::context::current();
//   pool.submit([ctx] { auto scope = dictlog::context::attach(ctx); work(); });
//
// Thread-safety: bind, attach and current act on the calling thread only; a Context is
// immutable and may be shared between threads. Scopes end on the thread that made them, in
// reverse order of their making (as block scopes do).
#pragma once

#include <memory>
#include <utility>

#include "dictlog/value.hpp"

namespace dictlog {

// An immutable snapshot of a thread's bound context.
class Context {
 public:
  Context() = default;
  // A snapshot holding `items` (a LogRecord's `context`, for one).
  explicit Context(std::shared_ptr<const dictlog::extra> items) : items_(std::move(items)) {}
  bool empty() const { return !items_ || items_->empty(); }
  // The bound keys and values, outer scopes' first.
  const dictlog::extra& items() const;
  // What a LogRecord holds (LogRecord::context); null for no context.
  const std::shared_ptr<const dictlog::extra>& shared() const { return items_; }

 private:
  std::shared_ptr<const dictlog::extra> items_;
};

// The thread's context while it lives; the one before it again after.
class [[nodiscard]] ContextScope {
 public:
  explicit ContextScope(Context next);
  ~ContextScope();
  ContextScope(ContextScope&& o) noexcept
      : saved_(std::move(o.saved_)), active_(std::exchange(o.active_, false)) {}
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;
  ContextScope& operator=(ContextScope&&) = delete;

 private:
  Context saved_;
  bool active_ = true;
};

Context current_context();

namespace context {
// Binds `items` over the thread's current context until the returned scope ends. Throws
// KeyError (dictlog::KeyError, errors.hpp) for a key that names a record attribute.
ContextScope bind(const dictlog::extra& items);
// Makes `ctx` (usually another thread's current()) this thread's context, replacing
// rather than merging, until the returned scope ends.
ContextScope attach(Context ctx);
// The calling thread's context now.
inline Context current() {
  return current_context();
}
}  // namespace context

}  // namespace dictlog
