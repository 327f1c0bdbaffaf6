#include "record/intern.hpp"

#include <mutex>
#include <set>
#include <string>

#include "record/at_fork.hpp"

namespace dictlog::detail {

namespace {
struct Pool {
  std::mutex mutex;
  std::set<std::string, std::less<>> strings;
};
Pool& pool() {
  // Never destroyed: records logged during static destruction still point into the pool.
  static auto* p = new Pool;
  return *p;
}
const int g_at_fork = [] {
  add_fork_participant(ForkRank::record,
                       {[](ForkLocks& locks) { return locks.take(pool().mutex); }, [] {}});
  return 0;
}();
}  // namespace

std::string_view intern(std::string_view s) {
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  auto it = p.strings.find(s);
  if (it == p.strings.end()) it = p.strings.emplace(s).first;
  return *it;
}

}  // namespace dictlog::detail
