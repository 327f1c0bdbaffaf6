// Test support: faults injected into the system calls of files and sockets, through the
// library's seam (core/system_calls.hpp), while the calls that are not faulted reach the
// real files.
//
// Writes to descriptors 0, 1 and 2 are never faulted, so handle_error's report still
// reaches stderr (and a StderrCapture) while a file's writes fail.
//
//   SystemCallFaults faults;          // installed until the end of the scope
//   faults.fail_writes(ENOSPC);       // every write to a file fails, until clear()
//   faults.short_writes(3);           // each write takes at most 3 bytes
#pragma once

#include <cerrno>
#include <cstddef>

#include <algorithm>
#include <atomic>

#include "core/system_calls.hpp"

namespace dictlog::test {

class SystemCallFaults {
 public:
  // Every fault count: how many calls fail from now on, kAlways for all of them.
  static constexpr int kAlways = -1;

  SystemCallFaults() : guard_(table()) {
    clear();
    state().writes.store(0);
    state().opens.store(0);
    state().renames.store(0);
  }
  ~SystemCallFaults() { clear(); }
  SystemCallFaults(const SystemCallFaults&) = delete;
  SystemCallFaults& operator=(const SystemCallFaults&) = delete;

  void fail_writes(int err, int count = kAlways) { state().write.set(err, count); }
  void fail_opens(int err, int count = kAlways) { state().open.set(err, count); }
  void fail_renames(int err, int count = kAlways) { state().rename.set(err, count); }
  void fail_sends(int err, int count = kAlways) { state().send.set(err, count); }
  // A write that takes at most `max_bytes` (0: no limit) of what it is given.
  void short_writes(std::size_t max_bytes) { state().max_write.store(max_bytes); }
  // A disk with `bytes` left: writes take what fits, then fail with ENOSPC, until clear().
  void space_left(long long bytes) { state().space.store(bytes); }
  // Every fault and limit off; the counters kept.
  void clear() {
    auto& s = state();
    s.write.set(0, 0);
    s.open.set(0, 0);
    s.rename.set(0, 0);
    s.send.set(0, 0);
    s.max_write.store(0);
    s.space.store(-1);
  }

  // Calls made to file descriptors above 2 since construction, faulted ones included.
  int writes() const { return state().writes.load(); }
  int opens() const { return state().opens.load(); }
  int renames() const { return state().renames.load(); }

 private:
  struct Fault {
    std::atomic<int> err{0};
    std::atomic<int> remaining{0};
    void set(int e, int count) {
      err.store(e);
      remaining.store(count);
    }
    // True, with errno set, when this call is to fail.
    bool fire() {
      int r = remaining.load();
      while (r != 0) {
        if (r == kAlways || remaining.compare_exchange_weak(r, r - 1)) {
          errno = err.load();
          return true;
        }
      }
      return false;
    }
  };
  struct State {
    Fault write, open, rename, send;
    std::atomic<std::size_t> max_write{0};
    std::atomic<long long> space{-1};  // bytes a write may still take; -1: no limit
    std::atomic<int> writes{0}, opens{0}, renames{0};
  };
  // Function pointers cannot carry state: the one injector of the process keeps it here.
  static State& state() {
    static State s;
    return s;
  }

  static detail::SystemCalls table() {
    detail::SystemCalls t = detail::real_system_calls();
    t.write = [](int fd, const void* buf, std::size_t n) -> ssize_t {
      if (fd <= 2) return detail::real_system_calls().write(fd, buf, n);
      auto& s = state();
      s.writes.fetch_add(1);
      if (s.write.fire()) return -1;
      std::size_t max = s.max_write.load();
      if (max != 0 && n > max) n = max;
      if (long long space = s.space.load(); space >= 0) {
        if (space == 0) {
          errno = ENOSPC;
          return -1;
        }
        n = std::min<std::size_t>(n, static_cast<std::size_t>(space));
      }
      ssize_t done = detail::real_system_calls().write(fd, buf, n);
      if (done > 0 && s.space.load() >= 0) s.space.fetch_sub(done);
      return done;
    };
    t.open = [](const char* path, int flags, mode_t mode) {
      auto& s = state();
      s.opens.fetch_add(1);
      if (s.open.fire()) return -1;
      return detail::real_system_calls().open(path, flags, mode);
    };
    t.rename = [](const char* from, const char* to) {
      auto& s = state();
      s.renames.fetch_add(1);
      if (s.rename.fire()) return -1;
      return detail::real_system_calls().rename(from, to);
    };
    t.send = [](int fd, const void* buf, std::size_t n, int flags) -> ssize_t {
      if (state().send.fire()) return -1;
      return detail::real_system_calls().send(fd, buf, n, flags);
    };
    return t;
  }

  detail::ScopedSystemCalls guard_;
};

}  // namespace dictlog::test
