#include "core/system_calls.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace dictlog::detail {

namespace {

// open(2) is variadic: a pointer to it cannot have the table's signature.
int open_file(const char* path, int flags, mode_t mode) {
  return ::open(path, flags, mode);
}

constexpr SystemCalls kReal{
    .open = open_file,
    .write = ::write,
    .lseek = ::lseek,
    .close = ::close,
    .rename = ::rename,
    .unlink = ::unlink,
    .stat = ::stat,
    .fstat = ::fstat,
    .send = ::send,
    .sendto = ::sendto,
};

}  // namespace

// Constant-initialised: a handler constructed before main already finds the real calls.
constinit std::atomic<const SystemCalls*> g_system_calls{&kReal};

const SystemCalls& real_system_calls() noexcept {
  return kReal;
}

int write_all(int fd, std::string_view bytes, std::size_t* written) noexcept {
  const SystemCalls& calls = sys();
  const std::size_t size = bytes.size();
  int err = 0;
  while (!bytes.empty()) {
    ssize_t n = calls.write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    // A write that makes no progress and reports nothing would spin here forever.
    if (n == 0) {
      err = EIO;
      break;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (written) *written = size - bytes.size();
  return err;
}

ScopedSystemCalls::ScopedSystemCalls(const SystemCalls& table) noexcept
    : table_(table), previous_(g_system_calls.exchange(&table_, std::memory_order_acq_rel)) {}

ScopedSystemCalls::~ScopedSystemCalls() {
  g_system_calls.store(previous_, std::memory_order_release);
}

}  // namespace dictlog::detail
