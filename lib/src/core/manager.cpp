#include "core/manager.hpp"

#include <algorithm>
#include <climits>
#include <set>

#include "dictlog/detail/chain.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace detail {

namespace {
const int g_at_fork = [] {
  add_fork_participant(ForkRank::core,
                       {[](ForkLocks& locks) { return locks.take(Manager::get().mutex); }, [] {}});
  return 0;
}();
}  // namespace

Manager::Manager() {
  root = new Logger("root", WARNING);
  rebuild_one(root);
}

Logger& Manager::get_logger(std::string_view name) {
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
  // A new logger has no level, no handlers and propagates: the loggers it now stands above
  // keep their thresholds and chains, so only its own is made (not the whole tree's).
  rebuild_one(lg);
  return *lg;
}

void Manager::fixup_parents(Logger* lg) {
  const std::string& name = lg->name_;
  Logger* rv = nullptr;
  auto i = name.rfind('.');
  while (i != std::string::npos && i > 0 && !rv) {
    std::string sub = name.substr(0, i);
    if (auto it = loggers.find(sub); it != loggers.end()) {
      rv = it->second.get();
    } else {
      // lg is new, so not waiting yet (Python checks; with 50,000 loggers under one
      // placeholder that check is what made a configuration quadratic).
      placeholders[sub].push_back(lg);
    }
    i = i >= 2 ? name.rfind('.', i - 2) : std::string::npos;
  }
  lg->parent_ = rv ? rv : root;
}

void Manager::fixup_children(const std::vector<Logger*>& children, Logger* lg) {
  const std::string& name = lg->name_;
  for (Logger* c : children) {
    if (c->parent_->name_.compare(0, name.size(), name) != 0) {
      lg->parent_ = c->parent_;
      c->parent_ = lg;
    }
  }
}

void Manager::changed() {
  if (batch_depth > 0) {
    dirty = true;
    return;
  }
  rebuild();
}

void Manager::rebuild() {
  dirty = false;
  rebuild_one(root);
  for (auto& [n, lg] : loggers) rebuild_one(lg.get());
  reclaim_chains(true);
}

void Manager::rebuild_one(Logger* lg) {
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
  replace_chain(lg->chain_, std::move(handlers));
  lg->threshold_.store(threshold, std::memory_order_relaxed);
}

}  // namespace detail

using detail::Manager;

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

}  // namespace dictlog
