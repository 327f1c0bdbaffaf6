#include "dictlog/detail/fence.hpp"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace dictlog::detail {

namespace {
#if defined(__linux__) && defined(__NR_membarrier)
long membarrier(int cmd) {
  return ::syscall(__NR_membarrier, cmd, 0u, 0);
}
#endif
}  // namespace

std::atomic<bool> g_light_fences{false};

bool init_asymmetric_fences() {
#if defined(__linux__) && defined(__NR_membarrier)
  long cmds = membarrier(MEMBARRIER_CMD_QUERY);
  if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
  if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) return false;
  g_light_fences.store(true, std::memory_order_relaxed);
  return true;
#else
  return false;
#endif
}

namespace {
// Decided before any logging thread exists, so the light side never waits for it.
[[maybe_unused]] const bool g_decided = asymmetric_fences();
}  // namespace

void heavy_fence() {
#if defined(__linux__) && defined(__NR_membarrier)
  if (asymmetric_fences()) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  }
#endif
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace dictlog::detail
