#include "dictlog/queue.hpp"

#include <algorithm>

#include "queue/bounded_queue.hpp"
#include "queue/buffered_queue.hpp"
#include "queue/builtin_queue.hpp"
#include "queue/queue_prepare.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace {
// Recognised by the address of its name, which no logger can share.
constexpr std::string_view kSentinelName = "<QueueListener sentinel>";
}  // namespace

LogRecord queue_sentinel() {
  LogRecord r;
  r.name = kSentinelName;
  r.levelname = "None";
  return r;
}

bool is_queue_sentinel(const LogRecord& r) {
  return r.name.data() == kSentinelName.data();
}

std::size_t LogQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  std::size_t n = 0;
  while (n < max) {
    auto r = get(block && n == 0);
    if (!r) break;
    out.push_back(std::move(*r));
    ++n;
  }
  return n;
}

namespace detail {

namespace {
struct QueueRegistry {
  std::mutex mutex;
  std::vector<BuiltinQueue*> all;
};
QueueRegistry& queues() {
  static auto* r = new QueueRegistry;  // leaked: queues may outlive static destruction
  return *r;
}
const int g_at_fork = [] {
  add_fork_participant(ForkRank::queue, {[](ForkLocks& locks) {
                                           auto& r = queues();
                                           if (!locks.take(r.mutex)) return false;
                                           for (BuiltinQueue* q : r.all)
                                             if (!q->take_fork_locks(locks)) return false;
                                           return true;
                                         },
                                         [] {
                                           for (BuiltinQueue* q : queues().all)
                                             q->drop_after_fork();
                                         }});
  return 0;
}();
}  // namespace

BuiltinQueue::BuiltinQueue() {
  auto& r = queues();
  std::lock_guard lock(r.mutex);
  r.all.push_back(this);
}

BuiltinQueue::~BuiltinQueue() {
  auto& r = queues();
  std::lock_guard lock(r.mutex);
  std::erase(r.all, this);
}

bool BuiltinQueue::take_fork_locks(ForkLocks& locks) {
  if (!locks.take(preparers_mutex_)) return false;
  for (const auto& p : preparers_)
    if (!locks.take(p->mutex())) return false;
  return true;
}

void BuiltinQueue::adopt(std::shared_ptr<const QueuePreparer> prep) {
  std::lock_guard lock(preparers_mutex_);
  if (std::find(preparers_.begin(), preparers_.end(), prep) == preparers_.end())
    preparers_.push_back(std::move(prep));
}

std::unique_ptr<BuiltinQueue> make_builtin_queue(std::size_t maxsize) {
  if (maxsize > 0) return std::make_unique<BoundedQueue>(maxsize);
  return std::make_unique<BufferedQueue>();
}

struct QueueAccess {
  static BuiltinQueue* impl(LogQueue* q) {
    if (auto* p = dynamic_cast<Queue*>(q)) return p->impl_.get();
    if (auto* p = dynamic_cast<SimpleQueue*>(q)) return p->impl_.get();
    return nullptr;
  }
};

BuiltinQueue* builtin_queue(LogQueue* q) {
  return QueueAccess::impl(q);
}

}  // namespace detail

// Queue and SimpleQueue: LogQueue's members, forwarded to their implementation.

Queue::Queue(std::size_t maxsize) : impl_(detail::make_builtin_queue(maxsize)) {}
Queue::~Queue() = default;
bool Queue::put_nowait(LogRecord&& r) {
  return impl_->push(std::move(r), nullptr, false);
}
void Queue::put(LogRecord&& r) {
  impl_->push(std::move(r), nullptr, true);
}
std::optional<LogRecord> Queue::get(bool block) {
  return impl_->get(block);
}
std::size_t Queue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  return impl_->get_batch(out, max, block);
}
std::size_t Queue::qsize() const {
  return impl_->qsize();
}
std::size_t Queue::maxsize() const {
  return impl_->maxsize();
}

SimpleQueue::SimpleQueue() : impl_(detail::make_builtin_queue(0)) {}
SimpleQueue::~SimpleQueue() = default;
bool SimpleQueue::put_nowait(LogRecord&& r) {
  return impl_->push(std::move(r), nullptr, false);
}
void SimpleQueue::put(LogRecord&& r) {
  impl_->push(std::move(r), nullptr, true);
}
std::optional<LogRecord> SimpleQueue::get(bool block) {
  return impl_->get(block);
}
std::size_t SimpleQueue::get_batch(std::vector<LogRecord>& out, std::size_t max, bool block) {
  return impl_->get_batch(out, max, block);
}
std::size_t SimpleQueue::qsize() const {
  return impl_->qsize();
}

}  // namespace dictlog
