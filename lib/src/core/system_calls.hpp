// The system calls dictlog makes on files and sockets, through one table that tests can
// swap (fmt's posix-mock, chosen at run time): a full disk, a failing write, open or
// rename, an interrupted or short write can then be produced on demand, against real
// files. write_all is the one loop that writes a whole buffer: it retries EINTR and
// continues short writes, for the handlers, handle_error's report and the listener's.
//
//   if (int err = detail::write_all(fd, bytes)) detail::throw_os_error(err);
//   int fd = detail::sys().open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
//
//   detail::SystemCalls fake = detail::real_system_calls();
//   fake.write = [](int, const void*, std::size_t) -> ssize_t { errno = ENOSPC; return -1; };
//   detail::ScopedSystemCalls use(fake);  // until the end of the scope
//
// Thread safety: sys() may be called from any thread; a call made while a guard is
// installed or removed uses the old table or the new one. Guards are for tests: install
// and remove them from one thread, innermost first. A call costs one load and one
// indirect call, per system call (a listener's batch is one write).
#pragma once

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <string_view>

namespace dictlog::detail {

// Each entry has the signature and the errno contract of the call it is named after.
struct SystemCalls {
  int (*open)(const char* path, int flags, mode_t mode);
  ssize_t (*write)(int fd, const void* buf, std::size_t n);
  off_t (*lseek)(int fd, off_t offset, int whence);
  int (*close)(int fd);
  int (*rename)(const char* from, const char* to);
  int (*unlink)(const char* path);
  int (*stat)(const char* path, struct ::stat* st);
  int (*fstat)(int fd, struct ::stat* st);
  ssize_t (*send)(int fd, const void* buf, std::size_t n, int flags);
  ssize_t (*sendto)(int fd, const void* buf, std::size_t n, int flags, const sockaddr* to,
                    socklen_t len);
};

// The table of the real calls.
const SystemCalls& real_system_calls() noexcept;

extern std::atomic<const SystemCalls*> g_system_calls;

// The table in use: the real calls unless a test installed its own.
inline const SystemCalls& sys() noexcept {
  return *g_system_calls.load(std::memory_order_acquire);
}

// Writes all of bytes to fd, retrying EINTR and continuing short writes. Returns 0, or
// the errno of the write that failed (EIO for one that wrote nothing without an error);
// `written` (if given) receives how many bytes did reach fd.
int write_all(int fd, std::string_view bytes, std::size_t* written = nullptr) noexcept;

// Installs a copy of `table` for its lifetime, then puts the previous table back.
class ScopedSystemCalls {
 public:
  explicit ScopedSystemCalls(const SystemCalls& table) noexcept;
  ~ScopedSystemCalls();
  ScopedSystemCalls(const ScopedSystemCalls&) = delete;
  ScopedSystemCalls& operator=(const ScopedSystemCalls&) = delete;

 private:
  SystemCalls table_;
  const SystemCalls* previous_;
};

}  // namespace dictlog::detail
