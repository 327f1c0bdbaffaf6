#include "dictlog/crash_handler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/shutdown.hpp"

namespace dictlog {

namespace {

constexpr int kFatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    default:
      return "?";
  }
}

struct Slot {
  bool installed = false;
  struct sigaction previous {};
  int level = CRITICAL;
  std::string line;  // made when installing: the signal handler formats nothing of its own
};

// Built once and leaked: a signal may arrive during static destruction.
struct State {
  CrashHandlerOptions options;
  pid_t pid = 0;
  Logger* logger = nullptr;
  int wake_read = -1;
  int wake_write = -1;
  Slot slots[NSIG];
};

std::atomic<State*> g_state{nullptr};
// The thread running a drain (0: none): a second crash on it must not start another, and
// a crash on another thread waits for the first one to end the process.
std::atomic<pid_t> g_busy{0};
// The signal whose default action the watchdog takes when the drain overruns.
volatile sig_atomic_t g_watched_signal = 0;

pid_t this_thread_id() {
  return static_cast<pid_t>(::syscall(SYS_gettid));
}

void unblock(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

// Restores SIG_DFL and raises: the core dump and the exit status of the original signal.
void take_default_action(int sig) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
  unblock(sig);
  raise(sig);
}

// What would have happened without dictlog: the application's handler, run as a signal
// handler, or the default action. An ignored fatal signal cannot be ignored on return.
void pass_on(const Slot& slot, int sig) {
  const auto& prev = slot.previous;
  bool is_function =
      (prev.sa_flags & SA_SIGINFO) || (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN);
  if (!is_function) {
    take_default_action(sig);
    return;
  }
  sigaction(sig, &prev, nullptr);
  unblock(sig);
  raise(sig);
}

void on_alarm(int) {
  int sig = g_watched_signal;
  take_default_action(sig);
  ::_exit(128 + sig);  // only if the signal's default action does not end the process
}

struct Watchdog {
  struct sigaction previous {};
  bool armed = false;
  Watchdog(int sig, unsigned seconds) {
    if (seconds == 0) return;
    g_watched_signal = sig;
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &previous);
    unblock(SIGALRM);
    ::alarm(seconds);
    armed = true;
  }
  ~Watchdog() {
    if (!armed) return;
    ::alarm(0);
    sigaction(SIGALRM, &previous, nullptr);
  }
};

// Waits until no other thread drains; false if this thread is the one already draining.
bool claim() {
  const pid_t me = this_thread_id();
  for (;;) {
    pid_t expected = 0;
    if (g_busy.compare_exchange_strong(expected, me)) return true;
    if (expected == me) return false;
    timespec pause{0, 1'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

// shutdown() drains every listener and flushes and closes every handler; the line logged
// after it reaches them the way any late record does (written at once, files reopened);
// the second shutdown() flushes and closes that line's handlers.
void drain_and_report(const State& s, int sig) {
  Watchdog watchdog(sig, s.options.timeout_seconds);
  try {
    shutdown();
  } catch (...) {
  }
  try {
    s.logger->log_message(s.slots[sig].level, s.slots[sig].line);
  } catch (...) {
  }
  try {
    shutdown();
  } catch (...) {
  }
}

void on_fatal(int sig, siginfo_t*, void*) {
  const int saved_errno = errno;
  State* s = g_state.load(std::memory_order_acquire);
  if (s->pid == ::getpid() && claim()) {
    drain_and_report(*s, sig);
    g_busy.store(0);
    pass_on(s->slots[sig], sig);
  } else if (s->pid == ::getpid()) {
    take_default_action(sig);  // a fault during this thread's own drain
  } else {
    pass_on(s->slots[sig], sig);  // a forked child: no listener threads to drain
  }
  errno = saved_errno;
}

void on_termination(int sig) {
  const int saved_errno = errno;
  State* s = g_state.load(std::memory_order_acquire);
  if (s->pid != ::getpid()) {
    pass_on(s->slots[sig], sig);
  } else {
    const unsigned char byte = static_cast<unsigned char>(sig);
    if (::write(s->wake_write, &byte, 1) != 1) take_default_action(sig);
  }
  errno = saved_errno;
}

void watch(State* s) {
  for (;;) {
    unsigned char byte = 0;
    ssize_t n = ::read(s->wake_read, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) return;
    const int sig = byte;
    if (!claim()) continue;
    drain_and_report(*s, sig);
    g_busy.store(0);
    pass_on(s->slots[sig], sig);  // returns only if the application's handler returned
  }
}

void install(State& s, int sig, int level, void (*handler)(int), bool skip_if_ignored) {
  Slot& slot = s.slots[sig];
  sigaction(sig, nullptr, &slot.previous);
  if (skip_if_ignored && !(slot.previous.sa_flags & SA_SIGINFO) &&
      slot.previous.sa_handler == SIG_IGN)
    return;
  slot.level = level;
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  if (handler) {
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
  } else {
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_ONSTACK | SA_SIGINFO;
  }
  slot.installed = sigaction(sig, &sa, nullptr) == 0;
}

std::string line_for(const char* what, int sig) {
  return std::string(what) + std::to_string(sig) + " (" + signal_name(sig) + ")";
}

struct AltStack {
  void* memory = nullptr;
  std::size_t size = 0;
  ~AltStack() {
    if (!memory) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    ::munmap(memory, size);
  }
};
thread_local AltStack t_alt_stack;

}  // namespace

void install_signal_stack() {
  State* s = g_state.load(std::memory_order_acquire);
  if (!s || s->options.signal_stack_size == 0 || t_alt_stack.memory) return;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
  const std::size_t size = s->options.signal_stack_size;
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = memory;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) {
    ::munmap(memory, size);
    return;
  }
  t_alt_stack.memory = memory;
  t_alt_stack.size = size;
}

bool install_crash_handler(const CrashHandlerOptions& options) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (g_state.load()) return false;
  auto* s = new State;
  s->options = options;
  s->pid = ::getpid();
  s->logger = &get_logger(options.logger_name);
  if (options.sigterm || options.sigint) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw OSError(std::string("crash handler: pipe: ") + std::strerror(errno));
    s->wake_read = fds[0];
    s->wake_write = fds[1];
    std::thread(watch, s).detach();
  }
  for (int sig : kFatal) s->slots[sig].line = line_for("Fatal signal ", sig);
  for (int sig : {SIGTERM, SIGINT}) s->slots[sig].line = line_for("Terminating on signal ", sig);
  g_state.store(s, std::memory_order_release);
  install_signal_stack();
  if (options.fatal_signals)
    for (int sig : kFatal) install(*s, sig, options.fatal_level, nullptr, false);
  if (options.sigterm) install(*s, SIGTERM, options.termination_level, on_termination, true);
  if (options.sigint) install(*s, SIGINT, options.termination_level, on_termination, true);
  return true;
}

}  // namespace dictlog
