#include "dictlog/detail/segment_pool.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

#include "record/at_fork.hpp"

namespace dictlog::detail {

SegmentPool& SegmentPool::instance() {
  static auto* p = [] {
    auto* pool = new SegmentPool;  // leaked: producers may still take segments at exit
    // A child of fork() has the spares but not the thread: the next take starts one.
    add_fork_participant(ForkRank::core,
                         {[](ForkLocks& locks) { return locks.take(instance().mutex_); },
                          [] {
                            SegmentPool& pool = instance();
                            pool.started_ = pool.running_ = pool.no_thread_ = false;
                            pool.stopping_ = false;
                            new (&pool.thread_) std::thread;  // the parent's, not joinable here
                            // Their state counts the parent's waiting provisioner, which
                            // the child does not have: a notify would wait for it forever.
                            new (&pool.work_) std::condition_variable;
                            new (&pool.ready_) std::condition_variable;
                          }});
    return pool;
  }();
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
  bool start = false, wake = false;
  {
    std::lock_guard lock(mutex_);
    ++taken_;
    if (k < kClasses && classes_[k].count > 0) {
      s = classes_[k].spares[--classes_[k].count];
      ++served_;
    }
    start = !std::exchange(started_, true);
    // A buffer reached a capacity never taken before: its next growth needs the next class.
    const bool higher = k < kClasses && k > top_;
    if (higher) top_ = k;
    wake = !s || higher || k >= kClasses - 1;
    if ((start || wake) && !no_thread_) running_ = true;
  }
  if (start) {
    // The provisioner takes none of the process's signals. Without it (no thread could be
    // made), producers allocate their segments themselves, as they do when none is ready.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      std::thread t([this] { provision(); });
      std::lock_guard lock(mutex_);
      thread_ = std::move(t);
    } catch (const std::system_error&) {
      std::lock_guard lock(mutex_);
      running_ = false;
      no_thread_ = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  } else if (wake) {
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
    if (classes_[k].count < kMaxSpares) {
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

std::size_t SegmentPool::served() {
  std::lock_guard lock(mutex_);
  return served_;
}

std::size_t SegmentPool::taken() {
  std::lock_guard lock(mutex_);
  return taken_;
}

std::size_t SegmentPool::missing() const {
  const std::size_t limit = std::min(top_ + 1, kClasses - 1);
  for (std::size_t k = 0; k <= limit; ++k)
    if (classes_[k].count == 0) return k;
  return kClasses;
}

void SegmentPool::refill_and_wait() {
  std::unique_lock lock(mutex_);
  if (!started_ || no_thread_) return;
  running_ = true;
  work_.notify_one();
  ready_.wait(lock, [&] { return !running_; });
}

void SegmentPool::stop() {
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = running_ = true;
    no_thread_ = true;  // from now on producers allocate their segments themselves
    t = std::move(thread_);
  }
  work_.notify_one();
  t.join();
}

void SegmentPool::provision() {
  pthread_setname_np(pthread_self(), "dictlog-pool");  // for ps, top and debuggers
  // Ten nice steps below the thread that started it (Linux sets a thread's own): spares
  // are made with CPU time nobody else wants. At the same weight, on a busy machine, the
  // pages it faulted in took a CPU from the listener just as a burst began, the listener
  // fell behind, and the backlog then needed fresh segments of its own (bench/README.md,
  // "What the burst's peak RSS is made of").
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) ::setpriority(PRIO_PROCESS, tid, std::min(nice + kPoolNice, 19));
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) {
      running_ = false;
      ready_.notify_all();
      return;
    }
    const std::size_t k = missing();
    if (k == kClasses || !running_) {
      // Done, or out of memory: until a producer asks again.
      running_ = false;
      ready_.notify_all();
      work_.wait(lock, [&] { return running_; });
      continue;
    }
    lock.unlock();
    Segment* s = nullptr;
    try {
      s = new Segment(kFirstSegment << k);
    } catch (const std::bad_alloc&) {
    }
    lock.lock();
    // Consumers may have given segments back meanwhile, up to kMaxSpares.
    if (!s) {
      running_ = false;
    } else if (classes_[k].count < kMaxSpares) {
      classes_[k].spares[classes_[k].count++] = s;
    } else {
      lock.unlock();
      delete s;
      lock.lock();
    }
  }
}

}  // namespace dictlog::detail
