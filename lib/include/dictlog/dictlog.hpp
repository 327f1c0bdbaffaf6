// dictlog: Python's logging model in C++20. This header includes the public API.
//
//   #include <dictlog/dictlog.hpp>
//   auto& log = dictlog::get_logger("app");
//   log.info("ready in {} ms", ms);
#pragma once

#include "dictlog/errors.hpp"
#include "dictlog/filter.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/level.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/record.hpp"
#include "dictlog/shutdown.hpp"
#include "dictlog/value.hpp"
