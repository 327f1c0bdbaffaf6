// spdlog's async logger under the scenarios of scenarios.hpp: a thread pool with one worker,
// a queue of 8192 messages, the block overflow policy, and a basic_file_sink writing the
// line Python's "%(asctime)s %(levelname)s %(name)s %(message)s" writes.
//
//   bench_spdlog latency --threads 4 --file /tmp/x.log   # prints one JSON line
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>

#include <memory>
#include <mutex>
#include <string_view>

#include "scenarios.hpp"

namespace {

// %* writes Python's level name ("INFO"); spdlog's %l writes "info".
class PyLevelName : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& m, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view names[] = {"DEBUG", "DEBUG",    "INFO",  "WARNING",
                                                 "ERROR", "CRITICAL", "NOTSET"};
    std::string_view n = names[static_cast<int>(m.level)];
    dest.append(n.data(), n.data() + n.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PyLevelName>();
  }
};

// The file sink behind a brake, for the slow-consumer and memory scenarios.
class ThrottledSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ThrottledSink(std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file, const bench::Throttle& th)
      : file_(std::move(file)), th_(th) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    th_.wait();
    file_->log(m);
  }
  void flush_() override { file_->flush(); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> f) override {
    file_->set_formatter(std::move(f));
  }

 private:
  std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file_;
  const bench::Throttle& th_;
};

}  // namespace

// Exactly one enabled call: callgrind's --toggle-collect=bench_log_one measures this.
extern "C" __attribute__((noinline)) void bench_log_one(spdlog::logger* l, int a, int b) {
  l->info("request {} served in {} us", a, b);
}

struct SpdlogTarget {
  explicit SpdlogTarget(const bench::Setup& s) {
    file_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.file, true);
    std::shared_ptr<spdlog::sinks::sink> sink = file_;
    if (s.throttle) sink = std::make_shared<ThrottledSink>(file_, *s.throttle);
    pool_ = std::make_shared<spdlog::details::thread_pool>(8192, 1);
    logger_ = std::make_shared<spdlog::async_logger>("bench", sink, pool_,
                                                     spdlog::async_overflow_policy::block);
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<PyLevelName>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %* %n %v");
    logger_->set_formatter(std::move(f));
    logger_->set_level(spdlog::level::info);
  }
  void log_one(int a, int b) { bench_log_one(logger_.get(), a, b); }
  void log_disabled(int a, int b) { logger_->debug("request {} served in {} us", a, b); }
  // An async flush: the worker flushes the sink after what is queued before it.
  void request_flush() { logger_->flush(); }
  long queue_size() const { return pool_ ? static_cast<long>(pool_->queue_size()) : 0; }
  // thread_pool(8192, 1) preallocates its ring of async_msg slots.
  static long slot_bytes() { return static_cast<long>(sizeof(spdlog::details::async_msg)); }
  // Its circular queue holds maxsize + 1 slots.
  static long bound_bytes(long maxsize) { return (maxsize + 1) * slot_bytes(); }
  // The pool's destructor queues a stop behind every message and joins the worker, so
  // after it the sink has seen every record; then the file's buffer is flushed.
  void drain() {
    if (!pool_) return;
    logger_.reset();
    pool_.reset();
    file_->flush();
  }
  ~SpdlogTarget() { drain(); }

 private:
  std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
};

int main(int argc, char** argv) {
  try {
    return bench::run_main<SpdlogTarget>("spdlog", argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_spdlog: %s\n", e.what());
    return 2;
  }
}
