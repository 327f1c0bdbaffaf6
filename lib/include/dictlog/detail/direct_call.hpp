// A logging call handed to a handler without building a LogRecord first.
//
// When the only handler a logger's records meet can take a call's captured parts directly
// (a QueueHandler on a built-in unbounded queue), the logger asks it for room, writes the
// parts there and commits: the record itself is built later, by whoever takes it out of the
// queue. The time is a TSC reading (detail::clock_ticks), turned into wall-clock time then.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dictlog/detail/capture.hpp"
#include "dictlog/thread_name.hpp"

namespace dictlog::detail {

// What a queue entry holds (its header, thread_buffer.hpp, says): padding to a segment's
// end, a call (DirectCall and its arguments), a call whose DirectCall is followed by its
// `extra` (detail/call_extras.hpp) and then its arguments, or a whole LogRecord.
enum class EntryKind : std::uint8_t { pad, call, record, call_extra };

// The parts of one call, followed in memory by its encoded arguments; its level is in the
// queue entry's header (thread_buffer.hpp), which also gives the arguments' size.
struct DirectCall {
  const std::string* name;       // the logger's, which lives as long as the process
  const ThreadIdentity* thread;  // who called, and its name then
  const char* fmt;
  const char* file;
  const char* function;
  const ArgVTable* vt;
  std::uint32_t fmt_size;
  std::uint32_t line;

  std::byte* args() { return reinterpret_cast<std::byte*>(this + 1); }
  const std::byte* args() const { return reinterpret_cast<const std::byte*>(this + 1); }
};

struct ThreadBuffer;

// Set (for good) by dictlog::shutdown() before it stops the listeners: from then on a
// sink's consumer may be gone.
extern std::atomic<bool> g_queue_shut_down;
inline bool queue_shut_down() {
  return g_queue_shut_down.load(std::memory_order_seq_cst);
}

// The producer side of a queue that gives every thread a buffer of its own (the unbounded
// BufferedQueue): a handler names it in its route (DirectCallTarget::direct_route). The
// inline members are defined in detail/thread_buffer.hpp, which the logger's inline call
// path and the queue include: a logging call writes into its thread's buffer with no call
// through a vtable and no call into the library.
class DirectSink {
 public:
  // Room for one call in this thread's buffer, and the buffer.
  struct Reserved {
    DirectCall* call = nullptr;
    ThreadBuffer* buffer = nullptr;
  };
  // Room for one call at `level` with `arg_size` bytes after its DirectCall, stamped
  // `ticks` (clock_ticks()); `tag` (the handler's, from its route) goes with it to whoever
  // builds the record. `kind`: call, or call_extra when the bytes start with the call's
  // extras. No call when this call must take the ordinary path (its thread is being torn
  // down).
  inline Reserved reserve_call(int level, std::size_t arg_size, const void* tag,
                               std::uint64_t ticks, EntryKind kind = EntryKind::call);
  // Publishes the call reserve_call returned, once every field is written. True when the
  // sink's consumer may have stopped for good: the handler must then see to the call
  // (DirectCallTarget::serve_late_call).
  inline bool commit_call(const Reserved& r);

 protected:
  DirectSink();
  ~DirectSink() = default;
  DirectSink(const DirectSink&) = delete;
  DirectSink& operator=(const DirectSink&) = delete;

  // This thread's buffer; nullptr while its thread-local storage is being torn down.
  inline ThreadBuffer* own_buffer();
  virtual ThreadBuffer* own_buffer_slow() = 0;
  // Wakes the consumer after a commit when it sleeps (or naps with a backlog waiting).
  inline void after_commit(ThreadBuffer& b);
  virtual void wake_consumer(ThreadBuffer& b) = 0;

  const std::uint64_t uid_;       // never reused, unlike the address: keys the threads' caches
  std::atomic<int> sleepers_{0};  // consumers in a plain wait: a commit must wake them
  std::atomic<int> buffer_nappers_{0};
};

// Where a handler lets a logger write its calls: a sink and the tag its records carry.
struct DirectRoute {
  DirectSink* sink = nullptr;
  const void* tag = nullptr;
};

// The seam of the direct-call path: the core declares it, a handler of a higher layer that
// can take calls without a LogRecord (QueueHandler) implements it besides Handler. A logger
// looks for it (a dynamic_cast) when its handler chain is rebuilt, never per call.
// Thread-safety: both members may be called from any thread at any time.
class DirectCallTarget {
 public:
  // Where a logger whose records meet only this handler may write its calls; empty when
  // they must take the usual path. Asked on every rebuild of the logger's chain; the
  // logger still checks the handler's level, filters and closed flag on every call.
  virtual DirectRoute direct_route() = 0;
  // After a call went that way while the handler was closed, or its sink's consumer may
  // have stopped: the handler makes sure the call is not stranded.
  virtual void serve_late_call() = 0;

 protected:
  ~DirectCallTarget() = default;
};

}  // namespace dictlog::detail
