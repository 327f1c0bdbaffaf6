// Test support: a guard that puts the process-wide logging settings back as it found them
// when the test ends, however it ends (spdlog's test_sink, abseil's ScopedMinLogLevel):
// the root logger's level and handlers, lastResort, logging.disable's level and
// raise_exceptions. A test that changes one of them declares a guard first.
//
//   dictlog::test::ScopedGlobals globals;
//   dictlog::set_raise_exceptions(false);  // true again after the test
#pragma once

#include <memory>
#include <vector>

#include "dictlog/handler.hpp"
#include "dictlog/logger.hpp"

namespace dictlog::test {

class ScopedGlobals {
 public:
  ScopedGlobals()
      : root_level_(root().level()),
        root_handlers_(root().handlers()),
        last_resort_(last_resort()),
        disabled_level_(disabled_level()),
        raise_exceptions_(raise_exceptions()) {}
  ~ScopedGlobals() {
    Logger& r = root();
    // Only when they changed: removing and adding again would rebuild every chain.
    if (r.handlers() != root_handlers_) {
      for (const auto& h : r.handlers()) r.remove_handler(h);
      for (const auto& h : root_handlers_) r.add_handler(h);
    }
    if (r.level() != root_level_) r.set_level(root_level_);
    set_last_resort(last_resort_);
    disable(disabled_level_);
    set_raise_exceptions(raise_exceptions_);
  }
  ScopedGlobals(const ScopedGlobals&) = delete;
  ScopedGlobals& operator=(const ScopedGlobals&) = delete;

 private:
  int root_level_;
  std::vector<std::shared_ptr<Handler>> root_handlers_;
  std::shared_ptr<Handler> last_resort_;
  int disabled_level_;
  bool raise_exceptions_;
};

}  // namespace dictlog::test
