// Replaces the global operator new of a test executable to count heap allocations: a
// thread counts into the counter it points t_alloc_counter at, while g_count_allocs is on.
// Include it in exactly one source file of the executable.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace dictlog::test {
inline std::atomic<bool> g_count_allocs{false};
inline thread_local std::atomic<long>* t_alloc_counter = nullptr;
}  // namespace dictlog::test

// Out of line, so that the compiler does not pair a malloc with its free and drop both.
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (std::atomic<long>* c = dictlog::test::t_alloc_counter;
      c && dictlog::test::g_count_allocs.load(std::memory_order_relaxed))
    c->fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n) {
  return operator new(n);
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
