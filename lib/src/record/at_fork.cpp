#include "record/at_fork.hpp"

#include <pthread.h>

#include <algorithm>
#include <new>
#include <thread>

namespace dictlog::detail {

namespace {

struct Participants {
  std::mutex mutex;  // registration only; fork itself reads the list under it
  std::vector<std::pair<ForkRank, ForkParticipant>> list;  // sorted by rank, stable
};
Participants& participants() {
  static auto* p = new Participants;  // leaked: a fork may come during static destruction
  return *p;
}

ForkLocks* g_held = nullptr;  // between prepare and parent/child; the forking thread only

bool prepare_all(ForkLocks& locks) {
  auto& list = participants().list;
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (!it->second.prepare(locks)) return false;
  return true;
}

void before_fork() {
  participants().mutex.lock();
  const auto deadline = std::chrono::steady_clock::now() + kForkLockPatience;
  for (;;) {
    const bool last = std::chrono::steady_clock::now() >= deadline;
    auto* locks = new ForkLocks(last);
    if (prepare_all(*locks) || last) {
      g_held = locks;
      return;
    }
    locks->release();
    delete locks;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void after_fork_parent() {
  g_held->release();
  delete g_held;
  g_held = nullptr;
  participants().mutex.unlock();
}

void after_fork_child() {
  g_held->renew_in_child();
  delete g_held;
  g_held = nullptr;
  auto& p = participants();
  new (&p.mutex) std::mutex;
  for (auto& [rank, part] : p.list) part.child();
}

}  // namespace

bool ForkLocks::add(void* lock, Kind kind) {
  bool held = false;
  switch (kind) {
    case Kind::plain:
      held = static_cast<std::mutex*>(lock)->try_lock();
      break;
    case Kind::recursive:
      held = static_cast<std::recursive_mutex*>(lock)->try_lock();
      break;
    case Kind::shared:
      held = static_cast<std::shared_mutex*>(lock)->try_lock();
      break;
  }
  entries_.push_back({lock, kind, held});
  return held || last_attempt_;
}

void ForkLocks::release() {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (!it->held) continue;
    switch (it->kind) {
      case Kind::plain:
        static_cast<std::mutex*>(it->lock)->unlock();
        break;
      case Kind::recursive:
        static_cast<std::recursive_mutex*>(it->lock)->unlock();
        break;
      case Kind::shared:
        static_cast<std::shared_mutex*>(it->lock)->unlock();
        break;
    }
  }
  entries_.clear();
}

// The old objects are not destroyed: destroying a locked mutex is undefined, and there is
// nothing of them to free.
void ForkLocks::renew_in_child() {
  for (const Entry& e : entries_) {
    switch (e.kind) {
      case Kind::plain:
        new (e.lock) std::mutex;
        break;
      case Kind::recursive:
        new (e.lock) std::recursive_mutex;
        break;
      case Kind::shared:
        new (e.lock) std::shared_mutex;
        break;
    }
  }
  entries_.clear();
}

void add_fork_participant(ForkRank rank, ForkParticipant p) {
  static const int registered = [] {
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    return 0;
  }();
  (void)registered;
  auto& all = participants();
  std::lock_guard lock(all.mutex);
  auto at = std::upper_bound(all.list.begin(), all.list.end(), rank,
                             [](ForkRank r, const auto& e) { return r < e.first; });
  all.list.insert(at, {rank, p});
}

}  // namespace dictlog::detail
