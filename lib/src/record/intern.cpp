#include "record/intern.hpp"

#include <mutex>
#include <set>
#include <string>

namespace dictlog::detail {

std::string_view intern(std::string_view s) {
  // Never destroyed: records logged during static destruction still point into the pool.
  static auto* mutex = new std::mutex;
  static auto* pool = new std::set<std::string, std::less<>>;
  std::lock_guard lock(*mutex);
  auto it = pool->find(s);
  if (it == pool->end()) it = pool->emplace(s).first;
  return *it;
}

}  // namespace dictlog::detail
