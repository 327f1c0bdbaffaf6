// Python's Manager: the logger tree, placeholders and logging.disable, behind one
// recursive lock (handler constructors and close() may log or reconfigure).
//
// Every change to the tree ends in changed(), which pushes each logger's threshold and
// handler chain down to it (rebuild), or, inside a TreeUpdate, once at the end of the
// outermost one. The logging call itself never takes the lock.
//
//   auto& m = Manager::get();
//   std::lock_guard lock(m.mutex);
//   m.disable = level;
//   m.changed();
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/level.hpp"
#include "dictlog/logger.hpp"

namespace dictlog::detail {

// Thread-safety: every member is used with `mutex` held, except get() and `root` (set
// once, before any other thread can ask for it).
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
  int batch_depth = 0;  // TreeUpdate guards alive
  bool dirty = false;   // a change inside a TreeUpdate is waiting for its rebuild

  // The logger of that name, created with its placeholders on first use; takes the lock.
  Logger& get_logger(std::string_view name);
  // After any change to the tree: rebuild now, or when the outermost TreeUpdate ends.
  void changed();
  void rebuild();

 private:
  Manager();
  // Python's _fixupParents: placeholders for missing prefixes, parent = nearest real one.
  void fixup_parents(Logger* lg);
  // Python's _fixupChildren.
  void fixup_children(const std::vector<Logger*>& children, Logger* lg);
  // The threshold and chain of one logger, from its ancestors.
  void rebuild_one(Logger* lg);
};

}  // namespace dictlog::detail
