// The handler chain of a logger, and the hazard slots that let logging threads read it with
// no lock and no reference count.
//
// A Chain is the flattened list of handlers a logger's records meet; the Manager replaces
// it whole on every tree change (replace_chain) and never changes one in place. Hazard
// pointers (Michael's scheme, one slot per nesting level): a logging thread stores the
// chain it is about to read in its slot and checks that the logger still points to it
// (publish_chain); a replaced chain is retired, and deleted once no slot names it
// (reclaim_chains). A log call thus costs one store-load fence on a line no other thread
// writes, instead of a mutex and a reference count on lines every logging thread writes.
//
//   ChainUse use(logger.chain_);            // the usual path: any thread, any nesting
//   for (auto& h : use.get()->handlers) ...
//
// Logger::log_direct uses slot 0 itself, with publish_chain.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dictlog/detail/direct_call.hpp"
#include "dictlog/detail/fence.hpp"
#include "dictlog/handler.hpp"

namespace dictlog::detail {

// The handlers a record from one logger meets, flattened along the propagation path.
// Immutable once published.
struct Chain {
  Chain() = default;
  explicit Chain(std::vector<std::shared_ptr<Handler>> h);
  std::vector<std::shared_ptr<Handler>> handlers;
  // When the only handler takes direct calls: its route, the handler (its level, filters
  // and closed flag are checked per call) and the same object as the seam's interface.
  DirectRoute route;
  Handler* direct_handler = nullptr;
  DirectCallTarget* direct_target = nullptr;
};

constexpr int kHazardDepth = 4;  // a handler that logs nests; deeper calls copy the chain

struct alignas(64) HazardRecord {
  std::atomic<const Chain*> slot[kHazardDepth] = {};
  std::atomic<bool> in_use{false};
  HazardRecord* next = nullptr;  // records are never freed; threads that end free theirs
};

// Initial-exec TLS: one %fs-relative load, not a __tls_get_addr call per log call;
// constinit: no TLS wrapper call either, though they are defined in chain.cpp.
[[gnu::tls_model("initial-exec")]] extern constinit thread_local HazardRecord* t_hazard;
// What sends this thread's calls off the direct path, in one word that log_direct tests
// with one compare: hazard slots in use (calls in flight: a handler that logs), and a
// bound context (dictlog/context.hpp), which only a LogRecord carries.
struct alignas(8) ThreadCallState {
  int hazard_depth = 0;  // how many slots of t_hazard this thread's calls in flight use
  int context_bound = 0;
};
[[gnu::tls_model("initial-exec")]] extern constinit thread_local ThreadCallState t_call;
inline bool call_state_clear() {
  std::uint64_t word;
  std::memcpy(&word, &t_call, sizeof word);
  return word == 0;
}
[[gnu::tls_model("initial-exec")]] extern constinit thread_local unsigned t_reclaim_countdown;
extern std::atomic<std::size_t> g_retired_count;

// Stores in `slot` the chain `src` points to, and returns it once `src` still points to it
// after the store: from then on the chain is not freed until the slot is cleared.
inline const Chain* publish_chain(std::atomic<const Chain*>& slot,
                                  const std::atomic<const Chain*>& src) {
  const Chain* c = src.load(std::memory_order_relaxed);
  for (;;) {
    slot.store(c, std::memory_order_relaxed);
    light_fence();  // the reclaimer's heavy fence: it sees the slot, or we see the new chain
    const Chain* again = src.load(std::memory_order_acquire);
    if (again == c) return c;
    c = again;
  }
}

// This thread's hazard record, claimed on its first call; nullptr while the thread's
// thread-local storage is being torn down.
HazardRecord* acquire_hazard_record();

// Points `dst` to a new chain of `handlers` unless it already holds those, retiring the old
// one. The caller holds the Manager's lock; `dst` is only ever stored to here.
void replace_chain(std::atomic<const Chain*>& dst, std::vector<std::shared_ptr<Handler>> handlers);

// Deletes the retired chains no hazard slot names. `wait`: take the lock even if another
// thread holds it (reconfiguration); a logging thread just leaves the work to that one.
void reclaim_chains(bool wait);

// A logging thread that finds retired chains tries to free them on one call in 64: a
// chain still named by a slow call elsewhere would otherwise cost every call a scan and
// a system call (the heavy fence).
inline void maybe_reclaim() {
  if (g_retired_count.load(std::memory_order_relaxed) != 0) [[unlikely]] {
    if (t_reclaim_countdown-- == 0) {
      t_reclaim_countdown = 63;
      reclaim_chains(false);
    }
  }
}

// The chain of one logger, held for the duration of one call.
class ChainUse {
 public:
  explicit ChainUse(const std::atomic<const Chain*>& src) {
    HazardRecord* rec = t_hazard ? t_hazard : acquire_hazard_record();
    int depth = t_call.hazard_depth;
    if (rec && depth < kHazardDepth) [[likely]] {
      slot_ = &rec->slot[depth];
      chain_ = publish_chain(*slot_, src);
      t_call.hazard_depth = depth + 1;
      return;
    }
    copy_from(src);
  }
  ~ChainUse() {
    if (!slot_) return;
    slot_->store(nullptr, std::memory_order_release);
    --t_call.hazard_depth;
    maybe_reclaim();
  }
  ChainUse(const ChainUse&) = delete;
  ChainUse& operator=(const ChainUse&) = delete;
  const Chain* get() const { return chain_; }

 private:
  // Deep nesting or a thread being torn down: a counted copy instead of a slot.
  void copy_from(const std::atomic<const Chain*>& src);

  std::atomic<const Chain*>* slot_ = nullptr;
  const Chain* chain_ = nullptr;
  Chain copy_;
};

}  // namespace dictlog::detail
