// Asymmetric fences: the logging thread's side of a store-load handshake costs nothing,
// the rare side (freeing a replaced handler chain, a consumer going to sleep, a queue being
// stopped) pays for both with one membarrier(2) system call, which makes every running
// thread of the process execute a full barrier. Where the kernel lacks it, both sides are
// plain seq_cst fences.
//
//   light:  store A; light_fence(); load B       heavy:  store B; heavy_fence(); load A
//
// Either the light side's load sees B, or the heavy side's load sees A.
#pragma once

#include <atomic>

namespace dictlog::detail {

bool init_asymmetric_fences();

// The heavy side's answer, decided once (at library load).
inline bool asymmetric_fences() {
  static const bool on = init_asymmetric_fences();
  return on;
}

// Set by init_asymmetric_fences once membarrier is registered, so that the light side reads
// a plain flag instead of a guarded static; a light side that reads false (before that, or
// without membarrier) takes a full fence, which is correct against either heavy side.
extern std::atomic<bool> g_light_fences;

inline void light_fence() {
  if (g_light_fences.load(std::memory_order_relaxed)) [[likely]]
    std::atomic_signal_fence(std::memory_order_seq_cst);
  else
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

void heavy_fence();

}  // namespace dictlog::detail
