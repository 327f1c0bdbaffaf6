// Who logs: the calling thread's ident and name, and the process id.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "dictlog/thread_name.hpp"
#include "record/intern.hpp"

namespace dictlog {

namespace {

std::atomic<std::int64_t> g_pid{::getpid()};
const int g_atfork = [] {
  pthread_atfork(nullptr, nullptr, [] { g_pid.store(::getpid(), std::memory_order_relaxed); });
  return 0;
}();

std::string_view os_thread_name() {
  if (::syscall(SYS_gettid) == ::getpid()) return detail::intern("MainThread");
  char buf[64] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0 && buf[0])
    return detail::intern(buf);
  return detail::intern("Thread-" + std::to_string(::syscall(SYS_gettid)));
}

}  // namespace

namespace detail {

// Constant-initialised: no TLS wrapper or __tls_get_addr call on a logging call.
constinit __attribute__((tls_model("initial-exec"))) thread_local ThreadInfo t_thread;

std::int64_t current_process_id() {
  return g_pid.load(std::memory_order_relaxed);
}

std::string_view current_thread_name_slow() {
  if (!t_thread.named) {
    t_thread.name = os_thread_name();
    t_thread.named = true;
  }
  return t_thread.name;
}

std::uint64_t current_thread_ident_slow() {
  t_thread.ident = static_cast<std::uint64_t>(pthread_self());
  return t_thread.ident;
}

const ThreadIdentity* current_thread_identity_slow() {
  t_thread.identity = intern_identity(current_thread_ident(), current_thread_name());
  return t_thread.identity;
}

}  // namespace detail

void set_thread_name(std::string_view name) {
  detail::t_thread.name = detail::intern(name);
  detail::t_thread.named = true;
  detail::t_thread.identity = nullptr;
  std::string os(name.substr(0, 15));
  pthread_setname_np(pthread_self(), os.c_str());
}

}  // namespace dictlog
