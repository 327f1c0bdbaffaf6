// Thread names: what %(threadName)s shows, and the thread and process identity every
// record carries.
//
// A record's threadName is the name set_thread_name gave the logging thread, "MainThread"
// on the main thread, else the OS name of the thread; its thread is pthread_self() and its
// process the process id, kept current across fork.
//
//   std::thread worker([] {
//     dictlog::set_thread_name("worker-1");   // records logged here show worker-1
//     ...
//   });
//
// Each thread reads and sets only its own name: set_thread_name may be called from any
// thread, at any time, and affects the records logged on that thread afterwards.
#pragma once

#include <cstdint>
#include <string_view>

namespace dictlog {

// Names the calling thread for threadName (and the OS, truncated to 15 bytes).
void set_thread_name(std::string_view name);

namespace detail {
// A thread's ident and name as a queued call carries them: one pointer to a pair interned
// for the life of the process (one per ident and name).
struct ThreadIdentity {
  std::uint64_t ident;
  std::string_view name;
};
// This thread's name as records show it. Interned: the view stays valid. Its ident is
// pthread_self(). Both are kept in initial-exec TLS, so that a logging call reads them
// with two loads, or their pair with one.
struct ThreadInfo {
  std::string_view name;
  std::uint64_t ident = 0;
  bool named = false;
  const ThreadIdentity* identity = nullptr;  // of name and ident; reset by set_thread_name
};
extern constinit __attribute__((tls_model("initial-exec"))) thread_local ThreadInfo t_thread;
std::string_view current_thread_name_slow();
std::uint64_t current_thread_ident_slow();
const ThreadIdentity* current_thread_identity_slow();
inline const ThreadIdentity* current_thread_identity() {
  if (const ThreadIdentity* p = t_thread.identity) [[likely]]
    return p;
  return current_thread_identity_slow();
}
inline std::string_view current_thread_name() {
  if (!t_thread.named) [[unlikely]]
    return current_thread_name_slow();
  return t_thread.name;
}
inline std::uint64_t current_thread_ident() {
  if (t_thread.ident == 0) [[unlikely]]
    return current_thread_ident_slow();
  return t_thread.ident;
}

// The process id records show (kept current across fork), without a system call.
std::int64_t current_process_id();
}  // namespace detail

}  // namespace dictlog
