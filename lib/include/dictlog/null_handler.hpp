// NullHandler: does nothing with records, but counts as a handler, so a library can stop
// "no handlers" output without choosing where its records go (Python's NullHandler).
//
//   dictlog::get_logger("mylib").add_handler(std::make_shared<dictlog::NullHandler>());
#pragma once

#include "dictlog/handler.hpp"

namespace dictlog {

class NullHandler : public Handler {
 public:
  explicit NullHandler(int level = NOTSET) : Handler(level) {}
  void emit(LogRecord&) override {}
  std::string_view class_name() const override { return "NullHandler"; }
};

}  // namespace dictlog
