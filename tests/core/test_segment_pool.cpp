// The segment pool's spares follow the capacities buffers reach. Its own executable: the
// pool is process-wide and remembers the largest capacity ever taken, so this must run in
// a process where no buffer has grown yet.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dictlog/detail/segment_pool.hpp"  // white-box: the pool behind the unbounded queues' buffers
#include "dictlog/queue.hpp"
#include "dictlog/record.hpp"

using namespace dictlog;

namespace {

LogRecord rec(int i) {
  return make_log_record({{"msg", std::to_string(i)}, {"levelno", 20}});
}

// Puts records numbered from `first` until this thread's buffer in `q` has taken its next
// segment from the pool; returns the next number.
int grow_until_taken(Queue& q, detail::SegmentPool& pool, int first) {
  const std::size_t taken = pool.taken();
  int i = first;
  while (pool.taken() == taken && i < first + 1'000'000) q.put(rec(i++));
  return i;
}

std::vector<std::size_t> spares(detail::SegmentPool& pool) {
  std::vector<std::size_t> out;
  for (std::size_t cap = detail::kFirstSegment; cap <= detail::kMaxSegment; cap *= 2)
    out.push_back(pool.spares(cap));
  return out;
}

// The nice value of this process's thread named `name` (field 19 of its stat, after the
// parenthesised command), or -100 when there is none.
int nice_of_thread(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm != name) continue;
    std::string stat;
    std::getline(std::ifstream(task.path() / "stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // from field 3, the state
    std::string field;
    for (int i = 3; i <= 19; ++i) fields >> field;
    return std::stoi(field);
  }
  return -100;
}

}  // namespace

TEST_CASE("the pool keeps spares of the capacities buffers reached and of the next one only") {
  auto& pool = detail::SegmentPool::instance();
  Queue q;
  q.put(rec(0));  // this thread's first put: a 64 KiB segment, and the pool's thread starts
  pool.refill_and_wait();
  // A process that logs little holds 64 + 128 KiB of spares, not 64 .. 256 KiB.
  std::vector<std::size_t> s = spares(pool);
  REQUIRE(s.size() == 3);
  CHECK(s[0] >= 1);
  CHECK(s[1] >= 1);
  CHECK(s[2] == 0);

  // The buffer fills its 64 KiB and takes the 128 KiB spare: the pool is woken for a
  // capacity never taken before and makes the 256 KiB one ready for the next growth.
  std::size_t served = pool.served();
  int n = grow_until_taken(q, pool, 1);
  CHECK(pool.served() == served + 1);
  pool.refill_and_wait();
  s = spares(pool);
  CHECK(s[1] >= 1);
  CHECK(s[2] >= 1);

  // Every growth after it found its segment ready, to 256 KiB and past it (segments of
  // 256 KiB each): none was allocated on this thread (each take was served by a spare).
  for (int growth = 0; growth < 3; ++growth) {
    served = pool.served();
    n = grow_until_taken(q, pool, n);
    CHECK(pool.served() == served + 1);
    pool.refill_and_wait();
  }
  s = spares(pool);
  for (std::size_t k = 0; k < s.size(); ++k) CHECK_MESSAGE(s[k] >= 1, "capacity class " << k);

  // Nothing was lost on the way.
  std::vector<LogRecord> out;
  CHECK(q.get_batch(out, std::size_t{1} << 22, false) == static_cast<std::size_t>(n));
  REQUIRE(!out.empty());
  CHECK(out.front().get_message() == "0");
  CHECK(out.back().get_message() == std::to_string(n - 1));
}

TEST_CASE("a drained backlog leaves its emptied segments to the pool, up to kMaxSpares") {
  auto& pool = detail::SegmentPool::instance();
  Queue q;
  q.put(rec(0));
  std::vector<LogRecord> batch;
  q.get_batch(batch, 1, false);
  pool.refill_and_wait();

  // A backlog of 12 segments of 256 KiB waits in this thread's buffer.
  int n = 1;
  for (int growth = 0; growth < 12; ++growth) n = grow_until_taken(q, pool, n);

  // Drained a batch at a time: each emptied segment goes back to the pool, which keeps
  // them (they are faulted in, ready for the next growth) up to its bound, and frees the
  // rest.
  int got = 1;  // record 0 was taken above
  for (;;) {
    batch.clear();
    if (q.get_batch(batch, 512, false) == 0) break;
    for (const LogRecord& r : batch) REQUIRE(r.get_message() == std::to_string(got++));
  }
  CHECK(got == n);
  pool.refill_and_wait();
  CHECK(pool.spares(detail::kMaxSegment) == detail::SegmentPool::kMaxSpares);

  // The next growths take them: no new segment is needed while they last.
  const std::size_t served = pool.served();
  for (int growth = 0; growth < 4; ++growth) n = grow_until_taken(q, pool, n);
  CHECK(pool.served() == served + 4);
  CHECK(pool.spares(detail::kMaxSegment) >= detail::SegmentPool::kMaxSpares - 4);
}

TEST_CASE("the pool's thread runs kPoolNice steps nicer than the thread that started it") {
  // The tests' thread started it, with its first put into an unbounded queue (in the first
  // test case; it is started once per process).
  auto& pool = detail::SegmentPool::instance();
  const int own = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  Queue q;
  q.put(rec(0));
  pool.refill_and_wait();  // the thread has started and made its spares
  CHECK(nice_of_thread("dictlog-pool") == std::min(own + detail::kPoolNice, 19));
  std::vector<LogRecord> batch;
  CHECK(q.get_batch(batch, 1, false) == 1);
}
