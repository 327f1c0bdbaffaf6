#include "dictlog/logger.hpp"

#include <execinfo.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "core/thread_buffer.hpp"
#include "dictlog/errors.hpp"
#include "record/fence.hpp"

namespace dictlog {

namespace detail {

// The handlers a record from one logger meets, flattened along the propagation path.
// Immutable once published.
struct Chain {
  Chain() = default;
  explicit Chain(std::vector<std::shared_ptr<Handler>> h) : handlers(std::move(h)) {
    if (handlers.size() == 1) {
      route = handlers.front()->direct_route();
      if (route.sink) direct_handler = handlers.front().get();
    }
  }
  std::vector<std::shared_ptr<Handler>> handlers;
  // The only handler's, if it takes direct calls.
  DirectRoute route;
  Handler* direct_handler = nullptr;
};

namespace {

// Hazard pointers for Logger::chain_ (Michael's scheme, one slot per nesting level): a
// logging thread stores the chain it is about to read in its slot and checks that the
// logger still points to it; a replaced chain is retired, and deleted once no slot names
// it. A log call thus costs one store-load fence on a line no other thread writes, instead
// of a mutex and a reference count on lines every logging thread writes.
constexpr int kHazardDepth = 4;  // a handler that logs nests; deeper calls copy the chain

struct alignas(64) HazardRecord {
  std::atomic<const Chain*> slot[kHazardDepth] = {};
  std::atomic<bool> in_use{false};
  HazardRecord* next = nullptr;  // records are never freed; threads that end free theirs
};

// Trivially destructible, so nothing here is torn down while other threads still log.
std::atomic<HazardRecord*> g_hazard_records{nullptr};
std::atomic<std::size_t> g_retired_count{0};

struct Retired {
  std::mutex mutex;  // guards `chains`, and every store to a Logger::chain_
  std::vector<const Chain*> chains;
};
Retired& retired() {
  static auto* r = new Retired;  // leaked: loggers outlive static destruction
  return *r;
}

// Initial-exec TLS: one %fs-relative load, not a __tls_get_addr call per log call.
__attribute__((tls_model("initial-exec"))) thread_local HazardRecord* t_hazard = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local int t_hazard_depth = 0;
// Set when this thread's record was given back (thread exit): later calls, from other
// thread_local destructors, take the copying path.
__attribute__((tls_model("initial-exec"))) thread_local bool t_hazard_gone = false;

struct HazardRelease {
  ~HazardRelease() {
    if (t_hazard) t_hazard->in_use.store(false, std::memory_order_release);
    t_hazard = nullptr;
    t_hazard_gone = true;
  }
};

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

// Deletes the retired chains no hazard slot names. `wait`: take the lock even if another
// thread holds it (reconfiguration); a logging thread just leaves the work to that one.
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

// A logging thread that finds retired chains tries to free them on one call in 64: a
// chain still named by a slow call elsewhere would otherwise cost every call a scan and
// a system call (the heavy fence).
__attribute__((tls_model("initial-exec"))) thread_local unsigned t_reclaim_countdown = 0;
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
    int depth = t_hazard_depth;
    if (rec && depth < kHazardDepth) [[likely]] {
      std::atomic<const Chain*>& slot = rec->slot[depth];
      const Chain* c = src.load(std::memory_order_relaxed);
      for (;;) {
        slot.store(c, std::memory_order_relaxed);
        light_fence();  // pairs with reclaim_chains' heavy fence
        const Chain* again = src.load(std::memory_order_acquire);
        if (again == c) break;
        c = again;
      }
      t_hazard_depth = depth + 1;
      slot_ = &slot;
      chain_ = c;
      return;
    }
    // Deep nesting or a thread being torn down: a counted copy, taken under the lock that
    // every replacement of a chain holds, so the chain read cannot be freed meanwhile.
    auto& r = retired();
    std::lock_guard lock(r.mutex);
    if (const Chain* c = src.load(std::memory_order_acquire)) copy_.handlers = c->handlers;
    chain_ = &copy_;
  }
  ~ChainUse() {
    if (!slot_) return;
    slot_->store(nullptr, std::memory_order_release);
    --t_hazard_depth;
    maybe_reclaim();
  }
  ChainUse(const ChainUse&) = delete;
  ChainUse& operator=(const ChainUse&) = delete;
  const Chain* get() const { return chain_; }

 private:
  std::atomic<const Chain*>* slot_ = nullptr;
  const Chain* chain_ = nullptr;
  Chain copy_;
};

}  // namespace

// Python's Manager: the logger tree, placeholders and logging.disable, behind one
// recursive lock (handler constructors and close() may log or reconfigure).
class Manager {
 public:
  static Manager& get() {
    static auto* m = new Manager;  // leaked: loggers outlive static destruction
    return *m;
  }

  std::recursive_mutex mutex;
  Logger* root = nullptr;
  std::map<std::string, std::unique_ptr<Logger>, std::less<>> loggers;
  // Placeholder name -> the loggers waiting under it.
  std::map<std::string, std::vector<Logger*>, std::less<>> placeholders;
  int disable = NOTSET;
  int batch_depth = 0;
  bool dirty = false;
  std::shared_ptr<Handler> last_resort;
  bool last_resort_set = false;
  bool warned_no_handlers = false;

  Logger& get_logger(std::string_view name) {
    if (name.empty() || name == "root") return *root;
    std::lock_guard lock(mutex);
    if (auto it = loggers.find(name); it != loggers.end()) return *it->second;
    auto owned = std::unique_ptr<Logger>(new Logger(std::string(name), NOTSET));
    Logger* lg = owned.get();
    loggers.emplace(std::string(name), std::move(owned));
    if (auto ph = placeholders.find(name); ph != placeholders.end()) {
      fixup_children(ph->second, lg);
      placeholders.erase(ph);
    }
    fixup_parents(lg);
    changed();
    return *lg;
  }

  // Python's _fixupParents: placeholders for missing prefixes, parent = nearest real one.
  void fixup_parents(Logger* lg) {
    const std::string& name = lg->name_;
    Logger* rv = nullptr;
    auto i = name.rfind('.');
    while (i != std::string::npos && i > 0 && !rv) {
      std::string sub = name.substr(0, i);
      if (auto it = loggers.find(sub); it != loggers.end()) {
        rv = it->second.get();
      } else {
        auto& waiting = placeholders[sub];
        if (std::find(waiting.begin(), waiting.end(), lg) == waiting.end()) waiting.push_back(lg);
      }
      i = i >= 2 ? name.rfind('.', i - 2) : std::string::npos;
    }
    lg->parent_ = rv ? rv : root;
  }

  // Python's _fixupChildren.
  void fixup_children(const std::vector<Logger*>& children, Logger* lg) {
    const std::string& name = lg->name_;
    for (Logger* c : children) {
      if (c->parent_->name_.compare(0, name.size(), name) != 0) {
        lg->parent_ = c->parent_;
        c->parent_ = lg;
      }
    }
  }

  void changed() {
    if (batch_depth > 0) {
      dirty = true;
      return;
    }
    rebuild();
  }

  void rebuild() {
    dirty = false;
    rebuild_one(root);
    for (auto& [n, lg] : loggers) rebuild_one(lg.get());
    reclaim_chains(true);
  }

  void rebuild_one(Logger* lg) {
    int effective = NOTSET;
    for (const Logger* l = lg; l; l = l->parent_)
      if (l->level_ != NOTSET) {
        effective = l->level_;
        break;
      }
    int threshold = std::max(effective, disable + 1);
    if (lg->disabled_) threshold = INT_MAX;

    std::vector<std::shared_ptr<Handler>> handlers;
    for (const Logger* l = lg; l; l = l->parent_) {
      handlers.insert(handlers.end(), l->handlers_.begin(), l->handlers_.end());
      if (!l->propagate_) break;
    }
    const Chain* old = lg->chain_.load(std::memory_order_relaxed);
    if (!old || old->handlers != handlers) {
      auto* chain = new Chain(std::move(handlers));
      auto& r = retired();
      std::lock_guard lock(r.mutex);
      lg->chain_.store(chain, std::memory_order_seq_cst);
      if (old) {
        r.chains.push_back(old);
        g_retired_count.store(r.chains.size(), std::memory_order_relaxed);
      }
    }
    lg->threshold_.store(threshold, std::memory_order_relaxed);
  }

 private:
  Manager() {
    root = new Logger("root", WARNING);
    rebuild_one(root);
  }
};

}  // namespace detail

using detail::Manager;

namespace detail {
constinit const Options g_no_options{};
}

Logger::Logger(std::string name, int level) : name_(std::move(name)), level_(level) {}

Logger::~Logger() {
  delete chain_.load(std::memory_order_relaxed);
}

int Logger::level() const {
  std::lock_guard lock(Manager::get().mutex);
  return level_;
}

void Logger::set_level(int level) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  level_ = level;
  m.changed();
}

int Logger::get_effective_level() const {
  std::lock_guard lock(Manager::get().mutex);
  for (const Logger* l = this; l; l = l->parent_)
    if (l->level_ != NOTSET) return l->level_;
  return NOTSET;
}

void Logger::add_handler(std::shared_ptr<Handler> h) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  if (std::find(handlers_.begin(), handlers_.end(), h) != handlers_.end()) return;
  handlers_.push_back(std::move(h));
  m.changed();
}

void Logger::remove_handler(const std::shared_ptr<Handler>& h) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  auto it = std::find(handlers_.begin(), handlers_.end(), h);
  if (it == handlers_.end()) return;
  handlers_.erase(it);
  m.changed();
}

std::vector<std::shared_ptr<Handler>> Logger::handlers() const {
  std::lock_guard lock(Manager::get().mutex);
  return handlers_;
}

bool Logger::has_handlers() const {
  std::lock_guard lock(Manager::get().mutex);
  for (const Logger* l = this; l; l = l->parent_) {
    if (!l->handlers_.empty()) return true;
    if (!l->propagate_) break;
  }
  return false;
}

bool Logger::propagate() const {
  std::lock_guard lock(Manager::get().mutex);
  return propagate_;
}

void Logger::set_propagate(bool p) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  propagate_ = p;
  m.changed();
}

bool Logger::disabled() const {
  std::lock_guard lock(Manager::get().mutex);
  return disabled_;
}

void Logger::set_disabled(bool d) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  disabled_ = d;
  m.changed();
}

Logger* Logger::parent() const {
  std::lock_guard lock(Manager::get().mutex);
  return parent_;
}

Logger& Logger::get_child(std::string_view suffix) {
  if (this == Manager::get().root) return get_logger(suffix);
  return get_logger(name_ + "." + std::string(suffix));
}

std::vector<Logger*> Logger::get_children() const {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  std::vector<Logger*> out;
  for (auto& [n, lg] : m.loggers)
    if (lg->parent_ == this) out.push_back(lg.get());
  return out;
}

detail::DirectCall* Logger::begin_direct(int level, std::size_t arg_size) {
  using namespace detail;
  HazardRecord* rec = t_hazard;
  // A thread's first call takes the usual path, which gets it a hazard record; a call
  // made while another is in flight on this thread (a handler that logs) does too.
  if (!rec || t_hazard_depth != 0 || has_filters()) [[unlikely]]
    return nullptr;
  std::atomic<const Chain*>& slot = rec->slot[0];
  const Chain* c = chain_.load(std::memory_order_relaxed);
  if (!c) return nullptr;
  for (;;) {
    slot.store(c, std::memory_order_relaxed);
    light_fence();  // the reclaimer's heavy fence: it sees the slot, or we see the new chain
    const Chain* again = chain_.load(std::memory_order_acquire);
    if (again == c) break;
    c = again;
  }
  DirectCall* call = nullptr;
  if (c && c->route.sink && level >= c->direct_handler->level() &&
      !c->direct_handler->has_filters())
    call = c->route.sink->reserve_call(arg_size, c->route.tag);
  if (!call) {
    slot.store(nullptr, std::memory_order_release);
    return nullptr;
  }
  t_hazard_depth = 1;
  call->name = name_;
  call->level = level;
  call->thread = current_thread_ident();
  call->thread_name = current_thread_name();
  return call;
}

void Logger::end_direct(detail::DirectCall* call) {
  using namespace detail;
  std::atomic<const Chain*>& slot = t_hazard->slot[0];
  const Chain* c = slot.load(std::memory_order_relaxed);  // begin_direct's
  // The commit orders the call before the closed flag's load (a light fence): a handler
  // closed before its listener's sentinel went in is seen here if the call came after it.
  if (c->route.sink->commit_call(call) || c->direct_handler->closed()) [[unlikely]]
    c->direct_handler->serve_late_call();
  slot.store(nullptr, std::memory_order_release);
  t_hazard_depth = 0;
  maybe_reclaim();
}

LogRecord Logger::new_record(int level, const SourceLocation& w) const {
  return LogRecord(name_, level, w);
}

namespace {
std::string current_stack() {
  void* frames[64];
  int n = ::backtrace(frames, 64);
  std::string out = "Stack (most recent call last):";
  char** syms = ::backtrace_symbols(frames, n);
  // Oldest first, as Python prints it; skip this function and the logging call.
  for (int i = n - 1; i >= 2; --i) {
    out += "\n  ";
    out += syms ? syms[i] : "?";
  }
  std::free(syms);
  return out;
}
}  // namespace

void Logger::log_text(int level, std::string_view text, bool is_static, const SourceLocation& w,
                      const Options& o) {
  LogRecord r = new_record(level, w);
  if (is_static)
    r.set_msg(text);
  else
    r.set_msg_copy(std::string(text));
  dispatch(r, o);
}

void Logger::dispatch(LogRecord& r, const Options& o) {
  if (&o != &Options::none()) {
    if (!o.extra.empty()) {
      check_extra_keys(o.extra);  // Python raises KeyError to the caller here
      r.extra = o.extra;
    }
    if (o.exc_info) r.exc_text = detail::describe_current_exception();
    if (o.stack_info) r.stack_info = current_stack();
  }
  handle(r);
}

void Logger::handle(LogRecord& record) {
  if (threshold_.load(std::memory_order_relaxed) == INT_MAX) {
    std::lock_guard lock(Manager::get().mutex);
    if (disabled_) return;
  }
  if (has_filters() && !filter(record)) return;
  call_handlers(record);
}

void Logger::call_handlers(LogRecord& record) {
  detail::ChainUse use(chain_);
  const detail::Chain* chain = use.get();
  if (chain && !chain->handlers.empty()) {
    for (const auto& h : chain->handlers)
      if (record.levelno >= h->level()) h->handle(record);
    return;
  }
  auto& m = Manager::get();
  std::shared_ptr<Handler> lr;
  {
    std::lock_guard lock(m.mutex);
    if (!m.last_resort_set) {
      if (!m.warned_no_handlers && raise_exceptions()) {
        m.warned_no_handlers = true;
        std::string msg = "No handlers could be found for logger \"" + name_ + "\"\n";
        [[maybe_unused]] auto n = ::write(2, msg.data(), msg.size());
      }
      return;
    }
    lr = m.last_resort;
  }
  if (lr && record.levelno >= lr->level()) lr->handle(record);
}

namespace {

// Python's _StderrHandler: the bare message to the current stderr.
class StderrHandler final : public Handler {
 public:
  StderrHandler() : Handler(WARNING) {}
  void emit(LogRecord& r) override {
    std::string line = format(r);
    line += '\n';
    std::string_view s = line;
    while (!s.empty()) {
      ssize_t n = ::write(2, s.data(), s.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw OSError(fmt::format("[Errno {}] {}", errno, std::strerror(errno)));
      }
      s.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  std::string_view class_name() const override { return "_StderrHandler"; }
  std::string repr() const override { return "<_StderrHandler <stderr> (WARNING)>"; }
};

}  // namespace

std::shared_ptr<Handler> last_resort() {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  if (!m.last_resort_set) return nullptr;
  return m.last_resort;
}

void set_last_resort(std::shared_ptr<Handler> h) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  m.last_resort = std::move(h);
  m.last_resort_set = m.last_resort != nullptr;
}

Logger& get_logger(std::string_view name) {
  return Manager::get().get_logger(name);
}
Logger& root() {
  return *Manager::get().root;
}

void disable(int level) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  m.disable = level;
  m.changed();
}
void disable(std::string_view level) {
  disable(check_level(level));
}
int disabled_level() {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  return m.disable;
}

std::vector<std::string> logger_names() {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  std::set<std::string> names;
  for (auto& kv : m.loggers) names.insert(kv.first);
  for (auto& kv : m.placeholders) names.insert(kv.first);
  return {names.begin(), names.end()};
}

bool is_placeholder(std::string_view name) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  return m.placeholders.count(name) > 0 && m.loggers.count(name) == 0;
}

Logger* find_logger(std::string_view name) {
  auto& m = Manager::get();
  if (name.empty() || name == "root") return m.root;
  std::lock_guard lock(m.mutex);
  auto it = m.loggers.find(name);
  return it == m.loggers.end() ? nullptr : it->second.get();
}

TreeUpdate::TreeUpdate() {
  auto& m = Manager::get();
  m.mutex.lock();
  ++m.batch_depth;
}

TreeUpdate::~TreeUpdate() {
  auto& m = Manager::get();
  if (--m.batch_depth == 0 && m.dirty) m.rebuild();
  m.mutex.unlock();
}

namespace detail {
// The default lastResort is installed at load, as Python's is at import.
const bool g_last_resort_installed = [] {
  set_last_resort(std::make_shared<StderrHandler>());
  return true;
}();
}  // namespace detail

}  // namespace dictlog
