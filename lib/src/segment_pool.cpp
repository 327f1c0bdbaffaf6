#include "segment_pool.hpp"

#include <signal.h>

#include <algorithm>
#include <system_error>
#include <thread>
#include <utility>

namespace dictlog::detail {

SegmentPool& SegmentPool::instance() {
  static auto* p = new SegmentPool;  // leaked, with its detached thread
  return *p;
}

std::size_t SegmentPool::class_of(std::size_t cap) {
  std::size_t k = 0;
  while (k < kClasses && kFirstSegment << k != cap) ++k;
  return k;
}

Segment* SegmentPool::take(std::size_t cap) {
  const std::size_t k = class_of(cap);
  Segment* s = nullptr;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (k < kClasses && classes_[k].count > 0) s = classes_[k].spares[--classes_[k].count];
    // This buffer's next growth wants twice the capacity, or another kMaxSegment.
    classes_[std::min(k + 1, kClasses - 1)].wanted = true;
    start = !std::exchange(started_, true);
  }
  if (start) {
    // The provisioner takes none of the process's signals. Without it (no thread could be
    // made), producers allocate their segments themselves, as they do when none is ready.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      std::thread([this] { provision(); }).detach();
    } catch (const std::system_error&) {
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  } else {
    work_.notify_one();
  }
  return s ? s : new Segment(cap);
}

void SegmentPool::give_back(Segment* s) {
  const std::size_t k = class_of(s->cap);
  if (k < kClasses) {
    s->committed.store(0, std::memory_order_relaxed);  // published by the mutex
    s->consumed.store(0, std::memory_order_relaxed);
    s->next.store(nullptr, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    if (classes_[k].count == 0) {
      classes_[k].spares[classes_[k].count++] = s;
      return;
    }
  }
  delete s;
}

std::size_t SegmentPool::spares(std::size_t cap) {
  const std::size_t k = class_of(cap);
  std::lock_guard lock(mutex_);
  return k < kClasses ? classes_[k].count : 0;
}

void SegmentPool::provision() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::size_t k = 0;
    while (k < kClasses && !classes_[k].wanted) ++k;
    if (k == kClasses) {
      work_.wait(lock);
      continue;
    }
    classes_[k].wanted = false;
    if (classes_[k].count > 0) continue;  // one is ready, e.g. given back by a consumer
    lock.unlock();
    Segment* s = nullptr;
    try {
      s = new Segment(kFirstSegment << k);
    } catch (const std::bad_alloc&) {
    }
    lock.lock();
    // Only this thread adds a spare to a class that has one, so count < kMaxSpares here.
    if (s) classes_[k].spares[classes_[k].count++] = s;
  }
}

}  // namespace dictlog::detail
