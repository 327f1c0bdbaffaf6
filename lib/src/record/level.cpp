#include "dictlog/level.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "dictlog/detail/pystr.hpp"
#include "dictlog/errors.hpp"
#include "record/at_fork.hpp"

namespace dictlog {
namespace {

struct LevelTables {
  std::shared_mutex mutex;
  std::map<int, std::string_view> by_level;
  std::map<std::string, int, std::less<>> by_name;
  std::set<std::string, std::less<>> names;  // owns the text every view points to
  // Lock-free path for the levels records use most: level -> name, filled on first use.
  static constexpr int kFast = 64;
  std::atomic<const std::string_view*> fast[kFast] = {};
  std::deque<std::string_view> fast_slots;  // stable addresses for `fast`

  std::string_view own(std::string_view s) { return *names.emplace(s).first; }
  void publish(int level, std::string_view name) {
    if (level < 0 || level >= kFast) return;
    fast_slots.push_back(name);
    fast[level].store(&fast_slots.back(), std::memory_order_release);
  }

  LevelTables() {
    for (auto [lvl, n] : {std::pair{CRITICAL, "CRITICAL"},
                          {ERROR, "ERROR"},
                          {WARNING, "WARNING"},
                          {INFO, "INFO"},
                          {DEBUG, "DEBUG"},
                          {NOTSET, "NOTSET"}}) {
      by_level[lvl] = own(n);
      by_name[n] = lvl;
      publish(lvl, by_level[lvl]);  // else every record of a standard level takes the lock
    }
    by_name["WARN"] = WARNING;
    by_name["FATAL"] = CRITICAL;
  }
};

// Leaked on purpose: records logged during static destruction still read it.
LevelTables& tables() {
  static auto* t = new LevelTables;
  return *t;
}

const int g_at_fork = [] {
  detail::add_fork_participant(
      detail::ForkRank::record,
      {[](detail::ForkLocks& locks) { return locks.take(tables().mutex); }, [] {}});
  return 0;
}();

}  // namespace

std::string get_level_name(int level) {
  return std::string(detail::interned_level_name(level));
}

std::optional<int> get_level_by_name(std::string_view name) {
  auto& t = tables();
  std::shared_lock lock(t.mutex);
  auto it = t.by_name.find(name);
  if (it == t.by_name.end()) return std::nullopt;
  return it->second;
}

void add_level_name(int level, std::string_view name) {
  auto& t = tables();
  std::unique_lock lock(t.mutex);
  t.by_level[level] = t.own(name);
  t.by_name[std::string(name)] = level;
  t.publish(level, t.by_level[level]);
}

std::map<std::string, int> get_level_names_mapping() {
  auto& t = tables();
  std::shared_lock lock(t.mutex);
  return {t.by_name.begin(), t.by_name.end()};
}

int check_level(std::string_view name) {
  if (auto l = get_level_by_name(name)) return *l;
  std::string msg = "Unknown level: ";
  detail::append_str_repr(name, msg);
  throw ValueError(msg);
}

namespace detail {
std::string_view interned_level_name(int level) {
  auto& t = tables();
  if (level >= 0 && level < LevelTables::kFast)
    if (const auto* p = t.fast[level].load(std::memory_order_acquire)) return *p;
  {
    std::shared_lock lock(t.mutex);
    auto it = t.by_level.find(level);
    if (it != t.by_level.end()) return it->second;
  }
  std::unique_lock lock(t.mutex);
  auto it = t.by_level.find(level);
  std::string_view name =
      it != t.by_level.end() ? it->second : t.own("Level " + std::to_string(level));
  if (level >= 0 && level < LevelTables::kFast && !t.fast[level].load(std::memory_order_relaxed))
    t.publish(level, name);
  return name;
}
}  // namespace detail

}  // namespace dictlog
