// Test support: a user queue with only the members LogQueue requires, so get_batch and
// the listener fall back to get(), one record at a time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>

#include "dictlog/queue.hpp"

namespace dictlog::test {

class DequeQueue : public LogQueue {
 public:
  bool put_nowait(LogRecord&& r) override {
    {
      std::lock_guard lock(m_);
      d_.push_back(std::move(r));
    }
    cv_.notify_one();
    return true;
  }
  void put(LogRecord&& r) override { put_nowait(std::move(r)); }
  std::optional<LogRecord> get(bool block) override {
    std::unique_lock lock(m_);
    if (!block && d_.empty()) return std::nullopt;
    cv_.wait(lock, [&] { return !d_.empty(); });
    LogRecord r = std::move(d_.front());
    d_.pop_front();
    return r;
  }
  std::size_t qsize() const override {
    std::lock_guard lock(m_);
    return d_.size();
  }
  std::string_view class_name() const override { return "DequeQueue"; }
  // The oldest record, left in place; only while no other thread uses the queue.
  const LogRecord& front() const { return d_.front(); }

 private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<LogRecord> d_;
};

}  // namespace dictlog::test
