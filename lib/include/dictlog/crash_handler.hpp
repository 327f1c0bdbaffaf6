// install_crash_handler(): lose no queued record when the process crashes or is told to stop.
//
// Records handed to a QueueHandler wait in its queue until the listener thread writes them.
// A crash, or the SIGTERM every container stop sends, ends the process before that, and
// the records still queued are lost. Once installed (it is opt-in), dictlog catches:
// - the fatal signals SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: the crashing thread
//   itself runs dictlog::shutdown() (every listener drains its queue, every handler is
//   flushed and closed), logs "Fatal signal 11 (SIGSEGV)" at CRITICAL, flushes again, and
//   lets the signal take its course;
// - SIGTERM and SIGINT (each can be turned off): the signal handler only wakes a thread of
//   dictlog's, which runs shutdown(), logs "Terminating on signal 15 (SIGTERM)" and lets
//   the signal take its course.
// "Its course" is what would have happened without dictlog: the handler the application had
// installed before is restored and the signal raised again (so it runs, as a signal
// handler), or, without one, the default action is restored and the signal raised again
// (core dump, exit status showing the signal). The line is logged by the logger
// options.logger_name ("dictlog", which propagates to the root logger).
//
//   dictlog::config::dict_config_file("logging.json");   // QueueHandler -> listener -> files
//   dictlog::install_crash_handler();                      // after the application's handlers
//   ...
//
// Guarantees: every record whose log call had returned before the signal is written, once,
// before the signal line, if the handlers themselves still work. Not guaranteed: the record
// a thread was writing into its buffer when the signal arrived; anything after a crash
// inside dictlog or a handler (locks it held stay held: the wait is then bounded by
// options.timeout_seconds, after which the signal's default action ends the process); a
// SIGKILL. The fatal-signal work is not async-signal-safe (it formats and writes records);
// the timeout is what keeps a second fault or a deadlock from hanging the process. While
// that work runs, dictlog owns SIGALRM.
//
// Thread-safety: call install_crash_handler() once, from any thread, after any signal
// handler of the application's own is installed; a second call does nothing and returns
// false. A child made by fork() without exec takes the default actions (the watching thread
// does not survive a fork).
#pragma once

#include <cstddef>
#include <string>

#include "dictlog/level.hpp"

namespace dictlog {

struct CrashHandlerOptions {
  // Catch SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT.
  bool fatal_signals = true;
  // Catch SIGTERM (a container stop, `kill`). Left alone if it is ignored when installing.
  bool sigterm = true;
  // Catch SIGINT (Ctrl-C). Left alone if it is ignored when installing (a background job).
  bool sigint = true;
  // The logger that logs the signal line; records propagate from it as usual.
  std::string logger_name = "dictlog";
  // The level of "Fatal signal N (NAME)".
  int fatal_level = CRITICAL;
  // The level of "Terminating on signal N (NAME)".
  int termination_level = CRITICAL;
  // Longest time the drain may take before the signal's default action ends the process
  // anyway (a second fault, a lock held by the crashed thread, a handler that blocks).
  unsigned timeout_seconds = 10;
  // Size of the alternate signal stack that fatal signals run on, so that a stack overflow
  // is still reported. 0: none (the handler runs on the thread's own stack).
  std::size_t signal_stack_size = 256 * 1024;
};

// Installs the handlers (sigaction with SA_ONSTACK) and the alternate signal stack of the
// calling thread. Returns false if already installed. Throws OSError if a pipe or the
// watching thread cannot be made.
bool install_crash_handler(const CrashHandlerOptions& options = {});

// Gives the calling thread an alternate signal stack of options.signal_stack_size (each
// thread has its own; the installing thread gets one automatically). Call it at the start
// of threads that may overflow their stack; it is freed when the thread ends. Does nothing
// without install_crash_handler() or if the thread already has one.
void install_signal_stack();

}  // namespace dictlog
