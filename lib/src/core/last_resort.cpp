#include "core/last_resort.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "core/system_calls.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/logger.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace {

// Python's _StderrHandler: the bare message to the current stderr.
class StderrHandler final : public Handler {
 public:
  StderrHandler() : Handler(WARNING) {}
  void emit(LogRecord& r) override {
    std::string line = format(r);
    line += '\n';
    if (int err = detail::write_all(2, line))
      throw OSError(fmt::format("[Errno {}] {}", err, std::strerror(err)));
  }
  std::string_view class_name() const override { return "_StderrHandler"; }
  std::string repr() const override { return "<_StderrHandler <stderr> (WARNING)>"; }
};

struct LastResort {
  std::mutex mutex;  // guards the rest; the handler is called outside it
  std::shared_ptr<Handler> handler;
  bool warned_no_handlers = false;
};
LastResort& state() {
  static auto* s = new LastResort;  // leaked: records may meet no handler during exit
  return *s;
}

const int g_at_fork = [] {
  detail::add_fork_participant(
      detail::ForkRank::core,
      {[](detail::ForkLocks& locks) { return locks.take(state().mutex); }, [] {}});
  return 0;
}();

}  // namespace

std::shared_ptr<Handler> last_resort() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.handler;
}

void set_last_resort(std::shared_ptr<Handler> h) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.handler = std::move(h);
}

namespace detail {

void call_last_resort(std::string_view logger, LogRecord& record) {
  auto& s = state();
  std::shared_ptr<Handler> lr;
  {
    std::lock_guard lock(s.mutex);
    if (!s.handler) {
      if (!s.warned_no_handlers && raise_exceptions()) {
        s.warned_no_handlers = true;
        std::string msg = fmt::format("No handlers could be found for logger \"{}\"\n", logger);
        (void)write_all(2, msg);  // nowhere left to report a failure
      }
      return;
    }
    lr = s.handler;
  }
  if (record.levelno >= lr->level()) lr->handle(record);
}

// The default lastResort is installed at load, as Python's is at import. This file is
// always linked: Logger::call_handlers calls call_last_resort.
const bool g_last_resort_installed = [] {
  set_last_resort(std::make_shared<StderrHandler>());
  return true;
}();

}  // namespace detail

}  // namespace dictlog
