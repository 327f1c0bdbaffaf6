// config::watch: a thread per watched file that re-applies it when it changes (inotify on
// its directory, or polling), and the SIGHUP handler that wakes those threads.
#include "dictlog/watch.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "config/read_text.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/thread_name.hpp"
#include "record/at_fork.hpp"

namespace dictlog::config {

namespace {

// SIGHUP. The handler may only do async-signal-safe work: it writes to the eventfd of each
// watcher that asked for SIGHUP. A slot holds that descriptor plus one (0: free); `in_handler`
// counts handlers between loading a slot and writing, so a descriptor is closed only once no
// handler can still write to it.
constexpr int kHupSlots = 32;
std::atomic<int> hup_slots[kHupSlots];
std::atomic<int> in_handler{0};
struct sigaction previous_hup;  // written before the handler is installed, then only read
bool hup_installed = false;
int hup_users = 0;
std::mutex& hup_mutex() {
  static auto* m = new std::mutex;  // leaked: a Watcher may end during static destruction
  return *m;
}
const int g_at_fork = [] {
  dictlog::detail::add_fork_participant(
      dictlog::detail::ForkRank::config,
      {[](dictlog::detail::ForkLocks& locks) { return locks.take(hup_mutex()); }, [] {}});
  return 0;
}();

extern "C" void on_sighup(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  in_handler.fetch_add(1);
  for (auto& slot : hup_slots) {
    const int fd = slot.load() - 1;
    if (fd < 0) continue;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
  }
  in_handler.fetch_sub(1);
  // Chain: whoever handled SIGHUP before still sees it (the default action, which would end
  // the process, and SIG_IGN are what installing a handler replaces).
  if (previous_hup.sa_flags & SA_SIGINFO) {
    if (previous_hup.sa_sigaction) previous_hup.sa_sigaction(sig, info, context);
  } else if (previous_hup.sa_handler != SIG_DFL && previous_hup.sa_handler != SIG_IGN) {
    previous_hup.sa_handler(sig);
  }
  errno = saved_errno;
}

// Gives `fd` a slot and installs the handler for the first user; returns the slot.
int add_hup_listener(int fd) {
  std::lock_guard lock(hup_mutex());
  int slot = -1;
  for (int i = 0; i < kHupSlots && slot < 0; ++i)
    if (hup_slots[i].load() == 0) slot = i;
  if (slot < 0) throw std::runtime_error("more than 32 watchers with sighup");
  hup_slots[slot].store(fd + 1);
  if (!hup_installed) {
    ::sigaction(SIGHUP, nullptr, &previous_hup);
    struct sigaction ours {};
    ours.sa_sigaction = on_sighup;
    ours.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&ours.sa_mask);
    if (::sigaction(SIGHUP, &ours, nullptr) != 0) {
      hup_slots[slot].store(0);
      throw std::system_error(errno, std::generic_category(), "sigaction(SIGHUP)");
    }
    hup_installed = true;
  }
  ++hup_users;
  return slot;
}

// Frees the slot (its descriptor may be closed on return); the last user restores the action
// SIGHUP had, unless another handler replaced ours meanwhile.
void remove_hup_listener(int slot) {
  std::lock_guard lock(hup_mutex());
  hup_slots[slot].store(0);
  while (in_handler.load() != 0) std::this_thread::yield();
  if (--hup_users > 0 || !hup_installed) return;
  struct sigaction current {};
  ::sigaction(SIGHUP, nullptr, &current);
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_sighup) {
    ::sigaction(SIGHUP, &previous_hup, nullptr);
    hup_installed = false;
  }
}

std::string describe(const std::exception& e) {
  if (auto* d = dynamic_cast<const Error*>(&e))
    return std::string(d->python_type()) + ": " + d->what();
  return e.what();
}

void write_to_stderr(const std::string& file, const Problem& problem) {
  const std::string line = problem_line(file, problem) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

// How long a file written but not closed must stay quiet before it is read anyway (a
// writer that keeps it open, or a hard link made with no write at all).
constexpr auto kUnclosedQuiet = std::chrono::seconds(1);

struct Watcher::Impl {
  std::filesystem::path file;
  std::string name;    // the file name inotify reports in the directory's events
  std::string source;  // the path as given, in reports
  // The file is a symbolic link: its target may change through another entry of the
  // directory (a Kubernetes ConfigMap swaps a "..data" link), so every event is a candidate.
  bool any_entry = false;
  WatchOptions options;
  int wake_fd = -1;     // eventfd: stop(), reload() and SIGHUP
  int inotify_fd = -1;  // -1: polling; read and changed by the thread only, once started
  std::atomic<bool> inotify_on{false};  // inotify_fd >= 0, for uses_inotify()
  int hup_slot = -1;
  std::atomic<bool> stopping{false};
  std::optional<std::string> last;  // the content last read (applied or rejected)
  bool last_unreadable = false;
  std::thread thread;
  std::int64_t owner = dictlog::detail::current_process_id();  // a forked child has no thread here

  ~Impl() {
    if (hup_slot >= 0) remove_hup_listener(hup_slot);
    if (inotify_fd >= 0) ::close(inotify_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void start_inotify() {
    inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd < 0) return;
    std::filesystem::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    // The directory, not the file: a rename over the file replaces the inode a watch on
    // the file would follow.
    const auto mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE |
                      IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    if (::inotify_add_watch(inotify_fd, dir.c_str(), mask) < 0)
      stop_inotify();
    else
      inotify_on.store(true);
  }
  void stop_inotify() {
    ::close(inotify_fd);
    inotify_fd = -1;
    inotify_on.store(false);
  }

  // What the last inotify event about the file says about its state.
  enum class Seen { nothing, settled, writing };

  // Reads the pending inotify events. `writing`: the last one was a creation or a write
  // not yet followed by a close (more may come); `settled`: a close after writing, a
  // rename or a deletion. The directory itself going away ends inotify: from then on the
  // file is polled.
  Seen read_events() {
    alignas(inotify_event) char buf[4096];
    Seen seen = Seen::nothing;
    for (;;) {
      const ssize_t n = ::read(inotify_fd, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return seen;
      }
      for (ssize_t at = 0; at < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
          stop_inotify();
          return Seen::settled;
        }
        if ((ev->mask & IN_Q_OVERFLOW) || any_entry || (ev->len > 0 && name == ev->name))
          seen = (ev->mask & (IN_CREATE | IN_MODIFY)) ? Seen::writing : Seen::settled;
      }
    }
  }

  void report(ReloadOutcome& outcome) {
    try {
      for (const auto& p : outcome.problems) {
        if (options.on_problem)
          options.on_problem(source, p);
        else
          write_to_stderr(source, p);
      }
      if (options.on_reload) options.on_reload(outcome);
    } catch (...) {
      // A callback that throws must not end the watcher.
    }
  }

  // Re-applies the file if it exists and (unless forced) its content changed.
  void attempt(bool force) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return;  // deleted, or not yet replaced
    ReloadOutcome outcome{source, {}};
    Problem why;
    auto text = detail::read_text(file, why);
    if (!text) {
      if (last_unreadable && !force) return;
      last_unreadable = true;
      last.reset();
      outcome.problems.push_back(why);
      report(outcome);
      return;
    }
    if (!force && last && *last == *text) return;
    last_unreadable = false;
    last = *text;
    try {
      detail::apply_text(*text, format_of(file), {}, source);
      start_listeners();
    } catch (const ConfigError& e) {
      outcome.problems = e.problems();
    } catch (const std::exception& e) {
      outcome.problems.push_back({"", describe(e)});
    }
    report(outcome);
  }

  void run() {
    using clock = std::chrono::steady_clock;
    bool pending = false, force = false;
    clock::time_point due{};
    for (;;) {
      int timeout = -1;
      if (pending)
        timeout = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(
                                       std::max<clock::duration>(due - clock::now(), {}))
                                       .count());
      else if (inotify_fd < 0)
        timeout = static_cast<int>(std::max<std::chrono::milliseconds::rep>(
            1, options.poll_interval.count()));  // 0 would spin
      pollfd fds[2] = {{wake_fd, POLLIN, 0}, {inotify_fd, POLLIN, 0}};
      const int ready = ::poll(fds, inotify_fd < 0 ? 1 : 2, timeout);
      if (ready < 0 && errno == EINTR) continue;
      if (ready > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t count;
        [[maybe_unused]] auto n = ::read(wake_fd, &count, sizeof count);
        if (stopping.load()) return;
        force = pending = true;  // reload() or SIGHUP: now, changed or not
        due = clock::now();
      }
      if (ready > 0 && inotify_fd >= 0 && (fds[1].revents & POLLIN)) {
        // Each event of a burst moves the reload later, until the file is quiet. A file
        // still open for writing gets longer: reading it half written would report a
        // configuration nobody wrote.
        const Seen seen = read_events();
        if (seen != Seen::nothing) {
          pending = true;
          due = clock::now() + (seen == Seen::writing
                                    ? std::max<clock::duration>(options.debounce, kUnclosedQuiet)
                                    : options.debounce);
        }
      }
      if (ready == 0 && !pending) {  // a poll tick
        pending = true;
        due = clock::now();
      }
      if (pending && clock::now() >= due) {
        pending = false;
        attempt(std::exchange(force, false));
      }
    }
  }
};

Watcher::Watcher() noexcept = default;
Watcher::Watcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Watcher::Watcher(Watcher&&) noexcept = default;
Watcher& Watcher::operator=(Watcher&& other) noexcept {
  if (this != &other) {
    stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Watcher::~Watcher() {
  stop();
}

void Watcher::stop() {
  if (!impl_) return;
  if (impl_->owner != dictlog::detail::current_process_id()) {
    // A child of fork(): the thread is the parent's, and so is the eventfd's counter.
    new (&impl_->thread) std::thread;
    impl_.reset();
    return;
  }
  impl_->stopping.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(impl_->wake_fd, &one, sizeof one);
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_.reset();
}

void Watcher::reload() {
  if (!impl_) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(impl_->wake_fd, &one, sizeof one);
}

bool Watcher::uses_inotify() const {
  return impl_ && impl_->inotify_on.load();
}

Watcher watch(const std::filesystem::path& file, WatchOptions options) {
  auto impl = std::make_unique<Watcher::Impl>();
  impl->file = file;
  impl->name = file.filename().string();
  impl->source = file.string();
  std::error_code ec;
  impl->any_entry = std::filesystem::is_symlink(file, ec);
  impl->options = std::move(options);
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->wake_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  if (impl->options.inotify) impl->start_inotify();
  if (impl->options.sighup) impl->hup_slot = add_hup_listener(impl->wake_fd);
  // After the watch is in place: a change from here on is seen.
  Problem why;
  impl->last = detail::read_text(file, why);
  impl->last_unreadable = !impl->last;
  impl->thread = std::thread([p = impl.get()] { p->run(); });
  return Watcher(std::move(impl));
}

}  // namespace dictlog::config
