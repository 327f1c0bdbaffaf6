// OTLPHandler: emit() encodes and queues; one export thread batches, POSTs and retries.
#include "dictlog/otlp_handler.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "core/listener_thread.hpp"
#include "dictlog/errors.hpp"
#include "net/gzip.hpp"
#include "net/otlp_json.hpp"
#include "net/otlp_post.hpp"

namespace dictlog {

namespace detail {
OTLPOptions resolve_otlp_options(OTLPOptions o);
}

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

struct OTLPHandler::Exporter {
  struct Pending {
    detail::OTLPEncoded encoded;
    Clock::time_point at;
  };
  std::mutex m;
  std::condition_variable wake;  // the export thread's
  std::condition_variable done;  // flush()'s
  std::deque<Pending> queue;
  std::uint64_t queued = 0, finished = 0;  // records ever queued / sent or given up
  int flushing = 0;
  bool stopping = false, overflowing = false, failing = false, closed_reported = false;
  Clock::time_point stop_by;
  std::unique_ptr<std::thread> thread;
  std::atomic<std::uint64_t> exported{0}, rejected{0}, undelivered{0}, overflowed{0};
};

OTLPHandler::OTLPHandler(OTLPOptions options)
    : options_(detail::resolve_otlp_options(std::move(options))),
      exporter_(std::make_unique<Exporter>()) {}

OTLPHandler::~OTLPHandler() {
  if (exporter_->thread) close();
}

void OTLPHandler::emit(LogRecord& record) {
  const auto observed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  detail::OTLPEncoded e{std::string(record.name), {}};
  const std::string body = has_formatter() ? format(record) : std::string(record.message_text());
  detail::append_otlp_log_record(record, body, observed, e.record);
  Exporter& x = *exporter_;
  std::unique_lock lock(x.m);
  if (x.stopping) {
    // Nothing sends any more: counted, and said once.
    x.undelivered.fetch_add(1, std::memory_order_relaxed);
    if (std::exchange(x.closed_reported, true)) return;
    throw ValueError(
        "OTLPHandler: a record after close() is not sent (counted in "
        "stats().dropped_peer_down)");
  }
  if (x.queue.size() >= options_.max_queue) {
    x.overflowed.fetch_add(1, std::memory_order_relaxed);
    if (x.overflowing) return;
    x.overflowing = true;
    throw OSError(fmt::format(
        "OTLPHandler: {} records wait for {}: this one and the next are dropped (counted in "
        "stats().dropped_queue_full) until the backlog shrinks",
        x.queue.size(), *options_.endpoint));
  }
  x.queue.push_back({std::move(e), Clock::now()});
  ++x.queued;
  if (!x.thread) x.thread = std::make_unique<std::thread>([this] { run(); });
  if (x.queue.size() >= options_.max_batch) x.wake.notify_one();
}

void OTLPHandler::report(std::size_t records, std::exception_ptr error, int tries) {
  LogRecord r = make_log_record({{"name", "dictlog.otlp"}});
  r.set_msg_copy(fmt::format("{} records not delivered to {} after {} tries", records,
                             *options_.endpoint, tries));
  try {
    std::rethrow_exception(error);
  } catch (...) {
    handle_error(r);
  }
}

// One batch: sent, retried while that may help, else given up and counted.
void OTLPHandler::export_batch(detail::CurlEasy& curl, const std::string& body,
                               std::size_t records) {
  Exporter& x = *exporter_;
  double wait = options_.retry_initial;
  for (int attempt = 1;; ++attempt) {
    double timeout = *options_.timeout;
    {
      std::lock_guard lock(x.m);
      if (x.stopping) {
        const double left = std::chrono::duration<double>(x.stop_by - Clock::now()).count();
        timeout = std::max(0.001, timeout > 0 ? std::min(timeout, left) : left);
      }
    }
    const detail::OTLPAnswer a = detail::otlp_post(curl, options_, body, timeout);
    if (!a.error) {
      const std::uint64_t rejected =
          std::min<std::uint64_t>(detail::otlp_rejected_records(a.body), records);
      x.rejected.fetch_add(rejected, std::memory_order_relaxed);
      x.exported.fetch_add(records - rejected, std::memory_order_relaxed);
      std::lock_guard lock(x.m);
      x.failing = false;
      return;
    }
    const double delay = a.retry_after ? std::min(*a.retry_after, 60.0) : wait;
    wait = std::min(wait * 2, options_.retry_max);
    std::unique_lock lock(x.m);
    const Clock::time_point retry_at = Clock::now() + seconds(delay);
    const bool give_up =
        !a.retryable() || attempt >= options_.max_attempts || (x.stopping && retry_at > x.stop_by);
    if (!give_up) {
      // close() cuts the wait short only when its deadline comes first.
      x.wake.wait_until(lock, retry_at, [&] { return x.stopping && retry_at > x.stop_by; });
      if (!(x.stopping && retry_at > x.stop_by)) continue;
    }
    x.undelivered.fetch_add(records, std::memory_order_relaxed);
    const bool first = !x.failing;
    x.failing = true;
    lock.unlock();
    if (first) report(records, a.error, attempt);
    return;
  }
}

void OTLPHandler::run() {
  Exporter& x = *exporter_;
  detail::CurlEasy curl;
  const std::string resource = detail::otlp_attributes(options_.resource);
  std::vector<detail::OTLPEncoded> batch;
  std::unique_lock lock(x.m);
  for (;;) {
    if (x.queue.empty()) {
      if (x.stopping) return;
      x.wake.wait(lock, [&] { return x.stopping || !x.queue.empty(); });
      continue;
    }
    auto ready = [&] {
      return x.stopping || x.flushing > 0 || x.queue.size() >= options_.max_batch;
    };
    if (!ready())
      x.wake.wait_until(lock, x.queue.front().at + seconds(options_.flush_interval), ready);
    if (x.stopping && Clock::now() >= x.stop_by) {
      x.undelivered.fetch_add(x.queue.size(), std::memory_order_relaxed);
      x.finished += x.queue.size();
      x.queue.clear();
      x.done.notify_all();
      return;
    }
    const std::size_t n = std::min(x.queue.size(), options_.max_batch);
    batch.clear();
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(x.queue.front().encoded));
      x.queue.pop_front();
    }
    lock.unlock();
    std::string body = detail::otlp_request_body(resource, batch, n);
    if (*options_.gzip) body = detail::gzip(body);
    export_batch(curl, body, n);
    lock.lock();
    x.finished += n;
    // Half empty before the next overflow is reported: one report per episode, not per batch.
    if (x.queue.size() <= options_.max_queue / 2) x.overflowing = false;
    x.done.notify_all();
  }
}

void OTLPHandler::flush() {
  if (detail::on_listener_thread()) return;
  Exporter& x = *exporter_;
  std::unique_lock lock(x.m);
  const std::uint64_t target = x.queued;
  ++x.flushing;
  x.wake.notify_one();
  x.done.wait_for(lock, seconds(options_.shutdown_timeout), [&] { return x.finished >= target; });
  --x.flushing;
}

void OTLPHandler::close() {
  Exporter& x = *exporter_;
  std::unique_ptr<std::thread> thread;
  {
    std::lock_guard lock(x.m);
    if (!x.stopping) {
      x.stopping = true;
      x.stop_by = Clock::now() + seconds(options_.shutdown_timeout);
    }
    thread = std::move(x.thread);
    x.wake.notify_all();
  }
  if (thread) thread->join();
  Handler::close();
}

void OTLPHandler::at_fork_reinit() {
  // The parent's thread does not exist here, and it may have held the mutex or been
  // changing the queue when fork() ran: the old state is left untouched (and unfreed).
  (void)exporter_.release();
  exporter_ = std::make_unique<Exporter>();
  Handler::at_fork_reinit();
}

HandlerStats OTLPHandler::stats() const {
  HandlerStats s = Handler::stats();
  s.dropped_queue_full += exporter_->overflowed.load(std::memory_order_relaxed);
  s.dropped_peer_down += exporter_->undelivered.load(std::memory_order_relaxed);
  return s;
}

std::uint64_t OTLPHandler::exported() const {
  return exporter_->exported.load(std::memory_order_relaxed);
}
std::uint64_t OTLPHandler::rejected() const {
  return exporter_->rejected.load(std::memory_order_relaxed);
}

}  // namespace dictlog
