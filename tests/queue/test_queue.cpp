#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/detail/segment_pool.hpp"  // white-box: the pool behind the unbounded queues' buffers
#include "dictlog/detail/thread_buffer.hpp"  // white-box: one thread's buffer
#include "dictlog/queue.hpp"
#include "support/deque_queue.hpp"

using namespace dictlog;
using dictlog::test::DequeQueue;
using namespace std::chrono_literals;

namespace {

LogRecord rec(std::string text) {
  LogRecord r = make_log_record({{"msg", text}, {"levelno", 20}});
  return r;
}

// Records enough to fill `bytes` of a thread's buffer: each takes more than a LogRecord.
int records_filling(std::size_t bytes) {
  return static_cast<int>(bytes / sizeof(LogRecord)) + 1;
}

std::vector<std::string> messages(const std::vector<LogRecord>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.emplace_back(r.get_message());
  return out;
}

}  // namespace

TEST_CASE("Queue is FIFO and reports its size, bounds and Python class name") {
  Queue q;
  CHECK(q.class_name() == "queue.Queue");
  CHECK(q.maxsize() == 0);
  CHECK(q.empty());
  CHECK_FALSE(q.full());
  for (int i = 0; i < 200; ++i) CHECK(q.put_nowait(rec("m" + std::to_string(i))));
  CHECK(q.qsize() == 200);
  for (int i = 0; i < 200; ++i) {
    auto r = q.get(false);
    REQUIRE(r);
    CHECK(r->get_message() == "m" + std::to_string(i));
  }
  CHECK_FALSE(q.get(false).has_value());
  CHECK(q.empty());
}

TEST_CASE("SimpleQueue is an unbounded FIFO named queue.SimpleQueue") {
  SimpleQueue q;
  CHECK(q.class_name() == "queue.SimpleQueue");
  CHECK(q.maxsize() == 0);
  for (int i = 0; i < 1000; ++i) q.put(rec(std::to_string(i)));
  std::vector<LogRecord> out;
  CHECK(q.get_batch(out, 100000) == 1000);
  REQUIRE(out.size() == 1000);
  CHECK(out.front().get_message() == "0");
  CHECK(out.back().get_message() == "999");
}

TEST_CASE("a buffer that grows many times while the consumer is held back loses nothing") {
  Queue q;
  // Each round fills three of the largest segments: the first grows the buffer from 64 to
  // 256 KiB and adds 256 KiB segments while nothing is taken; the later ones grow it again
  // while the consumer empties segments and gives them back, so that growths take them or
  // prepared ones.
  constexpr int kRounds = 3;
  const int each = records_filling(3 * detail::kMaxSegment);
  std::atomic<bool> first_round_done{false};
  std::thread producer([&] {
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < each; ++i) {
        LogRecord r = make_log_record({{"levelno", 20}});
        r.set_msg("{} {}");
        r.capture_args(round, i);
        q.put(std::move(r));
      }
      first_round_done.store(true, std::memory_order_release);
    }
  });
  while (!first_round_done.load(std::memory_order_acquire)) std::this_thread::yield();
  int round = 0, next = 0, total = 0;
  std::vector<LogRecord> batch;
  while (total < kRounds * each) {
    batch.clear();
    q.get_batch(batch, 4096);
    for (auto& r : batch) {
      int got_round = -1, got_i = -1;
      REQUIRE(std::sscanf(r.get_message().c_str(), "%d %d", &got_round, &got_i) == 2);
      if (next == each) {
        ++round;
        next = 0;
      }
      REQUIRE(got_round == round);
      REQUIRE(got_i == next);
      ++next;
      ++total;
    }
  }
  producer.join();
  CHECK(q.get_batch(batch, 1, false) == 0);
}

namespace {
// Entries of 24 to 400 bytes (any multiple of 8), numbered in their time-stamp field, the bytes
// after the header all set to the number's low byte.
std::size_t entry_size(std::uint64_t n) {
  return detail::entry_size(sizeof(detail::EntryHeader) + 8 * ((n * 7) % 48));
}
void put_entry(detail::ThreadBuffer& b, std::uint64_t n) {
  detail::EntryHeader* h = b.reserve(entry_size(n), detail::EntryKind::call, nullptr);
  h->ticks = n;
  std::memset(h + 1, static_cast<int>(n & 0xff), h->size() - sizeof(detail::EntryHeader));
  b.commit();
}
// Takes every committed entry; checks that they are `next`, `next + 1`, ... whole.
std::uint64_t take_entries(detail::ThreadBuffer& b, std::uint64_t next) {
  while (detail::EntryHeader* h = b.peek()) {
    REQUIRE(h->ticks == next);
    REQUIRE(h->size() == entry_size(next));
    const auto* body = reinterpret_cast<const unsigned char*>(h + 1);
    for (std::size_t i = 0; i < h->size() - sizeof(detail::EntryHeader); ++i)
      REQUIRE(body[i] == (next & 0xff));
    b.pop(h);
    ++next;
  }
  return next;
}
}  // namespace

TEST_CASE("a thread's buffer wraps its ring many times, padding the end, without growing") {
  detail::ThreadBuffer b;
  const detail::Segment* seg = b.write_seg;
  const std::size_t cap = seg->cap;
  std::uint64_t put = 0, taken = 0;
  // The consumer keeps up: a few entries at a time, across the ring's end again and again.
  while (b.write_pos < 100 * cap) {
    for (int i = 0; i < 7; ++i) put_entry(b, put++);
    taken = take_entries(b, taken);
  }
  CHECK(taken == put);
  CHECK(b.write_seg == seg);

  // The consumer lags: the producer fills the room it left, up to the unread bytes, and
  // only then grows; nothing unread is overwritten.
  const std::uint64_t start = b.write_pos;
  while (b.write_pos - start < cap / 2) put_entry(b, put++);
  std::uint64_t half = taken;
  while (half < put - (put - taken) / 2) {
    detail::EntryHeader* h = b.peek();
    REQUIRE(h != nullptr);
    REQUIRE(h->ticks == half);
    b.pop(h);
    ++half;
  }
  // Entries are >= 48 bytes: more than cap / 48 of them cannot fit in what is left.
  for (std::size_t n = 0; b.write_seg == seg; ++n) {
    REQUIRE(n < cap / 48);
    put_entry(b, put++);
  }
  CHECK(b.write_pos < cap);  // a fresh segment
  CHECK(take_entries(b, half) == put);
}

TEST_CASE("an entry that does not fit before the ring's end goes to its start, after a pad") {
  detail::ThreadBuffer b;
  const detail::Segment* seg = b.write_seg;
  const std::size_t cap = seg->cap;
  constexpr std::size_t kBig = 48, kSmall = 32;
  static_assert(detail::kFirstSegment % kBig == 16);  // 16 bytes are left at the end
  for (std::size_t i = 0; i < cap / kBig; ++i) b.reserve(kBig, detail::EntryKind::call, nullptr);
  b.commit();
  // The consumer frees the first two entries; the producer has not looked since.
  for (int i = 0; i < 2; ++i) b.pop(b.peek());
  detail::EntryHeader* h = b.reserve(kSmall, detail::EntryKind::call, nullptr);
  CHECK(reinterpret_cast<std::byte*>(h) == seg->data);
  CHECK(b.write_seg == seg);
  CHECK(b.write_pos == cap + kSmall);
  b.commit();
  // What is left to read: the rest of the first lap, the pad, the small entry.
  std::size_t entries = 0;
  while (detail::EntryHeader* e = b.peek()) {
    ++entries;
    b.pop(e);
  }
  CHECK(entries == cap / kBig - 2 + 1);
}

TEST_CASE("a buffer's segments come prefaulted from the pool and go back to it drained") {
  auto& pool = detail::SegmentPool::instance();
  constexpr std::size_t kFirst = detail::kFirstSegment;
  {
    // Starts the pool's thread, and takes a buffer to 256 KiB: the pool keeps spares of the
    // capacities buffers have reached (test_segment_pool: only those), now all of them.
    Queue warm;
    const int n = records_filling(2 * detail::kMaxSegment);
    for (int i = 0; i < n; ++i) warm.put(rec(std::to_string(i)));
  }
  Queue q;                 // its buffer for threads being torn down takes a 64 KiB segment now
  pool.refill_and_wait();  // one spare of every capacity, 64 .. 256 KiB
  for (std::size_t cap = kFirst; cap <= detail::kMaxSegment; cap *= 2) CHECK(pool.spares(cap) >= 1);
  // The thread that made them shows under its name (ps, top, gdb).
  int named = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    named += name == "dictlog-pool";
  }
  CHECK(named == 1);

  // A thread's first put takes a 64 KiB spare (and frees the buffers this thread kept for
  // queues that are gone, which may give segments back); filling it takes a 128 KiB spare.
  // These takes do not wake the pool's thread (buffers have reached these capacities before,
  // and neither is the largest), so the counts are exact. (A class may hold several: the
  // segments consumers gave back, up to kMaxSpares.)
  const std::size_t served_before_first = pool.served();
  q.put(rec("0"));
  CHECK(pool.served() == served_before_first + 1);
  const std::size_t served = pool.served();
  const std::size_t first = pool.spares(kFirst), second = pool.spares(2 * kFirst),
                    third = pool.spares(4 * kFirst);
  REQUIRE(second >= 1);
  const int n = records_filling(2 * kFirst);  // past 64 KiB, within the 128 KiB segment
  for (int i = 1; i < n; ++i) q.put(rec(std::to_string(i)));
  CHECK(pool.served() == served + 1);
  CHECK(pool.spares(2 * kFirst) == second - 1);
  CHECK(pool.spares(4 * kFirst) == third);

  // Drained, the 64 KiB segment goes back (already faulted in) if its class holds fewer
  // than kMaxSpares, and is freed otherwise; the 128 KiB one is still the buffer's.
  std::vector<LogRecord> out;
  CHECK(q.get_batch(out, std::size_t{1} << 20, false) == static_cast<std::size_t>(n));
  CHECK(out.back().get_message() == std::to_string(n - 1));
  // (The pool's thread may have refilled the class meanwhile, if `first` was 0.)
  CHECK(pool.spares(kFirst) >= std::min(first + 1, detail::SegmentPool::kMaxSpares));
  CHECK(pool.spares(kFirst) <= detail::SegmentPool::kMaxSpares);
  CHECK(pool.spares(2 * kFirst) == second - 1);
}

TEST_CASE("after fork the child's buffers grow through a pool thread of its own") {
#if defined(__SANITIZE_THREAD__)
  // TSan kills a child of a multi-threaded process that starts a thread (die_after_fork).
  MESSAGE("SKIP: ThreadSanitizer does not support starting threads after fork");
  return;
#endif
  auto& pool = detail::SegmentPool::instance();
  {
    Queue warm;
    warm.put(rec("starts the pool's thread in this process"));
  }
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only this thread exists here. A buffer that grows past 256 KiB takes segments, starts
    // a provisioner of the child's own, and refill_and_wait returns (it would hang on a
    // thread that exists only in the parent).
    Queue q;
    const int n = records_filling(2 * detail::kMaxSegment);
    for (int i = 0; i < n; ++i) q.put(rec(std::to_string(i)));
    pool.refill_and_wait();
    std::vector<LogRecord> out;
    q.get_batch(out, std::size_t{1} << 22, false);
    bool ok = out.size() == static_cast<std::size_t>(n) &&
              out.back().get_message() == std::to_string(n - 1) &&
              pool.spares(detail::kMaxSegment) >= 1;
    std::_Exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a bounded Queue refuses put_nowait when full and accepts again after a get") {
  Queue q(3);
  CHECK(q.maxsize() == 3);
  CHECK(q.put_nowait(rec("a")));
  CHECK(q.put_nowait(rec("b")));
  CHECK(q.put_nowait(rec("c")));
  CHECK(q.full());
  CHECK_FALSE(q.put_nowait(rec("d")));
  CHECK(q.qsize() == 3);
  CHECK(q.get()->get_message() == "a");
  CHECK(q.put_nowait(rec("e")));
  std::vector<LogRecord> out;
  q.get_batch(out, 10);
  CHECK(messages(out) == std::vector<std::string>{"b", "c", "e"});
}

TEST_CASE("put on a full queue waits until a consumer makes room") {
  Queue q(1);
  q.put(rec("first"));
  std::atomic<bool> done{false};
  std::thread producer([&] {
    q.put(rec("second"));
    done = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(done.load());
  CHECK(q.get()->get_message() == "first");
  producer.join();
  CHECK(done.load());
  CHECK(q.get()->get_message() == "second");
}

TEST_CASE("a blocking get wakes when a record arrives") {
  Queue q;
  std::string got;
  std::thread consumer([&] { got = q.get()->get_message(); });
  std::this_thread::sleep_for(20ms);
  q.put(rec("wake"));
  consumer.join();
  CHECK(got == "wake");
}

TEST_CASE("get_batch takes the waiting records in order, across chunk boundaries, up to max") {
  Queue q;
  for (int i = 0; i < 300; ++i) q.put(rec(std::to_string(i)));
  std::vector<LogRecord> out;
  // Built-in queues hand over whole chunks: at least `max`, then the rest later.
  std::size_t n = q.get_batch(out, 1);
  CHECK(n >= 1);
  CHECK(n < 300);
  while (out.size() < 300) CHECK(q.get_batch(out, 1000, false) > 0);
  CHECK(q.get_batch(out, 1000, false) == 0);
  for (int i = 0; i < 300; ++i)
    CHECK(out[static_cast<std::size_t>(i)].get_message() == std::to_string(i));
}

TEST_CASE("a record keeps its captured arguments and owned strings through the queue") {
  Queue q;
  LogRecord r = make_log_record({{"name", "app"}, {"levelno", 30}});
  r.set_msg("{} took {} ms ({})");
  std::string big(300, 'x');  // past the inline argument buffer: heap-held
  r.capture_args(std::string("GET /"), 12.5, big);
  r.exc_text = "ValueError: bad";
  r.extra = {{"user", "bob"}};
  q.put(std::move(r));
  auto got = q.get();
  REQUIRE(got);
  CHECK(got->get_message() == "GET / took 12.5 ms (" + big + ")");
  CHECK(*got->exc_text == "ValueError: bad");
  CHECK(got->find_extra("user")->view() == ValueView(std::string_view("bob")));
  CHECK(got->name == "app");
}

TEST_CASE("many producers: every record arrives once, each producer's in its own order") {
  Queue q(100);  // bounded and small: producers block often
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        LogRecord r = make_log_record({{"levelno", 20}});
        r.set_msg("{} {}");
        r.capture_args(t, i);
        q.put(std::move(r));
      }
    });
  std::vector<int> next(kThreads, 0);
  int total = 0;
  std::vector<LogRecord> batch;
  while (total < kThreads * kEach) {
    batch.clear();
    q.get_batch(batch, 64);
    for (auto& r : batch) {
      int t = 0, i = 0;
      REQUIRE(std::sscanf(r.get_message().c_str(), "%d %d", &t, &i) == 2);
      CHECK(i == next[static_cast<std::size_t>(t)]);
      next[static_cast<std::size_t>(t)] = i + 1;
      ++total;
    }
  }
  for (auto& p : producers) p.join();
  CHECK(q.empty());
  for (int n : next) CHECK(n == kEach);
}

TEST_CASE("the listener's sentinel is recognised by identity, not by content") {
  LogRecord s = queue_sentinel();
  CHECK(is_queue_sentinel(s));
  LogRecord copy = s;
  CHECK(is_queue_sentinel(copy));
  LogRecord lookalike = make_log_record({{"name", "<QueueListener sentinel>"}});
  CHECK_FALSE(is_queue_sentinel(lookalike));
  CHECK_FALSE(is_queue_sentinel(rec("x")));
}

TEST_CASE("LogQueue's default get_batch serves a custom queue through get()") {
  DequeQueue q;
  for (int i = 0; i < 5; ++i) q.put(rec(std::to_string(i)));
  std::vector<LogRecord> out;
  CHECK(q.get_batch(out, 3) == 3);
  CHECK(q.get_batch(out, 10, false) == 2);
  CHECK(q.get_batch(out, 10, false) == 0);
  CHECK(messages(out) == std::vector<std::string>{"0", "1", "2", "3", "4"});
  CHECK(q.maxsize() == 0);
  CHECK_FALSE(q.full());
}

TEST_CASE("records put by threads in turns come out oldest first, whatever buffer holds them") {
  Queue q;
  constexpr int kRecords = 3000;
  // Who puts each record: runs of 1 to 7 by one of three threads, the next run another's.
  std::vector<int> owner;
  unsigned seed = 12345;
  int who = 0;
  while (owner.size() < kRecords) {
    seed = seed * 1103515245u + 12345u;
    const int run = 1 + static_cast<int>((seed >> 16) % 7);
    who = (who + 1 + static_cast<int>((seed >> 8) % 2)) % 3;
    for (int i = 0; i < run && owner.size() < kRecords; ++i) owner.push_back(who);
  }
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (;;) {
        const int i = next.load(std::memory_order_acquire);
        if (i == kRecords) return;
        if (owner[static_cast<std::size_t>(i)] != t) {
          std::this_thread::yield();
          continue;
        }
        q.put(rec(std::to_string(i)));
        next.store(i + 1, std::memory_order_release);
      }
    });
  for (auto& t : threads) t.join();
  std::vector<LogRecord> out;
  while (q.get_batch(out, 100000, false) > 0) {
  }
  REQUIRE(out.size() == kRecords);
  int wrong = 0;
  for (int i = 0; i < kRecords; ++i)
    if (out[static_cast<std::size_t>(i)].get_message() != std::to_string(i)) ++wrong;
  CHECK(wrong == 0);
}
