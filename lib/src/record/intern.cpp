#include "record/intern.hpp"

#include <mutex>
#include <set>
#include <string>

#include "record/at_fork.hpp"

namespace dictlog::detail {

namespace {
struct IdentityLess {
  bool operator()(const ThreadIdentity& a, const ThreadIdentity& b) const {
    return a.ident != b.ident ? a.ident < b.ident : a.name < b.name;
  }
};
struct Pool {
  std::mutex mutex;
  std::set<std::string, std::less<>> strings;
  std::set<ThreadIdentity, IdentityLess> identities;  // nodes: their addresses stay
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

std::string_view intern_locked(Pool& p, std::string_view s) {
  auto it = p.strings.find(s);
  if (it == p.strings.end()) it = p.strings.emplace(s).first;
  return *it;
}
}  // namespace

std::string_view intern(std::string_view s) {
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  return intern_locked(p, s);
}

const ThreadIdentity* intern_identity(std::uint64_t ident, std::string_view name) {
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  return &*p.identities.insert(ThreadIdentity{ident, intern_locked(p, name)}).first;
}

}  // namespace dictlog::detail
