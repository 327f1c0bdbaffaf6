// dictlog under the scenarios of scenarios.hpp: logger "bench" -> QueueHandler(Queue) ->
// QueueListener -> FileHandler with Formatter("%(asctime)s %(levelname)s %(name)s
// %(message)s"), the pipeline CPython's QueueHandler recipe builds, written in code.
//
//   bench_dictlog latency --threads 4 --file /tmp/x.log   # prints one JSON line
//   bench_dictlog throughput --maxsize 8192               # a bounded queue that blocks
//   bench_dictlog idle                                    # the listener's CPU while idle
#include <dictlog/dictlog.hpp>
#include <dictlog/file_handler.hpp>
#include <dictlog/queue.hpp>
#include <dictlog/queue_handler.hpp>
#include <dictlog/queue_listener.hpp>

#include <memory>
#include <vector>

#include "scenarios.hpp"

namespace {

// The file handler behind a brake, for the slow-consumer and memory scenarios. A separate
// handler rather than a FileHandler subclass, so no batched path of the listener can skip
// the brake.
class ThrottledHandler : public dictlog::Handler {
 public:
  ThrottledHandler(std::shared_ptr<dictlog::Handler> inner, const bench::Throttle& th)
      : inner_(std::move(inner)), th_(th) {}
  void emit(dictlog::LogRecord& r) override {
    th_.wait();
    inner_->handle(r);
  }
  void flush() override { inner_->flush(); }

 private:
  std::shared_ptr<dictlog::Handler> inner_;
  const bench::Throttle& th_;
};

}  // namespace

// Exactly one enabled call: callgrind's --toggle-collect=bench_log_one measures this.
extern "C" __attribute__((noinline)) void bench_log_one(dictlog::Logger* l, int a, int b) {
  l->info("request {} served in {} us", a, b);
}

struct DictlogTarget {
  explicit DictlogTarget(const bench::Setup& s) {
    auto q = queue_ = std::make_shared<dictlog::Queue>(static_cast<std::size_t>(s.maxsize));
    file_ = std::make_shared<dictlog::FileHandler>(s.file, "w");
    file_->set_formatter(
        std::make_shared<dictlog::Formatter>("%(asctime)s %(levelname)s %(name)s %(message)s"));
    std::shared_ptr<dictlog::Handler> h = file_;
    if (s.throttle) h = std::make_shared<ThrottledHandler>(file_, *s.throttle);
    auto qh = std::make_shared<dictlog::QueueHandler>(q);
    if (s.maxsize > 0) qh->set_overflow(dictlog::QueueHandler::Overflow::block);
    listener_ = std::make_shared<dictlog::QueueListener>(
        q, std::vector<std::shared_ptr<dictlog::Handler>>{h});
    qh->set_listener(listener_);
    log_ = &dictlog::get_logger("bench");
    log_->set_propagate(false);
    log_->set_level(dictlog::INFO);
    log_->add_handler(qh);
    listener_->start();
  }
  void log_one(int a, int b) { bench_log_one(log_, a, b); }
  void log_disabled(int a, int b) { log_->debug("request {} served in {} us", a, b); }
  // Nothing to ask: the listener writes its batch out whenever the queue runs dry.
  void request_flush() {}
  long queue_size() const { return static_cast<long>(queue_->qsize()); }
  // A queue slot holds one LogRecord and its preparer's pointer.
  static long slot_bytes() { return static_cast<long>(sizeof(dictlog::LogRecord) + sizeof(void*)); }
  // queue.hpp's documented size of a bounded queue: ceil(maxsize / 64) + 2 chunks of 64 slots.
  static long bound_bytes(long maxsize) { return ((maxsize + 63) / 64 + 2) * 64 * slot_bytes(); }
  // stop() drains the queue through the handlers and joins the listener.
  void drain() {
    listener_->stop();
    file_->flush();
  }

 private:
  std::shared_ptr<dictlog::Queue> queue_;
  std::shared_ptr<dictlog::FileHandler> file_;
  std::shared_ptr<dictlog::QueueListener> listener_;
  dictlog::Logger* log_ = nullptr;
};

int main(int argc, char** argv) {
  try {
    return bench::run_main<DictlogTarget>("dictlog", argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dictlog: %s\n", e.what());
    return 2;
  }
}
