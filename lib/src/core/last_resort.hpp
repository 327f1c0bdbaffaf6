// What a record that meets no handler at all gets (Python's lastResort), for
// Logger::call_handlers; the public side is last_resort()/set_last_resort() (logger.hpp).
#pragma once

#include <string_view>

#include "dictlog/record.hpp"

namespace dictlog::detail {

// The record through the lastResort handler if it admits the level; with no lastResort,
// "No handlers could be found for logger "<logger>"" on stderr, once per process.
void call_last_resort(std::string_view logger, LogRecord& record);

}  // namespace dictlog::detail
