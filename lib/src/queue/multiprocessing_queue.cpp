// MultiprocessingQueue: records encoded into the shared ring by any process, decoded by the
// one that made it.
#include "dictlog/multiprocessing_queue.hpp"

#include <chrono>
#include <string>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/thread_name.hpp"
#include "queue/record_codec.hpp"
#include "queue/shared_ring.hpp"

namespace dictlog {

namespace {

thread_local std::string t_encoded;
// The reader's cache of interned names (one reading process, under read_mutex_).
detail::RecordDecoder& decoder() {
  static detail::RecordDecoder d;
  return d;
}

}  // namespace

MultiprocessingQueue::MultiprocessingQueue(MultiprocessingQueueOptions options)
    : options_(options) {
  if (options_.maxsize == 0) options_.maxsize = MultiprocessingQueueOptions{}.maxsize;
  if (options_.maxsize < 2) options_.maxsize = 2;  // a slot's next lap must be another slot
  if (options_.slot_size < 256)
    throw ValueError("multiprocessing.Queue: slot_size must be at least 256 bytes");
  options_.slot_size = (options_.slot_size + 15) / 16 * 16;
  ring_ = detail::SharedRing::create(options_.maxsize, options_.slot_size);
}

MultiprocessingQueue::~MultiprocessingQueue() {
  detail::SharedRing::destroy(ring_);
}

// Whether the reading process has ended, asked of the system at most every 100 ms per
// thread (a put costs no system call).
bool MultiprocessingQueue::reader_gone() const {
  if (detail::current_process_id() == ring_->owner) return false;
  thread_local std::chrono::steady_clock::time_point t_next;
  thread_local bool t_gone = false;
  const auto now = std::chrono::steady_clock::now();
  if (now >= t_next) {
    t_gone = detail::process_ended(ring_->owner);
    t_next = now + std::chrono::milliseconds(100);
  }
  return t_gone;
}

// Whether puts from this process are refused: the reader's listener has stopped, or the
// reader has ended. The reader itself is never refused (its late records are served).
bool MultiprocessingQueue::refusing() const {
  if (detail::current_process_id() == ring_->owner) return false;
  return ring_->listener.load(std::memory_order_acquire) == 2 || reader_gone();
}

MultiprocessingQueue::Put MultiprocessingQueue::try_put(const LogRecord& r) {
  if (refusing()) return Put::refused;
  t_encoded.clear();
  if (!detail::encode_record(r, ring_->payload(), t_encoded))
    ring_->truncated.fetch_add(1, std::memory_order_relaxed);
  if (t_encoded.empty()) return Put::full;
  const auto pid = static_cast<std::uint32_t>(detail::current_process_id());
  return ring_->try_put(t_encoded, pid) ? Put::done : Put::full;
}

bool MultiprocessingQueue::put_nowait(LogRecord&& r) {
  if (try_put(r) == Put::done) return true;
  if (detail::current_process_id() != ring_->owner)
    ring_->refused.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void MultiprocessingQueue::put(LogRecord&& r) {
  auto nap = std::chrono::microseconds(20);
  while (try_put(r) != Put::done) {
    if (reader_gone()) {  // as a put with a timeout that ran out: queue.Full, counted
      ring_->refused.fetch_add(1, std::memory_order_relaxed);
      throw QueueFull();
    }
    std::this_thread::sleep_for(nap);
    if (nap < std::chrono::milliseconds(2)) nap *= 2;
  }
}

std::optional<LogRecord> MultiprocessingQueue::take_one() {
  const std::string_view bytes = ring_->peek();
  if (bytes.empty()) return std::nullopt;
  std::optional<LogRecord> r;
  try {
    r = decoder().decode(bytes);
  } catch (...) {
    ring_->release();
    throw;
  }
  ring_->release();
  return r;
}

std::optional<LogRecord> MultiprocessingQueue::get(bool block) {
  std::vector<LogRecord> one;
  if (get_batch(one, 1, block) == 0) return std::nullopt;
  return std::move(one.front());
}

std::size_t MultiprocessingQueue::get_batch(std::vector<LogRecord>& out, std::size_t max,
                                            bool block) {
  if (detail::current_process_id() != ring_->owner) return 0;  // only the owner reads
  std::lock_guard lock(read_mutex_);
  std::size_t n = 0;
  for (int naps = 0;;) {
    while (n < max) {
      auto r = take_one();
      if (!r) break;
      out.push_back(std::move(*r));
      ++n;
    }
    if (n > 0 || !block) return n;
    // As the built-in queues: short naps first, then sleep until a put wakes us.
    if (naps < 50) {
      ++naps;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      ring_->wait_for_put(100);
    }
  }
}

std::size_t MultiprocessingQueue::qsize() const {
  return ring_->size();
}
std::size_t MultiprocessingQueue::maxsize() const {
  return options_.maxsize;
}
void MultiprocessingQueue::set_listening(bool listening) {
  if (detail::current_process_id() != ring_->owner) return;
  ring_->listener.store(listening ? 1 : 2, std::memory_order_release);
}

std::string MultiprocessingQueue::refusal() const {
  if (!refusing()) return {};
  const std::string reader = "the process that reads it (pid " + std::to_string(ring_->owner);
  if (reader_gone()) return "multiprocessing.Queue: " + reader + ") has ended";
  return "multiprocessing.Queue: the QueueListener of " + reader +
         ") has stopped; records are dropped and counted until it starts again";
}

std::uint64_t MultiprocessingQueue::dropped_elsewhere() const {
  return detail::current_process_id() == ring_->owner ? refused() : 0;
}
std::uint64_t MultiprocessingQueue::refused() const {
  return ring_->refused.load(std::memory_order_relaxed);
}
std::uint64_t MultiprocessingQueue::abandoned() const {
  return ring_->abandoned.load(std::memory_order_relaxed);
}
std::uint64_t MultiprocessingQueue::truncated() const {
  return ring_->truncated.load(std::memory_order_relaxed);
}
std::int64_t MultiprocessingQueue::owner() const {
  return ring_->owner;
}

}  // namespace dictlog
