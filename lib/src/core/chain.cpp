#include "dictlog/detail/chain.hpp"

#include <algorithm>
#include <mutex>

#include "record/at_fork.hpp"

namespace dictlog::detail {

Chain::Chain(std::vector<std::shared_ptr<Handler>> h) : handlers(std::move(h)) {
  if (handlers.size() != 1) return;
  auto* target = dynamic_cast<DirectCallTarget*>(handlers.front().get());
  if (!target) return;
  route = target->direct_route();
  if (!route.sink) return;
  direct_handler = handlers.front().get();
  direct_target = target;
}

[[gnu::tls_model("initial-exec")]] constinit thread_local HazardRecord* t_hazard = nullptr;
[[gnu::tls_model("initial-exec")]] constinit thread_local ThreadCallState t_call;
[[gnu::tls_model("initial-exec")]] constinit thread_local unsigned t_reclaim_countdown = 0;
std::atomic<std::size_t> g_retired_count{0};  // trivially destructible, as g_hazard_records

namespace {

// Trivially destructible, so nothing here is torn down while other threads still log.
std::atomic<HazardRecord*> g_hazard_records{nullptr};

struct Retired {
  std::mutex mutex;  // guards `chains`, and every store to a Logger::chain_
  std::vector<const Chain*> chains;
};
Retired& retired() {
  static auto* r = new Retired;  // leaked: loggers outlive static destruction
  return *r;
}

// Set when this thread's record was given back (thread exit): later calls, from other
// thread_local destructors, take the copying path.
[[gnu::tls_model("initial-exec")]] constinit thread_local bool t_hazard_gone = false;

struct HazardRelease {
  ~HazardRelease() {
    if (t_hazard) t_hazard->in_use.store(false, std::memory_order_release);
    t_hazard = nullptr;
    t_hazard_gone = true;
  }
};

// In the child of fork(), the hazard records of the parent's other threads name chains
// no thread will ever use again: they are given back, so those chains can be reclaimed.
const int g_at_fork = [] {
  add_fork_participant(ForkRank::core,
                       {[](ForkLocks& locks) { return locks.take(retired().mutex); },
                        [] {
                          for (HazardRecord* h = g_hazard_records.load(); h; h = h->next) {
                            if (h == t_hazard) continue;
                            for (auto& s : h->slot) s.store(nullptr);
                            h->in_use.store(false);
                          }
                        }});
  return 0;
}();

}  // namespace

HazardRecord* acquire_hazard_record() {
  if (t_hazard_gone) return nullptr;
  HazardRecord* rec = nullptr;
  for (HazardRecord* r = g_hazard_records.load(std::memory_order_acquire); r; r = r->next) {
    bool expected = false;
    if (!r->in_use.load(std::memory_order_relaxed) &&
        r->in_use.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      rec = r;
      break;
    }
  }
  if (!rec) {
    rec = new HazardRecord;
    rec->in_use.store(true, std::memory_order_relaxed);
    HazardRecord* head = g_hazard_records.load(std::memory_order_relaxed);
    do rec->next = head;
    while (!g_hazard_records.compare_exchange_weak(head, rec, std::memory_order_release,
                                                   std::memory_order_relaxed));
  }
  t_hazard = rec;
  static thread_local HazardRelease release;  // gives the record back when the thread ends
  (void)release;
  return rec;
}

void replace_chain(std::atomic<const Chain*>& dst, std::vector<std::shared_ptr<Handler>> handlers) {
  const Chain* old = dst.load(std::memory_order_relaxed);
  if (old && old->handlers == handlers) return;
  auto* chain = new Chain(std::move(handlers));
  auto& r = retired();
  std::lock_guard lock(r.mutex);
  dst.store(chain, std::memory_order_seq_cst);
  if (old) {
    r.chains.push_back(old);
    g_retired_count.store(r.chains.size(), std::memory_order_relaxed);
  }
}

void reclaim_chains(bool wait) {
  auto& r = retired();
  std::vector<const Chain*> dead;
  {
    std::unique_lock lock(r.mutex, std::defer_lock);
    if (wait)
      lock.lock();
    else if (!lock.try_lock())
      return;
    if (r.chains.empty()) return;
    // Every slot a logging thread stored before this point is visible below; one stored
    // after it is followed by that thread's reload of the logger's chain, which the
    // retirement has replaced, so it never keeps using a chain found unnamed here.
    heavy_fence();
    std::vector<const Chain*> live;
    for (HazardRecord* h = g_hazard_records.load(std::memory_order_acquire); h; h = h->next)
      for (auto& s : h->slot)
        if (const Chain* c = s.load(std::memory_order_seq_cst)) live.push_back(c);
    auto keep = std::partition(r.chains.begin(), r.chains.end(), [&](const Chain* c) {
      return std::find(live.begin(), live.end(), c) != live.end();
    });
    dead.assign(keep, r.chains.end());
    r.chains.erase(keep, r.chains.end());
    g_retired_count.store(r.chains.size(), std::memory_order_relaxed);
  }
  // Outside the lock: the last reference to a handler may go here, and its destructor may
  // log or reconfigure.
  for (const Chain* c : dead) delete c;
}

void ChainUse::copy_from(const std::atomic<const Chain*>& src) {
  // Under the lock that every replacement of a chain holds, so the chain read cannot be
  // freed meanwhile.
  auto& r = retired();
  std::lock_guard lock(r.mutex);
  if (const Chain* c = src.load(std::memory_order_acquire)) copy_.handlers = c->handlers;
  chain_ = &copy_;
}

}  // namespace dictlog::detail
